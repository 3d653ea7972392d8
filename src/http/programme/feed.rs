//! Open activity data for aggregators (issue 17 item 4): the OpenActive RPDE feed of
//! activities, `/api/feeds/session-series`, its dataset description `/api/feeds`, and the
//! activity categories as a SKOS concept scheme, `/api/feeds/activity-categories`.
//!
//! The feed follows RPDE 1.0 (<https://openactive.io/realtime-paged-data-exchange/1.0/>)
//! with the "modified and id" ordering: items ordered by `modified`, then `id`. `modified`
//! is a change number (the audit log's row id of the item's last change, of its
//! organisation's, or of an import that renamed or moved its facility: an integer that
//! rises in the order changes are committed: SQLite has one writer, and PostgreSQL's
//! editing writes take the data version's row lock first), not a clock, so two changes in
//! one millisecond cannot hide one another; `afterTimestamp` and `afterId` continue after an
//! item; the last page has no items and a `next` equal to its own URL. A deleted activity
//! stays as `state: deleted` without `data`. Items are OpenActive `SessionSeries`
//! (Modelling Opportunity Data 2.0). Only activities of organisations that agreed to open
//! publication are carried ([`crate::index::programme::FeedEntry`]); the data is licensed
//! CC BY 4.0.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::json_response;
use super::wire::activity_jsonld;
use crate::domain::activity::Category;
use crate::http::error::ApiError;
use crate::http::params::Params;
use crate::http::{AppState, BaseUrl};
use crate::index::Snapshot;

/// The feed's licence (OpenActive requires CC BY 4.0).
pub const LICENSE: &str = "https://creativecommons.org/licenses/by/4.0/";
/// Items on a page, unless `limit` asks for fewer (RPDE suggests 500).
const PAGE: usize = 500;
const FEED_PARAMS: &[&str] = &["afterTimestamp", "afterId", "limit"];

/// `GET /api/feeds/session-series[?afterTimestamp=T&afterId=I][&limit=N]`: one RPDE page
/// `{ next, items, license }`. Errors (400): one of `afterTimestamp` / `afterId` without
/// the other, a value that is not an integer, `limit` outside 1–500.
pub async fn get_session_series(
    State(state): State<AppState>,
    base: BaseUrl,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), FEED_PARAMS)?;
    let integer = |name: &str| -> Result<Option<i64>, ApiError> {
        params
            .get(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::invalid(name, format!("{v:?} is not an integer")))
            })
            .transpose()
    };
    let after = match (integer("afterTimestamp")?, integer("afterId")?) {
        (Some(t), Some(i)) => Some((t, i)),
        (None, None) => None,
        (Some(_), None) => {
            return Err(ApiError::invalid(
                "afterId",
                "afterTimestamp and afterId come together (the last item's modified and id)",
            ));
        }
        (None, Some(_)) => {
            return Err(ApiError::invalid(
                "afterTimestamp",
                "afterTimestamp and afterId come together (the last item's modified and id)",
            ));
        }
    };
    let limit = match integer("limit")? {
        None => PAGE,
        Some(n) if (1..=PAGE as i64).contains(&n) => n as usize,
        Some(_) => return Err(ApiError::invalid("limit", format!("1 to {PAGE}"))),
    };
    let s = state.snapshot.load();
    let b = &base.0;
    let feed = &s.programme.feed;
    let start = match after {
        None => 0,
        Some(key) => feed.partition_point(|e| (e.modified, e.id) <= key),
    };
    let page = &feed[start..(start + limit).min(feed.len())];
    let items: Vec<Value> = page
        .iter()
        .map(|e| match e.activity {
            Some(i) => json!({
                "state": "updated",
                "kind": "SessionSeries",
                "id": e.id,
                "modified": e.modified,
                "data": session_series(&s, i, b),
            }),
            None => json!({
                "state": "deleted",
                "kind": "SessionSeries",
                "id": e.id,
                "modified": e.modified,
            }),
        })
        .collect();
    let limit_param = params
        .get("limit")
        .map(|l| format!("&limit={l}"))
        .unwrap_or_default();
    let next = match page.last() {
        Some(last) => format!(
            "{b}/api/feeds/session-series?afterTimestamp={}&afterId={}{limit_param}",
            last.modified, last.id
        ),
        // The last page: `next` is this page's own URL, as asked.
        None => match q.as_deref() {
            Some(q) if !q.is_empty() => format!("{b}/api/feeds/session-series?{q}"),
            _ => format!("{b}/api/feeds/session-series"),
        },
    };
    let last_page = items.is_empty();
    let mut r = json_response(
        StatusCode::OK,
        "application/json",
        &json!({ "next": next, "items": items, "license": LICENSE }),
    );
    let h = r.headers_mut();
    // OpenActive's advice: a page with items changes rarely; the last page is polled.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if last_page {
            "public, max-age=8"
        } else {
            "public, max-age=3600"
        }),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("<{b}/api/feeds>; rel=\"describedby\"")) {
        h.insert(header::LINK, v);
    }
    Ok(r)
}

/// An activity as an OpenActive `SessionSeries` for the feed: the JSON-LD of `f=jsonld`
/// with what the OpenActive validator requires besides (`@context` OpenActive's alone, an
/// `@id` for the organiser and the place, a `url`, the category as a `Concept` of
/// [`get_activity_categories`]).
fn session_series(s: &Snapshot, i: u32, base: &str) -> Value {
    let mut d = activity_jsonld(s, i, base);
    let a = &s.programme.activities.items[i as usize];
    d["@context"] = json!("https://openactive.io/");
    if d["url"].is_null() {
        d["url"] = json!(format!(
            "{base}/api/collections/activities/items/{}?f=html",
            a.id
        ));
    }
    d["organizer"]["@id"] = json!(format!(
        "{base}/api/collections/activities/items?org={}",
        a.org_id
    ));
    // The organisation's contact is free text that may name a person's phone or address:
    // the open feed gives its website instead.
    if let Some(o) = d["organizer"].as_object_mut() {
        o.remove("email");
        if let Some(url) = s
            .programme
            .organisation(a.org_id)
            .and_then(|o| o.website.clone())
        {
            o.insert("url".into(), json!(url));
        }
    }
    if let Some(place) = d["location"].as_object_mut() {
        let id = match a.doc.place {
            crate::domain::activity::Place::Facility { facility_id } => {
                format!("{base}/api/collections/facilities/items/{facility_id}")
            }
            crate::domain::activity::Place::Point { .. } => {
                format!("{base}/api/collections/activities/items/{}#place", a.id)
            }
        };
        place.insert("@id".into(), json!(id));
        if place.get("name").is_none_or(Value::is_null) {
            place.insert("name".into(), json!(a.doc.title));
        }
    }
    d["activity"] = json!([concept(base, a.doc.category)]);
    if let Some(offers) = d["offers"].as_array_mut() {
        for (k, offer) in offers.iter_mut().enumerate() {
            offer["@id"] = json!(format!(
                "{base}/api/collections/activities/items/{}#offer-{k}",
                a.id
            ));
        }
    }
    // OpenActive's schedule of a weekly session: a `PartialSchedule` (no series dates
    // needed) with `byDay` as a list and the `duration` its validator asks for.
    if let Some(schedule) = d["eventSchedule"].as_array_mut() {
        for (entry, session) in schedule.iter_mut().zip(&a.doc.schedule.sessions) {
            entry["@type"] = json!("PartialSchedule");
            if let Some(day) = entry["byDay"].as_str().map(str::to_string) {
                entry["byDay"] = json!([day]);
            }
            let minutes = i32::from(session.end.minutes) - i32::from(session.start.minutes);
            if minutes > 0 {
                entry["duration"] = json!(format!("PT{minutes}M"));
            }
        }
    }
    // Not OpenActive's terms (`modified` is on the feed item; the items of the feed are
    // never examples; accessibility features would need OpenActive's own concept list).
    if let Some(o) = d.as_object_mut() {
        for key in [
            "isExample",
            "identifier",
            "dateModified",
            "accessibilityFeature",
        ] {
            o.remove(key);
        }
    }
    without_empty(&mut d);
    d
}

/// Drops `null`s and empty lists, at every depth: OpenActive wants a property left out
/// rather than empty.
fn without_empty(v: &mut Value) {
    match v {
        Value::Object(o) => {
            o.values_mut().for_each(without_empty);
            o.retain(|_, v| !(v.is_null() || v.as_array().is_some_and(Vec::is_empty)));
        }
        Value::Array(a) => a.iter_mut().for_each(without_empty),
        _ => {}
    }
}

fn concept(base: &str, c: Category) -> Value {
    json!({
        "@type": "Concept",
        "@id": format!("{base}/api/feeds/activity-categories#{}", c.as_str()),
        "prefLabel": c.label_en(),
        "inScheme": format!("{base}/api/feeds/activity-categories"),
    })
}

/// `GET /api/feeds/activity-categories`: the twelve activity categories as a SKOS
/// `ConceptScheme` (JSON-LD, the shape OpenActive gives its activity list), with labels in
/// English (`prefLabel`) and Norwegian bokmål (`altLabel`).
pub async fn get_activity_categories(base: BaseUrl) -> Response {
    let b = &base.0;
    let concepts: Vec<Value> = Category::ALL
        .iter()
        .map(|&c| {
            let mut v = concept(b, c);
            v["altLabel"] = json!(c.label_nb());
            v.as_object_mut().map(|o| o.remove("inScheme"));
            v
        })
        .collect();
    json_response(
        StatusCode::OK,
        "application/ld+json",
        &json!({
            "@context": "https://openactive.io/",
            "@type": "ConceptScheme",
            "@id": format!("{b}/api/feeds/activity-categories"),
            "title": "naermiljo activity categories",
            "description": "The categories an organisation chooses for an activity. Broader than OpenActive's activity list (which names single sports), so they are a list of their own.",
            "license": LICENSE,
            "concept": concepts,
        }),
    )
}

/// `GET /api/feeds`: the open data set of activities as an OpenActive dataset description
/// (schema.org `Dataset` in JSON-LD): its feed, licence, publisher, and how organisations'
/// consent is given.
pub async fn get_dataset(State(state): State<AppState>, base: BaseUrl) -> Response {
    let b = &base.0;
    let s = state.snapshot.load();
    let publisher = s
        .kommuner()
        .into_iter()
        .map(|(_, name)| format!("{name} kommune"))
        .collect::<Vec<_>>()
        .join(", ");
    let publisher = if publisher.is_empty() {
        "naermiljo".to_string()
    } else {
        publisher
    };
    let consenting = s
        .programme
        .organisations
        .iter()
        .filter(|o| o.active && o.open_data && !o.example)
        .count();
    json_response(
        StatusCode::OK,
        "application/ld+json",
        &json!({
            "@context": ["https://schema.org/", "https://openactive.io/"],
            "@type": "Dataset",
            "@id": format!("{b}/api/feeds"),
            "url": format!("{b}/api/feeds"),
            "name": format!("Aktiviteter / Activities — {publisher}"),
            "description": format!(
                "Recurring activities for residents, published by the organisations that hold them. \
                 An organisation's activities are in the feed only when its admins have agreed to open \
                 publication under CC BY 4.0 (in the portal, or PATCH /api/organisations/{{id}} with \
                 open_data: true); when they withdraw, or the organisation is deactivated, its activities \
                 leave the feed as deleted items. {consenting} organisations have agreed. Examples made up \
                 for the demo are never in the feed."
            ),
            "keywords": ["activities", "aktiviteter", "nærmiljø", "frivillighet"],
            "license": LICENSE,
            "inLanguage": ["nb", "en"],
            "schemaVersion": "https://openactive.io/modelling-opportunity-data/2.0/",
            "documentation": "https://developer.openactive.io/",
            "publisher": { "@type": "Organization", "name": publisher },
            "distribution": [{
                "@type": "DataDownload",
                "name": "SessionSeries",
                "additionalType": "https://openactive.io/SessionSeries",
                "encodingFormat": "application/vnd.openactive.rpde+json; version=1",
                "contentUrl": format!("{b}/api/feeds/session-series"),
            }],
        }),
    )
}
