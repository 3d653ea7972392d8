//! The walking network in the snapshot, with each facility placed on it once, so that a
//! reach query only searches and reads off the facilities' segments.

use crate::domain::{Address, Facility, KindFilter, LonLat};
use crate::routing::isochrone;
use crate::routing::network::Network;
use crate::routing::snap::Snapped;
use crate::routing::{Profile, WalkGraph};

/// A facility or address farther than this from every walkable segment is not reachable on
/// foot, in metres.
pub const MAX_FACILITY_SNAP_M: f64 = 500.0;

/// How far apart the points along an area facility's outline are that look for the
/// network, and how near a path must pass to count as an entrance, in metres.
pub const EDGE_SAMPLE_M: f64 = 20.0;
pub const EDGE_TOUCH_M: f64 = 15.0;
/// At most this many entrances are kept per area facility.
const MAX_ENTRANCES: usize = 256;

/// Where an area facility (a park, a school ground, a pitch) is entered (issue 16): the
/// network's points within [`EDGE_TOUCH_M`] of its outline, sampled every
/// [`EDGE_SAMPLE_M`] along it (so within 10 m of where a path enters or runs along its edge),
/// per profile. Empty for a facility drawn as a point.
#[derive(Debug, Clone, Default)]
pub struct Entrances {
    pub any: Vec<Snapped>,
    pub step_free: Vec<Snapped>,
}

impl Entrances {
    pub fn for_profile(&self, profile: Profile) -> &[Snapped] {
        match profile {
            Profile::Wheelchair => &self.step_free,
            Profile::Walk | Profile::Slow => &self.any,
        }
    }

    /// The entrances of `area` (lon/lat) on `network`.
    pub fn of(network: &Network, area: &geo::MultiPolygon<f64>) -> Entrances {
        let rings: Vec<&geo::LineString<f64>> = area.0.iter().map(|p| p.exterior()).collect();
        Entrances::along(network, &rings, EDGE_TOUCH_M, MAX_ENTRANCES)
    }

    /// The network's points within `touch_m` of `lines` (lon/lat), sampled every
    /// [`EDGE_SAMPLE_M`], at most `max` per profile.
    pub fn along(
        network: &Network,
        lines: &[&geo::LineString<f64>],
        touch_m: f64,
        max: usize,
    ) -> Entrances {
        let proj = network.graph.projection();
        let mut samples: Vec<LonLat> = Vec::new();
        for line in lines {
            let ring: Vec<[f64; 2]> = line
                .0
                .iter()
                .map(|c| proj.project(LonLat::new(c.x, c.y)))
                .collect();
            for w in ring.windows(2) {
                let ([ax, ay], [bx, by]) = (w[0], w[1]);
                let length = (bx - ax).hypot(by - ay);
                let steps = (length / EDGE_SAMPLE_M).ceil().max(1.0) as usize;
                for k in 0..steps {
                    let t = k as f64 / steps as f64;
                    samples.push(proj.unproject([ax + t * (bx - ax), ay + t * (by - ay)]));
                }
            }
        }
        // Every path within `touch_m` of a sample, not only the nearest: a pavement beside
        // a park's own edge path reaches the park too (found by the independent oracle,
        // tests/clients/nature_shares.py). One entrance per tenth of a segment. The tree is
        // asked once per sample for every segment (walking may use them all); the wheelchair
        // profile keeps those it may use, in the same order (nearest first).
        let mut any = Kept::default();
        let mut step_free = Kept::default();
        for p in &samples {
            if any.out.len() >= max && step_free.out.len() >= max {
                break;
            }
            for snap in network.within(*p, Profile::Walk, touch_m) {
                any.keep(snap, max);
                if Profile::Wheelchair.allows(network.graph.flags(snap.edge)) {
                    step_free.keep(snap, max);
                }
            }
        }
        Entrances {
            any: any.out,
            step_free: step_free.out,
        }
    }
}

/// Entrances of one profile as they are found: at most one per tenth of a segment, at most
/// `max` in all.
#[derive(Default)]
struct Kept {
    out: Vec<Snapped>,
    seen: std::collections::HashMap<u32, Vec<f64>>,
}

impl Kept {
    fn keep(&mut self, snap: Snapped, max: usize) {
        if self.out.len() >= max {
            return;
        }
        let near = self.seen.entry(snap.edge.0).or_default();
        if near.iter().any(|f| (f - snap.fraction).abs() < 0.1) {
            return;
        }
        near.push(snap.fraction);
        self.out.push(snap);
    }
}

/// Where a facility or a home joins the network: on any segment, and on one without steps
/// or other barriers (for the wheelchair profile). Most have the same segment for both.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    pub any: Option<Snapped>,
    pub step_free: Option<Snapped>,
    /// Placed at this facility (index into the snapshot's facilities): reached at the
    /// nearest of this placement and the facility's entrances (issue 16).
    pub facility: Option<u32>,
}

impl Placement {
    /// `p` placed for walking and for step-free travel (within [`MAX_FACILITY_SNAP_M`]),
    /// from one walk of the segment index.
    pub fn at(network: &Network, p: LonLat) -> Placement {
        let [any, step_free] =
            network.snap_each(p, [Profile::Walk, Profile::Wheelchair], MAX_FACILITY_SNAP_M);
        Placement {
            facility: None,
            any,
            step_free,
        }
    }

    pub fn for_profile(&self, profile: Profile) -> Option<&Snapped> {
        match profile {
            Profile::Wheelchair => self.step_free.as_ref(),
            Profile::Walk | Profile::Slow => self.any.as_ref(),
        }
    }
}

/// Walking times from all existing facilities of some kinds: to every node and to every
/// address. Kept per snapshot, so that coverage tables and scenarios start from it.
#[derive(Debug)]
pub struct Baseline {
    pub node_costs: Vec<f64>,
    pub address_times: Vec<f64>,
    /// Per node, the index (into `sources`) of the source that reaches it first;
    /// `u32::MAX` where none does within the horizon.
    pub labels: Vec<u32>,
    /// The facilities searched from, as (facility id, placement), in label order.
    pub sources: Vec<(i64, crate::routing::snap::Snapped)>,
}

type BaselineKey = (Vec<crate::domain::FacilityKind>, Profile);

/// At most this many baselines are kept; a new one beyond it clears the lot.
const MAX_BASELINES: usize = 64;

#[derive(Debug)]
pub struct WalkIndex {
    baselines: std::sync::Mutex<std::collections::HashMap<BaselineKey, std::sync::Arc<Baseline>>>,
    pub network: Network,
    /// Same order as the snapshot's facilities.
    pub facility_snaps: Vec<Placement>,
    /// Where each area facility is entered along its edge, same order as the facilities
    /// (empty for points); a facility is reached at the nearest of these and its placement.
    pub facility_entrances: Vec<Entrances>,
    /// Where each address (a home) joins the network, same order as the snapshot's addresses.
    pub address_snaps: Vec<Placement>,
    /// Where each nature area is reached (issue 22): the network's points by its edge, same
    /// order as the snapshot's nature areas.
    pub nature_entrances: Vec<Entrances>,
    /// The homes inside each nature area (indices into the snapshot's addresses), same
    /// order as the nature areas: they are in it, 0 minutes away.
    pub nature_homes: Vec<Vec<u32>>,
    /// Trail heads: where a path enters each forest (empty for other areas), same order.
    pub nature_trailheads: Vec<Vec<LonLat>>,
    /// Walking times to nature per question and profile, computed once per snapshot.
    pub nature_baselines: std::sync::Mutex<
        std::collections::HashMap<
            (crate::domain::nature::NatureTarget, Profile),
            std::sync::Arc<NatureBaseline>,
        >,
    >,
}

/// Walking times from every nature area answering a question: to every node and address.
#[derive(Debug)]
pub struct NatureBaseline {
    pub node_costs: Vec<f64>,
    pub address_times: Vec<f64>,
}

/// At most this many entrances are kept per nature area (a forest's edge is long).
const MAX_NATURE_ENTRANCES: usize = 8192;
/// A bathing place drawn as a point is reached from a path this near it, in metres.
pub const NATURE_POINT_TOUCH_M: f64 = 50.0;

impl WalkIndex {
    /// Finds where each of `nature` is reached on the network (its edge, or near its line or
    /// point), and which homes (`homes`: the snapshot's R-tree of addresses) lie inside each
    /// area.
    pub fn place_nature(
        &mut self,
        nature: &[crate::domain::nature::NatureArea],
        homes: &super::PointTree,
    ) {
        use crate::domain::nature::NatureGeometry;
        use geo::{BoundingRect, Contains};
        self.nature_homes = nature
            .iter()
            .map(|n| {
                let NatureGeometry::Area(mp) = &n.geometry else {
                    return Vec::new();
                };
                let Some(r) = mp.bounding_rect() else {
                    return Vec::new();
                };
                let envelope =
                    rstar::AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                homes
                    .locate_in_envelope(envelope)
                    .filter(|h| mp.contains(&geo::Point::new(h.geom()[0], h.geom()[1])))
                    .map(|h| h.data)
                    .collect()
            })
            .collect();
        self.nature_entrances = nature
            .iter()
            .map(|n| match &n.geometry {
                NatureGeometry::Point(p) => {
                    let at = |profile| self.network.snap(*p, profile, NATURE_POINT_TOUCH_M);
                    Entrances {
                        any: at(Profile::Walk).into_iter().collect(),
                        step_free: at(Profile::Wheelchair).into_iter().collect(),
                    }
                }
                g => Entrances::along(
                    &self.network,
                    &g.edges(),
                    n.class.touch_m(g.is_line()),
                    MAX_NATURE_ENTRANCES,
                ),
            })
            .collect();
        self.nature_trailheads = nature
            .iter()
            .zip(&self.nature_entrances)
            .map(|(n, entrances)| self.trailheads(n, entrances))
            .collect();
    }

    /// Where paths enter a forest (of at least `FOREST_MIN_HA`): its entrances on a segment
    /// with one end inside the forest and the other outside, one per segment.
    fn trailheads(
        &self,
        n: &crate::domain::nature::NatureArea,
        entrances: &Entrances,
    ) -> Vec<LonLat> {
        use crate::domain::nature::{FOREST_MIN_HA, NatureClass, NatureGeometry};
        use geo::Contains;
        let NatureGeometry::Area(mp) = &n.geometry else {
            return Vec::new();
        };
        if n.class != NatureClass::Forest || n.area_ha < FOREST_MIN_HA {
            return Vec::new();
        }
        let g = &self.network.graph;
        let inside = |node| {
            let p = g.position(node);
            mp.contains(&geo::Point::new(p.lon, p.lat))
        };
        let mut seen = std::collections::HashSet::new();
        entrances
            .any
            .iter()
            .filter(|e| inside(g.tail(e.edge)) != inside(g.head(e.edge)))
            .filter(|e| seen.insert(e.edge.0.min(g.twin(e.edge).0)))
            .map(|e| e.point.rounded())
            .collect()
    }
}

impl WalkIndex {
    /// The baseline for `kinds` and `profile`, computed by `compute` the first time.
    pub fn baseline(
        &self,
        kinds: &KindFilter,
        profile: Profile,
        compute: impl FnOnce() -> Baseline,
    ) -> std::sync::Arc<Baseline> {
        let key = (kinds.kinds().to_vec(), profile);
        if let Some(b) = self.baselines.lock().expect("baseline lock").get(&key) {
            return b.clone();
        }
        let b = std::sync::Arc::new(compute());
        let mut cache = self.baselines.lock().expect("baseline lock");
        if cache.len() >= MAX_BASELINES {
            cache.clear();
        }
        cache.insert(key, b.clone());
        b
    }

    /// A point placed on the network for every profile (`None` where it is too far).
    /// Where `placement` is reached for `profile`: its segment and, placed at an area
    /// facility, the facility's entrances along its edge. A search seeded from all of them,
    /// or the least time to any of them, reaches it at the nearest.
    pub fn places<'a>(
        &'a self,
        placement: &'a Placement,
        profile: Profile,
    ) -> impl Iterator<Item = Snapped> + 'a {
        let entrances: &[Snapped] = placement.facility.map_or(&[], |i| {
            self.facility_entrances[i as usize].for_profile(profile)
        });
        placement
            .for_profile(profile)
            .into_iter()
            .chain(entrances)
            .copied()
    }

    pub fn place(&self, p: LonLat) -> Placement {
        Placement::at(&self.network, p)
    }

    pub fn new(graph: WalkGraph, facilities: &[Facility], addresses: &[Address]) -> WalkIndex {
        let network = Network::new(graph);
        let place = |p: LonLat| Placement::at(&network, p);
        let facility_snaps = facilities
            .iter()
            .enumerate()
            .map(|(i, f)| Placement {
                facility: Some(i as u32),
                ..place(f.position)
            })
            .collect();
        let facility_entrances = facilities
            .iter()
            .map(|f| match &f.area {
                Some(area) => Entrances::of(&network, area),
                None => Entrances::default(),
            })
            .collect();
        // A home is reached by its register access point where it has one (a farm's
        // driveway may start hundreds of metres from the house).
        let address_snaps = addresses
            .iter()
            .map(|a| place(a.access.unwrap_or(a.position)))
            .collect();
        WalkIndex {
            baselines: Default::default(),
            network,
            facility_snaps,
            facility_entrances,
            address_snaps,
            nature_entrances: Vec::new(),
            nature_homes: Vec::new(),
            nature_trailheads: Vec::new(),
            nature_baselines: Default::default(),
        }
    }
}

/// What a resident reaches on foot from one point.
#[derive(Debug)]
pub struct Reach {
    pub origin: Snapped,
    /// (minutes, polygon in lon/lat), in the order asked.
    pub bands: Vec<(u32, geo::MultiPolygon<f64>)>,
    /// (facility index, walking seconds), quickest first.
    pub facilities: Vec<(u32, f64)>,
    /// (index into the `extra` placements asked for, walking seconds), quickest first.
    pub extra: Vec<(u32, f64)>,
    /// (nature area index, walking seconds, where its edge is reached), quickest first.
    pub nature: Vec<(u32, f64, LonLat)>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReachError {
    #[error("no walkable path within {max_m} m of ({lon}, {lat})")]
    OutsideNetwork { lon: f64, lat: f64, max_m: f64 },
}

impl WalkIndex {
    /// Searches from `origin` for `max_minutes`, with isochrone polygons for `band_minutes`
    /// (each at most `max_minutes`) and the facilities (of `kinds`, when given) reached.
    #[allow(clippy::too_many_arguments)]
    pub fn reach(
        &self,
        facilities: &[Facility],
        origin: LonLat,
        profile: Profile,
        max_minutes: u32,
        band_minutes: &[u32],
        kinds: Option<&KindFilter>,
        max_snap_m: f64,
    ) -> Result<Reach, ReachError> {
        self.reach_with(
            facilities,
            &[],
            origin,
            profile,
            max_minutes,
            band_minutes,
            kinds,
            max_snap_m,
        )
    }

    /// As [`WalkIndex::reach`], and also the walking time to each of `extra` (activities and
    /// volunteer needs placed on the network) reached within `max_minutes`.
    #[allow(clippy::too_many_arguments)]
    pub fn reach_with(
        &self,
        facilities: &[Facility],
        extra: &[Placement],
        origin: LonLat,
        profile: Profile,
        max_minutes: u32,
        band_minutes: &[u32],
        kinds: Option<&KindFilter>,
        max_snap_m: f64,
    ) -> Result<Reach, ReachError> {
        let snapped =
            self.network
                .snap(origin, profile, max_snap_m)
                .ok_or(ReachError::OutsideNetwork {
                    lon: origin.lon,
                    lat: origin.lat,
                    max_m: max_snap_m,
                })?;
        let max_s = max_minutes as f64 * 60.0;
        self.network.with_search(|g, search| {
            search.run(g, profile, &snapped.seeds(g, profile), max_s);
            // At the nearest of a placement's segment and its facility's entrances.
            let time = |p: &Placement| {
                self.places(p, profile)
                    .map(|at| at.cost_from(g, profile, |n| search.cost_or_inf(n), Some(&snapped)))
                    .fold(f64::INFINITY, f64::min)
            };
            let mut reached: Vec<(u32, f64)> = facilities
                .iter()
                .zip(&self.facility_snaps)
                .enumerate()
                .filter(|(_, (f, _))| kinds.is_none_or(|k| k.matches(f.kind)))
                .filter_map(|(i, (_, snap))| {
                    let t = time(snap);
                    (t <= max_s).then_some((i as u32, t))
                })
                .collect();
            reached.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            let mut extra_reached: Vec<(u32, f64)> = extra
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    let t = time(p);
                    (t <= max_s).then_some((i as u32, t))
                })
                .collect();
            extra_reached.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            let mut nature: Vec<(u32, f64, LonLat)> = self
                .nature_entrances
                .iter()
                .enumerate()
                .filter_map(|(i, e)| {
                    let (t, at) = e
                        .for_profile(profile)
                        .iter()
                        .map(|at| {
                            let cost = |n| search.cost_or_inf(n);
                            (at.cost_from(g, profile, cost, Some(&snapped)), at.point)
                        })
                        .min_by(|a, b| a.0.total_cmp(&b.0))?;
                    (t <= max_s).then_some((i as u32, t, at))
                })
                .collect();
            nature.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            let bands = isochrone::bands(g, search, profile, Some(&snapped), band_minutes);
            Ok(Reach {
                origin: snapped,
                bands,
                facilities: reached,
                extra: extra_reached,
                nature,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FacilityKind, SourceRef};
    use crate::routing::{EdgeFlags, GraphBuilder, LocalMetres};

    /// A park 100 m square with two gates on its south side, drawn in local metres:
    ///
    /// ```text
    ///            (0,100) +-------------------+ (100,100)
    ///                    |                   |
    ///                    |   g1·--------·g2  |   paths inside, at y = 50
    ///                    |    |          |   |
    ///              (0,0) +----+----------+---+ (100,0)    gates at x = 20 and x = 80
    ///                         |          |
    ///  street  o-------------o----------o--------o------o   y = -20, x = -100 … 200
    /// ```
    #[test]
    fn a_park_is_reached_at_its_nearest_gate() {
        let proj = LocalMetres::centred_on(LonLat::new(10.2, 59.74));
        let at = |x: f64, y: f64| proj.unproject([x, y]);
        let mut b = GraphBuilder::default();
        let street: Vec<_> = [-100.0, 20.0, 80.0, 150.0, 200.0]
            .iter()
            .map(|&x| b.add_node(at(x, -20.0)))
            .collect();
        for w in street.windows(2) {
            b.add_segment(w[0], w[1], EdgeFlags::default());
        }
        let (g1, g2) = (b.add_node(at(20.0, 50.0)), b.add_node(at(80.0, 50.0)));
        b.add_segment(street[1], g1, EdgeFlags::default());
        b.add_segment(street[2], g2, EdgeFlags::default());
        b.add_segment(g1, g2, EdgeFlags::default());
        let square = geo::Polygon::new(
            geo::LineString::from(
                [
                    (0.0, 0.0),
                    (100.0, 0.0),
                    (100.0, 100.0),
                    (0.0, 100.0),
                    (0.0, 0.0),
                ]
                .iter()
                .map(|&(x, y)| {
                    let p = at(x, y);
                    (p.lon, p.lat)
                })
                .collect::<Vec<_>>(),
            ),
            vec![],
        );
        let interior = at(50.0, 50.0);
        let park = |area: Option<geo::MultiPolygon<f64>>| Facility {
            id: 1,
            kind: FacilityKind::Park,
            name: Some("Parken".into()),
            position: interior,
            address: None,
            wheelchair: None,
            opening_hours: None,
            source: SourceRef {
                source: "t".into(),
                source_id: "1".into(),
            },
            properties: Default::default(),
            area,
        };
        let graph = b.build();
        let speed = Profile::Walk.speed_mps();
        let reach_m = |facility: Facility| {
            let walk = WalkIndex::new(graph.clone(), std::slice::from_ref(&facility), &[]);
            let r = walk
                .reach(
                    &[facility],
                    at(150.0, -20.0),
                    Profile::Walk,
                    10,
                    &[10],
                    None,
                    50.0,
                )
                .unwrap();
            r.facilities[0].1 * speed
        };
        // As a point, the park is reached in its middle: 70 m along the street, 70 m up
        // the gate path and 30 m along the path inside.
        let as_point = reach_m(park(None));
        assert!((as_point - 170.0).abs() < 0.5, "{as_point} m");
        // As an area, at the nearer gate: 70 m along the street and 20 m to the edge.
        let area = geo::MultiPolygon(vec![square]);
        let walk = WalkIndex::new(graph.clone(), &[park(Some(area.clone()))], &[]);
        assert_eq!(
            walk.facility_entrances[0].any.len(),
            2,
            "{:?}",
            walk.facility_entrances[0]
        );
        let as_area = reach_m(park(Some(area)));
        assert!((as_area - 90.0).abs() < 0.5, "{as_area} m");
    }
}
