//! Activities, volunteer needs and organisations in the snapshot: each item's position
//! (its facility's, or its own point), an R-tree over them, and each placed on the walking
//! network once, so `/api/reach` lists them with walking times.

use std::collections::HashMap;

use crate::domain::activity::{Activity, FeedChanges, Organisation, Place, VolunteerNeed};
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
    /// The OpenActive feed of activities, in its order: modified, then id.
    pub feed: Vec<FeedEntry>,
}

/// One item of the OpenActive RPDE feed of activities (`/api/feeds/session-series`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedEntry {
    pub id: i64,
    /// The change number of the item's last change as the feed sees it (RPDE's `modified`):
    /// its own last write, its organisation's last change (consent, activation, profile), an
    /// import that renamed or moved its facility, or its deletion, whichever came last
    /// ([`FeedChanges`]).
    pub modified: i64,
    /// Its index in [`Programme::activities`] while it is published (state `updated`);
    /// `None` for a tombstone (state `deleted`).
    pub activity: Option<u32>,
}

/// Which activities the open feed carries, and since which change each is as it is: an
/// activity is published while its organisation is active, not an example, and has agreed
/// to open publication, and the activity is not an example, not paused and has a place; every other
/// activity is a tombstone (its id and change number only: a harvester that had it learns
/// it is gone, whatever the reason), as is every deleted one. Examples never appear.
/// Sorted by `modified`, then `id`.
fn feed(
    organisations: &[Organisation],
    activities: &[Activity],
    changes: &FeedChanges,
    published: impl Fn(&Activity) -> Option<u32>,
) -> Vec<FeedEntry> {
    let orgs: HashMap<i64, &Organisation> = organisations.iter().map(|o| (o.id, o)).collect();
    let mut feed: Vec<FeedEntry> = activities
        .iter()
        .filter(|a| !a.example)
        .filter_map(|a| {
            let org = orgs.get(&a.org_id)?;
            let modified = changes
                .activities
                .get(&a.id)
                .copied()
                .unwrap_or(0)
                .max(changes.organisations.get(&org.id).copied().unwrap_or(0))
                .max(match a.doc.place {
                    Place::Facility { facility_id } => {
                        changes.facilities.get(&facility_id).copied().unwrap_or(0)
                    }
                    Place::Point { .. } => 0,
                });
            let activity = if org.active && org.open_data && !org.example && !a.doc.paused {
                published(a)
            } else {
                None
            };
            Some(FeedEntry {
                id: a.id,
                modified,
                activity,
            })
        })
        .chain(changes.deleted.iter().map(|t| FeedEntry {
            id: t.id,
            modified: t.change,
            activity: None,
        }))
        .collect();
    feed.sort_by_key(|e| (e.modified, e.id));
    feed
}

impl Programme {
    pub fn build(
        organisations: Vec<Organisation>,
        activities: Vec<Activity>,
        changes: &FeedChanges,
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
        let all_activities = activities;
        let activities: Vec<Activity> = all_activities
            .iter()
            .filter(|a| !inactive.contains(&a.org_id))
            .cloned()
            .collect();
        let needs: Vec<VolunteerNeed> = needs
            .into_iter()
            .filter(|n| !inactive.contains(&n.org_id))
            .collect();
        let activities = Placed::build(
            activities,
            |a: &Activity| (&a.doc.place, a.id),
            facilities,
            facility_index,
            walk,
        );
        let feed = feed(&organisations, &all_activities, changes, |a| {
            activities
                .index_of(a.id)
                .filter(|&i| activities.positions[i as usize].is_some())
        });
        Programme {
            feed,
            org_by_id: organisations
                .iter()
                .enumerate()
                .map(|(i, o)| (o.id, i as u32))
                .collect(),
            organisations,
            activities,
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
