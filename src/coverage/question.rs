//! What a coverage table answers (issue 21 item 6): one parser and one set of checks for
//! the CLI (`naermiljo coverage`) and the API (`/api/coverage`, gaps, tiles, scenarios), so
//! that the same question gets the same answer, and the same mistake the same message.

use crate::domain::activity::Category;
use crate::domain::nature::NatureTarget;
use crate::domain::{FacilityKind, KindFilter};
use crate::routing::Profile;

/// The longest walk a coverage question may ask, in minutes, unless the server's limits say
/// otherwise.
pub const MAX_MINUTES: u32 = 60;

/// A coverage question: homes within `minutes` on foot (`profile`) of a facility of `kinds`
/// (open at `open_at`, where asked), or of an activity of `categories`.
#[derive(Debug, Clone)]
pub struct Question {
    pub kinds: KindFilter,
    /// Walk to activities of these categories instead of facilities of `kinds`.
    pub categories: Option<Vec<Category>>,
    /// Walk to nature instead (issue 22): the nearest edge of a green area, the forest, a
    /// shore.
    pub nature: Option<NatureTarget>,
    pub minutes: u32,
    pub profile: Profile,
    /// Only facilities not closed then by their opening hours; those whose state then is
    /// unknown (no readable hours) count as `unknown_hours` says.
    pub open_at: Option<jiff::ZonedDateTime>,
    /// Whether a facility without known hours counts as open (the default: unknown is never
    /// told as closed) or as closed at `open_at`.
    pub unknown_hours: UnknownHours,
}

/// How a facility whose hours do not say whether it is open at `open_at` counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnknownHours {
    #[default]
    Open,
    Closed,
}

impl UnknownHours {
    pub fn as_str(self) -> &'static str {
        match self {
            UnknownHours::Open => "open",
            UnknownHours::Closed => "closed",
        }
    }
}

/// At `open_at`: how many facilities of the kinds asked are open, closed and unknown, and
/// how the unknown ones were counted.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OpenAtCounts {
    pub open: usize,
    pub closed: usize,
    pub unknown: usize,
    pub unknown_counted_as: &'static str,
}

/// A bad question: the parameter (as the API names it; the CLI's option is `--` and the
/// same name with `-`), the message, and the limit a too-large value exceeded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{parameter}: {message}")]
pub struct QuestionError {
    pub parameter: &'static str,
    pub message: String,
    pub limit: Option<u64>,
}

fn bad(parameter: &'static str, message: impl Into<String>) -> QuestionError {
    QuestionError {
        parameter,
        message: message.into(),
        limit: None,
    }
}

/// What a question is asked with, as text, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct Asked<'a> {
    pub kind: Option<&'a str>,
    pub category: Option<&'a str>,
    pub nature: Option<&'a str>,
    pub minutes: Option<u64>,
    pub profile: Option<&'a str>,
    pub open_at: Option<&'a str>,
    /// `open` (the default) or `closed`: how facilities without known hours count at
    /// `open_at`.
    pub unknown_hours: Option<&'a str>,
}

/// A whole number of minutes as text: `"2.5" is not a whole number` otherwise (the message
/// of every integer parameter of the API).
pub fn parse_minutes(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .map_err(|_| format!("{s:?} is not a whole number"))
}

/// `unknown kind "x"; kinds: …` with every kind and the group `naermiljoanlegg`.
pub fn unknown_kind(bad: &str) -> String {
    format!(
        "unknown kind {bad:?}; kinds: {}, or naermiljoanlegg (all nærmiljøanlegg)",
        FacilityKind::ALL.map(|k| k.as_str()).join(", ")
    )
}

impl Question {
    /// Checks a question; `max_minutes` is the longest walk served.
    pub fn parse(asked: &Asked, max_minutes: u32) -> Result<Question, QuestionError> {
        let nature = match asked.nature {
            None => None,
            Some(_) if asked.kind.is_some() || asked.category.is_some() => {
                return Err(bad("nature", "give one of kind, category or nature"));
            }
            Some(n) => Some(NatureTarget::parse(n.trim()).ok_or_else(|| {
                bad(
                    "nature",
                    format!(
                        "unknown nature {n:?}; one of: {} (green: a green area or forest of at \
                         least 0.5 ha)",
                        NatureTarget::ALL.map(|t| t.as_str()).join(", ")
                    ),
                )
            })?),
        };
        let categories = match (asked.category, asked.kind) {
            (None, None) if nature.is_some() => None,
            (Some(_), Some(_)) => {
                return Err(bad("category", "give kind or category, not both"));
            }
            (Some(c), None) => Some(
                c.split(',')
                    .map(|x| {
                        Category::parse(x.trim()).ok_or_else(|| {
                            bad(
                                "category",
                                format!(
                                    "unknown category {x:?}; categories: {}",
                                    Category::ALL.map(|c| c.as_str()).join(", ")
                                ),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            (None, None) => {
                return Err(bad(
                    "kind",
                    "required, e.g. kind=playground or kind=naermiljoanlegg (or category=sport \
                     for activities, or nature=green for nature)",
                ));
            }
            (None, Some(_)) => None,
        };
        let kinds = match asked.kind {
            Some(k) => KindFilter::parse(k).map_err(|b| bad("kind", unknown_kind(&b)))?,
            None => KindFilter::parse("school").expect("a kind"),
        };
        let minutes = asked.minutes.unwrap_or(10);
        if minutes == 0 {
            return Err(bad("minutes", "must be at least 1"));
        }
        if minutes > max_minutes as u64 {
            return Err(QuestionError {
                parameter: "minutes",
                message: format!("{minutes} minutes is more than the {max_minutes} minutes served"),
                limit: Some(max_minutes as u64),
            });
        }
        let profile = match asked.profile {
            None => Profile::Walk,
            Some(p) => Profile::parse(p)
                .ok_or_else(|| bad("profile", format!("{p:?} is not walk, slow or wheelchair")))?,
        };
        let open_at = asked
            .open_at
            .map(crate::hours::parse_time)
            .transpose()
            .map_err(|e| bad("open_at", e))?;
        if open_at.is_some() && (categories.is_some() || nature.is_some()) {
            return Err(bad(
                "open_at",
                "open_at asks about facilities' opening hours; use it with kind, not category or nature",
            ));
        }
        let unknown_hours = match asked.unknown_hours {
            None | Some("open") => UnknownHours::Open,
            Some("closed") => UnknownHours::Closed,
            Some(other) => {
                return Err(bad(
                    "unknown_hours",
                    format!("{other:?} is not open or closed"),
                ));
            }
        };
        if asked.unknown_hours.is_some() && open_at.is_none() {
            return Err(bad(
                "unknown_hours",
                "unknown_hours says how facilities without known hours count at open_at; ask \
                 open_at too",
            ));
        }
        Ok(Question {
            kinds,
            categories,
            nature,
            minutes: minutes as u32,
            profile,
            open_at,
            unknown_hours,
        })
    }

    /// Every address's walking time for this question, in seconds (infinite where none).
    pub fn times(&self, s: &crate::index::Snapshot) -> Result<Vec<f64>, super::CoverageError> {
        if let Some(target) = self.nature {
            return super::nature::nature_times(s, target, self.profile, &[]);
        }
        match &self.categories {
            Some(c) => super::activity_times(s, c, self.profile),
            None => super::address_times(s, &self.kinds, self.profile, &[], &self.closed(s)),
        }
    }

    /// The ids of the facilities of the question's kinds that count as closed at `open_at`
    /// (with those of unknown state when `unknown_hours` is closed).
    pub fn closed(&self, s: &crate::index::Snapshot) -> Vec<i64> {
        use crate::hours::OpenState;
        self.states(s)
            .filter(|&(_, state)| match state {
                OpenState::Closed => true,
                OpenState::Unknown => self.unknown_hours == UnknownHours::Closed,
                OpenState::Open => false,
            })
            .map(|(i, _)| s.facilities[i as usize].id)
            .collect()
    }

    /// Each facility of the question's kinds and its state at `open_at`; none without it.
    fn states<'s>(
        &'s self,
        s: &'s crate::index::Snapshot,
    ) -> impl Iterator<Item = (u32, crate::hours::OpenState)> + 's {
        let at = self
            .open_at
            .as_ref()
            .filter(|_| self.nature.is_none() && self.categories.is_none());
        (0..s.facilities.len() as u32).filter_map(move |i| {
            let at = at?;
            self.kinds
                .matches(s.facilities[i as usize].kind)
                .then(|| (i, s.open_state(i, at)))
        })
    }

    /// How many facilities of the kinds asked are open, closed and unknown at `open_at`.
    pub fn open_at_counts(&self, s: &crate::index::Snapshot) -> Option<OpenAtCounts> {
        use crate::hours::OpenState;
        self.open_at.as_ref()?;
        let mut counts = OpenAtCounts {
            open: 0,
            closed: 0,
            unknown: 0,
            unknown_counted_as: self.unknown_hours.as_str(),
        };
        for (_, state) in self.states(s) {
            match state {
                OpenState::Open => counts.open += 1,
                OpenState::Closed => counts.closed += 1,
                OpenState::Unknown => counts.unknown += 1,
            }
        }
        Some(counts)
    }

    /// A key that tells questions apart, for caches.
    pub fn key(&self) -> String {
        format!(
            "{:?}|{:?}|{:?}|{}|{}|{}",
            self.kinds,
            self.categories,
            self.nature,
            self.profile.as_str(),
            self.minutes,
            self.open_at
                .as_ref()
                .map(|t| format!("{}{}", t.timestamp(), self.unknown_hours.as_str()))
                .unwrap_or_default()
        )
    }

    /// What the question asked for, as a table's metadata says it: the kinds (comma-
    /// separated) or the categories, the time asked, the data version and the time now, and
    /// notes on what the data lacks (no activities of a category).
    pub fn about(&self, s: &crate::index::Snapshot, times: &[f64]) -> super::About {
        let (kind, category) = match &self.categories {
            _ if self.nature.is_some() => (None, None),
            Some(c) => (
                None,
                Some(c.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",")),
            ),
            None => (
                Some(
                    self.kinds
                        .kinds()
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                None,
            ),
        };
        let mut notes = Vec::new();
        if let Some(target) = self.nature {
            if !s.nature.iter().any(|n| target.matches(n.class, n.area_ha)) {
                notes.push(format!(
                    "no nature areas for {} are in the data (import an OpenStreetMap extract)",
                    target.as_str()
                ));
            }
        } else if let Some(categories) = &self.categories {
            for c in categories {
                let items = &s.programme.activities.items;
                if !items.iter().any(|a| !a.doc.paused && a.doc.category == *c) {
                    notes.push(format!(
                        "no activities of category {} are registered",
                        c.as_str()
                    ));
                }
            }
        } else {
            for k in self.kinds.kinds() {
                if !s.facilities.iter().any(|f| f.kind == *k) {
                    notes.push(format!(
                        "no facilities of kind {} are in the data",
                        k.as_str()
                    ));
                }
            }
        }
        if let Some(n) =
            super::near_data_edge(s, times, self.minutes, self.profile).filter(|&n| n > 0)
        {
            notes.push(format!(
                "{n} homes not covered are less than a {} minutes' walk from the edge of the \
                 map data: what lies beyond it is not in the data, so something may be nearer \
                 for them than shown (import a larger area, e.g. the kommune with its 3 km buffer)",
                self.minutes
            ));
        }
        super::About {
            near_data_edge: super::near_data_edge(s, times, self.minutes, self.profile),
            kind,
            category,
            nature: self.nature.map(|t| t.as_str().to_string()),
            open_at: self.open_at.as_ref().map(crate::domain::activity::rfc3339),
            open_at_facilities: self.open_at_counts(s),
            data_version: s.data_version,
            computed_at: jiff::Timestamp::now()
                .round(jiff::Unit::Second)
                .expect("rounding to seconds")
                .to_string(),
            notes,
        }
    }
}
