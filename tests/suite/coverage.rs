//! Coverage for planners: nearest-facility times for every address against independent
//! searches, per-district sums, scenarios, and the API's errors.

use naermiljo::coverage::{self, HORIZON_S, Proposed};
use naermiljo::domain::{Address, Facility, FacilityKind, KindFilter, LonLat, SourceRef};
use naermiljo::index::Snapshot;
use naermiljo::routing::{EdgeFlags, GraphBuilder, LocalMetres, Profile};
use naermiljo::store::StoreContents;

use crate::common::{TestStore, assert_problem, get, oslo_pbf, osm};

fn facility(id: i64, kind: FacilityKind, p: LonLat) -> Facility {
    Facility {
        id,
        kind,
        name: None,
        position: p,
        address: None,
        wheelchair: None,
        opening_hours: None,
        source: SourceRef {
            source: "t".into(),
            source_id: id.to_string(),
        },
        properties: Default::default(),
        area: None,
    }
}

fn address(id: i64, p: LonLat, postcode: &str) -> Address {
    Address {
        id,
        street: "Veien".into(),
        number: id.to_string(),
        postcode: Some(postcode.into()),
        city: None,
        municipality_code: None,
        grunnkrets_code: None,
        grunnkrets_name: None,
        position: p,
        access: None,
        source: SourceRef {
            source: "t".into(),
            source_id: id.to_string(),
        },
    }
}

/// A 6 × 6 grid of streets 100 m apart, with a break, two playgrounds and homes on it.
fn fixture_snapshot() -> Snapshot {
    Snapshot::build(fixture_contents())
}

/// [`fixture_snapshot`]'s store contents.
fn fixture_contents() -> StoreContents {
    let proj = LocalMetres::centred_on(LonLat::new(10.2, 59.74));
    let at = |x: f64, y: f64| proj.unproject([x, y]).rounded();
    let mut b = GraphBuilder::default();
    let mut ids = vec![];
    for j in 0..6 {
        for i in 0..6 {
            ids.push(b.add_node(at(i as f64 * 100.0, j as f64 * 100.0)));
        }
    }
    for j in 0..6 {
        for i in 0..6 {
            // A gap in the grid: no street between columns 2 and 3 on rows 0 to 3.
            if i < 5 && !(i == 2 && j < 4) {
                b.add_segment(ids[j * 6 + i], ids[j * 6 + i + 1], EdgeFlags::default());
            }
            if j < 5 {
                b.add_segment(ids[j * 6 + i], ids[(j + 1) * 6 + i], EdgeFlags::default());
            }
        }
    }
    let graph = b.build();
    let facilities = vec![
        facility(1, FacilityKind::Playground, at(50.0, 3.0)),
        facility(2, FacilityKind::Playground, at(500.0, 430.0)),
        facility(3, FacilityKind::School, at(250.0, 0.0)),
    ];
    let mut addresses = Vec::new();
    for k in 0..60 {
        let (x, y) = ((k * 37 % 500) as f64 + 3.0, (k * 53 % 500) as f64);
        // On a street: snap x or y to the grid.
        let (x, y) = if k % 2 == 0 {
            ((x / 100.0).round() * 100.0 + 2.0, y)
        } else {
            (x, (y / 100.0).round() * 100.0 + 2.0)
        };
        addresses.push(address(
            k as i64 + 1,
            at(x, y),
            if x < 250.0 { "0001" } else { "0002" },
        ));
    }
    StoreContents {
        data_version: 1,
        facilities,
        addresses,
        districts: vec![],
        walk_graph: Some(graph.to_bytes()),
        ..Default::default()
    }
}

/// The time to the nearest `kinds` facility, by walking from the address itself with the
/// reach search (another path through the code: origin snapped, facilities read off).
fn brute_force(s: &Snapshot, kinds: &KindFilter, i: usize, profile: Profile) -> f64 {
    let walk = s.walk.as_ref().unwrap();
    let minutes = (HORIZON_S / 60.0) as u32;
    match walk.reach(
        &s.facilities,
        s.addresses[i].position,
        profile,
        minutes,
        &[1],
        Some(kinds),
        500.0,
    ) {
        Ok(r) => r
            .facilities
            .first()
            .map(|(_, t)| *t)
            .unwrap_or(f64::INFINITY),
        Err(_) => f64::INFINITY,
    }
}

fn check_against_brute_force(
    s: &Snapshot,
    kinds: &KindFilter,
    profile: Profile,
    step: usize,
) -> usize {
    let times = coverage::address_times(s, kinds, profile, &[], &[]).unwrap();
    let mut compared = 0;
    for i in (0..s.addresses.len()).step_by(step) {
        let want = brute_force(s, kinds, i, profile);
        let got = times[i];
        assert!(
            (got.is_infinite() && want.is_infinite()) || (got - want).abs() < 1e-6,
            "{}: coverage {got} s, walking from the home {want} s",
            s.addresses[i].label()
        );
        compared += 1;
    }
    compared
}

/// A home whose address point lies far from any path (a farm 800 m up a private track the
/// network does not have) is reached by its register access point where it has one.
#[test]
fn a_home_is_reached_by_its_access_point() {
    let mut contents = fixture_contents();
    let proj = LocalMetres::centred_on(LonLat::new(10.2, 59.74));
    let at = |x: f64, y: f64| proj.unproject([x, y]).rounded();
    let mut farm = address(100, at(250.0, -800.0), "0001");
    contents.addresses.push(farm.clone());
    farm.id = 101;
    farm.source.source_id = "101".into();
    farm.access = Some(at(100.0, -2.0));
    contents.addresses.push(farm);
    let s = Snapshot::build(contents);
    let playgrounds = KindFilter::parse("playground").unwrap();
    let times = coverage::address_times(&s, &playgrounds, Profile::Walk, &[], &[]).unwrap();
    let n = times.len();
    assert!(
        times[n - 2].is_infinite(),
        "800 m from every path: unplaced"
    );
    // From the entrance at (100, -2) along the street to the playground at (50, 3): 50 m.
    assert!(
        (25.0..70.0).contains(&times[n - 1]),
        "{} s from the access point",
        times[n - 1]
    );
}

#[test]
fn nearest_facility_times_on_a_fixture_grid() {
    let s = fixture_snapshot();
    let playgrounds = KindFilter::parse("playground").unwrap();
    assert_eq!(
        check_against_brute_force(&s, &playgrounds, Profile::Walk, 1),
        60
    );
    let times = coverage::address_times(&s, &playgrounds, Profile::Walk, &[], &[]).unwrap();
    assert!(
        times.iter().all(|t| t.is_finite()),
        "the grid is connected through row 4 and 5"
    );
    // Closing both playgrounds leaves every home uncovered, not at zero minutes.
    let none = coverage::address_times(&s, &playgrounds, Profile::Walk, &[], &[1, 2]).unwrap();
    assert!(none.iter().all(|t| t.is_infinite()));
    let table = coverage::aggregate(&s, &none, 10, Profile::Walk);
    assert_eq!((table.total.covered, table.total.median_s), (0, None));
}

#[tokio::test(flavor = "multi_thread")]
async fn nearest_facility_times_on_oslo_equal_walking_from_each_home() {
    let t = TestStore::new().await;
    t.import(osm(oslo_pbf())).await.unwrap();
    let state = t.state().await;
    let s = state.snapshot.load();
    let mut compared = 0;
    for (kind, profile) in [
        ("playground", Profile::Walk),
        ("library", Profile::Slow),
        ("school,kindergarten", Profile::Wheelchair),
    ] {
        compared += check_against_brute_force(&s, &KindFilter::parse(kind).unwrap(), profile, 131);
    }
    assert!(compared >= 300, "{compared}");

    // Sums add up, per district and in total.
    let kinds = KindFilter::parse("library").unwrap();
    let times = coverage::address_times(&s, &kinds, Profile::Walk, &[], &[]).unwrap();
    let table = coverage::aggregate(&s, &times, 10, Profile::Walk);
    let (a, c): (u64, u64) = table
        .districts
        .iter()
        .fold((0, 0), |(a, c), d| (a + d.addresses, c + d.covered));
    assert_eq!((a, c), (table.total.addresses, table.total.covered));
    assert_eq!(table.total.addresses as usize, s.addresses.len());
    let expected = times.iter().filter(|t| **t <= 600.0).count() as u64;
    assert_eq!(table.total.covered, expected);
    assert!(table.districts.iter().all(|d| d.covered <= d.addresses
        && match d.share {
            Some(share) => (share - d.covered as f64 / d.addresses as f64).abs() < 1e-12,
            None => d.addresses == 0,
        }));

    // A scenario that adds facilities never lowers any share, and leaves the store alone.
    let before_store = t.dump().await;
    let mut x: u64 = 11;
    for _ in 0..8 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let a = &s.addresses[(x >> 33) as usize % s.addresses.len()];
        let after = coverage::address_times(
            &s,
            &kinds,
            Profile::Walk,
            &[Proposed {
                position: a.position,
            }],
            &[],
        )
        .unwrap();
        let after_table = coverage::aggregate(&s, &after, 10, Profile::Walk);
        for (b, a2) in table.districts.iter().zip(&after_table.districts) {
            assert!(
                a2.covered >= b.covered,
                "adding a library lowered {:?}",
                b.district
            );
        }
        assert!(after.iter().zip(&times).all(|(n, o)| n <= o));
        assert!(after_table.total.covered > table.total.covered - 1);
    }
    assert_eq!(t.dump().await, before_store);

    // Closing facilities repairs only what they served: it equals a full search from the
    // facilities that remain (with and without a proposed one added as well).
    let walk = s.walk.as_ref().unwrap();
    for (kind, profile) in [
        ("playground", Profile::Walk),
        ("school", Profile::Wheelchair),
    ] {
        let kinds = KindFilter::parse(kind).unwrap();
        let ids: Vec<i64> = s
            .facilities
            .iter()
            .filter(|f| kinds.matches(f.kind))
            .map(|f| f.id)
            .collect();
        let base = coverage::address_times(&s, &kinds, profile, &[], &[]).unwrap();
        for round in 0..6 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let removed: Vec<i64> = (0..1 + round % 3)
                .map(|k| ids[((x >> 33) as usize + k * 7) % ids.len()])
                .collect();
            let added: Vec<Proposed> = if round % 2 == 1 {
                vec![Proposed {
                    position: s.addresses[(x >> 20) as usize % s.addresses.len()].position,
                }]
            } else {
                vec![]
            };
            let got = coverage::address_times(&s, &kinds, profile, &added, &removed).unwrap();
            let mut sources: Vec<naermiljo::routing::snap::Snapped> = s
                .facilities
                .iter()
                .zip(&walk.facility_snaps)
                .filter(|(f, _)| kinds.matches(f.kind) && !removed.contains(&f.id))
                .flat_map(|(_, p)| walk.places(p, profile))
                .collect();
            for p in &added {
                sources.push(walk.network.snap(p.position, profile, 500.0).unwrap());
            }
            let (_, want) =
                coverage::times_from(walk, &sources, &walk.address_snaps, profile, None);
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                assert!(
                    g == w || (g - w).abs() < 1e-9,
                    "{kind} {profile:?} removing {removed:?}: address {i}: {g} vs {w}"
                );
            }
            if added.is_empty() {
                assert!(
                    got.iter().zip(&base).all(|(n, o)| n >= o),
                    "closing never brings a home nearer"
                );
            }
        }
    }

    // Every kind at once, over all cores, equals each kind on its own.
    let kinds_list = [
        FacilityKind::Playground,
        FacilityKind::School,
        FacilityKind::Library,
        FacilityKind::Track,
    ];
    let per_kind = coverage::times_per_kind(&s, &kinds_list, Profile::Slow).unwrap();
    for (k, got) in kinds_list.iter().zip(&per_kind) {
        let want = coverage::address_times(
            &s,
            &KindFilter::parse(k.as_str()).unwrap(),
            Profile::Slow,
            &[],
            &[],
        )
        .unwrap();
        assert_eq!(got, &want, "{k:?}");
    }

    // Through HTTP: JSON equals the computation; CSV has a row per district and a total.
    let reply = get(&state, "/api/coverage?kind=library&minutes=10").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["total"]["covered"], table.total.covered);
    let csv = naermiljo::coverage::to_csv(&table);
    assert_eq!(csv.lines().count(), table.districts.len() + 2);
    assert!(csv.lines().last().unwrap().starts_with("total,"));
    let gaps = get(&state, "/api/coverage/gaps?kind=library&minutes=10&limit=5").await;
    assert_eq!(
        gaps.body["numberMatched"],
        table.total.addresses - table.total.covered
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn coverage_requests_that_cannot_be_answered_are_problems() {
    let t = TestStore::new().await;
    t.import(osm(oslo_pbf())).await.unwrap();
    let state = t.state().await;
    for (uri, status, kind) in [
        (
            "/api/coverage?minutes=10",
            400,
            "/problems/invalid-parameter",
        ),
        (
            "/api/coverage?kind=castle",
            400,
            "/problems/invalid-parameter",
        ),
        (
            "/api/coverage?kind=school&minutes=61",
            400,
            "/problems/limit-exceeded",
        ),
        (
            "/api/coverage?kind=school&profile=car",
            400,
            "/problems/invalid-parameter",
        ),
        (
            "/api/coverage?kind=school&format=xlsx",
            400,
            "/problems/invalid-parameter",
        ),
    ] {
        let reply = get(&state, uri).await;
        assert_problem(&reply, status);
        assert_eq!(reply.body["type"], kind, "{uri}");
    }
    let post = |body: &'static str| {
        let state = state.clone();
        async move {
            use axum::body::Body;
            use http_body_util::BodyExt;
            use tower::ServiceExt;
            let r = naermiljo::http::router(state)
                .oneshot(
                    axum::http::Request::post("/api/coverage/scenario")
                        .body(Body::from(body))
                        .unwrap(),
                )
                .await
                .unwrap();
            let status = r.status().as_u16();
            let bytes = r.into_body().collect().await.unwrap().to_bytes();
            (
                status,
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
            )
        }
    };
    let (status, body) =
        post(r#"{"kind":"library","minutes":10,"add":[[10.7522,59.9139]],"remove":[]}"#).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["after"]["total"]["covered"].as_u64() >= body["before"]["total"]["covered"].as_u64()
    );
    for (bad, status, kind) in [
        (
            r#"{"kind":"library","remove":[999999]}"#,
            400,
            "/problems/invalid-parameter",
        ),
        (
            r#"{"kind":"library","add":[[11.5,59.9]]}"#,
            422,
            "/problems/outside-coverage",
        ),
        (
            r#"{"kind":"library","add":[[200,59.9]]}"#,
            400,
            "/problems/invalid-parameter",
        ),
        (
            r#"{"kind":"library","colour":"red"}"#,
            400,
            "/problems/invalid-parameter",
        ),
        (r#"not json"#, 400, "/problems/invalid-parameter"),
    ] {
        let (s, body) = post(bad).await;
        assert_eq!(
            (s, body["type"].as_str().unwrap()),
            (status, kind),
            "{bad}: {body}"
        );
    }
}

/// One GET through the router: status, headers and the body's bytes as text.
async fn get_raw(
    state: &naermiljo::http::AppState,
    uri: &str,
) -> (u16, axum::http::HeaderMap, String) {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let r = naermiljo::http::router(state.clone())
        .oneshot(axum::http::Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

/// Issue 21 items 6–8: the same question through the CLI and the API gets the same bytes
/// (CSV in both dialects, GeoJSON but for the time computed), the same checks and the same
/// messages; outputs say what they measured, GeoJSON properties are flat numbers, the total
/// is its own member or a last row that can be left out.
#[tokio::test(flavor = "multi_thread")]
async fn the_cli_and_the_api_answer_the_same_question_alike() {
    let t = TestStore::new().await;
    t.import(osm(oslo_pbf())).await.unwrap();
    let state = t.state().await;
    let cli = |args: &[&str]| {
        crate::common::naermiljo(t.dir.path())
            .arg("coverage")
            .args(args)
            .output()
            .unwrap()
    };
    for (args, query) in [
        (vec!["--kind", "library"], "kind=library&format=csv"),
        (
            vec![
                "--kind",
                "school,kindergarten",
                "--minutes",
                "5",
                "--profile",
                "slow",
                "--csv-dialect",
                "excel-nb",
                "--no-total",
            ],
            "kind=school,kindergarten&minutes=5&profile=slow&format=csv&csv_dialect=excel-nb&total=false",
        ),
        (
            vec!["--kind", "library", "--open-at", "2026-12-24T12:00"],
            "kind=library&open_at=2026-12-24T12:00&format=csv",
        ),
    ] {
        let out = cli(&args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (status, headers, body) = get_raw(&state, &format!("/api/coverage?{query}")).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            body,
            "{args:?} and {query}"
        );
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(
            disposition.contains("filename=\"coverage-"),
            "{disposition}"
        );
    }
    // The dialects, the total row, what was asked.
    let (_, headers, excel) = get_raw(
        &state,
        "/api/coverage?kind=library&format=csv&csv_dialect=excel-nb",
    )
    .await;
    assert!(
        excel.starts_with("\u{feff}district_id;district;addresses;covered;share"),
        "{excel}"
    );
    assert!(excel.contains("\r\n") && excel.lines().last().unwrap().starts_with("total;"));
    assert!(
        excel
            .lines()
            .nth(1)
            .unwrap()
            .split(';')
            .nth(4)
            .unwrap()
            .contains(','),
        "decimal comma: {excel}"
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("coverage-library-10min-walk-"),
        "{headers:?}"
    );
    let (_, _, standard) = get_raw(&state, "/api/coverage?kind=library&format=csv").await;
    let header: Vec<&str> = standard.lines().next().unwrap().split(',').collect();
    let first: Vec<&str> = standard.lines().nth(1).unwrap().split(',').collect();
    let column = |name: &str| first[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(
        (column("kind"), column("minutes"), column("profile")),
        ("library", "10", "walk")
    );
    assert_eq!(
        column("data_version"),
        state.snapshot.load().data_version.to_string()
    );

    // GeoJSON: flat numbers per district, the total and the question as members.
    let out = cli(&["--kind", "library", "--format", "geojson"]);
    let from_cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (status, headers, body) =
        get_raw(&state, "/api/coverage?kind=library&format=geojson").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/geo+json");
    let mut from_api: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(from_api["computed_at"].as_str().unwrap().ends_with('Z'));
    from_api["computed_at"] = from_cli["computed_at"].clone();
    assert_eq!(from_cli, from_api);
    let p = &from_api["features"][0]["properties"];
    assert!(
        p["share"].is_number() && p["covered"].is_u64() && p["addresses"].is_u64(),
        "{p}"
    );
    assert!(p.get("coverage").is_none(), "flat: {p}");
    assert_eq!(from_api["total"]["district_id"], serde_json::Value::Null);
    assert!(from_api["total"]["addresses"].as_u64().unwrap() > 0);
    assert_eq!(
        (from_api["kind"].as_str(), from_api["minutes"].as_u64()),
        (Some("library"), Some(10))
    );

    // JSON: the question and the data version as members, the total its own.
    let json = get(&state, "/api/coverage?kind=library").await;
    assert_eq!(json.body["kind"], "library");
    assert_eq!(
        json.body["data_version"],
        state.snapshot.load().data_version
    );
    assert!(json.body["total"]["addresses"].as_u64().unwrap() > 0);

    // The same mistakes, the same messages.
    for (args, query, message) in [
        (
            vec!["--kind", "school", "--minutes", "0"],
            "kind=school&minutes=0",
            "must be at least 1",
        ),
        (
            vec!["--kind", "school", "--minutes", "2.5"],
            "kind=school&minutes=2.5",
            "\"2.5\" is not a whole number",
        ),
        (
            vec!["--kind", "school", "--minutes", "61"],
            "kind=school&minutes=61",
            "61 minutes is more than the 60 minutes served",
        ),
        (
            vec!["--kind", "castle"],
            "kind=castle",
            "unknown kind \"castle\"; kinds: school, kindergarten",
        ),
        (
            vec!["--category", "knitting"],
            "category=knitting",
            "unknown category \"knitting\"; categories: sport",
        ),
    ] {
        let out = cli(&args);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        let (status, _, body) = get_raw(&state, &format!("/api/coverage?{query}")).await;
        assert_eq!(status, 400, "{query}");
        let detail = serde_json::from_str::<serde_json::Value>(&body).unwrap()["detail"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(detail.contains(message), "{query}: {detail}");
    }
    // A category nobody offers: said, not a silent 0 %.
    let out = cli(&["--category", "music"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("note: no activities of category music are registered"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = get(&state, "/api/coverage?category=music").await;
    assert_eq!(
        json.body["notes"][0],
        "no activities of category music are registered"
    );
}
