//! The examples in `docs/` are real policies: this checks every one.
//!
//! * `docs/language.md`: each ```` ```policy ```` block checks clean, review
//!   date included, as on 1 December 2026; a ```` ```policy warn ```` block
//!   may have warnings but no errors. Both are in the layout `esafety fmt`
//!   gives.
//! * `docs/diagnostics.md`: each code's section has a ```` ```policy wrong ````
//!   block that produces that code and a ```` ```policy right ```` block that
//!   checks clean and is formatted (or ```` ```text ```` blocks where the problem cannot be
//!   shown in a few lines).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use esafety::diagnostic::{Code, render};
use esafety::{CheckOptions, check};

fn doc(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// (info string, body, line of the opening fence) of each fenced block.
fn blocks(markdown: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut current: Option<(String, String, usize)> = None;
    for (n, line) in markdown.lines().enumerate() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => current = Some((info.trim().to_owned(), String::new(), n + 1)),
            (Some(_), Some("")) => out.push(current.take().unwrap()),
            (Some((_, body, _)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// Review dates are checked (as of 1 September 2025) only in the section
/// about them, so that other examples need no review date.
fn options(code: Option<Code>) -> CheckOptions {
    if code == Some(Code::ReviewOverdue) {
        CheckOptions::with_today(jiff::civil::date(2025, 9, 1))
    } else {
        CheckOptions::default()
    }
}

#[test]
fn language_examples_check() {
    let text = doc("language.md");
    let mut count = 0;
    // A `policy base` block is the policy the next `policy school` block
    // extends (as `trust.policy`); both must check clean.
    let mut base = String::new();
    for (info, body, line) in blocks(&text) {
        if info == "policy base" || info == "policy school" {
            count += 1;
            let formatted = esafety::format::format("example.policy", &body);
            assert!(
                formatted.as_ref() == Ok(&body),
                "docs/language.md:{line}: not in the canonical layout"
            );
            if info == "policy base" {
                base = body;
                let checked = check("trust.policy", &base, &CheckOptions::default());
                assert!(checked.diagnostics.is_empty(), "docs/language.md:{line}");
                continue;
            }
            let mut read = |path: &str| {
                (path == "trust.policy")
                    .then(|| base.clone())
                    .ok_or_else(|| format!("no {path}"))
            };
            let checked = esafety::family::check_family(
                "academy.policy",
                &body,
                &mut read,
                &CheckOptions::default(),
            );
            assert!(
                checked.diagnostics.is_empty(),
                "docs/language.md:{line}: {:#?}",
                checked.diagnostics
            );
            continue;
        }
        let strict = info == "policy";
        if !strict && info != "policy warn" {
            continue;
        }
        count += 1;
        // Examples show the layout `esafety fmt` gives.
        let formatted = esafety::format::format("example.policy", &body);
        assert!(
            formatted.as_ref() == Ok(&body),
            "docs/language.md:{line}: not in the canonical layout; `esafety fmt` gives:\n{}",
            formatted.unwrap_or_default()
        );
        // Checked as `esafety check` checks them (review dates included), on
        // the day the documentation's outputs were taken (the same day as
        // esafety-cli's tests/documented.rs).
        let on_the_day = CheckOptions::with_today(jiff::civil::date(2026, 12, 1));
        let checked = check("example.policy", &body, &on_the_day);
        let rendered = render::human(&checked.diagnostics, &body, false);
        if strict {
            assert!(
                checked.diagnostics.is_empty(),
                "docs/language.md:{line}\n{rendered}"
            );
        } else {
            assert!(!checked.has_errors(), "docs/language.md:{line}\n{rendered}");
            assert!(
                checked.warning_count() > 0,
                "docs/language.md:{line}: `policy warn` but no warning"
            );
        }
    }
    assert!(count >= 15, "only {count} examples found");
}

#[test]
fn every_code_has_a_wrong_and_a_right_example() {
    let text = doc("diagnostics.md");
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            sections.push((heading.to_owned(), String::new()));
        } else if let Some((_, body)) = sections.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    // Test-file examples test the policy shown once, in a `policy example`
    // block.
    let example = blocks(&text)
        .into_iter()
        .find(|(info, _, _)| info == "policy example")
        .map(|(_, body, _)| esafety::Policy::parse("example.policy", &body).unwrap())
        .expect("docs/diagnostics.md shows the policy its test-file examples test");
    let mut documented = Vec::new();
    for (heading, body) in &sections {
        let (code_text, name) = heading.split_once(' ').unwrap();
        let code = Code::parse(code_text).unwrap_or_else(|| panic!("unknown code {code_text}"));
        assert_eq!(
            code.name(),
            name,
            "the heading of {code_text} names it wrongly"
        );
        documented.push(code);
        let examples = blocks(body);
        if examples
            .iter()
            .any(|(i, _, _)| i.starts_with("policy-test"))
        {
            test_file_examples(code, &examples, &example);
            continue;
        }
        let wrong: Vec<_> = examples
            .iter()
            .filter(|(i, _, _)| i == "policy wrong")
            .collect();
        let right: Vec<_> = examples
            .iter()
            .filter(|(i, _, _)| i == "policy right")
            .collect();
        if wrong.is_empty() && right.is_empty() {
            assert!(
                examples.iter().any(|(i, _, _)| i == "text"),
                "{code_text} has no example"
            );
            continue;
        }
        assert_eq!(
            (wrong.len(), right.len()),
            (1, 1),
            "{code_text} needs one wrong and one right example"
        );
        let wrong = check("wrong.policy", &wrong[0].1, &options(Some(code)));
        assert!(
            wrong.diagnostics.iter().any(|d| d.code == code),
            "{code_text}: the wrong example does not produce it:\n{}",
            render::human(&wrong.diagnostics, &examples[0].1, false)
        );
        let right_text = &right[0].1;
        assert!(
            esafety::format::format("right.policy", right_text).as_ref() == Ok(right_text),
            "{code_text}: the right example is not in the canonical layout"
        );
        let right = check("right.policy", right_text, &options(Some(code)));
        assert!(
            right.diagnostics.is_empty(),
            "{code_text}: the right example is not clean:\n{}",
            render::human(&right.diagnostics, right_text, false)
        );
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !documented.contains(c))
        .map(|c| c.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "docs/diagnostics.md does not explain {missing:?}"
    );
}

/// A `policy-test wrong` example produces its code; a `policy-test right`
/// one has no diagnostics, and its tests pass against the example policy.
fn test_file_examples(code: Code, examples: &[(String, String, usize)], policy: &esafety::Policy) {
    let find = |info: &str| {
        let found: Vec<_> = examples.iter().filter(|(i, _, _)| i == info).collect();
        assert_eq!(found.len(), 1, "{code}: needs one `{info}` example");
        found[0].1.clone()
    };
    let run = |text: &str| {
        let parsed = esafety::testing::parse("example.policy-test", text);
        let report = esafety::testing::run(&parsed, policy);
        let mut diagnostics = parsed.diagnostics.clone();
        diagnostics.extend(report.diagnostics.iter().cloned());
        (diagnostics, report)
    };
    let (wrong, _) = run(&find("policy-test wrong"));
    assert!(
        wrong.iter().any(|d| d.code == code),
        "{code}: the wrong example does not produce it: {wrong:#?}"
    );
    let right_text = find("policy-test right");
    let (right, report) = run(&right_text);
    assert!(
        right.is_empty(),
        "{code}: the right example is not clean: {right:#?}"
    );
    assert!(
        report.failed() == 0 && report.passed() > 0,
        "{code}: the right example's tests do not all pass: {:#?}",
        report.results
    );
}

/// Every example in `docs/testing.md` is a real test file: each
/// ```` ```policy-test ```` block reads without a diagnostic, and its tests
/// pass against the policy the page shows first (```` ```policy ````).
#[test]
fn testing_examples_pass() {
    let text = doc("testing.md");
    let examples = blocks(&text);
    let policy_text = examples
        .iter()
        .find(|(info, _, _)| info == "policy")
        .map(|(_, body, _)| body.clone())
        .expect("docs/testing.md shows the policy its examples test");
    let checked = check("example.policy", &policy_text, &CheckOptions::default());
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render::human(&checked.diagnostics, &policy_text, false)
    );
    let policy = checked.policy.unwrap();
    let mut count = 0;
    for (info, body, line) in &examples {
        if info != "policy-test" {
            continue;
        }
        count += 1;
        let parsed = esafety::testing::parse("example.policy-test", body);
        assert!(
            parsed.diagnostics.is_empty(),
            "docs/testing.md:{line}\n{}",
            render::human(&parsed.diagnostics, body, false)
        );
        let report = esafety::testing::run(&parsed, &policy);
        let failed: Vec<_> = report.results.iter().filter(|r| !r.passed()).collect();
        assert!(
            failed.is_empty() && report.diagnostics.is_empty(),
            "docs/testing.md:{line}: {failed:#?} {:#?}",
            report.diagnostics
        );
    }
    assert!(count >= 3, "only {count} test examples in docs/testing.md");
}
