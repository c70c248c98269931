//! Climbing escalation ladders: counting the person's earlier incidents
//! (from the question's history, or its `prior` number) over each ladder's
//! window, choosing the tier, and merging the tier's responses into the
//! decision's.

use std::sync::Arc;

use jiff::civil::DateTime;

use super::roles::RolesAsked;
use crate::ast::Counted;
use crate::escalation::{self, LadderInfo, LadderOutcome, ResponseClass, TierInfo, nth};
use crate::model::{IncidentId, Policy, ResponseInfo, Responses, RouteId};
use crate::query::{Query, QueryError, format_at};
use crate::suggest::normalize_label;

/// The most earlier incidents an explanation lists by date, per ladder.
const DATES_SHOWN: usize = 5;

/// What climbing an incident's ladders gives the decision.
pub(super) struct Climbed {
    pub(super) responses: Arc<Responses>,
    pub(super) escalation: Vec<LadderOutcome>,
    /// A tier's route, which replaces the incident's.
    pub(super) route: Option<RouteId>,
}

impl Policy {
    /// Checks a question's history before anything is decided: it and
    /// `prior` are not both given, it comes with the question's time, and
    /// every entry names an incident listed for one of the roles asked
    /// about. Nothing is skipped.
    pub(super) fn check_history(
        &self,
        query: &Query,
        roles: &RolesAsked,
    ) -> Result<(), QueryError> {
        if query.history.is_empty() {
            return Ok(());
        }
        if query.prior > 0 {
            return Err(QueryError::Incomplete(
                "give either the number of earlier incidents (prior) or their history, not both"
                    .to_owned(),
            ));
        }
        if query.at.is_none() {
            return Err(QueryError::Incomplete(
                "a history needs the time of this incident (at), to know which earlier incidents fall in each window".to_owned(),
            ));
        }
        for (entry, earlier) in query.history.iter().enumerate() {
            let wrap = |error| QueryError::InHistory {
                entry,
                error: Box::new(error),
            };
            if roles.is_empty() {
                if self.history_candidates(&earlier.incident).is_empty() {
                    return Err(wrap(self.unknown_incident(&earlier.incident)));
                }
                continue;
            }
            let mut first_error = None;
            let mut found = false;
            for &role in roles.iter() {
                match self.find_incident(role, &earlier.incident) {
                    Ok(_) => {
                        found = true;
                        break;
                    }
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            if !found && let Some(error) = first_error {
                return Err(wrap(error));
            }
        }
        Ok(())
    }

    /// After deciding: a ladder of the decision's incident that counts per
    /// term needs the question's time to be in a term. Checked here, once
    /// the incident is known, so that a question about something else is
    /// never refused for it.
    pub(super) fn check_windows(
        &self,
        incident: Option<IncidentId>,
        query: &Query,
    ) -> Result<(), QueryError> {
        let (Some(incident), Some(at)) = (incident, query.at) else {
            return Ok(());
        };
        if query.history.is_empty() {
            return Ok(());
        }
        for ladder in self.ladders_of(incident) {
            escalation::window(&self.data.timetable, ladder.window, at)?;
        }
        Ok(())
    }

    /// The incident the decision names, by table and id.
    pub(super) fn incident_of(&self, decision: &crate::Decision) -> Option<IncidentId> {
        let reference = decision.incident.as_ref()?;
        self.data
            .incident_index
            .get(&*reference.id)?
            .iter()
            .copied()
            .find(|c| {
                self.data
                    .incidents
                    .get(*c as usize)
                    .is_some_and(|i| i.summary.table == reference.table)
            })
    }

    fn ladders_of(&self, incident: IncidentId) -> impl Iterator<Item = &LadderInfo> {
        self.data
            .incidents
            .get(incident as usize)
            .map_or(&[][..], |i| &i.ladders[..])
            .iter()
            .filter_map(|l| self.data.ladders.get(*l as usize))
    }

    /// The incidents an entry of a history may mean: by id, else by label.
    fn history_candidates(&self, name: &str) -> &[IncidentId] {
        match self.data.incident_index.get(name) {
            Some(c) => c,
            None => self
                .data
                .incident_labels
                .get(&normalize_label(name))
                .map_or(&[], Vec::as_slice),
        }
    }

    /// How many earlier incidents a `repeat offences` line sees: the number
    /// given, or the history's incidents of the same table up to the
    /// question's time.
    pub(super) fn prior_for_repeat(&self, incident: IncidentId, query: &Query) -> u32 {
        let (Some(at), false) = (query.at, query.history.is_empty()) else {
            return query.prior;
        };
        let table = self
            .data
            .incidents
            .get(incident as usize)
            .map(|i| i.table_index);
        let count = query
            .history
            .iter()
            .filter(|e| e.at <= at)
            .filter(|e| {
                self.history_candidates(&e.incident)
                    .iter()
                    .any(|c| self.data.incidents.get(*c as usize).map(|i| i.table_index) == table)
            })
            .count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// Climbs the incident's ladders. `base` are the responses without
    /// them, `route` the incident's own route.
    pub(super) fn climb(
        &self,
        incident: IncidentId,
        base: &Arc<Responses>,
        route: Option<RouteId>,
        query: &Query,
        why: &mut Vec<String>,
    ) -> Climbed {
        let ladders: Vec<&LadderInfo> = self.ladders_of(incident).collect();
        if ladders.is_empty() {
            return Climbed {
                responses: base.clone(),
                escalation: Vec::new(),
                route,
            };
        }
        let table = self
            .data
            .incidents
            .get(incident as usize)
            .map(|i| i.table_index);
        let at = query.at.filter(|_| !query.history.is_empty());
        let windows: Vec<Option<escalation::Window>> = ladders
            .iter()
            .map(|l| at.and_then(|at| escalation::window(&self.data.timetable, l.window, at).ok()))
            .collect();
        let mut counts = vec![0u32; ladders.len()];
        let mut dates: Vec<Vec<DateTime>> = vec![Vec::new(); ladders.len()];
        let mut later = 0u32;
        match at {
            Some(at) => {
                for earlier in &query.history {
                    if earlier.at > at {
                        later = later.saturating_add(1);
                        continue;
                    }
                    let candidates = self.history_candidates(&earlier.incident);
                    for (k, ladder) in ladders.iter().enumerate() {
                        let counts_here = match ladder.counted {
                            Counted::ThisIncident => candidates.contains(&incident),
                            Counted::ThisTable => candidates.iter().any(|c| {
                                self.data.incidents.get(*c as usize).map(|i| i.table_index) == table
                            }),
                            Counted::AnyIncident => true,
                        };
                        let in_window = windows
                            .get(k)
                            .and_then(Option::as_ref)
                            .is_some_and(|w| w.contains(earlier.at));
                        if counts_here && in_window {
                            if let Some(n) = counts.get_mut(k) {
                                *n = n.saturating_add(1);
                            }
                            if query.explain
                                && let Some(d) = dates.get_mut(k)
                            {
                                d.push(earlier.at);
                            }
                        }
                    }
                }
            }
            None => counts.fill(query.prior),
        }

        let mut outcomes = Vec::with_capacity(ladders.len());
        let mut applied: Vec<&TierInfo> = Vec::new();
        for (k, ladder) in ladders.iter().enumerate() {
            let counted = counts.get(k).copied().unwrap_or(0);
            let time = counted.saturating_add(1);
            let tier = ladder.tier(time);
            let window = windows.get(k).cloned().flatten();
            if query.explain {
                let mut dates = dates.get(k).cloned().unwrap_or_default();
                dates.sort_unstable();
                why.push(self.explain_count(ladder, window.as_ref(), counted, &dates, query));
                why.push(explain_tier(ladder, tier, time));
            }
            if let Some(tier) = tier {
                applied.push(tier);
            }
            outcomes.push(LadderOutcome {
                ladder: ladder.reference.clone(),
                counts: ladder.counted,
                window: window.map(|w| w.shown),
                counted,
                time,
                tier: tier.map(|t| t.reference.clone()),
                later,
            });
        }
        if query.explain && later > 0 {
            why.push(format!(
                "{later} incident{} of the history {} dated after this one ({}) and {} not counted.",
                if later == 1 { "" } else { "s" },
                if later == 1 { "is" } else { "are" },
                at.map(format_at).unwrap_or_default().replace('T', " "),
                if later == 1 { "is" } else { "are" },
            ));
        }
        let route = applied.iter().find_map(|t| t.route).or(route);
        let responses = if applied.is_empty() {
            base.clone()
        } else {
            Arc::new(self.merge(base, &applied, table))
        };
        Climbed {
            responses,
            escalation: outcomes,
            route,
        }
    }

    /// The incident's responses with the tiers': a tier that says `instead`
    /// drops the incident's own; a response in both is required.
    fn merge(&self, base: &Responses, tiers: &[&TierInfo], table: Option<u32>) -> Responses {
        let instead = tiers.iter().any(|t| t.reference.instead);
        let mut merged = if instead {
            Responses::default()
        } else {
            base.clone()
        };
        for tier in tiers {
            for (_, info, class) in &tier.responses {
                let list = match class {
                    ResponseClass::Referral => &mut merged.referrals,
                    ResponseClass::Notification => &mut merged.notifications,
                    ResponseClass::Sanction => &mut merged.sanctions,
                };
                match list.iter_mut().find(|r| r.id == info.id) {
                    Some(existing) => existing.optional = false,
                    None => list.push(info.clone()),
                }
            }
        }
        let columns = table
            .and_then(|t| self.data.incident_tables.get(t as usize))
            .map_or(&[][..], |t| &t.columns[..]);
        let position = |r: &ResponseInfo| columns.iter().position(|c| *c == r.id);
        merged.referrals.sort_by_key(position);
        merged.notifications.sort_by_key(position);
        merged.sanctions.sort_by_key(position);
        merged
    }

    fn explain_count(
        &self,
        ladder: &LadderInfo,
        window: Option<&escalation::Window>,
        counted: u32,
        dates: &[DateTime],
        query: &Query,
    ) -> String {
        let head = format!(
            "The ladder `{}` (line {}) counts {} {}",
            ladder.reference.id,
            ladder.reference.line,
            ladder.counted.words(),
            ladder.window.words()
        );
        let time = nth(counted.saturating_add(1));
        if query.history.is_empty() {
            if query.prior > 0 {
                return format!(
                    "{head}: the question gives {} earlier incident{}, so this is {time}.",
                    query.prior,
                    if query.prior == 1 { "" } else { "s" }
                );
            }
            return format!("{head}: the question gives no earlier incidents, so this is {time}.");
        }
        let place = window.map_or_else(String::new, |w| match (&w.shown.from, &w.shown.to) {
            (Some(from), Some(to)) if w.from.is_some() => {
                format!(" In {} ({from} to {to}),", w.shown.label)
            }
            _ => format!(" In {},", w.shown.label),
        });
        let listed = if dates.is_empty() {
            String::new()
        } else {
            let mut shown: Vec<String> = dates
                .iter()
                .take(DATES_SHOWN)
                .map(|d| format_at(*d).replace('T', " "))
                .collect();
            if dates.len() > DATES_SHOWN {
                shown.push(format!("and {} more", dates.len() - DATES_SHOWN));
            }
            format!(" ({})", shown.join(", "))
        };
        format!(
            "{head}.{place} {counted} earlier incident{} of the history count{}{listed}, so this is {time}.",
            if counted == 1 { "" } else { "s" },
            if counted == 1 { "s" } else { "" }
        )
    }
}

fn explain_tier(ladder: &LadderInfo, tier: Option<&TierInfo>, time: u32) -> String {
    let Some(tier) = tier else {
        return format!(
            "No tier of `{}` is for {}, so it adds nothing.",
            ladder.reference.id,
            nth(time)
        );
    };
    let labels: Vec<&str> = tier.responses.iter().map(|(_, r, _)| &*r.label).collect();
    let verb = if tier.reference.instead {
        "replaces the incident's own responses with"
    } else {
        "adds"
    };
    let mut text = format!(
        "Tier `{}` (line {}) applies: it {verb} {}",
        tier.reference.times,
        tier.reference.line,
        if labels.is_empty() {
            "nothing".to_owned()
        } else {
            labels.join("; ")
        }
    );
    if tier.route.is_some() {
        text.push_str(", and its route replaces the incident's");
    }
    text.push('.');
    text
}
