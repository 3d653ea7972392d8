//! District polygons from a GeoJSON FeatureCollection of Polygons and MultiPolygons.

use std::collections::HashSet;
use std::path::Path;

use super::ImportError;
use super::facilities::feature_collection;
use crate::domain::NewDistrict;

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

pub fn read(path: &Path, options: &DistrictFileOptions) -> Result<Vec<NewDistrict>, ImportError> {
    let fc = feature_collection(path)?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (n, feature) in fc.features.into_iter().enumerate() {
        let at = |reason: String| ImportError::file(path, format!("feature {n}: {reason}"));
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
            None => match &feature.id {
                Some(geojson::feature::Id::String(s)) => s.clone(),
                Some(geojson::feature::Id::Number(n)) => n.to_string(),
                None => name.clone(),
            },
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
            geo::Geometry::try_from(&geometry).map_err(|e| at(format!("bad geometry: {e}")))?;
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
        for polygon in &geometry.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                if ring.0.len() < 4 {
                    return Err(at("a ring has fewer than 4 positions".into()));
                }
                if let Some(c) = ring
                    .0
                    .iter()
                    .find(|c| !crate::domain::LonLat::new(c.x, c.y).is_valid())
                {
                    return Err(at(format!("position ({}, {}) is not lon/lat", c.x, c.y)));
                }
            }
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
    Ok(out)
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
