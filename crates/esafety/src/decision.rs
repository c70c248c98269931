//! Answers: the [`Decision`] a question gets, its [`Verdict`] and
//! [`Condition`], and the escalation route with the steps that apply.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::{IncidentRef, Responses, RouteInfo, RuleRef, StepInfo};
use crate::query::Version;

/// The answer to a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Verdict {
    /// Allowed.
    Allowed,
    /// Not allowed.
    Denied,
    /// Not allowed, and illegal.
    Illegal,
    /// It depends on something the question did not say (see `condition`).
    Conditional,
}

impl Verdict {
    /// The verdict in lowercase.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "denied",
            Verdict::Illegal => "illegal",
            Verdict::Conditional => "conditional",
        }
    }

    /// Whether the verdict permits the action outright.
    pub fn is_allowed(self) -> bool {
        self == Verdict::Allowed
    }
}

/// What a conditional verdict depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ConditionKind {
    /// The time: give `at`.
    Time,
    /// Whether the person is a nominated user or selected staff: give the
    /// `nominated` fact.
    Nominated,
    /// Whether permission was given: give the `permission` fact.
    Permission,
    /// "At certain times" the policy does not name: no fact resolves it.
    Unspecified,
    /// Where the person is: give `place` (the condition lists the places
    /// where it holds).
    Place,
    /// A fact the policy declares: give it (the condition lists which).
    Fact,
    /// More than one of these: the condition lists what it needs.
    Several,
}

impl ConditionKind {
    /// The kind in lowercase, as in JSON: `time`, `nominated`, `permission`,
    /// `unspecified`, `place`, `fact` or `several`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionKind::Time => "time",
            ConditionKind::Nominated => "nominated",
            ConditionKind::Permission => "permission",
            ConditionKind::Unspecified => "unspecified",
            ConditionKind::Place => "place",
            ConditionKind::Fact => "fact",
            ConditionKind::Several => "several",
        }
    }
}

/// The condition of a conditional answer, or of the rule that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Condition {
    /// What it depends on.
    pub kind: ConditionKind,
    /// The condition in words, e.g. "only during break, lunch".
    pub text: Arc<str>,
    /// For a conditional answer that depends on the time (perhaps among
    /// other things): true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub time: bool,
    /// For a conditional answer that depends on the place: the places that
    /// would settle it, in the order the policy declares them.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub places: Arc<[Arc<str>]>,
    /// For a conditional answer that depends on facts: the facts that would
    /// settle it.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub facts: Arc<[Arc<str>]>,
}

fn is_empty(list: &Arc<[Arc<str>]>) -> bool {
    list.is_empty()
}

impl Condition {
    /// A condition with nothing listed; `none` is an empty list to share.
    pub(crate) fn plain(kind: ConditionKind, text: Arc<str>, none: &Arc<[Arc<str>]>) -> Self {
        Condition {
            kind,
            text,
            time: false,
            places: none.clone(),
            facts: none.clone(),
        }
    }
}

/// The escalation route a decision brings, with the steps that apply.
///
/// Two outcomes are equal when they show the same route and the same steps:
/// the steps left out are not part of a decision (nor of its JSON).
#[derive(Debug, Clone)]
pub struct RouteOutcome {
    /// The route, shared with the policy.
    pub(crate) route: Arc<RouteInfo>,
    /// Steps whose condition holds (or that have none).
    pub(crate) included: u64,
    /// Steps whose condition depends on a fact the question did not give.
    pub(crate) pending: u64,
}

/// A route step as a decision reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StepOutcome {
    /// The step.
    #[serde(flatten)]
    pub step: StepInfo,
    /// True when the step's condition depends on a fact the question did not
    /// give: it applies only if that condition holds.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
}

impl RouteOutcome {
    /// The route's id.
    pub fn id(&self) -> &str {
        &self.route.id
    }

    /// Its title, verbatim.
    pub fn label(&self) -> &str {
        &self.route.label
    }

    /// Its line.
    pub fn line(&self) -> u32 {
        self.route.line
    }

    /// The file its line is in, for a policy that extends another.
    pub fn file(&self) -> Option<&str> {
        self.route.file.as_deref()
    }

    /// The steps that apply, in order (those whose condition is false are
    /// left out; those that depend on an unknown fact are marked `pending`).
    pub fn steps(&self) -> impl Iterator<Item = StepOutcome> + '_ {
        self.route.steps.iter().enumerate().filter_map(|(i, step)| {
            let bit = 1u64.checked_shl(u32::try_from(i).ok()?)?;
            if self.included & bit != 0 {
                Some(StepOutcome {
                    step: step.clone(),
                    pending: false,
                })
            } else if self.pending & bit != 0 {
                Some(StepOutcome {
                    step: step.clone(),
                    pending: true,
                })
            } else {
                None
            }
        })
    }
}

impl PartialEq for RouteOutcome {
    fn eq(&self, other: &Self) -> bool {
        self.route.id == other.route.id
            && self.route.label == other.route.label
            && self.route.line == other.route.line
            && self.route.file == other.route.file
            && self.steps().eq(other.steps())
    }
}

impl Eq for RouteOutcome {}

#[derive(Serialize, Deserialize)]
struct RouteJson {
    id: Arc<str>,
    label: Arc<str>,
    line: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file: Option<Arc<str>>,
    steps: Vec<StepOutcome>,
}

impl Serialize for RouteOutcome {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RouteJson {
            id: self.route.id.clone(),
            label: self.route.label.clone(),
            line: self.route.line,
            file: self.route.file.clone(),
            steps: self.steps().collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RouteOutcome {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = RouteJson::deserialize(deserializer)?;
        let mut included = 0u64;
        let mut pending = 0u64;
        for (i, s) in json.steps.iter().enumerate().take(64) {
            let bit = 1u64 << i;
            if s.pending {
                pending |= bit;
            } else {
                included |= bit;
            }
        }
        Ok(RouteOutcome {
            route: Arc::new(RouteInfo {
                id: json.id,
                label: json.label,
                line: json.line,
                file: json.file,
                steps: json.steps.into_iter().map(|s| s.step).collect(),
            }),
            included,
            pending,
        })
    }
}

/// The answer to a [`Query`](crate::Query), with where it came from and what follows.
///
/// The JSON form of this type is the output of `esafety eval --format json`
/// (see `docs/cli.md`, and its schema `docs/schemas/decision.schema.json`),
/// a versioned contract: it starts `"version": 1`, and reading a decision
/// with another version is an error. A decision read back from its JSON is
/// equal to the one written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Decision {
    /// `"version": 1` in JSON: written always, and required when read.
    pub(crate) version: Version,
    /// Allowed, denied, illegal or conditional.
    pub verdict: Verdict,
    /// For a conditional verdict, what it depends on; otherwise the
    /// condition the deciding rule had, if any.
    pub condition: Option<Condition>,
    /// The rule that decided (shared with the policy).
    pub rule: Option<Arc<RuleRef>>,
    /// For a question that names several roles: the role whose rule
    /// decided (see `docs/language.md`, "People with several roles").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Arc<str>>,
    /// True when the policy did not answer and esafety denied by default.
    pub default: bool,
    /// A note the document attaches to the answer, e.g. "left in office".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Arc<str>>,
    /// The incident the question is about, or that the breach constitutes.
    pub incident: Option<Arc<IncidentRef>>,
    /// Referrals, notifications and sanctions, in the table's column order
    /// (in JSON, the fields `referrals`, `notifications` and `sanctions`).
    #[serde(flatten)]
    pub responses: Arc<Responses>,
    /// For an incident with escalation ladders: how each was climbed (what
    /// was counted, over which window, and which tier applied). Empty for
    /// an incident without ladders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalation: Vec<crate::escalation::LadderOutcome>,
    /// The escalation route, with the steps that apply.
    pub route: Option<RouteOutcome>,
    /// How the decision was reached, in plain English (empty when the query
    /// switched explanations off).
    pub explanation: Vec<String>,
}
