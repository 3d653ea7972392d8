//! Activities, volunteer needs and organisations in the snapshot: each item's position
//! (its facility's, or its own point), an R-tree over them, and each placed on the walking
//! network once, so `/api/reach` lists them with walking times.

use std::collections::HashMap;

use crate::domain::activity::{Activity, Organisation, Place, VolunteerNeed};
use crate::domain::{Bbox, Facility, LonLat};

use super::walk::{Placement, WalkIndex};
use super::{PointTree, envelope, point_tree, sorted};

/// Items of one collection (activities, or volunteer needs) with where they are.
pub struct Placed<T> {
    pub items: Vec<T>,
    /// Same order as `items`; `None` when the item's facility no longer exists.
    pub positions: Vec<Option<LonLat>>,
    /// Same order as `items`: placement on the walking network (empty without one).
    pub snaps: Vec<Placement>,
    by_id: HashMap<i64, u32>,
    tree: PointTree,
}

impl<T> Placed<T> {
    fn build(
        items: Vec<T>,
        place: impl Fn(&T) -> (&Place, i64),
        facilities: &[Facility],
        facility_index: &HashMap<i64, u32>,
        walk: Option<&WalkIndex>,
    ) -> Placed<T> {
        let positions: Vec<Option<LonLat>> = items
            .iter()
            .map(|item| match place(item).0 {
                Place::Facility { facility_id } => facility_index
                    .get(facility_id)
                    .map(|&i| facilities[i as usize].position),
                Place::Point { lon, lat } => Some(LonLat::new(*lon, *lat)),
            })
            .collect();
        let snaps = match walk {
            None => Vec::new(),
            Some(w) => items
                .iter()
                .zip(&positions)
                .map(|(item, p)| match (place(item).0, p) {
                    (Place::Facility { facility_id }, Some(_)) => {
                        w.facility_snaps[facility_index[facility_id] as usize]
                    }
                    (_, Some(p)) => w.place(*p),
                    (_, None) => Placement {
                        any: None,
                        step_free: None,
                        facility: None,
                    },
                })
                .collect(),
        };
        let by_id = items
            .iter()
            .enumerate()
            .map(|(i, item)| (place(item).1, i as u32))
            .collect();
        // Unplaced items go far outside any bbox a client can ask for.
        let tree = point_tree(
            positions
                .iter()
                .map(|p| p.map_or([1e6, 1e6], |p| p.as_array())),
        );
        Placed {
            items,
            positions,
            snaps,
            by_id,
            tree,
        }
    }

    pub fn index_of(&self, id: i64) -> Option<u32> {
        self.by_id.get(&id).copied()
    }

    pub fn in_bbox(&self, bbox: &Bbox) -> Vec<u32> {
        sorted(self.tree.locate_in_envelope(envelope(bbox)).map(|e| e.data))
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

pub struct Programme {
    pub organisations: Vec<Organisation>,
    org_by_id: HashMap<i64, u32>,
    pub activities: Placed<Activity>,
    pub needs: Placed<VolunteerNeed>,
}

impl Programme {
    pub fn build(
        organisations: Vec<Organisation>,
        activities: Vec<Activity>,
        needs: Vec<VolunteerNeed>,
        facilities: &[Facility],
        facility_index: &HashMap<i64, u32>,
        walk: Option<&WalkIndex>,
    ) -> Programme {
        // A deactivated organisation's items are not in the snapshot at all: not shown,
        // not reached, not written (its members are refused before).
        let inactive: std::collections::HashSet<i64> = organisations
            .iter()
            .filter(|o| !o.active)
            .map(|o| o.id)
            .collect();
        let activities: Vec<Activity> = activities
            .into_iter()
            .filter(|a| !inactive.contains(&a.org_id))
            .collect();
        let needs: Vec<VolunteerNeed> = needs
            .into_iter()
            .filter(|n| !inactive.contains(&n.org_id))
            .collect();
        Programme {
            org_by_id: organisations
                .iter()
                .enumerate()
                .map(|(i, o)| (o.id, i as u32))
                .collect(),
            organisations,
            activities: Placed::build(
                activities,
                |a: &Activity| (&a.doc.place, a.id),
                facilities,
                facility_index,
                walk,
            ),
            needs: Placed::build(
                needs,
                |n: &VolunteerNeed| (&n.doc.place, n.id),
                facilities,
                facility_index,
                walk,
            ),
        }
    }

    pub fn organisation(&self, id: i64) -> Option<&Organisation> {
        self.org_by_id
            .get(&id)
            .map(|&i| &self.organisations[i as usize])
    }
}
