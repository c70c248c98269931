//! Time: resolving a moment to the periods it falls in.
//!
//! Each weekday is compiled to a sorted list of segments covering the whole
//! day, each carrying a bit mask of the periods (and aliases, and the built-in
//! `outside-school-hours`) that are on during it. Resolving a moment is one
//! binary search on its weekday, plus a date check for weekends and holidays.
//! The evaluator never reads the clock: the moment comes in the query.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::{Date, DateTime};

use crate::model::{PeriodInfo, PeriodKind};

/// One bit per period, alias or built-in time name.
pub(crate) type PeriodMask = u128;

/// How many names a [`PeriodMask`] holds: periods, aliases and the three
/// built-ins, one bit each.
const MASK_BITS: usize = 128;

/// The most periods and aliases a policy may define: the mask's bits less
/// the three built-in names (`outside-school-hours`, `weekend`, `holiday`).
pub const MAX_TIME_NAMES: usize = MASK_BITS - BUILT_IN_PERIODS.len();

/// Built-in time names.
pub(crate) const OUTSIDE_SCHOOL_HOURS: &str = "outside-school-hours";
pub(crate) const WEEKEND: &str = "weekend";
pub(crate) const HOLIDAY: &str = "holiday";
pub(crate) const BUILT_IN_PERIODS: [&str; 3] = [OUTSIDE_SCHOOL_HOURS, WEEKEND, HOLIDAY];

const MINUTES_PER_DAY: u16 = 24 * 60;

/// A compiled `during …` or `outside …` window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WindowMask {
    /// `outside …` rather than `during …`.
    pub(crate) outside: bool,
    /// The base (period and built-in) bits the window names, aliases expanded.
    pub(crate) mask: PeriodMask,
    /// The window as written, e.g. "during break, lunch".
    pub(crate) text: Arc<str>,
}

impl WindowMask {
    /// Whether a moment falls inside the window.
    pub(crate) fn admits(&self, moment: PeriodMask) -> bool {
        let overlaps = moment & self.mask != 0;
        overlaps != self.outside
    }
}

/// Builds a [`CompiledTimetable`].
#[derive(Debug, Default)]
pub(crate) struct TimetableBuilder {
    periods: Vec<PeriodInfo>,
    index: HashMap<Box<str>, u8>,
    /// For each name, the base bits it stands for.
    expanded: Vec<PeriodMask>,
    intervals: [Vec<(u16, u16, u8)>; 7],
    terms: Vec<(Date, Date)>,
    /// The terms with their labels, for ladders that count per term.
    term_labels: Vec<(Date, Date, Option<Arc<str>>)>,
    holidays: Vec<(Date, Date)>,
}

impl TimetableBuilder {
    pub(crate) fn new() -> Self {
        let mut builder = TimetableBuilder::default();
        for name in BUILT_IN_PERIODS {
            builder.add(name, PeriodKind::BuiltIn, Vec::new(), 0);
        }
        builder
    }

    fn add(
        &mut self,
        name: &str,
        kind: PeriodKind,
        means: Vec<Arc<str>>,
        expanded: PeriodMask,
    ) -> Option<u8> {
        if self.periods.len() >= MASK_BITS {
            return None;
        }
        let bit = u8::try_from(self.periods.len()).ok()?;
        let own = if kind == PeriodKind::Alias {
            0
        } else {
            1u128 << bit
        };
        self.periods.push(PeriodInfo {
            id: Arc::from(name),
            kind,
            means,
            times: Vec::new(),
        });
        self.expanded.push(own | expanded);
        self.index.insert(name.into(), bit);
        Some(bit)
    }

    /// The bit of a name already added.
    pub(crate) fn bit(&self, name: &str) -> Option<u8> {
        self.index.get(name).copied()
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.periods.iter().map(|p| &*p.id)
    }

    /// Adds a period (once per name); returns false when the limit is reached.
    pub(crate) fn period(&mut self, name: &str) -> bool {
        self.bit(name).is_some() || self.add(name, PeriodKind::Period, Vec::new(), 0).is_some()
    }

    /// Records that `name` is on during `start..end` (minutes) on `day`
    /// (0 = Monday).
    pub(crate) fn interval(&mut self, day: usize, name: &str, start: u16, end: u16, text: String) {
        let Some(bit) = self.bit(name) else { return };
        if let Some(list) = self.intervals.get_mut(day) {
            list.push((start, end, bit));
        }
        if let Some(p) = self.periods.get_mut(usize::from(bit))
            && !p.times.contains(&text)
        {
            p.times.push(text);
        }
    }

    /// Adds an alias for names already added; returns false at the limit.
    pub(crate) fn alias(&mut self, name: &str, members: &[&str]) -> bool {
        let mut expanded = 0;
        for m in members {
            if let Some(bit) = self.bit(m) {
                expanded |= self.expanded.get(usize::from(bit)).copied().unwrap_or(0);
            }
        }
        let means = members.iter().map(|m| Arc::from(*m)).collect();
        self.add(name, PeriodKind::Alias, means, expanded).is_some()
    }

    pub(crate) fn term(&mut self, from: Date, to: Date, label: Option<Arc<str>>) {
        self.terms.push((from, to));
        self.term_labels.push((from, to, label));
    }

    /// Whether any `term` was given.
    pub(crate) fn has_terms(&self) -> bool {
        !self.terms.is_empty()
    }

    pub(crate) fn holiday(&mut self, from: Date, to: Date) {
        self.holidays.push((from, to));
    }

    /// The base bits a list of names stands for.
    pub(crate) fn window(&self, outside: bool, names: &[&str], text: String) -> WindowMask {
        let mut mask = 0;
        for n in names {
            if let Some(bit) = self.bit(n) {
                mask |= self.expanded.get(usize::from(bit)).copied().unwrap_or(0);
            }
        }
        WindowMask {
            outside,
            mask,
            text: text.into(),
        }
    }

    /// Each weekday's segments (start minute and the names on from then),
    /// and the mask of a moment outside every period.
    fn segments(&self) -> ([Vec<(u16, PeriodMask)>; 7], PeriodMask) {
        let bit_of = |name: &str| self.index.get(name).map_or(0, |&b| 1u128 << b);
        let outside = bit_of(OUTSIDE_SCHOOL_HOURS);
        let aliases: Vec<(PeriodMask, PeriodMask)> = self
            .periods
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == PeriodKind::Alias)
            .map(|(i, _)| (1u128 << i, self.expanded.get(i).copied().unwrap_or(0)))
            .collect();
        let with_aliases = |base: PeriodMask| {
            aliases
                .iter()
                .filter(|(_, members)| base & members != 0)
                .fold(base, |acc, (bit, _)| acc | bit)
        };

        let mut days: [Vec<(u16, PeriodMask)>; 7] = Default::default();
        for (day, intervals) in self.intervals.iter().enumerate() {
            let mut bounds: Vec<u16> = vec![0, MINUTES_PER_DAY];
            for &(s, e, _) in intervals {
                bounds.push(s);
                bounds.push(e);
            }
            bounds.sort_unstable();
            bounds.dedup();
            let mut segments = Vec::new();
            for pair in bounds.windows(2) {
                let [start, _end] = [
                    pair.first().copied().unwrap_or(0),
                    pair.get(1).copied().unwrap_or(0),
                ];
                let mut mask = 0;
                for &(s, e, bit) in intervals {
                    if s <= start && start < e {
                        mask |= 1u128 << bit;
                    }
                }
                if mask == 0 {
                    mask = outside;
                }
                segments.push((start, with_aliases(mask)));
            }
            if let Some(slot) = days.get_mut(day) {
                *slot = segments;
            }
        }
        (days, with_aliases(outside))
    }

    /// Every different set of names that can be on at some moment: each
    /// segment of each weekday (at the weekend with `weekend`), and a
    /// holiday. A condition no such moment satisfies can never hold.
    pub(crate) fn moments(&self) -> Vec<PeriodMask> {
        let bit_of = |name: &str| self.index.get(name).map_or(0, |&b| 1u128 << b);
        let (days, outside) = self.segments();
        let weekend = bit_of(WEEKEND);
        let mut out: Vec<PeriodMask> = days
            .iter()
            .enumerate()
            .flat_map(|(day, segments)| {
                let extra = if day >= 5 { weekend } else { 0 };
                segments.iter().map(move |&(_, mask)| mask | extra)
            })
            .collect();
        for extra in [0, weekend] {
            out.push(outside | extra);
            out.push(bit_of(HOLIDAY) | outside | extra);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    pub(crate) fn build(self) -> CompiledTimetable {
        let bit_of = |name: &str| self.index.get(name).map_or(0, |&b| 1u128 << b);
        let (days, outside) = self.segments();

        let mut terms = self.terms;
        terms.sort_unstable();
        let mut holidays = self.holidays;
        holidays.sort_unstable();
        let mut term_labels = self.term_labels;
        term_labels.sort_by_key(|&(from, to, _)| (from, to));
        CompiledTimetable {
            days,
            terms,
            term_labels,
            holidays,
            outside,
            weekend: bit_of(WEEKEND),
            holiday: bit_of(HOLIDAY),
            periods: self.periods,
        }
    }
}

/// The compiled timetable of a policy.
#[derive(Debug, Clone)]
pub(crate) struct CompiledTimetable {
    periods: Vec<PeriodInfo>,
    /// Per weekday (Monday first): segment start minute and the mask from then
    /// until the next segment.
    days: [Vec<(u16, PeriodMask)>; 7],
    terms: Vec<(Date, Date)>,
    /// The terms with their labels, for ladders that count per term.
    term_labels: Vec<(Date, Date, Option<Arc<str>>)>,
    holidays: Vec<(Date, Date)>,
    /// The mask outside any period (aliases of `outside-school-hours` included).
    outside: PeriodMask,
    weekend: PeriodMask,
    holiday: PeriodMask,
}

impl CompiledTimetable {
    pub(crate) fn periods(&self) -> &[PeriodInfo] {
        &self.periods
    }

    /// The terms, by start, each with its label if it has one.
    pub(crate) fn terms(&self) -> &[(Date, Date, Option<Arc<str>>)] {
        &self.term_labels
    }

    /// The holidays, by start.
    pub(crate) fn holidays(&self) -> &[(Date, Date)] {
        &self.holidays
    }

    fn in_ranges(ranges: &[(Date, Date)], date: Date) -> bool {
        // Ranges are sorted by start: only those starting on or before `date`
        // can contain it.
        let upto = ranges.partition_point(|&(from, _)| from <= date);
        ranges
            .get(..upto)
            .is_some_and(|r| r.iter().rev().any(|&(_, to)| date <= to))
    }

    /// Whether a date is a holiday: in a `holiday`, or outside every term
    /// when the policy has terms.
    pub(crate) fn on_holiday(&self, date: Date) -> bool {
        Self::in_ranges(&self.holidays, date)
            || (!self.terms.is_empty() && !Self::in_ranges(&self.terms, date))
    }

    /// The dates where [`Self::on_holiday`] may change: the first day of
    /// each term and holiday, and the day after each ends.
    pub(crate) fn calendar_boundaries(&self) -> impl Iterator<Item = Date> + '_ {
        self.terms
            .iter()
            .chain(&self.holidays)
            .flat_map(|&(from, to)| [Some(from), to.tomorrow().ok()])
            .flatten()
    }

    /// The minutes of a weekday (Monday 0) at which the names that are on
    /// may change.
    pub(crate) fn segment_starts(&self, day: usize) -> impl Iterator<Item = u16> + '_ {
        self.days
            .get(day)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(|&(start, _)| start)
    }

    /// The names that are on at a moment.
    pub(crate) fn resolve(&self, at: DateTime) -> PeriodMask {
        let date = at.date();
        let day = usize::from(at.weekday().to_monday_zero_offset().unsigned_abs());
        let weekend = if day >= 5 { self.weekend } else { 0 };
        if self.on_holiday(date) {
            return self.holiday | self.outside | weekend;
        }
        let minute =
            u16::from(at.hour().unsigned_abs()) * 60 + u16::from(at.minute().unsigned_abs());
        let segments = self.days.get(day).map(Vec::as_slice).unwrap_or(&[]);
        let index = segments.partition_point(|&(start, _)| start <= minute);
        let mask = index
            .checked_sub(1)
            .and_then(|i| segments.get(i))
            .map_or(self.outside, |&(_, mask)| mask);
        mask | weekend
    }

    #[cfg(feature = "test-language")]
    /// The first school day with this weekday: in the first term (or, with
    /// no terms, on or after `from`), and not in a holiday. A test that asks
    /// "on a Tuesday" means a Tuesday of a normal school week.
    pub(crate) fn school_day(&self, weekday: jiff::civil::Weekday, from: Date) -> Date {
        let start = self.terms.first().map_or(from, |&(first, _)| first);
        let mut date = start;
        // Two years is more than any school calendar leaves without a week
        // of term; a calendar of nothing but holidays gets the first match.
        for _ in 0..732 {
            if date.weekday() == weekday
                && !Self::in_ranges(&self.holidays, date)
                && (self.terms.is_empty() || Self::in_ranges(&self.terms, date))
            {
                return date;
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        start.nth_weekday_of_month(1, weekday).unwrap_or(start)
    }

    /// The names in a mask, for explanations.
    pub(crate) fn names(&self, mask: PeriodMask) -> Vec<&str> {
        self.periods
            .iter()
            .enumerate()
            .filter(|(i, _)| u32::try_from(*i).is_ok_and(|i| i < 128 && mask & (1u128 << i) != 0))
            .map(|(_, p)| &*p.id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn school_day() -> CompiledTimetable {
        let mut b = TimetableBuilder::new();
        for name in ["lessons", "break", "lunch"] {
            assert!(b.period(name));
        }
        for day in 0..5 {
            b.interval(day, "lessons", 9 * 60, 10 * 60 + 30, String::new());
            b.interval(day, "break", 10 * 60 + 30, 10 * 60 + 45, String::new());
            b.interval(day, "lessons", 10 * 60 + 45, 12 * 60, String::new());
            b.interval(day, "lunch", 12 * 60, 13 * 60, String::new());
        }
        assert!(b.alias("social-time", &["break", "lunch"]));
        b.holiday(date(2025, 10, 27), date(2025, 10, 31));
        b.build()
    }

    fn names_at(t: &CompiledTimetable, at: DateTime) -> Vec<String> {
        t.names(t.resolve(at))
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn a_moment_resolves_to_its_periods_and_aliases() {
        let t = school_day();
        // 2025-11-04 is a Tuesday.
        assert_eq!(
            names_at(&t, date(2025, 11, 4).at(10, 35, 0, 0)),
            ["break", "social-time"]
        );
        assert_eq!(
            names_at(&t, date(2025, 11, 4).at(10, 30, 0, 0)),
            ["break", "social-time"]
        );
        assert_eq!(
            names_at(&t, date(2025, 11, 4).at(10, 29, 0, 0)),
            ["lessons"]
        );
        assert_eq!(
            names_at(&t, date(2025, 11, 4).at(7, 0, 0, 0)),
            [OUTSIDE_SCHOOL_HOURS]
        );
        assert_eq!(
            names_at(&t, date(2025, 11, 4).at(23, 59, 0, 0)),
            [OUTSIDE_SCHOOL_HOURS]
        );
    }

    #[test]
    fn a_school_day_is_in_term_and_not_a_holiday() {
        let mut b = TimetableBuilder::new();
        b.term(date(2025, 9, 3), date(2025, 12, 19), None);
        b.holiday(date(2025, 9, 8), date(2025, 9, 12));
        let t = b.build();
        // The first Tuesday of term (9 September) is in a holiday week.
        assert_eq!(
            t.school_day(jiff::civil::Weekday::Tuesday, date(2020, 1, 1)),
            date(2025, 9, 16)
        );
        assert_eq!(
            t.school_day(jiff::civil::Weekday::Wednesday, date(2020, 1, 1)),
            date(2025, 9, 3)
        );
        // With no terms, the first such day on or after the date given.
        let t = TimetableBuilder::new().build();
        assert_eq!(
            t.school_day(jiff::civil::Weekday::Tuesday, date(2021, 4, 1)),
            date(2021, 4, 6)
        );
    }

    #[test]
    fn weekends_and_holidays_have_no_periods() {
        let t = school_day();
        assert_eq!(
            names_at(&t, date(2025, 11, 8).at(10, 35, 0, 0)),
            [OUTSIDE_SCHOOL_HOURS, WEEKEND]
        );
        assert_eq!(
            names_at(&t, date(2025, 10, 28).at(10, 35, 0, 0)),
            [OUTSIDE_SCHOOL_HOURS, HOLIDAY]
        );
    }

    #[test]
    fn windows_admit_inside_or_outside() {
        let t = school_day();
        let b = {
            let mut b = TimetableBuilder::new();
            for name in ["lessons", "break", "lunch"] {
                b.period(name);
            }
            b.alias("social-time", &["break", "lunch"]);
            b
        };
        let during = b.window(false, &["social-time"], "during social-time".into());
        let outside = b.window(true, &["lessons"], "outside lessons".into());
        let brk = t.resolve(date(2025, 11, 4).at(10, 35, 0, 0));
        let lesson = t.resolve(date(2025, 11, 4).at(9, 35, 0, 0));
        assert!(during.admits(brk));
        assert!(!during.admits(lesson));
        assert!(outside.admits(brk));
        assert!(!outside.admits(lesson));
    }
}
