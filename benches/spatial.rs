//! The same spatial question, "which addresses lie in this 1 km² box", answered by the
//! snapshot's R-tree and by PostGIS (GiST index, `ST_Intersects(geom, ST_MakeEnvelope(…))`, a prepared
//! statement through sqlx), on the same Oslo data, query by query.

use std::time::{Duration, Instant};

use naermiljo::domain::Bbox;
use naermiljo::store::{PostgisStore, SqliteStore, Store};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn pct(mut v: Vec<Duration>, p: f64) -> f64 {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e6
}

#[tokio::main]
async fn main() {
    let shared = std::env::var("NAERMILJO_SHARED_DATA").unwrap_or_else(|_| "../shared/data".into());
    let pbf = std::path::Path::new(&shared).join("oslo_fallback/oslo-center.osm.pbf");
    let url = std::env::var("NAERMILJO_TEST_PG")
        .expect("set NAERMILJO_TEST_PG (scripts/bench-postgis starts a cluster)");
    let queries: usize = std::env::var("BENCH_QUERIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);

    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::open(&dir.path().join("bench.sqlite"))
        .await
        .unwrap();
    sqlite.migrate().await.unwrap();
    let postgis = PostgisStore::connect(&url, 4, "naermiljo-bench")
        .await
        .unwrap();
    postgis.migrate().await.unwrap();
    for store in [&sqlite as &dyn Store, &postgis as &dyn Store] {
        let cmd = naermiljo::cli::ImportCommand::osm(pbf.clone());
        naermiljo::cli::import(store, cmd, &indicatif::ProgressBar::hidden())
            .await
            .unwrap();
    }
    sqlx::query("ANALYZE addresses")
        .execute(postgis.pool())
        .await
        .unwrap();
    let snapshot = naermiljo::index::Snapshot::build(sqlite.load().await.unwrap());

    // 1 km × 1 km boxes at seeded random places inside the extract.
    let mut x: u64 = 7;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let boxes: Vec<Bbox> = (0..queries)
        .map(|_| {
            let (lon, lat) = (10.72 + next() * 0.04, 59.90 + next() * 0.03);
            Bbox {
                min_lon: lon,
                min_lat: lat,
                max_lon: lon + 0.017966,
                max_lat: lat + 0.008983,
            }
        })
        .collect();

    let mut conn = postgis.pool().acquire().await.unwrap();
    // `&&` alone compares float4 boxes and lets points just outside through; ST_Intersects
    // uses the same GiST index and then checks exactly, as the R-tree does.
    let sql = "SELECT id FROM addresses WHERE ST_Intersects(geom, ST_MakeEnvelope($1, $2, $3, $4, 4326)) ORDER BY id";
    // Each side answers all boxes in its own loop, as each would serve a stream of
    // requests; then the answers are compared box by box.
    let mut theirs = Vec::new();
    let mut pg_answers = Vec::new();
    for b in &boxes {
        let started = Instant::now();
        let pg: Vec<i64> = sqlx::query_scalar(sql)
            .bind(b.min_lon)
            .bind(b.min_lat)
            .bind(b.max_lon)
            .bind(b.max_lat)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        theirs.push(started.elapsed());
        pg_answers.push(pg);
    }
    let mut ours = Vec::new();
    let mut our_answers = Vec::new();
    for b in &boxes {
        let started = Instant::now();
        let ids: Vec<i64> = snapshot
            .addresses_in(b)
            .iter()
            .map(|&i| snapshot.addresses[i as usize].id)
            .collect();
        ours.push(started.elapsed());
        our_answers.push(ids);
    }
    let mut matched = 0;
    for ((b, mine), pg) in boxes.iter().zip(&our_answers).zip(&pg_answers) {
        assert_eq!(mine, pg, "the two answers differ for {b:?}");
        matched += mine.len();
    }
    let ratios: Vec<f64> = ours
        .iter()
        .zip(&theirs)
        .map(|(o, t)| t.as_secs_f64() / o.as_secs_f64().max(1e-9))
        .collect();
    println!(
        "{} boxes of 1 km², {} addresses each on average; identical answers",
        boxes.len(),
        matched / boxes.len()
    );
    println!(
        "R-tree in memory      p50 {:>9.1} µs  p99 {:>9.1} µs",
        pct(ours.clone(), 0.5),
        pct(ours, 0.99)
    );
    println!(
        "PostGIS GiST via sqlx p50 {:>9.1} µs  p99 {:>9.1} µs",
        pct(theirs.clone(), 0.5),
        pct(theirs, 0.99)
    );
    println!(
        "ratio per query (PostGIS / R-tree): median {:.0}×, worst {:.0}×",
        median(ratios.clone()),
        ratios.iter().cloned().fold(f64::INFINITY, f64::min)
    );
}
