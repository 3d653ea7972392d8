//! Districts as a hierarchy (grunnkrets ⊂ delområde ⊂ kommunedel ⊂ kommune, and bydeler from
//! OSM), on the invented kommune 9901 in `fixtures/districts/` (figures from its README) and
//! on the Oslo demo extract.

use std::path::PathBuf;

use geo::{Area, BooleanOps, Contains};
use naermiljo::cli::ImportCommand;
use naermiljo::coverage::{self, View};
use naermiljo::index::Snapshot;
use naermiljo::index::partition::LocalMetres;

use crate::common::{TestStore, get, oslo_pbf};

fn fixture(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/districts")
        .join(name);
    assert!(path.exists(), "missing fixture {}", path.display());
    path
}

fn districts(file: PathBuf, level: &str, name: &str, id: &str) -> ImportCommand {
    ImportCommand::Districts {
        file,
        name_property: name.into(),
        id_property: Some(id.into()),
        population_property: None,
        level: level.into(),
        source: None,
    }
}

fn grunnkretser(file: &str) -> ImportCommand {
    districts(
        fixture(file),
        "grunnkrets",
        "grunnkretsnavn",
        "grunnkretsnummer",
    )
}

/// Area in m² in a local metre projection at 59.7°N (the fixtures and Oslo): on the
/// ellipsoid, about 0.1 % below the planar EPSG:25833 areas of the fixtures' README.
fn area_m2(mp: &geo::MultiPolygon<f64>) -> f64 {
    LocalMetres::at(naermiljo::domain::LonLat::new(10.5, 59.8))
        .polygon_to_metres(mp)
        .unsigned_area()
}

fn by_code<'a>(s: &'a Snapshot, level: &str, code: &str) -> &'a naermiljo::domain::District {
    s.districts
        .iter()
        .find(|d| d.level == level && d.code == code)
        .unwrap_or_else(|| panic!("no {level} {code}"))
}

/// The kommune with grunnkretser, kommunedeler from the table, addresses and residents.
async fn kommune_9901(grunnkrets_file: &str) -> TestStore {
    let t = TestStore::new().await;
    t.import(districts(
        fixture("kommune-9901.geojson"),
        "kommune",
        "kommunenavn",
        "kommunenummer",
    ))
    .await
    .unwrap();
    t.import(grunnkretser(grunnkrets_file)).await.unwrap();
    t.import(ImportCommand::Kommunedeler {
        file: fixture("kommunedeler.csv"),
        source: "kommunedeler".into(),
    })
    .await
    .unwrap();
    t.import(ImportCommand::Addresses {
        file: fixture("adresser.csv"),
        source: None,
    })
    .await
    .unwrap();
    // Invented residents per grunnkrets, SSB's long CSV.
    let population = t.dir.path().join("befolkning.csv");
    let mut csv = String::from("\"region\";\"år\";\"statistikkvariabel\";\"04317\"\n");
    for (code, persons) in [
        ("99010101", 120),
        ("99010102", 200),
        ("99010201", 90),
        ("99010202", 7),
        ("99010301", 310),
        ("99010302", 60),
    ] {
        csv.push_str(&format!(
            "\"{code} X\";\"2025\";\"Personer\";\"{persons}\"\n"
        ));
    }
    std::fs::write(&population, csv).unwrap();
    t.import(ImportCommand::Population {
        file: population,
        source: "ssb".into(),
    })
    .await
    .unwrap();
    t
}

#[tokio::test]
async fn a_kommune_becomes_a_hierarchy_whose_sums_add_up_at_every_level() {
    let t = kommune_9901("grunnkretser-25833.geojson").await;
    let state = t.state().await;
    let s = state.snapshot.load();
    let levels: Vec<&str> = s.levels.iter().map(|l| l.level.as_str()).collect();
    assert_eq!(levels, ["kommune", "kommunedel", "delomrade", "grunnkrets"]);
    let counts: Vec<usize> = s.levels.iter().map(|l| l.districts.len()).collect();
    assert_eq!(counts, [1, 2, 3, 6]);

    // Areas from EPSG:25833 as the README gives them (UTM's scale here is ≈ 1.0005).
    for (level, code, expected) in [
        ("grunnkrets", "99010101", 386_200.0),
        ("grunnkrets", "99010302", 554_675.0),
        ("delomrade", "990101", 848_700.0),
        ("delomrade", "990103", 1_270_175.0),
        ("kommunedel", "Nord", 1_869_300.0),
        ("kommunedel", "Sør", 1_270_175.0),
    ] {
        let d = by_code(&s, level, code);
        let a = area_m2(&d.geometry);
        assert!(
            (a - expected).abs() < expected * 0.003,
            "{level} {code}: {a} m², expected {expected}"
        );
    }
    assert_eq!(by_code(&s, "delomrade", "990101").name, "Bakkeli");
    // The islet makes Holmen, Elvebredden and Sør multipolygons.
    assert_eq!(by_code(&s, "delomrade", "990103").geometry.0.len(), 2);
    assert_eq!(by_code(&s, "kommunedel", "Sør").geometry.0.len(), 2);

    // Parents: grunnkrets → delområde → kommunedel → kommune.
    let parent = |level: &str, code: &str| {
        let d = by_code(&s, level, code);
        s.districts[d.parent.expect("a parent") as usize]
            .code
            .clone()
    };
    assert_eq!(parent("grunnkrets", "99010202"), "990102");
    assert_eq!(parent("delomrade", "990102"), "Nord");
    assert_eq!(parent("delomrade", "990103"), "Sør");
    assert_eq!(parent("kommunedel", "Sør"), "9901");

    // Every address in exactly one district per level; the number wins at grunnkrets level.
    for level in &s.levels {
        assert!(
            level.address_district.iter().all(Option::is_some),
            "{} leaves an address out",
            level.level
        );
    }
    let gk = s.levels.iter().find(|l| l.level == "grunnkrets").unwrap();
    assert_eq!(gk.disagreements, 2, "Nordbyvegen 5 and Sjøkanten 4A");
    let count = |code: &str| {
        let d = s.district(&by_code(&s, "grunnkrets", code).id).unwrap();
        gk.address_district
            .iter()
            .filter(|&&x| x == Some(d))
            .count()
    };
    assert_eq!(
        ["99010101", "99010102", "99010301", "99010302"].map(count),
        [9, 11, 12, 10],
        "by code, not by polygon"
    );

    // Residents summed upward, marked as our sum.
    let sor = by_code(&s, "kommunedel", "Sør");
    assert_eq!((sor.population, sor.population_sum), (Some(370), true));
    assert_eq!(by_code(&s, "kommunedel", "Nord").population, Some(417));
    assert!(!by_code(&s, "grunnkrets", "99010301").population_sum);

    // Coverage at every level: rows add up to the total.
    let times: Vec<f64> = (0..s.addresses.len())
        .map(|i| if i % 3 == 0 { 60.0 } else { f64::INFINITY })
        .collect();
    for l in 0..s.levels.len() {
        let view = View {
            level: Some(l),
            parent: None,
        };
        let c = coverage::aggregate_at(&s, &times, 10, naermiljo::routing::Profile::Walk, view);
        let sum: u64 = c.districts.iter().map(|d| d.addresses).sum();
        let covered: u64 = c.districts.iter().map(|d| d.covered).sum();
        assert_eq!(
            (sum, covered),
            (c.total.addresses, c.total.covered),
            "{:?}",
            c.level
        );
        assert_eq!(c.total.addresses, 60);
        assert!(c.districts.iter().all(|d| d.district_id.is_some()));
    }
    // Small numbers are withheld: Østmarka has 7 residents.
    let view = View::parse(&s, Some("grunnkrets"), None).unwrap();
    let c = coverage::aggregate_at(&s, &times, 10, naermiljo::routing::Profile::Walk, view);
    let ostmarka = c
        .districts
        .iter()
        .find(|d| d.code.as_deref() == Some("99010202"))
        .unwrap();
    assert!(ostmarka.suppressed);
    assert_eq!((ostmarka.population, ostmarka.resident_share), (None, None));
    assert!(ostmarka.share.is_some_and(|s| s >= 0.0) && ostmarka.addresses == 8);
    let elvekanten = c
        .districts
        .iter()
        .find(|d| d.code.as_deref() == Some("99010301"))
        .unwrap();
    assert_eq!(
        (elvekanten.population, elvekanten.suppressed),
        (Some(310), false)
    );
}

#[tokio::test]
async fn utm_and_etrs89_files_give_the_same_districts() {
    let a = kommune_9901("grunnkretser-25833.geojson").await;
    let b = kommune_9901("grunnkretser-4258.geojson").await;
    let (sa, sb) = (a.state().await, b.state().await);
    let (sa, sb) = (sa.snapshot.load(), sb.snapshot.load());
    for d in sa.districts.iter().filter(|d| d.level != "kommune") {
        let other = by_code(&sb, &d.level, &d.code);
        let (x, y) = (area_m2(&d.geometry), area_m2(&other.geometry));
        assert!((x - y).abs() < 2.0, "{} {}: {x} vs {y}", d.level, d.code);
        let diff = d.geometry.xor(&other.geometry);
        assert!(area_m2(&diff) < 5.0, "{} {} differs", d.level, d.code);
    }
}

#[tokio::test]
async fn kommunedeler_from_polygons_equal_those_from_the_table() {
    let t = TestStore::new().await;
    t.import(grunnkretser("grunnkretser-4258.geojson"))
        .await
        .unwrap();
    t.import(ImportCommand::Kommunedeler {
        file: fixture("kommunedeler.csv"),
        source: "kommunedeler".into(),
    })
    .await
    .unwrap();
    let from_table = t.store.load().await.unwrap().districts;
    let u = TestStore::new().await;
    u.import(districts(
        fixture("kommunedeler.geojson"),
        "kommunedel",
        "navn",
        "nummer",
    ))
    .await
    .unwrap();
    let from_file = u.store.load().await.unwrap().districts;
    for name in ["Nord", "Sør"] {
        let a = from_table
            .iter()
            .find(|d| d.level == "kommunedel" && d.name == name)
            .unwrap();
        let b = from_file.iter().find(|d| d.name == name).unwrap();
        let diff = area_m2(&a.geometry.xor(&b.geometry));
        assert!(diff < 5.0, "{name}: {diff} m² apart");
    }
}

#[tokio::test]
async fn bad_district_inputs_say_file_feature_and_reason_and_change_nothing() {
    let t = kommune_9901("grunnkretser-4258.geojson").await;
    let before = t.dump().await;
    let refused = async |cmd: ImportCommand| t.import(cmd).await.unwrap_err().to_string();
    let table = |file: PathBuf| ImportCommand::Kommunedeler {
        file,
        source: "kommunedeler".into(),
    };

    let bowtie = refused(grunnkretser("bad-bowtie.geojson")).await;
    assert!(
        bowtie.contains("bad-bowtie.geojson")
            && bowtie.contains("99010101")
            && bowtie.contains("not valid"),
        "{bowtie}"
    );
    let crs = refused(grunnkretser("bad-crs-3035.geojson")).await;
    assert!(
        crs.contains("bad-crs-3035.geojson") && crs.contains("EPSG:3035") && crs.contains("25833"),
        "{crs}"
    );
    let overlap = refused(grunnkretser("bad-overlap.geojson")).await;
    assert!(
        overlap.contains("99010101") && overlap.contains("99010102") && overlap.contains("10.0 %"),
        "{overlap}"
    );
    let unknown = refused(table(fixture("bad-kommunedeler-unknown.csv"))).await;
    assert!(
        unknown.contains("bad-kommunedeler-unknown.csv")
            && unknown.contains("csv:5:")
            && unknown.contains("99019999"),
        "{unknown}"
    );
    assert_eq!(t.dump().await, before, "nothing changed");

    // A table that leaves a grunnkrets out is refused too, naming it.
    let partial = t.dir.path().join("partial.csv");
    std::fs::write(
        &partial,
        "grunnkretsnummer;kommunedel\n99010101;Nord\n99010102;Nord\n",
    )
    .unwrap();
    let missing = refused(table(partial)).await;
    assert!(
        missing.contains("99010201") && missing.contains("99010302"),
        "{missing}"
    );
    assert_eq!(t.dump().await, before);
}

#[tokio::test]
async fn osm_boundaries_cut_by_the_extract_are_closed_along_its_edge() {
    let t = TestStore::new().await;
    let report = t
        .import(ImportCommand::osm(fixture("admin-cut.osm.pbf")))
        .await
        .unwrap();
    assert_eq!(report.outcome.districts.unwrap().inserted, 3);
    let stored = t.store.load().await.unwrap().districts;
    // The clipped polygons of the README (lon lat), by area in EPSG:25833.
    for (name, expected) in [
        ("Vestre bydel", 336_194.1),
        ("Østre bydel", 236_773.6),
        ("Søndre bydel", 175_634.7),
    ] {
        let d = stored.iter().find(|d| d.name == name).unwrap();
        assert_eq!(d.level, "bydel");
        let a = area_m2(&d.geometry);
        assert!(
            (a - expected).abs() < expected * 0.003,
            "{name}: {a} m², expected {expected}"
        );
    }
    let sondre = stored.iter().find(|d| d.name == "Søndre bydel").unwrap();
    assert!(
        sondre.geometry.contains(&geo::Point::new(10.2399, 59.7301)),
        "the south-east corner of the box belongs to Søndre"
    );
    for (i, a) in stored.iter().enumerate() {
        for b in &stored[i + 1..] {
            let overlap = area_m2(&a.geometry.intersection(&b.geometry));
            assert!(
                overlap < 1.0,
                "{} and {} overlap by {overlap} m²",
                a.name,
                b.name
            );
        }
    }
    // Each address node lies in its bydel; postcodes become a partition under them.
    let state = t.state().await;
    let s = state.snapshot.load();
    let levels: Vec<&str> = s.levels.iter().map(|l| l.level.as_str()).collect();
    assert_eq!(levels, ["bydel", "postcode"]);
    assert!(s.levels[0].address_district.iter().all(Option::is_some));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_oslo_demo_has_its_bydeler_and_postcode_areas_without_overlap() {
    let t = TestStore::new().await;
    t.import(ImportCommand::osm(oslo_pbf())).await.unwrap();
    let state = t.state().await;
    let s = state.snapshot.load();
    let bydeler: Vec<&str> = s
        .districts
        .iter()
        .filter(|d| d.level == "bydel")
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(bydeler.len(), 8, "{bydeler:?}");
    for name in [
        "Sentrum",
        "Frogner",
        "Grünerløkka",
        "St. Hanshaugen",
        "Gamle Oslo",
    ] {
        assert!(bydeler.contains(&name), "{name} missing from {bydeler:?}");
    }
    // Each level a partition: no overlaps, every address inside its own district.
    for level in &s.levels {
        let polygons: Vec<&geo::MultiPolygon<f64>> = level
            .districts
            .iter()
            .map(|&d| &s.districts[d as usize].geometry)
            .collect();
        let sum: f64 = polygons.iter().map(|p| area_m2(p)).sum();
        let union = area_m2(&geo::unary_union(polygons.iter().flat_map(|p| p.0.iter())));
        assert!(
            (sum - union).abs() < union * 1e-4,
            "{}: districts overlap ({sum} m² summed, {union} m² covered)",
            level.level
        );
        for (i, a) in s.addresses.iter().enumerate() {
            let d = level.address_district[i]
                .unwrap_or_else(|| panic!("{} has no {} district", a.label(), level.level));
            assert!(
                s.districts[d as usize]
                    .geometry
                    .contains(&geo::Point::new(a.position.lon, a.position.lat)),
                "{} lies outside its {} {}",
                a.label(),
                level.level,
                s.districts[d as usize].name
            );
        }
    }
    // The planners' default: bydeler (the coarsest level with at least three).
    let c = get(&state, "/api/coverage?kind=school&minutes=10").await;
    assert_eq!(c.status, 200);
    assert_eq!(c.body["level"], "bydel");
    assert_eq!(c.body["districts"].as_array().unwrap().len(), 8);
    assert_eq!(c.body["levels"][1]["level"], "postcode");

    // Drill-down: the postcode areas inside Frogner.
    let frogner = s
        .districts
        .iter()
        .find(|d| d.name == "Frogner")
        .unwrap()
        .id
        .clone();
    let inside = get(
        &state,
        &format!("/api/coverage?kind=school&parent={frogner}"),
    )
    .await;
    assert_eq!(inside.status, 200);
    assert_eq!(inside.body["level"], "postcode");
    let rows = inside.body["districts"].as_array().unwrap();
    assert!(rows.len() >= 3, "{rows:?}");
    // Derived postcode areas nest in the bydeler: a postcode spanning two bydeler is one
    // area in each, so every home of Frogner is in one of Frogner's postcode areas.
    assert!(
        rows.iter().all(|r| r["district_id"].is_string()),
        "{rows:?}"
    );
    assert!(rows.iter().all(|r| r["parent_id"] == frogner.as_str()));
    let in_own: u64 = rows.iter().map(|r| r["addresses"].as_u64().unwrap()).sum();
    assert_eq!(in_own, inside.body["total"]["addresses"].as_u64().unwrap());
    for d in s.districts.iter().filter(|d| d.level == "postcode") {
        let parent = &s.districts[d.parent.expect("a bydel") as usize];
        let outside = area_m2(&d.geometry.difference(&parent.geometry));
        assert!(
            outside < 1.0,
            "{} reaches {outside} m² out of {}",
            d.name,
            parent.name
        );
    }
    let split = s
        .districts
        .iter()
        .filter(|d| d.level == "postcode" && d.name.ends_with(')'))
        .count();
    assert!(
        split > 0,
        "some postcodes span two bydeler and are named with theirs"
    );
    let items = get(
        &state,
        &format!("/api/collections/districts/items?level=postcode&parent={frogner}&limit=1000"),
    )
    .await;
    assert_eq!(
        items.body["features"].as_array().unwrap().len(),
        rows.iter().filter(|r| r["district_id"].is_string()).count()
    );
    // Frogner's profile: its facilities and homes, against the area served.
    let profile = get(
        &state,
        &format!("/api/districts/{frogner}/profile?minutes=10"),
    )
    .await;
    assert_eq!(profile.status, 200, "{}", profile.body);
    let p = &profile.body;
    assert_eq!(p["district"]["name"], "Frogner");
    assert_eq!(p["district"]["level"], "bydel");
    let f = s.district(&frogner).unwrap();
    let homes = s.levels[0]
        .address_district
        .iter()
        .filter(|&&d| d == Some(f))
        .count();
    assert_eq!(p["district"]["addresses"], homes);
    assert!(p["district"]["children"].as_array().unwrap().len() >= 3);
    let schools_here = s
        .facilities
        .iter()
        .enumerate()
        .filter(|(i, x)| {
            x.kind.as_str() == "school" && s.levels[0].facility_district[*i] == Some(f)
        })
        .count();
    let school = |key: &str| {
        p[key]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == "school")
            .unwrap()
            .clone()
    };
    assert_eq!(school("facilities")["count"], schools_here);
    let share = school("coverage")["share"].as_f64().unwrap();
    let by_table = c.body["districts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["district_id"] == frogner.as_str())
        .unwrap()["share"]
        .as_f64()
        .unwrap();
    assert!((share - by_table).abs() < 1e-12, "{share} vs {by_table}");
    assert_eq!(
        get(&state, "/api/districts/nowhere/profile").await.status,
        404
    );

    let bad = get(&state, "/api/coverage?kind=school&level=fylke").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.to_string().contains("level"), "{}", bad.body);
    let bad_parent = get(&state, "/api/collections/districts/items?parent=nowhere").await;
    assert_eq!(bad_parent.status, 400);
}

#[tokio::test]
async fn a_level_not_inside_its_parent_is_refused() {
    let t = kommune_9901("grunnkretser-25833.geojson").await;
    let state = t.state().await;
    let s = state.snapshot.load();
    let nord = by_code(&s, "kommunedel", "Nord").id.clone();
    let gk = by_code(&s, "grunnkrets", "99010101").id.clone();
    for (uri, what) in [
        (
            format!("/api/coverage?kind=school&level=kommune&parent={nord}"),
            "coarser",
        ),
        (
            format!("/api/coverage?kind=school&level=kommunedel&parent={nord}"),
            "same",
        ),
        (format!("/api/coverage?kind=school&parent={gk}"), "finest"),
    ] {
        let r = get(&state, &uri).await;
        assert_eq!(r.status, 400, "{what}: {}", r.body);
        assert!(r.body.to_string().contains("level"), "{what}: {}", r.body);
    }
    // Inside Nord: its delområder by default, grunnkretser on request, the chain above.
    let r = get(&state, &format!("/api/coverage?kind=school&parent={nord}")).await;
    assert_eq!(r.status, 503, "no walking network here: {}", r.body);
    let view = View::parse(&s, Some("grunnkrets"), Some(&nord)).unwrap();
    let times = vec![0.0; s.addresses.len()];
    let c = coverage::aggregate_at(&s, &times, 10, naermiljo::routing::Profile::Walk, view);
    assert_eq!(c.districts.len(), 4);
    assert_eq!(c.parents.len(), 2, "{:?}", c.parents);
    assert_eq!(c.parents[0]["level"], "kommune");
    assert_eq!(c.parents[1]["name"], "Nord");
    let default = View::parse(&s, None, Some(&nord)).unwrap();
    let c = coverage::aggregate_at(&s, &times, 10, naermiljo::routing::Profile::Walk, default);
    assert_eq!(c.level.as_deref(), Some("delomrade"));
    assert!(
        c.districts.iter().all(|d| d.children == 2),
        "each delområde has two grunnkretser"
    );
}

/// Issue 20 item 5: a district renamed in next year's file keeps its id (the saved
/// `district_id`s of planners' links stay valid) when the file carries a code, even without
/// feature ids and without `--id-property`.
#[tokio::test]
async fn a_renamed_district_keeps_its_id_when_the_file_has_a_code() {
    let t = TestStore::new().await;
    let file = |name: &str| {
        serde_json::json!({
            "type": "FeatureCollection",
            "features": [{
                "type": "Feature",
                "properties": { "navn": name, "kommunedelnummer": "330104" },
                "geometry": { "type": "Polygon", "coordinates": [[[10.1, 59.7], [10.2, 59.7], [10.2, 59.8], [10.1, 59.8], [10.1, 59.7]]] }
            }]
        })
        .to_string()
    };
    let path = t.dir.path().join("kommunedeler.geojson");
    let cmd = || ImportCommand::Districts {
        file: path.clone(),
        name_property: "navn".into(),
        id_property: None,
        population_property: None,
        level: "kommunedel".into(),
        source: None,
    };
    std::fs::write(&path, file("Strømsø")).unwrap();
    t.import(cmd()).await.unwrap();
    let before = t.store.load().await.unwrap().districts;
    std::fs::write(&path, file("Strømsø og Tangen")).unwrap();
    let report = t.import(cmd()).await.unwrap();
    let change = report.outcome.districts.unwrap();
    assert_eq!((change.inserted, change.removed), (0, 0), "{change:?}");
    let after = t.store.load().await.unwrap().districts;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].id, before[0].id, "the same district, renamed");
    assert_eq!(after[0].name, "Strømsø og Tangen");
}
