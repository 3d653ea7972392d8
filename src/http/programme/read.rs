//! Reading the programme: the lists of activities and volunteer needs (filters, text,
//! bounding box, walk from a point, pages) and single items (GeoJSON, or JSON-LD for an
//! activity), each with its ETag.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::super::error::ApiError;
use super::super::params::Params;
use super::super::{AppState, BaseUrl};
use super::filter::{ActivityFilter, WalkFrom, org_param, walk_from};
use super::wire::{
    GEO_JSON, JSON_LD, activity_feature, activity_jsonld, collections_json, need_feature,
};
use super::{etag, json_response, parse_id};
use crate::domain::activity::today;
use crate::index::Snapshot;
use crate::index::search::fold;

const ACTIVITY_PARAMS: &[&str] = &[
    "bbox",
    "limit",
    "offset",
    "q",
    "category",
    "age",
    "weekday",
    "time_of_day",
    "free",
    "org",
    "accessibility",
    "include_paused",
    "facility",
    "open_now",
    "open_at",
    "lon",
    "lat",
    "minutes",
    "profile",
    "f",
    "crs",
    "bbox-crs",
];
const NEED_PARAMS: &[&str] = &[
    "bbox", "limit", "offset", "q", "org", "lon", "lat", "minutes", "profile", "f", "crs",
    "bbox-crs",
];

fn text_matches(words: &[String], text: &str) -> bool {
    let folded = fold(text);
    words.iter().all(|w| folded.contains(w.as_str()))
}

/// Walking seconds to each item reached from `w`, by item index.
pub(super) fn walk_times(
    s: &Snapshot,
    w: &WalkFrom,
    snaps: &[crate::index::Placement],
    max_snap_m: f64,
) -> Result<std::collections::HashMap<u32, f64>, ApiError> {
    let walk = s
        .walk
        .as_ref()
        .ok_or_else(|| ApiError::Unavailable(s.no_network_hint().into()))?;
    let reach = walk
        .reach_with(
            &[],
            snaps,
            w.at,
            w.profile,
            w.minutes,
            &[],
            None,
            max_snap_m,
        )
        .map_err(|e| ApiError::OutsideCoverage(e.to_string()))?;
    Ok(reach.extra.into_iter().collect())
}

/// The items of `chosen` within the walk, quickest first, with their seconds.
fn within_walk(
    s: &Snapshot,
    w: &WalkFrom,
    snaps: &[crate::index::Placement],
    max_snap_m: f64,
    chosen: Vec<(u32, Option<f64>)>,
) -> Result<Vec<(u32, Option<f64>)>, ApiError> {
    let times = walk_times(s, w, snaps, max_snap_m)?;
    let mut out: Vec<(u32, Option<f64>)> = chosen
        .into_iter()
        .filter_map(|(i, _)| times.get(&i).map(|t| (i, Some(*t))))
        .collect();
    out.sort_by(|a, b| {
        a.1.unwrap_or(0.0)
            .total_cmp(&b.1.unwrap_or(0.0))
            .then(a.0.cmp(&b.0))
    });
    Ok(out)
}

pub(crate) fn add_walk(feature: &mut Value, seconds: f64) {
    feature["properties"]["walk_seconds"] = json!(seconds.round() as u64);
    feature["properties"]["walk_minutes"] = json!((seconds / 60.0).ceil() as u64);
}

/// One page of `features` (all that matched, in order), kept to those whose point lies in
/// `bbox` as asked (in its `bbox-crs`), with this page's geometries in the CRS `out`.
#[allow(clippy::too_many_arguments)]
fn page(
    base: &str,
    collection: &str,
    raw: Option<&str>,
    mut features: Vec<Value>,
    offset: usize,
    limit: usize,
    bbox: Option<&crate::http::crs::QueryBox>,
    out: &crate::http::crs::Projector,
) -> Result<Value, ApiError> {
    if let Some(b) = bbox {
        features.retain(|f| {
            let c = &f["geometry"]["coordinates"];
            matches!((c[0].as_f64(), c[1].as_f64()), (Some(lon), Some(lat)) if b.holds(lon, lat))
        });
    }
    let matched = features.len();
    let mut features: Vec<Value> = features.drain(offset.min(matched)..).take(limit).collect();
    for f in &mut features {
        out.feature(f)?;
    }
    Ok(collection_page(
        base, collection, raw, matched, features, offset, limit,
    ))
}

/// `features` as a GeoJSON response in the CRS `out` (with `Content-Crs`).
fn geojson_page(page: Value, out: &crate::http::crs::Projector) -> Response {
    let mut r = json_response(StatusCode::OK, GEO_JSON, &page);
    crate::http::crs::content_crs(&mut r, out.crs());
    r
}

/// One page of an OGC API – Features items response: `features` (this page's, from
/// `offset`, at most `limit`) of `matched`, with `self` and `next` links that keep the
/// query `raw`.
pub(in crate::http) fn collection_page(
    base: &str,
    collection: &str,
    raw: Option<&str>,
    matched: usize,
    features: Vec<Value>,
    offset: usize,
    limit: usize,
) -> Value {
    let links = page_links(
        (base, collection, raw),
        matched,
        features.len(),
        (offset, limit),
        GEO_JSON,
    );
    json!({
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": features.len(),
        "timeStamp": Timestamp::now().to_string(),
        "features": features,
        "links": links,
    })
}

/// `self` (the query `raw` as asked) and, when more matched, `next` (the same query from
/// `offset + limit`), of media type `media`.
fn page_links(
    (base, collection, raw): (&str, &str, Option<&str>),
    matched: usize,
    returned: usize,
    (offset, limit): (usize, usize),
    media: &str,
) -> Vec<Value> {
    let mut links = vec![
        json!({ "href": format!("{base}/api/collections/{collection}/items{}", raw.map(|q| format!("?{q}")).unwrap_or_default()), "rel": "self", "type": media }),
    ];
    if offset + returned < matched {
        let mut q: Vec<(String, String)> =
            serde_urlencoded::from_str(raw.unwrap_or_default()).unwrap_or_default();
        q.retain(|(k, _)| k != "offset");
        q.push(("offset".into(), (offset + limit).to_string()));
        links.push(json!({ "href": format!("{base}/api/collections/{collection}/items?{}", serde_urlencoded::to_string(&q).unwrap_or_default()), "rel": "next", "type": media }));
    }
    links
}

/// Whether the answer is to be JSON-LD: `f=jsonld`, or no `f` and `Accept` naming
/// `application/ld+json`; `f=json`/`geojson` is GeoJSON.
///
/// # Errors
/// Any other `f`.
fn wants_jsonld(params: &Params, headers: &HeaderMap) -> Result<bool, ApiError> {
    match params.get("f") {
        Some("jsonld") => Ok(true),
        None => Ok(headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains(JSON_LD))),
        Some("json") | Some("geojson") => Ok(false),
        Some(other) => Err(ApiError::invalid(
            "f",
            format!("{other:?}: use json or jsonld"),
        )),
    }
}

/// One page of activities as JSON-LD (`f=jsonld` on the list): a schema.org `ItemList` whose
/// elements are the OpenActive `SessionSeries` that `f=jsonld` gives for one item, in the
/// list's order, with the same `self` and `next` links.
fn jsonld_page(
    s: &Snapshot,
    (base, raw): (&str, Option<&str>),
    chosen: &[u32],
    (offset, limit): (usize, usize),
) -> Response {
    let items: Vec<Value> = chosen
        .iter()
        .skip(offset)
        .take(limit)
        .enumerate()
        .map(|(k, &i)| {
            let mut item = activity_jsonld(s, i, base);
            if let Some(o) = item.as_object_mut() {
                o.remove("@context");
            }
            json!({ "@type": "ListItem", "position": offset + k + 1, "item": item })
        })
        .collect();
    // The pages' links as JSON-LD would read them as nodes: they go in a `Link` header
    // (RFC 8288), and `next` asks for JSON-LD again whether or not this page was chosen by
    // `Accept`.
    let mut query: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or_default()).unwrap_or_default();
    query.retain(|(k, _)| k != "f");
    query.push(("f".into(), "jsonld".into()));
    let as_ld = serde_urlencoded::to_string(&query).unwrap_or_default();
    let links = page_links(
        (base, "activities", Some(&as_ld)),
        chosen.len(),
        items.len(),
        (offset, limit),
        JSON_LD,
    );
    let mut r = json_response(
        StatusCode::OK,
        JSON_LD,
        &json!({
            "@context": ["https://schema.org/", "https://openactive.io/"],
            "@type": "ItemList",
            "@id": links[0]["href"],
            "name": "Aktiviteter / Activities",
            "numberOfItems": chosen.len(),
            "itemListElement": items,
        }),
    );
    let link_header = links
        .iter()
        .filter_map(|l| {
            Some(format!(
                "<{}>; rel=\"{}\"",
                l["href"].as_str()?,
                l["rel"].as_str()?
            ))
        })
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(v) = HeaderValue::from_str(&link_header) {
        r.headers_mut().insert(header::LINK, v);
    }
    r.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept"));
    r
}

pub async fn list_activities(
    State(state): State<AppState>,
    base: BaseUrl,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), ACTIVITY_PARAMS)?;
    let ld = wants_jsonld(&params, &headers)?;
    if ld && params.get("crs").is_some() {
        return Err(ApiError::invalid(
            "crs",
            "JSON-LD gives schema.org latitude and longitude; crs is for GeoJSON",
        ));
    }
    let filter = ActivityFilter::parse(&params)?;
    let limits = &state.limits;
    let (limit, offset) = params.page(limits)?;
    let bbox = crate::http::crs::bbox(&params)?;
    let out = crate::http::crs::output(&params)?;
    let words: Vec<String> = params
        .text("q", limits.max_query_chars)?
        .map(|q| fold(q).split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let walk = walk_from(&params, limits.max_walk_minutes)?;
    let s = state.snapshot.load();
    let p = &s.programme.activities;
    let candidates: Vec<u32> = match &bbox {
        Some(b) => p.in_bbox(&b.lonlat),
        None => (0..p.len() as u32).collect(),
    };
    let mut chosen: Vec<(u32, Option<f64>)> = candidates
        .into_iter()
        .filter(|&i| {
            let a = &p.items[i as usize];
            filter.matches(a.org_id, &a.doc)
                && (words.is_empty()
                    || text_matches(
                        &words,
                        &format!(
                            "{} {}",
                            a.doc.title,
                            a.doc.description.as_deref().unwrap_or("")
                        ),
                    ))
        })
        .map(|i| (i, None))
        .collect();
    if let Some(w) = &walk {
        chosen = within_walk(&s, w, &p.snaps, limits.max_snap_m, chosen)?;
    }
    if ld {
        let held: Vec<u32> = chosen
            .iter()
            .map(|&(i, _)| i)
            .filter(|&i| {
                bbox.as_ref().is_none_or(|b| {
                    p.positions[i as usize].is_some_and(|pos| b.holds(pos.lon, pos.lat))
                })
            })
            .collect();
        return Ok(jsonld_page(
            &s,
            (&base.0, raw.as_deref()),
            &held,
            (offset, limit),
        ));
    }
    let now = Timestamp::now();
    let features = chosen
        .into_iter()
        .map(|(i, t)| {
            let mut f = activity_feature(&s, i, now, &base.0);
            if let Some(t) = t {
                add_walk(&mut f, t);
            }
            f
        })
        .collect();
    let mut r = geojson_page(
        page(
            &base.0,
            "activities",
            raw.as_deref(),
            features,
            offset,
            limit,
            bbox.as_ref(),
            &out,
        )?,
        &out,
    );
    r.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept"));
    Ok(r)
}

pub async fn list_needs(
    State(state): State<AppState>,
    base: BaseUrl,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), NEED_PARAMS)?;
    only_json(&params)?;
    let limits = &state.limits;
    let (limit, offset) = params.page(limits)?;
    let bbox = crate::http::crs::bbox(&params)?;
    let out = crate::http::crs::output(&params)?;
    let org = org_param(&params)?;
    let words: Vec<String> = params
        .text("q", limits.max_query_chars)?
        .map(|q| fold(q).split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let walk = walk_from(&params, limits.max_walk_minutes)?;
    let s = state.snapshot.load();
    let today = today(Timestamp::now());
    let p = &s.programme.needs;
    let candidates: Vec<u32> = match &bbox {
        Some(b) => p.in_bbox(&b.lonlat),
        None => (0..p.len() as u32).collect(),
    };
    let mut chosen: Vec<(u32, Option<f64>)> = candidates
        .into_iter()
        .filter(|&i| {
            let n = &p.items[i as usize];
            n.doc.valid_until >= today
                && org.is_none_or(|o| o == n.org_id)
                && (words.is_empty()
                    || text_matches(
                        &words,
                        &format!(
                            "{} {} {}",
                            n.doc.title,
                            n.doc.description.as_deref().unwrap_or(""),
                            n.doc.skills.join(" ")
                        ),
                    ))
        })
        .map(|i| (i, None))
        .collect();
    if let Some(w) = &walk {
        chosen = within_walk(&s, w, &p.snaps, limits.max_snap_m, chosen)?;
    }
    let features = chosen
        .into_iter()
        .map(|(i, t)| {
            let mut f = need_feature(&s, i, &base.0);
            if let Some(t) = t {
                add_walk(&mut f, t);
            }
            f
        })
        .collect();
    Ok(geojson_page(
        page(
            &base.0,
            "volunteer-needs",
            raw.as_deref(),
            features,
            offset,
            limit,
            bbox.as_ref(),
            &out,
        )?,
        &out,
    ))
}

fn only_json(params: &Params) -> Result<(), ApiError> {
    match params.get("f") {
        None | Some("json") | Some("geojson") => Ok(()),
        Some(other) => Err(ApiError::invalid(
            "f",
            format!("{other:?}: this list is served as json"),
        )),
    }
}

pub async fn get_activity(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(fid): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), &["f", "crs"])?;
    let out = crate::http::crs::output(&params)?;
    let s = state.snapshot.load();
    let i = parse_id(&fid)
        .and_then(|id| s.programme.activities.index_of(id))
        .ok_or_else(|| ApiError::NotFound(format!("no activity {fid:?}")))?;
    let wants_ld = wants_jsonld(&params, &headers)?;
    let version = s.programme.activities.items[i as usize].version;
    if wants_ld && params.get("crs").is_some() {
        return Err(ApiError::invalid(
            "crs",
            "JSON-LD gives schema.org latitude and longitude; crs is for GeoJSON",
        ));
    }
    let mut r = if wants_ld {
        json_response(StatusCode::OK, JSON_LD, &activity_jsonld(&s, i, &base.0))
    } else {
        let mut f = activity_feature(&s, i, Timestamp::now(), &base.0);
        out.feature(&mut f)?;
        let mut r = json_response(StatusCode::OK, GEO_JSON, &f);
        crate::http::crs::content_crs(&mut r, out.crs());
        r
    };
    r.headers_mut().insert(
        header::ETAG,
        HeaderValue::from_str(&etag(version)).expect("ascii"),
    );
    r.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept"));
    Ok(r)
}

pub async fn get_need(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(fid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), &["f", "crs"])?;
    only_json(&params)?;
    let out = crate::http::crs::output(&params)?;
    let s = state.snapshot.load();
    let i = parse_id(&fid)
        .and_then(|id| s.programme.needs.index_of(id))
        .filter(|&i| s.programme.needs.items[i as usize].doc.valid_until >= today(Timestamp::now()))
        .ok_or_else(|| ApiError::NotFound(format!("no current volunteer need {fid:?}")))?;
    let version = s.programme.needs.items[i as usize].version;
    let mut f = need_feature(&s, i, &base.0);
    out.feature(&mut f)?;
    let mut r = json_response(StatusCode::OK, GEO_JSON, &f);
    crate::http::crs::content_crs(&mut r, out.crs());
    r.headers_mut().insert(
        header::ETAG,
        HeaderValue::from_str(&etag(version)).expect("ascii"),
    );
    Ok(r)
}

pub async fn get_collection(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let s = state.snapshot.load();
    collections_json(&s, &base.0)
        .into_iter()
        .find(|c| c["id"] == id.as_str())
        .map(|c| json_response(StatusCode::OK, "application/json", &c))
        .ok_or_else(|| ApiError::NotFound(format!("no collection {id:?}")))
}
