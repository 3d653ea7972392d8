//! The in-memory snapshot that answers every read: R-trees over facilities, addresses and
//! districts, the address search index, and each point's district.
//!
//! A snapshot is immutable once built. [`SnapshotCell`] holds the current one; a reload
//! builds a complete new snapshot beside it and swaps the pointer, so a request sees either
//! the old data or the new, never a mix.

mod caches;
pub mod conflate;
pub mod districts;
pub mod partition;
pub mod programme;
pub mod proposals;
pub mod search;
pub mod summary;
pub mod walk;
mod wire;

pub use caches::Caches;
pub use walk::{Placement, WalkIndex};

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::domain::{Address, Bbox, District, Facility, LonLat};
use crate::routing::WalkGraph;
use crate::store::StoreContents;
use crate::store::editing::ProgrammeContents;
use search::AddressSearch;

type PointEntry = GeomWithData<[f64; 2], u32>;
type RectEntry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// What a server answers from, swapped whole on reload: the imported data ([`Base`],
/// shared between snapshots until the next import) and the organisations' programme
/// (rebuilt alone after an edit). Derefs to the base, so `s.facilities` reads through.
pub struct Snapshot {
    /// The store's data version this snapshot was built from.
    pub data_version: i64,
    pub base: Arc<Base>,
    /// Organisations, activities and volunteer needs.
    pub programme: programme::Programme,
    /// Residents' published proposals, with their districts and catchments.
    pub proposals: proposals::Proposals,
    /// What has been derived from this snapshot so far and may follow the programme
    /// (coverage hexagons for an activity category); dropped with it.
    pub caches: Caches,
}

impl std::ops::Deref for Snapshot {
    type Target = Base;

    fn deref(&self) -> &Base {
        &self.base
    }
}

/// The imported data and everything derived from it.
pub struct Base {
    /// The store's version of the import this was built from.
    pub base_version: i64,
    /// The walking network with every facility placed on it; `None` before an OSM import.
    pub walk: Option<WalkIndex>,
    /// Why the stored walking graph could not be loaded, if it could not.
    pub walk_problem: Option<String>,
    pub facilities: Vec<Facility>,
    pub addresses: Vec<Address>,
    /// Green areas, forest and shores (issue 22); reached at their edges
    /// (`WalkIndex::nature_entrances`, same order).
    pub nature: Vec<crate::domain::nature::NatureArea>,
    pub districts: Vec<District>,
    /// The district levels present, coarsest first, with every address's and facility's
    /// district in each.
    pub levels: Vec<districts::DistrictLevel>,
    /// District index (into `districts`) per facility at the finest level that holds it,
    /// same order as `facilities`.
    pub facility_district: Vec<Option<u32>>,
    pub address_district: Vec<Option<u32>>,
    facility_tree: PointTree,
    address_tree: PointTree,
    district_tree: RTree<RectEntry>,
    facility_by_id: HashMap<i64, u32>,
    address_by_id: HashMap<i64, u32>,
    district_by_id: HashMap<String, u32>,
    search: AddressSearch,
    /// Named places (facilities, districts) for the one search box (issue 16).
    places: search::PlaceSearch,
    facility_json: Vec<Box<str>>,
    address_json: Vec<Box<str>>,
    district_json: Vec<Box<str>>,
    /// What has been derived from the imported data so far (vector tiles); kept until the
    /// next import.
    pub base_caches: Caches,
    /// Residents per address (same order as `addresses`) where SSB population figures were
    /// imported; addresses outside any grunnkrets with a figure weigh 0.
    pub address_weight: Option<Vec<f64>>,
    /// Whose data this is: one text per publisher of the rows held (and OpenStreetMap for
    /// the walking network), to show wherever the data shows.
    pub attribution: Vec<&'static str>,
    /// Which OSM facilities a register replaced (see `conflate.rs`).
    pub conflation: conflate::Conflation,
    /// Each facility's opening hours, as an index into `hours_table` (same order as
    /// `facilities`); `None` where it has none or they could not be read (`opening_hours`
    /// keeps the text).
    pub hours: Vec<Option<u32>>,
    /// The distinct opening hours, read once each: facilities that share a value share its
    /// entry (those with sun events only within about 10 km), so that a request evaluates
    /// each value once.
    pub hours_table: Vec<crate::hours::Hours>,
    /// How many facilities have opening hours that could not be read.
    pub hours_unreadable: usize,
    /// A knutepunkt's services' opening hours (issue 18): facility index → per service (in
    /// the order of its `services`), an index into `hours_table` where they could be read.
    pub service_hours: HashMap<u32, Vec<Option<u32>>>,
    /// `hours_table`'s entries as weekly tables from today, made once a day.
    pub hours_weeks: crate::hours::WeekCache,
}

/// Wider nodes than rstar's default (6): the trees are bulk-loaded once and only queried,
/// and a box query over a city block returns hundreds of points, so fewer, fuller nodes
/// make a shallower tree that is quicker to walk.
pub struct WideNodes;

impl rstar::RTreeParams for WideNodes {
    const MIN_SIZE: usize = 8;
    const MAX_SIZE: usize = 24;
    const REINSERTION_COUNT: usize = 4;
    type DefaultInsertionStrategy = rstar::RStarInsertionStrategy;
}

pub type PointTree = RTree<PointEntry, WideNodes>;

/// An R-tree of `points` (lon/lat), each entry's data its index.
pub fn point_tree(points: impl Iterator<Item = [f64; 2]>) -> PointTree {
    RTree::bulk_load_with_params(
        points
            .enumerate()
            .map(|(i, p)| GeomWithData::new(p, i as u32))
            .collect(),
    )
}

pub(crate) fn envelope(b: &Bbox) -> AABB<[f64; 2]> {
    AABB::from_corners([b.min_lon, b.min_lat], [b.max_lon, b.max_lat])
}

impl Snapshot {
    /// Whose data this is, as one line: "© Kartverket (CC BY 4.0), © OpenStreetMap …".
    pub fn attribution(&self) -> String {
        self.base.attribution.join(", ")
    }

    /// Builds the snapshot from the store's rows. Districts come from the store when any
    /// were imported; otherwise they are derived from the addresses (see `districts.rs`).
    pub fn build(contents: StoreContents) -> Snapshot {
        let StoreContents {
            data_version,
            base_version,
            organisations,
            activities,
            feed_changes,
            volunteer_needs,
            proposals,
            facilities,
            addresses,
            districts,
            walk_graph,
            population,
            nature,
        } = contents;
        // Registers win where they are the authority: no facility twice.
        let (facilities, conflation, facility_aliases) = conflate::conflate(facilities);
        let address_tree = point_tree(addresses.iter().map(|a| a.position.as_array()));
        let (walk, walk_problem) = match walk_graph.map(|bytes| WalkGraph::from_bytes(&bytes)) {
            None => (None, None),
            Some(Ok(graph)) => {
                let mut walk = WalkIndex::new(graph, &facilities, &addresses);
                walk.place_nature(&nature, &address_tree);
                (Some(walk), None)
            }
            Some(Err(problem)) => (None, Some(problem)),
        };
        let facility_tree = point_tree(facilities.iter().map(|f| f.position.as_array()));
        let search = AddressSearch::build(
            addresses
                .iter()
                .map(|a| (a.street.as_str(), a.number.as_str(), a.label())),
        );

        // Residents per SSB area code: for derived grunnkrets districts and for addresses.
        let by_code: HashMap<&str, i64> = population
            .iter()
            .map(|p| (p.code.as_str(), p.persons))
            .collect();
        // Residents per address: a grunnkrets' residents spread evenly over its addresses.
        let address_weight = (!by_code.is_empty()).then(|| {
            let mut per_code: HashMap<&str, u32> = HashMap::new();
            for a in &addresses {
                if let Some(c) = &a.grunnkrets_code {
                    *per_code.entry(c.as_str()).or_default() += 1;
                }
            }
            addresses
                .iter()
                .map(|a| {
                    a.grunnkrets_code
                        .as_deref()
                        .and_then(|c| Some(*by_code.get(c)? as f64 / per_code[c] as f64))
                        .unwrap_or(0.0)
                })
                .collect::<Vec<f64>>()
        });
        let mut assigned = districts::assign(districts, &facilities, &addresses, &address_tree);
        districts::set_population(
            &mut assigned.districts,
            &assigned.levels,
            &by_code,
            address_weight.as_deref(),
        );
        let district_tree = RTree::bulk_load(
            assigned
                .districts
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    GeomWithData::new(
                        Rectangle::from_aabb(envelope(&districts::bbox_of(d))),
                        i as u32,
                    )
                })
                .collect(),
        );

        let district_of = |i: Option<u32>| i.map(|i| &assigned.districts[i as usize]);
        let facility_json = facilities
            .iter()
            .zip(&assigned.facility_district)
            .map(|(f, &d)| wire::facility(f, district_of(d)))
            .collect();
        let address_json = addresses
            .iter()
            .zip(&assigned.address_district)
            .map(|(a, &d)| wire::address(a, district_of(d)))
            .collect();
        let mut per_district = vec![(0usize, 0usize); assigned.districts.len()];
        for level in &assigned.levels {
            for d in level.address_district.iter().flatten() {
                per_district[*d as usize].0 += 1;
            }
            for d in level.facility_district.iter().flatten() {
                per_district[*d as usize].1 += 1;
            }
        }
        let district_json = assigned
            .districts
            .iter()
            .zip(&per_district)
            .map(|(d, &(a, f))| {
                wire::district(
                    d,
                    d.parent.and_then(|p| assigned.districts.get(p as usize)),
                    a,
                    f,
                )
            })
            .collect();

        // A replaced OSM facility's id leads to the register's (activities placed there).
        let facility_by_id: HashMap<i64, u32> = facilities
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id, i as u32))
            .chain(facility_aliases.iter().map(|(&id, &i)| (id, i as u32)))
            .collect();
        let attribution = {
            use crate::domain::attribution;
            let mut sources: Vec<&str> = facilities
                .iter()
                .map(|f| f.source.source.as_str())
                .chain(addresses.iter().map(|a| a.source.source.as_str()))
                .chain(
                    assigned
                        .districts
                        .iter()
                        .filter_map(|d| d.source.as_ref().map(|s| s.source.as_str())),
                )
                .collect();
            if walk.is_some() {
                sources.push("osm");
            }
            if address_weight.is_some() {
                sources.push("ssb");
            }
            attribution::of_sources(sources)
        };
        let (hours, hours_table) = crate::hours::read_all(
            facilities
                .iter()
                .map(|f| (f.opening_hours.as_deref(), f.position)),
        );
        let mut hours_table = hours_table;
        let service_hours: HashMap<u32, Vec<Option<u32>>> = facilities
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let list = hub_services(f)?;
                let hours = list
                    .iter()
                    .map(|e| {
                        let h = crate::hours::Hours::parse(
                            e.opening_hours.as_deref()?,
                            Some(f.position),
                        )
                        .ok()?;
                        hours_table.push(h);
                        Some(hours_table.len() as u32 - 1)
                    })
                    .collect();
                Some((i as u32, hours))
            })
            .collect();
        let hours_unreadable = facilities
            .iter()
            .zip(&hours)
            .filter(|(f, h)| f.opening_hours.is_some() && h.is_none())
            .count();
        let places = search::PlaceSearch::build(&facilities, &assigned.districts);
        let base = Arc::new(Base {
            hours,
            hours_table,
            service_hours,
            hours_weeks: Default::default(),
            hours_unreadable,
            attribution,
            conflation,
            base_version,
            address_weight,
            base_caches: Default::default(),
            walk,
            walk_problem,
            facility_json,
            address_json,
            district_json,
            facility_by_id,
            address_by_id: addresses
                .iter()
                .enumerate()
                .map(|(i, a)| (a.id, i as u32))
                .collect(),
            district_by_id: assigned
                .districts
                .iter()
                .enumerate()
                .map(|(i, d)| (d.id.clone(), i as u32))
                .collect(),
            facilities,
            addresses,
            nature,
            districts: assigned.districts,
            levels: assigned.levels,
            facility_district: assigned.facility_district,
            address_district: assigned.address_district,
            places,
            facility_tree,
            address_tree,
            district_tree,
            search,
        });
        Snapshot::with_base(
            base,
            ProgrammeContents {
                data_version,
                base_version,
                organisations,
                activities,
                feed_changes,
                volunteer_needs,
                proposals,
            },
        )
    }

    /// A snapshot of `base` with a new programme: what an edit costs to reload.
    pub fn with_base(base: Arc<Base>, p: ProgrammeContents) -> Snapshot {
        let programme = programme::Programme::build(
            p.organisations,
            p.activities,
            &p.feed_changes,
            p.volunteer_needs,
            &base.facilities,
            &base.facility_by_id,
            base.walk.as_ref(),
        );
        let mut snapshot = Snapshot {
            data_version: p.data_version,
            base,
            programme,
            proposals: Default::default(),
            caches: Default::default(),
        };
        snapshot.proposals = proposals::Proposals::build(&snapshot, p.proposals);
        snapshot
    }

    pub fn empty() -> Snapshot {
        Snapshot::build(StoreContents::default())
    }
}

impl Base {
    /// Whether a point lies in the area this service covers: inside a district at the
    /// municipality level when one was imported (`level` kommune or municipality), else
    /// within the extent of the data.
    pub fn service_area_contains(&self, p: LonLat) -> bool {
        use geo::Contains;
        let municipal: Vec<&District> = self
            .districts
            .iter()
            .filter(|d| matches!(d.level.as_str(), "kommune" | "municipality"))
            .collect();
        if !municipal.is_empty() {
            let point = geo::Point::new(p.lon, p.lat);
            return municipal.iter().any(|d| d.geometry.contains(&point));
        }
        self.extent().is_some_and(|b| b.contains(p))
    }

    /// Indices of facilities inside `bbox` (edges included), in id order.
    pub fn facilities_in(&self, bbox: &Bbox) -> Vec<u32> {
        sorted(
            self.facility_tree
                .locate_in_envelope(envelope(bbox))
                .map(|e| e.data),
        )
    }

    pub fn addresses_in(&self, bbox: &Bbox) -> Vec<u32> {
        sorted(
            self.address_tree
                .locate_in_envelope(envelope(bbox))
                .map(|e| e.data),
        )
    }

    /// The index in `levels` of district `d`'s level.
    pub fn level_of(&self, d: u32) -> usize {
        let name = &self.districts[d as usize].level;
        self.levels
            .iter()
            .position(|l| &l.level == name)
            .expect("every district is in a level")
    }

    /// Whether facility `i` lies in district `d` (by the assignment at `d`'s level).
    pub fn facility_in(&self, i: usize, d: u32) -> bool {
        self.levels[self.level_of(d)].facility_district[i] == Some(d)
    }

    /// Indices of districts whose bounding box meets `bbox`, in id order.
    pub fn districts_in(&self, bbox: &Bbox) -> Vec<u32> {
        sorted(
            self.district_tree
                .locate_in_envelope_intersecting(envelope(bbox))
                .map(|e| e.data),
        )
    }

    pub fn facility(&self, id: i64) -> Option<u32> {
        self.facility_by_id.get(&id).copied()
    }

    pub fn address(&self, id: i64) -> Option<u32> {
        self.address_by_id.get(&id).copied()
    }

    pub fn district(&self, id: &str) -> Option<u32> {
        self.district_by_id.get(id).copied()
    }

    /// The GeoJSON Feature text of facility `index`.
    pub fn facility_json(&self, index: u32) -> &str {
        &self.facility_json[index as usize]
    }

    /// Facility `index`'s Feature text with `extra` (`,"key":value…`, JSON members) added to
    /// its properties: what depends on the time asked (open now, next change).
    pub fn facility_json_with(&self, index: u32, extra: &str) -> String {
        let text = self.facility_json(index);
        // `wire::facility` ends with the properties object and then the feature's brace.
        let (head, tail) = text.split_at(text.len() - 2);
        format!("{head}{extra}{tail}")
    }

    /// Facility `index`'s opening hours, if it has readable ones.
    pub fn hours_of(&self, index: u32) -> Option<&crate::hours::Hours> {
        self.hours[index as usize].map(|h| &self.hours_table[h as usize])
    }

    /// Facility `index`'s state at `at` (unknown without readable hours).
    pub fn open_state(&self, index: u32, at: &jiff::ZonedDateTime) -> crate::hours::OpenState {
        crate::hours::state_of(self.hours_of(index), at)
    }

    pub fn address_json(&self, index: u32) -> &str {
        &self.address_json[index as usize]
    }

    pub fn district_json(&self, index: u32) -> &str {
        &self.district_json[index as usize]
    }

    /// Indices of the best address matches for `query`, best first.
    pub fn search_addresses(&self, query: &str, limit: usize) -> Vec<u32> {
        self.search.search(query, limit)
    }

    /// Named facilities and districts matching `query`, best first (see
    /// [`search::PlaceSearch`]).
    pub fn search_places(&self, query: &str, limit: usize) -> Vec<search::Place> {
        self.places.search(query, limit)
    }

    /// The extent of the districts' polygons.
    pub fn districts_extent(&self) -> Option<Bbox> {
        self.districts
            .iter()
            .map(districts::bbox_of)
            .reduce(|a, b| Bbox {
                min_lon: a.min_lon.min(b.min_lon),
                min_lat: a.min_lat.min(b.min_lat),
                max_lon: a.max_lon.max(b.max_lon),
                max_lat: a.max_lat.max(b.max_lat),
            })
    }

    /// The extent of all facilities and addresses, for the collections' metadata.
    pub fn extent(&self) -> Option<Bbox> {
        Bbox::around(
            self.facilities
                .iter()
                .map(|f| f.position)
                .chain(self.addresses.iter().map(|a| a.position)),
        )
    }
}

pub(crate) fn sorted(it: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut v: Vec<u32> = it.collect();
    v.sort_unstable();
    v
}

/// The current snapshot, swapped whole on reload.
/// A knutepunkt's services as the importer stored them in its properties (issue 18).
pub fn hub_services(f: &Facility) -> Option<Vec<crate::domain::hub::HubServiceEntry>> {
    serde_json::from_value(f.properties.get("services")?.clone()).ok()
}

pub struct SnapshotCell(ArcSwap<Snapshot>);

impl SnapshotCell {
    pub fn new(snapshot: Snapshot) -> SnapshotCell {
        SnapshotCell(ArcSwap::from_pointee(snapshot))
    }

    pub fn load(&self) -> Arc<Snapshot> {
        self.0.load_full()
    }

    /// Swaps in `snapshot` unless a newer one is already in place (two reloads racing, e.g.
    /// the poller and a write's own reload, must not put older data back).
    pub fn replace(&self, snapshot: Snapshot) {
        let new = Arc::new(snapshot);
        self.0.rcu(|current| {
            if new.data_version >= current.data_version {
                new.clone()
            } else {
                current.clone()
            }
        });
    }
}
