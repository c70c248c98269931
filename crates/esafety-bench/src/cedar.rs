//! The policies translated to Cedar the way Cedar's documentation models
//! role-based rules, from the independent [`Reading`] of each policy's text
//! (never from `Policy::decide`):
//!
//! * roles are `Role` entities in a hierarchy (`year-4` in `pupil` in
//!   `everyone`), and a request's principal is the role asked about;
//! * rows are actions, each in its table's action group;
//! * a cell is a `permit` for `principal in Role::"…"` over the rows of its
//!   table that answer that role the same way, `unless` the principal is in
//!   a more specific role the row also answers for (esafety's "the most
//!   specific answer applies");
//! * a time window is a condition on `context.periods`, the set of periods
//!   on at the request's time, which the caller computes from the
//!   timetable (as an application would from its clock);
//! * nomination and permission are `context` booleans.
//!
//! Everything else is denied, which is Cedar's default and esafety's
//! fail-closed rule alike.

#![allow(
    clippy::unwrap_used,
    reason = "the encoding is generated: a name Cedar rejects is a bug to stop on"
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision as CedarDecision, Entities, EntityUid, PolicySet, Request,
    Schema, ValidationMode, Validator,
};

use crate::reading::{Reading, Rule};

/// One policy in Cedar: its schema, policies and entities.
#[derive(Debug)]
pub struct Encoded {
    /// The schema, in Cedar's schema syntax.
    pub schema_text: String,
    /// The policies, as text.
    pub policies_text: String,
    schema: Schema,
    policies: PolicySet,
    entities: Entities,
}

/// The policies in Cedar, and an authorizer.
#[derive(Debug)]
pub struct Cedar {
    encoded: Vec<Encoded>,
    authorizer: Authorizer,
}

/// A question with everything given, as the differential test asks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullQuestion {
    /// Index of the policy.
    pub policy: usize,
    /// The role asked about.
    pub role: String,
    /// The row, by id.
    pub row: String,
    /// When.
    pub at: jiff::civil::DateTime,
    /// Whether the person is nominated (selected) for it.
    pub nominated: bool,
    /// Whether they have permission.
    pub permission: bool,
}

impl FullQuestion {
    /// A question about policy 0 at half past `hour` on a school Tuesday
    /// (4 November 2025), not nominated, for the encodings' unit tests.
    #[cfg(test)]
    pub(crate) fn tuesday(role: &str, row: &str, hour: i8, permission: bool) -> FullQuestion {
        FullQuestion {
            policy: 0,
            role: role.to_owned(),
            row: row.to_owned(),
            at: jiff::civil::date(2025, 11, 4).at(hour, 30, 0, 0),
            nominated: false,
            permission,
        }
    }
}

impl Cedar {
    /// Translates each reading to Cedar, and validates the policies
    /// against the schema with Cedar's validator (strict mode).
    ///
    /// # Panics
    ///
    /// When the translation does not parse or validate: a bug in it.
    pub fn build(readings: &[Reading]) -> Cedar {
        Cedar {
            encoded: readings.iter().map(encode).collect(),
            authorizer: Authorizer::new(),
        }
    }

    /// The encodings, one per policy.
    pub fn encoded(&self) -> &[Encoded] {
        &self.encoded
    }

    /// How many Cedar policies the encodings have in all.
    pub fn policy_count(&self) -> usize {
        self.encoded
            .iter()
            .map(|e| e.policies.policies().count())
            .sum()
    }

    /// The request for a question: the periods on at its time come from
    /// the reading's clock.
    pub fn request(&self, reading: &Reading, q: &FullQuestion) -> Request {
        let periods: Vec<serde_json::Value> = reading
            .clock
            .on_at(q.at)
            .into_iter()
            .map(serde_json::Value::from)
            .collect();
        let context = serde_json::json!({
            "periods": periods,
            "nominated": q.nominated,
            "permission": q.permission,
        });
        let encoded = &self.encoded[q.policy];
        let action =
            EntityUid::from_str(&format!("Action::{:?}", format!("row/{}", q.row))).unwrap();
        Request::new(
            EntityUid::from_str(&format!("Role::{:?}", q.role)).unwrap(),
            action.clone(),
            EntityUid::from_str("School::\"school\"").unwrap(),
            Context::from_json_value(context, Some((&encoded.schema, &action))).unwrap(),
            Some(&encoded.schema),
        )
        .unwrap_or_else(|e| panic!("{q:?}: {e}"))
    }

    /// Whether Cedar allows a request of policy `policy`.
    pub fn allows(&self, policy: usize, request: &Request) -> bool {
        let encoded = &self.encoded[policy];
        self.authorizer
            .is_authorized(request, &encoded.policies, &encoded.entities)
            .decision()
            == CedarDecision::Allow
    }
}

/// A Cedar string literal.
fn quoted(text: &str) -> String {
    format!("{text:?}")
}

/// One policy's encoding.
fn encode(reading: &Reading) -> Encoded {
    let (schema_text, policies_text) = translate(reading);
    let (schema, policies) = parse_and_validate(&schema_text, &policies_text);
    let entities = entities(reading, &schema);
    Encoded {
        schema_text,
        policies_text,
        schema,
        policies,
        entities,
    }
}

/// Cedar's own work on a translated policy: parse the schema and the
/// policies, and validate the policies against the schema (strict mode).
///
/// # Panics
///
/// When either does not parse, or the policies do not validate.
pub fn parse_and_validate(schema_text: &str, policies_text: &str) -> (Schema, PolicySet) {
    let (schema, _) = Schema::from_cedarschema_str(schema_text)
        .unwrap_or_else(|e| panic!("the generated schema does not parse: {e}\n{schema_text}"));
    let policies = PolicySet::from_str(policies_text)
        .unwrap_or_else(|e| panic!("the generated Cedar does not parse: {e}\n{policies_text}"));
    let validation = Validator::new(schema.clone()).validate(&policies, ValidationMode::Strict);
    assert!(
        validation.validation_passed(),
        "the generated Cedar does not validate against its schema: {:?}",
        validation
            .validation_errors()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    (schema, policies)
}

/// The schema and the policies, as Cedar text.
pub fn translate(reading: &Reading) -> (String, String) {
    // The permits: for each table, the cells that allow in some situation,
    // grouped by (role, rule, more specific roles named in the row). Each
    // group is an action group the rows belong to, so a permit names one
    // group rather than listing its rows.
    let mut groups: BTreeMap<(String, String, Rule, Vec<String>), Vec<String>> = BTreeMap::new();
    for (table, rows) in &reading.tables {
        for row in rows {
            let named = reading.named_in(row);
            let Some(cells) = reading.rules.get(row) else {
                continue;
            };
            for role in &named {
                // The answer for this level: every cell naming the role; a
                // rule that never allows at the level stops the others.
                let rules: Vec<&Rule> = cells
                    .iter()
                    .filter(|(roles, _)| roles.contains(role))
                    .map(|(_, rule)| rule)
                    .collect();
                let rule = match rules.as_slice() {
                    [one] => (*one).clone(),
                    several if several.iter().all(|r| *r == several[0]) => several[0].clone(),
                    _ => Rule::Never,
                };
                if matches!(rule, Rule::Never | Rule::Unsupported) {
                    continue;
                }
                let mut narrower: Vec<String> = named
                    .iter()
                    .filter(|other| *other != role && reading.is_within(other, role))
                    .cloned()
                    .collect();
                narrower.sort();
                groups
                    .entry((table.clone(), role.clone(), rule, narrower))
                    .or_default()
                    .push(row.clone());
            }
        }
    }
    // Each row's action groups: its table's, and those of its cells.
    let mut parents: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (n, rows) in groups.values().enumerate() {
        for row in rows {
            parents
                .entry(row.as_str())
                .or_default()
                .push(quoted(&format!("allow/{n}")));
        }
    }

    // The schema: roles in roles; one action per row, in its table's group
    // and its cells' groups.
    let mut schema_text = String::from(
        "entity Role in [Role];\nentity School;\ntype Situation = { periods: Set<String>, nominated: Bool, permission: Bool };\n",
    );
    for n in 0..groups.len() {
        writeln!(schema_text, "action {};", quoted(&format!("allow/{n}"))).unwrap();
    }
    for (table, rows) in &reading.tables {
        let group = quoted(&format!("table/{table}"));
        writeln!(schema_text, "action {group};").unwrap();
        for row in rows {
            let mut of = vec![group.clone()];
            of.extend(parents.get(row.as_str()).cloned().unwrap_or_default());
            writeln!(
                schema_text,
                "action {} in [{}] appliesTo {{ principal: [Role], resource: [School], context: Situation }};",
                quoted(&format!("row/{row}")),
                of.join(", ")
            )
            .unwrap();
        }
    }

    let mut policies_text = String::new();
    for (n, ((_, role, rule, narrower), rows)) in groups.into_iter().enumerate() {
        let action = if let [only] = rows.as_slice() {
            format!("action == Action::{}", quoted(&format!("row/{only}")))
        } else {
            format!("action in Action::{}", quoted(&format!("allow/{n}")))
        };
        write!(
            policies_text,
            "permit (principal in Role::{}, {action}, resource)",
            quoted(&role)
        )
        .unwrap();
        let set = |names: &[String]| {
            let items: Vec<String> = names.iter().map(|n| quoted(n)).collect();
            format!("[{}]", items.join(", "))
        };
        match &rule {
            Rule::During(periods) => write!(
                policies_text,
                " when {{ context.periods.containsAny({}) }}",
                set(periods)
            )
            .unwrap(),
            Rule::Outside(periods) => write!(
                policies_text,
                " when {{ !context.periods.containsAny({}) }}",
                set(periods)
            )
            .unwrap(),
            Rule::Nominated => policies_text.push_str(" when { context.nominated }"),
            Rule::Permission => policies_text.push_str(" when { context.permission }"),
            _ => {}
        }
        if !narrower.is_empty() {
            let tests: Vec<String> = narrower
                .iter()
                .map(|n| format!("principal in Role::{}", quoted(n)))
                .collect();
            write!(policies_text, " unless {{ {} }}", tests.join(" || ")).unwrap();
        }
        policies_text.push_str(";\n");
    }

    (schema_text, policies_text)
}

/// The entities: every role the policy knows, with its group, and the
/// school.
fn entities(reading: &Reading, schema: &Schema) -> Entities {
    let mut roles: Vec<String> = reading.groups.keys().cloned().collect();
    roles.extend(reading.groups.values().cloned());
    for row in reading.rules.keys() {
        roles.extend(reading.named_in(row));
    }
    roles.sort();
    roles.dedup();
    let entities: Vec<serde_json::Value> = roles
        .iter()
        .map(|role| {
            let parents: Vec<serde_json::Value> = reading
                .groups
                .get(role)
                .map(|g| serde_json::json!({ "type": "Role", "id": g }))
                .into_iter()
                .collect();
            serde_json::json!({ "uid": { "type": "Role", "id": role }, "attrs": {}, "parents": parents })
        })
        .chain(std::iter::once(
            serde_json::json!({ "uid": { "type": "School", "id": "school" }, "attrs": {}, "parents": [] }),
        ))
        .collect();
    Entities::from_json_value(serde_json::Value::Array(entities), Some(schema))
        .unwrap_or_else(|e| panic!("the generated entities do not load: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(text: &str) -> Reading {
        Reading::of(text)
    }

    const POLICY: &str = "school \"T\"\nroles\n  staff includes teacher, dsl\ntimetable\n  monday to friday\n    lessons 09:00 to 12:00\n    lunch 12:00 to 13:00\ncommunications c \"C\"\n  column adults \"Adults\" for staff, visitor\n  row phones \"Phones\"\n    adults: allowed at certain times during lunch\n    dsl: allowed\n  row email \"Email\"\n    adults: allowed at certain times during lunch\n  row blogs \"Blogs\"\n    adults: allowed at certain times during lunch\n  row records \"Records\"\n    staff: allowed\n    dsl: not allowed\n";

    #[test]
    fn a_cell_is_a_permit_for_its_role_unless_a_narrower_role_answers() {
        let cedar = Cedar::build(&[reading(POLICY)]);
        let text = &cedar.encoded()[0].policies_text;
        // The two rows that answer staff the same way share one permit, on
        // an action group both rows belong to.
        let schema = &cedar.encoded()[0].schema_text;
        let group_of = |row: &str| {
            let line = schema
                .lines()
                .find(|l| l.starts_with(&format!("action \"row/{row}\"")))
                .unwrap();
            line.split('"')
                .find(|p| p.starts_with("allow/"))
                .unwrap()
                .to_owned()
        };
        assert_eq!(group_of("email"), group_of("blogs"));
        assert!(
            text.contains(&format!(
                "permit (principal in Role::\"staff\", action in Action::\"{}\", resource)",
                group_of("email")
            )),
            "{text}"
        );
        assert!(
            text.contains("unless { principal in Role::\"dsl\" }"),
            "{text}"
        );
        assert!(
            text.contains("when { context.periods.containsAny([\"lunch\"]) }"),
            "{text}"
        );
    }

    #[test]
    fn requests_carry_the_periods_on_at_their_time() {
        let r = reading(POLICY);
        let cedar = Cedar::build(std::slice::from_ref(&r));
        let ask = |role: &str, row: &str, h: i8| {
            let q = FullQuestion::tuesday(role, row, h, false);
            cedar.allows(0, &cedar.request(&r, &q))
        };
        assert!(ask("teacher", "phones", 12));
        assert!(!ask("teacher", "phones", 10));
        assert!(ask("dsl", "phones", 10));
        assert!(!ask("dsl", "email", 10));
        assert!(ask("visitor", "email", 12));
        // A narrower role's own answer stands, even a refusal.
        assert!(ask("teacher", "records", 10));
        assert!(!ask("dsl", "records", 10));
    }
}
