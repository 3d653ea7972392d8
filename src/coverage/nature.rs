//! Nature coverage (issue 22): every home's walking time to the nearest edge of a nature
//! area that answers a [`NatureTarget`] (a green area of at least 0.5 ha or 1 ha, the forest
//! edge, a shore), and the same with drawn areas added (a new park).
//!
//! A home inside such an area is in it: 0 seconds. Otherwise one multi-source search from
//! every entrance of every matching area (the network's points by its edge,
//! `WalkIndex::nature_entrances`), cached per target and profile with the snapshot.

use geo::{BoundingRect, Contains};

use super::{CoverageError, times_from};
use crate::domain::LonLat;
use crate::domain::nature::{NatureArea, NatureGeometry, NatureTarget};
use crate::index::Snapshot;
use crate::index::walk::{EDGE_TOUCH_M, Entrances, NatureBaseline};
use crate::routing::Profile;
use crate::routing::snap::Snapped;

/// At most this many entrances are looked for along a drawn area's edge.
const MAX_DRAWN_ENTRANCES: usize = 4096;

/// Per address: seconds to the nearest edge of an area answering `target`, 0 inside one,
/// infinite beyond the horizon or off the network. `added` are drawn areas (lon/lat) that
/// count as new green areas, forest or shore for this question.
pub fn nature_times(
    s: &Snapshot,
    target: NatureTarget,
    profile: Profile,
    added: &[geo::MultiPolygon<f64>],
) -> Result<Vec<f64>, CoverageError> {
    let walk = s.walk.as_ref().ok_or(CoverageError::NoNetwork)?;
    let baseline = {
        let cached = walk
            .nature_baselines
            .lock()
            .expect("nature baseline lock")
            .get(&(target, profile))
            .cloned();
        match cached {
            Some(b) => b,
            None => {
                let b = std::sync::Arc::new(compute(s, target, profile));
                walk.nature_baselines
                    .lock()
                    .expect("nature baseline lock")
                    .insert((target, profile), b.clone());
                b
            }
        }
    };
    if added.is_empty() {
        return Ok(baseline.address_times.clone());
    }
    let mut seeds: Vec<Snapped> = Vec::new();
    for (index, area) in added.iter().enumerate() {
        let rings: Vec<&geo::LineString<f64>> = area.0.iter().map(|p| p.exterior()).collect();
        let found = Entrances::along(&walk.network, &rings, EDGE_TOUCH_M, MAX_DRAWN_ENTRANCES);
        let found = found.for_profile(profile);
        if found.is_empty() {
            let c = area
                .bounding_rect()
                .map(|r| r.center())
                .unwrap_or(geo::Coord { x: 0.0, y: 0.0 });
            return Err(CoverageError::DrawnAreaOffNetwork {
                index,
                lon: (c.x * 1e6).round() / 1e6,
                lat: (c.y * 1e6).round() / 1e6,
                max_m: EDGE_TOUCH_M,
            });
        }
        seeds.extend_from_slice(found);
    }
    let (_, improved) = times_from(
        walk,
        &seeds,
        &walk.address_snaps,
        profile,
        Some(&baseline.node_costs),
    );
    let mut times: Vec<f64> = baseline
        .address_times
        .iter()
        .zip(improved)
        .map(|(a, b)| a.min(b))
        .collect();
    // Homes inside a drawn area are in it.
    for area in added {
        let Some(r) = area.bounding_rect() else {
            continue;
        };
        let bbox = crate::domain::Bbox {
            min_lon: r.min().x,
            min_lat: r.min().y,
            max_lon: r.max().x,
            max_lat: r.max().y,
        };
        for i in s.addresses_in(&bbox) {
            let p = s.addresses[i as usize].position;
            if area.contains(&geo::Point::new(p.lon, p.lat)) {
                times[i as usize] = 0.0;
            }
        }
    }
    Ok(times)
}

/// The walking times to `target` from scratch (what [`nature_times`] caches): one search
/// from every entrance of every matching area. Panics without a network.
pub fn compute(s: &Snapshot, target: NatureTarget, profile: Profile) -> NatureBaseline {
    let walk = s.walk.as_ref().expect("checked by the caller");
    let matching: Vec<usize> = (0..s.nature.len())
        .filter(|&i| target.matches(s.nature[i].class, s.nature[i].area_ha))
        .collect();
    let sources: Vec<Snapped> = matching
        .iter()
        .flat_map(|&i| {
            walk.nature_entrances[i]
                .for_profile(profile)
                .iter()
                .copied()
        })
        .collect();
    let (node_costs, mut address_times) =
        times_from(walk, &sources, &walk.address_snaps, profile, None);
    for &i in &matching {
        for &home in &walk.nature_homes[i] {
            address_times[home as usize] = 0.0;
        }
    }
    NatureBaseline {
        node_costs,
        address_times,
    }
}

/// Whether `p` lies inside one of `areas` (lines and points have no inside).
pub fn inside_any(areas: &[&NatureArea], p: LonLat) -> bool {
    let point = geo::Point::new(p.lon, p.lat);
    areas.iter().any(|n| match &n.geometry {
        NatureGeometry::Area(mp) => {
            mp.bounding_rect().is_some_and(|r| {
                p.lon >= r.min().x && p.lon <= r.max().x && p.lat >= r.min().y && p.lat <= r.max().y
            }) && mp.contains(&point)
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::nature::NatureClass;
    use crate::domain::{Address, SourceRef};
    use crate::index::partition::LocalMetres;
    use crate::routing::{EdgeFlags, GraphBuilder};
    use crate::store::StoreContents;

    const ORIGIN: LonLat = LonLat {
        lon: 10.25,
        lat: 59.73,
    };

    fn at(x: f64, y: f64) -> LonLat {
        let c = LocalMetres::at(ORIGIN).to_lonlat(geo::Coord { x, y });
        LonLat::new(c.x, c.y)
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> geo::MultiPolygon<f64> {
        let ring: Vec<(f64, f64)> = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
            .iter()
            .map(|&(x, y)| {
                let p = at(x, y);
                (p.lon, p.lat)
            })
            .collect();
        geo::MultiPolygon(vec![geo::Polygon::new(ring.into(), vec![])])
    }

    fn home(id: i64, x: f64, y: f64) -> Address {
        Address {
            id,
            street: "Prøvevegen".into(),
            number: id.to_string(),
            postcode: None,
            city: None,
            municipality_code: None,
            grunnkrets_code: None,
            grunnkrets_name: None,
            position: at(x, y),
            access: None,
            source: SourceRef {
                source: "t".into(),
                source_id: id.to_string(),
            },
        }
    }

    fn area(id: i64, class: NatureClass, outline: geo::MultiPolygon<f64>) -> NatureArea {
        NatureArea {
            id,
            class,
            tag: "t".into(),
            name: None,
            area_ha: 2.0,
            position: ORIGIN,
            source: SourceRef {
                source: "t".into(),
                source_id: id.to_string(),
            },
            geometry: NatureGeometry::Area(outline),
        }
    }

    /// Straight segments through the given points (local metres); a point named before is
    /// the same node.
    #[derive(Default)]
    struct Net {
        b: GraphBuilder,
        nodes: Vec<((f64, f64), crate::routing::NodeId)>,
    }

    fn path(net: &mut Net, points: &[(f64, f64)]) {
        let mut ids = Vec::new();
        for &p in points {
            let id = match net.nodes.iter().find(|(q, _)| *q == p) {
                Some((_, id)) => *id,
                None => {
                    let id = net.b.add_node(at(p.0, p.1));
                    net.nodes.push((p, id));
                    id
                }
            };
            ids.push(id);
        }
        for w in ids.windows(2) {
            net.b.add_segment(w[0], w[1], EdgeFlags::default());
        }
    }

    fn snapshot(net: Net, homes: Vec<Address>, nature: Vec<NatureArea>) -> Snapshot {
        Snapshot::build(StoreContents {
            walk_graph: Some(net.b.build().to_bytes()),
            addresses: homes,
            nature,
            ..Default::default()
        })
    }

    fn metres(seconds: f64) -> f64 {
        seconds * Profile::Walk.speed_mps()
    }

    /// A forest whose edge a path runs along, 5 m outside, but never enters:
    ///
    /// ```text
    ///   (0,150) +------------------------+ (200,150)
    ///           |         forest     ·h2 |      h2 inside the forest
    ///    (0,50) +------------------------+ (200,50)
    ///     path  ·------------------------·  y = 45, x = 0 … 200
    ///                                    |  x = 200, y = 0 … 45
    ///  street   o------------------------o-----------o  y = 0, x = -100 … 300
    ///                                             h1 (300, -5)
    /// ```
    #[test]
    fn a_forest_touched_by_a_path_is_reached_at_its_edge() {
        let mut b = Net::default();
        path(&mut b, &[(-100.0, 0.0), (200.0, 0.0), (300.0, 0.0)]);
        path(&mut b, &[(200.0, 0.0), (200.0, 45.0), (0.0, 45.0)]);
        let s = snapshot(
            b,
            vec![home(1, 300.0, -5.0), home(2, 180.0, 130.0)],
            vec![area(1, NatureClass::Forest, rect(0.0, 50.0, 200.0, 150.0))],
        );
        let walk = s.walk.as_ref().unwrap();
        assert!(
            !walk.nature_entrances[0].any.is_empty(),
            "the path 5 m from the edge is an entrance"
        );
        let times = nature_times(&s, NatureTarget::Forest, Profile::Walk, &[]).unwrap();
        // 100 m along the street, 45 m up to the path, at the forest's corner.
        let m = metres(times[0]);
        assert!((m - 145.0).abs() < 1.0, "{m} m");
        assert_eq!(times[1], 0.0, "a home inside the forest is in it");
        // Forest counts as green (2 ha ≥ 0.5 ha), not as shore.
        let green = nature_times(&s, NatureTarget::Green, Profile::Walk, &[]).unwrap();
        assert_eq!(green[0], times[0]);
        let shore = nature_times(&s, NatureTarget::Shore, Profile::Walk, &[]).unwrap();
        assert!(shore[0].is_infinite());
    }

    /// A park with two gates on its south side; the home is nearer the east gate:
    ///
    /// ```text
    ///       (0,100) +-------------------+ (100,100)
    ///               |   g1·--------·g2  |   a path inside, y = 50
    ///         (0,0) +----+----------+---+ (100,0)   gates at x = 20 and 80
    ///  street  o---------o----------o--------o  y = -20, x = -100 … 200
    ///                                        h (200, -25)
    /// ```
    #[test]
    fn a_park_is_reached_at_its_nearest_gate_and_a_drawn_park_counts() {
        let mut b = Net::default();
        path(
            &mut b,
            &[
                (-100.0, -20.0),
                (20.0, -20.0),
                (80.0, -20.0),
                (200.0, -20.0),
            ],
        );
        path(
            &mut b,
            &[(20.0, -20.0), (20.0, 50.0), (80.0, 50.0), (80.0, -20.0)],
        );
        let s = snapshot(
            b,
            vec![home(1, 200.0, -25.0), home(2, -100.0, -25.0)],
            vec![area(1, NatureClass::Green, rect(0.0, 0.0, 100.0, 100.0))],
        );
        let times = nature_times(&s, NatureTarget::Green, Profile::Walk, &[]).unwrap();
        // 120 m along the street to the east gate's path, 20 m up to the edge.
        let m = metres(times[0]);
        assert!((m - 140.0).abs() < 1.0, "{m} m");
        // From the west end: 120 m to the west gate, 20 m up.
        let m = metres(times[1]);
        assert!((m - 140.0).abs() < 1.0, "{m} m");
        // A new park drawn across the street at the west end: that home is now beside it.
        let drawn = rect(-120.0, -15.0, -80.0, 20.0);
        let after = nature_times(&s, NatureTarget::Green, Profile::Walk, &[drawn]).unwrap();
        assert!(metres(after[1]) < 10.0, "{} m", metres(after[1]));
        assert_eq!(after[0], times[0], "the east home keeps its park");
        // A drawn area no path comes near is refused.
        let far = rect(1000.0, 1000.0, 1050.0, 1050.0);
        assert!(matches!(
            nature_times(&s, NatureTarget::Green, Profile::Walk, &[far]),
            Err(CoverageError::DrawnAreaOffNetwork { index: 0, .. })
        ));
    }
}
