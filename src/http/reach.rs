//! `GET /api/reach` and `GET /api/isochrone`: what a resident reaches on foot.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::error::ApiError;
use super::params::Params;
use crate::domain::{KindFilter, LonLat};
use crate::index::{Snapshot, WalkIndex};
use crate::routing::Profile;

const REACH_PARAMS: &[&str] = &["lon", "lat", "minutes", "bands", "profile", "kind"];
const ISOCHRONE_PARAMS: &[&str] = &["lon", "lat", "minutes", "profile"];
/// The bands drawn when a reach request names none (those up to its `minutes`, and it).
const DEFAULT_BANDS: [u32; 3] = [5, 10, 15];

fn coordinate(
    params: &Params,
    name: &str,
    range: std::ops::RangeInclusive<f64>,
) -> Result<f64, ApiError> {
    let s = params
        .get(name)
        .ok_or_else(|| ApiError::invalid(name, "required"))?;
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid(name, format!("{s:?} is not a number")))?;
    if !v.is_finite() || !range.contains(&v) {
        return Err(ApiError::invalid(
            name,
            format!("{v} is outside {}..{}", range.start(), range.end()),
        ));
    }
    Ok(v)
}

fn origin(params: &Params) -> Result<LonLat, ApiError> {
    Ok(LonLat::new(
        coordinate(params, "lon", -180.0..=180.0)?,
        coordinate(params, "lat", -90.0..=90.0)?,
    ))
}

fn profile(params: &Params) -> Result<Profile, ApiError> {
    match params.get("profile") {
        None => Ok(Profile::Walk),
        Some(p) => Profile::parse(p).ok_or_else(|| {
            ApiError::invalid(
                "profile",
                format!("{p:?} is not a profile; use walk, slow or wheelchair"),
            )
        }),
    }
}

/// Comma-separated whole minutes, each 1..=max, at most `max_count` of them, ascending.
fn minutes_list(name: &str, s: &str, max: u32, max_count: usize) -> Result<Vec<u32>, ApiError> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim) {
        let m: i64 = part.parse().map_err(|_| {
            ApiError::invalid(name, format!("{part:?} is not a whole number of minutes"))
        })?;
        if m < 1 {
            return Err(ApiError::invalid(
                name,
                format!("{m} must be at least 1 minute"),
            ));
        }
        if m > max as i64 {
            return Err(ApiError::LimitExceeded {
                name: name.into(),
                detail: format!("{m} minutes is more than the {max} minutes served"),
                limit: max as u64,
            });
        }
        out.push(m as u32);
    }
    out.sort_unstable();
    out.dedup();
    if out.len() > max_count {
        return Err(ApiError::LimitExceeded {
            name: name.into(),
            detail: format!("{} bands is more than the {max_count} served", out.len()),
            limit: max_count as u64,
        });
    }
    Ok(out)
}

fn network(s: &Snapshot) -> Result<&WalkIndex, ApiError> {
    s.walk.as_ref().ok_or_else(|| {
        ApiError::Unavailable(match &s.walk_problem {
            Some(p) => format!("the walking network could not be loaded ({p})"),
            None => {
                "no walking network yet: import an OSM extract with `naermiljo import osm`".into()
            }
        })
    })
}

/// Bands as GeoJSON features, the largest first so that a map draws the smaller on top.
fn band_features(bands: &[(u32, geo::MultiPolygon<f64>)], profile: Profile) -> Vec<Value> {
    bands
        .iter()
        .rev()
        .map(|(m, poly)| {
            let coordinates: Vec<Vec<Vec<[f64; 2]>>> = poly
                .0
                .iter()
                .map(|p| {
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|r| r.0.iter().map(|c| [c.x, c.y]).collect())
                        .collect()
                })
                .collect();
            json!({
                "type": "Feature",
                "geometry": { "type": "MultiPolygon", "coordinates": coordinates },
                "properties": { "minutes": m, "profile": profile.as_str() },
            })
        })
        .collect()
}

fn origin_json(requested: LonLat, snapped: &crate::routing::snap::Snapped) -> Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "Point", "coordinates": [snapped.point.rounded().lon, snapped.point.rounded().lat] },
        "properties": {
            "requested": [requested.lon, requested.lat],
            "snap_distance_m": (snapped.distance_m * 10.0).round() / 10.0,
        }
    })
}

fn json_response(content_type: &'static str, body: &Value) -> Response {
    let mut r = body.to_string().into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

pub async fn get_reach(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), REACH_PARAMS)?;
    let limits = &state.limits;
    let at = origin(&params)?;
    let profile = profile(&params)?;
    let minutes = match params.get("minutes") {
        None => 15,
        Some(m) => minutes_list("minutes", m, limits.max_walk_minutes, 1)?[0],
    };
    let bands = match params.get("bands") {
        Some(b) => minutes_list("bands", b, minutes, limits.max_bands)?,
        None => {
            let mut b: Vec<u32> = DEFAULT_BANDS.into_iter().filter(|&m| m < minutes).collect();
            b.push(minutes);
            b
        }
    };
    let kinds = params
        .get("kind")
        .map(KindFilter::parse)
        .transpose()
        .map_err(|bad| ApiError::invalid("kind", format!("unknown kind {bad:?}")))?;

    let s = state.snapshot.load();
    let walk = network(&s)?;
    let reach = walk
        .reach(
            &s.facilities,
            at,
            profile,
            minutes,
            &bands,
            kinds.as_ref(),
            limits.max_snap_m,
        )
        .map_err(|e| ApiError::OutsideCoverage(e.to_string()))?;
    let speed = profile.speed_mps();
    let facilities: Vec<Value> = reach
        .facilities
        .iter()
        .map(|&(i, seconds)| {
            let f = &s.facilities[i as usize];
            let district =
                s.facility_district[i as usize].map(|d| s.districts[d as usize].name.clone());
            json!({
                "type": "Feature",
                "id": f.id,
                "geometry": { "type": "Point", "coordinates": [f.position.lon, f.position.lat] },
                "properties": {
                    "kind": f.kind,
                    "kind_label_nb": f.kind.label_nb(),
                    "kind_label_en": f.kind.label_en(),
                    "name": f.name,
                    "address": f.address,
                    "district": district,
                    "wheelchair": f.wheelchair,
                    "walk_seconds": seconds.round() as u64,
                    "walk_minutes": (seconds / 60.0).ceil() as u64,
                    "distance_m": (seconds * speed).round() as u64,
                }
            })
        })
        .collect();
    Ok(json_response(
        "application/json",
        &json!({
            "origin": origin_json(at, &reach.origin),
            "profile": profile.as_str(),
            "speed_kmh": profile.speed_kmh(),
            "minutes": minutes,
            "bands": { "type": "FeatureCollection", "features": band_features(&reach.bands, profile) },
            "facilities": { "type": "FeatureCollection", "numberReturned": facilities.len(), "features": facilities },
            "attribution": "© OpenStreetMap contributors",
        }),
    ))
}

pub async fn get_isochrone(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), ISOCHRONE_PARAMS)?;
    let limits = &state.limits;
    let at = origin(&params)?;
    let profile = profile(&params)?;
    let bands = minutes_list(
        "minutes",
        params.get("minutes").unwrap_or("5,10,15"),
        limits.max_walk_minutes,
        limits.max_bands,
    )?;
    let max = *bands.last().expect("at least one band");
    let s = state.snapshot.load();
    let walk = network(&s)?;
    let reach = walk
        .reach(&[], at, profile, max, &bands, None, limits.max_snap_m)
        .map_err(|e| ApiError::OutsideCoverage(e.to_string()))?;
    Ok(json_response(
        super::features::GEO_JSON,
        &json!({
            "type": "FeatureCollection",
            "origin": origin_json(at, &reach.origin),
            "features": band_features(&reach.bands, profile),
        }),
    ))
}
