//! Coverage for planners: for every address, the walking time to the nearest facility of the
//! chosen kinds (one multi-source search over the graph, not one search per address), and
//! per district the addresses covered within a time, their share, and the median and 90th
//! percentile walking times. Scenarios add facilities at points or remove facilities by id
//! without touching the stored data. No I/O here.

use std::collections::HashMap;

use crate::domain::{Bbox, FacilityKind, KindFilter, LonLat};
use crate::index::walk::Baseline;
use crate::index::walk::MAX_FACILITY_SNAP_M;
use crate::index::{Placement, Snapshot, WalkIndex};
use crate::routing::search::Seed;
use crate::routing::snap::Snapped;
use crate::routing::{EdgeId, Profile, WalkGraph};

pub mod gpkg;
pub mod nature;
mod output;
mod question;

pub use output::{CsvDialect, CsvOptions, Format, Rendered, render};
pub use question::{
    Asked, MAX_MINUTES, OpenAtCounts, Question, QuestionError, UnknownHours, parse_minutes,
    unknown_kind,
};

/// What a coverage table answers, carried in every output of it (issue 21 item 7): the
/// kinds or categories asked, the time asked (`open_at`), the store's data version the
/// table was computed from and when (UTC, RFC 3339), and notes on what the data lacks.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct About {
    pub kind: Option<String>,
    pub category: Option<String>,
    /// The nature question (issue 22): `green`, `green_1ha`, `forest`, `shore`.
    pub nature: Option<String>,
    pub open_at: Option<String>,
    /// At `open_at`: the facilities of the kinds asked that are open, closed and of unknown
    /// state then, and how the unknown ones counted (`unknown_hours`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_at_facilities: Option<OpenAtCounts>,
    /// Homes not covered whose walk of the minutes asked could reach the edge of the map
    /// data (the walking network's extent): outside it nothing is known, so something may
    /// be nearer for them than shown (`near_data_edge`). `None` without a network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near_data_edge: Option<usize>,
    pub data_version: i64,
    pub computed_at: String,
    pub notes: Vec<String>,
}

/// How many homes not covered within `minutes` (`times` per address, seconds) lie closer to
/// the edge of the walking network's extent (its bounding box) than that walk goes in a
/// straight line (`minutes` at the profile's speed): for them, a facility or nature just
/// outside the data could be nearer than anything in it. `None` without a network.
/// Metres from the box's sides in the local equirectangular approximation (111,320 m a
/// degree of latitude, times the cosine of the latitude for longitude).
pub fn near_data_edge(
    s: &Snapshot,
    times: &[f64],
    minutes: u32,
    profile: crate::routing::Profile,
) -> Option<usize> {
    let graph = &s.walk.as_ref()?.network.graph;
    let extent = Bbox::around(
        (0..graph.node_count() as u32).map(|n| graph.position(crate::routing::NodeId(n))),
    )?;
    let reach_m = f64::from(minutes) * 60.0 * profile.speed_mps();
    let limit = f64::from(minutes) * 60.0;
    const M_PER_DEGREE: f64 = 111_320.0;
    Some(
        s.addresses
            .iter()
            .zip(times)
            .filter(|(_, t)| **t > limit)
            .filter(|(a, _)| {
                let p = a.position;
                let x = (p.lon - extent.min_lon).min(extent.max_lon - p.lon)
                    * M_PER_DEGREE
                    * p.lat.to_radians().cos();
                let y = (p.lat - extent.min_lat).min(extent.max_lat - p.lat) * M_PER_DEGREE;
                x.min(y) < reach_m
            })
            .count(),
    )
}

/// Walking times are computed up to this many seconds; an address farther from every
/// facility counts as uncovered and its time as unknown ("more than an hour").
pub const HORIZON_S: f64 = 3600.0;

/// A facility that does not exist yet: a point a planner is trying out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proposed {
    pub position: LonLat,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CoverageError {
    #[error(
        "no walking network yet: build it from an OpenStreetMap extract with `naermiljo \
         build-graph FILE.osm.pbf` (which adds only the network) or import the extract whole \
         with `naermiljo import osm FILE.osm.pbf`"
    )]
    NoNetwork,
    #[error("a proposed facility at ({lon}, {lat}) is more than {max_m} m from any walkable path")]
    ProposedOffNetwork { lon: f64, lat: f64, max_m: f64 },
    #[error("no facility with id {0} to remove")]
    UnknownFacility(i64),
    /// A drawn nature area (its index) whose edge no walkable path comes near.
    #[error(
        "no walkable path comes within {max_m} m of the edge of drawn area {index} (around \
         {lon}, {lat}): draw it where a path or street passes"
    )]
    DrawnAreaOffNetwork {
        index: usize,
        lon: f64,
        lat: f64,
        max_m: f64,
    },
}

/// Per address: seconds to the nearest chosen facility, `f64::INFINITY` when none is within
/// [`HORIZON_S`] or the address is not on the network.
///
/// Without removals, this starts from the snapshot's cached baseline for the kinds and
/// searches only from the added points, pruned where the existing facilities are nearer:
/// a scenario costs what it changes. Removals search again from the remaining facilities.
pub fn address_times(
    s: &Snapshot,
    kinds: &KindFilter,
    profile: Profile,
    added: &[Proposed],
    removed: &[i64],
) -> Result<Vec<f64>, CoverageError> {
    let walk = s.walk.as_ref().ok_or(CoverageError::NoNetwork)?;
    for id in removed {
        s.facility(*id).ok_or(CoverageError::UnknownFacility(*id))?;
    }
    let mut new_places = Vec::with_capacity(added.len());
    for p in added {
        let snapped = walk
            .network
            .snap(p.position, profile, crate::index::walk::MAX_FACILITY_SNAP_M)
            .ok_or(CoverageError::ProposedOffNetwork {
                lon: p.position.lon,
                lat: p.position.lat,
                max_m: crate::index::walk::MAX_FACILITY_SNAP_M,
            })?;
        new_places.push(snapped);
    }
    let baseline = walk.baseline(kinds, profile, || {
        let sources: Vec<(i64, Snapped)> = s
            .facilities
            .iter()
            .zip(&walk.facility_snaps)
            .filter(|(f, _)| kinds.matches(f.kind))
            .flat_map(|(f, p)| walk.places(p, profile).map(move |snap| (f.id, snap)))
            .collect();
        let (node_costs, labels) = labelled_costs(walk, &sources, profile);
        let places: Vec<Snapped> = sources.iter().map(|(_, p)| *p).collect();
        let address_times = target_times(walk, &places, &walk.address_snaps, profile, &node_costs);
        Baseline {
            node_costs,
            address_times,
            labels,
            sources,
        }
    });
    // Closing facilities: repair only the nodes they were nearest to.
    let (node_costs, times) = if removed.is_empty() {
        (None, baseline.address_times.clone())
    } else {
        let (costs, times) = without_sources(walk, &baseline, removed, profile);
        (Some(costs), times)
    };
    if new_places.is_empty() {
        return Ok(times);
    }
    let bound = node_costs.as_deref().unwrap_or(&baseline.node_costs);
    let (_, improved) = times_from(walk, &new_places, &walk.address_snaps, profile, Some(bound));
    Ok(times.iter().zip(improved).map(|(a, b)| a.min(b)).collect())
}

/// Every address's time to the nearest facility of each of `kinds`, one search per kind,
/// the searches spread over the machine's cores (each borrows its own search buffers).
/// Uncached: for the planners' overview of every kind at once, and the benchmark.
pub fn times_per_kind(
    s: &Snapshot,
    kinds: &[crate::domain::FacilityKind],
    profile: Profile,
) -> Result<Vec<Vec<f64>>, CoverageError> {
    let walk = s.walk.as_ref().ok_or(CoverageError::NoNetwork)?;
    let sources: Vec<Vec<Snapped>> = kinds
        .iter()
        .map(|k| {
            s.facilities
                .iter()
                .zip(&walk.facility_snaps)
                .filter(|(f, _)| f.kind == *k)
                .flat_map(|(_, p)| walk.places(p, profile))
                .collect()
        })
        .collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(kinds.len().max(1));
    let mut out: Vec<Vec<f64>> = vec![Vec::new(); kinds.len()];
    std::thread::scope(|scope| {
        let chunk = kinds.len().div_ceil(threads).max(1);
        for (slots, places) in out.chunks_mut(chunk).zip(sources.chunks(chunk)) {
            scope.spawn(move || {
                for (slot, places) in slots.iter_mut().zip(places) {
                    *slot = times_from(walk, places, &walk.address_snaps, profile, None).1;
                }
            });
        }
    });
    Ok(out)
}

/// Every address's time to the nearest activity of `categories` (activities at a facility
/// start from the facility's placement; those whose place is gone, and paused ones, are
/// left out).
pub fn activity_times(
    s: &Snapshot,
    categories: &[crate::domain::activity::Category],
    profile: Profile,
) -> Result<Vec<f64>, CoverageError> {
    let walk = s.walk.as_ref().ok_or(CoverageError::NoNetwork)?;
    let p = &s.programme.activities;
    let sources: Vec<Snapped> = p
        .items
        .iter()
        .zip(&p.snaps)
        .filter(|(a, _)| !a.doc.paused && categories.contains(&a.doc.category))
        .flat_map(|(_, placement)| walk.places(placement, profile))
        .collect();
    Ok(times_from(walk, &sources, &walk.address_snaps, profile, None).1)
}

/// Node costs being settled: costs, and a heap of (cost as ordered bits, node). Costs are
/// ≥ 0, so their bit patterns order like the values.
struct Frontier {
    cost: Vec<f64>,
    heap: std::collections::BinaryHeap<std::cmp::Reverse<(u64, u32)>>,
}

impl Frontier {
    /// Lowers `v`'s cost to `c` when that is an improvement within the horizon.
    fn offer(&mut self, v: usize, c: f64) -> bool {
        if c <= HORIZON_S && c < self.cost[v] {
            self.cost[v] = c;
            self.heap.push(std::cmp::Reverse((c.to_bits(), v as u32)));
            true
        } else {
            false
        }
    }

    /// Dijkstra from what has been offered, going from `v` to `w` only where
    /// `enter(v, w)` agrees (it is asked before each improvement it would allow).
    fn settle(
        &mut self,
        g: &WalkGraph,
        profile: Profile,
        mut enter: impl FnMut(usize, usize) -> bool,
    ) {
        let speed = profile.speed_mps();
        while let Some(std::cmp::Reverse((bits, v))) = self.heap.pop() {
            let d = f64::from_bits(bits);
            if d > self.cost[v as usize] {
                continue; // a stale entry: v was reached more cheaply since
            }
            for e in g.edges_from(crate::routing::NodeId(v)) {
                let w = g.head(e).0 as usize;
                let c = d + g.length_m(e) / speed;
                if profile.allows(g.flags(e))
                    && c <= HORIZON_S
                    && c < self.cost[w]
                    && enter(v as usize, w)
                {
                    self.offer(w, c);
                }
            }
        }
    }
}

/// Multi-source Dijkstra that also records which source reaches each node first.
fn labelled_costs(
    walk: &WalkIndex,
    sources: &[(i64, Snapped)],
    profile: Profile,
) -> (Vec<f64>, Vec<u32>) {
    let g = &walk.network.graph;
    let n = g.node_count();
    let mut f = Frontier {
        cost: vec![f64::INFINITY; n],
        heap: Default::default(),
    };
    let mut label = vec![u32::MAX; n];
    for (i, (_, p)) in sources.iter().enumerate() {
        for seed in p.seeds(g, profile) {
            if f.offer(seed.node.0 as usize, seed.cost_s) {
                label[seed.node.0 as usize] = i as u32;
            }
        }
    }
    f.settle(g, profile, |v, w| {
        label[w] = label[v];
        true
    });
    (f.cost, label)
}

/// Each target's time from node costs, with sources on the target's own segment reached
/// along it.
fn target_times(
    walk: &WalkIndex,
    sources: &[Snapped],
    targets: &[Placement],
    profile: Profile,
    costs: &[f64],
) -> Vec<f64> {
    let g = &walk.network.graph;
    let on_segment = sources_by_segment(g, sources);
    targets
        .iter()
        .map(|t| target_time(g, t, profile, |n| costs[n.0 as usize], &on_segment))
        .collect()
}

fn target_time(
    g: &WalkGraph,
    t: &Placement,
    profile: Profile,
    cost_of: impl Fn(crate::routing::NodeId) -> f64,
    on_segment: &HashMap<u32, Vec<f64>>,
) -> f64 {
    let Some(at) = t.for_profile(profile) else {
        return f64::INFINITY;
    };
    let mut best = at.cost_from(g, profile, cost_of, None);
    // A source on the same segment is reached along it, not round by its ends.
    let (key, f) = canonical(g, at);
    if let Some(fractions) = on_segment.get(&key) {
        let len = g.length_m(EdgeId(key));
        for &sf in fractions {
            best = best.min((sf - f).abs() * len / profile.speed_mps());
        }
    }
    if best <= HORIZON_S {
        best
    } else {
        f64::INFINITY
    }
}

/// Node costs and address times with the facilities `removed` closed, from the baseline:
/// only the nodes those facilities reached first are searched again, from the nodes around
/// them (whose costs cannot change) and from remaining sources that lie among them.
fn without_sources(
    walk: &WalkIndex,
    b: &Baseline,
    removed: &[i64],
    profile: Profile,
) -> (Vec<f64>, Vec<f64>) {
    let gone: Vec<bool> = b
        .sources
        .iter()
        .map(|(id, _)| removed.contains(id))
        .collect();
    let g = &walk.network.graph;
    let speed = profile.speed_mps();
    let mut f = Frontier {
        cost: b.node_costs.clone(),
        heap: Default::default(),
    };
    let mut affected = vec![false; f.cost.len()];
    let mut region = Vec::new();
    for (v, &l) in b.labels.iter().enumerate() {
        if l != u32::MAX && gone[l as usize] {
            affected[v] = true;
            f.cost[v] = f64::INFINITY;
            region.push(v as u32);
        }
    }
    // From the edge of the region: walk in from every unaffected neighbour.
    for &v in &region {
        for e in g.edges_from(crate::routing::NodeId(v)) {
            let u = g.head(e).0 as usize;
            let back = g.twin(e);
            if !affected[u] && f.cost[u].is_finite() && profile.allows(g.flags(back)) {
                let c = f.cost[u] + g.length_m(back) / speed;
                f.offer(v as usize, c);
            }
        }
    }
    // Remaining sources whose own seeds lie in the region.
    for ((_, p), &closed) in b.sources.iter().zip(&gone) {
        if closed {
            continue;
        }
        for seed in p.seeds(g, profile) {
            if affected[seed.node.0 as usize] {
                f.offer(seed.node.0 as usize, seed.cost_s);
            }
        }
    }
    f.settle(g, profile, |_, w| affected[w]);
    let cost = f.cost;
    // Addresses next to the region, or on a closed facility's segment, are timed again.
    let remaining: Vec<Snapped> = b
        .sources
        .iter()
        .zip(&gone)
        .filter(|(_, c)| !**c)
        .map(|((_, p), _)| *p)
        .collect();
    let closed_segments: Vec<u32> = b
        .sources
        .iter()
        .zip(&gone)
        .filter(|(_, c)| **c)
        .map(|((_, p), _)| canonical(g, p).0)
        .collect();
    let on_segment = sources_by_segment(g, &remaining);
    let times = walk
        .address_snaps
        .iter()
        .zip(&b.address_times)
        .map(|(t, &old)| {
            let Some(at) = t.for_profile(profile) else {
                return old;
            };
            let touched = affected[g.tail(at.edge).0 as usize]
                || affected[g.head(at.edge).0 as usize]
                || closed_segments.contains(&canonical(g, at).0);
            if touched {
                target_time(g, t, profile, |n| cost[n.0 as usize], &on_segment)
            } else {
                old
            }
        })
        .collect();
    (cost, times)
}

/// Seconds from the nearest of `sources`: to every node, and to each placement in `targets`.
/// With `bound`, the search only goes where it beats those node costs (see
/// [`crate::routing::search::Search::run_below`]).
pub fn times_from(
    walk: &WalkIndex,
    sources: &[Snapped],
    targets: &[Placement],
    profile: Profile,
    bound: Option<&[f64]>,
) -> (Vec<f64>, Vec<f64>) {
    walk.network.with_search(|g, search| {
        let seeds: Vec<Seed> = sources.iter().flat_map(|s| s.seeds(g, profile)).collect();
        search.run_below(g, profile, &seeds, HORIZON_S, bound);
        let on_segment = sources_by_segment(g, sources);
        let times = targets
            .iter()
            .map(|t| target_time(g, t, profile, |n| search.cost_or_inf(n), &on_segment))
            .collect();
        let nodes = if bound.is_none() {
            search.costs()
        } else {
            Vec::new()
        };
        (nodes, times)
    })
}

/// A segment's lower directed edge id and the fraction along it.
fn canonical(g: &WalkGraph, s: &Snapped) -> (u32, f64) {
    let twin = g.twin(s.edge);
    if s.edge < twin {
        (s.edge.0, s.fraction)
    } else {
        (twin.0, 1.0 - s.fraction)
    }
}

fn sources_by_segment(g: &WalkGraph, sources: &[Snapped]) -> HashMap<u32, Vec<f64>> {
    let mut map: HashMap<u32, Vec<f64>> = HashMap::new();
    for s in sources {
        let (key, f) = canonical(g, s);
        map.entry(key).or_default().push(f);
    }
    map
}

/// One district's coverage (or the whole area's, with `district` `None`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DistrictCoverage {
    pub district_id: Option<String>,
    pub district: Option<String>,
    /// The district's code (grunnkretsnummer, kommunenummer, …).
    pub code: Option<String>,
    pub level: Option<String>,
    /// The district of the next coarser level that holds this one.
    pub parent_id: Option<String>,
    pub addresses: u64,
    pub covered: u64,
    /// Homes the walking network does not connect to the rest (placed on no segment, or on
    /// a small part of the network with no large part near): a data warning, counted
    /// rather than told as covered or silently uncovered (issue 16).
    pub unreachable: u64,
    /// `covered / addresses`; `None` (null, an empty CSV cell) for a district without
    /// addresses: no homes is no share, not 0 % (issue 20 item 12).
    pub share: Option<f64>,
    /// Median walking time in seconds; `None` when more than half are beyond the horizon.
    pub median_s: Option<f64>,
    pub p90_s: Option<f64>,
    /// Residents, where a population was imported for the district.
    pub population: Option<i64>,
    /// Residents within the walk: `population × resident_share` where SSB figures per
    /// grunnkrets were imported, else `population × share` (residents spread evenly).
    pub residents_covered: Option<f64>,
    /// The share of residents (not addresses) within the walk, where SSB figures per
    /// grunnkrets were imported: each address weighs its grunnkrets' residents divided by
    /// the grunnkrets' addresses.
    pub resident_share: Option<f64>,
    /// `population` is our own sum of the parts, not a published figure.
    pub population_sum: bool,
    /// How many districts of finer levels have this one as their parent.
    pub children: usize,
    /// Residents' figures withheld: fewer than 10 residents or 5 addresses (the shares
    /// by address still stand).
    pub suppressed: bool,
}

/// Which districts a coverage table has rows for: one level (index into the snapshot's
/// `levels`), optionally only the districts inside `parent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct View {
    pub level: Option<usize>,
    pub parent: Option<u32>,
}

/// A level present in the snapshot and how many districts it has.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LevelSummary {
    pub level: String,
    pub districts: usize,
    pub derived: bool,
}

impl View {
    /// The default view: the coarsest level with at least three districts, else the
    /// finest level; no parent.
    pub fn default_for(s: &Snapshot) -> View {
        View {
            level: default_level(s),
            parent: None,
        }
    }

    /// The view for `level` (a level name, or the default when `None`) and `parent` (a
    /// district id). Errors name what is wrong and what is offered.
    pub fn parse(
        s: &Snapshot,
        level: Option<&str>,
        parent: Option<&str>,
    ) -> Result<View, ViewError> {
        let parent = match parent {
            None => None,
            Some(id) => Some(
                s.district(id)
                    .ok_or_else(|| ViewError::UnknownParent(id.to_string()))?,
            ),
        };
        let parent_at = parent.map(|p| s.level_of(p));
        let level =
            match level {
                // The level just below the parent's.
                None => match parent_at {
                    Some(at) => Some(at + 1),
                    None => default_level(s),
                },
                Some(name) => Some(s.levels.iter().position(|l| l.level == name).ok_or_else(
                    || ViewError::UnknownLevel {
                        level: name.to_string(),
                        offered: s.levels.iter().map(|l| l.level.clone()).collect(),
                    },
                )?),
            };
        if let (Some(at), Some(l)) = (parent_at, level)
            && (l <= at || l >= s.levels.len())
        {
            let finer: Vec<String> = s.levels[at + 1..].iter().map(|x| x.level.clone()).collect();
            return Err(ViewError::NotInside {
                parent_level: s.levels[at].level.clone(),
                level: s.levels.get(l).map(|x| x.level.clone()),
                finer,
            });
        }
        Ok(View { level, parent })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error("no district level {level:?}; levels here: {}", offered.join(", "))]
    UnknownLevel { level: String, offered: Vec<String> },
    #[error("no district with id {0:?}")]
    UnknownParent(String),
    #[error("{}", not_inside(parent_level, level.as_deref(), finer))]
    NotInside {
        parent_level: String,
        level: Option<String>,
        finer: Vec<String>,
    },
}

/// Whether district `d` lies inside `ancestor` (its parent, or its parent's, …).
pub fn descends_from(s: &Snapshot, d: u32, ancestor: u32) -> bool {
    let mut at = s.districts[d as usize].parent;
    while let Some(p) = at {
        if p == ancestor {
            return true;
        }
        at = s.districts[p as usize].parent;
    }
    false
}

fn not_inside(parent_level: &str, level: Option<&str>, finer: &[String]) -> String {
    match (level, finer.is_empty()) {
        (_, true) => format!(
            "{parent_level} is the finest level here: there are no districts inside this one"
        ),
        (Some(l), false) => format!(
            "a {l} does not lie inside a {parent_level}: choose a finer level ({})",
            finer.join(", ")
        ),
        (None, false) => format!(
            "choose a level inside the {parent_level} ({})",
            finer.join(", ")
        ),
    }
}

fn default_level(s: &Snapshot) -> Option<usize> {
    s.levels
        .iter()
        .position(|l| l.districts.len() >= 3)
        .or_else(|| s.levels.len().checked_sub(1))
}

/// The levels present, coarsest first.
pub fn levels(s: &Snapshot) -> Vec<LevelSummary> {
    s.levels
        .iter()
        .map(|l| LevelSummary {
            level: l.level.clone(),
            districts: l.districts.len(),
            derived: l.derived,
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Coverage {
    pub minutes: u32,
    pub profile: &'static str,
    /// The level of the rows (`None` where no districts exist).
    pub level: Option<String>,
    /// Only the districts inside this one.
    pub parent_id: Option<String>,
    /// The parent and the districts above it, coarsest first: `{id, name, level}`.
    pub parents: Vec<serde_json::Value>,
    /// Every level present, coarsest first.
    pub levels: Vec<LevelSummary>,
    pub districts: Vec<DistrictCoverage>,
    pub total: DistrictCoverage,
    /// How the homes' walking times are spread: homes (and residents, where known) per
    /// band of minutes, quickest first; the last band is "more than an hour or not on the
    /// network" (issue 22 item 3).
    pub distribution: Vec<TimeBand>,
    #[serde(flatten)]
    pub about: About,
}

/// Homes whose walking time lies in `[from_min, to_min)` minutes (`to_min` `None`: an hour
/// or more, or not reachable).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TimeBand {
    pub from_min: u32,
    pub to_min: Option<u32>,
    pub addresses: u64,
    pub residents: Option<f64>,
}

/// The band limits of [`Coverage::distribution`], in minutes.
const BAND_MINUTES: [u32; 9] = [0, 2, 5, 10, 15, 20, 30, 45, 60];

/// Homes (and residents, where each home's weight is known) per band of walking time.
fn distribution(times: impl Iterator<Item = (f64, Option<f64>)>) -> Vec<TimeBand> {
    let mut bands: Vec<TimeBand> = BAND_MINUTES
        .iter()
        .enumerate()
        .map(|(i, &from)| TimeBand {
            from_min: from,
            to_min: BAND_MINUTES.get(i + 1).copied(),
            addresses: 0,
            residents: None,
        })
        .collect();
    for (t, weight) in times {
        let minutes = t / 60.0;
        let band = BAND_MINUTES
            .iter()
            .rposition(|&from| minutes >= from as f64)
            .filter(|_| t.is_finite())
            .unwrap_or(BAND_MINUTES.len() - 1);
        let b = &mut bands[band];
        b.addresses += 1;
        if let Some(w) = weight {
            *b.residents.get_or_insert(0.0) += w;
        }
    }
    for b in &mut bands {
        b.residents = b.residents.map(f64::round);
    }
    bands
}

fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let v = sorted[((sorted.len() - 1) as f64 * p).round() as usize];
    v.is_finite().then_some((v * 10.0).round() / 10.0)
}

fn summarise(
    id: Option<String>,
    name: Option<String>,
    population: Option<i64>,
    times: &mut [f64],
    limit_s: f64,
) -> DistrictCoverage {
    times.sort_by(f64::total_cmp);
    let addresses = times.len() as u64;
    let covered = times.iter().filter(|t| **t <= limit_s).count() as u64;
    let share = (addresses > 0).then(|| covered as f64 / addresses as f64);
    DistrictCoverage {
        district_id: id,
        district: name,
        code: None,
        level: None,
        parent_id: None,
        addresses,
        covered,
        unreachable: 0,
        share,
        median_s: percentile(times, 0.5),
        p90_s: percentile(times, 0.9),
        population,
        residents_covered: population.zip(share).map(|(p, share)| p as f64 * share),
        resident_share: None,
        population_sum: false,
        children: 0,
        suppressed: false,
    }
}

/// Weighs a summary by residents: `weights` are (weight, walking time) of its addresses.
fn weigh(mut d: DistrictCoverage, weights: &[(f64, f64)], limit_s: f64) -> DistrictCoverage {
    let total: f64 = weights.iter().map(|w| w.0).sum();
    if total <= 0.0 {
        return d;
    }
    let covered: f64 = weights.iter().filter(|w| w.1 <= limit_s).map(|w| w.0).sum();
    let share = covered / total;
    d.resident_share = Some(share);
    let population = *d.population.get_or_insert(total.round() as i64);
    d.residents_covered = Some(population as f64 * share);
    d
}

/// Aggregates per-address times per district of the default level (see
/// [`View::default_for`]).
pub fn aggregate(s: &Snapshot, times: &[f64], minutes: u32, profile: Profile) -> Coverage {
    aggregate_at(s, times, minutes, profile, View::default_for(s))
}

/// Aggregates per-address times per district of `view`'s level, in district order, then
/// addresses without a district at that level (if any) in a row of their own, and the
/// total (of the parent's addresses when the view has one). Rows of districts with few
/// residents or addresses have their residents' figures withheld (`suppressed`).
pub fn aggregate_at(
    s: &Snapshot,
    times: &[f64],
    minutes: u32,
    profile: Profile,
    view: View,
) -> Coverage {
    let limit_s = minutes as f64 * 60.0;
    let level = view.level.map(|l| &s.levels[l]);
    let parent_level = view.parent.map(|p| &s.levels[s.level_of(p)]);
    let included = |i: usize| match (view.parent, parent_level) {
        (Some(p), Some(l)) => l.address_district[i] == Some(p),
        _ => true,
    };
    let rows: Vec<u32> = match level {
        Some(l) => l
            .districts
            .iter()
            .copied()
            .filter(|&d| view.parent.is_none_or(|p| descends_from(s, d, p)))
            .collect(),
        None => Vec::new(),
    };
    let row_of: HashMap<u32, usize> = rows.iter().enumerate().map(|(k, &d)| (d, k)).collect();
    let mut children: HashMap<u32, usize> = HashMap::new();
    for d in &s.districts {
        if let Some(p) = d.parent {
            *children.entry(p).or_default() += 1;
        }
    }
    // Homes the network does not connect (see `DistrictCoverage::unreachable`).
    let cut_off = |i: usize| {
        s.walk.as_ref().is_some_and(|w| {
            w.address_snaps[i]
                .for_profile(profile)
                .is_none_or(|snap| snap.isolated)
        })
    };
    let mut unreachable = vec![0u64; rows.len()];
    let (mut unreachable_none, mut unreachable_all) = (0u64, 0u64);
    let mut per: Vec<Vec<f64>> = vec![Vec::new(); rows.len()];
    let mut weighted: Vec<Vec<(f64, f64)>> = vec![Vec::new(); rows.len()];
    let mut none = Vec::new();
    let mut all = Vec::new();
    let mut all_weighted = Vec::new();
    for (i, &t) in times.iter().enumerate() {
        if !included(i) {
            continue;
        }
        all.push(t);
        let isolated = cut_off(i);
        unreachable_all += isolated as u64;
        let w = s.address_weight.as_ref().map(|w| w[i]);
        if let Some(w) = w {
            all_weighted.push((w, t));
        }
        match level
            .and_then(|l| l.address_district[i])
            .and_then(|d| row_of.get(&d))
        {
            Some(&k) => {
                per[k].push(t);
                unreachable[k] += isolated as u64;
                if let Some(w) = w {
                    weighted[k].push((w, t));
                }
            }
            None => {
                none.push(t);
                unreachable_none += isolated as u64;
            }
        }
    }
    let mut districts: Vec<DistrictCoverage> = rows
        .iter()
        .zip(per.iter_mut())
        .zip(&weighted)
        .zip(&unreachable)
        .map(|(((&i, t), w), &cut)| {
            let d = &s.districts[i as usize];
            let mut row = summarise(
                Some(d.id.clone()),
                Some(d.name.clone()),
                d.population,
                t,
                limit_s,
            );
            row.code = Some(d.code.clone());
            row.level = Some(d.level.clone());
            row.parent_id = d.parent.map(|p| s.districts[p as usize].id.clone());
            row.population_sum = d.population_sum;
            row.children = children.get(&i).copied().unwrap_or(0);
            row.unreachable = cut;
            weigh(row, w, limit_s)
        })
        .collect();
    if !none.is_empty() {
        let mut row = summarise(None, None, None, &mut none, limit_s);
        row.unreachable = unreachable_none;
        districts.push(row);
    }
    // A total population: the parent's, or the sum when every district of the level has one.
    let population: Option<i64> = match (view.parent, rows.is_empty()) {
        (Some(p), _) => s.districts[p as usize].population,
        (None, true) => None,
        (None, false) => rows
            .iter()
            .map(|&d| s.districts[d as usize].population)
            .sum(),
    };
    let mut total = summarise(None, None, None, &mut all, limit_s);
    total.unreachable = unreachable_all;
    total.population = population;
    total.residents_covered =
        population.map(|_| districts.iter().filter_map(|d| d.residents_covered).sum());
    if s.address_weight.is_some() {
        total = weigh(total, &all_weighted, limit_s);
    }
    for row in &mut districts {
        if row.district_id.is_some()
            && crate::index::districts::suppressed(row.population, row.addresses)
        {
            row.suppressed = true;
            row.population = None;
            row.population_sum = false;
            row.residents_covered = None;
            row.resident_share = None;
        }
    }
    let distribution = distribution(
        (0..times.len())
            .filter(|&i| included(i))
            .map(|i| (times[i], s.address_weight.as_ref().map(|w| w[i]))),
    );
    Coverage {
        distribution,
        minutes,
        profile: profile.as_str(),
        level: level.map(|l| l.level.clone()),
        parent_id: view.parent.map(|p| s.districts[p as usize].id.clone()),
        parents: {
            let mut chain = Vec::new();
            let mut at = view.parent;
            while let Some(p) = at {
                let d = &s.districts[p as usize];
                chain.push(serde_json::json!({ "id": d.id, "name": d.name, "level": d.level }));
                at = d.parent;
            }
            chain.reverse();
            chain
        },
        levels: levels(s),
        districts,
        total,
        about: About {
            data_version: s.data_version,
            ..Default::default()
        },
    }
}

/// The coverage table as CSV, one row per district and a last row `total` (see
/// [`output::csv`]).
pub fn to_csv(c: &Coverage) -> String {
    output::csv(c, CsvOptions::default())
}

/// Who lives within a walk of a point: what a resident's proposal (issue 15) would serve.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Catchment {
    pub minutes: u32,
    /// Addresses (homes) reached on foot (profile `walk`) within `minutes`.
    pub homes: usize,
    /// Residents of those homes, where SSB figures were imported.
    pub residents: Option<f64>,
    /// For a facility kind: how many of those homes have no facility of the kind within
    /// `minutes` today.
    pub kind: Option<FacilityKind>,
    pub homes_without: Option<usize>,
}

/// The homes within `minutes`' walk of `at` (a bounded search from the point, read off at
/// the homes in a box no walker leaves in that time), and for `kind` how many of them lack
/// one within the same walk today (the cached baseline of that kind). `None` without a
/// walking network or when `at` is more than [`MAX_FACILITY_SNAP_M`] from every path.
pub fn catchment(
    s: &Snapshot,
    at: LonLat,
    minutes: u32,
    kind: Option<FacilityKind>,
) -> Option<Catchment> {
    let walk = s.walk.as_ref()?;
    let profile = Profile::Walk;
    let snapped = walk.network.snap(at, profile, MAX_FACILITY_SNAP_M)?;
    let max_s = minutes as f64 * 60.0;
    // No one walks 2 m/s for long: the box holds every home the search can reach.
    let box_m = max_s * 2.0;
    // (Metres to degrees on the sphere is close enough for a box this generous.)
    let dlat = box_m / 111_320.0;
    let dlon = box_m / (111_320.0 * at.lat.to_radians().cos());
    let candidates = s.addresses_in(&Bbox {
        min_lon: at.lon - dlon,
        min_lat: at.lat - dlat,
        max_lon: at.lon + dlon,
        max_lat: at.lat + dlat,
    });
    let within: Vec<u32> = walk.network.with_search(|g, search| {
        search.run(g, profile, &snapped.seeds(g, profile), max_s);
        let on_segment = sources_by_segment(g, std::slice::from_ref(&snapped));
        candidates
            .iter()
            .copied()
            .filter(|&i| {
                let t = target_time(
                    g,
                    &walk.address_snaps[i as usize],
                    profile,
                    |n| search.cost_or_inf(n),
                    &on_segment,
                );
                t <= max_s
            })
            .collect()
    });
    let residents = s
        .address_weight
        .as_ref()
        .map(|w| within.iter().map(|&i| w[i as usize]).sum());
    let homes_without = kind.and_then(|k| {
        let filter = KindFilter::parse(k.as_str()).ok()?;
        let today = address_times(s, &filter, profile, &[], &[]).ok()?;
        Some(
            within
                .iter()
                .filter(|&&i| today[i as usize] > max_s)
                .count(),
        )
    });
    Some(Catchment {
        minutes,
        homes: within.len(),
        residents,
        kind,
        homes_without,
    })
}

/// The catchments of a snapshot's published proposals, computed the first time they are
/// asked for and kept with the snapshot (`Snapshot::caches`).
#[derive(Default)]
pub struct ProposalCatchments(std::sync::OnceLock<Vec<Option<Catchment>>>);

/// Per published proposal (the snapshot's order), the homes within
/// [`crate::participation::CATCHMENT_MINUTES`] of it: see [`catchment`].
pub fn proposal_catchments(s: &Snapshot) -> std::sync::Arc<ProposalCatchments> {
    let cache = s.caches.get::<ProposalCatchments>();
    cache.0.get_or_init(|| {
        s.proposals
            .items
            .iter()
            .map(|p| {
                catchment(
                    s,
                    LonLat::new(p.lon, p.lat),
                    crate::participation::CATCHMENT_MINUTES,
                    p.category.kind(),
                )
            })
            .collect()
    });
    cache
}

impl ProposalCatchments {
    /// The catchment of the `i`th proposal.
    pub fn of(&self, i: u32) -> Option<&Catchment> {
        self.0.get()?.get(i as usize)?.as_ref()
    }
}
