//! `esafety test`: run the tests written next to each policy.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use esafety::diagnostic::{Diagnostic, render};
use esafety::testing::{self, CaseResult, Coverage, ParsedTests, PolicyUnderTest, Report};
use serde::Serialize;

use crate::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Output, files};

/// The version of the JSON `test --format json` prints. It changes only on
/// purpose.
const TEST_JSON_VERSION: u32 = 1;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Test files (`*.policy-test`), policy files (their tests are the
    /// `.policy-test` file beside them), or directories to search for test
    /// files.
    #[arg(default_value = "policies")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Also list the rows, devices, incidents and procedures that no test
    /// touches.
    #[arg(long)]
    coverage: bool,

    /// Run only the tests whose name (or question) contains TEXT (ignoring
    /// case).
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,

    /// Let a test file's `policy "…"` line name a `.policy` file outside the
    /// test file's folder (by default it may not, so that a test file cannot
    /// have any file on the machine read).
    #[arg(long)]
    allow_any_policy_path: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Each failure with the expected and actual answer and the lines
    /// involved, then `N passed, N failed`.
    Human,
    /// One JSON document (schema in docs/cli.md).
    Json,
    /// GitHub Actions annotations on the failing lines.
    Github,
}

/// One test file, run.
struct FileRun {
    path: String,
    parsed: ParsedTests,
    policy: Result<PolicyUnderTest, Box<testing::UnusablePolicy>>,
    report: Option<Report>,
}

impl FileRun {
    fn passed(&self) -> usize {
        self.report.as_ref().map_or(0, Report::passed)
    }

    /// Failed tests, counting every test of a file whose policy cannot be
    /// used.
    fn failed(&self) -> usize {
        match &self.report {
            Some(r) => r.failed(),
            None => self.parsed.file.cases.len() + self.parsed.file.unrunnable.len(),
        }
    }

    /// Tests marked as interpretations of the document (`# interpretation:`).
    fn interpretations(&self) -> usize {
        match &self.report {
            Some(r) => r.interpretations(),
            None => self
                .parsed
                .file
                .cases
                .iter()
                .filter(|c| c.interpretation.is_some())
                .count(),
        }
    }

    /// Error diagnostics about the test file (not failed tests).
    fn errors(&self) -> usize {
        let count = |d: &[Diagnostic]| d.iter().filter(|d| d.is_error()).count();
        count(&self.parsed.diagnostics)
            + usize::from(self.policy.is_err())
            + self.report.as_ref().map_or(0, |r| count(&r.diagnostics))
    }

    fn has_errors(&self) -> bool {
        self.failed() > 0
            || self.policy.is_err()
            || self.parsed.diagnostics.iter().any(Diagnostic::is_error)
            || self
                .report
                .as_ref()
                .is_some_and(|r| r.diagnostics.iter().any(Diagnostic::is_error))
    }
}

pub(crate) fn run(args: &Args, output: Output) -> u8 {
    let Some(paths) = test_files(&args.paths) else {
        return EXIT_USAGE;
    };
    let mut runs = Vec::new();
    let mut unreadable = false;
    for path in paths {
        let Some(bytes) = files::read(&path) else {
            unreadable = true;
            continue;
        };
        let name = path.display().to_string();
        let Some(text) = files::decode(&name, &bytes, output) else {
            unreadable = true;
            continue;
        };
        let mut parsed = testing::parse(&name, text);
        if let Some(filter) = &args.filter {
            let filter = filter.to_lowercase();
            parsed
                .file
                .cases
                .retain(|c| c.title().to_lowercase().contains(&filter));
            parsed
                .file
                .unrunnable
                .retain(|t| t.title().to_lowercase().contains(&filter));
        }
        let policy_paths = if args.allow_any_policy_path {
            testing::PolicyPaths::Anywhere
        } else {
            testing::PolicyPaths::BesideTests
        };
        let policy = testing::load_policy_with(&parsed, policy_paths);
        let report = policy
            .as_ref()
            .ok()
            .map(|p| testing::run(&parsed, &p.policy));
        runs.push(FileRun {
            path: name,
            parsed,
            policy,
            report,
        });
    }

    match args.format {
        Format::Human => human(&runs, args.coverage, output.color),
        Format::Json => json(&runs, args.coverage),
        Format::Github => github(&runs),
    }
    if unreadable {
        EXIT_USAGE
    } else if runs.iter().any(FileRun::has_errors) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// The test files named by `paths`: test files as given, a policy's test
/// file beside it, directories searched. `None` (reported) when a path does
/// not exist or nothing was found.
fn test_files(paths: &[PathBuf]) -> Option<Vec<PathBuf>> {
    let (found, errors) = files::collect_with(paths, "policy-test");
    for (path, e) in &errors {
        errln!("esafety: cannot read `{}`: {e}", crate::files::shown(path));
    }
    if !errors.is_empty() {
        return None;
    }
    let mut tests = Vec::new();
    for path in found {
        if path.extension().is_some_and(|e| e == "policy") {
            let beside = path.with_extension("policy-test");
            if !beside.is_file() {
                errln!(
                    "esafety: `{}` has no tests: write them in `{}` (see docs/testing.md)",
                    crate::files::shown(&path),
                    crate::files::shown(&beside)
                );
                return None;
            }
            tests.push(beside);
        } else {
            tests.push(path);
        }
    }
    if tests.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| crate::files::shown(p)).collect();
        errln!(
            "esafety: no test files (`*.policy-test`) in {}; write a policy's tests in a file of the same name ending `.policy-test` (see docs/testing.md)",
            names.join(", ")
        );
        return None;
    }
    Some(tests)
}

// --- human ------------------------------------------------------------------

fn human(runs: &[FileRun], coverage: bool, color: bool) {
    let (mut passed, mut failed, mut interpretations) = (0, 0, 0);
    for run in runs {
        let diagnostics = render::human(&run.parsed.diagnostics, &run.parsed.source, color);
        out!("{diagnostics}");
        match (&run.policy, &run.report) {
            (Err(unusable), _) => {
                out!(
                    "{}",
                    render::human(
                        std::slice::from_ref(&unusable.diagnostic),
                        &run.parsed.source,
                        color
                    )
                );
                if let Some(source) = &unusable.policy_source {
                    out!(
                        "{}",
                        render::human(&unusable.policy_diagnostics, source, color)
                    );
                }
            }
            (Ok(policy), Some(report)) => {
                out!(
                    "{}",
                    render::human(&report.diagnostics, &run.parsed.source, color)
                );
                for result in report.results.iter().filter(|r| !r.passed() && !r.broken) {
                    out!("{}", failure(run, policy, result, color));
                }
            }
            (Ok(_), None) => {}
        }
        let policy = testing::policy_path(&run.parsed.file);
        outln!(
            "{}: {} passed, {} failed (tests of {}{})",
            crate::files::shown(Path::new(&run.path)),
            run.passed(),
            run.failed(),
            crate::files::shown(&policy),
            sources(run.passed() + run.failed(), run.interpretations(), ": ")
        );
        if coverage && let Some(report) = &run.report {
            out!("{}", coverage_text(&report.coverage, &policy));
        }
        passed += run.passed();
        failed += run.failed();
        interpretations += run.interpretations();
    }
    let errors: usize = runs.iter().map(FileRun::errors).sum();
    if errors > 0 {
        outln!(
            "{errors} {} in the test files (above): the tests they concern did not run as written",
            if errors == 1 { "error" } else { "errors" }
        );
    }
    outln!(
        "{passed} passed, {failed} failed{}",
        sources(passed + failed, interpretations, "; ")
    );
}

/// How many of `total` tests are read from the document and how many are
/// marked as interpretations of it, after `lead`; nothing when none is
/// marked.
fn sources(total: usize, interpretations: usize, lead: &str) -> String {
    if interpretations == 0 {
        return String::new();
    }
    format!(
        "{lead}{} from the document, {interpretations} marked as {}",
        total.saturating_sub(interpretations),
        if interpretations == 1 {
            "an interpretation"
        } else {
            "interpretations"
        }
    )
}

/// One failed test: the test's lines with each unmet expectation marked,
/// the policy line that decided, and the whole answer.
fn failure(run: &FileRun, policy: &PolicyUnderTest, result: &CaseResult, color: bool) -> String {
    let mut out = testing::human_failure(&run.parsed, policy, result, color);
    out.push('\n');
    if let Some(decision) = &result.decision {
        let asked = match result.query.at {
            Some(at) => format!(
                "the answer, asked at {} {}:",
                at.date().strftime("%A %-d %B %Y"),
                at.time().strftime("%H:%M")
            ),
            None => "the answer:".to_owned(),
        };
        out.push_str(&format!("  {asked}\n"));
        let answer = crate::eval::human(
            &policy.policy,
            &result.query,
            decision,
            crate::eval::Asked::TestFile,
            color,
        );
        for line in answer.lines() {
            out.push_str("    ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push('\n');
    out
}

fn coverage_text(coverage: &Coverage, policy: &Path) -> String {
    let total = coverage.items.len();
    let tested = coverage.tested();
    let percent = (tested * 100).checked_div(total).unwrap_or(100);
    let mut out = format!(
        "coverage of {}: {tested} of {total} rows, devices, incidents and procedures are tested ({percent}%)\n",
        crate::files::shown(policy)
    );
    let untested: Vec<_> = coverage.untested().collect();
    if !untested.is_empty() {
        out.push_str("  no test touches:\n");
        for item in untested {
            let place = if item.table.is_empty() {
                item.id.to_string()
            } else {
                format!("{} › {}", item.table, item.id)
            };
            out.push_str(&format!(
                "    {:<9} {}:{}  {place} \"{}\"\n",
                item.kind,
                crate::files::shown(policy),
                item.line,
                item.label
            ));
        }
    }
    out
}

// --- json -------------------------------------------------------------------

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    files: Vec<JsonFile<'a>>,
    passed: usize,
    failed: usize,
    interpretations: usize,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    policy: String,
    passed: usize,
    failed: usize,
    interpretations: usize,
    diagnostics: Vec<&'a Diagnostic>,
    results: &'a [CaseResult],
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<&'a Coverage>,
}

fn json(runs: &[FileRun], coverage: bool) {
    let files: Vec<JsonFile<'_>> = runs
        .iter()
        .map(|run| {
            let mut diagnostics: Vec<&Diagnostic> = run.parsed.diagnostics.iter().collect();
            if let Err(unusable) = &run.policy {
                diagnostics.push(&unusable.diagnostic);
            }
            if let Some(report) = &run.report {
                diagnostics.extend(&report.diagnostics);
            }
            JsonFile {
                path: &run.path,
                policy: testing::policy_path(&run.parsed.file).display().to_string(),
                passed: run.passed(),
                failed: run.failed(),
                interpretations: run.interpretations(),
                diagnostics,
                results: run.report.as_ref().map_or(&[], |r| r.results.as_slice()),
                coverage: run
                    .report
                    .as_ref()
                    .map(|r| &r.coverage)
                    .filter(|_| coverage),
            }
        })
        .collect();
    let report = JsonReport {
        version: TEST_JSON_VERSION,
        passed: runs.iter().map(FileRun::passed).sum(),
        failed: runs.iter().map(FileRun::failed).sum(),
        interpretations: runs.iter().map(FileRun::interpretations).sum(),
        files,
    };
    match serde_json::to_string_pretty(&report) {
        Ok(text) => outln!("{text}"),
        Err(e) => errln!("esafety: cannot write the report as JSON: {e}"),
    }
}

// --- github -----------------------------------------------------------------

fn github(runs: &[FileRun]) {
    let mut out = String::new();
    for run in runs {
        out.push_str(&render::github(&run.parsed.diagnostics));
        if let Err(unusable) = &run.policy {
            out.push_str(&render::github(std::slice::from_ref(&unusable.diagnostic)));
            out.push_str(&render::github(&unusable.policy_diagnostics));
        }
        let Some(report) = &run.report else { continue };
        out.push_str(&render::github(&report.diagnostics));
        for result in report.results.iter().filter(|r| !r.broken) {
            for f in &result.failures {
                out.push_str(&render::github_annotation(
                    esafety::diagnostic::Severity::Error,
                    &run.path,
                    &f.location,
                    &format!("esafety test failed: {}", result.title),
                    &format!("expected {}; the answer is {}", f.expected, f.actual),
                ));
            }
        }
    }
    out!("{out}");
    let passed: usize = runs.iter().map(FileRun::passed).sum();
    let failed: usize = runs.iter().map(FileRun::failed).sum();
    let interpretations: usize = runs.iter().map(FileRun::interpretations).sum();
    outln!(
        "{passed} passed, {failed} failed{}",
        sources(passed + failed, interpretations, "; ")
    );
}
