//! Rows of the rule tables: matched by id (or, for a renamed id, by label),
//! then asked every question for every role both policies know.

use std::collections::HashMap;
use std::sync::Arc;

use super::questions::{self, Depends, Moments};
use super::roles::{Group, Roles};
use super::{AnswerChange, Change, Example, FactValue, RowDiff};
use crate::decision::{Decision, Verdict};
use crate::model::Policy;
use crate::query::Query;
use crate::suggest::normalize_label;

/// A row as the diff sees it.
#[derive(Clone)]
struct Row {
    table: Arc<str>,
    id: Arc<str>,
    label: Arc<str>,
    line: u32,
}

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
            })
        })
        .collect()
}

/// Pairs things of the old and new policy: by key first, then what is left
/// by label where exactly one on each side has it. Pairs come in the new
/// policy's order, then what only the old one has.
pub(super) fn pair<T: Clone>(
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> String,
    label: impl Fn(&T) -> String,
) -> Vec<(Option<T>, Option<T>)> {
    let old_by_key: HashMap<String, usize> =
        old.iter().enumerate().map(|(i, t)| (key(t), i)).collect();
    let mut old_used = vec![false; old.len()];
    let mut pairs: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    for (n, item) in new.iter().enumerate() {
        match old_by_key.get(&key(item)) {
            Some(&o) => {
                if let Some(used) = old_used.get_mut(o) {
                    *used = true;
                }
                pairs.push((Some(o), Some(n)));
            }
            None => pairs.push((None, Some(n))),
        }
    }
    // Renamed: the same label, once on each side, among the unpaired.
    let count = |items: &[T], used: &dyn Fn(usize) -> bool| {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for (i, t) in items.iter().enumerate() {
            if !used(i) {
                *counts.entry(label(t)).or_default() += 1;
            }
        }
        counts
    };
    let old_left = count(old, &|i| old_used.get(i).copied().unwrap_or(true));
    let new_paired: Vec<bool> = pairs
        .iter()
        .filter_map(|(o, n)| n.map(|n| (n, o.is_some())))
        .fold(vec![false; new.len()], |mut acc, (n, paired)| {
            if let Some(slot) = acc.get_mut(n) {
                *slot = paired;
            }
            acc
        });
    let new_left = count(new, &|i| new_paired.get(i).copied().unwrap_or(true));
    for entry in &mut pairs {
        let (None, Some(n)) = *entry else { continue };
        let Some(item) = new.get(n) else { continue };
        let l = label(item);
        if new_left.get(&l) != Some(&1) || old_left.get(&l) != Some(&1) {
            continue;
        }
        let found = old
            .iter()
            .enumerate()
            .find(|(i, t)| !old_used.get(*i).copied().unwrap_or(true) && label(t) == l);
        if let Some((o, _)) = found {
            if let Some(used) = old_used.get_mut(o) {
                *used = true;
            }
            *entry = (Some(o), Some(n));
        }
    }
    for (o, used) in old_used.iter().enumerate() {
        if !used {
            pairs.push((Some(o), None));
        }
    }
    pairs
        .into_iter()
        .map(|(o, n)| {
            (
                o.and_then(|o| old.get(o).cloned()),
                n.and_then(|n| new.get(n).cloned()),
            )
        })
        .collect()
}

pub(super) fn compare(
    old: &Policy,
    new: &Policy,
    roles: &Roles,
    moments: &Moments,
) -> Vec<RowDiff> {
    let pairs = pair(
        &rows_of(old),
        &rows_of(new),
        |r| r.id.to_string(),
        |r| normalize_label(&r.label),
    );
    let mut out = Vec::new();
    for (o, n) in pairs {
        match (o, n) {
            (Some(o), Some(n)) => {
                let answers = changed_answers(old, new, &o, &n, roles, moments);
                let old_id = (o.id != n.id).then(|| o.id.clone());
                let old_label = (o.label != n.label).then(|| o.label.clone());
                if answers.is_empty() && old_id.is_none() && old_label.is_none() {
                    continue;
                }
                out.push(RowDiff {
                    table: n.table,
                    id: n.id,
                    label: n.label,
                    change: Change::Changed,
                    old_id,
                    old_label,
                    old_line: Some(o.line),
                    new_line: Some(n.line),
                    answers,
                });
            }
            (None, Some(n)) => out.push(RowDiff {
                answers: one_side(new, &n, roles, false),
                table: n.table,
                id: n.id,
                label: n.label,
                change: Change::Added,
                old_id: None,
                old_label: None,
                old_line: None,
                new_line: Some(n.line),
            }),
            (Some(o), None) => out.push(RowDiff {
                answers: one_side(old, &o, roles, true),
                table: o.table,
                id: o.id,
                label: o.label,
                change: Change::Removed,
                old_id: None,
                old_label: None,
                old_line: Some(o.line),
                new_line: None,
            }),
            (None, None) => {}
        }
    }
    out
}

/// The answers of a row only one policy has, grouped by role.
fn one_side(policy: &Policy, row: &Row, roles: &Roles, is_old: bool) -> Vec<AnswerChange> {
    let mut entries = Vec::new();
    for role in &roles.shared {
        let query = Query::action(&**role, &*row.id).explain(false);
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
    group_answers(roles, entries, |(words, _)| words.clone())
        .into_iter()
        .map(|g| {
            let (words, example) = g.key;
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

/// Groups entries by a key, keeping the first entry's value for each.
fn group_answers<V: Clone>(
    roles: &Roles,
    entries: Vec<(Arc<str>, V)>,
    key: impl Fn(&V) -> String,
) -> Vec<Group<V>> {
    let keyed: Vec<(Arc<str>, String)> = entries.iter().map(|(r, v)| (r.clone(), key(v))).collect();
    let firsts: HashMap<String, V> = entries
        .into_iter()
        .rev()
        .map(|(_, v)| (key(&v), v))
        .collect();
    roles
        .group(keyed)
        .into_iter()
        .filter_map(|g| {
            Some(Group {
                key: firsts.get(&g.key)?.clone(),
                highest: g.highest,
                all: g.all,
            })
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
        let ask = |policy: &Policy,
                   row: &Row,
                   at: Option<jiff::civil::DateTime>,
                   facts: &[FactValue],
                   place: Option<&Arc<str>>| {
            let query = Query::action(&**role, &*row.id);
            policy
                .decide(&questions::with_settings(policy, query, at, facts, place))
                .ok()
        };
        let (Some(od), Some(nd)) = (ask(old, o, None, &[], None), ask(new, n, None, &[], None))
        else {
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
            first_difference(role, &depends, moments, &places, |at, facts, place| {
                Some((
                    ask(old, o, at, facts, place)?,
                    ask(new, n, at, facts, place)?,
                ))
            })
        };
        if let Some(example) = found {
            entries.push((
                role.clone(),
                (answer_words(&od), answer_words(&nd), example),
            ));
        }
    }
    group_answers(roles, entries, |(a, b, _)| format!("{a}\u{0}{b}"))
        .into_iter()
        .map(|g| {
            let (old_words, new_words, example) = g.key;
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
/// the facts and places, whose two answers differ.
fn first_difference(
    role: &Arc<str>,
    depends: &Depends,
    moments: &Moments,
    places: &[Arc<str>],
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
            if a != b {
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
