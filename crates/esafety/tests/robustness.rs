//! Property tests: no input panics the parser, checker, renderers or
//! evaluator; generated valid policies check clean; decisions are
//! deterministic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::spec::{ROLES, Spec, render_spec, spec};
use esafety::diagnostic::{Diagnostic, render};
use esafety::{CheckOptions, Policy, Query, check, check_bytes};
use proptest::prelude::*;

/// Every diagnostic is well formed: a code, a message, a help line, and a
/// location inside the text.
fn assert_well_formed(text_len: usize, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        assert!(!d.message.is_empty(), "{d:?}");
        assert!(!d.help.is_empty(), "no help: {d:?}");
        assert!(d.location.start <= d.location.end, "{d:?}");
        assert!(d.location.end <= text_len, "span past the end: {d:?}");
        assert!(d.location.line >= 1 && d.location.column >= 1, "{d:?}");
        assert_eq!(d.severity, d.code.severity());
    }
}

fn check_everything(text: &str) {
    let checked = check(
        "prop.policy",
        text,
        &CheckOptions::with_today(jiff::civil::date(2025, 9, 1)),
    );
    assert_well_formed(text.len(), &checked.diagnostics);
    assert_eq!(checked.policy.is_some(), !checked.has_errors());
    // Every renderer copes with whatever the checker produced.
    let _ = render::human(&checked.diagnostics, text, false);
    let _ = render::human(&checked.diagnostics, text, true);
    let _ = render::github(&checked.diagnostics);
    let _ = render::json(&[render::FileReport::new("prop.policy", &checked.diagnostics)]);
    // A policy that compiles can be rendered as a document, in every format.
    if checked.policy.is_some() {
        render_document(text);
    }
}

fn render_document(text: &str) {
    let document = esafety::render::Document::from_text("prop.policy", text).unwrap();
    assert!(document.to_html().ends_with("</html>\n"));
    let _ = document.to_markdown();
    let _ = document.to_dot();
}

fn shipped() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    [
        "policies/crockerne.policy",
        "policies/st-botolphs.policy",
        "policies/examples/example-high.policy",
        "tests/corpus/valid/every-construct.policy",
    ]
    .iter()
    .map(|p| std::fs::read_to_string(root.join(p)).unwrap())
    .collect()
}

/// Text that looks a little like a policy: keywords, names, labels, times,
/// punctuation and noise, so that mutations reach deep into the grammar.
fn policyish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("school".to_owned()),
        Just("row".to_owned()),
        Just("step".to_owned()),
        Just("incident".to_owned()),
        Just("responses:".to_owned()),
        Just("allowed at certain times during".to_owned()),
        Just("not allowed".to_owned()),
        Just("unacceptable and illegal".to_owned()),
        Just("monday to friday".to_owned()),
        Just("12:00 to 13:00".to_owned()),
        Just("25:99".to_owned()),
        Just("April 2021".to_owned()),
        Just("2021-02-30".to_owned()),
        Just("breach by pupil:".to_owned()),
        Just("follow route".to_owned()),
        Just("if a and b or c".to_owned()),
        Just("places".to_owned()),
        Just("place library \"The library\"".to_owned()),
        Just("allowed only".to_owned()),
        Just("acceptable except".to_owned()),
        Just("during break, lunch or in library".to_owned()),
        Just("(in library or in canteen) and not".to_owned()),
        Just("with staff permission from".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("responses as appropriate:".to_owned()),
        Just("year-7 to year-11:".to_owned()),
        Just("count this incident per term".to_owned()),
        Just("count incidents of this table within 30 days".to_owned()),
        Just("count any incident per half term".to_owned()),
        Just("1st time:".to_owned()),
        Just("3rd time or more, instead:".to_owned()),
        Just("ladder".to_owned()),
        Just("\"label\"".to_owned()),
        Just("\"unterminated".to_owned()),
        Just("everyone:".to_owned()),
        Just("#".to_owned()),
        Just("\n".to_owned()),
        Just("\n  ".to_owned()),
        "[a-z][a-z0-9-]{0,8}",
        "[ -~]{0,6}",
        "\\PC{0,3}",
    ];
    prop::collection::vec(token, 0..60).prop_map(|tokens| tokens.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check_everything(&text);
    }

    #[test]
    fn policy_like_text_never_panics(text in policyish()) {
        check_everything(&text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let checked = check_bytes("prop.policy", &bytes, &CheckOptions::default());
        let lossy = String::from_utf8_lossy(&bytes);
        for d in &checked.diagnostics {
            prop_assert!(!d.help.is_empty());
        }
        let _ = render::human(&checked.diagnostics, &lossy, false);
    }

    /// Cutting, inserting, duplicating and dropping text of real policies.
    #[test]
    fn mutated_policies_never_panic(
        which in 0usize..3,
        cuts in common::cuts(),
        truncate in any::<prop::sample::Index>(),
        do_truncate in any::<bool>(),
    ) {
        let mut text = shipped()[which].clone();
        common::mutate(&mut text, cuts);
        if do_truncate {
            let mut at = truncate.index(text.len().max(1));
            while !text.is_char_boundary(at) { at -= 1; }
            text.truncate(at);
        }
        check_everything(&text);
    }

    /// Moving whole lines about keeps every line valid on its own, so this
    /// reaches the structure pass and the checker rather than the grammar.
    #[test]
    fn shuffled_lines_never_panic(which in 0usize..3, seed in prop::collection::vec(any::<prop::sample::Index>(), 1..30)) {
        check_everything(&common::shuffle_lines(&shipped()[which], &seed));
    }
}

// ---------------------------------------------------------------------------
// Generated valid policies.

fn queries(spec: &Spec) -> impl Strategy<Value = Query> + use<> {
    // The policy's roles, and one it does not know.
    let roles: Vec<&str> = ROLES.into_iter().chain(["nobody"]).collect();
    let rows = spec.rows.len();
    let places = vec!["library", "canteen", "hall"];
    (
        (
            prop::sample::select(roles.clone()),
            prop::collection::vec(prop::sample::select(roles), 0..3),
            prop::option::of(prop::sample::select(places)),
            prop::option::of(any::<bool>()),
        ),
        0..rows + 1,
        prop::option::of((0i8..7, 0i8..24, 0i8..60)),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        0u32..4,
        prop::option::of(any::<bool>()),
        any::<bool>(),
        prop::collection::vec((0usize..4, 0i64..60), 0..4),
    )
        .prop_map(
            |(
                (role, more, place, f0),
                row,
                at,
                nominated,
                permission,
                prior,
                risk,
                incident,
                history,
            )| {
                let mut q = if incident {
                    Query::incident(role, format!("i{}", row % 3))
                } else {
                    Query::action(role, format!("r{row}"))
                };
                for other in more {
                    q = q.and_role(other);
                }
                if let Some(place) = place {
                    q = q.place(place);
                }
                if let Some(v) = f0 {
                    q = q.fact("f0", v);
                }
                if let Some((day, h, m)) = at {
                    q = q.at(jiff::civil::date(2025, 11, 3 + day).at(h, m, 0, 0));
                }
                if let Some(v) = nominated {
                    q = q.fact("nominated", v);
                }
                if let Some(v) = permission {
                    q = q.fact("permission", v);
                }
                if let Some(v) = risk {
                    q = q.fact("immediate-risk", v);
                }
                // A history needs the question's time; with none, the
                // number of earlier incidents stands for it.
                match q.at {
                    Some(at) if prior == 0 => {
                        for (incident, days) in history {
                            let span = jiff::Span::new().try_days(days).unwrap();
                            q = q.earlier(format!("i{incident}"), at - span);
                        }
                        q
                    }
                    _ => q.prior(prior),
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_policies_check_clean(spec in spec()) {
        let text = render_spec(&spec);
        let checked = check("generated.policy", &text, &CheckOptions::with_today(jiff::civil::date(2025, 9, 1)));
        prop_assert!(
            checked.diagnostics.is_empty(),
            "{}\n{}",
            text,
            render::human(&checked.diagnostics, &text, false)
        );
        render_document(&text);
    }

    #[test]
    fn decide_never_panics_and_is_deterministic(
        (spec, qs) in spec().prop_flat_map(|s| {
            let q = prop::collection::vec(queries(&s), 1..20);
            (Just(s), q)
        })
    ) {
        let policy = Policy::parse("generated.policy", &render_spec(&spec)).unwrap();
        for q in qs {
            let first = policy.decide(&q);
            let second = policy.decide(&q);
            prop_assert_eq!(&first, &second);
            // The quiet answer is the same answer.
            let quiet = policy.decide(&q.clone().explain(false));
            match (&first, &quiet) {
                (Ok(a), Ok(b)) => {
                    prop_assert_eq!(a.verdict, b.verdict);
                    prop_assert_eq!(&a.rule, &b.rule);
                    prop_assert_eq!(&a.responses, &b.responses);
                    prop_assert!(b.explanation.is_empty());
                    prop_assert!(!a.explanation.is_empty() || a.verdict == esafety::Verdict::Denied);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a, b),
                _ => prop_assert!(false, "explain changed the outcome"),
            }
            if let Ok(d) = &first {
                // A decision survives its own JSON.
                let json = serde_json::to_string(d).unwrap();
                let back: esafety::Decision = serde_json::from_str(&json).unwrap();
                prop_assert_eq!(&back, d);
                prop_assert_eq!(serde_json::to_string(&back).unwrap(), json);
            }
        }
    }
}

/// Gives a question everything it leaves out: a place, a moment, and a value
/// for every fact.
fn completed(q: &Query, place: bool, at: (i8, i8, i8), facts: [bool; 5]) -> Query {
    let mut full = q.clone();
    if full.place.is_none() {
        full.place = Some(if place { "library" } else { "canteen" }.to_owned());
    }
    if full.at.is_none() {
        let (day, h, m) = at;
        full.at = Some(jiff::civil::date(2025, 11, 3 + day).at(h, m, 0, 0));
    }
    for (name, value) in ["f0", "f1", "nominated", "permission", "immediate-risk"]
        .into_iter()
        .zip(facts)
    {
        full.facts.entry(name.to_owned()).or_insert(value);
    }
    full
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The three-valued logic of conditions: an answer the question settles
    /// stays the same whatever else it is told (a known part is never
    /// overturned by an unknown one), and a conditional answer is settled
    /// once the question gives the time, the place and every fact.
    #[test]
    fn telling_more_settles_a_conditional_answer_and_changes_no_other(
        (spec, qs) in spec().prop_flat_map(|s| {
            let q = prop::collection::vec(
                (queries(&s), any::<bool>(), (0i8..7, 0i8..24, 0i8..60), any::<[bool; 5]>()),
                1..20,
            );
            (Just(s), q)
        })
    ) {
        let policy = Policy::parse("generated.policy", &render_spec(&spec)).unwrap();
        for (q, place, at, facts) in qs {
            let Ok(partial) = policy.decide(&q.clone().explain(false)) else {
                continue;
            };
            let full = completed(&q, place, at, facts).explain(false);
            let whole = policy.decide(&full).unwrap();
            if partial.verdict == esafety::Verdict::Conditional {
                prop_assert_ne!(whole.verdict, esafety::Verdict::Conditional, "{:?}", full);
            } else {
                prop_assert_eq!(partial.verdict, whole.verdict, "{:?} then {:?}", q, full);
                prop_assert_eq!(&partial.incident, &whole.incident);
            }
            // Each step the partial question left pending is settled.
            if let Some(route) = &whole.route {
                prop_assert!(route.steps().all(|s| !s.pending));
            }
        }
    }
}

/// Pathological inputs from the issue: deep nesting and huge files get a
/// located diagnostic, not a crash.
#[test]
fn braces_and_long_lines_are_diagnostics() {
    let one_line = "{".repeat(100_000);
    let checked = check("braces.policy", &one_line, &CheckOptions::default());
    assert_eq!(checked.diagnostics.len(), 1);
    assert_eq!(checked.diagnostics[0].code.as_str(), "E0309");

    let many_lines = "{\n".repeat(100_000);
    let checked = check("braces.policy", &many_lines, &CheckOptions::default());
    // 200 syntax errors, then one note that the rest are not listed.
    assert_eq!(
        checked.diagnostics.len(),
        esafety::syntax::MAX_SYNTAX_ERRORS + 1
    );
    assert!(checked.diagnostics.iter().all(|d| !d.help.is_empty()));

    let nested = format!("school \"Deep\"\n{}", "  ".repeat(4000) + "row x \"y\"\n");
    let checked = check("deep.policy", &nested, &CheckOptions::default());
    assert!(
        checked
            .diagnostics
            .iter()
            .any(|d| d.code.as_str() == "E0103")
    );
}

/// Questions about the shipped policies, whose routes have steps that depend
/// on facts: every role, every row and incident, with and without a time
/// and each fact.
fn shipped_questions() -> impl Strategy<Value = (usize, Query)> {
    let policies = shipped_policies();
    // For each policy: its index, roles, rows, incidents and facts.
    type Names = Vec<String>;
    let choices: Vec<(usize, Names, Names, Names, Names)> = policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let roles = p.roles().iter().map(|r| r.id.to_string()).collect();
            let rows = p
                .tables()
                .iter()
                .flat_map(|t| t.rows.iter().map(|r| r.id.to_string()))
                .collect();
            let incidents = p.incidents().map(|i| i.id.to_string()).collect();
            let facts = p.facts().iter().map(|f| f.id.to_string()).collect();
            (i, roles, rows, incidents, facts)
        })
        .collect();
    prop::sample::select(choices).prop_flat_map(|(i, roles, rows, incidents, facts)| {
        (
            Just(i),
            prop::sample::select(roles),
            prop::sample::select(rows),
            prop::sample::select(incidents),
            any::<bool>(),
            prop::option::of((0i8..7, 0i8..24, 0i8..60)),
            prop::collection::vec((prop::sample::select(facts), any::<bool>()), 0..4),
            0u32..3,
        )
            .prop_map(|(i, role, row, incident, ask_incident, at, facts, prior)| {
                let mut q = if ask_incident {
                    Query::incident(role, incident)
                } else {
                    Query::action(role, row)
                };
                if let Some((day, h, m)) = at {
                    q = q.at(jiff::civil::date(2025, 11, 3 + day).at(h, m, 0, 0));
                }
                for (fact, value) in facts {
                    q = q.fact(fact, value);
                }
                (i, q.prior(prior))
            })
    })
}

fn shipped_policies() -> Vec<Policy> {
    ["crockerne.policy", "st-botolphs.policy"]
        .iter()
        .map(|name| {
            Policy::from_file(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../policies")
                    .join(name),
            )
            .unwrap()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A decision read back from its JSON equals the decision written, routes
    /// and their left-out steps included; and the JSON says its version.
    #[test]
    fn decisions_equal_themselves_after_a_json_round_trip((i, q) in shipped_questions()) {
        let policies = SHIPPED.get_or_init(shipped_policies);
        let Ok(d) = policies[i].decide(&q) else { return Ok(()) };
        let json = serde_json::to_string(&d).unwrap();
        prop_assert!(json.starts_with(r#"{"version":1,"#), "{}", json);
        let back: esafety::Decision = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &d);
        // And the question too.
        let question: Query = serde_json::from_str(&serde_json::to_string(&q).unwrap()).unwrap();
        prop_assert_eq!(question, q);
    }
}

static SHIPPED: std::sync::OnceLock<Vec<Policy>> = std::sync::OnceLock::new();

#[test]
fn some_round_tripped_decisions_have_routes_with_steps_left_out() {
    // The property above is about routes: make sure the questions reach them.
    let policies = shipped_policies();
    let d = policies[1]
        .decide(&Query::incident("pupil", "child-sexual-abuse").fact("immediate-risk", true))
        .unwrap();
    let route = d.route.as_ref().unwrap();
    assert!(
        route.steps().count()
            < policies[1]
                .routes()
                .iter()
                .find(|r| &*r.id == route.id())
                .unwrap()
                .steps
                .len()
    );
    let back: esafety::Decision =
        serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
    assert_eq!(back, d);
}

#[test]
fn decision_json_of_another_version_is_refused() {
    let policies = shipped_policies();
    let d = policies[0]
        .decide(&Query::action("pupil", "blogs"))
        .unwrap();
    let json = serde_json::to_string(&d)
        .unwrap()
        .replacen(r#""version":1"#, r#""version":2"#, 1);
    let err = serde_json::from_str::<esafety::Decision>(&json).unwrap_err();
    assert!(err.to_string().contains("version 2"), "{err}");
    let json = serde_json::to_string(&d)
        .unwrap()
        .replacen(r#""version":1,"#, "", 1);
    assert!(serde_json::from_str::<esafety::Decision>(&json).is_err());
}
