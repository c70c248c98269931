//! The timetable: periods per weekday, aliases, terms and holidays.

use std::collections::HashMap;
use std::sync::Arc;

use super::Checker;
use crate::ast::{Days, Section, TimeValue, TimetableItem, Weekday};
use crate::diagnostic::Code;
use crate::span::Span;
use crate::timetable::{BUILT_IN_PERIODS, MAX_TIME_NAMES};

/// Where a period already runs on a day: start and end minute, and its line.
type Occurrence = (u16, u16, Span);

impl Checker<'_, '_> {
    /// Minutes since midnight, or a report; `24:00` is allowed as an end.
    fn minutes(&mut self, t: &TimeValue, is_end: bool) -> Option<u16> {
        let valid = (t.hour < 24 && t.minute < 60) || (is_end && t.hour == 24 && t.minute == 0);
        if !valid {
            let why = if t.hour >= 24 {
                "the 24-hour clock runs from 00:00 to 23:59"
            } else {
                "an hour has 60 minutes"
            };
            self.r
                .report(Code::ImpossibleTime, t.span, format!("{:02}:{:02} is not a time of day: {why}", t.hour, t.minute))
                .label("impossible time")
                .help("Write times on the 24-hour clock, from 00:00 to 23:59 (24:00 may end the day), e.g. `13:15` for quarter past one.");
            return None;
        }
        u16::try_from(t.hour * 60 + t.minute).ok()
    }

    fn days(&mut self, days: &Days, span: Span) -> Vec<Weekday> {
        match days {
            Days::List { days } => days.iter().map(|d| d.day).collect(),
            Days::Range { from, to } => {
                if from.day > to.day {
                    self.r
                        .report(Code::EndBeforeStart, span, format!("`{} to {}` runs backwards through the week", from.day.as_str(), to.day.as_str()))
                        .label("backwards")
                        .help("Write day ranges from Monday onwards, e.g. `monday to friday`, or list the days: `saturday, sunday`.");
                    return Vec::new();
                }
                Weekday::ALL
                    .into_iter()
                    .filter(|d| *d >= from.day && *d <= to.day)
                    .collect()
            }
        }
    }

    pub(super) fn check_timetable(&mut self, sections: &[Section]) {
        for name in BUILT_IN_PERIODS {
            self.period_defs.insert(name, (), Span::default());
        }
        let timetables: Vec<_> = sections
            .iter()
            .filter_map(|s| match s {
                Section::Timetable(t) => Some(t),
                _ => None,
            })
            .collect();
        let Some(first) = timetables.first() else {
            return;
        };
        for extra in timetables.iter().skip(1) {
            self.r
                .report(
                    Code::DuplicateSection,
                    extra.span,
                    "a policy has one timetable, but this is a second `timetable` heading",
                )
                .label("second timetable")
                .secondary(first.span, "the timetable starts here")
                .help(
                    "Put every day, period, alias, term and holiday under one `timetable` heading.",
                );
        }

        // Periods first (aliases may name any of them), in file order.
        // For "overlaps itself": per (period, day) the intervals so far.
        let mut seen: HashMap<(Arc<str>, usize), Vec<Occurrence>> = HashMap::new();
        let mut limit_reported = false;
        for item in &first.items {
            let TimetableItem::Day(schedule) = item else {
                continue;
            };
            let days = self.days(&schedule.days, schedule.span);
            for period in &schedule.periods {
                if BUILT_IN_PERIODS.contains(&&*period.name.text) {
                    self.r
                        .report(Code::DuplicateDefinition, period.name.span, format!("`{}` is built in and cannot be a period", period.name.text))
                        .label("built-in name")
                        .help("`outside-school-hours`, `weekend` and `holiday` are worked out from the timetable; name your period something else.");
                    continue;
                }
                let start = self.minutes(&period.start, false);
                let end = self.minutes(&period.end, true);
                let (Some(start), Some(end)) = (start, end) else {
                    continue;
                };
                if end <= start {
                    self.r
                        .report(Code::EndBeforeStart, period.start.span.to(period.end.span), format!(
                            "period `{}` ends ({:02}:{:02}) before it starts ({:02}:{:02})",
                            period.name.text, period.end.hour, period.end.minute, period.start.hour, period.start.minute
                        ))
                        .label("ends before it starts")
                        .help("Write the start time first, e.g. `lunch 12:00 to 13:00`. A period cannot run past midnight.");
                    continue;
                }
                if !self.timetable.period(&period.name.text) {
                    if !limit_reported {
                        limit_reported = true;
                        self.r
                            .report(Code::LimitExceeded, period.name.span, format!("a policy may define at most {MAX_TIME_NAMES} time names (periods and aliases)"))
                            .label("one too many")
                            .help("Use aliases to group periods rather than defining many periods.");
                    }
                    continue;
                }
                if self.period_defs.get(&period.name.text).is_none() {
                    self.period_defs
                        .insert(period.name.text.clone(), (), period.name.span);
                }
                for day in &days {
                    let key = (period.name.text.clone(), day.index());
                    let list = seen.entry(key).or_default();
                    if let Some(&(s, e, other)) =
                        list.iter().find(|&&(s, e, _)| start < e && s < end)
                    {
                        let what = if s == start && e == end {
                            "is defined twice"
                        } else {
                            "overlaps itself"
                        };
                        self.r
                            .report(Code::PeriodOverlap, period.span, format!(
                                "period `{}` {what} on {} ({:02}:{:02} to {:02}:{:02} and {:02}:{:02} to {:02}:{:02})",
                                period.name.text, day.as_str(), s / 60, s % 60, e / 60, e % 60,
                                start / 60, start % 60, end / 60, end % 60
                            ))
                            .label("clashes")
                            .secondary(other, "with this")
                            .help("A period can happen several times a day, but its times must not overlap: check the times, or give the two periods different names.");
                        break;
                    }
                    list.push((start, end, period.span));
                    let text = format!(
                        "{} {:02}:{:02} to {:02}:{:02}",
                        day.as_str(),
                        start / 60,
                        start % 60,
                        end / 60,
                        end % 60
                    );
                    self.timetable
                        .interval(day.index(), &period.name.text, start, end, text);
                }
            }
        }

        // Then aliases, terms and holidays, in order: an alias may use the
        // aliases above it.
        for item in &first.items {
            match item {
                TimetableItem::Day(_) => {}
                TimetableItem::Alias(alias) => {
                    if self.period_defs.get(&alias.name.text).is_some() {
                        let first_span = self
                            .period_defs
                            .map
                            .get(&*alias.name.text)
                            .map(|d| d.span)
                            .unwrap_or_default();
                        let mut b = self
                            .r
                            .report(
                                Code::DuplicateDefinition,
                                alias.name.span,
                                format!("`{}` is already a period or alias", alias.name.text),
                            )
                            .label("defined again here");
                        if first_span.line > 0 {
                            b = b.secondary(first_span, "first defined here");
                        }
                        b.help("An alias needs a name of its own, e.g. `social-time means break, lunch`.");
                        continue;
                    }
                    let mut members = Vec::new();
                    for m in &alias.periods {
                        if self.timetable.bit(&m.text).is_some() {
                            members.push(&*m.text);
                        } else {
                            let names: Vec<String> =
                                self.timetable.names().map(str::to_owned).collect();
                            Self::unknown(
                                self.r,
                                "period",
                                m,
                                names.iter().map(String::as_str),
                                "An alias stands for periods defined under a days line, built-in names (`outside-school-hours`, `weekend`, `holiday`), or aliases defined above it.",
                            );
                        }
                    }
                    if self.timetable.alias(&alias.name.text, &members) {
                        self.period_defs
                            .insert(alias.name.text.clone(), (), alias.name.span);
                    } else if !limit_reported {
                        limit_reported = true;
                        self.r
                            .report(Code::LimitExceeded, alias.name.span, format!("a policy may define at most {MAX_TIME_NAMES} time names (periods and aliases)"))
                            .label("one too many")
                            .help("Use fewer, broader aliases.");
                    }
                }
                TimetableItem::Term(range) | TimetableItem::Holiday(range) => {
                    let is_term = matches!(item, TimetableItem::Term(_));
                    let (Some(from), Some(to)) = (self.date(&range.from), self.date(&range.to))
                    else {
                        continue;
                    };
                    let (from, to) = (from.first_day(), to.last_day());
                    if to < from {
                        self.r
                            .report(Code::EndBeforeStart, range.from.span.to(range.to.span), format!("this {} ends before it starts", if is_term { "term" } else { "holiday" }))
                            .label("ends before it starts")
                            .help("Write the first day, then `to`, then the last day, e.g. `2025-10-27 to 2025-10-31`.");
                        continue;
                    }
                    if is_term {
                        let label = range.label.as_ref().map(|l| l.text.clone());
                        self.timetable.term(from, to, label);
                    } else {
                        self.timetable.holiday(from, to);
                    }
                }
            }
        }
    }

    /// Resolves the names of a window, reporting unknown ones.
    pub(super) fn window_names(&mut self, names: &[crate::ast::Name]) -> Vec<Arc<str>> {
        let mut out = Vec::new();
        for n in names {
            if self.timetable.bit(&n.text).is_some() {
                out.push(n.text.clone());
            } else {
                let candidates: Vec<String> = self.timetable.names().map(str::to_owned).collect();
                Self::unknown(
                    self.r,
                    "period",
                    n,
                    candidates.iter().map(String::as_str),
                    "A window names periods or aliases from the `timetable`, or `outside-school-hours`, `weekend` or `holiday`.",
                );
            }
        }
        out
    }
}
