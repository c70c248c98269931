//! School e-safety (online safety) policies as code.
//!
//! A school's e-safety policy says which actions are acceptable, for whom and
//! when, which devices may be used and on which network, and for each kind of
//! incident what sanction follows and to whom it is referred. esafety reads
//! such a policy, written in a small language (see `docs/language.md`), checks
//! it, and answers questions about it:
//!
//! *Is action X allowed for role Y at time Z, and if not, what sanction and
//! referral applies, and why?*
//!
//! # Asking a question
//!
//! ```
//! use esafety::{Policy, Query, Verdict};
//!
//! let policy = Policy::parse("example.policy", r#"
//! school "Example Primary School"
//!
//! timetable
//!   monday to friday
//!     lessons 09:00 to 12:00
//!     lunch 12:00 to 13:00
//!
//! communications communications "Communication Technologies"
//!   column adults "Staff & other adults" for staff, visitor
//!   column pupils "Students / Pupils" for pupil
//!   row phones-in-lessons "Use of mobile phones in lessons"
//!     adults: not allowed
//!     pupils: not allowed
//!     breach by pupil: mobile-phone
//!   row personal-email "Use of personal email addresses in school"
//!     adults: allowed at certain times outside lessons
//!
//! incidents pupil-incidents "Students / Pupils Incidents" for pupil
//!   response headteacher "Refer to Headteacher" refer staff
//!   incident mobile-phone "Unauthorised use of mobile phone"
//!     responses: headteacher
//! "#)?;
//!
//! // Denied, and what follows: the incident and its referral.
//! let d = policy.decide(&Query::action("pupil", "Use of mobile phones in lessons"))?;
//! assert_eq!(d.verdict, Verdict::Denied);
//! assert_eq!(d.incident.unwrap().id.as_ref(), "mobile-phone");
//! assert_eq!(d.responses.referrals[0].label.as_ref(), "Refer to Headteacher");
//! // Every decision cites the line that decided, and says why.
//! assert_eq!(d.rule.unwrap().line, 14);
//! assert!(!d.explanation.is_empty());
//!
//! // Time is part of the question; the library never reads the clock.
//! let lunch = jiff::civil::date(2025, 11, 4).at(12, 30, 0, 0);
//! let d = policy.decide(&Query::action("staff", "personal-email").at(lunch))?;
//! assert_eq!(d.verdict, Verdict::Allowed);
//!
//! // Without a time, the answer says what it depends on.
//! let d = policy.decide(&Query::action("staff", "personal-email"))?;
//! assert_eq!(d.verdict, Verdict::Conditional);
//!
//! // What the policy does not answer is denied, and says so.
//! let d = policy.decide(&Query::action("parent", "personal-email"))?;
//! assert!(d.verdict == Verdict::Denied && d.default);
//!
//! // Names the policy does not define are errors, with suggestions.
//! let err = policy.decide(&Query::action("pupils", "personal-email")).unwrap_err();
//! assert_eq!(err.to_string(), "unknown role `pupils`: did you mean `pupil`?");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A [`Query`] names a role and one of: an `action` (a row of a table), an
//! `incident`, or a `device` with what it may do; optionally a moment (`at`),
//! facts (`nominated`, `permission`, `immediate-risk`, or any the policy
//! declares) and the person's earlier incidents (or how many). A [`Decision`] gives the
//! [`Verdict`], the [`Condition`] it depends on, the rule that decided (table,
//! row, label, line), whether it was a default denial, the incident, its
//! referrals, notifications and sanctions, the escalation route with the
//! steps that apply, and an explanation in plain English.
//!
//! # Escalation over a history
//!
//! What follows an incident can depend on how many times it happened
//! before: a policy's ladders say what they count, over which window, and
//! what each time brings. A question gives the person's earlier incidents
//! with [`Query::earlier`] (or [`Query::history`]); the [`Decision`] says, in
//! [`Decision::escalation`], which tier of each ladder applied and why.
//!
//! ```
//! use esafety::{Policy, Query, parse_at};
//!
//! let policy = Policy::parse("high.policy", r#"
//! school "Example High School"
//! timetable
//!   term "Autumn term" 3 September 2026 to 18 December 2026
//!   term "Spring term" 5 January 2027 to 26 March 2027
//! rules site "Mobile phones"
//!   row phones "Use of mobile phones in lessons"
//!     pupil: not allowed
//!     breach by pupil: phone
//! incidents pupil-incidents "Pupil Incidents" for pupil
//!   response confiscated "Phone confiscated until the end of the day" sanction
//!   response parent-collects "Phone kept until a parent collects it" sanction
//!   incident phone "Mobile phone used without permission"
//!     count this incident per term
//!     1st time: confiscated
//!     2nd time or more: parent-collects
//! "#)?;
//!
//! let now = parse_at("2026-11-24T10:00")?;
//! // The second this term: a parent collects the phone.
//! let q = Query::incident("pupil", "phone")
//!     .at(now)
//!     .earlier("phone", parse_at("2026-10-01T10:00")?);
//! let d = policy.decide(&q)?;
//! assert_eq!(d.escalation[0].tier.as_ref().map(|t| t.number), Some(2));
//! assert_eq!(d.responses.sanctions[0].id.as_ref(), "parent-collects");
//!
//! // One last term does not count: the autumn term starts the ladder again.
//! let q = Query::incident("pupil", "phone")
//!     .at(now)
//!     .earlier("phone", parse_at("2026-06-10T10:00")?);
//! let d = policy.decide(&q)?;
//! assert_eq!(d.escalation[0].counted, 0);
//! assert_eq!(d.responses.sanctions[0].id.as_ref(), "confiscated");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Checking a policy
//!
//! [`check`] reports every problem in a file as a [`diagnostic::Diagnostic`]
//! with a code, a location and a help line; the renderers in
//! [`diagnostic::render`] print them as rustc-style text, JSON or GitHub
//! annotations.
//!
//! ```
//! use esafety::{check, CheckOptions};
//!
//! let text = "school \"Example Primary School\"\n  review by Apirl 2026\n";
//! let checked = check("example.policy", text, &CheckOptions::default());
//! let d = &checked.diagnostics[0];
//! assert_eq!((d.code.as_str(), d.location.line), ("E0102", 2));
//! assert!(d.help.starts_with("Did you mean `April`?"));
//! ```
//!
//! # Loading once, asking often
//!
//! [`Policy`] is immutable, `Send + Sync`, and cheap to clone: load it once
//! and share it. Deciding is a few look-ups in precomputed tables; with
//! [`Query::explain`] set to `false`, and names given by id, it does not
//! allocate.
//!
//! ```no_run
//! let policy = esafety::Policy::from_file("policies/crockerne.policy")?;
//! let worker = {
//!     let policy = policy.clone();
//!     std::thread::spawn(move || {
//!         let q = esafety::Query::action("pupil", "phones-in-lessons").explain(false);
//!         policy.decide(&q).map(|d| d.verdict)
//!     })
//! };
//! # let _ = worker.join();
//! # Ok::<(), esafety::LoadError>(())
//! ```
//!
//! # Modules
//!
//! * [`syntax`] reads text into the [`ast`]: one statement per line, every
//!   bad line reported.
//! * The checker ([`check`]) resolves names and values and compiles the policy.
//! * [`Policy::decide`] evaluates questions.
//! * [`diagnostic`] holds the diagnostic data model and its renderers.
//! * [`format`](mod@format) prints a policy in its canonical layout (`esafety fmt`).
//! * [`render`] lays a policy out as the readable document: Markdown, one
//!   HTML page, or flowcharts in Graphviz DOT (`esafety render`).
//! * [`testing`] reads a policy's tests and runs them (`esafety test`).
#![deny(missing_docs)]

// pest is built without its `std` feature, which only adds a stack probe on
// every rule call; the grammar has no recursion for it to guard. The parser
// pest derives then names `alloc` directly.
extern crate alloc;

pub mod ast;
mod calendar;
mod check;
mod condition;
mod decision;
pub mod diagnostic;
pub mod diff;
mod escalation;
mod eval;
pub mod family;
pub mod format;
mod load;
mod model;
mod query;
pub mod render;
mod role_tree;
mod span;
mod suggest;
pub mod syntax;
#[cfg(feature = "test-language")]
pub mod testing;
pub mod text;
mod timetable;

pub use check::{CheckOptions, Checked, check, check_bytes};
pub use condition::MAX_PLACES;
pub use decision::{Condition, ConditionKind, Decision, RouteOutcome, StepOutcome, Verdict};
pub use escalation::{CountedWindow, LadderOutcome, LadderRef, LadderSummary, TierRef, WindowKind};
/// The date and time library whose types questions and options use
/// ([`Query::at`], [`CheckOptions::with_today`]), re-exported so that callers
/// use the same version.
pub use jiff;
pub use load::{LoadError, check_file_bytes, read_base, read_bounded, read_source};
pub use model::*;
pub use query::{
    Earlier, JSON_VERSION, MAX_NAME_BYTES, MAX_ROLES_ASKED, Query, QueryError, TimeError,
    format_at, parse_at,
};
pub use span::Span;
pub use suggest::normalize_label;
pub use syntax::{Parsed, parse};
