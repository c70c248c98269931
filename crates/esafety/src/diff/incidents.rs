//! Incidents: matched by table and id (or, renamed, by label), then asked
//! for every role their table covers and every number of earlier incidents
//! a repeat offence or ladder distinguishes.

use std::sync::Arc;

use super::items;
use super::questions;
use super::roles::Roles;
use super::{Example, IncidentDiff, Outcome, ResponseChange, ResponseKind, ResponseRef};
use crate::decision::Decision;
use crate::model::{Policy, ResponseInfo};
use crate::query::Query;

/// The most earlier incidents a diff asks about: ladders and repeat
/// offences in school policies count to three or four.
const MAX_PRIOR: u32 = 16;

/// The highest number of earlier incidents that can change an answer.
pub(super) fn highest_prior(policy: &Policy) -> u32 {
    let repeat = policy
        .data
        .incidents
        .iter()
        .filter_map(|i| i.escalation.as_ref().map(|e| e.after))
        .max()
        .unwrap_or(0);
    let tiers = policy
        .ladders()
        .flat_map(|l| l.tiers.into_iter().map(|t| t.number.saturating_sub(1)))
        .max()
        .unwrap_or(0);
    repeat.max(tiers).min(MAX_PRIOR)
}

/// An incident as the diff sees it, with the roles its table is for.
type Incident = items::Entry<Vec<Arc<str>>>;

pub(super) fn compare(old: &Policy, new: &Policy, roles: &Roles) -> Vec<IncidentDiff> {
    let list = |p: &Policy| -> Vec<Incident> {
        p.incidents()
            .map(|i| Incident {
                table: i.table.clone(),
                id: i.id.clone(),
                label: i.label.clone(),
                line: i.line,
                extra: i.roles.clone(),
            })
            .collect()
    };
    let priors: Vec<u32> = (0..=highest_prior(old).max(highest_prior(new))).collect();
    items::compare(
        &list(old),
        &list(new),
        |o, n| changed(old, new, o, n, roles, &priors),
        |incident, is_old| one_side(if is_old { old } else { new }, incident, roles, is_old),
    )
    .into_iter()
    .map(|(h, responses)| IncidentDiff {
        table: h.table,
        id: h.id,
        label: h.label,
        change: h.change,
        old_id: h.old_id,
        old_label: h.old_label,
        old_line: h.old_line,
        new_line: h.new_line,
        responses,
    })
    .collect()
}

/// Whether an incident's table covers a role (or a group it is within).
fn covers(roles: &Roles, incident: &Incident, role: &str) -> bool {
    incident.extra.iter().any(|t| roles.within(role, t))
}

fn ask(policy: &Policy, role: &str, incident: &str, prior: u32) -> Option<Decision> {
    let query = Query::incident(role, incident).prior(prior).explain(false);
    policy.decide(&query).ok()
}

/// What one role's answers changed, per number of earlier incidents.
#[derive(Clone, PartialEq)]
struct Delta {
    added: Vec<ResponseRef>,
    removed: Vec<ResponseRef>,
    altered: Vec<ResponseRef>,
    old_route: Option<Arc<str>>,
    new_route: Option<Arc<str>>,
}

fn changed(
    old: &Policy,
    new: &Policy,
    o: &Incident,
    n: &Incident,
    roles: &Roles,
    priors: &[u32],
) -> Vec<ResponseChange> {
    // (role, delta) with the priors each holds for, and an example. A role
    // one table covers and the other does not gets every response added
    // or removed.
    let mut entries: Vec<(Arc<str>, Delta, u32, Example)> = Vec::new();
    let asked: Vec<&Arc<str>> = roles
        .shared
        .iter()
        .filter(|r| covers(roles, o, r) || covers(roles, n, r))
        .collect();
    for role in asked {
        for &prior in priors {
            let (a, b) = (
                ask(old, roles.name_in(role, true), &o.id, prior),
                ask(new, roles.name_in(role, false), &n.id, prior),
            );
            if a.is_none() && b.is_none() {
                continue;
            }
            let (oa, ob) = (
                a.as_ref().map(|d| questions::outcome(d, true)),
                b.as_ref().map(|d| questions::outcome(d, true)),
            );
            if oa == ob {
                continue;
            }
            let delta = delta(a.as_ref(), b.as_ref());
            let example = questions::example(role, None, &[], None, Some(prior), oa, ob);
            entries.push((role.clone(), delta, prior, example));
        }
    }
    // Group by the change; each group lists its roles and priors.
    struct Grouped {
        delta: Delta,
        roles: Vec<Arc<str>>,
        priors: Vec<u32>,
        example: Example,
    }
    let mut groups: Vec<Grouped> = Vec::new();
    for (role, delta, prior, example) in entries {
        match groups.iter_mut().find(|g| g.delta == delta) {
            Some(g) => {
                if !g.roles.contains(&role) {
                    g.roles.push(role);
                }
                if !g.priors.contains(&prior) {
                    g.priors.push(prior);
                }
            }
            None => groups.push(Grouped {
                delta,
                roles: vec![role],
                priors: vec![prior],
                example,
            }),
        }
    }
    groups
        .into_iter()
        .map(|mut g| {
            let keyed = g.roles.iter().map(|r| (r.clone(), ())).collect();
            let (highest, all) = roles
                .group(keyed, |()| ())
                .into_iter()
                .next()
                .map(|group| (group.highest, group.all))
                .unwrap_or_default();
            g.priors.sort_unstable();
            if g.priors.len() == priors.len() {
                g.priors.clear();
            }
            ResponseChange {
                roles: highest,
                all_roles: all,
                prior: g.priors,
                added: g.delta.added,
                removed: g.delta.removed,
                altered: g.delta.altered,
                old_route: g.delta.old_route,
                new_route: g.delta.new_route,
                outcome: None,
                example: g.example,
            }
        })
        .collect()
}

/// What changed from one side's decision to the other's; a side that
/// cannot be asked has no responses and no route.
fn delta(a: Option<&Decision>, b: Option<&Decision>) -> Delta {
    fn list(d: Option<&Decision>) -> Vec<(ResponseKind, &ResponseInfo)> {
        d.map(|d| questions::each_response(d).collect())
            .unwrap_or_default()
    }
    fn find<'d>(
        in_list: &[(ResponseKind, &'d ResponseInfo)],
        kind: ResponseKind,
        id: &str,
    ) -> Option<&'d ResponseInfo> {
        in_list
            .iter()
            .find(|(k, r)| *k == kind && *r.id == *id)
            .map(|&(_, r)| r)
    }
    let (before, after) = (list(a), list(b));
    let reference = |&(kind, r): &(ResponseKind, &ResponseInfo)| ResponseRef {
        kind,
        id: r.id.clone(),
        label: r.label.clone(),
        optional: r.optional,
    };
    let added = after
        .iter()
        .filter(|&&(kind, r)| find(&before, kind, &r.id).is_none())
        .map(reference)
        .collect();
    let removed = before
        .iter()
        .filter(|&&(kind, r)| find(&after, kind, &r.id).is_none())
        .map(reference)
        .collect();
    // In both, but marked differently or going to others.
    let altered = after
        .iter()
        .filter(|&&(kind, r)| {
            find(&before, kind, &r.id).is_some_and(|old| {
                old.optional != r.optional
                    || old.to.iter().map(|t| &t.id).ne(r.to.iter().map(|t| &t.id))
            })
        })
        .map(reference)
        .collect();
    let route = |d: Option<&Decision>| d.and_then(|d| d.route.as_ref()).map(|r| Arc::from(r.id()));
    let (old_route, new_route): (Option<Arc<str>>, Option<Arc<str>>) = (route(a), route(b));
    let route_changed = old_route != new_route;
    Delta {
        added,
        removed,
        altered,
        old_route: old_route.filter(|_| route_changed),
        new_route: new_route.filter(|_| route_changed),
    }
}

/// What follows an incident only one policy has, by role.
fn one_side(
    policy: &Policy,
    incident: &Incident,
    roles: &Roles,
    is_old: bool,
) -> Vec<ResponseChange> {
    let mut entries: Vec<(Arc<str>, Outcome)> = Vec::new();
    for role in roles.shared.iter().filter(|r| covers(roles, incident, r)) {
        if let Some(decision) = ask(policy, roles.name_in(role, is_old), &incident.id, 0) {
            entries.push((role.clone(), questions::outcome(&decision, true)));
        }
    }
    roles
        .group(entries, Outcome::clone)
        .into_iter()
        .map(|g| {
            let outcome = g.value;
            let role = g.highest.first().cloned().unwrap_or_else(|| Arc::from(""));
            let (old, new) = if is_old {
                (Some(outcome.clone()), None)
            } else {
                (None, Some(outcome.clone()))
            };
            ResponseChange {
                roles: g.highest,
                all_roles: g.all,
                prior: Vec::new(),
                added: Vec::new(),
                removed: Vec::new(),
                altered: Vec::new(),
                old_route: None,
                new_route: None,
                outcome: Some(outcome),
                example: questions::example(&role, None, &[], None, Some(0), old, new),
            }
        })
        .collect()
}
