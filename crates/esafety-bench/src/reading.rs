//! An independent reading of a policy: its rules taken from the syntax tree
//! (`esafety::parse`) with the meaning `docs/language.md` gives them, without
//! the checker's compiled model or `Policy::decide`.
//!
//! The benchmark's floor is built from this reading, so that "the floor
//! agrees with the engine" compares two readings of the policy rather than
//! the engine with itself.
//!
//! What it reads: who a row answers for (the role, then its group, up to
//! `everyone`; the most restrictive answer at one level), what each cell
//! needs to allow ([`Rule`]: a time window, nomination, permission), the
//! timetable as a clock ([`Clock`]: which periods are on at a moment), and a
//! device's answers. The peer engines' encodings (`cedar.rs`, `rego.rs`) are
//! translated from this reading.

use esafety::Verdict;
use esafety::ast::{
    AnswerKind, DateValue, Days, DeviceItem, Member, NetworkAccess, Presence, RoleList, Section,
    TableItem, TimetableItem, WindowKind,
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

/// What a cell needs before it allows, with a time and the facts given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// Allowed, whatever the time and facts.
    Allow,
    /// Never allowed (not allowed, unacceptable, illegal, blank, or at
    /// certain times the policy does not name: no time settles those).
    Never,
    /// Allowed when one of these periods is on.
    During(Vec<String>),
    /// Allowed when none of these periods is on.
    Outside(Vec<String>),
    /// Allowed for nominated (selected) users.
    Nominated,
    /// Allowed with permission.
    Permission,
    /// A condition this reading does not translate (`only` / `except`).
    Unsupported,
}

impl Rule {
    fn of(kind: &AnswerKind) -> Rule {
        match kind {
            AnswerKind::Acceptable | AnswerKind::Allowed => Rule::Allow,
            AnswerKind::Unacceptable
            | AnswerKind::UnacceptableAndIllegal
            | AnswerKind::NotAllowed
            | AnswerKind::Blank => Rule::Never,
            AnswerKind::AcceptableAtCertainTimes { window }
            | AnswerKind::AllowedAtCertainTimes { window } => match window.as_deref() {
                None => Rule::Never,
                Some(w) => {
                    let periods = w.periods.iter().map(|p| p.text.to_string()).collect();
                    match w.kind {
                        WindowKind::During => Rule::During(periods),
                        _ => Rule::Outside(periods),
                    }
                }
            },
            AnswerKind::AcceptableForNominatedUsers
            | AnswerKind::AllowedForSelectedStaff
            | AnswerKind::AllowedForNominatedUsers => Rule::Nominated,
            AnswerKind::AllowedWithPermission { .. } => Rule::Permission,
            _ => Rule::Unsupported,
        }
    }

    /// Whether it allows, given the periods on and the facts.
    pub fn allows(&self, periods: &[String], nominated: bool, permission: bool) -> bool {
        match self {
            Rule::Allow => true,
            Rule::Never | Rule::Unsupported => false,
            Rule::During(names) => names.iter().any(|n| periods.contains(n)),
            Rule::Outside(names) => !names.iter().any(|n| periods.contains(n)),
            Rule::Nominated => nominated,
            Rule::Permission => permission,
        }
    }
}

/// The timetable as a clock: which periods are on at a moment, as
/// docs/language.md defines them (declared periods, aliases, and the
/// built-in `weekend`, `holiday` and `outside-school-hours`).
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// (weekday, 0 = Monday; period; start and end in minutes).
    periods: Vec<(usize, String, u32, u32)>,
    /// Each alias and what it stands for.
    aliases: IndexMap<String, Vec<String>>,
    terms: Vec<(jiff::civil::Date, jiff::civil::Date)>,
    holidays: Vec<(jiff::civil::Date, jiff::civil::Date)>,
}

impl Clock {
    /// Every name that is on at `at`, sorted.
    pub fn on_at(&self, at: jiff::civil::DateTime) -> Vec<String> {
        let date = at.date();
        let weekday = usize::try_from(at.weekday().to_monday_zero_offset()).unwrap_or(0);
        let minute = u32::try_from(i32::from(at.hour()) * 60 + i32::from(at.minute())).unwrap_or(0);
        let mut on: Vec<String> = Vec::new();
        let in_term = self.terms.is_empty()
            || self
                .terms
                .iter()
                .any(|(from, to)| *from <= date && date <= *to);
        let holiday = !in_term
            || self
                .holidays
                .iter()
                .any(|(from, to)| *from <= date && date <= *to);
        if holiday {
            on.push("holiday".to_owned());
        } else {
            for (day, name, start, end) in &self.periods {
                if *day == weekday && *start <= minute && minute < *end && !on.contains(name) {
                    on.push(name.clone());
                }
            }
        }
        if on.iter().all(|n| n == "holiday") {
            on.push("outside-school-hours".to_owned());
        }
        if weekday >= 5 {
            on.push("weekend".to_owned());
        }
        // Aliases, until nothing more turns on (an alias may name an alias).
        loop {
            let before = on.len();
            for (alias, members) in &self.aliases {
                if !on.contains(alias) && members.iter().any(|m| on.contains(m)) {
                    on.push(alias.clone());
                }
            }
            if on.len() == before {
                break;
            }
        }
        on.sort();
        on
    }
}

/// A date as written: a month alone means its first day, or its last when
/// `last`.
fn date_of(value: &DateValue, last: bool) -> Option<jiff::civil::Date> {
    let year = i16::try_from(value.year).ok()?;
    let month = i8::try_from(value.month).ok()?;
    match value.day {
        Some(day) => jiff::civil::Date::new(year, month, i8::try_from(day).ok()?).ok(),
        None => {
            let first = jiff::civil::Date::new(year, month, 1).ok()?;
            if last {
                first.last_of_month().into()
            } else {
                Some(first)
            }
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
    /// Each row, by id: the roles each cell names, and what it needs to
    /// allow.
    pub rules: IndexMap<String, Vec<(Vec<String>, Rule)>>,
    /// Each table's id, and its rows' ids in order.
    pub tables: IndexMap<String, Vec<String>>,
    /// The timetable.
    pub clock: Clock,
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
                        let cells = row.items.iter().filter_map(|i| match i {
                            esafety::ast::RowItem::Cell(cell) => Some(cell),
                            _ => None,
                        });
                        let id = row.id.text.to_string();
                        reading.rows.insert(
                            id.clone(),
                            cells
                                .clone()
                                .map(|c| (names(&c.roles, &columns), Answer::of(&c.answer.kind)))
                                .collect(),
                        );
                        reading.rules.insert(
                            id.clone(),
                            cells
                                .map(|c| (names(&c.roles, &columns), Rule::of(&c.answer.kind)))
                                .collect(),
                        );
                        reading
                            .tables
                            .entry(table.id.text.to_string())
                            .or_default()
                            .push(id);
                    }
                }
                Section::Timetable(timetable) => {
                    let clock = &mut reading.clock;
                    for item in &timetable.items {
                        match item {
                            TimetableItem::Day(schedule) => {
                                let days: Vec<usize> = match &schedule.days {
                                    Days::Range { from, to } => {
                                        (from.day.index()..=to.day.index()).collect()
                                    }
                                    Days::List { days } => {
                                        days.iter().map(|d| d.day.index()).collect()
                                    }
                                    _ => Vec::new(),
                                };
                                for period in &schedule.periods {
                                    for day in &days {
                                        clock.periods.push((
                                            *day,
                                            period.name.text.to_string(),
                                            period.start.hour * 60 + period.start.minute,
                                            period.end.hour * 60 + period.end.minute,
                                        ));
                                    }
                                }
                            }
                            TimetableItem::Alias(alias) => {
                                clock.aliases.insert(
                                    alias.name.text.to_string(),
                                    alias.periods.iter().map(|p| p.text.to_string()).collect(),
                                );
                            }
                            TimetableItem::Term(range) | TimetableItem::Holiday(range) => {
                                let dates =
                                    date_of(&range.from, false).zip(date_of(&range.to, true));
                                if let Some(dates) = dates {
                                    if matches!(item, TimetableItem::Term(_)) {
                                        clock.terms.push(dates);
                                    } else {
                                        clock.holidays.push(dates);
                                    }
                                }
                            }
                            _ => {}
                        }
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

    /// The roles a row names in its cells (columns expanded), each once.
    pub fn named_in(&self, row: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (roles, _) in self.rules.get(row).map_or(&[][..], Vec::as_slice) {
            for role in roles {
                if !out.contains(role) {
                    out.push(role.clone());
                }
            }
        }
        out
    }

    /// Whether `role` is `group` or below it.
    pub fn is_within(&self, role: &str, group: &str) -> bool {
        self.lineage(role).iter().any(|r| r == group)
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
