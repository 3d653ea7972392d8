//! Pure types of the product: points, boxes, facilities, addresses, districts.
//!
//! No I/O here and no knowledge of axum or sqlx. Coordinates are WGS84 lon/lat
//! (EPSG:4326, x = lon) everywhere in this module.

pub mod activity;
pub mod attribution;
pub mod hub;
mod kind;
pub mod nature;

pub use kind::{FacilityKind, KindFilter};

use serde::Serialize;

/// Metres per degree of latitude (and of longitude at the equator; times cos(latitude)
/// elsewhere): the spherical figure for local, few-kilometre distances.
pub const METRES_PER_DEGREE_LAT: f64 = 111_320.0;

/// A WGS84 position in degrees, x = longitude.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

impl LonLat {
    pub fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }

    /// True when both parts are finite and inside -180..180 / -90..90.
    pub fn is_valid(&self) -> bool {
        self.lon.is_finite()
            && self.lat.is_finite()
            && (-180.0..=180.0).contains(&self.lon)
            && (-90.0..=90.0).contains(&self.lat)
    }

    pub fn as_array(&self) -> [f64; 2] {
        [self.lon, self.lat]
    }

    /// Rounded to 7 decimals (about 1 cm), the precision OSM stores: keeps `10.753255`
    /// from printing as `10.753255000000001`.
    pub fn rounded(self) -> LonLat {
        let r = |v: f64| (v * 1e7).round() / 1e7;
        LonLat::new(r(self.lon), r(self.lat))
    }
}

/// An axis-aligned box in WGS84 degrees, `min_lon <= max_lon`, `min_lat <= max_lat`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl Bbox {
    pub fn contains(&self, p: LonLat) -> bool {
        p.lon >= self.min_lon
            && p.lon <= self.max_lon
            && p.lat >= self.min_lat
            && p.lat <= self.max_lat
    }

    pub fn intersects(&self, other: &Bbox) -> bool {
        self.min_lon <= other.max_lon
            && other.min_lon <= self.max_lon
            && self.min_lat <= other.max_lat
            && other.min_lat <= self.max_lat
    }

    /// The smallest box holding all `points`, or `None` for no points.
    pub fn around(points: impl IntoIterator<Item = LonLat>) -> Option<Bbox> {
        let mut it = points.into_iter();
        let first = it.next()?;
        let mut b = Bbox {
            min_lon: first.lon,
            min_lat: first.lat,
            max_lon: first.lon,
            max_lat: first.lat,
        };
        for p in it {
            b.min_lon = b.min_lon.min(p.lon);
            b.min_lat = b.min_lat.min(p.lat);
            b.max_lon = b.max_lon.max(p.lon);
            b.max_lat = b.max_lat.max(p.lat);
        }
        Some(b)
    }

    pub fn union(&self, other: &Bbox) -> Bbox {
        Bbox {
            min_lon: self.min_lon.min(other.min_lon),
            min_lat: self.min_lat.min(other.min_lat),
            max_lon: self.max_lon.max(other.max_lon),
            max_lat: self.max_lat.max(other.max_lat),
        }
    }

    pub fn as_array(&self) -> [f64; 4] {
        [self.min_lon, self.min_lat, self.max_lon, self.max_lat]
    }
}

/// Where a row came from: the importer's source name and the id the source gives it.
/// `(source, source_id)` is unique per table; re-importing a source updates rows in place.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SourceRef {
    pub source: String,
    pub source_id: String,
}

/// A neighbourhood facility as stored: a school, a playground, a library…
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facility {
    pub id: i64,
    pub kind: FacilityKind,
    pub name: Option<String>,
    pub position: LonLat,
    /// A one-line street address, when the source gives one.
    pub address: Option<String>,
    /// OSM-style `wheelchair` value: `yes`, `limited`, `no`, or absent when unknown.
    pub wheelchair: Option<String>,
    /// OSM `opening_hours` syntax, as the source gives it.
    pub opening_hours: Option<String>,
    pub source: SourceRef,
    /// Further source attributes worth showing (operator, website, capacity, sport…).
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// The facility's outline in lon/lat, where the source draws it as an area (a park, a
    /// school ground, a pitch): it is then reached at its edge, not at `position` alone.
    #[serde(skip)]
    pub area: Option<geo::MultiPolygon<f64>>,
}

/// A facility as an importer produces it, before the store gives it an id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFacility {
    pub kind: FacilityKind,
    pub name: Option<String>,
    pub position: LonLat,
    pub address: Option<String>,
    pub wheelchair: Option<String>,
    pub opening_hours: Option<String>,
    pub source_id: String,
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// The outline in lon/lat, for a facility drawn as an area.
    pub area: Option<geo::MultiPolygon<f64>>,
}

/// A postal address (a home, most of the time).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Address {
    pub id: i64,
    pub street: String,
    /// House number with its letter, e.g. `12B`.
    pub number: String,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub municipality_code: Option<String>,
    /// Statistics Norway's basic statistical unit, 8 digits, when the source gives it.
    pub grunnkrets_code: Option<String>,
    pub grunnkrets_name: Option<String>,
    pub position: LonLat,
    /// The register's access point (Kartverket's `atkomst`): the entrance the home is
    /// reached by, its place on the walking network when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<LonLat>,
    pub source: SourceRef,
}

impl Address {
    /// `Street 12B, 0150 OSLO`: the form residents recognise.
    pub fn label(&self) -> String {
        let mut s = format!("{} {}", self.street, self.number)
            .trim()
            .to_string();
        match (&self.postcode, &self.city) {
            (Some(p), Some(c)) => s.push_str(&format!(", {p} {c}")),
            (Some(p), None) => s.push_str(&format!(", {p}")),
            (None, Some(c)) => s.push_str(&format!(", {c}")),
            (None, None) => {}
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAddress {
    pub street: String,
    pub number: String,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub municipality_code: Option<String>,
    pub grunnkrets_code: Option<String>,
    pub grunnkrets_name: Option<String>,
    pub position: LonLat,
    /// See [`Address::access`].
    pub access: Option<LonLat>,
    pub source_id: String,
}

/// A district polygon: a kommune, kommunedel, bydel, delområde, grunnkrets or postcode area.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    /// `"12"` for a stored district; `"grunnkrets-30010101"` or `"postcode-0150"` for one
    /// derived from the addresses when no district file has been imported.
    pub id: String,
    /// The district's own code where it has one (grunnkretsnummer, delområde number,
    /// kommunenummer, postcode), else the id it was imported with.
    pub code: String,
    pub name: String,
    /// What kind of division this is: `kommune`, `kommunedel`, `bydel`, `delomrade`,
    /// `grunnkrets`, `postcode`, … (see `index::districts::level_rank`).
    pub level: String,
    /// Lon/lat (EPSG:4326).
    pub geometry: geo::MultiPolygon<f64>,
    /// Residents: as imported, else SSB's figure for the code, else our own sum of the
    /// parts (then `population_sum`).
    pub population: Option<i64>,
    /// `population` is our sum of the districts or addresses inside, not a published figure.
    pub population_sum: bool,
    /// Index (in the snapshot's districts) of the district of the next coarser level that
    /// holds it; set when the snapshot is built.
    pub parent: Option<u32>,
    /// `None` for a district derived from the addresses.
    pub source: Option<SourceRef>,
}

/// Residents of an area (a grunnkrets or a kommune, by its SSB code) in a given year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaPopulation {
    pub code: String,
    pub name: Option<String>,
    pub year: Option<i32>,
    pub persons: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewDistrict {
    pub name: String,
    pub level: String,
    pub geometry: geo::MultiPolygon<f64>,
    pub population: Option<i64>,
    pub source_id: String,
}
