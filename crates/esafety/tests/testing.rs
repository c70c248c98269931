//! Policy tests (`.policy-test` files): no input panics their parser or
//! runner, every diagnostic is well formed, a question written back in words
//! reads as the same question, and what a test expects decides its result.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::OnceLock;

use esafety::testing::{self, Ask, AskAbout, ParsedTests};
use esafety::{Policy, diagnostic::render};
use proptest::prelude::*;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shipped policies and their tests.
fn shipped() -> &'static [(Policy, String)] {
    static SHIPPED: OnceLock<Vec<(Policy, String)>> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        ["crockerne", "st-botolphs"]
            .iter()
            .map(|school| {
                let policy =
                    Policy::from_file(root().join(format!("policies/{school}.policy"))).unwrap();
                let tests =
                    std::fs::read_to_string(root().join(format!("policies/{school}.policy-test")))
                        .unwrap();
                (policy, tests)
            })
            .collect()
    })
}

/// Parses and runs a test file against a policy; checks that whatever comes
/// out is well formed.
fn parse_and_run(text: &str, policy: &Policy) -> ParsedTests {
    let parsed = testing::parse("prop.policy-test", text);
    let report = testing::run(&parsed, policy);
    for d in parsed.diagnostics.iter().chain(&report.diagnostics) {
        assert!(!d.message.is_empty() && !d.help.is_empty(), "{d:?}");
        assert!(
            d.location.start <= d.location.end && d.location.end <= text.len(),
            "{d:?}"
        );
        assert!(d.location.line >= 1 && d.location.column >= 1, "{d:?}");
    }
    for r in &report.results {
        assert!(r.passed() || r.broken || !r.failures.is_empty());
        for f in &r.failures {
            assert!(f.location.end <= text.len());
            assert!(!f.expected.is_empty() && !f.actual.is_empty());
        }
    }
    let _ = render::human(&parsed.diagnostics, text, false);
    let _ = render::human(&report.diagnostics, text, false);
    // Every test is a result: those that ran, and those that cannot run as
    // written (broken, so failed), in file order.
    assert_eq!(
        report.results.len(),
        parsed.file.cases.len() + parsed.file.unrunnable.len()
    );
    assert!(report.results.iter().filter(|r| r.broken).count() >= parsed.file.unrunnable.len());
    assert!(report.results.windows(2).all(|w| w[0].line <= w[1].line));
    assert_eq!(report.passed() + report.failed(), report.results.len());
    parsed
}

/// Words and pieces of the test language, to make text that is nearly a
/// test file.
fn testish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("test".to_owned()),
        Just("ask".to_owned()),
        Just("expect".to_owned()),
        Just("policy".to_owned()),
        Just("\n".to_owned()),
        Just("\n  ".to_owned()),
        Just("pupil action".to_owned()),
        Just("device".to_owned()),
        Just("incident".to_owned()),
        Just("at tuesday 10:00".to_owned()),
        Just("at 2025-11-04 10:35".to_owned()),
        Just("given permission, no immediate-risk".to_owned()),
        Just("after 2 prior incidents".to_owned()),
        Just("denied by default".to_owned()),
        Just("conditional on time".to_owned()),
        Just("steps 1, 2 pending".to_owned()),
        Just("no step".to_owned()),
        Just("\"Use of blogs\"".to_owned()),
        Just("phones-in-lessons".to_owned()),
        Just("#".to_owned()),
        "[a-z-]{1,10}",
        "[0-9]{1,12}",
        "\\PC{0,3}",
    ];
    prop::collection::vec(token, 0..60).prop_map(|tokens| tokens.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}", which in 0usize..2) {
        parse_and_run(&text, &shipped()[which].0);
    }

    #[test]
    fn test_like_text_never_panics(text in testish(), which in 0usize..2) {
        parse_and_run(&text, &shipped()[which].0);
    }

}

proptest! {
    // Each case runs a whole shipped test file (hundreds of questions).
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Cutting, inserting and dropping text of the shipped tests.
    #[test]
    fn mutated_tests_never_panic(
        which in 0usize..2,
        cuts in common::cuts(),
    ) {
        let (policy, original) = &shipped()[which];
        let mut text = original.clone();
        common::mutate(&mut text, cuts);
        parse_and_run(&text, policy);
    }

    /// Moving whole lines about puts `expect` lines under the wrong
    /// questions and names before nothing: reported, never a panic.
    #[test]
    fn shuffled_lines_never_panic(which in 0usize..2, seed in prop::collection::vec(any::<prop::sample::Index>(), 1..30)) {
        let (policy, original) = &shipped()[which];
        parse_and_run(&common::shuffle_lines(original, &seed), policy);
    }
}

/// An ask without its spans, for comparing questions read from different
/// text.
fn question(ask: &Ask) -> String {
    let subject = |s: &testing::Subject| s.text.to_string();
    let about = match &ask.about {
        AskAbout::Action(s) => format!("action {}", subject(s)),
        AskAbout::Incident(s) => format!("incident {}", subject(s)),
        AskAbout::Device { kind, capability } => {
            format!("device {} {}", subject(kind), subject(capability))
        }
        other => format!("{other:?}"),
    };
    let facts: Vec<String> = ask
        .facts
        .iter()
        .map(|(n, v)| format!("{}={v}", n.text))
        .collect();
    format!(
        "{:?} {about} {:?} {facts:?} {}",
        ask.role.as_ref().map(|r| r.text.to_string()),
        ask.at.as_ref().map(testing::Moment::words),
        ask.prior
    )
}

#[test]
fn every_shipped_question_in_words_reads_back_as_itself() {
    let mut count = 0;
    for (_, text) in shipped() {
        let parsed = testing::parse("shipped.policy-test", text);
        assert!(parsed.diagnostics.is_empty());
        for case in &parsed.file.cases {
            let again = testing::parse(
                "again.policy-test",
                &format!("ask {}\n  expect allowed\n", case.ask.words()),
            );
            assert!(
                again.diagnostics.is_empty(),
                "{}: {:?}",
                case.ask.words(),
                again.diagnostics
            );
            assert_eq!(question(&again.file.cases[0].ask), question(&case.ask));
            count += 1;
        }
    }
    assert!(count > 350);
}

#[test]
fn a_weekday_is_a_day_of_term_and_not_a_holiday() {
    let policy =
        Policy::from_file(root().join("tests/corpus/valid/every-construct.policy")).unwrap();
    // The autumn term starts on Wednesday 3 September 2025; half term is 27
    // to 31 October.
    let parsed = testing::parse(
        "t.policy-test",
        "ask pupil action gaming at tuesday 12:30\n  expect allowed\n\
         ask pupil action gaming at wednesday 12:30\n  expect allowed\n",
    );
    let report = testing::run(&parsed, &policy);
    let days: Vec<String> = report
        .results
        .iter()
        .map(|r| r.query.at.unwrap().to_string())
        .collect();
    assert_eq!(days, ["2025-09-09T12:30:00", "2025-09-03T12:30:00"]);
    assert_eq!(report.passed(), 2, "{:#?}", report.results);
}
