//! Facility CSV files as Norwegian spreadsheets write them (issue 20 items 8 and 9): the
//! fixtures in `fixtures/facilities` (made by its make-fixtures.py) in Excel's encodings,
//! separators and decimal commas, Norwegian column names, UTM metres with `--crs`, and the
//! plausible-but-wrong positions that must be refused.

use std::path::{Path, PathBuf};

use naermiljo::cli::ImportCommand;
use naermiljo::domain::FacilityKind;

use crate::common::TestStore;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/facilities")
        .join(name)
}

fn facilities(file: PathBuf, kind: FacilityKind) -> ImportCommand {
    ImportCommand::Facilities {
        file,
        kind,
        kind_property: None,
        id_property: None,
        name_property: "name".into(),
        lon_column: None,
        lat_column: None,
        crs: None,
        source: None,
    }
}

#[tokio::test]
async fn excel_semicolon_windows_1252_with_decimal_commas_is_read() {
    let t = TestStore::new().await;
    let report = t
        .import(facilities(
            fixture("barnehager-excel-semikolon.csv"),
            FacilityKind::Kindergarten,
        ))
        .await
        .unwrap();
    assert_eq!(report.outcome.facilities.unwrap().inserted, 4);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n == "read as Windows-1252, \";\"-separated, decimal commas"),
        "{:?}",
        report.notes
    );
    assert!(
        !report.notes.iter().any(|n| n.starts_with("warning")),
        "{:?}",
        report.notes
    );
    let stored = t.store.load().await.unwrap().facilities;
    let f = stored
        .iter()
        .find(|f| f.source.source_id == "999000002")
        .expect("the orgnr column is the id");
    // Norwegian letters from Windows-1252, `Navn` as the name, `Adresse` as the address.
    assert_eq!(f.name.as_deref(), Some("Åsløkka gårdsbarnehage"));
    assert_eq!(f.address.as_deref(), Some("Åsveien 12"));
    assert_eq!((f.position.lon, f.position.lat), (10.18601, 59.72877));
    // Numbers are numbers; codes (orgnr, postnummer) stay text.
    assert_eq!(f.properties["Kapasitet"], serde_json::json!(21));
    assert_eq!(f.properties["Postnummer"], serde_json::json!("3036"));
    assert_eq!(f.properties["Orgnr"], serde_json::json!("999000002"));
    let quoted = stored
        .iter()
        .find(|f| f.source.source_id == "999000004")
        .unwrap();
    assert_eq!(quoted.name.as_deref(), Some("Strømsø «Fyrtårnet»"));
}

#[tokio::test]
async fn unicode_text_in_utm_zone_32_is_read_with_crs() {
    let t = TestStore::new().await;
    let file = fixture("anlegg-unicode-utm32.txt");
    // Without --crs the east/north columns are not lon/lat: the error says what to give.
    let err = t
        .import(facilities(file.clone(), FacilityKind::Pitch))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("missing columns longitude") && err.contains("--crs EPSG:25832"),
        "{err}"
    );
    let mut cmd = facilities(file, FacilityKind::Pitch);
    if let ImportCommand::Facilities { crs, .. } = &mut cmd {
        *crs = Some(25832);
    }
    let report = t.import(cmd).await.unwrap();
    assert!(
        report
            .notes
            .iter()
            .any(|n| n == "read as UTF-16LE, tab-separated, decimal commas"),
        "{:?}",
        report.notes
    );
    let stored = t.store.load().await.unwrap().facilities;
    assert_eq!(stored.len(), 3);
    let names: Vec<&str> = stored.iter().filter_map(|f| f.name.as_deref()).collect();
    assert!(names.contains(&"Åssiden ballbinge"), "{names:?}");
    // Drammen lies around 10.2 E, 59.74 N: every point lands there.
    for f in &stored {
        assert!(
            (10.0..10.35).contains(&f.position.lon) && (59.65..59.8).contains(&f.position.lat),
            "{:?} at {:?}",
            f.name,
            f.position
        );
    }
}

#[tokio::test]
async fn plausible_but_wrong_positions_and_missing_columns_are_refused() {
    let t = TestStore::new().await;
    let before = t.dump().await;
    let dir = t.dir.path();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let bare = write("bare.csv", "kapasitet;adresse\n21;Elvegata 1\n");
    let named_missing = write("named.csv", "id,lon,lat\n1,10.2,59.7\n");
    let cases: Vec<(ImportCommand, &str)> = vec![
        (
            facilities(
                fixture("barnehager-swapped.csv"),
                FacilityKind::Kindergarten,
            ),
            "4 of the 4 positions lie outside Norway but inside it with longitude and latitude \
             swapped (e.g. line 2: lon 59.74412, lat 10.20433)",
        ),
        (
            facilities(fixture("anlegg-utm-as-lonlat.csv"), FacilityKind::Pitch),
            "anlegg-utm-as-lonlat.csv:2: (566950, 6623380) looks like UTM metres, not lon/lat: \
             give --crs EPSG:25833",
        ),
        // Every missing column at once.
        (
            facilities(bare, FacilityKind::Kindergarten),
            "bare.csv:1: missing columns longitude (one of lon, lng, long, longitude, x, \
             lengdegrad), latitude (one of lat, latitude, y, breddegrad), a stable id",
        ),
        (
            {
                let mut c = facilities(named_missing, FacilityKind::Kindergarten);
                if let ImportCommand::Facilities { name_property, .. } = &mut c {
                    *name_property = "navn".into();
                }
                c
            },
            "named.csv:1: missing column the name (the column \"navn\")",
        ),
    ];
    for (cmd, expected) in cases {
        let err = t.import(cmd).await.unwrap_err().to_string();
        assert!(err.contains(expected), "expected {expected:?} in {err:?}");
        assert_eq!(t.dump().await, before);
    }
}

#[tokio::test]
async fn nameless_files_and_named_columns_are_told() {
    let t = TestStore::new().await;
    let dir = t.dir.path();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    // No name column: imported, with a warning that says so.
    let report = t
        .import(facilities(
            write("anlegg.csv", "id,lon,lat\n1,10.2,59.74\n2,10.21,59.75\n"),
            FacilityKind::Pitch,
        ))
        .await
        .unwrap();
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("warning: no name column (name, navn")),
        "{:?}",
        report.notes
    );
    // Columns with other names, given by the operator.
    let mut cmd = facilities(
        write(
            "skoler.csv",
            "skolenr;skolenavn;nord_grader;øst_grader\nS1;Fjell skole;59,7301;10,1902\n",
        ),
        FacilityKind::School,
    );
    if let ImportCommand::Facilities {
        id_property,
        name_property,
        lon_column,
        lat_column,
        ..
    } = &mut cmd
    {
        *id_property = Some("skolenr".into());
        *name_property = "skolenavn".into();
        *lon_column = Some("øst_grader".into());
        *lat_column = Some("Nord_grader".into());
    }
    let report = t.import(cmd).await.unwrap();
    assert!(
        report.notes.iter().all(|n| !n.starts_with("warning")),
        "{:?}",
        report.notes
    );
    let school = t
        .store
        .load()
        .await
        .unwrap()
        .facilities
        .into_iter()
        .find(|f| f.kind == FacilityKind::School)
        .unwrap();
    assert_eq!(school.name.as_deref(), Some("Fjell skole"));
    assert_eq!(
        (school.position.lon, school.position.lat),
        (10.1902, 59.7301)
    );
}

/// Issue 20 item 3: a re-import that would remove a facility where an organisation holds an
/// activity stops and names both, changing nothing; with `--allow-removal` the activity stays
/// at the facility's last position and the report says so.
#[tokio::test]
async fn removing_a_facility_with_activities_stops_unless_allowed() {
    use naermiljo::cli::plan::ImportGuard;
    use naermiljo::cli::{Imported, import_guarded};
    use naermiljo::domain::activity::{OrgKind, Place};
    use naermiljo::store::editing::{Actor, ItemCollection, ItemWrite, Role};
    let t = TestStore::new().await;
    let file = fixture("barnehager-excel-semikolon.csv");
    t.import(facilities(file.clone(), FacilityKind::Kindergarten))
        .await
        .unwrap();
    let gone = t
        .store
        .load()
        .await
        .unwrap()
        .facilities
        .into_iter()
        .find(|f| f.source.source_id == "999000003")
        .unwrap();
    let org = t
        .store
        .create_organisation("Korpset", OrgKind::VolunteerOrganisation, None, false, None)
        .await
        .unwrap();
    let actor = Actor {
        token_id: None,
        person_id: None,
        org_id: org,
        role: Role::Editor,
    };
    let doc = serde_json::json!({
        "title": "Aspirantkorps", "category": "music", "price_nok": 0,
        "place": { "facility_id": gone.id },
        "schedule": { "sessions": [{ "weekday": 3, "start": "17:30", "end": "18:30" }] }
    });
    t.store
        .write_item(
            ItemCollection::Activities,
            &actor,
            ItemWrite::Create {
                org_id: org,
                example: false,
                doc,
                valid_until: None,
            },
        )
        .await
        .unwrap();
    let before = t.dump().await;

    // Next month's file without Bjørkeløkka.
    let text = std::fs::read(&file).unwrap();
    let without: Vec<u8> = text
        .split_inclusive(|&b| b == b'\n')
        .filter(|line| !line.starts_with(b"999000003"))
        .flatten()
        .copied()
        .collect();
    let next = t.dir.path().join("barnehager-excel-semikolon.csv");
    std::fs::write(&next, without).unwrap();
    let hidden = indicatif::ProgressBar::hidden();
    // The activity is named before any share of removals is weighed.
    let err = import_guarded(
        t.store.as_ref(),
        facilities(next.clone(), FacilityKind::Kindergarten),
        &hidden,
        ImportGuard {
            allow_duplicates: true,
            ..Default::default()
        },
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("would remove 1 facility where organisations hold activities")
            && err.contains("Bjørkeløkka barnehage (999000003): «Aspirantkorps»")
            && err.contains("--allow-removal"),
        "{err}"
    );
    assert_eq!(t.dump().await, before, "nothing changed");

    let Imported::Done(report) = import_guarded(
        t.store.as_ref(),
        facilities(next, FacilityKind::Kindergarten),
        &hidden,
        ImportGuard {
            allow_removal: true,
            ..Default::default()
        },
    )
    .await
    .unwrap() else {
        panic!("not a dry run")
    };
    assert_eq!(report.outcome.relocated, 1);
    assert!(
        report
            .to_string()
            .contains("kept 1 activity or volunteer need"),
        "{report}"
    );
    let activity = &t.store.load().await.unwrap().activities[0];
    assert_eq!(
        activity.doc.place,
        Place::Point {
            lon: gone.position.lon,
            lat: gone.position.lat
        }
    );
}
