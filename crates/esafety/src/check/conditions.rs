//! Checking and compiling a condition (`allowed only …`, `if …`): every name
//! resolved (periods, places, facts, whose permission), `and` and `or` never
//! mixed at one level, and a warning for a condition that can never hold.

use std::sync::Arc;

use super::Checker;
use crate::ast::{Cond, CondTerm, CondTest, Connective, Test};
use crate::condition::{Expr, PlaceMask};
use crate::diagnostic::Code;

impl Checker<'_, '_> {
    /// Compiles a condition, reporting what is wrong with it; `None` when
    /// something is (the policy then has an error and is not compiled).
    pub(super) fn condition(&mut self, cond: &Cond) -> Option<Expr> {
        let mut ok = self.one_connective(&cond.connectives, cond.span, true);
        let mut parts = Vec::new();
        for term in &cond.terms {
            match term {
                CondTerm::Test(test) => match self.test(test) {
                    Some(e) => parts.push(e),
                    None => ok = false,
                },
                CondTerm::Group {
                    tests,
                    connectives,
                    span,
                } => {
                    ok &= self.one_connective(connectives, *span, false);
                    let mut inner = Vec::new();
                    for test in tests {
                        match self.test(test) {
                            Some(e) => inner.push(e),
                            None => ok = false,
                        }
                    }
                    parts.push(join(inner, connectives));
                }
            }
        }
        let expr = join(parts, &cond.connectives);
        if !ok {
            return None;
        }
        let timetable = &self.timetable;
        let moments = self.moments.get_or_insert_with(|| timetable.moments());
        if expr.satisfiable(moments) == Some(false) {
            self.r
                .report(Code::NeverHolds, cond.span, "this condition can never hold")
                .label("true at no time, in no place, whatever the facts")
                .help("Check the words `and`, `or` and `not`, and the timetable's periods: as written, the rule can never apply. Two periods that never overlap are never on together (`during break and during lunch`), and a person is in one place at a time (`in library and in canteen`); to mean either, write `or`.");
        }
        Some(expr)
    }

    /// Reports `and` and `or` both at one level of a condition.
    fn one_connective(
        &mut self,
        connectives: &[Connective],
        span: crate::span::Span,
        top: bool,
    ) -> bool {
        let ands = connectives.contains(&Connective::And);
        let ors = connectives.contains(&Connective::Or);
        if ands && ors {
            let help = if top {
                "Use only `and` or only `or` at one level; to combine them, put one part in parentheses, e.g. `(during break or in library) and with permission`."
            } else {
                "Inside parentheses, use only `and` or only `or`; a condition has one level of parentheses."
            };
            self.r
                .report(
                    Code::MixedConnectives,
                    span,
                    "this condition mixes `and` with `or`, so its meaning is unclear",
                )
                .label("both `and` and `or`")
                .help(help);
            return false;
        }
        true
    }

    fn test(&mut self, test: &CondTest) -> Option<Expr> {
        let expr = match &test.test {
            Test::During { periods } | Test::Outside { periods } => {
                let outside = matches!(test.test, Test::Outside { .. });
                let names = self.window_names(periods);
                if names.len() != periods.len() {
                    return None;
                }
                let words = crate::condition::test_words(&CondTest {
                    negated: false,
                    test: test.test.clone(),
                    span: test.span,
                });
                let refs: Vec<&str> = names.iter().map(|n| &**n).collect();
                Expr::Time(Arc::new(self.timetable.window(outside, &refs, words)))
            }
            Test::In { places } => {
                let mut mask: PlaceMask = 0;
                let mut ok = true;
                for p in places {
                    match self.place_defs.get(&p.text) {
                        Some(&bit) => mask |= 1u64.checked_shl(u32::from(bit)).unwrap_or(0),
                        None => {
                            ok = false;
                            let names: Vec<String> =
                                self.place_defs.names().map(str::to_owned).collect();
                            Self::unknown(
                                self.r,
                                "place",
                                p,
                                names.iter().map(String::as_str),
                                "Places are declared under a `places` heading, e.g. `place library \"The library\"`.",
                            );
                        }
                    }
                }
                if !ok {
                    return None;
                }
                let words: Vec<&str> = places.iter().map(|p| &*p.text).collect();
                Expr::Place(mask, Arc::from(words.join(", ")))
            }
            Test::Permission { from, .. } => {
                if let Some(from) = from {
                    self.target(from)?;
                }
                Expr::Fact(Arc::from("permission"))
            }
            Test::Nominated { .. } => Expr::Fact(Arc::from("nominated")),
            Test::Fact { name } => {
                if self.fact_defs.get(&name.text).is_some() {
                    Expr::Fact(name.text.clone())
                } else {
                    self.unknown_fact(name);
                    return None;
                }
            }
        };
        Some(if test.negated {
            Expr::Not(Box::new(expr))
        } else {
            expr
        })
    }

    /// Reports a name a condition tests as a fact but nothing declares; a
    /// period or a place by that name is most likely what was meant.
    fn unknown_fact(&mut self, name: &crate::ast::Name) {
        let hint = if self.timetable.bit(&name.text).is_some() {
            format!(
                "`{0}` is a period of the timetable: a time is tested with `during {0}` (several periods are listed with commas, `during break, {0}`).",
                name.text
            )
        } else if self.place_defs.get(&name.text).is_some() {
            format!(
                "`{0}` is a place: a place is tested with `in {0}` (several places are listed with commas, `in library, {0}`).",
                name.text
            )
        } else {
            String::new()
        };
        if hint.is_empty() {
            let names: Vec<String> = self.fact_defs.names().map(str::to_owned).collect();
            Self::unknown(
                self.r,
                "fact",
                name,
                names.iter().map(String::as_str),
                "A name alone in a condition is a fact: the built-in `nominated`, `permission` and `immediate-risk`, or one declared under `facts`. Times are tested with `during` or `outside`, places with `in`.",
            );
        } else {
            self.r
                .report(
                    Code::UnknownName,
                    name.span,
                    format!("unknown fact `{}`", name.text),
                )
                .label("a name alone is a fact")
                .help(hint);
        }
    }
}

/// Parts joined by one connective (the checker has reported mixed ones).
fn join(mut parts: Vec<Expr>, connectives: &[Connective]) -> Expr {
    if parts.len() == 1
        && let Some(only) = parts.pop()
    {
        return only;
    }
    if connectives.contains(&Connective::Or) {
        Expr::Any(parts)
    } else {
        Expr::All(parts)
    }
}
