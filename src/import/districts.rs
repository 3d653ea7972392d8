//! District polygons from a GeoJSON FeatureCollection of Polygons and MultiPolygons, in
//! lon/lat or in the CRS its legacy `crs` member names (EPSG:4258, 25832, 25833, 25835, as
//! Kartverket publishes), and kommunedeler dissolved from a table that assigns grunnkretser
//! to them (`grunnkretsnummer;kommunedel`).
//!
//! Every file is checked before anything is written: each polygon valid (OGC simple
//! features: closed rings, no self-intersection; refused with the feature's id), and no two
//! districts of the file overlapping by more than [`OVERLAP_TOLERANCE`] of the smaller one
//! (refused naming the worst pair). A grunnkrets file also yields its delområder: the
//! grunnkretser dissolved by the first six digits of their number (SSB's delområde code),
//! named from `delomradenavn` where the file has it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use geo::{Area, BooleanOps, Validation};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use super::ImportError;
use super::facilities::feature_collection_with_crs;
use super::projection::UtmToWgs84;
use crate::domain::{District, LonLat, NewDistrict};
use crate::index::partition::LocalMetres;

/// The largest overlap allowed between two districts of one file, as a share of the
/// smaller one's area: boundaries drawn by hand meet within this.
pub const OVERLAP_TOLERANCE: f64 = 0.005;

#[derive(Debug, Clone)]
pub struct DistrictFileOptions {
    /// The property holding the district's name.
    pub name_property: String,
    /// The property holding a stable id; default the feature id, else the name.
    pub id_property: Option<String>,
    pub population_property: Option<String>,
    /// What kind of division this is, e.g. `kommunedel`.
    pub level: String,
}

/// Where a district's stable id is looked for after the feature id, when `--id-property`
/// names none: the codes Kartverket's and SSB's files carry, then common names.
const CODE_PROPERTIES: [&str; 8] = [
    "grunnkretsnummer",
    "delomradenummer",
    "kommunedelnummer",
    "bydelsnummer",
    "kommunenummer",
    "nummer",
    "kode",
    "id",
];

pub fn read(path: &Path, options: &DistrictFileOptions) -> Result<Vec<NewDistrict>, ImportError> {
    let (fc, crs) = feature_collection_with_crs(path)?;
    let projection = UtmToWgs84::new();
    if let Some(code) = crs
        && !super::projection::SUPPORTED_EPSG.contains(&code)
    {
        return Err(ImportError::file(
            path,
            format!(
                "coordinates in EPSG:{code}, which is not supported: use lon/lat (EPSG:4326), \
                 EPSG:4258, 25832, 25833 or 25835"
            ),
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut delomrade_names: BTreeMap<String, String> = BTreeMap::new();
    for (n, feature) in fc.features.into_iter().enumerate() {
        let at = |reason: String| {
            let feature = super::feature_label(path, n, None, None);
            ImportError::file(path, format!("{feature}: {reason}"))
        };
        let properties = feature.properties.unwrap_or_default();
        let text = |key: &str| match properties.get(key) {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                Some(s.trim().to_string())
            }
            Some(v @ serde_json::Value::Number(_)) => Some(v.to_string()),
            _ => None,
        };
        let name = text(&options.name_property).ok_or_else(|| {
            let present: Vec<&String> = properties.keys().collect();
            at(format!(
                "no property {:?} (properties present: {present:?})",
                options.name_property
            ))
        })?;
        let id = match &options.id_property {
            Some(key) => text(key).ok_or_else(|| at(format!("no id property {key:?}")))?,
            // A renamed district keeps its id when the file has a code (issue 20 item 5);
            // only a file with neither an id nor a code falls back to the name.
            None => match &feature.id {
                Some(geojson::feature::Id::String(s)) => s.clone(),
                Some(geojson::feature::Id::Number(n)) => n.to_string(),
                None => CODE_PROPERTIES
                    .iter()
                    .find_map(|k| text(k))
                    .unwrap_or_else(|| name.clone()),
            },
        };
        let at = |reason: String| {
            let feature = super::feature_label(path, n, Some(&id), Some(&name));
            ImportError::file(path, format!("{feature}: {reason}"))
        };
        if !seen.insert(id.clone()) {
            return Err(at(format!(
                "id {id:?} appears twice; name a unique property with --id-property"
            )));
        }
        let population = match &options.population_property {
            Some(key) => Some(
                properties
                    .get(key)
                    .and_then(|v| {
                        v.as_i64()
                            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                    })
                    .filter(|p| *p >= 0)
                    .ok_or_else(|| at(format!("property {key:?} is not a whole number")))?,
            ),
            None => None,
        };
        let geometry = feature
            .geometry
            .ok_or_else(|| at("has no geometry".into()))?;
        let geometry: geo::Geometry<f64> =
            super::geo_geometry(&geometry).map_err(|e| at(format!("bad geometry: {e}")))?;
        let geometry = match geometry {
            geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(mp) => mp,
            other => {
                return Err(at(format!(
                    "expected a Polygon or MultiPolygon, found {}",
                    type_name(&other)
                )));
            }
        };
        let geometry = to_lonlat(geometry, crs, &projection).map_err(at)?;
        for polygon in &geometry.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                if ring.0.len() < 4 {
                    return Err(at("a ring has fewer than 4 positions".into()));
                }
            }
        }
        if let Err(problem) = geometry.check_validation() {
            return Err(at(format!(
                "the polygon is not valid ({problem}); mend it in a GIS (e.g. QGIS' \
                 \"Fix geometries\") and import again"
            )));
        }
        if options.level == "grunnkrets"
            && let Some(name) = text("delomradenavn")
            && id.len() == 8
        {
            delomrade_names.insert(id[..6].to_string(), name);
        }
        out.push(NewDistrict {
            name,
            level: options.level.clone(),
            geometry,
            population,
            source_id: id,
        });
    }
    if out.is_empty() {
        return Err(ImportError::file(
            path,
            "holds no districts: refusing to replace the data with nothing",
        ));
    }
    if let Some(overlap) = worst_overlap(&out)
        && overlap.share > OVERLAP_TOLERANCE
    {
        return Err(ImportError::file(
            path,
            format!(
                "districts {:?} and {:?} overlap by {:.0} m² ({:.1} % of the smaller); \
                 districts of one level must not overlap (tolerance {:.1} %)",
                overlap.a,
                overlap.b,
                overlap.area_m2,
                overlap.share * 100.0,
                OVERLAP_TOLERANCE * 100.0
            ),
        ));
    }
    if options.level == "grunnkrets" {
        let delomrader = dissolve_delomrader(&out, &delomrade_names);
        out.extend(delomrader);
    }
    Ok(out)
}

/// Every polygon of a GeoJSON file as one multipolygon in lon/lat (a kommune's boundary,
/// to cut an OSM extract to).
pub fn read_boundary(path: &Path) -> Result<geo::MultiPolygon<f64>, ImportError> {
    let (fc, crs) = feature_collection_with_crs(path)?;
    let projection = UtmToWgs84::new();
    let mut polygons = Vec::new();
    for (n, feature) in fc.features.into_iter().enumerate() {
        let at = |reason: String| {
            let feature = super::feature_label(path, n, None, None);
            ImportError::file(path, format!("{feature}: {reason}"))
        };
        let Some(geometry) = feature.geometry else {
            continue;
        };
        let geometry: geo::Geometry<f64> =
            super::geo_geometry(&geometry).map_err(|e| at(format!("bad geometry: {e}")))?;
        let mp = match geometry {
            geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(mp) => mp,
            _ => continue,
        };
        polygons.extend(to_lonlat(mp, crs, &projection).map_err(at)?.0);
    }
    if polygons.is_empty() {
        return Err(ImportError::file(
            path,
            "holds no polygon to cut the extract to",
        ));
    }
    Ok(geo::MultiPolygon(polygons))
}

/// Converts from the file's CRS to lon/lat. Axis order is easting/longitude first, as
/// GeoJSON has it; a geographic file with latitudes first (a common export fault) is
/// refused rather than guessed.
fn to_lonlat(
    geometry: geo::MultiPolygon<f64>,
    crs: Option<u32>,
    projection: &UtmToWgs84,
) -> Result<geo::MultiPolygon<f64>, String> {
    geo::MapCoords::try_map_coords(&geometry, |c| {
        let p = match crs {
            None => LonLat::new(c.x, c.y),
            Some(code) => projection.to_lonlat(code, c.x, c.y)?,
        };
        if !p.is_valid() {
            return Err(format!("position ({}, {}) is not lon/lat", c.x, c.y));
        }
        Ok(geo::coord! { x: p.lon, y: p.lat })
    })
}

struct Overlap {
    a: String,
    b: String,
    area_m2: f64,
    share: f64,
}

/// The pair of districts that overlap most, by share of the smaller one.
fn worst_overlap(districts: &[NewDistrict]) -> Option<Overlap> {
    let all: Vec<LonLat> = districts
        .iter()
        .flat_map(|d| d.geometry.0.iter())
        .flat_map(|p| p.exterior().0.iter())
        .map(|c| LonLat::new(c.x, c.y))
        .collect();
    let local = LocalMetres::around(&all);
    let metric: Vec<geo::MultiPolygon<f64>> = districts
        .iter()
        .map(|d| local.polygon_to_metres(&d.geometry))
        .collect();
    let boxes: Vec<geo::Rect<f64>> = metric
        .iter()
        .map(|m| geo::BoundingRect::bounding_rect(m).expect("validated: not empty"))
        .collect();
    let tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>> = RTree::bulk_load(
        boxes
            .iter()
            .enumerate()
            .map(|(i, b)| {
                GeomWithData::new(
                    Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]),
                    i,
                )
            })
            .collect(),
    );
    let mut worst: Option<Overlap> = None;
    for (i, b) in boxes.iter().enumerate() {
        let envelope = rstar::AABB::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]);
        for other in tree.locate_in_envelope_intersecting(envelope) {
            let j = other.data;
            if j <= i {
                continue;
            }
            let area = metric[i].intersection(&metric[j]).unsigned_area();
            if area <= 0.0 {
                continue;
            }
            let smaller = metric[i].unsigned_area().min(metric[j].unsigned_area());
            let share = area / smaller.max(f64::MIN_POSITIVE);
            if worst.as_ref().is_none_or(|w| share > w.share) {
                worst = Some(Overlap {
                    a: districts[i].source_id.clone(),
                    b: districts[j].source_id.clone(),
                    area_m2: area,
                    share,
                });
            }
        }
    }
    worst
}

/// Delområder from grunnkretser: grouped by the first six digits of an 8-digit number.
fn dissolve_delomrader(
    grunnkretser: &[NewDistrict],
    names: &BTreeMap<String, String>,
) -> Vec<NewDistrict> {
    let mut groups: BTreeMap<&str, Vec<&geo::MultiPolygon<f64>>> = BTreeMap::new();
    for g in grunnkretser {
        if g.source_id.len() == 8 && g.source_id.bytes().all(|b| b.is_ascii_digit()) {
            groups
                .entry(&g.source_id[..6])
                .or_default()
                .push(&g.geometry);
        }
    }
    groups
        .into_iter()
        .map(|(code, parts)| NewDistrict {
            name: names
                .get(code)
                .cloned()
                .unwrap_or_else(|| format!("Delområde {code}")),
            level: "delomrade".into(),
            geometry: dissolve(parts),
            population: None,
            source_id: code.to_string(),
        })
        .collect()
}

/// The union of polygons that share edges.
pub fn dissolve<'a>(
    parts: impl IntoIterator<Item = &'a geo::MultiPolygon<f64>>,
) -> geo::MultiPolygon<f64> {
    geo::unary_union(parts.into_iter().flat_map(|m| m.0.iter()))
}

/// Kommunedeler from a table assigning grunnkretser to them (`grunnkretsnummer;kommunedel`
/// with a header; `;` or `,`; UTF-8 or Windows-1252), dissolved from the stored
/// grunnkretser. Every grunnkrets of each kommune named must be assigned exactly once.
pub fn read_assignment(
    path: &Path,
    grunnkretser: &[District],
) -> Result<Vec<NewDistrict>, ImportError> {
    if grunnkretser.is_empty() {
        return Err(ImportError::file(
            path,
            "no grunnkretser are imported yet: import them first (`naermiljo import kommune` \
             or `import districts --level grunnkrets`)",
        ));
    }
    let bytes = super::read_file(path)?;
    let (text, _) = super::text::decode(&bytes);
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.contains(';') { b';' } else { b',' };
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = csv
        .headers()
        .map_err(|e| ImportError::line(path, 1, format!("unreadable header: {e}")))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                ImportError::line(
                    path,
                    1,
                    format!(
                        "no column {name:?}; the header must be `grunnkretsnummer;kommunedel` \
                         (found {:?})",
                        headers.iter().collect::<Vec<_>>()
                    ),
                )
            })
    };
    let (gk_col, kd_col) = (column("grunnkretsnummer")?, column("kommunedel")?);
    let by_code: HashMap<&str, &District> =
        grunnkretser.iter().map(|g| (g.code.as_str(), g)).collect();
    let mut assigned: BTreeMap<String, Vec<&District>> = BTreeMap::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in csv.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            ImportError::line(path, line, format!("unreadable row: {e}"))
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let code = record.get(gk_col).unwrap_or_default();
        let kommunedel = record.get(kd_col).unwrap_or_default();
        if code.is_empty() && kommunedel.is_empty() {
            continue;
        }
        if kommunedel.is_empty() {
            return Err(ImportError::line(path, line, "the kommunedel is empty"));
        }
        let Some(g) = by_code.get(code) else {
            return Err(ImportError::line(
                path,
                line,
                format!("no grunnkrets {code:?} is imported; check the number (8 digits)"),
            ));
        };
        if let Some(before) = seen.insert(code.to_string(), line) {
            return Err(ImportError::line(
                path,
                line,
                format!("grunnkrets {code} is assigned twice (also on line {before})"),
            ));
        }
        assigned.entry(kommunedel.to_string()).or_default().push(g);
    }
    if assigned.is_empty() {
        return Err(ImportError::file(path, "assigns no grunnkretser"));
    }
    let kommuner: HashSet<&str> = seen.keys().filter_map(|c| c.get(..4)).collect();
    let mut missing: Vec<&str> = grunnkretser
        .iter()
        .filter(|g| g.code.get(..4).is_some_and(|k| kommuner.contains(k)))
        .filter(|g| !seen.contains_key(&g.code))
        .map(|g| g.code.as_str())
        .collect();
    missing.sort_unstable();
    if !missing.is_empty() {
        return Err(ImportError::file(
            path,
            format!(
                "{} grunnkrets(er) of the same kommune are not assigned to a kommunedel: {}",
                missing.len(),
                missing.join(", ")
            ),
        ));
    }
    Ok(assigned
        .into_iter()
        .map(|(name, parts)| NewDistrict {
            geometry: dissolve(parts.iter().map(|g| &g.geometry)),
            level: "kommunedel".into(),
            population: None,
            source_id: name.clone(),
            name,
        })
        .collect())
}

fn type_name(g: &geo::Geometry<f64>) -> &'static str {
    match g {
        geo::Geometry::Point(_) => "Point",
        geo::Geometry::Line(_) | geo::Geometry::LineString(_) => "LineString",
        geo::Geometry::MultiPoint(_) => "MultiPoint",
        geo::Geometry::MultiLineString(_) => "MultiLineString",
        geo::Geometry::GeometryCollection(_) => "GeometryCollection",
        _ => "another geometry type",
    }
}
