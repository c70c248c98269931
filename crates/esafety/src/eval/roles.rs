//! Questions about a person with several roles (a teacher who is also the
//! DSL): how the answers of each role combine into one decision.
//!
//! The rule, documented in `docs/language.md` ("People with several roles"):
//!
//! - A person may do what **any** of their roles allows: the first role, in
//!   the order the question names them, whose answer is `allowed` decides.
//! - Otherwise, if some role's answer is `conditional`, the answer is
//!   conditional: on that role's condition, or, when several roles have
//!   different conditions, on any of them (each quoted with its role).
//! - Otherwise no role allows it, and the most serious answer stands:
//!   `illegal` before a denial the policy states, which comes before a denial
//!   by default; between equals, the first role named. Its consequences (the
//!   incident a breach constitutes, its responses and route) are that role's.
//! - An incident brings the responses of the first role named for which the
//!   incident is listed.
//!
//! The decision names the role whose rule decided (`Decision::role`).

use std::sync::Arc;

use crate::decision::{Condition, ConditionKind, Decision, Verdict};
use crate::model::{Policy, RoleId};
use crate::query::{MAX_ROLES_ASKED, Query, QueryError};

/// The roles a question names, each once, in order: held inline, so that
/// asking does not allocate.
pub(super) struct RolesAsked {
    ids: [RoleId; MAX_ROLES_ASKED + 1],
    len: usize,
}

impl Default for RolesAsked {
    fn default() -> Self {
        RolesAsked {
            ids: [0; MAX_ROLES_ASKED + 1],
            len: 0,
        }
    }
}

impl RolesAsked {
    /// Adds a role not already there (beyond the limit, which the question's
    /// own check enforces first, it is left out).
    pub(super) fn add(&mut self, role: RoleId) {
        if !self.contains(&role)
            && let Some(slot) = self.ids.get_mut(self.len)
        {
            *slot = role;
            self.len += 1;
        }
    }
}

impl std::ops::Deref for RolesAsked {
    type Target = [RoleId];
    fn deref(&self) -> &[RoleId] {
        self.ids.get(..self.len).unwrap_or(&[])
    }
}

impl Policy {
    /// Decides for each role with `one`, and combines the answers.
    pub(super) fn as_roles(
        &self,
        roles: &[RoleId],
        query: &Query,
        one: impl Fn(RoleId) -> Decision,
    ) -> Decision {
        let [only] = roles else {
            return self.combine(roles, query, one);
        };
        one(*only)
    }

    fn combine(
        &self,
        roles: &[RoleId],
        query: &Query,
        one: impl Fn(RoleId) -> Decision,
    ) -> Decision {
        let answers: Vec<(RoleId, Decision)> = roles.iter().map(|&r| (r, one(r))).collect();
        let names = |pick: &dyn Fn(&Decision) -> bool| -> Vec<String> {
            answers
                .iter()
                .filter(|(_, d)| pick(d))
                .map(|(r, _)| format!("`{}`", self.role_name(*r)))
                .collect()
        };
        let mut intro = vec![format!(
            "The question names several roles: {}. A person may do what any of their roles allows.",
            names(&|_| true).join(", ")
        )];
        if query.explain {
            let each: Vec<String> = answers
                .iter()
                .map(|(r, d)| {
                    let line = d
                        .rule
                        .as_ref()
                        .map(|rule| format!(" ({})", super::cite(rule.file.as_deref(), rule.line)))
                        .unwrap_or_default();
                    let verdict = if d.default {
                        "denied by default"
                    } else {
                        d.verdict.as_str()
                    };
                    format!("as `{}`, {verdict}{line}", self.role_name(*r))
                })
                .collect();
            intro.push(format!("Each role's answer: {}.", each.join("; ")));
        }

        let allowed = answers.iter().find(|(_, d)| d.verdict == Verdict::Allowed);
        let conditional: Vec<&(RoleId, Decision)> = answers
            .iter()
            .filter(|(_, d)| d.verdict == Verdict::Conditional)
            .collect();
        let (role, mut decision) = if let Some((role, decision)) = allowed {
            intro.push(format!("As `{}`, it is allowed:", self.role_name(*role)));
            (*role, decision.clone())
        } else if let Some((role, first)) = conditional.first() {
            let mut decision = first.clone();
            if conditional.len() > 1 {
                decision.condition = self.either(&conditional);
                intro.push(format!(
                    "No role allows it outright; it is allowed if the condition of any of {} holds. As `{}`:",
                    names(&|d| d.verdict == Verdict::Conditional).join(", "),
                    self.role_name(*role)
                ));
            } else {
                intro.push(format!(
                    "No role allows it outright; as `{}` it depends on a condition:",
                    self.role_name(*role)
                ));
            }
            (*role, decision)
        } else {
            // The most serious refusal; the first named among equals.
            let severity = |d: &Decision| match (d.verdict, d.default) {
                (Verdict::Illegal, _) => 2,
                (_, false) => 1,
                (_, true) => 0,
            };
            let mut best: Option<&(RoleId, Decision)> = None;
            for answer in &answers {
                if best.is_none_or(|b| severity(&answer.1) > severity(&b.1)) {
                    best = Some(answer);
                }
            }
            let Some((role, decision)) = best else {
                return self.unanswered(Vec::new(), query);
            };
            intro.push(format!(
                "None of these roles allows it; the answer for `{}` stands, with its consequences:",
                self.role_name(*role)
            ));
            (*role, decision.clone())
        };
        decision.role = Some(Arc::from(self.role_name(role)));
        if query.explain {
            intro.append(&mut decision.explanation);
            decision.explanation = intro;
        }
        decision
    }

    /// The condition of several conditional answers: any of them.
    fn either(&self, answers: &[&(RoleId, Decision)]) -> Option<Condition> {
        let mut kind: Option<ConditionKind> = None;
        let mut time = false;
        let mut places: Vec<Arc<str>> = Vec::new();
        let mut facts: Vec<Arc<str>> = Vec::new();
        let mut texts = Vec::new();
        for (role, decision) in answers {
            let Some(c) = &decision.condition else {
                continue;
            };
            kind = match kind {
                None => Some(c.kind),
                Some(k) if k == c.kind => Some(k),
                Some(_) => Some(ConditionKind::Several),
            };
            texts.push(format!("as {}, {}", self.role_name(*role), c.text));
            time |= c.time;
            for p in c.places.iter() {
                if !places.contains(p) {
                    places.push(p.clone());
                }
            }
            for f in c.facts.iter() {
                if !facts.contains(f) {
                    facts.push(f.clone());
                }
            }
        }
        // Places in the order the policy declares them.
        places.sort_by_key(|p| self.data.places.iter().position(|q| q.id == *p));
        Some(Condition {
            time,
            places: Arc::from(places),
            facts: Arc::from(facts),
            ..self.plain_condition(kind?, Arc::from(texts.join("; or ")))
        })
    }

    /// An incident by a person with these roles: the first role for which it
    /// is listed.
    pub(super) fn decide_incident_as(
        &self,
        roles: &[RoleId],
        incident: &str,
        query: &Query,
    ) -> Result<Decision, QueryError> {
        let mut first_error = None;
        for &role in roles {
            match self.find_incident(role, incident) {
                Ok(found) => {
                    let mut decision = self.decide_incident(role, found, query);
                    if roles.len() > 1 {
                        decision.role = Some(Arc::from(self.role_name(role)));
                        if query.explain {
                            decision.explanation.insert(
                                0,
                                format!(
                                    "The question names several roles; the incident is listed for `{}`, the first of them it is listed for.",
                                    self.role_name(role)
                                ),
                            );
                        }
                    }
                    return Ok(decision);
                }
                // Another role may have it; an unknown name is unknown for all.
                Err(e @ QueryError::IncidentNotForRole { .. }) => {
                    first_error.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(match first_error {
            Some(QueryError::IncidentNotForRole {
                incident,
                for_roles,
                ..
            }) => QueryError::IncidentNotForRole {
                incident,
                role: roles
                    .iter()
                    .map(|r| self.role_name(*r))
                    .collect::<Vec<_>>()
                    .join(", "),
                for_roles,
            },
            Some(other) => other,
            None => QueryError::Incomplete(
                "say whose incident it is: a role such as `pupil` or `teacher`".to_owned(),
            ),
        })
    }
}
