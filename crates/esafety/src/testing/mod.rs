//! Policy tests: what a policy's author expects it to answer
//! (`esafety test`).
//!
//! Tests live in a `.policy-test` file next to the policy they test
//! (`crockerne.policy-test` tests `crockerne.policy`). Each test asks one
//! question and states what the answer must be:
//!
//! ```text
//! test "A pupil using a phone in a lesson is referred to the headteacher"
//!   ask pupil action "Use of mobile phones in lessons" at tuesday 10:00
//!   expect denied
//!   expect referral headteacher
//! ```
//!
//! [`parse`] reads a test file; [`run`] asks a [`Policy`] every question and
//! compares each answer with its expectations; [`Report::coverage`] lists the
//! rows, incidents, devices and procedures that no test touches.
//!
//! ```
//! use esafety::testing;
//!
//! let policy = esafety::Policy::parse("demo.policy", r#"
//! school "Demo Primary"
//! communications comms "Communications"
//!   column pupils "Pupils" for pupil
//!   row phones "Use of mobile phones in lessons"
//!     pupils: not allowed
//!   row blogs "Use of blogs"
//!     pupils: allowed
//! "#)?;
//!
//! let tests = testing::parse("demo.policy-test", r#"
//! test "Pupils may not use phones in lessons"
//!   ask pupil action "Use of mobile phones in lessons"
//!   expect denied
//!
//! test "Pupils may blog"
//!   ask pupil action blogs
//!   expect denied
//! "#);
//! assert!(tests.diagnostics.is_empty());
//!
//! let report = testing::run(&tests, &policy);
//! assert_eq!((report.passed(), report.failed()), (1, 1));
//!
//! // The failure says what was expected, what the policy answered, and where.
//! let failure = &report.results[1].failures[0];
//! assert_eq!(failure.expected, "denied");
//! assert_eq!(failure.actual, "allowed");
//! assert_eq!(failure.location.line, 8);
//! # Ok::<(), esafety::LoadError>(())
//! ```
//!
//! The test language is described in `docs/testing.md`.

mod human;
mod parse;
mod run;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::ast::{DateValue, DayName, Name, Text, TimeValue};
use crate::diagnostic::{Diagnostic, Location};
use crate::span::Span;
use crate::{ConditionKind, Decision, Policy, Query, Verdict};

pub use human::human_failure;
pub use parse::parse;
pub use run::{Coverage, CoverageItem, run};

/// The policy file a test file tests: the file its `policy "…"` line names
/// (beside the test file), or else the `.policy` file of the same name.
///
/// ```
/// let tests = esafety::testing::parse("policies/crockerne.policy-test", "");
/// assert_eq!(
///     esafety::testing::policy_path(&tests.file),
///     std::path::Path::new("policies/crockerne.policy")
/// );
/// ```
pub fn policy_path(tests: &TestFile) -> std::path::PathBuf {
    let path = std::path::Path::new(&tests.path);
    match &tests.policy {
        Some(name) => path
            .parent()
            .unwrap_or_else(|| std::path::Path::new(""))
            .join(&*name.text),
        None => path.with_extension("policy"),
    }
}

/// The policy a test file tests, loaded and checked: see [`load_policy`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PolicyUnderTest {
    /// The compiled policy.
    pub policy: Policy,
    /// Its text, for showing the lines that decided.
    pub source: String,
    /// The policies it extends, as read: a line that decided may be in one.
    pub sources: Vec<crate::family::SourceFile>,
}

/// Why the policy a test file tests cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnusablePolicy {
    /// An E0404 diagnostic in the test file, at its `policy` line (or its
    /// first line).
    pub diagnostic: Diagnostic,
    /// The policy's own errors, when it could be read.
    pub policy_diagnostics: Vec<Diagnostic>,
    /// The policy's text, when it could be read.
    pub policy_source: Option<String>,
}

/// Which files a test file's `policy "…"` line may name.
///
/// A test file is data that `esafety test` may be run on in CI; without a
/// limit, a `policy "/etc/shadow"` line would have any file on the machine
/// read and its lines shown in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PolicyPaths {
    /// A `.policy` file in the test file's folder or a folder below it,
    /// named by a relative path (the default).
    #[default]
    BesideTests,
    /// Any `.policy` file (`esafety test --allow-any-policy-path`).
    Anywhere,
}

/// Reads and checks the policy a test file tests (see [`policy_path`]),
/// which must be a `.policy` file beside the tests ([`PolicyPaths::BesideTests`]).
pub fn load_policy(tests: &ParsedTests) -> Result<PolicyUnderTest, Box<UnusablePolicy>> {
    load_policy_with(tests, PolicyPaths::BesideTests)
}

/// Why a test file may not test the policy at `path`, if it may not.
fn forbidden_policy_path(
    tests: &TestFile,
    path: &std::path::Path,
    paths: PolicyPaths,
) -> Option<(String, String)> {
    let shown = || crate::text::printable(&path.display().to_string()).into_owned();
    if path.extension().is_none_or(|e| e != "policy") {
        return Some((
            format!(
                "`{}` is not a policy file: a test file's `policy` line names a file whose name ends in `.policy`",
                shown()
            ),
            "Name the policy these tests are for, e.g. `policy \"crockerne.policy\"`.".to_owned(),
        ));
    }
    if paths == PolicyPaths::Anywhere {
        return None;
    }
    let outside = || {
        Some((
            format!("`{}` is outside this test file's folder", shown()),
            "Keep a policy's tests beside it and name it by its file name, e.g. `policy \"crockerne.policy\"`. To test a policy elsewhere, run `esafety test --allow-any-policy-path`.".to_owned(),
        ))
    };
    if let Some(named) = &tests.policy {
        let relative = std::path::Path::new(&*named.text);
        if relative.is_absolute()
            || relative.components().any(|c| {
                !matches!(
                    c,
                    std::path::Component::Normal(_) | std::path::Component::CurDir
                )
            })
        {
            return outside();
        }
    }
    // The same check on the real paths, so that a link cannot lead out.
    let folder = std::path::Path::new(&tests.path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| std::path::Path::new("."));
    match (std::fs::canonicalize(folder), std::fs::canonicalize(path)) {
        (Ok(folder), Ok(real)) if !real.starts_with(&folder) => outside(),
        _ => None,
    }
}

/// [`load_policy`], with a choice of which files the `policy` line may name.
pub fn load_policy_with(
    tests: &ParsedTests,
    paths: PolicyPaths,
) -> Result<PolicyUnderTest, Box<UnusablePolicy>> {
    let path = policy_path(&tests.file);
    let name = path.display().to_string();
    let unusable = |message: String, help: String, diagnostics, source| {
        let index = crate::span::LineIndex::new(&tests.source);
        let mut reporter =
            crate::diagnostic::Reporter::new(&tests.file.path, &tests.source, &index);
        let span = tests
            .file
            .policy
            .as_ref()
            .map_or_else(|| index.span(&tests.source, 0, 0), |p| p.span);
        reporter
            .report(crate::diagnostic::Code::TestPolicy, span, message)
            .label("the policy these tests are for")
            .help(help);
        let diagnostic = reporter
            .finish()
            .into_iter()
            .next()
            .unwrap_or_else(|| Diagnostic {
                code: crate::diagnostic::Code::TestPolicy,
                severity: crate::diagnostic::Severity::Error,
                message: String::new(),
                path: tests.file.path.clone(),
                location: Location::default(),
                primary_label: String::new(),
                labels: Vec::new(),
                help: String::new(),
            });
        Box::new(UnusablePolicy {
            diagnostic,
            policy_diagnostics: diagnostics,
            policy_source: source,
        })
    };
    if let Some((message, help)) = forbidden_policy_path(&tests.file, &path, paths) {
        return Err(unusable(message, help, Vec::new(), None));
    }
    let bytes = crate::read_source(&path).map_err(|e| {
        unusable(
            format!(
                "cannot read `{}`, the policy these tests are for: {e}",
                crate::text::printable(&name)
            ),
            "Tests are for the policy of the same name beside them (`crockerne.policy-test` tests `crockerne.policy`); to test another, name it at the top with a `policy \"…\"` line.".to_owned(),
            Vec::new(),
            None,
        )
    })?;
    let checked = crate::check_file_bytes(&name, &bytes, &crate::CheckOptions::default());
    let source = String::from_utf8_lossy(&bytes).into_owned();
    match checked.policy {
        Some(policy) => Ok(PolicyUnderTest {
            policy,
            source,
            sources: checked.sources,
        }),
        None => {
            let errors: Vec<Diagnostic> = checked
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect();
            Err(unusable(
                format!(
                    "`{name}` has {} {}, so its tests cannot run",
                    errors.len(),
                    if errors.len() == 1 { "error" } else { "errors" }
                ),
                format!("Fix the policy first: `esafety check {name}` lists its errors."),
                errors,
                Some(source),
            ))
        }
    }
}

/// The result of reading a test file: the tests, and a diagnostic for every
/// line that is not a test statement or is out of place.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParsedTests {
    /// The tests that were read.
    pub file: TestFile,
    /// Syntax and placement errors, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// The text that was read, for locating what [`run`] reports.
    pub source: String,
}

/// A test file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TestFile {
    /// The file it was read from, as named to [`parse`].
    pub path: String,
    /// The policy it names with a `policy "…"` line, if it does.
    pub policy: Option<Text>,
    /// The tests, in order.
    pub cases: Vec<TestCase>,
    /// The tests that cannot run as written (an unreadable `ask` or `expect`
    /// line, an impossible moment, no `expect` line): each is reported, and
    /// counts as failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unrunnable: Vec<UnrunnableTest>,
}

/// A test that cannot run as written; the diagnostic that says why is among
/// the file's diagnostics, at its line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UnrunnableTest {
    /// The name its `test` line gives, if any.
    pub name: Option<Text>,
    /// The line it starts on.
    pub line: u32,
}

impl UnrunnableTest {
    /// The test's name, or where it is.
    pub fn title(&self) -> String {
        match &self.name {
            Some(name) => name.text.to_string(),
            None => format!("the test on line {}", self.line),
        }
    }
}

/// One test: a question and what its answer must be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TestCase {
    /// The name its `test` line gives, if any.
    pub name: Option<Text>,
    /// The question.
    pub ask: Ask,
    /// What the answer must be.
    pub expectations: Vec<Expectation>,
    /// How the document was read to get this test's expectation, when the
    /// test says (`# interpretation: …` under its `test` line): a test whose
    /// answer is an interpretation of the document, not something it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpretation: Option<String>,
}

impl TestCase {
    /// The test's name, or its question in words when it has none.
    pub fn title(&self) -> String {
        match &self.name {
            Some(name) => name.text.to_string(),
            None => self.ask.words(),
        }
    }

    /// The line the test starts on (its `test` line, or its `ask` line).
    pub fn line(&self) -> u32 {
        self.name
            .as_ref()
            .map_or(self.ask.span.line, |n| n.span.line)
    }
}

/// A name or a quoted label: how a test names a row, incident, device or
/// response. Ids match exactly; labels ignore case and spacing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Subject {
    /// The id or label, as written (a label without its quotes).
    pub text: Arc<str>,
    /// Whether it was written as a label in quotes.
    pub quoted: bool,
    /// Where it was written.
    pub span: Span,
}

impl Subject {
    /// The subject as written in a test file.
    pub fn words(&self) -> String {
        if self.quoted {
            format!("\"{}\"", self.text)
        } else {
            self.text.to_string()
        }
    }
}

/// What an `ask` line asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Ask {
    /// Who acts (optional for a device question).
    pub role: Option<Name>,
    /// The other roles of the same person: `ask teacher, dsl action …`.
    pub roles: Vec<Name>,
    /// What is asked about.
    pub about: AskAbout,
    /// When, if the line says.
    pub at: Option<Moment>,
    /// Where, if the line says: `in library`.
    pub place: Option<Name>,
    /// The facts given: `given permission, no immediate-risk`.
    pub facts: Vec<(Name, bool)>,
    /// `after N prior incidents`.
    pub prior: u32,
    /// The `earlier` lines under the question: the person's history.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<EarlierLine>,
    /// The whole line's statement.
    pub span: Span,
}

/// `earlier phone-in-lesson at 2026-10-01 10:00`: an earlier incident of the
/// person asked about, for ladders to count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EarlierLine {
    /// The incident: its id or label.
    pub incident: Subject,
    /// When it happened.
    pub at: Moment,
    /// The whole line's statement.
    pub span: Span,
}

impl Ask {
    /// The question in words, as a test's title when it has no name.
    pub fn words(&self) -> String {
        let role = self.role.as_ref().map(|r| {
            std::iter::once(r)
                .chain(&self.roles)
                .map(|n| &*n.text)
                .collect::<Vec<_>>()
                .join(", ")
        });
        let mut out = match &self.about {
            AskAbout::Action(s) => format!("{} action {}", role.unwrap_or_default(), s.words()),
            AskAbout::Incident(s) => {
                format!("{} incident {}", role.unwrap_or_default(), s.words())
            }
            AskAbout::Device { kind, capability } => match role {
                Some(r) => format!("{r} device {} {}", kind.words(), capability.words()),
                None => format!("device {} {}", kind.words(), capability.words()),
            },
        };
        if let Some(at) = &self.at {
            out.push_str(&format!(" at {}", at.words()));
        }
        if let Some(place) = &self.place {
            out.push_str(&format!(" in {}", place.text));
        }
        if !self.facts.is_empty() {
            let facts: Vec<String> = self
                .facts
                .iter()
                .map(|(n, v)| {
                    if *v {
                        n.text.to_string()
                    } else {
                        format!("no {}", n.text)
                    }
                })
                .collect();
            out.push_str(&format!(" given {}", facts.join(", ")));
        }
        if self.prior > 0 {
            out.push_str(&format!(
                " after {} prior {}",
                self.prior,
                if self.prior == 1 {
                    "incident"
                } else {
                    "incidents"
                }
            ));
        }
        for earlier in &self.history {
            out.push_str(&format!(
                ", earlier {} at {}",
                earlier.incident.words(),
                earlier.at.words()
            ));
        }
        out
    }
}

/// What a question is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "about", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AskAbout {
    /// A row of a user-actions, communications or rules table.
    Action(Subject),
    /// An incident.
    Incident(Subject),
    /// A device kind and what it may do ("Allowed in school", …).
    Device {
        /// The device kind.
        kind: Subject,
        /// The capability.
        capability: Subject,
    },
}

/// When a question is asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Moment {
    /// A date and a time.
    Date {
        /// The date.
        date: DateValue,
        /// The time.
        time: TimeValue,
    },
    /// A day of a school week and a time: the first such day of the policy's
    /// first term that is not a holiday (with no terms, the first on or
    /// after the policy's approval date).
    Weekday {
        /// The day.
        day: DayName,
        /// The time.
        time: TimeValue,
    },
}

impl Moment {
    /// The moment as written.
    pub fn words(&self) -> String {
        match self {
            Moment::Date { date, time } => format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                date.year,
                date.month,
                date.day.unwrap_or(1),
                time.hour,
                time.minute
            ),
            Moment::Weekday { day, time } => {
                format!("{} {:02}:{:02}", day.day.as_str(), time.hour, time.minute)
            }
        }
    }
}

/// One `expect` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Expectation {
    /// What it expects.
    pub kind: Expect,
    /// Where it was written (the words after `expect`).
    pub span: Span,
}

/// Which responses an expectation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResponseClass {
    /// Referrals ("Refer to Headteacher").
    Referral,
    /// Notifications ("Inform parents / carers").
    Notification,
    /// Sanctions ("Warning").
    Sanction,
}

/// What an `expect` line expects of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "expect", content = "of", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Expect {
    /// `allowed`, `denied`, `denied by default`, `illegal`, `conditional`,
    /// `conditional on time` (or `place`, `permission`, …). `denied` alone means denied by a rule of the
    /// policy; `denied by default` means the policy does not answer.
    Verdict {
        /// The verdict.
        verdict: Verdict,
        /// `by default`.
        by_default: bool,
        /// `on time|place|nominated|permission|fact|several|unspecified`.
        on: Option<ConditionKind>,
    },
    /// `not listed`: the incident asked about is not listed for the role.
    NotListed,
    /// `incident X`, or `no incident`.
    Incident(Option<Subject>),
    /// `referral X`, `notification X`, `sanction X`: among the responses,
    /// or (for a referral or notification) made by a route step that applies
    /// (not a pending one). With `as appropriate`, among the responses the
    /// incident marks optional; without, among those it requires.
    Response {
        /// Which kind of response.
        class: ResponseClass,
        /// The response's id or label, or its target's id or title.
        subject: Subject,
        /// `as appropriate`: the response is expected to be optional.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        optional: bool,
    },
    /// `no referral X`, `no notification X`, `no sanction X`: not among the
    /// responses, nor (for a referral or notification) among the targets of
    /// any route step shown, pending steps included.
    NoResponse {
        /// Which kind of response.
        class: ResponseClass,
        /// The response's id or label, or its target's id or title.
        subject: Subject,
    },
    /// `no referrals`, `no notifications`, `no sanctions`, or (`None`) `no
    /// responses`.
    NoResponses(Option<ResponseClass>),
    /// `responses X, Y`: exactly these, in any order.
    Responses(Vec<Subject>),
    /// `route X`, or `no route`.
    Route(Option<Subject>),
    /// `steps 1, 2, 3 pending`: exactly these steps apply, those marked
    /// pending only if a fact not given holds.
    Steps(Vec<(u32, bool)>),
    /// `step N [pending]`: step N applies (or is pending).
    Step {
        /// The step's number.
        number: u32,
        /// Whether it is expected to be pending.
        pending: bool,
    },
    /// `no step N`: step N does not apply.
    NoStep(u32),
    /// `rule X`: the row that decided.
    Rule(Subject),
    /// `role X`: for a question naming several roles, the role whose rule
    /// decided.
    Role(Name),
    /// `note "…"`: the decision's note contains this text.
    Note(Text),
    /// `tier N [of LADDER]`: the tier numbered N (`2nd time` is 2) of a
    /// ladder applied; of the ladder named, or of any.
    Tier {
        /// The tier's number.
        number: u32,
        /// The ladder: its id (an incident's id for its own ladder).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ladder: Option<Name>,
    },
    /// `no tier [of LADDER]`: no tier of the ladder (or of any) applied.
    NoTier(Option<Name>),
}

/// The outcome of running a test file against a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// One result per test, in file order.
    pub results: Vec<CaseResult>,
    /// Problems that stop tests from running as written (an unknown name, an
    /// impossible date): each makes its test fail.
    pub diagnostics: Vec<Diagnostic>,
    /// What the tests touched, and what they did not.
    pub coverage: Coverage,
}

impl Report {
    /// How many tests are marked as interpretations of the document.
    pub fn interpretations(&self) -> usize {
        self.results.iter().filter(|r| r.interpretation).count()
    }

    /// How many tests passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
    }

    /// How many tests failed (including those that could not run).
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }
}

/// The result of one test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CaseResult {
    /// The test's name, or its question in words.
    pub title: String,
    /// The line it starts on.
    pub line: u32,
    /// The question as asked (with a weekday resolved to a date).
    pub query: Query,
    /// The answer, or `None` when the question could not be asked.
    pub decision: Option<Decision>,
    /// The expectations the answer did not meet.
    pub failures: Vec<Failure>,
    /// Whether the test could not run as written (see the report's
    /// diagnostics).
    pub broken: bool,
    /// Whether the test's expectation is an interpretation of the document
    /// (it is marked `# interpretation: …`), rather than read from it.
    #[serde(default)]
    pub interpretation: bool,
}

impl CaseResult {
    /// Whether the test passed.
    pub fn passed(&self) -> bool {
        !self.broken && self.failures.is_empty()
    }
}

/// An expectation the answer did not meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Failure {
    /// Where the expectation is written.
    pub location: Location,
    /// What was expected, in the test language's words.
    pub expected: String,
    /// What the answer has instead.
    pub actual: String,
}
