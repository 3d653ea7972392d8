//! `GET /api/search`: the one search box (issue 16 item 7). Residents type addresses and
//! places: the answer holds addresses, facilities by name and districts by name, grouped,
//! with a point for the map to go to (and a district's bbox to fit).

use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::AppState;
use super::error::ApiError;
use super::params::Params;
use crate::index::Snapshot;
use crate::index::search::{Place, fold};

/// The groups, in the order they are ranked for a query: a query with a digit is an
/// address first; a name is a place first. A place whose name is the whole query leads.
fn ranked_groups(query: &str) -> [&'static str; 3] {
    if query.chars().any(|c| c.is_ascii_digit()) {
        ["address", "facility", "district"]
    } else {
        ["facility", "district", "address"]
    }
}

fn point(lon: f64, lat: f64) -> Value {
    json!({ "type": "Point", "coordinates": [lon, lat] })
}

fn place_feature(s: &Snapshot, place: Place) -> (String, Value) {
    match place {
        Place::Facility(i) => {
            let f = &s.facilities[i as usize];
            let name = f.name.clone().unwrap_or_default();
            let district =
                s.facility_district[i as usize].map(|d| s.districts[d as usize].name.clone());
            (
                name.clone(),
                json!({
                    "type": "Feature",
                    "id": format!("facility-{}", f.id),
                    "geometry": point(f.position.lon, f.position.lat),
                    "properties": { "group": "facility", "id": f.id, "label": name, "kind": f.kind.as_str(), "district": district },
                }),
            )
        }
        Place::District(i) => {
            let d = &s.districts[i as usize];
            let b = crate::index::districts::bbox_of(d);
            let at = geo::InteriorPoint::interior_point(&d.geometry)
                .map(|p| point(p.x(), p.y()))
                .unwrap_or(Value::Null);
            (
                d.name.clone(),
                json!({
                    "type": "Feature",
                    "id": format!("district-{}", d.id),
                    "bbox": b.as_array(),
                    "geometry": at,
                    "properties": { "group": "district", "id": d.id, "label": d.name, "level": d.level },
                }),
            )
        }
    }
}

/// `?q=TEXT&limit=N`: up to `limit` (default 5) of each group, as a GeoJSON FeatureCollection
/// whose features carry `group` (`address`, `facility`, `district`) and `label`, groups in
/// ranked order; `groups` lists the groups with their counts in that order.
///
/// Errors: 400 for a missing or too long `q`, or a bad `limit`.
pub async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), &["q", "limit"])?;
    let (q, limit) = params.search(&state.limits, 5, "what to look for, e.g. q=sagene skole")?;
    let s = state.snapshot.load();
    let whole = fold(q);
    let mut places: Vec<(String, Value)> = s
        // Enough candidates that an exactly named place is among them before it is lifted.
        .search_places(q, 200)
        .into_iter()
        .map(|p| place_feature(&s, p))
        .collect();
    // A place named exactly as asked leads its group.
    places.sort_by_key(|(name, _)| fold(name) != whole);
    let of_group = |group: &str| -> Vec<Value> {
        places
            .iter()
            .filter(|(_, f)| f["properties"]["group"] == group)
            .take(limit)
            .map(|(_, f)| f.clone())
            .collect()
    };
    let addresses: Vec<Value> = s
        .search_addresses(q, limit)
        .into_iter()
        .map(|i| {
            let a = &s.addresses[i as usize];
            json!({
                "type": "Feature",
                "id": format!("address-{}", a.id),
                "geometry": point(a.position.lon, a.position.lat),
                "properties": { "group": "address", "id": a.id, "label": a.label() },
            })
        })
        .collect();
    let mut groups = ranked_groups(q);
    // An exact place name puts its group first.
    if let Some((_, f)) = places.first().filter(|(name, _)| fold(name) == whole) {
        let first = if f["properties"]["group"] == "facility" {
            "facility"
        } else {
            "district"
        };
        groups.sort_by_key(|g| *g != first);
    }
    let mut features = Vec::new();
    let mut counts = Vec::new();
    for g in groups {
        let found = if g == "address" {
            addresses.clone()
        } else {
            of_group(g)
        };
        counts.push(json!({ "group": g, "count": found.len() }));
        features.extend(found);
    }
    Ok(super::features::json_response(
        "application/geo+json",
        &json!({
            "type": "FeatureCollection",
            "query": q,
            "groups": counts,
            "numberReturned": features.len(),
            "features": features,
        }),
    ))
}
