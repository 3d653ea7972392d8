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

const ITEMS_PARAMS: &[&str] = &[
    "f", "limit", "offset", "bbox", "class", "min_ha", "crs", "bbox-crs",
];

fn json_response(content_type: &'static str, body: &Value) -> Response {
    let mut r = body.to_string().into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// The smallest box holding every part of every nature area (not only their label points).
fn extent(s: &Snapshot) -> Vec<f64> {
    s.nature
        .iter()
        .filter_map(bbox_of)
        .reduce(|a, b| Bbox {
            min_lon: a.min_lon.min(b.min_lon),
            min_lat: a.min_lat.min(b.min_lat),
            max_lon: a.max_lon.max(b.max_lon),
            max_lat: a.max_lat.max(b.max_lat),
        })
        .map(|b| {
            // Outward to the 7 decimals the items are given in, so that the box holds them.
            let (down, up) = (
                |x: f64| (x * 1e7).floor() / 1e7,
                |x: f64| (x * 1e7).ceil() / 1e7,
            );
            vec![
                down(b.min_lon),
                down(b.min_lat),
                up(b.max_lon),
                up(b.max_lat),
            ]
        })
        .unwrap_or_default()
}

/// An OGC API collection of this module: `id`, its title and description, its extent, and
/// links to itself, its items, its queryables and the `related` collection.
fn collection(
    base: &str,
    (id, title, description): (&str, &str, &str),
    extent: Vec<f64>,
    related: (&str, &str),
) -> Value {
    let crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
    json!({
        "id": id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": super::crs::Crs::offered_uris(),
        "storageCrs": crs84,
        "extent": { "spatial": { "bbox": [extent], "crs": crs84 } },
        "attribution": crate::domain::attribution::OSM,
        "links": [
            { "href": format!("{base}/api/collections/{id}"), "rel": "self", "type": "application/json" },
            { "href": format!("{base}/api/collections/{id}/items"), "rel": "items", "type": GEO_JSON },
            { "href": format!("{base}/api/collections/{id}/queryables"), "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables", "type": "application/schema+json" },
            { "href": format!("{base}/api/collections/{}", related.0), "rel": "related", "type": "application/json", "title": related.1 },
        ]
    })
}

pub fn collection_json(s: &Snapshot, base: &str) -> Value {
    collection(
        base,
        (
            "nature",
            "Natur / Nature",
            "Green areas (parks, green spaces), forest and shores (lakes, rivers, the sea, beaches, bathing places) from OpenStreetMap, reached at their edge: class (green, forest, shore), the OSM tag, name and size in hectares (adjacent pieces of one class merged). Filter with class=forest, min_ha=0.5 and bbox.",
        ),
        extent(s),
        ("trailheads", "Trail heads: where paths enter a forest"),
    )
}

/// The trail heads' collection: where paths enter a forest of at least 0.5 ha.
pub fn trailheads_collection_json(s: &Snapshot, base: &str) -> Value {
    let points: Vec<crate::domain::LonLat> = (0..s.nature.len())
        .flat_map(|i| trailheads(s, i).iter().copied())
        .collect();
    let extent = Bbox::around(points)
        .map(|b| b.as_array().to_vec())
        .unwrap_or_default();
    collection(
        base,
        (
            "trailheads",
            "Innganger til skogen / Trail heads",
            "Where a walkable path crosses into a forest of at least 0.5 ha (from OpenStreetMap's paths and forest outlines): a point per entrance, with the forest's id and name. Filter with bbox.",
        ),
        extent,
        ("nature", "Nature: the forests"),
    )
}

pub async fn get_trailheads_collection(State(state): State<AppState>, base: BaseUrl) -> Response {
    json_response(
        "application/json",
        &trailheads_collection_json(&state.snapshot.load(), &base.0),
    )
}

/// `GET /api/collections/{nature,trailheads}/queryables`: the properties each item carries,
/// as JSON Schema (OGC API – Features Part 3). These collections filter by their own
/// parameters (`class`, `min_ha`, `bbox`), not by `filter=`.
pub async fn get_queryables(base: BaseUrl, uri: axum::http::Uri) -> Response {
    let trail = uri.path().contains("/trailheads/");
    let (id, properties) = if trail {
        (
            "trailheads",
            json!({
                "forest_id": { "type": "integer", "description": "The forest's id in the nature collection" },
                "forest_name": { "type": ["string", "null"], "description": "The forest's name, where OSM gives one" },
            }),
        )
    } else {
        (
            "nature",
            json!({
                "class": { "type": "string", "enum": ["green", "forest", "shore"], "description": "green (parks, green spaces), forest, shore (water, beaches, bathing places)" },
                "tag": { "type": "string", "description": "The OSM tag it was read from, e.g. leisure=park" },
                "name": { "type": ["string", "null"] },
                "area_ha": { "type": ["number", "null"], "description": "Size in hectares (null for lines and points)" },
                "osm_id": { "type": "string" },
                "trailheads": { "type": "integer", "description": "Forests: how many trail heads" },
            }),
        )
    };
    json_response(
        "application/schema+json",
        &json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": format!("{}/api/collections/{id}/queryables", base.0),
            "type": "object",
            "title": id,
            "properties": properties,
        }),
    )
}

pub async fn get_collection(State(state): State<AppState>, base: BaseUrl) -> Response {
    json_response(
        "application/json",
        &collection_json(&state.snapshot.load(), &base.0),
    )
}

/// Degrees rounded to 7 decimals (about 1 cm): the source's precision, without float noise.
fn round7(x: f64) -> f64 {
    (x * 1e7).round() / 1e7
}

fn geometry(g: &NatureGeometry) -> Value {
    let ring = |l: &geo::LineString<f64>| -> Vec<[f64; 2]> {
        l.0.iter().map(|c| [round7(c.x), round7(c.y)]).collect()
    };
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
        NatureGeometry::Point(p) => {
            json!({ "type": "Point", "coordinates": [round7(p.lon), round7(p.lat)] })
        }
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
    let bbox = super::crs::bbox(&params)?.map(|b| b.lonlat);
    let out = super::crs::output(&params)?;
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
        .map(|&i| projected(&out, feature(&s, i)))
        .collect::<Result<_, _>>()?;
    let mut links = vec![
        json!({ "href": format!("{}/api/collections/nature/items", base.0), "rel": "self", "type": GEO_JSON }),
    ];
    if offset + features.len() < matched.len() {
        let mut pairs: Vec<(&str, String)> = vec![
            ("limit", limit.to_string()),
            ("offset", (offset + limit).to_string()),
        ];
        for name in ["bbox", "class", "min_ha", "crs", "bbox-crs"] {
            if let Some(v) = params.get(name) {
                pairs.push((name, v.to_string()));
            }
        }
        let query = serde_urlencoded::to_string(&pairs).expect("pairs of strings always encode");
        let next = format!("{}/api/collections/nature/items?{query}", base.0);
        links.push(json!({ "href": next, "rel": "next", "type": GEO_JSON }));
    }
    let mut r = json_response(
        GEO_JSON,
        &json!({
            "type": "FeatureCollection",
            "numberMatched": matched.len(),
            "numberReturned": features.len(),
            "features": features,
            "links": links,
            "attribution": crate::domain::attribution::OSM,
        }),
    );
    super::crs::content_crs(&mut r, out.crs());
    Ok(r)
}

/// A feature's geometry in the CRS asked for.
fn projected(out: &super::crs::Projector, mut f: Value) -> Result<Value, ApiError> {
    out.feature(&mut f)?;
    Ok(f)
}

pub async fn get_item(
    State(state): State<AppState>,
    Path(fid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), &["f", "crs"])?;
    let out = super::crs::output(&params)?;
    let s = state.snapshot.load();
    let i = fid
        .parse::<i64>()
        .ok()
        .and_then(|id| s.nature.iter().position(|n| n.id == id))
        .ok_or_else(|| ApiError::NotFound(format!("no nature area {fid:?}")))?;
    let mut r = json_response(GEO_JSON, &projected(&out, feature(&s, i))?);
    super::crs::content_crs(&mut r, out.crs());
    Ok(r)
}

/// `GET /api/collections/trailheads/items`: where paths enter a forest (of at least 0.5 ha),
/// as points with the forest's id and name, each with a stable id `{forest}-{n}` (the n-th
/// entrance of that forest along its outline); `bbox` to cut, `limit` and `offset` to page.
pub async fn list_trailheads(
    State(state): State<AppState>,
    base: BaseUrl,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(
        raw.as_deref(),
        &["f", "bbox", "limit", "offset", "crs", "bbox-crs"],
    )?;
    if let Some(f) = params
        .get("f")
        .filter(|f| !matches!(*f, "json" | "geojson"))
    {
        return Err(ApiError::invalid(
            "f",
            format!("{f:?} is not offered; use f=json"),
        ));
    }
    let (limit, offset) = params.page(&state.limits)?;
    let bbox = super::crs::bbox(&params)?;
    let out = super::crs::output(&params)?;
    let s = state.snapshot.load();
    let mut matched = Vec::new();
    for (i, n) in s.nature.iter().enumerate() {
        for (k, p) in trailheads(&s, i).iter().enumerate() {
            if bbox.as_ref().is_none_or(|b| b.holds(p.lon, p.lat)) {
                matched.push((n, k, *p));
            }
        }
    }
    let features: Vec<Value> = matched
        .iter()
        .skip(offset)
        .take(limit)
        .map(|(n, k, p)| {
            let id = format!("{}-{k}", n.id);
            projected(&out, json!({
                "type": "Feature",
                "id": id,
                "geometry": { "type": "Point", "coordinates": [round7(p.lon), round7(p.lat)] },
                "properties": { "forest_id": n.id, "forest_name": n.name },
                "links": [{ "href": format!("{}/api/collections/nature/items/{}", base.0, n.id), "rel": "related", "type": GEO_JSON, "title": "The forest" }],
            }))
        })
        .collect::<Result<_, _>>()?;
    let mut links = vec![
        json!({ "href": format!("{}/api/collections/trailheads/items", base.0), "rel": "self", "type": GEO_JSON }),
    ];
    if offset + features.len() < matched.len() {
        let mut pairs: Vec<(&str, String)> = vec![
            ("limit", limit.to_string()),
            ("offset", (offset + limit).to_string()),
        ];
        for name in ["bbox", "crs", "bbox-crs"] {
            if let Some(v) = params.get(name) {
                pairs.push((name, v.to_string()));
            }
        }
        let query = serde_urlencoded::to_string(&pairs).expect("pairs of strings always encode");
        links.push(json!({ "href": format!("{}/api/collections/trailheads/items?{query}", base.0), "rel": "next", "type": GEO_JSON }));
    }
    let mut r = json_response(
        GEO_JSON,
        &json!({
            "type": "FeatureCollection",
            "numberMatched": matched.len(),
            "numberReturned": features.len(),
            "features": features,
            "links": links,
            "attribution": crate::domain::attribution::OSM,
        }),
    );
    super::crs::content_crs(&mut r, out.crs());
    Ok(r)
}
