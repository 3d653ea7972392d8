//! Districts in levels, coarsest first (`kommune` ⊃ `kommunedel`/`bydel` ⊃ `delomrade` ⊃
//! `grunnkrets`), and which district of each level every facility and address lies in.
//!
//! Imported districts are matched by point-in-polygon within their level; where districts
//! of one level overlap, the smallest wins. At the `grunnkrets` level an address that
//! carries its grunnkrets number (Kartverket's file does) takes that district, and where
//! the polygon says otherwise it is counted as a disagreement. When no level as fine as a
//! grunnkrets was imported, one is derived from the codes the addresses carry (grunnkrets,
//! else OSM's postcode) as a partition: Voronoi cells of the addresses dissolved per code
//! and clipped to the area served (`partition.rs`). A district's parent is the district of
//! the next coarser level that holds most of its addresses (or its interior point).

use std::collections::{BTreeMap, HashMap};

use geo::{Area, BooleanOps, ConvexHull, InteriorPoint, Intersects};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::domain::{Address, Bbox, District, Facility, LonLat};

/// How far the area served reaches past the outermost addresses when no kommune polygon
/// bounds it, in metres.
const DERIVED_MARGIN_M: f64 = 100.0;
/// A facility farther than this from every address gets no derived district, in metres.
const NEAREST_ADDRESS_MAX_M: f64 = 1000.0;
use crate::domain::METRES_PER_DEGREE_LAT;

/// Where a level sits in the hierarchy: larger is coarser. Levels not named here (an
/// operator's own division) sit with the kommunedeler.
pub fn level_rank(level: &str) -> u8 {
    match level {
        "grunnkrets" | "postcode" => 0,
        "delomrade" | "delbydel" => 1,
        "kommune" | "municipality" => 3,
        _ => 2,
    }
}

/// One level of districts and every address's and facility's district in it.
#[derive(Debug, Clone)]
pub struct DistrictLevel {
    pub level: String,
    /// Indices into the snapshot's districts, in district order.
    pub districts: Vec<u32>,
    /// Per address (the snapshot's order), its district at this level.
    pub address_district: Vec<Option<u32>>,
    pub facility_district: Vec<Option<u32>>,
    /// Derived from the addresses' codes rather than imported.
    pub derived: bool,
    /// Addresses whose own grunnkrets number names another district than the polygon
    /// they lie in (the number wins).
    pub disagreements: usize,
}

pub(super) struct Assigned {
    pub districts: Vec<District>,
    /// Coarsest first.
    pub levels: Vec<DistrictLevel>,
    /// Per facility, its district at the finest level that has one.
    pub facility_district: Vec<Option<u32>>,
    pub address_district: Vec<Option<u32>>,
}

pub fn bbox_of(d: &District) -> Bbox {
    Bbox::around(
        d.geometry
            .0
            .iter()
            .flat_map(|p| p.exterior().0.iter().map(|c| LonLat::new(c.x, c.y))),
    )
    .unwrap_or(Bbox {
        min_lon: 0.0,
        min_lat: 0.0,
        max_lon: 0.0,
        max_lat: 0.0,
    })
}

pub(super) fn assign(
    mut districts: Vec<District>,
    facilities: &[Facility],
    addresses: &[Address],
    address_tree: &super::PointTree,
) -> Assigned {
    let derived = derive_finest(&mut districts, addresses);

    let mut by_level: BTreeMap<(std::cmp::Reverse<u8>, String), Vec<u32>> = BTreeMap::new();
    for (i, d) in districts.iter().enumerate() {
        by_level
            .entry((std::cmp::Reverse(level_rank(&d.level)), d.level.clone()))
            .or_default()
            .push(i as u32);
    }
    let mut levels = Vec::with_capacity(by_level.len());
    for ((_, level), members) in by_level {
        let locator = Locator::new(&districts, &members);
        let derived_here = derived.iter().find(|d| d.level == level);
        let is_derived = derived_here.is_some();
        let mut disagreements = 0;
        let address_district: Vec<Option<u32>> = if let Some(d) = derived_here {
            d.members.clone()
        } else {
            let by_code: HashMap<&str, u32> = if level == "grunnkrets" {
                members
                    .iter()
                    .map(|&i| (districts[i as usize].code.as_str(), i))
                    .collect()
            } else {
                HashMap::new()
            };
            addresses
                .iter()
                .map(|a| {
                    let located = locator.locate(a.position);
                    match a.grunnkrets_code.as_deref().and_then(|c| by_code.get(c)) {
                        Some(&coded) => {
                            if located.is_some_and(|l| l != coded) {
                                disagreements += 1;
                            }
                            Some(coded)
                        }
                        None => located,
                    }
                })
                .collect()
        };
        let facility_district = facilities
            .iter()
            .map(|f| {
                locator.locate(f.position).or_else(|| {
                    if !is_derived {
                        return None;
                    }
                    // Outside the area served: the district of the nearest address.
                    let nearest = address_tree.nearest_neighbor(f.position.as_array())?;
                    let a = &addresses[nearest.data as usize];
                    (distance_m(f.position, a.position) <= NEAREST_ADDRESS_MAX_M).then_some(())?;
                    address_district[nearest.data as usize]
                })
            })
            .collect();
        levels.push(DistrictLevel {
            level,
            districts: members,
            address_district,
            facility_district,
            derived: is_derived,
            disagreements,
        });
    }
    set_parents(&mut districts, &levels);

    let finest = |pick: &dyn Fn(&DistrictLevel) -> Option<u32>| levels.iter().rev().find_map(pick);
    let address_district = (0..addresses.len())
        .map(|i| finest(&|l: &DistrictLevel| l.address_district[i]))
        .collect();
    let facility_district = (0..facilities.len())
        .map(|i| finest(&|l: &DistrictLevel| l.facility_district[i]))
        .collect();
    Assigned {
        districts,
        levels,
        facility_district,
        address_district,
    }
}

/// Each district's parent: the district of the next coarser level holding most of its
/// addresses, or, without addresses, its interior point; else a coarser level's.
fn set_parents(districts: &mut [District], levels: &[DistrictLevel]) {
    for k in 1..levels.len() {
        let mut votes: HashMap<u32, HashMap<u32, usize>> = HashMap::new();
        for (i, d) in levels[k].address_district.iter().enumerate() {
            let (Some(d), Some(p)) = (d, levels[k - 1].address_district[i]) else {
                continue;
            };
            *votes.entry(*d).or_default().entry(p).or_default() += 1;
        }
        for &d in &levels[k].districts {
            let by_vote = votes.get(&d).and_then(|v| {
                v.iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|(&p, _)| p)
            });
            let parent = by_vote.or_else(|| {
                let inside = districts[d as usize].geometry.interior_point()?;
                let at = LonLat::new(inside.x(), inside.y());
                levels[..k]
                    .iter()
                    .rev()
                    .find_map(|l| Locator::new(districts, &l.districts).locate(at))
            });
            districts[d as usize].parent = parent;
        }
    }
}

/// The district (index into `districts`) each point lies in, by point-in-polygon over an
/// R-tree of the districts' bounding boxes; the smallest where districts overlap. What
/// the snapshot does per level; public for the benchmark.
pub fn locate_points(districts: &[District], points: &[LonLat]) -> Vec<Option<u32>> {
    let all: Vec<u32> = (0..districts.len() as u32).collect();
    let locator = Locator::new(districts, &all);
    points.iter().map(|&p| locator.locate(p)).collect()
}

/// Point-in-polygon over an R-tree of district bounding boxes.
struct Locator<'a> {
    districts: &'a [District],
    areas: HashMap<u32, f64>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
}

impl<'a> Locator<'a> {
    fn new(districts: &'a [District], members: &[u32]) -> Self {
        let tree = RTree::bulk_load(
            members
                .iter()
                .map(|&i| {
                    let b = bbox_of(&districts[i as usize]);
                    GeomWithData::new(
                        Rectangle::from_corners([b.min_lon, b.min_lat], [b.max_lon, b.max_lat]),
                        i,
                    )
                })
                .collect(),
        );
        Locator {
            districts,
            areas: members
                .iter()
                .map(|&i| (i, districts[i as usize].geometry.unsigned_area()))
                .collect(),
            tree,
        }
    }

    fn locate(&self, p: LonLat) -> Option<u32> {
        let point = geo::Point::new(p.lon, p.lat);
        self.tree
            .locate_in_envelope_intersecting(AABB::from_point(p.as_array()))
            .map(|e| e.data)
            .filter(|&i| self.districts[i as usize].geometry.intersects(&point))
            .min_by(|&a, &b| self.areas[&a].total_cmp(&self.areas[&b]).then(a.cmp(&b)))
    }
}

fn distance_m(a: LonLat, b: LonLat) -> f64 {
    let mean_lat = ((a.lat + b.lat) / 2.0).to_radians();
    let dx = (a.lon - b.lon) * METRES_PER_DEGREE_LAT * mean_lat.cos();
    let dy = (a.lat - b.lat) * METRES_PER_DEGREE_LAT;
    dx.hypot(dy)
}

struct Derived {
    level: String,
    /// Per address, its derived district.
    members: Vec<Option<u32>>,
}

/// When no level as fine as a grunnkrets was imported, the districts the addresses'
/// codes name, each kind as a partition of its own: grunnkretser from the addresses that
/// carry a grunnkrets number, postcode areas from those that carry only a postcode (OSM).
fn derive_finest(districts: &mut Vec<District>, addresses: &[Address]) -> Vec<Derived> {
    if districts.iter().any(|d| level_rank(&d.level) == 0) {
        return Vec::new();
    }
    let by_grunnkrets = |a: &Address| {
        a.grunnkrets_code.as_ref().map(|code| {
            (
                code.clone(),
                a.grunnkrets_name.clone().unwrap_or_else(|| code.clone()),
            )
        })
    };
    let by_postcode = |a: &Address| {
        if a.grunnkrets_code.is_some() {
            return None;
        }
        a.postcode.as_ref().map(|p| {
            (
                p.clone(),
                match &a.city {
                    Some(city) => format!("{p} {city}"),
                    None => p.clone(),
                },
            )
        })
    };
    let mut out = Vec::new();
    for (level, key) in [
        (
            "grunnkrets",
            &by_grunnkrets as &dyn Fn(&Address) -> Option<(String, String)>,
        ),
        ("postcode", &by_postcode),
    ] {
        if let Some(derived) = derive_level(districts, addresses, level, key) {
            out.push(derived);
        }
    }
    out
}

fn derive_level(
    districts: &mut Vec<District>,
    addresses: &[Address],
    level: &str,
    key: &dyn Fn(&Address) -> Option<(String, String)>,
) -> Option<Derived> {
    // The derived districts nest in the finest level imported (e.g. postcode areas inside
    // bydeler): each is partitioned within its container, so a code that spans two
    // containers becomes one district in each.
    let imported = districts.len();
    let containers: Vec<u32> = {
        let mut by_level: BTreeMap<(u8, String), Vec<u32>> = BTreeMap::new();
        for (i, d) in districts.iter().enumerate() {
            if level_rank(&d.level) < 3 {
                by_level
                    .entry((level_rank(&d.level), d.level.clone()))
                    .or_default()
                    .push(i as u32);
            }
        }
        by_level.into_values().next().unwrap_or_default()
    };
    let locator = Locator::new(districts, &containers);
    // Per container (None: outside every one), per code: its name and addresses.
    type Groups = BTreeMap<String, (String, Vec<u32>)>;
    let mut per_container: BTreeMap<Option<u32>, Groups> = BTreeMap::new();
    for (i, a) in addresses.iter().enumerate() {
        if let Some((code, name)) = key(a) {
            let container = if containers.is_empty() {
                None
            } else {
                locator.locate(a.position)
            };
            per_container
                .entry(container)
                .or_default()
                .entry(code)
                .or_insert_with(|| (name, Vec::new()))
                .1
                .push(i as u32);
        }
    }
    if per_container.is_empty() {
        return None;
    }
    let mut containers_of: HashMap<String, usize> = HashMap::new();
    for groups in per_container.values() {
        for code in groups.keys() {
            *containers_of.entry(code.clone()).or_default() += 1;
        }
    }
    let all_points: Vec<LonLat> = addresses
        .iter()
        .filter(|a| key(a).is_some())
        .map(|a| a.position)
        .collect();
    let served = served_area(&districts[..imported], &all_points);
    let outside = if containers.is_empty() {
        served.clone()
    } else {
        let mut covered = geo::MultiPolygon(Vec::new());
        for &c in &containers {
            covered = covered.union(&districts[c as usize].geometry);
        }
        served.difference(&covered)
    };
    let mut members = vec![None; addresses.len()];
    for (container, groups) in per_container {
        let clip = match container {
            Some(c) => districts[c as usize].geometry.intersection(&served),
            None => outside.clone(),
        };
        let mut points = Vec::new();
        let mut group_of = Vec::new();
        for (g, (_, (_, of))) in groups.iter().enumerate() {
            for &m in of {
                points.push(addresses[m as usize].position);
                group_of.push(g as u32);
            }
        }
        let regions = super::partition::partition(&points, &group_of, groups.len(), &clip);
        let (container_code, container_name) = match container {
            Some(c) => (
                districts[c as usize].id.clone(),
                Some(districts[c as usize].name.clone()),
            ),
            None => ("outside".to_string(), None),
        };
        for ((code, (name, of)), region) in groups.into_iter().zip(regions) {
            let index = districts.len() as u32;
            for &m in &of {
                members[m as usize] = Some(index);
            }
            let split = containers_of[&code] > 1;
            districts.push(District {
                id: if split {
                    format!("{level}-{code}-{container_code}")
                } else {
                    format!("{level}-{code}")
                },
                name: match (split, &container_name) {
                    (true, Some(c)) => format!("{name} ({c})"),
                    _ => name,
                },
                code,
                level: level.to_string(),
                geometry: region,
                population: None,
                population_sum: false,
                parent: container,
                source: None,
            });
        }
    }
    Some(Derived {
        level: level.to_string(),
        members,
    })
}

/// The area a derived partition fills: the addresses' hull widened by
/// [`DERIVED_MARGIN_M`], cut to the kommune polygons where any were imported.
fn served_area(districts: &[District], points: &[LonLat]) -> geo::MultiPolygon<f64> {
    let hull = geo::MultiPolygon(vec![widened_hull(points.iter().copied())]);
    let kommuner: Vec<&District> = districts
        .iter()
        .filter(|d| level_rank(&d.level) == 3)
        .collect();
    if kommuner.is_empty() {
        return hull;
    }
    let mut area = geo::MultiPolygon(Vec::new());
    for k in kommuner {
        area = area.union(&k.geometry);
    }
    area.intersection(&hull)
}

/// The convex hull of `points`, each first widened to an octagon of radius
/// [`DERIVED_MARGIN_M`], so that one or two addresses still give an area.
fn widened_hull(points: impl Iterator<Item = LonLat>) -> geo::Polygon<f64> {
    let mut corners = Vec::new();
    for p in points {
        let dlat = DERIVED_MARGIN_M / METRES_PER_DEGREE_LAT;
        let dlon = dlat / p.lat.to_radians().cos().max(0.01);
        for k in 0..8 {
            let angle = std::f64::consts::FRAC_PI_4 * k as f64;
            corners.push(geo::Point::new(
                p.lon + dlon * angle.cos(),
                p.lat + dlat * angle.sin(),
            ));
        }
    }
    geo::MultiPoint(corners).convex_hull()
}

/// Residents per district where none was imported with it: SSB's figure for its code
/// (grunnkrets or kommune numbers), else the sum of its parts, finest levels first: its
/// children's figures when every child has one, else the residents of its addresses
/// (`address_weight`). Sums are marked `population_sum`.
pub(super) fn set_population(
    districts: &mut [District],
    levels: &[DistrictLevel],
    by_code: &HashMap<&str, i64>,
    address_weight: Option<&[f64]>,
) {
    for d in districts.iter_mut() {
        if d.population.is_none() && matches!(level_rank(&d.level), 0 | 3) {
            d.population = by_code.get(d.code.as_str()).copied();
        }
    }
    for level in levels.iter().rev() {
        let mut weights: HashMap<u32, f64> = HashMap::new();
        if let Some(w) = address_weight {
            for (i, d) in level.address_district.iter().enumerate() {
                if let Some(d) = d {
                    *weights.entry(*d).or_default() += w[i];
                }
            }
        }
        for &d in &level.districts {
            if districts[d as usize].population.is_some() {
                continue;
            }
            let children: Vec<Option<i64>> = districts
                .iter()
                .filter(|c| c.parent == Some(d))
                .map(|c| c.population)
                .collect();
            let sum = if !children.is_empty() && children.iter().all(Option::is_some) {
                Some(children.iter().flatten().sum())
            } else {
                weights
                    .get(&d)
                    .filter(|w| **w > 0.0)
                    .map(|w| w.round() as i64)
            };
            if let Some(sum) = sum {
                districts[d as usize].population = Some(sum);
                districts[d as usize].population_sum = true;
            }
        }
    }
}

/// Fewer residents than this in a district: its residents' figures are not shown (SSB
/// suppresses small cells likewise).
pub const MIN_RESIDENTS_SHOWN: i64 = 10;
/// Fewer addresses than this: likewise.
pub const MIN_ADDRESSES_SHOWN: u64 = 5;

/// Whether a district's residents' figures are withheld for privacy: it has a figure,
/// and fewer than [`MIN_RESIDENTS_SHOWN`] residents or [`MIN_ADDRESSES_SHOWN`] addresses.
pub fn suppressed(population: Option<i64>, addresses: u64) -> bool {
    population.is_some_and(|p| p < MIN_RESIDENTS_SHOWN || addresses < MIN_ADDRESSES_SHOWN)
}
