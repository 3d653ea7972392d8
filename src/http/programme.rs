//! Activities and volunteer needs: OGC API – Features collections (read, filter, walk from a
//! point), JSON-LD for activities, and writes by organisations (OGC API – Features Part 4
//! style: POST to the items, PUT/PATCH/DELETE on an item), with bearer tokens, ETag and
//! If-Match. Offers of help are taken publicly and shown only to the need's organisation.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::{Value, json};
use sha2::Digest;

use super::error::ApiError;
use super::params::Params;
use super::{AppState, BaseUrl};
use crate::domain::LonLat;
use crate::domain::activity::{
    ActivityDoc, Category, FieldError, HelpOffer, NeedDoc, Place, PlaceCheck, today,
};
use crate::index::Snapshot;
use crate::index::search::fold;
use crate::routing::Profile;
use crate::store::editing::{Actor, ItemCollection, ItemWrite, Role, WriteOutcome};

pub const GEO_JSON: &str = "application/geo+json";
pub const JSON_LD: &str = "application/ld+json";

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
    "lon",
    "lat",
    "minutes",
    "profile",
    "f",
];
const NEED_PARAMS: &[&str] = &[
    "bbox", "limit", "offset", "q", "org", "lon", "lat", "minutes", "profile", "f",
];

/// Keys a client may send back from a GET that the server computes: ignored on writes.
const READ_ONLY: &[&str] = &[
    "id",
    "organisation",
    "facility",
    "free",
    "next_session",
    "example",
    "version",
    "updated_at",
    "category_label_nb",
    "category_label_en",
    "walk_seconds",
    "walk_minutes",
    "links",
];

// --- Filters ------------------------------------------------------------------------------

/// What residents filter activities by (the list, the map and `/api/reach`).
#[derive(Debug, Default, Clone)]
pub struct ActivityFilter {
    pub categories: Option<Vec<Category>>,
    pub age: Option<u8>,
    pub weekdays: Option<Vec<u8>>,
    /// Minutes after midnight: sessions starting in `[from, to)`.
    pub time_of_day: Option<(u16, u16)>,
    pub free: Option<bool>,
    pub org: Option<i64>,
    /// Only activities that promise every one of these.
    pub accessibility: Option<Vec<crate::domain::activity::Accessibility>>,
}

impl ActivityFilter {
    pub fn parse(params: &Params) -> Result<ActivityFilter, ApiError> {
        let categories = params
            .get("category")
            .map(|s| {
                s.split(',')
                    .map(|c| {
                        Category::parse(c.trim()).ok_or_else(|| {
                            ApiError::invalid(
                                "category",
                                format!(
                                    "unknown category {c:?}; categories: {}",
                                    Category::ALL.map(|c| c.as_str()).join(", ")
                                ),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let age = params
            .get("age")
            .map(|s| {
                s.trim()
                    .parse::<u8>()
                    .ok()
                    .filter(|a| *a <= 120)
                    .ok_or_else(|| ApiError::invalid("age", format!("{s:?} is not an age 0–120")))
            })
            .transpose()?;
        let weekdays = params
            .get("weekday")
            .map(|s| {
                s.split(',')
                    .map(|d| {
                        weekday(d.trim()).ok_or_else(|| {
                            ApiError::invalid(
                                "weekday",
                                format!("{d:?} is not a weekday: 1–7 (Monday = 1) or mon…sun"),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let time_of_day = params
            .get("time_of_day")
            .map(|s| match s {
                "morning" => Ok((0, 12 * 60)),
                "afternoon" => Ok((12 * 60, 17 * 60)),
                "evening" => Ok((17 * 60, 24 * 60)),
                _ => Err(ApiError::invalid(
                    "time_of_day",
                    format!(
                        "{s:?}: use morning (before 12), afternoon (12–17) or evening (from 17)"
                    ),
                )),
            })
            .transpose()?;
        let free = params
            .get("free")
            .map(|s| match s {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(ApiError::invalid(
                    "free",
                    format!("{s:?}: use true or false"),
                )),
            })
            .transpose()?;
        let accessibility = params
            .get("accessibility")
            .map(|s| {
                s.split(',')
                    .map(|a| {
                        serde_json::from_value(json!(a.trim())).map_err(|_| {
                            ApiError::invalid(
                                "accessibility",
                                format!(
                                    "unknown feature {a:?}; features: wheelchair, step_free, hearing_loop, accessible_toilet, sign_language, easy_language"
                                ),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        Ok(ActivityFilter {
            accessibility,
            categories,
            age,
            weekdays,
            time_of_day,
            free,
            org: org_param(params)?,
        })
    }

    pub fn matches(&self, org_id: i64, a: &ActivityDoc) -> bool {
        self.org.is_none_or(|o| o == org_id)
            && self
                .categories
                .as_ref()
                .is_none_or(|c| c.contains(&a.category))
            && self.age.is_none_or(|age| a.admits_age(age))
            && self.free.is_none_or(|f| f == a.free())
            && self
                .accessibility
                .as_ref()
                .is_none_or(|need| need.iter().all(|x| a.accessibility.contains(x)))
            && (self.weekdays.is_none() && self.time_of_day.is_none()
                || a.schedule.sessions.iter().any(|s| {
                    self.weekdays
                        .as_ref()
                        .is_none_or(|w| w.contains(&s.weekday))
                        && self
                            .time_of_day
                            .is_none_or(|(lo, hi)| (lo..hi).contains(&s.start.minutes))
                }))
    }
}

fn weekday(s: &str) -> Option<u8> {
    const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    s.parse::<u8>()
        .ok()
        .filter(|d| (1..=7).contains(d))
        .or_else(|| NAMES.iter().position(|n| *n == s).map(|i| i as u8 + 1))
}

fn org_param(params: &Params) -> Result<Option<i64>, ApiError> {
    params
        .get("org")
        .map(|s| {
            s.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::invalid("org", format!("{s:?} is not an organisation id")))
        })
        .transpose()
}

/// `lon`, `lat`, `minutes`, `profile` together: only items within that walk, sorted by it.
struct WalkFrom {
    at: LonLat,
    minutes: u32,
    profile: Profile,
}

fn walk_from(params: &Params, max_minutes: u32) -> Result<Option<WalkFrom>, ApiError> {
    let (Some(lon), Some(lat)) = (params.get("lon"), params.get("lat")) else {
        if params.get("lon").is_some() || params.get("lat").is_some() {
            return Err(ApiError::invalid(
                "lon/lat",
                "give both lon and lat, or neither",
            ));
        }
        return Ok(None);
    };
    let number = |name: &str, s: &str, range: std::ops::RangeInclusive<f64>| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| range.contains(v))
            .ok_or_else(|| ApiError::invalid(name, format!("{s:?} is not within {range:?}")))
    };
    let minutes = match params.get("minutes") {
        None => 15,
        Some(m) => {
            let v: u32 =
                m.trim().parse().ok().filter(|v| *v >= 1).ok_or_else(|| {
                    ApiError::invalid("minutes", format!("{m:?} is not 1 or more"))
                })?;
            if v > max_minutes {
                return Err(ApiError::LimitExceeded {
                    name: "minutes".into(),
                    detail: format!("{v} minutes is more than the {max_minutes} minutes served"),
                    limit: max_minutes as u64,
                });
            }
            v
        }
    };
    let profile = match params.get("profile") {
        None => Profile::Walk,
        Some(p) => Profile::parse(p).ok_or_else(|| {
            ApiError::invalid("profile", format!("{p:?}: use walk, slow or wheelchair"))
        })?,
    };
    Ok(Some(WalkFrom {
        at: LonLat::new(
            number("lon", lon, -180.0..=180.0)?,
            number("lat", lat, -90.0..=90.0)?,
        ),
        minutes,
        profile,
    }))
}

// --- Output -------------------------------------------------------------------------------

fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// RFC 3339 with Oslo's offset of that moment (what browsers' `Date` parses).
fn timestamp_oslo(t: Timestamp) -> String {
    rfc3339(&t.to_zoned_datetime(crate::domain::activity::oslo()))
}

fn rfc3339(z: &jiff::ZonedDateTime) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn place_json(s: &Snapshot, place: &Place, position: Option<LonLat>) -> (Value, Value) {
    let geometry = match position {
        Some(p) => json!({ "type": "Point", "coordinates": [p.lon, p.lat] }),
        None => Value::Null,
    };
    let facility = match place {
        Place::Facility { facility_id } => match s.facility(*facility_id) {
            Some(i) => {
                let f = &s.facilities[i as usize];
                json!({ "id": f.id, "name": f.name, "kind": f.kind.as_str(), "kind_label_nb": f.kind.label_nb(), "kind_label_en": f.kind.label_en() })
            }
            None => Value::Null,
        },
        Place::Point { .. } => Value::Null,
    };
    (geometry, facility)
}

fn organisation_json(s: &Snapshot, org_id: i64) -> Value {
    match s.programme.organisation(org_id) {
        Some(o) => {
            json!({ "id": o.id, "name": o.name, "kind": o.kind.as_str(), "contact": o.contact })
        }
        None => json!({ "id": org_id }),
    }
}

/// An activity as a GeoJSON feature. Its next session is counted from `now`.
pub fn activity_feature(s: &Snapshot, i: u32, now: Timestamp, base: &str) -> Value {
    let p = &s.programme.activities;
    let a = &p.items[i as usize];
    let (geometry, facility) = place_json(s, &a.doc.place, p.positions[i as usize]);
    let mut props = serde_json::to_value(&a.doc).expect("a document always serialises");
    let next = a
        .doc
        .schedule
        .next(now)
        .map(|o| json!({ "start": rfc3339(&o.start), "end": rfc3339(&o.end) }));
    let extra = json!({
        "category_label_nb": a.doc.category.label_nb(),
        "category_label_en": a.doc.category.label_en(),
        "free": a.doc.free(),
        "organisation": organisation_json(s, a.org_id),
        "facility": facility,
        "next_session": next,
        "example": a.example,
        "version": a.version,
        "updated_at": timestamp_oslo(a.updated_at),
    });
    merge_into(&mut props, extra);
    json!({
        "type": "Feature",
        "id": a.id,
        "geometry": geometry,
        "properties": props,
        "links": [
            { "href": format!("{base}/api/collections/activities/items/{}", a.id), "rel": "self", "type": GEO_JSON },
            { "href": format!("{base}/api/collections/activities/items/{}?f=jsonld", a.id), "rel": "alternate", "type": JSON_LD, "title": "schema.org / OpenActive" },
        ],
    })
}

/// A volunteer need as a GeoJSON feature: never with the offers of help.
pub fn need_feature(s: &Snapshot, i: u32, base: &str) -> Value {
    let p = &s.programme.needs;
    let n = &p.items[i as usize];
    let (geometry, facility) = place_json(s, &n.doc.place, p.positions[i as usize]);
    let mut props = serde_json::to_value(&n.doc).expect("a document always serialises");
    merge_into(
        &mut props,
        json!({
            "organisation": organisation_json(s, n.org_id),
            "facility": facility,
            "example": n.example,
            "version": n.version,
            "updated_at": timestamp_oslo(n.updated_at),
        }),
    );
    json!({
        "type": "Feature",
        "id": n.id,
        "geometry": geometry,
        "properties": props,
        "links": [
            { "href": format!("{base}/api/collections/volunteer-needs/items/{}", n.id), "rel": "self", "type": GEO_JSON },
            { "href": format!("{base}/api/collections/volunteer-needs/items/{}/offers", n.id), "rel": "offer-help", "type": "application/json", "title": "POST {name, contact} to offer help" },
        ],
    })
}

fn merge_into(target: &mut Value, extra: Value) {
    if let (Value::Object(t), Value::Object(e)) = (target, extra) {
        t.extend(e);
    }
}

/// schema.org / OpenActive `SessionSeries` for an activity.
fn activity_jsonld(s: &Snapshot, i: u32, base: &str) -> Value {
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let p = &s.programme.activities;
    let a = &p.items[i as usize];
    let d = &a.doc;
    let org = s.programme.organisation(a.org_id);
    let (_, facility) = place_json(s, &d.place, p.positions[i as usize]);
    let location = match p.positions[i as usize] {
        Some(pos) => json!({
            "@type": "Place",
            "name": facility.get("name").cloned().unwrap_or(Value::Null),
            "geo": { "@type": "GeoCoordinates", "latitude": pos.lat, "longitude": pos.lon },
        }),
        None => Value::Null,
    };
    let schedule: Vec<Value> = d
        .schedule
        .sessions
        .iter()
        .map(|session| {
            json!({
                "@type": "Schedule",
                "byDay": format!("https://schema.org/{}", DAYS[(session.weekday.clamp(1, 7) - 1) as usize]),
                "startTime": session.start.to_string(),
                "endTime": session.end.to_string(),
                "repeatFrequency": "P1W",
                "scheduleTimezone": "Europe/Oslo",
                "startDate": d.schedule.valid_from.map(|x| x.to_string()),
                "endDate": d.schedule.valid_to.map(|x| x.to_string()),
                "exceptDate": d.schedule.exceptions.iter().map(|x| x.to_string()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "@context": ["https://schema.org/", "https://openactive.io/"],
        "@type": "SessionSeries",
        "@id": format!("{base}/api/collections/activities/items/{}", a.id),
        "identifier": a.id,
        "name": d.title,
        "description": d.description,
        "activity": [{ "@type": "Concept", "prefLabel": d.category.label_en(), "altLabel": d.category.label_nb() }],
        "organizer": { "@type": "Organization", "name": org.map(|o| o.name.as_str()), "email": org.and_then(|o| o.contact.as_deref()) },
        "location": location,
        "ageRange": { "@type": "QuantitativeValue", "minValue": d.age_min, "maxValue": d.age_max },
        "isAccessibleForFree": d.free(),
        "offers": [{ "@type": "Offer", "price": d.price_nok, "priceCurrency": "NOK", "description": d.price_note }],
        "inLanguage": d.languages,
        "accessibilityFeature": d.accessibility,
        "eventSchedule": schedule,
        "url": d.signup_url,
        "dateModified": a.updated_at.to_string(),
        "isExample": a.example,
    })
}

fn json_response(status: StatusCode, content_type: &'static str, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

// --- Reads --------------------------------------------------------------------------------

fn text_matches(words: &[String], text: &str) -> bool {
    let folded = fold(text);
    words.iter().all(|w| folded.contains(w.as_str()))
}

/// Walking seconds to each item reached from `w`, by item index.
fn walk_times(
    s: &Snapshot,
    w: &WalkFrom,
    snaps: &[crate::index::Placement],
    max_snap_m: f64,
) -> Result<std::collections::HashMap<u32, f64>, ApiError> {
    let walk = s
        .walk
        .as_ref()
        .ok_or_else(|| ApiError::Unavailable("no walking network has been imported".into()))?;
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

pub(super) fn add_walk(feature: &mut Value, seconds: f64) {
    feature["properties"]["walk_seconds"] = json!(seconds.round() as u64);
    feature["properties"]["walk_minutes"] = json!((seconds / 60.0).ceil() as u64);
}

fn page(
    base: &str,
    collection: &str,
    raw: Option<&str>,
    mut features: Vec<Value>,
    offset: usize,
    limit: usize,
) -> Value {
    let matched = features.len();
    let features: Vec<Value> = features.drain(offset.min(matched)..).take(limit).collect();
    let mut links = vec![
        json!({ "href": format!("{base}/api/collections/{collection}/items{}", raw.map(|q| format!("?{q}")).unwrap_or_default()), "rel": "self", "type": GEO_JSON }),
    ];
    if offset + features.len() < matched {
        let mut q: Vec<(String, String)> =
            serde_urlencoded::from_str(raw.unwrap_or_default()).unwrap_or_default();
        q.retain(|(k, _)| k != "offset");
        q.push(("offset".into(), (offset + limit).to_string()));
        links.push(json!({ "href": format!("{base}/api/collections/{collection}/items?{}", serde_urlencoded::to_string(&q).unwrap_or_default()), "rel": "next", "type": GEO_JSON }));
    }
    json!({
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": features.len(),
        "timeStamp": Timestamp::now().to_string(),
        "features": features,
        "links": links,
    })
}

pub async fn list_activities(
    State(state): State<AppState>,
    base: BaseUrl,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), ACTIVITY_PARAMS)?;
    only_json(&params)?;
    let filter = ActivityFilter::parse(&params)?;
    let limits = &state.limits;
    let limit = params
        .integer("limit", limits.default_limit, 1)?
        .min(limits.max_limit) as usize;
    let offset = params.integer("offset", 0, 0)?.min(u32::MAX as u64) as usize;
    let bbox = params.bbox()?;
    let words: Vec<String> = params
        .text("q", limits.max_query_chars)?
        .map(|q| fold(q).split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let walk = walk_from(&params, limits.max_walk_minutes)?;
    let s = state.snapshot.load();
    let p = &s.programme.activities;
    let candidates: Vec<u32> = match &bbox {
        Some(b) => p.in_bbox(b),
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
    Ok(json_response(
        StatusCode::OK,
        GEO_JSON,
        &page(
            &base.0,
            "activities",
            raw.as_deref(),
            features,
            offset,
            limit,
        ),
    ))
}

pub async fn list_needs(
    State(state): State<AppState>,
    base: BaseUrl,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), NEED_PARAMS)?;
    only_json(&params)?;
    let limits = &state.limits;
    let limit = params
        .integer("limit", limits.default_limit, 1)?
        .min(limits.max_limit) as usize;
    let offset = params.integer("offset", 0, 0)?.min(u32::MAX as u64) as usize;
    let bbox = params.bbox()?;
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
        Some(b) => p.in_bbox(b),
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
    Ok(json_response(
        StatusCode::OK,
        GEO_JSON,
        &page(
            &base.0,
            "volunteer-needs",
            raw.as_deref(),
            features,
            offset,
            limit,
        ),
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

fn parse_id(fid: &str) -> Option<i64> {
    fid.parse().ok()
}

pub async fn get_activity(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(fid): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), &["f"])?;
    let s = state.snapshot.load();
    let i = parse_id(&fid)
        .and_then(|id| s.programme.activities.index_of(id))
        .ok_or_else(|| ApiError::NotFound(format!("no activity {fid:?}")))?;
    let wants_ld = match params.get("f") {
        Some("jsonld") => true,
        None => headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains(JSON_LD)),
        Some("json") | Some("geojson") => false,
        Some(other) => {
            return Err(ApiError::invalid(
                "f",
                format!("{other:?}: use json or jsonld"),
            ));
        }
    };
    let version = s.programme.activities.items[i as usize].version;
    let mut r = if wants_ld {
        json_response(StatusCode::OK, JSON_LD, &activity_jsonld(&s, i, &base.0))
    } else {
        json_response(
            StatusCode::OK,
            GEO_JSON,
            &activity_feature(&s, i, Timestamp::now(), &base.0),
        )
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
    only_json(&Params::parse(raw.as_deref(), &["f"])?)?;
    let s = state.snapshot.load();
    let i = parse_id(&fid)
        .and_then(|id| s.programme.needs.index_of(id))
        .filter(|&i| s.programme.needs.items[i as usize].doc.valid_until >= today(Timestamp::now()))
        .ok_or_else(|| ApiError::NotFound(format!("no current volunteer need {fid:?}")))?;
    let version = s.programme.needs.items[i as usize].version;
    let mut r = json_response(StatusCode::OK, GEO_JSON, &need_feature(&s, i, &base.0));
    r.headers_mut().insert(
        header::ETAG,
        HeaderValue::from_str(&etag(version)).expect("ascii"),
    );
    Ok(r)
}

// --- Writes -------------------------------------------------------------------------------

/// The actor behind `Authorization: Bearer …`, or a 401.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Actor, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("send an API token as `Authorization: Bearer TOKEN` (made with `naermiljo token create`)".into()))?;
    let hash = token_sha256(token);
    match state.store.token(&hash).await {
        Ok(Some(actor)) => Ok(actor),
        Ok(None) => Err(ApiError::Unauthorized(
            "the API token is unknown or revoked".into(),
        )),
        Err(e) => Err(ApiError::StoreDown(e.to_string())),
    }
}

/// The stored form of a token: SHA-256, hex.
pub fn token_sha256(token: &str) -> String {
    let digest = sha2::Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The version an `If-Match` header names; 428 when absent, 412 when it cannot match.
fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let v = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::PreconditionRequired(
            "send If-Match with the ETag of the item as you read it, so that no one's change is lost".into(),
        ))?;
    v.trim()
        .trim_start_matches("W/")
        .strip_prefix("\"v")
        .and_then(|r| r.strip_suffix('"'))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| ApiError::PreconditionFailed {
            detail: format!("If-Match {v} does not name a version of this item"),
            current: None,
        })
}

/// Parses a written body: a GeoJSON Feature (its properties, a Point geometry as the
/// place when none is given) or the plain object. Read-only keys are dropped.
fn body_object(body: &Bytes) -> Result<serde_json::Map<String, Value>, ApiError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::InvalidBody(vec![FieldError {
            field: "body".into(),
            reason: format!("not JSON: {e}"),
        }])
    })?;
    let Value::Object(mut o) = v else {
        return Err(ApiError::InvalidBody(vec![FieldError {
            field: "body".into(),
            reason: "must be a JSON object or a GeoJSON Feature".into(),
        }]));
    };
    if o.get("type").and_then(Value::as_str) == Some("Feature") {
        let geometry = o.remove("geometry");
        let mut props = match o.remove("properties") {
            Some(Value::Object(p)) => p,
            _ => serde_json::Map::new(),
        };
        if !props.contains_key("place")
            && let Some(g) = geometry
            && g.get("type").and_then(Value::as_str) == Some("Point")
            && let Some([lon, lat]) = g
                .get("coordinates")
                .and_then(Value::as_array)
                .and_then(|c| <&[Value; 2]>::try_from(c.as_slice()).ok())
        {
            props.insert("place".into(), json!({ "lon": lon, "lat": lat }));
        }
        o = props;
    }
    for k in READ_ONLY {
        o.remove(*k);
    }
    Ok(o)
}

/// Checks places against the snapshot: facilities that exist, points in the area served.
struct World<'a>(&'a Snapshot);

impl PlaceCheck for World<'_> {
    fn facility_exists(&self, id: i64) -> bool {
        self.0.facility(id).is_some()
    }

    fn inside_area(&self, p: LonLat) -> bool {
        self.0.service_area_contains(p)
    }
}

/// The document from a body, checked; `org_id` taken out of it.
fn checked_doc<D: serde::de::DeserializeOwned + serde::Serialize>(
    mut o: serde_json::Map<String, Value>,
    validate: impl Fn(&D) -> Vec<FieldError>,
) -> Result<(D, Option<i64>, Value), ApiError> {
    let org_id = match o.remove("org_id") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| {
            ApiError::InvalidBody(vec![FieldError {
                field: "org_id".into(),
                reason: "must be an organisation id".into(),
            }])
        })?),
    };
    let doc: D = serde_json::from_value(Value::Object(o)).map_err(|e| {
        ApiError::InvalidBody(vec![FieldError {
            field: "body".into(),
            reason: e.to_string(),
        }])
    })?;
    let errors = validate(&doc);
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }
    let value = serde_json::to_value(&doc).expect("a document always serialises");
    Ok((doc, org_id, value))
}

fn valid_until_of(c: ItemCollection, doc: &Value) -> Option<String> {
    (c == ItemCollection::VolunteerNeeds)
        .then(|| {
            doc.get("valid_until")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .flatten()
}

/// Validates a body for a collection and returns the document as JSON.
fn validate_body(
    c: ItemCollection,
    s: &Snapshot,
    o: serde_json::Map<String, Value>,
) -> Result<(Value, Option<i64>), ApiError> {
    let world = World(s);
    match c {
        ItemCollection::Activities => {
            let (_, org, v) = checked_doc::<ActivityDoc>(o, |d| d.validate(&world))?;
            Ok((v, org))
        }
        ItemCollection::VolunteerNeeds => {
            let today = today(Timestamp::now());
            let (_, org, v) = checked_doc::<NeedDoc>(o, |d| d.validate(&world, today))?;
            Ok((v, org))
        }
    }
}

/// After a write: this instance answers from the new data before it replies.
async fn written(
    state: &AppState,
    c: ItemCollection,
    outcome: WriteOutcome,
    base: &str,
    created: bool,
) -> Result<Response, ApiError> {
    let (id, version) = match outcome {
        WriteOutcome::Done { id, version, .. } => (id, version),
        WriteOutcome::NotFound => return Err(ApiError::NotFound(format!("no item in {}", c.id()))),
        WriteOutcome::Forbidden => {
            return Err(ApiError::Forbidden(
                "this token's organisation does not own the item".into(),
            ));
        }
        WriteOutcome::Stale { current_version } => {
            return Err(ApiError::PreconditionFailed {
                detail: format!(
                    "the item changed since it was read (now version {current_version}); read it again and reapply the change"
                ),
                current: Some(etag(current_version)),
            });
        }
    };
    if let Err(e) = crate::app::refresh(state).await {
        tracing::warn!(error = %format!("{e:#}"), "refresh after a write failed; the next poll retries");
    }
    if version == 0 {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let s = state.snapshot.load();
    let feature = match c {
        ItemCollection::Activities => s
            .programme
            .activities
            .index_of(id)
            .map(|i| activity_feature(&s, i, Timestamp::now(), base)),
        ItemCollection::VolunteerNeeds => s
            .programme
            .needs
            .index_of(id)
            .map(|i| need_feature(&s, i, base)),
    }
    .unwrap_or_else(|| json!({ "id": id }));
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut r = json_response(status, GEO_JSON, &feature);
    let h = r.headers_mut();
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&etag(version)).expect("ascii"),
    );
    if created {
        h.insert(
            header::LOCATION,
            HeaderValue::from_str(&format!("{base}/api/collections/{}/items/{id}", c.id()))
                .expect("ascii"),
        );
    }
    Ok(r)
}

fn store_down(e: crate::store::StoreError) -> ApiError {
    ApiError::StoreDown(e.to_string())
}

async fn create(
    state: AppState,
    c: ItemCollection,
    headers: HeaderMap,
    base: String,
    body: Bytes,
) -> Result<Response, ApiError> {
    let actor = authenticate(&state, &headers).await?;
    let s = state.snapshot.load();
    let (doc, org) = validate_body(c, &s, body_object(&body)?)?;
    drop(s);
    let org_id = org.unwrap_or(actor.org_id);
    if actor.role == Role::Editor && org_id != actor.org_id {
        return Err(ApiError::Forbidden(
            "an editor writes only for its own organisation".into(),
        ));
    }
    if state
        .snapshot
        .load()
        .programme
        .organisation(org_id)
        .is_none()
    {
        return Err(ApiError::InvalidBody(vec![FieldError {
            field: "org_id".into(),
            reason: format!("no organisation {org_id}"),
        }]));
    }
    let valid_until = valid_until_of(c, &doc);
    let outcome = state
        .store
        .write_item(
            c,
            &actor,
            ItemWrite::Create {
                org_id,
                example: false,
                doc,
                valid_until,
            },
        )
        .await
        .map_err(store_down)?;
    written(&state, c, outcome, &base, true).await
}

async fn replace(
    state: AppState,
    c: ItemCollection,
    fid: String,
    headers: HeaderMap,
    base: String,
    body: Bytes,
    patch: bool,
) -> Result<Response, ApiError> {
    let actor = authenticate(&state, &headers).await?;
    let id = parse_id(&fid)
        .ok_or_else(|| ApiError::NotFound(format!("no item {fid:?} in {}", c.id())))?;
    let expected_version = if_match(&headers)?;
    let s = state.snapshot.load();
    let current = match c {
        ItemCollection::Activities => s.programme.activities.index_of(id).map(|i| {
            let a = &s.programme.activities.items[i as usize];
            (a.org_id, serde_json::to_value(&a.doc).expect("serialises"))
        }),
        ItemCollection::VolunteerNeeds => s.programme.needs.index_of(id).map(|i| {
            let n = &s.programme.needs.items[i as usize];
            (n.org_id, serde_json::to_value(&n.doc).expect("serialises"))
        }),
    };
    // Owner and version are checked by the store in the write's transaction; this only
    // answers a foreign editor early, from what this instance knows.
    let Some((owner, current_doc)) = current else {
        return Err(ApiError::NotFound(format!("no item {fid:?} in {}", c.id())));
    };
    if actor.role == Role::Editor && owner != actor.org_id {
        return Err(ApiError::Forbidden(
            "this token's organisation does not own the item".into(),
        ));
    }
    let mut o = body_object(&body)?;
    if patch {
        let mut merged = current_doc;
        merge_patch(&mut merged, Value::Object(o));
        o = match merged {
            Value::Object(m) => m,
            _ => serde_json::Map::new(),
        };
    }
    let (doc, org) = validate_body(c, &s, o)?;
    drop(s);
    if org.is_some_and(|o| o != owner) {
        return Err(ApiError::InvalidBody(vec![FieldError {
            field: "org_id".into(),
            reason: "an item's organisation cannot change".into(),
        }]));
    }
    let valid_until = valid_until_of(c, &doc);
    let outcome = state
        .store
        .write_item(
            c,
            &actor,
            ItemWrite::Replace {
                id,
                expected_version,
                doc,
                valid_until,
            },
        )
        .await
        .map_err(store_down)?;
    written(&state, c, outcome, &base, false).await
}

/// RFC 7396 JSON Merge Patch.
fn merge_patch(target: &mut Value, patch: Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(serde_json::Map::new());
            }
            let t = target.as_object_mut().expect("made an object above");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(&k);
                } else {
                    merge_patch(t.entry(k).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other,
    }
}

async fn delete(
    state: AppState,
    c: ItemCollection,
    fid: String,
    headers: HeaderMap,
    base: String,
) -> Result<Response, ApiError> {
    let actor = authenticate(&state, &headers).await?;
    let id = parse_id(&fid)
        .ok_or_else(|| ApiError::NotFound(format!("no item {fid:?} in {}", c.id())))?;
    let expected_version = if_match(&headers)?;
    let outcome = state
        .store
        .write_item(
            c,
            &actor,
            ItemWrite::Delete {
                id,
                expected_version,
            },
        )
        .await
        .map_err(store_down)?;
    written(&state, c, outcome, &base, false).await
}

/// Which collection a write handler serves, as a type: `post_item::<Activities>`.
pub trait Writable {
    const COLLECTION: ItemCollection;
}

pub struct Activities;
pub struct VolunteerNeeds;

impl Writable for Activities {
    const COLLECTION: ItemCollection = ItemCollection::Activities;
}

impl Writable for VolunteerNeeds {
    const COLLECTION: ItemCollection = ItemCollection::VolunteerNeeds;
}

pub async fn post_item<C: Writable>(
    State(state): State<AppState>,
    base: BaseUrl,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    create(state, C::COLLECTION, headers, base.0, body).await
}

pub async fn put_item<C: Writable>(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(fid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    replace(state, C::COLLECTION, fid, headers, base.0, body, false).await
}

pub async fn patch_item<C: Writable>(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(fid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    replace(state, C::COLLECTION, fid, headers, base.0, body, true).await
}

pub async fn delete_item<C: Writable>(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(fid): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    delete(state, C::COLLECTION, fid, headers, base.0).await
}

/// `POST …/volunteer-needs/items/{id}/offers`: anyone may offer help. The reply never
/// repeats what was sent.
pub async fn post_offer(
    State(state): State<AppState>,
    Path(fid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let offer: HelpOffer = serde_json::from_slice(&body).map_err(|e| {
        ApiError::InvalidBody(vec![FieldError {
            field: "body".into(),
            reason: format!("expected {{\"name\", \"contact\", \"message\"?}}: {e}"),
        }])
    })?;
    let errors = offer.validate();
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }
    let id =
        parse_id(&fid).ok_or_else(|| ApiError::NotFound(format!("no volunteer need {fid:?}")))?;
    let today = today(Timestamp::now()).to_string();
    match state.store.add_offer(id, &offer, &today).await {
        Ok(true) => Ok(json_response(
            StatusCode::ACCEPTED,
            "application/json",
            &json!({ "status": "received", "detail": "Takk! The organisation will contact you. Your name and contact are shown to no one else and are deleted when the need expires." }),
        )),
        Ok(false) => Err(ApiError::NotFound(format!(
            "no current volunteer need {fid:?}"
        ))),
        Err(e) => Err(store_down(e)),
    }
}

/// `GET …/volunteer-needs/items/{id}/offers`: for the need's organisation (or an admin).
pub async fn get_offers(
    State(state): State<AppState>,
    Path(fid): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let actor = authenticate(&state, &headers).await?;
    let id =
        parse_id(&fid).ok_or_else(|| ApiError::NotFound(format!("no volunteer need {fid:?}")))?;
    let owner = {
        let s = state.snapshot.load();
        s.programme
            .needs
            .index_of(id)
            .map(|i| s.programme.needs.items[i as usize].org_id)
    }
    .ok_or_else(|| ApiError::NotFound(format!("no volunteer need {fid:?}")))?;
    if actor.role == Role::Editor && owner != actor.org_id {
        return Err(ApiError::Forbidden(
            "offers are shown only to the need's organisation".into(),
        ));
    }
    let offers = state.store.offers(id).await.map_err(store_down)?;
    let mut r = json_response(
        StatusCode::OK,
        "application/json",
        &json!({ "need_id": id, "offers": offers }),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(r)
}

/// The two collections' entries for `/api/collections`.
pub fn collections_json(s: &Snapshot, base: &str) -> Vec<Value> {
    let extent = s
        .extent()
        .map(|b| b.as_array().to_vec())
        .unwrap_or_default();
    [
        ("activities", "Aktiviteter / Activities", "Recurring activities at facilities or places: category, ages, price, weekly sessions with the next one, organiser. Filter by category, age, weekday, time_of_day, free, org; lon/lat/minutes/profile for those within a walk. Writable with an API token (POST; PUT/PATCH/DELETE with If-Match)."),
        ("volunteer-needs", "Frivillighet / Volunteer needs", "What organisations need help with, until when; offer help with POST …/items/{id}/offers. Writable with an API token."),
    ]
    .iter()
    .map(|(id, title, description)| {
        json!({
            "id": id,
            "title": title,
            "description": description,
            "itemType": "feature",
            "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
            "extent": { "spatial": { "bbox": [extent], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84" } },
            "links": [
                { "href": format!("{base}/api/collections/{id}"), "rel": "self", "type": "application/json" },
                { "href": format!("{base}/api/collections/{id}/items"), "rel": "items", "type": GEO_JSON },
            ]
        })
    })
    .collect()
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
