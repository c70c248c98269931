//! Running tests: each question asked of the policy, each answer compared
//! with what its test expects, and a record of what the tests touched.

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{
    AskAbout, CaseResult, Expect, Expectation, Failure, Moment, ParsedTests, Report, ResponseClass,
    Subject, TestCase,
};
use crate::diagnostic::{Code, Reporter};
use crate::model::{ResponseInfo, Responses};
use crate::span::LineIndex;
use crate::suggest::{self, normalize_label};
use crate::{Decision, Policy, Query, QueryError, Verdict};

/// What the tests touched: every row of the policy's tables, every device,
/// incident and procedure, and whether any test asks about it (or, for an
/// incident or procedure, expects something of it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Coverage {
    /// In the policy's order: rule-table rows, devices, incidents, then
    /// procedures.
    pub items: Vec<CoverageItem>,
}

impl Coverage {
    /// How many items a test touches.
    pub fn tested(&self) -> usize {
        self.items.iter().filter(|i| i.tested).count()
    }

    /// The items no test touches.
    pub fn untested(&self) -> impl Iterator<Item = &CoverageItem> {
        self.items.iter().filter(|i| !i.tested)
    }
}

/// A row, device, incident or procedure, and whether a test touches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CoverageItem {
    /// `row`, `device`, `incident` or `procedure`.
    pub kind: String,
    /// The table it is in (empty for a procedure).
    pub table: Arc<str>,
    /// Its id.
    pub id: Arc<str>,
    /// Its label, verbatim.
    pub label: Arc<str>,
    /// Its line in the policy.
    pub line: u32,
    /// Whether a test touches it.
    pub tested: bool,
}

/// Runs every test of `tests` against `policy`.
///
/// Never panics. A test that cannot be asked as written (an unknown name, a
/// question about an incident the role does not have) fails, with a
/// diagnostic in the report saying why.
pub fn run(tests: &ParsedTests, policy: &Policy) -> Report {
    let text = tests.source.as_str();
    let index = LineIndex::new(text);
    let mut reporter = Reporter::new(&tests.file.path, text, &index);
    let mut runner = Runner {
        policy,
        reporter: &mut reporter,
        touched: Touched::default(),
        names: Known::of(policy),
    };
    let mut results: Vec<CaseResult> = tests
        .file
        .cases
        .iter()
        .map(|case| runner.case(case))
        .collect();
    // Tests that cannot run as written fail, in their place in the file.
    results.extend(tests.file.unrunnable.iter().map(|t| CaseResult {
        title: t.title(),
        line: t.line,
        query: Query::default(),
        decision: None,
        failures: Vec::new(),
        broken: true,
        interpretation: false,
    }));
    results.sort_by_key(|r| r.line);
    let touched = runner.touched;
    Report {
        results,
        diagnostics: reporter.finish(),
        coverage: coverage(policy, &touched),
    }
}

/// What an expectation can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    Incident,
    Response,
    Route,
    Row,
    /// A ladder: a table's, or an incident's own (by the incident's id).
    Ladder,
}

/// The (id, label) of everything an expectation can name, by kind: read off
/// the policy once per run.
struct Known {
    incidents: Vec<(Arc<str>, Arc<str>)>,
    /// Responses, and the targets they refer or notify.
    responses: Vec<(Arc<str>, Arc<str>)>,
    routes: Vec<(Arc<str>, Arc<str>)>,
    /// Rows of the rule tables, and the device capabilities.
    rows: Vec<(Arc<str>, Arc<str>)>,
    ladders: Vec<(Arc<str>, Arc<str>)>,
}

impl Known {
    fn of(p: &Policy) -> Known {
        let mut responses: Vec<(Arc<str>, Arc<str>)> = Vec::new();
        for incident in &p.data.incidents {
            for r in incident.lists.iter() {
                responses.push((r.id.clone(), r.label.clone()));
                responses.extend(r.to.iter().map(|t| (t.id.clone(), t.title.clone())));
            }
        }
        // So do the tiers of ladders.
        for tier in p.data.ladders.iter().flat_map(|l| l.tiers.iter()) {
            for (_, r, _) in &tier.responses {
                responses.push((r.id.clone(), r.label.clone()));
                responses.extend(r.to.iter().map(|t| (t.id.clone(), t.title.clone())));
            }
        }
        // Route steps refer and notify too: their targets can be named.
        for route in p.routes() {
            for step in route.steps.iter() {
                for t in step.refer.iter().chain(step.notify.iter()) {
                    responses.push((t.id.clone(), t.title.clone()));
                }
            }
        }
        responses.sort();
        responses.dedup();
        let mut rows: Vec<(Arc<str>, Arc<str>)> = p
            .tables()
            .iter()
            .flat_map(|t| t.rows.iter().map(|r| (r.id.clone(), r.label.clone())))
            .collect();
        rows.extend(
            crate::Capability::ALL
                .iter()
                .map(|c| (Arc::from(c.id()), Arc::from(c.label()))),
        );
        Known {
            incidents: p
                .incidents()
                .map(|i| (i.id.clone(), i.label.clone()))
                .collect(),
            responses,
            routes: p
                .routes()
                .iter()
                .map(|r| (r.id.clone(), r.label.clone()))
                .collect(),
            rows,
            ladders: p
                .data
                .ladders
                .iter()
                .map(|l| (l.reference.id.clone(), l.reference.label.clone()))
                .collect(),
        }
    }

    fn of_kind(&self, kind: Named) -> &[(Arc<str>, Arc<str>)] {
        match kind {
            Named::Incident => &self.incidents,
            Named::Response => &self.responses,
            Named::Route => &self.routes,
            Named::Row => &self.rows,
            Named::Ladder => &self.ladders,
        }
    }
}

/// What the tests touched, by (table, id).
#[derive(Default)]
struct Touched {
    rows: HashSet<(Arc<str>, Arc<str>)>,
    devices: HashSet<(Arc<str>, Arc<str>)>,
    incidents: HashSet<(Arc<str>, Arc<str>)>,
    routes: HashSet<Arc<str>>,
}

struct Runner<'a, 'r, 'i> {
    policy: &'a Policy,
    reporter: &'r mut Reporter<'i>,
    touched: Touched,
    names: Known,
}

impl Runner<'_, '_, '_> {
    fn case(&mut self, case: &TestCase) -> CaseResult {
        let query = self.query(case);
        let mut result = CaseResult {
            title: case.title(),
            line: case.line(),
            query: query.clone(),
            decision: None,
            failures: Vec::new(),
            broken: false,
            interpretation: case.interpretation.is_some(),
        };
        // An expectation that names something unknown is reported once, as
        // that, and not checked as well.
        let known: Vec<bool> = case
            .expectations
            .iter()
            .map(|e| self.names_are_known(e))
            .collect();
        result.broken = known.contains(&false);
        let checked = || {
            case.expectations
                .iter()
                .zip(&known)
                .filter(|(_, known)| **known)
                .map(|(e, _)| e)
        };
        let expects_not_listed = case
            .expectations
            .iter()
            .any(|e| matches!(e.kind, Expect::NotListed));
        match self.policy.decide(&query) {
            Ok(decision) => {
                self.touch(case, &decision);
                for e in checked() {
                    if let Some((expected, actual)) = check(e, &decision) {
                        result.failures.push(Failure {
                            location: self.reporter.location(e.span),
                            expected,
                            actual,
                        });
                    }
                }
                result.decision = Some(decision);
            }
            Err(error) => match &error {
                // A fact about the policy rather than a mistake in the test:
                // the incident is listed for other roles only. That is the
                // answer `not listed` expects; no other expectation can be
                // met, as there is no answer to meet it.
                QueryError::IncidentNotForRole {
                    incident,
                    role,
                    for_roles,
                } => {
                    if expects_not_listed {
                        self.touched_incident(incident);
                    }
                    let actual = if expects_not_listed {
                        format!(
                            "no answer: incident `{incident}` is not listed for `{role}` (only for {})",
                            for_roles.join(", ")
                        )
                    } else {
                        format!("not listed ({error})")
                    };
                    for e in checked().filter(|e| !matches!(e.kind, Expect::NotListed)) {
                        result.failures.push(Failure {
                            location: self.reporter.location(e.span),
                            expected: expected_words(&e.kind),
                            actual: actual.clone(),
                        });
                    }
                }
                _ => {
                    self.query_error(case, &error);
                    result.broken = true;
                }
            },
        }
        result
    }

    /// The question of a test, with a weekday read as a day of the policy's
    /// school calendar.
    fn query(&self, case: &TestCase) -> Query {
        let ask = &case.ask;
        let mut query = Query {
            role: ask.role.as_ref().map(|r| r.text.to_string()),
            roles: ask.roles.iter().map(|r| r.text.to_string()).collect(),
            place: ask.place.as_ref().map(|p| p.text.to_string()),
            prior: ask.prior,
            ..Query::default()
        };
        match &ask.about {
            AskAbout::Action(s) => query.action = Some(s.text.to_string()),
            AskAbout::Incident(s) => query.incident = Some(s.text.to_string()),
            AskAbout::Device { kind, capability } => {
                query.device = Some(kind.text.to_string());
                query.action = Some(capability.text.to_string());
            }
        }
        for (name, value) in &ask.facts {
            query.facts.insert(name.text.to_string(), *value);
        }
        query.at = ask.at.as_ref().and_then(|m| self.moment(m));
        query.history = ask
            .history
            .iter()
            .filter_map(|e| {
                self.moment(&e.at)
                    .map(|at| crate::Earlier::new(&*e.incident.text, at))
            })
            .collect();
        query
    }

    fn moment(&self, moment: &Moment) -> Option<jiff::civil::DateTime> {
        let (date, time) = match moment {
            Moment::Date { date, time } => {
                let d = jiff::civil::Date::new(
                    i16::try_from(date.year).ok()?,
                    i8::try_from(date.month).ok()?,
                    i8::try_from(date.day?).ok()?,
                )
                .ok()?;
                (d, time)
            }
            Moment::Weekday { day, time } => {
                let from = self
                    .policy
                    .school()
                    .approved
                    .map_or_else(|| jiff::civil::date(2025, 9, 1), |d| d.first_day());
                let weekday = match day.day.index() {
                    0 => jiff::civil::Weekday::Monday,
                    1 => jiff::civil::Weekday::Tuesday,
                    2 => jiff::civil::Weekday::Wednesday,
                    3 => jiff::civil::Weekday::Thursday,
                    4 => jiff::civil::Weekday::Friday,
                    5 => jiff::civil::Weekday::Saturday,
                    _ => jiff::civil::Weekday::Sunday,
                };
                (self.policy.data.timetable.school_day(weekday, from), time)
            }
        };
        let hour = i8::try_from(time.hour).ok()?;
        let minute = i8::try_from(time.minute).ok()?;
        jiff::civil::Time::new(hour, minute, 0, 0)
            .ok()
            .map(|t| date.to_datetime(t))
    }

    /// Reports a question the policy cannot look up, at the name that is
    /// wrong.
    fn query_error(&mut self, case: &TestCase, error: &QueryError) {
        let ask = &case.ask;
        let subject = match &ask.about {
            AskAbout::Action(s) | AskAbout::Incident(s) => s.span,
            AskAbout::Device { kind, .. } => kind.span,
        };
        let span = match error {
            QueryError::UnknownRole { given, .. } => ask
                .role
                .iter()
                .chain(&ask.roles)
                .find(|r| *r.text == **given)
                .map_or(ask.span, |r| r.span),
            QueryError::UnknownPlace { .. } => ask.place.as_ref().map_or(ask.span, |p| p.span),
            QueryError::UnknownCapability { .. } => match &ask.about {
                AskAbout::Device { capability, .. } => capability.span,
                _ => subject,
            },
            QueryError::UnknownFact { given, .. } => ask
                .facts
                .iter()
                .find(|(n, _)| *n.text == **given)
                .map_or(ask.span, |(n, _)| n.span),
            QueryError::Incomplete(_) => ask.span,
            QueryError::InHistory { entry, .. } => ask
                .history
                .get(*entry)
                .map_or(ask.span, |e| e.incident.span),
            _ => subject,
        };
        // An error in an `earlier` line is shown at that line: say what is
        // wrong with it, not which entry of the history it is.
        let message = match error {
            QueryError::InHistory { error, .. } => error.to_string(),
            other => other.to_string(),
        };
        self.reporter
            .report(Code::TestUnknownName, span, message)
            .label("the policy does not know this")
            .help("A test names roles, rows, incidents, devices, places and facts as the policy does: by id or by label. `esafety list --policy FILE` lists them all.");
    }

    /// Checks that what an expectation names exists; reports it if not.
    fn names_are_known(&mut self, e: &Expectation) -> bool {
        // A ladder is named by its id, as a subject would be.
        let ladder = match &e.kind {
            Expect::Tier {
                ladder: Some(l), ..
            }
            | Expect::NoTier(Some(l)) => Some(Subject {
                text: l.text.clone(),
                quoted: false,
                span: l.span,
            }),
            _ => None,
        };
        let mut subjects: Vec<(&Subject, Named)> = match &e.kind {
            Expect::Incident(Some(s)) => vec![(s, Named::Incident)],
            Expect::Response { subject, .. } | Expect::NoResponse { subject, .. } => {
                vec![(subject, Named::Response)]
            }
            Expect::Responses(list) => list.iter().map(|s| (s, Named::Response)).collect(),
            Expect::Route(Some(s)) => vec![(s, Named::Route)],
            Expect::Rule(s) => vec![(s, Named::Row)],
            _ => Vec::new(),
        };
        subjects.extend(ladder.as_ref().map(|l| (l, Named::Ladder)));
        let mut known = true;
        for (subject, kind) in subjects {
            let candidates = self.names.of_kind(kind);
            if candidates
                .iter()
                .any(|(id, label)| matches(subject, id, label))
            {
                continue;
            }
            known = false;
            let names = candidates.iter().flat_map(|(id, label)| [&**id, &**label]);
            let suggestions = suggest::closest(&subject.text, names);
            let what = match kind {
                Named::Incident => "no incident of this policy",
                Named::Response => "no response of this policy (and no referral target)",
                Named::Route => "no procedure (route) of this policy",
                Named::Row => "no row of this policy",
                Named::Ladder => "no ladder of this policy",
            };
            let mut message = format!("{what} is `{}`", subject.text);
            if let Some(dym) = suggest::did_you_mean(&suggestions) {
                message.push_str(&format!(": {dym}"));
            }
            self.reporter
                .report(Code::TestUnknownName, subject.span, message)
                .label("the policy does not know this")
                .help("Name it as the policy does: by its id, or by its label in double quotes. `esafety list --policy FILE` lists them all.");
        }
        known
    }

    /// Records what a test touched.
    fn touch(&mut self, case: &TestCase, d: &Decision) {
        match &case.ask.about {
            AskAbout::Action(_) => {
                if let Some(rule) = &d.rule {
                    self.touched
                        .rows
                        .insert((rule.table.clone(), rule.row.clone()));
                }
            }
            AskAbout::Device { .. } => {
                if let Some(rule) = &d.rule
                    && let Some(device) = &rule.column
                {
                    self.touched
                        .devices
                        .insert((rule.table.clone(), device.clone()));
                }
            }
            AskAbout::Incident(_) => {}
        }
        let about_incident = matches!(case.ask.about, AskAbout::Incident(_))
            || case.expectations.iter().any(|e| {
                matches!(
                    e.kind,
                    Expect::Incident(Some(_))
                        | Expect::Response { .. }
                        | Expect::NoResponse { .. }
                        | Expect::Responses(_)
                        | Expect::NoResponses(_)
                )
            });
        if about_incident && let Some(i) = &d.incident {
            self.touched
                .incidents
                .insert((i.table.clone(), i.id.clone()));
        }
        let about_route = case.expectations.iter().any(|e| {
            matches!(
                e.kind,
                Expect::Route(Some(_)) | Expect::Steps(_) | Expect::Step { .. } | Expect::NoStep(_)
            )
        });
        if about_route && let Some(r) = &d.route {
            self.touched.routes.insert(Arc::from(r.id()));
        }
    }

    fn touched_incident(&mut self, id: &str) {
        for i in self.policy.incidents().filter(|i| &*i.id == id) {
            self.touched
                .incidents
                .insert((i.table.clone(), i.id.clone()));
        }
    }
}

/// Whether a subject names a thing with this id and label: the id exactly,
/// or the label ignoring case and spacing.
fn matches(subject: &Subject, id: &str, label: &str) -> bool {
    *subject.text == *id || normalize_label(&subject.text) == normalize_label(label)
}

/// Whether a subject names a response: by its id or label, or by one of its
/// targets' id or title.
fn names_response(subject: &Subject, r: &ResponseInfo) -> bool {
    matches(subject, &r.id, &r.label) || r.to.iter().any(|t| matches(subject, &t.id, &t.title))
}

/// Whether a route step of the decision refers to (or notifies) `subject`:
/// among the steps that apply, or, with `pending`, also those that wait on
/// a fact. Sanctions are never made by steps.
fn step_names(d: &Decision, class: ResponseClass, subject: &Subject, pending: bool) -> bool {
    let Some(route) = &d.route else {
        return false;
    };
    route.steps().any(|s| {
        let targets = match class {
            ResponseClass::Referral => &s.step.refer,
            ResponseClass::Notification => &s.step.notify,
            ResponseClass::Sanction => return false,
        };
        (pending || !s.pending) && targets.iter().any(|t| matches(subject, &t.id, &t.title))
    })
}

fn class_list(responses: &Responses, class: ResponseClass) -> &[ResponseInfo] {
    match class {
        ResponseClass::Referral => &responses.referrals,
        ResponseClass::Notification => &responses.notifications,
        ResponseClass::Sanction => &responses.sanctions,
    }
}

fn class_words(class: ResponseClass) -> (&'static str, &'static str) {
    match class {
        ResponseClass::Referral => ("referral", "referrals"),
        ResponseClass::Notification => ("notification", "notifications"),
        ResponseClass::Sanction => ("sanction", "sanctions"),
    }
}

/// A list of responses in words: their ids, in the table's order.
fn response_words(list: &[ResponseInfo], none: &str) -> String {
    if list.is_empty() {
        none.to_owned()
    } else {
        let ids: Vec<String> = list
            .iter()
            .map(|r| {
                if r.optional {
                    format!("{} (as appropriate)", r.id)
                } else {
                    r.id.to_string()
                }
            })
            .collect();
        ids.join(", ")
    }
}

/// The verdict of a decision in the test language's words.
fn verdict_words(d: &Decision) -> String {
    match (d.verdict, &d.condition) {
        (Verdict::Denied, _) if d.default => "denied by default".to_owned(),
        (Verdict::Conditional, Some(c)) => {
            format!("conditional on {} ({})", c.kind.as_str(), c.text)
        }
        (v, _) if d.role.is_some() => format!(
            "{} (as {})",
            v.as_str(),
            d.role.as_deref().unwrap_or_default()
        ),
        (v, _) => v.as_str().to_owned(),
    }
}

/// The steps of a decision's route: (number, pending).
fn steps_of(d: &Decision) -> Vec<(u32, bool)> {
    d.route
        .as_ref()
        .map(|r| r.steps().map(|s| (s.step.number, s.pending)).collect())
        .unwrap_or_default()
}

fn steps_words(steps: &[(u32, bool)]) -> String {
    let words: Vec<String> = steps
        .iter()
        .map(|(n, p)| {
            if *p {
                format!("{n} pending")
            } else {
                n.to_string()
            }
        })
        .collect();
    words.join(", ")
}

/// An expectation in the test language's words.
fn expected_words(e: &Expect) -> String {
    match e {
        Expect::Verdict {
            verdict,
            by_default,
            on,
        } => {
            let mut out = verdict.as_str().to_owned();
            if *by_default {
                out.push_str(" by default");
            }
            if let Some(kind) = on {
                out.push_str(&format!(" on {}", kind.as_str()));
            }
            out
        }
        Expect::NotListed => "not listed".to_owned(),
        Expect::Incident(Some(s)) => format!("incident {}", s.words()),
        Expect::Incident(None) => "no incident".to_owned(),
        Expect::Response {
            class,
            subject,
            optional,
        } => {
            let mut out = format!("{} {}", class_words(*class).0, subject.words());
            if *optional {
                out.push_str(" as appropriate");
            }
            out
        }
        Expect::NoResponse { class, subject } => {
            format!("no {} {}", class_words(*class).0, subject.words())
        }
        Expect::NoResponses(Some(class)) => format!("no {}", class_words(*class).1),
        Expect::NoResponses(None) => "no responses".to_owned(),
        Expect::Responses(list) => {
            let words: Vec<String> = list.iter().map(Subject::words).collect();
            format!("responses {}", words.join(", "))
        }
        Expect::Route(Some(s)) => format!("route {}", s.words()),
        Expect::Route(None) => "no route".to_owned(),
        Expect::Steps(steps) => format!("steps {}", steps_words(steps)),
        Expect::Step { number, pending } => {
            format!("step {number}{}", if *pending { " pending" } else { "" })
        }
        Expect::NoStep(n) => format!("no step {n}"),
        Expect::Rule(s) => format!("rule {}", s.words()),
        Expect::Role(r) => format!("role {}", r.text),
        Expect::Note(t) => format!("note \"{}\"", t.text),
        Expect::Tier { number, ladder } => format!("tier {number}{}", of_ladder(ladder.as_ref())),
        Expect::NoTier(ladder) => format!("no tier{}", of_ladder(ladder.as_ref())),
    }
}

/// Compares one expectation with a decision: `None` when it holds, else
/// (what was expected, what the decision has), in words.
fn check(e: &Expectation, d: &Decision) -> Option<(String, String)> {
    let holds = match &e.kind {
        Expect::Verdict {
            verdict,
            by_default,
            on,
        } => {
            d.verdict == *verdict
                && (*verdict != Verdict::Denied || d.default == *by_default)
                && on.is_none_or(|kind| d.condition.as_ref().is_some_and(|c| c.kind == kind))
        }
        Expect::NotListed => false,
        Expect::Incident(Some(s)) => d
            .incident
            .as_ref()
            .is_some_and(|i| matches(s, &i.id, &i.label)),
        Expect::Incident(None) => d.incident.is_none(),
        Expect::Response {
            class,
            subject,
            optional,
        } => {
            class_list(&d.responses, *class)
                .iter()
                .any(|r| names_response(subject, r) && r.optional == *optional)
                // A route step's referral is never optional.
                || (!optional && step_names(d, *class, subject, false))
        }
        Expect::NoResponse { class, subject } => {
            !class_list(&d.responses, *class)
                .iter()
                .any(|r| names_response(subject, r))
                && !step_names(d, *class, subject, true)
        }
        Expect::NoResponses(Some(class)) => class_list(&d.responses, *class).is_empty(),
        Expect::NoResponses(None) => d.responses.is_empty(),
        Expect::Responses(list) => {
            let all: Vec<&ResponseInfo> = d.responses.iter().collect();
            list.iter()
                .all(|s| all.iter().any(|r| names_response(s, r)))
                && all
                    .iter()
                    .all(|r| list.iter().any(|s| names_response(s, r)))
        }
        Expect::Route(Some(s)) => d
            .route
            .as_ref()
            .is_some_and(|r| matches(s, r.id(), r.label())),
        Expect::Route(None) => d.route.is_none(),
        Expect::Steps(steps) => d.route.is_some() && steps_of(d) == *steps,
        Expect::Step { number, pending } => steps_of(d).contains(&(*number, *pending)),
        Expect::NoStep(n) => d.route.is_some() && !steps_of(d).iter().any(|(s, _)| s == n),
        Expect::Rule(s) => d.rule.as_ref().is_some_and(|r| {
            matches(s, &r.row, &r.label)
                || r.column
                    .as_deref()
                    .is_some_and(|c| normalize_label(c) == normalize_label(&s.text))
        }),
        Expect::Note(t) => d
            .note
            .as_ref()
            .is_some_and(|n| normalize_label(n).contains(&normalize_label(&t.text))),
        Expect::Role(r) => d.role.as_deref() == Some(&*r.text),
        Expect::Tier { number, ladder } => d.escalation.iter().any(|e| {
            on_ladder(e, ladder.as_ref()) && e.tier.as_ref().is_some_and(|t| t.number == *number)
        }),
        Expect::NoTier(ladder) => !d
            .escalation
            .iter()
            .any(|e| on_ladder(e, ladder.as_ref()) && e.tier.is_some()),
    };
    if holds {
        return None;
    }
    let actual = match &e.kind {
        Expect::Verdict { .. } => verdict_words(d),
        Expect::NotListed => d.incident.as_ref().map_or_else(
            || verdict_words(d),
            |i| format!("listed: incident {} \"{}\" of {}", i.id, i.label, i.table),
        ),
        Expect::Incident(_) => d.incident.as_ref().map_or_else(
            || "no incident".to_owned(),
            |i| format!("incident {} \"{}\"", i.id, i.label),
        ),
        Expect::Response { class, .. }
        | Expect::NoResponse { class, .. }
        | Expect::NoResponses(Some(class)) => {
            let (_, plural) = class_words(*class);
            let list = class_list(&d.responses, *class);
            let mut words = if list.is_empty() {
                format!("no {plural}")
            } else {
                format!("{plural} {}", response_words(list, ""))
            };
            if let Some(route) = &d.route {
                let by_steps: Vec<String> = route
                    .steps()
                    .flat_map(|s| {
                        let targets = match class {
                            ResponseClass::Referral => s.step.refer.clone(),
                            ResponseClass::Notification => s.step.notify.clone(),
                            ResponseClass::Sanction => std::sync::Arc::from([]),
                        };
                        let pending = if s.pending { " (pending)" } else { "" };
                        let number = s.step.number;
                        targets
                            .iter()
                            .map(|t| format!("{} by step {number}{pending}", t.id))
                            .collect::<Vec<_>>()
                    })
                    .collect();
                if !by_steps.is_empty() {
                    words.push_str(&format!("; route steps: {}", by_steps.join(", ")));
                }
            }
            words
        }
        Expect::NoResponses(None) | Expect::Responses(_) => {
            let all: Vec<ResponseInfo> = d.responses.iter().cloned().collect();
            if all.is_empty() {
                "no responses".to_owned()
            } else {
                format!("responses {}", response_words(&all, ""))
            }
        }
        Expect::Route(_) | Expect::Steps(_) | Expect::Step { .. } | Expect::NoStep(_) => {
            match &d.route {
                None => "no route".to_owned(),
                Some(r) if matches!(e.kind, Expect::Route(_)) => {
                    format!("route {} \"{}\"", r.id(), r.label())
                }
                Some(r) => format!("route {}: steps {}", r.id(), steps_words(&steps_of(d))),
            }
        }
        Expect::Role(_) => d.role.as_ref().map_or_else(
            || "no role named (the question names one role)".to_owned(),
            |r| format!("role {r}"),
        ),
        Expect::Rule(_) => d.rule.as_ref().map_or_else(
            || "no rule".to_owned(),
            |r| format!("rule {} \"{}\" (line {})", r.row, r.label, r.line),
        ),
        Expect::Note(_) => d
            .note
            .as_ref()
            .map_or_else(|| "no note".to_owned(), |n| format!("note \"{n}\"")),
        Expect::Tier { .. } | Expect::NoTier(_) => tiers_words(d),
    };
    Some((expected_words(&e.kind), actual))
}

/// `escalation` of a decision for a ladder named (or any): whether it is.
fn on_ladder(e: &crate::LadderOutcome, ladder: Option<&crate::ast::Name>) -> bool {
    ladder.is_none_or(|l| *e.ladder.id == *l.text)
}

fn of_ladder(ladder: Option<&crate::ast::Name>) -> String {
    ladder.map_or_else(String::new, |l| format!(" of {}", l.text))
}

/// The tiers a decision applied, in words: "tier 2 of phone-in-lesson (the
/// 2nd time); no tier of pastoral (the 1st time)".
fn tiers_words(d: &Decision) -> String {
    if d.escalation.is_empty() {
        return "no ladder applies to this question".to_owned();
    }
    let words: Vec<String> = d
        .escalation
        .iter()
        .map(|e| {
            let tier = e
                .tier
                .as_ref()
                .map_or_else(|| "no tier".to_owned(), |t| format!("tier {}", t.number));
            format!(
                "{tier} of {} ({})",
                e.ladder.id,
                crate::escalation::nth(e.time)
            )
        })
        .collect();
    words.join("; ")
}

/// Every row, device, incident and procedure of the policy, marked with
/// whether a test touched it.
fn coverage(policy: &Policy, touched: &Touched) -> Coverage {
    let mut items = Vec::new();
    for table in policy.tables() {
        for row in &table.rows {
            items.push(CoverageItem {
                kind: "row".to_owned(),
                table: table.id.clone(),
                id: row.id.clone(),
                label: row.label.clone(),
                line: row.line,
                tested: touched.rows.contains(&(table.id.clone(), row.id.clone())),
            });
        }
    }
    for device in policy.devices() {
        items.push(CoverageItem {
            kind: "device".to_owned(),
            table: device.table.clone(),
            id: device.id.clone(),
            label: device.label.clone(),
            line: device.line,
            tested: touched
                .devices
                .contains(&(device.table.clone(), device.label.clone())),
        });
    }
    for incident in policy.incidents() {
        items.push(CoverageItem {
            kind: "incident".to_owned(),
            table: incident.table.clone(),
            id: incident.id.clone(),
            label: incident.label.clone(),
            line: incident.line,
            tested: touched
                .incidents
                .contains(&(incident.table.clone(), incident.id.clone())),
        });
    }
    for route in policy.routes() {
        items.push(CoverageItem {
            kind: "procedure".to_owned(),
            table: Arc::from(""),
            id: route.id.clone(),
            label: route.label.clone(),
            line: route.line,
            tested: touched.routes.contains(&route.id),
        });
    }
    Coverage { items }
}
