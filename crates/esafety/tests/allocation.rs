//! Deciding a question without an explanation does not allocate.
//!
//! This test binary counts every heap allocation (dhat's testing mode), loads
//! the shipped policies, then asks questions with `explain: false`. A decision
//! shares its lists and labels with the policy, so none may allocate. Names are
//! given by id: a label look-up folds case and spacing, which allocates.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use esafety::{Policy, Query};

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

fn policy(name: &str) -> Policy {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../policies")
        .join(name);
    Policy::from_file(path).unwrap()
}

#[test]
fn deciding_without_an_explanation_does_not_allocate() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let crockerne = policy("crockerne.policy");
    let st_botolphs = policy("st-botolphs.policy");
    let lesson = jiff::civil::date(2025, 11, 4).at(10, 0, 0, 0);
    // Every kind of question: allowed, denied with an incident and a repeat
    // offence, illegal with a route, conditional, timed, with facts, devices,
    // incidents with a route and step conditions.
    let queries = [
        (&crockerne, Query::action("pupil", "phones-in-lessons")),
        (
            &crockerne,
            Query::action("teacher", "personal-email")
                .at(lesson)
                .prior(2),
        ),
        (
            &crockerne,
            Query::action("year-3", "child-abuse-images").fact("child-abuse-images", true),
        ),
        (&crockerne, Query::action("year-5", "phones-brought")),
        (
            &crockerne,
            Query::action("year-5", "phones-brought").fact("permission", false),
        ),
        (&crockerne, Query::action("parent", "blogs")),
        (&crockerne, Query::action("visitor", "gambling")),
        (
            &crockerne,
            Query::device("student-owned", "full-network-access").role("pupil"),
        ),
        (&crockerne, Query::device("visitor-owned", "Internet only")),
        (
            &crockerne,
            Query::incident("teacher", "downloading").prior(1),
        ),
        (
            &st_botolphs,
            Query::incident("year-6", "child-sexual-abuse").fact("immediate-risk", true),
        ),
        (&st_botolphs, Query::incident("teacher", "radicalisation")),
    ];
    let queries: Vec<_> = queries
        .into_iter()
        .map(|(p, q)| (p, q.explain(false)))
        .collect();

    let before = dhat::HeapStats::get();
    let mut verdicts = 0;
    for (policy, query) in &queries {
        let decision = policy.decide(query).unwrap();
        verdicts += decision.responses.referrals.len() + usize::from(decision.route.is_some());
        drop(decision);
    }
    let after = dhat::HeapStats::get();
    dhat::assert_eq!(after.total_blocks, before.total_blocks);
    // The decisions were real ones, not empty answers.
    assert!(verdicts > 5);

    // With an explanation, allocating is expected (the sentences are new).
    let explained = Query::action("pupil", "phones-in-lessons");
    let before = dhat::HeapStats::get();
    let decision = crockerne.decide(&explained).unwrap();
    assert!(!decision.explanation.is_empty());
    assert!(dhat::HeapStats::get().total_blocks > before.total_blocks);
}
