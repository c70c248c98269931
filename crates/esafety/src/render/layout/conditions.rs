//! Conditions in the words of a document: a route step's "Only if …" line
//! and its flowchart question, and a cell's mark.

use crate::ast::{Cond, CondTerm, CondTest, Connective, Test};
use crate::condition;

use super::{Builder, lowercase_first};

impl Builder<'_> {
    /// A step's condition as a sentence of the document, facts and places
    /// by their labels: "Only if the material is illegal, unless a child is
    /// at immediate risk of harm."
    pub(super) fn step_sentence(&self, negated: bool, cond: &Cond) -> String {
        let lead = if negated { "Unless" } else { "Only if" };
        // Facts joined by one word, none negated: as a list ("a, b and c"),
        // the way the procedures of the shipped policies read.
        if let Some((facts, word)) = plain_facts(cond) {
            let meanings: Vec<String> = facts
                .iter()
                .map(|f| lowercase_first(&self.fact_label(f)))
                .collect();
            return format!("{lead} {}.", crate::suggest::english_list(&meanings, word));
        }
        // `a and not b`: "only if a, unless b".
        if !negated && let Some((kept, unless)) = self.split_unless(cond) {
            let unless = crate::suggest::english_list(&unless, "or");
            return if kept.is_empty() {
                format!("Unless {unless}.")
            } else {
                format!("Only if {}, unless {unless}.", kept.join(" and "))
            };
        }
        format!("{lead} {}.", self.condition_words(cond))
    }

    /// For a condition whose tests are all joined by `and`, some of them
    /// negated facts: the other tests, and the negated facts' meanings.
    fn split_unless(&self, cond: &Cond) -> Option<(Vec<String>, Vec<String>)> {
        if cond.connectives.contains(&Connective::Or) {
            return None;
        }
        let mut kept = Vec::new();
        let mut unless = Vec::new();
        for term in &cond.terms {
            match term {
                CondTerm::Test(CondTest {
                    negated: true,
                    test: Test::Fact { name },
                    ..
                }) => unless.push(lowercase_first(&self.fact_label(&name.text))),
                other => kept.push(self.term_words(other)),
            }
        }
        (!unless.is_empty()).then_some((kept, unless))
    }

    /// A condition in words, facts and places by their labels.
    fn condition_words(&self, cond: &Cond) -> String {
        let mut out = String::new();
        for (i, term) in cond.terms.iter().enumerate() {
            if let Some(c) = i.checked_sub(1).and_then(|j| cond.connectives.get(j)) {
                out.push_str(joiner(*c));
            }
            out.push_str(&self.term_words(term));
        }
        out
    }

    fn term_words(&self, term: &CondTerm) -> String {
        match term {
            CondTerm::Test(test) => self.test_sentence(test),
            CondTerm::Group {
                tests, connectives, ..
            } => {
                let mut out = String::from("(");
                for (j, test) in tests.iter().enumerate() {
                    if let Some(c) = j.checked_sub(1).and_then(|k| connectives.get(k)) {
                        out.push_str(joiner(*c));
                    }
                    out.push_str(&self.test_sentence(test));
                }
                out.push(')');
                out
            }
        }
    }

    /// The flowchart's question for a condition: as written, with a
    /// question mark.
    pub(super) fn condition_question(cond: &Cond) -> String {
        format!("{}?", condition::words(cond))
    }

    fn test_sentence(&self, test: &CondTest) -> String {
        let words = match &test.test {
            Test::Fact { name } => {
                let label = lowercase_first(&self.fact_label(&name.text));
                if test.negated {
                    // "not a child is at risk" does not read; the quotes
                    // keep the statement whole.
                    return format!("not “{label}”");
                }
                return label;
            }
            Test::In { places } => {
                let labels: Vec<String> = places
                    .iter()
                    .map(|p| lowercase_first(&self.place_label(&p.text)))
                    .collect();
                format!("in {}", crate::suggest::english_list(&labels, "or"))
            }
            _ => condition::test_words(&CondTest {
                negated: false,
                ..test.clone()
            }),
        };
        if test.negated {
            format!("not {words}")
        } else {
            words
        }
    }

    fn fact_label(&self, id: &str) -> String {
        self.policy
            .facts()
            .iter()
            .find(|f| &*f.id == id)
            .map_or_else(|| id.to_owned(), |f| f.label.to_string())
    }

    fn place_label(&self, id: &str) -> String {
        self.policy
            .places()
            .iter()
            .find(|p| &*p.id == id)
            .map_or_else(|| id.to_owned(), |p| p.label.to_string())
    }
}

/// The facts of a condition that is only facts, none negated, joined by one
/// word; `None` for any other condition.
fn plain_facts(cond: &Cond) -> Option<(Vec<&str>, &'static str)> {
    let first = cond.connectives.first().copied();
    let word = match first {
        Some(Connective::Or) => "or",
        _ => "and",
    };
    if cond.connectives.iter().any(|c| Some(*c) != first) {
        return None;
    }
    let mut facts = Vec::new();
    for term in &cond.terms {
        match term {
            CondTerm::Test(CondTest {
                negated: false,
                test: Test::Fact { name },
                ..
            }) => facts.push(&*name.text),
            _ => return None,
        }
    }
    Some((facts, word))
}

fn joiner(c: Connective) -> &'static str {
    match c {
        Connective::And => " and ",
        Connective::Or => " or ",
    }
}
