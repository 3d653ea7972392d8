//! `open_now=` and `open_at=` (issue 18): which facilities are open, and the members each
//! facility answers with (`open_now`, `next_change`, and `open_at` when a time is asked).

use std::cell::RefCell;

use jiff::ZonedDateTime;
use serde_json::Value;

use super::error::ApiError;
use super::params::Params;
use crate::hours::OpenState;
use crate::index::Snapshot;

/// The parameters that ask about opening hours.
pub const PARAMS: [&str; 2] = ["open_now", "open_at"];

/// `open_now` (None: unknown) and `next_change` (RFC 3339) of one facility.
pub type NowAnswer = (Option<bool>, Option<String>);

/// What a request asked about opening hours, with the instant it was answered.
///
/// Each distinct value of opening hours (`Snapshot::hours_table`) is evaluated once per
/// request and remembered here.
pub struct OpenQuery {
    /// The request's time, in Oslo.
    pub now: ZonedDateTime,
    /// `open_now=true|false`: keep only facilities open (closed) now; unknown ones neither.
    pub open_now: Option<bool>,
    /// `open_at=`: keep only facilities open then.
    pub open_at: Option<ZonedDateTime>,
    /// Per entry of the snapshot's hours table: open now and the next change, once known.
    now_memo: RefCell<Vec<Option<NowAnswer>>>,
}

impl OpenQuery {
    /// Reads `open_now` and `open_at`.
    ///
    /// Errors: 400 problems naming the parameter and the forms it takes.
    pub fn parse(params: &Params) -> Result<OpenQuery, ApiError> {
        let open_now = params.boolean("open_now")?;
        let open_at = params
            .get("open_at")
            .map(crate::hours::parse_time)
            .transpose()
            .map_err(|e| ApiError::invalid("open_at", e))?;
        Ok(OpenQuery {
            now: crate::hours::now(),
            open_now,
            open_at,
            now_memo: RefCell::new(Vec::new()),
        })
    }

    /// Facility `i`'s `open_now` (null when unknown) and `next_change` (RFC 3339 with Oslo's
    /// offset, or null).
    pub fn now_of(&self, s: &Snapshot, i: u32) -> NowAnswer {
        match s.hours[i as usize] {
            Some(h) => self.now_of_entry(s, h),
            None => (None, None),
        }
    }

    /// The same for entry `h` of the snapshot's hours table, evaluated once per request.
    fn now_of_entry(&self, s: &Snapshot, h: u32) -> NowAnswer {
        let mut memo = self.now_memo.borrow_mut();
        if memo.len() != s.hours_table.len() {
            *memo = vec![None; s.hours_table.len()];
        }
        memo[h as usize]
            .get_or_insert_with(|| {
                let hours = &s.hours_table[h as usize];
                (
                    hours.state(&self.now).as_bool(),
                    hours
                        .next_change(&self.now)
                        .map(|z| crate::domain::activity::rfc3339(&z)),
                )
            })
            .clone()
    }

    /// Facility `i`'s opening hours as a weekly table from today (`[{date, holiday, open,
    /// unknown, comments}]`, see `hours::Day`), as JSON text; `None` without readable hours.
    pub fn week_of(&self, s: &Snapshot, i: u32) -> Option<std::sync::Arc<str>> {
        s.hours[i as usize].map(|h| self.week_of_entry(s, h))
    }

    fn week_of_entry(&self, s: &Snapshot, h: u32) -> std::sync::Arc<str> {
        s.hours_weeks.get(&s.hours_table, h, self.now.date())
    }

    /// True when facility `i` meets the filters asked.
    pub fn keeps(&self, s: &Snapshot, i: u32) -> bool {
        self.open_now
            .is_none_or(|want| self.now_of(s, i).0 == Some(want))
            && self
                .open_at
                .as_ref()
                .is_none_or(|at| s.open_state(i, at) == OpenState::Open)
    }

    /// The members facility `i` answers with, as JSON text starting with a comma:
    /// `open_now` (true, false, or null when unknown), `next_change` (RFC 3339 with Oslo's
    /// offset, or null), `opening_hours_week` (`week_of`, or null), and `open_at` (true,
    /// false or null) when a time was asked; a knutepunkt adds `services_now`: per service
    /// `{open_now, next_change, week}`.
    pub fn members(&self, s: &Snapshot, i: u32) -> String {
        let (open_now, next) = self.now_of(s, i);
        let week = self.week_of(s, i);
        let mut out = format!(
            ",\"open_now\":{},\"next_change\":{},\"opening_hours_week\":{}",
            Value::from(open_now),
            Value::from(next),
            week.as_deref().unwrap_or("null")
        );
        if let Some(at) = &self.open_at {
            out.push_str(&format!(
                ",\"open_at\":{}",
                Value::from(s.open_state(i, at).as_bool())
            ));
        }
        // A knutepunkt's services, in the order of its `services`.
        if let Some(services) = s.service_hours.get(&i) {
            let now: Vec<String> = services
                .iter()
                .map(|h| {
                    let (open_now, next) = h.map_or((None, None), |h| self.now_of_entry(s, h));
                    let week = h.map(|h| self.week_of_entry(s, h));
                    format!(
                        "{{\"open_now\":{},\"next_change\":{},\"week\":{}}}",
                        Value::from(open_now),
                        Value::from(next),
                        week.as_deref().unwrap_or("null")
                    )
                })
                .collect();
            out.push_str(&format!(",\"services_now\":[{}]", now.join(",")));
        }
        out
    }
}
