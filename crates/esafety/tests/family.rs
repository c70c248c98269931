//! Policies that extend others: a school's file merged into its trust's
//! must answer exactly as the same policy written out whole.
//!
//! The expectations here never come from the merge itself: each test writes
//! the whole policy by hand (or, in the property test, prints it from the
//! same generated rules by a different route), and compares the two
//! policies with `esafety::diff`, which asks every question both answer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use esafety::family::check_family;
use esafety::{CheckOptions, Policy, Query, Verdict};
use proptest::prelude::*;

/// Checks `school` (at `policies/school.policy`) extending the files in
/// `bases` (paths from `policies/`).
fn family(school: &str, bases: &[(&str, &str)]) -> esafety::Checked {
    let mut read = |path: &str| {
        bases
            .iter()
            .find(|(name, _)| format!("policies/{name}") == path)
            .map(|(_, text)| (*text).to_owned())
            .ok_or_else(|| format!("no file {path}"))
    };
    check_family(
        "policies/school.policy",
        school,
        &mut read,
        &CheckOptions::default(),
    )
}

fn merged(school: &str, bases: &[(&str, &str)]) -> Policy {
    let checked = family(school, bases);
    assert!(
        !checked.has_errors(),
        "{}",
        esafety::diagnostic::render::human(&checked.diagnostics, school, false)
    );
    checked.policy.unwrap()
}

fn whole(text: &str) -> Policy {
    Policy::parse("whole.policy", text).unwrap_or_else(|e| panic!("{}", e.render(false)))
}

/// Asserts that two policies answer every question alike.
fn same_meaning(family: &Policy, whole: &Policy) {
    let diff = esafety::diff::diff(whole, family);
    assert!(diff.is_empty(), "{}", diff.to_text());
}

const TRUST: &str = r#"school "Example Trust"
  approved 1 September 2026
  review by 1 September 2027
roles
  staff includes teacher
  pupil includes year-7, year-8
timetable
  monday to friday
    lessons 09:00 to 12:00
    lunch 12:00 to 13:00
    lessons 13:00 to 15:00
  social-time means lunch
contacts
  contact head "Headteacher" in school
  contact police "Police" phone "101"
communications comms "Communications"
  column adults "Staff & other adults" for staff
  column pupils "Students / Pupils" for pupil
  row phones "Use of mobile phones in lessons"
    adults: not allowed
    pupils: not allowed
    breach by pupil: phone
  row lunch-phones "Use of mobile phones at lunch"
    adults: allowed
    pupils: allowed at certain times during social-time
    breach by pupil: phone
  row email "Use of personal email"
    adults: allowed at certain times outside lessons
    pupils: not allowed
    breach by pupil: phone
incidents pupil-incidents "Pupil incidents" for pupil
  response head "Refer to Headteacher" refer head
  response police "Refer to Police" refer police
  response warning "Warning" sanction
  incident phone "Unauthorised use of a phone"
    responses: head, warning
  incident illegal "Illegal material"
    responses: head, police
"#;

#[test]
fn a_school_that_changes_nothing_is_its_trust() {
    let school = "extends \"trust.policy\"\n";
    same_meaning(&merged(school, &[("trust.policy", TRUST)]), &whole(TRUST));
}

#[test]
fn each_kind_of_change_answers_as_the_whole_policy_would() {
    let school = r#"extends "trust.policy"
remove row email
remove response warning in incident phone
school "Example Academy"
  approved 8 September 2026
  review by 8 September 2027
roles
  pupil includes year-9
timetable
  friday
    lessons 09:00 to 12:30
    lunch 12:30 to 13:00
contacts
  contact head "Ms Example, Headteacher" in school
communications comms "Communications"
  row phones
    year-9: allowed
  row lunch-phones
    pupils: not allowed
  row watches "Use of smart watches"
    adults: allowed
    pupils: not allowed
    breach by pupil: phone
incidents pupil-incidents "Pupil incidents" for pupil
  incident illegal
    responses: head, police, warning
"#;
    // The same policy, written out whole by hand.
    let written_out = r#"school "Example Academy"
  approved 8 September 2026
  review by 8 September 2027
roles
  staff includes teacher
  pupil includes year-7, year-8, year-9
timetable
  monday, tuesday, wednesday, thursday
    lessons 09:00 to 12:00
    lunch 12:00 to 13:00
    lessons 13:00 to 15:00
  friday
    lessons 09:00 to 12:30
    lunch 12:30 to 13:00
  social-time means lunch
contacts
  contact head "Ms Example, Headteacher" in school
  contact police "Police" phone "101"
communications comms "Communications"
  column adults "Staff & other adults" for staff
  column pupils "Students / Pupils" for pupil
  row phones "Use of mobile phones in lessons"
    adults: not allowed
    pupils: not allowed
    year-9: allowed
    breach by pupil: phone
  row lunch-phones "Use of mobile phones at lunch"
    adults: allowed
    pupils: not allowed
    breach by pupil: phone
  row watches "Use of smart watches"
    adults: allowed
    pupils: not allowed
    breach by pupil: phone
incidents pupil-incidents "Pupil incidents" for pupil
  response head "Refer to Headteacher" refer head
  response police "Refer to Police" refer police
  response warning "Warning" sanction
  incident phone "Unauthorised use of a phone"
    responses: head
  incident illegal "Illegal material"
    responses: head, police, warning
"#;
    let policy = merged(school, &[("trust.policy", TRUST)]);
    same_meaning(&policy, &whole(written_out));

    // And a few answers read straight from the school's file.
    let friday = esafety::parse_at("2026-11-27T12:15").unwrap();
    let d = policy
        .decide(&Query::action("year-7", "lunch-phones").at(friday))
        .unwrap();
    assert_eq!(d.verdict, Verdict::Denied);
    let d = policy.decide(&Query::action("year-9", "phones")).unwrap();
    assert_eq!(d.verdict, Verdict::Allowed);
    assert!(policy.decide(&Query::action("staff", "email")).is_err());
    let d = policy.decide(&Query::incident("year-8", "phone")).unwrap();
    assert!(d.responses.sanctions.is_empty());
}

#[test]
fn a_chain_of_three_answers_as_one_policy() {
    let template = r#"school "Template"
communications comms "Communications"
  column pupils "Students / Pupils" for pupil
  row phones "Use of mobile phones in lessons"
    locked
    pupils: not allowed
  row blogs "Use of blogs"
    pupils: allowed
"#;
    let trust = r#"extends "template.policy"
school "Example Trust"
communications comms "Communications"
  row blogs
    pupils: not allowed
"#;
    let school = r#"extends "trust.policy"
school "Example Academy"
communications comms "Communications"
  row games "Playing games"
    pupils: not allowed
"#;
    let written_out = r#"school "Example Academy"
communications comms "Communications"
  column pupils "Students / Pupils" for pupil
  row phones "Use of mobile phones in lessons"
    pupils: not allowed
  row blogs "Use of blogs"
    pupils: not allowed
  row games "Playing games"
    pupils: not allowed
"#;
    let bases = [("template.policy", template), ("trust.policy", trust)];
    let policy = merged(school, &bases);
    same_meaning(&policy, &whole(written_out));
    // Each answer cites the file its rule is in.
    let file = |row: &str| {
        let d = policy.decide(&Query::action("pupil", row)).unwrap();
        d.rule.as_ref().unwrap().file.as_deref().unwrap().to_owned()
    };
    assert_eq!(file("phones"), "policies/template.policy");
    assert_eq!(file("blogs"), "policies/trust.policy");
    assert_eq!(file("games"), "policies/school.policy");

    // The template's lock binds the school, two steps down.
    let looser = school.replace(
        "  row games \"Playing games\"\n    pupils: not allowed\n",
        "  row phones\n    pupils: allowed\n",
    );
    let checked = family(&looser, &bases);
    let codes: Vec<&str> = checked
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["E0313"]);
    let d = &checked.diagnostics[0];
    assert_eq!(
        (d.path.as_str(), d.location.line),
        ("policies/school.policy", 5)
    );
    assert_eq!(
        d.labels[0].path.as_deref(),
        Some("policies/template.policy")
    );
    assert_eq!(d.labels[0].location.line, 5);
}

#[test]
fn stricter_is_allowed_and_looser_is_not() {
    let trust = r#"school "Example Trust"
timetable
  monday to friday
    lessons 09:00 to 12:00
    lunch 12:00 to 13:00
communications comms "Communications"
  column pupils "Students / Pupils" for pupil
  row phones "Use of mobile phones"
    locked
    pupils: allowed at certain times during lunch
    breach by pupil: phone
incidents pupil-incidents "Pupil incidents" for pupil
  response head "Refer to Headteacher" refer staff
  response warning "Warning" sanction
  incident phone "Unauthorised use of a phone"
    locked
    responses: head
    responses as appropriate: warning
"#;
    let school = |row: &str, incident: &str| {
        format!(
            "extends \"trust.policy\"\nschool \"Academy\"\ncommunications comms \"Communications\"\n  row phones\n    {row}\nincidents pupil-incidents \"Pupil incidents\" for pupil\n  incident phone\n    {incident}\n"
        )
    };
    let codes = |row: &str, incident: &str| -> Vec<String> {
        family(&school(row, incident), &[("trust.policy", trust)])
            .diagnostics
            .iter()
            .map(|d| d.code.as_str().to_owned())
            .collect()
    };
    let keep = "responses: head\n    responses as appropriate: warning";
    // Stricter: fewer times, a refusal, a response required.
    assert!(codes("pupils: not allowed", keep).is_empty());
    assert!(codes("pupils: allowed only during lunch and permission", keep).is_empty());
    assert!(codes("pupils: not allowed", "responses: head, warning").is_empty());
    // Looser: more times, always; a response dropped, or made optional.
    assert_eq!(codes("pupils: allowed", keep), ["E0313"]);
    assert_eq!(
        codes(
            "pupils: allowed at certain times during lessons, lunch",
            keep
        ),
        ["E0313"]
    );
    assert_eq!(
        codes("pupils: not allowed", "responses: warning"),
        ["E0313"]
    );
    assert_eq!(
        codes(
            "pupils: not allowed",
            "responses as appropriate: head, warning"
        ),
        ["E0313"]
    );
}

#[test]
fn a_school_may_set_its_own_day_under_a_locked_rule() {
    // The lock is on what the rule says ("at lunch"), not on when the
    // school's lunch is.
    let trust = r#"school "Example Trust"
timetable
  monday to friday
    lunch 12:00 to 13:00
communications comms "Communications"
  column pupils "Students / Pupils" for pupil
  row phones "Use of mobile phones"
    locked
    pupils: allowed at certain times during lunch
"#;
    let school = "extends \"trust.policy\"\nschool \"Academy\"\ntimetable\n  monday to friday\n    lunch 12:30 to 13:15\n";
    let checked = family(school, &[("trust.policy", trust)]);
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
}

#[test]
fn bases_that_cannot_be_used_are_located_errors() {
    let cases = [
        (
            "extends \"missing.policy\"\nschool \"A\"\n",
            "cannot be read",
        ),
        (
            "extends \"trust.txt\"\nschool \"A\"\n",
            "is not a `.policy` file",
        ),
        (
            "extends \"/etc/trust.policy\"\nschool \"A\"\n",
            "absolute path",
        ),
        (
            "extends \"school.policy\"\nschool \"A\"\n",
            "extends itself",
        ),
    ];
    for (school, message) in cases {
        let checked = family(school, &[]);
        let codes: Vec<&str> = checked
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(codes, ["E0107"], "{school}");
        let d = &checked.diagnostics[0];
        assert!(d.message.contains(message), "{}", d.message);
        assert_eq!((d.location.line, d.location.column), (1, 9));
    }
    // A loop of two files is found at the line that closes it.
    let a = "extends \"b.policy\"\nschool \"A\"\n";
    let b = "extends \"school.policy\"\nschool \"B\"\n";
    let checked = family(a, &[("b.policy", b)]);
    assert_eq!(checked.diagnostics.len(), 1, "{:#?}", checked.diagnostics);
    assert_eq!(checked.diagnostics[0].path, "policies/b.policy");
    // Text alone cannot read its base.
    let checked = esafety::check("school.policy", a, &CheckOptions::default());
    assert_eq!(checked.diagnostics[0].code.as_str(), "E0107");
}

// --- the property: merged = written out whole ------------------------------

/// A generated rule table: rows by id, each with an answer for pupils and
/// for staff.
type Rows = BTreeMap<u8, (usize, usize)>;

const ANSWERS: [&str; 4] = [
    "allowed",
    "not allowed",
    "allowed at certain times during lunch",
    "allowed at certain times outside lessons",
];

fn head(school: &str) -> String {
    format!(
        "school \"{school}\"\ntimetable\n  monday to friday\n    lessons 09:00 to 12:00\n    lunch 12:00 to 13:00\ncommunications comms \"Communications\"\n  column adults \"Staff\" for staff\n  column pupils \"Pupils\" for pupil\n"
    )
}

fn row(id: u8, label: bool, answers: (Option<usize>, Option<usize>)) -> String {
    let mut out = if label {
        format!("  row r{id} \"Rule {id}\"\n")
    } else {
        format!("  row r{id}\n")
    };
    if let Some(a) = answers.0 {
        out.push_str(&format!("    adults: {}\n", ANSWERS[a]));
    }
    if let Some(p) = answers.1 {
        out.push_str(&format!("    pupils: {}\n", ANSWERS[p]));
    }
    out
}

/// What a school does to one of its trust's rows.
#[derive(Debug, Clone)]
enum Edit {
    Keep,
    Remove,
    Adults(usize),
    Pupils(usize),
    Both(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        Just(Edit::Keep),
        Just(Edit::Remove),
        (0..4usize).prop_map(Edit::Adults),
        (0..4usize).prop_map(Edit::Pupils),
        (0..4usize, 0..4usize).prop_map(|(a, p)| Edit::Both(a, p)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_merged_family_answers_as_the_policy_written_out_whole(
        base in proptest::collection::btree_map(0u8..12, (0..4usize, 0..4usize), 1..8),
        edits in proptest::collection::vec(edit(), 12),
        added in proptest::collection::btree_map(12u8..16, (0..4usize, 0..4usize), 0..3),
    ) {
        let base: Rows = base;
        let mut trust = head("Trust");
        for (id, (a, p)) in &base {
            trust.push_str(&row(*id, true, (Some(*a), Some(*p))));
        }
        // The school's file: its edits, as a school writes them.
        let mut school = String::from("extends \"trust.policy\"\n");
        for (id, e) in base.keys().zip(&edits) {
            if matches!(e, Edit::Remove) {
                school.push_str(&format!("remove row r{id}\n"));
            }
        }
        school.push_str("school \"Academy\"\ncommunications comms \"Communications\"\n");
        // The whole policy: the result, row by row.
        let mut result: Rows = Rows::new();
        for (id, e) in base.keys().zip(&edits) {
            let (a, p) = base[id];
            match e {
                Edit::Keep => { result.insert(*id, (a, p)); }
                Edit::Remove => {}
                Edit::Adults(n) => {
                    school.push_str(&row(*id, false, (Some(*n), None)));
                    result.insert(*id, (*n, p));
                }
                Edit::Pupils(n) => {
                    school.push_str(&row(*id, false, (None, Some(*n))));
                    result.insert(*id, (a, *n));
                }
                Edit::Both(x, y) => {
                    school.push_str(&row(*id, false, (Some(*x), Some(*y))));
                    result.insert(*id, (*x, *y));
                }
            }
        }
        for (id, (a, p)) in &added {
            school.push_str(&row(*id, true, (Some(*a), Some(*p))));
            result.insert(*id, (*a, *p));
        }
        let mut written_out = head("Academy");
        for (id, (a, p)) in &result {
            written_out.push_str(&row(*id, true, (Some(*a), Some(*p))));
        }
        let family = merged(&school, &[("trust.policy", &trust)]);
        let whole = whole(&written_out);
        let diff = esafety::diff::diff(&whole, &family);
        prop_assert!(diff.is_empty(), "school:\n{school}\nwhole:\n{written_out}\n{}", diff.to_text());
    }
}
