//! The questions a diff asks: moments that cover every stretch of time in
//! which both timetables stay the same, and the facts and places an answer
//! depends on.

use std::collections::BTreeSet;
use std::sync::Arc;

use jiff::civil::{Date, DateTime, Time};

use super::{Example, FactValue, Outcome, ResponseKind};
use crate::decision::{ConditionKind, Decision};
use crate::model::{Policy, ResponseInfo};
use crate::query::Query;

/// Above this many settings of facts and places, a (row, role) is asked
/// with each fact and place on its own rather than every combination (four
/// facts and three places are 405).
const MAX_COMBINATIONS: usize = 1024;

/// One moment for each stretch of time in which neither policy's
/// timetable or calendar changes what is on.
pub(super) struct Moments {
    pub(super) all: Vec<DateTime>,
}

impl Moments {
    pub(super) fn new(old: &Policy, new: &Policy) -> Self {
        let (a, b) = (&old.data.timetable, &new.data.timetable);
        // Dates where either calendar changes, and a week from each; plus a
        // week of no term at all when neither has terms.
        let mut boundaries: BTreeSet<Date> = a
            .calendar_boundaries()
            .chain(b.calendar_boundaries())
            .collect();
        let anchor = jiff::civil::date(2025, 9, 1);
        if boundaries.is_empty() {
            boundaries.insert(anchor);
        }
        let first = boundaries.first().copied().unwrap_or(anchor);
        let mut candidates: Vec<Date> = Vec::new();
        // The week before the first boundary, and a week from each.
        if let Some(before) = crate::calendar::add_days(first, -7) {
            candidates.extend(week(before));
        }
        for &date in &boundaries {
            candidates.extend(week(date));
        }
        // One date of each kind: its weekday, and whether each policy has
        // a holiday then.
        let mut seen: BTreeSet<(i8, bool, bool)> = BTreeSet::new();
        let mut days: Vec<Date> = Vec::new();
        for date in candidates {
            let kind = (
                date.weekday().to_monday_zero_offset(),
                a.on_holiday(date),
                b.on_holiday(date),
            );
            if seen.insert(kind) {
                days.push(date);
            }
        }
        days.sort();
        let mut all = Vec::new();
        for date in days {
            let day = usize::from(date.weekday().to_monday_zero_offset().unsigned_abs());
            let starts: BTreeSet<u16> = std::iter::once(0)
                .chain(a.segment_starts(day))
                .chain(b.segment_starts(day))
                .collect();
            for minute in starts {
                let (hour, minute) = (minute / 60, minute % 60);
                if let (Ok(hour), Ok(minute)) = (i8::try_from(hour), i8::try_from(minute))
                    && let Ok(time) = Time::new(hour, minute, 0, 0)
                {
                    all.push(date.to_datetime(time));
                }
            }
        }
        Moments { all }
    }
}

/// Seven consecutive dates from `from`.
fn week(from: Date) -> impl Iterator<Item = Date> {
    (0..7).filter_map(move |n| crate::calendar::add_days(from, n))
}

/// What an answer depends on, read from the question asked without a time,
/// facts or place: the facts and places its condition names.
#[derive(Debug, Default)]
pub(super) struct Depends {
    pub(super) time: bool,
    pub(super) facts: Vec<Arc<str>>,
    pub(super) places: Vec<Arc<str>>,
}

impl Depends {
    pub(super) fn add(&mut self, decision: &Decision) {
        let Some(condition) = &decision.condition else {
            return;
        };
        self.time |= condition.time || condition.kind == ConditionKind::Time;
        let built_in = match condition.kind {
            ConditionKind::Permission => Some("permission"),
            ConditionKind::Nominated => Some("nominated"),
            _ => None,
        };
        for fact in built_in
            .map(Arc::from)
            .into_iter()
            .chain(condition.facts.iter().cloned())
        {
            if !self.facts.contains(&fact) {
                self.facts.push(fact);
            }
        }
        for place in condition.places.iter() {
            if !self.places.contains(place) {
                self.places.push(place.clone());
            }
        }
    }

    /// Whether anything besides the role and row settles the answer.
    pub(super) fn is_constant(&self) -> bool {
        !self.time && self.facts.is_empty() && self.places.is_empty()
    }

    /// The settings of facts and places to ask with: each fact given as
    /// true, as false, or not at all, and the place not given or any place
    /// either policy declares (a place the condition does not name is where
    /// it fails), every combination; above [`MAX_COMBINATIONS`], each on its
    /// own.
    pub(super) fn settings(
        &self,
        declared_places: &[Arc<str>],
    ) -> Vec<(Vec<FactValue>, Option<Arc<str>>)> {
        let places: Vec<Option<Arc<str>>> = if self.places.is_empty() {
            vec![None]
        } else {
            std::iter::once(None)
                .chain(declared_places.iter().cloned().map(Some))
                .collect()
        };
        let combinations = u32::try_from(self.facts.len())
            .ok()
            .and_then(|k| 3usize.checked_pow(k))
            .and_then(|n| n.checked_mul(places.len()));
        let mut out = Vec::new();
        match combinations {
            Some(n) if n <= MAX_COMBINATIONS => {
                let assignments = n / places.len();
                for mut code in 0..assignments {
                    let mut facts = Vec::new();
                    for name in &self.facts {
                        match code % 3 {
                            1 => facts.push(FactValue {
                                name: name.clone(),
                                value: true,
                            }),
                            2 => facts.push(FactValue {
                                name: name.clone(),
                                value: false,
                            }),
                            _ => {}
                        }
                        code /= 3;
                    }
                    for place in &places {
                        out.push((facts.clone(), place.clone()));
                    }
                }
            }
            _ => {
                out.push((Vec::new(), None));
                for name in &self.facts {
                    for value in [false, true] {
                        out.push((
                            vec![FactValue {
                                name: name.clone(),
                                value,
                            }],
                            None,
                        ));
                    }
                }
                for place in places.into_iter().flatten() {
                    out.push((Vec::new(), Some(place)));
                }
            }
        }
        out
    }
}

/// Every place either policy declares, once each.
pub(super) fn declared_places(old: &Policy, new: &Policy) -> Vec<Arc<str>> {
    let mut places: Vec<Arc<str>> = Vec::new();
    for place in old.places().iter().chain(new.places()) {
        if !places.contains(&place.id) {
            places.push(place.id.clone());
        }
    }
    places
}

/// A question for one side: `base` with the facts and place the policy
/// declares (a fact or place it does not know is left out, as it could not
/// change that policy's answer).
pub(super) fn with_settings(
    policy: &Policy,
    base: Query,
    at: Option<DateTime>,
    facts: &[FactValue],
    place: Option<&Arc<str>>,
) -> Query {
    let mut query = base.explain(false);
    if let Some(at) = at {
        query = query.at(at);
    }
    for fact in facts {
        if policy.data.facts.iter().any(|f| f.id == fact.name) {
            query = query.fact(&*fact.name, fact.value);
        }
    }
    if let Some(place) = place
        && policy.data.places.iter().any(|p| p.id == *place)
    {
        query = query.place(&**place);
    }
    query
}

/// What a decision means, for comparing: with its responses for an
/// incident, without them for a row.
pub(super) fn outcome(decision: &Decision, with_responses: bool) -> Outcome {
    Outcome {
        verdict: decision.verdict,
        default: decision.default,
        incident: decision
            .incident
            .as_ref()
            .map(|i| Arc::from(format!("{}/{}", i.table, i.id))),
        responses: if with_responses {
            responses(decision)
        } else {
            Vec::new()
        },
        route: decision.route.as_ref().map(|r| Arc::from(r.id())),
    }
}

/// A decision's responses with their kinds, referrals first, in the
/// policy's order.
pub(super) fn each_response(
    decision: &Decision,
) -> impl Iterator<Item = (ResponseKind, &ResponseInfo)> {
    fn of(
        kind: ResponseKind,
        list: &[ResponseInfo],
    ) -> impl Iterator<Item = (ResponseKind, &ResponseInfo)> {
        list.iter().map(move |info| (kind, info))
    }
    let r = &decision.responses;
    of(ResponseKind::Referral, &r.referrals)
        .chain(of(ResponseKind::Notification, &r.notifications))
        .chain(of(ResponseKind::Sanction, &r.sanctions))
}

/// A decision's responses as `kind:id`, with the targets and `(as
/// appropriate)`, in order.
pub(super) fn responses(decision: &Decision) -> Vec<String> {
    each_response(decision)
        .map(|(kind, r)| {
            let to: Vec<&str> = r.to.iter().map(|t| &*t.id).collect();
            let mut words = format!("{}:{}", kind.as_str(), r.id);
            if !to.is_empty() {
                words.push_str(&format!(" to {}", to.join(", ")));
            }
            if r.optional {
                words.push_str(" (as appropriate)");
            }
            words
        })
        .collect()
}

/// An example of a question, with both sides' outcomes.
pub(super) fn example(
    role: &Arc<str>,
    at: Option<DateTime>,
    facts: &[FactValue],
    place: Option<&Arc<str>>,
    prior: Option<u32>,
    old: Option<Outcome>,
    new: Option<Outcome>,
) -> Example {
    Example {
        role: role.clone(),
        at,
        place: place.cloned(),
        facts: facts.to_vec(),
        prior,
        old,
        new,
    }
}
