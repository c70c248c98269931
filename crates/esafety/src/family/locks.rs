//! Locks: a base policy's rules that a policy extending it may make
//! stricter but never looser.
//!
//! Each step of a chain is checked on its own: the policy the step makes
//! (`merged`) is compared with the one it would make had it left every
//! locked rule alone (`shadow`, merged with the locked changes left out).
//! Both are compiled and asked the same questions — every role, every
//! stretch of the week, every setting of the facts and places a rule's
//! answer depends on, every number of earlier incidents that matters — and
//! where the merged policy answers a locked rule more loosely
//! ([`crate::diff::looser`]), the change is an error at the line that made
//! it, naming the line that locks it.
//!
//! Because both sides use the school's own timetable, a school that sets
//! its own lunchtime does not loosen a rule that allows something at lunch:
//! a lock governs what the rule says, not when the school's day runs.

use std::collections::HashMap;
use std::sync::Arc;

use super::merge::Touched;
use crate::ast::{PolicyFile, RoleList, Section};
use crate::diagnostic::{Code, Reporter, SourceRef};
use crate::diff::looser::{self, Loosening};
use crate::model::Policy;
use crate::span::Span;

/// One step of a chain whose base locks something: what it locks, and the
/// two policies to compare.
pub(super) struct Step {
    /// The rows, incidents and routes the base locks.
    pub(super) held: LockedRules,
    /// Each locked route's steps as written, without the step's changes
    /// and with them (`None`: no such route).
    route_steps: Vec<(Option<StepLines>, Option<StepLines>)>,
    /// The step's result with the changes to locked rules left out.
    pub(super) shadow: PolicyFile,
    /// The step's result, for a step before the last (the last is the
    /// policy being checked, compiled already).
    pub(super) merged: Option<PolicyFile>,
    /// What the extending file changed, and where.
    pub(super) touched: Touched,
    /// The extending file's `extends` line.
    pub(super) extends: Span,
}

impl Step {
    /// A step whose base locks `held`: `shadow` is its result without the
    /// changes to locked rules, `next` its result; `keep` keeps `next` to
    /// compile (a step before the last).
    pub(super) fn new(
        held: LockedRules,
        shadow: PolicyFile,
        next: &PolicyFile,
        keep: bool,
        touched: Touched,
        extends: Span,
    ) -> Self {
        let steps_of = |file: &PolicyFile, id: &str| {
            file.sections.iter().find_map(|s| match s {
                Section::Route(r) if *r.id.text == *id => Some(
                    r.steps
                        .iter()
                        .map(crate::format::step_line)
                        .collect::<Vec<String>>(),
                ),
                _ => None,
            })
        };
        let route_steps = held
            .routes
            .iter()
            .map(|r| (steps_of(&shadow, &r.id), steps_of(next, &r.id)))
            .collect();
        Step {
            held,
            route_steps,
            shadow,
            merged: keep.then(|| next.clone()),
            touched,
            extends,
        }
    }
}

/// A route's steps, each as `esafety fmt` writes it.
type StepLines = Vec<String>;

/// The rows, incidents and routes a base locks.
pub(super) struct LockedRules {
    rows: Vec<Held>,
    incidents: Vec<Held>,
    routes: Vec<Held>,
}

impl LockedRules {
    pub(super) fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.incidents.is_empty() && self.routes.is_empty()
    }
}

/// A locked rule: its id, the roles locked (`None`: all), the `locked` line,
/// and the table it is in.
struct Held {
    /// Whether the extending policy added it to a locked table.
    added: bool,
    id: Arc<str>,
    roles: Option<Vec<Arc<str>>>,
    lock: Span,
    table: Arc<str>,
}

/// The rows, incidents and routes `base` locks. A locked table's rows
/// include those the extending policy adds to it: a new row must not allow
/// what the table, unanswered, refused.
pub(super) fn held(base: &PolicyFile, merged: &PolicyFile) -> LockedRules {
    let (mut rows, mut incidents, mut routes) = (Vec::new(), Vec::new(), Vec::new());
    for section in &base.sections {
        match section {
            Section::Table(t) => {
                let table_lock = t.locks.first().map(|l| l.span);
                for row in t.rows() {
                    let lock = table_lock.or_else(|| row.locks.first().map(|l| l.span));
                    let Some(lock) = lock else { continue };
                    // `locked` alone locks every role; `locked for …` those.
                    let roles =
                        if table_lock.is_some() || row.locks.iter().any(|l| l.roles.is_none()) {
                            None
                        } else {
                            // A column stands for its roles.
                            let columns: Vec<(&str, Vec<Arc<str>>)> = t
                                .columns()
                                .map(|c| (&*c.id.text, role_names(&c.roles)))
                                .collect();
                            Some(
                                row.locks
                                    .iter()
                                    .filter_map(|l| l.roles.as_ref())
                                    .flat_map(role_names)
                                    .flat_map(|name| {
                                        match columns.iter().find(|(id, _)| **id == *name) {
                                            Some((_, roles)) => roles.clone(),
                                            None => vec![name],
                                        }
                                    })
                                    .collect(),
                            )
                        };
                    rows.push(Held {
                        added: false,
                        id: row.id.text.clone(),
                        roles,
                        lock,
                        table: t.id.text.clone(),
                    });
                }
                if let Some(lock) = table_lock {
                    let added = merged.sections.iter().filter_map(|s| match s {
                        Section::Table(m) if m.id.text == t.id.text => Some(m.rows()),
                        _ => None,
                    });
                    for row in added.flatten() {
                        if !t.rows().any(|r| r.id.text == row.id.text) {
                            rows.push(Held {
                                added: true,
                                id: row.id.text.clone(),
                                roles: None,
                                lock,
                                table: t.id.text.clone(),
                            });
                        }
                    }
                }
            }
            Section::Incidents(t) => {
                let table_lock = t.locks.first().map(|l| l.span);
                for incident in t.incidents() {
                    if let Some(lock) =
                        table_lock.or_else(|| incident.locks.first().map(|l| l.span))
                    {
                        incidents.push(Held {
                            added: false,
                            id: incident.id.text.clone(),
                            roles: None,
                            lock,
                            table: t.id.text.clone(),
                        });
                    }
                }
            }
            Section::Route(r) => {
                if let Some(lock) = r.locks.first() {
                    routes.push(Held {
                        added: false,
                        id: r.id.text.clone(),
                        roles: None,
                        lock: lock.span,
                        table: r.id.text.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    LockedRules {
        rows,
        incidents,
        routes,
    }
}

/// The roles (or columns) a `locked for …` line names.
fn role_names(list: &RoleList) -> Vec<Arc<str>> {
    match list {
        RoleList::Everyone { .. } => vec![Arc::from("everyone")],
        RoleList::Names { names } => names.iter().map(|n| n.text.clone()).collect(),
        RoleList::Members { members } => members
            .iter()
            .map(|m| Arc::from(m.words().as_str()))
            .collect(),
    }
}

/// Checks one step's locks, reporting each loosened rule once.
pub(super) fn check(
    step: Step,
    merged: Option<&Policy>,
    path: &str,
    sources: &[SourceRef<'_>],
    files: &[(u32, Arc<str>)],
    reporter: &mut Reporter<'_>,
) {
    let Some(merged) = merged else { return };
    let Some(shadow) = crate::check::compile_quietly(path, step.shadow, sources, files) else {
        return;
    };
    let LockedRules {
        rows,
        incidents,
        routes,
    } = step.held;
    let blame = |map: &HashMap<Arc<str>, Span>, held: &Held| {
        map.get(&held.id)
            .or_else(|| step.touched.tables.get(&held.table))
            .copied()
            .unwrap_or(step.extends)
    };
    let comparison = looser::Comparison::new(&shadow, merged);

    for row in &rows {
        let at = blame(&step.touched.rows, row);
        let in_merged = merged
            .tables()
            .iter()
            .any(|t| t.rows.iter().any(|r| r.id == row.id));
        let in_shadow = shadow
            .tables()
            .iter()
            .any(|t| t.rows.iter().any(|r| r.id == row.id));
        if in_shadow && !in_merged {
            report_removed(reporter, at, "row", row);
            continue;
        }
        let only = row.roles.as_deref();
        // The hidden root: `locked for everyone` is every role.
        let only = only.filter(|o| !o.iter().any(|r| &**r == "everyone"));
        let found = comparison.row(&row.id, only);
        report_looser(reporter, merged, at, "row", row, &found);
    }
    for incident in &incidents {
        let at = blame(&step.touched.incidents, incident);
        let in_merged = merged.incidents().any(|i| i.id == incident.id);
        if !in_merged {
            report_removed(reporter, at, "incident", incident);
            continue;
        }
        // Its own lines first; else a response column removed or
        // redefined; else the table opened again.
        let at = step
            .touched
            .incidents
            .get(&incident.id)
            .or_else(|| step.touched.responses.values().min_by_key(|s| s.start))
            .copied()
            .unwrap_or(at);
        let found = comparison.incident(&incident.id);
        report_looser(reporter, merged, at, "incident", incident, &found);
    }
    for (route, (before, now)) in routes.iter().zip(step.route_steps) {
        let at = blame(&step.touched.routes, route);
        let Some(before) = before else {
            continue;
        };
        let Some(now) = now else {
            report_removed(reporter, at, "route", route);
            continue;
        };
        // Every step of the locked route, in order, among the new steps.
        let mut rest = now.iter();
        if let Some(lost) = before.iter().find(|b| !rest.any(|n| n == *b)) {
            reporter
                .report(
                    Code::LoosenedLock,
                    at,
                    format!(
                        "the route `{}` is locked, and this leaves out its step: {lost}",
                        route.id
                    ),
                )
                .label("loosens a locked route")
                .secondary(route.lock, "locked here")
                .help(HELP);
        }
    }
}

const HELP: &str = "The policy this one extends locks this rule: a school's policy may make it stricter (refuse what it allowed, allow it at fewer times, add responses or steps) but never looser. Undo this change, or ask whoever keeps the base policy to change it there.";

fn report_removed(reporter: &mut Reporter<'_>, at: Span, kind: &str, held: &Held) {
    reporter
        .report(
            Code::LoosenedLock,
            at,
            format!("the {kind} `{}` is locked, and this removes it", held.id),
        )
        .label(format!("removes a locked {kind}"))
        .secondary(held.lock, "locked here")
        .help(HELP);
}

fn report_looser(
    reporter: &mut Reporter<'_>,
    policy: &Policy,
    at: Span,
    kind: &str,
    held: &Held,
    found: &[Loosening],
) {
    let Some(first) = found.first() else { return };
    // Name the highest roles: `pupil`, not each year group within it too.
    let listed: Vec<&str> = found.iter().map(|l| &*l.role).collect();
    let parent = |role: &str| {
        policy
            .roles()
            .iter()
            .find(|r| &*r.id == role)
            .and_then(|r| r.parent.clone())
    };
    let bases = policy.roles().iter().filter(|r| r.parent.is_none()).count();
    let every_base = bases > 0
        && policy
            .roles()
            .iter()
            .filter(|r| r.parent.is_none())
            .all(|r| listed.contains(&&*r.id));
    let roles: Vec<String> = listed
        .iter()
        .filter(|role| {
            let mut up = parent(role);
            while let Some(p) = up {
                if listed.contains(&&*p) {
                    return false;
                }
                up = parent(&p);
            }
            true
        })
        .map(|role| {
            if policy
                .roles()
                .iter()
                .any(|r| r.parent.as_deref() == Some(role))
            {
                format!("{role} (and the roles within it)")
            } else {
                (*role).to_owned()
            }
        })
        .collect();
    let who = if every_base {
        "everyone".to_owned()
    } else {
        crate::suggest::english_list(&roles, "and")
    };
    let what = if held.added {
        format!(
            "the table `{}` is locked, and this new row `{}` answers more loosely than the table did without it, for {who}",
            held.table, held.id
        )
    } else {
        format!(
            "the {kind} `{}` is locked, and this makes it looser for {who}",
            held.id
        )
    };
    let when = match (first.example.at, first.example.prior) {
        (Some(at), _) => format!(" (e.g. on {})", crate::calendar::long_moment(at)),
        (None, Some(prior)) if prior > 0 => format!(" (with {prior} earlier incidents)"),
        _ => String::new(),
    };
    reporter
        .report(
            Code::LoosenedLock,
            at,
            format!("{what}: {} → {}{when}", first.old, first.new),
        )
        .label(format!("loosens a locked {kind}"))
        .secondary(held.lock, "locked here")
        .help(HELP);
}
