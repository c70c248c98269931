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
        let file = parse_into_runs(text, &index, &mut reporter, run_lines);
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
