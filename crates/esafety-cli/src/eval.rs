//! `esafety eval`: ask a policy a question, or a file of questions.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;
use esafety::{Decision, Policy, Query, Target, Verdict};
use serde::Serialize;

use crate::{EXIT_OK, EXIT_USAGE, Output};

/// The version of the JSON `eval` prints. It changes only on purpose.
pub(crate) const EVAL_JSON_VERSION: u32 = esafety::JSON_VERSION;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("subject").args(["action", "incident", "queries"]).required(true)))]
pub(crate) struct Args {
    /// The policy file.
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,

    /// Whose action: a role id such as `pupil`, `year-5` or `teacher`.
    /// Repeat it for a person with several roles (`--role teacher --role
    /// dsl`): they may do what any of their roles allows.
    #[arg(long, value_name = "ROLE", required_unless_present_any = ["queries", "device"])]
    role: Vec<String>,

    /// A row (id or label) of a user-actions, communications or rules table;
    /// with --device, what the device may do ("Allowed in school", ...).
    #[arg(long, value_name = "ROW", conflicts_with = "incident")]
    action: Option<String>,

    /// An incident (id or label).
    #[arg(long, value_name = "ROW")]
    incident: Option<String>,

    /// A device kind (id or label); give --action too.
    #[arg(
        long,
        value_name = "KIND",
        requires = "action",
        conflicts_with = "incident"
    )]
    device: Option<String>,

    /// When, as YYYY-MM-DDTHH:MM (school time).
    #[arg(long, value_name = "YYYY-MM-DDTHH:MM")]
    at: Option<String>,

    /// Where the person is: a place the policy declares, e.g. `library`.
    #[arg(long, value_name = "PLACE")]
    place: Option<String>,

    /// A fact about the situation, e.g. `permission=yes` or `immediate-risk=true`
    /// (a bare name means true). Repeatable.
    #[arg(long = "fact", value_name = "KEY=VALUE")]
    facts: Vec<String>,

    /// How many earlier incidents of the person count: for every ladder (and
    /// `repeat offences`), N earlier ones inside its window. Use --history
    /// to give them with their dates instead.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        conflicts_with = "history"
    )]
    prior: u32,

    /// The person's earlier incidents, one JSON object per line:
    /// `{"incident": "phone-in-lesson", "at": "2026-10-01T10:00"}`. Ladders
    /// count those inside their window; give --at too.
    #[arg(long, value_name = "FILE.jsonl")]
    history: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Answer one JSON query per line from FILE (`-` for stdin), printing one
    /// JSON decision per line.
    #[arg(long, value_name = "FILE.jsonl", conflicts_with_all = ["role", "action", "incident", "device", "at", "place", "facts", "prior", "history"])]
    queries: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A verdict line, then why and what follows.
    Human,
    /// The decision as JSON (schema in docs/cli.md).
    Json,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    version: u32,
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    kind: &'a str,
    message: String,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    suggestions: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
}

fn error_json(kind: &str, message: String, suggestions: &[String], line: Option<usize>) -> String {
    serde_json::to_string(&ErrorJson {
        version: EVAL_JSON_VERSION,
        error: ErrorBody {
            kind,
            message,
            suggestions,
            line,
        },
    })
    .unwrap_or_else(|_| String::from("{\"version\":1,\"error\":{\"kind\":\"internal\"}}"))
}

/// The decision as JSON: the library's form, which carries its version.
fn decision_json(decision: &Decision, pretty: bool) -> String {
    let text = if pretty {
        serde_json::to_string_pretty(decision)
    } else {
        serde_json::to_string(decision)
    };
    text.unwrap_or_else(|e| error_json("internal", e.to_string(), &[], None))
}

/// Loads a policy for eval or list, printing its diagnostics if it has errors.
pub(crate) fn load(path: &std::path::Path, output: Output) -> Option<Policy> {
    match Policy::from_file(path) {
        Ok(policy) => Some(policy),
        Err(e @ esafety::LoadError::Invalid { .. }) => {
            err!("{}", e.render(output.color));
            errln!(
                "esafety: `{}` has errors; fix them (see `esafety check`) before asking it questions",
                crate::files::shown(path)
            );
            None
        }
        Err(e) => {
            errln!("esafety: {e}");
            None
        }
    }
}

fn parse_fact(text: &str) -> Result<(String, bool), String> {
    let (key, value) = match text.split_once('=') {
        Some((k, v)) => (k.trim(), v.trim()),
        None => (text.trim(), "true"),
    };
    let value = match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => true,
        "false" | "no" | "0" => false,
        other => {
            return Err(format!(
                "--fact `{text}`: `{other}` is not true or false; write e.g. `{key}=yes` or `{key}=no`"
            ));
        }
    };
    if key.is_empty() {
        return Err(format!(
            "--fact `{text}` has no name; write e.g. `permission=yes`"
        ));
    }
    Ok((key.to_owned(), value))
}

pub(crate) fn run(args: &Args, output: Output) -> u8 {
    let Some(policy) = load(&args.policy, output) else {
        return EXIT_USAGE;
    };
    if let Some(source) = &args.queries {
        return batch(&policy, source);
    }

    let mut facts = BTreeMap::new();
    for f in &args.facts {
        match parse_fact(f) {
            Ok((k, v)) => {
                if facts.insert(k.clone(), v).is_some() {
                    return usage_error(
                        args.format,
                        "bad-fact",
                        format!(
                            "the fact `{}` is given twice; give each fact once",
                            esafety::text::printable(&k)
                        ),
                    );
                }
            }
            Err(message) => return usage_error(args.format, "bad-fact", message),
        }
    }
    let at = match args.at.as_deref().map(esafety::parse_at).transpose() {
        Ok(at) => at,
        Err(e) => return usage_error(args.format, "bad-time", format!("--at {e}")),
    };
    let mut query = Query::default();
    let mut roles = args.role.iter().cloned();
    query.role = roles.next();
    query.roles = roles.collect();
    query.place = args.place.clone();
    query.action = args.action.clone();
    query.incident = args.incident.clone();
    query.device = args.device.clone();
    query.at = at;
    query.facts = facts;
    query.prior = args.prior;
    // Each entry's line in the history file, to name it in errors.
    let mut history_lines = Vec::new();
    if let Some(path) = &args.history {
        match read_history(path) {
            Ok((history, lines)) => {
                query.history = history;
                history_lines = lines;
            }
            Err((message, line)) => {
                match args.format {
                    Format::Json => {
                        outln!("{}", error_json("bad-history", message, &[], line));
                    }
                    Format::Human => errln!("esafety: {message}"),
                }
                return EXIT_USAGE;
            }
        }
    }
    match policy.decide(&query) {
        Ok(decision) => {
            match args.format {
                Format::Json => outln!("{}", decision_json(&decision, true)),
                Format::Human => out!(
                    "{}",
                    human(&policy, &query, &decision, Asked::CommandLine, output.color)
                ),
            }
            EXIT_OK
        }
        Err(error) => {
            // An error in the history names the file and line, not the
            // entry's place in the question.
            let (message, line) = match (error.history_entry(), &args.history) {
                (Some(entry), Some(path)) => {
                    let line = history_lines.get(entry).copied();
                    let inner = match &error {
                        esafety::QueryError::InHistory { error, .. } => error.to_string(),
                        other => other.to_string(),
                    };
                    (
                        format!(
                            "`{}` line {}: {inner}",
                            crate::files::shown(path),
                            line.unwrap_or(entry + 1)
                        ),
                        line,
                    )
                }
                _ => (error.to_string(), None),
            };
            match args.format {
                Format::Json => outln!(
                    "{}",
                    error_json(error.kind(), message, error.suggestions(), line)
                ),
                Format::Human => errln!("esafety: {message}"),
            }
            EXIT_USAGE
        }
    }
}

/// A history file as read: its entries, and the line of each.
type History = (Vec<esafety::Earlier>, Vec<usize>);

/// What is wrong with a history file, and on which line.
type HistoryError = (String, Option<usize>);

/// Reads a history file: its entries, and the line of each; or what is wrong
/// and on which line.
fn read_history(path: &std::path::Path) -> Result<History, HistoryError> {
    let shown = crate::files::shown(path);
    let source = path.to_string_lossy();
    let mut reader = crate::files::open_lines(&source).map_err(|m| (m, None))?;
    let mut history = Vec::new();
    let mut lines = Vec::new();
    let mut number = 0usize;
    loop {
        let text = match crate::files::next_json_line(&mut *reader, &mut number) {
            Ok(None) => break,
            Ok(Some(crate::files::JsonLine::Text(text))) => text,
            Ok(Some(crate::files::JsonLine::Unreadable(message))) | Err(message) => {
                return Err((format!("`{shown}`: {message}"), Some(number)));
            }
        };
        match serde_json::from_str::<esafety::Earlier>(&text) {
            Ok(earlier) => {
                history.push(earlier);
                lines.push(number);
            }
            Err(e) => {
                return Err((
                    format!(
                        "`{shown}` line {number} is not an earlier incident: {e}. Each line looks like {{\"incident\": \"phone-in-lesson\", \"at\": \"2026-10-01T10:00\"}}"
                    ),
                    Some(number),
                ));
            }
        }
    }
    Ok((history, lines))
}

fn usage_error(format: Format, kind: &str, message: String) -> u8 {
    match format {
        Format::Json => outln!("{}", error_json(kind, message, &[], None)),
        Format::Human => errln!("esafety: {message}"),
    }
    EXIT_USAGE
}

/// Answers one JSON query per line; a bad line gets an error object.
fn batch(policy: &Policy, source: &str) -> u8 {
    let mut reader = match crate::files::open_lines(source) {
        Ok(reader) => reader,
        Err(message) => {
            errln!("esafety: {message}");
            return EXIT_USAGE;
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut exit = EXIT_OK;
    let mut number = 0usize;
    loop {
        let line = match crate::files::next_json_line(&mut *reader, &mut number) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(message) => {
                let _ = writeln!(
                    out,
                    "{}",
                    error_json("unreadable-line", message, &[], Some(number))
                );
                exit = EXIT_USAGE;
                break;
            }
        };
        let text = match line {
            crate::files::JsonLine::Unreadable(message) => {
                exit = EXIT_USAGE;
                error_json("unreadable-line", message, &[], Some(number))
            }
            crate::files::JsonLine::Text(line) => match serde_json::from_str::<Query>(&line) {
                Ok(query) => match policy.decide(&query) {
                    Ok(decision) => decision_json(&decision, false),
                    Err(error) => {
                        exit = EXIT_USAGE;
                        error_json(
                            error.kind(),
                            error.to_string(),
                            error.suggestions(),
                            Some(number),
                        )
                    }
                },
                Err(e) => {
                    exit = EXIT_USAGE;
                    error_json(
                        "bad-query",
                        format!(
                            "line {number} is not a query: {e}. A query looks like {{\"role\": \"pupil\", \"action\": \"Use of blogs\", \"at\": \"2025-11-04T10:35\"}}"
                        ),
                        &[],
                        Some(number),
                    )
                }
            },
        };
        if writeln!(out, "{text}").is_err() {
            // The reader has gone (e.g. `| head`): stop quietly.
            return exit;
        }
    }
    let _ = out.flush();
    exit
}

// --- human output -----------------------------------------------------------

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.wrap("1", t)
    }
    fn verdict(&self, v: Verdict) -> String {
        let code = match v {
            Verdict::Allowed => "1;32",
            Verdict::Conditional => "1;33",
            _ => "1;31",
        };
        self.wrap(code, &v.as_str().to_uppercase())
    }
}

fn targets(to: &[Target]) -> String {
    let parts: Vec<String> = to
        .iter()
        .map(|t| {
            let mut s = if t.title == t.id {
                t.id.to_string()
            } else {
                format!("{} ({})", t.title, t.id)
            };
            if let Some(phone) = &t.phone {
                s.push_str(&format!(", phone {phone}"));
            }
            if let Some(url) = &t.url {
                s.push_str(&format!(", {url}"));
            }
            if let Some(email) = &t.email {
                s.push_str(&format!(", {email}"));
            }
            s
        })
        .collect();
    parts.join("; ")
}

/// What was asked, in the policy's own words where the decision has them.
fn subject(query: &Query, decision: &Decision) -> String {
    let names: Vec<&str> = query.role_names().collect();
    let who = if names.is_empty() {
        "anyone".to_owned()
    } else {
        names.join(" and ")
    };
    let who = who.as_str();
    let label = decision.rule.as_ref().map(|r| r.label.to_string());
    match (&query.action, &query.incident, &query.device) {
        (Some(a), _, Some(_)) => {
            let device = decision
                .rule
                .as_ref()
                .and_then(|r| r.column.as_deref())
                .unwrap_or("device");
            format!("{device}: \"{}\"", label.unwrap_or_else(|| a.clone()))
        }
        (Some(a), _, None) => format!("{who}: \"{}\"", label.unwrap_or_else(|| a.clone())),
        (_, Some(i), _) => format!("{who}: \"{}\"", label.unwrap_or_else(|| i.clone())),
        _ => who.to_owned(),
    }
}

/// How to settle a conditional answer: what to give, and where.
fn settle_hint(c: &esafety::Condition, asked: Asked) -> String {
    use esafety::ConditionKind as K;
    let mut parts: Vec<String> = Vec::new();
    let command_line = asked == Asked::CommandLine;
    if c.time || c.kind == K::Time {
        parts.push(if command_line { "--at" } else { "`at …`" }.to_owned());
    }
    if !c.places.is_empty() {
        let places: Vec<&str> = c.places.iter().map(|p| &**p).collect();
        parts.push(if command_line {
            format!("--place (it holds in {})", places.join(", "))
        } else {
            format!("`in …` (it holds in {})", places.join(", "))
        });
    }
    let mut facts: Vec<&str> = c.facts.iter().map(|f| &**f).collect();
    match c.kind {
        K::Permission if facts.is_empty() => facts.push("permission"),
        K::Nominated if facts.is_empty() => facts.push("nominated"),
        _ => {}
    }
    for f in facts {
        parts.push(if command_line {
            format!("--fact {f}=yes|no")
        } else {
            format!("`given {f}` or `given no {f}`")
        });
    }
    if parts.is_empty() {
        return " — a person must decide".to_owned();
    }
    if command_line {
        format!(" — give {} to decide", parts.join(" and "))
    } else {
        format!(" — add {} to the question to decide", parts.join(" and "))
    }
}

/// Where a decision is shown, which decides how to say what would settle a
/// conditional answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asked {
    /// On the command line (`esafety eval`): give `--at` or `--fact`.
    CommandLine,
    /// In a test file (`esafety test`): add `at` or `given` to the question.
    TestFile,
}

/// Renders a decision for a person: the verdict in one line, then why and
/// what follows.
pub(crate) fn human(
    policy: &Policy,
    query: &Query,
    d: &Decision,
    asked: Asked,
    color: bool,
) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    // A question about an incident is about its consequences, not a verdict.
    let about_incident = query.incident.is_some();
    let verdict = if about_incident {
        p.wrap("1;35", "INCIDENT")
    } else {
        p.verdict(d.verdict)
    };
    let mut headline = format!("{verdict}  {}", subject(query, d));
    if d.default {
        headline.push_str("  (by default: the policy does not answer this)");
    }
    out.push_str(&headline);
    out.push('\n');
    if let Some(c) = &d.condition {
        let hint = if d.verdict == Verdict::Conditional {
            settle_hint(c, asked)
        } else {
            String::new()
        };
        out.push_str(&format!("  {:<11}{}{hint}\n", "condition", c.text));
    }
    if let Some(note) = &d.note {
        out.push_str(&format!("  {:<11}{note}\n", "note"));
    }
    if let Some(role) = &d.role {
        out.push_str(&format!(
            "  {:<11}{role} (the rule for this role decided)\n",
            "as"
        ));
    }
    if let Some(r) = d.rule.as_ref().filter(|_| !about_incident) {
        let column = r
            .column
            .as_deref()
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {:<11}{}:{}  {} › {} \"{}\"{column}\n",
            "rule",
            esafety::text::printable(r.file.as_deref().unwrap_or(policy.path())),
            r.line,
            r.table,
            r.row,
            r.label
        ));
    }
    if let Some(i) = &d.incident {
        out.push_str(&format!(
            "  {:<11}\"{}\" ({} › {}, line {}{})\n",
            "incident",
            i.label,
            i.table,
            i.id,
            i.line,
            of_file(i.file.as_deref())
        ));
    }
    for e in &d.escalation {
        let place = e
            .window
            .as_ref()
            .map(|w| format!(" in {}", w.label))
            .unwrap_or_default();
        let tier = e.tier.as_ref().map_or_else(
            || "no tier".to_owned(),
            |t| format!("tier \"{}\" (line {})", t.times, t.line),
        );
        out.push_str(&format!(
            "  {:<11}\"{}\" (line {}): the {} time{place} → {tier}\n",
            "ladder",
            e.ladder.label,
            e.ladder.line,
            esafety::ast::ordinal(e.time)
        ));
    }
    let list = |name: &str, items: &[esafety::ResponseInfo], out: &mut String| {
        for (n, r) in items.iter().enumerate() {
            let label = if n == 0 { name } else { "" };
            let to = if r.to.is_empty() {
                String::new()
            } else {
                format!(" → {}", targets(&r.to))
            };
            let optional = if r.optional { "  (as appropriate)" } else { "" };
            out.push_str(&format!("  {label:<11}{}{to}{optional}\n", r.label));
        }
    };
    list("referrals", &d.responses.referrals, &mut out);
    list("notify", &d.responses.notifications, &mut out);
    list("sanctions", &d.responses.sanctions, &mut out);
    if let Some(route) = &d.route {
        out.push_str(&format!(
            "  {:<11}\"{}\" ({}, line {}{})\n",
            "route",
            route.label(),
            route.id(),
            route.line(),
            of_file(route.file())
        ));
        for s in route.steps() {
            let mut line = format!("{:>13}. {}", s.step.number, s.step.text);
            if !s.step.refer.is_empty() {
                line.push_str(&format!(" → {}", targets(&s.step.refer)));
            }
            if !s.step.notify.is_empty() {
                line.push_str(&format!(" (notify {})", targets(&s.step.notify)));
            }
            if s.pending
                && let Some(c) = &s.step.condition
            {
                line.push_str(&format!("  [only {c}: not given]"));
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    if !d.explanation.is_empty() {
        out.push_str(&format!("{}\n", p.bold("why")));
        for (n, e) in d.explanation.iter().enumerate() {
            out.push_str(&format!("  {}. {e}\n", n + 1));
        }
    }
    out
}

/// ` of trust.policy` after a line number in a policy that extends another.
fn of_file(file: Option<&str>) -> String {
    file.map(|f| format!(" of {}", esafety::text::printable(f)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use esafety::QueryError;

    #[test]
    fn facts_read_yes_no_and_bare_names() {
        assert_eq!(
            parse_fact("permission=yes"),
            Ok(("permission".into(), true))
        );
        assert_eq!(
            parse_fact("immediate-risk = false"),
            Ok(("immediate-risk".into(), false))
        );
        assert_eq!(parse_fact("nominated"), Ok(("nominated".into(), true)));
        assert!(parse_fact("permission=maybe").is_err());
        assert!(parse_fact("=yes").is_err());
    }

    #[test]
    fn query_errors_have_stable_kinds() {
        let e = QueryError::Incomplete("x".into());
        assert_eq!(e.kind(), "incomplete-query");
    }
}
