//! Escalation ladders: what follows an incident the 1st, 2nd, 3rd… time,
//! counted over a window (a term, a half term, a school year, a number of
//! days, or ever).
//!
//! This module holds the compiled ladder, the windows, and the parts of a
//! [`Decision`](crate::Decision) that say which tier applied and why. The
//! checker builds ladders in `check/ladders.rs`; the evaluator climbs them in
//! `eval/ladders.rs`.

use std::sync::Arc;

use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};

use crate::ast::{CountWindow, Counted, ordinal};
use crate::calendar::iso_date;
use crate::model::{ResponseInfo, RouteId};
use crate::query::QueryError;
use crate::timetable::CompiledTimetable;

/// A ladder, as a decision cites it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LadderRef {
    /// The ladder's id: a table ladder's own id, or the incident's id for an
    /// incident's own ladder.
    pub id: Arc<str>,
    /// Its title: a table ladder's label, or the incident's label.
    pub label: Arc<str>,
    /// The line of its `count`.
    pub line: u32,
}

/// A tier of a ladder, as a decision cites it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TierRef {
    /// Which time it is for (2 for `2nd time`).
    pub number: u32,
    /// `or more`: also every later time.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub or_more: bool,
    /// `instead`: its responses replace the incident's own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub instead: bool,
    /// As written: `3rd time or more`.
    pub times: Arc<str>,
    /// Its line.
    pub line: u32,
}

/// The kinds of window a ladder counts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum WindowKind {
    /// A term, with the holiday after it.
    Term,
    /// A half term: a term divided at the holidays inside it.
    HalfTerm,
    /// 1 September to 31 August.
    SchoolYear,
    /// A number of days up to the question's time.
    Days,
    /// Every earlier incident.
    Ever,
}

/// The window that contained the question's time, and so what was counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CountedWindow {
    /// What kind of window.
    pub kind: WindowKind,
    /// Its name in words: "Autumn term", "Autumn term, 2nd half", "the
    /// school year 2026–27", "the 30 days to 2026-11-24 10:00".
    pub label: Arc<str>,
    /// Its first day (`YYYY-MM-DD`), or for days the moment it starts after
    /// (`YYYY-MM-DDTHH:MM`); absent for `ever`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Its last day, or for days the question's time; absent for `ever`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// How one ladder was climbed for a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LadderOutcome {
    /// The ladder.
    pub ladder: Arc<LadderRef>,
    /// Which earlier incidents it counts.
    pub counts: Counted,
    /// The window counted over; absent when the question gave a number of
    /// earlier incidents (`prior`) or no history.
    pub window: Option<CountedWindow>,
    /// How many earlier incidents counted.
    pub counted: u32,
    /// This incident's place in the count: `counted + 1`.
    pub time: u32,
    /// The tier that applied, if one did.
    pub tier: Option<Arc<TierRef>>,
    /// Incidents of the history dated after the question's time: not counted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub later: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A compiled tier.
#[derive(Debug, Clone)]
pub(crate) struct TierInfo {
    pub(crate) reference: Arc<TierRef>,
    /// The responses it adds, each with its column in the table.
    pub(crate) responses: Vec<(u32, ResponseInfo, ResponseClass)>,
    pub(crate) route: Option<RouteId>,
}

/// Which list of a decision a response goes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResponseClass {
    Referral,
    Notification,
    Sanction,
}

/// A compiled ladder.
#[derive(Debug, Clone)]
pub(crate) struct LadderInfo {
    pub(crate) reference: Arc<LadderRef>,
    /// The incidents table it is in.
    pub(crate) table: Arc<str>,
    /// For an incident's own ladder, the incident's id.
    pub(crate) incident: Option<Arc<str>>,
    pub(crate) counted: Counted,
    pub(crate) window: CountWindow,
    /// By number; checked not to overlap.
    pub(crate) tiers: Box<[TierInfo]>,
}

/// A ladder of the policy, as `esafety list` shows it: where it is, what it
/// counts, and its tiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LadderSummary {
    /// The ladder.
    pub ladder: Arc<LadderRef>,
    /// The incidents table it is in.
    pub table: Arc<str>,
    /// For an incident's own ladder, the incident; absent for a ladder of
    /// the whole table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<Arc<str>>,
    /// Which earlier incidents it counts.
    pub counts: Counted,
    /// Over which window.
    pub window: CountWindow,
    /// Its tiers, in order.
    pub tiers: Vec<Arc<TierRef>>,
}

impl LadderInfo {
    /// The ladder as the public summary gives it.
    pub(crate) fn summary(&self) -> LadderSummary {
        LadderSummary {
            ladder: self.reference.clone(),
            table: self.table.clone(),
            incident: self.incident.clone(),
            counts: self.counted,
            window: self.window,
            tiers: self.tiers.iter().map(|t| t.reference.clone()).collect(),
        }
    }

    /// The tier for the `time`th incident: the tier for exactly that time,
    /// else the latest `or more` tier below it.
    pub(crate) fn tier(&self, time: u32) -> Option<&TierInfo> {
        self.tiers.iter().rev().find(|t| {
            t.reference.number == time || (t.reference.or_more && t.reference.number <= time)
        })
    }
}

/// `tier` as a decision's explanation says it: "the 2nd time".
pub(crate) fn nth(time: u32) -> String {
    format!("the {} time", ordinal(time))
}

/// A window as the evaluator uses it: incidents count when they are after
/// `after` (or on or after `from`) and no later than the question.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    /// First day counted (calendar windows).
    pub(crate) from: Option<Date>,
    /// Incidents must be strictly after this moment (days windows).
    pub(crate) after: Option<DateTime>,
    pub(crate) shown: CountedWindow,
}

impl Window {
    pub(crate) fn contains(&self, at: DateTime) -> bool {
        self.from.is_none_or(|from| at.date() >= from) && self.after.is_none_or(|after| at > after)
    }
}

/// The window of kind `window` that contains `at`. Terms run from their first
/// day to the day before the next term starts, so the holiday after a term
/// counts with it; the last term ends on its last day. A time outside every
/// such window is an error: esafety does not guess which term it belongs to.
pub(crate) fn window(
    timetable: &CompiledTimetable,
    window: CountWindow,
    at: DateTime,
) -> Result<Window, QueryError> {
    let date = at.date();
    let calendar = |kind, label: String, from: Date, to: Date| Window {
        from: Some(from),
        after: None,
        shown: CountedWindow {
            kind,
            label: Arc::from(label),
            from: Some(iso_date(from)),
            to: Some(iso_date(to)),
        },
    };
    match window {
        CountWindow::Ever => Ok(Window {
            from: None,
            after: None,
            shown: CountedWindow {
                kind: WindowKind::Ever,
                label: Arc::from("every earlier incident"),
                from: None,
                to: None,
            },
        }),
        CountWindow::Days { days } => {
            // A count beyond the calendar means "since the earliest date".
            let after = crate::calendar::days_before(at, days).unwrap_or(DateTime::MIN);
            Ok(Window {
                from: None,
                after: Some(after),
                shown: CountedWindow {
                    kind: WindowKind::Days,
                    label: Arc::from(format!(
                        "the {days} day{} to {}",
                        if days == 1 { "" } else { "s" },
                        crate::query::format_at(at).replace('T', " ")
                    )),
                    from: Some(crate::query::format_at(after)),
                    to: Some(crate::query::format_at(at)),
                },
            })
        }
        CountWindow::SchoolYear => {
            let start_year = if date.month() >= 9 {
                date.year()
            } else {
                date.year() - 1
            };
            let from = Date::new(start_year, 9, 1).unwrap_or(date);
            let to = Date::new(start_year + 1, 8, 31).unwrap_or(date);
            Ok(calendar(
                WindowKind::SchoolYear,
                format!(
                    "the school year {}–{:02}",
                    start_year,
                    (start_year + 1).rem_euclid(100)
                ),
                from,
                to,
            ))
        }
        CountWindow::Term | CountWindow::HalfTerm => {
            let (index, from, to) = term_window(timetable, at)?;
            let terms = timetable.terms();
            let name = terms.get(index).and_then(|t| t.2.clone()).map_or_else(
                || format!("the term from {}", iso_date(from)),
                |l| l.to_string(),
            );
            if window == CountWindow::Term {
                return Ok(calendar(WindowKind::Term, name, from, to));
            }
            // Half terms: the term divided after each holiday inside it.
            let (term_from, term_to) = terms.get(index).map_or((from, to), |t| (t.0, t.1));
            let mut starts = vec![from];
            for &(h_from, h_to) in timetable.holidays() {
                if h_from > term_from
                    && h_to < term_to
                    && let Some(next) = h_to.tomorrow().ok()
                {
                    starts.push(next);
                }
            }
            starts.sort_unstable();
            starts.dedup();
            let piece = starts.partition_point(|&s| s <= date).saturating_sub(1);
            let piece_from = starts.get(piece).copied().unwrap_or(from);
            let piece_to = starts
                .get(piece + 1)
                .and_then(|next| next.yesterday().ok())
                .unwrap_or(to);
            let label = if starts.len() > 1 {
                format!(
                    "{name}, {} half",
                    ordinal(u32::try_from(piece + 1).unwrap_or(u32::MAX))
                )
            } else {
                name
            };
            Ok(calendar(WindowKind::HalfTerm, label, piece_from, piece_to))
        }
    }
}

/// The term whose window contains `at`: its index, first day and last day
/// (the day before the next term starts, or its own last day if it is the
/// last).
fn term_window(
    timetable: &CompiledTimetable,
    at: DateTime,
) -> Result<(usize, Date, Date), QueryError> {
    let date = at.date();
    let terms = timetable.terms();
    let (Some(first), Some(last)) = (terms.first(), terms.last()) else {
        return Err(QueryError::OutsideTerms {
            at: crate::query::format_at(at),
            reason: "the policy gives no term dates".to_owned(),
        });
    };
    let index = terms.partition_point(|t| t.0 <= date);
    let Some(index) = index.checked_sub(1) else {
        return Err(QueryError::OutsideTerms {
            at: crate::query::format_at(at),
            reason: format!(
                "it is before the first term the policy gives, which starts on {}",
                iso_date(first.0)
            ),
        });
    };
    let Some(term) = terms.get(index) else {
        return Err(QueryError::OutsideTerms {
            at: crate::query::format_at(at),
            reason: "it falls in no term".to_owned(),
        });
    };
    let to = match terms.get(index + 1) {
        Some(next) => next.0.yesterday().unwrap_or(term.1).max(term.1),
        None => term.1,
    };
    if date > to {
        return Err(QueryError::OutsideTerms {
            at: crate::query::format_at(at),
            reason: format!(
                "it is after the last term the policy gives, which ends on {}",
                iso_date(last.1)
            ),
        });
    }
    Ok((index, term.0, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timetable::TimetableBuilder;

    fn date(y: i16, m: i8, d: i8) -> Date {
        Date::new(y, m, d).unwrap_or_default()
    }

    fn at(y: i16, m: i8, d: i8) -> DateTime {
        date(y, m, d).at(10, 0, 0, 0)
    }

    fn school() -> CompiledTimetable {
        let mut b = TimetableBuilder::new();
        b.term(
            date(2026, 9, 3),
            date(2026, 12, 18),
            Some(Arc::from("Autumn term")),
        );
        b.holiday(date(2026, 10, 26), date(2026, 10, 30));
        b.term(
            date(2027, 1, 5),
            date(2027, 3, 26),
            Some(Arc::from("Spring term")),
        );
        b.build()
    }

    fn shown(w: CountWindow, when: DateTime) -> (String, Option<String>, Option<String>) {
        match window(&school(), w, when) {
            Ok(w) => (w.shown.label.to_string(), w.shown.from, w.shown.to),
            Err(e) => (e.to_string(), None, None),
        }
    }

    #[test]
    fn a_term_runs_until_the_next_begins() {
        let (label, from, to) = shown(CountWindow::Term, at(2026, 11, 24));
        assert_eq!(label, "Autumn term");
        assert_eq!(from.as_deref(), Some("2026-09-03"));
        assert_eq!(to.as_deref(), Some("2027-01-04"));
        // The Christmas holiday counts with the autumn term.
        assert_eq!(shown(CountWindow::Term, at(2026, 12, 30)).0, "Autumn term");
        assert_eq!(shown(CountWindow::Term, at(2027, 1, 5)).0, "Spring term");
    }

    #[test]
    fn outside_every_term_is_an_error_that_says_why() {
        assert!(
            shown(CountWindow::Term, at(2026, 8, 1))
                .0
                .contains("before the first term")
        );
        assert!(
            shown(CountWindow::Term, at(2027, 4, 1))
                .0
                .contains("after the last term")
        );
        let none = TimetableBuilder::new().build();
        assert!(window(&none, CountWindow::Term, at(2026, 11, 24)).is_err());
        // Windows that need no terms work without them.
        assert!(window(&none, CountWindow::SchoolYear, at(2026, 11, 24)).is_ok());
    }

    #[test]
    fn a_half_term_ends_with_the_holiday_inside_the_term() {
        let (label, from, to) = shown(CountWindow::HalfTerm, at(2026, 10, 1));
        assert_eq!(label, "Autumn term, 1st half");
        assert_eq!(
            (from.as_deref(), to.as_deref()),
            (Some("2026-09-03"), Some("2026-10-30"))
        );
        let (label, from, to) = shown(CountWindow::HalfTerm, at(2026, 11, 24));
        assert_eq!(label, "Autumn term, 2nd half");
        assert_eq!(
            (from.as_deref(), to.as_deref()),
            (Some("2026-10-31"), Some("2027-01-04"))
        );
        // The spring term has no holiday inside it: one half.
        assert_eq!(
            shown(CountWindow::HalfTerm, at(2027, 2, 1)).0,
            "Spring term"
        );
    }

    #[test]
    fn a_school_year_runs_from_september_to_august() {
        let (label, from, to) = shown(CountWindow::SchoolYear, at(2027, 3, 1));
        assert_eq!(label, "the school year 2026–27");
        assert_eq!(
            (from.as_deref(), to.as_deref()),
            (Some("2026-09-01"), Some("2027-08-31"))
        );
    }

    #[test]
    fn days_count_back_from_the_question() {
        let w = window(&school(), CountWindow::Days { days: 30 }, at(2026, 11, 24)).ok();
        let w = w.as_ref();
        assert!(w.is_some_and(|w| w.contains(at(2026, 10, 26))));
        assert!(w.is_some_and(|w| !w.contains(at(2026, 10, 25))));
    }
}
