//! esafety, Cedar and Rego answer every question alike: every role × row ×
//! moment of a school week × nomination and permission, for both shipped
//! policies and for generated ones. The Cedar and Rego encodings are
//! translated from an independent reading of the policy's text, never from
//! esafety's answers.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use esafety::Policy;
use esafety_bench::cedar::Cedar;
use esafety_bench::differential::{disagreements, esafety_allows, questions};
use esafety_bench::reading::Reading;
use esafety_bench::rego::Rego;
use esafety_bench::{readings, shipped};
use proptest::prelude::*;

/// Asks every question of `policies` of all three engines; returns the
/// number of questions and how many esafety allows, or the disagreements.
fn compare(policies: &[(String, Policy)], readings: &[Reading]) -> Result<(usize, usize), String> {
    let cedar = Cedar::build(readings);
    let mut rego = Rego::build(readings);
    let questions: Vec<_> = readings
        .iter()
        .enumerate()
        .flat_map(|(i, r)| questions(i, r))
        .collect();
    let allowed = questions
        .iter()
        .filter(|q| esafety_allows(&policies[q.policy].1, q))
        .count();
    let disagreements = disagreements(policies, readings, &cedar, &mut rego, &questions);
    if disagreements.is_empty() {
        Ok((questions.len(), allowed))
    } else {
        Err(format!(
            "{} of {} questions disagree, e.g.:\n{}",
            disagreements.len(),
            questions.len(),
            disagreements
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        ))
    }
}

#[test]
fn the_three_engines_agree_on_every_question_of_the_shipped_policies() {
    let policies = shipped();
    let (asked, allowed) =
        compare(&policies, &readings(&policies)).unwrap_or_else(|e| panic!("{e}"));
    assert!(asked > 10_000, "{asked}");
    // Both answers occur, so agreement is not three engines denying everything.
    assert!(allowed > 100 && allowed < asked / 2, "{allowed} of {asked}");
}

// --- generated policies ------------------------------------------------------

/// Where a generated role hangs: `parent` indexes the base roles followed
/// by the roles generated before it, so every tree is well formed.
#[derive(Debug, Clone)]
struct GeneratedRole {
    parent: usize,
}

/// A generated cell: whom it answers for (an index into every role, with
/// one past the end meaning `everyone`) and its answer.
#[derive(Debug, Clone)]
struct GeneratedCell {
    role: usize,
    answer: usize,
    periods: Vec<usize>,
}

const PERIODS: [&str; 4] = ["lessons", "break", "lunch", "after-school"];

/// A policy's text from generated parts: a role tree under the base roles,
/// a school day of four periods at generated times (and a Saturday club),
/// an alias, and tables of rows whose cells name distinct roles.
fn policy_text(
    roles: &[GeneratedRole],
    starts: &[u32],
    tables: &[Vec<Vec<GeneratedCell>>],
) -> String {
    use std::fmt::Write as _;
    let mut names: Vec<String> = esafety::BASE_ROLES.iter().map(|r| r.to_string()).collect();
    let mut text = String::from(
        "school \"Generated School\"\n  approved September 2025\n  review by July 2026\nroles\n",
    );
    for (i, role) in roles.iter().enumerate() {
        let name = format!("role-{i}");
        let parent = &names[role.parent % names.len()];
        writeln!(text, "  {parent} includes {name}").unwrap();
        names.push(name);
    }
    // Four periods back to back from 08:00, of generated lengths.
    text.push_str("timetable\n  monday to friday\n");
    let mut at = 8 * 60;
    for (period, length) in PERIODS.iter().zip(starts) {
        let end = at + 15 + length;
        writeln!(
            text,
            "    {period} {:02}:{:02} to {:02}:{:02}",
            at / 60,
            at % 60,
            end / 60,
            end % 60
        )
        .unwrap();
        at = end;
    }
    text.push_str("  saturday\n    lessons 10:00 to 12:00\n  social-time means break, lunch\n");
    let mut row_number = 0;
    for (t, rows) in tables.iter().enumerate() {
        writeln!(text, "communications table-{t} \"Table {t}\"").unwrap();
        for cells in rows {
            writeln!(text, "  row row-{row_number} \"Row {row_number}\"").unwrap();
            row_number += 1;
            let mut named: Vec<usize> = Vec::new();
            for cell in cells {
                let who = cell.role % (names.len() + 1);
                if named.contains(&who) {
                    continue;
                }
                named.push(who);
                let who = names.get(who).map_or("everyone", String::as_str);
                let mut windows: Vec<&str> = cell
                    .periods
                    .iter()
                    .map(|p| {
                        [
                            PERIODS[0],
                            PERIODS[1],
                            PERIODS[2],
                            PERIODS[3],
                            "social-time",
                            "weekend",
                            "outside-school-hours",
                        ][p % 7]
                    })
                    .collect();
                windows.sort_unstable();
                windows.dedup();
                let windows = windows.join(", ");
                let answer = match cell.answer % 7 {
                    0 => "allowed".to_owned(),
                    1 => "not allowed".to_owned(),
                    2 => format!("allowed at certain times during {windows}"),
                    3 => format!("allowed at certain times outside {windows}"),
                    4 => "allowed for selected staff".to_owned(),
                    5 => "allowed with staff permission".to_owned(),
                    _ => "allowed at certain times".to_owned(),
                };
                writeln!(text, "    {who}: {answer}").unwrap();
            }
        }
    }
    text
}

fn generated_policy() -> impl Strategy<Value = String> {
    let role = (0usize..64).prop_map(|parent| GeneratedRole { parent });
    let cell = (
        0usize..64,
        0usize..7,
        prop::collection::vec(0usize..7, 1..3),
    )
        .prop_map(|(role, answer, periods)| GeneratedCell {
            role,
            answer,
            periods,
        });
    let row = prop::collection::vec(cell, 1..5);
    let table = prop::collection::vec(row, 1..5);
    (
        prop::collection::vec(role, 0..7),
        prop::collection::vec(0u32..120, 4),
        prop::collection::vec(table, 1..4),
    )
        .prop_map(|(roles, starts, tables)| policy_text(&roles, &starts, &tables))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_three_engines_agree_on_generated_policies(text in generated_policy()) {
        let checked = esafety::check("generated.policy", &text, &esafety::CheckOptions::default());
        let Some(policy) = checked.policy else {
            panic!("the generator wrote a policy that does not check:\n{text}\n{:?}", checked.diagnostics);
        };
        // The reading sees every row the checker does.
        prop_assert_eq!(Reading::of(&text).rules.len(), policy.tables().iter().map(|t| t.rows.len()).sum::<usize>());
        if let Err(e) = compare(&[("generated.policy".to_owned(), policy)], &[Reading::of(&text)]) {
            panic!("{e}\nin the policy:\n{text}");
        }
    }
}
