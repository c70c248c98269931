//! A failed test for people to read, in the style of the diagnostics
//! (`diagnostic::render::human`): the test's lines with a caret under each
//! expectation the answer does not meet, and the policy line that decided.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::{CaseResult, ParsedTests, PolicyUnderTest, policy_path};
use crate::diagnostic::render::{ceil_boundary, floor_boundary};
use crate::span::LineIndex;

/// Renders one failed test of `tests` (run against `policy`): its lines from
/// its first to its last unmet expectation, each marked `expected …; the
/// answer is …`, then the line of the policy that decided, if one did.
/// With `color`, the text carries ANSI colours for a terminal.
pub fn human_failure(
    tests: &ParsedTests,
    policy: &PolicyUnderTest,
    result: &CaseResult,
    color: bool,
) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let source = tests.source.as_str();
    let index = LineIndex::new(source);
    let first = result.line;
    let last = result
        .failures
        .iter()
        .map(|f| f.location.line)
        .max()
        .unwrap_or(first)
        .max(first);
    let start = index.line_range(source, first).start;
    let end = index.line_range(source, last).end.max(start);
    let shown = source.get(start..end).unwrap_or("");
    let mut snippet = Snippet::source(shown)
        .line_start(first as usize)
        .path(tests.file.path.as_str())
        .fold(false);
    for f in &result.failures {
        // Spans are snapped to character boundaries of the text shown, so
        // that rendering cannot fail.
        let from = floor_boundary(shown, f.location.start.saturating_sub(start));
        let to = ceil_boundary(shown, f.location.end.saturating_sub(start));
        snippet = snippet.annotation(AnnotationKind::Primary.span(from..to.max(from)).label(
            format!("expected {}; the answer is {}", f.expected, f.actual),
        ));
    }
    let title = format!("test failed: {}", result.title);
    let mut group = Group::with_title(Level::ERROR.primary_title(title.as_str())).element(snippet);

    let decided = result.decision.as_ref().and_then(|d| d.rule.as_ref());
    // The rule may be in a policy the tested one extends.
    let base = decided
        .and_then(|rule| rule.file.as_deref())
        .and_then(|file| policy.sources.iter().find(|s| s.path == file));
    let (path, source) = match base {
        Some(base) => (base.path.clone(), base.text.as_str()),
        None => (
            policy_path(&tests.file).display().to_string(),
            policy.source.as_str(),
        ),
    };
    let policy_index = LineIndex::new(source);
    if let Some(rule) = decided
        && let Some(text) = source
            .get(policy_index.line_range(source, rule.line))
            .filter(|t| !t.is_empty())
    {
        let indent = text.len() - text.trim_start().len();
        group = group.element(
            Snippet::source(text)
                .line_start(rule.line as usize)
                .path(path.as_str())
                .fold(false)
                .annotation(
                    AnnotationKind::Context
                        .span(indent..text.len())
                        .label("the rule that decided"),
                ),
        );
    }
    renderer.render(&[group])
}
