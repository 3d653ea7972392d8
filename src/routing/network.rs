//! The graph with what every query needs beside it: the segment index for snapping and a
//! pool of search buffers.

use super::search::{Search, SearchPool};
use super::snap::{Snapped, Snapper};
use super::{Profile, WalkGraph};
use crate::domain::LonLat;

#[derive(Debug)]
pub struct Network {
    pub graph: WalkGraph,
    snapper: Snapper,
    pool: SearchPool,
}

impl Network {
    pub fn new(graph: WalkGraph) -> Network {
        Network {
            snapper: Snapper::new(&graph),
            graph,
            pool: SearchPool::default(),
        }
    }

    /// The nearest segment `profile` may use within `max_distance_m` of `p`.
    pub fn snap(&self, p: LonLat, profile: Profile, max_distance_m: f64) -> Option<Snapped> {
        self.snapper.snap(&self.graph, p, profile, max_distance_m)
    }

    /// [`Network::snap`] for each of `profiles`, in one walk of the segment index.
    pub fn snap_each<const N: usize>(
        &self,
        p: LonLat,
        profiles: [Profile; N],
        max_distance_m: f64,
    ) -> [Option<Snapped>; N] {
        self.snapper
            .snap_each(&self.graph, p, profiles, max_distance_m)
    }

    /// Every segment `profile` may use within `max_distance_m` of `p`, nearest first.
    pub fn within(&self, p: LonLat, profile: Profile, max_distance_m: f64) -> Vec<Snapped> {
        self.snapper.within(&self.graph, p, profile, max_distance_m)
    }

    /// Runs `f` with a search buffer from the pool.
    pub fn with_search<R>(&self, f: impl FnOnce(&WalkGraph, &mut Search) -> R) -> R {
        self.pool.with(&self.graph, |s| f(&self.graph, s))
    }
}
