//! Shared pieces of the esafety benchmarks: the mix of questions, the
//! hash-map floor, and generated policies of any size.
//!
//! The benchmark itself is `benches/esafety.rs` (`cargo bench -p esafety-bench`).

#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark fixtures: a missing policy or a bad index should stop the run"
)]

pub mod cedar;
pub mod check_floor;
pub mod differential;
pub mod reading;
pub mod rego;
pub mod shapes;

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use esafety::{Capability, ConditionKind, Policy, Query, Verdict};
use indexmap::{Equivalent, IndexMap};

/// The repository's root directory.
pub fn root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// The shipped policies, by file name.
pub fn shipped() -> Vec<(String, Policy)> {
    ["crockerne.policy", "st-botolphs.policy"]
        .iter()
        .map(|name| {
            let policy = Policy::from_file(root().join("policies").join(name))
                .unwrap_or_else(|e| panic!("cannot load {name}: {e}"));
            ((*name).to_owned(), policy)
        })
        .collect()
}

/// The independent reading of each shipped policy's text, in the order of
/// [`shipped`].
pub fn readings(policies: &[(String, Policy)]) -> Vec<reading::Reading> {
    policies
        .iter()
        .map(|(name, _)| {
            let path = root().join("policies").join(name);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            reading::Reading::of(&text)
        })
        .collect()
}

/// What a question is about, for the floor's look-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A row, by id.
    Action(String),
    /// An incident, by id.
    Incident(String),
    /// A device and capability, by id.
    Device(String, String),
}

/// One question of the mix: which policy, the query, and what it asks.
#[derive(Debug, Clone)]
pub struct Question {
    /// Index into the policies.
    pub policy: usize,
    /// The query, with explanations off.
    pub query: Query,
    /// The role asked about ("" for device questions).
    pub role: String,
    /// What it asks about.
    pub subject: Subject,
}

/// Moments used for timed rows: Tuesday 4 November 2025, in a lesson, at
/// break, at lunch, after school, and on the Saturday.
pub fn moments() -> [jiff::civil::DateTime; 5] {
    let tuesday = jiff::civil::date(2025, 11, 4);
    [
        tuesday.at(10, 0, 0, 0),
        tuesday.at(10, 35, 0, 0),
        tuesday.at(12, 30, 0, 0),
        tuesday.at(16, 0, 0, 0),
        jiff::civil::date(2025, 11, 8).at(11, 0, 0, 0),
    ]
}

fn condition_of(policy: &Policy, query: &Query) -> Option<ConditionKind> {
    policy
        .decide(query)
        .ok()
        .filter(|d| d.verdict == Verdict::Conditional)
        .and_then(|d| d.condition.map(|c| c.kind))
}

/// Variants of a query that settle what its answer depends on: each moment
/// for a time condition, each value for a fact.
fn variants(policy: &Policy, base: Query) -> Vec<Query> {
    let mut out = vec![base.clone()];
    match condition_of(policy, &base) {
        Some(ConditionKind::Time) => out.extend(moments().map(|m| base.clone().at(m))),
        Some(ConditionKind::Nominated) => {
            out.extend([true, false].map(|v| base.clone().fact("nominated", v)));
        }
        Some(ConditionKind::Permission) => {
            out.extend([true, false].map(|v| base.clone().fact("permission", v)));
        }
        _ => {}
    }
    out
}

/// The fixed mix: every row of every policy for every role (with the
/// moments and facts its answer depends on), every device and capability,
/// every incident for the roles it is listed for (with and without prior
/// incidents). Names are ids and explanations are off, as on a hot path.
pub fn question_mix(policies: &[(String, Policy)]) -> Vec<Question> {
    let mut mix = Vec::new();
    for (index, (_, policy)) in policies.iter().enumerate() {
        let roles: Vec<String> = policy.roles().iter().map(|r| r.id.to_string()).collect();
        for table in policy.tables() {
            for row in &table.rows {
                for role in &roles {
                    let base = Query::action(role.as_str(), &*row.id).explain(false);
                    for query in variants(policy, base) {
                        mix.push(Question {
                            policy: index,
                            query,
                            role: role.clone(),
                            subject: Subject::Action(row.id.to_string()),
                        });
                    }
                }
            }
        }
        for device in policy.devices() {
            for capability in Capability::ALL {
                let base = Query::device(&*device.id, capability.id()).explain(false);
                for query in variants(policy, base) {
                    mix.push(Question {
                        policy: index,
                        query,
                        role: String::new(),
                        subject: Subject::Device(device.id.to_string(), capability.id().to_owned()),
                    });
                }
            }
        }
        for incident in policy.incidents() {
            for role in &incident.roles {
                let role = if &**role == "everyone" { "staff" } else { role };
                for prior in [0, 2] {
                    mix.push(Question {
                        policy: index,
                        query: Query::incident(role, &*incident.id)
                            .prior(prior)
                            .explain(false),
                        role: role.to_owned(),
                        subject: Subject::Incident(incident.id.to_string()),
                    });
                }
            }
        }
    }
    mix
}

/// A borrowed key hashing and comparing like `(String, String)`, so that the
/// floor looks up without allocating.
#[derive(Debug)]
struct Borrowed<'a>(&'a str, &'a str);

impl Hash for Borrowed<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Exactly as `(String, String)` hashes.
        self.0.hash(state);
        self.1.hash(state);
    }
}

impl Equivalent<(String, String)> for Borrowed<'_> {
    fn equivalent(&self, key: &(String, String)) -> bool {
        self.0 == key.0 && self.1 == key.1
    }
}

/// The least work any engine could do: a verdict per (role, subject), looked
/// up in an `IndexMap`, ignoring time, facts and consequences.
#[derive(Debug, Default)]
pub struct Floor {
    actions: Vec<IndexMap<(String, String), Verdict>>,
    incidents: Vec<IndexMap<(String, String), Verdict>>,
    devices: Vec<IndexMap<(String, String), Verdict>>,
}

impl Floor {
    /// Builds the floor from an independent reading of each policy's text
    /// ([`reading::Reading`]), never from `decide`: one verdict per (role,
    /// row), (role, incident) and (device, capability), as a question with
    /// no time and no facts gets it.
    pub fn build(policies: &[(String, Policy)], mix: &[Question]) -> Floor {
        let readings = readings(policies);
        let mut floor = Floor::default();
        for _ in policies {
            floor.actions.push(IndexMap::new());
            floor.incidents.push(IndexMap::new());
            floor.devices.push(IndexMap::new());
        }
        for q in mix {
            let Some(reading) = readings.get(q.policy) else {
                continue;
            };
            let (maps, key, verdict) = match &q.subject {
                Subject::Action(row) => (
                    &mut floor.actions,
                    (q.role.clone(), row.clone()),
                    reading.verdict(&q.role, row),
                ),
                // What follows an incident is asked of an incident the
                // person has had: the answer is always "denied".
                Subject::Incident(id) => (
                    &mut floor.incidents,
                    (q.role.clone(), id.clone()),
                    Verdict::Denied,
                ),
                Subject::Device(d, c) => (
                    &mut floor.devices,
                    (d.clone(), c.clone()),
                    reading.device_verdict(d, c),
                ),
            };
            if let Some(map) = maps.get_mut(q.policy) {
                map.entry(key).or_insert(verdict);
            }
        }
        floor
    }

    /// The floor's answer.
    #[inline]
    pub fn answer(&self, q: &Question) -> Option<Verdict> {
        let (maps, a, b) = match &q.subject {
            Subject::Action(row) => (&self.actions, q.role.as_str(), row.as_str()),
            Subject::Incident(id) => (&self.incidents, q.role.as_str(), id.as_str()),
            Subject::Device(d, c) => (&self.devices, d.as_str(), c.as_str()),
        };
        maps.get(q.policy)?.get(&Borrowed(a, b)).copied()
    }
}

/// A generated policy with `rows` rows: a communications table answering
/// for two columns, a third of the rows refining one year group, half of them
/// linking pupils' breaches to an incident, and a mix of every kind of
/// answer. Deterministic, so runs compare.
pub fn generate(rows: usize) -> String {
    let mut text = String::with_capacity(rows * 160 + 1024);
    text.push_str(
        "school \"Generated Primary School\"\n  approved September 2025\n  review by July 2026\n\
         roles\n  staff includes teacher, dsl\n  pupil includes reception to year-6\n\
         timetable\n  monday to friday\n    lessons 09:00 to 12:00\n    lunch 12:00 to 13:00\n\
         communications comms \"Communications\"\n\
         \x20 column adults \"Staff & other adults\" for staff, visitor\n\
         \x20 column pupils \"Students / Pupils\" for pupil\n",
    );
    const ANSWERS: [&str; 5] = [
        "allowed",
        "not allowed",
        "allowed at certain times during lunch",
        "allowed with staff permission",
        "allowed for selected staff",
    ];
    // A small linear congruential generator: no dependencies, same every run.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).unwrap_or(0) % n
    };
    for i in 0..rows {
        text.push_str(&format!(
            "  row r{i} \"Generated row number {i} about some online activity\"\n"
        ));
        text.push_str(&format!("    adults: {}\n", ANSWERS[next(ANSWERS.len())]));
        text.push_str(&format!("    pupils: {}\n", ANSWERS[next(ANSWERS.len())]));
        if i % 3 == 0 {
            text.push_str(&format!("    year-{}: not allowed\n", 1 + i % 6));
        }
        if i % 2 == 0 {
            text.push_str("    breach by pupil: misuse\n");
        }
    }
    text.push_str(
        "incidents pupil-incidents \"Pupil incidents\" for pupil\n\
         \x20 response head \"Refer to Headteacher\" refer teacher\n\
         \x20 incident misuse \"Misuse\"\n    responses: head\n",
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_policies_check_clean() {
        for rows in [1, 10, 1000] {
            let text = generate(rows);
            let checked =
                esafety::check("generated.policy", &text, &esafety::CheckOptions::default());
            assert!(
                checked.diagnostics.is_empty(),
                "{rows} rows: {:?}",
                checked.diagnostics.first()
            );
            assert_eq!(checked.policy.map(|p| p.tables()[0].rows.len()), Some(rows));
        }
    }

    /// The floor is read from the policies' text, the engine's answers are
    /// `decide`'s: on every question with no time and no facts they agree.
    #[test]
    fn the_floor_agrees_with_plain_questions() {
        let policies = shipped();
        let mix = question_mix(&policies);
        assert!(mix.len() > 1000, "{} questions", mix.len());
        let floor = Floor::build(&policies, &mix);
        for q in mix
            .iter()
            .filter(|q| q.query.at.is_none() && q.query.facts.is_empty() && q.query.prior == 0)
        {
            let expected = policies[q.policy]
                .1
                .decide(&q.query)
                .map_or(Verdict::Denied, |d| d.verdict);
            assert_eq!(floor.answer(q), Some(expected), "{q:?}");
        }
    }
}
