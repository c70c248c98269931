//! Deciding a cell with a condition (`allowed only …`, `allowed except …`),
//! and what a question gives that conditions test: its moment, its place,
//! its facts.

use std::sync::Arc;

use super::Outcome;
use crate::condition::{Expr, Needs, Situation};
use crate::decision::{Condition, ConditionKind, Verdict};
use crate::model::Policy;
use crate::query::Query;

impl Policy {
    /// What the question gives that a condition can test.
    pub(crate) fn situation<'q>(&self, query: &'q Query) -> Situation<'q> {
        Situation {
            moment: query.at.map(|at| self.data.timetable.resolve(at)),
            place: query.place.as_deref().and_then(|p| self.place_bit(p)),
            facts: &query.facts,
        }
    }

    /// A place's bit, by its name.
    pub(crate) fn place_bit(&self, name: &str) -> Option<u64> {
        self.data
            .places
            .iter()
            .position(|p| &*p.id == name)
            .and_then(|i| 1u64.checked_shl(u32::try_from(i).ok()?))
    }

    /// The names of the places a mask stands for.
    fn place_names(&self, mask: u64) -> Vec<Arc<str>> {
        self.data
            .places
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                u32::try_from(*i)
                    .ok()
                    .and_then(|i| 1u64.checked_shl(i))
                    .is_some_and(|bit| mask & bit != 0)
            })
            .map(|(_, p)| p.id.clone())
            .collect()
    }

    /// Decides a cell that allows when its condition holds (`only`) or when
    /// it does not (`except`).
    pub(super) fn when(
        &self,
        expr: &Expr,
        only: bool,
        text: Option<Arc<str>>,
        query: &Query,
        why: &mut Vec<String>,
    ) -> Outcome {
        let situation = self.situation(query);
        let value = expr.value(&situation);
        let text = text.unwrap_or_else(|| Arc::from("only when its condition holds"));
        if query.explain {
            self.explain_tests(expr, &situation, query, why);
        }
        match value {
            Some(holds) => {
                let allowed = holds == only;
                if query.explain {
                    why.push(format!(
                        "So the condition {}, and the answer is {}.",
                        if holds { "holds" } else { "does not hold" },
                        if allowed { "allowed" } else { "denied" }
                    ));
                }
                let mut outcome = Outcome::new(if allowed {
                    Verdict::Allowed
                } else {
                    Verdict::Denied
                });
                outcome.condition = Some(self.plain_condition(condition_kind(expr), text));
                outcome
            }
            None => {
                let condition = self.needed(expr.eval(&situation).1, text);
                if query.explain {
                    why.push(format!(
                        "What the question gives does not settle the condition, so the answer depends on {}: allowed {}.",
                        needs_words(&condition),
                        condition.text
                    ));
                }
                Outcome {
                    verdict: Verdict::Conditional,
                    condition: Some(condition),
                    default: false,
                    breach: false,
                }
            }
        }
    }

    /// The condition of a conditional answer: what it depends on.
    pub(crate) fn needed(&self, needs: Needs, text: Arc<str>) -> Condition {
        let facts = needs.facts;
        let kind = match (needs.time, needs.places != 0, facts.as_slice()) {
            (true, false, []) => ConditionKind::Time,
            (false, true, []) => ConditionKind::Place,
            (false, false, [f]) if &**f == "permission" => ConditionKind::Permission,
            (false, false, [f]) if &**f == "nominated" => ConditionKind::Nominated,
            (false, false, fs) if !fs.is_empty() => ConditionKind::Fact,
            _ => ConditionKind::Several,
        };
        Condition {
            kind,
            text,
            time: needs.time,
            places: Arc::from(self.place_names(needs.places)),
            facts: Arc::from(facts),
        }
    }

    /// One line per test of the condition: what the question's moment,
    /// place and facts make of it.
    fn explain_tests(
        &self,
        expr: &Expr,
        situation: &Situation<'_>,
        query: &Query,
        why: &mut Vec<String>,
    ) {
        let mut tests = Vec::new();
        expr.tests(situation, &mut tests);
        let moment = query.at.map(|at| {
            let names = situation
                .moment
                .map(|m| self.data.timetable.names(m).join(", "))
                .unwrap_or_default();
            format!(
                "{} falls in {names}",
                crate::calendar::weekday_date_time(at, " ")
            )
        });
        if let Some(moment) = moment {
            why.push(format!("{moment}."));
        }
        for (words, value) in tests {
            why.push(match value {
                Some(true) => format!("`{words}` holds."),
                Some(false) => format!("`{words}` does not hold."),
                None => format!("`{words}`: the question does not say."),
            });
        }
    }
}

/// What a condition tests, for a settled answer's condition.
fn condition_kind(expr: &Expr) -> ConditionKind {
    let mut kinds = Vec::new();
    collect_kinds(expr, &mut kinds);
    kinds.dedup();
    match kinds.as_slice() {
        [one] => *one,
        _ => ConditionKind::Several,
    }
}

fn collect_kinds(expr: &Expr, out: &mut Vec<ConditionKind>) {
    let kind = match expr {
        Expr::All(parts) | Expr::Any(parts) => {
            for part in parts {
                collect_kinds(part, out);
            }
            return;
        }
        Expr::Not(part) => return collect_kinds(part, out),
        Expr::Time(_) => ConditionKind::Time,
        Expr::Place(..) => ConditionKind::Place,
        Expr::Fact(name) if &**name == "permission" => ConditionKind::Permission,
        Expr::Fact(name) if &**name == "nominated" => ConditionKind::Nominated,
        Expr::Fact(_) => ConditionKind::Fact,
    };
    if !out.contains(&kind) {
        out.push(kind);
    }
}

/// "the time", "the place (it holds in …)", "whether `illegal` holds",
/// joined: what a conditional answer waits on.
fn needs_words(condition: &Condition) -> String {
    let mut parts = Vec::new();
    if condition.time {
        parts.push("the time".to_owned());
    }
    if !condition.places.is_empty() {
        let names: Vec<&str> = condition.places.iter().map(|p| &**p).collect();
        parts.push(format!("the place (one of {})", names.join(", ")));
    }
    for f in condition.facts.iter() {
        parts.push(format!("whether `{f}` holds"));
    }
    parts.join(" and ")
}
