//! Nature (issue 22) on the Oslo demo: what the nature areas add to reading the extract and
//! to building the snapshot, and the share of all homes within 5 minutes of each of the four
//! nature questions (uncached: the search from every entrance; cached: what a second request
//! costs). `cargo bench --bench nature` (scripts/bench-nature).

use std::time::{Duration, Instant};

use naermiljo::coverage::nature::{compute, nature_times};
use naermiljo::domain::nature::NatureTarget;
use naermiljo::routing::Profile;
use naermiljo::store::{SqliteStore, Store};

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    format!(
        "n={:<3} p50 {:>8.3} ms  p99 {:>8.3} ms",
        v.len(),
        p(0.5),
        p(0.99)
    )
}

#[tokio::main]
async fn main() {
    let shared = std::env::var("NAERMILJO_SHARED_DATA").unwrap_or_else(|_| {
        panic!("NAERMILJO_SHARED_DATA is not set: point it at the folder with oslo_fallback/")
    });
    let pbf = std::path::Path::new(&shared).join("oslo_fallback/oslo-center.osm.pbf");

    let (mut read, mut nature) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        let started = Instant::now();
        let data = naermiljo::import::osm::read(&pbf, &indicatif::ProgressBar::hidden()).unwrap();
        read.push(started.elapsed());
        nature.push(data.nature_time);
    }
    println!(
        "read the extract (whole OSM pass)          {}",
        stats(read.clone())
    );
    println!(
        "  of which assembling the nature areas     {}",
        stats(nature.clone())
    );

    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("bench.sqlite"))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let started = Instant::now();
    naermiljo::cli::import(
        &store,
        naermiljo::cli::ImportCommand::osm(pbf.clone()),
        &indicatif::ProgressBar::hidden(),
    )
    .await
    .unwrap();
    println!(
        "import osm into an empty SQLite store       {:.1} ms (once)",
        started.elapsed().as_secs_f64() * 1e3
    );
    let contents = store.load().await.unwrap();
    let mut builds = Vec::new();
    let mut s = None;
    for _ in 0..5 {
        let c = store.load().await.unwrap();
        let started = Instant::now();
        s = Some(naermiljo::index::Snapshot::build(c));
        builds.push(started.elapsed());
    }
    let s = s.unwrap();
    println!(
        "build the snapshot (all of it)             {}",
        stats(builds)
    );
    let walk = s.walk.as_ref().unwrap();
    let mut entrances = Vec::new();
    for _ in 0..5 {
        let mut w = naermiljo::index::WalkIndex::new(
            walk.network.graph.clone(),
            &s.facilities,
            &s.addresses,
        );
        let started = Instant::now();
        let homes = naermiljo::index::point_tree(s.addresses.iter().map(|a| a.position.as_array()));
        w.place_nature(&contents.nature, &homes);
        entrances.push(started.elapsed());
    }
    println!(
        "  finding the nature areas' entrances      {}",
        stats(entrances)
    );
    let n_entrances: usize = walk.nature_entrances.iter().map(|e| e.any.len()).sum();
    println!(
        "{} homes, {} nature areas, {} entrances (walk)",
        s.addresses.len(),
        s.nature.len(),
        n_entrances
    );

    let mut all_four = Vec::new();
    for _ in 0..30 {
        let started = Instant::now();
        for t in NatureTarget::ALL {
            std::hint::black_box(compute(&s, t, Profile::Walk));
        }
        all_four.push(started.elapsed());
    }
    println!(
        "all homes × the four questions, uncached   {}",
        stats(all_four)
    );
    for t in NatureTarget::ALL {
        let mut one = Vec::new();
        for _ in 0..30 {
            let started = Instant::now();
            std::hint::black_box(compute(&s, t, Profile::Walk));
            one.push(started.elapsed());
        }
        let times = nature_times(&s, t, Profile::Walk, &[]).unwrap();
        let within = times.iter().filter(|&&x| x <= 300.0).count();
        println!(
            "  {:<10} {}   share within 5 min {:.4}",
            t.as_str(),
            stats(one),
            within as f64 / times.len() as f64
        );
    }
    let mut cached = Vec::new();
    for _ in 0..100 {
        let started = Instant::now();
        for t in NatureTarget::ALL {
            std::hint::black_box(nature_times(&s, t, Profile::Walk, &[]).unwrap());
        }
        cached.push(started.elapsed());
    }
    println!(
        "all homes × the four questions, cached     {}",
        stats(cached)
    );
}
