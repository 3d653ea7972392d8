//! `GET /api/coverage`, `GET /api/coverage/gaps`, `POST /api/coverage/scenario`: coverage for
//! planners, from the snapshot, changing nothing stored.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::error::ApiError;
use super::params::Params;
use crate::coverage::{self, CoverageError, Proposed};
use crate::domain::{KindFilter, LonLat};
use crate::routing::Profile;

const COVERAGE_PARAMS: &[&str] = &[
    "kind", "category", "minutes", "profile", "format", "level", "parent", "open_at",
];
const GAPS_PARAMS: &[&str] = &[
    "kind", "category", "minutes", "profile", "limit", "level", "parent", "open_at",
];

/// The districts asked for by `level=` and `parent=`.
fn view(
    s: &crate::index::Snapshot,
    level: Option<&str>,
    parent: Option<&str>,
) -> Result<coverage::View, ApiError> {
    coverage::View::parse(s, level, parent).map_err(|e| match e {
        coverage::ViewError::UnknownLevel { .. } => ApiError::invalid("level", e.to_string()),
        coverage::ViewError::UnknownParent(_) => ApiError::invalid("parent", e.to_string()),
        coverage::ViewError::NotInside { .. } => ApiError::invalid("level", e.to_string()),
    })
}
/// The most facilities a scenario may add or remove.
const MAX_SCENARIO_CHANGES: usize = 100;

pub(super) struct Question {
    pub kinds: KindFilter,
    /// Walk to activities of these categories instead of facilities of `kinds`.
    pub categories: Option<Vec<crate::domain::activity::Category>>,
    pub minutes: u32,
    pub profile: Profile,
    /// `open_at=`: only facilities not closed then by their opening hours (those without
    /// readable hours count as open: unknown is never told as closed).
    pub open_at: Option<jiff::ZonedDateTime>,
}

impl Question {
    /// Every address's walking time for this question.
    pub fn times(&self, s: &crate::index::Snapshot) -> Result<Vec<f64>, ApiError> {
        match &self.categories {
            Some(c) => coverage::activity_times(s, c, self.profile),
            None => coverage::address_times(s, &self.kinds, self.profile, &[], &self.closed(s)),
        }
        .map_err(coverage_error)
    }

    /// The ids of the facilities of the question's kinds that are closed at `open_at`.
    pub fn closed(&self, s: &crate::index::Snapshot) -> Vec<i64> {
        let Some(at) = &self.open_at else {
            return Vec::new();
        };
        (0..s.facilities.len() as u32)
            .filter(|&i| {
                self.kinds.matches(s.facilities[i as usize].kind)
                    && s.open_state(i, at) == crate::hours::OpenState::Closed
            })
            .map(|i| s.facilities[i as usize].id)
            .collect()
    }

    /// A key that tells questions apart, for caches.
    pub fn key(&self) -> String {
        format!(
            "{:?}|{:?}|{}|{}|{}",
            self.kinds,
            self.categories,
            self.profile.as_str(),
            self.minutes,
            self.open_at
                .as_ref()
                .map(|t| t.timestamp().to_string())
                .unwrap_or_default()
        )
    }
}

fn question(
    kind: Option<&str>,
    minutes: Option<u32>,
    profile: Option<&str>,
    max_minutes: u32,
) -> Result<Question, ApiError> {
    let kind = kind.ok_or_else(|| {
        ApiError::invalid(
            "kind",
            "required, e.g. kind=playground or kind=naermiljoanlegg (or category=sport for activities)",
        )
    })?;
    let kinds = KindFilter::parse(kind)
        .map_err(|bad| ApiError::invalid("kind", format!("unknown kind {bad:?}")))?;
    let minutes = minutes.unwrap_or(10);
    if minutes == 0 {
        return Err(ApiError::invalid("minutes", "must be at least 1"));
    }
    if minutes > max_minutes {
        return Err(ApiError::LimitExceeded {
            name: "minutes".into(),
            detail: format!("{minutes} minutes is more than the {max_minutes} minutes served"),
            limit: max_minutes as u64,
        });
    }
    let profile = match profile {
        None => Profile::Walk,
        Some(p) => Profile::parse(p).ok_or_else(|| {
            ApiError::invalid("profile", format!("{p:?} is not walk, slow or wheelchair"))
        })?,
    };
    Ok(Question {
        kinds,
        categories: None,
        minutes,
        profile,
        open_at: None,
    })
}

pub(super) fn query_question(params: &Params, max_minutes: u32) -> Result<Question, ApiError> {
    let minutes = params.integer("minutes", 10, 0)?;
    let categories = match (params.get("category"), params.get("kind")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "category",
                "give kind or category, not both",
            ));
        }
        (Some(c), None) => Some(
            c.split(',')
                .map(|x| {
                    crate::domain::activity::Category::parse(x.trim()).ok_or_else(|| {
                        ApiError::invalid("category", format!("unknown category {x:?}"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        (None, _) => None,
    };
    let kind = if categories.is_some() {
        Some("school")
    } else {
        params.get("kind")
    };
    let mut q = question(
        kind,
        Some(minutes.min(u32::MAX as u64) as u32),
        params.get("profile"),
        max_minutes,
    )?;
    q.open_at = params
        .get("open_at")
        .map(crate::hours::parse_time)
        .transpose()
        .map_err(|e| ApiError::invalid("open_at", e))?;
    if q.open_at.is_some() && categories.is_some() {
        return Err(ApiError::invalid(
            "open_at",
            "open_at asks about facilities' opening hours; use it with kind, not category",
        ));
    }
    q.categories = categories;
    Ok(q)
}

pub(super) fn coverage_error(e: CoverageError) -> ApiError {
    match e {
        CoverageError::NoNetwork => ApiError::Unavailable(e.to_string()),
        CoverageError::ProposedOffNetwork { .. } => ApiError::OutsideCoverage(e.to_string()),
        CoverageError::UnknownFacility(_) => ApiError::invalid("remove", e.to_string()),
    }
}

fn typed(content_type: &'static str, body: String) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

pub async fn get_coverage(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), COVERAGE_PARAMS)?;
    let q = query_question(&params, state.limits.max_walk_minutes)?;
    let s = state.snapshot.load();
    let view = view(&s, params.get("level"), params.get("parent"))?;
    let times = q.times(&s)?;
    let table = coverage::aggregate_at(&s, &times, q.minutes, q.profile, view);
    match params.get("format").unwrap_or("json") {
        "json" => Ok(typed(
            "application/json",
            serde_json::to_string(&table).expect("serialises"),
        )),
        "csv" => {
            let mut r = typed("text/csv; charset=utf-8", coverage::to_csv(&table));
            r.headers_mut().insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"coverage.csv\""),
            );
            Ok(r)
        }
        other => Err(ApiError::invalid(
            "format",
            format!("{other:?} is not offered; use json or csv"),
        )),
    }
}

/// Addresses without the facility within the time: where the gaps are.
pub async fn get_gaps(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), GAPS_PARAMS)?;
    let q = query_question(&params, state.limits.max_walk_minutes)?;
    let limit = params
        .integer("limit", state.limits.max_limit, 1)?
        .min(state.limits.max_limit) as usize;
    let s = state.snapshot.load();
    let view = view(&s, params.get("level"), params.get("parent"))?;
    let level = view.level.map(|l| &s.levels[l]);
    let parent_level = view.parent.map(|p| &s.levels[s.level_of(p)]);
    let times = q.times(&s)?;
    let limit_s = q.minutes as f64 * 60.0;
    let gaps: Vec<usize> = (0..times.len())
        .filter(|&i| times[i] > limit_s)
        .filter(|&i| match (view.parent, parent_level) {
            (Some(p), Some(l)) => l.address_district[i] == Some(p),
            _ => true,
        })
        .collect();
    let district_at = |i: usize| match level {
        Some(l) => l.address_district[i],
        None => s.address_district[i],
    };
    let features: Vec<serde_json::Value> = gaps
        .iter()
        .take(limit)
        .map(|&i| {
            let a = &s.addresses[i];
            json!({
                "type": "Feature",
                "id": a.id,
                "geometry": { "type": "Point", "coordinates": [a.position.lon, a.position.lat] },
                "properties": {
                    "label": a.label(),
                    "district": district_at(i).map(|d| s.districts[d as usize].name.clone()),
                    "district_id": district_at(i).map(|d| s.districts[d as usize].id.clone()),
                    "walk_seconds": times[i].is_finite().then(|| times[i].round()),
                }
            })
        })
        .collect();
    Ok(typed(
        super::features::GEO_JSON,
        json!({ "type": "FeatureCollection", "numberMatched": gaps.len(), "numberReturned": features.len(), "features": features })
            .to_string(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioRequest {
    kind: String,
    minutes: Option<u32>,
    profile: Option<String>,
    /// Points `[lon, lat]` where facilities would be added.
    #[serde(default)]
    add: Vec<[f64; 2]>,
    /// Ids of facilities that would close.
    #[serde(default)]
    remove: Vec<i64>,
    /// The district level of `before` and `after` (default as for `/api/coverage`).
    level: Option<String>,
    /// Only the districts inside this one (as for `/api/coverage`).
    parent: Option<String>,
}

/// Before and after per district for facilities added and removed; nothing is stored.
pub async fn post_scenario(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: ScenarioRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::invalid("body", format!("not a scenario: {e}")))?;
    let q = question(
        Some(&request.kind),
        request.minutes,
        request.profile.as_deref(),
        state.limits.max_walk_minutes,
    )?;
    if request.add.len() + request.remove.len() > MAX_SCENARIO_CHANGES {
        return Err(ApiError::LimitExceeded {
            name: "add/remove".into(),
            detail: format!("more than {MAX_SCENARIO_CHANGES} changes in one scenario"),
            limit: MAX_SCENARIO_CHANGES as u64,
        });
    }
    let mut added = Vec::with_capacity(request.add.len());
    for [lon, lat] in request.add {
        let p = LonLat::new(lon, lat);
        if !p.is_valid() {
            return Err(ApiError::invalid(
                "add",
                format!("[{lon}, {lat}] is not a lon/lat position"),
            ));
        }
        added.push(Proposed { position: p });
    }
    let s = state.snapshot.load();
    let chosen = view(&s, request.level.as_deref(), request.parent.as_deref())?;
    let before =
        coverage::address_times(&s, &q.kinds, q.profile, &[], &[]).map_err(coverage_error)?;
    let after = coverage::address_times(&s, &q.kinds, q.profile, &added, &request.remove)
        .map_err(coverage_error)?;
    let changed = before.iter().zip(&after).filter(|(b, a)| b != a).count();
    // Every level's before and after, coarsest first.
    let by_level: Vec<serde_json::Value> = (0..s.levels.len())
        .map(|l| {
            let v = coverage::View {
                level: Some(l),
                parent: None,
            };
            json!({
                "level": s.levels[l].level,
                "before": coverage::aggregate_at(&s, &before, q.minutes, q.profile, v),
                "after": coverage::aggregate_at(&s, &after, q.minutes, q.profile, v),
            })
        })
        .collect();
    Ok(typed(
        "application/json",
        json!({
            "before": coverage::aggregate_at(&s, &before, q.minutes, q.profile, chosen),
            "after": coverage::aggregate_at(&s, &after, q.minutes, q.profile, chosen),
            "addresses_changed": changed,
            "levels": by_level,
        })
        .to_string(),
    ))
}
