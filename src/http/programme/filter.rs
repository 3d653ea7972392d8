//! The residents' filters of activities and needs, from a query string: what they do,
//! for whom, when, at what price, by whom; and a walk from a point.

use serde_json::json;

use super::super::error::ApiError;
use super::super::params::Params;
use crate::domain::LonLat;
use crate::domain::activity::{ActivityDoc, Category};
use crate::routing::Profile;

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
    /// `facility=`: only activities held at this facility (a knutepunkt's page).
    pub facility: Option<i64>,
    /// `open_now`/`open_at`: only activities with a session going on then (`true`), or
    /// without one (`false`).
    pub in_session: Option<(jiff::Timestamp, bool)>,
    /// Paused activities too (`include_paused=true`: for their organisation's page);
    /// never by default.
    pub include_paused: bool,
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
        let free = params.boolean("free")?;
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
        let include_paused = params.flag("include_paused", false)?;
        let open = super::super::open::OpenQuery::parse(params)?;
        let in_session = match (open.open_at, open.open_now) {
            (Some(at), _) => Some((at.timestamp(), true)),
            (None, Some(want)) => Some((open.now.timestamp(), want)),
            (None, None) => None,
        };
        let facility = params
            .get("facility")
            .map(|s| {
                s.trim().parse::<i64>().map_err(|_| {
                    ApiError::invalid("facility", format!("{s:?} is not a facility id"))
                })
            })
            .transpose()?;
        Ok(ActivityFilter {
            facility,
            in_session,
            include_paused,
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
        (self.include_paused || !a.paused)
            && self.facility.is_none_or(|id| {
                matches!(a.place, crate::domain::activity::Place::Facility { facility_id } if facility_id == id)
            })
            && self
                .in_session
                .is_none_or(|(at, want)| a.schedule.in_session(at) == want)
            && self.org.is_none_or(|o| o == org_id)
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

impl ActivityFilter {
    /// True when one concrete session meets the weekday and time-of-day filters (the
    /// calendar keeps only those sessions of an activity).
    pub fn session_matches(&self, o: &crate::domain::activity::Occurrence) -> bool {
        let weekday = o.start.weekday().to_monday_one_offset() as u8;
        let minutes = o.start.hour() as u16 * 60 + o.start.minute() as u16;
        self.weekdays.as_ref().is_none_or(|w| w.contains(&weekday))
            && self
                .time_of_day
                .is_none_or(|(lo, hi)| (lo..hi).contains(&minutes))
    }
}

fn weekday(s: &str) -> Option<u8> {
    const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    s.parse::<u8>()
        .ok()
        .filter(|d| (1..=7).contains(d))
        .or_else(|| NAMES.iter().position(|n| *n == s).map(|i| i as u8 + 1))
}

pub(super) fn org_param(params: &Params) -> Result<Option<i64>, ApiError> {
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
pub(super) struct WalkFrom {
    pub at: LonLat,
    pub minutes: u32,
    pub profile: Profile,
}

pub(super) fn walk_from(params: &Params, max_minutes: u32) -> Result<Option<WalkFrom>, ApiError> {
    // minutes and profile are checked whether or not a point is given: a bad value is
    // said, not ignored.
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
    let number = |name: &str, s: &str, range: std::ops::RangeInclusive<f64>| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| range.contains(v))
            .ok_or_else(|| ApiError::invalid(name, format!("{s:?} is not within {range:?}")))
    };
    let (Some(lon), Some(lat)) = (params.get("lon"), params.get("lat")) else {
        if params.get("lon").is_some() || params.get("lat").is_some() {
            return Err(ApiError::invalid(
                "lon/lat",
                "give both lon and lat, or neither",
            ));
        }
        return Ok(None);
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
