//! `GET /api/calendar` (issue 18): the concrete sessions of the activities within a walk of a
//! place (or of all activities) in a date range, as JSON or as iCalendar (RFC 5545, written
//! by the `icalendar` crate) that a resident's calendar can subscribe to.
//!
//! Weekly rules are expanded day by day in Oslo ([`Schedule::occurrences`]), so a session
//! keeps its wall time across a DST change; exception dates and the valid dates apply. The
//! iCalendar events are written in UTC (`DTSTART:…Z`), which needs no `VTIMEZONE`; each
//! event's `UID` is the activity and the session's start, the same on every fetch, so a
//! subscription updates in place.
//!
//! [`Schedule::occurrences`]: crate::domain::activity::Schedule::occurrences

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use icalendar::{Component, EventLike};
use jiff::civil::Date;
use serde_json::{Value, json};

use super::super::error::ApiError;
use super::super::params::Params;
use super::super::{AppState, BaseUrl};
use super::filter::{ActivityFilter, walk_from};
use crate::domain::activity::{Occurrence, oslo, rfc3339, today};

const CALENDAR_PARAMS: &[&str] = &[
    "lon",
    "lat",
    "minutes",
    "profile",
    "from",
    "to",
    "category",
    "age",
    "weekday",
    "time_of_day",
    "free",
    "org",
    "accessibility",
    "facility",
    "f",
    "lang",
];

/// The longest range asked at once, in days.
pub const MAX_CALENDAR_DAYS: i64 = 62;
/// The range when none is asked: today and the six days after.
const DEFAULT_DAYS: i64 = 7;

/// One session, with what is shown of its activity.
struct Entry {
    activity: u32,
    occurrence: Occurrence,
    walk_seconds: Option<f64>,
}

fn date(params: &Params, name: &str) -> Result<Option<Date>, ApiError> {
    params
        .get(name)
        .map(|s| {
            s.trim().parse::<Date>().map_err(|_| {
                ApiError::invalid(name, format!("{s:?} is not a date; use 2026-12-01"))
            })
        })
        .transpose()
}

pub async fn get_calendar(
    State(state): State<AppState>,
    base: BaseUrl,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), CALENDAR_PARAMS)?;
    let ics = match params.get("f") {
        None | Some("json") => false,
        Some("ics") => true,
        Some(other) => {
            return Err(ApiError::invalid(
                "f",
                format!("{other:?}: use json or ics"),
            ));
        }
    };
    let english = match params.get("lang") {
        None | Some("nb") => false,
        Some("en") => true,
        Some(other) => {
            return Err(ApiError::invalid(
                "lang",
                format!("{other:?}: use nb or en"),
            ));
        }
    };
    let now = jiff::Timestamp::now();
    let from = date(&params, "from")?.unwrap_or_else(|| today(now));
    let to = match date(&params, "to")? {
        Some(to) => to,
        None => from
            .checked_add(jiff::Span::new().days(DEFAULT_DAYS - 1))
            .map_err(|e| ApiError::invalid("from", e.to_string()))?,
    };
    let days = (to - from).get_days() as i64 + 1;
    if days < 1 {
        return Err(ApiError::invalid(
            "to",
            format!("{to} is before from ({from})"),
        ));
    }
    if days > MAX_CALENDAR_DAYS {
        return Err(ApiError::LimitExceeded {
            name: "to".into(),
            detail: format!("{days} days is more than the {MAX_CALENDAR_DAYS} days served at once"),
            limit: MAX_CALENDAR_DAYS as u64,
        });
    }
    let filter = ActivityFilter::parse(&params)?;
    let limits = &state.limits;
    let walk = walk_from(&params, limits.max_walk_minutes)?;
    let s = state.snapshot.load();
    let p = &s.programme.activities;
    let chosen: Vec<(u32, Option<f64>)> = {
        let matching = (0..p.len() as u32).filter(|&i| {
            let a = &p.items[i as usize];
            filter.matches(a.org_id, &a.doc)
        });
        match &walk {
            None => matching.map(|i| (i, None)).collect(),
            Some(w) => {
                let times = super::read::walk_times(&s, w, &p.snaps, limits.max_snap_m)?;
                matching
                    .filter_map(|i| times.get(&i).map(|t| (i, Some(*t))))
                    .collect()
            }
        }
    };
    let start = day_start(from)?;
    let end = day_start(
        to.tomorrow()
            .map_err(|e| ApiError::invalid("to", e.to_string()))?,
    )?;
    let mut entries: Vec<Entry> = chosen
        .into_iter()
        .flat_map(|(i, walk_seconds)| {
            let a = &p.items[i as usize];
            a.doc
                .schedule
                .occurrences(start, end)
                .into_iter()
                .filter(|o| filter.session_matches(o))
                .map(move |occurrence| Entry {
                    activity: i,
                    occurrence,
                    walk_seconds,
                })
        })
        .collect();
    entries.sort_by_key(|e| (e.occurrence.start.timestamp(), e.activity));

    let host = base.0.clone();
    if ics {
        let body = ics_body(&s, &entries, &host, from, to, english);
        let mut r = (StatusCode::OK, body).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/calendar; charset=utf-8"),
        );
        r.headers_mut().insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("inline; filename=\"naermiljo.ics\""),
        );
        return Ok(r);
    }
    let sessions: Vec<Value> = entries
        .iter()
        .map(|e| {
            let a = &p.items[e.activity as usize];
            let position = p.positions[e.activity as usize];
            json!({
                "activity_id": a.id,
                "title": a.doc.title,
                "category": a.doc.category.as_str(),
                "start": rfc3339(&e.occurrence.start),
                "end": rfc3339(&e.occurrence.end),
                "organisation": s.programme.organisation(a.org_id).map(|o| o.name.clone()),
                "place": place_name(&s, e.activity),
                "position": position.map(|p| [p.lon, p.lat]),
                "walk_minutes": e.walk_seconds.map(|t| (t / 60.0).ceil() as u64),
                "url": format!("{host}/api/collections/activities/items/{}", a.id),
            })
        })
        .collect();
    let ics_link = {
        let mut q: Vec<(String, String)> =
            serde_urlencoded::from_str(raw.as_deref().unwrap_or_default()).unwrap_or_default();
        q.retain(|(k, _)| k != "f");
        q.push(("f".into(), "ics".into()));
        format!(
            "{host}/api/calendar?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    };
    let body = json!({
        "from": from.to_string(),
        "to": to.to_string(),
        "time_zone": "Europe/Oslo",
        "numberReturned": sessions.len(),
        "sessions": sessions,
        "links": [{ "href": ics_link, "rel": "alternate", "type": "text/calendar", "title": "iCalendar (RFC 5545)" }],
    });
    Ok(super::json_response(
        StatusCode::OK,
        "application/json",
        &body,
    ))
}

/// Midnight at the start of `day` in Oslo.
fn day_start(day: Date) -> Result<jiff::Timestamp, ApiError> {
    day.to_datetime(jiff::civil::Time::midnight())
        .to_zoned_datetime(oslo())
        .map(|z| z.timestamp())
        .map_err(|e| ApiError::invalid("from", e.to_string()))
}

/// Where an activity is held: its facility's name, or none for a point.
fn place_name(s: &crate::index::Snapshot, i: u32) -> Option<String> {
    use crate::domain::activity::Place;
    match &s.programme.activities.items[i as usize].doc.place {
        Place::Facility { facility_id } => s
            .facility(*facility_id)
            .and_then(|f| s.facilities[f as usize].name.clone()),
        _ => None,
    }
}

/// How far from a point its nearest address may be to name it, in metres.
const NEAR_ADDRESS_M: f64 = 75.0;

/// An event's `LOCATION`: the facility's name; for an unnamed facility its kind and address
/// (`Ballbinge, Tøyengata 2`); for a point the nearest address within `NEAR_ADDRESS_M`
/// (`ved Tøyengata 2` / `near …`), else its latitude and longitude, which calendar apps
/// open on a map.
fn location(s: &crate::index::Snapshot, i: u32, english: bool) -> Option<String> {
    use crate::domain::activity::Place;
    match &s.programme.activities.items[i as usize].doc.place {
        Place::Facility { facility_id } => {
            let f = &s.facilities[s.facility(*facility_id)? as usize];
            if let Some(name) = &f.name {
                return Some(name.clone());
            }
            let kind = if english {
                f.kind.label_en()
            } else {
                f.kind.label_nb()
            };
            Some(match &f.address {
                Some(a) => format!("{kind}, {a}"),
                None => kind.to_string(),
            })
        }
        Place::Point { lon, lat } => {
            let at = crate::domain::LonLat::new(*lon, *lat);
            let dlat = NEAR_ADDRESS_M / 111_320.0;
            let dlon = dlat / lat.to_radians().cos().max(0.1);
            let bbox = crate::domain::Bbox {
                min_lon: lon - dlon,
                min_lat: lat - dlat,
                max_lon: lon + dlon,
                max_lat: lat + dlat,
            };
            let near = s
                .addresses_in(&bbox)
                .into_iter()
                .map(|a| &s.addresses[a as usize])
                .map(|a| (crate::routing::haversine_m(at, a.position), a))
                .filter(|(d, _)| *d <= NEAR_ADDRESS_M)
                .min_by(|x, y| x.0.total_cmp(&y.0));
            Some(match near {
                Some((_, a)) => format!(
                    "{} {} {}",
                    if english { "near" } else { "ved" },
                    a.street,
                    a.number
                ),
                None => format!("{lat:.5}, {lon:.5}"),
            })
        }
    }
}

fn utc(t: jiff::Timestamp) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.as_second(), 0).unwrap_or_default()
}

/// The sessions as an iCalendar document.
fn ics_body(
    s: &crate::index::Snapshot,
    entries: &[Entry],
    host: &str,
    from: Date,
    to: Date,
    english: bool,
) -> String {
    let p = &s.programme.activities;
    let mut calendar = icalendar::Calendar::new();
    let name = if english {
        format!("Nærmiljø: activities {from} – {to}")
    } else {
        format!("Nærmiljø: aktiviteter {from} – {to}")
    };
    calendar.name(&name).timezone("Europe/Oslo");
    let authority = host
        .split("://")
        .nth(1)
        .unwrap_or(host)
        .split('/')
        .next()
        .unwrap_or("naermiljo");
    for e in entries {
        let a = &p.items[e.activity as usize];
        let start = e.occurrence.start.timestamp();
        let mut description = String::new();
        if let Some(o) = s.programme.organisation(a.org_id) {
            description.push_str(&format!("{}\n", o.name));
        }
        if let Some(d) = &a.doc.description {
            description.push_str(&format!("{d}\n"));
        }
        if let Some(t) = e.walk_seconds {
            let minutes = (t / 60.0).ceil() as u64;
            description.push_str(&if english {
                format!("{minutes} min walk\n")
            } else {
                format!("{minutes} min å gå\n")
            });
        }
        let mut event = icalendar::Event::new();
        event
            .uid(&format!(
                "activity-{}-{}@{authority}",
                a.id,
                start.strftime("%Y%m%dT%H%M%SZ")
            ))
            .timestamp(utc(a.updated_at))
            .summary(&a.doc.title)
            .description(description.trim_end())
            .starts(utc(start))
            .ends(utc(e.occurrence.end.timestamp()))
            .url(&format!("{host}/api/collections/activities/items/{}", a.id));
        if let Some(place) = location(s, e.activity, english) {
            event.location(&place);
        }
        if let Some(pos) = p.positions[e.activity as usize] {
            event.add_property("GEO", format!("{:.6};{:.6}", pos.lat, pos.lon));
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}
