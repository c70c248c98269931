//! The English names of months and weekdays, and how esafety writes a
//! moment in its messages.
//!
//! esafety writes dates itself rather than through `jiff`'s `Display` and
//! `strftime`: the words are the same, and leaving jiff's general printers
//! (time zones, offsets, every `strftime` directive and their errors) out
//! keeps the WebAssembly module for the browser small.

use jiff::civil::{Date, DateTime, Weekday};

/// The months, January first.
pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The name of month 1 to 12; `None` for any other number.
pub(crate) fn month_name(month: impl TryInto<usize>) -> Option<&'static str> {
    let month: usize = month.try_into().ok()?;
    MONTHS.get(month.checked_sub(1)?).copied()
}

/// The number (1 to 12) of a month named in any case, e.g. `april`.
pub(crate) fn month_number(name: &str) -> Option<usize> {
    MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(name))
        .map(|i| i + 1)
}

/// The weekday's name, e.g. `Tuesday`.
pub(crate) fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

/// The date `months` months after `date` (on the same day of the month, or
/// the month's last day if it is shorter); `None` past the calendar's end.
pub(crate) fn add_months(date: Date, months: i64) -> Option<Date> {
    // `try_months`, not `months`, and `Date`'s arithmetic, not `DateTime`'s:
    // jiff's panicking paths would bring its whole error printer into the
    // WebAssembly module, and a policy's dates must never panic.
    date.checked_add(jiff::Span::new().try_months(months).ok()?)
        .ok()
}

/// The date `days` days after `date` (before it, for a negative number);
/// `None` outside the calendar.
pub(crate) fn add_days(date: Date, days: i64) -> Option<Date> {
    date.checked_add(jiff::Span::new().try_days(days).ok()?)
        .ok()
}

/// The moment `days` whole days before `at`; `None` before the calendar's
/// start.
pub(crate) fn days_before(at: DateTime, days: u32) -> Option<DateTime> {
    let date = add_days(at.date(), -i64::from(days))?;
    Some(date.to_datetime(at.time()))
}

/// `2026-11-24`.
pub(crate) fn iso_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// `Tuesday 2026-11-24 10:00` (with `between` a space): a moment as the
/// evaluator's reasons give it, or as the diff's examples do (`" at "`).
pub(crate) fn weekday_date_time(at: DateTime, between: &str) -> String {
    format!(
        "{} {}{between}{:02}:{:02}",
        weekday_name(at.weekday()),
        iso_date(at.date()),
        at.hour(),
        at.minute()
    )
}

/// `Tuesday 24 November 2026 at 10:00`: a moment in a sentence.
pub(crate) fn long_moment(at: DateTime) -> String {
    format!(
        "{} {} {} {} at {:02}:{:02}",
        weekday_name(at.weekday()),
        at.day(),
        month_name(at.month()).unwrap_or("?"),
        at.year(),
        at.hour(),
        at.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn moments_read_as_a_calendar_does() {
        // 24 November 2026 is a Tuesday.
        let at = date(2026, 11, 24).at(9, 5, 0, 0);
        assert_eq!(weekday_date_time(at, " "), "Tuesday 2026-11-24 09:05");
        assert_eq!(weekday_date_time(at, " at "), "Tuesday 2026-11-24 at 09:05");
        assert_eq!(long_moment(at), "Tuesday 24 November 2026 at 09:05");
        assert_eq!(iso_date(date(987, 1, 2)), "0987-01-02");
    }

    #[test]
    fn arithmetic_stays_inside_the_calendar() {
        assert_eq!(add_months(date(2026, 1, 31), 12), Some(date(2027, 1, 31)));
        assert_eq!(add_months(date(2026, 1, 31), 1), Some(date(2026, 2, 28)));
        assert_eq!(add_months(date(9999, 6, 1), 12), None);
        let at = date(2026, 11, 24).at(10, 30, 0, 0);
        assert_eq!(
            days_before(at, 30),
            Some(date(2026, 10, 25).at(10, 30, 0, 0))
        );
        assert_eq!(days_before(at, 999_999_999), None);
        assert_eq!(add_days(date(2026, 12, 30), 3), Some(date(2027, 1, 2)));
        assert_eq!(add_days(date(2026, 1, 2), -7), Some(date(2025, 12, 26)));
    }

    #[test]
    fn months_by_name_and_number() {
        assert_eq!(month_name(1), Some("January"));
        assert_eq!(month_name(12), Some("December"));
        assert_eq!(month_name(0), None);
        assert_eq!(month_name(13), None);
        assert_eq!(month_name(-1), None);
        assert_eq!(month_number("april"), Some(4));
        assert_eq!(month_number("DECEMBER"), Some(12));
        assert_eq!(month_number("smarch"), None);
    }
}
