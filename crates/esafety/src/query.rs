//! Questions: the [`Query`] type, its JSON form, and the errors of a
//! question the policy cannot look up.
//!
//! A question's JSON (the lines of `esafety eval --queries`) is a versioned
//! contract: it may say `"version": 1`, and any other version is refused. Its
//! `at` is the school's wall-clock time, written `YYYY-MM-DDTHH:MM` (see
//! [`parse_at`]); its `facts` may not name a fact twice.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::suggest;
use crate::text::printable;

/// The longest name or label a question may give, in bytes: a label is at
/// most one line of a policy file ([`crate::syntax::MAX_LINE_BYTES`]).
/// Longer ones are refused before any look-up, so that a huge value cannot
/// make the search for suggestions slow.
pub const MAX_NAME_BYTES: usize = crate::syntax::MAX_LINE_BYTES;

/// The version of esafety's JSON formats for questions and decisions. Only
/// version 1 exists; JSON that says another is refused, so that a program
/// never misreads a format it does not know.
pub const JSON_VERSION: u32 = 1;

/// The most roles one question may name: a person holds a few roles, and a
/// question with more is refused rather than decided once per role.
pub const MAX_ROLES_ASKED: usize = 16;

/// The `"version"` of a question or decision in JSON: always written as
/// [`JSON_VERSION`], and refused when it says anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Version;

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(JSON_VERSION)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let version = u64::deserialize(deserializer)?;
        if version == u64::from(JSON_VERSION) {
            Ok(Version)
        } else {
            Err(serde::de::Error::custom(format!(
                "this is version {version} of esafety's JSON, but this esafety reads version {JSON_VERSION}"
            )))
        }
    }
}

/// A time a question gives that is not a moment of the school's clock.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{}` is not a time esafety reads: {reason}. Write the school's own clock time as YYYY-MM-DDTHH:MM, e.g. 2025-11-04T10:35", printable(.given))]
#[non_exhaustive]
pub struct TimeError {
    /// What was given.
    pub given: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Reads a question's time: the school's wall-clock (civil) date and time,
/// `YYYY-MM-DDTHH:MM`, optionally with seconds (`:SS`, 00 to 59) and a
/// fraction of a second; a space may stand for the `T`.
///
/// This is the one rule for times everywhere esafety takes one (`--at`, the
/// `at` of a JSON question, [`Query::at`] takes a civil time already): a time
/// is the time on the school's clocks. A time with a time zone or an offset
/// (`Z`, `+01:00`, `[Europe/London]`) is refused rather than converted or
/// silently read as school time, so that a time taken from a log in UTC
/// cannot be an hour out in summer without anyone noticing.
///
/// ```
/// use esafety::parse_at;
///
/// let at = parse_at("2025-11-04T10:35").unwrap();
/// assert_eq!((at.hour(), at.minute()), (10, 35));
/// assert!(parse_at("2025-11-04 10:35:20").is_ok());
///
/// for bad in ["2025-11-04T10:35Z", "2025-11-04T10:35+01:00", "2025-11-04T10:35[Europe/London]",
///             "2025-11-04T12", "2025-11-04T12:30:60", "2025-02-30T10:00", "10:35"] {
///     assert!(parse_at(bad).is_err(), "{bad}");
/// }
/// ```
pub fn parse_at(text: &str) -> Result<jiff::civil::DateTime, TimeError> {
    let fail = |reason: &str| TimeError {
        given: text.to_owned(),
        reason: reason.to_owned(),
    };
    if text.len() > 64 {
        return Err(fail("it is far too long to be a date and time"));
    }
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i32> {
        let part = text.get(range)?;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let at = |i: usize| bytes.get(i).copied();
    let (Some(year), Some(b'-'), Some(month), Some(b'-'), Some(day)) =
        (digits(0..4), at(4), digits(5..7), at(7), digits(8..10))
    else {
        return Err(fail("it does not start with a date written YYYY-MM-DD"));
    };
    if !matches!(at(10), Some(b'T' | b't' | b' ')) {
        return Err(fail("it has no time after the date"));
    }
    let (Some(hour), Some(b':'), Some(minute)) = (digits(11..13), at(13), digits(14..16)) else {
        return Err(fail("its time is not written HH:MM"));
    };
    let mut end = 16;
    let mut second = 0;
    let mut nanos = 0;
    if at(end) == Some(b':') {
        second = digits(17..19).ok_or_else(|| fail("its seconds are not two digits"))?;
        end = 19;
        if at(end) == Some(b'.') {
            let fraction: String = text
                .get(20..)
                .unwrap_or("")
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if fraction.is_empty() || fraction.len() > 9 {
                return Err(fail("its fraction of a second is not 1 to 9 digits"));
            }
            end = 20 + fraction.len();
            nanos = format!("{fraction:0<9}").parse().unwrap_or(0);
        }
    }
    match at(end) {
        None => {}
        Some(b'Z' | b'z' | b'+' | b'-' | b'[') => {
            return Err(fail(
                "it names a time zone or an offset, and esafety reads every time as the time on the school's clocks; leave the zone out",
            ));
        }
        Some(_) => return Err(fail("there is more after the time")),
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(fail(
            "the hour must be 00 to 23, and the minutes and seconds 00 to 59",
        ));
    }
    let narrow = |n: i32| i8::try_from(n).unwrap_or(i8::MAX);
    jiff::civil::DateTime::new(
        i16::try_from(year).unwrap_or(i16::MAX),
        narrow(month),
        narrow(day),
        narrow(hour),
        narrow(minute),
        narrow(second),
        nanos,
    )
    .map_err(|_| fail("there is no such day in the calendar"))
}

/// A time as esafety writes it: `YYYY-MM-DDTHH:MM`, with seconds (and a
/// fraction) only when they are not zero; [`parse_at`] reads it back.
pub fn format_at(at: jiff::civil::DateTime) -> String {
    let mut text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute()
    );
    if at.second() != 0 || at.subsec_nanosecond() != 0 {
        text.push_str(&format!(":{:02}", at.second()));
        if at.subsec_nanosecond() != 0 {
            let fraction = format!("{:09}", at.subsec_nanosecond());
            text.push('.');
            text.push_str(fraction.trim_end_matches('0'));
        }
    }
    text
}

mod at_json {
    pub(super) fn serialize<S: serde::Serializer>(
        at: &Option<jiff::civil::DateTime>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => serializer.serialize_str(&super::format_at(*at)),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<jiff::civil::DateTime>, D::Error> {
        let text: Option<String> = serde::Deserialize::deserialize(deserializer)?;
        text.map(|t| super::parse_at(&t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// An earlier incident of the person asked about: which, and when. In JSON,
/// `{"incident": "phone-in-lesson", "at": "2026-10-01T10:00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Earlier {
    /// The incident's id or label.
    pub incident: String,
    /// When it happened, on the school's clock (see [`parse_at`]).
    #[serde(with = "at_required")]
    pub at: jiff::civil::DateTime,
}

impl Earlier {
    /// An earlier `incident` at `at`.
    pub fn new(incident: impl Into<String>, at: jiff::civil::DateTime) -> Self {
        Earlier {
            incident: incident.into(),
            at,
        }
    }
}

mod at_required {
    pub(super) fn serialize<S: serde::Serializer>(
        at: &jiff::civil::DateTime,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_at(*at))
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<jiff::civil::DateTime, D::Error> {
        let text: String = serde::Deserialize::deserialize(deserializer)?;
        super::parse_at(&text).map_err(serde::de::Error::custom)
    }
}

/// Facts as a JSON object, refusing one that names a fact twice (which a
/// plain map would settle silently by keeping the last).
fn unique_facts<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, bool>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = BTreeMap<String, bool>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of facts, such as {\"permission\": true}")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut facts = BTreeMap::new();
            while let Some((name, value)) = map.next_entry::<String, bool>()? {
                if facts.contains_key(&name) {
                    return Err(serde::de::Error::custom(format!(
                        "the fact `{}` is given twice",
                        printable(&name)
                    )));
                }
                facts.insert(name, value);
            }
            Ok(facts)
        }
    }
    deserializer.deserialize_map(Visitor)
}

/// A question for a policy.
///
/// Ask about exactly one thing: an `action` (a row of a user-actions,
/// communications or rules table), an `incident`, or a `device` together
/// with an `action` naming what it may do ("Allowed in school", "Internet
/// only", …). Names may be ids or labels (case and spacing do not matter).
///
/// ```
/// use esafety::Query;
///
/// let q = Query::action("year-5", "Use of blogs")
///     .at(esafety::jiff::civil::date(2025, 11, 4).at(10, 35, 0, 0))
///     .fact("permission", true)
///     .prior(1);
/// assert_eq!(q.role.as_deref(), Some("year-5"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Query {
    /// `"version": 1` in JSON (optional when read).
    #[serde(default)]
    pub(crate) version: Version,
    /// Who is acting: a role id such as `pupil`, `year-5` or `teacher`.
    /// Required except for device questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// More roles the same person holds (a teacher who is also the DSL); in
    /// JSON, `"roles": ["teacher", "dsl"]`, with or without `role`. A person
    /// may do what any of their roles allows (see [`Decision::role`]).
    ///
    /// [`Decision::role`]: crate::Decision::role
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// A row of a rule table, or (with `device`) a capability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// An incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// A device kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// When, as a civil (wall-clock) date and time at the school; in JSON,
    /// `"YYYY-MM-DDTHH:MM"` (see [`parse_at`]).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "at_json")]
    pub at: Option<jiff::civil::DateTime>,
    /// Where the person is: a place the policy declares, such as `library`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// Facts about the situation: `nominated`, `permission`,
    /// `immediate-risk`, or any fact the policy declares.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_facts"
    )]
    pub facts: BTreeMap<String, bool>,
    /// How many incidents the person has had before.
    #[serde(default, alias = "prior_incidents", skip_serializing_if = "is_zero")]
    pub prior: u32,
    /// The person's earlier incidents, each with its time, for ladders that
    /// count them over a window. Give this or `prior`, not both.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Earlier>,
    /// Whether to write the `explanation` (on by default; switch it off on a
    /// hot path).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub explain: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Default for Query {
    fn default() -> Self {
        Query {
            version: Version,
            role: None,
            roles: Vec::new(),
            action: None,
            incident: None,
            device: None,
            at: None,
            place: None,
            facts: BTreeMap::new(),
            prior: 0,
            history: Vec::new(),
            explain: true,
        }
    }
}

impl Query {
    /// Refuses a question with a name or label longer than
    /// [`MAX_NAME_BYTES`], before anything is looked up.
    pub(crate) fn check_lengths(&self) -> Result<(), QueryError> {
        if self.roles.len() > MAX_ROLES_ASKED {
            return Err(QueryError::TooManyRoles {
                given: self.roles.len(),
                limit: MAX_ROLES_ASKED,
            });
        }
        // Field by field: every decision runs this, and a chain of iterators
        // over the fields cost about a sixth of a decision's instructions.
        let fits = |field: &'static str, value: &str| {
            if value.len() > MAX_NAME_BYTES {
                Err(QueryError::TooLong {
                    field,
                    length: value.len(),
                    limit: MAX_NAME_BYTES,
                })
            } else {
                Ok(())
            }
        };
        let given = |field: &'static str, value: &Option<String>| match value {
            Some(value) => fits(field, value),
            None => Ok(()),
        };
        given("role", &self.role)?;
        given("action", &self.action)?;
        given("incident", &self.incident)?;
        given("device", &self.device)?;
        given("place", &self.place)?;
        for role in &self.roles {
            fits("role", role)?;
        }
        for fact in self.facts.keys() {
            fits("fact", fact)?;
        }
        for event in &self.history {
            fits("history incident", &event.incident)?;
        }
        Ok(())
    }

    /// Is `action` allowed for `role`?
    pub fn action(role: impl Into<String>, action: impl Into<String>) -> Self {
        Query {
            role: Some(role.into()),
            action: Some(action.into()),
            ..Query::default()
        }
    }

    /// What follows an incident by `role`?
    pub fn incident(role: impl Into<String>, incident: impl Into<String>) -> Self {
        Query {
            role: Some(role.into()),
            incident: Some(incident.into()),
            ..Query::default()
        }
    }

    /// May a `device` do `capability` ("Allowed in school", "Internet only"…)?
    pub fn device(device: impl Into<String>, capability: impl Into<String>) -> Self {
        Query {
            device: Some(device.into()),
            action: Some(capability.into()),
            ..Query::default()
        }
    }

    /// Sets who is acting (optional for device questions).
    pub fn role(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }

    /// Adds a role the same person holds: `Query::action("teacher",
    /// "view-image").and_role("dsl")` asks for a teacher who is also the DSL.
    pub fn and_role(mut self, role: impl Into<String>) -> Self {
        self.roles.push(role.into());
        self
    }

    /// The roles the question names: `role`, then `roles`.
    pub fn role_names(&self) -> impl Iterator<Item = &str> {
        self.role
            .as_deref()
            .into_iter()
            .chain(self.roles.iter().map(String::as_str))
    }

    /// Sets where the person is.
    pub fn place(mut self, place: impl Into<String>) -> Self {
        self.place = Some(place.into());
        self
    }

    /// Sets the moment.
    pub fn at(mut self, at: jiff::civil::DateTime) -> Self {
        self.at = Some(at);
        self
    }

    /// Sets a fact.
    pub fn fact(mut self, name: impl Into<String>, value: bool) -> Self {
        self.facts.insert(name.into(), value);
        self
    }

    /// Sets the number of prior incidents.
    pub fn prior(mut self, prior: u32) -> Self {
        self.prior = prior;
        self
    }

    /// Adds an earlier incident to the person's history.
    pub fn earlier(mut self, incident: impl Into<String>, at: jiff::civil::DateTime) -> Self {
        self.history.push(Earlier::new(incident, at));
        self
    }

    /// Sets the person's history of earlier incidents.
    pub fn history(mut self, history: impl IntoIterator<Item = Earlier>) -> Self {
        self.history = history.into_iter().collect();
        self
    }

    /// Switches the explanation off (or on).
    pub fn explain(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }
}

/// A question the policy cannot even look up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The role is not in the policy.
    #[error("unknown role `{}`{}", crate::text::printable(.given), hint(.suggestions))]
    UnknownRole {
        /// What was asked for.
        given: String,
        /// The closest roles.
        suggestions: Vec<String>,
    },
    /// No row has this id or label.
    #[error("no row of this policy is `{}`{}", crate::text::printable(.given), hint(.suggestions))]
    UnknownAction {
        /// What was asked for.
        given: String,
        /// The closest row ids or labels.
        suggestions: Vec<String>,
    },
    /// No incident has this id or label.
    #[error("no incident of this policy is `{}`{}", crate::text::printable(.given), hint(.suggestions))]
    UnknownIncident {
        /// What was asked for.
        given: String,
        /// The closest incident ids or labels.
        suggestions: Vec<String>,
    },
    /// No device kind has this id or label.
    #[error("no device kind of this policy is `{}`{}", crate::text::printable(.given), hint(.suggestions))]
    UnknownDevice {
        /// What was asked for.
        given: String,
        /// The closest device ids or labels.
        suggestions: Vec<String>,
    },
    /// Not one of the device capabilities.
    #[error("`{}` is not a device capability; ask about \"Allowed in school\", \"Full network access\", \"Internet only\" or \"No network access\"{}", crate::text::printable(.given), hint(.suggestions))]
    UnknownCapability {
        /// What was asked for.
        given: String,
        /// The closest capabilities.
        suggestions: Vec<String>,
    },
    /// The fact is not one the policy knows.
    #[error("unknown fact `{}`{}", crate::text::printable(.given), hint(.suggestions))]
    UnknownFact {
        /// What was given.
        given: String,
        /// The closest facts.
        suggestions: Vec<String>,
    },
    /// The place is not one the policy declares.
    #[error("{}", place_message(.given, .suggestions, *.declared))]
    UnknownPlace {
        /// What was given.
        given: String,
        /// The closest places.
        suggestions: Vec<String>,
        /// Whether the policy declares any places at all.
        declared: bool,
    },
    /// More roles than [`MAX_ROLES_ASKED`].
    #[error("the question names {given} roles; one person may be asked about with up to {limit}")]
    TooManyRoles {
        /// How many were given.
        given: usize,
        /// [`MAX_ROLES_ASKED`].
        limit: usize,
    },
    /// A label matches several rows (or incidents, or devices).
    #[error("`{}` matches several: {}; ask by id", crate::text::printable(.given), .candidates.join(", "))]
    Ambiguous {
        /// What was asked for.
        given: String,
        /// The ids it matches.
        candidates: Vec<String>,
    },
    /// The incident exists, but not for this role.
    #[error("incident `{}` is not listed for `{}`; it is in the incidents for {}", crate::text::printable(.incident), crate::text::printable(.role), .for_roles.join(", "))]
    IncidentNotForRole {
        /// The incident.
        incident: String,
        /// The role asked about.
        role: String,
        /// The roles its tables cover.
        for_roles: Vec<String>,
    },
    /// An entry of the question's history is wrong: the error says how.
    #[error("history entry {}: {error}", .entry + 1)]
    InHistory {
        /// Which entry, from 0.
        entry: usize,
        /// What is wrong with it.
        error: Box<QueryError>,
    },
    /// A ladder counts per term (or half term), and the question's time is
    /// in no term the policy gives.
    #[error("cannot count per term at {at}: {reason}; add the term dates to the timetable")]
    OutsideTerms {
        /// The question's time.
        at: String,
        /// Why no term contains it.
        reason: String,
    },
    /// The query is not a complete question.
    #[error("{0}")]
    Incomplete(String),
    /// A name or label longer than any a policy can hold.
    #[error(
        "the {field} given is {length} bytes long; names and labels in a question may be up to {limit} bytes"
    )]
    TooLong {
        /// Which part of the question: `role`, `action`, `incident`,
        /// `device`, `place` or `fact`.
        field: &'static str,
        /// Its length in bytes.
        length: usize,
        /// [`MAX_NAME_BYTES`].
        limit: usize,
    },
}

impl QueryError {
    /// A stable kebab-case name for the error, for machine output.
    pub fn kind(&self) -> &'static str {
        match self {
            QueryError::UnknownRole { .. } => "unknown-role",
            QueryError::UnknownAction { .. } => "unknown-action",
            QueryError::UnknownIncident { .. } => "unknown-incident",
            QueryError::UnknownDevice { .. } => "unknown-device",
            QueryError::UnknownCapability { .. } => "unknown-capability",
            QueryError::UnknownFact { .. } => "unknown-fact",
            QueryError::UnknownPlace { .. } => "unknown-place",
            QueryError::TooManyRoles { .. } => "too-many-roles",
            QueryError::Ambiguous { .. } => "ambiguous",
            QueryError::IncidentNotForRole { .. } => "incident-not-for-role",
            QueryError::Incomplete(_) => "incomplete-query",
            QueryError::InHistory { error, .. } => error.kind(),
            QueryError::OutsideTerms { .. } => "outside-terms",
            QueryError::TooLong { .. } => "too-long",
        }
    }

    /// For an error in the question's history, which entry (from 0).
    pub fn history_entry(&self) -> Option<usize> {
        match self {
            QueryError::InHistory { entry, .. } => Some(*entry),
            _ => None,
        }
    }

    /// The closest names, when the error is an unknown name.
    pub fn suggestions(&self) -> &[String] {
        match self {
            QueryError::UnknownRole { suggestions, .. }
            | QueryError::UnknownAction { suggestions, .. }
            | QueryError::UnknownIncident { suggestions, .. }
            | QueryError::UnknownDevice { suggestions, .. }
            | QueryError::UnknownCapability { suggestions, .. }
            | QueryError::UnknownFact { suggestions, .. }
            | QueryError::UnknownPlace { suggestions, .. } => suggestions,
            QueryError::Ambiguous { candidates, .. } => candidates,
            QueryError::InHistory { error, .. } => error.suggestions(),
            _ => &[],
        }
    }
}

fn place_message(given: &str, suggestions: &[String], declared: bool) -> String {
    if declared {
        format!("unknown place `{}`{}", printable(given), hint(suggestions))
    } else {
        format!(
            "this policy declares no places, so a question cannot name one (`{}`); leave the place out",
            printable(given)
        )
    }
}

fn hint(suggestions: &[String]) -> String {
    let refs: Vec<&str> = suggestions.iter().map(String::as_str).collect();
    suggest::did_you_mean(&refs).map_or_else(String::new, |d| format!(": {d}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_back_as_written() {
        for text in [
            "2025-11-04T10:35",
            "2025-11-04T10:35:20",
            "2025-11-04T10:35:20.5",
            "2025-11-04T10:35:00.000000001",
            "0001-01-01T00:00",
        ] {
            let at = parse_at(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(format_at(at), text);
        }
        assert_eq!(
            format_at(parse_at("2025-11-04 10:35:00").unwrap_or_default()),
            "2025-11-04T10:35"
        );
    }

    #[test]
    fn each_refusal_says_why() {
        let reason = |text: &str| {
            parse_at(text)
                .map_err(|e| e.reason)
                .err()
                .unwrap_or_default()
        };
        assert!(reason("2025-11-04T10:35Z").contains("time zone"));
        assert!(reason("2025-11-04T10:35-05:00").contains("time zone"));
        assert!(reason("2025-11-04T10:35[Europe/London]").contains("time zone"));
        assert!(reason("2025-11-04T12").contains("HH:MM"));
        assert!(reason("2025-11-04T12:30:60").contains("00 to 59"));
        assert!(reason("2025-11-04T24:00").contains("00 to 23"));
        assert!(reason("2025-02-29T10:00").contains("no such day"));
        assert!(reason("2025-11-04").contains("no time"));
        assert!(reason("04/11/2025 10:35").contains("YYYY-MM-DD"));
        assert!(reason("2025-11-04T10:35:20.").contains("fraction"));
        assert!(reason("2025-11-04T10:35 tomorrow").contains("more after"));
        assert!(reason(&"9".repeat(100)).contains("too long"));
    }

    #[test]
    fn json_questions_are_checked_as_read() {
        let read = |json: &str| serde_json::from_str::<Query>(json).map_err(|e| e.to_string());
        assert!(read(r#"{"version": 1, "role": "pupil", "action": "x"}"#).is_ok());
        assert!(read(r#"{"role": "pupil", "action": "x"}"#).is_ok());
        let err = read(r#"{"version": 2, "role": "pupil", "action": "x"}"#).unwrap_err();
        assert!(err.contains("version 2"), "{err}");
        let err = read(r#"{"role": "pupil", "action": "x", "facts": {"permission": true, "permission": false}}"#)
            .unwrap_err();
        assert!(err.contains("given twice"), "{err}");
        let err = read(r#"{"role": "pupil", "action": "x", "at": "2025-11-04T10:35+01:00"}"#)
            .unwrap_err();
        assert!(err.contains("time zone"), "{err}");
        // What is written reads back the same.
        let query = Query::action("pupil", "x")
            .at(parse_at("2025-11-04T10:35").unwrap_or_default())
            .fact("permission", true);
        let json = serde_json::to_string(&query).unwrap_or_default();
        assert!(json.starts_with(r#"{"version":1,"#), "{json}");
        assert_eq!(read(&json), Ok(query));
    }
}
