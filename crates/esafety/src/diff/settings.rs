//! Everything but the rule and incident tables: the school's details,
//! roles, timetable, calendar, contacts, facts, places and devices.

use std::sync::Arc;

use super::items::pair;
use super::questions;
use super::rows::answer_words;
use super::{Change, Section, SettingChange};
use crate::model::{Capability, ContactInfo, DeviceSummary, PeriodInfo, Policy, RouteInfo, Target};
use crate::query::Query;

pub(super) fn compare(old: &Policy, new: &Policy) -> Vec<SettingChange> {
    let mut out = Vec::new();
    school(old, new, &mut out);
    listed(
        Section::Roles,
        old.roles(),
        new.roles(),
        |r| r.id.to_string(),
        |r| match &r.parent {
            Some(parent) => format!("within {parent}"),
            None => "a base role".to_owned(),
        },
        &mut out,
    );
    listed(
        Section::Timetable,
        old.periods(),
        new.periods(),
        |p| p.id.to_string(),
        period_words,
        &mut out,
    );
    calendar(old, new, &mut out);
    listed(
        Section::Contacts,
        old.contacts(),
        new.contacts(),
        |c| c.target.id.to_string(),
        contact_words,
        &mut out,
    );
    listed(
        Section::Facts,
        old.facts(),
        new.facts(),
        |f| f.id.to_string(),
        |f| f.label.to_string(),
        &mut out,
    );
    listed(
        Section::Places,
        old.places(),
        new.places(),
        |p| p.id.to_string(),
        |p| p.label.to_string(),
        &mut out,
    );
    devices(old, new, &mut out);
    let ladders = |p: &Policy| -> Vec<crate::escalation::LadderSummary> { p.ladders().collect() };
    listed(
        Section::Ladders,
        &ladders(old),
        &ladders(new),
        |l| format!("{}/{}", l.table, l.ladder.id),
        ladder_words,
        &mut out,
    );
    listed(
        Section::Routes,
        old.routes(),
        new.routes(),
        |r| r.id.to_string(),
        |r| route_words(r),
        &mut out,
    );
    out
}

/// A route in words: its title and each step, with whom it refers and
/// notifies and when it applies.
fn route_words(route: &RouteInfo) -> String {
    let ids = |targets: &[Target]| -> String {
        targets
            .iter()
            .map(|t| &*t.id)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut words = format!("\"{}\"", route.label);
    for s in route.steps.iter() {
        words.push_str(&format!("; step {}: {}", s.number, s.text));
        if !s.refer.is_empty() {
            words.push_str(&format!(", refer {}", ids(&s.refer)));
        }
        if !s.notify.is_empty() {
            words.push_str(&format!(", notify {}", ids(&s.notify)));
        }
        if let Some(condition) = &s.condition {
            words.push_str(&format!(" ({condition})"));
        }
    }
    words
}

fn change(
    section: Section,
    item: &str,
    old: Option<String>,
    new: Option<String>,
) -> Option<SettingChange> {
    let kind = match (&old, &new) {
        (None, None) => return None,
        (Some(a), Some(b)) if a == b => return None,
        (None, Some(_)) => Change::Added,
        (Some(_), None) => Change::Removed,
        (Some(_), Some(_)) => Change::Changed,
    };
    Some(SettingChange {
        section,
        item: item.to_owned(),
        change: kind,
        old,
        new,
    })
}

fn school(old: &Policy, new: &Policy, out: &mut Vec<SettingChange>) {
    let (a, b) = (old.school(), new.school());
    let fields = [
        ("name", Some(a.name.clone()), Some(b.name.clone())),
        ("template", a.template.clone(), b.template.clone()),
        (
            "approved",
            a.approved.map(|d| d.to_string()),
            b.approved.map(|d| d.to_string()),
        ),
        (
            "review by",
            a.review_by.map(|d| d.to_string()),
            b.review_by.map(|d| d.to_string()),
        ),
        ("owner", a.owner.clone(), b.owner.clone()),
    ];
    out.extend(
        fields
            .into_iter()
            .filter_map(|(item, old, new)| change(Section::School, item, old, new)),
    );
}

/// Things with ids, compared by id and described in words.
fn listed<T: Clone>(
    section: Section,
    old: &[T],
    new: &[T],
    id: impl Fn(&T) -> String,
    words: impl Fn(&T) -> String,
    out: &mut Vec<SettingChange>,
) {
    // Matched by id only: a renamed period or contact is another name.
    for (o, n) in pair(old, new, &id, |t| format!("\u{0}{}", id(t))) {
        let item = n.as_ref().or(o.as_ref()).map(&id).unwrap_or_default();
        out.extend(change(
            section,
            &item,
            o.as_ref().map(&words),
            n.as_ref().map(&words),
        ));
    }
}

fn period_words(p: &PeriodInfo) -> String {
    let mut words = match p.kind {
        crate::model::PeriodKind::Alias => format!("means {}", p.means.join(", ")),
        _ => String::new(),
    };
    if !p.times.is_empty() {
        if !words.is_empty() {
            words.push_str("; ");
        }
        words.push_str(&p.times.join("; "));
    }
    if words.is_empty() {
        words.push_str("a time name");
    }
    words
}

fn target_words(t: &Target) -> String {
    let mut words = t.title.to_string();
    for (what, value) in [("phone", &t.phone), ("web", &t.url), ("email", &t.email)] {
        if let Some(value) = value {
            words.push_str(&format!(", {what} {value}"));
        }
    }
    words
}

fn contact_words(c: &ContactInfo) -> String {
    let mut words = target_words(&c.target);
    if c.in_school {
        words.push_str(" (in school)");
    }
    words
}

fn calendar(old: &Policy, new: &Policy, out: &mut Vec<SettingChange>) {
    let terms = |p: &Policy| -> Option<String> {
        let list: Vec<String> = p
            .data
            .timetable
            .terms()
            .iter()
            .map(|(from, to, label)| match label {
                Some(label) => format!("{label} {from} to {to}"),
                None => format!("{from} to {to}"),
            })
            .collect();
        (!list.is_empty()).then(|| list.join("; "))
    };
    let holidays = |p: &Policy| -> Option<String> {
        let list: Vec<String> = p
            .data
            .timetable
            .holidays()
            .iter()
            .map(|(from, to)| format!("{from} to {to}"))
            .collect();
        (!list.is_empty()).then(|| list.join("; "))
    };
    out.extend(change(Section::Calendar, "terms", terms(old), terms(new)));
    out.extend(change(
        Section::Calendar,
        "holidays",
        holidays(old),
        holidays(new),
    ));
}

/// Devices: each capability asked with no role and for every role both
/// policies know; one change per device and capability whose answers
/// differ.
fn devices(old: &Policy, new: &Policy, out: &mut Vec<SettingChange>) {
    let list = |p: &Policy| -> Vec<DeviceSummary> { p.devices().cloned().collect() };
    let roles: Vec<Option<Arc<str>>> = std::iter::once(None)
        .chain(
            new.roles()
                .iter()
                .filter(|r| old.roles().iter().any(|o| o.id == r.id))
                .map(|r| Some(r.id.clone())),
        )
        .collect();
    for (o, n) in pair(
        &list(old),
        &list(new),
        |d| d.id.to_string(),
        |d| format!("\u{0}{}", d.id),
    ) {
        let (o, n) = match (o, n) {
            (Some(o), Some(n)) => (o, n),
            (o, n) => {
                let item = n
                    .as_ref()
                    .or(o.as_ref())
                    .map(|d| d.id.to_string())
                    .unwrap_or_default();
                let words = |d: &DeviceSummary| d.label.to_string();
                out.extend(change(
                    Section::Devices,
                    &item,
                    o.as_ref().map(words),
                    n.as_ref().map(words),
                ));
                continue;
            }
        };
        for capability in Capability::ALL {
            let ask = |policy: &Policy, device: &DeviceSummary, role: &Option<Arc<str>>| {
                let mut query = Query::device(&*device.id, capability.id()).explain(false);
                if let Some(role) = role {
                    query = query.role(&**role);
                }
                policy.decide(&query).ok()
            };
            let differs = roles.iter().find_map(|role| {
                let (a, b) = (ask(old, &o, role)?, ask(new, &n, role)?);
                let words = |d: &crate::decision::Decision| {
                    let mut w = answer_words(d);
                    if let Some(note) = &d.note {
                        w.push_str(&format!(" ({note})"));
                    }
                    w
                };
                let differ = questions::outcome(&a, true) != questions::outcome(&b, true)
                    || a.note != b.note
                    || a.condition.as_ref().map(|c| &c.text)
                        != b.condition.as_ref().map(|c| &c.text);
                differ.then(|| {
                    let who = role
                        .as_deref()
                        .map_or(String::new(), |r| format!(" (for {r})"));
                    (format!("{}{who}", words(&a)), format!("{}{who}", words(&b)))
                })
            });
            if let Some((a, b)) = differs {
                let item = format!("{}: {}", n.id, capability.label());
                out.extend(change(Section::Devices, &item, Some(a), Some(b)));
            }
        }
    }
}

/// A ladder in words: what it counts, over which window, and its tiers.
/// (What each tier brings is compared at the incidents, asked with each
/// number of earlier incidents; the window is compared only here.)
fn ladder_words(l: &crate::escalation::LadderSummary) -> String {
    use crate::ast::{CountWindow, Counted};
    let counts = match l.counts {
        Counted::ThisIncident => "this incident",
        Counted::ThisTable => "incidents of this table",
        Counted::AnyIncident => "any incident",
    };
    let window = match l.window {
        CountWindow::Term => "per term".to_owned(),
        CountWindow::HalfTerm => "per half term".to_owned(),
        CountWindow::SchoolYear => "per school year".to_owned(),
        CountWindow::Days { days } => format!("within {days} days"),
        CountWindow::Ever => "ever".to_owned(),
    };
    let tiers: Vec<String> = l
        .tiers
        .iter()
        .map(|t| {
            if t.instead {
                format!("{} (instead)", t.times)
            } else {
                t.times.to_string()
            }
        })
        .collect();
    format!("counts {counts} {window}; tiers: {}", tiers.join(", "))
}
