//! Merging a policy into the policy it extends, statement by statement.
//!
//! The result is one syntax tree, checked as if it had been written out
//! whole. Every statement keeps its span, and a span says which file it is
//! in (see [`crate::diagnostic::SourceRef`]), so that whatever the checker
//! reports, and every line a decision cites, points into the right file.
//!
//! What replaces what (the rules `docs/language.md` gives authors):
//!
//! * `school`: the school's name, and each of its lines by kind.
//! * `roles`: a group's members are added to the base's group of that name.
//! * `timetable`: a days line replaces the base's periods on those days; an
//!   alias replaces the base's alias of that name; any `term` or `holiday`
//!   replaces the base's whole calendar.
//! * contacts, facts, places, response columns, ladders, devices, columns:
//!   by id, replaced where they were or added at the end.
//! * a table or incidents table with the base's id is opened again: its rows
//!   and incidents are changed by id, new ones added at the end.
//! * a row: a cell replaces the base's answer for the roles it names (as the
//!   base names them), a `breach by` line likewise, `follow route` the
//!   base's. An incident: its `responses` lines replace the base's, as do
//!   its ladder lines, `follow route` and `repeat offences`.
//! * a route with the base's id replaces it.
//!
//! With `honour_locks`, changes to what the base locked are left out: that
//! is the policy the lock check compares the merged one against.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::ast::*;
use crate::diagnostic::{Code, Reporter};
use crate::span::Span;
use crate::suggest;

/// What the extending file changed, by the kind and id of what it touched:
/// the line to blame when a locked rule became looser.
#[derive(Debug, Default)]
pub(super) struct Touched {
    pub(super) rows: HashMap<Arc<str>, Span>,
    pub(super) incidents: HashMap<Arc<str>, Span>,
    pub(super) routes: HashMap<Arc<str>, Span>,
    /// Responses removed or redefined, by id.
    pub(super) responses: HashMap<Arc<str>, Span>,
    /// Tables and incidents tables opened again, or a ladder removed.
    pub(super) tables: HashMap<Arc<str>, Span>,
}

/// Records the first line that touched `id`.
fn touch(map: &mut HashMap<Arc<str>, Span>, id: &Arc<str>, span: Span) {
    map.entry(id.clone()).or_insert(span);
}

/// What the base locks.
#[derive(Debug, Default)]
struct Locked {
    tables: HashSet<Arc<str>>,
    rows: HashSet<Arc<str>>,
    incident_tables: HashSet<Arc<str>>,
    incidents: HashSet<Arc<str>>,
    routes: HashSet<Arc<str>>,
    /// Responses that a locked incident uses or a locked table defines.
    responses: HashSet<Arc<str>>,
}

impl Locked {
    fn of(file: &PolicyFile) -> Self {
        let mut locked = Locked::default();
        for section in &file.sections {
            match section {
                Section::Table(t) => {
                    let whole = !t.locks.is_empty();
                    if whole {
                        locked.tables.insert(t.id.text.clone());
                    }
                    for row in t.rows() {
                        if whole || !row.locks.is_empty() {
                            locked.rows.insert(row.id.text.clone());
                        }
                    }
                }
                Section::Incidents(t) => {
                    let whole = !t.locks.is_empty();
                    if whole {
                        locked.incident_tables.insert(t.id.text.clone());
                        locked
                            .responses
                            .extend(t.responses().map(|r| r.id.text.clone()));
                    }
                    for incident in t.incidents() {
                        if whole || !incident.locks.is_empty() {
                            locked.incidents.insert(incident.id.text.clone());
                            locked
                                .responses
                                .extend(responses_used(incident).map(|n| n.text.clone()));
                        }
                    }
                }
                Section::Route(r) if !r.locks.is_empty() => {
                    locked.routes.insert(r.id.text.clone());
                }
                _ => {}
            }
        }
        locked
    }
}

/// The responses an incident names, in its `responses` lines and tiers.
fn responses_used(incident: &Incident) -> impl Iterator<Item = &Name> {
    incident.items.iter().flat_map(|item| match item {
        IncidentItem::Responses(r) => r.responses.iter(),
        IncidentItem::Tier(t) => t.responses.iter(),
        _ => [].iter(),
    })
}

/// Merges `child` into `base`. Problems (a `remove` of something the base
/// does not have, a row without a label that the base does not have) are
/// reported to `reporter` when there is one; the lock check's second merge
/// passes none, so nothing is reported twice.
pub(super) fn merge(
    base: &PolicyFile,
    child: &PolicyFile,
    honour_locks: bool,
    touched: &mut Touched,
    reporter: Option<&mut Reporter<'_>>,
) -> PolicyFile {
    let mut m = Merger {
        out: PolicyFile {
            extends: None,
            removals: Vec::new(),
            sections: base.sections.clone(),
            trailing_comments: base.trailing_comments.clone(),
        },
        locked: if honour_locks {
            Locked::of(base)
        } else {
            Locked::default()
        },
        touched,
        reporter,
    };
    for removal in &child.removals {
        m.remove(removal);
    }
    for section in &child.sections {
        m.section(section);
    }
    if !child.trailing_comments.is_empty() {
        m.out.trailing_comments = child.trailing_comments.clone();
    }
    m.out
}

struct Merger<'t, 'r, 'a> {
    out: PolicyFile,
    locked: Locked,
    touched: &'t mut Touched,
    reporter: Option<&'r mut Reporter<'a>>,
}

/// The entries of a role list as written (`everyone`, a name, a range).
fn entries(list: &RoleList) -> Vec<String> {
    match list {
        RoleList::Everyone { .. } => vec!["everyone".to_owned()],
        RoleList::Names { names } => names.iter().map(|n| n.text.to_string()).collect(),
        RoleList::Members { members } => members.iter().map(Member::words).collect(),
    }
}

/// A role list without the entries in `gone`; `None` when nothing is left.
fn without(list: &RoleList, gone: &HashSet<String>) -> Option<RoleList> {
    match list {
        RoleList::Everyone { .. } => (!gone.contains("everyone")).then(|| list.clone()),
        RoleList::Names { names } => {
            let names: Vec<Name> = names
                .iter()
                .filter(|n| !gone.contains(&*n.text))
                .cloned()
                .collect();
            (!names.is_empty()).then_some(RoleList::Names { names })
        }
        RoleList::Members { members } => {
            let members: Vec<Member> = members
                .iter()
                .filter(|m| !gone.contains(&m.words()))
                .cloned()
                .collect();
            (!members.is_empty()).then_some(RoleList::Members { members })
        }
    }
}

/// Whether a label was written (a row or incident changing its base's may
/// leave it out).
fn written(label: &Text) -> bool {
    !(label.text.is_empty() && label.span.start == label.span.end)
}

impl Merger<'_, '_, '_> {
    fn unknown(&mut self, what: &str, name: &Name, known: Vec<String>) {
        if let Some(r) = self.reporter.as_deref_mut() {
            let close = suggest::closest(&name.text, known.iter().map(String::as_str));
            let hint = suggest::did_you_mean(&close)
                .map(|h| format!("{} ", suggest::capitalise(&h)))
                .unwrap_or_default();
            r.report(
                Code::UnknownName,
                name.span,
                format!("the base policy has no {what} `{}`", name.text),
            )
            .label("not in the base policy")
            .help(format!(
                "{hint}A `remove` line takes out something the policy this one extends defines. Check the name against the base policy, or delete this line."
            ));
        }
    }

    fn tables(&mut self) -> impl Iterator<Item = &mut Table> {
        self.out.sections.iter_mut().filter_map(|s| match s {
            Section::Table(t) => Some(t),
            _ => None,
        })
    }

    fn incident_tables(&mut self) -> impl Iterator<Item = &mut Incidents> {
        self.out.sections.iter_mut().filter_map(|s| match s {
            Section::Incidents(t) => Some(t),
            _ => None,
        })
    }

    fn row_ids(&self) -> Vec<String> {
        self.out
            .sections
            .iter()
            .filter_map(|s| match s {
                Section::Table(t) => Some(t.rows().map(|r| r.id.text.to_string())),
                _ => None,
            })
            .flatten()
            .collect()
    }

    fn incident_ids(&self) -> Vec<String> {
        self.out
            .sections
            .iter()
            .filter_map(|s| match s {
                Section::Incidents(t) => Some(t.incidents().map(|r| r.id.text.to_string())),
                _ => None,
            })
            .flatten()
            .collect()
    }

    // --- remove ------------------------------------------------------------

    fn remove(&mut self, removal: &Removal) {
        for name in &removal.names {
            self.remove_one(removal, name);
        }
    }

    fn remove_one(&mut self, removal: &Removal, name: &Name) {
        let id = &name.text;
        let span = removal.span;
        match (removal.kind, &removal.within) {
            (RemoveKind::Row, _) => {
                self.touched.rows.entry(id.clone()).or_insert(span);
                if self.locked.rows.contains(id) {
                    return;
                }
                let mut found = false;
                for t in self.tables() {
                    let before = t.items.len();
                    t.items
                        .retain(|i| !matches!(i, TableItem::Row(r) if r.id.text == *id));
                    found |= t.items.len() != before;
                }
                if !found {
                    let known = self.row_ids();
                    self.unknown("row", name, known);
                }
            }
            (RemoveKind::Cell, within) => {
                let Some(within) = within.as_ref().filter(|w| !w.incident) else {
                    if let Some(r) = self.reporter.as_deref_mut() {
                        r.report(Code::Syntax, span, "`remove cell` needs the row: `remove cell pupils in row phones`")
                            .label("which row?")
                            .help("Name the row whose answer to remove, e.g. `remove cell pupils in row phones-in-lessons`.");
                    }
                    return;
                };
                let row_id = within.id.text.clone();
                self.touched.rows.entry(row_id.clone()).or_insert(span);
                if self.locked.rows.contains(&row_id) {
                    return;
                }
                let gone: HashSet<String> = std::iter::once(id.to_string()).collect();
                let mut row_found = false;
                let mut cell_found = false;
                for t in self.tables() {
                    for item in &mut t.items {
                        let TableItem::Row(row) = item else { continue };
                        if row.id.text != row_id {
                            continue;
                        }
                        row_found = true;
                        row.items.retain_mut(|item| {
                            let RowItem::Cell(cell) = item else {
                                return true;
                            };
                            match without(&cell.roles, &gone) {
                                Some(kept)
                                    if entries(&kept).len() == entries(&cell.roles).len() =>
                                {
                                    true
                                }
                                Some(kept) => {
                                    cell_found = true;
                                    cell.roles = kept;
                                    true
                                }
                                None => {
                                    cell_found = true;
                                    false
                                }
                            }
                        });
                    }
                }
                if !row_found {
                    let known = self.row_ids();
                    self.unknown("row", &within.id, known);
                } else if !cell_found {
                    self.unknown(&format!("answer in row `{row_id}` for"), name, Vec::new());
                }
            }
            (RemoveKind::Incident, _) => {
                self.touched.incidents.entry(id.clone()).or_insert(span);
                if self.locked.incidents.contains(id) {
                    return;
                }
                let mut found = false;
                for t in self.incident_tables() {
                    let before = t.items.len();
                    t.items
                        .retain(|i| !matches!(i, IncidentsItem::Incident(r) if r.id.text == *id));
                    found |= t.items.len() != before;
                }
                if !found {
                    let known = self.incident_ids();
                    self.unknown("incident", name, known);
                }
            }
            (RemoveKind::Response, Some(within)) if within.incident => {
                let incident_id = within.id.text.clone();
                self.touched
                    .incidents
                    .entry(incident_id.clone())
                    .or_insert(span);
                if self.locked.incidents.contains(&incident_id) {
                    return;
                }
                let mut incident_found = false;
                let mut found = false;
                for t in self.incident_tables() {
                    for item in &mut t.items {
                        let IncidentsItem::Incident(incident) = item else {
                            continue;
                        };
                        if incident.id.text != incident_id {
                            continue;
                        }
                        incident_found = true;
                        found |= drop_response(incident, id);
                    }
                }
                if !incident_found {
                    let known = self.incident_ids();
                    self.unknown("incident", &within.id, known);
                } else if !found {
                    self.unknown(
                        &format!("response in incident `{incident_id}` called"),
                        name,
                        Vec::new(),
                    );
                }
            }
            (RemoveKind::Response, _) => {
                self.touched.responses.entry(id.clone()).or_insert(span);
                if self.locked.responses.contains(id) {
                    return;
                }
                let mut found = false;
                for t in self.incident_tables() {
                    let before = t.items.len();
                    t.items
                        .retain(|i| !matches!(i, IncidentsItem::Response(r) if r.id.text == *id));
                    if t.items.len() != before {
                        found = true;
                        for item in &mut t.items {
                            if let IncidentsItem::Incident(incident) = item {
                                drop_response(incident, id);
                            }
                        }
                    }
                }
                if !found {
                    let known = self
                        .out
                        .sections
                        .iter()
                        .filter_map(|s| match s {
                            Section::Incidents(t) => {
                                Some(t.responses().map(|r| r.id.text.to_string()))
                            }
                            _ => None,
                        })
                        .flatten()
                        .collect();
                    self.unknown("response", name, known);
                }
            }
            (RemoveKind::Contact, _) => self.remove_keyed("contact", name, |s| match s {
                Section::Contacts(x) => Some(&mut x.contacts),
                _ => None,
            }),
            (RemoveKind::Fact, _) => self.remove_keyed("fact", name, |s| match s {
                Section::Facts(x) => Some(&mut x.facts),
                _ => None,
            }),
            (RemoveKind::Place, _) => self.remove_keyed("place", name, |s| match s {
                Section::Places(x) => Some(&mut x.places),
                _ => None,
            }),
            (RemoveKind::Role, _) => {
                let mut found = false;
                for section in &mut self.out.sections {
                    let Section::Roles(roles) = section else {
                        continue;
                    };
                    let before = roles.groups.len();
                    roles.groups.retain(|g| g.group.text != *id);
                    found |= roles.groups.len() != before;
                    for group in &mut roles.groups {
                        let before = group.members.len();
                        group
                            .members
                            .retain(|m| !matches!(m, Member::Role { name } if name.text == *id));
                        found |= group.members.len() != before;
                    }
                    roles.groups.retain(|g| !g.members.is_empty());
                }
                if !found {
                    let known = self.def_ids(|s| match s {
                        Section::Roles(r) => r
                            .groups
                            .iter()
                            .flat_map(|g| {
                                std::iter::once(g.group.text.to_string())
                                    .chain(g.members.iter().map(Member::words))
                            })
                            .collect(),
                        _ => Vec::new(),
                    });
                    self.unknown("role", name, known);
                }
            }
            (RemoveKind::Route, _) => {
                self.touched.routes.entry(id.clone()).or_insert(span);
                if self.locked.routes.contains(id) {
                    return;
                }
                let before = self.out.sections.len();
                self.out
                    .sections
                    .retain(|s| !matches!(s, Section::Route(r) if r.id.text == *id));
                if self.out.sections.len() == before {
                    let known = self.def_ids(|s| match s {
                        Section::Route(r) => vec![r.id.text.to_string()],
                        _ => Vec::new(),
                    });
                    self.unknown("route", name, known);
                }
            }
            (RemoveKind::Device, _) => self.remove_keyed("device", name, |s| match s {
                Section::Devices(x) => Some(&mut x.devices),
                _ => None,
            }),
            (RemoveKind::Ladder, _) => {
                let locked = std::mem::take(&mut self.locked.incident_tables);
                let mut found = false;
                let mut held = Vec::new();
                for t in self.incident_tables() {
                    if !t.ladders().any(|l| l.id.text == *id) {
                        continue;
                    }
                    found = true;
                    held.push(t.id.text.clone());
                    if !locked.contains(&t.id.text) {
                        t.items
                            .retain(|i| !matches!(i, IncidentsItem::Ladder(l) if l.id.text == *id));
                    }
                }
                self.locked.incident_tables = locked;
                for table in held {
                    touch(&mut self.touched.tables, &table, span);
                }
                if !found {
                    let known = self.def_ids(|s| match s {
                        Section::Incidents(t) => {
                            t.ladders().map(|l| l.id.text.to_string()).collect()
                        }
                        _ => Vec::new(),
                    });
                    self.unknown("ladder", name, known);
                }
            }
        }
    }

    /// Removes the definition `name` from the lists `list` finds (contacts,
    /// facts, places, devices), or reports that the base has none.
    fn remove_keyed<T: Keyed>(
        &mut self,
        what: &str,
        name: &Name,
        list: fn(&mut Section) -> Option<&mut Vec<T>>,
    ) {
        let mut found = false;
        let mut known = Vec::new();
        for section in &mut self.out.sections {
            if let Some(items) = list(section) {
                known.extend(items.iter().map(|x| x.key().to_string()));
                let before = items.len();
                items.retain(|x| *x.key() != name.text);
                found |= items.len() != before;
            }
        }
        if !found {
            self.unknown(what, name, known);
        }
    }

    /// Merges a section of definitions by id into the base's first section
    /// of that kind (or adds the section, when the base has none).
    fn merge_keyed<T: Keyed + Clone>(
        &mut self,
        section: &Section,
        new: &[T],
        list: fn(&mut Section) -> Option<&mut Vec<T>>,
    ) {
        match self.out.sections.iter_mut().find_map(list) {
            Some(base) => {
                for item in new {
                    replace_or_push(base, item.clone(), |b| b.key() == item.key());
                }
            }
            None => self.out.sections.push(section.clone()),
        }
    }

    fn def_ids(&self, ids: impl Fn(&Section) -> Vec<String>) -> Vec<String> {
        self.out.sections.iter().flat_map(ids).collect()
    }
}

/// The label a row or incident without one gets once that is reported, so
/// that the checker does not report it again: its id, spanning nothing.
fn stand_in_label(id: &Name) -> Text {
    Text {
        text: id.text.clone(),
        span: Span {
            start: id.span.end,
            ..id.span
        },
    }
}

/// A definition merged and removed by its id.
trait Keyed {
    fn key(&self) -> &Arc<str>;
}

macro_rules! keyed {
    ($($t:ty),*) => {
        $(impl Keyed for $t {
            fn key(&self) -> &Arc<str> {
                &self.id.text
            }
        })*
    };
}

keyed!(Contact, Fact, PlaceDef, Device);

/// Takes `id` out of an incident's `responses` lines and tiers; whether it
/// was there.
fn drop_response(incident: &mut Incident, id: &str) -> bool {
    let mut found = false;
    for item in &mut incident.items {
        let list = match item {
            IncidentItem::Responses(r) => &mut r.responses,
            IncidentItem::Tier(t) => &mut t.responses,
            _ => continue,
        };
        let before = list.len();
        list.retain(|n| &*n.text != id);
        found |= list.len() != before;
    }
    // A `responses:` line left empty says nothing.
    incident
        .items
        .retain(|i| !matches!(i, IncidentItem::Responses(r) if r.responses.is_empty()));
    found
}

/// Replaces the item of `list` that `same` matches with `new`, or adds it.
fn replace_or_push<T>(list: &mut Vec<T>, new: T, same: impl Fn(&T) -> bool) {
    match list.iter_mut().find(|x| same(x)) {
        Some(slot) => *slot = new,
        None => list.push(new),
    }
}

/// The days a days line covers.
fn weekdays(days: &Days) -> Vec<Weekday> {
    match days {
        Days::Range { from, to } => Weekday::ALL
            .iter()
            .copied()
            .filter(|d| *d >= from.day && *d <= to.day)
            .collect(),
        Days::List { days } => days.iter().map(|d| d.day).collect(),
    }
}

impl Merger<'_, '_, '_> {
    fn section(&mut self, section: &Section) {
        match section {
            Section::School(child) => self.school(child),
            Section::Roles(child) => self.roles(child),
            Section::Timetable(child) => self.timetable(child),
            Section::Contacts(child) => self.merge_keyed(section, &child.contacts, |s| match s {
                Section::Contacts(x) => Some(&mut x.contacts),
                _ => None,
            }),
            Section::Facts(child) => self.merge_keyed(section, &child.facts, |s| match s {
                Section::Facts(x) => Some(&mut x.facts),
                _ => None,
            }),
            Section::Places(child) => self.merge_keyed(section, &child.places, |s| match s {
                Section::Places(x) => Some(&mut x.places),
                _ => None,
            }),
            Section::Table(child) => self.table(child),
            Section::Devices(child) => {
                let Some(base) = self.out.sections.iter_mut().find_map(|s| match s {
                    Section::Devices(d) if d.id.text == child.id.text => Some(d),
                    _ => None,
                }) else {
                    self.out.sections.push(section.clone());
                    return;
                };
                base.label = child.label.clone();
                for d in &child.devices {
                    replace_or_push(&mut base.devices, d.clone(), |b| b.id.text == d.id.text);
                }
            }
            Section::Incidents(child) => self.incidents(child),
            Section::Route(child) => {
                let id = &child.id.text;
                touch(&mut self.touched.routes, id, child.span);
                if self.locked.routes.contains(id) {
                    return;
                }
                let mut child = child.clone();
                let slot = self.out.sections.iter_mut().find_map(|s| match s {
                    Section::Route(r) if r.id.text == *id => Some(r),
                    _ => None,
                });
                match slot {
                    Some(base) => {
                        let mut locks = std::mem::take(&mut base.locks);
                        locks.append(&mut child.locks);
                        child.locks = locks;
                        *base = child;
                    }
                    None => self.out.sections.push(Section::Route(child)),
                }
            }
        }
    }

    fn school(&mut self, child: &School) {
        let Some(base) = self.out.sections.iter_mut().find_map(|s| match s {
            Section::School(s) => Some(s),
            _ => None,
        }) else {
            self.out.sections.insert(0, Section::School(child.clone()));
            return;
        };
        base.name = child.name.clone();
        base.span = child.span;
        base.trivia = child.trivia.clone();
        for item in &child.items {
            replace_or_push(&mut base.items, item.clone(), |b| {
                std::mem::discriminant(&b.kind) == std::mem::discriminant(&item.kind)
            });
        }
    }

    fn roles(&mut self, child: &Roles) {
        let Some(base) = self.out.sections.iter_mut().find_map(|s| match s {
            Section::Roles(r) => Some(r),
            _ => None,
        }) else {
            self.out.sections.push(Section::Roles(child.clone()));
            return;
        };
        for group in &child.groups {
            match base
                .groups
                .iter_mut()
                .find(|g| g.group.text == group.group.text)
            {
                Some(existing) => {
                    let known: HashSet<String> =
                        existing.members.iter().map(Member::words).collect();
                    existing.members.extend(
                        group
                            .members
                            .iter()
                            .filter(|m| !known.contains(&m.words()))
                            .cloned(),
                    );
                }
                None => base.groups.push(group.clone()),
            }
        }
    }

    fn timetable(&mut self, child: &Timetable) {
        let Some(base) = self.out.sections.iter_mut().find_map(|s| match s {
            Section::Timetable(t) => Some(t),
            _ => None,
        }) else {
            self.out.sections.push(Section::Timetable(child.clone()));
            return;
        };
        // The days the school gives its own periods lose the base's.
        let replaced: HashSet<Weekday> = child
            .items
            .iter()
            .filter_map(|i| match i {
                TimetableItem::Day(d) => Some(weekdays(&d.days)),
                _ => None,
            })
            .flatten()
            .collect();
        let calendar = child
            .items
            .iter()
            .any(|i| matches!(i, TimetableItem::Term(_) | TimetableItem::Holiday(_)));
        base.items.retain_mut(|item| match item {
            TimetableItem::Day(d) => {
                let all = weekdays(&d.days);
                if !all.iter().any(|day| replaced.contains(day)) {
                    return true;
                }
                let kept: Vec<DayName> = match &d.days {
                    Days::Range { from, .. } => all
                        .iter()
                        .filter(|day| !replaced.contains(day))
                        .map(|day| DayName {
                            day: *day,
                            span: from.span,
                        })
                        .collect(),
                    Days::List { days } => days
                        .iter()
                        .filter(|day| !replaced.contains(&day.day))
                        .cloned()
                        .collect(),
                };
                if kept.is_empty() {
                    return false;
                }
                d.days = Days::List { days: kept };
                true
            }
            TimetableItem::Term(_) | TimetableItem::Holiday(_) => !calendar,
            TimetableItem::Alias(_) => true,
        });
        for item in &child.items {
            match item {
                TimetableItem::Alias(a) => replace_or_push(
                    &mut base.items,
                    item.clone(),
                    |b| matches!(b, TimetableItem::Alias(x) if x.name.text == a.name.text),
                ),
                _ => base.items.push(item.clone()),
            }
        }
    }

    fn table(&mut self, child: &Table) {
        let id = child.id.text.clone();
        let table_locked = self.locked.tables.contains(&id);
        let locked_rows = std::mem::take(&mut self.locked.rows);
        let slot = self.out.sections.iter_mut().find_map(|s| match s {
            Section::Table(t) if t.id.text == id => Some(t),
            _ => None,
        });
        let Some(base) = slot else {
            self.locked.rows = locked_rows;
            let mut child = child.clone();
            self.label_rows(&mut child);
            self.out.sections.push(Section::Table(child));
            return;
        };
        touch(&mut self.touched.tables, &id, child.span);
        let mut missing_labels = Vec::new();
        if !table_locked {
            base.kind = child.kind;
            base.label = child.label.clone();
        }
        base.locks.extend(child.locks.iter().cloned());
        for item in &child.items {
            match item {
                TableItem::Column(c) => {
                    if !table_locked {
                        replace_or_push(
                            &mut base.items,
                            item.clone(),
                            |b| matches!(b, TableItem::Column(x) if x.id.text == c.id.text),
                        );
                    }
                }
                TableItem::Row(row) => {
                    let blame = row.items.first().map_or(row.span, row_item_span);
                    touch(&mut self.touched.rows, &row.id.text, blame);
                    if table_locked || locked_rows.contains(&row.id.text) {
                        continue;
                    }
                    let existing = base.items.iter_mut().find_map(|i| match i {
                        TableItem::Row(r) if r.id.text == row.id.text => Some(r),
                        _ => None,
                    });
                    match existing {
                        Some(existing) => merge_row(existing, row),
                        None => {
                            let mut row = row.clone();
                            if !written(&row.label) {
                                missing_labels.push(row.id.clone());
                                row.label = stand_in_label(&row.id);
                            }
                            base.items.push(TableItem::Row(row));
                        }
                    }
                }
            }
        }
        self.locked.rows = locked_rows;
        for id in missing_labels {
            self.missing_label("row", &id);
        }
    }

    /// Reports the rows of a new table that have no label.
    fn label_rows(&mut self, table: &mut Table) {
        let mut missing = Vec::new();
        for item in &mut table.items {
            if let TableItem::Row(row) = item
                && !written(&row.label)
            {
                missing.push(row.id.clone());
                row.label = stand_in_label(&row.id);
            }
        }
        for id in missing {
            self.missing_label("row", &id);
        }
    }

    fn missing_label(&mut self, what: &str, id: &Name) {
        if let Some(r) = self.reporter.as_deref_mut() {
            r.report(
                Code::EmptyLabel,
                id.span,
                format!("{what} `{}` has no label, and the base policy has no {what} `{}` to take it from", id.text, id.text),
            )
            .label("no label")
            .help(format!(
                "A {what} written without a label changes the base policy's {what} of that id. This one is new: give it its label in quotes, word for word from the school's document, e.g. `{what} {} \"…\"`.",
                id.text
            ));
        }
    }

    fn incidents(&mut self, child: &Incidents) {
        let id = child.id.text.clone();
        let table_locked = self.locked.incident_tables.contains(&id);
        let locked_incidents = std::mem::take(&mut self.locked.incidents);
        let locked_responses = std::mem::take(&mut self.locked.responses);
        let slot = self.out.sections.iter_mut().find_map(|s| match s {
            Section::Incidents(t) if t.id.text == id => Some(t),
            _ => None,
        });
        let Some(base) = slot else {
            self.locked.incidents = locked_incidents;
            self.locked.responses = locked_responses;
            let mut child = child.clone();
            let mut missing = Vec::new();
            for item in &mut child.items {
                if let IncidentsItem::Incident(incident) = item
                    && !written(&incident.label)
                {
                    missing.push(incident.id.clone());
                    incident.label = stand_in_label(&incident.id);
                }
            }
            self.out.sections.push(Section::Incidents(child));
            for id in missing {
                self.missing_label("incident", &id);
            }
            return;
        };
        touch(&mut self.touched.tables, &id, child.span);
        let mut missing_labels = Vec::new();
        if !table_locked {
            base.label = child.label.clone();
            base.roles = child.roles.clone();
        }
        base.locks.extend(child.locks.iter().cloned());
        for item in &child.items {
            match item {
                IncidentsItem::Response(r) => {
                    touch(&mut self.touched.responses, &r.id.text, r.span);
                    if table_locked || locked_responses.contains(&r.id.text) {
                        continue;
                    }
                    replace_or_push(
                        &mut base.items,
                        item.clone(),
                        |b| matches!(b, IncidentsItem::Response(x) if x.id.text == r.id.text),
                    );
                }
                IncidentsItem::Ladder(l) => {
                    if table_locked {
                        continue;
                    }
                    replace_or_push(
                        &mut base.items,
                        item.clone(),
                        |b| matches!(b, IncidentsItem::Ladder(x) if x.id.text == l.id.text),
                    );
                }
                IncidentsItem::Incident(incident) => {
                    let blame = incident
                        .items
                        .first()
                        .map_or(incident.span, incident_item_span);
                    touch(&mut self.touched.incidents, &incident.id.text, blame);
                    if table_locked || locked_incidents.contains(&incident.id.text) {
                        continue;
                    }
                    let existing = base.items.iter_mut().find_map(|i| match i {
                        IncidentsItem::Incident(r) if r.id.text == incident.id.text => Some(r),
                        _ => None,
                    });
                    match existing {
                        Some(existing) => merge_incident(existing, incident),
                        None => {
                            let mut incident = incident.clone();
                            if !written(&incident.label) {
                                missing_labels.push(incident.id.clone());
                                incident.label = stand_in_label(&incident.id);
                            }
                            base.items.push(IncidentsItem::Incident(incident));
                        }
                    }
                }
            }
        }
        self.locked.incidents = locked_incidents;
        self.locked.responses = locked_responses;
        for id in missing_labels {
            self.missing_label("incident", &id);
        }
    }
}

fn row_item_span(item: &RowItem) -> Span {
    match item {
        RowItem::Cell(c) => c.span,
        RowItem::Breach(b) => b.span,
        RowItem::Follow(f) => f.span,
    }
}

fn incident_item_span(item: &IncidentItem) -> Span {
    match item {
        IncidentItem::Responses(r) => r.span,
        IncidentItem::Follow(f) => f.span,
        IncidentItem::Repeat(r) => r.span,
        IncidentItem::ReportedDirectly(d) => d.span,
        IncidentItem::Count(c) => c.span,
        IncidentItem::Tier(t) => t.span,
    }
}

/// The school's version of a row, over the base's.
fn merge_row(base: &mut Row, child: &Row) {
    if written(&child.label) {
        base.label = child.label.clone();
    }
    base.locks.extend(child.locks.iter().cloned());
    let gone = |kind: fn(&RowItem) -> Option<&RoleList>| -> HashSet<String> {
        child
            .items
            .iter()
            .filter_map(kind)
            .flat_map(entries)
            .collect()
    };
    let cells = gone(|i| match i {
        RowItem::Cell(c) => Some(&c.roles),
        _ => None,
    });
    let breaches = gone(|i| match i {
        RowItem::Breach(b) => Some(&b.roles),
        _ => None,
    });
    let follows = child.items.iter().any(|i| matches!(i, RowItem::Follow(_)));
    base.items.retain_mut(|item| match item {
        RowItem::Cell(c) => match without(&c.roles, &cells) {
            Some(kept) => {
                c.roles = kept;
                true
            }
            None => false,
        },
        RowItem::Breach(b) => match without(&b.roles, &breaches) {
            Some(kept) => {
                b.roles = kept;
                true
            }
            None => false,
        },
        RowItem::Follow(_) => !follows,
    });
    base.items.extend(child.items.iter().cloned());
}

/// The school's version of an incident, over the base's.
fn merge_incident(base: &mut Incident, child: &Incident) {
    if written(&child.label) {
        base.label = child.label.clone();
    }
    base.locks.extend(child.locks.iter().cloned());
    let has = |f: fn(&IncidentItem) -> bool| child.items.iter().any(f);
    let responses = has(|i| matches!(i, IncidentItem::Responses(_)));
    let follow = has(|i| matches!(i, IncidentItem::Follow(_)));
    let repeat = has(|i| matches!(i, IncidentItem::Repeat(_)));
    let directly = has(|i| matches!(i, IncidentItem::ReportedDirectly(_)));
    let ladder = has(|i| matches!(i, IncidentItem::Count(_) | IncidentItem::Tier(_)));
    base.items.retain(|item| match item {
        IncidentItem::Responses(_) => !responses,
        IncidentItem::Follow(_) => !follow,
        IncidentItem::Repeat(_) => !repeat,
        IncidentItem::ReportedDirectly(_) => !directly,
        IncidentItem::Count(_) | IncidentItem::Tier(_) => !ladder,
    });
    base.items.extend(child.items.iter().cloned());
}
