//! `GET /api/collections/nature[/items[/{fid}]]` (issue 22): the green areas, forest and
//! shores the snapshot reaches, as OGC API Features (GeoJSON, lon/lat): their outlines,
//! rivers as lines and bathing places as points, with class, tag, name and size in
//! hectares, for GIS tools and independent checks.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::ApiError;
use super::params::Params;
use super::programme::GEO_JSON;
use super::{AppState, BaseUrl};
use crate::domain::Bbox;
use crate::domain::nature::{NatureArea, NatureClass, NatureGeometry};
use crate::index::Snapshot;

const ITEMS_PARAMS: &[&str] = &["f", "limit", "offset", "bbox", "class", "min_ha"];

fn json_response(content_type: &'static str, body: &Value) -> Response {
    let mut r = body.to_string().into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

pub fn collection_json(s: &Snapshot, base: &str) -> Value {
    let extent = Bbox::around(s.nature.iter().map(|n| n.position))
        .map(|b| b.as_array().to_vec())
        .unwrap_or_default();
    json!({
        "id": "nature",
        "title": "Natur / Nature",
        "description": "Green areas (parks, green spaces), forest and shores (lakes, rivers, the sea, beaches, bathing places) from OpenStreetMap, reached at their edge: class (green, forest, shore), the OSM tag, name and size in hectares (adjacent pieces of one class merged). Filter with class=forest, min_ha=0.5 and bbox.",
        "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": { "spatial": { "bbox": [extent], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84" } },
        "attribution": crate::domain::attribution::OSM,
        "links": [
            { "href": format!("{base}/api/collections/nature"), "rel": "self", "type": "application/json" },
            { "href": format!("{base}/api/collections/nature/items"), "rel": "items", "type": GEO_JSON },
            { "href": format!("{base}/api/collections/trailheads/items"), "rel": "related", "type": GEO_JSON, "title": "Trail heads: where paths enter a forest" },
        ]
    })
}

pub async fn get_collection(State(state): State<AppState>, base: BaseUrl) -> Response {
    json_response(
        "application/json",
        &collection_json(&state.snapshot.load(), &base.0),
    )
}

fn geometry(g: &NatureGeometry) -> Value {
    let ring =
        |l: &geo::LineString<f64>| -> Vec<[f64; 2]> { l.0.iter().map(|c| [c.x, c.y]).collect() };
    match g {
        NatureGeometry::Area(mp) => json!({
            "type": "MultiPolygon",
            "coordinates": mp.0.iter().map(|p| {
                std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect::<Vec<_>>()
            }).collect::<Vec<_>>(),
        }),
        NatureGeometry::Line(ml) => json!({
            "type": "MultiLineString",
            "coordinates": ml.0.iter().map(ring).collect::<Vec<_>>(),
        }),
        NatureGeometry::Point(p) => json!({ "type": "Point", "coordinates": [p.lon, p.lat] }),
    }
}

/// Where paths enter the forest `i`, from the snapshot's network (empty without one).
fn trailheads(s: &Snapshot, i: usize) -> &[crate::domain::LonLat] {
    s.walk
        .as_ref()
        .and_then(|w| w.nature_trailheads.get(i))
        .map_or(&[], Vec::as_slice)
}

fn feature(s: &Snapshot, i: usize) -> Value {
    let n = &s.nature[i];
    let mut f = json!({
        "type": "Feature",
        "id": n.id,
        "geometry": geometry(&n.geometry),
        "properties": {
            "class": n.class,
            "class_label_nb": n.class.label_nb(),
            "class_label_en": n.class.label_en(),
            "tag": n.tag,
            "name": n.name,
            "area_ha": (n.area_ha > 0.0).then_some(n.area_ha),
            "osm_id": n.source.source_id,
        }
    });
    if n.class == NatureClass::Forest {
        f["properties"]["trailheads"] = json!(trailheads(s, i).len());
    }
    f
}

fn bbox_of(n: &NatureArea) -> Option<Bbox> {
    use geo::BoundingRect;
    let r = n.geometry.to_geo().bounding_rect()?;
    Some(Bbox {
        min_lon: r.min().x,
        min_lat: r.min().y,
        max_lon: r.max().x,
        max_lat: r.max().y,
    })
}

pub async fn list_items(
    State(state): State<AppState>,
    base: BaseUrl,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), ITEMS_PARAMS)?;
    if let Some(f) = params
        .get("f")
        .filter(|f| !matches!(*f, "json" | "geojson"))
    {
        return Err(ApiError::invalid(
            "f",
            format!("{f:?} is not offered; use f=json"),
        ));
    }
    let limits = &state.limits;
    let (limit, offset) = params.page(limits)?;
    let bbox = params.bbox()?;
    let class = params
        .get("class")
        .map(|c| {
            NatureClass::parse(c).ok_or_else(|| {
                ApiError::invalid("class", format!("{c:?} is not green, forest or shore"))
            })
        })
        .transpose()?;
    let min_ha = match params.get("min_ha") {
        None => 0.0,
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| {
                ApiError::invalid("min_ha", format!("{v:?} is not a size in hectares"))
            })?,
    };
    let s = state.snapshot.load();
    let matched: Vec<usize> = (0..s.nature.len())
        .filter(|&i| {
            let n = &s.nature[i];
            class.is_none_or(|c| n.class == c)
                && (min_ha == 0.0 || n.area_ha >= min_ha)
                && bbox.is_none_or(|b| bbox_of(n).is_some_and(|nb| nb.intersects(&b)))
        })
        .collect();
    let features: Vec<Value> = matched
        .iter()
        .skip(offset)
        .take(limit)
        .map(|&i| feature(&s, i))
        .collect();
    let mut links = vec![
        json!({ "href": format!("{}/api/collections/nature/items", base.0), "rel": "self", "type": GEO_JSON }),
    ];
    if offset + features.len() < matched.len() {
        let mut pairs: Vec<(&str, String)> = vec![
            ("limit", limit.to_string()),
            ("offset", (offset + limit).to_string()),
        ];
        for name in ["bbox", "class", "min_ha"] {
            if let Some(v) = params.get(name) {
                pairs.push((name, v.to_string()));
            }
        }
        let query = serde_urlencoded::to_string(&pairs).expect("pairs of strings always encode");
        let next = format!("{}/api/collections/nature/items?{query}", base.0);
        links.push(json!({ "href": next, "rel": "next", "type": GEO_JSON }));
    }
    Ok(json_response(
        GEO_JSON,
        &json!({
            "type": "FeatureCollection",
            "numberMatched": matched.len(),
            "numberReturned": features.len(),
            "features": features,
            "links": links,
            "attribution": crate::domain::attribution::OSM,
        }),
    ))
}

pub async fn get_item(
    State(state): State<AppState>,
    Path(fid): Path<String>,
) -> Result<Response, ApiError> {
    let s = state.snapshot.load();
    let i = fid
        .parse::<i64>()
        .ok()
        .and_then(|id| s.nature.iter().position(|n| n.id == id))
        .ok_or_else(|| ApiError::NotFound(format!("no nature area {fid:?}")))?;
    Ok(json_response(GEO_JSON, &feature(&s, i)))
}

/// `GET /api/collections/trailheads/items`: where paths enter a forest (of at least 0.5 ha),
/// as points with the forest's id and name; `bbox` to cut.
pub async fn list_trailheads(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), &["f", "bbox"])?;
    let bbox = params.bbox()?;
    let s = state.snapshot.load();
    let mut features = Vec::new();
    for (i, n) in s.nature.iter().enumerate() {
        for p in trailheads(&s, i) {
            if bbox.is_some_and(|b| !b.contains(*p)) {
                continue;
            }
            features.push(json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [p.lon, p.lat] },
                "properties": { "forest_id": n.id, "forest_name": n.name },
            }));
        }
    }
    Ok(json_response(
        GEO_JSON,
        &json!({
            "type": "FeatureCollection",
            "numberMatched": features.len(),
            "numberReturned": features.len(),
            "features": features,
            "attribution": crate::domain::attribution::OSM,
        }),
    ))
}
