//! Rows of the rule tables: matched by id (or, for a renamed id, by label),
//! then asked every question for every role both policies know.

use std::sync::Arc;

use super::items;
use super::questions::{self, Depends, Moments};
use super::roles::Roles;
use super::{AnswerChange, Example, FactValue, Outcome, RowDiff};
use crate::decision::{Decision, Verdict};
use crate::model::Policy;
use crate::query::Query;

/// A row as the diff sees it.
type Row = items::Entry<()>;

fn rows_of(policy: &Policy) -> Vec<Row> {
    policy
        .tables()
        .iter()
        .flat_map(|t| {
            t.rows.iter().map(|r| Row {
                table: t.id.clone(),
                id: r.id.clone(),
                label: r.label.clone(),
                line: r.line,
                extra: (),
            })
        })
        .collect()
}

pub(super) fn compare(
    old: &Policy,
    new: &Policy,
    roles: &Roles,
    moments: &Moments,
) -> Vec<RowDiff> {
    items::compare(
        &rows_of(old),
        &rows_of(new),
        |o, n| changed_answers(old, new, o, n, roles, moments),
        |row, is_old| one_side(if is_old { old } else { new }, row, roles, is_old),
    )
    .into_iter()
    .map(|(h, answers)| RowDiff {
        table: h.table,
        id: h.id,
        label: h.label,
        change: h.change,
        old_id: h.old_id,
        old_label: h.old_label,
        old_line: h.old_line,
        new_line: h.new_line,
        answers,
    })
    .collect()
}

/// The answers of a row only one policy has, grouped by role.
fn one_side(policy: &Policy, row: &Row, roles: &Roles, is_old: bool) -> Vec<AnswerChange> {
    let mut entries = Vec::new();
    for role in &roles.shared {
        let query = Query::action(roles.name_in(role, is_old), &*row.id).explain(false);
        let Ok(decision) = policy.decide(&query) else {
            continue;
        };
        let words = answer_words(&decision);
        let example = questions::example(role, None, &[], None, None, None, None);
        let outcome = questions::outcome(&decision, false);
        let example = if is_old {
            Example {
                old: Some(outcome),
                ..example
            }
        } else {
            Example {
                new: Some(outcome),
                ..example
            }
        };
        entries.push((role.clone(), (words, example)));
    }
    roles
        .group(entries, |(words, _)| words.clone())
        .into_iter()
        .map(|g| {
            let (words, example) = g.value;
            AnswerChange {
                roles: g.highest,
                all_roles: g.all,
                old: is_old.then(|| words.clone()),
                new: (!is_old).then_some(words),
                example,
            }
        })
        .collect()
}

/// For each role both policies know, whether the two rows answer any
/// question differently; the differences, grouped by old and new answer.
fn changed_answers(
    old: &Policy,
    new: &Policy,
    o: &Row,
    n: &Row,
    roles: &Roles,
    moments: &Moments,
) -> Vec<AnswerChange> {
    let mut entries: Vec<(Arc<str>, (String, String, Example))> = Vec::new();
    let places = questions::declared_places(old, new);
    for role in &roles.shared {
        // The old side (`true`) or the new.
        let ask = |is_old: bool,
                   at: Option<jiff::civil::DateTime>,
                   facts: &[FactValue],
                   place: Option<&Arc<str>>| {
            let (policy, row) = if is_old { (old, o) } else { (new, n) };
            let query = Query::action(roles.name_in(role, is_old), &*row.id);
            policy
                .decide(&questions::with_settings(policy, query, at, facts, place))
                .ok()
        };
        let (Some(od), Some(nd)) = (ask(true, None, &[], None), ask(false, None, &[], None)) else {
            continue;
        };
        let mut depends = Depends::default();
        depends.add(&od);
        depends.add(&nd);
        let found = if depends.is_constant() {
            let (a, b) = (
                questions::outcome(&od, false),
                questions::outcome(&nd, false),
            );
            (a != b).then(|| questions::example(role, None, &[], None, None, Some(a), Some(b)))
        } else {
            first_difference(
                role,
                &depends,
                moments,
                &places,
                |a, b| a != b,
                |at, facts, place| {
                    Some((ask(true, at, facts, place)?, ask(false, at, facts, place)?))
                },
            )
        };
        if let Some(example) = found {
            entries.push((
                role.clone(),
                (answer_words(&od), answer_words(&nd), example),
            ));
        }
    }
    roles
        .group(entries, |(a, b, _)| (a.clone(), b.clone()))
        .into_iter()
        .map(|g| {
            let (old_words, new_words, example) = g.value;
            AnswerChange {
                roles: g.highest,
                all_roles: g.all,
                old: Some(old_words),
                new: Some(new_words),
                example,
            }
        })
        .collect()
}

/// The first question, over every moment (and none) and every setting of
/// the facts and places, whose two answers `differ`.
pub(super) fn first_difference(
    role: &Arc<str>,
    depends: &Depends,
    moments: &Moments,
    places: &[Arc<str>],
    differ: impl Fn(&Outcome, &Outcome) -> bool,
    ask: impl Fn(
        Option<jiff::civil::DateTime>,
        &[FactValue],
        Option<&Arc<str>>,
    ) -> Option<(Decision, Decision)>,
) -> Option<Example> {
    let times = std::iter::once(None).chain(
        moments
            .all
            .iter()
            .copied()
            .map(Some)
            .filter(|_| depends.time),
    );
    let settings = depends.settings(places);
    for at in times {
        for (facts, place) in &settings {
            let Some((a, b)) = ask(at, facts, place.as_ref()) else {
                continue;
            };
            let (a, b) = (questions::outcome(&a, false), questions::outcome(&b, false));
            if differ(&a, &b) {
                return Some(questions::example(
                    role,
                    at,
                    facts,
                    place.as_ref(),
                    None,
                    Some(a),
                    Some(b),
                ));
            }
        }
    }
    None
}

/// A row's answer for one role in words, as asked with no time, facts or
/// place: `allowed`, `not allowed (breach: misuse)`, `allowed only during
/// lunch`.
pub(super) fn answer_words(decision: &Decision) -> String {
    let mut words = match decision.verdict {
        Verdict::Allowed => "allowed".to_owned(),
        Verdict::Denied if decision.default => {
            "not allowed (the policy gives no answer)".to_owned()
        }
        Verdict::Denied => "not allowed".to_owned(),
        Verdict::Illegal => "illegal".to_owned(),
        Verdict::Conditional => match &decision.condition {
            Some(condition) => format!("allowed {}", condition.text),
            None => "allowed on a condition".to_owned(),
        },
    };
    if let Some(incident) = &decision.incident {
        words.push_str(&format!(" (breach: {})", incident.id));
    }
    if let Some(route) = &decision.route {
        words.push_str(&format!(" (route: {})", route.id()));
    }
    words
}
