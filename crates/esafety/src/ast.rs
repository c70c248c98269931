//! The syntax tree of a `.policy` file.
//!
//! Plain data: every node derives `Serialize` and `Deserialize` and carries the
//! [`Span`] of the text it came from. The tree keeps everything the author
//! wrote, comments included (as [`Trivia`] on the line they precede or end),
//! so that a formatter can print the file back without losing a word.
//!
//! Names are not resolved here; that is the checker's job.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::span::Span;

/// A name written in the policy, such as `year-5` or `phones-in-lessons`.
///
/// The text is shared: the parser stores each distinct name once, however
/// many cells name it, and the compiled policy keeps the same copy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Name {
    /// The name as written.
    pub text: Arc<str>,
    /// Where it was written.
    pub span: Span,
}

/// A quoted label, unescaped, kept verbatim from the source document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Text {
    /// The label without its quotes, with `\"` and `\\` unescaped. Shared
    /// with the compiled policy, which keeps labels verbatim.
    pub text: Arc<str>,
    /// Where it was written, quotes included.
    pub span: Span,
}

/// A `# comment`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Comment {
    /// The comment text after `#`, as written (leading space included).
    pub text: String,
    /// For a comment on a line of its own: whether a blank line came
    /// directly before it. (Always false for a comment after a statement.)
    #[serde(default, skip_serializing_if = "is_false")]
    pub blank_line_before: bool,
    /// Where it was written.
    pub span: Span,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// What surrounds a statement: the comment lines just above it, whether a
/// blank line comes directly before it, and a comment at the end of its own
/// line. Together with [`Comment::blank_line_before`] this keeps the file's
/// layout of comments and blank lines (runs of blank lines count as one), so
/// that `esafety fmt` can print it back.
///
/// Most statements have none, so the data is boxed and absent when empty: a
/// large policy has a `Trivia` for every line.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Trivia(Option<Box<TriviaData>>);

/// The contents of a non-empty [`Trivia`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TriviaData {
    /// Whole-line comments directly above the statement, in order.
    pub comments_before: Vec<Comment>,
    /// Whether a blank line came directly before the statement's own line
    /// (after its comments, if any).
    pub blank_line_before: bool,
    /// A comment on the statement's own line.
    pub trailing_comment: Option<Comment>,
}

impl Trivia {
    /// Trivia from its parts; empty parts make an empty `Trivia`.
    pub fn new(data: TriviaData) -> Self {
        let empty = data.comments_before.is_empty()
            && !data.blank_line_before
            && data.trailing_comment.is_none();
        Trivia(if empty { None } else { Some(Box::new(data)) })
    }

    /// Whole-line comments directly above the statement, in order.
    pub fn comments_before(&self) -> &[Comment] {
        self.0.as_deref().map_or(&[], |d| &d.comments_before)
    }

    /// Whether a blank line came directly before the statement's own line.
    pub fn blank_line_before(&self) -> bool {
        self.0.as_deref().is_some_and(|d| d.blank_line_before)
    }

    /// A comment on the statement's own line.
    pub fn trailing_comment(&self) -> Option<&Comment> {
        self.0.as_deref().and_then(|d| d.trailing_comment.as_ref())
    }

    /// Whether there is nothing around the statement.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

/// A whole policy file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PolicyFile {
    /// `extends "…"`: the policy this one is built on, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<Extends>,
    /// `remove …` lines: what this policy takes out of the one it extends.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removals: Vec<Removal>,
    /// The sections in the order written.
    pub sections: Vec<Section>,
    /// Comments after the last statement.
    pub trailing_comments: Vec<Comment>,
}

/// `extends "trust.policy"`: the base policy, named relative to this file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Extends {
    /// The base policy's file, as written.
    pub path: Text,
    /// The line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// What a `remove` line takes out of the base policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RemoveKind {
    /// `remove row …`.
    Row,
    /// `remove incident …`.
    Incident,
    /// `remove response …`: a response column (and its every use), or,
    /// with `in incident …`, one incident's use of it.
    Response,
    /// `remove contact …`.
    Contact,
    /// `remove fact …`.
    Fact,
    /// `remove place …`.
    Place,
    /// `remove role …`.
    Role,
    /// `remove route …`.
    Route,
    /// `remove device …`.
    Device,
    /// `remove ladder …`.
    Ladder,
    /// `remove cell ROLES in row …`: a row's answer for those roles.
    Cell,
}

impl RemoveKind {
    /// The keyword, as written.
    pub fn as_str(self) -> &'static str {
        match self {
            RemoveKind::Row => "row",
            RemoveKind::Incident => "incident",
            RemoveKind::Response => "response",
            RemoveKind::Contact => "contact",
            RemoveKind::Fact => "fact",
            RemoveKind::Place => "place",
            RemoveKind::Role => "role",
            RemoveKind::Route => "route",
            RemoveKind::Device => "device",
            RemoveKind::Ladder => "ladder",
            RemoveKind::Cell => "cell",
        }
    }
}

/// `remove row personal-email`, `remove cell pupils in row phones`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Removal {
    /// What kind of thing.
    pub kind: RemoveKind,
    /// Which ones (roles, for `cell`).
    pub names: Vec<Name>,
    /// `in row …` or `in incident …`: whose cell or response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<Within>,
    /// The line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// The row or incident a `remove` line reaches into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Within {
    /// `true` for `in incident …`, `false` for `in row …`.
    pub incident: bool,
    /// The row's or incident's id.
    pub id: Name,
}

/// `locked` or `locked for pupil`: under a table heading (the whole table),
/// a row (the row, or its answer for some roles), an incident (its
/// responses) or a route (its steps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Lock {
    /// `for …`: only the row's answer for these roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<RoleList>,
    /// The line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// A top-level section, introduced by a heading line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "section", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Section {
    /// `school "…"` and its metadata.
    School(School),
    /// `roles` and the role hierarchy.
    Roles(Roles),
    /// `timetable`: periods, aliases, terms and holidays.
    Timetable(Timetable),
    /// `contacts`: referral targets.
    Contacts(Contacts),
    /// `facts`: the names that conditions may test.
    Facts(Facts),
    /// `places`: where on the site a rule may apply.
    Places(Places),
    /// A `user actions`, `communications` or `rules` table.
    Table(Table),
    /// A `devices` table.
    Devices(Devices),
    /// An `incidents` table.
    Incidents(Incidents),
    /// An escalation `route`.
    Route(Route),
}

// ---------------------------------------------------------------------------
// school

/// `school "Name"` with its metadata lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct School {
    /// The school's name.
    pub name: Text,
    /// Metadata lines in order.
    pub items: Vec<SchoolItem>,
    /// The heading line.
    pub span: Span,
    /// Comments around the heading.
    pub trivia: Trivia,
}

/// One metadata line under `school`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SchoolItem {
    /// What the line says.
    pub kind: SchoolItemKind,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// The metadata a `school` section may give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SchoolItemKind {
    /// `template "…"`: the template the policy grew from.
    Template {
        /// The template's name.
        name: Text,
    },
    /// `approved <date>`.
    Approved {
        /// When it was approved.
        date: DateValue,
    },
    /// `review by <date>`.
    ReviewBy {
        /// When it must next be reviewed.
        date: DateValue,
    },
    /// `owner "…"`: who owns the policy.
    Owner {
        /// The owner, a role or team rather than a person.
        name: Text,
    },
}

/// A date as written: a whole day, or a whole month (`April 2021`).
///
/// Values are as written and may be impossible (`2021-02-30`); the checker
/// reports those.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DateValue {
    /// The year.
    pub year: i32,
    /// The month, 1 to 12 when valid.
    pub month: u32,
    /// The day of the month; `None` when only a month was given.
    pub day: Option<u32>,
    /// Where it was written.
    pub span: Span,
}

// ---------------------------------------------------------------------------
// roles

/// `roles` and its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Roles {
    /// `group includes member, …` lines.
    pub groups: Vec<RoleGroup>,
    /// The heading line.
    pub span: Span,
    /// Comments around the heading.
    pub trivia: Trivia,
}

/// `staff includes teacher, technician`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoleGroup {
    /// The group (a base role or a role declared earlier).
    pub group: Name,
    /// Its members.
    pub members: Vec<Member>,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// A member of a role group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Member {
    /// One role.
    Role {
        /// Its name.
        name: Name,
    },
    /// A run of year groups, `year-1 to year-6` or `reception to year-2`.
    YearRange {
        /// The first year group.
        from: Name,
        /// The last year group.
        to: Name,
        /// The whole range.
        span: Span,
    },
}

impl Member {
    /// Where the member was written.
    pub fn span(&self) -> Span {
        match self {
            Member::Role { name } => name.span,
            Member::YearRange { span, .. } => *span,
        }
    }

    /// The member as written: `teacher`, or `year-7 to year-11`.
    pub fn words(&self) -> String {
        match self {
            Member::Role { name } => name.text.to_string(),
            Member::YearRange { from, to, .. } => format!("{} to {}", from.text, to.text),
        }
    }

    /// The roles the member stands for: its name, or each year group of the
    /// range in school order (none when the range's ends are not year
    /// groups, or it runs backwards).
    ///
    /// ```
    /// let parsed = esafety::parse("p.policy", "school \"S\"\nroles\n  pupil includes reception to year-2\n");
    /// let esafety::ast::Section::Roles(roles) = &parsed.file.sections[1] else { unreachable!() };
    /// assert_eq!(roles.groups[0].members[0].names(), ["reception", "year-1", "year-2"]);
    /// ```
    pub fn names(&self) -> Vec<String> {
        match self {
            Member::Role { name } => vec![name.text.to_string()],
            Member::YearRange { from, to, .. } => {
                match (year_group_order(&from.text), year_group_order(&to.text)) {
                    (Some(a), Some(b)) => (a..=b).map(year_group_name).collect(),
                    _ => Vec::new(),
                }
            }
        }
    }
}

/// Year-group names in school order: nursery, reception, year-1 … year-13.
pub(crate) fn year_group_order(name: &str) -> Option<u32> {
    match name {
        "nursery" => Some(0),
        "reception" => Some(1),
        _ => name
            .strip_prefix("year-")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| (1..=13).contains(n))
            .map(|n| n + 1),
    }
}

/// The year group at a place in school order.
pub(crate) fn year_group_name(order: u32) -> String {
    match order {
        0 => "nursery".to_owned(),
        1 => "reception".to_owned(),
        n => format!("year-{}", n - 1),
    }
}

// ---------------------------------------------------------------------------
// timetable

/// `timetable` and its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Timetable {
    /// The lines in order.
    pub items: Vec<TimetableItem>,
    /// The heading line.
    pub span: Span,
    /// Comments around the heading.
    pub trivia: Trivia,
}

/// A line of the timetable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TimetableItem {
    /// A days line and the periods under it.
    Day(DaySchedule),
    /// `social-time means break, lunch`.
    Alias(Alias),
    /// `term "Autumn" 2025-09-03 to 2025-12-19`.
    Term(DateRange),
    /// `holiday "Half term" 2025-10-27 to 2025-10-31`.
    Holiday(DateRange),
}

/// `monday to friday` followed by the periods of those days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DaySchedule {
    /// The days the periods apply to.
    pub days: Days,
    /// The periods, in order written.
    pub periods: Vec<Period>,
    /// The days line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// The days a schedule applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Days {
    /// `monday to friday`.
    Range {
        /// First day.
        from: DayName,
        /// Last day.
        to: DayName,
    },
    /// `monday, wednesday`.
    List {
        /// The days.
        days: Vec<DayName>,
    },
}

/// A weekday as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DayName {
    /// The day.
    pub day: Weekday,
    /// Where it was written.
    pub span: Span,
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
#[non_exhaustive]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    /// All days, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    /// 0 for Monday to 6 for Sunday.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The lowercase English name.
    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Monday => "monday",
            Weekday::Tuesday => "tuesday",
            Weekday::Wednesday => "wednesday",
            Weekday::Thursday => "thursday",
            Weekday::Friday => "friday",
            Weekday::Saturday => "saturday",
            Weekday::Sunday => "sunday",
        }
    }

    /// Reads a day name in any case.
    pub fn parse(text: &str) -> Option<Weekday> {
        Weekday::ALL
            .into_iter()
            .find(|d| d.as_str().eq_ignore_ascii_case(text))
    }
}

/// `lessons 08:45 to 10:30`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Period {
    /// The period's name.
    pub name: Name,
    /// When it starts.
    pub start: TimeValue,
    /// When it ends (exclusive).
    pub end: TimeValue,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// A clock time as written; may be impossible (`25:99`), which the checker reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimeValue {
    /// Hours as written.
    pub hour: u32,
    /// Minutes as written.
    pub minute: u32,
    /// Where it was written.
    pub span: Span,
}

/// `social-time means break, lunch`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Alias {
    /// The alias.
    pub name: Name,
    /// The periods (or aliases) it stands for.
    pub periods: Vec<Name>,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// A term or holiday: a labelled, inclusive range of dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DateRange {
    /// An optional label, e.g. "Autumn term".
    pub label: Option<Text>,
    /// First day (a month means its first day).
    pub from: DateValue,
    /// Last day (a month means its last day).
    pub to: DateValue,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

// ---------------------------------------------------------------------------
// contacts and facts

/// `contacts` and its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Contacts {
    /// The contacts.
    pub contacts: Vec<Contact>,
    /// The heading line.
    pub span: Span,
    /// Comments around the heading.
    pub trivia: Trivia,
}

/// `contact police "Police" phone "101"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Contact {
    /// Its id.
    pub id: Name,
    /// Its title: a role or an agency, never a person's name.
    pub title: Text,
    /// Ways to reach it.
    pub reach: Vec<Reach>,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// A way to reach a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reach {
    /// `phone "…"`.
    Phone {
        /// The number as published.
        number: Text,
    },
    /// `url "…"`.
    Url {
        /// The address.
        url: Text,
    },
    /// `email "…"`.
    Email {
        /// The address.
        address: Text,
    },
    /// `in school`: someone on site, reached in person.
    InSchool {
        /// Where it was written.
        span: Span,
    },
}

/// `facts` and its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Facts {
    /// The facts.
    pub facts: Vec<Fact>,
    /// The heading line.
    pub span: Span,
    /// Comments around the heading.
    pub trivia: Trivia,
}

/// `fact immediate-risk "A child is at immediate risk of harm"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Fact {
    /// The name conditions use.
    pub id: Name,
    /// What it means, in words.
    pub label: Text,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

// ---------------------------------------------------------------------------
// places

/// `places` and its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Places {
    /// The places.
    pub places: Vec<PlaceDef>,
    /// The heading line.
    pub span: Span,
    /// Comments around the heading.
    pub trivia: Trivia,
}

/// `place library "The library"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlaceDef {
    /// The name conditions and questions use.
    pub id: Name,
    /// Its name in words, as the school's document gives it.
    pub label: Text,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

// ---------------------------------------------------------------------------
// rule tables

/// The kinds of rule table, named after the tables of a school's document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TableKind {
    /// `user actions`: acceptable / unacceptable / unacceptable and illegal.
    UserActions,
    /// `communications`: allowed / not allowed, per staff and pupils.
    Communications,
    /// `rules`: allowed / not allowed rules stated in prose (acceptable use
    /// agreements and the like).
    Rules,
}

impl TableKind {
    /// The keyword(s) that open such a table.
    pub fn keyword(self) -> &'static str {
        match self {
            TableKind::UserActions => "user actions",
            TableKind::Communications => "communications",
            TableKind::Rules => "rules",
        }
    }
}

/// A rule table: heading, columns and rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Table {
    /// Which kind of table.
    pub kind: TableKind,
    /// Its id.
    pub id: Name,
    /// Its title, verbatim.
    pub label: Text,
    /// Columns and rows in the order written.
    pub items: Vec<TableItem>,
    /// `locked` lines: what a policy extending this one may only make
    /// stricter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locks: Vec<Lock>,
    /// The heading line.
    pub span: Span,
    /// Comments around the heading.
    pub trivia: Trivia,
}

impl Table {
    /// The columns.
    pub fn columns(&self) -> impl Iterator<Item = &Column> {
        self.items.iter().filter_map(|i| match i {
            TableItem::Column(c) => Some(c),
            TableItem::Row(_) => None,
        })
    }

    /// The rows.
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.items.iter().filter_map(|i| match i {
            TableItem::Row(r) => Some(r),
            TableItem::Column(_) => None,
        })
    }
}

/// A column or a row of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TableItem {
    /// `column adults "Staff & other adults" for staff, visitor`.
    Column(Column),
    /// `row id "label"` and its lines.
    Row(Row),
}

/// A named group of roles, as a table's column heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Column {
    /// Its id, usable in cells instead of the roles.
    pub id: Name,
    /// The heading, verbatim.
    pub label: Text,
    /// The roles it covers.
    pub roles: RoleList,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// A list of roles (or columns), or `everyone`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RoleList {
    /// `everyone`: all four base roles.
    Everyone {
        /// Where it was written.
        span: Span,
    },
    /// Named roles or columns.
    Names {
        /// The names.
        names: Vec<Name>,
    },
    /// Roles, columns and year ranges (`year-7 to year-11, sixth-form`):
    /// written so only when a range is among them.
    Members {
        /// The members, in order.
        members: Vec<Member>,
    },
}

impl RoleList {
    /// The list as written: `everyone`, or its names and ranges joined by
    /// commas.
    pub fn words(&self) -> String {
        match self {
            RoleList::Everyone { .. } => "everyone".to_owned(),
            RoleList::Names { names } => names
                .iter()
                .map(|n| &*n.text)
                .collect::<Vec<_>>()
                .join(", "),
            RoleList::Members { members } => members
                .iter()
                .map(Member::words)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Where the list was written.
    pub fn span(&self) -> Span {
        match self {
            RoleList::Everyone { span } => *span,
            RoleList::Names { names } => match (names.first(), names.last()) {
                (Some(first), Some(last)) => first.span.to(last.span),
                _ => Span::default(),
            },
            RoleList::Members { members } => match (members.first(), members.last()) {
                (Some(first), Some(last)) => first.span().to(last.span()),
                _ => Span::default(),
            },
        }
    }
}

/// A row: an action or technology with its answers per role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Row {
    /// Its id.
    pub id: Name,
    /// Its label, verbatim from the source document.
    pub label: Text,
    /// Cells, breach links and routes in the order written.
    pub items: Vec<RowItem>,
    /// `locked` lines: what a policy extending this one may only make
    /// stricter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locks: Vec<Lock>,
    /// The `row` line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// A line under a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RowItem {
    /// `pupils: not allowed`.
    Cell(Cell),
    /// `breach by pupil: unauthorised-mobile`.
    Breach(Breach),
    /// `follow route illegal`.
    Follow(Follow),
}

/// The answer a row gives for some roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cell {
    /// Whom it answers for.
    pub roles: RoleList,
    /// The answer.
    pub answer: Answer,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// An answer as written in a cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Answer {
    /// Which answer.
    pub kind: AnswerKind,
    /// Where it was written.
    pub span: Span,
}

/// The answers a cell can give. User-actions tables use the `Acceptable…`
/// family, communications and rules tables the `Allowed…` family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AnswerKind {
    /// `acceptable`.
    Acceptable,
    /// `acceptable at certain times [during|outside …]`.
    AcceptableAtCertainTimes {
        /// When, if the policy says.
        window: Option<Box<Window>>,
    },
    /// `acceptable for nominated users`.
    AcceptableForNominatedUsers,
    /// `unacceptable`.
    Unacceptable,
    /// `unacceptable and illegal`.
    UnacceptableAndIllegal,
    /// `allowed`.
    Allowed,
    /// `allowed at certain times [during|outside …]`.
    AllowedAtCertainTimes {
        /// When, if the policy says.
        window: Option<Box<Window>>,
    },
    /// `allowed for selected staff`.
    AllowedForSelectedStaff,
    /// `allowed for nominated users`.
    AllowedForNominatedUsers,
    /// `allowed with [staff] permission [from role]`.
    AllowedWithPermission {
        /// Whether the cell said "staff permission".
        staff: bool,
        /// Whose permission, if the policy says.
        from: Option<Box<Name>>,
    },
    /// `not allowed`.
    NotAllowed,
    /// `blank`: the document leaves this cell empty.
    Blank,
    /// `allowed only <condition>` (`acceptable only …` in a user-actions
    /// table): allowed when the condition holds, denied when it does not.
    Only {
        /// `acceptable` rather than `allowed`.
        acceptable: bool,
        /// The condition.
        cond: Box<Cond>,
    },
    /// `allowed except <condition>`: allowed unless the condition holds.
    Except {
        /// `acceptable` rather than `allowed`.
        acceptable: bool,
        /// The condition.
        cond: Box<Cond>,
    },
}

impl AnswerKind {
    /// The answer's words, as written in a policy (without any window).
    pub fn words(&self) -> &'static str {
        match self {
            AnswerKind::Acceptable => "acceptable",
            AnswerKind::AcceptableAtCertainTimes { .. } => "acceptable at certain times",
            AnswerKind::AcceptableForNominatedUsers => "acceptable for nominated users",
            AnswerKind::Unacceptable => "unacceptable",
            AnswerKind::UnacceptableAndIllegal => "unacceptable and illegal",
            AnswerKind::Allowed => "allowed",
            AnswerKind::AllowedAtCertainTimes { .. } => "allowed at certain times",
            AnswerKind::AllowedForSelectedStaff => "allowed for selected staff",
            AnswerKind::AllowedForNominatedUsers => "allowed for nominated users",
            AnswerKind::AllowedWithPermission { staff: true, .. } => {
                "allowed with staff permission"
            }
            AnswerKind::AllowedWithPermission { staff: false, .. } => "allowed with permission",
            AnswerKind::NotAllowed => "not allowed",
            AnswerKind::Blank => "blank",
            AnswerKind::Only {
                acceptable: true, ..
            } => "acceptable only",
            AnswerKind::Only { .. } => "allowed only",
            AnswerKind::Except {
                acceptable: true, ..
            } => "acceptable except",
            AnswerKind::Except { .. } => "allowed except",
        }
    }
}

/// `during break, lunch` or `outside pupil-supervision`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Window {
    /// Inside or outside the periods.
    pub kind: WindowKind,
    /// The periods or aliases.
    pub periods: Vec<Name>,
    /// Where it was written.
    pub span: Span,
}

/// Whether a window means inside or outside its periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WindowKind {
    /// `during …`: only in those periods.
    During,
    /// `outside …`: only when none of those periods is on.
    Outside,
}

/// `breach by pupil: unauthorised-mobile`: the incident that a denied or
/// illegal answer constitutes, for those roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Breach {
    /// Whose breach.
    pub roles: RoleList,
    /// The incident it constitutes.
    pub incident: Name,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// `follow route illegal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Follow {
    /// The route.
    pub route: Name,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

// ---------------------------------------------------------------------------
// devices

/// A `devices` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Devices {
    /// Its id.
    pub id: Name,
    /// Its title, verbatim.
    pub label: Text,
    /// The device kinds.
    pub devices: Vec<Device>,
    /// The heading line.
    pub span: Span,
    /// Comments around the heading.
    pub trivia: Trivia,
}

/// A kind of device and what it may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Device {
    /// Its id.
    pub id: Name,
    /// Its label, verbatim.
    pub label: Text,
    /// The column group in the document, e.g. "Personal Devices".
    pub group: Option<Text>,
    /// Its lines in order.
    pub items: Vec<DeviceItem>,
    /// The `device` line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// A line under a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeviceItem {
    /// `allowed in school: yes, "left in office"`.
    InSchool(InSchool),
    /// `network access: internet only`.
    Network(NetworkLine),
    /// `breach by pupil: …`.
    Breach(Breach),
}

/// Whether the device may be in school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InSchool {
    /// The answer.
    pub presence: Presence,
    /// A note from the document, e.g. "left in office".
    pub note: Option<Text>,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// The answers to "allowed in school".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Presence {
    /// `yes`.
    Yes,
    /// `no`.
    No,
    /// `with [staff] permission [from role]`.
    WithPermission {
        /// Whether it said "staff permission".
        staff: bool,
        /// Whose permission.
        from: Option<Box<Name>>,
    },
    /// `blank`.
    Blank,
}

/// `network access: …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NetworkLine {
    /// The access the device gets.
    pub access: NetworkAccess,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// The network access a device gets: the three rows of the SWGfL table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NetworkAccess {
    /// Full network access.
    Full,
    /// Internet only.
    InternetOnly,
    /// No network access.
    None,
    /// The document leaves it empty.
    Blank,
}

// ---------------------------------------------------------------------------
// incidents

/// An `incidents` table: response columns and incident rows, for some roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Incidents {
    /// Its id.
    pub id: Name,
    /// Its title, verbatim.
    pub label: Text,
    /// Whose incidents these are.
    pub roles: RoleList,
    /// Responses and incidents in the order written.
    pub items: Vec<IncidentsItem>,
    /// `locked` lines: what a policy extending this one may only make
    /// stricter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locks: Vec<Lock>,
    /// The heading line.
    pub span: Span,
    /// Comments around the heading.
    pub trivia: Trivia,
}

impl Incidents {
    /// The response columns.
    pub fn responses(&self) -> impl Iterator<Item = &Response> {
        self.items.iter().filter_map(|i| match i {
            IncidentsItem::Response(r) => Some(r),
            _ => None,
        })
    }

    /// The incident rows.
    pub fn incidents(&self) -> impl Iterator<Item = &Incident> {
        self.items.iter().filter_map(|i| match i {
            IncidentsItem::Incident(r) => Some(r),
            _ => None,
        })
    }

    /// The ladders of the whole table.
    pub fn ladders(&self) -> impl Iterator<Item = &Ladder> {
        self.items.iter().filter_map(|i| match i {
            IncidentsItem::Ladder(l) => Some(l),
            _ => None,
        })
    }
}

/// A response column or an incident row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum IncidentsItem {
    /// `response id "label" refer …|notify …|sanction`.
    Response(Response),
    /// `incident id "label"` and its lines.
    Incident(Incident),
    /// `ladder id "label"` and its lines: a ladder for every incident of the
    /// table.
    Ladder(Ladder),
}

/// A response column: a referral, a notification or a sanction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Response {
    /// Its id.
    pub id: Name,
    /// The column heading, verbatim.
    pub label: Text,
    /// What kind of response.
    pub kind: ResponseKind,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// The kinds of response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResponseKind {
    /// `refer [to] a, b`: a referral to roles or contacts.
    Refer {
        /// To whom.
        to: Vec<Name>,
    },
    /// `notify a, b`: someone is informed.
    Notify {
        /// Whom.
        to: Vec<Name>,
    },
    /// `sanction`.
    Sanction,
}

/// An incident row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Incident {
    /// Its id.
    pub id: Name,
    /// Its label, verbatim.
    pub label: Text,
    /// Its lines in order.
    pub items: Vec<IncidentItem>,
    /// `locked` lines: what a policy extending this one may only make
    /// stricter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locks: Vec<Lock>,
    /// The `incident` line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// A line under an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum IncidentItem {
    /// `responses: a, b`: the marked columns.
    Responses(ResponsesLine),
    /// `follow route r`.
    Follow(Follow),
    /// `repeat offences after N prior incidents`.
    Repeat(Repeat),
    /// `reported directly`.
    ReportedDirectly(Directly),
    /// `count this incident per term`: what the incident's own ladder counts.
    Count(Count),
    /// `2nd time: a, b`: a tier of the incident's own ladder.
    Tier(Tier),
}

/// `ladder pastoral "Three incidents within 30 days"`: a ladder that applies
/// to every incident of its table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Ladder {
    /// Its id.
    pub id: Name,
    /// Its title, verbatim.
    pub label: Text,
    /// Its `count` and tier lines, in order.
    pub items: Vec<LadderItem>,
    /// The heading line.
    pub span: Span,
    /// Comments around the heading.
    pub trivia: Trivia,
}

/// A line of a ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LadderItem {
    /// `count …`.
    Count(Count),
    /// `1st time: …`.
    Tier(Tier),
}

/// `count this incident per term`: which earlier incidents count toward a
/// ladder's tiers, and over which window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Count {
    /// Which incidents count.
    pub what: Counted,
    /// Over which window.
    pub window: CountWindow,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// Which earlier incidents a ladder counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Counted {
    /// `this incident`: the same incident as the one asked about.
    ThisIncident,
    /// `incidents of this table`.
    ThisTable,
    /// `any incident`.
    AnyIncident,
}

/// The window a ladder counts over: the one that contains the question's
/// time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum CountWindow {
    /// `per term`.
    Term,
    /// `per half term`.
    HalfTerm,
    /// `per school year`: 1 September to 31 August.
    SchoolYear,
    /// `within N days`: the N days up to the question's time.
    Days {
        /// How many days.
        days: u32,
    },
    /// `ever`.
    Ever,
}

/// `3rd time or more, instead: phone-ban, follow route exclusion`: what
/// follows the Nth time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tier {
    /// Which time (1 for `1st`).
    pub number: u32,
    /// `or more`: this and every later time (until a later tier).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub or_more: bool,
    /// `instead`: the tier's responses replace the incident's own, rather
    /// than adding to them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub instead: bool,
    /// The response columns the tier adds.
    pub responses: Vec<Name>,
    /// `follow route r`: the tier's procedure, in place of the incident's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<Name>,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

impl Counted {
    /// As written after `count`: `this incident`, `incidents of this table`
    /// or `any incident`.
    pub fn words(self) -> &'static str {
        match self {
            Counted::ThisIncident => "this incident",
            Counted::ThisTable => "incidents of this table",
            Counted::AnyIncident => "any incident",
        }
    }
}

impl CountWindow {
    /// As written at the end of a `count` line: `per term`, `within 30 days`…
    pub fn words(self) -> String {
        match self {
            CountWindow::Term => "per term".to_owned(),
            CountWindow::HalfTerm => "per half term".to_owned(),
            CountWindow::SchoolYear => "per school year".to_owned(),
            CountWindow::Days { days: 1 } => "within 1 day".to_owned(),
            CountWindow::Days { days } => format!("within {days} days"),
            CountWindow::Ever => "ever".to_owned(),
        }
    }
}

impl Count {
    /// The line in its canonical form.
    pub fn words(&self) -> String {
        format!("count {} {}", self.what.words(), self.window.words())
    }
}

impl Tier {
    /// `3rd time or more`: which times the tier is for.
    pub fn times(&self) -> String {
        let more = if self.or_more { " or more" } else { "" };
        format!("{} time{more}", ordinal(self.number))
    }

    /// The line in its canonical form.
    pub fn words(&self) -> String {
        let mut line = self.times();
        if self.instead {
            line.push_str(", instead");
        }
        line.push(':');
        let mut parts: Vec<String> = self.responses.iter().map(|r| r.text.to_string()).collect();
        if let Some(route) = &self.route {
            parts.push(format!("follow route {}", route.text));
        }
        line.push(' ');
        line.push_str(&parts.join(", "));
        line
    }
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`…
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `responses: headteacher, police`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponsesLine {
    /// The response columns marked for this incident.
    pub responses: Vec<Name>,
    /// `responses as appropriate:`: the document marks these `(X)`, to be
    /// used as appropriate rather than always.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// `repeat offences after 1 prior incident`: this incident's responses are
/// added to any other incident of the table once the person has this many
/// prior incidents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Repeat {
    /// How many prior incidents trigger it.
    pub after: u32,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// `reported directly`: staff report this incident themselves; no breach
/// leads to it, on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Directly {
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

// ---------------------------------------------------------------------------
// routes

/// An escalation route: ordered steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Route {
    /// Its id.
    pub id: Name,
    /// Its title, verbatim.
    pub label: Text,
    /// The steps in order.
    pub steps: Vec<Step>,
    /// `locked` lines: what a policy extending this one may only make
    /// stricter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locks: Vec<Lock>,
    /// The heading line.
    pub span: Span,
    /// Comments around the heading.
    pub trivia: Trivia,
}

/// `step "text" refer a notify b if fact`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Step {
    /// What to do, verbatim.
    pub text: Text,
    /// Referral targets.
    pub refer: Vec<Name>,
    /// Whom to notify.
    pub notify: Vec<Name>,
    /// When the step applies; always when `None`.
    pub condition: Option<Condition>,
    /// The whole line.
    pub span: Span,
    /// Comments around it.
    pub trivia: Trivia,
}

/// A step's condition: `if <condition>` or `unless <condition>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Condition {
    /// `unless` rather than `if`.
    pub negated: bool,
    /// What is tested.
    pub cond: Cond,
    /// Where it was written.
    pub span: Span,
}

/// A condition: tests joined by `and` or by `or`, with one level of
/// grouping in parentheses: `during break, lunch or in sixth-form-centre`,
/// `illegal and not immediate-risk`, `(in library or in canteen) and with
/// permission`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cond {
    /// The tests and groups, in order.
    pub terms: Vec<CondTerm>,
    /// The words joining them (one fewer than the terms).
    pub connectives: Vec<Connective>,
    /// Where it was written.
    pub span: Span,
}

/// A test, or a group of tests in parentheses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CondTerm {
    /// One test.
    Test(CondTest),
    /// `( … )`: tests joined by one connective.
    Group {
        /// The tests, in order.
        tests: Vec<CondTest>,
        /// The words joining them.
        connectives: Vec<Connective>,
        /// Where it was written, parentheses included.
        span: Span,
    },
}

/// One test of a condition, perhaps with `not`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CondTest {
    /// `not` before it.
    pub negated: bool,
    /// What it tests.
    pub test: Test,
    /// Where it was written, `not` included.
    pub span: Span,
}

/// What a test of a condition asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "test", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Test {
    /// `during break, lunch`: one of the periods is on.
    During {
        /// The periods or aliases.
        periods: Vec<Name>,
    },
    /// `outside lessons`: none of the periods is on.
    Outside {
        /// The periods or aliases.
        periods: Vec<Name>,
    },
    /// `in library, canteen`: the person is in one of the places.
    In {
        /// The places.
        places: Vec<Name>,
    },
    /// `with [staff] permission [from head-teacher]`.
    Permission {
        /// Whether it said "staff permission".
        staff: bool,
        /// Whose permission, if it says.
        from: Option<Box<Name>>,
    },
    /// `for nominated users` or `for selected staff`.
    Nominated {
        /// `for selected staff` rather than `for nominated users`.
        selected_staff: bool,
    },
    /// A fact, by name: `immediate-risk`.
    Fact {
        /// The fact.
        name: Name,
    },
}

/// `and` / `or`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
#[non_exhaustive]
pub enum Connective {
    And,
    Or,
}
