//! Which questions a rule answers more loosely in one policy than in
//! another: the test a locked rule must pass (see `family/locks.rs`).
//!
//! "Looser", precisely (`docs/language.md`, *Locks*):
//!
//! * for a row, at some question (role, moment, facts, place) the new
//!   answer ranks lower than the old, in the order allowed < allowed
//!   depending on something the question did not say < not allowed <
//!   unacceptable and illegal; or it is the same refusal but the breach no
//!   longer leads to the same incident or route. A row the old policy does
//!   not have answers every question with a default refusal.
//! * for an incident, for some role and number of earlier incidents, a
//!   response the old policy gives is missing, or was required and is now
//!   only "as appropriate", or the route it followed is no longer followed.
//!
//! Everything else (an answer that ranks higher, fewer times of day, a
//! response or route added) is as strict or stricter.

use std::sync::Arc;

use super::questions::{self, Depends, Moments};
use super::roles::Roles;
use super::rows::{answer_words, first_difference};
use super::{Example, Outcome};
use crate::decision::{Decision, Verdict};
use crate::model::Policy;
use crate::query::Query;

/// A question a locked rule answers more loosely than it did.
#[derive(Debug, Clone)]
pub(crate) struct Loosening {
    /// The role asked about.
    pub(crate) role: Arc<str>,
    /// What was answered before, and now, in words.
    pub(crate) old: String,
    pub(crate) new: String,
    /// The question.
    pub(crate) example: Example,
}

fn rank(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Allowed => 0,
        Verdict::Conditional => 1,
        Verdict::Denied => 2,
        Verdict::Illegal => 3,
    }
}

/// Whether `new` answers a row's question more loosely than `old`.
fn looser_answer(old: &Outcome, new: &Outcome) -> bool {
    let (o, n) = (rank(old.verdict), rank(new.verdict));
    n < o
        || (n == o
            && o >= rank(Verdict::Denied)
            && ((old.incident.is_some() && new.incident != old.incident)
                || (old.route.is_some() && new.route != old.route)))
}

/// The roles a check covers: every role both policies know, or those
/// within one of `only`.
fn roles_within(roles: &Roles, only: Option<&[Arc<str>]>) -> Vec<Arc<str>> {
    roles
        .shared
        .iter()
        .filter(|r| only.is_none_or(|only| only.iter().any(|o| roles.within(r, o))))
        .cloned()
        .collect()
}

/// Two policies compared rule by rule: what every comparison of them
/// shares (their roles, the moments and places worth asking at), worked
/// out once however many locked rules are compared.
pub(crate) struct Comparison<'p> {
    old: &'p Policy,
    new: &'p Policy,
    roles: Roles,
    /// Only a row needs these (and a family may lock no row).
    moments: std::cell::OnceCell<(Moments, Vec<Arc<str>>)>,
}

impl<'p> Comparison<'p> {
    /// `old` as the base would have it, `new` as the school makes it.
    pub(crate) fn new(old: &'p Policy, new: &'p Policy) -> Self {
        Comparison {
            old,
            new,
            roles: Roles::new(old, new),
            moments: std::cell::OnceCell::new(),
        }
    }

    /// For each role (within `only`), the first question on which `new`
    /// answers row `row` more loosely than `old`. A row `old` does not have
    /// is compared against a default refusal.
    pub(crate) fn row(&self, row: &str, only: Option<&[Arc<str>]>) -> Vec<Loosening> {
        let (old, new, roles) = (self.old, self.new, &self.roles);
        let (moments, places) = self
            .moments
            .get_or_init(|| (Moments::new(old, new), questions::declared_places(old, new)));
        let mut found = Vec::new();
        for role in roles_within(roles, only) {
            // The old side (`true`) or the new.
            let ask = |is_old: bool,
                       at: Option<jiff::civil::DateTime>,
                       facts: &[super::FactValue],
                       place: Option<&Arc<str>>| {
                let policy = if is_old { old } else { new };
                let query = Query::action(roles.name_in(&role, is_old), row).explain(false);
                policy
                    .decide(&questions::with_settings(policy, query, at, facts, place))
                    .ok()
            };
            let Some(nd) = ask(false, None, &[], None) else {
                continue;
            };
            let od = ask(true, None, &[], None);
            let mut depends = Depends::default();
            depends.add(&nd);
            if let Some(od) = &od {
                depends.add(od);
            }
            let is_new = od.is_none();
            let example = first_difference(
                &role,
                &depends,
                moments,
                places,
                |a, b| {
                    if is_new {
                        rank(b.verdict) < rank(Verdict::Denied)
                    } else {
                        looser_answer(a, b)
                    }
                },
                |at, facts, place| {
                    let n = ask(false, at, facts, place)?;
                    let o = if is_new {
                        n.clone()
                    } else {
                        ask(true, at, facts, place)?
                    };
                    Some((o, n))
                },
            );
            if let Some(example) = example {
                found.push(Loosening {
                    role: role.clone(),
                    old: od.as_ref().map_or_else(
                        || "not answered (refused by default)".to_owned(),
                        answer_words,
                    ),
                    new: answer_words(&nd),
                    example,
                });
            }
        }
        found
    }

    /// For each role the incident's table covers, the first number of earlier
    /// incidents at which `new` responds to incident `id` more loosely than
    /// `old`.
    pub(crate) fn incident(&self, id: &str) -> Vec<Loosening> {
        let (old, new, roles) = (self.old, self.new, &self.roles);
        let max_prior =
            super::incidents::highest_prior(old).max(super::incidents::highest_prior(new));
        let Some(summary) = old.incidents().find(|i| &*i.id == id) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for role in roles_within(roles, Some(&summary.roles)) {
            for prior in 0..=max_prior {
                let ask = |policy: &Policy, name: &str| {
                    policy
                        .decide(&Query::incident(name, id).prior(prior).explain(false))
                        .ok()
                };
                let (Some(od), Some(nd)) = (
                    ask(old, roles.name_in(&role, true)),
                    ask(new, roles.name_in(&role, false)),
                ) else {
                    continue;
                };
                if let Some((old_words, new_words)) = looser_responses(&od, &nd) {
                    let example = questions::example(
                        &role,
                        None,
                        &[],
                        None,
                        Some(prior),
                        Some(questions::outcome(&od, true)),
                        Some(questions::outcome(&nd, true)),
                    );
                    found.push(Loosening {
                        role: role.clone(),
                        old: old_words,
                        new: new_words,
                        example,
                    });
                    break;
                }
            }
        }
        found
    }
}

/// What an incident's responses lost, as (what it was, what it is now).
fn looser_responses(old: &Decision, new: &Decision) -> Option<(String, String)> {
    for (kind, response) in questions::each_response(old) {
        let now = questions::each_response(new).find(|(k, r)| *k == kind && r.id == response.id);
        match now {
            None => {
                return Some((
                    format!("{} `{}`", kind.as_str(), response.id),
                    format!("no {} `{}`", kind.as_str(), response.id),
                ));
            }
            Some((_, r)) if r.optional && !response.optional => {
                return Some((
                    format!("{} `{}` always", kind.as_str(), response.id),
                    format!("{} `{}` only as appropriate", kind.as_str(), response.id),
                ));
            }
            Some(_) => {}
        }
    }
    let route = |d: &Decision| d.route.as_ref().map(|r| r.id().to_owned());
    match (route(old), route(new)) {
        (Some(o), n) if n.as_ref() != Some(&o) => Some((
            format!("route `{o}`"),
            n.map_or_else(|| "no route".to_owned(), |n| format!("route `{n}`")),
        )),
        _ => None,
    }
}
