//! The shipped policies answer as their documents say.
//!
//! `policies/<school>.policy-test` holds the tests of each shipped policy:
//! named tests an author would write, then one case per row and role (and
//! per time window), each written by reading the school's document and never
//! by copying the engine's output. This runs them with the library's test
//! runner (what `esafety test` runs) and requires every test to pass and
//! every row, device, incident and procedure to be tested.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use esafety::{Policy, Query, testing};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Runs a shipped policy's tests; returns how many passed.
fn run(school: &str) -> usize {
    let path = root().join(format!("policies/{school}.policy-test"));
    let text = std::fs::read_to_string(&path).unwrap();
    let tests = testing::parse(path.to_str().unwrap(), &text);
    assert!(tests.diagnostics.is_empty(), "{:#?}", tests.diagnostics);
    let policy = testing::load_policy(&tests).unwrap();
    let report = testing::run(&tests, &policy.policy);
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    let failures: Vec<String> = report
        .results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| {
            let lines: Vec<String> = r
                .failures
                .iter()
                .map(|f| {
                    format!(
                        "    line {}: expected {}; the answer is {}",
                        f.location.line, f.expected, f.actual
                    )
                })
                .collect();
            format!(
                "{school}.policy-test:{}: {}\n{}",
                r.line,
                r.title,
                lines.join("\n")
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} tests fail:\n{}",
        failures.len(),
        report.results.len(),
        failures.join("\n")
    );
    let untested: Vec<String> = report
        .coverage
        .untested()
        .map(|i| format!("{} {} (line {})", i.kind, i.id, i.line))
        .collect();
    assert!(
        untested.is_empty(),
        "{school}: no test touches {untested:?}"
    );
    report.passed()
}

#[test]
fn crockerne_answers_as_its_document_says() {
    assert!(run("crockerne") >= 240);
}

#[test]
fn st_botolphs_answers_as_its_document_says() {
    assert!(run("st-botolphs") >= 110);
}

/// Every row of every table can be asked about by its label, and every
/// label is the document's.
#[test]
fn every_row_is_answerable_by_label() {
    for school in ["crockerne", "st-botolphs"] {
        let policy = Policy::from_file(root().join(format!("policies/{school}.policy"))).unwrap();
        for table in policy.tables() {
            for row in &table.rows {
                for role in ["staff", "pupil", "visitor", "parent"] {
                    let d = policy.decide(&Query::action(role, &*row.label).explain(false));
                    let d = d.unwrap_or_else(|e| panic!("{school}: {}: {e}", row.label));
                    assert_eq!(d.rule.unwrap().row, row.id);
                }
            }
        }
        for incident in policy.incidents() {
            let role = incident.roles[0].to_string();
            let role = if role == "everyone" {
                "staff".to_owned()
            } else {
                role
            };
            let d = policy
                .decide(&Query::incident(role, &*incident.label))
                .unwrap();
            assert_eq!(d.incident.unwrap().id, incident.id);
        }
    }
}

/// The labels of the documents' tables appear verbatim in the policies.
#[test]
fn table_labels_are_verbatim() {
    let seeds = root().join("../shared/seeds");
    let pairs = [
        ("crockerne", "000_4c12e97b6f819827.txt"),
        ("st-botolphs", "001_b55a6b1e18ad71b5.txt"),
    ];
    for (school, seed) in pairs {
        let Ok(source) = std::fs::read_to_string(seeds.join(seed)) else {
            // The source documents live beside the repository, not in it.
            eprintln!("skipping {school}: {seed} is not available here");
            continue;
        };
        let policy = Policy::from_file(root().join(format!("policies/{school}.policy"))).unwrap();
        let labels = policy
            .tables()
            .iter()
            .filter(|t| t.kind != esafety::TableKind::Rules)
            .flat_map(|t| t.rows.iter().map(|r| r.label.to_string()))
            .chain(
                policy
                    .incidents()
                    .filter(|i| !i.table.contains("concerns"))
                    .map(|i| i.label.to_string()),
            )
            .chain(
                policy
                    .devices()
                    .filter(|_| school == "crockerne")
                    .map(|d| d.label.to_string()),
            );
        for label in labels {
            assert!(
                source.contains(&label),
                "{school}: \"{label}\" is not in the document"
            );
        }
    }
}
