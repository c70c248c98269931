//! Parsing: text to [`PolicyFile`], with every syntax error reported.
//!
//! The file is read line by line. Each line is parsed on its own with the
//! `line` rule of `grammar/policy.pest`, lowered to a statement, and placed in
//! its section by the structure pass. A line that does not parse becomes one
//! diagnostic and the next line is read as usual.

mod expected;
pub(crate) mod grammar;
mod lower;
mod structure;

use pest::Parser;

use crate::ast::{Comment, PolicyFile};
use crate::diagnostic::{Code, Diagnostic, Reporter};
use crate::span::{LineIndex, to_u32};
use grammar::{PolicyParser, Rule};
use lower::LineContext;

/// The largest policy file the parser reads, in bytes (16 MiB). A school's
/// policy is a few kilobytes; a generated 100,000-row policy is about 6 MiB.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// The longest line the parser reads, in bytes. The longest label in the
/// source documents is under 300 characters.
pub const MAX_LINE_BYTES: usize = 10_000;

/// After this many syntax errors in one file the parser stops reporting
/// them (and says so): by then the file is not a policy.
pub const MAX_SYNTAX_ERRORS: usize = 200;

/// The result of parsing one file: the tree of everything that parsed, and a
/// diagnostic for everything that did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The syntax tree. Lines that failed to parse are missing from it.
    pub file: PolicyFile,
    /// Syntax and placement errors, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses policy text. `path` names the file in diagnostics.
///
/// Never panics; every problem is a diagnostic with a location.
///
/// ```
/// let parsed = esafety::parse("demo.policy", "school \"Demo Primary\"\n  approved April 2021\n");
/// assert!(parsed.diagnostics.is_empty());
/// assert_eq!(parsed.file.sections.len(), 1);
/// ```
pub fn parse(path: &str, text: &str) -> Parsed {
    let index = LineIndex::new(text);
    let mut reporter = Reporter::new(path, text, &index);
    let file = parse_into(text, &index, &mut reporter);
    Parsed {
        file,
        diagnostics: reporter.finish(),
    }
}

/// Decodes a file's bytes as UTF-8 (dropping a leading byte-order mark), or
/// reports the first byte that is not.
pub fn decode<'b>(path: &str, bytes: &'b [u8]) -> Result<&'b str, Box<Diagnostic>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.len() > MAX_FILE_BYTES {
        let lossy = String::from_utf8_lossy(bytes.get(..1024).unwrap_or(bytes));
        let index = LineIndex::new(&lossy);
        let mut reporter = Reporter::new(path, &lossy, &index);
        reporter
            .report(Code::FileTooLarge, index.span(&lossy, 0, 0), format!(
                "this file is {} bytes; esafety reads policy files of up to {} bytes",
                bytes.len(),
                MAX_FILE_BYTES
            ))
            .label("the file starts here")
            .help("A school's policy is a few kilobytes. Check that this is the right file; split a generated policy into several files.");
        return Err(Box::new(first(reporter.finish())));
    }
    std::str::from_utf8(bytes).map_err(|error| {
        let valid = error.valid_up_to();
        let bad_len = error.error_len().unwrap_or(bytes.len() - valid).max(1);
        let lossy = String::from_utf8_lossy(bytes);
        // Offsets in the lossy text match up to the first bad byte.
        let index = LineIndex::new(&lossy);
        let mut reporter = Reporter::new(path, &lossy, &index);
        let end = (valid + bad_len).min(lossy.len());
        reporter
            .report(
                Code::InvalidUtf8,
                index.span(&lossy, valid, end.max(valid)),
                "this file is not UTF-8 text: the character marked below cannot be read",
            )
            .label("not text")
            .help("Save the policy as plain text in UTF-8 (in most editors: Save As, Encoding: UTF-8). A policy file must not be a Word document.");
        Box::new(first(reporter.finish()))
    })
}

fn first(mut diagnostics: Vec<Diagnostic>) -> Diagnostic {
    diagnostics.truncate(1);
    diagnostics.pop().unwrap_or_else(|| Diagnostic {
        code: Code::Syntax,
        severity: Code::Syntax.severity(),
        message: String::new(),
        path: String::new(),
        location: Default::default(),
        primary_label: String::new(),
        labels: Vec::new(),
        help: String::new(),
    })
}

pub(crate) fn parse_into(text: &str, index: &LineIndex, reporter: &mut Reporter<'_>) -> PolicyFile {
    let mut assembler = structure::Assembler::default();
    if text.len() > MAX_FILE_BYTES {
        reporter
            .report(Code::FileTooLarge, index.span(text, 0, 0), format!(
                "this file is {} bytes; esafety reads policy files of up to {MAX_FILE_BYTES} bytes",
                text.len()
            ))
            .label("the file starts here")
            .help("A school's policy is a few kilobytes. Check that this is the right file; split a generated policy into several files.");
        return assembler.finish();
    }

    let mut syntax_errors = 0usize;
    let mut offset = 0usize;
    for (number, raw) in text.split('\n').enumerate() {
        let line_start = offset;
        offset += raw.len() + 1;
        let mut line = raw.strip_suffix('\r').unwrap_or(raw);
        let mut line_offset = line_start;
        if number == 0
            && let Some(rest) = line.strip_prefix('\u{feff}')
        {
            line = rest;
            line_offset += '\u{feff}'.len_utf8();
        }
        let ctx = LineContext {
            text: line,
            offset: line_offset,
            line: to_u32(number + 1),
            ascii: line.is_ascii(),
        };
        let trimmed = line.trim_start_matches([' ', '\t', '\u{a0}']);
        if trimmed.trim_end().is_empty() {
            assembler.blank_line();
            continue;
        }
        if line.len() > MAX_LINE_BYTES {
            reporter
                .report(Code::LimitExceeded, ctx.span_of(0, 0), format!(
                    "this line is {} bytes long; esafety reads lines of up to {MAX_LINE_BYTES} bytes",
                    line.len()
                ))
                .label("this line")
                .help("Each line holds one statement; the longest label in a school's document is a few hundred characters. Check for text pasted by mistake.");
            continue;
        }
        if let Some(body) = trimmed.strip_prefix('#') {
            let start = line.len() - trimmed.len();
            assembler.comment(Comment {
                text: body.trim_end().to_owned(),
                span: ctx.span_of(start, line.len()),
            });
            continue;
        }
        match PolicyParser::parse(Rule::line, line) {
            Ok(mut pairs) => {
                let Some(line_pair) = pairs.next() else {
                    continue;
                };
                let mut statement = None;
                let mut trailing = None;
                for pair in line_pair.into_inner() {
                    match pair.as_rule() {
                        Rule::comment => {
                            let span = pair.as_span();
                            trailing = Some(Comment {
                                text: pair.as_str().trim_start_matches('#').trim_end().to_owned(),
                                span: ctx.span_of(span.start(), span.end()),
                            });
                        }
                        Rule::EOI => {}
                        _ => statement = Some(pair),
                    }
                }
                match statement {
                    Some(pair) => {
                        let span = {
                            let s = pair.as_span();
                            ctx.span_of(s.start(), s.end())
                        };
                        match lower::statement(&ctx, &pair) {
                            Ok(statement) => assembler.statement(statement, span, trailing),
                            Err(lower::Unexpected(at)) => {
                                reporter
                                    .report(Code::Syntax, at, "esafety could not read this part of the line")
                                    .label("not understood")
                                    .help("This is a bug in esafety: the grammar accepted a line the parser cannot hold. Please report it with this line.");
                            }
                        }
                    }
                    None => {
                        if let Some(comment) = trailing {
                            assembler.comment(comment);
                        }
                    }
                }
            }
            Err(error) => {
                syntax_errors += 1;
                if syntax_errors <= MAX_SYNTAX_ERRORS {
                    let e = expected::syntax_error(&ctx, &error);
                    reporter
                        .report(Code::Syntax, e.span, e.message)
                        .label(e.label)
                        .help(e.help);
                } else if syntax_errors == MAX_SYNTAX_ERRORS + 1 {
                    reporter
                        .report(Code::LimitExceeded, ctx.span_of(0, 0), format!(
                            "more than {MAX_SYNTAX_ERRORS} lines could not be read; esafety stops listing them here"
                        ))
                        .label("and more from here on")
                        .help("Fix the errors above first: this many usually means the file is not a policy file, or a quote was left open.");
                }
            }
        }
    }

    let mut assembler_misplaced = std::mem::take(&mut assembler.misplaced);
    for m in assembler_misplaced.drain(..) {
        reporter
            .report(
                Code::Misplaced,
                m.span,
                format!("{} cannot go here", m.what),
            )
            .label("misplaced")
            .help(m.belongs);
    }
    assembler.finish()
}

#[cfg(test)]
mod tests;
