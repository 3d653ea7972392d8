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
use crate::domain::LonLat;

const COVERAGE_PARAMS: &[&str] = &[
    "kind",
    "category",
    "nature",
    "minutes",
    "profile",
    "format",
    "level",
    "parent",
    "open_at",
    "unknown_hours",
    "csv_dialect",
    "total",
    "crs",
];
const GAPS_PARAMS: &[&str] = &[
    "kind",
    "category",
    "nature",
    "minutes",
    "profile",
    "limit",
    "level",
    "parent",
    "open_at",
    "unknown_hours",
    "sort",
    "format",
    "crs",
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

pub(super) use crate::coverage::Question;

/// A question's error as the API tells it: a 422 naming the parameter, or a 422 with the
/// limit for a walk longer than served.
fn question_error(e: coverage::QuestionError) -> ApiError {
    match e.limit {
        Some(limit) => ApiError::LimitExceeded {
            name: e.parameter.into(),
            detail: e.message,
            limit,
        },
        None => ApiError::invalid(e.parameter, e.message),
    }
}

/// The question of a coverage, gaps or tile request (the CLI asks the same one).
pub(super) fn query_question(params: &Params, max_minutes: u32) -> Result<Question, ApiError> {
    let asked = coverage::Asked {
        kind: params.get("kind"),
        category: params.get("category"),
        nature: params.get("nature"),
        minutes: Some(params.integer("minutes", 10, 0)?),
        profile: params.get("profile"),
        open_at: params.get("open_at"),
        unknown_hours: params.get("unknown_hours"),
    };
    Question::parse(&asked, max_minutes).map_err(question_error)
}

pub(super) fn coverage_error(e: CoverageError) -> ApiError {
    match e {
        CoverageError::NoNetwork => ApiError::Unavailable(e.to_string()),
        CoverageError::ProposedOffNetwork { .. } => ApiError::OutsideCoverage(e.to_string()),
        CoverageError::UnknownFacility(_) => ApiError::invalid("remove", e.to_string()),
        CoverageError::DrawnAreaOffNetwork { index, .. } => ApiError::InvalidArea {
            index,
            reason: "off_network",
            detail: e.to_string(),
            limit: None,
        },
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
    let gpkg = gpkg_crs(&params)?;
    let format = match params.get("format").unwrap_or("json") {
        "json" => coverage::Format::Json,
        "gpkg" => coverage::Format::Geojson,
        "geojson" => coverage::Format::Geojson,
        "csv" => coverage::Format::Csv(coverage::CsvOptions {
            dialect: match params.get("csv_dialect") {
                None => coverage::CsvDialect::Standard,
                Some(d) => coverage::CsvDialect::parse(d).ok_or_else(|| {
                    ApiError::invalid("csv_dialect", format!("{d:?} is not standard or excel-nb"))
                })?,
            },
            total: params.flag("total", true)?,
        }),
        other => {
            return Err(ApiError::invalid(
                "format",
                format!("{other:?} is not offered; use json, csv, geojson or gpkg"),
            ));
        }
    };
    let times = q.times(&s).map_err(coverage_error)?;
    let mut table = coverage::aggregate_at(&s, &times, q.minutes, q.profile, view);
    table.about = q.about(&s, &times);
    let rendered = coverage::render(&table, &s, format);
    if let Some(projector) = gpkg {
        let collection: serde_json::Value =
            serde_json::from_str(&rendered.body).map_err(|e| ApiError::Internal(e.to_string()))?;
        let name = rendered.file_name.replace(".geojson", ".gpkg");
        let layer = coverage::gpkg::Layer {
            name: "coverage",
            description: format!(
                "Share of homes within {} minutes, per district. Data: {}",
                q.minutes,
                s.attribution()
            ),
            features: collection["features"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
            columns: &[
                ("district_id", "TEXT"),
                ("district", "TEXT"),
                ("level", "TEXT"),
                ("code", "TEXT"),
                ("parent_id", "TEXT"),
                ("addresses", "INTEGER"),
                ("covered", "INTEGER"),
                ("share", "REAL"),
                ("unreachable", "INTEGER"),
                ("median_s", "REAL"),
                ("p90_s", "REAL"),
                ("population", "INTEGER"),
                ("residents_covered", "INTEGER"),
                ("resident_share", "REAL"),
                ("population_sum", "BOOLEAN"),
                ("suppressed", "BOOLEAN"),
                ("kind", "TEXT"),
                ("category", "TEXT"),
                ("nature", "TEXT"),
                ("minutes", "INTEGER"),
                ("profile", "TEXT"),
                ("open_at", "TEXT"),
                ("data_version", "INTEGER"),
            ],
            geometry: "MULTIPOLYGON",
        };
        drop(s);
        return geopackage(layer, &projector, &name).await;
    }
    let mut r = typed(rendered.content_type, rendered.body);
    if !matches!(format, coverage::Format::Json) {
        let disposition = format!("attachment; filename=\"{}\"", rendered.file_name);
        r.headers_mut().insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition).expect("the file name is ASCII"),
        );
    }
    Ok(r)
}

/// Addresses without the facility within the time: where the gaps are.
pub async fn get_gaps(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), GAPS_PARAMS)?;
    let gpkg = match params.get("format") {
        None | Some("geojson") => gpkg_crs(&params)?,
        Some("gpkg") => gpkg_crs(&params)?,
        Some(other) => {
            return Err(ApiError::invalid(
                "format",
                format!("{other:?} is not offered; use geojson or gpkg"),
            ));
        }
    };
    let q = query_question(&params, state.limits.max_walk_minutes)?;
    let limit = params
        .integer("limit", state.limits.max_limit, 1)?
        .min(state.limits.max_limit) as usize;
    let s = state.snapshot.load();
    let view = view(&s, params.get("level"), params.get("parent"))?;
    let level = view.level.map(|l| &s.levels[l]);
    let parent_level = view.parent.map(|p| &s.levels[s.level_of(p)]);
    let times = q.times(&s).map_err(coverage_error)?;
    let limit_s = q.minutes as f64 * 60.0;
    let mut gaps: Vec<usize> = (0..times.len())
        .filter(|&i| times[i] > limit_s)
        .filter(|&i| match (view.parent, parent_level) {
            (Some(p), Some(l)) => l.address_district[i] == Some(p),
            _ => true,
        })
        .collect();
    match params.get("sort") {
        None => {}
        // The homes farthest away first (unreachable ones before all), then by id.
        Some("-walk_seconds") => {
            gaps.sort_by(|&a, &b| times[b].total_cmp(&times[a]).then(a.cmp(&b)))
        }
        Some(other) => {
            return Err(ApiError::invalid(
                "sort",
                format!("{other:?} is not offered; use sort=-walk_seconds (farthest first)"),
            ));
        }
    }
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
    if let Some(projector) = gpkg {
        // What the file is about, in its description and its name, so that two downloads
        // are told apart (as coverage's are).
        let what = ["kind", "category", "nature"]
            .into_iter()
            .find_map(|n| params.get(n))
            .unwrap_or("facilities");
        let layer = coverage::gpkg::Layer {
            name: "gaps",
            description: format!(
                "Homes beyond {} minutes ({}) from {what}. Data: {}",
                q.minutes,
                q.profile.as_str(),
                s.attribution()
            ),
            features,
            columns: &[
                ("label", "TEXT"),
                ("district", "TEXT"),
                ("district_id", "TEXT"),
                ("walk_seconds", "REAL"),
            ],
            geometry: "POINT",
        };
        drop(s);
        let name: String = format!("gaps-{what}-{}min-{}.gpkg", q.minutes, q.profile.as_str())
            .chars()
            .map(|ch| match ch.to_ascii_lowercase() {
                ch @ ('a'..='z' | '0'..='9' | '_' | '-' | '.') => ch,
                ',' => '+',
                _ => '-',
            })
            .collect();
        return geopackage(layer, &projector, &name).await;
    }
    Ok(typed(
        super::features::GEO_JSON,
        json!({ "type": "FeatureCollection", "numberMatched": gaps.len(), "numberReturned": features.len(), "features": features })
            .to_string(),
    ))
}

/// `format=gpkg`'s CRS (`crs=`, default CRS84), or `None` for another format; `crs=` with
/// another format is a 400.
fn gpkg_crs(params: &Params) -> Result<Option<super::crs::Projector>, ApiError> {
    match (params.get("format"), params.get("crs")) {
        (Some("gpkg"), _) => super::crs::output(params).map(Some),
        (_, Some(_)) => Err(ApiError::invalid(
            "crs",
            "a CRS is chosen for format=gpkg; the other formats are in CRS84 (lon/lat)",
        )),
        _ => Ok(None),
    }
}

/// One layer as a GeoPackage download, its coordinates in the projector's CRS.
async fn geopackage(
    mut layer: coverage::gpkg::Layer,
    projector: &super::crs::Projector,
    file_name: &str,
) -> Result<Response, ApiError> {
    for f in &mut layer.features {
        projector
            .geometry_xy(&mut f["geometry"])
            .map_err(|e| ApiError::invalid("crs", e))?;
    }
    let bytes = coverage::gpkg::write(std::slice::from_ref(&layer), projector.epsg())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geopackage+sqlite3"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    super::crs::content_crs(&mut r, projector.crs());
    Ok(r)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioRequest {
    /// Facility kinds, or `nature` for a nature question (issue 22).
    kind: Option<String>,
    /// A nature question: green, green_1ha, forest, shore.
    nature: Option<String>,
    minutes: Option<u32>,
    profile: Option<String>,
    /// Points `[lon, lat]` where facilities would be added.
    #[serde(default)]
    add: Vec<[f64; 2]>,
    /// Ids of facilities that would close.
    #[serde(default)]
    remove: Vec<i64>,
    /// GeoJSON Polygons or MultiPolygons (lon/lat) of new nature areas (a new park), for a
    /// nature question.
    #[serde(default)]
    add_areas: Vec<serde_json::Value>,
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
    let asked = coverage::Asked {
        kind: request.kind.as_deref(),
        nature: request.nature.as_deref(),
        minutes: request.minutes.map(u64::from),
        profile: request.profile.as_deref(),
        ..Default::default()
    };
    let q = Question::parse(&asked, state.limits.max_walk_minutes).map_err(question_error)?;
    let areas = drawn_areas(&request.add_areas, q.nature)?;
    if q.nature.is_some() && (!request.add.is_empty() || !request.remove.is_empty()) {
        return Err(ApiError::invalid(
            "add",
            "a nature scenario adds areas: give add_areas (GeoJSON polygons), not add or remove",
        ));
    }
    if q.nature.is_none() && !areas.is_empty() {
        return Err(ApiError::invalid(
            "add_areas",
            "areas are added to nature questions: give nature (green, green_1ha, forest, shore)",
        ));
    }
    if request.add.len() + request.remove.len() + areas.len() > MAX_SCENARIO_CHANGES {
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
    let (before, after) = match q.nature {
        Some(target) => (
            coverage::nature::nature_times(&s, target, q.profile, &[]),
            coverage::nature::nature_times(&s, target, q.profile, &areas),
        ),
        None => (
            coverage::address_times(&s, &q.kinds, q.profile, &[], &[]),
            coverage::address_times(&s, &q.kinds, q.profile, &added, &request.remove),
        ),
    };
    let before = before.map_err(coverage_error)?;
    let after = after.map_err(coverage_error)?;
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

/// The largest drawn area a scenario takes, in hectares (Drammen's largest park is ~30 ha).
const MAX_DRAWN_HA: f64 = 500.0;

/// A scenario's drawn areas: GeoJSON Polygons or MultiPolygons (or Features of them) in
/// lon/lat, each valid (OGC simple features), at most [`MAX_DRAWN_HA`], and at least the
/// size the question counts (a 0.3 ha park does not answer "a green area of 0.5 ha").
fn drawn_areas(
    values: &[serde_json::Value],
    target: Option<crate::domain::nature::NatureTarget>,
) -> Result<Vec<geo::MultiPolygon<f64>>, ApiError> {
    use geo::{CoordsIter, Validation};
    let mut out = Vec::with_capacity(values.len());
    for (index, v) in values.iter().enumerate() {
        let bad =
            |reason: &'static str, detail: String, limit: Option<f64>| ApiError::InvalidArea {
                index,
                reason,
                detail,
                limit,
            };
        let v = match v.get("type").and_then(serde_json::Value::as_str) {
            Some("Feature") => v.get("geometry").unwrap_or(&serde_json::Value::Null),
            _ => v,
        };
        let geometry: geojson::Geometry = serde_json::from_value(v.clone())
            .map_err(|e| bad("not_geojson", format!("not a GeoJSON geometry: {e}"), None))?;
        let g: geo::Geometry<f64> = geometry
            .try_into()
            .map_err(|e: geojson::Error| bad("not_geojson", e.to_string(), None))?;
        let mp = match g {
            geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(mp) => mp,
            _ => {
                return Err(bad(
                    "not_polygon",
                    "a Polygon or MultiPolygon is needed".into(),
                    None,
                ));
            }
        };
        if let Some(c) = mp.coords_iter().find(|c| !LonLat::new(c.x, c.y).is_valid()) {
            return Err(bad(
                "not_lonlat",
                format!("[{}, {}] is not a lon/lat position", c.x, c.y),
                None,
            ));
        }
        if let Some(e) = mp.validation_errors().first() {
            return Err(bad("invalid", format!("not a valid polygon: {e}"), None));
        }
        let ha: f64 = mp.0.iter().map(crate::import::nature::area_ha).sum();
        if ha > MAX_DRAWN_HA {
            return Err(bad(
                "too_large",
                format!("{ha:.1} ha is more than the {MAX_DRAWN_HA} ha a drawn area may be"),
                Some(MAX_DRAWN_HA),
            ));
        }
        let least = target.map_or(0.0, |t| t.min_ha());
        if ha < least {
            let t = target.expect("a minimum comes from a question");
            return Err(bad(
                "too_small",
                format!(
                    "{ha:.2} ha is less than the {least} ha the question {} counts",
                    t.as_str()
                ),
                Some(least),
            ));
        }
        out.push(mp);
    }
    Ok(out)
}
