//! Laying a checked policy out as a [`Document`]: which columns each table
//! gets, what goes in each cell, and what is said in words beside a row.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::Policy;
use crate::ast::{self, AnswerKind, RoleList, Section, TableKind};
use crate::span::Span;
use crate::suggest::capitalise;

mod conditions;
mod ladders;

use super::{
    ColumnGroup, Contact, DateSpan, Document, Flowchart, Grid, GridCell, GridRow, Link, Node, Note,
    Part, PeriodTimes, RoleGroup, Route, RouteStep, Test, Timetable, part_anchor, row_anchor,
};

/// Resolves names to words while laying out a policy.
pub(super) struct Builder<'a> {
    policy: &'a Policy,
    /// Each incidents table's title, by id.
    incident_tables: HashMap<&'a str, &'a str>,
    /// For a policy that extends another: where the school's own file's
    /// spans end (its spans come first), to mark what the school changed.
    school_end: Option<u32>,
}

/// Which side of the school a group of columns speaks for: it decides the
/// third answer column of a communications table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Adults,
    Pupils,
    Other,
}

/// A group of answer columns while a rule table is laid out.
struct AnswerGroup {
    label: String,
    /// The role names whose cells are marked in this group.
    names: Vec<String>,
    /// The answers its columns stand for, in order.
    answers: Vec<&'static str>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(policy: &'a Policy) -> Self {
        Builder {
            policy,
            incident_tables: HashMap::new(),
            school_end: None,
        }
    }

    /// Marks what the school's own file (whose spans end at `end`) gives.
    pub(super) fn marking_school(mut self, end: u32) -> Self {
        self.school_end = Some(end);
        self
    }

    /// Whether any of `spans` is in the school's own file.
    fn own(&self, mut spans: impl Iterator<Item = Span>) -> bool {
        self.school_end
            .is_some_and(|end| spans.any(|s| s.start < end))
    }

    /// Whether `span` is in the school's own file.
    fn own_span(&self, span: Span) -> bool {
        self.own(std::iter::once(span))
    }

    fn row_changed(&self, row: &ast::Row) -> bool {
        self.own(
            std::iter::once(row.span).chain(row.items.iter().map(|i| match i {
                ast::RowItem::Cell(c) => c.span,
                ast::RowItem::Breach(b) => b.span,
                ast::RowItem::Follow(f) => f.span,
            })),
        )
    }

    pub(super) fn build(mut self, path: &str, file: &'a ast::PolicyFile) -> Document {
        for section in &file.sections {
            if let Section::Incidents(t) = section {
                self.incident_tables.insert(&t.id.text, &t.label.text);
            }
        }
        let school = self.policy.school();
        let mut about = Vec::new();
        if let Some(t) = &school.template {
            about.push(("Template".to_owned(), t.clone()));
        }
        if let Some(d) = school.approved {
            about.push(("Approved".to_owned(), d.to_string()));
        }
        if let Some(d) = school.review_by {
            about.push(("Next review".to_owned(), d.to_string()));
        }
        if let Some(o) = &school.owner {
            about.push(("Owner".to_owned(), o.clone()));
        }
        Document {
            extends: Vec::new(),
            source: path.to_owned(),
            title: school.name.clone(),
            about,
            parts: file
                .sections
                .iter()
                .flat_map(|s| {
                    let ladders = match s {
                        Section::Incidents(t) => self.ladder_grids(t),
                        _ => Vec::new(),
                    };
                    self.part(s)
                        .into_iter()
                        .chain(ladders.into_iter().map(Part::Grid))
                })
                .collect(),
        }
    }

    fn part(&self, section: &Section) -> Option<Part> {
        Some(match section {
            Section::Roles(r) => Part::Roles(
                r.groups
                    .iter()
                    .map(|g| RoleGroup {
                        group: g.group.text.to_string(),
                        members: g.members.iter().map(ast::Member::words).collect(),
                    })
                    .collect(),
            ),
            Section::Timetable(t) => Part::Timetable(timetable(t, |span| self.own_span(span))),
            Section::Contacts(c) => Part::Contacts(
                c.contacts
                    .iter()
                    .map(|c| Contact {
                        id: c.id.text.to_string(),
                        title: c.title.text.to_string(),
                        reach: c
                            .reach
                            .iter()
                            .map(|r| match r {
                                ast::Reach::Phone { number } => format!("phone {}", number.text),
                                ast::Reach::Url { url } => url.text.to_string(),
                                ast::Reach::Email { address } => address.text.to_string(),
                                ast::Reach::InSchool { .. } => "in school".to_owned(),
                            })
                            .collect(),
                        changed: self.own_span(c.span),
                    })
                    .collect(),
            ),
            Section::Facts(f) => Part::Facts(
                f.facts
                    .iter()
                    .map(|f| (f.id.text.to_string(), f.label.text.to_string()))
                    .collect(),
            ),
            Section::Places(p) => Part::Places(
                p.places
                    .iter()
                    .map(|p| (p.id.text.to_string(), p.label.text.to_string()))
                    .collect(),
            ),
            Section::Table(t) => Part::Grid(self.rule_table(t)),
            Section::Devices(d) => Part::Grid(self.devices(d)),
            Section::Incidents(i) => Part::Grid(self.incidents(i)),
            Section::Route(r) => Part::Route(self.route(r)),
            // The school's name and dates head the document.
            Section::School(_) => return None,
        })
    }

    /// The role, its group, that group's group, … up to `everyone`.
    fn lineage<'r>(&self, role: &'r str) -> Vec<&'r str>
    where
        'a: 'r,
    {
        let data = &self.policy.data;
        match data.role_index.get(role) {
            Some(&id) => self
                .policy
                .ancestors(id)
                .filter_map(|a| data.roles.get(usize::from(a)).map(|r| &*r.id))
                .collect(),
            None => vec![role],
        }
    }

    /// The side a list of role names speaks for.
    fn side(&self, names: &[String]) -> Side {
        let mut adults = false;
        let mut pupils = false;
        for name in names {
            // A year range speaks for the side of its first year.
            let name = name.split(" to ").next().unwrap_or(name);
            for role in self.lineage(name) {
                adults |= role == "staff" || role == "visitor";
                pupils |= role == "pupil";
            }
        }
        match (adults, pupils) {
            (true, false) => Side::Adults,
            (false, true) => Side::Pupils,
            _ => Side::Other,
        }
    }

    /// The incident `id` that a breach by `role` is: the one in the
    /// incidents table that covers the role most closely.
    fn breach_incident(&self, role: Option<&str>, id: &str) -> Option<&'a crate::IncidentSummary> {
        // The compiled policy's index by id: a look-up, not a scan of every
        // incident, which made a table of one incident per row quadratic.
        let data = &self.policy.data;
        let candidates: Vec<&crate::IncidentSummary> = data
            .incident_index
            .get(id)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|&n| data.incidents.get(n as usize))
            .map(|i| &i.summary)
            .collect();
        role.map_or_else(|| vec!["everyone"], |r| self.lineage(r))
            .into_iter()
            .find_map(|r| {
                candidates
                    .iter()
                    .find(|i| i.roles.iter().any(|c| &**c == r))
                    .copied()
            })
            .or(candidates.first().copied())
    }

    /// The notes for a row's breach lines: one per incident label, naming
    /// every role whose breach it is, with a link to each table it is in.
    fn breach_notes<'b>(&self, breaches: impl Iterator<Item = &'b ast::Breach>) -> Vec<Note> {
        /// One incident label: whose breaches it is, and where it is.
        struct Merged {
            label: String,
            roles: Vec<String>,
            /// (anchor, incidents table id)
            places: Vec<(String, String)>,
        }
        let mut merged: Vec<Merged> = Vec::new();
        for b in breaches {
            let names = names_in(&b.roles);
            let first = names
                .first()
                .map(String::as_str)
                .filter(|n| *n != "everyone");
            let (label, place) = match self.breach_incident(first, &b.incident.text) {
                Some(i) => (
                    i.label.to_string(),
                    Some((row_anchor(&i.table, &i.id), i.table.to_string())),
                ),
                None => (b.incident.text.to_string(), None),
            };
            let entry = match merged.iter().position(|m| m.label == label) {
                Some(i) => merged.get_mut(i),
                None => {
                    merged.push(Merged {
                        label,
                        roles: Vec::new(),
                        places: Vec::new(),
                    });
                    merged.last_mut()
                }
            };
            if let Some(m) = entry {
                m.roles.extend(names);
                if let Some(place) = place.filter(|p| !m.places.contains(p)) {
                    m.places.push(place);
                }
            }
        }
        merged
            .into_iter()
            .map(
                |Merged {
                     label,
                     roles,
                     places,
                 }| {
                    let links = match places.as_slice() {
                        [(anchor, _)] => vec![Link {
                            text: label.clone(),
                            anchor: anchor.clone(),
                        }],
                        many => many
                            .iter()
                            .map(|(anchor, table)| Link {
                                text: self.incidents_title(table),
                                anchor: anchor.clone(),
                            })
                            .collect(),
                    };
                    Note {
                        text: format!(
                            "A breach by {} is the incident",
                            crate::suggest::english_list(&roles, "or")
                        ),
                        quote: Some(label),
                        links,
                    }
                },
            )
            .collect()
    }

    /// The title of an incidents table.
    fn incidents_title(&self, table: &str) -> String {
        self.incident_tables
            .get(table)
            .map_or_else(|| table.to_owned(), |t| (*t).to_owned())
    }

    /// What a rule row says besides its answers: the incidents its breaches
    /// are, and the procedure it follows.
    fn row_extras(&self, row: &ast::Row) -> Vec<Note> {
        let breaches = row.items.iter().filter_map(|i| match i {
            ast::RowItem::Breach(b) => Some(b),
            _ => None,
        });
        let mut notes = self.breach_notes(breaches);
        notes.extend(row.items.iter().filter_map(|i| match i {
            ast::RowItem::Follow(f) => Some(self.follow_note(f)),
            _ => None,
        }));
        notes
    }

    fn follow_note(&self, f: &ast::Follow) -> Note {
        let title = self
            .policy
            .routes()
            .iter()
            .find(|r| *r.id == *f.route.text)
            .map_or_else(|| f.route.text.to_string(), |r| r.label.to_string());
        Note {
            text: "Follow the procedure".to_owned(),
            quote: Some(title.clone()),
            links: vec![Link {
                text: title,
                anchor: part_anchor(&f.route.text),
            }],
        }
    }

    fn rule_table(&self, t: &ast::Table) -> Grid {
        let rows: Vec<&ast::Row> = t.rows().collect();
        let (kind, row_heading) = match t.kind {
            TableKind::UserActions => (
                "Which user actions are acceptable, and for whom.",
                "User action",
            ),
            TableKind::Communications => (
                "Which communication technologies each group may use, and when.",
                "Communication technology",
            ),
            TableKind::Rules => (
                "Rules the policy states: whom each is for, and its answer.",
                "Rule",
            ),
        };
        let Some(groups) = self.answer_groups(t, &rows) else {
            return self.who_answer_table(t, kind, row_heading);
        };

        // Where each group's columns start in a row's cells.
        let starts: Vec<usize> = groups
            .iter()
            .scan(0, |start, g| {
                let here = *start;
                *start += g.answers.len();
                Some(here)
            })
            .collect();
        let columns: usize = groups.iter().map(|g| g.answers.len()).sum();
        let mut grid_rows = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut cells: Vec<GridCell> = vec![GridCell::default(); columns];
            let mut notes = Vec::new();
            for item in &row.items {
                match item {
                    ast::RowItem::Cell(c) => {
                        let names: Vec<Cow<'_, str>> = names_of(&c.roles).collect();
                        let in_group =
                            |group: &AnswerGroup, name: &str| group.names.iter().any(|g| g == name);
                        let word = column_word(&c.answer.kind);
                        let mut placed = false;
                        for (g, group) in groups.iter().enumerate() {
                            if !names.iter().any(|n| in_group(group, n)) {
                                continue;
                            }
                            let slot = group
                                .answers
                                .iter()
                                .position(|w| *w == word)
                                .zip(starts.get(g))
                                .and_then(|(i, start)| cells.get_mut(start + i));
                            if let Some(slot) = slot {
                                *slot = GridCell::marked(mark_words(&c.answer.kind));
                                placed = true;
                            }
                        }
                        let others: Vec<&str> = names
                            .iter()
                            .map(|n| &**n)
                            .filter(|n| !groups.iter().any(|g| in_group(g, n)))
                            .collect();
                        if !others.is_empty() {
                            let who = crate::suggest::english_list(&others, "and");
                            notes.push(Note::plain(format!(
                                "{who}: {}.",
                                answer_words(&c.answer.kind)
                            )));
                        } else if !placed {
                            // A blank cell: no column is marked, as in the
                            // document.
                            notes.push(Note::plain(format!(
                                "{}: {}.",
                                capitalise(&role_list_words(&c.roles)),
                                answer_words(&c.answer.kind)
                            )));
                        }
                    }
                    ast::RowItem::Breach(_) | ast::RowItem::Follow(_) => {}
                }
            }
            notes.extend(self.row_extras(row));
            grid_rows.push(GridRow {
                id: row_anchor(&t.id.text, &row.id.text),
                label: row.label.text.to_string(),
                cells,
                notes,
                changed: self.row_changed(row),
            });
        }
        Grid {
            id: t.id.text.to_string(),
            title: t.label.text.to_string(),
            kind: kind.to_owned(),
            row_heading: row_heading.to_owned(),
            groups: groups
                .into_iter()
                .map(|g| ColumnGroup {
                    label: g.label,
                    columns: g.answers.iter().map(|a| capitalise(a)).collect(),
                })
                .collect(),
            rows: grid_rows,
            notes: Vec::new(),
        }
    }

    /// The answer columns of a rule table: a group per column of the table;
    /// without columns, one group for the roles the rows answer for. `None`
    /// when the rows are for different roles, so that a who-and-what list
    /// reads better.
    fn answer_groups(&self, t: &ast::Table, rows: &[&ast::Row]) -> Option<Vec<AnswerGroup>> {
        let mut groups: Vec<(String, Vec<String>, Vec<String>)> = t
            .columns()
            .map(|c| {
                (
                    c.label.text.to_string(),
                    vec![c.id.text.to_string()],
                    names_in(&c.roles),
                )
            })
            .collect();
        if groups.is_empty() {
            // The role list most rows answer for (the first such, in order).
            // Indexed by a map, so that a row with thousands of cells, each
            // for different roles, is counted in linear time.
            let mut counts: Vec<(Vec<String>, usize)> = Vec::new();
            let mut index: HashMap<Vec<String>, usize> = HashMap::new();
            let mut seen: HashSet<usize> = HashSet::new();
            for row in rows {
                seen.clear();
                for c in row_cells(row) {
                    let names = names_in(&c.roles);
                    let at = *index.entry(names).or_insert_with_key(|names| {
                        counts.push((names.clone(), 0));
                        counts.len() - 1
                    });
                    if seen.insert(at)
                        && let Some((_, count)) = counts.get_mut(at)
                    {
                        *count += 1;
                    }
                }
            }
            let best = counts.iter().map(|(_, c)| *c).max()?;
            let (names, count) = counts.into_iter().find(|(_, c)| *c == best)?;
            // A user-actions table speaks for its users, refined here and
            // there: columns for the roles most rows answer for. A rules
            // table is a list of sentences, each for someone: columns only
            // when every row is for the same roles.
            let enough = match t.kind {
                TableKind::Rules => count == rows.len(),
                _ => count * 2 >= rows.len(),
            };
            if !enough {
                return None;
            }
            let label = if names == ["everyone"] {
                "All users".to_owned()
            } else {
                capitalise(&crate::suggest::english_list(&names, "and"))
            };
            groups.push((label, names.clone(), names));
        }

        Some(
            groups
                .into_iter()
                .map(|(label, names, roles)| {
                    let used: Vec<&'static str> = rows
                        .iter()
                        .flat_map(|r| row_cells(r))
                        .filter(|c| names_of(&c.roles).any(|n| names.iter().any(|g| *g == n)))
                        .map(|c| column_word(&c.answer.kind))
                        .collect();
                    let standard: &[&'static str] = match (t.kind, self.side(&roles)) {
                        (TableKind::UserActions, _) => &USER_ACTION_ANSWERS,
                        (TableKind::Communications, Side::Adults) => &ADULT_ANSWERS,
                        (TableKind::Communications, Side::Pupils) => &PUPIL_ANSWERS,
                        _ => &[],
                    };
                    let answers = ANSWER_ORDER
                        .iter()
                        .copied()
                        .filter(|a| standard.contains(a) || used.contains(a))
                        .collect();
                    AnswerGroup {
                        label,
                        names,
                        answers,
                    }
                })
                .collect(),
        )
    }

    /// A rule table whose rows answer for different roles: who, and what.
    fn who_answer_table(&self, t: &ast::Table, kind: &str, row_heading: &str) -> Grid {
        let mut rows = Vec::new();
        for row in t.rows() {
            let mut who = Vec::new();
            let mut answer = Vec::new();
            for c in row_cells(row) {
                who.push(capitalise(&role_list_words(&c.roles)));
                answer.push(capitalise(&answer_words(&c.answer.kind)));
            }
            rows.push(GridRow {
                id: row_anchor(&t.id.text, &row.id.text),
                label: row.label.text.to_string(),
                cells: vec![GridCell::words(who), GridCell::words(answer)],
                notes: self.row_extras(row),
                changed: self.row_changed(row),
            });
        }
        Grid {
            id: t.id.text.to_string(),
            title: t.label.text.to_string(),
            kind: kind.to_owned(),
            row_heading: row_heading.to_owned(),
            groups: vec![ColumnGroup {
                label: String::new(),
                columns: vec!["Who".to_owned(), "Answer".to_owned()],
            }],
            rows,
            notes: Vec::new(),
        }
    }

    /// Devices as the SWGfL table lays them out: a column per device (under
    /// its group), a row per capability.
    fn devices(&self, d: &ast::Devices) -> Grid {
        let mut groups: Vec<ColumnGroup> = Vec::new();
        for device in &d.devices {
            let group = device
                .group
                .as_ref()
                .map_or_else(String::new, |g| g.text.to_string());
            match groups.last_mut() {
                Some(last) if last.label == group => {
                    last.columns.push(device.label.text.to_string());
                }
                _ => groups.push(ColumnGroup {
                    label: group,
                    columns: vec![device.label.text.to_string()],
                }),
            }
        }
        let mut rows: Vec<GridRow> = crate::Capability::ALL
            .iter()
            .map(|c| GridRow {
                id: row_anchor(&d.id.text, c.id()),
                label: c.label().to_owned(),
                cells: Vec::new(),
                notes: Vec::new(),
                changed: false,
            })
            .collect();
        let mut notes = Vec::new();
        for device in &d.devices {
            let mut presence = GridCell::default();
            let mut network = None;
            for item in &device.items {
                match item {
                    ast::DeviceItem::InSchool(s) => {
                        let mut lines = vec![presence_words(&s.presence)];
                        if let Some(note) = &s.note {
                            lines.push(note.text.to_string());
                        }
                        presence = GridCell::words(lines);
                    }
                    ast::DeviceItem::Network(n) => network = Some(n.access),
                    ast::DeviceItem::Breach(_) => {}
                }
            }
            let breaches = device.items.iter().filter_map(|i| match i {
                ast::DeviceItem::Breach(b) => Some(b),
                _ => None,
            });
            for mut note in self.breach_notes(breaches) {
                note.text = format!("{}: {}", device.label.text, lowercase_first(&note.text));
                notes.push(note);
            }
            if network == Some(ast::NetworkAccess::Blank) {
                notes.push(Note::plain(format!(
                    "{}: the document does not say what network access it has.",
                    device.label.text
                )));
            }
            let access_cell = |access| {
                if network == Some(access) {
                    GridCell::marked(None)
                } else {
                    GridCell::default()
                }
            };
            let column = [
                presence,
                access_cell(ast::NetworkAccess::Full),
                access_cell(ast::NetworkAccess::InternetOnly),
                access_cell(ast::NetworkAccess::None),
            ];
            for (row, cell) in rows.iter_mut().zip(column) {
                row.cells.push(cell);
            }
        }
        Grid {
            id: d.id.text.to_string(),
            title: d.label.text.to_string(),
            kind: "Which devices the school allows, and what network access each has.".to_owned(),
            row_heading: "The school allows".to_owned(),
            groups,
            rows,
            notes,
        }
    }

    fn incidents(&self, t: &ast::Incidents) -> Grid {
        let responses: Vec<&ast::Response> = t.responses().collect();
        let mut rows = Vec::new();
        for incident in t.incidents() {
            let mut cells = vec![GridCell::default(); responses.len()];
            let mut notes = Vec::new();
            for item in &incident.items {
                match item {
                    ast::IncidentItem::Responses(line) => {
                        for name in &line.responses {
                            if let Some(cell) = responses
                                .iter()
                                .position(|r| r.id.text == name.text)
                                .and_then(|i| cells.get_mut(i))
                            {
                                *cell = if line.optional {
                                    GridCell::optional()
                                } else {
                                    GridCell::marked(None)
                                };
                            }
                        }
                    }
                    ast::IncidentItem::Follow(f) => notes.push(self.follow_note(f)),
                    ast::IncidentItem::Repeat(r) => notes.push(Note::plain(format!(
                        "Applies as well to any incident after {} prior {}.",
                        r.after,
                        if r.after == 1 {
                            "incident"
                        } else {
                            "incidents"
                        }
                    ))),
                    ast::IncidentItem::ReportedDirectly(_) => notes.push(Note::plain(
                        "Reported directly, not through a breach of a rule.",
                    )),
                    // Drawn as a table of their own, under this one.
                    ast::IncidentItem::Count(_) | ast::IncidentItem::Tier(_) => {}
                }
            }
            notes.extend(Self::ladder_note(&t.id.text, incident));
            let changed = self.own(std::iter::once(incident.span).chain(
                incident.items.iter().map(|i| match i {
                    ast::IncidentItem::Responses(r) => r.span,
                    ast::IncidentItem::Follow(f) => f.span,
                    ast::IncidentItem::Repeat(r) => r.span,
                    ast::IncidentItem::ReportedDirectly(d) => d.span,
                    ast::IncidentItem::Count(c) => c.span,
                    ast::IncidentItem::Tier(t) => t.span,
                }),
            ));
            rows.push(GridRow {
                id: row_anchor(&t.id.text, &incident.id.text),
                label: incident.label.text.to_string(),
                cells,
                notes,
                changed,
            });
        }
        let mut notes = Vec::new();
        if rows.iter().flat_map(|r| &r.cells).any(|c| c.optional) {
            notes.push(Note::plain(format!(
                "({}) marks a response the document gives “as appropriate”: used as the case needs, not always.",
                super::MARK
            )));
        }
        for r in &responses {
            let to = match &r.kind {
                ast::ResponseKind::Refer { to } => Some(("referred to", to)),
                ast::ResponseKind::Notify { to } => Some(("informs", to)),
                ast::ResponseKind::Sanction => None,
            };
            if let Some((verb, to)) = to {
                let names: Vec<String> = to.iter().map(|n| self.target_words(&n.text)).collect();
                notes.push(Note::plain(format!(
                    "“{}”: {verb} {}.",
                    r.label.text,
                    crate::suggest::english_list(&names, "and")
                )));
            }
        }
        Grid {
            id: t.id.text.to_string(),
            title: t.label.text.to_string(),
            kind: format!(
                "What follows an incident by {}{}",
                crate::suggest::english_list(&names_in(&t.roles), "or"),
                if responses.is_empty() {
                    "."
                } else {
                    ": a mark for each action or sanction."
                }
            ),
            row_heading: "Incident".to_owned(),
            groups: vec![ColumnGroup {
                label: if responses.is_empty() {
                    String::new()
                } else {
                    "Actions / Sanctions".to_owned()
                },
                columns: responses.iter().map(|r| r.label.text.to_string()).collect(),
            }],
            rows,
            notes,
        }
    }

    /// A role or contact in words: a contact's title and number.
    fn target_words(&self, id: &str) -> String {
        match self.policy.contacts().iter().find(|c| &*c.target.id == id) {
            Some(c) => target_words(&c.target),
            None => id.to_owned(),
        }
    }

    fn route(&self, r: &ast::Route) -> Route {
        let compiled = self.policy.routes().iter().find(|c| *c.id == *r.id.text);
        let mut steps = Vec::new();
        let mut nodes = Vec::new();
        for (i, step) in r.steps.iter().enumerate() {
            let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let info = compiled.and_then(|c| c.steps.get(i));
            let refer: Vec<String> =
                info.map_or_else(Vec::new, |s| s.refer.iter().map(target_words).collect());
            let notify: Vec<String> =
                info.map_or_else(Vec::new, |s| s.notify.iter().map(target_words).collect());
            let mut detail = Vec::new();
            if !refer.is_empty() {
                detail.push(format!(
                    "Refer to {}.",
                    crate::suggest::english_list(&refer, "and")
                ));
            }
            if !notify.is_empty() {
                detail.push(format!(
                    "Inform {}.",
                    crate::suggest::english_list(&notify, "and")
                ));
            }
            // Whether the step applies: in words, and as the flowchart's
            // question.
            let mut test = None;
            if let Some(c) = &step.condition {
                detail.push(self.step_sentence(c.negated, &c.cond));
                test = Some(Test {
                    question: Self::condition_question(&c.cond),
                    negated: c.negated,
                });
            }
            nodes.push(Node {
                number,
                text: step.text.text.to_string(),
                detail: refer
                    .iter()
                    .map(|r| format!("→ {r}"))
                    .chain(notify.iter().map(|n| format!("inform {n}")))
                    .collect(),
                condition: test,
            });
            steps.push(RouteStep {
                number,
                text: step.text.text.to_string(),
                detail,
            });
        }
        Route {
            id: r.id.text.to_string(),
            title: r.label.text.to_string(),
            steps,
            flowchart: Flowchart { nodes },
            changed: self.own(std::iter::once(r.span).chain(r.steps.iter().map(|s| s.span))),
        }
    }
}

fn row_cells(row: &ast::Row) -> impl Iterator<Item = &ast::Cell> {
    row.items.iter().filter_map(|i| match i {
        ast::RowItem::Cell(c) => Some(c),
        _ => None,
    })
}

/// The timetable, each period, alias and date marked when `own` says the
/// school's own file gives it.
fn timetable(t: &ast::Timetable, own: impl Fn(Span) -> bool) -> Timetable {
    let mut out = Timetable::default();
    let time = |t: &ast::TimeValue| format!("{:02}:{:02}", t.hour, t.minute);
    let day = |d: &ast::DayName| capitalise(d.day.as_str());
    let date = |d: &ast::DateValue| {
        crate::model::PolicyDate {
            year: i16::try_from(d.year).unwrap_or(0),
            month: i8::try_from(d.month).unwrap_or(0),
            day: d.day.and_then(|x| i8::try_from(x).ok()),
        }
        .to_string()
    };
    for item in &t.items {
        match item {
            ast::TimetableItem::Day(d) => {
                let days = match &d.days {
                    ast::Days::Range { from, to } => format!("{} to {}", day(from), day(to)),
                    ast::Days::List { days } => {
                        let names: Vec<String> = days.iter().map(day).collect();
                        crate::suggest::english_list(&names, "and")
                    }
                };
                let periods = d
                    .periods
                    .iter()
                    .map(|p| PeriodTimes {
                        name: p.name.text.to_string(),
                        from: time(&p.start),
                        to: time(&p.end),
                        changed: own(p.span),
                    })
                    .collect();
                out.days.push((days, periods));
            }
            ast::TimetableItem::Alias(a) => {
                if own(a.span) {
                    out.own_aliases.push(a.name.text.to_string());
                }
                let names: Vec<&str> = a.periods.iter().map(|p| &*p.text).collect();
                out.aliases.push((
                    a.name.text.to_string(),
                    crate::suggest::english_list(&names, "and"),
                ));
            }
            ast::TimetableItem::Term(r) | ast::TimetableItem::Holiday(r) => {
                let kind = if matches!(item, ast::TimetableItem::Term(_)) {
                    "Term"
                } else {
                    "Holiday"
                };
                out.dates.push(DateSpan {
                    kind: kind.to_owned(),
                    label: r
                        .label
                        .as_ref()
                        .map_or_else(String::new, |l| l.text.to_string()),
                    from: date(&r.from),
                    to: date(&r.to),
                    changed: own(r.span),
                });
            }
        }
    }
    out
}

fn target_words(t: &crate::Target) -> String {
    let mut out = t.title.to_string();
    if let Some(phone) = &t.phone {
        out.push_str(&format!(" ({phone})"));
    }
    out
}

/// The five answers of the SWGfL user actions table, in its order.
const USER_ACTION_ANSWERS: [&str; 5] = [
    "acceptable",
    "acceptable at certain times",
    "acceptable for nominated users",
    "unacceptable",
    "unacceptable and illegal",
];

/// The communications table's columns for staff and other adults.
const ADULT_ANSWERS: [&str; 4] = [
    "allowed",
    "allowed at certain times",
    "allowed for selected staff",
    "not allowed",
];

/// The communications table's columns for pupils.
const PUPIL_ANSWERS: [&str; 4] = [
    "allowed",
    "allowed at certain times",
    "allowed with staff permission",
    "not allowed",
];

/// The order answer columns appear in, as in the SWGfL tables. A blank cell
/// has no column: no mark, as in the document.
const ANSWER_ORDER: [&str; 11] = [
    "acceptable",
    "acceptable at certain times",
    "acceptable for nominated users",
    "unacceptable",
    "unacceptable and illegal",
    "allowed",
    "allowed at certain times",
    "allowed for selected staff",
    "allowed for nominated users",
    "allowed with staff permission",
    "not allowed",
];

/// The column an answer is marked in. Every permission answer goes under
/// "allowed with staff permission", the template's heading; whose permission
/// is written in the cell.
fn column_word(kind: &AnswerKind) -> &'static str {
    match kind {
        AnswerKind::AllowedWithPermission { .. } => "allowed with staff permission",
        // A condition of times, places or facts: the template's nearest
        // column, with the condition written in the cell.
        AnswerKind::Only {
            acceptable: true, ..
        }
        | AnswerKind::Except {
            acceptable: true, ..
        } => "acceptable at certain times",
        AnswerKind::Only { .. } | AnswerKind::Except { .. } => "allowed at certain times",
        other => other.words(),
    }
}

/// The words a marked cell adds to its mark: the times, or whose permission.
fn mark_words(kind: &AnswerKind) -> Option<String> {
    match kind {
        AnswerKind::AcceptableAtCertainTimes { window: Some(w) }
        | AnswerKind::AllowedAtCertainTimes { window: Some(w) } => Some(window_words(w)),
        AnswerKind::AllowedWithPermission {
            from: Some(from), ..
        } => Some(format!("from {}", from.text)),
        AnswerKind::AllowedWithPermission {
            staff: false,
            from: None,
        } => Some("with permission".to_owned()),
        AnswerKind::Only { cond, .. } => Some(format!("only {}", crate::condition::words(cond))),
        AnswerKind::Except { cond, .. } => {
            Some(format!("except {}", crate::condition::words(cond)))
        }
        _ => None,
    }
}

fn window_words(w: &ast::Window) -> String {
    let names: Vec<&str> = w.periods.iter().map(|p| &*p.text).collect();
    let word = match w.kind {
        ast::WindowKind::During => "during",
        ast::WindowKind::Outside => "outside",
    };
    format!("{word} {}", crate::suggest::english_list(&names, "and"))
}

/// An answer in full words: "allowed at certain times during lunch".
fn answer_words(kind: &AnswerKind) -> String {
    match kind {
        AnswerKind::AcceptableAtCertainTimes { window: Some(w) }
        | AnswerKind::AllowedAtCertainTimes { window: Some(w) } => {
            format!("{} {}", kind.words(), window_words(w))
        }
        AnswerKind::AllowedWithPermission {
            from: Some(from), ..
        } => {
            format!("{} from {}", kind.words(), from.text)
        }
        AnswerKind::Blank => "left blank in the document (so not allowed)".to_owned(),
        AnswerKind::Only { cond, .. } | AnswerKind::Except { cond, .. } => {
            format!("{} {}", kind.words(), crate::condition::words(cond))
        }
        other => other.words().to_owned(),
    }
}

fn presence_words(p: &ast::Presence) -> String {
    match p {
        ast::Presence::Yes => "Yes".to_owned(),
        ast::Presence::No => "No".to_owned(),
        ast::Presence::WithPermission { staff, from } => {
            let mut words = if *staff {
                "With staff permission".to_owned()
            } else {
                "With permission".to_owned()
            };
            if let Some(from) = from {
                words.push_str(" from ");
                words.push_str(&from.text);
            }
            words
        }
        ast::Presence::Blank => "Not stated".to_owned(),
    }
}

/// The roles of a list as written: a year range stays one entry,
/// "year-7 to year-11".
fn names_in(list: &RoleList) -> Vec<String> {
    names_of(list).map(Cow::into_owned).collect()
}

/// The names a role list gives, as written: borrowed from the tree but for
/// year ranges, whose words are put together. A large table asks this of
/// every cell several times.
fn names_of(list: &RoleList) -> impl Iterator<Item = Cow<'_, str>> {
    let (everyone, names, members): (_, &[ast::Name], &[ast::Member]) = match list {
        RoleList::Everyone { .. } => (Some(Cow::Borrowed("everyone")), &[], &[]),
        RoleList::Names { names } => (None, names, &[]),
        RoleList::Members { members } => (None, &[], members),
    };
    everyone
        .into_iter()
        .chain(names.iter().map(|n| Cow::Borrowed(&*n.text)))
        .chain(members.iter().map(|m| Cow::Owned(m.words())))
}

fn role_list_words(list: &RoleList) -> String {
    crate::suggest::english_list(&names_in(list), "and")
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.clone().next()) {
        // Keep acronyms ("IWF ...") as they are.
        (Some(first), Some(second)) if !second.is_uppercase() => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;
    use crate::render::Document;

    fn document(text: &str) -> Document {
        match Document::from_text("t.policy", text) {
            Ok(d) => d,
            Err(e) => panic!("{e:#?}"),
        }
    }

    fn grid(d: &Document, id: &str) -> Grid {
        d.parts
            .iter()
            .find_map(|p| match p {
                Part::Grid(g) if g.id == id => Some(g.clone()),
                _ => None,
            })
            .unwrap()
    }

    fn notes(notes: &[Note]) -> Vec<String> {
        notes.iter().map(Note::to_text).collect()
    }

    fn marks(row: &GridRow) -> Vec<usize> {
        row.cells
            .iter()
            .enumerate()
            .filter(|(_, c)| c.mark)
            .map(|(i, _)| i)
            .collect()
    }

    const COMMS: &str = r#"school "S"
roles
  staff includes teacher
  pupil includes year-5
communications comms "Communication Technologies"
  column adults "Staff & other adults" for staff, visitor
  column pupils "Students / Pupils" for pupil
  row phones "Mobile phones may be brought to the school"
    adults: allowed
    pupils: allowed with permission from teacher
    year-5: not allowed
  row email "Use of school email for personal emails"
    adults: allowed at certain times during lunch
    pupils: blank
timetable
  monday
    lunch 12:00 to 13:00
"#;

    #[test]
    fn communications_have_the_templates_four_columns_per_group() {
        let g = grid(&document(COMMS), "comms");
        let headings: Vec<&str> = g.groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(headings, ["Staff & other adults", "Students / Pupils"]);
        assert_eq!(
            g.groups[0].columns,
            [
                "Allowed",
                "Allowed at certain times",
                "Allowed for selected staff",
                "Not allowed"
            ]
        );
        assert_eq!(
            g.groups[1].columns,
            [
                "Allowed",
                "Allowed at certain times",
                "Allowed with staff permission",
                "Not allowed"
            ]
        );
        // Adults allowed (column 0); pupils with permission (4 + 2).
        assert_eq!(marks(&g.rows[0]), [0, 6]);
        assert_eq!(g.rows[0].cells[6].lines, ["from teacher"]);
        assert_eq!(notes(&g.rows[0].notes), ["year-5: not allowed."]);
        // The window is written in the cell.
        assert_eq!(marks(&g.rows[1]), [1]);
        assert_eq!(g.rows[1].cells[1].lines, ["during lunch"]);
    }

    #[test]
    fn a_blank_cell_marks_no_column_and_says_so() {
        let g = grid(&document(COMMS), "comms");
        assert!(g.rows[1].cells[4..].iter().all(GridCell::is_empty));
        assert_eq!(
            notes(&g.rows[1].notes),
            ["Pupils: left blank in the document (so not allowed)."]
        );
    }

    #[test]
    fn user_actions_have_five_columns_and_refinements_as_notes() {
        let d = document(
            r#"school "S"
user actions ua "User Actions"
  row gaming "On-line gaming (educational)"
    everyone: acceptable at certain times
  row porn "Pornography"
    everyone: unacceptable
    staff: unacceptable and illegal
"#,
        );
        let g = grid(&d, "ua");
        assert_eq!(g.groups.len(), 1);
        assert_eq!(g.groups[0].label, "All users");
        assert_eq!(g.groups[0].columns.len(), 5);
        assert_eq!(marks(&g.rows[0]), [1]);
        assert_eq!(marks(&g.rows[1]), [3]);
        assert_eq!(
            notes(&g.rows[1].notes),
            ["staff: unacceptable and illegal."]
        );
    }

    #[test]
    fn breaches_into_one_incident_make_one_note_that_links_to_it() {
        let d = document(
            r#"school "S"
user actions ua "User Actions"
  row porn "Pornography"
    everyone: unacceptable
    breach by pupil: offensive
    breach by staff: offensive
    follow route r
incidents pi "Pupil Incidents" for pupil
  response h "Refer to Headteacher" refer staff
  incident offensive "Accessing offensive material"
    responses: h
incidents si "Staff Incidents" for staff
  response h "Refer to Headteacher" refer staff
  incident offensive "Accessing offensive material"
    responses: h
route r "Illegal Incidents"
  step "Report to the police"
"#,
        );
        let row = &grid(&d, "ua").rows[0];
        assert_eq!(row.id, "ua--porn");
        assert_eq!(
            notes(&row.notes),
            [
                "A breach by pupil or staff is the incident “Accessing offensive material”",
                "Follow the procedure “Illegal Incidents”"
            ]
        );
        // The incident is in two tables: a link to each, by its title.
        let links: Vec<(&str, &str)> = row.notes[0]
            .links
            .iter()
            .map(|l| (l.text.as_str(), l.anchor.as_str()))
            .collect();
        assert_eq!(
            links,
            [
                ("Pupil Incidents", "pi--offensive"),
                ("Staff Incidents", "si--offensive")
            ]
        );
        assert_eq!(row.notes[1].links[0].anchor, "part--r");
    }

    #[test]
    fn rules_for_many_roles_are_listed_as_who_and_what() {
        let d = document(
            r#"school "S"
roles
  pupil includes year-1 to year-6
rules r "Agreements"
  row a "I will ask"
    year-1: allowed with staff permission
  row b "I will not share"
    year-5, year-6: not allowed
  row c "Staff will not"
    staff: not allowed
"#,
        );
        let g = grid(&d, "r");
        assert_eq!(g.groups[0].columns, ["Who", "Answer"]);
        assert_eq!(g.rows[1].cells[0].lines, ["Year-5 and year-6"]);
        assert_eq!(g.rows[1].cells[1].lines, ["Not allowed"]);
    }

    #[test]
    fn rules_mostly_for_one_group_are_still_who_and_what() {
        let d = document(
            r#"school "S"
rules r "Rules"
  row a "Staff will not record"
    staff: not allowed
  row b "Staff will use agreed platforms"
    staff: allowed
  row c "Unapproved software will not be allowed"
    everyone: not allowed
"#,
        );
        let g = grid(&d, "r");
        assert_eq!(g.groups[0].columns, ["Who", "Answer"]);
        assert_eq!(g.rows[2].cells[0].lines, ["Everyone"]);
    }

    #[test]
    fn incidents_mark_their_responses_and_name_the_targets() {
        let d = document(
            r#"school "S"
roles
  staff includes teacher
contacts
  contact police "Police" phone "101"
incidents pi "Pupil Incidents" for pupil
  response teacher "Refer to class teacher" refer teacher
  response police "Refer to Police" refer police
  response warning "Warning" sanction
  incident a "Sending an offensive message"
    responses: teacher, warning
"#,
        );
        let g = grid(&d, "pi");
        assert_eq!(g.width(), 3);
        assert_eq!(marks(&g.rows[0]), [0, 2]);
        assert_eq!(
            notes(&g.notes),
            [
                "“Refer to class teacher”: referred to teacher.",
                "“Refer to Police”: referred to Police (101)."
            ]
        );
    }

    #[test]
    fn ladders_are_small_tables_of_tiers_under_their_incidents() {
        let d = document(
            r#"school "S"
roles
  staff includes teacher
rules site "Phones"
  row phones "Use of mobile phones in lessons"
    pupil: not allowed
    breach by pupil: phone
incidents pi "Pupil Incidents" for pupil
  response confiscated "Phone confiscated until the end of the day" sanction
  response collect "Phone kept until a parent collects it" sanction
  response head "Refer to Head of Year" refer teacher
  incident phone "Mobile phone used without permission"
    responses: confiscated
    count this incident per school year
    2nd time: collect
    3rd time or more, instead: head
  ladder often "Three incidents within 30 days"
    count incidents of this table within 30 days
    3rd time or more: head
"#,
        );
        let ids: Vec<&str> = d.parts.iter().map(Part::id).collect();
        let at = ids.iter().position(|id| *id == "pi").unwrap();
        assert_eq!(ids[at + 1..], ["pi--phone--tiers", "pi--often--ladder"]);
        let own = grid(&d, "pi--phone--tiers");
        assert_eq!(
            own.title,
            "Mobile phone used without permission: each time again"
        );
        assert_eq!(
            own.kind,
            "What follows each time, counting earlier times this same incident happened in the same school year."
        );
        let rows: Vec<(&str, Vec<String>)> = own
            .rows
            .iter()
            .map(|r| (r.label.as_str(), r.cells[0].lines.clone()))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "2nd time",
                    vec![
                        "As well as the incident's own responses:".to_owned(),
                        "Phone kept until a parent collects it".to_owned()
                    ]
                ),
                (
                    "3rd time or more",
                    vec![
                        "Instead of the incident's own responses:".to_owned(),
                        "Refer to Head of Year".to_owned()
                    ]
                ),
            ]
        );
        // The incident's row points to its table of tiers.
        let table = grid(&d, "pi");
        assert!(
            table.rows[0]
                .notes
                .iter()
                .any(|n| n.links.iter().any(|l| l.anchor == "part--pi--phone--tiers")),
            "{:?}",
            table.rows[0].notes
        );
        let often = grid(&d, "pi--often--ladder");
        assert_eq!(often.title, "Three incidents within 30 days");
        assert_eq!(often.rows[0].label, "3rd time or more");
    }

    #[test]
    fn routes_say_when_a_step_applies() {
        let d = document(
            r#"school "S"
roles
  staff includes dsl
contacts
  contact police-999 "Police (emergency)" phone "999"
route r "Exploitation"
  step "Tell the DSL" refer dsl
  step "Call 999" refer police-999 if immediate-risk
"#,
        );
        let Some(Part::Route(r)) = d.parts.iter().find(|p| p.id() == "r") else {
            panic!("no route");
        };
        assert_eq!(r.steps[0].detail, ["Refer to dsl."]);
        assert_eq!(
            r.steps[1].detail,
            [
                "Refer to Police (emergency) (999).",
                "Only if a child is at immediate risk of harm."
            ]
        );
    }

    #[test]
    fn a_policy_with_errors_is_refused_with_only_its_errors() {
        let errors = Document::from_text("t.policy", "school \"S\"\nrow x \"y\"\n").unwrap_err();
        assert!(!errors.is_empty());
        assert!(errors.iter().all(Diagnostic::is_error));
    }
}
