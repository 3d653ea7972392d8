//! Facilities from any point file: GeoJSON (a FeatureCollection) or CSV (comma- or
//! semicolon-separated, with lon/lat columns), all of one `--kind`, or each of the kind
//! its GeoJSON property `--kind-property` names (falling back to `--kind`).
//!
//! Each row needs a stable id so that a re-import updates rather than duplicates: the
//! column or property named by `--id-property`, else the GeoJSON feature `id`, else a
//! property called `id`, `orgnr` or `nsrid`.

use std::collections::HashSet;
use std::path::Path;

use geo::InteriorPoint;

use super::{ImportError, Lines, csv_error, find_column, read_file};
use crate::domain::{FacilityKind, LonLat, NewFacility};

const ID_FALLBACKS: [&str; 3] = ["id", "orgnr", "nsrid"];
const LON_NAMES: [&str; 4] = ["lon", "lng", "longitude", "x"];
const LAT_NAMES: [&str; 3] = ["lat", "latitude", "y"];

#[derive(Debug, Clone)]
pub struct FacilityFileOptions {
    pub kind: FacilityKind,
    /// A GeoJSON property holding each feature's kind (`pitch`, `skatepark`, …).
    pub kind_property: Option<String>,
    pub id_property: Option<String>,
    pub name_property: String,
}

pub fn read(path: &Path, options: &FacilityFileOptions) -> Result<Vec<NewFacility>, ImportError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let rows = match extension.as_str() {
        "geojson" | "json" => read_geojson(path, options)?,
        "csv" => read_csv(path, options)?,
        other => {
            return Err(ImportError::file(
                path,
                format!("unknown file type {other:?}: give a .geojson or .csv file"),
            ));
        }
    };
    if rows.is_empty() {
        return Err(ImportError::file(
            path,
            "holds no facilities: refusing to replace the data with nothing",
        ));
    }
    Ok(rows)
}

fn json_to_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        other => Some(other.to_string()),
    }
}

/// Parses a GeoJSON file into a FeatureCollection, with line and column on syntax errors.
pub(super) fn feature_collection(path: &Path) -> Result<geojson::FeatureCollection, ImportError> {
    match feature_collection_with_crs(path)? {
        (fc, None) => Ok(fc),
        (_, Some(code)) => Err(ImportError::file(
            path,
            format!("coordinates in EPSG:{code}: GeoJSON must be WGS84 lon/lat"),
        )),
    }
}

/// A GeoJSON FeatureCollection and the EPSG code of its legacy `crs` member (GeoJSON 2008,
/// as Kartverket's downloads carry), `None` for lon/lat (CRS84, EPSG:4326 or no member).
pub(super) fn feature_collection_with_crs(
    path: &Path,
) -> Result<(geojson::FeatureCollection, Option<u32>), ImportError> {
    let bytes = read_file(path)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
            + 1;
        ImportError::line(path, line, "not valid UTF-8")
    })?;
    let mut value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| ImportError::line(path, e.line() as u64, format!("invalid JSON: {e}")))?;
    let crs = match value.as_object_mut().and_then(|o| o.remove("crs")) {
        None => None,
        Some(crs) => {
            let name = crs
                .pointer("/properties/name")
                .and_then(|n| n.as_str())
                .unwrap_or_default();
            crs_code(name).ok_or_else(|| {
                ImportError::file(path, format!("the crs member {name:?} names no EPSG code"))
            })?
        }
    };
    match serde_json::from_value::<geojson::GeoJson>(value) {
        Ok(geojson::GeoJson::FeatureCollection(fc)) => Ok((fc, crs)),
        Ok(_) => Err(ImportError::file(
            path,
            "expected a GeoJSON FeatureCollection",
        )),
        Err(e) => Err(ImportError::file(path, format!("invalid GeoJSON: {e}"))),
    }
}

/// The EPSG code a CRS name gives (`urn:ogc:def:crs:EPSG::25833`, `EPSG:25833`,
/// `http://www.opengis.net/def/crs/EPSG/0/25833`); `Some(None)` for lon/lat (CRS84, 4326).
fn crs_code(name: &str) -> Option<Option<u32>> {
    if name.ends_with("CRS84") {
        return Some(None);
    }
    let digits: String = name
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let code: u32 = digits.parse().ok()?;
    Some((code != 4326).then_some(code))
}

/// A knutepunkt's services (issue 18) from a file's `services` value, as stored: a JSON
/// array of `{service, name?, opening_hours?, contact?}`. Only knutepunkter have services.
fn hub_services(
    value: &serde_json::Value,
    kind: FacilityKind,
) -> Result<serde_json::Value, String> {
    if kind != FacilityKind::CommunityCentre {
        return Err(format!(
            "services are offered at knutepunkter (kind community_centre or knutepunkt), not \
             at a {}",
            kind.as_str()
        ));
    }
    let list = crate::domain::hub::parse_services(value)?;
    Ok(serde_json::to_value(list).expect("services always serialise"))
}

fn read_geojson(
    path: &Path,
    options: &FacilityFileOptions,
) -> Result<Vec<NewFacility>, ImportError> {
    let fc = feature_collection(path)?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(fc.features.len());
    for (n, feature) in fc.features.into_iter().enumerate() {
        let properties = feature.properties.unwrap_or_default();
        let label_id = feature.id.as_ref().map(|id| match id {
            geojson::feature::Id::String(s) => s.clone(),
            geojson::feature::Id::Number(n) => n.to_string(),
        });
        let label_name = properties
            .get(options.name_property.as_str())
            .and_then(json_to_text);
        let at = |reason: String| {
            let feature = super::feature_label(path, n, label_id.as_deref(), label_name.as_deref());
            ImportError::file(path, format!("{feature}: {reason}"))
        };
        let id = match &options.id_property {
            Some(key) => properties.get(key).and_then(json_to_text),
            None => feature
                .id
                .as_ref()
                .map(|id| match id {
                    geojson::feature::Id::String(s) => s.clone(),
                    geojson::feature::Id::Number(n) => n.to_string(),
                })
                .or_else(|| {
                    ID_FALLBACKS
                        .iter()
                        .find_map(|k| properties.get(*k).and_then(json_to_text))
                }),
        }
        .ok_or_else(|| at(missing_id(options)))?;
        if !seen.insert(id.clone()) {
            return Err(at(format!("id {id:?} appears twice")));
        }
        let geometry = feature
            .geometry
            .ok_or_else(|| at("has no geometry".into()))?;
        let geometry: geo::Geometry<f64> =
            geo::Geometry::try_from(&geometry).map_err(|e| at(format!("bad geometry: {e}")))?;
        let position = geometry
            .interior_point()
            .map(|p| LonLat::new(p.x(), p.y()).rounded())
            .filter(LonLat::is_valid)
            .ok_or_else(|| at("geometry has no valid lon/lat position".into()))?;
        // A facility drawn as an area is reached at its edge (issue 16).
        let area = match &geometry {
            geo::Geometry::Polygon(p) => Some(geo::MultiPolygon(vec![p.clone()])),
            geo::Geometry::MultiPolygon(m) => Some(m.clone()),
            _ => None,
        };
        let text = |key: &str| properties.get(key).and_then(json_to_text);
        let kind = match options.kind_property.as_deref().and_then(&text) {
            Some(k) => FacilityKind::parse(&k).ok_or_else(|| {
                at(format!(
                    "unknown kind {k:?}; kinds: {}",
                    FacilityKind::ALL.map(|k| k.as_str()).join(", ")
                ))
            })?,
            None => options.kind,
        };
        let mut extra = properties.clone();
        for used in [
            options.name_property.as_str(),
            "address",
            "wheelchair",
            "opening_hours",
            "services",
            "tjenester",
        ] {
            extra.remove(used);
        }
        extra.retain(|_, v| !v.is_null() && v.as_str() != Some(""));
        if let Some(services) = properties.get("services").or(properties.get("tjenester")) {
            let list = hub_services(services, kind).map_err(at)?;
            extra.insert("services".into(), list);
        }
        out.push(NewFacility {
            kind,
            name: text(&options.name_property),
            position,
            address: text("address"),
            wheelchair: text("wheelchair"),
            opening_hours: text("opening_hours"),
            source_id: id,
            properties: extra,
            area,
        });
    }
    Ok(out)
}

fn missing_id(options: &FacilityFileOptions) -> String {
    match &options.id_property {
        Some(key) => format!("no value for the id property {key:?}"),
        None => format!(
            "no stable id (feature id or one of {ID_FALLBACKS:?}): name one with --id-property"
        ),
    }
}

fn read_csv(path: &Path, options: &FacilityFileOptions) -> Result<Vec<NewFacility>, ImportError> {
    if options.kind_property.is_some() {
        return Err(ImportError::file(
            path,
            "--kind-property works with GeoJSON files; give a CSV file one --kind",
        ));
    }
    let bytes = read_file(path)?;
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(&bytes);
    let first_line = body.split(|&b| b == b'\n').next().unwrap_or_default();
    let semicolons = first_line.iter().filter(|&&b| b == b';').count();
    let commas = first_line.iter().filter(|&&b| b == b',').count();
    let delimiter = if semicolons > commas { b';' } else { b',' };

    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(body);
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| csv_error(path, body, e))?
        .iter()
        .map(str::to_string)
        .collect();
    let column = |names: &[&str], what: &str| {
        find_column(&headers, names).ok_or_else(|| {
            ImportError::line(
                path,
                1,
                format!("missing column for {what} (one of {names:?})"),
            )
        })
    };
    let lon = column(&LON_NAMES, "longitude")?;
    let lat = column(&LAT_NAMES, "latitude")?;
    let id = match &options.id_property {
        Some(key) => column(&[key.as_str()], "the id")?,
        None => column(&ID_FALLBACKS, "a stable id; or name one with --id-property")?,
    };
    let name = find_column(&headers, &[options.name_property.as_str()]);
    let address = find_column(&headers, &["address", "adresse"]);

    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut lines = Lines::new(body);
    for record in csv.records() {
        let record = record.map_err(|e| csv_error(path, body, e))?;
        let line = lines.at(record.position());
        let get = |i: usize| record.get(i).map(str::trim).filter(|s| !s.is_empty());
        let coordinate = |i: usize| -> Result<f64, ImportError> {
            let s = get(i).unwrap_or_default();
            s.parse::<f64>().map_err(|_| {
                ImportError::line(path, line, format!("{} is {s:?}, not a number", headers[i]))
            })
        };
        let position = LonLat::new(coordinate(lon)?, coordinate(lat)?);
        if !position.is_valid() {
            return Err(ImportError::line(
                path,
                line,
                format!(
                    "({}, {}) is not a lon/lat position",
                    position.lon, position.lat
                ),
            ));
        }
        let source_id = get(id)
            .ok_or_else(|| ImportError::line(path, line, format!("empty {}", headers[id])))?;
        if !seen.insert(source_id.to_string()) {
            return Err(ImportError::line(
                path,
                line,
                format!("id {source_id:?} appears twice"),
            ));
        }
        let mut properties = serde_json::Map::new();
        let services = find_column(&headers, &["services", "tjenester"]);
        for (i, h) in headers.iter().enumerate() {
            if ![lon, lat].contains(&i)
                && Some(i) != name
                && Some(i) != address
                && Some(i) != services
                && let Some(v) = get(i)
            {
                properties.insert(h.clone(), v.to_string().into());
            }
        }
        if let Some(text) = services.and_then(get) {
            let list = hub_services(&serde_json::Value::from(text), options.kind)
                .map_err(|e| ImportError::line(path, line, e))?;
            properties.insert("services".into(), list);
        }
        out.push(NewFacility {
            kind: options.kind,
            name: name.and_then(get).map(str::to_string),
            position,
            address: address.and_then(get).map(str::to_string),
            wheelchair: find_column(&headers, &["wheelchair"])
                .and_then(get)
                .map(str::to_string),
            opening_hours: find_column(&headers, &["opening_hours"])
                .and_then(get)
                .map(str::to_string),
            source_id: source_id.to_string(),
            properties,
            area: None,
        });
    }
    Ok(out)
}
