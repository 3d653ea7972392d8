//! OGC API – Features, Part 1: landing page, conformance, collections and items for
//! `facilities`, `addresses` and `districts`, all answered from the snapshot.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::ApiError;
use super::params::Params;
use super::{AppState, BaseUrl};
use crate::domain::{Bbox, KindFilter};
use crate::index::Snapshot;
use crate::index::search::fold;

pub const GEO_JSON: &str = "application/geo+json";
const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const ITEMS_PARAMS: &[&str] = &[
    "bbox",
    "limit",
    "offset",
    "kind",
    "q",
    "f",
    "level",
    "parent",
    "open_now",
    "open_at",
    "filter",
    "filter-lang",
    "crs",
    "bbox-crs",
];
const NO_PARAMS: &[&str] = &["f"];
const ITEM_PARAMS: &[&str] = &["f", "open_at", "crs"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    Facilities,
    Addresses,
    Districts,
}

impl Collection {
    pub const ALL: [Collection; 3] = [
        Collection::Facilities,
        Collection::Addresses,
        Collection::Districts,
    ];

    fn parse(id: &str) -> Result<Collection, ApiError> {
        Collection::ALL
            .into_iter()
            .find(|c| c.id() == id)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "no collection {id:?}; there are facilities, addresses, districts, activities, volunteer-needs, proposals, nature and trailheads"
                ))
            })
    }

    pub fn id(self) -> &'static str {
        match self {
            Collection::Facilities => "facilities",
            Collection::Addresses => "addresses",
            Collection::Districts => "districts",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Collection::Facilities => "Nærmiljøanlegg og møteplasser / Neighbourhood facilities",
            Collection::Addresses => "Adresser / Addresses",
            Collection::Districts => "Områder / Districts",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Collection::Facilities => {
                "Schools, kindergartens, playgrounds, pitches, sports halls, libraries and other meeting places, \
                 with their kind, name and district. Filter by kind with kind=school,kindergarten or kind=naermiljoanlegg."
            }
            Collection::Addresses => {
                "Postal addresses (homes), with their grunnkrets and district."
            }
            Collection::Districts => {
                "District polygons: imported kommunedeler, or, where none were imported, areas derived from the \
                 addresses (grunnkrets or postcode) that cover every address of the district."
            }
        }
    }
}

fn f_json(params: &Params) -> Result<(), ApiError> {
    match params.get("f") {
        None | Some("json") | Some("geojson") => Ok(()),
        Some(other) => Err(ApiError::invalid(
            "f",
            format!("{other:?} is not offered; use f=json"),
        )),
    }
}

pub(super) fn json_response(content_type: &'static str, body: &Value) -> Response {
    let mut r = body.to_string().into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

pub async fn get_landing(
    State(state): State<AppState>,
    base: BaseUrl,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    f_json(&Params::parse(q.as_deref(), NO_PARAMS)?)?;
    let b = &base.0;
    let attribution = state.snapshot.load().attribution();
    Ok(json_response(
        "application/json",
        &json!({
            "title": "naermiljo",
            "description": format!("Neighbourhood facilities, activities and walking reach. Data: {attribution}."),
            "attribution": attribution,
            "links": [
                { "href": format!("{b}/api"), "rel": "self", "type": "application/json", "title": "This document" },
                { "href": format!("{b}/api/openapi.json"), "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.1", "title": "The API definition" },
                { "href": format!("{b}/api/conformance"), "rel": "conformance", "type": "application/json", "title": "Conformance classes" },
                { "href": format!("{b}/api/collections"), "rel": "data", "type": "application/json", "title": "Collections" },
            ]
        }),
    ))
}

pub async fn get_conformance(RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    f_json(&Params::parse(q.as_deref(), NO_PARAMS)?)?;
    Ok(json_response(
        "application/json",
        &json!({ "conformsTo": [
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
            super::crs::CONFORMANCE,
            "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
            "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
            "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
            "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
            "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
            "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
            "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
            "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        ]}),
    ))
}

fn collection_json(c: Collection, snapshot: &Snapshot, base: &str) -> Value {
    let extent = snapshot
        .extent()
        .map(|b| b.as_array().to_vec())
        .unwrap_or_default();
    json!({
        "id": c.id(),
        "title": c.title(),
        "description": c.description(),
        "itemType": "feature",
        "crs": super::crs::Crs::offered_uris(),
        "storageCrs": CRS84,
        "extent": { "spatial": { "bbox": [extent], "crs": CRS84 } },
        "attribution": snapshot.attribution(),
        "links": [
            { "href": format!("{base}/api/collections/{}", c.id()), "rel": "self", "type": "application/json" },
            { "href": format!("{base}/api/collections/{}/items", c.id()), "rel": "items", "type": GEO_JSON },
            { "href": format!("{base}/api/collections/{}/queryables", c.id()), "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables", "type": "application/schema+json" },
        ]
    })
}

pub async fn list_collections(
    State(state): State<AppState>,
    base: BaseUrl,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    f_json(&Params::parse(q.as_deref(), NO_PARAMS)?)?;
    let snapshot = state.snapshot.load();
    let b = &base.0;
    Ok(json_response(
        "application/json",
        &json!({
            "links": [{ "href": format!("{b}/api/collections"), "rel": "self", "type": "application/json" }],
            "collections": Collection::ALL.iter().map(|&c| collection_json(c, &snapshot, b)).chain(super::programme::collections_json(&snapshot, b)).chain(std::iter::once(super::participation::collection_json(&snapshot, b))).chain([super::nature::collection_json(&snapshot, b), super::nature::trailheads_collection_json(&snapshot, b)]).collect::<Vec<_>>(),
        }),
    ))
}

pub async fn get_collection(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let c = Collection::parse(&id)?;
    f_json(&Params::parse(q.as_deref(), NO_PARAMS)?)?;
    Ok(json_response(
        "application/json",
        &collection_json(c, &state.snapshot.load(), &base.0),
    ))
}

/// True when every word of the folded query occurs in the folded text.
fn text_matches(words: &[String], text: &str) -> bool {
    let folded = fold(text);
    words.iter().all(|w| folded.contains(w.as_str()))
}

pub async fn list_items(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let c = Collection::parse(&id)?;
    let params = Params::parse(raw.as_deref(), ITEMS_PARAMS)?;
    f_json(&params)?;
    let limits = &state.limits;
    let (limit, offset) = params.page(limits)?;
    let bbox = super::crs::bbox(&params)?;
    let out = super::crs::output(&params)?;
    let words: Vec<String> = params
        .text("q", limits.max_query_chars)?
        .map(|q| fold(q).split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let kinds = match params.get("kind") {
        None => None,
        Some(_) if c != Collection::Facilities => {
            return Err(ApiError::invalid(
                "kind",
                "only the facilities collection has kinds",
            ));
        }
        Some(k) => Some(KindFilter::parse(k).map_err(|bad| {
            ApiError::invalid(
                "kind",
                format!(
                    "unknown kind {bad:?}; kinds are {} and naermiljoanlegg",
                    all_kinds()
                ),
            )
        })?),
    };

    let open = super::open::OpenQuery::parse(&params)?;
    let filter = super::filter::Collection::of(c.id())
        .map(|fc| super::filter::Filter::parse(&params, fc))
        .transpose()?
        .flatten();
    if c != Collection::Facilities {
        for name in super::open::PARAMS {
            if params.get(name).is_some() {
                return Err(ApiError::invalid(
                    name,
                    "only the facilities collection has opening hours",
                ));
            }
        }
    }

    let s = state.snapshot.load();
    // Districts of one level, or inside one district.
    let (level, parent) = (params.get("level"), params.get("parent"));
    if c != Collection::Districts {
        for (name, given) in [("level", level), ("parent", parent)] {
            if given.is_some() {
                return Err(ApiError::invalid(
                    name,
                    "only the districts collection has levels and parents",
                ));
            }
        }
    }
    if let Some(l) = level
        && !s.levels.iter().any(|x| x.level == l)
    {
        let offered: Vec<&str> = s.levels.iter().map(|x| x.level.as_str()).collect();
        return Err(ApiError::invalid(
            "level",
            format!(
                "no district level {l:?}; levels here: {}",
                offered.join(", ")
            ),
        ));
    }
    let parent =
        match parent {
            None => None,
            Some(id) => Some(s.district(id).ok_or_else(|| {
                ApiError::invalid("parent", format!("no district with id {id:?}"))
            })?),
        };
    let mut matched: Vec<u32> = match c {
        Collection::Facilities => {
            let candidates = match &bbox {
                Some(b) => s.facilities_in(&b.lonlat),
                None => (0..s.facilities.len() as u32).collect(),
            };
            candidates
                .into_iter()
                .filter(|&i| {
                    let f = &s.facilities[i as usize];
                    bbox.as_ref()
                        .is_none_or(|b| b.holds(f.position.lon, f.position.lat))
                        && kinds.as_ref().is_none_or(|k| k.matches(f.kind))
                        && open.keeps(&s, i)
                        && (words.is_empty()
                            || text_matches(
                                &words,
                                &format!(
                                    "{} {} {} {}",
                                    f.name.as_deref().unwrap_or_default(),
                                    f.address.as_deref().unwrap_or_default(),
                                    f.kind.label_nb(),
                                    f.kind.label_en()
                                ),
                            ))
                })
                .collect()
        }
        Collection::Addresses => {
            let candidates = match &bbox {
                Some(b) => s.addresses_in(&b.lonlat),
                None => (0..s.addresses.len() as u32).collect(),
            };
            candidates
                .into_iter()
                .filter(|&i| {
                    let a = &s.addresses[i as usize];
                    bbox.as_ref()
                        .is_none_or(|b| b.holds(a.position.lon, a.position.lat))
                        && (words.is_empty() || text_matches(&words, &a.label()))
                })
                .collect()
        }
        Collection::Districts => {
            let candidates = match &bbox {
                // A box in another CRS is met as the lon/lat box that holds it.
                Some(b) => s
                    .districts_in(&b.lonlat)
                    .into_iter()
                    .filter(|&i| district_meets(&s, i, &b.lonlat))
                    .collect(),
                None => (0..s.districts.len() as u32).collect::<Vec<_>>(),
            };
            candidates
                .into_iter()
                .filter(|&i| {
                    let d = &s.districts[i as usize];
                    level.is_none_or(|l| d.level == l)
                        && parent.is_none_or(|p| crate::coverage::descends_from(&s, i, p))
                        && (words.is_empty() || text_matches(&words, &d.name))
                })
                .collect()
        }
    };

    if let Some(f) = &filter {
        matched.retain(|&i| f.keeps(&feature_text(&s, c, i, &open)));
    }
    let page: Vec<u32> = matched.iter().skip(offset).take(limit).copied().collect();
    let features = page
        .iter()
        .map(|&i| out.feature_text(&feature_text(&s, c, i, &open)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::invalid("crs", e))?;

    let page_url = |offset: usize| {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for key in [
            "bbox",
            "kind",
            "q",
            "level",
            "parent",
            "open_now",
            "open_at",
            "filter",
            "filter-lang",
            "crs",
            "bbox-crs",
        ] {
            if let Some(v) = params.get(key) {
                pairs.push((key, v.to_string()));
            }
        }
        pairs.push(("limit", limit.to_string()));
        pairs.push(("offset", offset.to_string()));
        let query = serde_urlencoded::to_string(&pairs).expect("pairs of strings always encode");
        format!("{}/api/collections/{}/items?{query}", base.0, c.id())
    };
    let mut links = vec![
        json!({ "href": page_url(offset), "rel": "self", "type": GEO_JSON }),
        json!({ "href": format!("{}/api/collections/{}", base.0, c.id()), "rel": "collection", "type": "application/json" }),
    ];
    if offset + page.len() < matched.len() {
        links.push(json!({ "href": page_url(offset + limit), "rel": "next", "type": GEO_JSON }));
    }
    if offset > 0 {
        links.push(json!({ "href": page_url(offset.saturating_sub(limit)), "rel": "prev", "type": GEO_JSON }));
    }
    let mut r = feature_collection(Some(matched.len()), &links, page.len(), features.iter());
    super::crs::content_crs(&mut r, out.crs());
    Ok(r)
}

/// The stored GeoJSON text of item `i` of collection `c`.
fn feature_json(s: &Snapshot, c: Collection, i: u32) -> &str {
    match c {
        Collection::Facilities => s.facility_json(i),
        Collection::Addresses => s.address_json(i),
        Collection::Districts => s.district_json(i),
    }
}

/// Item `i`'s text as served: a facility with what it answers about opening hours.
fn feature_text<'a>(
    s: &'a Snapshot,
    c: Collection,
    i: u32,
    open: &super::open::OpenQuery,
) -> std::borrow::Cow<'a, str> {
    match c {
        Collection::Facilities => s.facility_json_with(i, &open.members(s, i)).into(),
        _ => feature_json(s, c, i).into(),
    }
}

/// A FeatureCollection written around features already encoded as GeoJSON text.
fn feature_collection<T: AsRef<str>>(
    matched: Option<usize>,
    links: &[Value],
    returned: usize,
    features: impl Iterator<Item = T>,
) -> Response {
    let mut body = String::with_capacity(256 + returned * 512);
    body.push_str("{\"type\":\"FeatureCollection\",");
    if let Some(n) = matched {
        body.push_str(&format!("\"numberMatched\":{n},"));
    }
    body.push_str(&format!(
        "\"numberReturned\":{returned},\"links\":{},\"features\":[",
        Value::from(links.to_vec())
    ));
    for (k, f) in features.enumerate() {
        if k > 0 {
            body.push(',');
        }
        body.push_str(f.as_ref());
    }
    body.push_str("]}");
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(GEO_JSON));
    r
}

/// True when district `i`'s polygon, not only its bounding box, meets `bbox`.
fn district_meets(s: &Snapshot, i: u32, bbox: &Bbox) -> bool {
    use geo::Intersects;
    let rect = geo::Rect::new(
        geo::Coord {
            x: bbox.min_lon,
            y: bbox.min_lat,
        },
        geo::Coord {
            x: bbox.max_lon,
            y: bbox.max_lat,
        },
    );
    s.districts[i as usize].geometry.intersects(&rect)
}

fn all_kinds() -> String {
    crate::domain::FacilityKind::ALL
        .map(|k| k.as_str())
        .join(", ")
}

pub async fn get_item(
    State(state): State<AppState>,
    base: BaseUrl,
    Path((id, fid)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let c = Collection::parse(&id)?;
    let params = Params::parse(raw.as_deref(), ITEM_PARAMS)?;
    f_json(&params)?;
    if c != Collection::Facilities && params.get("open_at").is_some() {
        return Err(ApiError::invalid(
            "open_at",
            "only the facilities collection has opening hours",
        ));
    }
    let open = super::open::OpenQuery::parse(&params)?;
    let out = super::crs::output(&params)?;
    let s = state.snapshot.load();
    let not_found = || ApiError::NotFound(format!("no item {fid:?} in {}", c.id()));
    let index = match c {
        Collection::Facilities => fid.parse().ok().and_then(|n| s.facility(n)),
        Collection::Addresses => fid.parse().ok().and_then(|n| s.address(n)),
        Collection::Districts => s.district(&fid),
    }
    .ok_or_else(not_found)?;
    let self_query = match params.get("crs") {
        Some(crs) => format!(
            "?{}",
            serde_urlencoded::to_string([("crs", crs)]).expect("a string pair")
        ),
        None => String::new(),
    };
    let links = json!([
        { "href": format!("{}/api/collections/{}/items/{fid}{self_query}", base.0, c.id()), "rel": "self", "type": GEO_JSON },
        { "href": format!("{}/api/collections/{}", base.0, c.id()), "rel": "collection", "type": "application/json" },
    ]);
    // The stored text is one JSON object: the links go in before its closing brace.
    let feature = out
        .feature_text(&feature_text(&s, c, index, &open))
        .map_err(|e| ApiError::invalid("crs", e))?;
    let body = format!("{},\"links\":{links}}}", &feature[..feature.len() - 1]);
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(GEO_JSON));
    super::crs::content_crs(&mut r, out.crs());
    Ok(r)
}

/// `GET /api/collections/{id}/queryables`: what a `filter=` may name (OGC API – Features
/// Part 3).
pub async fn get_queryables(
    base: BaseUrl,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    if ["activities", "volunteer-needs", "proposals"].contains(&id.as_str()) {
        return Err(ApiError::NotFound(format!(
            "{id} takes no CQL2 filter, so it has no queryables: filter it with its own \
             parameters (see /api/openapi.json). Facilities, addresses, districts, nature and \
             trailheads have queryables"
        )));
    }
    let c = Collection::parse(&id)?;
    f_json(&Params::parse(raw.as_deref(), NO_PARAMS)?)?;
    Ok(json_response(
        "application/schema+json",
        &super::filter::queryables(
            super::filter::Collection::of(c.id()).expect("every features collection filters"),
            &base.0,
        ),
    ))
}

pub async fn search_addresses(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), &["q", "limit"])?;
    let (q, limit) = params.search(
        &state.limits,
        state.limits.search_default_limit,
        "the start of an address, e.g. q=storgata 1",
    )?;
    let s = state.snapshot.load();
    let found = s.search_addresses(q, limit);
    Ok(feature_collection(
        None,
        &[],
        found.len(),
        found.iter().map(|&i| s.address_json(i)),
    ))
}
