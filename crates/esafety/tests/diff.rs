//! `esafety::diff`: what changed in meaning between two policies.
//!
//! The expectations come from the issue that asked for the diff and from the
//! policies themselves: a policy differs from nothing but itself in
//! meaning, a reformatted or reordered copy means the same, and for
//! generated pairs of policies every question the two answer differently is
//! listed, while every difference listed is one the two policies really
//! answer differently (asked directly, without the diff's own machinery).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use common::spec::{ROLES, Spec, render_spec, spec};
use esafety::diff::{Change, Example, PolicyDiff, Section, diff};
use esafety::{Decision, Policy, Query};
use proptest::prelude::*;

fn shipped(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../policies")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn policy(name: &str, text: &str) -> Policy {
    Policy::parse(name, text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A copy with every line's indentation and every comment gone, blank lines
/// doubled, and the rows of the first rule table in reverse order.
fn reformatted(text: &str) -> String {
    let formatted = esafety::format::format("p.policy", text).unwrap();
    let mut lines: Vec<String> = Vec::new();
    for line in formatted.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            continue;
        }
        let without_comment = match trimmed.find(" #") {
            Some(at)
                if !trimmed[..at].contains('"') || trimmed[..at].matches('"').count() % 2 == 0 =>
            {
                &trimmed[..at]
            }
            _ => trimmed,
        };
        lines.push(format!("  {without_comment}"));
        if trimmed.is_empty() {
            lines.push(String::new());
        }
    }
    // Reverse the rows (each with its cells) of the first table that has any.
    let first_row = lines
        .iter()
        .position(|l| l.trim_start().starts_with("row "))
        .unwrap();
    let end = lines[first_row..]
        .iter()
        .position(|l| {
            let t = l.trim_start();
            !(t.starts_with("row ") || t.contains(':') || t.is_empty() || t.starts_with("follow"))
        })
        .map_or(lines.len(), |n| first_row + n);
    let mut rows: Vec<Vec<String>> = Vec::new();
    for line in &lines[first_row..end] {
        if line.trim_start().starts_with("row ") || rows.is_empty() {
            rows.push(Vec::new());
        }
        rows.last_mut().unwrap().push(line.clone());
    }
    rows.reverse();
    let mut out: Vec<String> = lines[..first_row].to_vec();
    out.extend(rows.into_iter().flatten());
    out.extend(lines[end..].iter().cloned());
    out.join("\n") + "\n"
}

#[test]
fn a_policy_means_what_it_means() {
    for name in ["crockerne.policy", "st-botolphs.policy"] {
        let text = shipped(name);
        let old = policy(name, &text);
        assert!(diff(&old, &old).is_empty(), "{name} differs from itself");
        let copy = reformatted(&text);
        assert_ne!(copy, text);
        let new = policy("copy.policy", &copy);
        let d = diff(&old, &new);
        assert!(d.is_empty(), "{name} reformatted: {}", d.to_text());
    }
}

/// The example: one cell changed and one response removed are
/// exactly two differences.
#[test]
fn one_changed_cell_and_one_removed_response_are_two_differences() {
    let text = shipped("crockerne.policy");
    let row = text.find("row phones-in-lessons").unwrap();
    let cell = row + text[row..].find("pupils: not allowed").unwrap();
    let mut changed = text.clone();
    changed.replace_range(cell..cell + "pupils: not allowed".len(), "pupils: allowed");
    let pupils = changed.find("incidents pupil-incidents").unwrap();
    let incident = pupils
        + changed[pupils..]
            .find("incident offensive-material")
            .unwrap();
    let list = "responses: class-teacher, headteacher, technical-support, remove-access";
    let at = incident + changed[incident..].find(list).unwrap();
    changed.replace_range(
        at..at + list.len(),
        "responses: class-teacher, headteacher, technical-support",
    );

    let d = diff(
        &policy("old.policy", &text),
        &policy("new.policy", &changed),
    );
    assert_eq!(d.len(), 2, "{}", d.to_text());
    assert!(d.settings.is_empty());

    let [row] = &d.rows[..] else {
        panic!("{:#?}", d.rows)
    };
    assert_eq!(&*row.id, "phones-in-lessons");
    assert_eq!(row.change, Change::Changed);
    let [answer] = &row.answers[..] else { panic!() };
    assert_eq!(answer.roles, vec![Arc::from("pupil")]);
    assert!(answer.all_roles.iter().any(|r| &**r == "year-6"));
    assert!(!answer.all_roles.iter().any(|r| &**r == "teacher"));
    assert_eq!(
        answer.old.as_deref(),
        Some("not allowed (breach: mobile-device)")
    );
    assert_eq!(answer.new.as_deref(), Some("allowed"));

    let [incident] = &d.incidents[..] else {
        panic!("{:#?}", d.incidents)
    };
    assert_eq!(
        (&*incident.table, &*incident.id),
        ("pupil-incidents", "offensive-material")
    );
    let [change] = &incident.responses[..] else {
        panic!()
    };
    assert!(change.added.is_empty());
    let [removed] = &change.removed[..] else {
        panic!()
    };
    assert_eq!(&*removed.id, "remove-access");
    assert_eq!(
        &*removed.label,
        "Removal of network / internet access rights"
    );
    assert_eq!(change.roles, vec![Arc::from("pupil")]);

    let text = d.to_text();
    assert!(
        text.contains("\"Use of mobile phones in lessons\""),
        "{text}"
    );
    assert!(
        text.contains("not allowed (breach: mobile-device) → allowed"),
        "{text}"
    );
    assert!(
        text.contains("no longer \"Removal of network / internet access rights\""),
        "{text}"
    );
    let markdown = d.to_markdown();
    assert!(
        markdown.contains("| Use of mobile phones in lessons (`phones-in-lessons`) |"),
        "{markdown}"
    );

    // The JSON form reads back equal.
    let json = serde_json::to_string(&d).unwrap();
    let back: PolicyDiff = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d);
}

#[test]
fn renamed_ids_reworded_labels_and_times_are_reported_as_such() {
    let text = shipped("crockerne.policy");
    let changed = text
        .replace("lunch 12:00 to 13:00", "lunch 12:00 to 13:15")
        .replace(
            "row photos \"Taking photos on mobile phones / cameras\"",
            "row taking-photos \"Taking photos on mobile phones / cameras\"",
        )
        .replace(
            "row phones-brought \"Mobile phones may be brought to the school\"",
            "row phones-brought \"Mobile phones may be brought to school\"",
        );
    let d = diff(
        &policy("old.policy", &text),
        &policy("new.policy", &changed),
    );

    let renamed = d.rows.iter().find(|r| &*r.id == "taking-photos").unwrap();
    assert_eq!(renamed.old_id.as_deref(), Some("photos"));
    assert!(
        renamed.answers.is_empty(),
        "a renamed row keeps its answers"
    );
    let reworded = d.rows.iter().find(|r| &*r.id == "phones-brought").unwrap();
    assert_eq!(
        reworded.old_label.as_deref(),
        Some("Mobile phones may be brought to the school")
    );
    assert!(
        !d.rows.iter().any(|r| r.change != Change::Changed),
        "nothing added or removed"
    );

    let lunch = d
        .settings
        .iter()
        .find(|s| s.section == Section::Timetable)
        .unwrap();
    assert_eq!(lunch.item, "lunch");
    assert!(lunch.new.as_deref().unwrap().contains("12:00 to 13:15"));
    // Rows allowed during lunch now answer differently from 13:00 to 13:15.
    let social = d.rows.iter().find(|r| &*r.id == "social-media").unwrap();
    let example = &social.answers[0].example;
    let at = example.at.unwrap();
    assert_eq!((at.hour(), at.minute()), (13, 0));
}

#[test]
fn an_added_and_a_removed_row_are_one_difference_each() {
    let text = shipped("st-botolphs.policy");
    let start = text.find("\n  row ").unwrap() + 1;
    let end = start + 1 + text[start + 1..].find("\n  row ").unwrap() + 1;
    let removed_row = &text[start..end];
    let id = removed_row.split_whitespace().nth(1).unwrap().to_owned();
    let changed = text.replacen(removed_row, "", 1);
    let old = policy("old.policy", &text);
    let new = policy("new.policy", &changed);
    let d = diff(&old, &new);
    assert_eq!(d.len(), 1, "{}", d.to_text());
    assert_eq!(&*d.rows[0].id, id);
    assert_eq!(d.rows[0].change, Change::Removed);
    let back = diff(&new, &old);
    assert_eq!(back.rows[0].change, Change::Added);
    assert!(
        back.rows[0]
            .answers
            .iter()
            .all(|a| a.old.is_none() && a.new.is_some())
    );
}

// ---------------------------------------------------------------------------
// Generated pairs.

/// What a row's answer means, read from a decision directly.
fn row_meaning(d: &Decision) -> (String, bool, Option<String>, Option<String>) {
    (
        d.verdict.as_str().to_owned(),
        d.default,
        d.incident.as_ref().map(|i| format!("{}/{}", i.table, i.id)),
        d.route.as_ref().map(|r| r.id().to_owned()),
    )
}

/// Each response of a decision: its id, whether it is "as appropriate", and
/// to whom it goes.
type Responses = Vec<(String, bool, Vec<String>)>;

/// What follows an incident, read from a decision directly.
fn incident_meaning(d: &Decision) -> (Responses, Option<String>) {
    (
        d.responses
            .iter()
            .map(|r| {
                (
                    r.id.to_string(),
                    r.optional,
                    r.to.iter().map(|t| t.id.to_string()).collect(),
                )
            })
            .collect(),
        d.route.as_ref().map(|r| r.id().to_owned()),
    )
}

/// A second policy made from the first: some cells, breach links, a period
/// and an incident's responses changed, perhaps a row dropped.
fn pair() -> impl Strategy<Value = (Spec, Spec, [bool; 3])> {
    (
        spec(),
        prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, 0u8..9), 0..4),
        prop::option::of((any::<prop::sample::Index>(), 1u16..4)),
        any::<bool>(),
        any::<[bool; 3]>(),
    )
        .prop_map(|(old, edits, period, drop_row, text_edits)| {
            let mut new = old.clone();
            for (at, what, value) in edits {
                let i = at.index(new.rows.len());
                let row = &mut new.rows[i];
                match what {
                    0 => row.adults = value,
                    1 => row.pupils = value,
                    2 => row.year_override = (value < 6).then_some(value),
                    _ => row.breach = (value < 6).then_some(usize::from(value % 4)),
                }
            }
            if let Some((at, longer)) = period {
                let i = at.index(new.periods.len());
                new.periods[i].1 += longer * 5;
                // Keep periods apart: push the later ones on too.
                for later in new.periods.iter_mut().skip(i + 1) {
                    later.0 += longer * 5;
                    later.1 += longer * 5;
                }
            }
            if drop_row && new.rows.len() > 1 {
                new.rows.pop();
            }
            (old, new, text_edits)
        })
}

/// The new policy's text, with edits the generator cannot make: fewer
/// responses to an incident, repeat offences counted sooner, incidents for
/// visitors too.
fn render_new(spec: &Spec, [fewer_responses, repeat_sooner, wider]: [bool; 3]) -> String {
    let mut text = render_spec(spec);
    if wider {
        text = text.replace(
            "incidents pupil-incidents \"Pupil incidents\" for pupil",
            "incidents pupil-incidents \"Pupil incidents\" for pupil, visitor",
        );
    }
    if fewer_responses {
        text = text.replacen("responses: head, warning", "responses: head", 1);
    }
    if repeat_sooner {
        text = text.replace(
            "repeat offences after 2 prior incidents",
            "repeat offences after 1 prior incident",
        );
    }
    text
}

/// A question: an index into [`ROLES`], a day (0 Monday, 5 Saturday) and
/// quarter hour, facts (see [`query`]), a place, and earlier incidents.
type Asked = (usize, Option<(i8, i8)>, u8, Option<&'static str>, u32);

/// The questions both policies are asked: each role, at times across a
/// Monday and a Saturday, with facts and places given or not.
fn questions() -> impl Strategy<Value = Vec<Asked>> {
    prop::collection::vec(
        (
            0usize..8,
            prop::option::of((prop::sample::select(vec![0i8, 5]), 0i8..(24 * 4))),
            0u8..81,
            prop::option::of(prop::sample::select(vec!["library", "canteen"])),
            0u32..4,
        ),
        150,
    )
}

/// A question with facts given as a number in base 3 over f0, f1,
/// permission and nominated: 0 not given, 1 yes, 2 no.
fn query(base: Query, at: Option<(i8, i8)>, facts: u8, place: Option<&str>) -> Query {
    let mut q = base.explain(false);
    if let Some((day, quarter)) = at {
        q = q.at(jiff::civil::date(2025, 11, 3 + day).at(quarter / 4, (quarter % 4) * 15, 0, 0));
    }
    let mut n = facts;
    for name in ["f0", "f1", "permission", "nominated"] {
        match n % 3 {
            1 => q = q.fact(name, true),
            2 => q = q.fact(name, false),
            _ => {}
        }
        n /= 3;
    }
    if let Some(place) = place {
        q = q.place(place);
    }
    q
}

/// Asks `example` of both policies and returns whether the answers differ.
fn example_differs(
    old: &Policy,
    new: &Policy,
    base: impl Fn(&str) -> Query,
    e: &Example,
    incident: bool,
) -> bool {
    let mut q = base(&e.role).explain(false);
    if let Some(at) = e.at {
        q = q.at(at);
    }
    for f in &e.facts {
        q = q.fact(&*f.name, f.value);
    }
    if let Some(place) = &e.place {
        q = q.place(&**place);
    }
    if let Some(prior) = e.prior {
        q = q.prior(prior);
    }
    match (old.decide(&q), new.decide(&q)) {
        (Ok(a), Ok(b)) if incident => incident_meaning(&a) != incident_meaning(&b),
        (Ok(a), Ok(b)) => row_meaning(&a) != row_meaning(&b),
        // Only one policy can be asked: an added or removed row.
        (a, b) => a.is_ok() != b.is_ok(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_diff_lists_exactly_the_questions_answered_differently(
        (old_spec, new_spec, text_edits) in pair(),
        asked in questions(),
    ) {
        let old = policy("old.policy", &render_spec(&old_spec));
        let new = policy("new.policy", &render_new(&new_spec, text_edits));
        let d = diff(&old, &new);

        // Every listed difference is real.
        for row in &d.rows {
            for a in &row.answers {
                prop_assert!(
                    example_differs(&old, &new, |r| Query::action(r, &*row.id), &a.example, false),
                    "row {} for {:?}: the example asks the same of both\n{}", row.id, a.roles, d.to_text()
                );
            }
        }
        for incident in &d.incidents {
            for c in &incident.responses {
                prop_assert!(
                    example_differs(&old, &new, |r| Query::incident(r, &*incident.id), &c.example, true),
                    "incident {} for {:?}: the example asks the same of both\n{}", incident.id, c.roles, d.to_text()
                );
            }
        }

        // Every question answered differently is listed.
        let rows = old_spec.rows.len().max(new_spec.rows.len());
        for &(role, at, facts, place, prior) in &asked {
            let role = ROLES[role];
            for r in 0..rows {
                let id = format!("r{r}");
                let q = query(Query::action(role, &id), at, facts, place);
                let (a, b) = (old.decide(&q), new.decide(&q));
                let differs = match (&a, &b) {
                    (Ok(a), Ok(b)) => row_meaning(a) != row_meaning(b),
                    _ => a.is_ok() != b.is_ok(),
                };
                if differs {
                    let listed = d.rows.iter().any(|row| {
                        *row.id == *id
                            && (row.change != Change::Changed
                                || row.answers.iter().any(|x| x.all_roles.iter().any(|x| &**x == role)))
                    });
                    prop_assert!(listed, "{role} asked {id} ({q:?}): {:?} vs {:?}, not in\n{}", a.map(|d| row_meaning(&d)), b.map(|d| row_meaning(&d)), d.to_text());
                }
            }
            for i in 0..old_spec.incidents.max(new_spec.incidents) {
                let id = format!("i{i}");
                let q = query(Query::incident(role, &id), None, facts, None).prior(prior);
                let (a, b) = (old.decide(&q), new.decide(&q));
                let differs = match (&a, &b) {
                    (Ok(a), Ok(b)) => incident_meaning(a) != incident_meaning(b),
                    _ => a.is_ok() != b.is_ok(),
                };
                if differs {
                    let listed = d.incidents.iter().any(|x| {
                        *x.id == *id && x.responses.iter().any(|c| c.all_roles.iter().any(|r| &**r == role))
                    });
                    prop_assert!(listed, "{role} incident {id} prior {prior} differs but is not in\n{}", d.to_text());
                }
            }
        }
    }
}

/// A ladder that counts over another window answers the same to every
/// question given a number of earlier incidents, so the window is compared
/// as a setting.
#[test]
fn a_ladder_counting_over_another_window_is_a_difference() {
    let text = shipped("examples/example-high.policy");
    let changed = text.replace(
        "    count incidents of this table within 30 days",
        "    count incidents of this table within 60 days",
    );
    assert_ne!(changed, text);
    let d = diff(
        &policy("old.policy", &text),
        &policy("new.policy", &changed),
    );
    assert_eq!(d.len(), 1, "{}", d.to_text());
    let ladder = &d.settings[0];
    assert_eq!(ladder.section, Section::Ladders);
    assert!(ladder.old.as_deref().unwrap().contains("within 30 days"));
    assert!(ladder.new.as_deref().unwrap().contains("within 60 days"));
}

/// A response the school now marks "as appropriate" is the same response,
/// changed, not one removed and another added.
#[test]
fn a_response_made_optional_is_altered() {
    let text = shipped("crockerne.policy");
    let list = "    responses: class-teacher, headteacher, technical-support, remove-access\n";
    assert_eq!(text.matches(list).count(), 1);
    let changed = text.replace(
        list,
        "    responses: class-teacher, headteacher, technical-support\n    responses as appropriate: remove-access\n",
    );
    let d = diff(
        &policy("old.policy", &text),
        &policy("new.policy", &changed),
    );
    assert_eq!(d.len(), 1, "{}", d.to_text());
    let change = &d.incidents[0].responses[0];
    assert!(change.added.is_empty() && change.removed.is_empty());
    let [altered] = &change.altered[..] else {
        panic!("{change:#?}")
    };
    assert_eq!(&*altered.id, "remove-access");
    assert!(altered.optional);
}
