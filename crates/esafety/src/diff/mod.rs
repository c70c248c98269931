//! What changed in meaning between two policies: every question the two
//! answer differently, grouped so that a governor can read it.
//!
//! A policy's questions are finite. A row is asked for each role, at one
//! moment of every stretch of the week in which the two timetables stay the
//! same (on a school day, a holiday and a weekend of each kind the two
//! calendars have), and with every combination of the facts and places its
//! answer depends on; an incident is asked for each role its table covers,
//! with each number of earlier incidents up to the highest that a repeat
//! offence or a ladder counts. Whatever the two policies answer differently
//! is a difference; anything else — layout, order, comments, line numbers,
//! the wording of explanations — is not.
//!
//! ```
//! use esafety::Policy;
//!
//! let old = Policy::parse("2025.policy", include_str!("../../../../policies/crockerne.policy")).unwrap();
//! let edited = include_str!("../../../../policies/crockerne.policy").replacen(
//!     "    adults: allowed\n    pupils: not allowed\n    breach by pupil: mobile-device",
//!     "    adults: allowed\n    pupils: allowed\n    breach by pupil: mobile-device",
//!     1,
//! );
//! let new = Policy::parse("2026.policy", &edited).unwrap();
//!
//! let diff = esafety::diff::diff(&old, &new);
//! assert_eq!(diff.len(), 1);
//! let row = &diff.rows[0];
//! assert_eq!(&*row.id, "phones-social-time");
//! assert_eq!(row.answers[0].old.as_deref(), Some("not allowed (breach: mobile-device)"));
//! assert_eq!(row.answers[0].new.as_deref(), Some("allowed"));
//!
//! assert!(esafety::diff::diff(&old, &old).is_empty());
//! ```

mod incidents;
mod items;
pub(crate) mod looser;
mod questions;
mod roles;
mod rows;
mod settings;
mod text;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::decision::Verdict;
use crate::model::Policy;
use crate::query::Version;

/// The difference in meaning between an old and a new policy.
///
/// Its JSON form is the output of `esafety diff --format json` (see
/// `docs/cli.md`), a versioned contract that starts `"version": 1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PolicyDiff {
    /// `"version": 1` in JSON.
    pub(crate) version: Version,
    /// The old policy's file name.
    pub old: String,
    /// The new policy's file name.
    pub new: String,
    /// Changes to the school's details, roles, timetable, calendar,
    /// contacts, facts, places, devices, ladders and routes.
    pub settings: Vec<SettingChange>,
    /// Rows of the rule tables whose answers changed, or that were added,
    /// removed, renamed or reworded.
    pub rows: Vec<RowDiff>,
    /// Incidents whose responses or route changed, or that were added,
    /// removed, renamed or reworded.
    pub incidents: Vec<IncidentDiff>,
}

impl PolicyDiff {
    /// Whether the two policies mean the same.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many differences there are: each setting, each group of roles
    /// whose answer changed, each renaming or rewording, each row or
    /// incident added or removed.
    pub fn len(&self) -> usize {
        let row = |r: &RowDiff| match r.change {
            Change::Changed => r.answers.len() + usize::from(r.old_label.is_some()),
            _ => 1,
        };
        let incident = |i: &IncidentDiff| match i.change {
            Change::Changed => i.responses.len() + usize::from(i.old_label.is_some()),
            _ => 1,
        };
        self.settings.len()
            + self.rows.iter().map(row).sum::<usize>()
            + self.incidents.iter().map(incident).sum::<usize>()
    }

    /// The differences in plain English, as `esafety diff` prints them.
    pub fn to_text(&self) -> String {
        text::human(self)
    }

    /// The differences as Markdown, to paste into the governors' minutes.
    pub fn to_markdown(&self) -> String {
        text::markdown(self)
    }
}

/// How something changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Change {
    /// Only the new policy has it.
    Added,
    /// Only the old policy has it.
    Removed,
    /// Both have it, and it differs.
    Changed,
}

/// What part of a policy a [`SettingChange`] is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Section {
    /// The school's name, approval and review dates, owner, template.
    School,
    /// Roles and their groups.
    Roles,
    /// Periods and time names.
    Timetable,
    /// Terms and holidays.
    Calendar,
    /// Contacts.
    Contacts,
    /// Facts questions may give.
    Facts,
    /// Places on the site.
    Places,
    /// Devices and what they may do.
    Devices,
    /// Escalation ladders: what they count, over which window.
    Ladders,
    /// Escalation routes and their steps.
    Routes,
}

impl Section {
    /// The section's heading in words.
    pub fn title(self) -> &'static str {
        match self {
            Section::School => "School",
            Section::Roles => "Roles",
            Section::Timetable => "Timetable",
            Section::Calendar => "Terms and holidays",
            Section::Contacts => "Contacts",
            Section::Facts => "Facts",
            Section::Places => "Places",
            Section::Devices => "Devices",
            Section::Ladders => "Ladders",
            Section::Routes => "Routes",
        }
    }
}

/// A change outside the rule and incident tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SettingChange {
    /// Where it is.
    pub section: Section,
    /// What changed: a field (`review by`), or the id of a role, period,
    /// contact, fact, place or device.
    pub item: String,
    /// Added, removed or changed.
    pub change: Change,
    /// The old value in words (absent when added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// The new value in words (absent when removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
}

/// A row of a rule table that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RowDiff {
    /// Its table (in the new policy, or the old for a removed row).
    pub table: Arc<str>,
    /// Its id (in the new policy, or the old for a removed row).
    pub id: Arc<str>,
    /// Its label, verbatim (likewise).
    pub label: Arc<str>,
    /// Added, removed, or changed (answers, id or label).
    pub change: Change,
    /// Its id in the old policy, when it was renamed (matched by label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_id: Option<Arc<str>>,
    /// Its label in the old policy, when it was reworded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_label: Option<Arc<str>>,
    /// Its line in the old policy (absent when added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_line: Option<u32>,
    /// Its line in the new policy (absent when removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_line: Option<u32>,
    /// The answers that differ, by group of roles. For an added or removed
    /// row, its answers on the side that has it.
    pub answers: Vec<AnswerChange>,
}

/// One answer that changed, for a group of roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AnswerChange {
    /// Whom it is for: the highest roles of the group, each standing for
    /// itself and the roles within it that changed the same way.
    pub roles: Vec<Arc<str>>,
    /// Every role the change is for, in the policy's order.
    pub all_roles: Vec<Arc<str>>,
    /// The old answer in words, e.g. `not allowed (breach: mobile-device)`
    /// (absent for an added row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// The new answer in words (absent for a removed row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    /// A question the two policies answer differently.
    pub example: Example,
}

/// A question that shows a difference, with both answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Example {
    /// Who asks.
    pub role: Arc<str>,
    /// When (absent: the question gives no time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<jiff::civil::DateTime>,
    /// Where (absent: the question gives no place).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Arc<str>>,
    /// The facts the question gives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<FactValue>,
    /// For an incident: how many earlier incidents the question gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior: Option<u32>,
    /// The old policy's answer (absent when it cannot be asked there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Outcome>,
    /// The new policy's answer (likewise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Outcome>,
}

/// A fact a question gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FactValue {
    /// The fact.
    pub name: Arc<str>,
    /// Whether it holds.
    pub value: bool,
}

/// What a decision means, without where it was written: what the diff
/// compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// True when the policy gave no answer and esafety denied by default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
    /// The incident a breach constitutes (`table/incident`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<Arc<str>>,
    /// For an incident, the responses, `kind:id` with their targets and
    /// `(as appropriate)` after optional ones, in the policy's order. (A
    /// row's breach leads to its incident's responses, which the diff
    /// compares under the incident, once.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responses: Vec<String>,
    /// The route that follows (its steps are compared under routes, once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<Arc<str>>,
}

/// An incident that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncidentDiff {
    /// Its incidents table.
    pub table: Arc<str>,
    /// Its id (in the new policy, or the old for a removed incident).
    pub id: Arc<str>,
    /// Its label, verbatim.
    pub label: Arc<str>,
    /// Added, removed, or changed.
    pub change: Change,
    /// Its id in the old policy, when it was renamed (matched by label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_id: Option<Arc<str>>,
    /// Its label in the old policy, when it was reworded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_label: Option<Arc<str>>,
    /// Its line in the old policy (absent when added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_line: Option<u32>,
    /// Its line in the new policy (absent when removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_line: Option<u32>,
    /// What follows that changed, by group of roles.
    pub responses: Vec<ResponseChange>,
}

/// A change in what follows an incident, for a group of roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseChange {
    /// Whom it is for (the highest roles of the group).
    pub roles: Vec<Arc<str>>,
    /// Every role the change is for.
    pub all_roles: Vec<Arc<str>>,
    /// The numbers of earlier incidents for which it holds (0: a first
    /// incident). Empty when it holds however many there were.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prior: Vec<u32>,
    /// Responses the new policy adds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<ResponseRef>,
    /// Responses the new policy no longer has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<ResponseRef>,
    /// Responses now marked "as appropriate", or no longer, or whose
    /// targets changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub altered: Vec<ResponseRef>,
    /// When the route that follows changed: the old route (absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_route: Option<Arc<str>>,
    /// When the route that follows changed: the new route (absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_route: Option<Arc<str>>,
    /// For an added or removed incident: everything that follows it on the
    /// side that has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// A question the two policies answer differently.
    pub example: Example,
}

/// A response, for listing what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseRef {
    /// A referral, a notification or a sanction.
    pub kind: ResponseKind,
    /// The column id.
    pub id: Arc<str>,
    /// The column heading, verbatim.
    pub label: Arc<str>,
    /// Marked "as appropriate" (in the new policy, or the old if removed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

/// The kinds of response an incidents table has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ResponseKind {
    /// Refer to someone.
    Referral,
    /// Tell someone.
    Notification,
    /// A sanction.
    Sanction,
}

impl ResponseKind {
    /// The kind in lowercase, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseKind::Referral => "referral",
            ResponseKind::Notification => "notification",
            ResponseKind::Sanction => "sanction",
        }
    }
}

/// Compares two checked policies: every question they answer differently,
/// grouped, plus what changed in their settings. Never fails: two policies
/// always have a difference, possibly none.
pub fn diff(old: &Policy, new: &Policy) -> PolicyDiff {
    let moments = questions::Moments::new(old, new);
    let roles = roles::Roles::new(old, new);
    PolicyDiff {
        version: Version,
        old: old.path().to_owned(),
        new: new.path().to_owned(),
        settings: settings::compare(old, new),
        rows: rows::compare(old, new, &roles, &moments),
        incidents: incidents::compare(old, new, &roles),
    }
}
