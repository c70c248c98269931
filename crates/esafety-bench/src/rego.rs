//! The policies in Rego, run by `regorus`, encoded the way Rego is usually
//! written: **the policy is data, the rules are few and the same for every
//! school.** Each school's data is translated from the independent
//! [`Reading`] of its text (never from `Policy::decide`):
//!
//! * `data.parents`: each role and the group it is in (`year-4` → `pupil`
//!   → `everyone`), walked with the `graph.reachable` built-in;
//! * `data.rows`: each row's cells, each with the roles it names and what
//!   it needs to allow (`always`, `never`, `during` / `outside` periods,
//!   `nominated`, `permission`);
//! * the input: the role, the row, the periods on at the question's time
//!   (from the reading's clock, as an application would compute them from
//!   its own), and the two facts.
//!
//! The rules, [`RULES`], find the most specific role the row answers for
//! and allow when every cell naming it does. Everything else is denied.

#![allow(
    clippy::unwrap_used,
    reason = "the encoding is generated: data regorus rejects is a bug to stop on"
)]

use regorus::{Engine, Value};

use crate::cedar::FullQuestion;
use crate::reading::{Reading, Rule};

/// The rules every school's data is read with.
pub const RULES: &str = r#"package esafety

default allow := false

# The asker's role and every group above it.
lineage := graph.reachable(data.parents, {input.role})

# The roles the row names that the asker falls within.
named contains role if {
	some cell in data.rows[input.row]
	some role in cell.roles
	role in lineage
}

# The most specific of them answers: no other named role is below it.
answering contains role if {
	some role in named
	not has_narrower(role)
}

has_narrower(role) if {
	some other in named
	other != role
	role in graph.reachable(data.parents, {other})
}

rules contains cell.rule if {
	some cell in data.rows[input.row]
	some role in cell.roles
	role in answering
}

allow if {
	count(rules) > 0
	every rule in rules {
		permits(rule)
	}
}

permits(rule) if rule.kind == "always"

permits(rule) if {
	rule.kind == "during"
	some period in rule.periods
	period in input.periods
}

permits(rule) if {
	rule.kind == "outside"
	not any_on(rule.periods)
}

permits(rule) if {
	rule.kind == "nominated"
	input.nominated
}

permits(rule) if {
	rule.kind == "permission"
	input.permission
}

any_on(periods) if {
	some period in periods
	period in input.periods
}
"#;

/// Each policy as a `regorus` engine with its data loaded.
#[derive(Debug)]
pub struct Rego {
    engines: Vec<Engine>,
    /// Each policy's data, as JSON.
    pub data: Vec<serde_json::Value>,
}

impl Rego {
    /// Translates each reading to data and loads it, with [`RULES`], into
    /// an engine of its own.
    ///
    /// # Panics
    ///
    /// When regorus refuses the rules or the data: a bug in the encoding.
    pub fn build(readings: &[Reading]) -> Rego {
        let data: Vec<serde_json::Value> = readings.iter().map(translate).collect();
        let engines = data
            .iter()
            .map(|data| {
                let mut engine = Engine::new();
                engine
                    .add_policy("esafety.rego".to_owned(), RULES.to_owned())
                    .unwrap_or_else(|e| panic!("regorus refuses the rules: {e}"));
                engine
                    .add_data(Value::from_json_str(&data.to_string()).unwrap())
                    .unwrap_or_else(|e| panic!("regorus refuses the data: {e}"));
                engine
            })
            .collect();
        Rego { engines, data }
    }

    /// The input for a question: the periods on at its time come from the
    /// reading's clock.
    pub fn input(reading: &Reading, q: &FullQuestion) -> Value {
        let input = serde_json::json!({
            "role": q.role,
            "row": q.row,
            "periods": reading.clock.on_at(q.at),
            "nominated": q.nominated,
            "permission": q.permission,
        });
        Value::from_json_str(&input.to_string()).unwrap()
    }

    /// Whether Rego allows an input of policy `policy`.
    ///
    /// # Panics
    ///
    /// When the rules fail to evaluate: a bug in them.
    pub fn allows(&mut self, policy: usize, input: &Value) -> bool {
        let engine = &mut self.engines[policy];
        engine.set_input(input.clone());
        engine
            .eval_rule("data.esafety.allow".to_owned())
            .unwrap_or_else(|e| panic!("the rules fail: {e}"))
            == Value::from(true)
    }
}

/// One policy's data: its roles' parents and its rows' cells.
pub fn translate(reading: &Reading) -> serde_json::Value {
    let mut parents = serde_json::Map::new();
    let mut add = |role: &str| {
        parents.entry(role.to_owned()).or_insert_with(|| {
            let group: Vec<&str> = reading
                .groups
                .get(role)
                .map(String::as_str)
                .into_iter()
                .collect();
            serde_json::json!(group)
        });
    };
    add("everyone");
    for (role, group) in &reading.groups {
        add(role);
        add(group);
    }
    for row in reading.rules.keys() {
        for role in reading.named_in(row) {
            add(&role);
        }
    }
    let rows: serde_json::Map<String, serde_json::Value> = reading
        .rules
        .iter()
        .map(|(row, cells)| {
            let cells: Vec<serde_json::Value> = cells
                .iter()
                .map(|(roles, rule)| serde_json::json!({ "roles": roles, "rule": rule_data(rule) }))
                .collect();
            (row.clone(), serde_json::Value::Array(cells))
        })
        .collect();
    serde_json::json!({ "parents": parents, "rows": rows })
}

/// A cell's rule as data.
fn rule_data(rule: &Rule) -> serde_json::Value {
    match rule {
        Rule::Allow => serde_json::json!({ "kind": "always" }),
        Rule::Never | Rule::Unsupported => serde_json::json!({ "kind": "never" }),
        Rule::During(periods) => serde_json::json!({ "kind": "during", "periods": periods }),
        Rule::Outside(periods) => serde_json::json!({ "kind": "outside", "periods": periods }),
        Rule::Nominated => serde_json::json!({ "kind": "nominated" }),
        Rule::Permission => serde_json::json!({ "kind": "permission" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "school \"T\"\nroles\n  staff includes teacher, dsl\ntimetable\n  monday to friday\n    lessons 09:00 to 12:00\n    lunch 12:00 to 13:00\ncommunications c \"C\"\n  column adults \"Adults\" for staff, visitor\n  row phones \"Phones\"\n    adults: allowed at certain times during lunch\n    dsl: allowed\n  row records \"Records\"\n    staff: allowed\n    dsl: not allowed\n  row tweets \"Tweets\"\n    everyone: allowed with permission\n";

    #[test]
    fn the_most_specific_role_answers_at_the_periods_on() {
        let r = Reading::of(POLICY);
        let mut rego = Rego::build(std::slice::from_ref(&r));
        let mut ask = |role: &str, row: &str, h: i8, permission: bool| {
            let q = FullQuestion::tuesday(role, row, h, permission);
            rego.allows(0, &Rego::input(&r, &q))
        };
        assert!(ask("teacher", "phones", 12, false));
        assert!(!ask("teacher", "phones", 10, false));
        assert!(ask("dsl", "phones", 10, false));
        assert!(ask("visitor", "phones", 12, false));
        assert!(!ask("pupil", "phones", 12, false));
        // A narrower role's own answer stands, even a refusal.
        assert!(ask("teacher", "records", 10, false));
        assert!(!ask("dsl", "records", 10, false));
        // `everyone` reaches every role.
        assert!(ask("pupil", "tweets", 10, true));
        assert!(!ask("pupil", "tweets", 10, false));
    }
}
