//! A generator of valid policies for property tests: roles with year
//! groups, a timetable, facts and places, a communications table whose cells
//! use every kind of answer, incidents with ladders, repeat offences and a
//! route whose steps have conditions.

#![allow(dead_code, clippy::unwrap_used)]

use std::fmt::Write as _;

use proptest::prelude::*;

#[derive(Debug, Clone)]
pub struct Spec {
    pub year_groups: usize,
    pub periods: Vec<(u16, u16)>,
    pub rows: Vec<RowSpec>,
    pub incidents: usize,
    pub route_steps: Vec<Option<(bool, usize)>>,
}

#[derive(Debug, Clone)]
pub struct RowSpec {
    /// 0 allowed, 1 not allowed, 2 at times, 3 selected staff, 4 permission,
    /// 5 to 8 conditions of times, places and facts (see `answer`).
    pub adults: u8,
    pub pupils: u8,
    pub year_override: Option<u8>,
    pub breach: Option<usize>,
}

/// The roles a generated policy declares, base roles included.
pub const ROLES: [&str; 8] = [
    "staff",
    "teacher",
    "dsl",
    "pupil",
    "reception",
    "year-1",
    "visitor",
    "parent",
];

pub fn spec() -> impl Strategy<Value = Spec> {
    let row = (
        0u8..9,
        0u8..9,
        prop::option::of(0u8..9),
        prop::option::of(0usize..4),
    )
        .prop_map(|(adults, pupils, year_override, breach)| RowSpec {
            adults,
            pupils,
            year_override,
            breach,
        });
    (
        1usize..7,
        prop::collection::vec((0u16..20, 1u16..6), 1..5),
        prop::collection::vec(row, 1..12),
        1usize..4,
        prop::collection::vec(
            prop::option::of((any::<bool>(), 0usize..STEP_CONDITIONS.len())),
            1..6,
        ),
    )
        .prop_map(|(year_groups, periods, rows, incidents, route_steps)| {
            // Periods laid end to end from 08:00, in 15-minute units.
            let mut start = 8 * 60;
            let periods = periods
                .into_iter()
                .map(|(gap, len)| {
                    let s = start + gap * 5;
                    let e = s + len * 15;
                    start = e;
                    (s, e)
                })
                .collect();
            Spec {
                year_groups,
                periods,
                rows,
                incidents,
                route_steps,
            }
        })
}

pub fn answer(kind: u8) -> &'static str {
    match kind {
        0 => "allowed",
        1 => "not allowed",
        2 => "allowed at certain times during p0",
        3 => "allowed for selected staff",
        4 => "allowed with permission from teacher",
        5 => "allowed only during p0 or in library",
        6 => "allowed except in library, canteen",
        7 => "allowed only (in library or during p0) and with permission",
        _ => "allowed except during p0 and not f0",
    }
}

/// What a route step's `if` or `unless` tests.
pub const STEP_CONDITIONS: [&str; 6] = [
    "f0",
    "f1",
    "immediate-risk",
    "f0 and not immediate-risk",
    "(f0 or f1) and in library",
    "f1 or during p0",
];

pub fn render_spec(spec: &Spec) -> String {
    let mut t = String::new();
    writeln!(
        t,
        "school \"Generated Primary\"\n  approved September 2025\n  review by July 2026"
    )
    .unwrap();
    writeln!(t, "roles\n  staff includes teacher, dsl").unwrap();
    writeln!(t, "  pupil includes reception to year-{}", spec.year_groups).unwrap();
    writeln!(t, "timetable\n  monday to friday").unwrap();
    for (i, (s, e)) in spec.periods.iter().enumerate() {
        writeln!(
            t,
            "    p{i} {:02}:{:02} to {:02}:{:02}",
            s / 60,
            s % 60,
            e / 60,
            e % 60
        )
        .unwrap();
    }
    writeln!(t, "contacts\n  contact police \"Police\" phone \"101\"").unwrap();
    writeln!(t, "facts\n  fact f0 \"Fact zero\"\n  fact f1 \"Fact one\"").unwrap();
    writeln!(
        t,
        "places\n  place library \"The library\"\n  place canteen \"The canteen\""
    )
    .unwrap();
    writeln!(t, "communications comms \"Communications\"").unwrap();
    writeln!(
        t,
        "  column adults \"Staff & other adults\" for staff, visitor"
    )
    .unwrap();
    writeln!(t, "  column pupils \"Students / Pupils\" for pupil").unwrap();
    for (i, row) in spec.rows.iter().enumerate() {
        writeln!(t, "  row r{i} \"Row number {i}\"").unwrap();
        writeln!(t, "    adults: {}", answer(row.adults)).unwrap();
        writeln!(t, "    pupils: {}", answer(row.pupils)).unwrap();
        if let Some(y) = row.year_override {
            writeln!(t, "    reception to year-1: {}", answer(y)).unwrap();
        }
        if let Some(b) = row.breach {
            writeln!(t, "    breach by pupil: i{}", b % spec.incidents).unwrap();
        }
    }
    writeln!(t, "incidents pupil-incidents \"Pupil incidents\" for pupil").unwrap();
    writeln!(t, "  response head \"Refer to Headteacher\" refer teacher").unwrap();
    writeln!(t, "  response police \"Refer to Police\" refer police").unwrap();
    writeln!(t, "  response warning \"Warning\" sanction").unwrap();
    for i in 0..spec.incidents {
        writeln!(
            t,
            "  incident i{i} \"Incident {i}\"\n    responses: head, warning"
        )
        .unwrap();
        if i % 2 == 1 {
            writeln!(t, "    responses as appropriate: police").unwrap();
            writeln!(t, "    count this incident within 30 days\n    2nd time: police\n    3rd time or more, instead: head, follow route r").unwrap();
        }
        if i == 0 {
            writeln!(t, "    follow route r").unwrap();
        } else {
            writeln!(t, "    reported directly").unwrap();
        }
    }
    writeln!(t, "  incident again \"Continued infringements\"\n    responses: police\n    repeat offences after 2 prior incidents").unwrap();
    writeln!(t, "  ladder often \"Incidents in a school year\"\n    count incidents of this table per school year\n    5th time or more: police").unwrap();
    writeln!(t, "route r \"A route\"").unwrap();
    for (i, step) in spec.route_steps.iter().enumerate() {
        match step {
            None => writeln!(t, "  step \"Step {i}\" refer police").unwrap(),
            Some((negated, fact)) => {
                let word = if *negated { "unless" } else { "if" };
                let condition = STEP_CONDITIONS[*fact];
                writeln!(t, "  step \"Step {i}\" {word} {condition}").unwrap()
            }
        }
    }
    t
}
