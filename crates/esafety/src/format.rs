//! The canonical layout of a policy file (`esafety fmt`).
//!
//! The layout depends only on the syntax tree, never on how the file was
//! indented or spaced: each statement is printed from its [`ast`](crate::ast)
//! node at the depth its place gives it (two spaces a level), with one space
//! between words and the forms below. Every comment is kept, in order, at the
//! depth of the statement it sits above; blank lines are kept where the
//! author put them (a run of blank lines becomes one).
//!
//! | written | printed |
//! | --- | --- |
//! | `8:45-10:30` | `08:45 to 10:30` |
//! | `2021-04-14` | `14 April 2021` |
//! | `Monday to FRIDAY` | `monday to friday` |
//! | `refer to dsl` | `refer dsl` |
//! | `refer a notify b refer c` | `refer a, c notify b` |
//!
//! Formatting is idempotent, and the formatted file parses to the same tree
//! as the original, spans aside.
//!
//! ```
//! let messy = "school   \"Demo\"\n approved 2021-04-14\n\n\n\n  # the roles\nroles\n      staff includes teacher ,dsl\n";
//! let tidy = esafety::format::format("demo.policy", messy).unwrap();
//! assert_eq!(tidy, "school \"Demo\"\n  approved 14 April 2021\n\n# the roles\nroles\n  staff includes teacher, dsl\n");
//! ```

use std::fmt::Write as _;

use crate::ast::*;
use crate::diagnostic::Diagnostic;

/// Formats policy text. Refuses (with the parser's diagnostics) a file that
/// does not parse: formatting it would drop the lines that failed.
pub fn format(path: &str, text: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = crate::parse(path, text);
    if parsed.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(parsed.diagnostics);
    }
    Ok(print(&parsed.file))
}

/// Prints a syntax tree in the canonical layout.
pub fn print(file: &PolicyFile) -> String {
    let mut p = Printer::default();
    if let Some(extends) = &file.extends {
        p.line(
            0,
            &extends.trivia,
            &format!("extends {}", text(&extends.path)),
        );
    }
    for removal in &file.removals {
        p.line(0, &removal.trivia, &removal_line(removal));
    }
    for section in &file.sections {
        p.section(section);
    }
    p.comments(&file.trailing_comments, true, 0);
    p.out
}

/// The output so far, and the depth of the last statement printed.
#[derive(Default)]
struct Printer {
    out: String,
    depth: usize,
}

impl Printer {
    fn blank_line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn comment(&mut self, depth: usize, comment: &Comment) {
        if comment.blank_line_before {
            self.blank_line();
        }
        self.indent(depth);
        self.out.push('#');
        self.out.push_str(&comment.text);
        self.out.push('\n');
    }

    /// Prints a run of whole-line comments; `blank_after` says whether a
    /// blank line follows them, `depth` is the depth of what follows.
    fn comments(&mut self, comments: &[Comment], blank_after: bool, depth: usize) {
        let first_run = comments
            .iter()
            .skip(1)
            .position(|c| c.blank_line_before)
            .map_or(comments.len(), |i| i + 1);
        let hangs = comments.first().is_some_and(|c| !c.blank_line_before)
            && (first_run < comments.len() || blank_after);
        for (i, comment) in comments.iter().enumerate() {
            let at = if hangs && i < first_run {
                self.depth
            } else {
                depth
            };
            self.comment(at, comment);
        }
    }

    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
    }

    /// Prints one statement line with the comments and blank line before it
    /// and the comment after it.
    ///
    /// Comments take the depth of the statement below them, except a run of
    /// comments that hangs directly under the statement above and is then
    /// followed by a blank line: that is a note on the lines above (the end
    /// of a row or a section) and keeps the depth of the statement above.
    fn line(&mut self, depth: usize, trivia: &Trivia, statement: &str) {
        let comments = trivia.comments_before();
        self.comments(comments, trivia.blank_line_before(), depth);
        self.depth = depth;
        if trivia.blank_line_before() {
            self.blank_line();
        }
        self.indent(depth);
        self.out.push_str(statement);
        if let Some(comment) = trivia.trailing_comment() {
            self.out.push_str(" #");
            self.out.push_str(&comment.text);
        }
        self.out.push('\n');
    }

    fn section(&mut self, section: &Section) {
        match section {
            Section::School(s) => {
                self.line(0, &s.trivia, &format!("school {}", text(&s.name)));
                for item in &s.items {
                    let line = match &item.kind {
                        SchoolItemKind::Template { name } => format!("template {}", text(name)),
                        SchoolItemKind::Approved { date: d } => format!("approved {}", date(d)),
                        SchoolItemKind::ReviewBy { date: d } => format!("review by {}", date(d)),
                        SchoolItemKind::Owner { name } => format!("owner {}", text(name)),
                    };
                    self.line(1, &item.trivia, &line);
                }
            }
            Section::Roles(r) => {
                self.line(0, &r.trivia, "roles");
                for g in &r.groups {
                    let members: Vec<String> = g.members.iter().map(Member::words).collect();
                    let line = format!("{} includes {}", g.group.text, members.join(", "));
                    self.line(1, &g.trivia, &line);
                }
            }
            Section::Timetable(t) => {
                self.line(0, &t.trivia, "timetable");
                for item in &t.items {
                    self.timetable_item(item);
                }
            }
            Section::Contacts(c) => {
                self.line(0, &c.trivia, "contacts");
                for contact in &c.contacts {
                    let mut line = format!("contact {} {}", contact.id.text, text(&contact.title));
                    for reach in &contact.reach {
                        line.push(' ');
                        line.push_str(&match reach {
                            Reach::Phone { number } => format!("phone {}", text(number)),
                            Reach::Url { url } => format!("url {}", text(url)),
                            Reach::Email { address } => format!("email {}", text(address)),
                            Reach::InSchool { .. } => "in school".to_owned(),
                        });
                    }
                    self.line(1, &contact.trivia, &line);
                }
            }
            Section::Facts(f) => {
                self.line(0, &f.trivia, "facts");
                for fact in &f.facts {
                    let line = format!("fact {} {}", fact.id.text, text(&fact.label));
                    self.line(1, &fact.trivia, &line);
                }
            }
            Section::Places(p) => {
                self.line(0, &p.trivia, "places");
                for place in &p.places {
                    let line = format!("place {} {}", place.id.text, text(&place.label));
                    self.line(1, &place.trivia, &line);
                }
            }
            Section::Table(t) => self.table(t),
            Section::Devices(d) => self.devices(d),
            Section::Incidents(i) => self.incidents(i),
            Section::Route(r) => {
                self.line(
                    0,
                    &r.trivia,
                    &format!("route {} {}", r.id.text, text(&r.label)),
                );
                self.locks(1, &r.locks);
                for step in &r.steps {
                    self.line(1, &step.trivia, &step_line(step));
                }
            }
        }
    }

    fn locks(&mut self, depth: usize, locks: &[Lock]) {
        for lock in locks {
            let line = match &lock.roles {
                Some(roles) => format!("locked for {}", roles.words()),
                None => "locked".to_owned(),
            };
            self.line(depth, &lock.trivia, &line);
        }
    }

    fn timetable_item(&mut self, item: &TimetableItem) {
        match item {
            TimetableItem::Day(d) => {
                let days = match &d.days {
                    Days::Range { from, to } => {
                        format!("{} to {}", from.day.as_str(), to.day.as_str())
                    }
                    Days::List { days } => {
                        let names: Vec<&str> = days.iter().map(|d| d.day.as_str()).collect();
                        names.join(", ")
                    }
                };
                self.line(1, &d.trivia, &days);
                for p in &d.periods {
                    let line = format!("{} {} to {}", p.name.text, time(&p.start), time(&p.end));
                    self.line(2, &p.trivia, &line);
                }
            }
            TimetableItem::Alias(a) => {
                let line = format!("{} means {}", a.name.text, names(&a.periods));
                self.line(1, &a.trivia, &line);
            }
            TimetableItem::Term(r) => self.line(1, &r.trivia, &date_range("term", r)),
            TimetableItem::Holiday(r) => self.line(1, &r.trivia, &date_range("holiday", r)),
        }
    }

    fn table(&mut self, t: &Table) {
        let heading = format!("{} {} {}", t.kind.keyword(), t.id.text, text(&t.label));
        self.line(0, &t.trivia, &heading);
        self.locks(1, &t.locks);
        for item in &t.items {
            match item {
                TableItem::Column(c) => {
                    let line = format!(
                        "column {} {} for {}",
                        c.id.text,
                        text(&c.label),
                        c.roles.words()
                    );
                    self.line(1, &c.trivia, &line);
                }
                TableItem::Row(r) => {
                    self.line(1, &r.trivia, &labelled("row", &r.id, &r.label));
                    self.locks(2, &r.locks);
                    for item in &r.items {
                        match item {
                            RowItem::Cell(c) => {
                                let line =
                                    format!("{}: {}", c.roles.words(), answer(&c.answer.kind));
                                self.line(2, &c.trivia, &line);
                            }
                            RowItem::Breach(b) => self.line(2, &b.trivia, &breach_line(b)),
                            RowItem::Follow(f) => self.line(2, &f.trivia, &follow_line(f)),
                        }
                    }
                }
            }
        }
    }

    fn devices(&mut self, d: &Devices) {
        self.line(
            0,
            &d.trivia,
            &format!("devices {} {}", d.id.text, text(&d.label)),
        );
        for device in &d.devices {
            let mut line = format!("device {} {}", device.id.text, text(&device.label));
            if let Some(group) = &device.group {
                line.push_str(" in ");
                line.push_str(&text(group));
            }
            self.line(1, &device.trivia, &line);
            for item in &device.items {
                match item {
                    DeviceItem::InSchool(s) => {
                        let mut line = format!("allowed in school: {}", presence(&s.presence));
                        if let Some(note) = &s.note {
                            line.push_str(", ");
                            line.push_str(&text(note));
                        }
                        self.line(2, &s.trivia, &line);
                    }
                    DeviceItem::Network(n) => {
                        let access = match n.access {
                            NetworkAccess::Full => "full",
                            NetworkAccess::InternetOnly => "internet only",
                            NetworkAccess::None => "none",
                            NetworkAccess::Blank => "blank",
                        };
                        self.line(2, &n.trivia, &format!("network access: {access}"));
                    }
                    DeviceItem::Breach(b) => self.line(2, &b.trivia, &breach_line(b)),
                }
            }
        }
    }

    fn incidents(&mut self, t: &Incidents) {
        let heading = format!(
            "incidents {} {} for {}",
            t.id.text,
            text(&t.label),
            t.roles.words()
        );
        self.line(0, &t.trivia, &heading);
        self.locks(1, &t.locks);
        for item in &t.items {
            match item {
                IncidentsItem::Response(r) => {
                    let kind = match &r.kind {
                        ResponseKind::Refer { to } => format!("refer {}", names(to)),
                        ResponseKind::Notify { to } => format!("notify {}", names(to)),
                        ResponseKind::Sanction => "sanction".to_owned(),
                    };
                    let line = format!("response {} {} {kind}", r.id.text, text(&r.label));
                    self.line(1, &r.trivia, &line);
                }
                IncidentsItem::Incident(i) => {
                    self.line(1, &i.trivia, &labelled("incident", &i.id, &i.label));
                    self.locks(2, &i.locks);
                    for item in &i.items {
                        match item {
                            IncidentItem::Responses(r) => {
                                let head = if r.optional {
                                    "responses as appropriate"
                                } else {
                                    "responses"
                                };
                                let line = format!("{head}: {}", names(&r.responses));
                                self.line(2, &r.trivia, &line);
                            }
                            IncidentItem::Follow(f) => self.line(2, &f.trivia, &follow_line(f)),
                            IncidentItem::Repeat(r) => {
                                let noun = if r.after == 1 {
                                    "incident"
                                } else {
                                    "incidents"
                                };
                                let line =
                                    format!("repeat offences after {} prior {noun}", r.after);
                                self.line(2, &r.trivia, &line);
                            }
                            IncidentItem::ReportedDirectly(d) => {
                                self.line(2, &d.trivia, "reported directly");
                            }
                            IncidentItem::Count(c) => self.line(2, &c.trivia, &c.words()),
                            IncidentItem::Tier(t) => self.line(2, &t.trivia, &t.words()),
                        }
                    }
                }
                IncidentsItem::Ladder(l) => {
                    let line = format!("ladder {} {}", l.id.text, text(&l.label));
                    self.line(1, &l.trivia, &line);
                    for item in &l.items {
                        match item {
                            LadderItem::Count(c) => self.line(2, &c.trivia, &c.words()),
                            LadderItem::Tier(t) => self.line(2, &t.trivia, &t.words()),
                        }
                    }
                }
            }
        }
    }
}

/// A label in double quotes, with `"` and `\` escaped.
fn text(t: &Text) -> String {
    let mut out = String::with_capacity(t.text.len() + 2);
    out.push('"');
    for c in t.text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn names(list: &[Name]) -> String {
    let names: Vec<&str> = list.iter().map(|n| &*n.text).collect();
    names.join(", ")
}

/// `14 April 2021`, or `April 2021` for a whole month. A month that no name
/// fits (only an ISO date can say `2021-13-01`) stays in ISO form, so that
/// the checker still sees, and reports, the date as written.
fn date(d: &DateValue) -> String {
    let month = crate::calendar::month_name(d.month);
    match (d.day, month) {
        (None, Some(month)) => format!("{month} {:04}", d.year),
        (Some(day), Some(month)) if day <= 99 => format!("{day} {month} {:04}", d.year),
        (day, _) => format!("{:04}-{:02}-{:02}", d.year, d.month, day.unwrap_or(1)),
    }
}

fn date_range(keyword: &str, r: &DateRange) -> String {
    let mut line = keyword.to_owned();
    if let Some(label) = &r.label {
        line.push(' ');
        line.push_str(&text(label));
    }
    let _ = write!(line, " {} to {}", date(&r.from), date(&r.to));
    line
}

fn time(t: &TimeValue) -> String {
    format!("{:02}:{:02}", t.hour, t.minute)
}

fn permission(staff: bool, from: Option<&Name>) -> String {
    let mut out = String::from(if staff {
        "with staff permission"
    } else {
        "with permission"
    });
    if let Some(from) = from {
        out.push_str(" from ");
        out.push_str(&from.text);
    }
    out
}

fn answer(kind: &AnswerKind) -> String {
    match kind {
        AnswerKind::AcceptableAtCertainTimes { window }
        | AnswerKind::AllowedAtCertainTimes { window } => {
            let mut out = kind.words().to_owned();
            if let Some(w) = window {
                out.push_str(match w.kind {
                    WindowKind::During => " during ",
                    WindowKind::Outside => " outside ",
                });
                out.push_str(&names(&w.periods));
            }
            out
        }
        AnswerKind::AllowedWithPermission { staff, from } => {
            format!("allowed {}", permission(*staff, from.as_deref()))
        }
        AnswerKind::Only { cond, .. } | AnswerKind::Except { cond, .. } => {
            format!("{} {}", kind.words(), crate::condition::words(cond))
        }
        other => other.words().to_owned(),
    }
}

fn presence(p: &Presence) -> String {
    match p {
        Presence::Yes => "yes".to_owned(),
        Presence::No => "no".to_owned(),
        Presence::WithPermission { staff, from } => permission(*staff, from.as_deref()),
        Presence::Blank => "blank".to_owned(),
    }
}

fn breach_line(b: &Breach) -> String {
    format!("breach by {}: {}", b.roles.words(), b.incident.text)
}

fn follow_line(f: &Follow) -> String {
    format!("follow route {}", f.route.text)
}

pub(crate) fn step_line(step: &Step) -> String {
    let mut line = format!("step {}", text(&step.text));
    if !step.refer.is_empty() {
        line.push_str(" refer ");
        line.push_str(&names(&step.refer));
    }
    if !step.notify.is_empty() {
        line.push_str(" notify ");
        line.push_str(&names(&step.notify));
    }
    if let Some(c) = &step.condition {
        line.push_str(if c.negated { " unless " } else { " if " });
        line.push_str(&crate::condition::words(&c.cond));
    }
    line
}

/// `row id "label"`, or `row id` where no label was written (a policy
/// changing its base's row keeps the base's label).
fn labelled(keyword: &str, id: &Name, label: &Text) -> String {
    if label.text.is_empty() && label.span.start == label.span.end {
        format!("{keyword} {}", id.text)
    } else {
        format!("{keyword} {} {}", id.text, text(label))
    }
}

fn removal_line(removal: &Removal) -> String {
    let mut line = format!("remove {} {}", removal.kind.as_str(), names(&removal.names));
    if let Some(within) = &removal.within {
        let kind = if within.incident { "incident" } else { "row" };
        let _ = write!(line, " in {kind} {}", within.id.text);
    }
    line
}
