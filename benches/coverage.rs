//! Coverage timings on the Oslo graph and addresses: every address × one kind, all kinds,
//! and a scenario. With `BENCH_EXPORT=DIR` it also writes the graph, the facilities' nodes
//! and the addresses' nodes for scripts/pandana_coverage.py, and our node-to-node times for
//! the same question, so that the two can be compared address by address.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use naermiljo::coverage::{self, HORIZON_S, Proposed};
use naermiljo::domain::{FacilityKind, KindFilter};
use naermiljo::routing::search::{Search, Seed};
use naermiljo::routing::{NodeId, Profile};
use naermiljo::store::{SqliteStore, Store};

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    format!(
        "n={:<3} p50 {:>7.3} ms  p99 {:>7.3} ms",
        v.len(),
        p(0.5),
        p(0.99)
    )
}

#[tokio::main]
async fn main() {
    let shared = std::env::var("NAERMILJO_SHARED_DATA").unwrap_or_else(|_| "../shared/data".into());
    let pbf = std::path::Path::new(&shared).join("oslo_fallback/oslo-center.osm.pbf");
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("bench.sqlite"))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let cmd = naermiljo::cli::ImportCommand::osm(pbf);
    naermiljo::cli::import(&store, cmd, &indicatif::ProgressBar::hidden())
        .await
        .unwrap();
    let s = naermiljo::index::Snapshot::build(store.load().await.unwrap());
    let walk = s.walk.as_ref().unwrap();
    let g = &walk.network.graph;
    println!(
        "{} addresses, {} facilities, graph {} nodes",
        s.addresses.len(),
        s.facilities.len(),
        g.node_count()
    );

    // Uncached: the search from every facility of the kind, each time (coverage::times_from);
    // the API keeps the result per snapshot, so only a snapshot's first request pays this.
    let sources = |kind: FacilityKind| -> Vec<naermiljo::routing::snap::Snapped> {
        s.facilities
            .iter()
            .zip(&walk.facility_snaps)
            .filter(|(f, _)| f.kind == kind)
            .filter_map(|(_, p)| p.any)
            .collect()
    };
    let playground = KindFilter::parse("playground").unwrap();
    let playgrounds = sources(FacilityKind::Playground);
    let mut one_kind = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        std::hint::black_box(coverage::times_from(
            walk,
            &playgrounds,
            &walk.address_snaps,
            Profile::Walk,
            None,
        ));
        one_kind.push(started.elapsed());
    }
    println!(
        "all addresses × playgrounds (edge-exact)   {}",
        stats(one_kind)
    );

    let per_kind: Vec<_> = FacilityKind::ALL.iter().map(|k| sources(*k)).collect();
    let mut all_kinds = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        for places in &per_kind {
            std::hint::black_box(coverage::times_from(
                walk,
                places,
                &walk.address_snaps,
                Profile::Walk,
                None,
            ));
        }
        all_kinds.push(started.elapsed());
    }
    println!(
        "all addresses × each of the 13 kinds       {}",
        stats(all_kinds)
    );
    let mut all_parallel = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        std::hint::black_box(
            coverage::times_per_kind(&s, &FacilityKind::ALL, Profile::Walk).unwrap(),
        );
        all_parallel.push(started.elapsed());
    }
    println!(
        "all 13 kinds, searches on every core       {}",
        stats(all_parallel)
    );

    let mut table = Vec::new();
    let times = coverage::address_times(&s, &playground, Profile::Walk, &[], &[]).unwrap();
    for _ in 0..50 {
        let started = Instant::now();
        std::hint::black_box(coverage::aggregate(&s, &times, 10, Profile::Walk));
        table.push(started.elapsed());
    }
    println!(
        "per-district table from the times          {}",
        stats(table)
    );

    // Scenarios start from the cached baseline (computed once here) and search only from
    // the added playground.
    coverage::address_times(&s, &playground, Profile::Walk, &[], &[]).unwrap();
    let mut scenario = Vec::new();
    for k in 0..50 {
        let a = &s.addresses[k * 251 % s.addresses.len()];
        let started = Instant::now();
        let after = coverage::address_times(
            &s,
            &playground,
            Profile::Walk,
            &[Proposed {
                position: a.position,
            }],
            &[],
        )
        .unwrap();
        std::hint::black_box(coverage::aggregate(&s, &after, 10, Profile::Walk));
        scenario.push(started.elapsed());
    }
    println!(
        "scenario: one playground added, table      {}",
        stats(scenario)
    );
    let mut closing = Vec::new();
    let ids: Vec<i64> = s
        .facilities
        .iter()
        .filter(|f| f.kind == FacilityKind::Playground)
        .map(|f| f.id)
        .collect();
    for id in ids.iter().take(20) {
        let started = Instant::now();
        let after = coverage::address_times(&s, &playground, Profile::Walk, &[], &[*id]).unwrap();
        std::hint::black_box(coverage::aggregate(&s, &after, 10, Profile::Walk));
        closing.push(started.elapsed());
    }
    println!(
        "scenario: one playground closed, table     {}",
        stats(closing)
    );

    // Node-to-node times for pandana's question: sources at each facility's nearest node,
    // targets at each address's nearest node.
    let Ok(out) = std::env::var("BENCH_EXPORT") else {
        return;
    };
    let out = std::path::Path::new(&out);
    let nearest = |p: naermiljo::domain::LonLat| {
        let snap = walk.network.snap(p, Profile::Walk, 500.0)?;
        Some(if snap.fraction < 0.5 {
            g.tail(snap.edge)
        } else {
            g.head(snap.edge)
        })
    };
    let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("nodes.csv")).unwrap());
    writeln!(w, "id,x,y").unwrap();
    for n in 0..g.node_count() as u32 {
        let [x, y] = g.xy(NodeId(n));
        writeln!(w, "{n},{x},{y}").unwrap();
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("edges.csv")).unwrap());
    writeln!(w, "from,to,seconds").unwrap();
    for e in g.segments() {
        writeln!(
            w,
            "{},{},{}",
            g.tail(e).0,
            g.head(e).0,
            g.length_m(e) / Profile::Walk.speed_mps()
        )
        .unwrap();
    }
    let kinds: BTreeMap<&str, Vec<u32>> = FacilityKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str(),
                s.facilities
                    .iter()
                    .filter(|f| f.kind == *k)
                    .filter_map(|f| nearest(f.position))
                    .map(|n| n.0)
                    .collect(),
            )
        })
        .collect();
    let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("pois.csv")).unwrap());
    writeln!(w, "kind,node").unwrap();
    for (kind, nodes) in &kinds {
        for n in nodes {
            writeln!(w, "{kind},{n}").unwrap();
        }
    }
    let address_nodes: Vec<Option<NodeId>> =
        s.addresses.iter().map(|a| nearest(a.position)).collect();
    let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("ours.csv")).unwrap());
    writeln!(w, "kind,address_node,seconds").unwrap();
    let mut search = Search::new(g.node_count());
    let mut node_times = Vec::new();
    for (kind, nodes) in &kinds {
        let started = Instant::now();
        let seeds: Vec<Seed> = nodes
            .iter()
            .map(|&n| Seed {
                node: NodeId(n),
                cost_s: 0.0,
            })
            .collect();
        search.run(g, Profile::Walk, &seeds, HORIZON_S);
        let per_address: Vec<f64> = address_nodes
            .iter()
            .map(|n| n.map(|n| search.cost_or_inf(n)).unwrap_or(f64::INFINITY))
            .collect();
        node_times.push(started.elapsed());
        for (n, t) in address_nodes.iter().zip(per_address) {
            if let Some(n) = n {
                writeln!(
                    w,
                    "{kind},{},{}",
                    n.0,
                    if t.is_finite() {
                        t.to_string()
                    } else {
                        String::new()
                    }
                )
                .unwrap();
            }
        }
    }
    println!(
        "node-to-node, all addresses × one kind     {}",
        stats(node_times)
    );
}
