//! `esafety test`, run for real: the shipped tests pass and cover every row;
//! failures show what was expected, what the answer is and the lines
//! involved; every output format; exit codes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{code, esafety, scratch, stderr, stdout};
use serde_json::Value;

const FAILING: &str = "tests/corpus/tests/failing.policy-test";

/// The numbers in a `N passed, N failed` line.
fn counts(line: &str) -> (usize, usize) {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [p, "passed,", f, failed, ..] if failed.trim_end_matches(';') == "failed" => {
            (p.parse().unwrap(), f.parse().unwrap())
        }
        _ => panic!("not a summary: {line}"),
    }
}

/// How many tests of the shipped test files are marked as interpretations,
/// counted in the files.
fn marked_interpretations() -> usize {
    [
        "crockerne",
        "examples/example-high",
        "northgate/ashby-primary",
        "northgate/canal-side-high",
        "northgate/trust",
        "st-botolphs",
    ]
    .iter()
    .map(|school| {
        std::fs::read_to_string(common::root().join(format!("policies/{school}.policy-test")))
            .unwrap()
            .lines()
            .filter(|l| l.trim_start().starts_with("# interpretation:"))
            .count()
    })
    .sum()
}

#[test]
fn the_shipped_tests_pass() {
    let o = esafety(&["test"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    // One line per file, then the total, last.
    assert_eq!(lines.len(), 7, "{out}");
    assert!(lines[0].starts_with("policies/crockerne.policy-test: "));
    assert!(lines[1].starts_with("policies/examples/example-high.policy-test: "));
    assert!(lines[2].starts_with("policies/northgate/ashby-primary.policy-test: "));
    assert!(lines[3].starts_with("policies/northgate/canal-side-high.policy-test: "));
    assert!(lines[4].starts_with("policies/northgate/trust.policy-test: "));
    assert!(lines[5].starts_with("policies/st-botolphs.policy-test: "));
    let (passed, failed) = counts(lines[6]);
    assert!(passed >= 350, "{out}");
    assert_eq!(failed, 0);
    // The tests whose expectation is an interpretation are counted apart.
    let marked = marked_interpretations();
    assert!(marked > 100, "{marked}");
    assert!(
        lines[6].ends_with(&format!(
            "; {} from the document, {marked} marked as interpretations",
            passed - marked
        )),
        "{out}"
    );
}

/// The two real schools' tests go through every row. (The invented
/// Northgate family's tests are about what the academies change, not a
/// census of the trust's rows.)
#[test]
fn the_shipped_tests_cover_every_row() {
    let o = esafety(&[
        "test",
        "--coverage",
        "policies/crockerne.policy-test",
        "policies/st-botolphs.policy-test",
    ]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(
        out.contains("coverage of policies/crockerne.policy: 96 of 96 rows, devices, incidents and procedures are tested (100%)"),
        "{out}"
    );
    assert!(out.contains("coverage of policies/st-botolphs.policy: 46 of 46"));
    assert!(!out.contains("no test touches"));
}

#[test]
fn coverage_lists_what_no_test_touches() {
    let o = esafety(&[
        "test",
        "--coverage",
        "--filter",
        "immediate risk",
        "policies/st-botolphs.policy",
    ]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(out.contains("2 passed, 0 failed"), "{out}");
    assert!(out.contains("no test touches:"));
    assert!(out.contains(
        "row       policies/st-botolphs.policy:96  communications › phones-in-lessons \"Use of mobile phones in lessons\""
    ));
    assert!(out.contains("procedure policies/st-botolphs.policy:"));
    // The procedure the two tests go through is not listed.
    assert!(!out.contains("child-sexual-abuse \"Online child sexual abuse"));
}

#[test]
fn failures_show_expected_actual_and_the_lines() {
    let o = esafety(&["test", FAILING]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.ends_with("0 passed, 9 failed\n"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn json_report() {
    let o = esafety(&["test", "--format", "json", "--coverage", FAILING]);
    assert_eq!(code(&o), 1);
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(
        (report["passed"].as_u64(), report["failed"].as_u64()),
        (Some(0), Some(9))
    );
    assert_eq!(report["interpretations"], 0);
    let file = &report["files"][0];
    assert_eq!(file["path"], FAILING);
    assert_eq!(file["policy"], "tests/corpus/tests/school.policy");
    let first = &file["results"][0];
    assert_eq!(first["title"], "Wrong verdicts");
    assert_eq!(first["line"], 6);
    assert_eq!(first["query"]["role"], "pupil");
    assert_eq!(first["decision"]["verdict"], "denied");
    let failure = &first["failures"][0];
    assert_eq!(failure["expected"], "allowed");
    assert_eq!(failure["actual"], "denied");
    assert_eq!(failure["location"]["line"], 9);
    assert_eq!(failure["location"]["column"], 10);
    // 3 + 1 rows, 1 device, 3 incidents and 1 procedure.
    assert_eq!(file["coverage"]["items"].as_array().unwrap().len(), 9);
}

#[test]
fn github_annotations() {
    let o = esafety(&["test", "--format", "github", FAILING]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains(
        "::error file=tests/corpus/tests/failing.policy-test,line=9,col=10,endLine=9,endColumn=17,title=esafety test failed%3A Wrong verdicts::expected allowed; the answer is denied\n"
    ), "{out}");
    assert!(out.ends_with("0 passed, 9 failed\n"));
}

#[test]
fn errors_in_a_test_file_fail_the_run() {
    let o = esafety(&["test", "tests/corpus/tests/syntax-errors.policy-test"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("error[E0401]"), "{out}");
    assert!(out.contains("9 errors in the test files (above)"), "{out}");
    // Seven tests, none of which can run as written: each is a failure.
    assert!(out.ends_with("0 passed, 7 failed\n"), "{out}");
}

#[test]
fn a_policy_with_errors_fails_its_tests() {
    let o = esafety(&["test", "tests/corpus/tests/policy-errors.policy-test"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("error[E0404]: `tests/corpus/tests/broken.policy` has 1 error"));
    assert!(
        out.contains("error[E0102]"),
        "the policy's own error: {out}"
    );
    assert!(out.ends_with("0 passed, 1 failed\n"));
}

#[test]
fn paths_are_test_files_policies_or_directories() {
    // A policy stands for the tests beside it.
    let o = esafety(&["test", "policies/crockerne.policy"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).starts_with("policies/crockerne.policy-test: "));

    let dir = scratch("test-paths");
    let lonely = dir.join("lonely.policy");
    std::fs::copy(common::root().join("policies/crockerne.policy"), &lonely).unwrap();
    let o = esafety(&["test", lonely.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("has no tests: write them in"),
        "{}",
        stderr(&o)
    );

    let o = esafety(&["test", "crates/esafety-cli/src"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no test files (`*.policy-test`) in crates/esafety-cli/src"));

    let o = esafety(&["test", "policies/nowhere"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot read `policies/nowhere`"));
}

#[test]
fn filter_runs_the_tests_whose_name_matches() {
    // The name is Crockerne's; the filter ignores case.
    let o = esafety(&[
        "test",
        "--filter",
        "PUPIL USING A PHONE IN A LESSON",
        "policies/",
    ]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(
        out.contains("policies/crockerne.policy-test: 1 passed, 0 failed"),
        "{out}"
    );
    // That one test is marked as an interpretation (the link from the row to
    // its incident is the policy's reading).
    assert!(
        out.ends_with("1 passed, 0 failed; 0 from the document, 1 marked as an interpretation\n"),
        "{out}"
    );
}
