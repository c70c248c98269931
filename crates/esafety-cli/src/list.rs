//! `esafety list`: what a policy can be asked about.

use std::path::PathBuf;

use clap::ValueEnum;
use esafety::{
    Capability, ContactInfo, DeviceSummary, FactInfo, IncidentSummary, PeriodInfo, PeriodKind,
    PlaceInfo, Policy, RoleInfo, RouteInfo, SchoolInfo, TableInfo,
};
use serde::Serialize;

use crate::{EXIT_OK, EXIT_USAGE, Output, eval};

/// The version of the JSON `list` prints.
const LIST_JSON_VERSION: u32 = 1;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The policy file.
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Readable lists.
    Human,
    /// One JSON document.
    Json,
}

#[derive(Serialize)]
struct Capabilities {
    id: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct ListJson<'a> {
    version: u32,
    path: &'a str,
    school: &'a SchoolInfo,
    roles: &'a [RoleInfo],
    periods: &'a [PeriodInfo],
    tables: &'a [TableInfo],
    devices: Vec<&'a DeviceSummary>,
    capabilities: Vec<Capabilities>,
    incidents: Vec<&'a IncidentSummary>,
    ladders: Vec<esafety::LadderSummary>,
    routes: &'a [std::sync::Arc<RouteInfo>],
    contacts: &'a [ContactInfo],
    facts: &'a [FactInfo],
    places: &'a [PlaceInfo],
}

pub(crate) fn run(args: &Args, output: Output) -> u8 {
    let Some(policy) = eval::load(&args.policy, output) else {
        return EXIT_USAGE;
    };
    match args.format {
        Format::Json => {
            let json = ListJson {
                version: LIST_JSON_VERSION,
                path: policy.path(),
                school: policy.school(),
                roles: policy.roles(),
                periods: policy.periods(),
                tables: policy.tables(),
                devices: policy.devices().collect(),
                capabilities: Capability::ALL
                    .iter()
                    .map(|c| Capabilities {
                        id: c.id(),
                        label: c.label(),
                    })
                    .collect(),
                incidents: policy.incidents().collect(),
                ladders: policy.ladders().collect(),
                routes: policy.routes(),
                contacts: policy.contacts(),
                facts: policy.facts(),
                places: policy.places(),
            };
            match serde_json::to_string_pretty(&json) {
                Ok(text) => outln!("{text}"),
                Err(e) => {
                    errln!("esafety: cannot write the list as JSON: {e}");
                    return EXIT_USAGE;
                }
            }
        }
        Format::Human => out!("{}", human(&policy)),
    }
    EXIT_OK
}

fn human(policy: &Policy) -> String {
    let mut out = String::new();
    let school = policy.school();
    out.push_str(&format!("{} ({})\n", school.name, policy.path()));
    let mut dates = Vec::new();
    if let Some(a) = school.approved {
        dates.push(format!("approved {a}"));
    }
    if let Some(r) = school.review_by {
        dates.push(format!("review by {r}"));
    }
    if !dates.is_empty() {
        out.push_str(&format!("  {}\n", dates.join(", ")));
    }

    out.push_str("\nroles\n");
    for role in policy.roles().iter().filter(|r| r.parent.is_none()) {
        out.push_str(&role_tree(policy, role, 1));
    }

    let periods = policy.periods();
    if periods.iter().any(|p| p.kind != PeriodKind::BuiltIn) {
        out.push_str("\nperiods\n");
        for p in periods {
            let what = match p.kind {
                PeriodKind::Period => p.times.join(", "),
                PeriodKind::Alias => format!("means {}", join(&p.means)),
                PeriodKind::BuiltIn => "built in".to_owned(),
                _ => String::new(),
            };
            out.push_str(&format!("  {:<22} {what}\n", p.id));
        }
    }

    for table in policy.tables() {
        out.push_str(&format!(
            "\n{} `{}` \"{}\" (line {})\n",
            table.kind.keyword(),
            table.id,
            table.label,
            table.line
        ));
        for row in &table.rows {
            out.push_str(&format!("  {:<32} {}\n", row.id, row.label));
        }
    }

    let devices: Vec<_> = policy.devices().collect();
    if !devices.is_empty() {
        out.push_str("\ndevices\n");
        for d in devices {
            out.push_str(&format!("  {:<32} {}\n", d.id, d.label));
        }
        let caps: Vec<String> = Capability::ALL
            .iter()
            .map(|c| format!("\"{}\"", c.label()))
            .collect();
        out.push_str(&format!("  (ask each about {})\n", caps.join(", ")));
    }

    let incidents: Vec<_> = policy.incidents().collect();
    if !incidents.is_empty() {
        out.push_str("\nincidents\n");
        let mut last_table = None;
        for i in incidents {
            if last_table != Some(&i.table) {
                out.push_str(&format!("  {} (for {})\n", i.table, join(&i.roles)));
                last_table = Some(&i.table);
            }
            out.push_str(&format!("    {:<30} {}\n", i.id, i.label));
        }
    }

    let ladders: Vec<_> = policy.ladders().collect();
    if !ladders.is_empty() {
        out.push_str("\nladders\n");
        for l in ladders {
            let what = match &l.incident {
                Some(_) => "the incident's own ladder".to_owned(),
                None => format!("\"{}\", for every incident of {}", l.ladder.label, l.table),
            };
            out.push_str(&format!(
                "  {:<32} {what} (line {}): counts {} {}\n",
                l.ladder.id,
                l.ladder.line,
                l.counts.words(),
                l.window.words()
            ));
            let tiers: Vec<&str> = l.tiers.iter().map(|t| &*t.times).collect();
            out.push_str(&format!("  {:<32} tiers: {}\n", "", tiers.join(", ")));
        }
    }

    if !policy.routes().is_empty() {
        out.push_str("\nroutes\n");
        for r in policy.routes() {
            out.push_str(&format!(
                "  {:<32} {} ({} steps)\n",
                r.id,
                r.label,
                r.steps.len()
            ));
        }
    }

    if !policy.contacts().is_empty() {
        out.push_str("\ncontacts\n");
        for c in policy.contacts() {
            let mut how = Vec::new();
            if let Some(p) = &c.target.phone {
                how.push(format!("phone {p}"));
            }
            if let Some(u) = &c.target.url {
                how.push(u.to_string());
            }
            if let Some(e) = &c.target.email {
                how.push(e.to_string());
            }
            if c.in_school {
                how.push("in school".to_owned());
            }
            out.push_str(&format!(
                "  {:<32} {} — {}\n",
                c.target.id,
                c.target.title,
                how.join(", ")
            ));
        }
    }

    out.push_str("\nfacts\n");
    for f in policy.facts() {
        let built_in = if f.built_in { " (built in)" } else { "" };
        out.push_str(&format!("  {:<32} {}{built_in}\n", f.id, f.label));
    }

    if !policy.places().is_empty() {
        out.push_str("\nplaces\n");
        for p in policy.places() {
            out.push_str(&format!("  {:<32} {}\n", p.id, p.label));
        }
    }
    out
}

fn role_tree(policy: &Policy, role: &RoleInfo, depth: usize) -> String {
    let mut out = format!("{}{}\n", "  ".repeat(depth), role.id);
    for child in policy
        .roles()
        .iter()
        .filter(|r| r.parent.as_deref() == Some(&*role.id))
    {
        if depth < 16 {
            out.push_str(&role_tree(policy, child, depth + 1));
        }
    }
    out
}

fn join(items: &[std::sync::Arc<str>]) -> String {
    items
        .iter()
        .map(|s| s.as_ref())
        .collect::<Vec<_>>()
        .join(", ")
}
