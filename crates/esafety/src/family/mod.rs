//! Families of policies: a school's policy that extends a trust's policy or
//! a template, which may extend another in turn.
//!
//! The school's file starts with `extends "trust.policy"` (a path relative
//! to the school's file) and then says only what differs: its own school
//! details, contacts, timetable and roles, rows and incidents it changes or
//! adds, and `remove` lines for what it does without. The files are merged
//! statement by statement into one policy (`merge.rs`), which is checked and
//! answered exactly as if it had been written out whole. Each statement keeps
//! its place in its own file, so a diagnostic or a decision names the file
//! and line it came from.
//!
//! A base policy can lock rules (`locked` under a table heading, a row, an
//! incident or a route): a school may make them stricter but never looser.
//! `locks.rs` compares the school's policy with the one it would be had it
//! left the locked rules alone, question by question.
//!
//! Reading files is the caller's: [`check_family`] is given a function that
//! returns a base policy's text, so the library stays free of I/O (and runs
//! in a browser, where there are no files).
//!
//! ```
//! use esafety::{CheckOptions, family};
//!
//! let trust = r#"
//! school "Example Trust"
//! rules conduct "Conduct"
//!   row phones "Use of mobile phones in lessons"
//!     locked
//!     pupil: not allowed
//!   row games "Playing games on school devices"
//!     pupil: not allowed
//! "#;
//! let school = r#"
//! extends "trust.policy"
//! school "Example Academy"
//! rules conduct "Conduct"
//!   row games
//!     pupil: allowed
//! "#;
//! let mut read = |path: &str| match path {
//!     "policies/trust.policy" => Ok(trust.to_owned()),
//!     _ => Err("no such file".to_owned()),
//! };
//! let checked = family::check_family("policies/academy.policy", school, &mut read, &CheckOptions::default());
//! assert!(checked.diagnostics.is_empty());
//! let policy = checked.policy.unwrap();
//! let d = policy.decide(&esafety::Query::action("pupil", "games"))?;
//! assert_eq!(d.verdict, esafety::Verdict::Allowed);
//! let d = policy.decide(&esafety::Query::action("pupil", "phones"))?;
//! let rule = d.rule.unwrap();
//! assert_eq!((rule.file.as_deref(), rule.line), (Some("policies/trust.policy"), 6));
//!
//! // Loosening the locked row is an error that names both files.
//! let looser = school.replace("row games", "row phones");
//! let checked = family::check_family("policies/academy.policy", &looser, &mut read, &CheckOptions::default());
//! assert_eq!(checked.diagnostics[0].code.as_str(), "E0313");
//! assert_eq!(checked.diagnostics[0].labels[0].path.as_deref(), Some("policies/trust.policy"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod locks;
mod merge;

use std::sync::Arc;

use crate::ast::{PolicyFile, Text};
use crate::check::{CheckOptions, Checked};
use crate::diagnostic::{Code, Diagnostic, Reporter, SourceRef};
use crate::span::{LineIndex, Span, to_u32};

/// How many policies a chain may hold (the school's and those it extends):
/// template, trust and school need three.
pub const MAX_CHAIN: usize = 8;

/// A policy file that another extends: its path (as the policy that extends
/// it named it, joined to that policy's folder) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SourceFile {
    /// The path, as diagnostics and decisions give it.
    pub path: String,
    /// The text.
    pub text: String,
}

impl SourceFile {
    /// A file and its text.
    pub fn new(path: &str, text: &str) -> Self {
        SourceFile {
            path: path.to_owned(),
            text: text.to_owned(),
        }
    }
}

/// One file of the chain, read and parsed. The school's own text is
/// borrowed (a large policy is not copied); the bases' are read.
struct Loaded<'t> {
    path: String,
    text: std::borrow::Cow<'t, str>,
    index: LineIndex,
    base: u32,
    tree: PolicyFile,
    diagnostics: Vec<Diagnostic>,
}

/// A problem with an `extends` line, reported once every file is read.
struct BaseProblem {
    span: Span,
    message: String,
    label: &'static str,
    help: String,
}

/// Checks a policy that may extend others, reading each base policy with
/// `read` (given the base's path, joined to the folder of the policy that
/// names it; it returns the text, or why it cannot). A policy that extends
/// nothing is checked exactly as [`crate::check`] would.
///
/// The result's diagnostics may be in any file of the chain (each names
/// its file); [`Checked::sources`] holds the bases' texts, to show them.
pub fn check_family(
    path: &str,
    text: &str,
    read: &mut dyn FnMut(&str) -> Result<String, String>,
    options: &CheckOptions,
) -> Checked {
    check_family_tree(path, text, read, options, false).0
}

/// [`check_family`], keeping the merged syntax tree (for `render`) and the
/// offset at which the extending file's spans end.
pub(crate) fn check_family_tree(
    path: &str,
    text: &str,
    read: &mut dyn FnMut(&str) -> Result<String, String>,
    options: &CheckOptions,
    keep_tree: bool,
) -> (Checked, Option<PolicyFile>) {
    let (mut chain, problems) = load(path, text, read);
    // The trees, root of the chain first; moved out, not copied: a large
    // policy on its own goes straight to the checker.
    let mut trees: Vec<PolicyFile> = chain
        .iter_mut()
        .rev()
        .map(|f| std::mem::take(&mut f.tree))
        .collect();
    let diagnostics: Vec<Diagnostic> = chain
        .iter_mut()
        .flat_map(|f| std::mem::take(&mut f.diagnostics))
        .collect();
    let refs: Vec<SourceRef<'_>> = chain
        .iter()
        .map(|f| SourceRef {
            path: &f.path,
            text: &f.text,
            index: &f.index,
            base: f.base,
        })
        .collect();
    let sources: Vec<SourceFile> = chain
        .iter()
        .skip(1)
        .map(|f| SourceFile {
            path: f.path.clone(),
            text: f.text.to_string(),
        })
        .collect();
    let mut reporter = Reporter::for_files(refs.clone());
    for d in diagnostics {
        reporter.push(d);
    }
    for p in problems {
        reporter
            .report(Code::BasePolicy, p.span, p.message)
            .label(p.label)
            .help(p.help);
    }
    let files: Vec<(u32, Arc<str>)> = if chain.len() > 1 {
        chain
            .iter()
            .map(|f| (f.base, Arc::from(f.path.as_str())))
            .collect()
    } else {
        Vec::new()
    };

    // Merge from the root of the chain down to the school, checking each
    // step's locks.
    // A base that cannot be read leaves the school's file to say nothing
    // about: its changes are to rules esafety has not seen.
    if reporter.has_code(Code::BasePolicy) {
        let mut checked = Checked::new(reporter.finish(), None);
        checked.sources = sources;
        return (checked, None);
    }
    let mut trees = trees.drain(..);
    let mut merged = trees.next().unwrap_or_default();
    if chain.len() == 1 && merged.extends.is_none() {
        merged.removals.iter().for_each(|r| {
            reporter
                .report(
                    Code::Misplaced,
                    r.span,
                    "`remove` only goes in a policy that extends another",
                )
                .label("nothing to remove from")
                .help("A `remove` line takes a row, incident, contact, … out of the policy this one extends. This file has no `extends` line: delete the `remove` line, or the thing it names.");
        });
        merged.removals.clear();
    }
    // Only the steps whose base locks something are compared; the second
    // merge, without the locked changes, is made only for them.
    let mut steps = Vec::new();
    let last = chain.len().saturating_sub(2);
    for (i, child) in trees.enumerate() {
        let mut touched = merge::Touched::default();
        let next = merge::merge(&merged, &child, false, &mut touched, Some(&mut reporter));
        let held = locks::held(&merged, &next);
        if !held.is_empty() {
            let shadow = merge::merge(&merged, &child, true, &mut merge::Touched::default(), None);
            let extends = child.extends.as_ref().map(|e| e.span).unwrap_or_default();
            steps.push(locks::Step::new(
                held,
                shadow,
                &next,
                i < last,
                touched,
                extends,
            ));
        }
        merged = next;
    }

    let (data, kept) =
        crate::check::check_merged(path, merged, options, &mut reporter, &files, keep_tree);
    let mut policy = data.map(|data| crate::model::Policy {
        data: Arc::new(data),
    });
    if let Some(whole) = &policy {
        for mut step in steps {
            let merged_policy = match step.merged.take() {
                Some(tree) => crate::check::compile_quietly(path, tree, &refs, &files),
                None => Some(whole.clone()),
            };
            locks::check(
                step,
                merged_policy.as_ref(),
                path,
                &refs,
                &files,
                &mut reporter,
            );
        }
    }
    if reporter.has_errors() {
        policy = None;
    }
    let diagnostics = reporter.finish();
    // The policy keeps its warnings, to show with its answers.
    let policy = policy
        .and_then(|p| Arc::try_unwrap(p.data).ok())
        .map(|mut data| {
            data.warnings.clone_from(&diagnostics);
            crate::model::Policy {
                data: Arc::new(data),
            }
        });
    let mut checked = Checked::new(diagnostics, policy);
    checked.sources = sources;
    (checked, kept)
}

/// Reads the chain: the school's file, then each base it names.
fn load<'t>(
    path: &str,
    text: &'t str,
    read: &mut dyn FnMut(&str) -> Result<String, String>,
) -> (Vec<Loaded<'t>>, Vec<BaseProblem>) {
    let mut chain: Vec<Loaded<'t>> = Vec::new();
    let mut problems = Vec::new();
    let mut next = Some((path.to_owned(), std::borrow::Cow::Borrowed(text)));
    let mut base = 0u32;
    while let Some((path, text)) = next.take() {
        let index = LineIndex::new(&text);
        let (tree, diagnostics) = {
            let mut reporter = Reporter::for_files(vec![SourceRef {
                path: &path,
                text: &text,
                index: &index,
                base,
            }]);
            let tree = crate::syntax::parse_file_at(&text, &index, &mut reporter, base as usize);
            (tree, reporter.finish())
        };
        let extends = tree.extends.as_ref().map(|e| e.path.clone());
        let next_base = base.saturating_add(to_u32(text.len())).saturating_add(1);
        chain.push(Loaded {
            path,
            text,
            index,
            base,
            tree,
            diagnostics,
        });
        base = next_base;
        let (Some(written), Some(from)) = (extends, chain.last()) else {
            break;
        };
        match resolve(&from.path, &written) {
            Err(problem) => problems.push(problem),
            Ok(_) if chain.len() >= MAX_CHAIN => problems.push(BaseProblem {
                span: written.span,
                message: format!("this chain of policies is longer than {MAX_CHAIN}"),
                label: "one too many",
                help: "A school's policy extends its trust's, which may extend a template: a few files at most. Check that the policies do not extend each other in a long loop.".to_owned(),
            }),
            Ok(resolved) if chain.iter().any(|f| f.path == resolved) => {
                problems.push(BaseProblem {
                    span: written.span,
                    message: format!("`{resolved}` extends itself, through this line"),
                    label: "a loop",
                    help: format!(
                        "The policies extend each other in a circle: {}. A base policy must not extend a policy built on it; remove one of the `extends` lines.",
                        chain
                            .iter()
                            .map(|f| format!("`{}`", f.path))
                            .chain(std::iter::once(format!("`{resolved}`")))
                            .collect::<Vec<_>>()
                            .join(" extends ")
                    ),
                });
            }
            Ok(resolved) => match read(&resolved) {
                Ok(text) => next = Some((resolved, std::borrow::Cow::Owned(text))),
                Err(why) => problems.push(BaseProblem {
                    span: written.span,
                    message: format!("the base policy `{resolved}` cannot be read: {why}"),
                    label: "cannot read this",
                    help: "`extends` names the policy this one is built on, as a path relative to this file's folder. Check the file name and that the file is there.".to_owned(),
                }),
            },
        }
    }
    (chain, problems)
}

/// The path of a base policy: `written` joined to the folder of `from`,
/// with `.` and `..` resolved, so that one file has one name.
fn resolve(from: &str, written: &Text) -> Result<String, BaseProblem> {
    let w = &*written.text;
    let bad = |message: String, label: &'static str, help: &str| BaseProblem {
        span: written.span,
        message,
        label,
        help: help.to_owned(),
    };
    if !w.ends_with(".policy") {
        return Err(bad(
            format!("`{w}` is not a `.policy` file"),
            "not a policy file",
            "A policy can only extend another policy: name its `.policy` file, e.g. `extends \"trust.policy\"`.",
        ));
    }
    if w.starts_with('/') || w.starts_with('\\') || w.get(1..2) == Some(":") {
        return Err(bad(
            format!("`{w}` is an absolute path"),
            "a path from this file's folder is needed",
            "Name the base policy relative to this file's folder (e.g. `extends \"../trust/trust.policy\"`), so that the policies can be moved and checked anywhere together.",
        ));
    }
    let mut parts: Vec<&str> = from.split(['/', '\\']).collect();
    parts.pop();
    for part in w.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != ".." && !p.is_empty()) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    Ok(parts.join("/"))
}
