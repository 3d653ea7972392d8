//! Opening hours (issue 18): OSM's `opening_hours` syntax, read and evaluated by the
//! `opening-hours` crate (<https://wiki.openstreetmap.org/wiki/Key:opening_hours/specification>),
//! in Europe/Oslo wall time, with Norway's public holidays (`PH`: the crate's calendar from
//! Nager.Date, Easter-dependent days included) and its school holidays where that calendar
//! has them (`SH`; none are known for Norway, whose school holidays differ per kommune, so an
//! `SH` rule never applies). Sun events (`sunrise`, `sunset`) are computed for the place.
//!
//! What cannot be read is kept as text by the caller and is never told as "closed": its state
//! is [`OpenState::Unknown`]. Pure: no I/O.

use std::sync::{Arc, LazyLock};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use jiff::ZonedDateTime;
use jiff::civil::DateTime;
use opening_hours::localization::{Coordinates, Country, Localize};
use opening_hours::{Context, ContextHolidays, OpeningHours, RuleKind};
use opening_hours_syntax::rules::time::TimeEvent;
use serde::Serialize;

use crate::domain::LonLat;
use crate::domain::activity::oslo;

/// Whether a place is open at an instant. `Unknown` when the hours say so (`unknown`,
/// a comment-only rule), or when a place has no hours or hours that could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpenState {
    Open,
    Closed,
    Unknown,
}

impl OpenState {
    /// `Some(true)` open, `Some(false)` closed, `None` unknown: the JSON `open_now`.
    pub fn as_bool(self) -> Option<bool> {
        match self {
            OpenState::Open => Some(true),
            OpenState::Closed => Some(false),
            OpenState::Unknown => None,
        }
    }
}

/// Oslo wall time for the crate: its "date times" are Oslo's civil date times, and sun
/// events are computed at the place's coordinates and told in Oslo time.
#[derive(Clone, Debug)]
struct OsloWallTime {
    place: Option<Coordinates>,
}

impl Localize for OsloWallTime {
    type DateTime = NaiveDateTime;

    fn naive(&self, dt: NaiveDateTime) -> NaiveDateTime {
        dt
    }

    fn datetime(&self, naive: NaiveDateTime) -> NaiveDateTime {
        naive
    }

    fn event_time(&self, date: NaiveDate, event: TimeEvent) -> Option<NaiveTime> {
        let Some(place) = self.place else {
            return opening_hours::localization::NoLocation.event_time(date, event);
        };
        let utc = place.event_time(date, event)?;
        let at = jiff::Timestamp::from_second(utc.timestamp()).ok()?;
        let local = at.to_zoned_datetime(oslo()).datetime();
        NaiveTime::from_hms_opt(
            local.hour() as u32,
            local.minute() as u32,
            local.second() as u32,
        )
    }
}

static HOLIDAYS_NO: LazyLock<ContextHolidays> = LazyLock::new(|| Country::NO.holidays());

/// Changes further away than this are not looked for (the crate walks the calendar).
const HORIZON_DAYS: i64 = 400;

/// One place's parsed opening hours.
#[derive(Clone, Debug)]
pub struct Hours {
    oh: OpeningHours<OsloWallTime>,
}

impl Hours {
    /// Reads an OSM `opening_hours` value for a place at `at` (for its sun events).
    ///
    /// Errors: the parser's message, for a value the syntax does not allow.
    pub fn parse(text: &str, at: Option<LonLat>) -> Result<Hours, String> {
        let oh: OpeningHours = match weekday_lists(text.trim()).parse() {
            Ok(oh) => oh,
            // Norwegian mappers write Norwegian days (`Ma-Fr 10:00-16:00, Lø 10:00-14:00`):
            // read as their OSM names when the value is not valid as it stands.
            Err(e) => norwegian_days(text.trim())
                .and_then(|t| weekday_lists(&t).parse().ok())
                .ok_or_else(|| format!("{e}"))?,
        };
        let place = at.and_then(|p| Coordinates::new(p.lat, p.lon));
        let context = Context::default()
            .with_holidays(HOLIDAYS_NO.clone())
            .approx_bound_interval_size(chrono::TimeDelta::days(HORIZON_DAYS))
            .with_locale(OsloWallTime { place });
        Ok(Hours {
            oh: oh.with_context(context),
        })
    }

    /// The state at an instant (read in Oslo time).
    pub fn state(&self, at: &ZonedDateTime) -> OpenState {
        match self.oh.state(naive(&oslo_civil(at))).0 {
            RuleKind::Open => OpenState::Open,
            RuleKind::Closed => OpenState::Closed,
            RuleKind::Unknown => OpenState::Unknown,
        }
    }

    /// When the state after `at` next changes (opens, closes or becomes unknown), in Oslo
    /// time; `None` when it never does within about a year (`24/7`, `off`).
    pub fn next_change(&self, at: &ZonedDateTime) -> Option<ZonedDateTime> {
        let next = self.oh.next_change(naive(&oslo_civil(at)))?;
        use chrono::{Datelike, Timelike};
        let civil = DateTime::new(
            i16::try_from(next.year()).ok()?,
            next.month() as i8,
            next.day() as i8,
            next.hour() as i8,
            next.minute() as i8,
            next.second() as i8,
            0,
        )
        .ok()?;
        // A change at a wall time the clocks skip (spring forward) happens as they move on.
        civil.to_zoned_datetime(oslo()).ok()
    }
}

/// One day of a place's opening hours, as the pages show it in a weekly table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Day {
    /// The Oslo date, `YYYY-MM-DD`.
    pub date: String,
    /// A Norwegian public holiday (`PH` rules apply on it).
    pub holiday: bool,
    /// Open intervals in Oslo wall time, `["08:00", "16:00"]`; an interval that runs past
    /// midnight ends at `"24:00"` and goes on at `"00:00"` the next day.
    pub open: Vec<[String; 2]>,
    /// Intervals whose state the hours leave unknown (`unknown`, or a rule that is only a
    /// comment), the same way.
    pub unknown: Vec<[String; 2]>,
    /// The hours' comments that apply on this day (`"by appointment"`), each once.
    pub comments: Vec<String>,
}

impl Hours {
    /// The `days` days from `first` (an Oslo date): what is open, unknown and said each day.
    /// Formula: the crate's `iter_range` over each day's wall-time interval.
    pub fn week(&self, first: jiff::civil::Date, days: u8) -> Vec<Day> {
        use chrono::Timelike;
        let hhmm = |t: NaiveDateTime, day: NaiveDate| {
            if t.date() > day {
                "24:00".to_string()
            } else {
                format!("{:02}:{:02}", t.hour(), t.minute())
            }
        };
        (0..i64::from(days))
            .filter_map(|k| {
                let date = first.checked_add(jiff::Span::new().days(k)).ok()?;
                let day = NaiveDate::from_ymd_opt(
                    i32::from(date.year()),
                    date.month() as u32,
                    date.day() as u32,
                )?;
                let start = day.and_hms_opt(0, 0, 0)?;
                let end = day.succ_opt()?.and_hms_opt(0, 0, 0)?;
                let mut out = Day {
                    date: date.to_string(),
                    holiday: HOLIDAYS_NO.get_public().contains(day),
                    open: Vec::new(),
                    unknown: Vec::new(),
                    comments: Vec::new(),
                };
                for r in self.oh.iter_range(start, end) {
                    let span = [hhmm(r.range.start, day), hhmm(r.range.end, day)];
                    match r.kind {
                        RuleKind::Open => out.open.push(span),
                        RuleKind::Unknown => out.unknown.push(span),
                        RuleKind::Closed => {}
                    }
                    let comment = r.comment.trim();
                    if !comment.is_empty() && !out.comments.iter().any(|c| c == comment) {
                        out.comments.push(comment.to_string());
                    }
                }
                Some(out)
            })
            .collect()
    }
}

/// How many days a weekly table shows: today and the six after.
pub const WEEK_DAYS: u8 = 7;

/// Each entry of a snapshot's hours table as a week from today (`[Day]` as JSON text),
/// worked out once per entry and Oslo day and then shared by every request that day.
#[derive(Default)]
pub struct WeekCache(std::sync::Mutex<WeekTables>);

/// The day the tables are for, and per hours-table entry its week once made.
type WeekTables = (Option<jiff::civil::Date>, Vec<Option<Arc<str>>>);

impl WeekCache {
    /// Entry `entry` of `table`'s `WEEK_DAYS` days from `today`, as a JSON array text.
    pub fn get(&self, table: &[Hours], entry: u32, today: jiff::civil::Date) -> Arc<str> {
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if cache.0 != Some(today) || cache.1.len() != table.len() {
            *cache = (Some(today), vec![None; table.len()]);
        }
        cache.1[entry as usize]
            .get_or_insert_with(|| {
                let week = table[entry as usize].week(today, WEEK_DAYS);
                serde_json::to_string(&week).expect("days serialize").into()
            })
            .clone()
    }
}

/// Norwegian day names and their OSM names.
const NORWEGIAN_DAYS: [(&str, &str); 7] = [
    ("mandag", "Mo"),
    ("tirsdag", "Tu"),
    ("onsdag", "We"),
    ("torsdag", "Th"),
    ("fredag", "Fr"),
    ("lørdag", "Sa"),
    ("søndag", "Su"),
];

/// `Ma-Fr 10:00-16:00, Lø 10:00-14:00` → `Mo-Fr 10:00-16:00, Sa 10:00-14:00`: each word
/// of two letters or more that begins a Norwegian day name (any case: `Ma`, `Man`, `Tir`,
/// `Lør`, `søndag`), with the full stop after an abbreviated one (`man.-fre.`), becomes its
/// OSM name. `None` when nothing changed, so that only a value with Norwegian days is read
/// again.
fn norwegian_days(text: &str) -> Option<String> {
    let osm_day = |word: &str| {
        let lower = word.to_lowercase();
        (lower.chars().count() >= 2)
            .then(|| NORWEGIAN_DAYS.iter().find(|(no, _)| no.starts_with(&lower)))
            .flatten()
            .map(|(_, osm)| *osm)
    };
    let mut changed = false;
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    // A space after the text ends its last word; it is taken off again at the end.
    for c in text.chars().chain([' ']) {
        if c.is_alphabetic() {
            word.push(c);
            continue;
        }
        let was_day = match osm_day(&word) {
            Some(osm) => {
                changed |= osm != word;
                out.push_str(osm);
                true
            }
            None => {
                out.push_str(&word);
                false
            }
        };
        word.clear();
        if !(c == '.' && was_day) {
            out.push(c);
        }
    }
    out.pop();
    changed.then_some(out)
}

/// Day names that a comma and a space may join into one list.
const DAYS: [&str; 9] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su", "PH", "SH"];

/// `We, Th 12:00-18:00` → `We,Th 12:00-18:00`: mappers write a list of days with a space
/// after the comma, which opening_hours.js (the reference implementation) reads as one list
/// and the crate as two rules (the first open all day). A comma between two rules is left
/// alone (`Mo 10:00-12:00, We 14:00-16:00`: a time comes before it).
fn weekday_lists(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(", ") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(k) = rest.find(',') {
        let (before, after) = rest.split_at(k);
        out.push_str(before);
        let after = &after[1..];
        let trimmed = after.trim_start();
        let ends_with_day = DAYS.iter().any(|d| {
            before.ends_with(d)
                && !before[..before.len() - d.len()].ends_with(|c: char| c.is_ascii_alphanumeric())
        });
        let starts_with_day = DAYS.iter().any(|d| {
            trimmed.starts_with(d)
                && !trimmed[d.len()..].starts_with(|c: char| c.is_ascii_alphabetic())
        });
        out.push(',');
        rest = if ends_with_day && starts_with_day {
            trimmed
        } else {
            after
        };
    }
    out.push_str(rest);
    out.into()
}

fn oslo_civil(at: &ZonedDateTime) -> DateTime {
    at.timestamp().to_zoned_datetime(oslo()).datetime()
}

fn naive(dt: &DateTime) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(dt.year() as i32, dt.month() as u32, dt.day() as u32)
        .and_then(|d| d.and_hms_opt(dt.hour() as u32, dt.minute() as u32, dt.second() as u32))
        .expect("a jiff civil date time is a valid chrono one")
}

/// Reads every place's hours once per distinct value: `(index into the table per place,
/// the table)`. Values with sun events are read per place rounded to 0.1° (sunset moves
/// about a minute across that); unreadable values and places without hours get `None`.
pub fn read_all<'a>(
    places: impl Iterator<Item = (Option<&'a str>, LonLat)>,
) -> (Vec<Option<u32>>, Vec<Hours>) {
    use std::collections::HashMap;
    let mut table = Vec::new();
    let mut seen: HashMap<(&str, i32, i32), Option<u32>> = HashMap::new();
    let index = places
        .map(|(text, at)| {
            let text = text?;
            let lower = text.to_ascii_lowercase();
            let sun = ["sunrise", "sunset", "dawn", "dusk"]
                .iter()
                .any(|w| lower.contains(w));
            let key = if sun {
                (
                    text,
                    (at.lon * 10.0).round() as i32,
                    (at.lat * 10.0).round() as i32,
                )
            } else {
                (text, 0, 0)
            };
            *seen.entry(key).or_insert_with(|| {
                let h = Hours::parse(text, Some(at)).ok()?;
                table.push(h);
                Some(table.len() as u32 - 1)
            })
        })
        .collect();
    (index, table)
}

/// The state of optional hours: no hours, or unreadable ones, are unknown.
pub fn state_of(hours: Option<&Hours>, at: &ZonedDateTime) -> OpenState {
    hours.map_or(OpenState::Unknown, |h| h.state(at))
}

/// Reads a time asked for (`open_at=`): an RFC 3339 instant with an offset or `Z`, or a
/// date and time without one (`2026-12-24T10:00`, seconds optional), read as Oslo wall time.
///
/// Errors: a message naming the forms accepted.
pub fn parse_time(text: &str) -> Result<ZonedDateTime, String> {
    let text = text.trim();
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Ok(t.to_zoned_datetime(oslo()));
    }
    let civil: DateTime = text.parse().map_err(|_| {
        format!(
            "{text:?} is not a time; use 2026-12-24T10:00 (Oslo time) or an RFC 3339 time with \
             an offset, such as 2026-12-24T10:00:00+01:00"
        )
    })?;
    civil
        .to_zoned_datetime(oslo())
        .map_err(|e| format!("{text:?} is not a time in Oslo: {e}"))
}

/// Now, in Oslo.
pub fn now() -> ZonedDateTime {
    jiff::Timestamp::now().to_zoned_datetime(oslo())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> ZonedDateTime {
        parse_time(s).unwrap()
    }

    fn state(hours: &str, time: &str) -> OpenState {
        Hours::parse(hours, Some(LonLat::new(10.2, 59.74)))
            .unwrap()
            .state(&at(time))
    }

    #[test]
    fn a_table_of_values_at_oslo_times() {
        use OpenState::*;
        let office = "Mo-Fr 08:00-16:00; PH off";
        for (hours, time, want) in [
            (office, "2026-11-30T10:00", Open),   // a Monday
            (office, "2026-11-30T16:00", Closed), // the end is not inside
            (office, "2026-11-28T10:00", Closed), // a Saturday
            (office, "2026-12-24T10:00", Open),   // julaften is no public holiday
            (office, "2026-12-25T10:00", Closed), // 1. juledag
            (office, "2026-12-28T10:00", Open),
            (office, "2026-04-02T10:00", Closed), // skjærtorsdag (Easter is 5 April 2026)
            (office, "2026-04-06T10:00", Closed), // 2. påskedag
            (office, "2026-05-14T10:00", Closed), // Kristi himmelfartsdag
            (office, "2026-05-25T10:00", Closed), // 2. pinsedag
            (office, "2026-05-18T10:00", Open),
            (office, "2027-03-25T10:00", Closed), // skjærtorsdag 2027 (Easter is 28 March)
            ("24/7", "2026-12-25T03:00", Open),
            ("Fr 22:00-02:00", "2026-12-05T01:30", Open), // Saturday night, after midnight
            ("Fr 22:00-02:00", "2026-12-05T02:30", Closed),
            // Across DST: the hours are wall time on both sides of the change.
            ("Mo-Su 09:00-17:00", "2026-03-29T09:30", Open),
            ("Mo-Su 09:00-17:00", "2026-10-25T16:30", Open),
            ("Mo-Su 09:00-17:00", "2026-10-25T17:30", Closed),
            (
                "Mo-Fr 08:00-16:00 \"by appointment\"; Sa unknown",
                "2026-11-28T10:00",
                Unknown,
            ),
            ("off", "2026-11-30T10:00", Closed),
            // A list of days written with a space after the comma is one list, as
            // opening_hours.js reads it (found by scripts/bench-hours on the Oslo extract).
            (
                "Tu 12:00-16:00; We, Th 12:00-18:00",
                "2026-12-30T04:52",
                Closed,
            ),
            (
                "Tu 12:00-16:00; We, Th 12:00-18:00",
                "2026-12-30T13:00",
                Open,
            ),
            (
                "Tu 12:00-16:00; We, Th 12:00-18:00",
                "2026-12-31T17:00",
                Open,
            ),
            ("Mo 10:00-12:00, We 14:00-16:00", "2026-12-02T15:00", Open),
            ("Mo 10:00-12:00, We 14:00-16:00", "2026-11-30T11:00", Open),
        ] {
            assert_eq!(state(hours, time), want, "{hours:?} at {time}");
        }
    }

    #[test]
    fn a_week_as_the_pages_show_it() {
        let week = |hours: &str, first: &str| {
            Hours::parse(hours, None)
                .unwrap()
                .week(first.parse().unwrap(), 7)
        };
        // Christmas week 2026: Thursday 24 open, Friday 25 and Saturday 26 public holidays.
        let w = week("Mo-Fr 08:00-16:00; PH off", "2026-12-21");
        let open: Vec<_> = w.iter().map(|d| d.open.len()).collect();
        assert_eq!(open, [1, 1, 1, 1, 0, 0, 0]);
        assert_eq!(w[0].date, "2026-12-21");
        assert_eq!(w[0].open[0], ["08:00".to_string(), "16:00".to_string()]);
        let holidays: Vec<_> = w.iter().map(|d| d.holiday).collect();
        assert_eq!(holidays, [false, false, false, false, true, true, false]);
        // Past midnight: Friday ends at 24:00 and Saturday goes on from 00:00.
        let w = week("Fr 22:00-02:00", "2026-12-04");
        assert_eq!(w[0].open, [["22:00".to_string(), "24:00".to_string()]]);
        assert_eq!(w[1].open, [["00:00".to_string(), "02:00".to_string()]]);
        assert!(w[2].open.is_empty());
        // Unknown and comments are told, never as closed.
        let w = week(
            "Mo-Fr 08:00-16:00 \"etter avtale\"; Sa unknown",
            "2026-11-30",
        );
        assert_eq!(w[0].comments, ["etter avtale"]);
        assert_eq!(w[5].unknown, [["00:00".to_string(), "24:00".to_string()]]);
        // The day clocks go back (25 October 2026) is one wall-time day all the same.
        let w = week("Mo-Su 09:00-17:00", "2026-10-25");
        assert_eq!(w[0].open, [["09:00".to_string(), "17:00".to_string()]]);
        assert_eq!(
            week("24/7", "2026-11-30")[3].open,
            [["00:00".to_string(), "24:00".to_string()]]
        );
    }

    #[test]
    fn norwegian_day_names_are_read() {
        use OpenState::*;
        for (hours, time, want) in [
            ("Ma-Fr 10:00-16:00", "2026-11-30T11:00", Open), // a Monday
            (
                "Ma-Fr 10:00-16:00, Lø 10:00-14:00",
                "2026-12-05T11:00",
                Open,
            ),
            (
                "man-fre 08:00-16:00; lør 10:00-14:00",
                "2026-12-05T15:00",
                Closed,
            ),
            ("Man.-Fre. 08:00-16:00", "2026-12-02T09:00", Open),
            ("Ti,To 12:00-18:00", "2026-12-01T13:00", Open), // Tuesday
            ("Ti,To 12:00-18:00", "2026-12-02T13:00", Closed), // Wednesday
            ("Søndag 12:00-15:00", "2026-12-06T13:00", Open),
        ] {
            assert_eq!(state(hours, time), want, "{hours:?} at {time}");
        }
        // OSM syntax is read as it stands: `off` and `PH` are not days.
        assert_eq!(norwegian_days("Mo-Fr 08:00-16:00; PH off"), None);
        assert!(Hours::parse("etter avtale", None).is_err());
    }

    #[test]
    fn an_instant_with_an_offset_is_read_in_oslo() {
        // 09:30Z is 10:30 in Oslo in winter.
        assert_eq!(
            state("Mo-Fr 10:00-11:00", "2026-11-30T09:30:00Z"),
            OpenState::Open
        );
        assert_eq!(
            state("Mo-Fr 10:00-11:00", "2026-11-30T09:30:00+01:00"),
            OpenState::Closed
        );
    }

    #[test]
    fn next_change_is_an_oslo_instant() {
        let h = Hours::parse("Mo-Fr 08:00-16:00; PH off", None).unwrap();
        let change = |t: &str| h.next_change(&at(t)).map(|z| z.to_string());
        assert_eq!(
            change("2026-11-30T10:00").as_deref(),
            Some("2026-11-30T16:00:00+01:00[Europe/Oslo]")
        );
        // Thursday 24 December closes at 16:00, then the holidays: open again on Monday 28.
        assert_eq!(
            change("2026-12-24T17:00").as_deref(),
            Some("2026-12-28T08:00:00+01:00[Europe/Oslo]")
        );
        // Summer time is +02:00.
        assert_eq!(
            change("2026-06-01T07:00").as_deref(),
            Some("2026-06-01T08:00:00+02:00[Europe/Oslo]")
        );
        assert_eq!(
            Hours::parse("24/7", None)
                .unwrap()
                .next_change(&at("2026-11-30T10:00")),
            None
        );
    }

    #[test]
    fn sun_events_are_the_places() {
        // At Drammen in late November the sun sets at about 15:20, not the crate's 19:00.
        let h = Hours::parse("sunrise-sunset", Some(LonLat::new(10.2, 59.74))).unwrap();
        assert_eq!(h.state(&at("2026-11-30T16:00")), OpenState::Closed);
        assert_eq!(h.state(&at("2026-11-30T12:00")), OpenState::Open);
    }

    #[test]
    fn unreadable_values_and_times_say_what_is_wrong() {
        for bad in ["Mo-Fr 8-16 hver dag", "kl 10-14", "Mo-Fr 25:00-26:00 x"] {
            assert!(Hours::parse(bad, None).is_err(), "{bad:?}");
        }
        assert_eq!(state_of(None, &at("2026-11-30T10:00")), OpenState::Unknown);
        let e = parse_time("24.12.2026 10:00").unwrap_err();
        assert!(e.contains("2026-12-24T10:00"), "{e}");
        assert_eq!(
            at("2026-12-24T10:00").to_string(),
            "2026-12-24T10:00:00+01:00[Europe/Oslo]"
        );
    }
}
