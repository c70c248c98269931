//! Property tests of escalation ladders over a history.
//!
//! The count each ladder reports is compared with one worked out here from
//! the rule `docs/language.md` states (which earlier incidents count, over
//! which window), not from the evaluator; and adding an incident to a
//! history never moves a ladder down.

#![allow(
    // jiff's panicking calls are kept out of the library, not its tests.
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use esafety::jiff::ToSpan;
use esafety::jiff::civil::{Date, DateTime, date};
use esafety::{Decision, Earlier, Policy, Query};
use proptest::prelude::*;

/// Which earlier incidents a generated ladder counts.
#[derive(Debug, Clone, Copy)]
enum What {
    ThisIncident,
    ThisTable,
    AnyIncident,
}

/// Over which window.
#[derive(Debug, Clone, Copy)]
enum Over {
    Term,
    HalfTerm,
    SchoolYear,
    Days(u32),
    Ever,
}

#[derive(Debug, Clone)]
struct Case {
    what: What,
    over: Over,
    /// The question's time.
    at: DateTime,
    /// (incident, when).
    history: Vec<(&'static str, DateTime)>,
}

/// A day: (year, month, day).
type Day = (i16, i8, i8);

/// The terms of the generated policy, and its one half-term holiday.
const TERMS: [(Day, Day); 3] = [
    ((2026, 9, 3), (2026, 12, 18)),
    ((2027, 1, 5), (2027, 3, 26)),
    ((2027, 4, 12), (2027, 7, 21)),
];
const HALF_TERM: (Day, Day) = ((2026, 10, 26), (2026, 10, 30));

fn d((y, m, day): Day) -> Date {
    date(y, m, day)
}

/// Incidents `a` and `b` are in one table, `c` in another; the ladder is
/// `a`'s own, with a gap between its 2nd and 4th tiers.
fn policy_text(what: What, over: Over) -> String {
    let what = match what {
        What::ThisIncident => "this incident",
        What::ThisTable => "incidents of this table",
        What::AnyIncident => "any incident",
    };
    let over = match over {
        Over::Term => "per term".to_owned(),
        Over::HalfTerm => "per half term".to_owned(),
        Over::SchoolYear => "per school year".to_owned(),
        Over::Days(1) => "within 1 day".to_owned(),
        Over::Days(n) => format!("within {n} days"),
        Over::Ever => "ever".to_owned(),
    };
    format!(
        r#"school "Generated High"
  approved September 2026
  review by July 2027
timetable
  term "Autumn term" 2026-09-03 to 2026-12-18
  holiday "Autumn half term" 2026-10-26 to 2026-10-30
  term "Spring term" 2027-01-05 to 2027-03-26
  term "Summer term" 2027-04-12 to 2027-07-21
rules site "Site"
  row phones "Use of mobile phones in lessons"
    pupil: not allowed
    breach by pupil: a
  row talk "Talking in lessons"
    pupil: not allowed
    breach by pupil: b
  row late "Late to lessons"
    pupil: not allowed
    breach by pupil: c
incidents first "First table" for pupil
  response w1 "Warning" sanction
  response w2 "Detention" sanction
  response w4 "Exclusion" sanction
  incident a "Incident a"
    responses: w1
    count {what} {over}
    1st time: w1
    2nd time: w2
    4th time or more: w4
  incident b "Incident b"
    responses: w1
incidents second "Second table" for pupil
  response note "Note" sanction
  incident c "Incident c"
    responses: note
"#
    )
}

/// The first day of the window containing `at`, per the documented rule:
/// a term runs to the day before the next one starts (the last to its own
/// last day); the half-term holiday ends the first half; the school year
/// starts on 1 September; `None` for windows with no first day.
fn window_start(over: Over, at: DateTime) -> Option<Date> {
    let day = at.date();
    let term = TERMS
        .iter()
        .rposition(|(from, _)| d(*from) <= day)
        .expect("questions are asked in a term");
    let term_from = d(TERMS[term].0);
    match over {
        Over::Term => Some(term_from),
        Over::HalfTerm => {
            let second_half = d(HALF_TERM.1).tomorrow().unwrap();
            Some(if term == 0 && day >= second_half {
                second_half
            } else {
                term_from
            })
        }
        Over::SchoolYear => Some(if day.month() >= 9 {
            date(day.year(), 9, 1)
        } else {
            date(day.year() - 1, 9, 1)
        }),
        Over::Days(_) | Over::Ever => None,
    }
}

/// How many entries of the history the ladder counts.
fn expected_count(case: &Case) -> u32 {
    let from = window_start(case.over, case.at);
    let counted = case.history.iter().filter(|(incident, when)| {
        let kind = match case.what {
            What::ThisIncident => *incident == "a",
            What::ThisTable => *incident != "c",
            What::AnyIncident => true,
        };
        let window = match case.over {
            Over::Days(n) => *when > case.at - i64::from(n).days(),
            _ => from.is_none_or(|f| when.date() >= f),
        };
        kind && window && *when <= case.at
    });
    u32::try_from(counted.count()).unwrap()
}

/// The tier of `a`'s ladder for the `time`th incident: 1, 2, then none at 3,
/// then 4 from the 4th time on.
fn expected_tier(time: u32) -> Option<u32> {
    match time {
        1 => Some(1),
        2 => Some(2),
        3 => None,
        _ => Some(4),
    }
}

fn moment(days_from: Date, range: std::ops::Range<i64>) -> impl Strategy<Value = DateTime> {
    (range, 0i64..(24 * 4)).prop_map(move |(day, quarter)| {
        (days_from + day.days())
            .to_datetime(esafety::jiff::civil::time(0, 0, 0, 0))
            .checked_add((quarter * 15).minutes())
            .unwrap()
    })
}

fn case() -> impl Strategy<Value = Case> {
    let what = prop_oneof![
        Just(What::ThisIncident),
        Just(What::ThisTable),
        Just(What::AnyIncident)
    ];
    let over = prop_oneof![
        Just(Over::Term),
        Just(Over::HalfTerm),
        Just(Over::SchoolYear),
        (1u32..90).prop_map(Over::Days),
        Just(Over::Ever),
    ];
    // Questions from the first day of the first term to the last of the
    // last; history from a term earlier to a month after.
    let first = date(2026, 9, 3);
    let at = moment(first, 0..322);
    let entry = (
        prop_oneof![Just("a"), Just("b"), Just("c")],
        moment(date(2026, 4, 1), 0..520),
    );
    (what, over, at, prop::collection::vec(entry, 0..14)).prop_map(|(what, over, at, history)| {
        Case {
            what,
            over,
            at,
            history,
        }
    })
}

fn decide(policy: &Policy, case: &Case) -> Decision {
    let mut query = Query::default();
    query.role = Some("pupil".to_owned());
    query.incident = Some("a".to_owned());
    query.at = Some(case.at);
    query.history = case
        .history
        .iter()
        .map(|(incident, when)| Earlier::new(*incident, *when))
        .collect();
    policy
        .decide(&query)
        .unwrap_or_else(|e| panic!("{case:?}: {e}"))
}

fn parsed(case: &Case) -> Policy {
    Policy::parse("generated.policy", &policy_text(case.what, case.over))
        .unwrap_or_else(|e| panic!("{}", e.render(false)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The count, the time and the tier are those the documented rule gives.
    #[test]
    fn ladders_count_what_the_rule_says(case in case()) {
        let policy = parsed(&case);
        let decision = decide(&policy, &case);
        let [outcome] = decision.escalation.as_slice() else {
            panic!("one ladder applies: {:?}", decision.escalation);
        };
        let counted = expected_count(&case);
        prop_assert_eq!(outcome.counted, counted, "{:?}", case);
        prop_assert_eq!(outcome.time, counted + 1);
        prop_assert_eq!(outcome.tier.as_ref().map(|t| t.number), expected_tier(counted + 1));
        let later = case.history.iter().filter(|(_, when)| *when > case.at).count();
        prop_assert_eq!(outcome.later as usize, later);
    }

    /// Adding an earlier incident never moves the ladder down: the time
    /// never falls, and a tier, when both answers have one, is no lower.
    #[test]
    fn a_tier_never_decreases_when_an_incident_is_added(
        case in case(),
        extra in (prop_oneof![Just("a"), Just("b"), Just("c")], 0i64..400),
    ) {
        let policy = parsed(&case);
        let before = decide(&policy, &case);
        let mut more = case.clone();
        let (incident, days_before) = extra;
        more.history.push((incident, case.at - days_before.days()));
        let after = decide(&policy, &more);
        let (b, a) = (&before.escalation[0], &after.escalation[0]);
        prop_assert!(a.time >= b.time, "{:?} then {:?}", b, a);
        prop_assert!(a.time <= b.time + 1);
        if let (Some(bt), Some(at)) = (&b.tier, &a.tier) {
            prop_assert!(at.number >= bt.number, "{:?} then {:?}", b, a);
        }
        // Once an `or more` tier applies, it keeps applying.
        if b.tier.as_ref().is_some_and(|t| t.or_more) {
            prop_assert_eq!(a.tier.as_ref().map(|t| t.number), Some(4));
        }
    }
}

/// The answers issue 12 gives for the invented secondary school.
#[test]
fn the_example_high_school_answers_as_the_issue_states() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let policy = Policy::from_file(root.join("policies/examples/example-high.policy")).unwrap();
    let at = date(2026, 11, 24).at(10, 0, 0, 0);
    let ask = |history: &[(&str, DateTime)]| {
        let mut query = Query::default();
        query.role = Some("year-9".to_owned());
        query.incident = Some("phone-in-lesson".to_owned());
        query.at = Some(at);
        query.history = history
            .iter()
            .map(|(i, when)| Earlier::new(*i, *when))
            .collect();
        let d = policy.decide(&query).unwrap();
        let ids: Vec<String> = d.responses.iter().map(|r| r.id.to_string()).collect();
        (d, ids)
    };
    let p = "phone-in-lesson";
    let (d, ids) = ask(&[]);
    assert_eq!(d.escalation[0].tier.as_ref().unwrap().number, 1);
    assert!(
        ids.contains(&"confiscated-end-of-day".to_owned()),
        "{ids:?}"
    );
    let (_, ids) = ask(&[(p, date(2026, 10, 1).at(10, 0, 0, 0))]);
    assert!(ids.contains(&"parent-collects".to_owned()), "{ids:?}");
    assert!(!ids.contains(&"phone-ban".to_owned()), "{ids:?}");
    let (_, ids) = ask(&[(p, date(2026, 6, 10).at(10, 0, 0, 0))]);
    assert!(
        ids.contains(&"confiscated-end-of-day".to_owned()),
        "{ids:?}"
    );
    let (_, ids) = ask(&[
        (p, date(2026, 10, 1).at(10, 0, 0, 0)),
        (p, date(2026, 11, 2).at(10, 0, 0, 0)),
    ]);
    assert!(ids.contains(&"phone-ban".to_owned()), "{ids:?}");
    assert!(ids.contains(&"head-of-year".to_owned()), "{ids:?}");
    let (_, ids) = ask(&[
        ("illegal-content", date(2026, 11, 10).at(10, 0, 0, 0)),
        (p, date(2026, 11, 17).at(10, 0, 0, 0)),
    ]);
    assert!(ids.contains(&"pastoral-lead".to_owned()), "{ids:?}");
}

/// A history of 100,000 entries is counted in one pass, not one per entry
/// and ladder pair: the answer is the count, whatever the order.
#[test]
fn a_long_history_is_counted_exactly() {
    let case = Case {
        what: What::AnyIncident,
        over: Over::SchoolYear,
        at: date(2027, 7, 1).at(12, 0, 0, 0),
        history: (0..100_000)
            .map(|i| {
                let incident = ["a", "b", "c"][i % 3];
                let when =
                    date(2026, 8, 1).at(0, 0, 0, 0) + i64::try_from(i).unwrap().minutes() * 5;
                (incident, when)
            })
            .collect(),
    };
    let policy = parsed(&case);
    let decision = decide(&policy, &case);
    assert_eq!(decision.escalation[0].counted, expected_count(&case));
}
