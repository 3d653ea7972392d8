//! OGC API – Features Part 2, Coordinate Reference Systems by Reference (OGC 18-058r1):
//! the CRSs a collection offers, `crs=` for the output, `bbox-crs=` for the query box, and the
//! `Content-Crs` header.
//!
//! Data is stored in CRS84 (lon/lat, WGS84); answers in another CRS are projected when they are
//! written, with proj4rs (the crate the importers use). Axis order is the CRS's own, as the
//! standard requires: EPSG:4326 and EPSG:4258 are latitude first, the UTM zones easting first,
//! CRS84 longitude first. ETRS89 is taken as WGS84, as PROJ does for these codes by default
//! (see `import::projection`).

use proj4rs::Proj;
use serde_json::Value;

use super::error::ApiError;
use super::params::Params;
use crate::domain::Bbox;

/// OGC's URI for longitude/latitude on WGS84, the default and the storage CRS.
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
/// The conformance class this module implements.
pub const CONFORMANCE: &str = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs";

/// A CRS a collection can be read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// Longitude, latitude in degrees (WGS84).
    Crs84,
    /// An EPSG code from [`OFFERED`].
    Epsg(u32),
}

/// What every collection offers: CRS84; WGS84 and ETRS89 geographic (latitude first); ETRS89
/// UTM 32, 33 and 35 (Kartverket's and the municipalities' own, easting first, metres); and
/// Web Mercator.
pub const OFFERED: [Crs; 7] = [
    Crs::Crs84,
    Crs::Epsg(4326),
    Crs::Epsg(4258),
    Crs::Epsg(25832),
    Crs::Epsg(25833),
    Crs::Epsg(25835),
    Crs::Epsg(3857),
];

impl Crs {
    /// The OGC URI: `http://www.opengis.net/def/crs/EPSG/0/25832`.
    pub fn uri(self) -> String {
        match self {
            Crs::Crs84 => CRS84.to_string(),
            Crs::Epsg(code) => format!("http://www.opengis.net/def/crs/EPSG/0/{code}"),
        }
    }

    /// Reads a URI as [`Crs::uri`] writes it, or a safe CURIE (`[EPSG:25832]`, `[OGC:CRS84]`).
    /// `None` for anything not in [`OFFERED`].
    pub fn parse(s: &str) -> Option<Crs> {
        let s = s.trim();
        let crs = if s == CRS84 || s.eq_ignore_ascii_case("[OGC:CRS84]") {
            Crs::Crs84
        } else if let Some(code) = s
            .strip_prefix("http://www.opengis.net/def/crs/EPSG/0/")
            .or_else(|| {
                s.strip_prefix("[EPSG:")
                    .and_then(|rest| rest.strip_suffix(']'))
            })
        {
            Crs::Epsg(code.parse().ok()?)
        } else {
            return None;
        };
        OFFERED.contains(&crs).then_some(crs)
    }

    /// All URIs of [`OFFERED`], for a collection's `crs` member.
    pub fn offered_uris() -> Vec<String> {
        OFFERED.iter().map(|c| c.uri()).collect()
    }

    /// Latitude before longitude (EPSG:4326 and 4258, as EPSG defines them).
    fn lat_first(self) -> bool {
        matches!(self, Crs::Epsg(4326 | 4258))
    }

    fn proj_string(self) -> Option<String> {
        match self {
            Crs::Epsg(code @ (25832 | 25833 | 25835)) => Some(format!(
                "+proj=utm +zone={} +ellps=GRS80 +towgs84=0,0,0 +units=m +no_defs",
                code - 25800
            )),
            Crs::Epsg(3857) => Some(
                "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// Projects lon/lat to one [`Crs`] and back, in that CRS's axis order.
pub struct Projector {
    crs: Crs,
    /// `(wgs84, target)` for the projected CRSs.
    projs: Option<(Proj, Proj)>,
}

impl Projector {
    pub fn new(crs: Crs) -> Projector {
        let projs = crs.proj_string().map(|def| {
            (
                Proj::from_proj_string("+proj=longlat +ellps=WGS84 +towgs84=0,0,0 +no_defs")
                    .expect("a fixed, valid proj string"),
                Proj::from_proj_string(&def).expect("a fixed, valid proj string"),
            )
        });
        Projector { crs, projs }
    }

    pub fn crs(&self) -> Crs {
        self.crs
    }

    /// lon/lat in degrees → the CRS's first and second axis (degrees or metres).
    ///
    /// # Errors
    /// When the point cannot be projected (far outside a UTM zone's range).
    pub fn forward(&self, lon: f64, lat: f64) -> Result<(f64, f64), String> {
        match &self.projs {
            None if self.crs.lat_first() => Ok((lat, lon)),
            None => Ok((lon, lat)),
            Some((wgs84, target)) => {
                proj4rs::adaptors::transform_xy(wgs84, target, lon.to_radians(), lat.to_radians())
                    .map_err(|e| format!("({lon}, {lat}) cannot be projected: {e}"))
            }
        }
    }

    /// The CRS's first and second axis → lon/lat in degrees.
    ///
    /// # Errors
    /// When the values are not a place on Earth in this CRS.
    pub fn inverse(&self, a: f64, b: f64) -> Result<(f64, f64), String> {
        let (lon, lat) = match &self.projs {
            None if self.crs.lat_first() => (b, a),
            None => (a, b),
            Some((wgs84, target)) => {
                let (lon, lat) = proj4rs::adaptors::transform_xy(target, wgs84, a, b)
                    .map_err(|e| format!("({a}, {b}) is not a place in this CRS: {e}"))?;
                (lon.to_degrees(), lat.to_degrees())
            }
        };
        if !(lon.is_finite()
            && lat.is_finite()
            && (-180.0..=180.0).contains(&lon)
            && (-90.0..=90.0).contains(&lat))
        {
            return Err(format!("({a}, {b}) is not a place on Earth in this CRS"));
        }
        // Projections wrap longitudes: a value far outside the CRS's range comes back as some
        // place, which projects to somewhere else (more than a metre off).
        if self.projs.is_some() {
            let (a2, b2) = self.forward(lon, lat)?;
            if (a2 - a).hypot(b2 - b) > 1.0 {
                return Err(format!("({a}, {b}) is outside the range of this CRS"));
            }
        }
        Ok((lon, lat))
    }

    /// Every position of a GeoJSON geometry (any type, collections included), projected in
    /// place.
    ///
    /// # Errors
    /// The first position that cannot be projected.
    pub fn geometry(&self, geometry: &mut Value) -> Result<(), String> {
        if let Some(members) = geometry.get_mut("geometries").and_then(Value::as_array_mut) {
            return members.iter_mut().try_for_each(|g| self.geometry(g));
        }
        match geometry.get_mut("coordinates") {
            Some(c) => self.positions(c),
            None => Ok(()),
        }
    }

    /// The EPSG code for a GeoPackage's `srs_id` (CRS84: 4326, which a GeoPackage reads as
    /// longitude, latitude).
    pub fn epsg(&self) -> i32 {
        match self.crs {
            Crs::Crs84 => 4326,
            Crs::Epsg(code) => code as i32,
        }
    }

    /// As [`Projector::geometry`], but x (easting or longitude) first whatever the CRS's
    /// axis order, as a GeoPackage stores coordinates.
    ///
    /// # Errors
    /// The first position that cannot be projected.
    pub fn geometry_xy(&self, geometry: &mut Value) -> Result<(), String> {
        if self.crs.lat_first() {
            // Geographic: the same numbers as lon/lat (WGS84 and ETRS89 agree here).
            return Ok(());
        }
        self.geometry(geometry)
    }

    /// A GeoJSON Feature's geometry (if any) projected in place; a position that cannot be
    /// projected is a 400 problem naming `crs`.
    ///
    /// # Errors
    /// [`ApiError::InvalidParameter`] for `crs`.
    pub fn feature(&self, f: &mut Value) -> Result<(), ApiError> {
        match f.get_mut("geometry") {
            Some(g) => self.geometry(g).map_err(|e| ApiError::invalid("crs", e)),
            None => Ok(()),
        }
    }

    fn positions(&self, v: &mut Value) -> Result<(), String> {
        let Some(items) = v.as_array_mut() else {
            return Ok(());
        };
        if let (Some(lon), Some(lat)) = (
            items.first().and_then(Value::as_f64),
            items.get(1).and_then(Value::as_f64),
        ) {
            let (a, b) = self.forward(lon, lat)?;
            items[0] = Value::from(a);
            items[1] = Value::from(b);
            return Ok(());
        }
        items.iter_mut().try_for_each(|x| self.positions(x))
    }

    /// A GeoJSON Feature's text in this CRS (its geometry and any `bbox` member).
    ///
    /// # Errors
    /// The text is not JSON, or a position cannot be projected.
    pub fn feature_text(&self, text: &str) -> Result<String, String> {
        if self.crs == Crs::Crs84 {
            return Ok(text.to_string());
        }
        let mut f: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if let Some(g) = f.get_mut("geometry") {
            self.geometry(g)?;
        }
        if let Some(b) = f.get("bbox").and_then(Value::as_array)
            && let [w, s, e, n] = &b[..]
            && let (Some(w), Some(s), Some(e), Some(n)) =
                (w.as_f64(), s.as_f64(), e.as_f64(), n.as_f64())
        {
            f["bbox"] = self.bbox_out(&Bbox {
                min_lon: w,
                min_lat: s,
                max_lon: e,
                max_lat: n,
            })?;
        }
        Ok(f.to_string())
    }

    /// A lon/lat box as `[min a, min b, max a, max b]` in this CRS: the envelope of its corners
    /// and edge midpoints.
    fn bbox_out(&self, b: &Bbox) -> Result<Value, String> {
        let mut env = Envelope::default();
        for (lon, lat) in edge_points(b.min_lon, b.min_lat, b.max_lon, b.max_lat) {
            let (a, bb) = self.forward(lon, lat)?;
            env.add(a, bb);
        }
        Ok(serde_json::json!([
            env.min_a, env.min_b, env.max_a, env.max_b
        ]))
    }
}

#[derive(Debug)]
struct Envelope {
    min_a: f64,
    min_b: f64,
    max_a: f64,
    max_b: f64,
}

impl Default for Envelope {
    fn default() -> Self {
        Envelope {
            min_a: f64::INFINITY,
            min_b: f64::INFINITY,
            max_a: f64::NEG_INFINITY,
            max_b: f64::NEG_INFINITY,
        }
    }
}

impl Envelope {
    fn add(&mut self, a: f64, b: f64) {
        self.min_a = self.min_a.min(a);
        self.min_b = self.min_b.min(b);
        self.max_a = self.max_a.max(a);
        self.max_b = self.max_b.max(b);
    }
}

/// The corners of a box and eight points along each edge: a projected box's edges curve.
fn edge_points(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(36);
    for k in 0..=8 {
        let t = f64::from(k) / 8.0;
        let x = x0 + (x1 - x0) * t;
        let y = y0 + (y1 - y0) * t;
        out.extend([(x, y0), (x, y1), (x0, y), (x1, y)]);
    }
    out
}

/// `crs=`: the output CRS (default CRS84).
///
/// # Errors
/// A 400 problem naming the offered CRSs.
pub fn output(params: &Params) -> Result<Projector, ApiError> {
    crs_param(params, "crs").map(Projector::new)
}

fn crs_param(params: &Params, name: &str) -> Result<Crs, ApiError> {
    match params.get(name) {
        None => Ok(Crs::Crs84),
        Some(s) => Crs::parse(s).ok_or_else(|| {
            ApiError::invalid(
                name,
                format!(
                    "{s:?} is not a CRS offered here; use one of {}",
                    Crs::offered_uris().join(", ")
                ),
            )
        }),
    }
}

/// A `bbox=` as asked: the lon/lat box that holds it (for the spatial index), and, when it was
/// given in another CRS, that box itself, so that points can be tested exactly.
pub struct QueryBox {
    pub lonlat: Bbox,
    exact: Option<(Projector, [f64; 4])>,
}

impl QueryBox {
    /// Whether a point lies in the box as asked (in `bbox-crs`; on the edge counts).
    pub fn holds(&self, lon: f64, lat: f64) -> bool {
        match &self.exact {
            None => self.lonlat.contains(crate::domain::LonLat::new(lon, lat)),
            Some((p, [a0, b0, a1, b1])) => p
                .forward(lon, lat)
                .is_ok_and(|(a, b)| (*a0..=*a1).contains(&a) && (*b0..=*b1).contains(&b)),
        }
    }
}

/// `bbox=` read in `bbox-crs=` (default CRS84).
///
/// # Errors
/// A 400 problem for an unknown `bbox-crs`, a malformed box, or one outside the CRS's range.
pub fn bbox(params: &Params) -> Result<Option<QueryBox>, ApiError> {
    let crs = crs_param(params, "bbox-crs")?;
    if params.get("bbox-crs").is_some() && params.get("bbox").is_none() {
        return Err(ApiError::invalid(
            "bbox-crs",
            "is only meaningful with bbox",
        ));
    }
    if crs == Crs::Crs84 {
        return Ok(params.bbox()?.map(|lonlat| QueryBox {
            lonlat,
            exact: None,
        }));
    }
    let [a0, b0, a1, b1] = params.bbox_numbers()?;
    if a0 > a1 || b0 > b1 {
        return Err(ApiError::invalid(
            "bbox",
            format!(
                "in {}, the first two numbers are the lower corner and the last two the upper",
                crs.uri()
            ),
        ));
    }
    let p = Projector::new(crs);
    let mut env = Envelope::default();
    for (a, b) in edge_points(a0, b0, a1, b1) {
        let (lon, lat) = p
            .inverse(a, b)
            .map_err(|e| ApiError::invalid("bbox", format!("{e} ({})", crs.uri())))?;
        env.add(lon, lat);
    }
    // Sampled edges can miss a curved edge's extreme by metres: widened by about 100 m, the
    // envelope holds the whole box, and `holds` decides exactly.
    const PAD_DEG: f64 = 1e-3;
    Ok(Some(QueryBox {
        lonlat: Bbox {
            min_lon: (env.min_a - PAD_DEG).max(-180.0),
            min_lat: (env.min_b - PAD_DEG).max(-90.0),
            max_lon: (env.max_a + PAD_DEG).min(180.0),
            max_lat: (env.max_b + PAD_DEG).min(90.0),
        },
        exact: Some((p, [a0, b0, a1, b1])),
    }))
}

/// Adds `Content-Crs: <uri>` (OGC 18-058r1 §6.2: the URI in angle brackets).
pub fn content_crs(response: &mut axum::response::Response, crs: Crs) {
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("<{}>", crs.uri())) {
        response.headers_mut().insert("content-crs", v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_curies_name_the_offered_crss_only() {
        assert_eq!(Crs::parse(CRS84), Some(Crs::Crs84));
        assert_eq!(Crs::parse("[EPSG:25832]"), Some(Crs::Epsg(25832)));
        assert_eq!(
            Crs::parse("http://www.opengis.net/def/crs/EPSG/0/4326"),
            Some(Crs::Epsg(4326))
        );
        assert_eq!(
            Crs::parse("http://www.opengis.net/def/crs/EPSG/0/2154"),
            None
        );
        assert_eq!(Crs::parse("EPSG:25832"), None);
        for c in OFFERED {
            assert_eq!(Crs::parse(&c.uri()), Some(c));
        }
    }

    #[test]
    fn axis_order_is_the_crss_and_projections_go_both_ways() {
        let p = Projector::new(Crs::Epsg(4326));
        assert_eq!(p.forward(10.2, 59.7).unwrap(), (59.7, 10.2));
        assert_eq!(p.inverse(59.7, 10.2).unwrap(), (10.2, 59.7));
        let utm = Projector::new(Crs::Epsg(25832));
        let (e, n) = utm.forward(10.2, 59.7).unwrap();
        assert!(
            (560_000.0..575_000.0).contains(&e) && (6_610_000.0..6_625_000.0).contains(&n),
            "{e} {n}"
        );
        let (lon, lat) = utm.inverse(e, n).unwrap();
        assert!((lon - 10.2).abs() < 1e-9 && (lat - 59.7).abs() < 1e-9);
        assert!(Projector::new(Crs::Epsg(3857)).inverse(1e9, 1e9).is_err());
        let mut g = serde_json::json!({"type":"GeometryCollection","geometries":[
            {"type":"Point","coordinates":[10.2,59.7]},
            {"type":"LineString","coordinates":[[10.2,59.7],[10.3,59.8]]}]});
        p.geometry(&mut g).unwrap();
        assert_eq!(
            g["geometries"][0]["coordinates"],
            serde_json::json!([59.7, 10.2])
        );
        assert_eq!(
            g["geometries"][1]["coordinates"][1],
            serde_json::json!([59.8, 10.3])
        );
    }
}
