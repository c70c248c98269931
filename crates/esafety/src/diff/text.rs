//! A diff in words: plain text for the terminal, Markdown for the minutes.

use std::fmt::Write as _;
use std::sync::Arc;

use super::{
    AnswerChange, Change, Example, IncidentDiff, PolicyDiff, ResponseChange, ResponseRef, RowDiff,
    Section,
};

/// `pupil (and the roles within it)`, for a group's roles: its highest
/// roles, and a note when the group also holds roles within them.
fn who(highest: &[Arc<str>], all: &[Arc<str>]) -> String {
    let list = crate::suggest::english_list(highest, "and");
    match (highest.len(), all.len() > highest.len()) {
        (0, _) => "everyone".to_owned(),
        (1, true) => format!("{list} (and the roles within it)"),
        (_, true) => format!("{list} (and roles within them)"),
        (_, false) => list,
    }
}

fn response_words(r: &ResponseRef) -> String {
    let optional = if r.optional { ", as appropriate" } else { "" };
    format!("\"{}\" ({} `{}`{optional})", r.label, r.kind.as_str(), r.id)
}

/// What an incident's change does, in a sentence per part.
fn response_change_words(c: &ResponseChange) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(outcome) = &c.outcome {
        out.push(if outcome.responses.is_empty() {
            "no responses".to_owned()
        } else {
            format!("responses: {}", outcome.responses.join(", "))
        });
        if let Some(route) = &outcome.route {
            out.push(format!("route `{route}`"));
        }
    }
    for r in &c.added {
        out.push(format!("now also {}", response_words(r)));
    }
    for r in &c.removed {
        out.push(format!("no longer {}", response_words(r)));
    }
    for r in &c.altered {
        out.push(format!("changed: {}", response_words(r)));
    }
    if c.old_route.is_some() || c.new_route.is_some() {
        let route = |r: &Option<Arc<str>>| {
            r.as_deref()
                .map_or("no route".to_owned(), |r| format!("route `{r}`"))
        };
        out.push(format!("{} → {}", route(&c.old_route), route(&c.new_route)));
    }
    out
}

fn priors(c: &ResponseChange) -> String {
    if c.prior.is_empty() {
        return String::new();
    }
    let list: Vec<String> = c
        .prior
        .iter()
        .map(|p| match p {
            0 => "a first incident".to_owned(),
            1 => "after 1 earlier incident".to_owned(),
            n => format!("after {n} earlier incidents"),
        })
        .collect();
    format!(" ({})", crate::suggest::english_list(&list, "and"))
}

fn example_words(e: &Example) -> String {
    let mut words = format!("e.g. {}", e.role);
    if let Some(at) = e.at {
        let _ = write!(
            words,
            " on {}",
            crate::calendar::weekday_date_time(at, " at ")
        );
    }
    if let Some(place) = &e.place {
        let _ = write!(words, " in {place}");
    }
    for f in &e.facts {
        let _ = write!(words, ", {} {}", f.name, if f.value { "yes" } else { "no" });
    }
    let verdict =
        |o: &Option<super::Outcome>| o.as_ref().map_or("cannot be asked", |o| o.verdict.as_str());
    let _ = write!(words, ": {} → {}", verdict(&e.old), verdict(&e.new));
    words
}

fn answer_line(a: &AnswerChange) -> String {
    let who = who(&a.roles, &a.all_roles);
    match (&a.old, &a.new) {
        (Some(old), Some(new)) if old == new => {
            format!(
                "{who}: {new}, at other times or on other conditions ({})",
                example_words(&a.example)
            )
        }
        (Some(old), Some(new)) => format!("{who}: {old} → {new}"),
        (None, Some(new)) => format!("{who}: {new}"),
        (Some(old), None) => format!("{who}: was {old}"),
        (None, None) => who,
    }
}

fn row_heading(r: &RowDiff) -> String {
    let mut words = format!("\"{}\" (`{}`, table `{}`)", r.label, r.id, r.table);
    match r.change {
        Change::Added => words.push_str(": new row"),
        Change::Removed => words.push_str(": removed"),
        _ => {}
    }
    words
}

fn row_notes(r: &RowDiff) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(old_id) = &r.old_id {
        notes.push(format!("id renamed from `{old_id}`"));
    }
    if let Some(old_label) = &r.old_label {
        notes.push(format!("label reworded; was \"{old_label}\""));
    }
    notes
}

fn incident_heading(i: &IncidentDiff) -> String {
    let mut words = format!("\"{}\" (`{}`, table `{}`)", i.label, i.id, i.table);
    match i.change {
        Change::Added => words.push_str(": new incident"),
        Change::Removed => words.push_str(": removed"),
        _ => {}
    }
    words
}

fn incident_notes(i: &IncidentDiff) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(old_id) = &i.old_id {
        notes.push(format!("id renamed from `{old_id}`"));
    }
    if let Some(old_label) = &i.old_label {
        notes.push(format!("label reworded; was \"{old_label}\""));
    }
    notes
}

fn setting_words(old: &Option<String>, new: &Option<String>) -> String {
    match (old, new) {
        (Some(old), Some(new)) => format!("{old} → {new}"),
        (None, Some(new)) => format!("added: {new}"),
        (Some(old), None) => format!("removed (was {old})"),
        (None, None) => String::new(),
    }
}

fn count(diff: &PolicyDiff) -> String {
    match diff.len() {
        1 => "1 difference in meaning".to_owned(),
        n => format!("{n} differences in meaning"),
    }
}

/// Sections in a fixed order, each with its changes.
fn settings_by_section(diff: &PolicyDiff) -> Vec<(Section, Vec<&super::SettingChange>)> {
    let order = [
        Section::School,
        Section::Roles,
        Section::Timetable,
        Section::Calendar,
        Section::Contacts,
        Section::Facts,
        Section::Places,
        Section::Devices,
        Section::Ladders,
        Section::Routes,
    ];
    order
        .into_iter()
        .map(|s| {
            (
                s,
                diff.settings
                    .iter()
                    .filter(|c| c.section == s)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, list)| !list.is_empty())
        .collect()
}

pub(super) fn human(diff: &PolicyDiff) -> String {
    let mut out = String::new();
    if diff.is_empty() {
        let _ = writeln!(
            out,
            "No difference in meaning between {} and {}.",
            diff.old, diff.new
        );
        return out;
    }
    let _ = writeln!(out, "{} → {}: {}.", diff.old, diff.new, count(diff));
    for (section, changes) in settings_by_section(diff) {
        let _ = writeln!(out, "\n{}", section.title());
        for c in changes {
            let _ = writeln!(out, "  {}: {}", c.item, setting_words(&c.old, &c.new));
        }
    }
    if !diff.rows.is_empty() {
        let _ = writeln!(out, "\nRules");
        for r in &diff.rows {
            let _ = writeln!(out, "  {}", row_heading(r));
            for note in row_notes(r) {
                let _ = writeln!(out, "    {note}");
            }
            for a in &r.answers {
                let _ = writeln!(out, "    {}", answer_line(a));
            }
        }
    }
    if !diff.incidents.is_empty() {
        let _ = writeln!(out, "\nIncidents");
        for i in &diff.incidents {
            let _ = writeln!(out, "  {}", incident_heading(i));
            for note in incident_notes(i) {
                let _ = writeln!(out, "    {note}");
            }
            for c in &i.responses {
                let _ = writeln!(
                    out,
                    "    {}{}: {}",
                    who(&c.roles, &c.all_roles),
                    priors(c),
                    response_change_words(c).join("; ")
                );
            }
        }
    }
    out
}

/// A Markdown table cell: no line breaks, pipes escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

pub(super) fn markdown(diff: &PolicyDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Changes in meaning: `{}` → `{}`\n",
        diff.old, diff.new
    );
    if diff.is_empty() {
        let _ = writeln!(out, "No difference in meaning.");
        return out;
    }
    let _ = writeln!(out, "{}.", crate::suggest::capitalise(&count(diff)));
    for (section, changes) in settings_by_section(diff) {
        let _ = writeln!(out, "\n### {}\n", section.title());
        let _ = writeln!(out, "| Item | Was | Now |\n| --- | --- | --- |");
        for c in changes {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&c.item),
                cell(c.old.as_deref().unwrap_or("—")),
                cell(c.new.as_deref().unwrap_or("—"))
            );
        }
    }
    if !diff.rows.is_empty() {
        let _ = writeln!(out, "\n### Rules\n");
        let _ = writeln!(out, "| Row | Who | Was | Now |\n| --- | --- | --- | --- |");
        for r in &diff.rows {
            let mut row = format!("{} (`{}`)", r.label, r.id);
            for note in row_notes(r) {
                let _ = write!(row, "; {note}");
            }
            if r.answers.is_empty() {
                let _ = writeln!(out, "| {} | | | |", cell(&row));
            }
            for a in &r.answers {
                let (was, now) = match (&a.old, &a.new) {
                    (Some(old), Some(new)) if old == new => (
                        old.clone(),
                        format!(
                            "{new}, at other times or on other conditions ({})",
                            example_words(&a.example)
                        ),
                    ),
                    (old, new) => (
                        old.clone().unwrap_or_else(|| "— (no such row)".to_owned()),
                        new.clone().unwrap_or_else(|| "— (row removed)".to_owned()),
                    ),
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    cell(&row),
                    cell(&who(&a.roles, &a.all_roles)),
                    cell(&was),
                    cell(&now)
                );
            }
        }
    }
    if !diff.incidents.is_empty() {
        let _ = writeln!(out, "\n### Incidents\n");
        let _ = writeln!(
            out,
            "| Incident | Who | What changed |\n| --- | --- | --- |"
        );
        for i in &diff.incidents {
            let mut name = format!("{} (`{}`, `{}`)", i.label, i.id, i.table);
            for note in incident_notes(i) {
                let _ = write!(name, "; {note}");
            }
            match i.change {
                Change::Added => name.push_str("; new incident"),
                Change::Removed => name.push_str("; removed"),
                _ => {}
            }
            if i.responses.is_empty() {
                let _ = writeln!(out, "| {} | | |", cell(&name));
            }
            for c in &i.responses {
                let _ = writeln!(
                    out,
                    "| {} | {}{} | {} |",
                    cell(&name),
                    cell(&who(&c.roles, &c.all_roles)),
                    cell(&priors(c)),
                    cell(&response_change_words(c).join("; "))
                );
            }
        }
    }
    out
}
