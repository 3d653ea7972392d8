//! Organisations, activities and volunteer needs: the documents their owners write, how
//! they are checked (`validate`), and when an activity next happens (`Schedule::next`).
//!
//! Times are local to Europe/Oslo: a session "Tuesday 18:00–19:30" stays at 18:00 across
//! the change to and from summer time.

use std::fmt;

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};
use serde::{Deserialize, Serialize};

use super::LonLat;

/// The activity categories: a fixed list, so filters and the map legend stay meaningful.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Sport,
    Outdoor,
    Music,
    ArtsCrafts,
    Culture,
    GamesTech,
    YouthClub,
    HomeworkHelp,
    LanguageCafe,
    Seniors,
    Families,
    MeetingPlace,
}

impl Category {
    pub const ALL: [Category; 12] = [
        Category::Sport,
        Category::Outdoor,
        Category::Music,
        Category::ArtsCrafts,
        Category::Culture,
        Category::GamesTech,
        Category::YouthClub,
        Category::HomeworkHelp,
        Category::LanguageCafe,
        Category::Seniors,
        Category::Families,
        Category::MeetingPlace,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Sport => "sport",
            Category::Outdoor => "outdoor",
            Category::Music => "music",
            Category::ArtsCrafts => "arts_crafts",
            Category::Culture => "culture",
            Category::GamesTech => "games_tech",
            Category::YouthClub => "youth_club",
            Category::HomeworkHelp => "homework_help",
            Category::LanguageCafe => "language_cafe",
            Category::Seniors => "seniors",
            Category::Families => "families",
            Category::MeetingPlace => "meeting_place",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label_nb(self) -> &'static str {
        match self {
            Category::Sport => "Idrett",
            Category::Outdoor => "Friluftsliv",
            Category::Music => "Musikk",
            Category::ArtsCrafts => "Kunst og håndverk",
            Category::Culture => "Kultur",
            Category::GamesTech => "Spill og teknologi",
            Category::YouthClub => "Ungdomsklubb",
            Category::HomeworkHelp => "Leksehjelp",
            Category::LanguageCafe => "Språkkafé",
            Category::Seniors => "Seniorer",
            Category::Families => "Familier",
            Category::MeetingPlace => "Møteplass",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Category::Sport => "Sport",
            Category::Outdoor => "Outdoor",
            Category::Music => "Music",
            Category::ArtsCrafts => "Arts and crafts",
            Category::Culture => "Culture",
            Category::GamesTech => "Games and tech",
            Category::YouthClub => "Youth club",
            Category::HomeworkHelp => "Homework help",
            Category::LanguageCafe => "Language café",
            Category::Seniors => "Seniors",
            Category::Families => "Families",
            Category::MeetingPlace => "Meeting place",
        }
    }
}

/// Accessibility features an organiser can promise.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Accessibility {
    Wheelchair,
    StepFree,
    HearingLoop,
    AccessibleToilet,
    SignLanguage,
    EasyLanguage,
}

/// Who runs activities and posts volunteer needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    VolunteerOrganisation,
    Municipality,
    SportsClub,
    Business,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::VolunteerOrganisation => "volunteer_organisation",
            OrgKind::Municipality => "municipality",
            OrgKind::SportsClub => "sports_club",
            OrgKind::Business => "business",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        [
            OrgKind::VolunteerOrganisation,
            OrgKind::Municipality,
            OrgKind::SportsClub,
            OrgKind::Business,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    /// Public contact: an e-mail address, a phone number or a web page.
    pub contact: Option<String>,
    pub website: Option<String>,
    /// Made up for the demo region; never presented as real.
    pub example: bool,
    /// `false` once staff deactivated it: nothing of it is shown, its members cannot write.
    pub active: bool,
    /// When it was added, in milliseconds since 1970 (UTC); for staff lists, not served.
    #[serde(skip_serializing)]
    pub created_ms: i64,
    /// Its admins agreed that its activities are published as open data (CC BY 4.0) in the
    /// OpenActive feed; `false` until they do, and again once they withdraw.
    pub open_data: bool,
}

/// What orders the open feed of activities: the audit log's number (its row id, which
/// rises with every change, in the order the changes were committed) of the last change of
/// each activity and of each organisation, the last import that renamed or moved each
/// facility (an activity held there is shown with the facility's name and position), and the
/// activities deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedChanges {
    pub activities: std::collections::HashMap<i64, i64>,
    pub organisations: std::collections::HashMap<i64, i64>,
    /// Facility id → the change number of the last import that renamed or moved it.
    pub facilities: std::collections::HashMap<i64, i64>,
    pub deleted: Vec<Tombstone>,
}

/// An activity that was deleted: its id (never given to another) and the change number of
/// its deletion. The OpenActive feed sends it as a `deleted` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tombstone {
    pub id: i64,
    pub change: i64,
}

/// Where something happens: at a facility (it moves with the facility), or at a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Place {
    Facility { facility_id: i64 },
    Point { lon: f64, lat: f64 },
}

/// Either form, never both (issue 21): a body with `facility_id` and a position is refused
/// by the schema, not read as the facility with the position dropped.
impl schemars::JsonSchema for Place {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Place".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Where it happens: at a facility (`facility_id`, as in the facilities collection; it moves with the facility), or at a point (`lon`, `lat` in WGS84). Not both.",
            "oneOf": [
                {
                    "type": "object",
                    "properties": { "facility_id": { "type": "integer", "description": "A facility's id." } },
                    "required": ["facility_id"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": {
                        "lon": { "type": "number", "minimum": -180, "maximum": 180 },
                        "lat": { "type": "number", "minimum": -90, "maximum": 90 }
                    },
                    "required": ["lon", "lat"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// A calendar date as written: `2026-12-24` (ISO 8601 / RFC 3339 full-date).
fn date_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "format": "date", "examples": ["2026-12-24"] })
}

fn optional_date_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    date_schema(g)
}

fn date_list_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let item = date_schema(g);
    schemars::json_schema!({ "type": "array", "items": item, "maxItems": 366 })
}

impl schemars::JsonSchema for ClockTime {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ClockTime".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A local time of day (Europe/Oslo), `HH:MM`.",
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
            "examples": ["18:00"]
        })
    }
}

/// The weekday names the filters use, Monday first.
pub const WEEKDAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A weekday as written: 1 (Monday) … 7 (Sunday), or `mon` … `sun` as in the filters.
fn weekday_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "1 (Monday) to 7 (Sunday), ISO 8601; or mon, tue, wed, thu, fri, sat, sun.",
        "oneOf": [
            { "type": "integer", "minimum": 1, "maximum": 7 },
            { "type": "string", "enum": WEEKDAY_NAMES }
        ]
    })
}

fn weekday<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Day {
        Number(u8),
        Name(String),
    }
    match Day::deserialize(d)? {
        Day::Number(n) => Ok(n),
        Day::Name(name) => WEEKDAY_NAMES
            .iter()
            .position(|w| name.eq_ignore_ascii_case(w))
            .map(|i| i as u8 + 1)
            .ok_or_else(|| {
                serde::de::Error::custom(format!("{name:?} is not a weekday (mon … sun or 1 … 7)"))
            }),
    }
}

/// A time of day, written `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClockTime {
    pub minutes: u16,
}

impl ClockTime {
    pub fn parse(s: &str) -> Option<ClockTime> {
        let (h, m) = s.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(ClockTime {
            minutes: h * 60 + m,
        })
    }

    fn civil(self) -> Time {
        Time::constant((self.minutes / 60) as i8, (self.minutes % 60) as i8, 0, 0)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ClockTime::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not a time as HH:MM")))
    }
}

/// One weekly session: weekday 1 = Monday … 7 = Sunday (ISO 8601), local times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Session {
    #[serde(deserialize_with = "weekday")]
    #[schemars(schema_with = "weekday_schema")]
    pub weekday: u8,
    pub start: ClockTime,
    pub end: ClockTime,
}

/// Recurring weekly sessions between two dates, minus exception dates (holidays).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// 1–14 weekly sessions.
    #[schemars(length(min = 1, max = 14))]
    pub sessions: Vec<Session>,
    /// The first day of the season.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "optional_date_schema")]
    pub valid_from: Option<Date>,
    /// The last day of the season.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "optional_date_schema")]
    pub valid_to: Option<Date>,
    /// Dates on which no session takes place.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "date_list_schema")]
    pub exceptions: Vec<Date>,
}

/// The time zone every schedule is written in.
pub fn oslo() -> TimeZone {
    TimeZone::get("Europe/Oslo").expect("the bundled time zone database has Europe/Oslo")
}

/// `2026-12-24T16:00:00+01:00`: an instant with its offset (RFC 3339), no zone name.
pub fn rfc3339(z: &ZonedDateTime) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// A session on a given date, as instants with Oslo's offset of that day.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    pub start: ZonedDateTime,
    pub end: ZonedDateTime,
}

impl Schedule {
    /// The sessions held on `day` (none on an exception date or outside
    /// `valid_from..=valid_to`), as instants in Oslo; a start or end in the spring-forward
    /// gap moves forward, as clocks do.
    fn on_day(&self, day: Date, tz: &TimeZone) -> Vec<Occurrence> {
        if self.exceptions.contains(&day)
            || self.valid_from.is_some_and(|from| day < from)
            || self.valid_to.is_some_and(|to| day > to)
        {
            return Vec::new();
        }
        let weekday = day.weekday().to_monday_one_offset() as u8;
        let mut out: Vec<Occurrence> = self
            .sessions
            .iter()
            .filter(|s| s.weekday == weekday)
            .filter_map(|s| {
                let at = |t: ClockTime| day.to_datetime(t.civil()).to_zoned_datetime(tz.clone());
                Some(Occurrence {
                    start: at(s.start).ok()?,
                    end: at(s.end).ok()?,
                })
            })
            .collect();
        out.sort_by_key(|o| o.start.timestamp());
        out
    }

    /// The first session that has not started by `now` (within a year), skipping exception
    /// dates and dates outside `valid_from..=valid_to`.
    pub fn next(&self, now: Timestamp) -> Option<Occurrence> {
        let tz = oslo();
        let mut day = now.to_zoned_datetime(tz.clone()).date();
        if let Some(from) = self.valid_from {
            day = day.max(from);
        }
        for _ in 0..=366 {
            if self.valid_to.is_some_and(|to| day > to) {
                return None;
            }
            if let Some(o) = self
                .on_day(day, &tz)
                .into_iter()
                .find(|o| o.start.timestamp() >= now)
            {
                return Some(o);
            }
            day = day.tomorrow().ok()?;
        }
        None
    }

    /// Every session that overlaps `[from, to)`, in order of start: the weekly rules
    /// expanded day by day in Oslo (so a session keeps its wall time across a DST change),
    /// exceptions and the valid dates applied. At most [`MAX_RANGE_DAYS`] days are expanded.
    pub fn occurrences(&self, from: Timestamp, to: Timestamp) -> Vec<Occurrence> {
        let tz = oslo();
        let mut day = from.to_zoned_datetime(tz.clone()).date();
        let last = to.to_zoned_datetime(tz.clone()).date();
        let mut out = Vec::new();
        for _ in 0..=MAX_RANGE_DAYS {
            if day > last {
                break;
            }
            out.extend(
                self.on_day(day, &tz)
                    .into_iter()
                    .filter(|o| o.end.timestamp() > from && o.start.timestamp() < to),
            );
            let Ok(next) = day.tomorrow() else { break };
            day = next;
        }
        out
    }

    /// True when a session is going on at `at` (from its start, before its end).
    pub fn in_session(&self, at: Timestamp) -> bool {
        let minute = jiff::SignedDuration::from_secs(60);
        self.occurrences(at, at.checked_add(minute).unwrap_or(at))
            .iter()
            .any(|o| o.start.timestamp() <= at)
    }
}

/// The longest date range expanded at once (`Schedule::occurrences`).
pub const MAX_RANGE_DAYS: usize = 400;

/// What an organisation writes about an activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityDoc {
    /// 3–120 characters, leading and trailing white space not counted towards the minimum.
    #[schemars(length(min = 3, max = 120))]
    pub title: String,
    /// Up to 2,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 2000))]
    pub description: Option<String>,
    pub category: Category,
    /// The youngest admitted, in years (0–120).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 120))]
    pub age_min: Option<u8>,
    /// The oldest admitted, in years (0–120, not below `age_min`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 120))]
    pub age_max: Option<u8>,
    /// Price per session or per term in NOK (0–100,000); 0 is free of charge.
    #[schemars(range(min = 0, max = 100_000))]
    pub price_nok: f64,
    /// Up to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 200))]
    pub price_note: Option<String>,
    /// Languages spoken, as ISO 639-1 codes (`nb`, `nn`, `en`, `ar`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(pattern(r"^[a-z]{2}$")))]
    pub languages: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accessibility: Vec<Accessibility>,
    pub place: Place,
    pub schedule: Schedule,
    /// An http(s) address of up to 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 500))]
    pub signup_url: Option<String>,
    /// A public contact for questions: an e-mail address, a phone number or a web page
    /// (up to 200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 200))]
    pub contact: Option<String>,
    /// Paused by its organisation (e.g. between seasons): kept, but not listed, reached or
    /// counted until resumed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub paused: bool,
}

/// What an organisation writes about a volunteer need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedDoc {
    /// What is needed, e.g. "Trenerassistent for G12" (3–120 characters).
    #[schemars(length(min = 3, max = 120))]
    pub title: String,
    /// Up to 2,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 2000))]
    pub description: Option<String>,
    pub place: Place,
    /// E.g. "2 timer i uka, hele sesongen" (2–200 characters).
    #[schemars(length(min = 2, max = 200))]
    pub time_commitment: String,
    /// Up to 20 skills of up to 80 characters each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 20), inner(length(min = 1, max = 80)))]
    pub skills: Vec<String>,
    /// The last day the need is shown; offers of help are deleted after it.
    #[schemars(schema_with = "date_schema")]
    pub valid_until: Date,
}

/// A stored activity or volunteer need: the document and what the store adds.
#[derive(Debug, Clone, PartialEq)]
pub struct Item<D> {
    pub id: i64,
    pub org_id: i64,
    /// Bumped by every write; the ETag is made from it.
    pub version: i64,
    pub example: bool,
    pub updated_at: Timestamp,
    pub doc: D,
}

pub type Activity = Item<ActivityDoc>;
pub type VolunteerNeed = Item<NeedDoc>;

/// One problem with a written document: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

/// What validation needs to know about the world.
pub trait PlaceCheck {
    /// Whether a facility with this id exists.
    fn facility_exists(&self, id: i64) -> bool;
    /// Whether a point lies inside the municipality's area.
    fn inside_area(&self, p: LonLat) -> bool;
}

/// `value` has `min..=max` characters: white space at either end does not count towards
/// `min` (a blank title is no title) but does towards `max`, as the schema's `maxLength`.
fn text(errors: &mut Vec<FieldError>, field: &str, value: &str, min: usize, max: usize) {
    let (trimmed, all) = (value.trim().chars().count(), value.chars().count());
    let n = if all > max { all } else { trimmed };
    if trimmed < min || all > max {
        errors.push(FieldError {
            field: field.into(),
            reason: format!("must be {min}–{max} characters (is {n})"),
        });
    }
}

fn optional_text(errors: &mut Vec<FieldError>, field: &str, value: &Option<String>, max: usize) {
    if let Some(v) = value {
        text(errors, field, v, 1, max);
    }
}

fn check_url(errors: &mut Vec<FieldError>, field: &str, value: &Option<String>) {
    if let Some(v) = value {
        let ok = url::Url::parse(v)
            .ok()
            .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        if !ok || v.chars().count() > 500 {
            errors.push(FieldError {
                field: field.into(),
                reason: "must be an http(s) address such as https://example.no/påmelding".into(),
            });
        }
    }
}

/// A public contact: an e-mail address (as lettre parses one), a phone number (8–15
/// digits, spaces and a leading + allowed) or a web address.
pub fn is_contact(v: &str) -> bool {
    let v = v.trim();
    let email = v.contains('@') && v.parse::<lettre::Address>().is_ok();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let phone = (8..=15).contains(&digits)
        && v.trim_start_matches('+')
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
    let web = url::Url::parse(v)
        .ok()
        .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    email || phone || web
}

fn check_contact(errors: &mut Vec<FieldError>, field: &str, value: &Option<String>) {
    if let Some(v) = value
        && !is_contact(v)
    {
        errors.push(FieldError {
            field: field.into(),
            reason: format!(
                "{v:?} is not an e-mail address, a phone number (e.g. +47 22 33 44 55) or a web \
                 address"
            ),
        });
    }
}

fn check_place(errors: &mut Vec<FieldError>, place: &Place, world: &dyn PlaceCheck) {
    match place {
        Place::Facility { facility_id } => {
            if !world.facility_exists(*facility_id) {
                errors.push(FieldError {
                    field: "place.facility_id".into(),
                    reason: format!("no facility {facility_id}"),
                });
            }
        }
        Place::Point { lon, lat } => {
            let p = LonLat::new(*lon, *lat);
            if !p.is_valid() {
                errors.push(FieldError {
                    field: "place".into(),
                    reason: "lon must be -180..180 and lat -90..90".into(),
                });
            } else if !world.inside_area(p) {
                errors.push(FieldError {
                    field: "place".into(),
                    reason: "is outside the municipality's area".into(),
                });
            }
        }
    }
}

impl ActivityDoc {
    pub fn validate(&self, world: &dyn PlaceCheck) -> Vec<FieldError> {
        let mut e = Vec::new();
        text(&mut e, "title", &self.title, 3, 120);
        optional_text(&mut e, "description", &self.description, 2000);
        optional_text(&mut e, "price_note", &self.price_note, 200);
        optional_text(&mut e, "contact", &self.contact, 200);
        for (field, age) in [("age_min", self.age_min), ("age_max", self.age_max)] {
            if age.is_some_and(|a| a > 120) {
                e.push(FieldError {
                    field: field.into(),
                    reason: "must be 0–120".into(),
                });
            }
        }
        if let (Some(lo), Some(hi)) = (self.age_min, self.age_max)
            && lo > hi
        {
            e.push(FieldError {
                field: "age_max".into(),
                reason: format!("is below age_min ({hi} < {lo})"),
            });
        }
        if !(self.price_nok.is_finite() && (0.0..=100_000.0).contains(&self.price_nok)) {
            e.push(FieldError {
                field: "price_nok".into(),
                reason: "must be 0 (free) to 100000".into(),
            });
        }
        for (i, l) in self.languages.iter().enumerate() {
            if isolang::Language::from_639_1(l).is_none() {
                e.push(FieldError {
                    field: format!("languages[{i}]"),
                    reason: format!(
                        "{l:?} is not an ISO 639-1 language code such as nb, nn, en, ar, so or uk"
                    ),
                });
            }
        }
        check_contact(&mut e, "contact", &self.contact);
        check_place(&mut e, &self.place, world);
        check_url(&mut e, "signup_url", &self.signup_url);
        let s = &self.schedule;
        if s.sessions.is_empty() || s.sessions.len() > 14 {
            e.push(FieldError {
                field: "schedule.sessions".into(),
                reason: "must list 1–14 weekly sessions".into(),
            });
        }
        for (i, session) in s.sessions.iter().enumerate() {
            if !(1..=7).contains(&session.weekday) {
                e.push(FieldError {
                    field: format!("schedule.sessions[{i}].weekday"),
                    reason: "must be 1 (Monday) to 7 (Sunday)".into(),
                });
            }
            if session.end <= session.start {
                e.push(FieldError {
                    field: format!("schedule.sessions[{i}].end"),
                    reason: format!(
                        "must be after the start ({} ≤ {})",
                        session.end, session.start
                    ),
                });
            }
        }
        if let (Some(from), Some(to)) = (s.valid_from, s.valid_to)
            && to < from
        {
            e.push(FieldError {
                field: "schedule.valid_to".into(),
                reason: format!("is before valid_from ({to} < {from})"),
            });
        }
        if s.exceptions.len() > 366 {
            e.push(FieldError {
                field: "schedule.exceptions".into(),
                reason: "at most 366 dates".into(),
            });
        }
        e
    }

    pub fn free(&self) -> bool {
        self.price_nok == 0.0
    }

    /// Whether someone of `age` may join (an open range end admits everyone on that side).
    pub fn admits_age(&self, age: u8) -> bool {
        self.age_min.is_none_or(|lo| age >= lo) && self.age_max.is_none_or(|hi| age <= hi)
    }
}

impl NeedDoc {
    pub fn validate(&self, world: &dyn PlaceCheck, today: Date) -> Vec<FieldError> {
        let mut e = Vec::new();
        text(&mut e, "title", &self.title, 3, 120);
        optional_text(&mut e, "description", &self.description, 2000);
        text(&mut e, "time_commitment", &self.time_commitment, 2, 200);
        if self.skills.len() > 20 {
            e.push(FieldError {
                field: "skills".into(),
                reason: "at most 20 skills".into(),
            });
        }
        for (i, s) in self.skills.iter().enumerate() {
            text(&mut e, &format!("skills[{i}]"), s, 1, 80);
        }
        check_place(&mut e, &self.place, world);
        if self.valid_until < today {
            e.push(FieldError {
                field: "valid_until".into(),
                reason: format!("is in the past ({} < {today})", self.valid_until),
            });
        }
        e
    }
}

/// An offer of help: personal data, kept for the organisation only and never shown publicly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelpOffer {
    pub name: String,
    /// An e-mail address or a phone number.
    pub contact: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl HelpOffer {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        text(&mut e, "name", &self.name, 2, 100);
        text(&mut e, "contact", &self.contact, 5, 200);
        optional_text(&mut e, "message", &self.message, 1000);
        e
    }
}

/// Today's date in Oslo.
pub fn today(now: Timestamp) -> Date {
    now.to_zoned_datetime(oslo()).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn at(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Timestamp {
        date(y, mo, d)
            .at(h, mi, 0, 0)
            .to_zoned_datetime(oslo())
            .unwrap()
            .timestamp()
    }

    fn weekly(weekday: u8, start: &str, end: &str) -> Schedule {
        Schedule {
            sessions: vec![Session {
                weekday,
                start: ClockTime::parse(start).unwrap(),
                end: ClockTime::parse(end).unwrap(),
            }],
            ..Default::default()
        }
    }

    struct Anywhere;
    impl PlaceCheck for Anywhere {
        fn facility_exists(&self, _: i64) -> bool {
            true
        }
        fn inside_area(&self, _: LonLat) -> bool {
            true
        }
    }

    /// Each string's `maxLength`/`minLength` in the served schema (of `T`, from schemars),
    /// with the JSON pointer of the field in a document.
    fn string_limits<T: schemars::JsonSchema>() -> Vec<(String, u64, u64)> {
        let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap();
        let mut out = Vec::new();
        for (name, p) in schema["properties"].as_object().unwrap() {
            let (item, pointer) = match p["type"].as_str() {
                Some("array") => (&p["items"], format!("/{name}/0")),
                _ => (p, format!("/{name}")),
            };
            if let Some(max) = item["maxLength"].as_u64() {
                out.push((pointer, item["minLength"].as_u64().unwrap_or(0), max));
            }
        }
        out
    }

    /// The write path takes exactly what the OpenAPI document's limits allow: for every
    /// string with a `maxLength`, that many characters are taken and one more is refused,
    /// naming the field; `minLength` likewise. Checked against a valid document of each kind.
    #[test]
    fn schema_string_limits_are_the_write_paths() {
        let activity = serde_json::json!({
            "title": "Fotball", "description": "x", "category": "sport", "price_nok": 0,
            "price_note": "x", "contact": "post@example.no", "languages": ["nb"],
            "signup_url": "https://example.no/p", "place": { "lon": 10.2, "lat": 59.7 },
            "schedule": { "sessions": [{ "weekday": 1, "start": "17:00", "end": "18:00" }] },
        });
        let need = serde_json::json!({
            "title": "Trenerassistent", "description": "x", "time_commitment": "2 t",
            "skills": ["x"], "place": { "lon": 10.2, "lat": 59.7 }, "valid_until": "2099-01-01",
        });
        let today = date(2026, 12, 1);
        let check = |doc: &serde_json::Value, need_kind: bool| -> Vec<FieldError> {
            if need_kind {
                serde_json::from_value::<NeedDoc>(doc.clone())
                    .unwrap()
                    .validate(&Anywhere, today)
            } else {
                serde_json::from_value::<ActivityDoc>(doc.clone())
                    .unwrap()
                    .validate(&Anywhere)
            }
        };
        // A value of `n` characters that each check reads as itself: a web address where
        // the field wants one (a contact may be one), letters elsewhere.
        let of_length = |pointer: &str, n: usize| -> String {
            match pointer {
                "/signup_url" | "/contact" => {
                    format!("https://example.no/{}", "a".repeat(n - 19))
                }
                _ => "a".repeat(n),
            }
        };
        let mut checked = 0;
        for (base, need_kind, limits) in [
            (&activity, false, string_limits::<ActivityDoc>()),
            (&need, true, string_limits::<NeedDoc>()),
        ] {
            assert!(check(base, need_kind).is_empty(), "{base}");
            for (pointer, min, max) in limits {
                let field = pointer.trim_start_matches('/').replace("/0", "[0]");
                let with = |n: usize| {
                    let mut doc = base.clone();
                    *doc.pointer_mut(&pointer).unwrap() = of_length(&pointer, n).into();
                    check(&doc, need_kind)
                };
                assert_eq!(with(max as usize), vec![], "{pointer}: {max} characters");
                let over = with(max as usize + 1);
                assert!(over.iter().any(|e| e.field == field), "{pointer}: {over:?}");
                if min > 1 {
                    assert_eq!(with(min as usize), vec![], "{pointer}: {min} characters");
                    let under = with(min as usize - 1);
                    assert!(
                        under.iter().any(|e| e.field == field),
                        "{pointer}: {under:?}"
                    );
                }
                checked += 1;
            }
        }
        assert!(checked >= 9, "{checked} limits checked");
    }

    #[test]
    fn next_session_later_the_same_day_and_across_the_week() {
        // 2026-11-24 is a Tuesday.
        let s = weekly(2, "18:00", "19:30");
        let next = s.next(at(2026, 11, 24, 17, 0)).unwrap();
        assert_eq!(
            next.start.to_string(),
            "2026-11-24T18:00:00+01:00[Europe/Oslo]"
        );
        assert_eq!(next.end.datetime().time(), Time::constant(19, 30, 0, 0));
        // Started already: the next one is a week later, across the week boundary.
        let next = s.next(at(2026, 11, 24, 18, 1)).unwrap();
        assert_eq!(next.start.date(), date(2026, 12, 1));
        // Sunday evening to Monday morning.
        let s = weekly(1, "08:00", "09:00");
        assert_eq!(
            s.next(at(2026, 11, 29, 23, 0)).unwrap().start.date(),
            date(2026, 11, 30)
        );
    }

    #[test]
    fn holiday_exception_and_validity() {
        let mut s = weekly(4, "17:00", "18:00");
        // Thursday 2026-12-24 is an exception: the next is 2026-12-31.
        s.exceptions = vec![date(2026, 12, 24)];
        assert_eq!(
            s.next(at(2026, 12, 23, 12, 0)).unwrap().start.date(),
            date(2026, 12, 31)
        );
        s.valid_to = Some(date(2026, 12, 30));
        assert_eq!(s.next(at(2026, 12, 23, 12, 0)), None);
        s.valid_to = None;
        s.valid_from = Some(date(2027, 1, 10));
        assert_eq!(
            s.next(at(2026, 12, 23, 12, 0)).unwrap().start.date(),
            date(2027, 1, 14)
        );
    }

    #[test]
    fn daylight_saving_keeps_local_time() {
        // Summer time starts Sunday 2027-03-28 at 02:00 (+01 → +02).
        let s = weekly(7, "18:00", "19:00");
        let before = s.next(at(2027, 3, 21, 19, 0)).unwrap();
        assert_eq!(
            before.start.to_string(),
            "2027-03-28T18:00:00+02:00[Europe/Oslo]"
        );
        // A week earlier the same local time was an hour later in UTC.
        let winter = s.next(at(2027, 3, 20, 12, 0)).unwrap();
        assert_eq!(
            winter.start.to_string(),
            "2027-03-21T18:00:00+01:00[Europe/Oslo]"
        );
        assert_eq!(
            before.start.timestamp().as_second() - winter.start.timestamp().as_second(),
            7 * 86400 - 3600
        );
        // A session at 02:30 on that night does not exist; it moves to 03:30 as clocks do.
        let gap = weekly(7, "02:30", "04:00")
            .next(at(2027, 3, 27, 12, 0))
            .unwrap();
        assert_eq!(
            gap.start.to_string(),
            "2027-03-28T03:30:00+02:00[Europe/Oslo]"
        );
        // Back to winter time on 2027-10-31.
        let autumn = weekly(7, "18:00", "19:00")
            .next(at(2027, 10, 30, 12, 0))
            .unwrap();
        assert_eq!(
            autumn.start.to_string(),
            "2027-10-31T18:00:00+01:00[Europe/Oslo]"
        );
    }

    #[test]
    fn clock_times() {
        assert_eq!(ClockTime::parse("07:05").unwrap().to_string(), "07:05");
        for bad in ["7:05", "24:00", "12:60", "ab:cd", "1200", ""] {
            assert_eq!(ClockTime::parse(bad), None, "{bad}");
        }
    }
}
