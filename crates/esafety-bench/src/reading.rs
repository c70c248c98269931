//! An independent reading of a policy: its rules taken from the syntax tree
//! (`esafety::parse`) with the meaning `docs/language.md` gives them, without
//! the checker's compiled model or `Policy::decide`.
//!
//! The benchmark's floor is built from this reading, so that "the floor
//! agrees with the engine" compares two readings of the policy rather than
//! the engine with itself.
//!
//! What it reads is the part of a policy a question without a time or facts
//! can settle: who a row answers for (the role, then its group, up to
//! `everyone`; the most restrictive answer at one level), and a device's
//! answers. A row whose answer needs a time or a fact reads as conditional.

use esafety::Verdict;
use esafety::ast::{
    AnswerKind, DeviceItem, Member, NetworkAccess, Presence, RoleList, Section, TableItem,
};
use indexmap::IndexMap;

/// The root above the four base roles, as docs/language.md describes it.
const EVERYONE: &str = "everyone";

/// A cell's answer, as far as a question without a time or facts goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Allowed, acceptable.
    Allow,
    /// Not allowed, unacceptable.
    Deny,
    /// Unacceptable and illegal.
    Illegal,
    /// A blank cell: denied.
    Blank,
    /// At certain times the policy does not name.
    UnnamedTimes,
    /// At named times, for nominated users, or with permission: it depends.
    Depends,
}

impl Answer {
    fn of(kind: &AnswerKind) -> Answer {
        match kind {
            AnswerKind::Acceptable | AnswerKind::Allowed => Answer::Allow,
            AnswerKind::Unacceptable | AnswerKind::NotAllowed => Answer::Deny,
            AnswerKind::UnacceptableAndIllegal => Answer::Illegal,
            AnswerKind::Blank => Answer::Blank,
            AnswerKind::AcceptableAtCertainTimes { window: None }
            | AnswerKind::AllowedAtCertainTimes { window: None } => Answer::UnnamedTimes,
            _ => Answer::Depends,
        }
    }

    /// Higher is more restrictive: at one level of the hierarchy the most
    /// restrictive answer stands ("deny wins").
    fn restrictiveness(self) -> u8 {
        match self {
            Answer::Illegal => 6,
            Answer::Deny => 5,
            Answer::Blank => 4,
            Answer::UnnamedTimes => 3,
            Answer::Depends => 2,
            Answer::Allow => 1,
        }
    }

    /// The verdict of a question with no time and no facts.
    pub fn verdict(self) -> Verdict {
        match self {
            Answer::Allow => Verdict::Allowed,
            Answer::Deny | Answer::Blank => Verdict::Denied,
            Answer::Illegal => Verdict::Illegal,
            Answer::UnnamedTimes | Answer::Depends => Verdict::Conditional,
        }
    }
}

/// What a device may do.
#[derive(Debug, Clone, Default)]
pub struct DeviceRules {
    /// "Allowed in school".
    pub presence: Option<Answer>,
    /// Its network access: `full`, `internet-only`, `none`, or `None` when
    /// blank or not given.
    pub network: Option<&'static str>,
}

/// A policy, read from its syntax tree.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    /// Each role and its group (`everyone` for the four base roles).
    pub groups: IndexMap<String, String>,
    /// Each row, by id: the roles each cell names, and its answer.
    pub rows: IndexMap<String, Vec<(Vec<String>, Answer)>>,
    /// Each device kind, by id.
    pub devices: IndexMap<String, DeviceRules>,
}

impl Reading {
    /// Reads a policy's text. A line that does not parse is left out, as the
    /// checker would have refused the policy anyway.
    pub fn of(text: &str) -> Reading {
        let parsed = esafety::parse("reading.policy", text);
        let mut reading = Reading::default();
        for base in esafety::BASE_ROLES {
            reading.groups.insert(base.to_owned(), EVERYONE.to_owned());
        }
        for section in &parsed.file.sections {
            match section {
                Section::Roles(roles) => {
                    for group in &roles.groups {
                        for member in &group.members {
                            for name in member.names() {
                                reading.groups.insert(name, group.group.text.to_string());
                            }
                        }
                    }
                }
                Section::Table(table) => {
                    let columns: IndexMap<String, Vec<String>> = table
                        .columns()
                        .map(|c| (c.id.text.to_string(), names(&c.roles, &IndexMap::new())))
                        .collect();
                    for item in &table.items {
                        let TableItem::Row(row) = item else { continue };
                        let cells = row
                            .items
                            .iter()
                            .filter_map(|i| match i {
                                esafety::ast::RowItem::Cell(cell) => Some((
                                    names(&cell.roles, &columns),
                                    Answer::of(&cell.answer.kind),
                                )),
                                _ => None,
                            })
                            .collect();
                        reading.rows.insert(row.id.text.to_string(), cells);
                    }
                }
                Section::Devices(devices) => {
                    for device in &devices.devices {
                        let mut rules = DeviceRules::default();
                        for item in &device.items {
                            match item {
                                DeviceItem::InSchool(line) => {
                                    rules.presence = Some(match line.presence {
                                        Presence::Yes => Answer::Allow,
                                        Presence::No => Answer::Deny,
                                        Presence::Blank => Answer::Blank,
                                        _ => Answer::Depends,
                                    });
                                }
                                DeviceItem::Network(line) => {
                                    rules.network = match line.access {
                                        NetworkAccess::Full => Some("full"),
                                        NetworkAccess::InternetOnly => Some("internet-only"),
                                        NetworkAccess::None => Some("none"),
                                        _ => None,
                                    };
                                }
                                _ => {}
                            }
                        }
                        reading.devices.insert(device.id.text.to_string(), rules);
                    }
                }
                _ => {}
            }
        }
        reading
    }

    /// The role, then its group, then that group's group, up to `everyone`.
    pub fn lineage(&self, role: &str) -> Vec<String> {
        let mut out = vec![role.to_owned()];
        let mut current = role;
        while let Some(group) = self.groups.get(current) {
            if out.iter().any(|seen| seen == group) {
                break;
            }
            out.push(group.clone());
            current = group;
        }
        out
    }

    /// The answer a row gives `role`: the cells for the most specific of the
    /// role's lineage that the row answers for, the most restrictive of
    /// them; `None` when the row answers for none (denied by default).
    pub fn answer(&self, role: &str, row: &str) -> Option<Answer> {
        let cells = self.rows.get(row)?;
        self.lineage(role).iter().find_map(|who| {
            cells
                .iter()
                .filter(|(roles, _)| roles.iter().any(|r| r == who))
                .map(|(_, answer)| *answer)
                .max_by_key(|a| a.restrictiveness())
        })
    }

    /// The verdict of asking `role` about `row` with no time and no facts.
    pub fn verdict(&self, role: &str, row: &str) -> Verdict {
        self.answer(role, row)
            .map_or(Verdict::Denied, Answer::verdict)
    }

    /// The verdict of asking what a device may do (a capability id:
    /// `allowed-in-school`, `full-network-access`, `internet-only`,
    /// `no-network-access`), with no facts.
    pub fn device_verdict(&self, device: &str, capability: &str) -> Verdict {
        let Some(rules) = self.devices.get(device) else {
            return Verdict::Denied;
        };
        if capability == "allowed-in-school" {
            return rules.presence.map_or(Verdict::Denied, Answer::verdict);
        }
        let asked = match capability {
            "full-network-access" => "full",
            "internet-only" => "internet-only",
            _ => "none",
        };
        match rules.network {
            Some(access) if access == asked => Verdict::Allowed,
            _ => Verdict::Denied,
        }
    }
}

/// The roles a list names: a column stands for its roles, `everyone` for
/// the root.
fn names(list: &RoleList, columns: &IndexMap<String, Vec<String>>) -> Vec<String> {
    match list {
        RoleList::Everyone { .. } => vec![EVERYONE.to_owned()],
        RoleList::Names { names } => names
            .iter()
            .flat_map(|n| {
                columns
                    .get(&*n.text)
                    .cloned()
                    .unwrap_or_else(|| vec![n.text.to_string()])
            })
            .collect(),
        // A year range stands for each of its year groups.
        RoleList::Members { members } => members
            .iter()
            .flat_map(|m| match m {
                Member::Role { name } => columns
                    .get(&*name.text)
                    .cloned()
                    .unwrap_or_else(|| vec![name.text.to_string()]),
                range => range.names(),
            })
            .collect(),
        _ => Vec::new(),
    }
}
