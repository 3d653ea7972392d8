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

/// Where a facility or a home joins the network: on any segment, and on one without steps
/// or other barriers (for the wheelchair profile). Most have the same segment for both.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    pub any: Option<Snapped>,
    pub step_free: Option<Snapped>,
}

impl Placement {
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
    /// Where each address (a home) joins the network, same order as the snapshot's addresses.
    pub address_snaps: Vec<Placement>,
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
    pub fn place(&self, p: LonLat) -> Placement {
        Placement {
            any: self.network.snap(p, Profile::Walk, MAX_FACILITY_SNAP_M),
            step_free: self
                .network
                .snap(p, Profile::Wheelchair, MAX_FACILITY_SNAP_M),
        }
    }

    pub fn new(graph: WalkGraph, facilities: &[Facility], addresses: &[Address]) -> WalkIndex {
        let network = Network::new(graph);
        let place = |p: LonLat| Placement {
            any: network.snap(p, Profile::Walk, MAX_FACILITY_SNAP_M),
            step_free: network.snap(p, Profile::Wheelchair, MAX_FACILITY_SNAP_M),
        };
        let facility_snaps = facilities.iter().map(|f| place(f.position)).collect();
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
            address_snaps,
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
            let mut reached: Vec<(u32, f64)> = facilities
                .iter()
                .zip(&self.facility_snaps)
                .enumerate()
                .filter(|(_, (f, _))| kinds.is_none_or(|k| k.matches(f.kind)))
                .filter_map(|(i, (_, snap))| {
                    let at = snap.for_profile(profile)?;
                    let t = at.cost_from(g, profile, |n| search.cost_or_inf(n), Some(&snapped));
                    (t <= max_s).then_some((i as u32, t))
                })
                .collect();
            reached.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            let mut extra_reached: Vec<(u32, f64)> = extra
                .iter()
                .enumerate()
                .filter_map(|(i, snap)| {
                    let at = snap.for_profile(profile)?;
                    let t = at.cost_from(g, profile, |n| search.cost_or_inf(n), Some(&snapped));
                    (t <= max_s).then_some((i as u32, t))
                })
                .collect();
            extra_reached.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            let bands = isochrone::bands(g, search, profile, Some(&snapped), band_minutes);
            Ok(Reach {
                origin: snapped,
                bands,
                facilities: reached,
                extra: extra_reached,
            })
        })
    }
}
