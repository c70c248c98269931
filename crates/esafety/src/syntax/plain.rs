//! The three statements that make up almost all of a large policy — `row`,
//! a cell and `breach by` — read without pest when they are written plainly.
//!
//! A generated 100,000-row policy is 95 % such lines, and pest's general
//! machinery (a call-depth tracker, a token queue and a line index per call,
//! look-aheads on every keyword) cost more than lowering and checking them.
//! This reader accepts only a narrow, unambiguous subset: spaces between
//! words, labels without escapes, no comment after the statement, no year
//! range among the roles, and the answers a table cell most often gives. Anything
//! else — including every line with a mistake on it — returns `None` and is
//! read by the grammar as before, so diagnostics are unchanged.
//!
//! The rule it keeps: whenever it returns a statement, the grammar would
//! have read the line to exactly the same statement, with the same spans.
//! `tests.rs` checks that on the shipped policies, the corpus and generated
//! lines by reading every line both ways.

use super::lower::{LineContext, Statement};
use crate::ast::{Answer, AnswerKind, Name, RoleList, Text, Window, WindowKind};
use crate::span::Span;
use std::sync::Arc;

/// The first words of the statements the grammar tries before a cell
/// (`responses: …`, `allowed in school: …`, `network access: …`,
/// `breach by …`; a tier starts with a number). A line starting with one of
/// them is left to the grammar. A test keeps this list in step with the
/// grammar's `statement` rule.
pub(super) const BEFORE_CELLS: &[&str] = &["responses", "allowed", "network", "breach"];

/// Reads `ctx.text` as a plain `row`, cell or `breach by` statement, with
/// its span; `None` leaves the line to the grammar.
pub(super) fn statement(ctx: &LineContext<'_>) -> Option<(Statement, Span)> {
    // Non-ASCII text is only ever taken inside a label: a non-breaking
    // space (whitespace to the grammar) is neither a space nor a word here.
    // All three are ASCII, so the bytes can be searched (a character
    // pattern would decode every character).
    if ctx.text.bytes().any(|b| matches!(b, b'#' | b'\t' | b'\\')) {
        return None;
    }
    let mut words = Words {
        ctx,
        text: ctx.text,
        at: 0,
    };
    words.spaces();
    let start = words.at;
    let first = words.peek_word()?;
    let statement = match first {
        "row" => {
            words.word();
            // As the grammar reads it: a row's id is not shared.
            let (at, written) = words.ident_word()?;
            let id = Name {
                text: Arc::from(written),
                span: ctx.span_of(at, at + written.len()),
            };
            let label = words.string()?;
            Statement::Row { id, label }
        }
        "breach" => {
            words.word();
            words.keyword("by")?;
            let roles = words.roles()?;
            words.punct(b':')?;
            let incident = words.ident()?;
            Statement::Breach { roles, incident }
        }
        _ => {
            let roles = words.roles()?;
            words.punct(b':')?;
            let answer = words.answer()?;
            Statement::Cell { roles, answer }
        }
    };
    let end = words.last_end();
    words.spaces();
    (words.at == ctx.text.len()).then(|| (statement, ctx.span_of(start, end)))
}

/// A cursor over one line's words.
struct Words<'c, 't> {
    ctx: &'c LineContext<'t>,
    /// The line (`ctx.text`, with its own lifetime).
    text: &'t str,
    /// The next byte to read.
    at: usize,
}

impl<'t> Words<'_, 't> {
    fn bytes(&self) -> &'t [u8] {
        self.text.as_bytes()
    }

    fn spaces(&mut self) {
        while self.bytes().get(self.at) == Some(&b' ') {
            self.at += 1;
        }
    }

    /// The word at the cursor (after spaces): a maximal run of the grammar's
    /// word characters, which is where every keyword and name must end.
    fn peek_word(&mut self) -> Option<&'t str> {
        self.spaces();
        let rest = self.bytes().get(self.at..)?;
        let len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b'_')
            .count();
        if len == 0 {
            return None;
        }
        self.text.get(self.at..self.at + len)
    }

    /// Takes the word at the cursor; returns where it starts.
    fn word(&mut self) -> Option<(usize, &'t str)> {
        let start = {
            self.spaces();
            self.at
        };
        let len = self.peek_word()?.len();
        self.at += len;
        self.text.get(start..start + len).map(|w| (start, w))
    }

    fn keyword(&mut self, keyword: &str) -> Option<()> {
        (self.peek_word()? == keyword).then(|| self.at += keyword.len())
    }

    /// A name: lowercase letters and digits in hyphen-separated parts;
    /// returns where it starts and its text.
    fn ident_word(&mut self) -> Option<(usize, &'t str)> {
        let word = self.peek_word()?;
        let well_formed = word.as_bytes().first()?.is_ascii_lowercase()
            && word.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if !well_formed {
            return None;
        }
        self.word()
    }

    /// A name, shared with the same name elsewhere in the file.
    fn ident(&mut self) -> Option<Name> {
        let (start, word) = self.ident_word()?;
        Some(Name {
            text: self.ctx.names.get(word),
            span: self.ctx.span_of(start, start + word.len()),
        })
    }

    fn punct(&mut self, byte: u8) -> Option<()> {
        self.spaces();
        (self.bytes().get(self.at) == Some(&byte)).then(|| self.at += 1)
    }

    /// A quoted label without escapes (a backslash sends the whole line to
    /// the grammar).
    fn string(&mut self) -> Option<Text> {
        self.spaces();
        let start = self.at;
        self.punct(b'"')?;
        let len = self
            .bytes()
            .get(self.at..)?
            .iter()
            .position(|b| *b == b'"')?;
        let inner = self.text.get(self.at..self.at + len)?;
        self.at += len + 1;
        Some(Text {
            text: inner.into(),
            span: self.ctx.span_of(start, self.at),
        })
    }

    /// `everyone`, or names separated by commas not starting with a word in
    /// [`BEFORE_CELLS`]. A year range stops the
    /// list at `to`, where a comma or colon should be, so it is never taken.
    fn roles(&mut self) -> Option<RoleList> {
        let first = self.peek_word()?;
        if first == "everyone" {
            // `everyone` is a whole role list; the colon must follow.
            let (start, word) = self.word()?;
            let span = self.ctx.span_of(start, start + word.len());
            let saved = self.at;
            self.punct(b':')?;
            self.at = saved;
            return Some(RoleList::Everyone { span });
        }
        if BEFORE_CELLS.contains(&first) {
            return None;
        }
        let mut names = Vec::with_capacity(1);
        loop {
            names.push(self.ident()?);
            if self.punct(b',').is_none() {
                return Some(RoleList::Names { names });
            }
        }
    }

    /// Names separated by commas, any of them a keyword (as the grammar's
    /// `ident_list` reads them).
    fn idents(&mut self) -> Option<Vec<Name>> {
        let mut names = vec![self.ident()?];
        while self.punct(b',').is_some() {
            names.push(self.ident()?);
        }
        Some(names)
    }

    /// The answers a table cell most often gives.
    fn answer(&mut self) -> Option<Answer> {
        let (start, first) = self.word()?;
        let kind = match first {
            "not" => {
                self.keyword("allowed")?;
                AnswerKind::NotAllowed
            }
            "blank" => AnswerKind::Blank,
            "unacceptable" => match self.peek_word() {
                Some("and") => {
                    self.keyword("and")?;
                    self.keyword("illegal")?;
                    AnswerKind::UnacceptableAndIllegal
                }
                _ => AnswerKind::Unacceptable,
            },
            "acceptable" => match self.peek_word() {
                Some("at") => AnswerKind::AcceptableAtCertainTimes {
                    window: self.certain_times()?,
                },
                Some("for") => {
                    self.for_whom("nominated", "users")?;
                    AnswerKind::AcceptableForNominatedUsers
                }
                _ => AnswerKind::Acceptable,
            },
            "allowed" => match self.peek_word() {
                Some("at") => AnswerKind::AllowedAtCertainTimes {
                    window: self.certain_times()?,
                },
                Some("for") => match self.for_whom("selected", "staff") {
                    Some(()) => AnswerKind::AllowedForSelectedStaff,
                    None => {
                        self.for_whom("nominated", "users")?;
                        AnswerKind::AllowedForNominatedUsers
                    }
                },
                Some("with") => {
                    self.keyword("with")?;
                    let staff = self.keyword("staff").is_some();
                    self.keyword("permission")?;
                    let from = match self.keyword("from") {
                        Some(()) => Some(Box::new(self.ident()?)),
                        None => None,
                    };
                    AnswerKind::AllowedWithPermission { staff, from }
                }
                _ => AnswerKind::Allowed,
            },
            _ => return None,
        };
        Some(Answer {
            kind,
            span: self.ctx.span_of(start, self.last_end()),
        })
    }

    /// `for <first> <second>`, taken only when all three words are there.
    fn for_whom(&mut self, first: &str, second: &str) -> Option<()> {
        let saved = self.at;
        let taken = self
            .keyword("for")
            .and_then(|()| self.keyword(first))
            .and_then(|()| self.keyword(second));
        if taken.is_none() {
            self.at = saved;
        }
        taken
    }

    /// `at certain times`, then perhaps `during` or `outside` and periods.
    fn certain_times(&mut self) -> Option<Option<Box<Window>>> {
        self.keyword("at")?;
        self.keyword("certain")?;
        self.keyword("times")?;
        let kind = match self.peek_word() {
            Some("during") => WindowKind::During,
            Some("outside") => WindowKind::Outside,
            _ => return Some(None),
        };
        let (start, _) = self.word()?;
        let periods = self.idents()?;
        Some(Some(Box::new(Window {
            kind,
            periods,
            span: self.ctx.span_of(start, self.last_end()),
        })))
    }

    /// Where the last token read ends: the cursor, less any spaces before it.
    fn last_end(&self) -> usize {
        let before = self.bytes().get(..self.at).unwrap_or_default();
        before.len() - before.iter().rev().take_while(|b| **b == b' ').count()
    }
}
