//! Which district each facility and address lies in, and the districts themselves when no
//! district file has been imported.
//!
//! Imported districts are matched by point-in-polygon; where districts overlap (say both
//! kommunedeler and grunnkretser were imported) the smallest one wins. Without an imported
//! file, districts are derived from the addresses: by grunnkrets where an address carries
//! one (Kartverket's file does), otherwise by its postcode (OSM `addr:postcode`). A derived
//! district's polygon is the convex hull of its addresses widened by [`DERIVED_MARGIN_M`],
//! so that it covers every one of them; derived hulls may overlap, so a facility takes the
//! district of its nearest address rather than of a hull.

use std::collections::BTreeMap;

use geo::{Area, ConvexHull, Intersects};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::domain::{Address, Bbox, District, Facility, LonLat};

/// How far a derived district's polygon reaches past its outermost addresses, in metres.
const DERIVED_MARGIN_M: f64 = 30.0;
/// A facility farther than this from every address gets no derived district, in metres.
const NEAREST_ADDRESS_MAX_M: f64 = 1000.0;
const METRES_PER_DEGREE_LAT: f64 = 111_320.0;

pub(super) struct Assigned {
    pub districts: Vec<District>,
    pub facility_district: Vec<Option<u32>>,
    pub address_district: Vec<Option<u32>>,
}

pub(super) fn bbox_of(d: &District) -> Bbox {
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
    stored: Vec<District>,
    facilities: &[Facility],
    addresses: &[Address],
    address_tree: &super::PointTree,
) -> Assigned {
    if !stored.is_empty() {
        let locator = Locator::new(&stored);
        return Assigned {
            facility_district: facilities
                .iter()
                .map(|f| locator.locate(f.position))
                .collect(),
            address_district: addresses
                .iter()
                .map(|a| locator.locate(a.position))
                .collect(),
            districts: stored,
        };
    }

    let (districts, address_district) = derive_from_addresses(addresses);
    let facility_district = facilities
        .iter()
        .map(|f| {
            let nearest = address_tree.nearest_neighbor(f.position.as_array())?;
            let a = &addresses[nearest.data as usize];
            (distance_m(f.position, a.position) <= NEAREST_ADDRESS_MAX_M).then_some(())?;
            address_district[nearest.data as usize]
        })
        .collect();
    Assigned {
        districts,
        facility_district,
        address_district,
    }
}

/// Point-in-polygon over an R-tree of district bounding boxes.
struct Locator<'a> {
    districts: &'a [District],
    areas: Vec<f64>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
}

impl<'a> Locator<'a> {
    fn new(districts: &'a [District]) -> Self {
        let tree = RTree::bulk_load(
            districts
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    let b = bbox_of(d);
                    GeomWithData::new(
                        Rectangle::from_corners([b.min_lon, b.min_lat], [b.max_lon, b.max_lat]),
                        i as u32,
                    )
                })
                .collect(),
        );
        Locator {
            districts,
            areas: districts
                .iter()
                .map(|d| d.geometry.unsigned_area())
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
            .min_by(|&a, &b| {
                self.areas[a as usize]
                    .total_cmp(&self.areas[b as usize])
                    .then(a.cmp(&b))
            })
    }
}

fn distance_m(a: LonLat, b: LonLat) -> f64 {
    let mean_lat = ((a.lat + b.lat) / 2.0).to_radians();
    let dx = (a.lon - b.lon) * METRES_PER_DEGREE_LAT * mean_lat.cos();
    let dy = (a.lat - b.lat) * METRES_PER_DEGREE_LAT;
    dx.hypot(dy)
}

struct Group {
    name: String,
    level: &'static str,
    members: Vec<u32>,
}

fn derive_from_addresses(addresses: &[Address]) -> (Vec<District>, Vec<Option<u32>>) {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for (i, a) in addresses.iter().enumerate() {
        // Grunnkrets where the address has one (Kartverket's file), else the postcode (OSM).
        let key = match (&a.grunnkrets_code, &a.postcode) {
            (Some(code), _) => Some((
                format!("grunnkrets-{code}"),
                a.grunnkrets_name.clone().unwrap_or_else(|| code.clone()),
                "grunnkrets",
            )),
            (None, Some(p)) => Some((
                format!("postcode-{p}"),
                match &a.city {
                    Some(city) => format!("{p} {city}"),
                    None => p.clone(),
                },
                "postcode",
            )),
            (None, None) => None,
        };
        if let Some((id, name, level)) = key {
            groups
                .entry(id)
                .or_insert_with(|| Group {
                    name,
                    level,
                    members: Vec::new(),
                })
                .members
                .push(i as u32);
        }
    }

    let mut districts = Vec::with_capacity(groups.len());
    let mut address_district = vec![None; addresses.len()];
    for (index, (id, group)) in groups.into_iter().enumerate() {
        for &m in &group.members {
            address_district[m as usize] = Some(index as u32);
        }
        let hull = widened_hull(
            group
                .members
                .iter()
                .map(|&m| addresses[m as usize].position),
        );
        districts.push(District {
            id,
            name: group.name,
            level: group.level.to_string(),
            geometry: geo::MultiPolygon(vec![hull]),
            population: None,
            source: None,
        });
    }
    (districts, address_district)
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
