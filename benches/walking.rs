//! Walking benchmarks on the real Oslo extract: graph build, graph load, and 15-minute
//! reach queries (search, polygons, facility list; and the same through the router with its
//! JSON) from seeded random addresses. Writes the origins to `$BENCH_ORIGINS` (one
//! `node_id lon lat` per line, node ids 1-based as in `export-graph`) so that
//! scripts/bench-walking can ask pgRouting and wrk the same questions.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use naermiljo::routing::Profile;
use tower::ServiceExt;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "{what:<44} n={:<4} p50 {:>8.3} ms  p99 {:>8.3} ms  mean {:>8.3} ms",
        times.len(),
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        mean.as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() {
    let shared = std::env::var("NAERMILJO_SHARED_DATA").unwrap_or_else(|_| "../shared/data".into());
    let pbf = std::path::Path::new(&shared).join("oslo_fallback/oslo-center.osm.pbf");
    assert!(
        pbf.exists(),
        "missing {}: set NAERMILJO_SHARED_DATA",
        pbf.display()
    );
    let queries: usize = std::env::var("BENCH_QUERIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);

    // Graph build: the whole OSM read (facilities, addresses and graph) in one pass.
    let mut reads = Vec::new();
    let mut data = None;
    for _ in 0..5 {
        let started = Instant::now();
        data = Some(naermiljo::import::osm::read(&pbf, &indicatif::ProgressBar::hidden()).unwrap());
        reads.push(started.elapsed());
    }
    report("read PBF + build graph (whole OSM pass)", reads);
    let graph = data.unwrap().walk_graph;
    println!(
        "graph: {} nodes, {} segments, {:.1} MB of arrays",
        graph.node_count(),
        graph.edge_count() / 2,
        graph.memory_bytes() as f64 / 1e6
    );
    let bytes = graph.to_bytes();
    let mut loads = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        let g = naermiljo::routing::WalkGraph::from_bytes(&bytes).unwrap();
        std::hint::black_box(naermiljo::routing::network::Network::new(g));
        loads.push(started.elapsed());
    }
    report("load graph from the store's bytes + R-tree", loads);

    // A store with Oslo imported, as the server has it.
    let dir = tempfile::tempdir().unwrap();
    let store = naermiljo::store::SqliteStore::open(&dir.path().join("bench.sqlite"))
        .await
        .unwrap();
    naermiljo::store::Store::migrate(&store).await.unwrap();
    let cmd = naermiljo::cli::ImportCommand::osm(pbf.clone());
    naermiljo::cli::import(&store, cmd, &indicatif::ProgressBar::hidden())
        .await
        .unwrap();
    let settings = naermiljo::config::Settings::new(dir.path().to_path_buf());
    let state = naermiljo::app::build_state(&settings, std::sync::Arc::new(store))
        .await
        .unwrap();
    let s = state.snapshot.load();
    let walk = s.walk.as_ref().unwrap();

    // Seeded origins: addresses, snapped to a node so that pgRouting can start there too.
    let mut x: u64 = 2026;
    let mut origins = Vec::new();
    while origins.len() < queries {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let a = &s.addresses[(x >> 33) as usize % s.addresses.len()];
        if let Some(snap) = walk.network.snap(a.position, Profile::Walk, 500.0) {
            let node = walk.network.graph.tail(snap.edge);
            origins.push((node, walk.network.graph.position(node)));
        }
    }
    if let Ok(path) = std::env::var("BENCH_ORIGINS") {
        let lines: Vec<String> = origins
            .iter()
            .map(|(n, p)| format!("{} {} {}", n.0 + 1, p.lon, p.lat))
            .collect();
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }

    let mut search_only = Vec::new();
    let mut reach_times = Vec::new();
    let mut reached_nodes = 0;
    for &(node, at) in &origins {
        let started = Instant::now();
        walk.network.with_search(|g, search| {
            search.run(
                g,
                Profile::Walk,
                &[naermiljo::routing::search::Seed { node, cost_s: 0.0 }],
                900.0,
            );
            reached_nodes += search.reached().count();
        });
        search_only.push(started.elapsed());
        let started = Instant::now();
        let r = walk
            .reach(
                &s.facilities,
                at,
                Profile::Walk,
                15,
                &[5, 10, 15],
                None,
                500.0,
            )
            .unwrap();
        std::hint::black_box(r);
        reach_times.push(started.elapsed());
    }
    println!(
        "mean nodes reached in 15 min: {}",
        reached_nodes / origins.len()
    );
    report("15-min search only (in process)", search_only);
    report("15-min reach: search + 3 bands + facilities", reach_times);

    let router = naermiljo::http::router(state.clone());
    let mut http_times = Vec::new();
    for &(_, at) in &origins {
        let uri = format!("/api/reach?lon={}&lat={}&minutes=15", at.lon, at.lat);
        let started = Instant::now();
        let response = router
            .clone()
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        std::hint::black_box(response.into_body().collect().await.unwrap().to_bytes());
        http_times.push(started.elapsed());
    }
    report("/api/reach 15 min through the router + JSON", http_times);
}
