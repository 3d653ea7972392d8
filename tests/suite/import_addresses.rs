//! `naermiljo import addresses` on Kartverket's real Elverum file, checked against PROJ.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use crate::common::{TestStore, addresses, elverum_csv, tool};

/// The CSV's lines after the header, split on `;`, with the header's column positions.
fn csv_rows() -> (HashMap<String, usize>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(elverum_csv()).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: HashMap<String, usize> = lines
        .next()
        .unwrap()
        .split(';')
        .enumerate()
        .map(|(i, h)| (h.to_string(), i))
        .collect();
    let rows = lines
        .map(|l| l.split(';').map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[tokio::test]
async fn all_elverum_addresses_with_their_grunnkrets() {
    let t = TestStore::new().await;
    t.import(addresses(elverum_csv())).await.unwrap();
    let (header, rows) = csv_rows();
    let contents = t.store.load().await.unwrap();
    assert_eq!(rows.len(), 10_871, "the shared file changed");
    assert_eq!(contents.addresses.len(), rows.len());

    // Grunnkrets kept per address, and one derived district per grunnkrets.
    let gk = header["grunnkretsnummer"];
    let codes: BTreeSet<&str> = rows.iter().map(|r| r[gk].as_str()).collect();
    let by_id: HashMap<&str, &naermiljo::domain::Address> = contents
        .addresses
        .iter()
        .map(|a| (a.source.source_id.as_str(), a))
        .collect();
    for r in &rows {
        let a = by_id[r[header["lokalid"]].as_str()];
        assert_eq!(a.grunnkrets_code.as_deref(), Some(r[gk].as_str()));
        assert_eq!(
            a.grunnkrets_name.as_deref(),
            Some(r[header["grunnkretsnavn"]].as_str())
        );
    }
    let state = t.state().await;
    let snapshot = state.snapshot.load();
    assert_eq!(snapshot.districts.len(), codes.len());
    assert!(snapshot.address_district.iter().all(Option::is_some));
    // A derived district's polygon covers each of its addresses.
    use geo::Intersects;
    for (i, a) in snapshot.addresses.iter().enumerate() {
        let d = &snapshot.districts[snapshot.address_district[i].unwrap() as usize];
        assert!(
            d.geometry
                .intersects(&geo::Point::new(a.position.lon, a.position.lat)),
            "{}",
            a.label()
        );
    }
}

#[tokio::test]
async fn twenty_coordinates_agree_with_proj_cs2cs_within_a_decimetre() {
    let t = TestStore::new().await;
    t.import(addresses(elverum_csv())).await.unwrap();
    let (header, rows) = csv_rows();
    let sample: Vec<&Vec<String>> = rows.iter().step_by(rows.len() / 20).take(20).collect();
    assert_eq!(sample.len(), 20);
    for r in &sample {
        assert_eq!(r[header["EPSG-kode"]], "25833");
    }
    let input: String = sample
        .iter()
        .map(|r| format!("{} {}\n", r[header["Øst"]], r[header["Nord"]]))
        .collect();
    let output = tool(
        "cs2cs",
        &["-f", "%.10f", "EPSG:25833", "EPSG:4326"],
        Some(&input),
    );

    let contents = t.store.load().await.unwrap();
    let by_id: HashMap<&str, &naermiljo::domain::Address> = contents
        .addresses
        .iter()
        .map(|a| (a.source.source_id.as_str(), a))
        .collect();
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), 20);
    for (r, line) in sample.iter().zip(lines) {
        // EPSG:4326 in PROJ's authority order: latitude, then longitude.
        let v: Vec<f64> = line
            .split_whitespace()
            .take(2)
            .map(|s| s.parse().unwrap())
            .collect();
        let (lat, lon) = (v[0], v[1]);
        let ours = by_id[r[header["lokalid"]].as_str()].position;
        let dy = (ours.lat - lat) * 111_320.0;
        let dx = (ours.lon - lon) * 111_320.0 * lat.to_radians().cos();
        let error_m = dx.hypot(dy);
        assert!(
            error_m < 0.1,
            "{}: {error_m:.3} m from cs2cs",
            r[header["adresseTekst"]]
        );
    }
}

/// Writes the Elverum file with `edit` applied to its text lines (0 = header).
fn edited(dir: &std::path::Path, name: &str, edit: impl Fn(usize, &str) -> Vec<u8>) -> PathBuf {
    let bytes = std::fs::read(elverum_csv()).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let mut out = Vec::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        out.extend(edit(i, line));
    }
    let path = dir.join(name);
    std::fs::write(&path, out).unwrap();
    path
}

#[tokio::test]
async fn bad_files_name_file_and_line_and_change_nothing() {
    let t = TestStore::new().await;
    t.import(addresses(elverum_csv())).await.unwrap();
    let before = t.dump().await;
    let dir = t.dir.path();

    let missing_column = edited(dir, "missing-column.csv", |i, l| {
        // Drop the Nord column (index 17) from every line.
        let mut fields: Vec<&str> = l.split(';').collect();
        if i == 0 || fields.len() > 17 {
            fields.remove(17);
        }
        fields.join(";").into_bytes()
    });
    let not_utf8 = edited(dir, "latin1.csv", |i, l| {
        // A Latin-1 `ø` (0xF8) inside the street name, as a file saved in the wrong encoding has.
        let mut bytes = l.as_bytes().to_vec();
        if i == 500 {
            let at = bytes.iter().position(|&c| c == b';').unwrap();
            bytes.insert(at, 0xF8);
        }
        bytes
    });
    let unknown_epsg = edited(dir, "epsg.csv", |i, l| set_field(i, l, 800, 16, "4230"));
    let bad_number = edited(dir, "number.csv", |i, l| {
        set_field(i, l, 1200, 17, "6770754,69,1")
    });

    let short_line = edited(dir, "short.csv", |i, l| {
        if i == 42 {
            b"399524883;3420;ELVERUM\n".to_vec()
        } else {
            l.as_bytes().to_vec()
        }
    });

    let cases: [(&PathBuf, &str); 5] = [
        (&short_line, ":43: has 3 fields where the header has 46"),
        (&missing_column, ":1: missing column \"Nord\""),
        (&not_utf8, ":501: "),
        (&unknown_epsg, ":801: unknown EPSG code 4230"),
        (&bad_number, ":1201: "),
    ];
    for (file, expected) in cases {
        let err = t
            .import(addresses(file.clone()))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&file.display().to_string()) && err.contains(expected),
            "{err}"
        );
        assert_eq!(
            t.dump().await,
            before,
            "{} changed the store",
            file.display()
        );
    }
}

/// Line `i` with field `field` set to `value`, when `i == at`.
fn set_field(i: usize, line: &str, at: usize, field: usize, value: &str) -> Vec<u8> {
    if i != at {
        return line.as_bytes().to_vec();
    }
    let mut fields: Vec<&str> = line.split(';').collect();
    fields[field] = value;
    fields.join(";").into_bytes()
}

/// The Elverum file as Kartverket publishes it in EPSG:4258 (latitude in `Nord`, longitude
/// in `Øst`, access points too), made with PROJ's `cs2cs` from the EPSG:25833 original.
fn elverum_in_4258(dir: &std::path::Path) -> PathBuf {
    let (header, rows) = csv_rows();
    let pairs = [
        (header["Øst"], header["Nord"]),
        (header["atkomstØst"], header["atkomstNord"]),
    ];
    let mut input = String::new();
    for r in &rows {
        for (e, n) in pairs {
            if !r[e].is_empty() {
                input.push_str(&format!("{} {}\n", r[e], r[n]));
            }
        }
    }
    let output = tool(
        "cs2cs",
        &["-f", "%.9f", "EPSG:25833", "EPSG:4258"],
        Some(&input),
    );
    // EPSG:4258 in PROJ's authority order: latitude, then longitude.
    let mut converted = output.lines().map(|l| {
        let v: Vec<&str> = l.split_whitespace().collect();
        (v[0].to_string(), v[1].to_string())
    });
    let text = std::fs::read_to_string(elverum_csv()).unwrap();
    let head = text.trim_start_matches('\u{feff}').lines().next().unwrap();
    let mut out = format!("\u{feff}{head}\r\n");
    for mut r in rows {
        r[header["EPSG-kode"]] = "4258".into();
        for (e, n) in pairs {
            if !r[e].is_empty() {
                let (lat, lon) = converted.next().unwrap();
                r[n] = lat;
                r[e] = lon;
            }
        }
        out.push_str(&r.join(";"));
        out.push_str("\r\n");
    }
    let path = dir.join("Basisdata_3420_Elverum_4258_MatrikkelenAdresse.csv");
    std::fs::write(&path, out).unwrap();
    path
}

#[tokio::test]
async fn the_4258_file_gives_the_same_places_as_the_25833_file() {
    let dir = tempfile::tempdir().unwrap();
    let utm = TestStore::new().await;
    utm.import(addresses(elverum_csv())).await.unwrap();
    let geographic = TestStore::new().await;
    geographic
        .import(addresses(elverum_in_4258(dir.path())))
        .await
        .unwrap();
    let a = utm.store.load().await.unwrap().addresses;
    let b: HashMap<String, naermiljo::domain::Address> = geographic
        .store
        .load()
        .await
        .unwrap()
        .addresses
        .into_iter()
        .map(|a| (a.source.source_id.clone(), a))
        .collect();
    assert_eq!(a.len(), b.len());
    let metres = |p: naermiljo::domain::LonLat, q: naermiljo::domain::LonLat| {
        let dy = (p.lat - q.lat) * 111_320.0;
        let dx = (p.lon - q.lon) * 111_320.0 * p.lat.to_radians().cos();
        dx.hypot(dy)
    };
    let mut with_access = 0;
    for x in &a {
        let y = &b[&x.source.source_id];
        assert!(metres(x.position, y.position) < 0.1, "{}", x.label());
        match (x.access, y.access) {
            (Some(p), Some(q)) => {
                with_access += 1;
                assert!(metres(p, q) < 0.1, "{}: access point", x.label());
            }
            (None, None) => {}
            other => panic!("{}: access point in one file only: {other:?}", x.label()),
        }
    }
    // The real file has an entrance point for 598 of its addresses; some lie hundreds of
    // metres from the address point (a farm's driveway).
    assert_eq!(with_access, 598);
    assert!(
        a.iter()
            .filter_map(|x| Some(metres(x.position, x.access?)))
            .any(|d| d > 200.0)
    );
}

#[tokio::test]
async fn the_slim_vegadresse_file_without_grunnkrets_columns_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(elverum_csv()).unwrap();
    let slim: String = text
        .lines()
        .map(|l| l.split(';').take(21).collect::<Vec<_>>().join(";") + "\r\n")
        .collect();
    assert!(!slim.contains("grunnkretsnummer") && slim.contains("poststed"));
    let path = dir
        .path()
        .join("Basisdata_3420_Elverum_25833_Vegadresse.csv");
    std::fs::write(&path, slim).unwrap();
    let t = TestStore::new().await;
    t.import(addresses(path)).await.unwrap();
    let contents = t.store.load().await.unwrap();
    assert_eq!(contents.addresses.len(), 10_871);
    assert!(
        contents
            .addresses
            .iter()
            .all(|a| a.grunnkrets_code.is_none() && a.access.is_none())
    );
}
