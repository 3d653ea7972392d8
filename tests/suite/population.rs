//! Residents per grunnkrets from SSB's CSV layouts, and coverage weighted by them.

use naermiljo::coverage::aggregate;
use naermiljo::index::Snapshot;
use naermiljo::routing::Profile;

use crate::common::{TestStore, addresses, elverum_csv, naermiljo, run_ok};

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/population")
        .join(name)
}

#[test]
fn both_ssb_layouts_are_read_latest_year_first() {
    let long = naermiljo::import::population::read(&fixture("ssb-04317-long.csv")).unwrap();
    let got: Vec<(&str, Option<&str>, Option<i32>, i64)> = long
        .iter()
        .map(|p| (p.code.as_str(), p.name.as_deref(), p.year, p.persons))
        .collect();
    assert_eq!(
        got,
        [
            ("34200101", Some("Øksna"), Some(2024), 250),
            ("34200102", Some("Grundset"), Some(2024), 150),
            ("34200104", Some("Svanåsen"), Some(2024), 300),
        ],
        "Sundsvoll has no figure (..) and is left out"
    );
    let wide = naermiljo::import::population::read(&fixture("ssb-04317-wide-cp1252.csv")).unwrap();
    let got: Vec<(&str, Option<&str>, Option<i32>, i64)> = wide
        .iter()
        .map(|p| (p.code.as_str(), p.name.as_deref(), p.year, p.persons))
        .collect();
    assert_eq!(
        got,
        [
            ("34200101", Some("Øksna"), Some(2024), 250),
            ("34200102", Some("Grundset"), Some(2023), 140)
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_population_files_say_where_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(fixture("ssb-04317-long.csv")).unwrap();
    let cases = [
        (
            "duplicate.csv",
            good.replace(
                "\"34200102 Grundset\";\"2024\"",
                "\"34200101 Øksna\";\"2024\"",
            ),
            ":6: area 34200101 appears twice for 2024 (first on line 5)",
        ),
        (
            "letters.csv",
            good.replace("\"300\"", "\"mange\""),
            ":8: \"mange\" is not a number of residents",
        ),
        (
            "short.csv",
            good.replace(";\"Personer\";\"150\"", ";\"150\""),
            ":6: has 3 fields where the header has 4",
        ),
        (
            "year.csv",
            good.replace("\"2023\"", "\"i fjor\""),
            ":4: \"i fjor\" is not a year",
        ),
        (
            "nothing.csv",
            "hello\nworld\n".to_string(),
            "no header followed by rows that start with an area code",
        ),
    ];
    let t = crate::common::TestStore::new().await;
    let data = t.dir.path();
    run_ok({
        let mut c = naermiljo(data);
        c.args(["import", "population"])
            .arg(fixture("ssb-04317-long.csv"));
        c
    });
    let store = naermiljo::store::SqliteStore::open(&data.join("naermiljo.sqlite"))
        .await
        .unwrap();
    let before = naermiljo::store::Store::load(&store)
        .await
        .unwrap()
        .population;
    assert_eq!(before.len(), 3);
    // `status` says what the source holds: figures by area, not rows of their own.
    let status = run_ok({
        let mut c = naermiljo(data);
        c.arg("status");
        c
    });
    assert!(status.contains("residents of 3 areas"), "{status}");
    for (name, text, want) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = naermiljo(data)
            .args(["import", "population"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{name} was accepted");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains(&format!("{}{want}", path.display())) || said.contains(want),
            "{name}: {said}"
        );
        assert_eq!(
            naermiljo::store::Store::load(&store)
                .await
                .unwrap()
                .population,
            before,
            "{name} changed the store"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn coverage_counts_residents_where_ssb_figures_exist() {
    let t = TestStore::new().await;
    t.import(addresses(elverum_csv())).await.unwrap();
    t.import(naermiljo::cli::ImportCommand::Population {
        file: fixture("ssb-04317-long.csv"),
        source: "ssb".into(),
    })
    .await
    .unwrap();
    let s = Snapshot::build(t.store.load().await.unwrap());
    let weights = s.address_weight.as_ref().expect("weights from the figures");
    // Øksna's 250 residents over its 109 addresses.
    let oksna: Vec<usize> = (0..s.addresses.len())
        .filter(|&i| s.addresses[i].grunnkrets_code.as_deref() == Some("34200101"))
        .collect();
    assert_eq!(oksna.len(), 109);
    assert!((oksna.iter().map(|&i| weights[i]).sum::<f64>() - 250.0).abs() < 1e-9);
    // Only Øksna's homes are within the walk.
    let times: Vec<f64> = (0..s.addresses.len())
        .map(|i| {
            if oksna.contains(&i) {
                60.0
            } else {
                f64::INFINITY
            }
        })
        .collect();
    let c = aggregate(&s, &times, 10, Profile::Walk);
    let row = |id: &str| {
        c.districts
            .iter()
            .find(|d| d.district_id.as_deref() == Some(id))
            .unwrap()
    };
    let o = row("grunnkrets-34200101");
    assert_eq!(
        (o.population, o.resident_share, o.residents_covered),
        (Some(250), Some(1.0), Some(250.0))
    );
    let g = row("grunnkrets-34200102");
    assert_eq!(
        (g.population, g.resident_share, g.residents_covered),
        (Some(150), Some(0.0), Some(0.0))
    );
    let none = row("grunnkrets-34200103");
    assert_eq!(
        (none.population, none.resident_share),
        (None, None),
        "no figure for Sundsvoll: addresses only"
    );
    let total_share = c.total.resident_share.unwrap();
    assert!((total_share - 250.0 / 700.0).abs() < 1e-9, "{total_share}");
    assert!(
        (c.total.share.unwrap() - 109.0 / s.addresses.len() as f64).abs() < 1e-9,
        "the address share is unchanged"
    );
    assert!(
        naermiljo::coverage::to_csv(&c)
            .lines()
            .next()
            .unwrap()
            .contains(",resident_share,")
    );
}
