//! `naermiljo import facilities` and `import districts` on the real Drammen files.

use std::path::PathBuf;

use naermiljo::cli::ImportCommand;
use naermiljo::domain::FacilityKind;

use crate::common::{TestStore, shared};

fn kindergartens(file: PathBuf) -> ImportCommand {
    ImportCommand::Facilities {
        file,
        kind: FacilityKind::Kindergarten,
        kind_property: None,
        id_property: None,
        name_property: "name".into(),
        lon_column: None,
        lat_column: None,
        crs: None,
        source: None,
    }
}

fn boundary(file: PathBuf, name_property: &str) -> ImportCommand {
    ImportCommand::Districts {
        file,
        name_property: name_property.into(),
        id_property: None,
        population_property: None,
        level: "kommune".into(),
        source: None,
    }
}

#[tokio::test]
async fn kindergartens_from_geojson_and_csv_are_the_same_rows() {
    let t = TestStore::new().await;
    let geojson = shared("drammen/drammen_barnehager_3301.geojson");
    let csv = shared("drammen/drammen_barnehager_3301.csv");
    let expected =
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&geojson).unwrap())
            .unwrap()["features"]
            .as_array()
            .unwrap()
            .len();

    let first = t.import(kindergartens(geojson)).await.unwrap();
    assert_eq!(first.outcome.facilities.unwrap().inserted, expected as u64);
    let after_geojson = t.store.load().await.unwrap().facilities;
    assert_eq!(after_geojson.len(), expected);
    assert!(
        after_geojson
            .iter()
            .all(|f| f.kind == FacilityKind::Kindergarten && f.name.is_some())
    );
    assert!(
        after_geojson
            .iter()
            .all(|f| f.source.source == "drammen_barnehager_3301")
    );
    assert_eq!(
        after_geojson[0].properties["orgnr"],
        after_geojson[0].source.source_id.as_str()
    );

    // The CSV holds the same kindergartens: it updates them in place, ids unchanged.
    let second = t.import(kindergartens(csv.clone())).await.unwrap();
    let change = second.outcome.facilities.unwrap();
    assert_eq!(
        (change.inserted, change.updated, change.removed),
        (0, expected as u64, 0)
    );
    let after_csv = t.store.load().await.unwrap().facilities;
    for (a, b) in after_geojson.iter().zip(&after_csv) {
        assert_eq!((a.id, &a.name, a.position), (b.id, &b.name, b.position));
    }

    // Every kindergarten lies inside Drammen's boundary, imported as a district.
    t.import(boundary(
        shared("drammen/drammen_kommune_3301.geojson"),
        "kommunenavn",
    ))
    .await
    .unwrap();
    let state = t.state().await;
    let s = state.snapshot.load();
    assert_eq!(s.districts.len(), 1);
    assert_eq!(s.districts[0].name, "Drammen");
    assert!(s.facility_district.iter().all(|d| *d == Some(0)));
}

#[tokio::test]
async fn bad_point_and_district_files_say_why_and_change_nothing() {
    let t = TestStore::new().await;
    t.import(kindergartens(shared(
        "drammen/drammen_barnehager_3301.geojson",
    )))
    .await
    .unwrap();
    let before = t.dump().await;
    let dir = t.dir.path();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };

    let no_id = write(
        "no-id.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A"},"geometry":{"type":"Point","coordinates":[10.2,59.7]}}]}"#,
    );
    // Written as an editor writes it: one feature's members a line each.
    let third_without_id = write(
        "third.geojson",
        "{\"type\": \"FeatureCollection\",\n\"features\": [\n\
         {\"type\": \"Feature\", \"id\": \"a\",\n \"properties\": {\"name\": \"A\"},\n \"geometry\": {\"type\": \"Point\", \"coordinates\": [10.2, 59.7]}},\n\
         {\"type\": \"Feature\", \"id\": \"b\",\n \"properties\": {\"name\": \"B\"},\n \"geometry\": {\"type\": \"Point\", \"coordinates\": [10.2, 59.7]}},\n\
         {\"type\":\"Feature\",\n \"properties\": {\"name\": \"C\"},\n \"geometry\": {\"type\": \"Point\", \"coordinates\": [10.2, 59.7]}}\n]}",
    );
    let broken_json = write(
        "broken.geojson",
        "{\"type\":\"FeatureCollection\",\n\"features\": [\n{\"type\": }\n]}",
    );
    let no_lon = write("no-lon.csv", "name,lat,orgnr\nA,59.7,1\n");
    let bad_lat = write(
        "bad-lat.csv",
        "name,lat,lon,orgnr\nA,59.7,10.2,1\nB,959.7,10.2,2\n",
    );
    let dup = write(
        "dup.csv",
        "name,lat,lon,orgnr\nA,59.7,10.2,1\nB,59.8,10.2,1\n",
    );
    let wrong_type = write("points.shp", "");
    let workbook = write("barnehager.xlsx", "");
    let cases: Vec<(ImportCommand, &str)> = vec![
        // Features are counted from 1, with the line they start on, their id and name.
        (
            kindergartens(no_id),
            "feature 1 (line 1, «A»): no stable id",
        ),
        (
            kindergartens(third_without_id),
            "feature 3 (line 9, «C»): no stable id",
        ),
        (kindergartens(broken_json), "broken.geojson:3: invalid JSON"),
        (
            kindergartens(no_lon),
            "no-lon.csv:1: missing column longitude (one of lon, lng, long, longitude, x, lengdegrad)",
        ),
        (
            kindergartens(bad_lat),
            "bad-lat.csv:3: (10.2, 959.7) is not a lon/lat position",
        ),
        (kindergartens(dup), "dup.csv:3: id \"1\" appears twice"),
        (kindergartens(wrong_type), "unknown file type \"shp\""),
        (kindergartens(workbook), "save it as CSV"),
        (
            boundary(shared("drammen/drammen_kommune_3301.geojson"), "navn"),
            "feature 1 (line 1): no property \"navn\" (properties present: [\"id\", \"kommunenummer\", \"name\", \"kommunenavn\"])",
        ),
        (
            boundary(shared("drammen/drammen_barnehager_3301.geojson"), "name"),
            "expected a Polygon or MultiPolygon, found Point",
        ),
    ];
    for (cmd, expected) in cases {
        let err = t.import(cmd).await.unwrap_err().to_string();
        assert!(err.contains(expected), "expected {expected:?} in {err:?}");
        assert_eq!(t.dump().await, before);
    }
}
