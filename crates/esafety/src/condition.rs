//! Conditions on cells (`allowed only …`, `allowed except …`) and on route
//! steps (`if …`, `unless …`): compiled once, then evaluated against each
//! question with three values: the condition holds, does not hold, or is not
//! known because the question did not give a time, a place or a fact it
//! needs.
//!
//! The logic is Kleene's: `a and b` is false as soon as one side is false,
//! whatever the other; `a or b` is true as soon as one side is true; only
//! otherwise does an unknown side make the whole unknown. So a question is
//! conditional exactly when what it gives does not settle the condition, and
//! it is told what would: the time, which places, which facts.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::ast::{Cond, CondTerm, CondTest, Connective, Test};
use crate::timetable::{PeriodMask, WindowMask};

/// One bit per place a policy declares.
pub(crate) type PlaceMask = u64;

/// The most places a policy may declare: conditions keep one bit per place.
pub const MAX_PLACES: usize = 64;

/// The most facts one condition may test for the checker still to try every
/// combination of their values (2^8 = 256) when it looks for a condition
/// that can never hold.
const MAX_FACTS_TRIED: usize = 8;

/// A compiled condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expr {
    /// Every part holds.
    All(Vec<Expr>),
    /// Some part holds.
    Any(Vec<Expr>),
    /// The part does not hold.
    Not(Box<Expr>),
    /// A time window: `during …` or `outside …`.
    Time(Arc<WindowMask>),
    /// The person is in one of these places.
    Place(PlaceMask, Arc<str>),
    /// A fact holds: `permission`, `nominated`, or one the policy declares.
    Fact(Arc<str>),
}

/// What a question gives that conditions can test.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Situation<'q> {
    /// The names on at the question's moment, if it gives one.
    pub(crate) moment: Option<PeriodMask>,
    /// The place the question gives, as its bit.
    pub(crate) place: Option<PlaceMask>,
    /// The facts the question gives.
    pub(crate) facts: &'q BTreeMap<String, bool>,
}

/// What a question would have to give to settle a condition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Needs {
    /// A time.
    pub(crate) time: bool,
    /// A place: one of these settles it.
    pub(crate) places: PlaceMask,
    /// These facts.
    pub(crate) facts: Vec<Arc<str>>,
}

impl Needs {
    fn join(&mut self, other: Needs) {
        self.time |= other.time;
        self.places |= other.places;
        for f in other.facts {
            if !self.facts.contains(&f) {
                self.facts.push(f);
            }
        }
    }
}

impl Expr {
    /// The condition's value for a situation: `Some` when the situation
    /// settles it, `None` when it does not. Does not allocate: [`Self::eval`]
    /// says what is missing, when that is wanted.
    pub(crate) fn value(&self, s: &Situation<'_>) -> Option<bool> {
        match self {
            Expr::All(parts) | Expr::Any(parts) => {
                let all = matches!(self, Expr::All(_));
                let mut unknown = false;
                for part in parts {
                    match part.value(s) {
                        // One false part settles "all"; one true, "any".
                        Some(v) if v != all => return Some(v),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                if unknown { None } else { Some(all) }
            }
            Expr::Not(part) => part.value(s).map(|v| !v),
            Expr::Time(window) => s.moment.map(|m| window.admits(m)),
            Expr::Place(mask, _) => s.place.map(|p| p & mask != 0),
            Expr::Fact(name) => s.facts.get(&**name).copied(),
        }
    }

    /// The condition's value for a situation: `Some` when the situation
    /// settles it, else `None` with what would settle it.
    pub(crate) fn eval(&self, s: &Situation<'_>) -> (Option<bool>, Needs) {
        match self {
            Expr::All(parts) | Expr::Any(parts) => {
                let all = matches!(self, Expr::All(_));
                let mut needs = Needs::default();
                let mut unknown = false;
                for part in parts {
                    match part.eval(s) {
                        // One false part settles "all"; one true, "any".
                        (Some(v), _) if v != all => return (Some(v), Needs::default()),
                        (Some(_), _) => {}
                        (None, n) => {
                            unknown = true;
                            needs.join(n);
                        }
                    }
                }
                if unknown {
                    (None, needs)
                } else {
                    (Some(all), Needs::default())
                }
            }
            Expr::Not(part) => {
                let (v, needs) = part.eval(s);
                (v.map(|v| !v), needs)
            }
            Expr::Time(window) => match s.moment {
                Some(moment) => (Some(window.admits(moment)), Needs::default()),
                None => (
                    None,
                    Needs {
                        time: true,
                        ..Needs::default()
                    },
                ),
            },
            Expr::Place(mask, _) => match s.place {
                Some(place) => (Some(place & mask != 0), Needs::default()),
                None => (
                    None,
                    Needs {
                        places: *mask,
                        ..Needs::default()
                    },
                ),
            },
            Expr::Fact(name) => match s.facts.get(&**name) {
                Some(&v) => (Some(v), Needs::default()),
                None => (
                    None,
                    Needs {
                        facts: vec![name.clone()],
                        ..Needs::default()
                    },
                ),
            },
        }
    }

    /// Each test of the condition, in order, with its value for the
    /// situation, in words: for an explanation of what decided.
    pub(crate) fn tests(&self, s: &Situation<'_>, out: &mut Vec<(String, Option<bool>)>) {
        match self {
            Expr::All(parts) | Expr::Any(parts) => {
                for part in parts {
                    part.tests(s, out);
                }
            }
            Expr::Not(part) => {
                let start = out.len();
                part.tests(s, out);
                // `not x` as one test, when x is one.
                if out.len() == start + 1
                    && let Some((words, value)) = out.last_mut()
                {
                    *words = format!("not {words}");
                    *value = value.map(|v| !v);
                }
            }
            leaf => out.push((leaf.leaf_words(), leaf.value(s))),
        }
    }

    fn leaf_words(&self) -> String {
        match self {
            Expr::Time(window) => window.text.to_string(),
            Expr::Place(_, words) => format!("in {words}"),
            Expr::Fact(name) => match &**name {
                "permission" => "permission is given".to_owned(),
                "nominated" => "the person is nominated".to_owned(),
                other => format!("`{other}` holds"),
            },
            Expr::All(_) | Expr::Any(_) | Expr::Not(_) => String::new(),
        }
    }

    /// Whether some situation makes the condition hold: some moment of the
    /// timetable (`moments`, each a set of names on together), some place
    /// (one it names, or another), and some values of its facts. `None` when
    /// it tests too many facts to try every combination.
    pub(crate) fn satisfiable(&self, moments: &[PeriodMask]) -> Option<bool> {
        let mut facts: Vec<Arc<str>> = Vec::new();
        self.collect_facts(&mut facts);
        if facts.len() > MAX_FACTS_TRIED {
            return None;
        }
        // Places the condition does not name all behave alike: one stands
        // for them (`0`, in none of the named places).
        let named = self.places_named();
        let place_choices: Vec<Option<PlaceMask>> = std::iter::once(Some(0))
            .chain((0..MAX_PLACES).filter_map(|p| {
                let bit = 1u64.checked_shl(u32::try_from(p).ok()?)?;
                (named & bit != 0).then_some(Some(bit))
            }))
            .collect();
        let mut values = BTreeMap::new();
        for assignment in 0u32..(1u32 << facts.len()) {
            values.clear();
            for (i, f) in facts.iter().enumerate() {
                values.insert(f.to_string(), assignment & (1 << i) != 0);
            }
            for &moment in moments {
                for &place in &place_choices {
                    let s = Situation {
                        moment: Some(moment),
                        place,
                        facts: &values,
                    };
                    if self.value(&s) == Some(true) {
                        return Some(true);
                    }
                }
            }
        }
        Some(false)
    }

    /// Every place the condition names.
    fn places_named(&self) -> PlaceMask {
        match self {
            Expr::All(parts) | Expr::Any(parts) => parts
                .iter()
                .fold(0, |mask, part| mask | part.places_named()),
            Expr::Not(part) => part.places_named(),
            Expr::Place(mask, _) => *mask,
            Expr::Time(_) | Expr::Fact(_) => 0,
        }
    }

    fn collect_facts(&self, out: &mut Vec<Arc<str>>) {
        match self {
            Expr::All(parts) | Expr::Any(parts) => {
                for part in parts {
                    part.collect_facts(out);
                }
            }
            Expr::Not(part) => part.collect_facts(out),
            Expr::Fact(name) => {
                if !out.contains(name) {
                    out.push(name.clone());
                }
            }
            Expr::Time(_) | Expr::Place(..) => {}
        }
    }
}

/// A condition as written, in the canonical way: `esafety fmt` prints it so,
/// and decisions quote it so.
pub(crate) fn words(cond: &Cond) -> String {
    let mut out = String::new();
    for (i, term) in cond.terms.iter().enumerate() {
        if let Some(c) = i.checked_sub(1).and_then(|j| cond.connectives.get(j)) {
            out.push_str(connective_words(*c));
        }
        match term {
            CondTerm::Test(test) => out.push_str(&test_words(test)),
            CondTerm::Group {
                tests, connectives, ..
            } => {
                out.push('(');
                for (j, test) in tests.iter().enumerate() {
                    if let Some(c) = j.checked_sub(1).and_then(|k| connectives.get(k)) {
                        out.push_str(connective_words(*c));
                    }
                    out.push_str(&test_words(test));
                }
                out.push(')');
            }
        }
    }
    out
}

fn connective_words(c: Connective) -> &'static str {
    match c {
        Connective::And => " and ",
        _ => " or ",
    }
}

/// One test as written.
pub(crate) fn test_words(test: &CondTest) -> String {
    let list = |names: &[crate::ast::Name]| {
        names
            .iter()
            .map(|n| n.text.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let body = match &test.test {
        Test::During { periods } => format!("during {}", list(periods)),
        Test::Outside { periods } => format!("outside {}", list(periods)),
        Test::In { places } => format!("in {}", list(places)),
        Test::Permission { staff, from } => {
            let mut w = String::from(if *staff {
                "with staff permission"
            } else {
                "with permission"
            });
            if let Some(from) = from {
                w.push_str(&format!(" from {}", from.text));
            }
            w
        }
        Test::Nominated {
            selected_staff: true,
        } => "for selected staff".to_owned(),
        Test::Nominated { .. } => "for nominated users".to_owned(),
        Test::Fact { name } => name.text.to_string(),
    };
    if test.negated {
        format!("not {body}")
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(mask: PeriodMask) -> Expr {
        Expr::Time(Arc::new(WindowMask {
            outside: false,
            mask,
            text: Arc::from("during break"),
        }))
    }

    fn situation(facts: &BTreeMap<String, bool>) -> Situation<'_> {
        Situation {
            moment: None,
            place: None,
            facts,
        }
    }

    #[test]
    fn a_known_false_part_settles_all_and_a_true_one_settles_any() {
        let facts: BTreeMap<String, bool> = [("illegal".to_owned(), false)].into();
        let s = situation(&facts);
        let illegal = Expr::Fact(Arc::from("illegal"));
        let risk = Expr::Fact(Arc::from("immediate-risk"));
        // illegal (false) and not risk (unknown): false, needing nothing.
        let all = Expr::All(vec![illegal.clone(), Expr::Not(Box::new(risk.clone()))]);
        assert_eq!(all.eval(&s), (Some(false), Needs::default()));
        // not illegal (true) or risk (unknown): true.
        let any = Expr::Any(vec![Expr::Not(Box::new(illegal)), risk.clone()]);
        assert_eq!(any.eval(&s), (Some(true), Needs::default()));
        // A time or a place unknown, and nothing settles it: both needed.
        let either = Expr::Any(vec![window(1), Expr::Place(0b10, Arc::from("library"))]);
        let (value, needs) = either.eval(&s);
        assert_eq!(value, None);
        assert!(needs.time && needs.places == 0b10);
    }

    #[test]
    fn a_known_part_that_does_not_settle_leaves_the_unknown_one() {
        let facts = BTreeMap::new();
        let mut s = situation(&facts);
        s.moment = Some(0b100);
        // during break (false at this moment) or in library (unknown).
        let either = Expr::Any(vec![window(1), Expr::Place(0b10, Arc::from("library"))]);
        let (value, needs) = either.eval(&s);
        assert_eq!(value, None);
        assert!(!needs.time && needs.places == 0b10);
        s.place = Some(0b10);
        assert_eq!(either.eval(&s).0, Some(true));
        s.place = Some(0b01);
        assert_eq!(either.eval(&s).0, Some(false));
    }

    #[test]
    fn a_contradiction_can_never_hold() {
        let during = window(1);
        let never = Expr::All(vec![during.clone(), Expr::Not(Box::new(during.clone()))]);
        assert_eq!(never.satisfiable(&[0, 1, 2]), Some(false));
        assert_eq!(during.satisfiable(&[0, 1, 2]), Some(true));
        // Break is never on in this timetable.
        assert_eq!(during.satisfiable(&[0, 2]), Some(false));
        // A person is in one place at a time.
        let library = Expr::Place(0b01, Arc::from("library"));
        let canteen = Expr::Place(0b10, Arc::from("canteen"));
        let both = Expr::All(vec![library.clone(), canteen.clone()]);
        assert_eq!(both.satisfiable(&[0]), Some(false));
        let either = Expr::Any(vec![library.clone(), canteen]);
        assert_eq!(either.satisfiable(&[0]), Some(true));
        // Not in the library: somewhere else will do.
        assert_eq!(Expr::Not(Box::new(library)).satisfiable(&[0]), Some(true));
        // Facts take either value: `illegal and not illegal` never holds.
        let illegal = Expr::Fact(Arc::from("illegal"));
        let contradiction = Expr::All(vec![illegal.clone(), Expr::Not(Box::new(illegal.clone()))]);
        assert_eq!(contradiction.satisfiable(&[0]), Some(false));
        assert_eq!(illegal.satisfiable(&[0]), Some(true));
    }
}
