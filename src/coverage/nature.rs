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
    for area in added {
        let rings: Vec<&geo::LineString<f64>> = area.0.iter().map(|p| p.exterior()).collect();
        let found = Entrances::along(&walk.network, &rings, EDGE_TOUCH_M, MAX_DRAWN_ENTRANCES);
        let found = found.for_profile(profile);
        if found.is_empty() {
            let c = area
                .bounding_rect()
                .map(|r| r.center())
                .unwrap_or(geo::Coord { x: 0.0, y: 0.0 });
            return Err(CoverageError::ProposedOffNetwork {
                lon: c.x,
                lat: c.y,
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
    for (i, a) in s.addresses.iter().enumerate() {
        let p = geo::Point::new(a.position.lon, a.position.lat);
        if added.iter().any(|area| area.contains(&p)) {
            times[i] = 0.0;
        }
    }
    Ok(times)
}

fn compute(s: &Snapshot, target: NatureTarget, profile: Profile) -> NatureBaseline {
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
    let areas: Vec<&NatureArea> = matching.iter().map(|&i| &s.nature[i]).collect();
    for (i, a) in s.addresses.iter().enumerate() {
        if inside_any(&areas, a.position) {
            address_times[i] = 0.0;
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
