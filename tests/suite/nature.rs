//! Nature as areas (issue 22) on the Oslo demo: what the import keeps, coverage questions
//! and their errors, the nearest nature in a resident's reach, scenarios with a drawn park,
//! the tile layer and the CLI.

use serde_json::Value;

use crate::common::{assert_problem, get, naermiljo, oslo, oslo_pbf, run_ok};

async fn post_scenario(state: &naermiljo::http::AppState, body: String) -> (u16, Value) {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let r = naermiljo::http::router(state.clone())
        .oneshot(
            axum::http::Request::post("/api/coverage/scenario")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = r.status().as_u16();
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_has_green_areas_forest_and_shores_with_sizes() {
    let (t, _) = oslo().await;
    let c = t.store.load().await.unwrap();
    let count = |class: &str| {
        c.nature
            .iter()
            .filter(|n| n.class.as_str() == class)
            .count()
    };
    assert!(
        count("green") > 50 && count("forest") > 10 && count("shore") > 10,
        "green {}, forest {}, shore {}",
        count("green"),
        count("forest"),
        count("shore")
    );
    // Named places the demo area holds, as areas with a size, and Akerselva as a line.
    let named = |name: &str| c.nature.iter().find(|n| n.name.as_deref() == Some(name));
    let slottsparken = named("Slottsparken").expect("Slottsparken is a green area");
    assert!(
        (15.0..30.0).contains(&slottsparken.area_ha),
        "Slottsparken is about 22 ha, not {} ha",
        slottsparken.area_ha
    );
    let akerselva = named("Akerselva").expect("Akerselva is a shore");
    assert_eq!(akerselva.class.as_str(), "shore");
    // No area below its class's minimum was kept.
    for n in &c.nature {
        if n.area_ha > 0.0 {
            assert!(n.area_ha >= n.class.min_ha(), "{n:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn nature_coverage_answers_the_four_questions_in_order() {
    let (_, state) = oslo().await;
    let mut covered = std::collections::HashMap::new();
    for nature in ["green", "green_1ha", "forest", "shore"] {
        let r = get(state, &format!("/api/coverage?nature={nature}&minutes=5")).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["nature"], nature);
        assert!(r.body["kind"].is_null());
        let total = &r.body["total"];
        let homes = total["addresses"].as_u64().unwrap();
        let bands = r.body["distribution"].as_array().unwrap();
        let in_bands: u64 = bands.iter().map(|b| b["addresses"].as_u64().unwrap()).sum();
        assert_eq!(in_bands, homes, "{nature}: every home in one band");
        // The bands below 5 minutes hold the covered homes.
        let under_5: u64 = bands
            .iter()
            .filter(|b| b["to_min"].as_u64().is_some_and(|m| m <= 5))
            .map(|b| b["addresses"].as_u64().unwrap())
            .sum();
        assert_eq!(under_5, total["covered"].as_u64().unwrap(), "{nature}");
        covered.insert(nature, total["covered"].as_u64().unwrap());
        // Homes not covered near the edge of the data are counted and said in a note.
        let near = r.body["near_data_edge"]
            .as_u64()
            .expect("a count with a network");
        assert!(
            near <= homes - total["covered"].as_u64().unwrap(),
            "{nature}"
        );
        let said = r.body["notes"].as_array().unwrap().iter().any(|n| {
            n.as_str()
                .unwrap()
                .starts_with(&format!("{near} homes not covered"))
        });
        assert_eq!(said, near > 0, "{nature}: {}", r.body["notes"]);
        if nature == "forest" {
            // Ekeberg's homes at the extract's south-east edge (a new user's trial).
            assert!(
                near > 0,
                "forest within 5 minutes: homes at the edge are counted"
            );
        }
    }

    // Every green area of 1 ha is one of 0.5 ha, and forest of 0.5 ha is green.
    assert!(covered["green"] >= covered["green_1ha"], "{covered:?}");
    assert!(covered["green"] >= covered["forest"], "{covered:?}");
    assert!(covered["green"] > 0 && covered["shore"] > 0, "{covered:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_nature_questions_are_refused_with_what_to_ask() {
    let (_, state) = oslo().await;
    let detail = assert_problem(&get(state, "/api/coverage?nature=jungle").await, 400);
    assert!(
        detail.contains("green, green_1ha, forest, shore"),
        "{detail}"
    );
    let detail = assert_problem(
        &get(state, "/api/coverage?nature=green&kind=school").await,
        400,
    );
    assert!(
        detail.contains("one of kind, category or nature"),
        "{detail}"
    );
    let detail = assert_problem(
        &get(state, "/api/coverage?nature=green&open_at=2026-12-01T10:00").await,
        400,
    );
    assert!(detail.contains("open_at"), "{detail}");
    assert_problem(&get(state, "/api/coverage/gaps?nature=sea").await, 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_residents_nearest_forest_is_the_planners_time_for_that_home() {
    let (_, state) = oslo().await;
    // Homes more than 3 minutes from the forest edge, with their times.
    let gaps = get(state, "/api/coverage/gaps?nature=forest&minutes=3&limit=20").await;
    assert_eq!(gaps.status, 200, "{}", gaps.body);
    let features = gaps.body["features"].as_array().unwrap();
    assert!(!features.is_empty());
    let mut compared = 0;
    for f in features {
        let Some(seconds) = f["properties"]["walk_seconds"].as_f64() else {
            continue;
        };
        if seconds > 15.0 * 60.0 {
            continue;
        }
        let c = &f["geometry"]["coordinates"];
        let reach = get(
            state,
            &format!("/api/reach?lon={}&lat={}&minutes=15", c[0], c[1]),
        )
        .await;
        assert_eq!(reach.status, 200, "{}", reach.body);
        let nature = reach.body["nature"]["features"].as_array().unwrap();
        let classes: Vec<&str> = nature
            .iter()
            .filter(|n| n["properties"]["nearest_for"].is_null())
            .map(|n| n["properties"]["class"].as_str().unwrap())
            .collect();
        let mut unique = classes.clone();
        unique.dedup();
        assert_eq!(classes, unique, "one of each class");
        let forest = nature
            .iter()
            .find(|n| n["properties"]["class"] == "forest")
            .expect("a forest within 15 minutes");
        let reached = forest["properties"]["walk_seconds"].as_f64().unwrap();
        assert!(
            (reached - seconds).abs() <= 1.0,
            "the reach says {reached} s, coverage {seconds} s for {c}"
        );
        assert!(forest["properties"]["area_ha"].as_f64().unwrap() >= 0.5);
        compared += 1;
    }
    assert!(compared >= 5, "only {compared} homes compared");
}

/// A resident whose nearest green is a patch under 0.5 ha is also told the nearest green
/// area the planners count, at the planners' time for that home.
#[tokio::test(flavor = "multi_thread")]
async fn a_residents_green_is_also_the_one_planners_count() {
    let (_, state) = oslo().await;
    let gaps = get(state, "/api/coverage/gaps?nature=green&minutes=1&limit=60").await;
    assert_eq!(gaps.status, 200, "{}", gaps.body);
    let (mut compared, mut small_first) = (0, 0);
    for f in gaps.body["features"].as_array().unwrap() {
        let Some(seconds) = f["properties"]["walk_seconds"].as_f64() else {
            continue;
        };
        if seconds > 15.0 * 60.0 {
            continue;
        }
        let c = &f["geometry"]["coordinates"];
        let reach = get(
            state,
            &format!("/api/reach?lon={}&lat={}&minutes=15", c[0], c[1]),
        )
        .await;
        let nature = reach.body["nature"]["features"].as_array().unwrap();
        let counted: Vec<&Value> = nature
            .iter()
            .filter(|n| {
                n["properties"]["answers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a == "green")
            })
            .collect();
        let best = counted
            .iter()
            .map(|n| n["properties"]["walk_seconds"].as_f64().unwrap())
            .fold(f64::INFINITY, f64::min);
        assert!(
            (best - seconds).abs() <= 1.0,
            "the reach's nearest counted green is {best} s, coverage {seconds} s for {c}"
        );
        let first_green = nature
            .iter()
            .find(|n| n["properties"]["class"] == "green")
            .unwrap();
        if first_green["properties"]["area_ha"].as_f64().unwrap_or(0.0) < 0.5 {
            small_first += 1;
            assert!(
                nature
                    .iter()
                    .any(|n| n["properties"]["nearest_for"] == "green"),
                "{nature:?}"
            );
        }
        compared += 1;
    }
    assert!(compared >= 10, "only {compared} homes compared");
    assert!(
        small_first >= 1,
        "no home had a small green nearest: the case is not tried"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_drawn_park_closes_a_gap_and_bad_drawings_are_refused() {
    let (_, state) = oslo().await;
    let gaps = get(state, "/api/coverage/gaps?nature=green&minutes=2&limit=1").await;
    let home = &gaps.body["features"][0]["geometry"]["coordinates"];
    let (lon, lat) = (home[0].as_f64().unwrap(), home[1].as_f64().unwrap());
    // A square about 80 m wide around the home.
    let (dx, dy) = (0.0007, 0.00036);
    let square = serde_json::json!({
        "type": "Polygon",
        "coordinates": [[[lon - dx, lat - dy], [lon + dx, lat - dy], [lon + dx, lat + dy],
                         [lon - dx, lat + dy], [lon - dx, lat - dy]]]
    });
    let (status, body) = post_scenario(
        state,
        serde_json::json!({"nature": "green", "minutes": 2, "add_areas": [square]}).to_string(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let before = body["before"]["total"]["covered"].as_u64().unwrap();
    let after = body["after"]["total"]["covered"].as_u64().unwrap();
    assert!(after > before, "before {before}, after {after}");
    assert!(body["addresses_changed"].as_u64().unwrap() >= 1);

    let bowtie = serde_json::json!({
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + dx, lat + dy], [lon + dx, lat], [lon, lat + dy], [lon, lat]]]
    });
    // A square about 8 m wide: 0.006 ha, not a green area of 0.5 ha.
    let tiny = serde_json::json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.00014, lat],
            [lon + 0.00014, lat + 0.00007], [lon, lat + 0.00007], [lon, lat]]] }
    });
    for (bad, status, reason, says) in [
        (
            serde_json::json!({"nature": "green", "add_areas": [square, bowtie]}),
            400,
            Some(("invalid", 1)),
            "not a valid polygon",
        ),
        (
            serde_json::json!({"nature": "green", "add_areas": [{"type": "Point", "coordinates": [lon, lat]}]}),
            400,
            Some(("not_polygon", 0)),
            "Polygon or MultiPolygon",
        ),
        (
            serde_json::json!({"nature": "green", "add_areas": [tiny]}),
            400,
            Some(("too_small", 0)),
            "less than the 0.5 ha",
        ),
        (
            serde_json::json!({"nature": "green", "add": [[lon, lat]]}),
            400,
            None,
            "add_areas",
        ),
        (
            serde_json::json!({"kind": "library", "add_areas": [square]}),
            400,
            None,
            "nature questions",
        ),
        (
            serde_json::json!({"nature": "shore", "add_areas": [{"type": "Polygon", "coordinates": [[[11.9, 60.9], [11.91, 60.9], [11.91, 60.91], [11.9, 60.9]]]}]}),
            422,
            Some(("off_network", 0)),
            "no walkable path",
        ),
    ] {
        let (got, body) = post_scenario(state, bad.to_string()).await;
        assert_eq!(got, status, "{bad}: {body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{bad}: {detail}");
        if let Some((reason, index)) = reason {
            assert_eq!(
                (body["reason"].as_str(), body["index"].as_u64()),
                (Some(reason), Some(index)),
                "{body}"
            );
        }
    }
    // A drawn Feature is taken as its geometry: a tiny area counts for the shore question.
    let (status, body) = post_scenario(
        state,
        serde_json::json!({"nature": "shore", "minutes": 2, "add_areas": [tiny]}).to_string(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_nature_tile_layer_is_described_and_served() {
    let (_, state) = oslo().await;
    let tilejson = get(state, "/tiles/nature.json").await;
    assert_eq!(tilejson.status, 200);
    let fields = &tilejson.body["vector_layers"][0]["fields"];
    assert_eq!(fields["class"], "String");
    assert_eq!(fields["area_ha"], "Number");
    // The tile over Slottsparken (z14) has features; one far away has none.
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let tile = |uri: &'static str| async move {
        let r = naermiljo::http::router(state.clone())
            .oneshot(
                axum::http::Request::get(uri)
                    .header("host", "test.local")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.into_body().collect().await.unwrap().to_bytes())
    };
    let (status, bytes) = tile("/tiles/nature/14/8680/4765.mvt").await;
    assert_eq!(status, 200);
    assert!(bytes.len() > 100, "{} bytes", bytes.len());
    let (status, _) = tile("/tiles/nature/14/1/1.mvt").await;
    assert_eq!(status, 204);
}

#[test]
fn the_cli_answers_as_the_api_and_an_independent_computation_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let mut import = naermiljo(dir.path());
    import.args(["import", "osm"]).arg(oslo_pbf());
    let report = run_ok(import);
    assert!(report.contains("nature: "), "{report}");
    let mut c = naermiljo(dir.path());
    c.args([
        "coverage",
        "--nature",
        "forest",
        "--minutes",
        "5",
        "--level",
        "bydel",
    ]);
    let csv = run_ok(c);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let column = header.iter().position(|h| *h == "nature").unwrap();
    let total = csv.lines().last().unwrap();
    assert!(total.starts_with("total,"), "{total}");
    assert_eq!(total.split(',').nth(column), Some("forest"));
    let mut bad = naermiljo(dir.path());
    bad.args(["coverage", "--nature", "jungle"]);
    let out = bad.output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--nature") && stderr.contains("green_1ha"),
        "{stderr}"
    );

    // An independent computation (tests/clients/nature_shares.py: shapely, pyproj and scipy
    // in the test's own environment) from the served polygons, homes and the exported
    // network, by the documented rules: reached within 15 m of an outline, 30 m of a
    // river's line, 50 m of a bathing place; 0 inside; 5 km/h.
    let python = std::env::var("NAERMILJO_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "NAERMILJO_TEST_PYTHON is not set: run the tests with scripts/test, which makes a \
             virtual environment with tests/requirements.txt (shapely, pyproj, scipy)"
        )
    });
    let graph = dir.path().join("graph.csv");
    let mut export = naermiljo(dir.path());
    export
        .args(["export-graph", "--format", "csv", "--output"])
        .arg(&graph);
    run_ok(export);
    let server = crate::common::Server::start(naermiljo(dir.path()), &[]);
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/nature_shares.py");
    for minutes in ["5", "10"] {
        let out = std::process::Command::new(&python)
            .arg(&script)
            .args(["--base-url", &format!("http://{}", server.addr)])
            .arg("--graph")
            .arg(&graph)
            .args(["--minutes", minutes])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(answer["homes"].as_u64(), Some(13_227));
        for q in ["green", "green_1ha", "forest", "shore"] {
            let oracle = answer["shares"][q]["oracle"].as_f64().unwrap();
            let service = answer["shares"][q]["service"].as_f64().unwrap();
            assert!(oracle > 0.0, "{q}: the oracle found nothing");
            // The oracle reaches an area where a path enters the 15 m band round it, the
            // service at the sampled edge point: within one percentage point.
            assert!(
                (oracle - service).abs() <= 0.01,
                "{q} within {minutes} min: oracle {oracle:.4}, service {service:.4}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// `fixtures/nature/`: an invented extract drawn in metres (README and expected.json there).
fn fixture() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/nature/nature.osm.pbf")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forest_in_pieces_is_one_area_and_bad_outlines_are_named() {
    let t = crate::common::TestStore::new().await;
    let report = t.import(crate::common::osm(fixture())).await.unwrap();
    let c = t.store.load().await.unwrap();
    let by_id = |id: &str| {
        c.nature
            .iter()
            .find(|n| n.source.source_id == id)
            .unwrap_or_else(|| panic!("{id} not among {:?}", c.nature))
    };
    // Relation 5000's two outer rings (one with a hole) and the natural=wood beside them:
    // one forest of 4 + 4 + 2 − 0.25 ha planar, 9.7565 ha on GRS80 (pyproj's Geod).
    let forests: Vec<_> = c
        .nature
        .iter()
        .filter(|n| n.class.as_str() == "forest")
        .collect();
    assert_eq!(forests.len(), 1, "{forests:?}");
    let forest = by_id("relation/5000");
    assert_eq!(forest.name.as_deref(), Some("Prøveskauen"));
    assert!(
        (forest.area_ha - 9.7565).abs() / 9.7565 < 0.01,
        "{} ha",
        forest.area_ha
    );
    assert!(
        (forest.area_ha - 9.7565).abs() < 0.001,
        "{} ha",
        forest.area_ha
    );
    match &forest.geometry {
        naermiljo::domain::nature::NatureGeometry::Area(mp) => {
            assert_eq!(
                (mp.0.len(), mp.0[0].interiors().len()),
                (1, 1),
                "one polygon, one hole"
            )
        }
        other => panic!("{other:?}"),
    }
    for (id, class, ha) in [
        ("way/1001", "green", 1.0007),
        ("way/1018", "green", 0.8005),
        ("way/1011", "shore", 1.0007),
        ("way/1015", "shore", 0.2101),
    ] {
        let n = by_id(id);
        assert_eq!(n.class.as_str(), class, "{id}");
        assert!((n.area_ha - ha).abs() < 0.001, "{id}: {} ha", n.area_ha);
    }
    let river = by_id("way/1013");
    assert!(river.geometry.is_line() && river.class.as_str() == "shore");
    // Grass under 0.5 ha (a 50 m² sliver and a 0.3 ha verge) is left out and counted; the
    // relation whose outer ring does not close is named with the nodes where it stops.
    assert!(
        c.nature
            .iter()
            .all(|n| n.source.source_id != "way/1016" && n.source.source_id != "way/1017")
    );
    let text = report.to_string();
    assert!(text.contains("2 grass pieces under 0.5 ha"), "{text}");
    assert!(
        text.contains(
            "relation/5001 (leisure=park «Brutt»): its outer ring is not closed (from node/75 to node/77)"
        ) || text.contains(
            "relation/5001 (leisure=park «Brutt»): its outer ring is not closed (from node/77 to node/75)"
        ),
        "{text}"
    );
    assert!(text.contains("2 pieces merged"), "{text}");

    // A home beside the path along the forest reaches its edge there: 50 m along the street
    // and 45 m up the footway (the path runs 5 m outside the forest and never enters it).
    let state = t.state().await;
    let home = c
        .addresses
        .iter()
        .find(|a| a.number == "6")
        .expect("home 6 at (350, 10)");
    let reach = get(
        &state,
        &format!(
            "/api/reach?lon={}&lat={}&minutes=10",
            home.position.lon, home.position.lat
        ),
    )
    .await;
    assert_eq!(reach.status, 200, "{}", reach.body);
    let forest = reach.body["nature"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["class"] == "forest")
        .cloned()
        .expect("the forest within 10 minutes");
    let m = forest["properties"]["distance_m"].as_f64().unwrap();
    assert!((m - 95.0).abs() <= 2.0, "{m} m to the forest edge");
    // The path runs along the forest and never enters it: no trail head.
    assert_eq!(forest["properties"]["trailhead"], false);
    let heads = get(&state, "/api/collections/trailheads/items").await;
    assert_eq!(heads.body["numberMatched"], 0, "{}", heads.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_nature_collection_pages_filters_and_refuses() {
    let (_, state) = oslo().await;
    let s = state.snapshot.load();
    let forests = s
        .nature
        .iter()
        .filter(|n| n.class.as_str() == "forest" && n.area_ha >= 0.5)
        .count();
    let mut uri = "/api/collections/nature/items?class=forest&min_ha=0.5&limit=7".to_string();
    let mut seen = std::collections::BTreeSet::new();
    loop {
        let page = get(state, &uri).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(
            page.body["numberMatched"].as_u64().unwrap() as usize,
            forests
        );
        for f in page.body["features"].as_array().unwrap() {
            assert_eq!(f["properties"]["class"], "forest");
            assert!(f["properties"]["area_ha"].as_f64().unwrap() >= 0.5);
            assert_eq!(f["geometry"]["type"], "MultiPolygon");
            assert!(seen.insert(f["id"].as_i64().unwrap()));
        }
        let next = page.body["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .map(|l| l["href"].as_str().unwrap().to_string());
        match next {
            Some(href) => uri = href.trim_start_matches("http://test.local").to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len(), forests);
    // The collection's extent holds every coordinate of every item, each given to at most
    // 7 decimals (1 cm).
    let extent =
        get(state, "/api/collections/nature").await.body["extent"]["spatial"]["bbox"][0].clone();
    let e: Vec<f64> = extent
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let all = get(state, "/api/collections/nature/items?limit=10000").await;
    fn coordinates(v: &Value, out: &mut Vec<(f64, f64)>) {
        match v.as_array() {
            Some(a) if a.len() == 2 && a[0].is_f64() => {
                out.push((a[0].as_f64().unwrap(), a[1].as_f64().unwrap()))
            }
            Some(a) => a.iter().for_each(|x| coordinates(x, out)),
            None => {}
        }
    }
    let mut points = Vec::new();
    for f in all.body["features"].as_array().unwrap() {
        coordinates(&f["geometry"]["coordinates"], &mut points);
    }
    assert!(!points.is_empty());
    for (lon, lat) in points {
        assert!(
            lon >= e[0] && lat >= e[1] && lon <= e[2] && lat <= e[3],
            "({lon}, {lat}) outside {e:?}"
        );
        for x in [lon, lat] {
            assert!(
                ((x * 1e7).round() / 1e7 - x).abs() < 1e-12,
                "{x} has more than 7 decimals"
            );
        }
    }
    let one = get(
        state,
        &format!("/api/collections/nature/items/{}", seen.first().unwrap()),
    )
    .await;
    assert_eq!(one.status, 200);
    assert_problem(
        &get(state, "/api/collections/nature/items?class=desert").await,
        400,
    );
    assert_problem(
        &get(state, "/api/collections/nature/items?min_ha=-1").await,
        400,
    );
    assert_problem(
        &get(state, "/api/collections/nature/items/999999").await,
        404,
    );
}

/// The gaps' walking seconds in the order served (infinite for unreachable homes).
fn walk_seconds(gaps: &Value) -> Vec<f64> {
    gaps["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["properties"]["walk_seconds"]
                .as_f64()
                .unwrap_or(f64::INFINITY)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_homes_farthest_from_the_forest_come_first() {
    let (_, state) = oslo().await;
    let r = get(
        state,
        "/api/coverage/gaps?nature=forest&minutes=5&sort=-walk_seconds&limit=50",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let times = walk_seconds(&r.body);
    assert_eq!(times.len(), 50);
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    assert!(times[49] > 300.0);
    let all = get(
        state,
        "/api/coverage/gaps?nature=forest&minutes=5&limit=100000",
    )
    .await;
    let most = walk_seconds(&all.body).into_iter().fold(0.0, f64::max);
    assert_eq!(times[0], most, "the first is the farthest of all");
    assert_problem(
        &get(state, "/api/coverage/gaps?nature=forest&sort=name").await,
        400,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn trail_heads_are_where_paths_enter_a_forest() {
    let (_, state) = oslo().await;
    let s = state.snapshot.load();
    // Paged with next links; each trail head once, by a stable id.
    let mut features: Vec<Value> = Vec::new();
    let mut uri = "/api/collections/trailheads/items?limit=50".to_string();
    loop {
        let page = get(state, &uri).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body["features"].as_array().unwrap().len() <= 50);
        features.extend(page.body["features"].as_array().unwrap().iter().cloned());
        match page.body["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
        {
            Some(l) => {
                uri = l["href"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("http://test.local")
                    .to_string()
            }
            None => break,
        }
    }
    assert!(
        features.len() > 50,
        "more than one page: {}",
        features.len()
    );
    let ids: std::collections::BTreeSet<&str> =
        features.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), features.len(), "ids are unique");
    // A collection of its own, listed, with queryables (as nature has).
    let listed = get(state, "/api/collections").await;
    let listed: Vec<&str> = listed.body["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        listed.contains(&"trailheads") && listed.contains(&"nature"),
        "{listed:?}"
    );
    for path in [
        "/api/collections/trailheads",
        "/api/collections/trailheads/queryables",
        "/api/collections/nature/queryables",
    ] {
        assert_eq!(get(state, path).await.status, 200, "{path}");
    }
    for f in &features {
        let id = f["properties"]["forest_id"].as_i64().unwrap();
        let forest = s.nature.iter().find(|n| n.id == id).unwrap();
        assert_eq!(forest.class.as_str(), "forest");
        assert!(forest.area_ha >= 0.5);
        // Within 15 m of the forest's outline.
        let c = &f["geometry"]["coordinates"];
        let p = geo::Point::new(c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        let naermiljo::domain::nature::NatureGeometry::Area(mp) = &forest.geometry else {
            panic!("a forest is an area")
        };
        use geo::Distance;
        let edge_m =
            mp.0.iter()
                .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
                .flat_map(|ring| ring.lines())
                .map(|l| {
                    use geo::ClosestPoint;
                    match l.closest_point(&p) {
                        geo::Closest::Intersection(q) | geo::Closest::SinglePoint(q) => {
                            geo::Haversine.distance(p, q)
                        }
                        geo::Closest::Indeterminate => f64::INFINITY,
                    }
                })
                .fold(f64::INFINITY, f64::min);
        assert!(
            edge_m <= 15.5,
            "a trail head {edge_m} m from the forest's edge"
        );
    }
    // The count on each forest is the number of its trail heads.
    let total: u64 = get(
        state,
        "/api/collections/nature/items?class=forest&limit=1000",
    )
    .await
    .body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["trailheads"].as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, features.len());
}

/// A river named only on its `type=waterway` relation (Akerselva in the extract) is named on
/// every one of its ways: none of a named waterway relation's member ways (as osmium lists
/// them) is left an unnamed nature line.
#[tokio::test(flavor = "multi_thread")]
async fn rivers_take_the_name_of_their_waterway_relation() {
    let (_, state) = oslo().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("waterways.opl");
    let pbf = oslo_pbf();
    crate::common::tool(
        "osmium",
        &[
            "tags-filter",
            "-R",
            "-O",
            "-o",
            out.to_str().unwrap(),
            pbf.to_str().unwrap(),
            "r/type=waterway",
        ],
        None,
    );
    let opl = std::fs::read_to_string(&out).unwrap();
    // OPL: `r123 v1 … Tname=Akerselva,type=waterway Mw1@main_stream,w2@…`.
    let mut members: Vec<(String, String)> = Vec::new();
    for line in opl.lines().filter(|l| l.starts_with('r')) {
        let field = |c: char| {
            line.split(' ')
                .find(|f| f.starts_with(c))
                .map(|f| f[1..].to_string())
                .unwrap_or_default()
        };
        let tags = field('T');
        let Some(name) = tags
            .split(',')
            .find_map(|t| t.strip_prefix("name="))
            .map(str::to_string)
        else {
            continue;
        };
        for m in field('M').split(',').filter(|m| m.starts_with('w')) {
            let id = m[1..].split('@').next().unwrap();
            members.push((format!("way/{id}"), name.clone()));
        }
    }
    assert!(
        !members.is_empty(),
        "the extract has named waterway relations"
    );
    let s = state.snapshot.load();
    let unnamed: Vec<&str> = s
        .nature
        .iter()
        .filter(|n| n.name.is_none())
        .map(|n| n.source.source_id.as_str())
        .filter(|id| members.iter().any(|(m, _)| m == id))
        .collect();
    assert_eq!(
        unnamed,
        Vec::<&str>::new(),
        "river ways left without their river's name"
    );
    assert!(
        s.nature
            .iter()
            .any(|n| n.name.as_deref() == Some("Akerselva") && n.tag == "waterway=river"),
        "Akerselva is a named river line"
    );
}
