//! The structure pass: places each line's statement in its section.
//!
//! The grammar reads one line at a time; this pass knows that a cell belongs
//! under the most recent `row`, a period under the most recent days line,
//! and so on. A statement with nowhere to go is reported as misplaced, with a
//! help line that says where it belongs.

use super::lower::Statement;
use crate::ast::*;
use crate::span::Span;

/// A statement that could not be placed, with where it belongs.
#[derive(Debug)]
pub(crate) struct Misplaced {
    pub(crate) span: Span,
    pub(crate) what: &'static str,
    pub(crate) belongs: &'static str,
}

#[derive(Debug, Default)]
pub(crate) struct Assembler {
    file: PolicyFile,
    pending: TriviaData,
    pub(crate) misplaced: Vec<Misplaced>,
}

impl Assembler {
    pub(crate) fn blank_line(&mut self) {
        // Blank lines before anything else in the file are not layout.
        if !self.file.sections.is_empty()
            || self.file.extends.is_some()
            || !self.file.removals.is_empty()
            || !self.pending.comments_before.is_empty()
        {
            self.pending.blank_line_before = true;
        }
    }

    pub(crate) fn comment(&mut self, mut comment: Comment) {
        comment.blank_line_before = std::mem::take(&mut self.pending.blank_line_before);
        self.pending.comments_before.push(comment);
    }

    pub(crate) fn finish(mut self) -> PolicyFile {
        self.file.trailing_comments = std::mem::take(&mut self.pending.comments_before);
        self.file
    }

    pub(crate) fn statement(
        &mut self,
        statement: Statement,
        span: Span,
        trailing: Option<Comment>,
    ) {
        let mut data = std::mem::take(&mut self.pending);
        data.trailing_comment = trailing;
        let trivia = Trivia::new(data);
        let what = statement.describe();
        if let Err(belongs) = self.place(statement, span, trivia) {
            self.misplaced.push(Misplaced {
                span,
                what,
                belongs,
            });
        }
    }

    /// Places a `locked` line: under a table's or an incidents table's
    /// heading before its first row or incident it locks the whole table;
    /// after one, that row or incident; under a route, the route.
    fn lock(&mut self, lock: Lock) -> Result<(), &'static str> {
        const BELONGS: &str = "`locked` goes under a table heading (the whole table), a `row`, an `incident`, an `incidents` heading or a `route`.";
        const FOR_ROWS: &str = "`locked for …` goes under a `row`: it locks that row's answer for those roles. Under a table heading, an incident or a route, write `locked` alone.";
        let for_roles = lock.roles.is_some();
        match self.last_section() {
            Some(Section::Table(t)) => {
                let last_row = t.items.iter_mut().rev().find_map(|i| match i {
                    TableItem::Row(r) => Some(r),
                    TableItem::Column(_) => None,
                });
                match last_row {
                    Some(row) => row.locks.push(lock),
                    None if for_roles => return Err(FOR_ROWS),
                    None => t.locks.push(lock),
                }
            }
            Some(Section::Incidents(t)) if !for_roles => {
                let last = t.items.iter_mut().rev().find_map(|i| match i {
                    IncidentsItem::Incident(r) => Some(r),
                    _ => None,
                });
                match last {
                    Some(incident) => incident.locks.push(lock),
                    None => t.locks.push(lock),
                }
            }
            Some(Section::Route(r)) if !for_roles => r.locks.push(lock),
            Some(Section::Incidents(_) | Section::Route(_)) => return Err(FOR_ROWS),
            _ => return Err(BELONGS),
        }
        Ok(())
    }

    fn last_section(&mut self) -> Option<&mut Section> {
        self.file.sections.last_mut()
    }

    /// Places a statement, or says where it belongs.
    fn place(
        &mut self,
        statement: Statement,
        span: Span,
        trivia: Trivia,
    ) -> Result<(), &'static str> {
        use Statement as S;
        let sections = &mut self.file.sections;
        match statement {
            // --- headings open a new section
            S::School(name) => sections.push(Section::School(School {
                name,
                items: Vec::new(),
                span,
                trivia,
            })),
            S::Roles => sections.push(Section::Roles(Roles {
                groups: Vec::new(),
                span,
                trivia,
            })),
            S::Timetable => sections.push(Section::Timetable(Timetable {
                items: Vec::new(),
                span,
                trivia,
            })),
            S::Contacts => sections.push(Section::Contacts(Contacts {
                contacts: Vec::new(),
                span,
                trivia,
            })),
            S::Facts => sections.push(Section::Facts(Facts {
                facts: Vec::new(),
                span,
                trivia,
            })),
            S::Places => sections.push(Section::Places(Places {
                places: Vec::new(),
                span,
                trivia,
            })),
            S::Table { kind, id, label } => sections.push(Section::Table(Table {
                kind,
                id,
                label,
                items: Vec::new(),
                locks: Vec::new(),
                span,
                trivia,
            })),
            S::Devices { id, label } => sections.push(Section::Devices(Devices {
                id,
                label,
                devices: Vec::new(),
                span,
                trivia,
            })),
            S::Incidents { id, label, roles } => sections.push(Section::Incidents(Incidents {
                id,
                label,
                roles,
                items: Vec::new(),
                locks: Vec::new(),
                span,
                trivia,
            })),
            S::Route { id, label } => sections.push(Section::Route(Route {
                id,
                label,
                steps: Vec::new(),
                locks: Vec::new(),
                span,
                trivia,
            })),

            // --- families
            S::Extends(path) => {
                if self.file.extends.is_some()
                    || !self.file.sections.is_empty()
                    || !self.file.removals.is_empty()
                {
                    return Err(
                        "`extends` is the first statement of a file, and a file extends one policy.",
                    );
                }
                self.file.extends = Some(Extends { path, span, trivia });
            }
            S::Remove {
                kind,
                names,
                within,
            } => self.file.removals.push(Removal {
                kind,
                names,
                within,
                span,
                trivia,
            }),
            S::Locked(roles) => self.lock(Lock {
                roles,
                span,
                trivia,
            })?,

            // --- school metadata
            S::Template(name) => {
                self.school_item(SchoolItemKind::Template { name }, span, trivia)?
            }
            S::Approved(date) => {
                self.school_item(SchoolItemKind::Approved { date }, span, trivia)?
            }
            S::ReviewBy(date) => {
                self.school_item(SchoolItemKind::ReviewBy { date }, span, trivia)?
            }
            S::Owner(name) => self.school_item(SchoolItemKind::Owner { name }, span, trivia)?,

            // --- roles
            S::Includes { group, members } => match self.last_section() {
                Some(Section::Roles(roles)) => roles.groups.push(RoleGroup {
                    group,
                    members,
                    span,
                    trivia,
                }),
                _ => {
                    return Err(
                        "Role groups such as `staff includes teacher` go under the `roles` heading.",
                    );
                }
            },

            // --- timetable
            S::Days(days) => self.timetable_item(TimetableItem::Day(DaySchedule {
                days,
                periods: Vec::new(),
                span,
                trivia,
            }))?,
            S::Alias { name, periods } => self.timetable_item(TimetableItem::Alias(Alias {
                name,
                periods,
                span,
                trivia,
            }))?,
            S::Term { label, from, to } => self.timetable_item(TimetableItem::Term(DateRange {
                label,
                from,
                to,
                span,
                trivia,
            }))?,
            S::Holiday { label, from, to } => {
                self.timetable_item(TimetableItem::Holiday(DateRange {
                    label,
                    from,
                    to,
                    span,
                    trivia,
                }))?
            }
            S::Period { name, start, end } => {
                const BELONGS: &str = "A period goes under the `timetable` heading, after a days line such as `monday to friday`.";
                let Some(Section::Timetable(t)) = self.last_section() else {
                    return Err(BELONGS);
                };
                let schedule = t.items.iter_mut().rev().find_map(|i| match i {
                    TimetableItem::Day(d) => Some(d),
                    _ => None,
                });
                match schedule {
                    Some(d) => d.periods.push(Period {
                        name,
                        start,
                        end,
                        span,
                        trivia,
                    }),
                    None => return Err(BELONGS),
                }
            }

            // --- contacts and facts
            S::Contact { id, title, reach } => match self.last_section() {
                Some(Section::Contacts(c)) => c.contacts.push(Contact {
                    id,
                    title,
                    reach,
                    span,
                    trivia,
                }),
                _ => return Err("A `contact` line goes under the `contacts` heading."),
            },
            S::Place { id, label } => match self.last_section() {
                Some(Section::Places(p)) => p.places.push(PlaceDef {
                    id,
                    label,
                    span,
                    trivia,
                }),
                _ => return Err("A `place` line goes under the `places` heading."),
            },
            S::Fact { id, label } => match self.last_section() {
                Some(Section::Facts(f)) => f.facts.push(Fact {
                    id,
                    label,
                    span,
                    trivia,
                }),
                _ => return Err("A `fact` line goes under the `facts` heading."),
            },

            // --- rule tables
            S::Column { id, label, roles } => match self.last_section() {
                Some(Section::Table(t)) => t.items.push(TableItem::Column(Column {
                    id,
                    label,
                    roles,
                    span,
                    trivia,
                })),
                _ => {
                    return Err(
                        "A `column` line goes in a table, after a `user actions`, `communications` or `rules` heading.",
                    );
                }
            },
            S::Row { id, label } => match self.last_section() {
                Some(Section::Table(t)) => t.items.push(TableItem::Row(Row {
                    id,
                    label,
                    items: Vec::new(),
                    locks: Vec::new(),
                    span,
                    trivia,
                })),
                _ => {
                    return Err(
                        "A `row` line goes in a table, after a `user actions`, `communications` or `rules` heading.",
                    );
                }
            },
            S::Cell { roles, answer } => {
                let row = self.last_row().ok_or(
                    "A cell such as `pupils: not allowed` goes under a `row` line of a table.",
                )?;
                row.items.push(RowItem::Cell(Cell {
                    roles,
                    answer,
                    span,
                    trivia,
                }));
            }
            S::Breach { roles, incident } => {
                let breach = Breach {
                    roles,
                    incident,
                    span,
                    trivia,
                };
                if let Some(row) = self.last_row() {
                    row.items.push(RowItem::Breach(breach));
                } else if let Some(device) = self.last_device() {
                    device.items.push(DeviceItem::Breach(breach));
                } else {
                    return Err(
                        "A `breach by …` line goes under a `row` of a table, or under a `device`.",
                    );
                }
            }
            S::Follow { route } => {
                let follow = Follow {
                    route,
                    span,
                    trivia,
                };
                if let Some(row) = self.last_row() {
                    row.items.push(RowItem::Follow(follow));
                } else if let Some(incident) = self.last_incident() {
                    incident.items.push(IncidentItem::Follow(follow));
                } else {
                    return Err(
                        "A `follow route …` line goes under a `row` of a table, or under an `incident`.",
                    );
                }
            }

            // --- devices
            S::Device { id, label, group } => match self.last_section() {
                Some(Section::Devices(d)) => d.devices.push(Device {
                    id,
                    label,
                    group,
                    items: Vec::new(),
                    span,
                    trivia,
                }),
                _ => return Err("A `device` line goes after a `devices` heading."),
            },
            S::InSchool { presence, note } => {
                let device = self.last_device().ok_or(
                    "`allowed in school: …` goes under a `device` line of a `devices` table.",
                )?;
                device.items.push(DeviceItem::InSchool(InSchool {
                    presence,
                    note,
                    span,
                    trivia,
                }));
            }
            S::Network { access } => {
                let device = self.last_device().ok_or(
                    "`network access: …` goes under a `device` line of a `devices` table.",
                )?;
                device.items.push(DeviceItem::Network(NetworkLine {
                    access,
                    span,
                    trivia,
                }));
            }

            // --- incidents
            S::Response { id, label, kind } => match self.last_section() {
                Some(Section::Incidents(t)) => t.items.push(IncidentsItem::Response(Response {
                    id,
                    label,
                    kind,
                    span,
                    trivia,
                })),
                _ => return Err("A `response` line goes after an `incidents … for …` heading."),
            },
            S::Incident { id, label } => match self.last_section() {
                Some(Section::Incidents(t)) => t.items.push(IncidentsItem::Incident(Incident {
                    id,
                    label,
                    items: Vec::new(),
                    locks: Vec::new(),
                    span,
                    trivia,
                })),
                _ => return Err("An `incident` line goes after an `incidents … for …` heading."),
            },
            S::Responses {
                responses,
                optional,
            } => {
                let incident = self
                    .last_incident()
                    .ok_or("`responses: …` goes under an `incident` line.")?;
                incident.items.push(IncidentItem::Responses(ResponsesLine {
                    responses,
                    optional,
                    span,
                    trivia,
                }));
            }
            S::Repeat { after } => {
                let incident = self
                    .last_incident()
                    .ok_or("`repeat offences …` goes under an `incident` line.")?;
                incident.items.push(IncidentItem::Repeat(Repeat {
                    after,
                    span,
                    trivia,
                }));
            }
            S::Directly => {
                let incident = self
                    .last_incident()
                    .ok_or("`reported directly` goes under an `incident` line.")?;
                incident
                    .items
                    .push(IncidentItem::ReportedDirectly(Directly { span, trivia }));
            }
            S::Ladder { id, label } => match self.last_section() {
                Some(Section::Incidents(t)) => t.items.push(IncidentsItem::Ladder(Ladder {
                    id,
                    label,
                    items: Vec::new(),
                    span,
                    trivia,
                })),
                _ => return Err("A `ladder` line goes after an `incidents … for …` heading."),
            },
            S::Count { what, window } => {
                let count = Count {
                    what,
                    window,
                    span,
                    trivia,
                };
                match self.last_ladder_or_incident() {
                    Some(LadderHome::Ladder(l)) => l.items.push(LadderItem::Count(count)),
                    Some(LadderHome::Incident(i)) => i.items.push(IncidentItem::Count(count)),
                    None => {
                        return Err(
                            "A `count …` line goes under an `incident` line, or under a `ladder` of an incidents table.",
                        );
                    }
                }
            }
            S::Tier {
                number,
                or_more,
                instead,
                responses,
                route,
            } => {
                let tier = Tier {
                    number,
                    or_more,
                    instead,
                    responses,
                    route,
                    span,
                    trivia,
                };
                match self.last_ladder_or_incident() {
                    Some(LadderHome::Ladder(l)) => l.items.push(LadderItem::Tier(tier)),
                    Some(LadderHome::Incident(i)) => i.items.push(IncidentItem::Tier(tier)),
                    None => {
                        return Err(
                            "A tier (`1st time: …`) goes under an `incident` line, or under a `ladder` of an incidents table.",
                        );
                    }
                }
            }

            // --- routes
            S::Step {
                text,
                refer,
                notify,
                condition,
            } => match self.last_section() {
                Some(Section::Route(r)) => r.steps.push(Step {
                    text,
                    refer,
                    notify,
                    condition,
                    span,
                    trivia,
                }),
                _ => return Err("A `step` line goes after a `route` heading."),
            },
        }
        Ok(())
    }

    fn school_item(
        &mut self,
        kind: SchoolItemKind,
        span: Span,
        trivia: Trivia,
    ) -> Result<(), &'static str> {
        match self.last_section() {
            Some(Section::School(s)) => {
                s.items.push(SchoolItem { kind, span, trivia });
                Ok(())
            }
            _ => Err(
                "School details (`template`, `approved`, `review by`, `owner`) go under the `school \"…\"` heading.",
            ),
        }
    }

    fn timetable_item(&mut self, item: TimetableItem) -> Result<(), &'static str> {
        match self.last_section() {
            Some(Section::Timetable(t)) => {
                t.items.push(item);
                Ok(())
            }
            _ => Err("Days, aliases, terms and holidays go under the `timetable` heading."),
        }
    }

    fn last_row(&mut self) -> Option<&mut Row> {
        match self.last_section()? {
            Section::Table(t) => t.items.iter_mut().rev().find_map(|i| match i {
                TableItem::Row(r) => Some(r),
                TableItem::Column(_) => None,
            }),
            _ => None,
        }
    }

    fn last_device(&mut self) -> Option<&mut Device> {
        match self.last_section()? {
            Section::Devices(d) => d.devices.last_mut(),
            _ => None,
        }
    }

    /// The latest incident of the current incidents table, unless a
    /// `ladder` came after it (a line below a ladder is the ladder's).
    fn last_incident(&mut self) -> Option<&mut Incident> {
        match self.last_ladder_or_incident()? {
            LadderHome::Incident(i) => Some(i),
            LadderHome::Ladder(_) => None,
        }
    }

    /// The latest incident or ladder of the current incidents table.
    fn last_ladder_or_incident(&mut self) -> Option<LadderHome<'_>> {
        match self.last_section()? {
            Section::Incidents(t) => t.items.iter_mut().rev().find_map(|i| match i {
                IncidentsItem::Incident(r) => Some(LadderHome::Incident(r)),
                IncidentsItem::Ladder(l) => Some(LadderHome::Ladder(l)),
                _ => None,
            }),
            _ => None,
        }
    }
}

/// Where a `count` or tier line goes: an incident's own ladder, or a ladder
/// of the table.
enum LadderHome<'a> {
    Incident(&'a mut Incident),
    Ladder(&'a mut Ladder),
}
