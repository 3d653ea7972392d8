//! `naermiljo import osm` on the real central-Oslo extract, checked against osmium.

use std::collections::BTreeMap;

use naermiljo::domain::FacilityKind;

use crate::common::{TestStore, oslo_pbf, osm, tool};

/// Amenity values that make a facility; an object with one of these is never counted under
/// its `leisure` tag.
const FACILITY_AMENITIES: &str =
    "amenity=school,kindergarten,library,community_centre,arts_centre,youth_centre";

/// Objects osmium selects with `filters` (OR-ed), minus those matching `except`, as OPL lines.
fn osmium_objects(filters: &[&str], except: Option<&str>) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let selected = dir.path().join("selected.opl");
    let pbf = oslo_pbf();
    let mut args = vec![
        "tags-filter",
        "-R",
        "-O",
        "-o",
        selected.to_str().unwrap(),
        pbf.to_str().unwrap(),
    ];
    args.extend(filters);
    tool("osmium", &args, None);
    let result = match except {
        None => selected,
        Some(expr) => {
            let kept = dir.path().join("kept.opl");
            tool(
                "osmium",
                &[
                    "tags-filter",
                    "-i",
                    "-R",
                    "-O",
                    "-o",
                    kept.to_str().unwrap(),
                    selected.to_str().unwrap(),
                    expr,
                ],
                None,
            );
            kept
        }
    };
    std::fs::read_to_string(result)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Whether an OPL line (`n1 v1 … Tkey=value,key=value x… y…`) has a tag `key`.
fn has_tag(opl: &str, key: &str) -> bool {
    opl.split(' ')
        .find_map(|field| field.strip_prefix('T'))
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.split_once('=').is_some_and(|(k, _)| k == key))
        })
}

#[tokio::test]
async fn oslo_counts_match_osmium() {
    let t = TestStore::new().await;
    let report = t.import(osm(oslo_pbf())).await.unwrap();
    assert!(
        report.skipped.is_empty(),
        "objects skipped: {:?}",
        report.skipped
    );

    let contents = t.store.load().await.unwrap();
    let mut ours: BTreeMap<FacilityKind, usize> = BTreeMap::new();
    for f in &contents.facilities {
        *ours.entry(f.kind).or_default() += 1;
    }
    let expected = [
        (
            FacilityKind::School,
            osmium_objects(&["nwr/amenity=school"], None).len(),
        ),
        (
            FacilityKind::Kindergarten,
            osmium_objects(&["nwr/amenity=kindergarten"], None).len(),
        ),
        (
            FacilityKind::Library,
            osmium_objects(&["nwr/amenity=library"], None).len(),
        ),
        (
            FacilityKind::Playground,
            osmium_objects(
                &["nwr/leisure=playground"],
                Some(&format!("nwr/{FACILITY_AMENITIES}")),
            )
            .len(),
        ),
    ];
    for (kind, n) in expected {
        assert!(n > 0, "osmium found no {kind}: the oracle itself is broken");
        assert_eq!(ours.get(&kind).copied().unwrap_or(0), n, "{kind}");
    }

    // Addresses: a house number with a street or a place name.
    let with_number = osmium_objects(&["nwr/addr:housenumber"], None);
    let expected_addresses = with_number
        .iter()
        .filter(|l| has_tag(l, "addr:street") || has_tag(l, "addr:place"))
        .count();
    assert!(expected_addresses > 10_000);
    assert_eq!(contents.addresses.len(), expected_addresses);

    // Every facility keeps where it came from, as osmium names it (n123 / w123 / r123).
    let schools = osmium_objects(&["nwr/amenity=school"], None);
    let osmium_ids: std::collections::BTreeSet<String> = schools
        .iter()
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect();
    let our_ids: std::collections::BTreeSet<String> = contents
        .facilities
        .iter()
        .filter(|f| f.kind == FacilityKind::School)
        .map(|f| {
            let (t, id) = f.source.source_id.split_once('/').unwrap();
            format!("{}{id}", &t[..1])
        })
        .collect();
    assert_eq!(our_ids, osmium_ids);
}

#[tokio::test]
async fn importing_twice_gives_the_same_rows_and_ids() {
    let t = TestStore::new().await;
    t.import(osm(oslo_pbf())).await.unwrap();
    let first = t.store.load().await.unwrap();
    let report = t.import(osm(oslo_pbf())).await.unwrap();
    let second = t.store.load().await.unwrap();
    assert_eq!(second.data_version, first.data_version + 1);
    assert_eq!(first.facilities, second.facilities);
    assert_eq!(first.addresses, second.addresses);
    let f = report.outcome.facilities.unwrap();
    assert_eq!(
        (f.inserted, f.updated, f.removed),
        (0, first.facilities.len() as u64, 0)
    );
}

#[tokio::test]
async fn a_truncated_pbf_fails_and_changes_nothing() {
    let t = TestStore::new().await;
    t.import(osm(oslo_pbf())).await.unwrap();
    let before = t.dump().await;

    let bytes = std::fs::read(oslo_pbf()).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 10, 100, 0] {
        let truncated = t.dir.path().join(format!("cut-{cut}.osm.pbf"));
        std::fs::write(&truncated, &bytes[..cut]).unwrap();
        let err = t
            .import(osm(truncated.clone()))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&truncated.display().to_string()),
            "error names the file: {err}"
        );
        assert_eq!(
            t.dump().await,
            before,
            "store changed after failing on {cut} bytes"
        );
    }
    let not_pbf = t.dir.path().join("notes.osm.pbf");
    std::fs::write(&not_pbf, "this is not a PBF file at all").unwrap();
    assert!(t.import(osm(not_pbf)).await.is_err());
    assert_eq!(t.dump().await, before);
}

/// A skewed quadrilateral across central Oslo (not a box: the cut is by polygon), written as
/// `area.geojson` in `dir`.
fn oslo_area(dir: &std::path::Path) -> std::path::PathBuf {
    let polygon = dir.join("area.geojson");
    std::fs::write(
        &polygon,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[10.735,59.905],[10.765,59.908],[10.77,59.93],[10.74,59.925],[10.735,59.905]]]}}]}"#,
    )
    .unwrap();
    polygon
}

/// `import osm FILE --clip POLYGON --buffer-m 0`.
fn clipped(file: std::path::PathBuf, polygon: &std::path::Path) -> naermiljo::cli::ImportCommand {
    naermiljo::cli::ImportCommand::Osm {
        file,
        source: "osm".into(),
        clip: Some(polygon.to_path_buf()),
        buffer_m: 0.0,
        no_addresses: false,
    }
}

/// Cutting the extract to a polygon while reading gives what `osmium extract --strategy
/// complete_ways` cuts with the same polygon: the same facilities, addresses and network.
#[tokio::test(flavor = "multi_thread")]
async fn a_clipped_import_equals_osmium_complete_ways() {
    use naermiljo::cli::ImportCommand;
    let dir = tempfile::tempdir().unwrap();
    let polygon = oslo_area(dir.path());
    let cut = dir.path().join("cut.osm.pbf");
    crate::common::tool(
        "osmium",
        &[
            "extract",
            "--strategy",
            "complete_ways",
            "--polygon",
            polygon.to_str().unwrap(),
            "--overwrite",
            "--output",
            cut.to_str().unwrap(),
            oslo_pbf().to_str().unwrap(),
        ],
        None,
    );
    let ours = TestStore::new().await;
    let report = ours.import(clipped(oslo_pbf(), &polygon)).await.unwrap();
    let theirs = TestStore::new().await;
    theirs.import(osm(cut)).await.unwrap();
    let (a, b) = (
        ours.store.load().await.unwrap(),
        theirs.store.load().await.unwrap(),
    );
    let ids = |c: &naermiljo::store::StoreContents| {
        (
            c.facilities
                .iter()
                .map(|f| f.source.source_id.clone())
                .collect::<std::collections::BTreeSet<_>>(),
            c.addresses
                .iter()
                .map(|x| x.source.source_id.clone())
                .collect::<std::collections::BTreeSet<_>>(),
        )
    };
    let ((fa, aa), (fb, ab)) = (ids(&a), ids(&b));
    assert!(
        fa.len() > 100 && aa.len() > 3000,
        "{} {}",
        fa.len(),
        aa.len()
    );
    assert_eq!(fa, fb, "facilities differ");
    assert_eq!(aa, ab, "addresses differ");
    assert_eq!(
        a.walk_graph.as_ref().map(Vec::len),
        b.walk_graph.as_ref().map(Vec::len),
        "walking graphs differ"
    );
    let full = TestStore::new().await;
    full.import(osm(oslo_pbf())).await.unwrap();
    let whole = full.store.load().await.unwrap().addresses.len();
    assert!(aa.len() < whole, "the cut keeps less than the whole file");
    assert!(report.outcome.addresses.is_some());

    // With a buffer the area grows; an area outside the file is refused, clearly.
    let far = dir.path().join("far.geojson");
    std::fs::write(
        &far,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[5.3,60.3],[5.4,60.3],[5.4,60.4],[5.3,60.3]]]}}]}"#,
    )
    .unwrap();
    let e = ours
        .import(ImportCommand::Osm {
            file: oslo_pbf(),
            source: "osm".into(),
            clip: Some(far),
            buffer_m: 3000.0,
            no_addresses: false,
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("nothing in the file lies in the area"), "{e}");
}

/// A file not sorted by type (its ways and relations before its nodes, as `osmium cat` of
/// two files writes it) is cut exactly as the sorted original: the id passes find nodes
/// inside after the first way and read the ways and relations again, and say so.
#[tokio::test(flavor = "multi_thread")]
async fn an_extract_not_sorted_by_type_is_cut_as_the_sorted_one() {
    let dir = tempfile::tempdir().unwrap();
    let polygon = oslo_area(dir.path());
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let oslo = oslo_pbf().to_str().unwrap().to_string();
    let osmium = |args: &[&str]| crate::common::tool("osmium", args, None);
    osmium(&[
        "cat",
        "-t",
        "way",
        "-t",
        "relation",
        &oslo,
        "-o",
        &path("wr.osm.pbf"),
    ]);
    osmium(&["cat", "-t", "node", &oslo, "-o", &path("n.osm.pbf")]);
    let unsorted = path("unsorted.osm.pbf");
    osmium(&[
        "cat",
        &path("wr.osm.pbf"),
        &path("n.osm.pbf"),
        "-o",
        &unsorted,
    ]);
    let ordered = osmium(&["fileinfo", "-e", "-g", "data.objects_ordered", &unsorted]);
    assert_eq!(
        ordered.trim(),
        "no",
        "osmium cat wrote a sorted file: the test tests nothing"
    );

    let mut seen = Vec::new();
    for file in [oslo_pbf(), unsorted.into()] {
        let t = TestStore::new().await;
        let report = t.import(clipped(file, &polygon)).await.unwrap();
        let c = t.store.load().await.unwrap();
        let ids = |f: &dyn Fn(&naermiljo::store::StoreContents) -> Vec<String>| {
            f(&c).into_iter().collect::<std::collections::BTreeSet<_>>()
        };
        seen.push((
            ids(&|c| {
                c.facilities
                    .iter()
                    .map(|f| f.source.source_id.clone())
                    .collect()
            }),
            ids(&|c| {
                c.addresses
                    .iter()
                    .map(|a| a.source.source_id.clone())
                    .collect()
            }),
            c.walk_graph.as_ref().map(Vec::len),
            report
                .notes
                .iter()
                .any(|n| n.contains("not sorted by type")),
        ));
    }
    let (sorted, unsorted) = (&seen[0], &seen[1]);
    assert!(
        sorted.0.len() > 100 && sorted.1.len() > 3000,
        "{} {}",
        sorted.0.len(),
        sorted.1.len()
    );
    assert_eq!(sorted.0, unsorted.0, "facilities differ");
    assert_eq!(sorted.1, unsorted.1, "addresses differ");
    assert_eq!(sorted.2, unsorted.2, "walking graphs differ");
    assert!(!sorted.3, "the sorted file was reported as not sorted");
    assert!(unsorted.3, "the file not sorted by type was not reported");
}
