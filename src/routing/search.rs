//! Bounded Dijkstra on the walking graph: stops at the time budget, and reuses its buffers
//! between queries so that the hot path allocates nothing once warm.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Mutex;

use super::{NodeId, Profile, WalkGraph};

/// A start of a search: a node and the seconds already spent reaching it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    pub node: NodeId,
    pub cost_s: f64,
}

/// Buffers for one search at a time. `dist` is kept at +∞ except for nodes in `touched`,
/// which are reset at the start of the next search.
#[derive(Debug)]
pub struct Search {
    dist: Vec<f64>,
    touched: Vec<u32>,
    /// (cost as ordered bits, node). Costs are ≥ 0, so their bit patterns order like the values.
    heap: BinaryHeap<Reverse<(u64, u32)>>,
    max_s: f64,
}

impl Search {
    pub fn new(node_count: usize) -> Search {
        Search {
            dist: vec![f64::INFINITY; node_count],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
            max_s: 0.0,
        }
    }

    /// Runs from `seeds` until every node within `max_s` seconds is settled.
    pub fn run(&mut self, g: &WalkGraph, profile: Profile, seeds: &[Seed], max_s: f64) {
        self.run_below(g, profile, seeds, max_s, None);
    }

    /// Like [`Search::run`], but a node is only reached when this search gets there faster
    /// than `bound[node]`: a search from new sources that stops where the old ones are
    /// already nearer (exact for "what improves", since a path through a node the old
    /// sources reach sooner can never beat them further on).
    pub fn run_below(
        &mut self,
        g: &WalkGraph,
        profile: Profile,
        seeds: &[Seed],
        max_s: f64,
        bound: Option<&[f64]>,
    ) {
        if self.dist.len() != g.node_count() {
            *self = Search::new(g.node_count());
        }
        for &n in &self.touched {
            self.dist[n as usize] = f64::INFINITY;
        }
        self.touched.clear();
        self.heap.clear();
        self.max_s = max_s;
        let speed = profile.speed_mps();
        let admits = |n: u32, cost: f64| bound.is_none_or(|b| cost < b[n as usize]);
        for s in seeds {
            if admits(s.node.0, s.cost_s) {
                self.relax(s.node.0, s.cost_s);
            }
        }
        while let Some(Reverse((bits, n))) = self.heap.pop() {
            let d = f64::from_bits(bits);
            if d > self.dist[n as usize] {
                continue; // a stale entry: n was reached more cheaply since
            }
            for e in g.edges_from(NodeId(n)) {
                let (head, cost) = (g.head(e).0, d + g.length_m(e) / speed);
                if profile.allows(g.flags(e)) && admits(head, cost) {
                    self.relax(head, cost);
                }
            }
        }
    }

    fn relax(&mut self, n: u32, cost: f64) {
        if cost <= self.max_s && cost < self.dist[n as usize] {
            if self.dist[n as usize].is_infinite() {
                self.touched.push(n);
            }
            self.dist[n as usize] = cost;
            self.heap.push(Reverse((cost.to_bits(), n)));
        }
    }

    /// Seconds to reach `n`, or `None` when it is beyond the budget.
    pub fn cost(&self, n: NodeId) -> Option<f64> {
        let d = self.dist[n.0 as usize];
        d.is_finite().then_some(d)
    }

    /// Seconds to `n`, +∞ when unreached.
    pub fn cost_or_inf(&self, n: NodeId) -> f64 {
        self.dist[n.0 as usize]
    }

    /// Every node reached within the budget, in the order first reached.
    pub fn reached(&self) -> impl Iterator<Item = (NodeId, f64)> + '_ {
        self.touched
            .iter()
            .map(|&n| (NodeId(n), self.dist[n as usize]))
    }

    /// Seconds to every node, +∞ where unreached: a copy, for keeping beyond this search.
    pub fn costs(&self) -> Vec<f64> {
        self.dist.clone()
    }

    pub fn max_s(&self) -> f64 {
        self.max_s
    }
}

/// Searches to lend out, so that concurrent requests each get buffers without allocating.
#[derive(Debug, Default)]
pub struct SearchPool {
    free: Mutex<Vec<Search>>,
}

impl SearchPool {
    /// Runs `f` with a search sized for `g`.
    pub fn with<R>(&self, g: &WalkGraph, f: impl FnOnce(&mut Search) -> R) -> R {
        let mut search = self
            .free
            .lock()
            .expect("pool lock")
            .pop()
            .unwrap_or_else(|| Search::new(g.node_count()));
        let result = f(&mut search);
        self.free.lock().expect("pool lock").push(search);
        result
    }
}
