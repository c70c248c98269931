use super::*;
use crate::ast::*;

fn ok(text: &str) -> PolicyFile {
    let parsed = parse("t.policy", text);
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    parsed.file
}

#[test]
fn reads_a_school_heading() {
    let file = ok("school \"Demo\"\n  approved April 2021\n  review by 2022-04-30\n");
    let Some(Section::School(school)) = file.sections.first() else {
        panic!("no school");
    };
    assert_eq!(&*school.name.text, "Demo");
    assert_eq!(school.items.len(), 2);
}

#[test]
fn a_bad_line_is_reported_and_the_next_line_is_still_read() {
    let parsed = parse(
        "t.policy",
        "school \"Demo\"\n  approvd April 2021\n  owner \"Team\"\n",
    );
    assert_eq!(parsed.diagnostics.len(), 1);
    assert_eq!(parsed.diagnostics[0].code, Code::Syntax);
    assert_eq!(parsed.diagnostics[0].location.line, 2);
    let Some(Section::School(school)) = parsed.file.sections.first() else {
        panic!("no school");
    };
    assert_eq!(school.items.len(), 1);
}

mod grammar_agreement {
    use super::super::grammar::{PolicyParser, Rule};
    use pest::Parser;
    use proptest::prelude::*;

    /// Lines the two rules should agree on: statements, near-statements and
    /// noise, without the lone carriage returns that pest alone treats as a
    /// line break.
    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("school \"A\"".to_owned()),
            Just("  row r \"Label\"  # note".to_owned()),
            Just("    pupils: not allowed".to_owned()),
            Just("    pupils: alowed".to_owned()),
            Just("  lessons 09:00 to 10:30".to_owned()),
            Just("  step \"x\" refer a if b and c".to_owned()),
            Just("# just a comment".to_owned()),
            Just(String::new()),
            Just("   ".to_owned()),
            "[a-z :,\"#0-9-]{0,30}",
            "[^\r\n]{0,10}",
        ]
    }

    /// The body of a rule of `grammar/policy.pest`, without its comments.
    fn rule_body(name: &str) -> String {
        let grammar = include_str!("../../../../grammar/policy.pest");
        let line = grammar
            .lines()
            .position(|l| {
                l.strip_prefix(name)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
            .unwrap_or_else(|| panic!("no rule {name}"));
        let mut body = String::new();
        for l in grammar.lines().skip(line) {
            body.push_str(l.split("//").next().unwrap_or(""));
            body.push('\n');
            if l.trim_end().ends_with('}') && body.matches('{').count() == body.matches('}').count()
            {
                break;
            }
        }
        body.split_once('{')
            .map(|(_, b)| b.trim_end().trim_end_matches('}').to_owned())
            .unwrap()
    }

    /// The literal words a rule can start with: a keyword rule's word, or
    /// those of each alternative of a rule made of keyword rules.
    fn first_words(rule: &str) -> Vec<String> {
        let body = rule_body(rule);
        if let Some(word) = body.trim().strip_prefix('"') {
            return vec![word.split('"').next().unwrap().to_owned()];
        }
        body.split('|')
            .flat_map(|alt| {
                let first = alt.split_whitespace().next().unwrap().to_owned();
                first_words(&first)
            })
            .collect()
    }

    /// Each look-ahead in the `statement` rule only rules out lines its
    /// statement could never read: it is the word (or one of the words) the
    /// statement's first keyword matches, or, for the tier, the digit an
    /// ordinal starts with. Without this the look-aheads could change what
    /// the grammar accepts.
    #[test]
    fn each_look_ahead_in_statement_is_its_statements_first_word() {
        let statement = rule_body("statement");
        let mut guarded = 0;
        for alternative in statement
            .split("\n")
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let alternative = alternative.trim_start_matches('|').trim();
            let Some((guard, stmt)) = alternative.split_once(" ~ ") else {
                continue;
            };
            guarded += 1;
            let first = rule_body(stmt)
                .split_whitespace()
                .next()
                .unwrap()
                .to_owned();
            let guard = guard.strip_prefix('&').unwrap();
            if guard == "ASCII_DIGIT" {
                assert_eq!(first, "ordinal");
                assert!(rule_body("ordinal").trim().starts_with("ASCII_DIGIT"));
                continue;
            }
            let mut words: Vec<String> = guard
                .trim_matches(['(', ')'])
                .split('|')
                .map(|w| w.trim().trim_matches('"').to_owned())
                .collect();
            words.sort();
            let mut expected = first_words(&first);
            expected.sort();
            assert_eq!(words, expected, "{alternative}");
        }
        assert_eq!(guarded, 38, "{statement}");
    }

    proptest! {
        #[test]
        fn file_accepts_exactly_what_every_line_accepts(lines in prop::collection::vec(line(), 0..12)) {
            let text = lines.join("\n");
            let whole = PolicyParser::parse(Rule::file, &text).is_ok();
            let each = text.split('\n').all(|l| PolicyParser::parse(Rule::line, l).is_ok());
            prop_assert_eq!(whole, each, "{:?}", text);
        }
    }
}

mod runs {
    use super::super::*;
    use proptest::prelude::*;

    fn shipped(name: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(name);
        std::fs::read_to_string(path).unwrap()
    }

    fn parse_with(text: &str, run_lines: usize) -> (PolicyFile, Vec<Diagnostic>) {
        let index = LineIndex::new(text);
        let mut reporter = Reporter::new("t.policy", text, &index);
        let file = parse_into_runs(text, &index, &mut reporter, run_lines, 0);
        (file, reporter.finish())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        /// Reading lines in runs gives exactly what reading them one by one
        /// gives: the same tree (spans and comments included) and the same
        /// diagnostics, whatever the run length and wherever lines are broken.
        #[test]
        fn runs_read_exactly_like_single_lines(
            which in 0usize..2,
            edits in prop::collection::vec((any::<prop::sample::Index>(), "[ -~\t\r\n#\"]{0,6}"), 0..8),
            run_lines in 1usize..40,
        ) {
            let mut text = shipped(["policies/crockerne.policy", "policies/st-botolphs.policy"][which]);
            for (at, insert) in edits {
                let mut i = at.index(text.len());
                while !text.is_char_boundary(i) { i -= 1; }
                text.insert_str(i, &insert);
            }
            let single = parse_with(&text, 0);
            let runs = parse_with(&text, run_lines);
            prop_assert_eq!(&single.1, &runs.1);
            prop_assert!(single.0 == runs.0, "trees differ");
        }
    }
}

mod plain_lines {
    use super::super::grammar::{PolicyParser, Rule};
    use super::super::lower::{self, LineContext, Names, Statement};
    use super::super::plain;
    use crate::ast::{AnswerKind, RoleList};
    use crate::span::Span;
    use pest::Parser;
    use proptest::prelude::*;

    fn context<'a>(text: &'a str, names: &'a Names) -> LineContext<'a> {
        LineContext {
            names,
            text,
            offset: 40,
            line: 3,
            ascii: text.is_ascii(),
            base: 0,
            file_base: 0,
        }
    }

    /// The statement the grammar reads from a line, if it reads one and
    /// nothing else.
    fn by_grammar(ctx: &LineContext<'_>) -> Option<(Statement, Span)> {
        let line = PolicyParser::parse(Rule::line, ctx.text).ok()?.next()?;
        let mut pairs = line.into_inner().filter(|p| p.as_rule() != Rule::EOI);
        let pair = pairs.next()?;
        if pairs.next().is_some() || pair.as_rule() == Rule::comment {
            return None;
        }
        let statement = lower::statement(ctx, &pair).ok()?;
        Some((statement, ctx.pair_span(&pair)))
    }

    /// What the plain reader gives, checked against the grammar; returns
    /// whether the plain reader took the line.
    fn agrees(text: &str) -> Result<bool, TestCaseError> {
        let names = Names::default();
        let ctx = context(text, &names);
        let Some(plain) = plain::statement(&ctx) else {
            return Ok(false);
        };
        let grammar = by_grammar(&ctx);
        prop_assert!(
            grammar.as_ref() == Some(&plain),
            "{text:?}\nplain:   {plain:?}\ngrammar: {grammar:?}"
        );
        Ok(true)
    }

    /// Lines made of the words, names and punctuation of table lines, with
    /// some noise: most read plainly, many are near misses.
    fn line() -> impl Strategy<Value = String> {
        let token = prop_oneof![
            4 => prop::sample::select(vec![
                "row", "breach", "by", "allowed", "not", "acceptable", "unacceptable", "and",
                "illegal", "blank", "at", "certain", "times", "during", "outside", "for",
                "selected", "staff", "nominated", "users", "with", "permission", "from",
                "everyone", "to", "responses", "only", "except",
            ]).prop_map(str::to_owned),
            3 => prop::sample::select(vec![
                "pupils", "adults", "year-6", "lunch", "r1", "phones-in-lessons", "dsl",
                "Pupils", "a--b", "x_", "9th", "sixth-form",
            ]).prop_map(str::to_owned),
            2 => prop::sample::select(vec![":", ",", "\"", "\"A label\"", "\"\"", "#", "# note"])
                .prop_map(str::to_owned),
            1 => "[ -~\t\u{a0}é]{0,3}",
        ];
        (
            "[ ]{0,4}",
            prop::collection::vec((token, "[ ]{0,2}"), 1..10),
        )
            .prop_map(|(indent, tokens)| {
                let mut line = indent;
                for (token, space) in tokens {
                    line.push_str(&token);
                    line.push_str(&space);
                }
                line
            })
    }

    /// Well-formed cells and breaches: every answer the plain reader knows,
    /// with one to three roles and spacing varied, and sometimes a stray
    /// word after.
    fn cell_line() -> impl Strategy<Value = String> {
        let role = prop::sample::select(vec![
            "pupils",
            "staff",
            "year-6",
            "everyone",
            "responses",
            "allowed",
            "r2d2",
        ]);
        let answer = prop::sample::select(vec![
            "allowed",
            "not allowed",
            "acceptable",
            "unacceptable",
            "unacceptable and illegal",
            "blank",
            "allowed at certain times",
            "allowed at certain times during lunch",
            "acceptable at certain times outside lessons, lunch",
            "allowed for selected staff",
            "allowed for nominated users",
            "acceptable for nominated users",
            "allowed with permission",
            "allowed with staff permission",
            "allowed with staff permission from dsl",
            "allowed with permission from everyone",
            "incident-name",
        ]);
        let gap = prop::sample::select(vec!["", " ", "  "]);
        (
            prop::bool::ANY,
            prop::collection::vec((role, gap.clone()), 1..4),
            gap.clone(),
            answer,
            prop::sample::select(vec!["", " ", " extra", ",", " # note"]),
        )
            .prop_map(|(breach, roles, gap, answer, after)| {
                let roles: Vec<String> =
                    roles.into_iter().map(|(r, g)| format!("{r}{g}")).collect();
                let head = if breach { "breach by " } else { "" };
                let words = answer.replace(' ', &format!(" {gap}"));
                format!("    {head}{}:{gap}{words}{after}", roles.join(","))
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

        /// Whenever the plain reader takes a line, the grammar reads it to
        /// the same statement with the same spans.
        #[test]
        fn the_plain_reader_agrees_with_the_grammar(text in prop_oneof![line(), cell_line()]) {
            agrees(&text)?;
        }
    }

    /// Every answer form the plain reader knows, and the lines of the
    /// shipped policies: each is taken by the plain reader (so the
    /// comparison above is not vacuous) and agrees with the grammar.
    #[test]
    fn the_plain_reader_takes_the_common_table_lines() {
        let lines = [
            "  row phones-in-lessons \"Use of mobile phones in lessons\"",
            "row r1\"x\"",
            "    adults: allowed",
            "    pupils:not allowed",
            "    staff , pupils :  acceptable   ",
            "    pupils, everyone, row: not allowed",
            "    pupils: unacceptable",
            "    everyone-else: unacceptable and illegal",
            "    pupils: blank",
            "    everyone: unacceptable and illegal",
            "  row r \"Child images –The making\"",
            "    pupils: allowed at certain times",
            "    pupils: allowed at certain times during lunch, break",
            "    pupils: acceptable at certain times outside lessons",
            "    pupils: allowed for selected staff",
            "    pupils: allowed for nominated users",
            "    pupils: acceptable for nominated users",
            "    pupils: allowed with staff permission",
            "    pupils: allowed with permission from dsl",
            "    breach by pupil, year-6: unauthorised-mobile",
            "    breach by everyone: misuse",
        ];
        for line in lines {
            assert!(matches!(agrees(line), Ok(true)), "{line:?}");
        }
        // Every row, cell and breach line of the shipped policies that the
        // grammar reads on its own (no comment after it), but for the forms
        // the plain reader leaves alone: year ranges, `only`, `except`.
        let mut taken = 0;
        let mut left = Vec::new();
        for name in ["crockerne.policy", "st-botolphs.policy"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../policies")
                .join(name);
            let text = std::fs::read_to_string(path).unwrap();
            for line in text.lines() {
                if agrees(line).unwrap() {
                    taken += 1;
                    continue;
                }
                let names = Names::default();
                let plain_form = match by_grammar(&context(line, &names)) {
                    Some((Statement::Row { .. }, _)) => true,
                    Some((Statement::Cell { roles, answer }, _)) => {
                        !matches!(roles, RoleList::Members { .. })
                            && !matches!(
                                answer.kind,
                                AnswerKind::Only { .. } | AnswerKind::Except { .. }
                            )
                    }
                    Some((Statement::Breach { roles, .. }, _)) => {
                        !matches!(roles, RoleList::Members { .. })
                    }
                    _ => false,
                };
                if plain_form {
                    left.push(line.to_owned());
                }
            }
        }
        assert!(left.is_empty(), "left to the grammar: {left:#?}");
        // The two policies hold about 250 such lines.
        assert!(taken > 200, "the plain reader took only {taken} lines");
    }

    /// Lines the plain reader must leave to the grammar: a mistake, a
    /// comment, a keyword or year range among the roles, anything unusual.
    #[test]
    fn the_plain_reader_leaves_the_rest_to_the_grammar() {
        for line in [
            "    pupils: alowed",
            "    pupils: allowed # a note",
            "    responses: head",
            "    responses as appropriate: head",
            "    responses: allowed",
            "    allowed in school: yes",
            "    network access: none",
            "    everyone, pupils: allowed",
            "    year-1 to year-6: not allowed",
            "    pupils: allowed only during lunch",
            "    pupils: allowed at certain times during",
            "    pupils: allowed at certain times during lunch,",
            "    pupils: allowed for selected",
            "    Pupils: allowed",
            "\tpupils: allowed",
            "    pupils:\u{a0}allowed",
            "    pupils: allowed\u{a0}",
            "\u{a0}   pupils: allowed",
            "  row r \"with \\\" quote\"",
            "  row r \"open",
            "  lessons 09:00 to 10:30",
            "  2nd time: head",
        ] {
            let names = Names::default();
            assert!(
                plain::statement(&context(line, &names)).is_none(),
                "{line:?}"
            );
        }
    }

    /// [`plain::BEFORE_CELLS`] is the grammar's: the first keyword of each
    /// statement the `statement` rule tries before `cell_stmt`, but for the
    /// tier (which starts with a number, never a name).
    #[test]
    fn the_statements_before_cells_are_the_grammars() {
        let grammar = include_str!("../../../../grammar/policy.pest");
        let rule = |name: &str| {
            grammar
                .lines()
                .find(|l| {
                    l.strip_prefix(name)
                        .is_some_and(|rest| rest.trim_start().starts_with('='))
                })
                .unwrap_or_else(|| panic!("no rule {name}"))
        };
        let statement = grammar
            .split("statement = _{")
            .nth(1)
            .and_then(|rest| rest.split("cell_stmt").next())
            .unwrap();
        let mut first_words = Vec::new();
        for alternative in statement.split('|').filter_map(|a| {
            a.lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with("//"))
        }) {
            // Past the look-ahead in front of it.
            let alternative = alternative.rsplit(" ~ ").next().unwrap_or(alternative);
            let first_token = rule(alternative)
                .split_once('{')
                .unwrap()
                .1
                .split_whitespace()
                .next()
                .unwrap();
            if first_token == "ordinal" {
                continue;
            }
            let keyword = rule(first_token).split('"').nth(1).unwrap();
            first_words.push(keyword);
        }
        assert_eq!(first_words, plain::BEFORE_CELLS);
    }
}
