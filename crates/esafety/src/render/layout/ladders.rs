//! Ladders as the school's document shows them: a small table of tiers
//! under the incidents table, one row per tier ("1st time", "2nd time",
//! "3rd time or more"), with what follows and the procedure.

use crate::ast::{self, Count, IncidentItem, LadderItem, Tier};

use super::super::{ColumnGroup, Grid, GridCell, GridRow, Link, Note, part_anchor, row_anchor};
use super::Builder;

impl Builder<'_> {
    /// The tables of tiers of an incidents table: each incident's own
    /// ladder, in the incidents' order, then the table's ladders.
    pub(super) fn ladder_grids(&self, t: &ast::Incidents) -> Vec<Grid> {
        let responses: Vec<&ast::Response> = t.responses().collect();
        let mut grids = Vec::new();
        for incident in t.incidents() {
            let lines = incident.items.iter().filter_map(|item| match item {
                IncidentItem::Count(c) => Some(Line::Count(c)),
                IncidentItem::Tier(tier) => Some(Line::Tier(tier)),
                _ => None,
            });
            grids.extend(self.ladder_grid(
                incident_ladder_anchor(&t.id.text, &incident.id.text),
                format!("{}: each time again", incident.label.text),
                lines,
                &responses,
            ));
        }
        for ladder in t.ladders() {
            let lines = ladder.items.iter().map(|item| match item {
                LadderItem::Count(c) => Line::Count(c),
                LadderItem::Tier(tier) => Line::Tier(tier),
            });
            grids.extend(self.ladder_grid(
                table_ladder_anchor(&t.id.text, &ladder.id.text),
                ladder.label.text.to_string(),
                lines,
                &responses,
            ));
        }
        grids
    }

    /// The note on an incident's row that points to its table of tiers.
    pub(super) fn ladder_note(table: &str, incident: &ast::Incident) -> Option<Note> {
        let has_tiers = incident
            .items
            .iter()
            .any(|item| matches!(item, IncidentItem::Tier(_)));
        has_tiers.then(|| Note {
            text: "What follows depends on how many times it has happened: see".to_owned(),
            quote: Some(format!("{}: each time again", incident.label.text)),
            links: vec![Link {
                text: format!("{}: each time again", incident.label.text),
                anchor: part_anchor(&incident_ladder_anchor(table, &incident.id.text)),
            }],
        })
    }

    /// The table of a ladder's tiers; `None` for lines with no tier.
    fn ladder_grid<'l>(
        &self,
        id: String,
        title: String,
        lines: impl Iterator<Item = Line<'l>>,
        responses: &[&ast::Response],
    ) -> Option<Grid> {
        let mut count = None;
        let mut tiers = Vec::new();
        for line in lines {
            match line {
                Line::Count(c) => count = Some(c),
                Line::Tier(tier) => tiers.push(tier),
            }
        }
        if tiers.is_empty() {
            return None;
        }
        let label_of = |name: &ast::Name| {
            responses
                .iter()
                .find(|r| r.id.text == name.text)
                .map_or_else(|| name.text.to_string(), |r| r.label.text.to_string())
        };
        // A column for procedures only when some tier follows one.
        let with_routes = tiers.iter().any(|t| t.route.is_some());
        let rows = tiers
            .iter()
            .map(|tier| {
                let mut follows: Vec<String> = tier.responses.iter().map(label_of).collect();
                if tier.instead && follows.is_empty() {
                    follows.push("None of the incident's own responses".to_owned());
                } else if tier.instead {
                    follows.insert(0, "Instead of the incident's own responses:".to_owned());
                } else if !follows.is_empty() {
                    follows.insert(0, "As well as the incident's own responses:".to_owned());
                }
                let procedure = tier.route.as_ref().map(|r| {
                    self.policy
                        .routes()
                        .iter()
                        .find(|c| *c.id == *r.text)
                        .map_or_else(|| r.text.to_string(), |c| c.label.to_string())
                });
                GridRow {
                    id: format!("{id}--{}", tier.number),
                    label: crate::suggest::capitalise(&tier.times()),
                    cells: if with_routes {
                        vec![
                            GridCell::words(follows),
                            GridCell::words(procedure.into_iter().collect()),
                        ]
                    } else {
                        vec![GridCell::words(follows)]
                    },
                    notes: Vec::new(),
                    changed: false,
                }
            })
            .collect();
        Some(Grid {
            id,
            title,
            kind: count.map_or_else(
                || "What follows each time, counting every earlier incident.".to_owned(),
                count_sentence,
            ),
            row_heading: "Time".to_owned(),
            groups: vec![ColumnGroup {
                label: String::new(),
                columns: if with_routes {
                    vec!["What follows".to_owned(), "Procedure".to_owned()]
                } else {
                    vec!["What follows".to_owned()]
                },
            }],
            rows,
            notes: Vec::new(),
        })
    }
}

/// A line of a ladder, wherever it is written.
enum Line<'a> {
    Count(&'a Count),
    Tier(&'a Tier),
}

/// "Counted per term: earlier times this same incident happened."
fn count_sentence(count: &Count) -> String {
    let what = match count.what {
        ast::Counted::ThisIncident => "earlier times this same incident happened",
        ast::Counted::ThisTable => "earlier incidents of any kind in this table",
        ast::Counted::AnyIncident => "earlier incidents of any kind",
    };
    let window = match count.window {
        ast::CountWindow::Term => "in the same term".to_owned(),
        ast::CountWindow::HalfTerm => "in the same half term".to_owned(),
        ast::CountWindow::SchoolYear => "in the same school year".to_owned(),
        ast::CountWindow::Days { days: 1 } => "in the day before".to_owned(),
        ast::CountWindow::Days { days } => format!("in the {days} days before"),
        ast::CountWindow::Ever => "at any time".to_owned(),
    };
    format!("What follows each time, counting {what} {window}.")
}

/// The anchor of an incident's own table of tiers.
fn incident_ladder_anchor(table: &str, incident: &str) -> String {
    format!("{}--tiers", row_anchor(table, incident))
}

/// The anchor of a table's ladder.
fn table_ladder_anchor(table: &str, ladder: &str) -> String {
    format!("{}--ladder", row_anchor(table, ladder))
}
