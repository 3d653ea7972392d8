//! Coverage at the size of Norway on one machine: a synthetic street grid of about 10 million
//! nodes (3,163 × 3,163 crossings 50 m apart, one street in 20 missing so that blocks vary),
//! 2.6 million homes and 6,000 facilities, placed on the network, then every home's walking
//! time to the nearest facility. Prints the time of each step and the peak memory.
//! `SCALE_SIDE` changes the grid's side (default 3163).

use std::time::Instant;

use naermiljo::coverage;
use naermiljo::domain::{Address, Facility, FacilityKind, LonLat, SourceRef};
use naermiljo::index::WalkIndex;
use naermiljo::routing::{EdgeFlags, GraphBuilder, LocalMetres, Profile};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap().parse::<f64>().unwrap())
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn main() {
    let side: usize = std::env::var("SCALE_SIDE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3163);
    let spacing_m = 50.0;
    let proj = LocalMetres::centred_on(LonLat::new(10.0, 62.0));
    let at = |x: f64, y: f64| {
        proj.unproject([
            x - side as f64 * spacing_m / 2.0,
            y - side as f64 * spacing_m / 2.0,
        ])
    };

    let started = Instant::now();
    let mut b = GraphBuilder::default();
    let mut ids = Vec::with_capacity(side * side);
    for j in 0..side {
        for i in 0..side {
            ids.push(b.add_node(at(i as f64 * spacing_m, j as f64 * spacing_m)));
        }
    }
    let mut x: u64 = 1;
    let mut rnd = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        x >> 33
    };
    for j in 0..side {
        for i in 0..side {
            if i + 1 < side && rnd() % 20 != 0 {
                b.add_segment_with_length(
                    ids[j * side + i],
                    ids[j * side + i + 1],
                    spacing_m,
                    EdgeFlags::default(),
                );
            }
            if j + 1 < side && rnd() % 20 != 0 {
                b.add_segment_with_length(
                    ids[j * side + i],
                    ids[(j + 1) * side + i],
                    spacing_m,
                    EdgeFlags::default(),
                );
            }
        }
    }
    let graph = b.build();
    println!(
        "grid {side}×{side}: {} nodes, {} segments, {:.0} MB of graph arrays; built in {:.1} s",
        graph.node_count(),
        graph.edge_count() / 2,
        graph.memory_bytes() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let homes = side * side * 26 / 100;
    let extent = side as f64 * spacing_m;
    let point = |rnd: &mut dyn FnMut() -> u64| {
        let (u, v) = (
            (rnd() % 1_000_000) as f64 / 1e6,
            (rnd() % 1_000_000) as f64 / 1e6,
        );
        at(u * extent, v * extent)
    };
    let source = |k: usize| SourceRef {
        source: "scale".into(),
        source_id: k.to_string(),
    };
    let addresses: Vec<Address> = (0..homes)
        .map(|k| Address {
            id: k as i64 + 1,
            street: String::new(),
            number: String::new(),
            postcode: None,
            city: None,
            municipality_code: None,
            grunnkrets_code: None,
            grunnkrets_name: None,
            position: point(&mut rnd),
            access: None,
            source: source(k),
        })
        .collect();
    let facilities: Vec<Facility> = (0..6000)
        .map(|k| Facility {
            id: k as i64 + 1,
            kind: FacilityKind::Playground,
            name: None,
            position: point(&mut rnd),
            address: None,
            wheelchair: None,
            opening_hours: None,
            source: source(k),
            properties: Default::default(),
            area: None,
        })
        .collect();

    let started = Instant::now();
    let walk = WalkIndex::new(graph, &facilities, &addresses);
    println!(
        "{homes} homes and {} facilities placed on the network (segment R-tree, two profiles) in {:.1} s",
        facilities.len(),
        started.elapsed().as_secs_f64()
    );
    let sources: Vec<_> = walk.facility_snaps.iter().filter_map(|p| p.any).collect();
    for run in 0..3 {
        let started = Instant::now();
        let (_, times) =
            coverage::times_from(&walk, &sources, &walk.address_snaps, Profile::Walk, None);
        let covered = times.iter().filter(|t| **t <= 600.0).count();
        println!(
            "run {run}: every home × nearest of 6,000 facilities in {:.2} s ({:.1} % within 10 min)",
            started.elapsed().as_secs_f64(),
            100.0 * covered as f64 / homes as f64
        );
    }
    println!("peak memory (VmHWM): {:.0} MB", peak_rss_mb());
}
