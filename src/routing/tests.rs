//! Routing on small graphs drawn as ASCII maps, the way OSRM's and Valhalla's tests draw
//! them. Letters are nodes; `-` and `|` are paths, `=` and `H` are steps; every character
//! cell is `grid_m` metres, so expected times follow from counting cells.

use std::collections::HashMap;

use super::search::{Search, Seed};
use super::snap::{ISLAND_DETOUR_M, Snapped, Snapper};
use super::{EdgeFlags, GraphBuilder, LocalMetres, NodeId, Profile, WalkGraph, isochrone};
use crate::domain::LonLat;

struct Map {
    graph: WalkGraph,
    nodes: HashMap<char, NodeId>,
}

fn draw(grid_m: f64, ascii: &str) -> Map {
    let rows: Vec<Vec<char>> = ascii
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.chars().collect())
        .collect();
    let proj = LocalMetres::centred_on(LonLat::new(10.75, 59.91));
    let at = |col: usize, row: usize| {
        rows.get(row)
            .and_then(|r| r.get(col))
            .copied()
            .unwrap_or(' ')
    };
    let mut b = GraphBuilder::default();
    let mut nodes = HashMap::new();
    let mut ids = HashMap::new();
    for (row, line) in rows.iter().enumerate() {
        for (col, &c) in line.iter().enumerate() {
            if c.is_ascii_alphabetic() && c != 'H' {
                let id = b.add_node(proj.unproject([col as f64 * grid_m, -(row as f64) * grid_m]));
                nodes.insert(c, id);
                ids.insert((col, row), id);
            }
        }
    }
    // From each node, follow a path right and down to the next node.
    for (&(col, row), &from) in &ids {
        for (dc, dr, path, steps) in [(1, 0, '-', '='), (0, 1, '|', 'H')] {
            let (mut c, mut r, mut cells, mut flags) =
                (col + dc, row + dr, 1, EdgeFlags::default());
            loop {
                let ch = at(c, r);
                if ch == steps {
                    flags = EdgeFlags::STEPS;
                } else if ch != path {
                    break;
                }
                c += dc;
                r += dr;
                cells += 1;
            }
            if cells > 1
                && let Some(&to) = ids.get(&(c, r))
            {
                b.add_segment_with_length(from, to, cells as f64 * grid_m, flags);
            }
        }
    }
    Map {
        graph: b.build(),
        nodes,
    }
}

impl Map {
    fn search_from(&self, from: char, profile: Profile, max_s: f64) -> Search {
        let mut s = Search::new(self.graph.node_count());
        s.run(
            &self.graph,
            profile,
            &[Seed {
                node: self.nodes[&from],
                cost_s: 0.0,
            }],
            max_s,
        );
        s
    }

    fn time(&self, from: char, to: char, profile: Profile) -> Option<f64> {
        self.search_from(from, profile, 3600.0)
            .cost(self.nodes[&to])
    }
}

fn check(grid_m: f64, ascii: &str, cases: &[(char, char, Profile, Option<f64>)]) {
    let map = draw(grid_m, ascii);
    for &(from, to, profile, metres) in cases {
        let got = map.time(from, to, profile);
        let want = metres.map(|m| m / profile.speed_mps());
        match (got, want) {
            (Some(g), Some(w)) => assert!(
                (g - w).abs() < 1e-9,
                "{from}→{to} {profile:?}: {g} s, want {w} s"
            ),
            _ => assert_eq!(got, want, "{from}→{to} {profile:?}"),
        }
    }
}

#[test]
fn exact_walk_times_by_profile() {
    let map = "
a---b---c
        |
        d
";
    check(
        10.0,
        map,
        &[
            ('a', 'c', Profile::Walk, Some(80.0)),
            ('a', 'd', Profile::Walk, Some(100.0)),
            ('d', 'a', Profile::Slow, Some(100.0)),
            ('b', 'd', Profile::Wheelchair, Some(60.0)),
            ('a', 'a', Profile::Walk, Some(0.0)),
        ],
    );
    // 100 m at 5 km/h is 72 s.
    assert!((draw(10.0, map).time('a', 'd', Profile::Walk).unwrap() - 72.0).abs() < 1e-9);
}

#[test]
fn wheelchair_avoids_steps() {
    check(
        10.0,
        "
a==b
|  |
|  |
c--d
",
        &[
            ('a', 'b', Profile::Walk, Some(30.0)),
            ('a', 'b', Profile::Wheelchair, Some(90.0)),
        ],
    );
    check(
        10.0,
        "
a-b
  H
  c
",
        &[
            ('a', 'c', Profile::Walk, Some(40.0)),
            ('a', 'c', Profile::Wheelchair, None),
        ],
    );
}

#[test]
fn a_footbridge_is_the_only_way_across() {
    // The river runs between the rows; the footbridge is c|f.
    let ascii = "
a---b---c
        |
        |
        |
d---e---f
";
    check(
        20.0,
        ascii,
        &[
            ('a', 'd', Profile::Walk, Some(160.0 + 80.0 + 160.0)),
            ('b', 'e', Profile::Walk, Some(80.0 * 3.0)),
        ],
    );

    // The isochrone follows the bridge: d, 80 m from a as the crow flies but 400 m on foot,
    // is outside a 3-minute band (250 m) while b, c and f are inside.
    let map = draw(20.0, ascii);
    let search = map.search_from('a', Profile::Walk, 180.0);
    let bands = isochrone::bands(&map.graph, &search, Profile::Walk, None, &[3]);
    use geo::Contains;
    let inside = |c: char| {
        let p = map.graph.position(map.nodes[&c]);
        bands[0].1.contains(&geo::Point::new(p.lon, p.lat))
    };
    assert!(
        inside('a') && inside('b') && inside('c') && inside('f'),
        "{:?}",
        bands[0].1
    );
    assert!(!inside('d') && !inside('e'));
}

#[test]
fn one_way_streets_are_walked_both_ways() {
    let nodes: HashMap<i64, [f64; 2]> = [
        (1, [10.75, 59.91]),
        (2, [10.751, 59.91]),
        (3, [10.752, 59.91]),
    ]
    .into();
    let tags = [("highway", "residential"), ("oneway", "yes")];
    let flags = super::build::walk_flags(tags.iter().copied()).unwrap();
    let g = super::build::from_osm_ways(&nodes, &[(vec![1, 2, 3], flags)]);
    let mut s = Search::new(g.node_count());
    // Node 2 in the graph is OSM node 3, the end of the one-way street: walk back from it.
    s.run(
        &g,
        Profile::Walk,
        &[Seed {
            node: NodeId(2),
            cost_s: 0.0,
        }],
        3600.0,
    );
    assert!(s.cost(NodeId(0)).is_some());
}

#[test]
fn snapping_counts_the_part_of_the_edge_walked() {
    let map = draw(
        10.0,
        "
a---------b---c
",
    );
    let g = &map.graph;
    let snapper = Snapper::new(g);
    // A point 3 m off the path, 30 m from a.
    let proj = g.projection();
    let [ax, ay] = proj.project(g.position(map.nodes[&'a']));
    let p = proj.unproject([ax + 30.0, ay + 3.0]);
    let snapped = snapper.snap(g, p, Profile::Walk, 500.0).unwrap();
    assert!((snapped.distance_m - 3.0).abs() < 1e-6, "{snapped:?}");
    let mut s = Search::new(g.node_count());
    s.run(g, Profile::Walk, &snapped.seeds(g, Profile::Walk), 3600.0);
    let speed = Profile::Walk.speed_mps();
    assert!((s.cost(map.nodes[&'a']).unwrap() - 30.0 / speed).abs() < 1e-6);
    assert!((s.cost(map.nodes[&'c']).unwrap() - 110.0 / speed).abs() < 1e-6);
    // Too far from any path: no guess.
    assert!(
        snapper
            .snap(
                g,
                proj.unproject([ax + 30.0, ay + 600.0]),
                Profile::Walk,
                500.0
            )
            .is_none()
    );
}

#[test]
fn multi_source_search_takes_the_nearest_source() {
    let map = draw(
        10.0,
        "
a-----b-----c-d
",
    );
    let g = &map.graph;
    let mut s = Search::new(g.node_count());
    let seeds = [
        Seed {
            node: map.nodes[&'a'],
            cost_s: 0.0,
        },
        Seed {
            node: map.nodes[&'d'],
            cost_s: 0.0,
        },
    ];
    s.run(g, Profile::Walk, &seeds, 3600.0);
    let speed = Profile::Walk.speed_mps();
    assert!((s.cost(map.nodes[&'b']).unwrap() - 60.0 / speed).abs() < 1e-9);
    assert!((s.cost(map.nodes[&'c']).unwrap() - 20.0 / speed).abs() < 1e-9);
    // The budget bounds the search: nothing beyond it is reported.
    s.run(g, Profile::Walk, &seeds[..1], 50.0 / speed);
    assert!(s.cost(map.nodes[&'b']).is_none());
    assert_eq!(s.reached().count(), 1);
}

#[test]
fn a_home_beside_a_fragment_is_placed_on_the_street_and_a_true_island_is_marked() {
    // A street a–e and, 30 m below it (`.` rows are empty), a courtyard path f–g–h that
    // joins nothing.
    let map = draw(
        10.0,
        "
a-----b-----c-----d-----e
.
.
      f---g
          |
          h
",
    );
    let g = &map.graph;
    let snapper = Snapper::new(g);
    let proj = g.projection();
    let [fx, fy] = proj.project(g.position(map.nodes[&'f']));
    // 2 m below f–g: the courtyard path is nearest (2 m), the street 32 m away.
    let home = proj.unproject([fx + 20.0, fy - 2.0]);
    let snapped = snapper.snap(g, home, Profile::Walk, 500.0).unwrap();
    assert!(snapped.off_fragment && !snapped.isolated, "{snapped:?}");
    assert!((snapped.distance_m - 32.0).abs() < 0.01, "{snapped:?}");
    // Placed on b–c 80 m from a: the street's far end e (240 m) is 160 m away.
    let mut s = Search::new(g.node_count());
    s.run(g, Profile::Walk, &snapped.seeds(g, Profile::Walk), 3600.0);
    let speed = Profile::Walk.speed_mps();
    let got = s.cost(map.nodes[&'e']).unwrap() * speed;
    assert!((got - 160.0).abs() < 0.01, "{got} m");
    assert!(
        s.cost(map.nodes[&'f']).is_none(),
        "the fragment stays unreached"
    );

    // The same map at 100 m a cell: the street is 300 m away, beyond the detour allowed,
    // so the home stays on the fragment and is marked isolated.
    let far = draw(
        100.0,
        "
a-----b-----c-----d-----e
.
.
      f---g
          |
          h
",
    );
    let g = &far.graph;
    let snapper = Snapper::new(g);
    let proj = g.projection();
    let [fx, fy] = proj.project(g.position(far.nodes[&'f']));
    let snapped = snapper
        .snap(
            g,
            proj.unproject([fx + 20.0, fy - 2.0]),
            Profile::Walk,
            500.0,
        )
        .unwrap();
    assert!(snapped.isolated && !snapped.off_fragment, "{snapped:?}");
    assert!((snapped.distance_m - 2.0).abs() < 0.01);
    // A home nearest the street is on the large part, neither moved nor isolated.
    let [ax, ay] = proj.project(g.position(far.nodes[&'a']));
    let snapped = snapper
        .snap(
            g,
            proj.unproject([ax + 50.0, ay + 5.0]),
            Profile::Walk,
            500.0,
        )
        .unwrap();
    assert!(!snapped.isolated && !snapped.off_fragment, "{snapped:?}");
}

#[test]
fn one_walk_of_the_index_snaps_each_profile_by_the_island_rule() {
    // A street and, three rows below it, a courtyard path that joins nothing, entered by
    // steps (`=`) that wheelchairs may not use: a small part for both profiles, and near the
    // steps the nearest usable segment differs by profile. At 10 m a cell the street is near
    // enough to leave the fragment for it; at 60 m it is beyond the detour allowed.
    let drawing = "
a---b---c---d---e---f
.
.
    g===h---i
            |
            j
";
    let (mut differ, mut moved, mut isolated_beside_street) = (0, 0, 0);
    for cell in [10.0, 60.0] {
        let map = draw(cell, drawing);
        let g = &map.graph;
        let snapper = Snapper::new(g);
        let proj = g.projection();
        // What a snap is, stated on every usable segment within reach (an envelope query,
        // not the nearest-neighbour walk `snap_each` makes): the nearest if it is on a large
        // part, else the first on a large part at most ISLAND_DETOUR_M farther, else the
        // nearest.
        let rule = |p: LonLat, profile: Profile, max: f64| {
            let near = snapper.within(g, p, profile, max);
            let large = |s: &&Snapped| snapper.parts(profile).is_large_at(g.tail(s.edge));
            let nearest = near.first()?;
            let (s, isolated, off_fragment) = if large(&nearest) {
                (nearest, false, false)
            } else {
                match near
                    .iter()
                    .take_while(|s| s.distance_m <= nearest.distance_m + ISLAND_DETOUR_M)
                    .find(large)
                {
                    Some(s) => (s, false, true),
                    None => (nearest, true, false),
                }
            };
            Some((s.point, s.distance_m, isolated, off_fragment))
        };
        type Pick = Option<(LonLat, f64, bool, bool)>;
        let close = |a: Pick, b: Pick| match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                (a.0.lon - b.0.lon).abs() < 1e-9
                    && (a.0.lat - b.0.lat).abs() < 1e-9
                    && (a.1 - b.1).abs() < 1e-6
                    && (a.2, a.3) == (b.2, b.3)
            }
            _ => false,
        };
        let [ax, ay] = proj.project(g.position(map.nodes[&'a']));
        for i in -2..25 {
            for j in -9..3 {
                let xy = [
                    ax + 0.9 * cell * i as f64 + 0.3,
                    ay + 0.7 * cell * j as f64 + 0.2,
                ];
                let p = proj.unproject(xy);
                for max in [15.0, 500.0] {
                    let profiles = [Profile::Walk, Profile::Wheelchair];
                    let got = snapper
                        .snap_each(g, p, profiles, max)
                        .map(|s| s.map(|s| (s.point, s.distance_m, s.isolated, s.off_fragment)));
                    for (k, profile) in profiles.into_iter().enumerate() {
                        let want = rule(p, profile, max);
                        assert!(
                            close(got[k], want),
                            "{profile:?} at {p:?} within {max} m, {cell} m a cell: {:?}, not {want:?}",
                            got[k]
                        );
                    }
                    differ += usize::from(!close(got[0], got[1]));
                    moved += got.iter().flatten().filter(|s| s.3).count();
                    if cell == 60.0 && max == 500.0 {
                        isolated_beside_street += got.iter().flatten().filter(|s| s.2).count();
                    }
                }
            }
        }
    }
    assert!(
        differ > 20,
        "the profiles chose differently at only {differ} points"
    );
    assert!(moved > 5, "moved off the fragment at only {moved} points");
    assert!(
        isolated_beside_street > 5,
        "kept on the fragment with the street beyond the detour at only {isolated_beside_street} points"
    );
}
