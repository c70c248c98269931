//! The shared corpus in `tests/corpus/` at the top of the repository.
//!
//! Every fixture states the diagnostics it expects in comments:
//!
//! ```text
//! # expect: E0201 "pupils"
//!     pupils: not allowed
//! ```
//!
//! means "a diagnostic E0201 on the next line that is not an `expect`
//! comment, underlining exactly `pupils`". `# expect anywhere: CODE` expects a
//! diagnostic with that code somewhere in the file (for problems that belong
//! to no line, such as a missing `school`). A fixture gets exactly the
//! diagnostics it expects: none missing, none extra. Valid fixtures expect
//! none. Review dates are checked against the date a fixture gives in a
//! `# today: YYYY-MM-DD` line, and not at all without one.
//!
//! Each fixture's rendered diagnostics (human and JSON) are also kept as
//! snapshots, so that a change in wording or location shows up in review.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use esafety::diagnostic::render;
use esafety::{CheckOptions, check_bytes};

/// A fixture that wants review dates checked names the day to check them
/// against in a `# today: YYYY-MM-DD` line; others are checked without one.
fn today(source: &str) -> CheckOptions {
    source
        .lines()
        .find_map(|l| l.trim().strip_prefix("# today:"))
        .map(|d| CheckOptions::with_today(d.trim().parse().unwrap()))
        .unwrap_or_default()
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Expected {
    code: String,
    /// 1-based line, or `None` for "anywhere".
    line: Option<u32>,
    /// The underlined text, if the expectation names it.
    text: Option<String>,
}

fn expectations(source: &str) -> Vec<Expected> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let (anywhere, rest) = if let Some(rest) = trimmed.strip_prefix("# expect anywhere:") {
            (true, rest)
        } else if let Some(rest) = trimmed.strip_prefix("# expect:") {
            (false, rest)
        } else {
            continue;
        };
        let rest = rest.trim();
        let (code, text) = match rest.split_once(' ') {
            Some((code, text)) => {
                let text = text.trim();
                let text = text
                    .strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .unwrap_or_else(|| {
                        panic!("line {}: the expected text must be in double quotes", i + 1)
                    });
                (code.to_owned(), Some(text.replace("\\\"", "\"")))
            }
            None => (rest.to_owned(), None),
        };
        let line = if anywhere {
            None
        } else {
            // The next line that is not itself an expectation.
            let target = (i + 1..lines.len())
                .find(|&j| !lines[j].trim_start().starts_with("# expect"))
                .unwrap_or_else(|| panic!("line {}: no line follows the expectation", i + 1));
            Some(u32::try_from(target + 1).unwrap())
        };
        out.push(Expected { code, line, text });
    }
    out
}

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap();
    path.canonicalize()
        .unwrap()
        .strip_prefix(&root)
        .unwrap()
        .display()
        .to_string()
}

/// Checks a fixture named by its path from the top of the repository,
/// reading any policy it extends from there too.
fn check_fixture(name: &str, bytes: &[u8], options: &CheckOptions) -> esafety::Checked {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut read = |path: &str| esafety::read_base(&root.join(path).display().to_string());
    match esafety::syntax::decode(name, bytes) {
        Ok(text) => esafety::family::check_family(name, text, &mut read, options),
        Err(diagnostic) => esafety::Checked::new(vec![*diagnostic], None),
    }
}

#[test]
fn corpus() {
    insta::glob!("../../../tests/corpus", "**/*.policy", |path| {
        let bytes = std::fs::read(path).unwrap();
        let name = relative(path);
        let lossy = String::from_utf8_lossy(&bytes);
        let checked = check_fixture(&name, &bytes, &today(&lossy));
        let expected = expectations(&lossy);

        let mut unmatched: Vec<String> = Vec::new();
        let mut remaining = checked.diagnostics.clone();
        for e in &expected {
            let found = remaining.iter().position(|d| {
                let underlined = lossy.get(d.location.start..d.location.end).unwrap_or("");
                d.code.as_str() == e.code
                    && e.line.is_none_or(|l| d.location.line == l)
                    && e.text.as_deref().is_none_or(|t| t == underlined)
            });
            match found {
                Some(i) => {
                    remaining.remove(i);
                }
                None => unmatched.push(format!("{e:?}")),
            }
        }
        let extra: Vec<String> = remaining
            .iter()
            .map(|d| {
                let underlined = lossy.get(d.location.start..d.location.end).unwrap_or("");
                format!(
                    "{} line {} {:?}: {}",
                    d.code, d.location.line, underlined, d.message
                )
            })
            .collect();
        assert!(
            unmatched.is_empty() && extra.is_empty(),
            "{name}\nexpected but not reported:\n  {}\nreported but not expected:\n  {}",
            unmatched.join("\n  "),
            extra.join("\n  ")
        );
        if name.contains("/invalid/") {
            assert!(
                !expected.is_empty(),
                "{name}: an invalid fixture must expect something"
            );
        }
        // A fixture without errors compiles to a policy.
        assert_eq!(checked.policy.is_some(), !checked.has_errors(), "{name}");

        // A fixture that extends another must check clean but for its own
        // lines: the policies it extends are fixtures of their own.
        assert!(
            checked.diagnostics.iter().all(|d| d.path == name),
            "{name}: diagnostics in another file: {:#?}",
            checked.diagnostics
        );
        let files: Vec<(&str, &str)> = std::iter::once((name.as_str(), &*lossy))
            .chain(
                checked
                    .sources
                    .iter()
                    .map(|f| (f.path.as_str(), f.text.as_str())),
            )
            .collect();
        insta::assert_snapshot!(
            "human",
            render::human_files(&checked.diagnostics, &files, false)
        );
        let report = [render::FileReport::new(&name, &checked.diagnostics)];
        insta::assert_snapshot!("json", render::json(&report));
    });
}

/// The test-file corpus (`tests/corpus/tests/*.policy-test`): every
/// diagnostic and every failed expectation is stated inline, a failure as
/// `# expect: FAIL "the words of the expectation"`.
#[test]
fn test_file_corpus() {
    insta::glob!("../../../tests/corpus", "**/*.policy-test", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = relative(path);
        // Parsed under its full path, so that the policy beside it is found;
        // reported under its name in the repository.
        let full = path.display().to_string();
        let parsed = esafety::testing::parse(&full, &text);
        let mut diagnostics = parsed.diagnostics.clone();
        let mut failures = Vec::new();
        let counts = match esafety::testing::load_policy(&parsed) {
            Ok(policy) => {
                let report = esafety::testing::run(&parsed, &policy.policy);
                diagnostics.extend(report.diagnostics.iter().cloned());
                for result in &report.results {
                    failures.extend(result.failures.iter().cloned());
                }
                (report.passed(), report.failed())
            }
            Err(unusable) => {
                diagnostics.push(unusable.diagnostic);
                // No test of a file whose policy cannot be used can run.
                (0, parsed.file.cases.len() + parsed.file.unrunnable.len())
            }
        };
        // The fixture says how many of its tests pass and fail: every test
        // that cannot run as written is a failure.
        let stated = text
            .lines()
            .find_map(|l| l.strip_prefix("# counts: "))
            .unwrap_or_else(|| panic!("{name}: no `# counts: N passed, M failed` line"));
        assert_eq!(
            format!("{} passed, {} failed", counts.0, counts.1),
            stated.trim(),
            "{name}"
        );
        // Messages name the policy by the path it was found at: keep them
        // free of where this checkout happens to be.
        let root = format!(
            "{}/",
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .canonicalize()
                .unwrap()
                .display()
        );
        for d in &mut diagnostics {
            d.path.clone_from(&name);
            d.message = d.message.replace(&root, "");
            d.help = d.help.replace(&root, "");
        }

        let expected = expectations(&text);
        let mut unmatched: Vec<String> = Vec::new();
        let mut found: Vec<(String, u32, String)> = diagnostics
            .iter()
            .map(|d| {
                let underlined = text.get(d.location.start..d.location.end).unwrap_or("");
                (
                    d.code.as_str().to_owned(),
                    d.location.line,
                    underlined.to_owned(),
                )
            })
            .chain(failures.iter().map(|f| {
                let underlined = text.get(f.location.start..f.location.end).unwrap_or("");
                ("FAIL".to_owned(), f.location.line, underlined.to_owned())
            }))
            .collect();
        for e in &expected {
            let hit = found.iter().position(|(code, line, underlined)| {
                *code == e.code
                    && e.line.is_none_or(|l| *line == l)
                    && e.text.as_deref().is_none_or(|t| t == underlined)
            });
            match hit {
                Some(i) => {
                    found.remove(i);
                }
                None => unmatched.push(format!("{e:?}")),
            }
        }
        assert!(
            unmatched.is_empty() && found.is_empty(),
            "{name}\nexpected but not reported:\n  {}\nreported but not expected:\n  {found:?}",
            unmatched.join("\n  ")
        );

        insta::assert_snapshot!("human", render::human(&diagnostics, &text, false));
        let listed: Vec<String> = failures
            .iter()
            .map(|f| {
                format!(
                    "line {}: expected {}; the answer is {}",
                    f.location.line, f.expected, f.actual
                )
            })
            .collect();
        insta::assert_snapshot!("failures", listed.join("\n"));
    });
}

/// Every diagnostic code has at least one fixture that expects it.
#[test]
fn every_code_is_exercised() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut seen = std::collections::BTreeSet::new();
    for entry in walk(&root) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        for e in expectations(&text) {
            seen.insert(e.code);
        }
    }
    // E0100 (file too large) is exercised by `oversized_file` below rather
    // than by a 16 MiB fixture.
    seen.insert("E0100".to_owned());
    let missing: Vec<&str> = esafety::diagnostic::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(*c))
        .collect();
    assert!(missing.is_empty(), "no fixture expects {missing:?}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path
            .extension()
            .is_some_and(|e| e == "policy" || e == "policy-test")
        {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn oversized_file() {
    let mut text = String::from("school \"Big\"\n");
    while text.len() <= esafety::syntax::MAX_FILE_BYTES {
        text.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    let checked = check_bytes("big.policy", text.as_bytes(), &CheckOptions::default());
    assert_eq!(checked.diagnostics.len(), 1);
    assert_eq!(checked.diagnostics[0].code.as_str(), "E0100");
    insta::assert_snapshot!(render::human(&checked.diagnostics, &text[..200], false));
}
