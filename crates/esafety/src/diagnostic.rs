//! Diagnostics: the one data model every problem report uses.
//!
//! The parser and checker produce [`Diagnostic`]s; the renderers in
//! [`render`] turn them into rustc-style text,
//! JSON or GitHub Actions annotations. Nothing else formats a problem, so the
//! three outputs always agree.

pub mod render;
mod sarif;

use serde::{Deserialize, Serialize};

use crate::span::{LineIndex, Span};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// The policy cannot be used until this is fixed.
    Error,
    /// The policy works, but probably not as its author meant.
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($( $variant:ident = $code:literal, $name:literal, $severity:ident, $summary:literal; )*) => {
        /// A stable diagnostic code. `docs/diagnostics.md` explains each one
        /// with a wrong and a right example.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $( #[doc = $summary] $variant, )*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The code as written in output, e.g. `E0201`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// A short kebab-case name, e.g. `unknown-name`.
            pub fn name(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// What the code means, in one sentence (the rule's description
            /// in SARIF output).
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }

            /// The severity every diagnostic with this code has.
            pub fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            /// Looks a code up by its `E0201` form or its name.
            pub fn parse(text: &str) -> Option<Code> {
                match text {
                    $( $code | $name => Some(Code::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    FileTooLarge = "E0100", "file-too-large", Error,
        "The file is larger than the parser accepts.";
    InvalidUtf8 = "E0101", "invalid-utf8", Error,
        "The file is not UTF-8 text.";
    Syntax = "E0102", "syntax-error", Error,
        "A line is not a statement of the language.";
    Misplaced = "E0103", "misplaced-statement", Error,
        "A statement appears where it does not belong, e.g. a cell before any `row`.";
    MissingSchool = "E0104", "missing-school", Error,
        "The file has no `school` heading.";
    DuplicateSection = "E0105", "duplicate-section", Error,
        "A section that may appear once (`school`, `timetable`) appears twice.";
    ControlCharacter = "E0106", "control-character", Error,
        "A control character (ESC, NUL, …) or an invisible text-direction character in the file.";
    BasePolicy = "E0107", "bad-base-policy", Error,
        "The policy named by `extends` cannot be used: missing, unreadable, not a `.policy` file, or a loop.";
    UnknownName = "E0201", "unknown-name", Error,
        "A name is used that nothing defines.";
    DuplicateDefinition = "E0202", "duplicate-definition", Error,
        "A name or id is defined twice.";
    DuplicateLabel = "E0203", "duplicate-label", Error,
        "Two rows of one table have the same label.";
    RoleHierarchy = "E0204", "bad-role-hierarchy", Error,
        "The roles do not form a tree: a cycle, or a role in two groups.";
    YearRange = "E0205", "bad-year-range", Error,
        "A year-group range such as `year-1 to year-6` is malformed.";
    IncidentRole = "E0206", "incident-not-for-role", Error,
        "A breach names an incident whose table does not cover that role.";
    EmptyLabel = "E0207", "empty-label", Error,
        "A label is empty.";
    AnswerKind = "E0301", "answer-not-allowed", Error,
        "A cell gives an answer its table kind does not use.";
    ImpossibleTime = "E0302", "impossible-time", Error,
        "A clock time that does not exist, e.g. 25:99.";
    ImpossibleDate = "E0303", "impossible-date", Error,
        "A date that does not exist, e.g. 30 February.";
    EndBeforeStart = "E0304", "end-before-start", Error,
        "A time or date range that ends before (or when) it starts.";
    PeriodOverlap = "E0305", "period-overlap", Error,
        "A period defined twice, or overlapping itself, on the same day.";
    Conflict = "E0306", "conflicting-answers", Error,
        "Two answers for the same role in one row: a conflict at equal specificity.";
    ReviewBeforeApproval = "E0307", "review-before-approval", Error,
        "The review-by date is before the approval date.";
    MixedConnectives = "E0308", "mixed-connectives", Error,
        "A condition mixes `and` with `or`.";
    LimitExceeded = "E0309", "limit-exceeded", Error,
        "A built-in limit was exceeded.";
    NumberOutOfRange = "E0310", "number-out-of-range", Error,
        "A number is outside the range that makes sense, e.g. 0 prior incidents.";
    BadLadder = "E0311", "bad-ladder", Error,
        "An escalation ladder whose tiers are out of order or overlap, or that lacks its `count` line or its tiers.";
    NeedsTerms = "E0312", "needs-term-dates", Error,
        "A ladder counts per term or half term, and the timetable gives no term dates.";
    LoosenedLock = "E0313", "loosened-lock", Error,
        "A policy makes a rule that the policy it extends locks looser.";
    TestSyntax = "E0401", "test-syntax-error", Error,
        "A line of a test file is not a test statement.";
    TestMisplaced = "E0402", "test-misplaced", Error,
        "A test statement where it cannot go: an `expect` before any `ask`, a `test` name with no question under it, a second `policy` line.";
    TestUnknownName = "E0403", "test-unknown-name", Error,
        "A test names something the policy does not define.";
    TestPolicy = "E0404", "test-policy-unusable", Error,
        "The policy a test file is for cannot be read, or has errors.";
    TestMoment = "E0405", "test-impossible-moment", Error,
        "A test's `at` is not a day on the calendar and a time on the clock.";
    TestExpectsNothing = "E0406", "test-expects-nothing", Error,
        "A test with no `expect` line: it could never fail.";
    ImpossibleExpectation = "E0407", "impossible-expectation", Error,
        "An expectation no answer can meet, such as `allowed by default`.";
    BlankCell = "W0101", "blank-cell", Warning,
        "A cell is blank: the engine will deny.";
    NoTimeWindow = "W0102", "no-time-window", Warning,
        "\"At certain times\" without saying which times.";
    UnlinkedIncident = "W0103", "unlinked-incident", Warning,
        "An incident that no breach leads to and that follows no route.";
    ReviewOverdue = "W0104", "review-overdue", Warning,
        "The review-by date has passed.";
    UnreachableContact = "W0105", "unreachable-contact", Warning,
        "A contact with no phone, URL, email or `in school`.";
    LongReviewInterval = "W0106", "long-review-interval", Warning,
        "More than twelve months between approval and review.";
    AmbiguousLabel = "W0107", "ambiguous-label", Warning,
        "Two rows in different tables share a label, so the label alone is ambiguous.";
    UnusedRoute = "W0108", "unused-route", Warning,
        "A route that no incident or row follows.";
    EmptyIncident = "W0109", "incident-without-responses", Warning,
        "An incident with no responses and no route: nothing follows from it.";
    EmptyRoute = "W0110", "empty-route", Warning,
        "A route with no steps.";
    NeverHolds = "W0111", "condition-never-holds", Warning,
        "A condition that no time, place or facts can make true: the rule can never apply.";
    UnreachableLadder = "W0112", "unreachable-ladder", Warning,
        "An escalation ladder on an incident (or a table of incidents) that nothing leads to.";
    DuplicateTestName = "W0401", "duplicate-test-name", Warning,
        "Two tests in one test file have the same name.";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Code::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown diagnostic code `{text}`")))
    }
}

/// Where a diagnostic points, in both machine and human coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Location {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: u32,
    /// 1-based character column of `start`.
    pub column: u32,
    /// 1-based line of `end`.
    pub end_line: u32,
    /// 1-based character column of `end`.
    pub end_column: u32,
}

/// A secondary place a diagnostic points at, e.g. "first defined here".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Label {
    /// Where.
    pub location: Location,
    /// What it shows.
    pub message: String,
    /// The file it is in, when that is not the diagnostic's own file (a
    /// school's policy pointing at a line of the policy it extends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// One problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// The stable code, e.g. `E0201`.
    pub code: Code,
    /// Error or warning (always `code.severity()`).
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The file, as it was named to the checker.
    pub path: String,
    /// The text the problem is in.
    pub location: Location,
    /// What the caret under the text says.
    pub primary_label: String,
    /// Other places that explain the problem.
    pub labels: Vec<Label>,
    /// What to do about it, in words a policy author can act on.
    pub help: String,
}

impl Diagnostic {
    /// Is this an error (as opposed to a warning)?
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// One source file a [`Reporter`] reports on: its spans are offset by
/// `base`, so that the files of a policy and the policies it extends share
/// one range of offsets and a span says which file it is in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SourceRef<'a> {
    pub(crate) path: &'a str,
    pub(crate) text: &'a str,
    pub(crate) index: &'a LineIndex,
    pub(crate) base: u32,
}

/// Builds diagnostics for one source file (or the files of a family of
/// policies), filling in paths and locations.
#[derive(Debug)]
pub(crate) struct Reporter<'a> {
    files: Vec<SourceRef<'a>>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Reporter<'a> {
    pub(crate) fn new(path: &'a str, text: &'a str, index: &'a LineIndex) -> Self {
        Reporter::for_files(vec![SourceRef {
            path,
            text,
            index,
            base: 0,
        }])
    }

    /// A reporter over several files, in the order of their `base` offsets.
    pub(crate) fn for_files(files: Vec<SourceRef<'a>>) -> Self {
        Reporter {
            files,
            diagnostics: Vec::new(),
        }
    }

    /// The file a span is in: the last whose offsets start at or before it.
    pub(crate) fn file_of(&self, span: Span) -> Option<&SourceRef<'a>> {
        let after = self.files.partition_point(|f| f.base <= span.start);
        self.files.get(after.saturating_sub(1))
    }

    pub(crate) fn location(&self, span: Span) -> Location {
        let empty;
        let (text, index, base) = match self.file_of(span) {
            Some(f) => (f.text, f.index, f.base as usize),
            None => {
                empty = LineIndex::new("");
                ("", &empty, 0)
            }
        };
        let (start, end) = (
            (span.start as usize).saturating_sub(base),
            (span.end as usize).saturating_sub(base),
        );
        let (line, column) = index.locate(text, start);
        let (end_line, end_column) = index.locate(text, end);
        Location {
            start,
            end,
            line,
            column,
            end_line,
            end_column,
        }
    }

    fn path_of(&self, span: Span) -> String {
        self.file_of(span)
            .map(|f| f.path.to_owned())
            .unwrap_or_default()
    }

    /// Starts a diagnostic; finish it with [`Builder::help`].
    pub(crate) fn report(
        &mut self,
        code: Code,
        span: Span,
        message: impl Into<String>,
    ) -> Builder<'_, 'a> {
        let location = self.location(span);
        let path = self.path_of(span);
        Builder {
            reporter: self,
            diagnostic: Diagnostic {
                code,
                severity: code.severity(),
                message: message.into(),
                path,
                location,
                primary_label: String::new(),
                labels: Vec::new(),
                help: String::new(),
            },
        }
    }

    /// Records a diagnostic made elsewhere (by another reporter over one
    /// file of the same family).
    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    #[cfg(feature = "test-language")]
    /// How many diagnostics have been reported so far.
    pub(crate) fn count(&self) -> usize {
        self.diagnostics.len()
    }

    #[cfg(feature = "test-language")]
    /// Whether an error reported since the `from`th diagnostic is on one of
    /// `lines` of the file `within` is in.
    pub(crate) fn error_on_lines(
        &self,
        from: usize,
        within: Span,
        lines: std::ops::RangeInclusive<u32>,
    ) -> bool {
        let path = self.file_of(within).map_or("", |f| f.path);
        self.diagnostics
            .get(from..)
            .unwrap_or(&[])
            .iter()
            .any(|d| d.is_error() && d.path == path && lines.contains(&d.location.line))
    }

    /// Whether any diagnostic so far has this code.
    pub(crate) fn has_code(&self, code: Code) -> bool {
        self.diagnostics.iter().any(|d| d.code == code)
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub(crate) fn finish(self) -> Vec<Diagnostic> {
        let mut diagnostics = self.diagnostics;
        // Report file by file (the extending file first, then the policies
        // it extends) and in each in file order; errors before warnings on
        // the same spot.
        let rank = |path: &str| {
            self.files
                .iter()
                .position(|f| f.path == path)
                .unwrap_or(usize::MAX)
        };
        diagnostics.sort_by(|a, b| {
            (rank(&a.path), a.location.start, a.severity, a.code).cmp(&(
                rank(&b.path),
                b.location.start,
                b.severity,
                b.code,
            ))
        });
        diagnostics.dedup();
        diagnostics
    }
}

/// A diagnostic under construction.
#[must_use = "a diagnostic is only recorded by `help`"]
pub(crate) struct Builder<'r, 'a> {
    reporter: &'r mut Reporter<'a>,
    diagnostic: Diagnostic,
}

impl Builder<'_, '_> {
    /// What the caret under the primary span says.
    pub(crate) fn label(mut self, text: impl Into<String>) -> Self {
        self.diagnostic.primary_label = text.into();
        self
    }

    /// Another place worth showing.
    pub(crate) fn secondary(mut self, span: Span, text: impl Into<String>) -> Self {
        let location = self.reporter.location(span);
        let path = self.reporter.path_of(span);
        self.diagnostic.labels.push(Label {
            location,
            message: text.into(),
            path: (path != self.diagnostic.path).then_some(path),
        });
        self
    }

    /// Records the diagnostic with its help line. Every diagnostic has one.
    pub(crate) fn help(mut self, text: impl Into<String>) {
        self.diagnostic.help = text.into();
        self.reporter.diagnostics.push(self.diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!(seen.insert(code.name()), "{} twice", code.name());
            assert_eq!(Code::parse(code.as_str()), Some(*code));
            assert_eq!(Code::parse(code.name()), Some(*code));
            let letter = if code.severity() == Severity::Error {
                'E'
            } else {
                'W'
            };
            assert!(
                code.as_str().starts_with(letter),
                "{code} has the wrong letter"
            );
        }
    }
}
