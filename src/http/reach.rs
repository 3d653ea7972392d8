//! `GET /api/reach` and `GET /api/isochrone`: what a resident reaches on foot.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use super::AppState;
use super::error::ApiError;
use super::params::Params;
use crate::domain::{KindFilter, LonLat};
use crate::index::{Snapshot, WalkIndex};
use crate::routing::Profile;

const REACH_PARAMS: &[&str] = &[
    "lon",
    "lat",
    "minutes",
    "bands",
    "profile",
    "kind",
    "category",
    "age",
    "weekday",
    "time_of_day",
    "free",
    "org",
    "accessibility",
    "open_now",
    "open_at",
];
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
            None => s.no_network_hint().into(),
        })
    })
}

/// A MultiPolygon's GeoJSON coordinates, serialised straight from the geo type.
struct Coordinates<'a>(&'a geo::MultiPolygon<f64>);

impl Serialize for Coordinates<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Ring<'a>(&'a geo::LineString<f64>);
        impl Serialize for Ring<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.0.iter().map(|c| [c.x, c.y]))
            }
        }
        struct Rings<'a>(&'a geo::Polygon<f64>);
        impl Serialize for Rings<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(
                    std::iter::once(self.0.exterior())
                        .chain(self.0.interiors())
                        .map(Ring),
                )
            }
        }
        serializer.collect_seq(self.0.0.iter().map(Rings))
    }
}

#[derive(Serialize)]
struct Geometry<C> {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: C,
}

#[derive(Serialize)]
struct BandFeature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    geometry: Geometry<Coordinates<'a>>,
    properties: BandProperties,
}

#[derive(Serialize)]
struct BandProperties {
    minutes: u32,
    profile: &'static str,
}

#[derive(Serialize)]
struct Collection<F> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "numberReturned")]
    number_returned: usize,
    features: Vec<F>,
}

impl<F> Collection<F> {
    fn of(features: Vec<F>) -> Self {
        Collection {
            kind: "FeatureCollection",
            number_returned: features.len(),
            features,
        }
    }
}

/// Bands as GeoJSON features, the largest first so that a map draws the smaller on top.
fn band_features(
    bands: &[(u32, geo::MultiPolygon<f64>)],
    profile: Profile,
) -> Collection<BandFeature<'_>> {
    Collection::of(
        bands
            .iter()
            .rev()
            .map(|(m, poly)| BandFeature {
                kind: "Feature",
                geometry: Geometry {
                    kind: "MultiPolygon",
                    coordinates: Coordinates(poly),
                },
                properties: BandProperties {
                    minutes: *m,
                    profile: profile.as_str(),
                },
            })
            .collect(),
    )
}

#[derive(Serialize)]
struct ReachedFacility<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: i64,
    geometry: Geometry<[f64; 2]>,
    properties: ReachedProperties<'a>,
}

#[derive(Serialize)]
struct ReachedProperties<'a> {
    kind: crate::domain::FacilityKind,
    kind_label_nb: &'static str,
    kind_label_en: &'static str,
    name: Option<&'a str>,
    address: Option<&'a str>,
    district: Option<&'a str>,
    wheelchair: Option<&'a str>,
    /// OSM `opening_hours` as the source gives it.
    opening_hours: Option<&'a str>,
    walk_seconds: u64,
    walk_minutes: u64,
    distance_m: u64,
    /// Open now (null: unknown), the next change (RFC 3339), and open at `open_at` if asked.
    open_now: Option<bool>,
    next_change: Option<String>,
    /// The next seven days' hours (`hours::Day`), or null without readable hours.
    opening_hours_week: Option<Box<serde_json::value::RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    open_at: Option<Option<bool>>,
}

#[derive(Serialize)]
struct ReachBody<'a> {
    origin: Value,
    profile: &'static str,
    speed_kmh: f64,
    minutes: u32,
    bands: Collection<BandFeature<'a>>,
    facilities: Collection<ReachedFacility<'a>>,
    /// Activities (filtered by category, age, weekday, time_of_day, free) with their next
    /// session, and current volunteer needs, quickest first.
    activities: Collection<Value>,
    volunteer_needs: Collection<Value>,
    /// The nearest green area, forest edge and shore (issue 22), each at the point of its
    /// edge where it is reached.
    nature: Collection<Value>,
    attribution: &'static str,
}

#[derive(Serialize)]
struct IsochroneBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    origin: Value,
    features: Vec<BandFeature<'a>>,
}

fn serialized(content_type: &'static str, body: &impl Serialize) -> Response {
    let text = serde_json::to_string(body).expect("response bodies always serialise");
    let mut r = text.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
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

pub async fn get_reach(
    State(state): State<AppState>,
    base: super::BaseUrl,
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

    let activity_filter = super::programme::ActivityFilter::parse(&params)?;
    let open = super::open::OpenQuery::parse(&params)?;
    let s = state.snapshot.load();
    let walk = network(&s)?;
    let programme = &s.programme;
    let extra: Vec<crate::index::Placement> = programme
        .activities
        .snaps
        .iter()
        .chain(&programme.needs.snaps)
        .copied()
        .collect();
    let reach = walk
        .reach_with(
            &s.facilities,
            &extra,
            at,
            profile,
            minutes,
            &bands,
            kinds.as_ref(),
            limits.max_snap_m,
        )
        .map_err(|e| ApiError::OutsideCoverage(e.to_string()))?;
    let speed = profile.speed_mps();
    let facilities: Vec<ReachedFacility> = reach
        .facilities
        .iter()
        .filter(|&&(i, _)| open.keeps(&s, i))
        .map(|&(i, seconds)| {
            let f = &s.facilities[i as usize];
            let now = open.now_of(&s, i);
            let district =
                s.facility_district[i as usize].map(|d| s.districts[d as usize].name.as_str());
            ReachedFacility {
                kind: "Feature",
                id: f.id,
                geometry: Geometry {
                    kind: "Point",
                    coordinates: [f.position.lon, f.position.lat],
                },
                properties: ReachedProperties {
                    kind: f.kind,
                    kind_label_nb: f.kind.label_nb(),
                    kind_label_en: f.kind.label_en(),
                    name: f.name.as_deref(),
                    address: f.address.as_deref(),
                    district,
                    wheelchair: f.wheelchair.as_deref(),
                    opening_hours: f.opening_hours.as_deref(),
                    walk_seconds: seconds.round() as u64,
                    walk_minutes: (seconds / 60.0).ceil() as u64,
                    distance_m: (seconds * speed).round() as u64,
                    open_now: now.0,
                    next_change: now.1,
                    opening_hours_week: open.week_of(&s, i).map(|w| {
                        serde_json::value::RawValue::from_string(w.to_string())
                            .expect("a week is JSON")
                    }),
                    open_at: open
                        .open_at
                        .as_ref()
                        .map(|at| s.open_state(i, at).as_bool()),
                },
            }
        })
        .collect();
    let now = jiff::Timestamp::now();
    let today = crate::domain::activity::today(now);
    let n_activities = programme.activities.len() as u32;
    let timed = |mut f: Value, seconds: f64| {
        super::programme::add_walk(&mut f, seconds);
        f["properties"]["distance_m"] = json!((seconds * speed).round() as u64);
        f
    };
    let mut activities = Vec::new();
    let mut needs = Vec::new();
    for &(i, seconds) in &reach.extra {
        if i < n_activities {
            let a = &programme.activities.items[i as usize];
            if activity_filter.matches(a.org_id, &a.doc) {
                activities.push(timed(
                    super::programme::activity_feature(&s, i, now, &base.0),
                    seconds,
                ));
            }
        } else {
            let j = i - n_activities;
            let n = &programme.needs.items[j as usize];
            if n.doc.valid_until >= today && activity_filter.org.is_none_or(|o| o == n.org_id) {
                needs.push(timed(
                    super::programme::need_feature(&s, j, &base.0),
                    seconds,
                ));
            }
        }
    }
    let nature = nearest_nature(&s, &reach, at, speed);
    Ok(serialized(
        "application/json",
        &ReachBody {
            nature: Collection::of(nature),
            activities: Collection::of(activities),
            volunteer_needs: Collection::of(needs),
            origin: origin_json(at, &reach.origin),
            profile: profile.as_str(),
            speed_kmh: profile.speed_kmh(),
            minutes,
            bands: band_features(&reach.bands, profile),
            facilities: Collection::of(facilities),
            attribution: crate::domain::attribution::OSM,
        },
    ))
}

/// The nearest nature area of each class within the walk: 0 s where `origin` lies inside
/// one, else the first reached at its edge. Where the nearest green area is smaller than
/// the planners' green question counts (0.5 ha), the nearest that counts follows it, marked
/// `nearest_for: "green"` (the others have `nearest_for: null`), so that a resident sees the
/// answer planners count and not only a patch of grass.
fn nearest_nature(
    s: &Snapshot,
    reach: &crate::index::walk::Reach,
    origin: LonLat,
    speed: f64,
) -> Vec<Value> {
    use crate::domain::nature::{NatureClass, NatureTarget};
    let nearest = |counts: &dyn Fn(NatureClass, f64) -> bool| {
        let inside = s.nature.iter().enumerate().find(|(_, n)| {
            counts(n.class, n.area_ha) && crate::coverage::nature::inside_any(&[*n], origin)
        });
        inside.map(|(i, _)| (i as u32, 0.0, origin)).or_else(|| {
            reach
                .nature
                .iter()
                .find(|(i, ..)| {
                    let n = &s.nature[*i as usize];
                    counts(n.class, n.area_ha)
                })
                .copied()
        })
    };
    let mut out = Vec::new();
    for class in NatureClass::ALL {
        let Some(best) = nearest(&NatureTarget::nearest_of(class)) else {
            continue;
        };
        out.push(nature_feature(s, best, speed, None));
        let n = &s.nature[best.0 as usize];
        if class == NatureClass::Green && !NatureTarget::Green.matches(n.class, n.area_ha) {
            let counted = nearest(&|c, ha| NatureTarget::Green.matches(c, ha));
            if let Some(counted) = counted {
                out.push(nature_feature(s, counted, speed, Some(NatureTarget::Green)));
            }
        }
    }
    out
}

/// One nearest nature area as the reach answers it (see `nearest_nature`).
fn nature_feature(
    s: &Snapshot,
    (i, seconds, at): (u32, f64, LonLat),
    speed: f64,
    nearest_for: Option<crate::domain::nature::NatureTarget>,
) -> Value {
    let n = &s.nature[i as usize];
    json!({
        "type": "Feature",
        "id": n.id,
        "geometry": { "type": "Point", "coordinates": [at.rounded().lon, at.rounded().lat] },
        "properties": {
            "class": n.class,
            "class_label_nb": n.class.label_nb(),
            "class_label_en": n.class.label_en(),
            "name": n.name,
            "tag": n.tag,
            "area_ha": (n.area_ha > 0.0).then_some((n.area_ha * 100.0).round() / 100.0),
            "inside": seconds == 0.0,
            // Reached where a path enters the forest (a trail head), not beside it.
            "trailhead": s.walk.as_ref().and_then(|w| w.nature_trailheads.get(i as usize))
                .is_some_and(|t| t.contains(&at.rounded())),
            // The planners' questions this area answers (a 0.3 ha park is green but
            // not "a green area of at least 0.5 ha").
            "answers": crate::domain::nature::NatureTarget::ALL
                .iter()
                .filter(|t| t.matches(n.class, n.area_ha))
                .map(|t| t.as_str())
                .collect::<Vec<_>>(),
            "nearest_for": nearest_for.map(|t| t.as_str()),
            "walk_seconds": seconds.round() as u64,
            "walk_minutes": (seconds / 60.0).ceil() as u64,
            "distance_m": (seconds * speed).round() as u64,
        }
    })
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
    Ok(serialized(
        super::features::GEO_JSON,
        &IsochroneBody {
            kind: "FeatureCollection",
            origin: origin_json(at, &reach.origin),
            features: band_features(&reach.bands, profile).features,
        },
    ))
}
