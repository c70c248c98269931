//! Reading a test file: each line with the grammar's `test_line` rule, then
//! each statement put in its place (a test is an `ask` line, the `expect`
//! lines under it, and the `test` line above it that names it).

use pest::Parser;
use pest::iterators::Pair;

use super::{
    Ask, AskAbout, EarlierLine, Expect, Expectation, Moment, ParsedTests, ResponseClass, Subject,
    TestCase, TestFile, UnrunnableTest,
};
use crate::ast::{Name, Text};
use crate::diagnostic::{Code, Reporter};
use crate::span::{LineIndex, Span};
use crate::syntax::expected::{TESTS, syntax_error_in};
use crate::syntax::grammar::{PolicyParser, Rule};
use crate::syntax::lower::{self, LineContext, Lowered, Names, Unexpected};
use crate::syntax::{MAX_FILE_BYTES, MAX_LINE_BYTES};
use crate::{ConditionKind, Verdict};

/// Reads a test file. `path` names it in diagnostics (and is kept in the
/// result, so that the policy beside it can be found).
///
/// Never panics; every line that is not a test statement, or is out of
/// place, is a diagnostic with a location.
pub fn parse(path: &str, text: &str) -> ParsedTests {
    let index = LineIndex::new(text);
    let mut reporter = Reporter::new(path, text, &index);
    let mut reader = Reader {
        file: TestFile {
            path: path.to_owned(),
            ..TestFile::default()
        },
        reporter: &mut reporter,
        name: None,
        current: None,
        discard: false,
        bad_moment: false,
        broken_expectation: false,
        broken_question: false,
        interpretation: None,
        test_began: None,
        name_began: None,
        line: (0, 0),
        syntax_errors: 0,
    };
    if text.len() > MAX_FILE_BYTES {
        reader
            .reporter
            .report(Code::FileTooLarge, index.span(text, 0, 0), format!(
                "this file is larger than esafety reads: test files may be up to 16 MiB ({MAX_FILE_BYTES} bytes)"
            ))
            .label("the file starts here")
            .help("A school's tests are a few kilobytes. Check that this is the right file.");
    } else {
        // As in a policy: a line with a control character is reported once
        // (E0106), then read with it blanked out.
        reader.syntax_errors =
            crate::syntax::report_unsafe_characters(text, &index, reader.reporter, 0);
        let cleaned = crate::text::blank_unsafe(text);
        let names = Names::default();
        for (number, line_offset, line) in crate::syntax::lines(&cleaned) {
            let ctx = LineContext {
                text: line,
                offset: line_offset,
                line: number,
                ascii: line.is_ascii(),
                base: 0,
                names: &names,
                file_base: 0,
            };
            reader.line(&ctx);
        }
    }
    reader.line = (u32::MAX, reader.reporter.count());
    reader.finish_case();
    if let Some(name) = reader.name.take() {
        unnamed_question(reader.reporter, &name);
        reader.file.unrunnable.push(UnrunnableTest {
            line: name.span.line,
            name: Some(name),
        });
    }
    let file = reader.file;
    for (i, case) in file.cases.iter().enumerate() {
        let Some(name) = &case.name else { continue };
        if let Some(first) = file.cases.get(..i).and_then(|before| {
            before
                .iter()
                .find_map(|c| c.name.as_ref().filter(|n| n.text == name.text))
        }) {
            reporter
                .report(
                    Code::DuplicateTestName,
                    name.span,
                    format!("two tests are named \"{}\"", name.text),
                )
                .label("this name")
                .secondary(first.span, "is used here too")
                .help("Give each test its own name, so that a failure says which one failed.");
        }
    }
    ParsedTests {
        file,
        diagnostics: reporter.finish(),
        source: text.to_owned(),
    }
}

/// A statement of a test file.
enum Statement {
    Policy(Text),
    Test(Text),
    Ask(Box<Ask>),
    Earlier(Option<EarlierLine>),
    Expect(Option<Expectation>),
}

struct Reader<'a, 'r> {
    file: TestFile,
    reporter: &'a mut Reporter<'r>,
    /// A `test` line waiting for its `ask` line.
    name: Option<Text>,
    /// The test being read.
    current: Option<TestCase>,
    /// Whether the test being read cannot be asked (its `at` is not a real
    /// moment): it is dropped, with its `expect` lines, rather than asked
    /// without the moment it meant.
    discard: bool,
    /// Set when the `ask` line being lowered has an impossible moment.
    bad_moment: bool,
    /// Whether an `expect` line of the test being read could not be read:
    /// the test cannot run as written.
    broken_expectation: bool,
    /// Whether the `ask` line of the test being read could not be read: its
    /// `expect` lines belong to it, and are not reported as misplaced.
    broken_question: bool,
    /// An `# interpretation:` comment waiting for the test it is in.
    interpretation: Option<String>,
    /// Where the test being read began (its `test` or `ask` line), and how
    /// many diagnostics had been reported by then: a test with an error on
    /// any of its lines cannot run as written.
    test_began: Option<(u32, usize)>,
    /// The same for a `test` line waiting for its `ask` line.
    name_began: Option<(u32, usize)>,
    /// The line being read, and how many diagnostics had been reported
    /// before it.
    line: (u32, usize),
    syntax_errors: usize,
}

fn unnamed_question(reporter: &mut Reporter<'_>, name: &Text) {
    reporter
        .report(
            Code::TestMisplaced,
            name.span,
            format!("the test \"{}\" asks no question", name.text),
        )
        .label("no `ask` line follows")
        .help("Under a `test` line, write the question as an `ask` line, e.g. `ask pupil action \"Use of blogs\"`, then what the answer must be as `expect` lines.");
}

impl Reader<'_, '_> {
    fn line(&mut self, ctx: &LineContext<'_>) {
        self.line = (ctx.line, self.reporter.count());
        let trimmed = ctx.text.trim_start_matches([' ', '\t', '\u{a0}']);
        if let Some(reading) = trimmed
            .strip_prefix('#')
            .map(str::trim_start)
            .and_then(|c| c.strip_prefix("interpretation:"))
        {
            self.interpretation(reading.trim());
            return;
        }
        if trimmed.trim_end().is_empty() || trimmed.starts_with('#') {
            return;
        }
        if ctx.text.len() > MAX_LINE_BYTES {
            self.reporter
                .report(Code::LimitExceeded, ctx.span_of(0, 0), format!(
                    "this line is {} bytes long; esafety reads lines of up to {MAX_LINE_BYTES} bytes",
                    ctx.text.len()
                ))
                .label("this line")
                .help("Each line holds one statement. Check for text pasted by mistake.");
            return;
        }
        let pairs = match PolicyParser::parse(Rule::test_line, ctx.text) {
            Ok(pairs) => pairs,
            Err(error) => {
                crate::syntax::report_syntax_error(
                    self.reporter,
                    &mut self.syntax_errors,
                    ctx,
                    Code::TestSyntax,
                    || syntax_error_in(&TESTS, ctx, &error),
                    "a test file",
                );
                self.unreadable(trimmed, ctx.line);
                return;
            }
        };
        let statement = pairs
            .flat_map(Pair::into_inner)
            .find(|p| !matches!(p.as_rule(), Rule::comment | Rule::EOI));
        let Some(pair) = statement else { return };
        match self.lower(ctx, &pair) {
            Ok(statement) => self.place(statement),
            Err(Unexpected(at)) => {
                self.reporter
                    .report(Code::TestSyntax, at, "esafety could not read this part of the line")
                    .label("not understood")
                    .help("This is a bug in esafety: the grammar accepted a line the reader cannot hold. Please report it with this line.");
            }
        }
    }

    /// An `# interpretation: …` comment: it marks the test it is written in
    /// (after its `test` or `ask` line), or else the next test.
    fn interpretation(&mut self, reading: &str) {
        let reading = if reading.is_empty() {
            "marked as an interpretation".to_owned()
        } else {
            reading.to_owned()
        };
        match &mut self.current {
            Some(case) if case.interpretation.is_none() => case.interpretation = Some(reading),
            Some(_) => {}
            None => {
                self.interpretation.get_or_insert(reading);
            }
        }
    }

    /// A line that could not be read: if it was a test's question or one of
    /// its expectations, the test cannot run as written.
    fn unreadable(&mut self, line: &str, number: u32) {
        let keyword = line.split_whitespace().next().unwrap_or("");
        match keyword {
            "ask" => {
                self.finish_case();
                self.file.unrunnable.push(UnrunnableTest {
                    name: self.name.take(),
                    line: number,
                });
                self.broken_question = true;
                self.interpretation = None;
            }
            "expect" if self.current.is_some() => self.broken_expectation = true,
            "test" => {
                self.finish_case();
                self.broken_question = false;
                // The next question belongs to this test: it cannot run as
                // written either.
                self.name_began = Some(self.line);
            }
            _ => {}
        }
    }

    fn place(&mut self, statement: Statement) {
        match statement {
            Statement::Policy(text) => {
                // Whatever else, a `policy` line is not part of a test.
                self.finish_case();
                if let Some(first) = &self.file.policy {
                    let first = first.span;
                    self.reporter
                        .report(Code::TestMisplaced, text.span, "a second `policy` line")
                        .label("the file names its policy again")
                        .secondary(first, "first named here")
                        .help("A test file tests one policy: keep one `policy` line, at the top.");
                } else if self.current.is_some() || !self.file.cases.is_empty() {
                    self.reporter
                        .report(
                            Code::TestMisplaced,
                            text.span,
                            "the `policy` line comes after tests",
                        )
                        .label("too late")
                        .help(
                            "Put the `policy` line at the top of the file, before the first test.",
                        );
                } else {
                    self.file.policy = Some(text);
                }
            }
            Statement::Test(name) => {
                self.finish_case();
                self.broken_question = false;
                self.name_began = Some(self.line);
                if let Some(waiting) = self.name.replace(name) {
                    unnamed_question(self.reporter, &waiting);
                    self.file.unrunnable.push(UnrunnableTest {
                        line: waiting.span.line,
                        name: Some(waiting),
                    });
                }
            }
            Statement::Ask(ask) => {
                self.finish_case();
                self.test_began = Some(self.name_began.take().unwrap_or(self.line));
                self.broken_question = false;
                // A question whose moment could not be read is reported and
                // counted as a test that cannot run (see `moment`).
                self.discard = ask.at.is_none() && self.bad_moment;
                self.bad_moment = false;
                self.current = Some(TestCase {
                    name: self.name.take(),
                    ask: *ask,
                    expectations: Vec::new(),
                    interpretation: self.interpretation.take(),
                });
            }
            Statement::Earlier(earlier) => match (&mut self.current, earlier) {
                (Some(case), Some(e)) if case.expectations.is_empty() => case.ask.history.push(e),
                (Some(_), Some(e)) => {
                    self.reporter
                        .report(Code::TestMisplaced, e.span, "an `earlier` line after the test's `expect` lines")
                        .label("too late")
                        .help("The `earlier` lines are part of the question: put them straight under the `ask` line, before the `expect` lines.");
                    self.broken_expectation = true;
                }
                // A moment that could not be read was reported; the test
                // cannot run as written.
                (Some(_), None) => self.broken_expectation = true,
                (None, _) if self.broken_question => {}
                (None, Some(e)) => {
                    self.reporter
                        .report(Code::TestMisplaced, e.span, "an `earlier` line with no question above it")
                        .label("earlier than what?")
                        .help("An `earlier` line gives an earlier incident of the person the `ask` line above it asks about: write the question first, e.g. `ask year-9 incident phone-in-lesson at 2026-11-24 10:00`.");
                }
                (None, None) => {}
            },
            Statement::Expect(expectation) => match (&mut self.current, expectation) {
                (Some(case), Some(e)) => case.expectations.push(e),
                (Some(_), None) => self.broken_expectation = true,
                // The `expect` lines of a question that could not be read
                // belong to it; they are not misplaced.
                (None, _) if self.broken_question => {}
                (None, Some(e)) => {
                    self.reporter
                        .report(Code::TestMisplaced, e.span, "an `expect` line with no question above it")
                        .label("expected of what?")
                        .help("An `expect` line says what the answer to the `ask` line above it must be: write the question first, e.g. `ask pupil action \"Use of blogs\"`.");
                }
                (None, None) => {}
            },
        }
    }

    /// Files the test being read, unless it expects nothing (it could never
    /// fail, so it is reported instead).
    fn finish_case(&mut self) {
        let Some(case) = self.current.take() else {
            return;
        };
        let unrunnable = UnrunnableTest {
            name: case.name.clone(),
            line: case.line(),
        };
        // An error on any line of the test, up to the line being read.
        let (line_now, _) = self.line;
        let troubled = self.test_began.take().is_some_and(|(line, from)| {
            self.reporter
                .error_on_lines(from, Span::default(), line..=line_now.saturating_sub(1))
        });
        let broken = std::mem::take(&mut self.broken_expectation) || troubled;
        if std::mem::take(&mut self.discard) || broken {
            self.file.unrunnable.push(unrunnable);
            return;
        }
        if case.expectations.is_empty() {
            self.file.unrunnable.push(unrunnable);
            self.reporter
                .report(
                    Code::TestExpectsNothing,
                    case.ask.span,
                    "this question has no `expect` line, so its test could never fail",
                )
                .label("nothing is expected of the answer")
                .help("Under the `ask` line, say what the answer must be, e.g. `expect denied` or `expect referral headteacher`.");
        } else {
            self.file.cases.push(case);
        }
    }

    fn lower(&mut self, ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Statement> {
        Ok(match pair.as_rule() {
            Rule::policy_stmt => Statement::Policy(text(ctx, pair)?),
            Rule::test_stmt => Statement::Test(text(ctx, pair)?),
            Rule::ask_stmt => Statement::Ask(Box::new(self.ask(ctx, pair)?)),
            Rule::earlier_stmt => Statement::Earlier(self.earlier(ctx, pair)?),
            Rule::expect_stmt => Statement::Expect(self.expectation(ctx, pair)?),
            _ => return Err(Unexpected(ctx.pair_span(pair))),
        })
    }

    fn ask(&mut self, ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Ask> {
        let span = ctx.pair_span(pair);
        let mut ask = Ask {
            role: None,
            roles: Vec::new(),
            place: None,
            about: AskAbout::Action(Subject {
                text: "".into(),
                quoted: false,
                span,
            }),
            at: None,
            facts: Vec::new(),
            prior: 0,
            history: Vec::new(),
            span,
        };
        let mut seen = Vec::new();
        for part in pair.clone().into_inner() {
            let rule = part.as_rule();
            if matches!(rule, Rule::moment | Rule::given | Rule::prior | Rule::place) {
                if seen.contains(&rule) {
                    let what = match rule {
                        Rule::moment => "`at`",
                        Rule::given => "`given`",
                        Rule::place => "`in`",
                        _ => "`after … prior incidents`",
                    };
                    self.reporter
                        .report(Code::TestSyntax, ctx.pair_span(&part), format!("{what} twice in one question"))
                        .label("again")
                        .help("Say each part of the question once; list several facts in one `given`, separated by commas.");
                    continue;
                }
                seen.push(rule);
            }
            match rule {
                Rule::kw_ask => {}
                Rule::role_question => {
                    let mut inner = part.clone().into_inner();
                    let roles = inner.next().ok_or(Unexpected(span))?;
                    let kind = inner.next().ok_or(Unexpected(span))?;
                    let subject = subject(ctx, &inner.next().ok_or(Unexpected(span))?)?;
                    self.role_names(ctx, &roles, &mut ask);
                    let is_incident = kind
                        .into_inner()
                        .next()
                        .is_some_and(|k| k.as_rule() == Rule::kw_incident);
                    ask.about = if is_incident {
                        AskAbout::Incident(subject)
                    } else {
                        AskAbout::Action(subject)
                    };
                }
                Rule::device_question => {
                    let mut subjects = Vec::new();
                    for p in part.clone().into_inner() {
                        match p.as_rule() {
                            Rule::role_names => self.role_names(ctx, &p, &mut ask),
                            Rule::subject => subjects.push(subject(ctx, &p)?),
                            _ => {}
                        }
                    }
                    let mut subjects = subjects.into_iter();
                    let (Some(kind), Some(capability)) = (subjects.next(), subjects.next()) else {
                        return Err(Unexpected(span));
                    };
                    ask.about = AskAbout::Device { kind, capability };
                }
                Rule::moment => ask.at = self.moment(ctx, &part)?,
                Rule::given => {
                    for fact in part
                        .clone()
                        .into_inner()
                        .filter(|p| p.as_rule() == Rule::fact_value)
                    {
                        let negated = fact
                            .clone()
                            .into_inner()
                            .any(|p| p.as_rule() == Rule::kw_no);
                        let name = fact
                            .clone()
                            .into_inner()
                            .find(|p| p.as_rule() == Rule::ident)
                            .ok_or(Unexpected(span))?;
                        ask.facts.push((ctx.name(&name), !negated));
                    }
                }
                Rule::prior => {
                    let n = lower::number(ctx, &part)?;
                    ask.prior = n;
                }
                Rule::place => {
                    ask.place = part
                        .clone()
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::ident)
                        .map(|p| ctx.name(&p));
                }
                _ => {}
            }
        }
        Ok(ask)
    }

    /// `earlier phone-in-lesson at 2026-10-01 10:00`, or `None` (reported)
    /// when its moment is not a real one.
    fn earlier(
        &mut self,
        ctx: &LineContext<'_>,
        pair: &Pair<'_, Rule>,
    ) -> Lowered<Option<EarlierLine>> {
        let span = ctx.pair_span(pair);
        let mut incident = None;
        let mut at = None;
        for part in pair.clone().into_inner() {
            match part.as_rule() {
                Rule::subject => incident = Some(subject(ctx, &part)?),
                Rule::moment => at = Some(part),
                _ => {}
            }
        }
        let (Some(incident), Some(moment)) = (incident, at) else {
            return Err(Unexpected(span));
        };
        let at = self.moment(ctx, &moment)?;
        // `moment` marks the question being read as unrunnable; an earlier
        // line's bad moment is this line's, recorded by `place`.
        self.bad_moment = false;
        Ok(at.map(|at| EarlierLine { incident, at, span }))
    }

    /// `teacher, dsl`: the first role, then the others; a role named twice
    /// is reported.
    fn role_names(&mut self, ctx: &LineContext<'_>, pair: &Pair<'_, Rule>, ask: &mut Ask) {
        for p in pair
            .clone()
            .into_inner()
            .filter(|p| p.as_rule() == Rule::ident)
        {
            let name = ctx.name(&p);
            let twice = ask
                .role
                .iter()
                .chain(&ask.roles)
                .any(|n| n.text == name.text);
            if twice {
                self.reporter
                    .report(Code::TestSyntax, name.span, format!("`{}` is named twice in one question", name.text))
                    .label("again")
                    .help("Name each role of the person once, separated by commas: `ask teacher, dsl action …`.");
            } else if ask.role.is_none() {
                ask.role = Some(name);
            } else {
                ask.roles.push(name);
            }
        }
    }

    /// A moment, or `None` (reported) when it is not a real one.
    fn moment(&mut self, ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Option<Moment>> {
        let span = ctx.pair_span(pair);
        let mut date = None;
        let mut day = None;
        let mut time = None;
        for part in pair.clone().into_inner() {
            match part.as_rule() {
                Rule::stamp => {
                    // `2025-11-04T10:35`: the date and time, split at `T`.
                    let text = part.as_str();
                    let (d, t) = text.split_once('T').ok_or(Unexpected(span))?;
                    let mut fields = d.split('-').map(str::parse::<u32>);
                    let (Some(Ok(year)), Some(Ok(month)), Some(Ok(dd))) =
                        (fields.next(), fields.next(), fields.next())
                    else {
                        return Err(Unexpected(span));
                    };
                    let (h, m) = t.split_once(':').ok_or(Unexpected(span))?;
                    date = Some(crate::ast::DateValue {
                        year: i32::try_from(year).map_err(|_| Unexpected(span))?,
                        month,
                        day: Some(dd),
                        span,
                    });
                    time = Some(crate::ast::TimeValue {
                        hour: h.parse().map_err(|_| Unexpected(span))?,
                        minute: m.parse().map_err(|_| Unexpected(span))?,
                        span,
                    });
                }
                Rule::date => date = Some(lower::date(ctx, &part)?),
                Rule::day => day = Some(lower::day(ctx, &part)?),
                Rule::time => time = Some(lower::time(ctx, &part)?),
                _ => {}
            }
        }
        let time = time.ok_or(Unexpected(span))?;
        if time.hour > 23 || time.minute > 59 {
            self.reporter
                .report(
                    Code::TestMoment,
                    time.span,
                    format!(
                        "{:02}:{:02} is not a time on the clock",
                        time.hour, time.minute
                    ),
                )
                .label("no such time")
                .help("Write the time on the 24-hour clock, from 00:00 to 23:59, e.g. `10:35`.");
            self.bad_moment = true;
            return Ok(None);
        }
        if let Some(day) = day {
            return Ok(Some(Moment::Weekday { day, time }));
        }
        let date = date.ok_or(Unexpected(span))?;
        let Some(d) = date.day else {
            self.reporter
                .report(Code::TestMoment, date.span, "a question is asked on a day, not in a whole month")
                .label("which day?")
                .help("Give the day too, e.g. `at 4 November 2025 10:35` or `at 2025-11-04 10:35`, or a day of the week, e.g. `at tuesday 10:35`.");
            self.bad_moment = true;
            return Ok(None);
        };
        let real = i16::try_from(date.year)
            .ok()
            .zip(i8::try_from(date.month).ok())
            .zip(i8::try_from(d).ok())
            .is_some_and(|((y, m), d)| jiff::civil::Date::new(y, m, d).is_ok());
        if !real {
            self.reporter
                .report(Code::TestMoment, date.span, "this date is not on the calendar")
                .label("no such day")
                .help("Check the day and the month: a month has 28 to 31 days. Dates are written 2025-11-04 or 4 November 2025.");
            self.bad_moment = true;
            return Ok(None);
        }
        Ok(Some(Moment::Date { date, time }))
    }

    /// An expectation, or `None` (reported) when no answer could meet it.
    fn expectation(
        &mut self,
        ctx: &LineContext<'_>,
        pair: &Pair<'_, Rule>,
    ) -> Lowered<Option<Expectation>> {
        let at = ctx.pair_span(pair);
        let body = pair
            .clone()
            .into_inner()
            .find(|p| p.as_rule() != Rule::kw_expect)
            .ok_or(Unexpected(at))?;
        let span = ctx.pair_span(&body);
        let inner: Vec<Pair<'_, Rule>> = body.clone().into_inner().collect();
        let subject_of = |i: &[Pair<'_, Rule>]| -> Lowered<Subject> {
            let p = i
                .iter()
                .find(|p| p.as_rule() == Rule::subject)
                .ok_or(Unexpected(span))?;
            subject(ctx, p)
        };
        let kind = match body.as_rule() {
            Rule::verdict_exp => {
                let verdict_pair = inner
                    .iter()
                    .find(|p| p.as_rule() == Rule::verdict)
                    .ok_or(Unexpected(span))?;
                let verdict = match verdict_pair
                    .clone()
                    .into_inner()
                    .next()
                    .map(|p| p.as_rule())
                {
                    Some(Rule::kw_allowed) => Verdict::Allowed,
                    Some(Rule::kw_denied) => Verdict::Denied,
                    Some(Rule::kw_illegal) => Verdict::Illegal,
                    Some(Rule::kw_conditional) => Verdict::Conditional,
                    _ => return Err(Unexpected(span)),
                };
                let by_default = inner.iter().any(|p| p.as_rule() == Rule::by_default);
                let on = inner
                    .iter()
                    .find(|p| p.as_rule() == Rule::on_condition)
                    .and_then(|p| {
                        p.clone()
                            .into_inner()
                            .find(|p| p.as_rule() == Rule::condition_word)
                    })
                    .and_then(|w| w.into_inner().next())
                    .map(|w| match w.as_rule() {
                        Rule::kw_time => ConditionKind::Time,
                        Rule::kw_nominated => ConditionKind::Nominated,
                        Rule::kw_permission => ConditionKind::Permission,
                        Rule::kw_place => ConditionKind::Place,
                        Rule::kw_fact => ConditionKind::Fact,
                        Rule::kw_several => ConditionKind::Several,
                        _ => ConditionKind::Unspecified,
                    });
                if by_default && verdict != Verdict::Denied {
                    self.reporter
                        .report(Code::ImpossibleExpectation, span, format!("`{} by default` can never be the answer", verdict.as_str()))
                        .label("impossible")
                        .help("esafety denies what a policy does not answer, so only `denied by default` can happen. Write `expect denied by default`, or drop `by default`.");
                    return Ok(None);
                }
                if on.is_some() && verdict != Verdict::Conditional {
                    self.reporter
                        .report(Code::ImpossibleExpectation, span, format!("only a conditional answer depends on something; `{}` does not", verdict.as_str()))
                        .label("impossible")
                        .help("Write `expect conditional on time` (or `place`, `nominated`, `permission`, `fact`, `several`, `unspecified`), or drop the part from `on`.");
                    return Ok(None);
                }
                if by_default && on.is_some() {
                    return Err(Unexpected(span));
                }
                Expect::Verdict {
                    verdict,
                    by_default,
                    on,
                }
            }
            Rule::not_listed_exp => Expect::NotListed,
            Rule::no_exp => {
                let what = inner
                    .iter()
                    .find(|p| {
                        matches!(
                            p.as_rule(),
                            Rule::no_what | Rule::no_step | Rule::no_response | Rule::no_tier
                        )
                    })
                    .ok_or(Unexpected(span))?;
                if what.as_rule() == Rule::no_step {
                    Expect::NoStep(lower::number(ctx, what)?)
                } else if what.as_rule() == Rule::no_tier {
                    Expect::NoTier(ladder_name(ctx, what))
                } else if what.as_rule() == Rule::no_response {
                    let parts: Vec<Pair<'_, Rule>> = what.clone().into_inner().collect();
                    let class = match parts.first().map(Pair::as_rule) {
                        Some(Rule::kw_referral) => ResponseClass::Referral,
                        Some(Rule::kw_notification) => ResponseClass::Notification,
                        Some(Rule::kw_sanction) => ResponseClass::Sanction,
                        _ => return Err(Unexpected(span)),
                    };
                    Expect::NoResponse {
                        class,
                        subject: subject_of(&parts)?,
                    }
                } else {
                    match what.clone().into_inner().next().map(|p| p.as_rule()) {
                        Some(Rule::kw_incident) => Expect::Incident(None),
                        Some(Rule::kw_route) => Expect::Route(None),
                        Some(Rule::kw_referrals) => {
                            Expect::NoResponses(Some(ResponseClass::Referral))
                        }
                        Some(Rule::kw_notifications) => {
                            Expect::NoResponses(Some(ResponseClass::Notification))
                        }
                        Some(Rule::kw_sanctions) => {
                            Expect::NoResponses(Some(ResponseClass::Sanction))
                        }
                        Some(Rule::kw_responses) => Expect::NoResponses(None),
                        _ => return Err(Unexpected(span)),
                    }
                }
            }
            Rule::incident_exp => Expect::Incident(Some(subject_of(&inner)?)),
            Rule::referral_exp | Rule::notification_exp | Rule::sanction_exp => Expect::Response {
                class: match body.as_rule() {
                    Rule::referral_exp => ResponseClass::Referral,
                    Rule::notification_exp => ResponseClass::Notification,
                    _ => ResponseClass::Sanction,
                },
                subject: subject_of(&inner)?,
                optional: inner.iter().any(|p| p.as_rule() == Rule::as_appropriate),
            },
            Rule::responses_exp => Expect::Responses(
                inner
                    .iter()
                    .filter(|p| p.as_rule() == Rule::subject)
                    .map(|p| subject(ctx, p))
                    .collect::<Lowered<Vec<_>>>()?,
            ),
            Rule::route_exp => Expect::Route(Some(subject_of(&inner)?)),
            Rule::steps_exp => Expect::Steps(
                inner
                    .iter()
                    .filter(|p| p.as_rule() == Rule::step_item)
                    .map(|p| step_item(ctx, p))
                    .collect::<Lowered<Vec<_>>>()?,
            ),
            Rule::step_exp => {
                let item = inner
                    .iter()
                    .find(|p| p.as_rule() == Rule::step_item)
                    .ok_or(Unexpected(span))?;
                let (number, pending) = step_item(ctx, item)?;
                Expect::Step { number, pending }
            }
            Rule::rule_exp => Expect::Rule(subject_of(&inner)?),
            Rule::role_exp => Expect::Role(
                inner
                    .iter()
                    .find(|p| p.as_rule() == Rule::ident)
                    .map(|p| ctx.name(p))
                    .ok_or(Unexpected(span))?,
            ),
            Rule::note_exp => Expect::Note(text(ctx, &body)?),
            Rule::tier_exp => {
                let number = lower::number(ctx, &body)?;
                if number == 0 {
                    self.reporter
                        .report(Code::ImpossibleExpectation, span, "there is no tier 0: tiers are numbered from 1, the 1st time")
                        .label("impossible")
                        .help("Write the number of the tier's time: `expect tier 1` for `1st time`, `expect tier 3` for `3rd time or more`.");
                    return Ok(None);
                }
                Expect::Tier {
                    number,
                    ladder: ladder_name(ctx, &body),
                }
            }
            _ => return Err(Unexpected(span)),
        };
        Ok(Some(Expectation { kind, span }))
    }
}

/// The ladder of `of LADDER`, if the expectation names one.
fn ladder_name(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Option<Name> {
    pair.clone()
        .into_inner()
        .find(|p| p.as_rule() == Rule::of_ladder)
        .and_then(|p| p.into_inner().find(|p| p.as_rule() == Rule::ident))
        .map(|p| ctx.name(&p))
}

fn text(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Text> {
    let string = pair
        .clone()
        .into_inner()
        .find(|p| p.as_rule() == Rule::string)
        .ok_or_else(|| Unexpected(ctx.pair_span(pair)))?;
    Ok(ctx.text(&string))
}

fn subject(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Subject> {
    let inner = pair
        .clone()
        .into_inner()
        .next()
        .ok_or_else(|| Unexpected(ctx.pair_span(pair)))?;
    let span: Span = ctx.pair_span(&inner);
    Ok(match inner.as_rule() {
        Rule::string => Subject {
            text: ctx.text(&inner).text,
            quoted: true,
            span,
        },
        _ => Subject {
            text: ctx.name(&inner).text,
            quoted: false,
            span,
        },
    })
}

fn step_item(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<(u32, bool)> {
    let number = lower::number(ctx, pair)?;
    let pending = pair
        .clone()
        .into_inner()
        .any(|p| p.as_rule() == Rule::kw_pending);
    Ok((number, pending))
}
