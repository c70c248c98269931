//! Incidents tables, escalation routes, and the links between them.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;

use super::Checker;
use super::ladders::LadderLines;
use crate::ast::{IncidentItem, Name, ResponseKind, Section};
use crate::diagnostic::Code;
use crate::model::{FxMap, ResponseInfo, RoleId, RouteId, RouteInfo, StepInfo, StepTest};
use crate::span::Span;

/// The most steps a route may have (a bit each in a decision's step mask).
pub const MAX_ROUTE_STEPS: usize = 64;

pub(super) use crate::escalation::ResponseClass;

#[derive(Debug)]
pub(super) struct IncidentTableDraft {
    pub(super) id: Arc<str>,
    pub(super) roles: Vec<RoleId>,
    /// The response columns, in the table's order.
    pub(super) responses: IndexMap<Arc<str>, (ResponseInfo, ResponseClass)>,
    /// The incident whose responses repeat offences add, and after how many.
    pub(super) repeat: Option<(usize, u32)>,
    /// The table's own ladders (indices into `IncidentState::ladders`).
    pub(super) ladders: Vec<u32>,
    /// Where each of them is written, for W0112.
    pub(super) ladder_spans: Vec<Span>,
    /// The ids of the table's ladders, for duplicates.
    pub(super) ladder_ids: Vec<(Arc<str>, Span)>,
}

#[derive(Debug)]
pub(super) struct IncidentDraft {
    pub(super) table: usize,
    pub(super) id: Arc<str>,
    pub(super) label: Arc<str>,
    pub(super) span: Span,
    /// Where its id is written, for diagnostics that point at it.
    pub(super) id_span: Span,
    pub(super) responses: Vec<(ResponseInfo, ResponseClass)>,
    pub(super) route: Option<RouteId>,
    pub(super) reported_directly: bool,
    /// Whether some breach leads to it.
    pub(super) linked: bool,
    /// Its own ladder (an index into `IncidentState::ladders`), and where
    /// its `count` line is.
    pub(super) ladder: Option<u32>,
    pub(super) ladder_span: Option<Span>,
}

#[derive(Debug, Default)]
pub(crate) struct IncidentState {
    pub(super) tables: Vec<IncidentTableDraft>,
    pub(super) incidents: Vec<IncidentDraft>,
    /// Every ladder, compiled.
    pub(super) ladders: Vec<crate::escalation::LadderInfo>,
    /// The incidents with each id (one per table that uses it), so that a
    /// breach line finds its incident without reading them all.
    by_id: FxMap<Arc<str>, Vec<usize>>,
}

impl IncidentState {
    /// Adds an incident, and indexes it by id.
    pub(super) fn push(&mut self, incident: IncidentDraft) {
        self.by_id
            .entry(incident.id.clone())
            .or_default()
            .push(self.incidents.len());
        self.incidents.push(incident);
    }

    /// The indices of the incidents with this id.
    pub(super) fn with_id(&self, id: &str) -> &[usize] {
        self.by_id.get(id).map_or(&[], Vec::as_slice)
    }
}

/// Why an incident could not be found for a role.
pub(super) enum NotFound {
    /// No incident has that id at all.
    Unknown,
    /// Incidents with that id exist, but their tables are for other roles.
    OtherRoles(Vec<Arc<str>>),
}

impl Checker<'_, '_> {
    /// `role` and the groups above it, most specific first, without
    /// allocating. Bounded by the number of roles, so that a cycle (reported
    /// when roles are checked) cannot loop forever.
    pub(super) fn ancestors(&self, role: RoleId) -> impl Iterator<Item = RoleId> + '_ {
        let mut current = Some(role);
        let mut left = self.roles.len() + 1;
        std::iter::from_fn(move || {
            left = left.checked_sub(1)?;
            let c = current?;
            current = self.roles.get(usize::from(c)).and_then(|r| r.parent_id);
            Some(c)
        })
    }

    /// The incident with this id in the most specific incidents table that
    /// covers `role`.
    pub(super) fn find_incident(&self, role: RoleId, id: &str) -> Result<usize, NotFound> {
        // Called for every breach line: the index gives the (one or few)
        // incidents with the id.
        let candidates = self.incidents.with_id(id).iter().copied();
        if self.incidents.with_id(id).is_empty() {
            return Err(NotFound::Unknown);
        }
        for ancestor in self.ancestors(role) {
            for c in candidates.clone() {
                let table = self.incidents.incidents.get(c).map(|i| i.table);
                let covers = table
                    .and_then(|t| self.incidents.tables.get(t))
                    .is_some_and(|t| t.roles.contains(&ancestor));
                if covers {
                    return Ok(c);
                }
            }
        }
        let tables = candidates
            .filter_map(|c| self.incidents.incidents.get(c))
            .filter_map(|i| self.incidents.tables.get(i.table))
            .map(|t| t.id.clone())
            .collect();
        Err(NotFound::OtherRoles(tables))
    }

    pub(super) fn declare_routes(&mut self, sections: &[Section]) {
        for section in sections {
            let Section::Route(route) = section else {
                continue;
            };
            let id = RouteId::try_from(self.routes.len()).unwrap_or(RouteId::MAX);
            if !Self::define(
                self.r,
                &mut self.route_defs,
                &route.id,
                id,
                "Give each route its own id.",
            ) {
                continue;
            }
            self.require_label(&route.label, "route");
            self.routes.push(RouteInfo {
                id: route.id.text.clone(),
                label: route.label.text.clone(),
                line: route.span.line,
                file: Checker::file_name(&self.files, self.file_of(route.span)),
                steps: Arc::from(Vec::new()),
            });
            self.route_used.push(false);
        }
    }

    /// Resolves `follow route x`, marking the route used.
    pub(super) fn follow(&mut self, name: &Name) -> Option<RouteId> {
        match self.route_defs.get(&name.text).copied() {
            Some(id) => {
                if let Some(used) = self.route_used.get_mut(id as usize) {
                    *used = true;
                }
                Some(id)
            }
            None => {
                self.broken_links = true;
                let names: Vec<String> = self.route_defs.names().map(str::to_owned).collect();
                Self::unknown(
                    self.r,
                    "route",
                    name,
                    names.iter().map(String::as_str),
                    "Routes are defined with `route <id> \"<title>\"` and their steps.",
                );
                None
            }
        }
    }

    pub(super) fn check_routes(&mut self, sections: &[Section]) {
        for section in sections {
            let Section::Route(route) = section else {
                continue;
            };
            let Some(&id) = self
                .route_defs
                .map
                .get(&*route.id.text)
                .filter(|d| d.span == route.id.span)
                .map(|d| &d.value)
            else {
                continue;
            };
            if route.steps.len() > MAX_ROUTE_STEPS
                && let Some(step) = route.steps.get(MAX_ROUTE_STEPS)
            {
                self.r
                    .report(
                        Code::LimitExceeded,
                        step.span,
                        format!("a route may have at most {MAX_ROUTE_STEPS} steps"),
                    )
                    .label("one step too many")
                    .help("Split the procedure into several routes, e.g. one per kind of concern.");
            }
            if route.steps.is_empty() && !self.partial {
                self.r
                    .report(Code::EmptyRoute, route.span, format!("route `{}` has no steps", route.id.text))
                    .label("no `step` lines follow")
                    .help("Add the procedure's steps in order, e.g. `step \"Inform the DSL immediately\" refer dsl`.");
            }
            let mut steps = Vec::new();
            for (n, step) in route.steps.iter().take(MAX_ROUTE_STEPS).enumerate() {
                self.require_label(&step.text, "step");
                let refer = self.targets(&step.refer);
                let notify = self.targets(&step.notify);
                let mut test = None;
                let mut condition_text = None;
                if let Some(c) = &step.condition {
                    let word = if c.negated { "unless" } else { "if" };
                    condition_text = Some(Arc::from(
                        format!("{word} {}", crate::condition::words(&c.cond)).as_str(),
                    ));
                    test = self.condition(&c.cond).map(|expr| StepTest {
                        negated: c.negated,
                        expr: Arc::new(expr),
                    });
                }
                steps.push(StepInfo {
                    number: u32::try_from(n + 1).unwrap_or(u32::MAX),
                    text: step.text.text.clone(),
                    refer: Arc::from(refer),
                    notify: Arc::from(notify),
                    condition: condition_text,
                    line: step.span.line,
                    test,
                });
            }
            if let Some(r) = self.routes.get_mut(id as usize) {
                r.steps = Arc::from(steps);
            }
        }
    }

    pub(super) fn check_incidents(&mut self, sections: &[Section]) {
        for section in sections {
            let Section::Incidents(table) = section else {
                continue;
            };
            if !self.define_table(&table.id, &table.label) {
                continue;
            }
            let roles = self.resolve_roles(&table.roles, None);
            let table_index = self.incidents.tables.len();
            let mut draft = IncidentTableDraft {
                id: table.id.text.clone(),
                roles,
                responses: IndexMap::new(),
                repeat: None,
                ladders: Vec::new(),
                ladder_spans: Vec::new(),
                ladder_ids: Vec::new(),
            };

            // Response columns first: incidents may list any of them.
            let mut response_spans: HashMap<Arc<str>, Span> = HashMap::new();
            for response in table.responses() {
                self.require_label(&response.label, "response");
                if let Some(first) = response_spans.get(&*response.id.text) {
                    self.r
                        .report(
                            Code::DuplicateDefinition,
                            response.id.span,
                            format!(
                                "response `{}` is defined twice in this table",
                                response.id.text
                            ),
                        )
                        .label("defined again here")
                        .secondary(*first, "first defined here")
                        .help("Give each response column its own id.");
                    continue;
                }
                response_spans.insert(response.id.text.clone(), response.id.span);
                let (to, class) = match &response.kind {
                    ResponseKind::Refer { to } => (self.targets(to), ResponseClass::Referral),
                    ResponseKind::Notify { to } => (self.targets(to), ResponseClass::Notification),
                    ResponseKind::Sanction => (Vec::new(), ResponseClass::Sanction),
                };
                let info = ResponseInfo {
                    id: response.id.text.clone(),
                    label: response.label.text.clone(),
                    to: Arc::from(to),
                    optional: false,
                };
                draft
                    .responses
                    .insert(response.id.text.clone(), (info, class));
            }

            let mut incident_spans: HashMap<Arc<str>, Span> = HashMap::new();
            let mut repeat_span: Option<Span> = None;
            for incident in table.incidents() {
                self.require_label(&incident.label, "incident");
                if let Some(first) = incident_spans.get(&*incident.id.text) {
                    self.r
                        .report(
                            Code::DuplicateDefinition,
                            incident.id.span,
                            format!(
                                "incident `{}` is defined twice in this table",
                                incident.id.text
                            ),
                        )
                        .label("defined again here")
                        .secondary(*first, "first defined here")
                        .help("Give each incident its own id.");
                    continue;
                }
                incident_spans.insert(incident.id.text.clone(), incident.id.span);
                // The same id in another table for overlapping roles would
                // make breaches and questions ambiguous.
                let clash = self
                    .incidents
                    .with_id(&incident.id.text)
                    .iter()
                    .filter_map(|&n| self.incidents.incidents.get(n))
                    .find(|other| {
                        self.incidents
                            .tables
                            .get(other.table)
                            .is_some_and(|t| t.roles.iter().any(|r| draft.roles.contains(r)))
                    });
                if let Some(other) = clash {
                    let other_span = other.id_span;
                    self.r
                        .report(Code::DuplicateDefinition, incident.id.span, format!("incident `{}` is also defined in another incidents table for the same roles", incident.id.text))
                        .label("defined again here")
                        .secondary(other_span, "first defined here")
                        .help("Incidents tables for the same roles share one set of incident ids; rename one of them.");
                    continue;
                }

                let mut responses: Vec<(ResponseInfo, ResponseClass)> = Vec::new();
                let mut route = None;
                let mut reported_directly = false;
                // An unknown response name was already reported; the incident
                // then only looks empty.
                let mut unknown_response = false;
                let incident_index = self.incidents.incidents.len();
                let mut ladder_lines = LadderLines::default();
                for item in &incident.items {
                    match item {
                        IncidentItem::Responses(line) => {
                            for name in &line.responses {
                                match draft.responses.get(&*name.text) {
                                    Some(r) => {
                                        match responses.iter().find(|(x, _)| x.id == r.0.id) {
                                            None => {
                                                let mut r = r.clone();
                                                r.0.optional = line.optional;
                                                responses.push(r);
                                            }
                                            Some((x, _)) if x.optional != line.optional => {
                                                self.r
                                                    .report(Code::Conflict, name.span, format!("response `{}` is listed both as always and as appropriate", name.text))
                                                    .label("listed again")
                                                    .help("List each response once: under `responses:` if the document marks it X, under `responses as appropriate:` if it marks it (X).");
                                            }
                                            Some(_) => {}
                                        }
                                    }
                                    None => {
                                        unknown_response = true;
                                        let names: Vec<Arc<str>> =
                                            draft.responses.keys().cloned().collect();
                                        Self::unknown(
                                            self.r,
                                            "response",
                                            name,
                                            names.iter().map(|n| &**n),
                                            "List the response columns of this table, defined with `response <id> \"<heading>\" …` above the incidents.",
                                        );
                                    }
                                }
                            }
                        }
                        IncidentItem::Follow(f) => {
                            if route.is_some() {
                                self.r
                                    .report(Code::Conflict, f.span, "this incident already follows a route")
                                    .label("second route")
                                    .help("An incident follows one route; put the steps of both into one route if both apply.");
                            }
                            route = self.follow(&f.route).or(route);
                        }
                        IncidentItem::Repeat(repeat) => {
                            if repeat.after == 0 {
                                self.r
                                    .report(Code::NumberOutOfRange, repeat.span, "a repeat offence needs at least 1 prior incident")
                                    .label("0 prior incidents")
                                    .help("Write `repeat offences after 1 prior incident` for \"continued infringements following previous warnings\".");
                            } else if let Some(first) = repeat_span {
                                self.r
                                    .report(Code::DuplicateDefinition, repeat.span, "this table already has an incident for repeat offences")
                                    .label("second repeat-offence incident")
                                    .secondary(first, "first here")
                                    .help("One incident per table says what repeat offences add; keep one `repeat offences` line.");
                            } else {
                                repeat_span = Some(repeat.span);
                                draft.repeat = Some((incident_index, repeat.after));
                            }
                        }
                        IncidentItem::ReportedDirectly(_) => reported_directly = true,
                        IncidentItem::Count(c) => ladder_lines.counts.push(c),
                        IncidentItem::Tier(t) => ladder_lines.tiers.push(t),
                    }
                }
                let ladder_span = ladder_lines.anchor();
                let ladder = ladder_span.and_then(|_| {
                    self.ladder(
                        &draft,
                        &incident.id.text,
                        &incident.label.text,
                        &ladder_lines,
                        true,
                    )
                });
                // Responses come in the table's column order, as the document
                // lays them out, whatever order the line lists them in.
                responses.sort_by_key(|(r, _)| draft.responses.get_index_of(&*r.id));
                if responses.is_empty()
                    && route.is_none()
                    && ladder_span.is_none()
                    && !self.partial
                    && !unknown_response
                {
                    self.r
                        .report(Code::EmptyIncident, incident.id.span, format!("incident `{}` has no responses and follows no route", incident.id.text))
                        .label("nothing follows from it")
                        .help("Add `responses: …` with the marked columns of the document, or `follow route …`. If the document marks nothing, leave a comment saying so.");
                }
                self.incidents.push(IncidentDraft {
                    table: table_index,
                    id: incident.id.text.clone(),
                    label: incident.label.text.clone(),
                    span: incident.span,
                    id_span: incident.id.span,
                    responses,
                    route,
                    reported_directly,
                    linked: false,
                    ladder,
                    ladder_span,
                });
            }
            for ladder in table.ladders() {
                self.table_ladder(&mut draft, ladder);
            }
            self.incidents.tables.push(draft);
        }
    }

    /// Cross-checks once every link is known.
    pub(super) fn check_links(&mut self) {
        if self.partial || self.broken_links {
            return;
        }
        let repeats: Vec<usize> = self
            .incidents
            .tables
            .iter()
            .filter_map(|t| t.repeat.map(|(i, _)| i))
            .collect();
        let mut reports = Vec::new();
        let mut ladders = Vec::new();
        // Whether a question about the incident can arise from something
        // other than asking for it by name.
        let reached = |n: usize, incident: &IncidentDraft| {
            incident.linked || incident.reported_directly || repeats.contains(&n)
        };
        for (n, incident) in self.incidents.incidents.iter().enumerate() {
            if reached(n, incident) {
                continue;
            }
            if let Some(span) = incident.ladder_span {
                ladders.push((
                    span,
                    format!(
                        "the ladder of incident `{}` can never climb: no breach leads to it",
                        incident.id
                    ),
                ));
            } else if incident.route.is_none() {
                reports.push((incident.id_span, incident.id.clone()));
            }
        }
        for (t, table) in self.incidents.tables.iter().enumerate() {
            let any_reached = self
                .incidents
                .incidents
                .iter()
                .enumerate()
                .any(|(n, i)| i.table == t && reached(n, i));
            if any_reached {
                continue;
            }
            for (index, span) in table.ladders.iter().zip(&table.ladder_spans) {
                let Some(ladder) = self.incidents.ladders.get(*index as usize) else {
                    continue;
                };
                ladders.push((*span, format!("ladder `{}` can never climb: no breach leads to any incident of table `{}`", ladder.reference.id, table.id)));
            }
        }
        for (span, message) in ladders {
            self.r
                .report(Code::UnreachableLadder, span, message)
                .label("nothing leads here")
                .help("A ladder counts incidents that rows of the policy lead to. Link the rows that constitute the incident with `breach by <role>: <incident>`, or say `reported directly` under the incident if staff report it without a row.");
        }
        for (span, id) in reports {
            self.r
                .report(Code::UnlinkedIncident, span, format!("no breach leads to incident `{id}`, and it follows no route"))
                .label("nothing leads here")
                .help("Link the rows that constitute this incident with `breach by <role>: <incident>`. If staff report it directly rather than through a table row, say so with `reported directly` under the incident.");
        }
        let unused: Vec<(Arc<str>, u32)> = self
            .routes
            .iter()
            .zip(&self.route_used)
            .filter(|(_, used)| !**used)
            .map(|(r, _)| (r.id.clone(), r.line))
            .collect();
        for (id, _) in unused {
            let Some(span) = self.route_defs.map.get(&*id).map(|d| d.span) else {
                continue;
            };
            self.r
                .report(Code::UnusedRoute, span, format!("no incident or row follows route `{id}`"))
                .label("never followed")
                .help("Add `follow route <id>` under the incidents (or rows) that lead to this procedure, so that questions about them bring its steps.");
        }
    }
}
