//! The compiled policy: names interned to dense ids, every (row, role) answer
//! precomputed, the timetable turned into sorted intervals.
//!
//! Built once by the checker, then immutable and shared: [`Policy`] is an
//! `Arc` inside, so cloning it is cheap and it can be sent across threads.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::timetable::CompiledTimetable;

/// Dense id of a role.
pub(crate) type RoleId = u16;
/// Dense id of a row of a rule table.
pub(crate) type RowId = u32;
/// Dense id of a cell.
pub(crate) type CellId = u32;
/// Dense id of an incident.
pub(crate) type IncidentId = u32;
/// Dense id of a route.
pub(crate) type RouteId = u32;

/// "No cell" in the answer matrix.
pub(crate) const NO_CELL: CellId = CellId::MAX;

/// A fast hasher for the policy's own names (as in FxHash). These maps are
/// keyed by names from the policy file and only looked up with a question's
/// names, so there is no flood of chosen keys to defend against, and the
/// look-up is on every decision's path.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &byte in chunks.remainder() {
            self.add(u64::from(byte));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// A `HashSet` with [`FxHasher`].
pub(crate) type FxSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<FxHasher>>;

/// The four base roles every policy has (a contract with callers).
pub const BASE_ROLES: [&str; 4] = ["staff", "pupil", "visitor", "parent"];

/// Facts every policy knows without declaring them.
pub const BUILT_IN_FACTS: [(&str, &str); 3] = [
    (
        "nominated",
        "The person is a nominated user or one of the selected staff",
    ),
    (
        "permission",
        "The person has the permission the rule asks for",
    ),
    ("immediate-risk", "A child is at immediate risk of harm"),
];

/// A date in a policy: a whole day, or a whole month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PolicyDate {
    /// Year.
    pub year: i16,
    /// Month, 1 to 12.
    pub month: i8,
    /// Day of month; `None` for a whole month.
    pub day: Option<i8>,
}

impl PolicyDate {
    /// The first day the date covers.
    pub fn first_day(self) -> jiff::civil::Date {
        jiff::civil::Date::new(self.year, self.month, self.day.unwrap_or(1))
            .unwrap_or(jiff::civil::Date::MIN)
    }

    /// The last day the date covers (the month's last day for a whole month).
    pub fn last_day(self) -> jiff::civil::Date {
        match self.day {
            Some(_) => self.first_day(),
            None => self.first_day().last_of_month(),
        }
    }
}

impl std::fmt::Display for PolicyDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let month = crate::calendar::month_name(self.month).unwrap_or("?");
        match self.day {
            Some(day) => write!(f, "{day} {month} {}", self.year),
            None => write!(f, "{month} {}", self.year),
        }
    }
}

/// The school a policy belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SchoolInfo {
    /// The school's name.
    pub name: String,
    /// The template the policy grew from.
    pub template: Option<String>,
    /// When the policy was approved.
    pub approved: Option<PolicyDate>,
    /// When it must next be reviewed.
    pub review_by: Option<PolicyDate>,
    /// Who owns it.
    pub owner: Option<String>,
}

/// A role and its place in the hierarchy. Roles are equal when their id,
/// group and line are (the dense id of the group is the compiled policy's
/// own, and not part of the JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoleInfo {
    /// Its id, e.g. `year-5`.
    pub id: Arc<str>,
    /// The group it belongs to; `None` for the four base roles.
    pub parent: Option<Arc<str>>,
    /// The line that declares it (0 for base roles).
    pub line: u32,
    #[serde(skip)]
    pub(crate) parent_id: Option<RoleId>,
}

impl PartialEq for RoleInfo {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.parent == other.parent && self.line == other.line
    }
}

impl Eq for RoleInfo {}

/// A referral target, notification target or permission giver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Target {
    /// The role or contact id.
    pub id: Arc<str>,
    /// Its title: a contact's title, or the role id for a role.
    pub title: Arc<str>,
    /// A phone number, as published.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub phone: Option<Arc<str>>,
    /// A web address.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub url: Option<Arc<str>>,
    /// An email address.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub email: Option<Arc<str>>,
}

/// A contact from the `contacts` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContactInfo {
    /// How to reach it.
    #[serde(flatten)]
    pub target: Target,
    /// Whether it is someone on site.
    pub in_school: bool,
    /// Its line.
    pub line: u32,
}

/// A fact that queries may give and conditions may test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FactInfo {
    /// Its name.
    pub id: Arc<str>,
    /// What it means.
    pub label: Arc<str>,
    /// Whether it is built in (`nominated`, `permission`, `immediate-risk`).
    pub built_in: bool,
}

/// One response (a table column): a referral, notification or sanction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseInfo {
    /// The column id.
    pub id: Arc<str>,
    /// The column heading, verbatim.
    pub label: Arc<str>,
    /// Whom it goes to (empty for sanctions).
    #[serde(skip_serializing_if = "<[Target]>::is_empty", default)]
    pub to: Arc<[Target]>,
    /// The document marks it "as appropriate" (`(X)`) for this incident:
    /// to be used as the case needs, not always.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub optional: bool,
}

/// The kinds of rule table.
pub use crate::ast::TableKind;

/// The rule (table row and cell) that produced a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RuleRef {
    /// The table's id.
    pub table: Arc<str>,
    /// The row's id (for devices, the capability's id).
    pub row: Arc<str>,
    /// The row's label, verbatim.
    pub label: Arc<str>,
    /// The cell's column: the roles it names, or the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<Arc<str>>,
    /// The source line of the cell that answered (the row's line when no
    /// cell did).
    pub line: u32,
    /// The file that line is in, for a policy that extends another (the
    /// school's file, or the trust's); `None` for a policy on its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<Arc<str>>,
}

/// The incident a decision is about or leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncidentRef {
    /// The incidents table's id.
    pub table: Arc<str>,
    /// The incident's id.
    pub id: Arc<str>,
    /// Its label, verbatim.
    pub label: Arc<str>,
    /// Its line.
    pub line: u32,
    /// The file that line is in, for a policy that extends another; `None`
    /// for a policy on its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<Arc<str>>,
}

/// What follows an incident: referrals, notifications and sanctions, each in
/// the table's column order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Responses {
    /// Referrals (to a role or contact).
    pub referrals: Vec<ResponseInfo>,
    /// Notifications (e.g. inform parents / carers).
    pub notifications: Vec<ResponseInfo>,
    /// Sanctions.
    pub sanctions: Vec<ResponseInfo>,
}

impl Responses {
    /// All of them, referrals first.
    pub fn iter(&self) -> impl Iterator<Item = &ResponseInfo> {
        self.referrals
            .iter()
            .chain(&self.notifications)
            .chain(&self.sanctions)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.referrals.is_empty() && self.notifications.is_empty() && self.sanctions.is_empty()
    }
}

/// A rule table, for listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TableInfo {
    /// Its id.
    pub id: Arc<str>,
    /// Its title, verbatim.
    pub label: Arc<str>,
    /// Its kind.
    pub kind: TableKind,
    /// Its heading line.
    pub line: u32,
    /// Its rows in order.
    pub rows: Vec<RowSummary>,
}

/// A row, for listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RowSummary {
    /// Its id.
    pub id: Arc<str>,
    /// Its label, verbatim.
    pub label: Arc<str>,
    /// Its line.
    pub line: u32,
}

/// How a compiled cell answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CellAnswer {
    Allow,
    Deny,
    Illegal,
    Blank,
    /// At certain times; `None` when the policy does not say which. Windows
    /// are shared between the cells that name the same periods.
    AtTimes(Option<Arc<crate::timetable::WindowMask>>),
    /// For nominated users / selected staff.
    Nominated,
    /// With permission (from someone, if the policy says).
    Permission,
    /// `allowed only <condition>` (`only` true) or `allowed except
    /// <condition>` (`only` false).
    When {
        /// The condition.
        expr: Arc<crate::condition::Expr>,
        /// Allowed when it holds, rather than when it does not.
        only: bool,
    },
}

impl CellAnswer {
    /// Higher is more restrictive: at equal specificity the most restrictive
    /// answer wins ("deny wins").
    pub(crate) fn restrictiveness(&self) -> u8 {
        match self {
            CellAnswer::Illegal => 6,
            CellAnswer::Deny => 5,
            CellAnswer::Blank => 4,
            CellAnswer::AtTimes(None) => 3,
            CellAnswer::Permission
            | CellAnswer::Nominated
            | CellAnswer::AtTimes(Some(_))
            | CellAnswer::When { .. } => 2,
            CellAnswer::Allow => 1,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct CellInfo {
    /// What a decision this cell makes cites, shared by all of them.
    pub(crate) rule: Arc<RuleRef>,
    pub(crate) answer: CellAnswer,
    /// The answer's words, e.g. "allowed at certain times".
    pub(crate) words: &'static str,
    /// The condition text for a conditional answer.
    pub(crate) condition: Option<Arc<str>>,
    /// Whom the cell names, as written (`pupils`, `year-5, year-6`).
    pub(crate) roles_text: Arc<str>,
    pub(crate) line: u32,
    /// The roles it answers for, by number among the checker's sets of
    /// roles: what compiling the answer matrix reads. The checker writes
    /// each cell once, in its final place, and compiling keeps the list.
    pub(crate) roles: u32,
}

/// One role of a `breach by …` line, with the incident it resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BreachEntry {
    pub(crate) role: RoleId,
    pub(crate) incident: IncidentId,
    pub(crate) line: u32,
    /// Which file of a family the line is in (an index into
    /// `PolicyData::files`).
    pub(crate) file: u16,
}

/// Ids and labels to look rows (or devices) up by, without copying them:
/// ids by the entries' own `Arc`s, labels by a hash of their folded form
/// (see [`normalize_label`](crate::normalize_label)), checked against the
/// entries' labels when found.
#[derive(Debug, Default)]
pub(crate) struct NameIndex<T> {
    ids: FxMap<Arc<str>, T>,
    /// Label hash to the one entry with it.
    labels: FxMap<u64, T>,
    /// Label hashes that several entries share (a shared label, or a hash
    /// collision), with all of them.
    shared: FxMap<u64, Vec<T>>,
}

/// What a label finds.
pub(crate) enum LabelMatch<T> {
    None,
    One(T),
    Many(Vec<T>),
}

impl<T: Copy> NameIndex<T> {
    pub(crate) fn insert(&mut self, id: Arc<str>, label: &str, value: T) {
        self.ids.insert(id, value);
        self.insert_label(crate::suggest::label_hash(label), value);
    }

    /// Adds an entry under its id, unless another entry has that id:
    /// then returns that entry and adds nothing.
    pub(crate) fn insert_id(&mut self, id: Arc<str>, value: T) -> Result<(), T> {
        use std::collections::hash_map::Entry;
        match self.ids.entry(id) {
            Entry::Occupied(taken) => Err(*taken.get()),
            Entry::Vacant(free) => {
                free.insert(value);
                Ok(())
            }
        }
    }

    /// Adds an entry under the hash of its label
    /// ([`crate::suggest::label_hash`]), and returns the entries added
    /// under the same hash before it, in order: those whose label may be
    /// the same.
    pub(crate) fn insert_label(&mut self, hash: u64, value: T) -> &[T] {
        use std::collections::hash_map::Entry;
        // One look-up for a label not seen before, the usual case.
        match self.labels.entry(hash) {
            Entry::Occupied(one) => {
                let first = one.remove();
                self.shared.insert(hash, vec![first, value]);
            }
            Entry::Vacant(free) => match self.shared.get_mut(&hash) {
                Some(many) => many.push(value),
                None => {
                    free.insert(value);
                    return &[];
                }
            },
        }
        self.shared
            .get(&hash)
            .and_then(|many| many.split_last())
            .map_or(&[], |(_, before)| before)
    }

    /// The entries that share a label hash, in the order they were added.
    pub(crate) fn sharing(&self, hash: u64) -> &[T] {
        self.shared.get(&hash).map_or(&[], |many| many)
    }

    pub(crate) fn id(&self, id: &str) -> Option<T> {
        self.ids.get(id).copied()
    }

    /// The entries whose label folds to the same as `label`; `label_of`
    /// gives an entry's label.
    pub(crate) fn label<'a>(&self, label: &str, label_of: impl Fn(T) -> &'a str) -> LabelMatch<T> {
        let hash = crate::suggest::label_hash(label);
        let candidates: &[T] = match (self.labels.get(&hash), self.shared.get(&hash)) {
            (Some(one), _) => std::slice::from_ref(one),
            (None, Some(many)) => many,
            (None, None) => &[],
        };
        let mut found: Vec<T> = candidates
            .iter()
            .copied()
            .filter(|&c| crate::suggest::labels_equal(label, label_of(c)))
            .collect();
        match found.len() {
            0 => LabelMatch::None,
            1 => found.pop().map_or(LabelMatch::None, LabelMatch::One),
            _ => LabelMatch::Many(found),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RowInfo {
    /// What a decision cites when no cell of the row answers.
    pub(crate) rule: Arc<RuleRef>,
    pub(crate) table: u32,
    pub(crate) id: Arc<str>,
    pub(crate) label: Arc<str>,
    pub(crate) line: u32,
    /// Its entries in [`PolicyData::breaches`].
    pub(crate) breaches: std::ops::Range<u32>,
    pub(crate) route: Option<RouteId>,
}

/// The network access a device gets.
pub use crate::ast::NetworkAccess;

/// The questions a devices table answers. Their labels are the rows of the
/// SWGfL "Mobile Technologies" table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Capability {
    /// "Allowed in school".
    AllowedInSchool,
    /// "Full network access".
    FullNetworkAccess,
    /// "Internet only".
    InternetOnly,
    /// "No network access".
    NoNetworkAccess,
}

impl Capability {
    /// All capabilities, in the table's order.
    pub const ALL: [Capability; 4] = [
        Capability::AllowedInSchool,
        Capability::FullNetworkAccess,
        Capability::InternetOnly,
        Capability::NoNetworkAccess,
    ];

    /// The id used in queries.
    pub fn id(self) -> &'static str {
        match self {
            Capability::AllowedInSchool => "allowed-in-school",
            Capability::FullNetworkAccess => "full-network-access",
            Capability::InternetOnly => "internet-only",
            Capability::NoNetworkAccess => "no-network-access",
        }
    }

    /// The row label in the SWGfL table.
    pub fn label(self) -> &'static str {
        match self {
            Capability::AllowedInSchool => "Allowed in school",
            Capability::FullNetworkAccess => "Full network access",
            Capability::InternetOnly => "Internet only",
            Capability::NoNetworkAccess => "No network access",
        }
    }

    /// The network access this capability asks about, if it is a network row.
    pub(crate) fn access(self) -> Option<NetworkAccess> {
        match self {
            Capability::AllowedInSchool => None,
            Capability::FullNetworkAccess => Some(NetworkAccess::Full),
            Capability::InternetOnly => Some(NetworkAccess::InternetOnly),
            Capability::NoNetworkAccess => Some(NetworkAccess::None),
        }
    }
}

/// A device kind, for listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeviceSummary {
    /// The devices table it is in.
    pub table: Arc<str>,
    /// Its id.
    pub id: Arc<str>,
    /// Its label, verbatim.
    pub label: Arc<str>,
    /// Its column group ("School Devices", "Personal Devices").
    pub group: Option<Arc<str>>,
    /// Its line.
    pub line: u32,
}

#[derive(Debug, Clone)]
pub(crate) enum PresenceAnswer {
    Yes,
    No,
    Permission,
    Blank,
}

#[derive(Debug, Clone)]
pub(crate) struct DeviceInfo {
    pub(crate) summary: DeviceSummary,
    pub(crate) table_label: Arc<str>,
    pub(crate) presence: PresenceAnswer,
    pub(crate) presence_line: u32,
    pub(crate) presence_condition: Option<Arc<str>>,
    pub(crate) note: Option<Arc<str>>,
    pub(crate) network: NetworkAccess,
    pub(crate) network_line: u32,
    /// Which file of a family the device is in (see `check::Checker::file_of`).
    pub(crate) file: u16,
    pub(crate) breaches: Box<[BreachEntry]>,
    /// What a decision cites for each capability, in `Capability::ALL` order
    /// (filled in when the policy is compiled).
    pub(crate) rules: Vec<Arc<RuleRef>>,
}

/// An incident, for listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncidentSummary {
    /// The incidents table it is in.
    pub table: Arc<str>,
    /// Its id.
    pub id: Arc<str>,
    /// Its label, verbatim.
    pub label: Arc<str>,
    /// Whose incidents the table lists.
    pub roles: Vec<Arc<str>>,
    /// Its line.
    pub line: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct RepeatOffence {
    pub(crate) after: u32,
    pub(crate) repeat: IncidentId,
    /// The incident's own responses and the repeat incident's.
    pub(crate) lists: Arc<Responses>,
}

#[derive(Debug, Clone)]
pub(crate) struct IncidentInfo {
    pub(crate) summary: IncidentSummary,
    /// What decisions cite, shared by all of them.
    pub(crate) reference: Arc<IncidentRef>,
    pub(crate) rule: Arc<RuleRef>,
    pub(crate) table_index: u32,
    pub(crate) lists: Arc<Responses>,
    pub(crate) route: Option<RouteId>,
    pub(crate) escalation: Option<RepeatOffence>,
    /// Its ladders (indices into `PolicyData::ladders`): its own first, then
    /// its table's.
    pub(crate) ladders: Box<[u32]>,
}

#[derive(Debug, Clone)]
pub(crate) struct IncidentTableInfo {
    pub(crate) roles: Vec<RoleId>,
    /// The response columns' ids, in order: tiers' responses are merged in
    /// this order.
    pub(crate) columns: Box<[Arc<str>]>,
}

/// A step of a route. Steps are equal when everything their JSON shows is
/// (the compiled form of the condition is derived from its words).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StepInfo {
    /// Its position in the route, from 1.
    pub number: u32,
    /// What to do, verbatim.
    pub text: Arc<str>,
    /// Referral targets.
    #[serde(skip_serializing_if = "<[Target]>::is_empty", default)]
    pub refer: Arc<[Target]>,
    /// Whom to notify.
    #[serde(skip_serializing_if = "<[Target]>::is_empty", default)]
    pub notify: Arc<[Target]>,
    /// When the step applies, in words (`if immediate-risk`); always if absent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub condition: Option<Arc<str>>,
    /// Its line.
    pub line: u32,
    #[serde(skip)]
    pub(crate) test: Option<StepTest>,
}

/// A step's compiled condition: `if` (holds) or `unless` (does not hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StepTest {
    pub(crate) negated: bool,
    pub(crate) expr: Arc<crate::condition::Expr>,
}

impl PartialEq for StepInfo {
    fn eq(&self, other: &Self) -> bool {
        self.number == other.number
            && self.text == other.text
            && self.refer == other.refer
            && self.notify == other.notify
            && self.condition == other.condition
            && self.line == other.line
    }
}

impl Eq for StepInfo {}

/// A route, for listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RouteInfo {
    /// Its id.
    pub id: Arc<str>,
    /// Its title, verbatim.
    pub label: Arc<str>,
    /// Its line.
    pub line: u32,
    /// The file that line is in, for a policy that extends another; `None`
    /// for a policy on its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<Arc<str>>,
    /// Its steps in order.
    pub steps: Arc<[StepInfo]>,
}

/// A place on the school's site that rules may name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlaceInfo {
    /// Its name, as questions give it.
    pub id: Arc<str>,
    /// Its name in words.
    pub label: Arc<str>,
    /// Its line.
    pub line: u32,
}

/// A period, alias or built-in time name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PeriodInfo {
    /// Its name.
    pub id: Arc<str>,
    /// What kind of name it is.
    pub kind: PeriodKind,
    /// For an alias, the names it stands for.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub means: Vec<Arc<str>>,
    /// When it is on, e.g. "monday to friday 10:30 to 10:45".
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub times: Vec<String>,
}

/// Kinds of time name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PeriodKind {
    /// A period of the timetable.
    Period,
    /// An alias for periods.
    Alias,
    /// `outside-school-hours`, `weekend` or `holiday`.
    BuiltIn,
}

/// Everything a compiled policy holds.
#[derive(Debug)]
pub(crate) struct PolicyData {
    pub(crate) path: String,
    /// The files of a family of policies, the school's first (empty for a
    /// policy on its own): what a line of the policy is cited with.
    pub(crate) files: Vec<Arc<str>>,
    pub(crate) school: SchoolInfo,
    /// Every role; the last is the hidden root `everyone`.
    pub(crate) roles: Vec<RoleInfo>,
    pub(crate) role_index: FxMap<Box<str>, RoleId>,
    /// The role hierarchy laid out for constant-time "is within" tests.
    pub(crate) role_tree: crate::role_tree::RoleTree,
    pub(crate) timetable: CompiledTimetable,
    pub(crate) facts: Vec<FactInfo>,
    /// The places, in the order declared: a place's index is its bit.
    pub(crate) places: Vec<PlaceInfo>,
    pub(crate) contacts: Vec<ContactInfo>,
    pub(crate) tables: Vec<TableInfo>,
    pub(crate) rows: Vec<RowInfo>,
    /// The rows' `breach by` entries, in row order: one list rather than
    /// one per row.
    pub(crate) breaches: Vec<BreachEntry>,
    pub(crate) row_index: NameIndex<RowId>,
    pub(crate) cells: Vec<CellInfo>,
    /// `rows.len() × roles.len()`: the cell that answers each (row, role).
    pub(crate) matrix: Vec<CellId>,
    pub(crate) devices: Vec<DeviceInfo>,
    pub(crate) device_index: NameIndex<u32>,
    pub(crate) incident_tables: Vec<IncidentTableInfo>,
    pub(crate) incidents: Vec<IncidentInfo>,
    pub(crate) incident_index: FxMap<Box<str>, Vec<IncidentId>>,
    pub(crate) incident_labels: FxMap<String, Vec<IncidentId>>,
    pub(crate) routes: Vec<Arc<RouteInfo>>,
    pub(crate) ladders: Vec<crate::escalation::LadderInfo>,
    pub(crate) warnings: Vec<Diagnostic>,
    /// Empty response lists, shared by every decision that has none, so that
    /// deciding does not allocate.
    pub(crate) no_responses: Arc<Responses>,
    /// `["permission"]` and `["nominated"]`: what a conditional answer on
    /// permission or nomination needs, shared so that it does not allocate.
    pub(crate) needs_permission: Arc<[Arc<str>]>,
    pub(crate) needs_nomination: Arc<[Arc<str>]>,
    /// An empty list of names, shared for the same reason.
    pub(crate) no_names: Arc<[Arc<str>]>,
}

/// A checked, compiled policy, ready to answer questions.
///
/// Immutable, `Send + Sync`, and cheap to clone (an `Arc` inside): load it once
/// and share it between threads. Build one with [`Policy::parse`] or
/// [`Policy::from_file`].
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) data: Arc<PolicyData>,
}

impl Policy {
    /// The file name the policy was loaded from.
    pub fn path(&self) -> &str {
        &self.data.path
    }

    /// The school and review dates.
    pub fn school(&self) -> &SchoolInfo {
        &self.data.school
    }

    /// Every role: the four base roles first, then the roles the policy
    /// declares.
    pub fn roles(&self) -> &[RoleInfo] {
        let roles = &self.data.roles;
        // The last role is the hidden root that `everyone` names.
        roles.get(..roles.len().saturating_sub(1)).unwrap_or(roles)
    }

    /// Periods, aliases and built-in time names.
    pub fn periods(&self) -> &[PeriodInfo] {
        self.data.timetable.periods()
    }

    /// The facts queries may give.
    pub fn facts(&self) -> &[FactInfo] {
        &self.data.facts
    }

    /// The places questions may name.
    pub fn places(&self) -> &[PlaceInfo] {
        &self.data.places
    }

    /// The contacts.
    pub fn contacts(&self) -> &[ContactInfo] {
        &self.data.contacts
    }

    /// The rule tables and their rows.
    pub fn tables(&self) -> &[TableInfo] {
        &self.data.tables
    }

    /// The device kinds.
    pub fn devices(&self) -> impl Iterator<Item = &DeviceSummary> {
        self.data.devices.iter().map(|d| &d.summary)
    }

    /// The incidents of every incidents table.
    pub fn incidents(&self) -> impl Iterator<Item = &IncidentSummary> {
        self.data.incidents.iter().map(|i| &i.summary)
    }

    /// The escalation ladders: each incident's own, and each table's, in
    /// the order the policy gives them.
    pub fn ladders(&self) -> impl Iterator<Item = crate::escalation::LadderSummary> + '_ {
        self.data
            .ladders
            .iter()
            .map(crate::escalation::LadderInfo::summary)
    }

    /// The escalation routes.
    pub fn routes(&self) -> &[Arc<RouteInfo>] {
        &self.data.routes
    }

    /// The warnings the checker found (the policy has no errors, or it would
    /// not have compiled).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.data.warnings
    }

    pub(crate) fn ancestors(&self, role: RoleId) -> Ancestors<'_> {
        Ancestors {
            roles: &self.data.roles,
            next: Some(role),
        }
    }
}

/// A role, then its group, then that group's group, up to a base role.
pub(crate) struct Ancestors<'a> {
    roles: &'a [RoleInfo],
    next: Option<RoleId>,
}

impl Iterator for Ancestors<'_> {
    type Item = RoleId;
    fn next(&mut self) -> Option<RoleId> {
        let current = self.next?;
        self.next = self
            .roles
            .get(usize::from(current))
            .and_then(|r| r.parent_id)
            .filter(|&p| p != current);
        Some(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_dates_cover_the_whole_month() {
        let d = PolicyDate {
            year: 2022,
            month: 2,
            day: None,
        };
        assert_eq!(d.first_day(), jiff::civil::date(2022, 2, 1));
        assert_eq!(d.last_day(), jiff::civil::date(2022, 2, 28));
        assert_eq!(d.to_string(), "February 2022");
    }

    #[test]
    fn the_index_refuses_a_second_entry_for_an_id() {
        let mut index: NameIndex<u32> = NameIndex::default();
        assert_eq!(index.insert_id(Arc::from("r1"), 0), Ok(()));
        assert_eq!(index.insert_id(Arc::from("r2"), 1), Ok(()));
        assert_eq!(index.insert_id(Arc::from("r1"), 2), Err(0));
        assert_eq!(index.id("r1"), Some(0));
        assert_eq!(index.id("r2"), Some(1));
    }

    #[test]
    fn the_index_returns_the_entries_that_share_a_label_hash_before_each() {
        // The same hash stands for one label written twice, or for two
        // labels whose hashes collide: the index keeps both, the label
        // look-up tells them apart.
        let mut index: NameIndex<u32> = NameIndex::default();
        let labels = ["Use of email", "USE OF  EMAIL", "Something else"];
        assert!(index.insert_label(7, 0).is_empty());
        assert_eq!(index.insert_label(7, 1), [0]);
        assert_eq!(index.insert_label(7, 2), [0, 1]);
        assert!(index.insert_label(8, 3).is_empty());
        assert_eq!(index.sharing(7), [0, 1, 2]);
        assert!(index.sharing(8).is_empty());
        let label_of = |i: u32| labels.get(i as usize).copied().unwrap_or_default();
        // A look-up hashes the label itself: the entries under 7 are not
        // found by a label whose hash is not 7.
        assert!(matches!(
            index.label("Use of email", label_of),
            LabelMatch::None
        ));
        let mut real: NameIndex<u32> = NameIndex::default();
        for (i, label) in labels.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            real.insert_label(crate::suggest::label_hash(label), i);
        }
        assert!(matches!(
            real.label("use of email", label_of),
            LabelMatch::Many(found) if found == [0, 1]
        ));
        assert!(matches!(
            real.label("something ELSE", label_of),
            LabelMatch::One(2)
        ));
    }

    #[test]
    fn policies_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Policy>();
    }
}
