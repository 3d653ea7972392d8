//! Residents' published proposals in the snapshot (issue 15): each one's districts (the
//! finest level and the kommunedel, the coarsest level below the kommune) and an R-tree
//! over their points. Their catchments are `coverage::proposal_catchments`, cached with
//! the snapshot.

use std::collections::HashMap;

use geo::Intersects;

use crate::domain::{Bbox, LonLat};
use crate::store::proposal_rows::PublishedProposal;

use super::{PointTree, Snapshot, envelope, point_tree, sorted};

#[derive(Default)]
pub struct Proposals {
    pub items: Vec<PublishedProposal>,
    /// Same order: the finest district holding the point, and the kommunedel (or bydel).
    pub district: Vec<Option<u32>>,
    pub kommunedel: Vec<Option<u32>>,
    by_id: HashMap<i64, u32>,
    tree: Option<PointTree>,
}

impl Proposals {
    pub fn build(s: &Snapshot, items: Vec<PublishedProposal>) -> Proposals {
        let (district, kommunedel_of): (Vec<Option<u32>>, Vec<Option<u32>>) = items
            .iter()
            .map(|p| districts_at(s, LonLat::new(p.lon, p.lat)))
            .unzip();
        Proposals {
            by_id: items
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id, i as u32))
                .collect(),
            tree: Some(point_tree(items.iter().map(|p| [p.lon, p.lat]))),
            items,
            district,
            kommunedel: kommunedel_of,
        }
    }

    pub fn index_of(&self, id: i64) -> Option<u32> {
        self.by_id.get(&id).copied()
    }

    pub fn in_bbox(&self, bbox: &Bbox) -> Vec<u32> {
        match &self.tree {
            Some(t) => sorted(t.locate_in_envelope(envelope(bbox)).map(|e| e.data)),
            None => Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The districts holding `at`: at the finest level, and the kommunedel (the coarsest level
/// below the kommune: a bydel in Oslo).
pub fn districts_at(s: &Snapshot, at: LonLat) -> (Option<u32>, Option<u32>) {
    let finest = s.levels.last().map(|l| l.level.as_str());
    let kommunedel = s
        .levels
        .iter()
        .map(|l| l.level.as_str())
        .find(|l| super::districts::level_rank(l) < 3);
    (
        finest.and_then(|l| district_at(s, at, l)),
        kommunedel.and_then(|l| district_at(s, at, l)),
    )
}

/// The smallest district of `level` holding `at`.
pub fn district_at(s: &Snapshot, at: LonLat, level: &str) -> Option<u32> {
    let point = geo::Point::new(at.lon, at.lat);
    s.districts_in(&Bbox {
        min_lon: at.lon,
        min_lat: at.lat,
        max_lon: at.lon,
        max_lat: at.lat,
    })
    .into_iter()
    .filter(|&i| {
        let d = &s.districts[i as usize];
        d.level == level && d.geometry.intersects(&point)
    })
    .min_by(|&a, &b| {
        use geo::Area;
        let area = |i: u32| s.districts[i as usize].geometry.unsigned_area();
        area(a).total_cmp(&area(b)).then(a.cmp(&b))
    })
}
