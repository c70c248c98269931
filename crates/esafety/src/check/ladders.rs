//! Escalation ladders: an incident's own (`count` and tier lines under the
//! incident) and a table's (`ladder` with its lines). Each is checked and
//! compiled into an [`LadderInfo`].

use std::sync::Arc;

use super::Checker;
use super::incidents::IncidentTableDraft;
use crate::ast::{Count, CountWindow, Ladder, LadderItem, Tier};
use crate::diagnostic::Code;
use crate::escalation::{LadderInfo, LadderRef, TierInfo, TierRef};
use crate::span::Span;

/// The `count` and tier lines of one ladder, as written.
#[derive(Default)]
pub(super) struct LadderLines<'a> {
    pub(super) counts: Vec<&'a Count>,
    pub(super) tiers: Vec<&'a Tier>,
}

impl LadderLines<'_> {
    /// Where the ladder is, for diagnostics: its `count` line, or its first
    /// tier; `None` when there is no ladder.
    pub(super) fn anchor(&self) -> Option<Span> {
        self.counts
            .first()
            .map(|c| c.span)
            .or_else(|| self.tiers.first().map(|t| t.span))
    }
}

impl Checker<'_, '_> {
    /// A `ladder` of a whole table: compiled and recorded on the table.
    pub(super) fn table_ladder(&mut self, table: &mut IncidentTableDraft, ladder: &Ladder) {
        self.require_label(&ladder.label, "ladder");
        if let Some(first) = table
            .ladder_ids
            .iter()
            .find(|(id, _)| **id == *ladder.id.text)
            .map(|(_, span)| *span)
        {
            self.r
                .report(
                    Code::DuplicateDefinition,
                    ladder.id.span,
                    format!("ladder `{}` is defined twice in this table", ladder.id.text),
                )
                .label("defined again here")
                .secondary(first, "first defined here")
                .help("Give each ladder of a table its own id.");
            return;
        }
        table
            .ladder_ids
            .push((ladder.id.text.clone(), ladder.id.span));
        let mut lines = LadderLines::default();
        for item in &ladder.items {
            match item {
                LadderItem::Count(c) => lines.counts.push(c),
                LadderItem::Tier(t) => lines.tiers.push(t),
            }
        }
        if lines.anchor().is_none() {
            self.r
                .report(Code::BadLadder, ladder.span, format!("ladder `{}` has no `count` line and no tiers", ladder.id.text))
                .label("nothing follows")
                .help("Under the `ladder` line, say what it counts (`count incidents of this table within 30 days`) and what follows each time (`3rd time or more: pastoral-lead`).");
            return;
        }
        if let Some(index) = self.ladder(table, &ladder.id.text, &ladder.label.text, &lines, false)
        {
            table.ladders.push(index);
            table.ladder_spans.push(ladder.span);
        }
    }

    /// Checks and compiles one ladder; `None` (after reporting) when it
    /// cannot be used.
    pub(super) fn ladder(
        &mut self,
        table: &IncidentTableDraft,
        id: &Arc<str>,
        label: &Arc<str>,
        lines: &LadderLines<'_>,
        own: bool,
    ) -> Option<u32> {
        let mut usable = true;
        let count = match lines.counts.as_slice() {
            [] => {
                if let Some(first) = lines.tiers.first() {
                    self.r
                        .report(Code::BadLadder, first.span, "these tiers have no `count` line, so nothing says which earlier incidents count")
                        .label("first tier")
                        .help("Add a `count` line above the tiers, such as `count this incident per term`, `count incidents of this table within 30 days` or `count any incident ever`.");
                }
                return None;
            }
            [one] => *one,
            [first, second, ..] => {
                self.r
                    .report(Code::BadLadder, second.span, "a ladder counts one way; this is its second `count` line")
                    .label("second `count`")
                    .secondary(first.span, "first `count`")
                    .help("Keep one `count` line. For two different counts, write a `ladder` of the table for the second.");
                *first
            }
        };
        match count.window {
            CountWindow::Days { days: 0 } => {
                usable = false;
                self.r
                    .report(
                        Code::NumberOutOfRange,
                        count.span,
                        "a ladder cannot count within 0 days",
                    )
                    .label("0 days")
                    .help("Count within at least 1 day, such as `within 30 days`, or `ever`.");
            }
            CountWindow::Term | CountWindow::HalfTerm if !self.timetable.has_terms() => {
                usable = false;
                self.r
                    .report(Code::NeedsTerms, count.span, format!("this ladder counts {}, but the timetable gives no term dates", count.window.words()))
                    .label("needs the terms")
                    .help("Add the school's terms under `timetable`, such as `term \"Autumn term\" 3 September 2026 to 18 December 2026`, with the half-term holidays as `holiday` lines; or count `per school year` or `within N days`.");
            }
            _ => {}
        }
        if lines.tiers.is_empty() {
            self.r
                .report(Code::BadLadder, count.span, "this `count` line has no tiers under it")
                .label("nothing follows")
                .help("Say what follows each time, such as `1st time: warning` and `2nd time or more: detention`.");
            return None;
        }

        let mut tiers: Vec<TierInfo> = Vec::new();
        let mut previous: Option<&Tier> = None;
        for tier in &lines.tiers {
            if tier.number == 0 {
                usable = false;
                self.r
                    .report(Code::NumberOutOfRange, tier.span, "there is no 0th time")
                    .label("0th")
                    .help("Number tiers from `1st time`.");
                continue;
            }
            if let Some(before) = previous {
                let problem = if before.or_more {
                    Some(format!(
                        "`{}` already covers this and every later time",
                        before.times()
                    ))
                } else if tier.number == before.number {
                    Some(format!("`{}` is given twice", tier.times()))
                } else if tier.number < before.number {
                    Some(format!(
                        "`{}` comes after `{}`: tiers go in order",
                        tier.times(),
                        before.times()
                    ))
                } else {
                    None
                };
                if let Some(problem) = problem {
                    usable = false;
                    self.r
                        .report(Code::BadLadder, tier.span, problem)
                        .label("overlaps or out of order")
                        .secondary(before.span, "the tier before")
                        .help("List tiers from the 1st time up, each time once; only the last may say `or more`.");
                    continue;
                }
            }
            previous = Some(tier);
            let mut responses = Vec::new();
            for name in &tier.responses {
                match table.responses.get_full(&*name.text) {
                    Some((column, _, (info, class))) => {
                        let mut info = info.clone();
                        info.optional = false;
                        responses.push((u32::try_from(column).unwrap_or(u32::MAX), info, *class));
                    }
                    None => {
                        usable = false;
                        let names: Vec<Arc<str>> = table.responses.keys().cloned().collect();
                        Self::unknown(
                            self.r,
                            "response",
                            name,
                            names.iter().map(|n| &**n),
                            "A tier lists response columns of this table, defined with `response <id> \"<heading>\" …` above the incidents.",
                        );
                    }
                }
            }
            let route = tier.route.as_ref().and_then(|r| {
                let found = self.follow(r);
                if found.is_none() {
                    usable = false;
                }
                found
            });
            tiers.push(TierInfo {
                reference: Arc::new(TierRef {
                    number: tier.number,
                    or_more: tier.or_more,
                    instead: tier.instead,
                    times: Arc::from(tier.times()),
                    line: tier.span.line,
                }),
                responses,
                route,
            });
        }
        if !usable {
            return None;
        }
        let index = u32::try_from(self.incidents.ladders.len()).ok()?;
        self.incidents.ladders.push(LadderInfo {
            reference: Arc::new(LadderRef {
                id: id.clone(),
                label: label.clone(),
                line: count.span.line,
            }),
            table: table.id.clone(),
            incident: own.then(|| id.clone()),
            counted: count.what,
            window: count.window,
            tiers: tiers.into_boxed_slice(),
        });
        Some(index)
    }
}
