//! Placing a point on the walking network: the nearest walkable segment, not only the
//! nearest node, with how far along the segment the point falls.

use rstar::RTree;
use rstar::primitives::{GeomWithData, Line};

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

/// An R-tree over the network's segments in local metres.
#[derive(Debug)]
pub struct Snapper {
    tree: RTree<GeomWithData<Line<[f64; 2]>, EdgeId>>,
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
                GeomWithData::new(line, e)
            })
            .collect();
        Snapper {
            tree: RTree::bulk_load(segments),
        }
    }

    /// The nearest segment `profile` may use, within `max_distance_m`.
    pub fn snap(
        &self,
        g: &WalkGraph,
        p: LonLat,
        profile: Profile,
        max_distance_m: f64,
    ) -> Option<Snapped> {
        let proj = g.projection();
        let xy = proj.project(p);
        let candidate = self
            .tree
            .nearest_neighbor_iter_with_distance_2(xy)
            .take_while(|(_, d2)| *d2 <= max_distance_m * max_distance_m)
            .find(|(seg, _)| profile.allows(g.flags(seg.data)))?;
        let (seg, d2) = candidate;
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
        Some(Snapped {
            edge: seg.data,
            fraction,
            point,
            distance_m: d2.sqrt(),
        })
    }
}
