//! Parsing: text to [`PolicyFile`], with every syntax error reported.
//!
//! Each line holds one statement. Plainly written table lines (`row`, cells,
//! `breach by`) are read directly (`plain.rs`); runs of up to 128 other lines
//! are parsed in one pest call with the `file` rule of `grammar/policy.pest`; each statement is
//! lowered and placed in its section by the structure pass. A run that does
//! not parse is read again line by line with the `line` rule, so that a line
//! that does not parse becomes one diagnostic and the next line is read as
//! usual.

pub(crate) mod expected;
pub(crate) mod grammar;
mod ladder;
pub(crate) mod lower;
mod plain;
mod structure;

use pest::Parser;

use crate::ast::{Comment, PolicyFile};
use crate::diagnostic::{Code, Diagnostic, Reporter};
use crate::span::{LineIndex, Span, to_u32};
use grammar::{PolicyParser, Rule};
use lower::{LineContext, Names};

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
#[non_exhaustive]
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
                "this file is larger than esafety reads: policy files may be up to 16 MiB ({MAX_FILE_BYTES} bytes)"
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
    parse_into_runs(text, index, reporter, RUN_LINES, 0)
}

/// [`parse_into`] for one file of a family of policies, whose spans start
/// at `file_base` (see [`crate::diagnostic::SourceRef`]).
pub(crate) fn parse_file_at(
    text: &str,
    index: &LineIndex,
    reporter: &mut Reporter<'_>,
    file_base: usize,
) -> PolicyFile {
    parse_into_runs(text, index, reporter, RUN_LINES, file_base)
}

/// [`parse_into`] with runs of `run_lines` lines; 0 reads every line on its
/// own (the slow path, which tests compare the fast one against).
fn parse_into_runs(
    text: &str,
    index: &LineIndex,
    reporter: &mut Reporter<'_>,
    run_lines: usize,
    file_base: usize,
) -> PolicyFile {
    let shift = |span: Span| Span {
        start: span.start + to_u32(file_base),
        end: span.end + to_u32(file_base),
        ..span
    };
    let mut assembler = structure::Assembler::default();
    if text.len() > MAX_FILE_BYTES {
        reporter
            .report(Code::FileTooLarge, shift(index.span(text, 0, 0)), format!(
                "this file is larger than esafety reads: policy files may be up to 16 MiB ({MAX_FILE_BYTES} bytes)"
            ))
            .label("the file starts here")
            .help("A school's policy is a few kilobytes. Check that this is the right file; split a generated policy into several files.");
        return assembler.finish();
    }

    // A line with a control character is reported once, then read with the
    // character blanked out, so that the statement on it still counts.
    let mut syntax_errors = report_unsafe_characters(text, index, reporter, file_base);
    // Scanned again only when the first scan found one.
    let cleaned = if syntax_errors == 0 {
        std::borrow::Cow::Borrowed(text)
    } else {
        crate::text::blank_unsafe(text)
    };
    let text = &*cleaned;

    let names = Names::default();
    let mut reader = Reader {
        assembler: &mut assembler,
        reporter,
        syntax_errors: 0,
        names: &names,
    };
    std::mem::swap(&mut reader.syntax_errors, &mut syntax_errors);
    let mut run: Vec<SourceLine<'_>> = Vec::with_capacity(run_lines);
    for (number, line_offset, line) in lines(text) {
        let source = SourceLine {
            text: line,
            offset: line_offset,
            number,
            file_base,
        };
        if line.len() > MAX_LINE_BYTES {
            reader.run(text, &run);
            run.clear();
            let ctx = source.context(0, reader.names);
            reader
                .reporter
                .report(Code::LimitExceeded, ctx.span_of(0, 0), format!(
                    "this line is {} bytes long; esafety reads lines of up to {MAX_LINE_BYTES} bytes",
                    line.len()
                ))
                .label("this line")
                .help("Each line holds one statement; the longest label in a school's document is a few hundred characters. Check for text pasted by mistake.");
            continue;
        }
        if run_lines == 0 {
            reader.line(&source);
            continue;
        }
        // Plain table lines, blank lines and comments need no pest call;
        // a run already begun keeps them, so that lines stay in order.
        match source.kind() {
            LineKind::Statement => {
                let ctx = source.context(0, reader.names);
                if let Some((statement, span)) = plain::statement(&ctx) {
                    reader.run(text, &run);
                    run.clear();
                    reader.assembler.statement(statement, span, None);
                    continue;
                }
            }
            LineKind::Blank | LineKind::Comment(..) if run.is_empty() => {
                reader.line(&source);
                continue;
            }
            LineKind::Blank | LineKind::Comment(..) => {}
        }
        run.push(source);
        if run.len() == run_lines {
            reader.run(text, &run);
            run.clear();
        }
    }
    reader.run(text, &run);

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

/// The lines of a text: each line's 1-based number, its byte offset, and
/// its text without the line break (`\n` or `\r\n`) or, on the first line,
/// a byte-order mark.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (u32, usize, &str)> {
    let mut offset = 0usize;
    text.split('\n').enumerate().map(move |(number, raw)| {
        let start = offset;
        offset += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        match line.strip_prefix('\u{feff}').filter(|_| number == 0) {
            Some(rest) => (to_u32(number + 1), start + '\u{feff}'.len_utf8(), rest),
            None => (to_u32(number + 1), start, line),
        }
    })
}

/// Lines parsed together by the grammar's `file` rule: one pest call per run
/// rather than per line. A run that does not parse is read again line by
/// line, so that each bad line gets its own diagnostic.
const RUN_LINES: usize = 128;

/// One line of the source.
#[derive(Debug, Clone, Copy)]
struct SourceLine<'t> {
    /// The line without its line break (or a leading byte-order mark).
    text: &'t str,
    /// Byte offset of `text` in the file.
    offset: usize,
    /// 1-based line number.
    number: u32,
    /// Where the file starts among a family's files (see `LineContext`).
    file_base: usize,
}

/// What a line holds, before parsing.
enum LineKind<'t> {
    Blank,
    /// A whole-line comment: the text after `#`, and where `#` is.
    Comment(&'t str, usize),
    Statement,
}

impl<'t> SourceLine<'t> {
    /// `base` is where the line starts in the text pest was given.
    fn context<'c>(&self, base: usize, names: &'c Names) -> LineContext<'c>
    where
        't: 'c,
    {
        LineContext {
            names,
            text: self.text,
            offset: self.offset,
            line: self.number,
            ascii: self.text.is_ascii(),
            base,
            file_base: self.file_base,
        }
    }

    fn kind(&self) -> LineKind<'t> {
        let trimmed = self.text.trim_start_matches([' ', '\t', '\u{a0}']);
        if trimmed.trim_end().is_empty() {
            LineKind::Blank
        } else if let Some(body) = trimmed.strip_prefix('#') {
            LineKind::Comment(body, self.text.len() - trimmed.len())
        } else {
            LineKind::Statement
        }
    }
}

/// Reads lines into the assembler, reporting what does not parse.
struct Reader<'a, 'r> {
    assembler: &'a mut structure::Assembler,
    reporter: &'a mut Reporter<'r>,
    syntax_errors: usize,
    /// Borrowed, not owned, so that a line's context (which borrows it)
    /// does not hold the reader.
    names: &'a Names,
}

impl Reader<'_, '_> {
    /// Reads a run of consecutive lines, in one pest call when it parses.
    fn run(&mut self, text: &str, lines: &[SourceLine<'_>]) {
        let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
            return;
        };
        let chunk = text
            .get(first.offset..last.offset + last.text.len())
            .unwrap_or("");
        // pest alone treats a lone carriage return as a line break.
        let lone_cr = chunk
            .match_indices('\r')
            .any(|(i, _)| chunk.as_bytes().get(i + 1) != Some(&b'\n'));
        let parsed = if lone_cr {
            None
        } else {
            PolicyParser::parse(Rule::file, chunk).ok()
        };
        let Some(mut file) = parsed else {
            for line in lines {
                self.line(line);
            }
            return;
        };
        let mut pairs = file.next().map(|f| f.into_inner().peekable());
        for (i, line) in lines.iter().enumerate() {
            match line.kind() {
                LineKind::Blank => self.assembler.blank_line(),
                LineKind::Comment(body, at) => self.comment_line(line, body, at),
                LineKind::Statement => {}
            }
            // The pairs that start on this line (a statement, and perhaps a
            // comment after it).
            let base = line.offset - first.offset;
            let next_base = lines
                .get(i + 1)
                .map_or(usize::MAX, |n| n.offset - first.offset);
            let mut statement = None;
            let mut trailing = None;
            while let Some(pair) = pairs
                .as_mut()
                .and_then(|p| p.next_if(|p| p.as_span().start() < next_base))
            {
                match pair.as_rule() {
                    Rule::comment => trailing = Some(pair),
                    Rule::EOI => {}
                    _ => statement = Some(pair),
                }
            }
            if let Some(statement) = statement {
                let ctx = line.context(base, self.names);
                let trailing = trailing.map(|c| comment(&ctx, &c));
                self.statement(&ctx, &statement, trailing);
            }
        }
    }

    fn comment_line(&mut self, line: &SourceLine<'_>, body: &str, at: usize) {
        let ctx = line.context(0, self.names);
        self.assembler.comment(Comment {
            text: body.trim_end().to_owned(),
            blank_line_before: false,
            span: ctx.span_of(at, line.text.len()),
        });
    }

    fn statement(
        &mut self,
        ctx: &LineContext<'_>,
        pair: &pest::iterators::Pair<'_, Rule>,
        trailing: Option<Comment>,
    ) {
        let span = ctx.pair_span(pair);
        match lower::statement(ctx, pair) {
            Ok(statement) => self.assembler.statement(statement, span, trailing),
            Err(lower::Unexpected(at)) => {
                self.reporter
                    .report(Code::Syntax, at, "esafety could not read this part of the line")
                    .label("not understood")
                    .help("This is a bug in esafety: the grammar accepted a line the parser cannot hold. Please report it with this line.");
            }
        }
    }

    /// Reads one line on its own, reporting it if it does not parse.
    fn line(&mut self, line: &SourceLine<'_>) {
        match line.kind() {
            LineKind::Blank => return self.assembler.blank_line(),
            LineKind::Comment(body, at) => return self.comment_line(line, body, at),
            LineKind::Statement => {}
        }
        let ctx = line.context(0, self.names);
        match PolicyParser::parse(Rule::line, line.text) {
            Ok(mut pairs) => {
                let Some(line_pair) = pairs.next() else {
                    return;
                };
                let mut statement = None;
                let mut trailing = None;
                for pair in line_pair.into_inner() {
                    match pair.as_rule() {
                        Rule::comment => trailing = Some(comment(&ctx, &pair)),
                        Rule::EOI => {}
                        _ => statement = Some(pair),
                    }
                }
                match statement {
                    Some(pair) => self.statement(&ctx, &pair, trailing),
                    None => {
                        if let Some(comment) = trailing {
                            self.assembler.comment(comment);
                        }
                    }
                }
            }
            Err(error) => report_syntax_error(
                self.reporter,
                &mut self.syntax_errors,
                &ctx,
                Code::Syntax,
                || expected::syntax_error(&ctx, &error),
                "a policy file, or a quote was left open",
            ),
        }
    }
}

/// Reports each line of `text` that holds a character esafety will not
/// print ([`crate::text::is_unsafe`]) as E0106, counting them as syntax
/// errors (up to the file's limit); returns the count.
pub(crate) fn report_unsafe_characters(
    text: &str,
    index: &LineIndex,
    reporter: &mut Reporter<'_>,
    file_base: usize,
) -> usize {
    let mut errors = 0usize;
    let mut last_line = 0u32;
    for (at, c) in crate::text::unsafe_chars(text) {
        let line = index.line_of(at);
        if line == last_line {
            continue;
        }
        last_line = line;
        errors += 1;
        if errors > MAX_SYNTAX_ERRORS {
            break;
        }
        let described = crate::text::describe(c);
        reporter
            .report(
                Code::ControlCharacter,
                {
                    let local = index.span(text, at, at + c.len_utf8());
                    Span {
                        start: local.start + to_u32(file_base),
                        end: local.end + to_u32(file_base),
                        ..local
                    }
                },
                format!("this line contains an invisible control character, {described}"),
            )
            .label("here")
            .help("Control characters are invisible and can change what a terminal or a web page shows; one usually comes from text copied out of another program. Delete it: retype the text around it.");
    }
    errors
}

/// Reports a line the grammar rejected, as `code`; after
/// [`MAX_SYNTAX_ERRORS`] in a file, says once that there are more and stops.
/// `what` ends "this many usually means the file is not …".
pub(crate) fn report_syntax_error(
    reporter: &mut Reporter<'_>,
    errors_so_far: &mut usize,
    ctx: &LineContext<'_>,
    code: Code,
    describe: impl FnOnce() -> expected::SyntaxError,
    what: &str,
) {
    *errors_so_far += 1;
    if *errors_so_far <= MAX_SYNTAX_ERRORS {
        let e = describe();
        reporter
            .report(code, e.span, e.message)
            .label(e.label)
            .help(e.help);
    } else if *errors_so_far == MAX_SYNTAX_ERRORS + 1 {
        reporter
            .report(Code::LimitExceeded, ctx.span_of(0, 0), format!(
                "more than {MAX_SYNTAX_ERRORS} lines could not be read; esafety stops listing them here"
            ))
            .label("and more from here on")
            .help(format!(
                "Fix the errors above first: this many usually means the file is not {what}."
            ));
    }
}

/// A `# comment` pair as a [`Comment`].
fn comment(ctx: &LineContext<'_>, pair: &pest::iterators::Pair<'_, Rule>) -> Comment {
    let text = pair.as_str();
    Comment {
        // Exactly one `#`: a comment may begin `##`, and formatting keeps it.
        text: text.strip_prefix('#').unwrap_or(text).trim_end().to_owned(),
        blank_line_before: false,
        span: ctx.pair_span(pair),
    }
}

#[cfg(test)]
mod tests;
