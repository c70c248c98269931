//! Renderers over [`Diagnostic`]: human (rustc style), JSON and GitHub Actions.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

use super::{Diagnostic, Label, Location, Severity};
use crate::span::LineIndex;
use crate::text::printable;

pub use super::sarif::{SARIF_VERSION, sarif};

/// The version of the JSON that `esafety check --format json` prints. It
/// changes only on purpose, when a field changes meaning or goes away.
pub const CHECK_JSON_VERSION: u32 = 1;

/// Renders diagnostics of one file the way rustc does: code, message,
/// `file:line:col`, the source line with a caret under the problem, and the
/// help line.
///
/// `source` is the text the diagnostics were made from. With `color`, the
/// output carries ANSI colours for a terminal.
pub fn human(diagnostics: &[Diagnostic], source: &str, color: bool) -> String {
    let index = LineIndex::new(source);
    let renderer = renderer(color);
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&human_one(&renderer, diagnostic, source, &index));
        out.push_str("\n\n");
    }
    out
}

/// [`human`] for diagnostics from several files (a policy and the policies
/// it extends): each is shown with the text of the file it names. `sources`
/// gives each file's path (as in [`Diagnostic::path`]) and text.
pub fn human_files(diagnostics: &[Diagnostic], sources: &[(&str, &str)], color: bool) -> String {
    let renderer = renderer(color);
    let indexes: Vec<LineIndex> = sources.iter().map(|(_, t)| LineIndex::new(t)).collect();
    let mut out = String::new();
    for diagnostic in diagnostics {
        let found = sources.iter().position(|(p, _)| *p == diagnostic.path);
        let (text, index) = match found.and_then(|i| Some((sources.get(i)?.1, indexes.get(i)?))) {
            Some(pair) => pair,
            None => ("", &LineIndex::new("")),
        };
        out.push_str(&human_one(&renderer, diagnostic, text, index));
        out.push_str("\n\n");
    }
    out
}

fn renderer(color: bool) -> Renderer {
    if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}

fn human_one(renderer: &Renderer, d: &Diagnostic, source: &str, index: &LineIndex) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };

    // One snippet per source line involved, in line order, so that a huge file
    // is never handed to the renderer whole.
    // Labels in another file (the policy a school's policy extends) are
    // notes naming that file and line, after the snippet.
    let (here, elsewhere): (Vec<&Label>, Vec<&Label>) =
        d.labels.iter().partition(|l| l.path.is_none());
    let mut lines: Vec<u32> = std::iter::once(d.location.line)
        .chain(here.iter().map(|l| l.location.line))
        .collect();
    lines.sort_unstable();
    lines.dedup();

    // A file name may hold any character but `/` and NUL.
    let path = printable(&d.path).into_owned();
    let shown: Vec<(u32, std::ops::Range<usize>, std::borrow::Cow<'_, str>)> = lines
        .into_iter()
        .map(|line| {
            let range = index.line_range(source, line);
            let text = crate::text::visible_same_length(source.get(range.clone()).unwrap_or(""));
            (line, range, text)
        })
        .collect();
    let mut snippets = Vec::new();
    for (line, range, text) in &shown {
        let (line, range, text) = (*line, range.clone(), &**text);
        let mut snippet = Snippet::source(text)
            .line_start(line as usize)
            .path(path.clone())
            .fold(false);
        // Byte offsets come from the raw file; the text shown may have been
        // decoded lossily (invalid UTF-8 becomes U+FFFD). Snap each span to
        // character boundaries of the text shown, so rendering cannot fail.
        let clamp = |loc: &Location| {
            let start = floor_boundary(text, loc.start.clamp(range.start, range.end) - range.start);
            let end = ceil_boundary(text, loc.end.clamp(range.start, range.end) - range.start);
            start..end.max(start)
        };
        if d.location.line == line {
            snippet = snippet.annotation(
                AnnotationKind::Primary
                    .span(clamp(&d.location))
                    .label(non_empty(&d.primary_label).map(printable)),
            );
        }
        for label in here.iter().filter(|l| l.location.line == line) {
            snippet = snippet.annotation(
                AnnotationKind::Context
                    .span(clamp(&label.location))
                    .label(non_empty(&label.message).map(printable)),
            );
        }
        snippets.push(snippet);
    }

    let title = level
        .clone()
        .primary_title(printable(&d.message))
        .id(d.code.as_str());
    let notes: Vec<String> = elsewhere
        .iter()
        .map(|l| {
            let path = printable(l.path.as_deref().unwrap_or("")).into_owned();
            format!(
                "{path}:{}:{}: {}",
                l.location.line,
                l.location.column,
                printable(&l.message)
            )
        })
        .collect();
    let group = Group::with_title(title)
        .elements(snippets)
        .elements(
            notes
                .iter()
                .map(|n| Level::NOTE.message(annotate_snippets::normalize_untrusted_str(n))),
        )
        .element(Level::HELP.message(annotate_snippets::normalize_untrusted_str(&d.help)));
    renderer.render(&[group])
}

/// The nearest character boundary at or before `i`.
pub(crate) fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The nearest character boundary at or after `i`.
pub(crate) fn ceil_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn non_empty(text: &str) -> Option<&str> {
    if text.is_empty() { None } else { Some(text) }
}

/// Counts of errors and warnings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Counts {
    /// Diagnostics with severity error.
    pub errors: usize,
    /// Diagnostics with severity warning.
    pub warnings: usize,
}

impl Counts {
    /// Counts the diagnostics of a slice.
    pub fn of(diagnostics: &[Diagnostic]) -> Counts {
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        Counts {
            errors,
            warnings: diagnostics.len() - errors,
        }
    }
}

/// One checked file, for the JSON report.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct FileReport<'a> {
    /// The file as named on the command line.
    pub path: &'a str,
    /// Its diagnostics.
    pub diagnostics: &'a [Diagnostic],
}

impl<'a> FileReport<'a> {
    /// One checked file: its name and its diagnostics.
    pub fn new(path: &'a str, diagnostics: &'a [Diagnostic]) -> Self {
        FileReport { path, diagnostics }
    }
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'a str,
    path: &'a str,
    location: &'a Location,
    primary_label: &'a str,
    labels: &'a [Label],
    help: &'a str,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    files: Vec<JsonFile<'a>>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: usize,
    warnings: usize,
}

/// Renders a whole check run as one JSON document (see `docs/cli.md` for the
/// schema; its `version` is [`CHECK_JSON_VERSION`]).
pub fn json(files: &[FileReport<'_>]) -> String {
    let mut report = JsonReport {
        version: CHECK_JSON_VERSION,
        files: Vec::new(),
        diagnostics: Vec::new(),
        errors: 0,
        warnings: 0,
    };
    for file in files {
        let counts = Counts::of(file.diagnostics);
        report.errors += counts.errors;
        report.warnings += counts.warnings;
        report.files.push(JsonFile {
            path: file.path,
            errors: counts.errors,
            warnings: counts.warnings,
        });
        report
            .diagnostics
            .extend(file.diagnostics.iter().map(|d| JsonDiagnostic {
                code: d.code.as_str(),
                name: d.code.name(),
                severity: d.severity,
                message: &d.message,
                path: &d.path,
                location: &d.location,
                primary_label: &d.primary_label,
                labels: &d.labels,
                help: &d.help,
            }));
    }
    // Serialising plain strings and numbers cannot fail; fall back to an
    // empty object rather than panic if it ever did.
    serde_json::to_string_pretty(&report).unwrap_or_else(|_| String::from("{}"))
}

/// Renders diagnostics as GitHub Actions workflow commands, one per line, so
/// that they show as annotations on the pull request.
pub fn github(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&github_annotation(
            d.severity,
            &d.path,
            &d.location,
            &format!("{} {}", d.code.as_str(), d.code.name()),
            &format!("{} (help: {})", d.message, d.help),
        ));
    }
    out
}

/// One GitHub Actions workflow command (`::error …` or `::warning …`) that
/// annotates `location` of the file `path`, escaped as the runner requires.
/// Other reports (such as failed policy tests) use it to annotate their
/// lines the same way.
pub fn github_annotation(
    severity: Severity,
    path: &str,
    location: &Location,
    title: &str,
    message: &str,
) -> String {
    let command = match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!(
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
        escape_property(path),
        location.line,
        location.column,
        location.end_line,
        location.end_column,
        escape_property(title),
        escape_data(message),
    )
}

/// Escaping for the message part of a workflow command.
/// Escaping for the message part of a workflow command; other control
/// characters are shown as escapes (`\u{1b}`), so that nothing in a file
/// name or a message can colour or rewrite the log.
fn escape_data(text: &str) -> String {
    let escaped = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    printable(&escaped).into_owned()
}

/// Escaping for a `key=value` property of a workflow command.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_inside_a_character_are_widened_to_it() {
        let text = "a\u{fffd}b";
        assert_eq!(floor_boundary(text, 2), 1);
        assert_eq!(ceil_boundary(text, 2), 4);
        assert_eq!(ceil_boundary(text, 99), text.len());
    }

    #[test]
    fn github_escapes_what_the_runner_would_misread() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
