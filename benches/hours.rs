//! Opening hours (issue 18): what `open_now` and `next_change` add to a 15-minute reach
//! through the router. Two stores hold the Oslo extract; in one, every facility is given
//! opening hours (the extract's own values, cycled), in the other none. The same seeded
//! origins are asked of both; the difference of the medians is what the hours cost.
//! Writes the values, 50 instants over a year and our states to `$BENCH_HOURS_OUT` (JSON)
//! so that scripts/bench-hours can ask opening_hours.js, the reference implementation.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use naermiljo::hours::{Hours, OpenState};
use tower::ServiceExt;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn state_with(
    data: &naermiljo::import::osm::OsmData,
    hours: Option<&[String]>,
    dir: &std::path::Path,
) -> naermiljo::http::AppState {
    let store = naermiljo::store::SqliteStore::open(&dir.join("bench.sqlite"))
        .await
        .unwrap();
    naermiljo::store::Store::migrate(&store).await.unwrap();
    let mut facilities = data.facilities.clone();
    for (k, f) in facilities.iter_mut().enumerate() {
        f.opening_hours = hours.map(|h| h[k % h.len()].clone());
    }
    let graph = &data.walk_graph;
    naermiljo::store::Store::apply_import(
        &store,
        naermiljo::store::ImportBatch {
            importer: "osm".into(),
            source: "bench".into(),
            file: "bench".into(),
            facilities: Some(facilities),
            addresses: Some(data.addresses.clone()),
            walk_graph: Some(naermiljo::store::GraphBlob {
                nodes: graph.node_count() as u64,
                edges: graph.edge_count() as u64,
                data: graph.to_bytes(),
            }),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let settings = naermiljo::config::Settings::new(dir.to_path_buf());
    naermiljo::app::build_state(&settings, std::sync::Arc::new(store))
        .await
        .unwrap()
}

async fn reach_times(
    state: &naermiljo::http::AppState,
    origins: &[(f64, f64)],
) -> (Vec<Duration>, usize) {
    let mut times = Vec::new();
    let mut facilities = 0;
    for round in 0..3 {
        for (lon, lat) in origins {
            let uri = format!("/api/reach?lon={lon}&lat={lat}&minutes=15");
            let started = Instant::now();
            let r = naermiljo::http::router(state.clone())
                .oneshot(
                    Request::get(uri)
                        .header("host", "bench")
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            let bytes = r.into_body().collect().await.unwrap().to_bytes();
            let elapsed = started.elapsed();
            if round == 0 {
                let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                facilities += body["facilities"]["numberReturned"].as_u64().unwrap_or(0) as usize;
            } else {
                times.push(elapsed);
            }
        }
    }
    times.sort();
    (times, facilities / origins.len())
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
    let data = naermiljo::import::osm::read(&pbf, &indicatif::ProgressBar::hidden()).unwrap();
    let values: Vec<String> = {
        let mut v: Vec<String> = data
            .facilities
            .iter()
            .filter_map(|f| f.opening_hours.clone())
            .filter(|t| Hours::parse(t, None).is_ok())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    println!(
        "Oslo extract: {} facilities, {} distinct readable opening_hours values",
        data.facilities.len(),
        values.len()
    );

    // Origins: seeded addresses near the middle of the extract (15 minutes reach many).
    let mut x: u64 = 2026;
    let mut origins = Vec::new();
    while origins.len() < 100 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let a = &data.addresses[(x >> 33) as usize % data.addresses.len()];
        origins.push((a.position.lon, a.position.lat));
    }
    let with_dir = tempfile::tempdir().unwrap();
    let without_dir = tempfile::tempdir().unwrap();
    let with = state_with(&data, Some(&values), with_dir.path()).await;
    let without = state_with(&data, None, without_dir.path()).await;
    let (a, n) = reach_times(&with, &origins).await;
    let (b, _) = reach_times(&without, &origins).await;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "15-minute reach, {} queries each, {n} facilities per answer on average:",
        a.len()
    );
    println!(
        "  every facility with hours: p50 {:.3} ms  p99 {:.3} ms",
        ms(percentile(&a, 0.5)),
        ms(percentile(&a, 0.99))
    );
    println!(
        "  no facility with hours:    p50 {:.3} ms  p99 {:.3} ms",
        ms(percentile(&b, 0.5)),
        ms(percentile(&b, 0.99))
    );
    println!(
        "  added by the hours (p50):  {:.3} ms",
        ms(percentile(&a, 0.5)) - ms(percentile(&b, 0.5))
    );

    // Every value, unshared: what one facility's state and next change cost.
    let start = naermiljo::hours::parse_time("2026-12-01T00:00").unwrap();
    let instants: Vec<jiff::ZonedDateTime> = (0..50)
        .map(|k| {
            start
                .checked_add(jiff::SignedDuration::from_mins(k * 10_513))
                .unwrap()
        })
        .collect();
    let read: Vec<Hours> = values
        .iter()
        .map(|t| Hours::parse(t, Some(naermiljo::domain::LonLat::new(10.75, 59.91))).unwrap())
        .collect();
    let started = Instant::now();
    for at in &instants {
        for h in &read {
            std::hint::black_box((h.state(at), h.next_change(at)));
        }
    }
    let each = started.elapsed() / (instants.len() * read.len()) as u32;
    println!(
        "one value's state and next change: {:.2} µs (each value evaluated once per request)",
        each.as_secs_f64() * 1e6
    );

    if let Ok(out) = std::env::var("BENCH_HOURS_OUT") {
        let rows: Vec<serde_json::Value> = values
            .iter()
            .zip(&read)
            .map(|(text, h)| {
                let ours: Vec<&str> = instants
                    .iter()
                    .map(|i| match h.state(i) {
                        OpenState::Open => "open",
                        OpenState::Closed => "closed",
                        OpenState::Unknown => "unknown",
                    })
                    .collect();
                serde_json::json!({ "value": text, "lon": 10.75, "lat": 59.91, "ours": ours })
            })
            .collect();
        let instants: Vec<String> = instants
            .iter()
            .map(|i| i.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
            .collect();
        std::fs::write(
            out,
            serde_json::json!({ "instants": instants, "rows": rows }).to_string(),
        )
        .unwrap();
    }
}
