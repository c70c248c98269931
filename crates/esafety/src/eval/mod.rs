//! Evaluation: a [`Query`] in, a [`Decision`] out.
//!
//! Pure and total: no I/O, no clock (the moment comes in the query), no
//! panics. Unknown names are [`QueryError`]s with the closest known names. A
//! question the policy does not answer is denied with `default: true`.
//!
//! The lists in a decision (referrals, sanctions, route steps) are shared with
//! the policy rather than copied, so a decision asked without an explanation
//! does not allocate.

mod conditions;
mod ladders;
mod roles;

use roles::RolesAsked;

use std::sync::Arc;

use crate::decision::{Condition, ConditionKind, Decision, RouteOutcome, Verdict};
use crate::model::{
    BreachEntry, Capability, CellAnswer, IncidentId, LabelMatch, NO_CELL, NetworkAccess, Policy,
    PresenceAnswer, RoleId, RouteInfo, RowId, RuleRef,
};
use crate::query::{Query, QueryError};
use crate::suggest::{self, normalize_label};

/// How a row, device or incident was decided, before the consequences.
struct Outcome {
    verdict: Verdict,
    condition: Option<Condition>,
    default: bool,
    /// Whether the verdict is a breach that brings the linked incident.
    breach: bool,
}

impl Outcome {
    fn new(verdict: Verdict) -> Self {
        Outcome {
            verdict,
            condition: None,
            default: false,
            breach: matches!(verdict, Verdict::Denied | Verdict::Illegal),
        }
    }
}

impl Policy {
    /// Answers a question.
    ///
    /// ```
    /// use esafety::{Policy, Query, Verdict};
    ///
    /// let policy = Policy::parse("demo.policy", r#"
    /// school "Demo Primary"
    /// timetable
    ///   monday to friday
    ///     lessons 09:00 to 12:00
    ///     lunch 12:00 to 13:00
    /// communications comms "Communications"
    ///   column pupils "Pupils" for pupil
    ///   row phones "Use of mobile phones in social time"
    ///     pupils: allowed at certain times during lunch
    /// "#).unwrap();
    ///
    /// let lunch = jiff::civil::date(2025, 11, 4).at(12, 30, 0, 0);
    /// let d = policy.decide(&Query::action("pupil", "phones").at(lunch)).unwrap();
    /// assert_eq!(d.verdict, Verdict::Allowed);
    ///
    /// let d = policy.decide(&Query::action("pupil", "Use of mobile phones in social time")).unwrap();
    /// assert_eq!(d.verdict, Verdict::Conditional); // no time given
    /// ```
    pub fn decide(&self, query: &Query) -> Result<Decision, QueryError> {
        query.check_lengths()?;
        self.check_facts(query)?;
        self.check_place(query)?;
        match (&query.action, &query.incident, &query.device) {
            (Some(action), None, None) => {
                let roles = self.find_roles(query, true)?;
                let row = self.find_row(action)?;
                self.check_history(query, &roles)?;
                let decision = self.as_roles(&roles, query, |role| self.decide_row(role, row, query));
                self.checked(decision, query)
            }
            (None, Some(incident), None) => {
                let roles = self.find_roles(query, true)?;
                self.check_history(query, &roles)?;
                let decision = self.decide_incident_as(&roles, incident, query)?;
                self.checked(decision, query)
            }
            (Some(capability), None, Some(device)) => {
                let roles = self.find_roles(query, false)?;
                let device = self.find_device(device)?;
                let capability = find_capability(capability)?;
                self.check_history(query, &roles)?;
                let decision = if roles.is_empty() {
                    self.decide_device(None, device, capability, query)
                } else {
                    self.as_roles(&roles, query, |role| {
                        self.decide_device(Some(role), device, capability, query)
                    })
                };
                self.checked(decision, query)
            }
            (None, None, Some(_)) => Err(QueryError::Incomplete(
                "a device question also needs an action: \"Allowed in school\", \"Full network access\", \"Internet only\" or \"No network access\"".to_owned(),
            )),
            (None, None, None) => Err(QueryError::Incomplete(
                "say what to ask about: an action (a row of a table), an incident, or a device and an action".to_owned(),
            )),
            _ => Err(QueryError::Incomplete(
                "ask about one thing at a time: an action, an incident, or a device with an action".to_owned(),
            )),
        }
    }

    /// The decision, unless its incident's ladders cannot count at the
    /// question's time (see `ladders::check_windows`).
    fn checked(&self, decision: Decision, query: &Query) -> Result<Decision, QueryError> {
        if !query.history.is_empty() && !decision.escalation.is_empty() {
            self.check_windows(self.incident_of(&decision), query)?;
        }
        Ok(decision)
    }

    /// A condition with nothing listed.
    fn plain_condition(&self, kind: ConditionKind, text: Arc<str>) -> Condition {
        Condition::plain(kind, text, &self.data.no_names)
    }

    // --- look-ups -----------------------------------------------------------

    fn check_facts(&self, query: &Query) -> Result<(), QueryError> {
        for name in query.facts.keys() {
            if !self.data.facts.iter().any(|f| &*f.id == name.as_str()) {
                let suggestions = suggest::closest(name, self.data.facts.iter().map(|f| &*f.id))
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
                return Err(QueryError::UnknownFact {
                    given: name.clone(),
                    suggestions,
                });
            }
        }
        Ok(())
    }

    fn check_place(&self, query: &Query) -> Result<(), QueryError> {
        let Some(place) = query.place.as_deref() else {
            return Ok(());
        };
        if self.place_bit(place).is_some() {
            return Ok(());
        }
        Err(QueryError::UnknownPlace {
            given: place.to_owned(),
            suggestions: suggest::closest(place, self.data.places.iter().map(|p| &*p.id))
                .into_iter()
                .map(str::to_owned)
                .collect(),
            declared: !self.data.places.is_empty(),
        })
    }

    /// The roles a question names, each once, in the order given; at least
    /// one when `required`.
    fn find_roles(&self, query: &Query, required: bool) -> Result<RolesAsked, QueryError> {
        let mut roles = RolesAsked::default();
        for name in query.role_names() {
            roles.add(self.find_role(name)?);
        }
        if required && roles.is_empty() {
            return Err(QueryError::Incomplete(
                "say whose action it is: a role such as `pupil`, `year-5` or `teacher`".to_owned(),
            ));
        }
        Ok(roles)
    }

    fn find_role(&self, role: &str) -> Result<RoleId, QueryError> {
        if let Some(&id) = self.data.role_index.get(role) {
            return Ok(id);
        }
        // "Year 5" → "year-5".
        let folded = normalize_label(role).replace(' ', "-");
        if let Some(&id) = self.data.role_index.get(folded.as_str()) {
            return Ok(id);
        }
        // `everyone` is the hidden root above the base roles: no person is
        // only "everyone", so a question names one of the roles below it.
        let suggestions = if folded == "everyone" {
            crate::model::BASE_ROLES
                .iter()
                .map(|r| (*r).to_owned())
                .collect()
        } else {
            suggest::closest(&folded, self.roles().iter().map(|r| &*r.id))
                .into_iter()
                .map(str::to_owned)
                .collect()
        };
        Err(QueryError::UnknownRole {
            given: role.to_owned(),
            suggestions,
        })
    }

    fn find_row(&self, name: &str) -> Result<RowId, QueryError> {
        if let Some(id) = self.data.row_index.id(name) {
            return Ok(id);
        }
        let label_of = |r: RowId| self.data.rows.get(r as usize).map_or("", |r| &*r.label);
        match self.data.row_index.label(name, label_of) {
            LabelMatch::One(one) => return Ok(one),
            LabelMatch::Many(many) => {
                return Err(QueryError::Ambiguous {
                    given: name.to_owned(),
                    candidates: many
                        .iter()
                        .filter_map(|r| self.data.rows.get(*r as usize).map(|r| r.id.to_string()))
                        .collect(),
                });
            }
            LabelMatch::None => {}
        }
        let normal = normalize_label(name);
        Err(QueryError::UnknownAction {
            given: name.to_owned(),
            suggestions: suggestions(&normal, self.data.rows.iter().map(|r| (&*r.id, &*r.label))),
        })
    }

    fn find_device(&self, name: &str) -> Result<u32, QueryError> {
        if let Some(id) = self.data.device_index.id(name) {
            return Ok(id);
        }
        let label_of = |d: u32| {
            self.data
                .devices
                .get(d as usize)
                .map_or("", |d| &*d.summary.label)
        };
        match self.data.device_index.label(name, label_of) {
            LabelMatch::One(one) => return Ok(one),
            LabelMatch::Many(many) => {
                return Err(QueryError::Ambiguous {
                    given: name.to_owned(),
                    candidates: many
                        .iter()
                        .filter_map(|d| {
                            self.data
                                .devices
                                .get(*d as usize)
                                .map(|d| d.summary.id.to_string())
                        })
                        .collect(),
                });
            }
            LabelMatch::None => {}
        }
        let normal = normalize_label(name);
        Err(QueryError::UnknownDevice {
            given: name.to_owned(),
            suggestions: suggestions(
                &normal,
                self.data
                    .devices
                    .iter()
                    .map(|d| (&*d.summary.id, &*d.summary.label)),
            ),
        })
    }

    fn find_incident(&self, role: RoleId, name: &str) -> Result<IncidentId, QueryError> {
        // Look the id up first: normalising a label allocates.
        let candidates: &[IncidentId] = match self.data.incident_index.get(name) {
            Some(c) => c,
            None => match self.data.incident_labels.get(&normalize_label(name)) {
                Some(c) => c,
                None => return Err(self.unknown_incident(name)),
            },
        };
        // The incident of the most specific table that covers the role.
        for ancestor in self.ancestors(role) {
            let covers = |c: &IncidentId| {
                self.data
                    .incidents
                    .get(*c as usize)
                    .and_then(|i| self.data.incident_tables.get(i.table_index as usize))
                    .is_some_and(|t| t.roles.contains(&ancestor))
            };
            let mut found = candidates.iter().filter(|c| covers(c));
            match (found.next(), found.next()) {
                (None, _) => continue,
                (Some(one), None) => return Ok(*one),
                (Some(_), Some(_)) => {
                    return Err(QueryError::Ambiguous {
                        given: name.to_owned(),
                        candidates: candidates
                            .iter()
                            .filter(|c| covers(c))
                            .filter_map(|c| self.data.incidents.get(*c as usize))
                            .map(|i| format!("{}:{}", i.summary.table, i.summary.id))
                            .collect(),
                    });
                }
            }
        }
        let mut for_roles: Vec<String> = candidates
            .iter()
            .filter_map(|c| self.data.incidents.get(*c as usize))
            .flat_map(|i| i.summary.roles.iter().map(|r| r.to_string()))
            .collect();
        for_roles.sort();
        for_roles.dedup();
        Err(QueryError::IncidentNotForRole {
            incident: name.to_owned(),
            role: self.role_name(role).to_owned(),
            for_roles,
        })
    }

    /// No incident has this id or label: the error, with the closest.
    fn unknown_incident(&self, name: &str) -> QueryError {
        let normal = normalize_label(name);
        QueryError::UnknownIncident {
            given: name.to_owned(),
            suggestions: suggestions(
                &normal,
                self.data
                    .incidents
                    .iter()
                    .map(|i| (&*i.summary.id, &*i.summary.label)),
            ),
        }
    }

    /// The name of a file of a family, by its index (`None` for a policy on
    /// its own).
    fn file_name(&self, file: u16) -> Option<Arc<str>> {
        self.data.files.get(usize::from(file)).cloned()
    }

    fn role_name(&self, role: RoleId) -> &str {
        self.data
            .roles
            .get(usize::from(role))
            .map_or("?", |r| &*r.id)
    }

    fn fact(&self, query: &Query, name: &str) -> Option<bool> {
        query.facts.get(name).copied()
    }

    // --- deciding -----------------------------------------------------------

    fn decide_row(&self, role: RoleId, row_id: RowId, query: &Query) -> Decision {
        let explain = query.explain;
        let mut why = Vec::new();
        let roles = self.data.roles.len();
        let Some(row) = self.data.rows.get(row_id as usize) else {
            return self.unanswered(why, query);
        };
        let table = self.data.tables.get(row.table as usize);
        // Borrowed, not cloned: only an explanation names the table, and an
        // `Arc` clone and drop on every decision cost a tenth of one.
        let table_id: &str = table.map_or("", |t| &t.id);
        let cell_id = self
            .data
            .matrix
            .get(row_id as usize * roles + usize::from(role))
            .copied()
            .unwrap_or(NO_CELL);
        let cell = self.data.cells.get(cell_id as usize);

        if explain {
            self.explain_role(role, &mut why);
            let kind = table.map_or("", |t| t.kind.keyword());
            why.push(format!(
                "Row `{}` \"{}\" is in the {kind} table `{table_id}` ({}).",
                row.id,
                row.label,
                cite(row.rule.file.as_deref(), row.line)
            ));
        }

        let rule = cell.map_or_else(|| row.rule.clone(), |c| c.rule.clone());

        let Some(cell) = cell else {
            if explain {
                why.push(format!(
                    "The row gives no answer for `{}` or any group it belongs to, so esafety denies it: a question the policy does not answer is denied.",
                    self.role_name(role)
                ));
            }
            return self.finish(
                Outcome {
                    verdict: Verdict::Denied,
                    condition: None,
                    default: true,
                    breach: false,
                },
                Some(rule),
                None,
                None,
                why,
                query,
            );
        };
        if explain {
            // "allowed only …": the first word, then the condition in full.
            let words = match (&cell.answer, &cell.condition) {
                (CellAnswer::When { .. }, Some(condition)) => format!(
                    "{} {condition}",
                    cell.words.split(' ').next().unwrap_or_default()
                ),
                _ => cell.words.to_owned(),
            };
            why.push(format!(
                "{} answers for `{}`: {words}.",
                crate::suggest::capitalise(&cite(cell.rule.file.as_deref(), cell.line)),
                cell.roles_text
            ));
            self.explain_more_specific(role, row_id, &mut why);
        }

        let outcome = match &cell.answer {
            CellAnswer::Allow => Outcome::new(Verdict::Allowed),
            CellAnswer::Deny => Outcome::new(Verdict::Denied),
            CellAnswer::Illegal => Outcome::new(Verdict::Illegal),
            CellAnswer::Blank => {
                if explain {
                    why.push(
                        "The document leaves this cell blank, so esafety denies it.".to_owned(),
                    );
                }
                Outcome {
                    verdict: Verdict::Denied,
                    condition: None,
                    default: true,
                    breach: false,
                }
            }
            CellAnswer::AtTimes(window) => {
                self.timed(window.as_deref(), cell.condition.clone(), query, &mut why)
            }
            CellAnswer::Nominated => self.with_fact(
                query,
                "nominated",
                ConditionKind::Nominated,
                cell.condition.clone(),
                &mut why,
            ),
            CellAnswer::Permission => self.with_fact(
                query,
                "permission",
                ConditionKind::Permission,
                cell.condition.clone(),
                &mut why,
            ),
            CellAnswer::When { expr, only } => {
                self.when(expr, *only, cell.condition.clone(), query, &mut why)
            }
        };
        let incident = if outcome.breach {
            let entries = usize::try_from(row.breaches.start).unwrap_or(usize::MAX)
                ..usize::try_from(row.breaches.end).unwrap_or(usize::MAX);
            let entries = self.data.breaches.get(entries).unwrap_or_default();
            self.breach_incident(role, entries, explain, &mut why)
        } else {
            None
        };
        self.finish(outcome, Some(rule), incident, row.route, why, query)
    }

    fn decide_device(
        &self,
        role: Option<RoleId>,
        device_id: u32,
        capability: Capability,
        query: &Query,
    ) -> Decision {
        let explain = query.explain;
        let mut why = Vec::new();
        let Some(device) = self.data.devices.get(device_id as usize) else {
            return self.unanswered(why, query);
        };
        let d = &device.summary;
        if explain {
            why.push(format!(
                "`{}` \"{}\" is a device kind of the table `{}` \"{}\" (line {}).",
                d.id, d.label, d.table, device.table_label, d.line
            ));
        }
        let line = match capability {
            Capability::AllowedInSchool => device.presence_line,
            _ => device.network_line,
        };
        let index = Capability::ALL
            .iter()
            .position(|c| *c == capability)
            .unwrap_or(0);
        let Some(rule) = device.rules.get(index).cloned() else {
            return self.unanswered(why, query);
        };
        let mut note = None;
        let outcome = match capability.access() {
            None => {
                note = device.note.clone();
                match device.presence {
                    PresenceAnswer::Yes => {
                        if explain {
                            let extra = device
                                .note
                                .as_deref()
                                .map(|n| format!(" ({n})"))
                                .unwrap_or_default();
                            why.push(format!("Line {line}: allowed in school: yes{extra}."));
                        }
                        Outcome::new(Verdict::Allowed)
                    }
                    PresenceAnswer::No => {
                        if explain {
                            why.push(format!("Line {line}: allowed in school: no."));
                        }
                        Outcome::new(Verdict::Denied)
                    }
                    PresenceAnswer::Permission => self.with_fact(
                        query,
                        "permission",
                        ConditionKind::Permission,
                        device.presence_condition.clone(),
                        &mut why,
                    ),
                    PresenceAnswer::Blank => {
                        if explain {
                            why.push("The policy does not say whether these devices are allowed in school, so esafety denies it.".to_owned());
                        }
                        Outcome {
                            verdict: Verdict::Denied,
                            condition: None,
                            default: true,
                            breach: false,
                        }
                    }
                }
            }
            Some(asked) => {
                let has = |a: NetworkAccess| match a {
                    NetworkAccess::Full => "full network access",
                    NetworkAccess::InternetOnly => "internet only",
                    NetworkAccess::None => "no network access",
                    _ => "blank",
                };
                if device.network == NetworkAccess::Blank {
                    if explain {
                        why.push("The policy does not say what network access these devices get, so esafety denies it.".to_owned());
                    }
                    Outcome {
                        verdict: Verdict::Denied,
                        condition: None,
                        default: true,
                        breach: false,
                    }
                } else if device.network == asked {
                    if explain {
                        why.push(format!(
                            "Line {line}: the table marks \"{}\" for {}.",
                            capability.label(),
                            d.label
                        ));
                    }
                    Outcome::new(Verdict::Allowed)
                } else {
                    if explain {
                        why.push(format!(
                            "Line {line}: {} devices get {}, not {}.",
                            d.label,
                            has(device.network),
                            has(asked)
                        ));
                    }
                    Outcome::new(Verdict::Denied)
                }
            }
        };
        let incident = match (outcome.breach, role) {
            (true, Some(role)) => self.breach_incident(role, &device.breaches, explain, &mut why),
            _ => None,
        };
        let mut decision = self.finish(outcome, Some(rule), incident, None, why, query);
        decision.note = note;
        decision
    }

    fn decide_incident(&self, role: RoleId, incident: IncidentId, query: &Query) -> Decision {
        let mut why = Vec::new();
        if query.explain {
            self.explain_role(role, &mut why);
        }
        let Some(info) = self.data.incidents.get(incident as usize) else {
            return self.unanswered(why, query);
        };
        let rule = info.rule.clone();
        self.finish(
            Outcome {
                verdict: Verdict::Denied,
                condition: None,
                default: false,
                breach: false,
            },
            Some(rule),
            Some(incident),
            None,
            why,
            query,
        )
    }

    /// A decision for a row, device or incident id that does not exist
    /// (unreachable through `decide`, which resolves names first).
    fn unanswered(&self, mut why: Vec<String>, query: &Query) -> Decision {
        why.push("esafety could not find the rule it looked up, so it denies.".to_owned());
        self.finish(
            Outcome {
                verdict: Verdict::Denied,
                condition: None,
                default: true,
                breach: false,
            },
            None,
            None,
            None,
            why,
            query,
        )
    }

    fn timed(
        &self,
        window: Option<&crate::timetable::WindowMask>,
        condition: Option<Arc<str>>,
        query: &Query,
        why: &mut Vec<String>,
    ) -> Outcome {
        let explain = query.explain;
        let text = condition.unwrap_or_else(|| Arc::from("at certain times"));
        let Some(window) = window else {
            if explain {
                why.push("The policy says \"at certain times\" but not which times, so no time can settle it: the answer is conditional.".to_owned());
            }
            return Outcome {
                verdict: Verdict::Conditional,
                condition: Some(self.plain_condition(ConditionKind::Unspecified, text)),
                default: false,
                breach: false,
            };
        };
        let Some(at) = query.at else {
            if explain {
                why.push(format!(
                    "The question gives no time, so the answer depends on it: allowed {text}."
                ));
            }
            return Outcome {
                verdict: Verdict::Conditional,
                condition: Some(Condition {
                    time: true,
                    ..self.plain_condition(ConditionKind::Time, text)
                }),
                default: false,
                breach: false,
            };
        };
        let moment = self.data.timetable.resolve(at);
        let admitted = window.admits(moment);
        if explain {
            let names = self.data.timetable.names(moment).join(", ");
            why.push(format!(
                "{} falls in {names}; the rule allows it {}, so it is {}.",
                crate::calendar::weekday_date_time(at, " "),
                window.text,
                if admitted { "allowed" } else { "denied" }
            ));
        }
        let mut outcome = Outcome::new(if admitted {
            Verdict::Allowed
        } else {
            Verdict::Denied
        });
        outcome.condition = Some(self.plain_condition(ConditionKind::Time, text));
        outcome
    }

    fn with_fact(
        &self,
        query: &Query,
        fact: &str,
        kind: ConditionKind,
        condition: Option<Arc<str>>,
        why: &mut Vec<String>,
    ) -> Outcome {
        let text = condition.unwrap_or_else(|| Arc::from(fact));
        match self.fact(query, fact) {
            Some(value) => {
                if query.explain {
                    why.push(format!(
                        "The question says `{fact}` is {value}, so it is {}.",
                        if value { "allowed" } else { "denied" }
                    ));
                }
                let mut outcome = Outcome::new(if value {
                    Verdict::Allowed
                } else {
                    Verdict::Denied
                });
                outcome.condition = Some(self.plain_condition(kind, text));
                outcome
            }
            None => {
                if query.explain {
                    why.push(format!(
                        "The question does not say whether `{fact}` holds, so the answer depends on it: allowed {text}."
                    ));
                }
                Outcome {
                    verdict: Verdict::Conditional,
                    condition: Some(Condition {
                        facts: if fact == "permission" {
                            self.data.needs_permission.clone()
                        } else {
                            self.data.needs_nomination.clone()
                        },
                        ..self.plain_condition(kind, text)
                    }),
                    default: false,
                    breach: false,
                }
            }
        }
    }

    /// The incident a breach by `role` constitutes: the link naming the role
    /// itself, else its group, and so on up.
    fn breach_incident(
        &self,
        role: RoleId,
        entries: &[BreachEntry],
        explain: bool,
        why: &mut Vec<String>,
    ) -> Option<IncidentId> {
        for ancestor in self.ancestors(role) {
            for entry in entries {
                if entry.role == ancestor {
                    let incident = entry.incident;
                    if explain && let Some(i) = self.data.incidents.get(incident as usize) {
                        why.push(format!(
                            "{}: a breach by `{}` is incident `{}` \"{}\" of `{}` ({}).",
                            crate::suggest::capitalise(&cite(
                                self.file_name(entry.file).as_deref(),
                                entry.line
                            )),
                            self.role_name(ancestor),
                            i.summary.id,
                            i.summary.label,
                            i.summary.table,
                            cite(i.reference.file.as_deref(), i.summary.line)
                        ));
                    }
                    return Some(incident);
                }
            }
        }
        if explain {
            why.push(format!(
                "The policy names no incident for this breach by `{}`.",
                self.role_name(role)
            ));
        }
        None
    }

    /// Assembles the decision: the incident's responses (escalated for a
    /// repeat offence), and the route with the steps the facts select.
    fn finish(
        &self,
        outcome: Outcome,
        rule: Option<Arc<RuleRef>>,
        incident: Option<IncidentId>,
        row_route: Option<u32>,
        mut why: Vec<String>,
        query: &Query,
    ) -> Decision {
        let info = incident.and_then(|i| self.data.incidents.get(i as usize));
        let mut lists = info.map(|i| &i.lists);
        if let Some(escalation) = info.and_then(|i| i.escalation.as_ref())
            && let Some(incident) = incident
            && let prior = self.prior_for_repeat(incident, query)
            && prior >= escalation.after
        {
            lists = Some(&escalation.lists);
            if query.explain
                && let Some(repeat) = self.data.incidents.get(escalation.repeat as usize)
            {
                why.push(format!(
                            "With {} prior incident{}, this is a repeat offence: the responses of `{}` \"{}\" ({}) are added.",
                            prior,
                            if prior == 1 { "" } else { "s" },
                            repeat.summary.id,
                            repeat.summary.label,
                            cite(repeat.reference.file.as_deref(), repeat.summary.line)
                        ));
            }
        }
        let own_route = info.and_then(|i| i.route);
        let lists = lists.unwrap_or(&self.data.no_responses);
        let climbed = match incident {
            Some(incident) => self.climb(incident, lists, own_route, query, &mut why),
            None => ladders::Climbed {
                responses: lists.clone(),
                escalation: Vec::new(),
                route: own_route,
            },
        };
        let route_id = climbed
            .route
            .or(if outcome.breach { row_route } else { None });
        let route = route_id
            .and_then(|r| self.data.routes.get(r as usize))
            .map(|r| self.route_outcome(r, query, &mut why));
        Decision {
            version: crate::query::Version,
            verdict: outcome.verdict,
            condition: outcome.condition,
            rule,
            role: None,
            default: outcome.default,
            note: None,
            incident: info.map(|i| i.reference.clone()),
            responses: climbed.responses,
            escalation: climbed.escalation,
            route,
            explanation: why,
        }
    }

    /// Selects a route's steps by the facts given.
    fn route_outcome(
        &self,
        route: &Arc<RouteInfo>,
        query: &Query,
        why: &mut Vec<String>,
    ) -> RouteOutcome {
        let mut included = 0u64;
        let mut pending = 0u64;
        for (i, step) in route.steps.iter().enumerate().take(64) {
            let bit = 1u64 << i;
            let Some(test) = &step.test else {
                included |= bit;
                continue;
            };
            let value = test.expr.value(&self.situation(query));
            match value.map(|v| v != test.negated) {
                Some(true) => included |= bit,
                Some(false) => {}
                None => pending |= bit,
            }
        }
        if query.explain {
            let total = route.steps.len();
            let shown = (included | pending).count_ones() as usize;
            let mut text = format!(
                "It follows route `{}` \"{}\" ({}).",
                route.id,
                route.label,
                cite(route.file.as_deref(), route.line)
            );
            if total > shown {
                let left_out = total - shown;
                text.push_str(&format!(
                    " {left_out} of its {total} steps {} not apply to the facts given.",
                    if left_out == 1 { "does" } else { "do" }
                ));
            }
            let waiting = pending.count_ones();
            if waiting > 0 {
                text.push_str(&format!(
                    " {waiting} step{} depend{} on facts the question did not give.",
                    if waiting == 1 { "" } else { "s" },
                    if waiting == 1 { "s" } else { "" }
                ));
            }
            why.push(text);
        }
        RouteOutcome {
            route: route.clone(),
            included,
            pending,
        }
    }

    fn explain_role(&self, role: RoleId, why: &mut Vec<String>) {
        // The hidden root (`everyone`) is the last role; it needs no mention.
        let root = RoleId::try_from(self.data.roles.len().saturating_sub(1)).ok();
        let chain: Vec<&str> = self
            .ancestors(role)
            .filter(|r| Some(*r) != root)
            .map(|r| self.role_name(r))
            .collect();
        if chain.len() > 1 {
            why.push(format!(
                "`{}` belongs to {}; the most specific answer applies.",
                self.role_name(role),
                suggest::quoted_list(chain.get(1..).unwrap_or(&[]))
            ));
        }
    }

    /// Notes rules in the row for roles below the one asked about.
    fn explain_more_specific(&self, role: RoleId, row_id: RowId, why: &mut Vec<String>) {
        let roles = self.data.roles.len();
        let row_index = row_id as usize;
        let own = self
            .data
            .matrix
            .get(row_index * roles + usize::from(role))
            .copied()
            .unwrap_or(NO_CELL);
        let mut lines: Vec<String> = Vec::new();
        for (other, info) in self.data.roles.iter().enumerate() {
            let Ok(other) = RoleId::try_from(other) else {
                continue;
            };
            if other == role || !self.data.role_tree.is_within(other, role) {
                continue;
            }
            let cell = self
                .data
                .matrix
                .get(row_index * roles + usize::from(other))
                .copied()
                .unwrap_or(NO_CELL);
            if cell != own
                && cell != NO_CELL
                && let Some(c) = self.data.cells.get(cell as usize)
            {
                lines.push(format!("`{}` ({}, line {})", info.id, c.words, c.line));
            }
        }
        if !lines.is_empty() {
            why.push(format!(
                "Some members have their own answer in this row: {}. Ask with their role for theirs.",
                lines.join("; ")
            ));
        }
    }
}

/// Suggestions for a name that matched no id or label: close ids, labels
/// containing the text, and close labels.
fn suggestions<'a>(
    normal: &str,
    items: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Vec<String> {
    let mut out: Vec<String> = suggest::closest(normal, items.clone().map(|(id, _)| id))
        .into_iter()
        .map(str::to_owned)
        .collect();
    if normal.len() >= 3 {
        for (_, label) in items.clone() {
            if out.len() >= 3 {
                break;
            }
            if normalize_label(label).contains(normal) && !out.iter().any(|o| o == label) {
                out.push(label.to_owned());
            }
        }
    }
    if out.is_empty() {
        let labels: Vec<String> = items.clone().map(|(_, l)| normalize_label(l)).collect();
        let close = suggest::closest(normal, labels.iter().map(String::as_str));
        for c in close {
            if let Some((_, label)) = items.clone().find(|(_, l)| normalize_label(l) == c) {
                out.push(label.to_owned());
            }
        }
    }
    out.truncate(3);
    out
}

fn find_capability(name: &str) -> Result<Capability, QueryError> {
    // Exact ids and labels first: normalising allocates.
    if let Some(c) = Capability::ALL
        .into_iter()
        .find(|c| c.id() == name || c.label() == name)
    {
        return Ok(c);
    }
    let normal = normalize_label(name);
    Capability::ALL
        .into_iter()
        .find(|c| {
            c.id() == name
                || normalize_label(c.label()) == normal
                || c.id() == normal.replace(' ', "-")
        })
        .ok_or_else(|| QueryError::UnknownCapability {
            given: name.to_owned(),
            suggestions: suggest::closest(&normal, Capability::ALL.iter().map(|c| c.id()))
                .into_iter()
                .map(str::to_owned)
                .collect(),
        })
}

/// How an explanation cites a line: `line 12`, or, in a policy that
/// extends another, `line 12 of trust.policy`.
pub(crate) fn cite(file: Option<&str>, line: u32) -> String {
    match file {
        Some(file) => format!("line {line} of {}", crate::text::printable(file)),
        None => format!("line {line}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_kinds_read_as_in_json() {
        for kind in [
            ConditionKind::Time,
            ConditionKind::Nominated,
            ConditionKind::Permission,
            ConditionKind::Unspecified,
            ConditionKind::Place,
            ConditionKind::Fact,
            ConditionKind::Several,
        ] {
            let json = serde_json::to_value(kind).unwrap_or_default();
            assert_eq!(json.as_str(), Some(kind.as_str()));
        }
    }
}
