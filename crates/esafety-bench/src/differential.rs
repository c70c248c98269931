//! The differential test's questions: every role × every row of a policy,
//! at moments across a school week, with each combination of nomination and
//! permission, each answered by esafety (`Policy::decide`), by Cedar and by
//! Rego (both translated from the independent reading), and compared.
//!
//! Neither side's answers are derived from the other's: the Cedar policies
//! come from [`Reading`], and the moments and facts are fixed here.

use esafety::{Policy, Query, Verdict};

use crate::cedar::{Cedar, FullQuestion};
use crate::reading::Reading;
use crate::rego::Rego;

/// Moments across a week: before school, in lessons, at break and lunch,
/// after school, the evening, on a school day and on a Saturday (the week
/// of 3 November 2025, term time for policies that give terms in 2025–26).
pub fn week() -> Vec<jiff::civil::DateTime> {
    let mut out = Vec::new();
    for day in [4i8, 8] {
        for (h, m) in [
            (7, 30),
            (8, 50),
            (10, 35),
            (11, 0),
            (12, 30),
            (13, 30),
            (15, 20),
            (19, 0),
        ] {
            out.push(jiff::civil::date(2025, 11, day).at(h, m, 0, 0));
        }
    }
    out
}

/// Every role a reading knows: declared, base, and named in cells.
pub fn roles(reading: &Reading) -> Vec<String> {
    let mut roles: Vec<String> = reading.groups.keys().cloned().collect();
    for row in reading.rules.keys() {
        roles.extend(reading.named_in(row));
    }
    roles.retain(|r| r != "everyone");
    roles.sort();
    roles.dedup();
    roles
}

/// The questions for policy `index`: every role × row × moment × facts.
pub fn questions(index: usize, reading: &Reading) -> Vec<FullQuestion> {
    let mut out = Vec::new();
    let moments = week();
    for role in roles(reading) {
        for row in reading.rules.keys() {
            for at in &moments {
                for (nominated, permission) in [(false, false), (true, false), (false, true)] {
                    out.push(FullQuestion {
                        policy: index,
                        role: role.clone(),
                        row: row.clone(),
                        at: *at,
                        nominated,
                        permission,
                    });
                }
            }
        }
    }
    out
}

/// The same question for esafety.
pub fn query(q: &FullQuestion) -> Query {
    Query::action(q.role.as_str(), q.row.as_str())
        .at(q.at)
        .fact("nominated", q.nominated)
        .fact("permission", q.permission)
        .explain(false)
}

/// Whether esafety allows it: `allowed`, and nothing else.
pub fn esafety_allows(policy: &Policy, q: &FullQuestion) -> bool {
    policy
        .decide(&query(q))
        .is_ok_and(|d| d.verdict == Verdict::Allowed)
}

/// The questions on which esafety, Cedar and Rego do not all agree, each
/// described with the policy's name, ready to print.
pub fn disagreements(
    policies: &[(String, Policy)],
    readings: &[Reading],
    cedar: &Cedar,
    rego: &mut Rego,
    questions: &[FullQuestion],
) -> Vec<String> {
    let word = |allows: bool| if allows { "allows" } else { "denies" };
    questions
        .iter()
        .filter_map(|q| {
            let ours = esafety_allows(&policies[q.policy].1, q);
            let reading = &readings[q.policy];
            let cedars = cedar.allows(q.policy, &cedar.request(reading, q));
            let regos = rego.allows(q.policy, &Rego::input(reading, q));
            (ours != cedars || ours != regos).then(|| {
                format!(
                    "{}: {} {} at {} (nominated {}, permission {}; periods {:?}): esafety {}, cedar {}, rego {}",
                    policies[q.policy].0,
                    q.role,
                    q.row,
                    q.at,
                    q.nominated,
                    q.permission,
                    reading.clock.on_at(q.at),
                    word(ours),
                    word(cedars),
                    word(regos),
                )
            })
        })
        .collect()
}
