//! Walking on the real Oslo network: our searches against petgraph's Dijkstra on the
//! exported graph, isochrone polygons against the search, and the reach API.

use std::collections::HashMap;

use geo::{Contains, Distance, Euclidean};
use naermiljo::http::AppState;
use naermiljo::routing::export::{self, Format};
use naermiljo::routing::search::{Search, Seed};
use naermiljo::routing::{NodeId, Profile, WalkGraph, isochrone};
use petgraph::graph::{NodeIndex, UnGraph};

use crate::common::{TestStore, addresses, assert_problem, elverum_csv, get};

async fn fixture() -> &'static (TestStore, AppState) {
    crate::common::oslo().await
}

/// A small deterministic generator, so failures name a reproducible origin.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// The exported CSV, read back into petgraph: the same graph through a second engine.
fn petgraph_of(g: &WalkGraph, profile: Profile) -> UnGraph<(), f64> {
    let mut csv = Vec::new();
    export::write(g, profile, Format::Csv, &mut csv).unwrap();
    let text = String::from_utf8(csv).unwrap();
    let mut pg = UnGraph::<(), f64>::with_capacity(g.node_count(), g.edge_count() / 2);
    for _ in 0..g.node_count() {
        pg.add_node(());
    }
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (source, target): (usize, usize) = (f[1].parse().unwrap(), f[2].parse().unwrap());
        let cost: f64 = f[3].parse().unwrap();
        rows += 1;
        if cost >= 0.0 {
            pg.add_edge(NodeIndex::new(source - 1), NodeIndex::new(target - 1), cost);
        }
    }
    assert_eq!(rows, g.edge_count() / 2, "one CSV row per segment");
    pg
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_minute_searches_equal_petgraph_dijkstra() {
    let (_, state) = fixture().await;
    let s = state.snapshot.load();
    let g = &s
        .walk
        .as_ref()
        .expect("the Oslo import builds a walking graph")
        .network
        .graph;
    assert!(g.node_count() > 50_000, "{} nodes", g.node_count());
    let budget = 600.0;
    let mut rng = Lcg(2026);
    let mut search = Search::new(g.node_count());
    let mut compared = 0;
    for profile in [Profile::Walk, Profile::Wheelchair] {
        let pg = petgraph_of(g, profile);
        let origins = if profile == Profile::Walk { 50 } else { 10 };
        for _ in 0..origins {
            let origin = rng.below(g.node_count());
            search.run(
                g,
                profile,
                &[Seed {
                    node: NodeId(origin as u32),
                    cost_s: 0.0,
                }],
                budget,
            );
            let oracle =
                petgraph::algo::dijkstra(&pg, NodeIndex::new(origin), None, |e| *e.weight());
            let ours: HashMap<usize, f64> =
                search.reached().map(|(n, c)| (n.0 as usize, c)).collect();
            for (n, &c) in &ours {
                let want = oracle
                    .get(&NodeIndex::new(*n))
                    .copied()
                    .unwrap_or(f64::INFINITY);
                assert!(
                    (c - want).abs() < 1e-6,
                    "{profile:?} from {origin} to {n}: ours {c}, petgraph {want}"
                );
            }
            for (n, &want) in &oracle {
                if want <= budget - 1e-6 {
                    assert!(
                        ours.contains_key(&n.index()),
                        "{profile:?} from {origin}: {} missing ({want} s)",
                        n.index()
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 50_000, "only {compared} node costs compared");
}

#[tokio::test(flavor = "multi_thread")]
async fn isochrones_hold_the_reached_nodes_and_little_else() {
    let (_, state) = fixture().await;
    let s = state.snapshot.load();
    let walk = s.walk.as_ref().unwrap();
    let g = &walk.network.graph;
    let proj = *g.projection();
    let tolerance_in = isochrone::CELL_M;
    let tolerance_out = 2.0 * isochrone::CELL_M;
    let mut rng = Lcg(7);
    let mut checked_inside = 0;
    for _ in 0..12 {
        let a = &s.addresses[rng.below(s.addresses.len())];
        let Ok(reach) = walk.reach(&[], a.position, Profile::Walk, 10, &[5, 10], None, 500.0)
        else {
            continue;
        };
        walk.network.with_search(|g, search| {
            search.run(g, Profile::Walk, &reach.origin.seeds(g, Profile::Walk), 600.0);
            for (minutes, polygon) in &reach.bands {
                let limit = *minutes as f64 * 60.0;
                let metres = geo::MultiPolygon(
                    polygon.0.iter().map(|p| geo::MapCoords::map_coords(p, |c| {
                        let [x, y] = proj.project(naermiljo::domain::LonLat::new(c.x, c.y));
                        geo::Coord { x, y }
                    })).collect(),
                );
                // Segments walked within the band, in metres, for the "little else" side.
                let reached_segments: Vec<geo::Line<f64>> = g
                    .segments()
                    .filter(|&e| search.cost_or_inf(g.tail(e)).min(search.cost_or_inf(g.head(e))) <= limit)
                    .map(|e| {
                        let (p, q) = (proj.project(g.position(g.tail(e))), proj.project(g.position(g.head(e))));
                        geo::Line::new(geo::coord! { x: p[0], y: p[1] }, geo::coord! { x: q[0], y: q[1] })
                    })
                    .collect();
                for n in 0..g.node_count() as u32 {
                    let [x, y] = proj.project(g.position(NodeId(n)));
                    let point = geo::Point::new(x, y);
                    let inside = metres.contains(&point);
                    let cost = search.cost_or_inf(NodeId(n));
                    if cost <= limit {
                        checked_inside += 1;
                        assert!(
                            inside || Euclidean.distance(&metres, &point) <= tolerance_in,
                            "node {n} reached in {cost:.0} s lies outside the {minutes}-minute band from {}",
                            a.label()
                        );
                    } else if inside {
                        let nearest = reached_segments.iter().map(|l| Euclidean.distance(l, &point)).fold(f64::INFINITY, f64::min);
                        let near = nearest <= tolerance_out;
                        assert!(
                            near,
                            "node {n} ({cost:.0} s) lies inside the {minutes}-minute band from {}, {nearest:.1} m from the nearest reached path",
                            a.label()
                        );
                    }
                }
            }
        });
    }
    assert!(
        checked_inside > 10_000,
        "only {checked_inside} reached nodes checked"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reach_lists_facilities_by_walking_time_as_petgraph_computes_them() {
    let (_, state) = fixture().await;
    let s = state.snapshot.load();
    let walk = s.walk.as_ref().unwrap();
    let g = &walk.network.graph;
    let pg = petgraph_of(g, Profile::Walk);
    let speed = Profile::Walk.speed_mps();
    let mut rng = Lcg(99);
    for _ in 0..5 {
        // Start exactly at a node, so that the oracle starts at the same place.
        let origin = NodeId(rng.below(g.node_count()) as u32);
        let at = g.position(origin);
        let reply = get(
            state,
            &format!("/api/reach?lon={}&lat={}&minutes=15", at.lon, at.lat),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert!(
            reply.body["origin"]["properties"]["snap_distance_m"]
                .as_f64()
                .unwrap()
                < 0.01
        );
        let listed = reply.body["facilities"]["features"].as_array().unwrap();
        let seconds: Vec<u64> = listed
            .iter()
            .map(|f| f["properties"]["walk_seconds"].as_u64().unwrap())
            .collect();
        assert!(
            seconds.windows(2).all(|w| w[0] <= w[1]),
            "sorted by walking time"
        );
        assert_eq!(reply.body["bands"]["features"].as_array().unwrap().len(), 3);

        let oracle = petgraph::algo::dijkstra(&pg, NodeIndex::new(origin.0 as usize), None, |e| {
            *e.weight()
        });
        let cost = |n: NodeId| {
            oracle
                .get(&NodeIndex::new(n.0 as usize))
                .copied()
                .unwrap_or(f64::INFINITY)
        };
        let mut expected: Vec<(i64, f64)> = s
            .facilities
            .iter()
            .zip(&walk.facility_snaps)
            .filter_map(|(f, snap)| {
                // At the nearest of its placement and (an area) its entrances on the edge.
                let t = walk
                    .places(snap, naermiljo::routing::Profile::Walk)
                    .map(|at| {
                        let len = g.length_m(at.edge);
                        (cost(g.tail(at.edge)) + at.fraction * len / speed)
                            .min(cost(g.head(at.edge)) + (1.0 - at.fraction) * len / speed)
                    })
                    .fold(f64::INFINITY, f64::min);
                (t <= 900.0 - 0.5).then_some((f.id, t))
            })
            .collect();
        expected.sort_by(|a, b| a.1.total_cmp(&b.1));
        let listed_ids: std::collections::HashMap<i64, u64> = listed
            .iter()
            .map(|f| {
                (
                    f["id"].as_i64().unwrap(),
                    f["properties"]["walk_seconds"].as_u64().unwrap(),
                )
            })
            .collect();
        for (id, t) in &expected {
            let got = listed_ids
                .get(id)
                .unwrap_or_else(|| panic!("facility {id} ({t:.1} s) missing"));
            assert_eq!(*got, t.round() as u64, "facility {id}");
        }
        assert!(listed.len() >= expected.len() && listed.len() <= expected.len() + 3);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reach_limits_and_coverage_are_problems() {
    let (_, state) = fixture().await;
    let at = "lon=10.7522&lat=59.9139";
    let cases = [
        (
            format!("/api/reach?{at}&minutes=61"),
            400,
            "/problems/limit-exceeded",
        ),
        (
            format!("/api/reach?{at}&minutes=0"),
            400,
            "/problems/invalid-parameter",
        ),
        (
            format!("/api/reach?{at}&bands=1,2,3,4,5,6,7"),
            400,
            "/problems/limit-exceeded",
        ),
        (
            format!("/api/reach?{at}&minutes=10&bands=5,15"),
            400,
            "/problems/limit-exceeded",
        ),
        (
            format!("/api/isochrone?{at}&minutes=5,10,15,20,25,30,35"),
            400,
            "/problems/limit-exceeded",
        ),
        (
            format!("/api/isochrone?{at}&minutes=90"),
            400,
            "/problems/limit-exceeded",
        ),
        (
            format!("/api/reach?{at}&profile=car"),
            400,
            "/problems/invalid-parameter",
        ),
        (
            "/api/reach?lon=10.75".to_string(),
            400,
            "/problems/invalid-parameter",
        ),
        (
            "/api/reach?lon=10.75&lat=95".to_string(),
            400,
            "/problems/invalid-parameter",
        ),
        (
            "/api/reach?lon=11.5&lat=59.9".to_string(),
            422,
            "/problems/outside-coverage",
        ),
        (
            "/api/isochrone?lon=10.72&lat=59.80".to_string(),
            422,
            "/problems/outside-coverage",
        ),
    ];
    for (uri, status, kind) in cases {
        let reply = get(state, &uri).await;
        assert_problem(&reply, status);
        assert_eq!(reply.body["type"], kind, "{uri}");
    }

    let iso = get(state, &format!("/api/isochrone?{at}&minutes=10,5")).await;
    assert_eq!(iso.status, 200);
    let minutes: Vec<u64> = iso.body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["minutes"].as_u64().unwrap())
        .collect();
    assert_eq!(minutes, [10, 5], "largest band first");

    // Only kindergartens when asked.
    let k = get(state, &format!("/api/reach?{at}&kind=kindergarten")).await;
    let kinds: Vec<&str> = k.body["facilities"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["kind"].as_str().unwrap())
        .collect();
    assert!(!kinds.is_empty() && kinds.iter().all(|k| *k == "kindergarten"));

    // No network before an OSM import: a clear 503 that points to `build-graph`, since the
    // store has its addresses already (`import osm` would add OSM's on top).
    let t = TestStore::new().await;
    t.import(addresses(elverum_csv())).await.unwrap();
    let empty = t.state().await;
    let reply = get(&empty, "/api/reach?lon=11.56&lat=60.88").await;
    assert_problem(&reply, 503);
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("`naermiljo build-graph FILE.osm.pbf`"),
        "{detail}"
    );
    let health = get(&empty, "/healthz").await;
    assert_eq!(health.body["walking_network"], false);
    assert_eq!(
        health.body["sources"]["matrikkelen-3420"]["addresses"],
        empty.snapshot.load().addresses.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_minute_searches_equal_pgrouting_driving_distance() {
    let (t, state) = fixture().await;
    let s = state.snapshot.load();
    let g = &s.walk.as_ref().unwrap().network.graph;
    let db = crate::common::fresh_pg_database("walk").await;
    crate::common::tool(
        "psql",
        &[
            &db,
            "-v",
            "ON_ERROR_STOP=1",
            "-qAtc",
            "CREATE EXTENSION pgrouting CASCADE",
        ],
        None,
    );
    let budget = 600.0;
    let mut rng = Lcg(4242);
    let mut compared = 0usize;
    for (profile, origins) in [(Profile::Walk, 50), (Profile::Wheelchair, 10)] {
        let sql = t.dir.path().join(format!("walk-{}.sql", profile.as_str()));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&sql).unwrap());
        export::write(g, profile, Format::Sql, &mut out).unwrap();
        std::io::Write::flush(&mut out).unwrap();
        drop(out);
        crate::common::tool(
            "psql",
            &[
                &db,
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
                "-f",
                sql.to_str().unwrap(),
            ],
            None,
        );

        let starts: Vec<usize> = (0..origins).map(|_| rng.below(g.node_count())).collect();
        let ids: Vec<String> = starts.iter().map(|n| (n + 1).to_string()).collect();
        let query = format!(
            "SELECT from_v, node, agg_cost FROM pgr_drivingDistance(\
             'SELECT id, source, target, cost, reverse_cost FROM walk_edges', ARRAY[{}]::bigint[], {budget}, directed => false)",
            ids.join(",")
        );
        let rows = crate::common::tool(
            "psql",
            &[
                &db,
                "-v",
                "ON_ERROR_STOP=1",
                "-qAt",
                "-F",
                ",",
                "-c",
                &query,
            ],
            None,
        );
        let mut theirs: HashMap<usize, HashMap<usize, f64>> = HashMap::new();
        for row in rows.lines() {
            let f: Vec<&str> = row.split(',').collect();
            let (from, node, cost): (usize, usize, f64) = (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
            );
            theirs.entry(from - 1).or_default().insert(node - 1, cost);
        }
        let mut search = Search::new(g.node_count());
        for &origin in &starts {
            search.run(
                g,
                profile,
                &[Seed {
                    node: NodeId(origin as u32),
                    cost_s: 0.0,
                }],
                budget,
            );
            let ours: HashMap<usize, f64> =
                search.reached().map(|(n, c)| (n.0 as usize, c)).collect();
            let pg = theirs.remove(&origin).unwrap_or_default();
            for (n, c) in &pg {
                let mine = ours.get(n).copied();
                match mine {
                    Some(m) => assert!(
                        (m - c).abs() < 1e-6,
                        "{profile:?} from {origin} to {n}: ours {m}, pgRouting {c}"
                    ),
                    None => assert!(
                        *c > budget - 1e-6,
                        "{profile:?} from {origin}: {n} ({c} s) missing"
                    ),
                }
                compared += 1;
            }
            for (n, m) in &ours {
                assert!(
                    pg.contains_key(n) || *m > budget - 1e-6,
                    "{profile:?} from {origin}: {n} ({m} s) not in pgRouting's result"
                );
            }
        }
    }
    assert!(compared > 100_000, "only {compared} costs compared");
}

#[tokio::test(flavor = "multi_thread")]
async fn homes_and_facilities_are_placed_on_the_network_once() {
    let (_, state) = fixture().await;
    let s = state.snapshot.load();
    let walk = s.walk.as_ref().unwrap();
    assert_eq!(walk.address_snaps.len(), s.addresses.len());
    assert_eq!(walk.facility_snaps.len(), s.facilities.len());
    let placed = walk
        .address_snaps
        .iter()
        .filter(|p| p.any.is_some())
        .count();
    // Central Oslo is densely walkable: every home is near a path (a few may not be).
    assert!(
        placed as f64 > 0.99 * s.addresses.len() as f64,
        "{placed} of {} homes placed",
        s.addresses.len()
    );
    for (a, snap) in s.addresses.iter().zip(&walk.address_snaps).step_by(97) {
        let snap = snap.any.as_ref().unwrap();
        assert!(
            snap.distance_m <= 500.0 && (0.0..=1.0).contains(&snap.fraction),
            "{}: {snap:?}",
            a.label()
        );
        // The snapped point is no farther from the home than the segment's nearer end.
        let g = &walk.network.graph;
        let d = |p: naermiljo::domain::LonLat| {
            let (x, y) = (
                g.projection().project(p),
                g.projection().project(a.position),
            );
            (x[0] - y[0]).hypot(x[1] - y[1])
        };
        let ends = d(g.position(g.tail(snap.edge))).min(d(g.position(g.head(snap.edge))));
        assert!(
            snap.distance_m <= ends + 1e-6,
            "{}: snapped {} m, nearer end {ends} m",
            a.label(),
            snap.distance_m
        );
    }
    // Wheelchair placements never sit on steps.
    for snap in walk
        .facility_snaps
        .iter()
        .filter_map(|f| f.step_free.as_ref())
    {
        assert!(
            naermiljo::routing::Profile::Wheelchair.allows(walk.network.graph.flags(snap.edge))
        );
    }
}

/// Issue 16: homes nearest to footway fragments that join nothing (courtyard paths mapped
/// without their gate) are placed on the connected network, so every home of the extract
/// reaches a school within 60 minutes; coverage counts homes the network cannot connect.
#[tokio::test(flavor = "multi_thread")]
async fn homes_beside_path_fragments_reach_the_connected_network() {
    let (_, state) = fixture().await;
    let s = state.snapshot.load();
    let walk = s.walk.as_ref().unwrap();
    let g = &walk.network.graph;
    let parts = naermiljo::routing::snap::Components::new(g, naermiljo::routing::Profile::Walk);
    let moved: Vec<_> = walk
        .address_snaps
        .iter()
        .filter_map(|p| p.any.as_ref())
        .filter(|snap| snap.off_fragment)
        .collect();
    // Counted on this extract when the rule was written: 35 homes, on 17 fragments of 2 to
    // 18 nodes, each placed at most 53 m from its home.
    assert_eq!(moved.len(), 35);
    for snap in &moved {
        assert!(parts.is_large_at(g.tail(snap.edge)), "{snap:?}");
        assert!(snap.distance_m < 60.0, "{snap:?}");
    }
    assert!(
        walk.address_snaps
            .iter()
            .filter_map(|p| p.any.as_ref())
            .all(|p| !p.isolated)
    );

    let r = crate::common::get(state, "/api/coverage?kind=school&minutes=60&level=bydel").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let total = &r.body["total"];
    assert_eq!(total["addresses"], 13_227);
    assert_eq!(total["unreachable"], 0);
    assert_eq!(
        total["covered"], 13_227,
        "was 13,192 before homes left fragments: {total}"
    );
    let times = naermiljo::coverage::address_times(
        &s,
        &naermiljo::domain::KindFilter::parse("school").unwrap(),
        naermiljo::routing::Profile::Walk,
        &[],
        &[],
    )
    .unwrap();
    let csv = naermiljo::coverage::to_csv(&naermiljo::coverage::aggregate(
        &s,
        &times,
        60,
        naermiljo::routing::Profile::Walk,
    ));
    assert!(
        csv.lines().next().unwrap().contains(",unreachable,"),
        "{csv}"
    );
}
