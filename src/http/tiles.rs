//! `GET /tiles/{layer}.json` (TileJSON 3.0.0) and `GET /tiles/{layer}/{z}/{x}/{y}.mvt`,
//! cut from the snapshot on request. A tile's ETag is a hash of its bytes, so it changes
//! exactly when the tile does.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::ApiError;
use super::params::Params;
use super::{AppState, BaseUrl};
use crate::domain::Bbox;
use crate::tiles::{self, Layer, TileId};

pub const MVT: &str = "application/vnd.mapbox-vector-tile";
const CACHE: &str = "public, max-age=300";

fn layer(name: &str) -> Result<Layer, ApiError> {
    Layer::parse(name).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no tile layer {name:?}; there are basemap, facilities, addresses, districts, proposals and coverage"
        ))
    })
}

fn no_basemap(state: &AppState) -> ApiError {
    ApiError::NotFound(format!(
        "no basemap has been built ({} is missing); run `naermiljo build-basemap FILE.osm.pbf` \
         or import an OSM extract",
        state.assets.basemap.display()
    ))
}

/// A tile of the basemap archive, sent gzip-compressed as stored (decompressed for the rare
/// client that does not accept gzip).
async fn basemap_tile(
    state: &AppState,
    id: TileId,
    request_headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let Some(basemap) = state.basemap.load_full() else {
        return Err(no_basemap(state));
    };
    if id.z > crate::basemap::MAX_ZOOM {
        return Err(ApiError::NotFound(format!(
            "the basemap has zoom {}–{}; MapLibre overzooms zoom {} from it",
            crate::basemap::MIN_ZOOM,
            crate::basemap::MAX_ZOOM,
            crate::basemap::MAX_ZOOM
        )));
    }
    let tile = basemap
        .tile_gzip(id.z, id.x, id.y)
        .await
        .map_err(|e| ApiError::Internal(format!("reading the basemap: {e:#}")))?;
    let Some(gzipped) = tile else {
        let mut r = StatusCode::NO_CONTENT.into_response();
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
        return Ok(r);
    };
    let etag = format!("\"b{:016x}\"", tiles::fnv1a(&gzipped));
    let unchanged = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let accepts_gzip = request_headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let mut r = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else if accepts_gzip {
        let mut r = gzipped.into_response();
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzipped[..]), &mut plain)
            .map_err(|e| ApiError::Internal(format!("a damaged basemap tile: {e}")))?;
        plain.into_response()
    };
    let h = r.headers_mut();
    if !unchanged {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex in quotes is a valid header"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    Ok(r)
}

fn number(name: &str, s: &str) -> Result<i64, ApiError> {
    s.parse()
        .map_err(|_| ApiError::invalid(name, format!("{s:?} is not a whole number")))
}

/// The coverage layer: H3 hexagons of homes with their walk to the nearest `kind`.
fn coverage_tile(state: &AppState, id: TileId, raw: Option<&str>) -> Result<Response, ApiError> {
    let params = Params::parse(raw, COVERAGE_TILE_PARAMS)?;
    let q = super::coverage::query_question(&params, state.limits.max_walk_minutes)?;
    let s = state.snapshot.load();
    let res = tiles::hexagons::resolution_for_zoom(id.z);
    let key = format!("{}|{res}", q.key());
    let mut failed = None;
    let hexes = s
        .caches
        .get::<crate::tiles::hexagons::HexCache>()
        .get_or_make(key, || match q.times(&s) {
            Ok(times) => {
                let positions: Vec<crate::domain::LonLat> =
                    s.addresses.iter().map(|a| a.position).collect();
                tiles::hexagons::hexagons(&positions, &times, q.minutes as f64 * 60.0, res)
            }
            Err(e) => {
                failed = Some(e);
                Vec::new()
            }
        });
    if let Some(e) = failed {
        return Err(super::coverage::coverage_error(e));
    }
    let mut r = match tiles::hexagons::encode(&hexes, &id) {
        Some(bytes) => {
            let mut r = bytes.into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
            r
        }
        None => StatusCode::NO_CONTENT.into_response(),
    };
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(r)
}

/// A facilities tile asked with `open_now=` or `open_at=` (issue 18): each facility's `open`
/// (left out when unknown; at `open_at` when asked, else now) and `next_change`, and only
/// those the parameters keep, as in the items. Made for each request; kept a minute by
/// caches when it is about now.
fn facility_tile_open(state: &AppState, id: TileId, params: &Params) -> Result<Response, ApiError> {
    let open = super::open::OpenQuery::parse(params)?;
    let s = state.snapshot.load();
    let tags = |i: u32| {
        open.keeps(&s, i).then(|| match &open.open_at {
            Some(at) => (
                s.open_state(i, at).as_bool(),
                s.hours_of(i)
                    .and_then(|h| h.next_change(at))
                    .map(|z| crate::domain::activity::rfc3339(&z)),
            ),
            None => open.now_of(&s, i),
        })
    };
    let mut r = match tiles::encode_facilities_open(&s, &id, &tags) {
        Some(bytes) => {
            let mut r = bytes.into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
            r
        }
        None => StatusCode::NO_CONTENT.into_response(),
    };
    let cache = if open.open_now.is_some() || open.open_at.is_none() {
        "public, max-age=60"
    } else {
        CACHE
    };
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    Ok(r)
}

const COVERAGE_TILE_PARAMS: &[&str] = &[
    "kind",
    "category",
    "nature",
    "minutes",
    "profile",
    "open_at",
    "unknown_hours",
];

pub async fn get_tile(
    State(state): State<AppState>,
    Path((name, z, x, y_file)): Path<(String, String, String, String)>,
    RawQuery(raw): RawQuery,
    request_headers: HeaderMap,
) -> Result<Response, ApiError> {
    let special = name == "basemap" || name == "coverage";
    let layer = if special { None } else { Some(layer(&name)?) };
    let y = y_file
        .strip_suffix(".mvt")
        .ok_or_else(|| ApiError::NotFound(format!("{y_file:?}: tiles end in .mvt")))?;
    let id = TileId::new(number("z", &z)?, number("x", &x)?, number("y", y)?)
        .map_err(|e| ApiError::invalid("z/x/y", e.to_string()))?;
    let Some(layer) = layer else {
        if name == "coverage" {
            return coverage_tile(&state, id, raw.as_deref());
        }
        return basemap_tile(&state, id, &request_headers).await;
    };
    if layer == Layer::Facilities {
        let params = Params::parse(raw.as_deref(), &super::open::PARAMS)?;
        if !params.is_empty() {
            return facility_tile_open(&state, id, &params);
        }
    } else {
        // The other layers take no parameters: one asked for is said, not ignored.
        Params::parse(raw.as_deref(), &[])?;
    }
    let s = state.snapshot.load();
    let caches = if layer == Layer::Proposals {
        &s.caches
    } else {
        &s.base_caches
    };
    let Some(tile) = caches
        .get::<crate::tiles::TileCache>()
        .get_or_encode(&s, layer, &id)
    else {
        let mut r = StatusCode::NO_CONTENT.into_response();
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
        return Ok(r);
    };
    let etag = tile.etag;
    let etag_value = HeaderValue::from_str(&etag).expect("hex in quotes is a valid header");
    let unchanged = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut r = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        tile.bytes.into_response()
    };
    let h = r.headers_mut();
    if !unchanged {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
    }
    h.insert(header::ETAG, etag_value);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    Ok(r)
}

pub async fn get_tilejson(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let name = file
        .strip_suffix(".json")
        .ok_or_else(|| ApiError::NotFound(format!("no such resource {file:?}")))?;
    if name == "coverage" {
        let params = Params::parse(raw.as_deref(), COVERAGE_TILE_PARAMS)?;
        super::coverage::query_question(&params, state.limits.max_walk_minutes)?;
        let s = state.snapshot.load();
        let fields: serde_json::Map<String, serde_json::Value> = tiles::hexagons::FIELDS
            .iter()
            .map(|(k, t)| (k.to_string(), json!(t)))
            .collect();
        let body = json!({
            "tilejson": "3.0.0",
            "name": "coverage",
            "description": "Homes on H3 hexagons with the walk to the nearest facility of the kind asked for",
            "tiles": [format!("{}/tiles/coverage/{{z}}/{{x}}/{{y}}.mvt?{}", base.0, raw.as_deref().unwrap_or(""))],
            "minzoom": 10,
            "maxzoom": 16,
            "bounds": s.extent().map(|b| b.as_array().to_vec()).unwrap_or_else(|| vec![-180.0, -85.0511, 180.0, 85.0511]),
            "vector_layers": [{ "id": "coverage", "fields": fields, "minzoom": 10, "maxzoom": 16 }],
            "attribution": s.attribution(),
        });
        return Ok(json_response(body));
    }
    if name == "basemap" {
        let Some(basemap) = state.basemap.load_full() else {
            return Err(no_basemap(&state));
        };
        let body = json!({
            "tilejson": "3.0.0",
            "name": "basemap",
            "tiles": [format!("{}/tiles/basemap/{{z}}/{{x}}/{{y}}.mvt", base.0)],
            "minzoom": crate::basemap::MIN_ZOOM,
            "maxzoom": crate::basemap::MAX_ZOOM,
            "bounds": basemap.bounds(),
            "vector_layers": crate::basemap::vector_layers(),
            "attribution": crate::basemap::ATTRIBUTION,
        });
        return Ok(json_response(body));
    }
    let layer = layer(name)?;
    let s = state.snapshot.load();
    // Each layer's own extent (issue 21 item 5).
    let extent = match layer {
        tiles::Layer::Facilities => Bbox::around(s.facilities.iter().map(|f| f.position)),
        tiles::Layer::Addresses => Bbox::around(s.addresses.iter().map(|a| a.position)),
        tiles::Layer::Districts => s.districts_extent(),
        tiles::Layer::Proposals => s.extent(),
        tiles::Layer::Nature => Bbox::around(s.nature.iter().map(|n| n.position)),
    };
    let bounds = extent
        .map(|b| b.as_array().to_vec())
        .unwrap_or_else(|| vec![-180.0, -85.0511, 180.0, 85.0511]);
    let fields: serde_json::Map<String, serde_json::Value> = layer
        .fields()
        .iter()
        .map(|(k, t)| (k.to_string(), json!(t)))
        .collect();
    let body = json!({
        "tilejson": "3.0.0",
        "name": layer.name(),
        "tiles": [format!("{}/tiles/{}/{{z}}/{{x}}/{{y}}.mvt", base.0, layer.name())],
        "minzoom": layer.min_zoom(),
        "maxzoom": tiles::MAX_ZOOM,
        "bounds": bounds,
        "vector_layers": [{ "id": layer.name(), "fields": fields, "minzoom": layer.min_zoom(), "maxzoom": tiles::MAX_ZOOM }],
        "attribution": s.attribution(),
    });
    Ok(json_response(body))
}

fn json_response(body: serde_json::Value) -> Response {
    let mut r = body.to_string().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}
