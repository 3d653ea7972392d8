//! `GET /api/districts/{id}/profile`: one district as a nærutvalg or planner sees it:
//! residents and addresses, facilities by kind (and per 1,000 residents), each kind's
//! coverage share against the municipality's, activities per week by category, open
//! volunteer needs and the community centres (knutepunkt) in it. From the snapshot;
//! residents' figures withheld for small districts as everywhere.

use std::collections::BTreeMap;

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use geo::Contains;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::AppState;
use super::coverage::coverage_error;
use super::error::ApiError;
use super::params::Params;
use crate::domain::{FacilityKind, KindFilter, LonLat};
use crate::index::Snapshot;
use crate::index::districts::suppressed;
use crate::routing::Profile;

const PROFILE_PARAMS: &[&str] = &["minutes", "profile"];
/// The most open needs listed by title.
const MAX_NEEDS_LISTED: usize = 20;

pub async fn get_profile(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), PROFILE_PARAMS)?;
    let minutes = params.integer("minutes", 10, 1)?;
    if minutes > state.limits.max_walk_minutes as u64 {
        return Err(ApiError::LimitExceeded {
            name: "minutes".into(),
            detail: format!(
                "{minutes} minutes is more than the {} minutes served",
                state.limits.max_walk_minutes
            ),
            limit: state.limits.max_walk_minutes as u64,
        });
    }
    let profile = match params.get("profile") {
        None => Profile::Walk,
        Some(p) => Profile::parse(p).ok_or_else(|| {
            ApiError::invalid("profile", format!("{p:?} is not walk, slow or wheelchair"))
        })?,
    };
    let s = state.snapshot.load();
    let d = s
        .district(&id)
        .ok_or_else(|| ApiError::NotFound(format!("no district with id {id:?}")))?;
    let mut body = profile_of(&s, d, minutes as f64 * 60.0, profile)?;
    body["minutes"] = json!(minutes);
    body["profile"] = json!(profile.as_str());
    body["attribution"] = json!(s.attribution());
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response())
}

/// Which addresses lie in district `d` (by its level's assignment).
fn members(s: &Snapshot, d: u32) -> Vec<bool> {
    s.levels[s.level_of(d)]
        .address_district
        .iter()
        .map(|&x| x == Some(d))
        .collect()
}

fn summary(s: &Snapshot, d: u32) -> Value {
    let x = &s.districts[d as usize];
    json!({ "id": x.id, "name": x.name, "level": x.level, "code": x.code })
}

fn profile_of(s: &Snapshot, d: u32, limit_s: f64, profile: Profile) -> Result<Value, ApiError> {
    let district = &s.districts[d as usize];
    let inside = members(s, d);
    let addresses = inside.iter().filter(|&&x| x).count();
    // The municipality to compare with: the kommune above, else the whole area served.
    let mut reference = None;
    let mut up = district.parent;
    while let Some(p) = up {
        if crate::index::districts::level_rank(&s.districts[p as usize].level) == 3 {
            reference = Some(p);
        }
        up = s.districts[p as usize].parent;
    }
    let reference_inside: Vec<bool> = match reference {
        Some(r) => members(s, r),
        None => vec![true; s.addresses.len()],
    };
    let reference_population: Option<i64> = match reference {
        Some(r) => s.districts[r as usize].population,
        None => s.levels.first().and_then(|l| {
            l.districts
                .iter()
                .map(|&x| s.districts[x as usize].population)
                .sum()
        }),
    };
    let hidden = suppressed(district.population, addresses as u64);
    let population = if hidden { None } else { district.population };

    let per_1000 = |count: usize, people: Option<i64>| {
        people
            .filter(|&p| p > 0)
            .map(|p| (count as f64 * 1000.0 / p as f64 * 100.0).round() / 100.0)
    };
    let mut facilities = Vec::new();
    let mut coverage = Vec::new();
    for kind in FacilityKind::ALL {
        let everywhere = s.facilities.iter().filter(|f| f.kind == kind).count();
        if everywhere == 0 {
            continue;
        }
        let here = (0..s.facilities.len())
            .filter(|&i| s.facilities[i].kind == kind && s.facility_in(i, d))
            .count();
        let in_reference = match reference {
            Some(r) => (0..s.facilities.len())
                .filter(|&i| s.facilities[i].kind == kind && s.facility_in(i, r))
                .count(),
            None => everywhere,
        };
        facilities.push(json!({
            "kind": kind, "kind_label_nb": kind.label_nb(), "kind_label_en": kind.label_en(),
            "count": here, "per_1000": per_1000(here, population),
            "reference_count": in_reference, "reference_per_1000": per_1000(in_reference, reference_population),
        }));
        if s.walk.is_some() {
            let filter = KindFilter::parse(kind.as_str()).expect("a kind's own id parses");
            let times = crate::coverage::address_times(s, &filter, profile, &[], &[])
                .map_err(coverage_error)?;
            let covered = |mask: &[bool]| {
                times
                    .iter()
                    .zip(mask)
                    .filter(|(t, m)| **m && **t <= limit_s)
                    .count()
            };
            let share = |mask: &[bool]| {
                let n = mask.iter().filter(|&&x| x).count();
                (n > 0).then(|| covered(mask) as f64 / n as f64)
            };
            coverage.push(json!({
                "kind": kind, "kind_label_nb": kind.label_nb(), "kind_label_en": kind.label_en(),
                "covered": covered(&inside), "share": share(&inside),
                "reference_covered": covered(&reference_inside), "reference_share": share(&reference_inside),
            }));
        }
    }

    let inside_polygon = |p: LonLat| district.geometry.contains(&geo::Point::new(p.lon, p.lat));
    let mut by_category: BTreeMap<&str, (usize, usize, &str, &str)> = BTreeMap::new();
    let activities = &s.programme.activities;
    for (a, p) in activities.items.iter().zip(&activities.positions) {
        let Some(p) = p else { continue };
        if a.doc.paused || !inside_polygon(*p) {
            continue;
        }
        let c = a.doc.category;
        let e = by_category
            .entry(c.as_str())
            .or_insert((0, 0, c.label_nb(), c.label_en()));
        e.0 += 1;
        e.1 += a.doc.schedule.sessions.len();
    }
    let today = crate::domain::activity::today(Timestamp::now());
    let needs = &s.programme.needs;
    let open: Vec<Value> = needs
        .items
        .iter()
        .zip(&needs.positions)
        .filter(|(n, p)| n.doc.valid_until >= today && p.is_some_and(inside_polygon))
        .map(|(n, _)| json!({ "id": n.id, "title": n.doc.title, "valid_until": n.doc.valid_until.to_string() }))
        .collect();
    let knutepunkt: Vec<Value> = (0..s.facilities.len())
        .filter(|&i| s.facilities[i].kind == FacilityKind::CommunityCentre && s.facility_in(i, d))
        .map(|i| json!({ "id": s.facilities[i].id, "name": s.facilities[i].name }))
        .collect();
    let children: Vec<Value> = (0..s.districts.len() as u32)
        .filter(|&c| s.districts[c as usize].parent == Some(d))
        .map(|c| summary(s, c))
        .collect();
    // The districts beside it: same level, same parent (for "compare with").
    let siblings: Vec<Value> = s.levels[s.level_of(d)]
        .districts
        .iter()
        .filter(|&&x| x != d && s.districts[x as usize].parent == district.parent)
        .map(|&x| summary(s, x))
        .collect();
    let bbox = {
        let b = crate::index::districts::bbox_of(district);
        [b.min_lon, b.min_lat, b.max_lon, b.max_lat]
    };
    let area_km2 = {
        use geo::Area;
        let points: Vec<LonLat> = district
            .geometry
            .0
            .iter()
            .flat_map(|p| p.exterior().0.iter())
            .map(|c| LonLat::new(c.x, c.y))
            .collect();
        let local = crate::index::partition::LocalMetres::around(&points);
        (local.polygon_to_metres(&district.geometry).unsigned_area() / 1e4).round() / 100.0
    };

    let mut reference_json = match reference {
        Some(r) => summary(s, r),
        None => json!({ "id": null, "name": null, "level": null, "code": null }),
    };
    reference_json["addresses"] = json!(reference_inside.iter().filter(|&&x| x).count());
    reference_json["population"] = json!(reference_population);
    Ok(json!({
        "district": {
            "id": district.id, "code": district.code, "name": district.name, "level": district.level,
            "parent": district.parent.map(|p| summary(s, p)),
            "children": children,
            "siblings": siblings,
            "derived": district.source.is_none(),
            "bbox": bbox,
            "population": population,
            "population_sum": district.population_sum && !hidden,
            "suppressed": hidden,
            "addresses": addresses,
            "area_km2": area_km2,
        },
        "reference": reference_json,
        "facilities": facilities,
        "coverage": coverage,
        "activities": by_category.into_iter().map(|(c, (n, sessions, nb, en))| json!({
            "category": c, "category_label_nb": nb, "category_label_en": en,
            "activities": n, "sessions_per_week": sessions,
        })).collect::<Vec<_>>(),
        "needs": { "open": open.len(), "items": open.into_iter().take(MAX_NEEDS_LISTED).collect::<Vec<_>>() },
        "knutepunkt": knutepunkt,
    }))
}
