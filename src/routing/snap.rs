//! Placing a point on the walking network: the nearest walkable segment, not only the
//! nearest node, with how far along the segment the point falls.
//!
//! Islands (issue 16): a footway fragment that joins nothing (cut off in the mapping, or by
//! the extract's edge) would leave a home placed on it reaching nothing. The snapper knows
//! the network's connected parts per profile; when the nearest segment lies on a small part
//! and a segment of a large part is at most [`ISLAND_DETOUR_M`] farther, the point is placed
//! on the large part. A point that still lands on a small part is marked `isolated`.

use rstar::primitives::{CachedEnvelope, GeomWithData, Line};
use rstar::{PointDistance, RTree};

use super::search::Seed;
use super::{EdgeId, Profile, WalkGraph};
use crate::domain::LonLat;

/// A point placed on a segment: `edge` walked from its tail, `fraction` of the way along.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapped {
    pub edge: EdgeId,
    pub fraction: f64,
    /// The point on the segment.
    pub point: LonLat,
    /// From the given point to the segment, in metres.
    pub distance_m: f64,
    /// Placed on a small connected part of the network (no large part was near): what it
    /// reaches is what that part holds.
    pub isolated: bool,
    /// The nearest segment lay on a small part, and this one (on a large part, at most
    /// [`ISLAND_DETOUR_M`] farther) was chosen instead.
    pub off_fragment: bool,
}

/// A segment of the network in local metres, with its edge. Its bounding box is kept beside
/// it: loading the tree and each search compare boxes many times per segment.
type Segment = GeomWithData<CachedEnvelope<Line<[f64; 2]>>, EdgeId>;

/// How much farther than the nearest segment (on a small part) a segment of a large part
/// may be and still be chosen, in metres.
pub const ISLAND_DETOUR_M: f64 = 150.0;

/// A connected part is small below this many nodes, or below 1 % of the largest part; the
/// largest part is never small.
const SMALL_PART_NODES: u32 = 50;

/// The network's connected parts for one profile (its segments only), by union–find.
#[derive(Debug)]
pub struct Components {
    /// The part of each node (its root), by node index.
    root: Vec<u32>,
    /// Nodes per part, by root.
    size: Vec<u32>,
    /// Parts at least this big are large.
    large_from: u32,
}

impl Components {
    pub fn new(g: &WalkGraph, profile: Profile) -> Components {
        let n = g.node_count();
        let mut parent: Vec<u32> = (0..n as u32).collect();
        fn find(parent: &mut [u32], mut x: u32) -> u32 {
            while parent[x as usize] != x {
                parent[x as usize] = parent[parent[x as usize] as usize];
                x = parent[x as usize];
            }
            x
        }
        for e in g.segments() {
            if !profile.allows(g.flags(e)) {
                continue;
            }
            let (a, b) = (
                find(&mut parent, g.tail(e).0),
                find(&mut parent, g.head(e).0),
            );
            if a != b {
                parent[a.max(b) as usize] = a.min(b);
            }
        }
        let root: Vec<u32> = (0..n as u32).map(|x| find(&mut parent, x)).collect();
        let mut size = vec![0u32; n];
        for &r in &root {
            size[r as usize] += 1;
        }
        let largest = size.iter().copied().max().unwrap_or(0);
        Components {
            root,
            size,
            large_from: SMALL_PART_NODES.max(largest / 100).min(largest),
        }
    }

    /// Nodes in the part that holds `n`.
    pub fn size_at(&self, n: super::NodeId) -> u32 {
        self.size[self.root[n.0 as usize] as usize]
    }

    /// True when `n` lies on a large part.
    pub fn is_large_at(&self, n: super::NodeId) -> bool {
        self.size_at(n) >= self.large_from
    }
}

impl Snapped {
    /// Search seeds: both ends of the segment, each with the time to walk to it.
    pub fn seeds(&self, g: &WalkGraph, profile: Profile) -> [Seed; 2] {
        let (len, speed) = (g.length_m(self.edge), profile.speed_mps());
        [
            Seed {
                node: g.tail(self.edge),
                cost_s: self.fraction * len / speed,
            },
            Seed {
                node: g.head(self.edge),
                cost_s: (1.0 - self.fraction) * len / speed,
            },
        ]
    }

    /// Seconds to walk to this point, given the search's costs at both ends of its segment.
    /// `origin` is the search's own start, for the case where both lie on one segment.
    pub fn cost_from(
        &self,
        g: &WalkGraph,
        profile: Profile,
        cost_of: impl Fn(super::NodeId) -> f64,
        origin: Option<&Snapped>,
    ) -> f64 {
        let (len, speed) = (g.length_m(self.edge), profile.speed_mps());
        let via_tail = cost_of(g.tail(self.edge)) + self.fraction * len / speed;
        let via_head = cost_of(g.head(self.edge)) + (1.0 - self.fraction) * len / speed;
        let mut best = via_tail.min(via_head);
        if let Some(o) = origin {
            // Along the shared segment, without going round by its ends.
            let along = if o.edge == self.edge {
                Some((o.fraction - self.fraction).abs())
            } else if o.edge == g.twin(self.edge) {
                Some((1.0 - o.fraction - self.fraction).abs())
            } else {
                None
            };
            if let Some(f) = along {
                best = best.min(f * len / speed);
            }
        }
        best
    }
}

/// One profile's pick among the segments offered nearest first ([`Snapper::snap`]): the
/// nearest it may use if that is on a large part; else the first on a large part at most
/// [`ISLAND_DETOUR_M`] farther (`off_fragment`); else the nearest (`isolated`).
struct Choice<'a> {
    parts: &'a Components,
    profile: Profile,
    nearest: Option<(&'a Segment, f64)>,
    /// Segment, squared distance, isolated, off_fragment.
    chosen: Option<(&'a Segment, f64, bool, bool)>,
}

impl<'a> Choice<'a> {
    fn new(parts: &'a Components, profile: Profile) -> Choice<'a> {
        Choice {
            parts,
            profile,
            nearest: None,
            chosen: None,
        }
    }

    fn decided(&self) -> bool {
        self.chosen.is_some()
    }

    /// The next segment, at squared distance `d2`, no nearer than any offered before.
    fn offer(&mut self, g: &WalkGraph, seg: &'a Segment, d2: f64) {
        if self.decided() || !self.profile.allows(g.flags(seg.data)) {
            return;
        }
        let on_large = self.parts.is_large_at(g.tail(seg.data));
        match self.nearest {
            None => {
                self.nearest = Some((seg, d2));
                if on_large {
                    self.chosen = Some((seg, d2, false, false));
                }
            }
            Some((nearest, nearest_d2)) => {
                let reach = nearest_d2.sqrt() + ISLAND_DETOUR_M;
                if d2 > reach * reach {
                    self.chosen = Some((nearest, nearest_d2, true, false));
                } else if on_large {
                    self.chosen = Some((seg, d2, false, true));
                }
            }
        }
    }

    /// The pick once every segment within reach was offered; `None` if none was usable.
    fn finish(self) -> Option<(&'a Segment, f64, bool, bool)> {
        self.chosen
            .or(self.nearest.map(|(seg, d2)| (seg, d2, true, false)))
    }
}

/// An R-tree over the network's segments in local metres, and the network's connected
/// parts for walking and for step-free travel.
#[derive(Debug)]
pub struct Snapper {
    tree: RTree<Segment>,
    walk_parts: Components,
    step_free_parts: Components,
}

impl Snapper {
    pub fn new(g: &WalkGraph) -> Snapper {
        let p = g.projection();
        let segments = g
            .segments()
            .map(|e| {
                let line = Line::new(
                    p.project(g.position(g.tail(e))),
                    p.project(g.position(g.head(e))),
                );
                GeomWithData::new(CachedEnvelope::new(line), e)
            })
            .collect();
        Snapper {
            tree: RTree::bulk_load(segments),
            walk_parts: Components::new(g, Profile::Walk),
            step_free_parts: Components::new(g, Profile::Wheelchair),
        }
    }

    /// The connected parts for `profile`.
    pub fn parts(&self, profile: Profile) -> &Components {
        match profile {
            Profile::Wheelchair => &self.step_free_parts,
            Profile::Walk | Profile::Slow => &self.walk_parts,
        }
    }

    /// The nearest segment `profile` may use, within `max_distance_m`; on a large connected
    /// part if one is at most [`ISLAND_DETOUR_M`] farther than the nearest (see the module).
    pub fn snap(
        &self,
        g: &WalkGraph,
        p: LonLat,
        profile: Profile,
        max_distance_m: f64,
    ) -> Option<Snapped> {
        let [snapped] = self.snap_each(g, p, [profile], max_distance_m);
        snapped
    }

    /// [`Snapper::snap`] for each of `profiles`, from one walk of the tree's segments nearest
    /// first (a home is placed for walking and for step-free travel alike): the same answers
    /// as one call per profile, for about the price of one.
    pub fn snap_each<const N: usize>(
        &self,
        g: &WalkGraph,
        p: LonLat,
        profiles: [Profile; N],
        max_distance_m: f64,
    ) -> [Option<Snapped>; N] {
        let xy = g.projection().project(p);
        let mut choices = profiles.map(|profile| Choice::new(self.parts(profile), profile));
        for (seg, d2) in self
            .tree
            .nearest_neighbor_iter_with_distance_2(xy)
            .take_while(|(_, d2)| *d2 <= max_distance_m * max_distance_m)
        {
            for choice in &mut choices {
                choice.offer(g, seg, d2);
            }
            if choices.iter().all(Choice::decided) {
                break;
            }
        }
        choices.map(|choice| {
            choice.finish().map(|(seg, d2, isolated, off_fragment)| {
                Self::point_on(g, seg, xy, d2, isolated, off_fragment)
            })
        })
    }

    /// Every segment `profile` may use within `max_distance_m` of `p`, each at its point
    /// nearest `p`, nearest first: where an area is reached from each path that passes by
    /// its edge, not from the nearest path alone.
    pub fn within(
        &self,
        g: &WalkGraph,
        p: LonLat,
        profile: Profile,
        max_distance_m: f64,
    ) -> Vec<Snapped> {
        let xy = g.projection().project(p);
        self.near(g, xy, profile, max_distance_m)
            .into_iter()
            .map(|(seg, d2)| Self::point_on(g, seg, xy, d2, false, false))
            .collect()
    }

    /// The segments `profile` may use within `radius_m` of `xy` (local metres) with their
    /// squared distances, nearest first, equal distances by edge id. An envelope query:
    /// cheaper than the tree's nearest-neighbour heap for all within a small radius (for the
    /// nearest alone, the heap is cheaper: it stops at the first).
    fn near(
        &self,
        g: &WalkGraph,
        xy: [f64; 2],
        profile: Profile,
        radius_m: f64,
    ) -> Vec<(&Segment, f64)> {
        let mut near: Vec<_> = self
            .tree
            .locate_within_distance(xy, radius_m * radius_m)
            .filter(|seg| profile.allows(g.flags(seg.data)))
            .map(|seg| (seg, seg.distance_2(&xy)))
            .collect();
        near.sort_unstable_by(|a, b| a.1.total_cmp(&b.1).then(a.0.data.0.cmp(&b.0.data.0)));
        near
    }

    fn point_on(
        g: &WalkGraph,
        seg: &Segment,
        xy: [f64; 2],
        d2: f64,
        isolated: bool,
        off_fragment: bool,
    ) -> Snapped {
        let proj = g.projection();
        let [ax, ay] = seg.geom().from;
        let [bx, by] = seg.geom().to;
        let (dx, dy) = (bx - ax, by - ay);
        let len2 = dx * dx + dy * dy;
        let fraction = if len2 == 0.0 {
            0.0
        } else {
            (((xy[0] - ax) * dx + (xy[1] - ay) * dy) / len2).clamp(0.0, 1.0)
        };
        let point = proj.unproject([ax + fraction * dx, ay + fraction * dy]);
        Snapped {
            edge: seg.data,
            fraction,
            point,
            distance_m: d2.sqrt(),
            isolated,
            off_fragment,
        }
    }
}
