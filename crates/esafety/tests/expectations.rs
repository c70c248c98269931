//! The shipped policies answer as their documents say.
//!
//! `tests/expectations/<school>.tsv` lists, one case per row and role (and per
//! time window), the answer the school's document gives, written by reading
//! the document and never by copying the engine's output. This asks
//! `policies/<school>.policy` each question and compares. See the header of
//! each `.tsv` for its columns.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use esafety::{Decision, Policy, Query, Verdict};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Builds the query of one case.
fn query(role: &str, question: &str, at: &str, facts: &str, prior: &str) -> Query {
    let (kind, subject) = question.split_once(':').unwrap();
    let mut q = match kind {
        "action" => Query::action(role, subject),
        "incident" => Query::incident(role, subject),
        "device" => {
            let (device, capability) = subject.split_once('|').unwrap();
            let q = Query::device(device, capability);
            if role == "-" { q } else { q.role(role) }
        }
        other => panic!("unknown question kind {other}"),
    };
    if at != "-" {
        q = q.at(at.parse().unwrap());
    }
    if facts != "-" {
        for fact in facts.split(',') {
            let (name, value) = fact.split_once('=').unwrap();
            q = q.fact(name, value == "yes");
        }
    }
    q.prior(prior.parse().unwrap())
}

fn verdict_text(d: &Decision) -> String {
    match (d.verdict, &d.condition) {
        (Verdict::Conditional, Some(c)) => {
            let kind = serde_json::to_value(c.kind).unwrap();
            format!("conditional:{}", kind.as_str().unwrap())
        }
        (Verdict::Denied, _) if d.default => "denied!".to_owned(),
        (v, _) => v.as_str().to_owned(),
    }
}

fn responses_text(d: &Decision) -> String {
    let ids: Vec<&str> = d.responses.iter().map(|r| &*r.id).collect();
    if ids.is_empty() {
        "-".to_owned()
    } else {
        ids.join(",")
    }
}

/// The route, with its steps when the case lists them.
fn route_text(d: &Decision, expected: &str) -> String {
    let Some(route) = &d.route else {
        return "-".to_owned();
    };
    if !expected.contains(':') {
        return route.id().to_owned();
    }
    let steps: Vec<String> = route
        .steps()
        .map(|s| format!("{}{}", s.step.number, if s.pending { "p" } else { "" }))
        .collect();
    format!("{}:{}", route.id(), steps.join(","))
}

fn run(school: &str) -> usize {
    let policy = Policy::from_file(root().join(format!("policies/{school}.policy"))).unwrap();
    let table =
        std::fs::read_to_string(root().join(format!("tests/expectations/{school}.tsv"))).unwrap();
    let mut failures = Vec::new();
    let mut cases = 0;
    for (n, line) in table.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 9, "{school}.tsv:{}: expected 9 columns", n + 1);
        let [
            role,
            question,
            at,
            facts,
            prior,
            verdict,
            incident,
            responses,
            route,
        ] = [f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]];
        cases += 1;
        let q = query(role, question, at, facts, prior);
        let got = match policy.decide(&q) {
            Ok(d) => [
                verdict_text(&d),
                d.incident
                    .as_ref()
                    .map_or("-".to_owned(), |i| i.id.to_string()),
                responses_text(&d),
                route_text(&d, route),
            ],
            Err(e) => [
                format!("error:{}", e.kind()),
                "-".into(),
                "-".into(),
                "-".into(),
            ],
        };
        let want = [verdict, incident, responses, route];
        if got.iter().map(String::as_str).ne(want) {
            failures.push(format!(
                "{school}.tsv:{}: {role} {question} (at {at}, facts {facts}, prior {prior})\n    expected {want:?}\n    got      {got:?}",
                n + 1
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    cases
}

#[test]
fn crockerne_answers_as_its_document_says() {
    assert!(run("crockerne") >= 200);
}

#[test]
fn st_botolphs_answers_as_its_document_says() {
    assert!(run("st-botolphs") >= 90);
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
