//! The same questions asked of Cedar: an encoding of the compiled policies
//! as Cedar policies, and the requests for the question mix.
//!
//! The encoding is generated from the compiled policy, not written by hand:
//! one `permit` per (role, row) that the policy allows in some circumstance,
//! its time windows as conditions on `context.weekday` (1 = Monday) and
//! `context.minute` (minutes since midnight), and its facts as `context`
//! booleans. Anything else is denied, which is Cedar's default and
//! esafety's fail-closed rule alike; a `conditional` answer counts as denied.

#![allow(
    clippy::unwrap_used,
    reason = "the encoding is generated: a name Cedar rejects is a bug to stop on"
)]

use std::fmt::Write as _;
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision as CedarDecision, Entities, EntityUid, PolicySet, Request,
};
use esafety::{ConditionKind, Policy, Query, Verdict};

use crate::{Question, Subject};

/// Cedar's policy sets (one per esafety policy) and one request per
/// question of the mix, built once so that only `is_authorized` is timed.
#[derive(Debug)]
pub struct Cedar {
    policies: Vec<PolicySet>,
    requests: Vec<(usize, Request)>,
    entities: Entities,
    authorizer: Authorizer,
}

impl Cedar {
    /// Encodes `policies` for the questions of `mix`.
    pub fn build(policies: &[(String, Policy)], mix: &[Question]) -> Cedar {
        Cedar {
            policies: cedar_encoding(policies, mix),
            requests: mix.iter().map(|q| (q.policy, cedar_request(q))).collect(),
            entities: Entities::empty(),
            authorizer: Authorizer::new(),
        }
    }

    /// Whether Cedar allows question `i` of the mix.
    pub fn allows(&self, i: usize) -> bool {
        let (p, request) = &self.requests[i];
        self.authorizer
            .is_authorized(request, &self.policies[*p], &self.entities)
            .decision()
            == CedarDecision::Allow
    }

    /// How many Cedar policies the encoding has.
    pub fn policy_count(&self) -> usize {
        self.policies.iter().map(|p| p.policies().count()).sum()
    }

    /// The questions on which Cedar and esafety disagree (esafety's
    /// `conditional` counted as denied), described for a person.
    pub fn disagreements(&self, policies: &[(String, Policy)], mix: &[Question]) -> Vec<String> {
        mix.iter()
            .enumerate()
            .filter_map(|(i, q)| {
                let esafety_allows = policies[q.policy]
                    .1
                    .decide(&q.query)
                    .is_ok_and(|d| d.verdict == Verdict::Allowed);
                let cedar_allows = self.allows(i);
                (esafety_allows != cedar_allows).then(|| {
                    format!(
                        "{:?}: esafety {esafety_allows}, cedar {cedar_allows}",
                        q.query
                    )
                })
            })
            .collect()
    }
}

/// Cedar's names for a question.
fn cedar_names(q: &Question) -> (String, String, String) {
    match &q.subject {
        Subject::Action(row) => (
            format!("Role::{:?}", q.role),
            format!("Action::{:?}", format!("row/{row}")),
            "School::\"school\"".to_owned(),
        ),
        Subject::Incident(id) => (
            format!("Role::{:?}", q.role),
            format!("Action::{:?}", format!("incident/{id}")),
            "School::\"school\"".to_owned(),
        ),
        Subject::Device(d, c) => (
            "Role::\"anyone\"".to_owned(),
            format!("Action::{:?}", format!("capability/{c}")),
            format!("Device::{d:?}"),
        ),
    }
}

/// The minutes of each weekday at which `query` is allowed, as
/// `(weekday 1 = Monday, start, end)` intervals, found by asking the
/// compiled policy at every minute of a school week.
fn allowed_intervals(policy: &Policy, query: &Query) -> Vec<(i8, u16, u16)> {
    let monday = jiff::civil::date(2025, 11, 3);
    let mut out = Vec::new();
    for day in 0..7i8 {
        let date = monday
            .checked_add(jiff::Span::new().days(i64::from(day)))
            .unwrap();
        let mut start = None;
        for minute in 0..=1440u16 {
            let allowed = minute < 1440 && {
                let at = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
                policy
                    .decide(&query.clone().at(at))
                    .is_ok_and(|d| d.verdict == Verdict::Allowed)
            };
            match (allowed, start) {
                (true, None) => start = Some(minute),
                (false, Some(s)) => {
                    out.push((day + 1, s, minute));
                    start = None;
                }
                _ => {}
            }
        }
    }
    out
}

/// An equivalent Cedar encoding of the policies, for the questions of the
/// mix: one `permit` per (role, row) that the policy allows in some
/// circumstance, its time windows as `context.weekday` / `context.minute`
/// conditions and its facts as `context` booleans. Denials are Cedar's
/// default.
fn cedar_encoding(policies: &[(String, Policy)], mix: &[Question]) -> Vec<PolicySet> {
    let mut texts: Vec<String> = policies.iter().map(|_| String::new()).collect();
    let mut done = std::collections::HashSet::new();
    for q in mix {
        // One permit per (policy, role, subject), from its plain question.
        let (principal, action, resource) = cedar_names(q);
        if !done.insert((
            q.policy,
            principal.clone(),
            action.clone(),
            resource.clone(),
        )) {
            continue;
        }
        let policy = &policies[q.policy].1;
        let mut plain = q.query.clone();
        plain.at = None;
        plain.facts.clear();
        let Ok(d) = policy.decide(&plain) else {
            continue;
        };
        let scope = format!("principal == {principal}, action == {action}, resource == {resource}");
        let condition = match (d.verdict, d.condition.map(|c| c.kind)) {
            (Verdict::Allowed, _) => Some(String::new()),
            (Verdict::Conditional, Some(ConditionKind::Nominated)) => {
                Some(" when { context has nominated && context.nominated }".to_owned())
            }
            (Verdict::Conditional, Some(ConditionKind::Permission)) => {
                Some(" when { context has permission && context.permission }".to_owned())
            }
            (Verdict::Conditional, Some(ConditionKind::Time)) => {
                let windows: Vec<String> = allowed_intervals(policy, &plain)
                    .iter()
                    .map(|(day, s, e)| format!("(context.weekday == {day} && context.minute >= {s} && context.minute < {e})"))
                    .collect();
                (!windows.is_empty()).then(|| {
                    format!(
                        " when {{ context has weekday && context has minute && ({}) }}",
                        windows.join(" || ")
                    )
                })
            }
            _ => None,
        };
        if let Some(condition) = condition {
            writeln!(texts[q.policy], "permit({scope}){condition};").unwrap();
        }
    }
    texts
        .iter()
        .map(|t| {
            PolicySet::from_str(t)
                .unwrap_or_else(|e| panic!("the generated Cedar does not parse: {e}\n{t}"))
        })
        .collect()
}

/// The request for one question: its names, and the moment and facts as
/// context.
fn cedar_request(q: &Question) -> Request {
    let (principal, action, resource) = cedar_names(q);
    let mut context = serde_json::Map::new();
    if let Some(at) = q.query.at {
        let weekday = at.weekday().to_monday_one_offset();
        context.insert("weekday".into(), weekday.into());
        context.insert(
            "minute".into(),
            (i64::from(at.hour()) * 60 + i64::from(at.minute())).into(),
        );
    }
    for (name, value) in &q.query.facts {
        context.insert(name.clone(), (*value).into());
    }
    Request::new(
        EntityUid::from_str(&principal).unwrap(),
        EntityUid::from_str(&action).unwrap(),
        EntityUid::from_str(&resource).unwrap(),
        Context::from_json_value(serde_json::Value::Object(context), None).unwrap(),
        None,
    )
    .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{question_mix, shipped};

    #[test]
    fn cedar_agrees_with_esafety_on_every_question() {
        let policies = shipped();
        let mix = question_mix(&policies);
        let cedar = Cedar::build(&policies, &mix);
        assert!(cedar.policy_count() > 100, "{}", cedar.policy_count());
        let disagreements = cedar.disagreements(&policies, &mix);
        assert!(disagreements.is_empty(), "{disagreements:#?}");
    }

    #[test]
    fn a_timed_row_becomes_weekday_and_minute_conditions() {
        let policy = esafety::Policy::parse(
            "t.policy",
            "school \"T\"\n  approved 2025-09-01\n  review by 2026-09-01\ntimetable\n  monday to friday\n    lessons 09:00 to 12:00\n    lunch 12:00 to 13:00\ncommunications c \"C\"\n  row phones \"Phones\"\n    staff: allowed at certain times during lunch\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let query = Query::action("staff", "phones");
        let windows = allowed_intervals(&policy, &query);
        let expected: Vec<(i8, u16, u16)> = (1..=5).map(|day| (day, 720, 780)).collect();
        assert_eq!(windows, expected);
    }
}
