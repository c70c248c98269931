//! esafety and Cedar answer every question of both shipped policies alike:
//! every role × row × moment of a school week × nomination and permission.
//! The Cedar policies are translated from an independent reading of the
//! policy's text, never from esafety's answers.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use esafety_bench::cedar::Cedar;
use esafety_bench::differential::{disagreements, questions};
use esafety_bench::{readings, shipped};

#[test]
fn esafety_and_cedar_agree_on_every_question_of_the_shipped_policies() {
    let policies = shipped();
    let readings = readings(&policies);
    let cedar = Cedar::build(&readings);
    let questions: Vec<_> = readings
        .iter()
        .enumerate()
        .flat_map(|(i, r)| questions(i, r))
        .collect();
    assert!(questions.len() > 10_000, "{}", questions.len());
    // Both answers occur, so agreement is not two engines denying everything.
    let allowed = questions
        .iter()
        .filter(|q| esafety_bench::differential::esafety_allows(&policies[q.policy].1, q))
        .count();
    assert!(allowed > 100 && allowed < questions.len() / 2, "{allowed}");
    let disagreements = disagreements(&policies, &readings, &cedar, &questions);
    assert!(
        disagreements.is_empty(),
        "{} of {} questions disagree, e.g.:\n{}",
        disagreements.len(),
        questions.len(),
        disagreements
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
