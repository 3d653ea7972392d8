//! Facilities from any point file: GeoJSON (a FeatureCollection) or CSV as spreadsheets
//! write it (any of Excel's encodings and separators, decimal commas: [`super::text`];
//! Norwegian or English column names; lon/lat, or UTM metres with `--crs`), all of one
//! `--kind`, or each of the kind its GeoJSON property `--kind-property` names (falling back
//! to `--kind`). Positions that look swapped (lat/lon) or like metres are refused.
//!
//! Each row needs a stable id so that a re-import updates rather than duplicates: the
//! column or property named by `--id-property`, else the GeoJSON feature `id`, else a
//! property called `id`, `orgnr` or `nsrid`.

use std::collections::HashSet;
use std::path::Path;

use geo::InteriorPoint;

use super::{ImportError, Lines, csv_error, read_file};
use crate::domain::{FacilityKind, LonLat, NewFacility};

/// Where a stable id is looked for when `--id-property` names none (GeoJSON: after the
/// feature id). NSR's and NBR's orgnr, Anleggsregisteret's anleggsnummer.
const ID_FALLBACKS: [&str; 6] = [
    "id",
    "orgnr",
    "organisasjonsnummer",
    "nsrid",
    "nbrid",
    "anleggsnummer",
];
/// `--name-property`'s default; with it, any of [`NAME_NAMES`] is the name.
pub const DEFAULT_NAME: &str = "name";
const NAME_NAMES: [&str; 4] = ["name", "navn", "fulltnavn", "anleggsnavn"];

#[derive(Debug, Clone)]
pub struct FacilityFileOptions {
    pub kind: FacilityKind,
    /// A GeoJSON property holding each feature's kind (`pitch`, `skatepark`, …).
    pub kind_property: Option<String>,
    pub id_property: Option<String>,
    pub name_property: String,
    /// CSV: the longitude (or east) and latitude (or north) columns, when not found by name.
    pub lon_column: Option<String>,
    pub lat_column: Option<String>,
    /// CSV: the EPSG code of the coordinates (25832, 25833, 25835 for UTM metres; 4258 and
    /// 4326 for lon/lat); `None` for lon/lat.
    pub crs: Option<u32>,
}

/// What a facility file holds, and what the reader noticed on the way (the encoding and
/// separator it detected, warnings), for the operator.
#[derive(Debug, Default)]
pub struct FacilityFile {
    pub rows: Vec<NewFacility>,
    pub notes: Vec<String>,
}

/// Reads a whole facility file (see the module docs); errors name the line or feature.
pub fn read(path: &Path, options: &FacilityFileOptions) -> Result<FacilityFile, ImportError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let file = match extension.as_str() {
        "geojson" | "json" => read_geojson(path, options)?,
        // Excel's "Unicode-tekst" is a tab-separated .txt.
        "csv" | "tsv" | "txt" => read_csv(path, options)?,
        "xlsx" | "xls" | "ods" => {
            return Err(ImportError::file(
                path,
                "a spreadsheet workbook: save it as CSV (in Excel: \"CSV UTF-8\" or \"CSV \
                 (semikolondelt)\") and import that file",
            ));
        }
        other => {
            return Err(ImportError::file(
                path,
                format!("unknown file type {other:?}: give a .geojson or .csv file"),
            ));
        }
    };
    if file.rows.is_empty() {
        return Err(ImportError::file(
            path,
            "holds no facilities: refusing to replace the data with nothing",
        ));
    }
    Ok(file)
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

/// The EPSG code `--crs` names (`EPSG:25832`, `25832`, an OGC URN or URI): the UTM zones
/// Norway uses (25832, 25833, 25835) or lon/lat (4258, 4326, CRS84).
pub fn parse_crs(s: &str) -> Result<u32, String> {
    let code = crs_code(s.trim())
        .or_else(|| {
            s.trim()
                .parse::<u32>()
                .ok()
                .map(|c| (c != 4326).then_some(c))
        })
        .ok_or_else(|| format!("{s:?} names no EPSG code (e.g. EPSG:25832)"))?
        .unwrap_or(4326);
    match code {
        4326 | 4258 | 25832 | 25833 | 25835 => Ok(code),
        other => Err(format!(
            "EPSG:{other} is not read; give EPSG:25832, 25833 or 25835 (ETRS89 / UTM, metres),              or 4258 or 4326 (lon/lat)"
        )),
    }
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

fn read_geojson(path: &Path, options: &FacilityFileOptions) -> Result<FacilityFile, ImportError> {
    if options.crs.is_some() || options.lon_column.is_some() || options.lat_column.is_some() {
        return Err(ImportError::file(
            path,
            "--crs, --lon-column and --lat-column are for CSV files; GeoJSON is lon/lat",
        ));
    }
    let fc = feature_collection(path)?;
    let name_key = match options.name_property.as_str() {
        DEFAULT_NAME => fc
            .features
            .iter()
            .filter_map(|f| f.properties.as_ref())
            .find_map(|p| NAME_NAMES.iter().find(|k| p.contains_key(**k)))
            .copied()
            .unwrap_or(DEFAULT_NAME),
        named => named,
    };
    let has_name_key = fc.features.iter().any(|f| {
        f.properties
            .as_ref()
            .is_some_and(|p| p.contains_key(name_key))
    });
    let mut positions = Vec::new();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(fc.features.len());
    for (n, feature) in fc.features.into_iter().enumerate() {
        let properties = feature.properties.unwrap_or_default();
        let label_id = feature.id.as_ref().map(|id| match id {
            geojson::feature::Id::String(s) => s.clone(),
            geojson::feature::Id::Number(n) => n.to_string(),
        });
        let label_name = properties.get(name_key).and_then(json_to_text);
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
            super::geo_geometry(&geometry).map_err(|e| at(format!("bad geometry: {e}")))?;
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
            name_key,
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
        positions.push((
            super::feature_label(path, n, label_id.as_deref(), label_name.as_deref()),
            position,
        ));
        out.push(NewFacility {
            kind,
            name: text(name_key),
            position,
            address: text("address"),
            wheelchair: text("wheelchair"),
            opening_hours: text("opening_hours"),
            source_id: id,
            properties: extra,
            area,
        });
    }
    let mut notes = Vec::new();
    check_positions(path, &positions, &mut notes)?;
    name_notes(&out, has_name_key.then_some(name_key), &mut notes);
    Ok(FacilityFile { rows: out, notes })
}

fn missing_id(options: &FacilityFileOptions) -> String {
    match &options.id_property {
        Some(key) => format!("no value for the id property {key:?}"),
        None => format!(
            "no stable id (feature id or one of {ID_FALLBACKS:?}): name one with --id-property"
        ),
    }
}

/// Column names read from a CSV, compared without case (Norwegian and English).
const LON_NAMES: [&str; 6] = ["lon", "lng", "long", "longitude", "x", "lengdegrad"];
const LAT_NAMES: [&str; 4] = ["lat", "latitude", "y", "breddegrad"];
/// Projected coordinates in metres (with `--crs`).
const EAST_NAMES: [&str; 5] = ["øst", "ost", "east", "easting", "x"];
const NORTH_NAMES: [&str; 4] = ["nord", "north", "northing", "y"];
const ADDRESS_NAMES: [&str; 4] = ["address", "adresse", "besøksadresse", "besoksadresse"];

/// A column that holds codes, kept as text even when its cells are digits (orgnr, `0150`).
fn is_code_column(header: &str) -> bool {
    let h = super::text::header_key(header);
    ["id", "nr", "nummer", "kode", "code"]
        .iter()
        .any(|end| h.ends_with(end))
        || ["telefon", "phone", "tlf", "post", "zip"]
            .iter()
            .any(|part| h.contains(part))
}

/// A CSV cell as a property: a number where the cell is one (`21`, `2,5`), as GeoJSON
/// would have it; text in code columns and where a leading zero matters (`0150`).
fn cell_value(header: &str, cell: &str) -> serde_json::Value {
    let digits = cell.trim_start_matches('-').as_bytes();
    let leading_zero = digits.len() > 1 && digits[0] == b'0' && digits[1].is_ascii_digit();
    if is_code_column(header) || leading_zero {
        return cell.into();
    }
    match super::text::number(cell) {
        Some(n) if !cell.contains([',', '.']) && n.abs() < 9e15 => (n as i64).into(),
        Some(n) => n.into(),
        None => cell.into(),
    }
}

fn read_csv(path: &Path, options: &FacilityFileOptions) -> Result<FacilityFile, ImportError> {
    if options.kind_property.is_some() {
        return Err(ImportError::file(
            path,
            "--kind-property works with GeoJSON files; give a CSV file one --kind",
        ));
    }
    let (text, encoding) = super::text::decode(&read_file(path)?);
    let body = text.as_bytes();
    let delimiter = super::text::delimiter(text.lines().next().unwrap_or_default());
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(body);
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| csv_error(path, body, e))?
        .iter()
        .map(str::to_string)
        .collect();
    let find = |names: &[&str]| super::text::find(&headers, names);
    let named = |name: &Option<String>| name.as_deref().map(|n| find(&[n]));

    // Every missing column is named at once.
    let mut missing = Vec::new();
    let projected = options.crs.is_some_and(|c| c != 4326 && c != 4258);
    let (lon_names, lat_names): (&[&str], &[&str]) = if projected {
        (&EAST_NAMES, &NORTH_NAMES)
    } else {
        (&LON_NAMES, &LAT_NAMES)
    };
    let mut coordinate_column = |given: &Option<String>, names: &[&str], what: &str| {
        let found = match named(given) {
            Some(found) => found,
            None => find(names),
        };
        if found.is_none() {
            missing.push(match given {
                Some(n) => format!("{what} (the column {n:?})"),
                None => format!("{what} (one of {})", names.join(", ")),
            });
        }
        found
    };
    let x = coordinate_column(
        &options.lon_column,
        lon_names,
        if projected { "east" } else { "longitude" },
    );
    let y = coordinate_column(
        &options.lat_column,
        lat_names,
        if projected { "north" } else { "latitude" },
    );
    let id = match named(&options.id_property) {
        Some(found) => found,
        None => find(&ID_FALLBACKS),
    };
    if id.is_none() {
        missing.push(match &options.id_property {
            Some(n) => format!("the id (the column {n:?})"),
            None => format!(
                "a stable id (one of {}; or name one with --id-property)",
                ID_FALLBACKS.join(", ")
            ),
        });
    }
    let name = name_column(&headers, options);
    if options.name_property != DEFAULT_NAME && name.is_none() {
        missing.push(format!("the name (the column {:?})", options.name_property));
    }
    if !missing.is_empty() {
        // Projected columns without --crs are the likeliest reason for missing lon/lat.
        let hint = if !projected
            && find(&EAST_NAMES[..4]).is_some()
            && find(&NORTH_NAMES[..3]).is_some()
        {
            "; the file has east/north columns: give their system with --crs EPSG:25832 (UTM \
             zone 32, e.g. Drammen), EPSG:25833 or EPSG:25835"
        } else {
            ""
        };
        return Err(ImportError::line(
            path,
            1,
            format!(
                "missing {} {}{hint}; the header has {}",
                if missing.len() == 1 {
                    "column"
                } else {
                    "columns"
                },
                missing.join(", "),
                headers.join(", ")
            ),
        ));
    }
    let (x, y, id) = (
        x.expect("checked"),
        y.expect("checked"),
        id.expect("checked"),
    );
    let address = find(&ADDRESS_NAMES);
    let services = find(&["services", "tjenester"]);
    let wheelchair = find(&["wheelchair"]);
    let opening_hours = find(&["opening_hours"]);
    let utm = super::projection::UtmToWgs84::new();

    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut decimal_comma = false;
    let mut lines = Lines::new(body);
    for record in csv.records() {
        let record = record.map_err(|e| csv_error(path, body, e))?;
        let line = lines.at(record.position());
        let get = |i: usize| record.get(i).map(str::trim).filter(|s| !s.is_empty());
        let mut coordinate = |i: usize| -> Result<f64, ImportError> {
            let s = get(i).unwrap_or_default();
            decimal_comma |= s.contains(',');
            super::text::number(s).ok_or_else(|| {
                ImportError::line(path, line, format!("{} is {s:?}, not a number", headers[i]))
            })
        };
        let (a, b) = (coordinate(x)?, coordinate(y)?);
        let position = match options.crs {
            Some(code) if projected => utm
                .to_lonlat(code, a, b)
                .map_err(|e| ImportError::line(path, line, e))?,
            _ => LonLat::new(a, b),
        };
        if !position.is_valid() {
            let reason = if a.abs() > 1000.0 && b.abs() > 1000.0 {
                format!(
                    "({a}, {b}) looks like UTM metres, not lon/lat: give --crs EPSG:25833 (or \
                     EPSG:25832, EPSG:25835) and the east/north columns"
                )
            } else {
                format!("({a}, {b}) is not a lon/lat position")
            };
            return Err(ImportError::line(path, line, reason));
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
        for (i, h) in headers.iter().enumerate() {
            if ![
                Some(x),
                Some(y),
                name,
                address,
                services,
                wheelchair,
                opening_hours,
            ]
            .contains(&Some(i))
                && let Some(v) = get(i)
            {
                properties.insert(h.clone(), cell_value(h, v));
            }
        }
        if let Some(text) = services.and_then(get) {
            let list = hub_services(&serde_json::Value::from(text), options.kind)
                .map_err(|e| ImportError::line(path, line, e))?;
            properties.insert("services".into(), list);
        }
        let text = |column: Option<usize>| column.and_then(get).map(str::to_string);
        out.push((
            line,
            NewFacility {
                kind: options.kind,
                name: text(name),
                position: position.rounded(),
                address: text(address),
                wheelchair: text(wheelchair),
                opening_hours: text(opening_hours),
                source_id: source_id.to_string(),
                properties,
                area: None,
            },
        ));
    }
    let mut notes = vec![format!(
        "read as {}, {}-separated{}",
        encoding.label(),
        super::text::delimiter_label(delimiter),
        if decimal_comma {
            ", decimal commas"
        } else {
            ""
        }
    )];
    let positions: Vec<(String, LonLat)> = out
        .iter()
        .map(|(line, f)| (format!("line {line}"), f.position))
        .collect();
    check_positions(path, &positions, &mut notes)?;
    let rows: Vec<NewFacility> = out.into_iter().map(|(_, f)| f).collect();
    name_notes(&rows, name.map(|i| headers[i].as_str()), &mut notes);
    Ok(FacilityFile { rows, notes })
}

/// The name column: the one `--name-property` names, or by default the first of
/// [`NAME_NAMES`] the header has.
fn name_column(headers: &[String], options: &FacilityFileOptions) -> Option<usize> {
    if options.name_property == DEFAULT_NAME {
        super::text::find(headers, &NAME_NAMES)
    } else {
        super::text::find(headers, &[options.name_property.as_str()])
    }
}

/// Warns when no row has a name (no name column, or an empty one).
fn name_notes(rows: &[NewFacility], column: Option<&str>, notes: &mut Vec<String>) {
    let named = rows.iter().filter(|f| f.name.is_some()).count();
    match column {
        _ if named == rows.len() => {}
        None if named == 0 => notes.push(format!(
            "warning: no name column ({}; or name one with --name-property): the {} \
             facilities have no names",
            NAME_NAMES.join(", "),
            rows.len()
        )),
        Some(c) if named == 0 => notes.push(format!(
            "warning: the name column {c:?} is empty in every row: the {} facilities have no \
             names",
            rows.len()
        )),
        _ => notes.push(format!(
            "warning: {} of the {} facilities have no name",
            rows.len() - named,
            rows.len()
        )),
    }
}

/// Mainland Norway and Svalbard, generously: (lon min, lat min, lon max, lat max).
const NORWAY: (f64, f64, f64, f64) = (3.0, 57.5, 35.0, 81.5);

fn in_norway(p: LonLat) -> bool {
    (NORWAY.0..=NORWAY.2).contains(&p.lon) && (NORWAY.1..=NORWAY.3).contains(&p.lat)
}

/// Refuses a file whose positions, most of them, lie outside Norway but inside it with
/// lon and lat swapped (a point in the Arabian Sea); counts the others outside Norway.
/// `positions` are (where in the file, position).
fn check_positions(
    path: &Path,
    positions: &[(String, LonLat)],
    notes: &mut Vec<String>,
) -> Result<(), ImportError> {
    let outside: Vec<&(String, LonLat)> =
        positions.iter().filter(|(_, p)| !in_norway(*p)).collect();
    let swapped = outside
        .iter()
        .filter(|(_, p)| in_norway(LonLat::new(p.lat, p.lon)))
        .count();
    if swapped > 0 && swapped * 2 >= positions.len() {
        let (at, p) = outside
            .iter()
            .find(|(_, p)| in_norway(LonLat::new(p.lat, p.lon)))
            .expect("counted");
        return Err(ImportError::file(
            path,
            format!(
                "{swapped} of the {} positions lie outside Norway but inside it with longitude \
                 and latitude swapped (e.g. {at}: lon {}, lat {}): the columns look swapped. \
                 Name them with --lon-column and --lat-column",
                positions.len(),
                p.lon,
                p.lat
            ),
        ));
    }
    if !outside.is_empty() {
        let examples: Vec<String> = outside
            .iter()
            .take(3)
            .map(|(at, p)| format!("{at}: {}, {}", p.lon, p.lat))
            .collect();
        notes.push(format!(
            "warning: {} of the {} positions lie outside Norway ({})",
            outside.len(),
            positions.len(),
            examples.join("; ")
        ));
    }
    Ok(())
}
