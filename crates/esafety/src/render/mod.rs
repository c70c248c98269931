//! The readable policy, generated from the policy itself (`esafety render`).
//!
//! A [`Document`] is laid out once from a checked policy, then printed as
//! Markdown (tables, and Mermaid flowcharts for the escalation routes), as one
//! self-contained HTML page (real tables with headers, inline SVG flowcharts,
//! print styles, no external assets), or as Graphviz DOT (the routes only).
//! Every label is printed verbatim and escaped for its format: a label that
//! contains `<script>` renders as text.
//!
//! Each table is laid out as the school's document lays it out:
//!
//! * a user-actions table has the five columns of the SWGfL template
//!   (acceptable … unacceptable and illegal), a mark in the one that applies;
//! * a communications table has a group of columns per column of the table
//!   ("Staff & other adults", "Students / Pupils"), each with the template's
//!   four answers (allowed, at certain times, for selected staff or with
//!   staff permission, not allowed);
//! * a devices table has a column per device and a row per capability;
//! * an incidents table has a column per response, marked for each incident.
//!
//! What a table's columns cannot show (an answer for one year group, the
//! incident a breach constitutes, the route an incident follows) is written
//! beside the row, in words.
//!
//! ```
//! let text = r#"school "Demo <Primary>"
//! communications comms "Communications"
//!   column pupils "Pupils" for pupil
//!   row phones "Mobile phones"
//!     pupils: not allowed
//! "#;
//! let document = esafety::render::Document::from_text("demo.policy", text).unwrap();
//!
//! let html = document.to_html();
//! assert!(html.contains("<h1>Demo &lt;Primary&gt;</h1>"));
//!
//! let markdown = document.to_markdown();
//! assert!(markdown.contains("| Mobile phones |  |  |  | ✓ |"));
//! ```

mod flow;
mod html;
mod layout;
mod markdown;

use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::{CheckOptions, Policy};

pub use flow::{Flowchart, Node, Test};

/// A policy laid out for people to read: what `esafety render` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Document {
    /// The file it was made from, as given.
    pub source: String,
    /// The school's name.
    pub title: String,
    /// The school's metadata, as (heading, value) pairs.
    pub about: Vec<(String, String)>,
    /// The parts, in the order of the file.
    pub parts: Vec<Part>,
    /// The policies this one extends, nearest first (empty for a policy on
    /// its own): rows and routes the school's own file gives are marked
    /// [`GridRow::changed`], [`Route::changed`].
    pub extends: Vec<String>,
}

/// One part of a [`Document`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// The role groups and their members.
    Roles(Vec<RoleGroup>),
    /// The weekly timetable, its aliases, terms and holidays.
    Timetable(Timetable),
    /// Referral targets and how to reach them.
    Contacts(Vec<Contact>),
    /// The facts that route conditions ask about: (name, meaning).
    Facts(Vec<(String, String)>),
    /// The places rules name: (name, label).
    Places(Vec<(String, String)>),
    /// A table: a rule table, a devices table or an incidents table.
    Grid(Grid),
    /// An escalation route.
    Route(Route),
}

impl Part {
    /// The part's anchor: the table's or route's id, or a fixed word.
    pub fn id(&self) -> &str {
        match self {
            Part::Roles(_) => "roles",
            Part::Timetable(_) => "timetable",
            Part::Contacts(_) => "contacts",
            Part::Facts(_) => "facts",
            Part::Places(_) => "places",
            Part::Grid(g) => &g.id,
            Part::Route(r) => &r.id,
        }
    }

    /// The part's heading.
    pub fn heading(&self) -> &str {
        match self {
            Part::Roles(_) => "Who the policy applies to",
            Part::Timetable(_) => "The school day",
            Part::Contacts(_) => "Contacts",
            Part::Facts(_) => "Questions the procedures ask",
            Part::Places(_) => "Places",
            Part::Grid(g) => &g.title,
            Part::Route(r) => &r.title,
        }
    }
}

/// A group of roles and its members.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoleGroup {
    /// The group, e.g. `pupil`.
    pub group: String,
    /// Its members, e.g. `reception`, `year-1 to year-6`.
    pub members: Vec<String>,
}

/// The timetable of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Timetable {
    /// Each days line ("Monday to Friday") with its periods.
    pub days: Vec<(String, Vec<PeriodTimes>)>,
    /// Aliases and the names they stand for.
    pub aliases: Vec<(String, String)>,
    /// Terms and holidays.
    pub dates: Vec<DateSpan>,
    /// The aliases that the school's own policy gives, by name, when it
    /// extends another policy (the page marks them).
    pub own_aliases: Vec<String>,
}

/// A period of the school day.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PeriodTimes {
    /// Its name, e.g. `lunch`.
    pub name: String,
    /// When it starts, `HH:MM`.
    pub from: String,
    /// When it ends, `HH:MM`.
    pub to: String,
    /// Whether the school's own policy gives this period, when it extends
    /// another policy (the page marks it).
    pub changed: bool,
}

/// A term or a holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DateSpan {
    /// `Term` or `Holiday`.
    pub kind: String,
    /// Its label, if the policy gives one.
    pub label: String,
    /// The first day.
    pub from: String,
    /// The last day.
    pub to: String,
    /// Whether the school's own policy gives this term or holiday, when it
    /// extends another policy (the page marks it).
    pub changed: bool,
}

/// A contact.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Contact {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// How to reach it, in words ("phone 101", "in school"); empty when the
    /// policy does not say.
    pub reach: Vec<String>,
    /// Whether the school's own policy adds or changes this contact, when it
    /// extends another policy (the page marks it).
    pub changed: bool,
}

/// A table laid out as rows × columns, the columns in groups.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Grid {
    /// The table's id (an anchor).
    pub id: String,
    /// The table's title, verbatim.
    pub title: String,
    /// What the table shows, in a sentence.
    pub kind: String,
    /// The heading of the first column ("User action", "Incident").
    pub row_heading: String,
    /// The column groups, in order. A group with an empty label stands
    /// alone.
    pub groups: Vec<ColumnGroup>,
    /// The rows.
    pub rows: Vec<GridRow>,
    /// Notes under the table.
    pub notes: Vec<Note>,
}

impl Grid {
    /// Whether any row has notes, so that a notes column is needed.
    pub fn has_notes(&self) -> bool {
        self.rows.iter().any(|r| !r.notes.is_empty())
    }

    /// How many value columns the grid has (not counting labels and notes).
    pub fn width(&self) -> usize {
        self.groups.iter().map(|g| g.columns.len()).sum()
    }

    /// Whether any group has a heading, so that a second header row is
    /// needed.
    pub fn has_group_headings(&self) -> bool {
        self.groups.iter().any(|g| !g.label.is_empty())
    }
}

/// A group of columns under one heading ("Students / Pupils").
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ColumnGroup {
    /// The group's heading; empty when its columns stand alone.
    pub label: String,
    /// The columns' headings.
    pub columns: Vec<String>,
}

/// A row of a [`Grid`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GridRow {
    /// Its id (an anchor).
    pub id: String,
    /// Its label, verbatim.
    pub label: String,
    /// One cell per column of the grid.
    pub cells: Vec<GridCell>,
    /// What else the row says: answers for other roles, breaches, routes.
    pub notes: Vec<Note>,
    /// In a policy that extends another: whether the school's own file
    /// added or changed this row (the document marks it).
    pub changed: bool,
}

/// A note beside a row or under a table: words, perhaps a label quoted from
/// another part of the document (an incident, a procedure), and links to
/// where that part is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Note {
    /// The words.
    pub text: String,
    /// A label the note quotes, verbatim.
    pub quote: Option<String>,
    /// Where the quoted thing is in the document. When there is one link
    /// and its text is the quote, the quote itself is the link.
    pub links: Vec<Link>,
}

impl Note {
    fn plain(text: impl Into<String>) -> Note {
        Note {
            text: text.into(),
            quote: None,
            links: Vec::new(),
        }
    }

    /// The note as one line of text, the quoted label in quotation marks.
    pub fn to_text(&self) -> String {
        match &self.quote {
            Some(quote) => format!("{} “{quote}”", self.text),
            None => self.text.clone(),
        }
    }
}

/// A reference to another part of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Link {
    /// The words shown.
    pub text: String,
    /// The anchor of the part or row it refers to.
    pub anchor: String,
}

/// A cell of a [`Grid`]: a mark, words, or both ("✓ during lunch").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct GridCell {
    /// Whether the cell is marked: the row's answer is the column's.
    pub mark: bool,
    /// Whether the mark is in brackets, "(✓)": the document marks the
    /// response "as appropriate", to be used as the case needs.
    pub optional: bool,
    /// Words in the cell, each line separately.
    pub lines: Vec<String>,
}

impl GridCell {
    /// A marked cell, with optional words.
    fn marked(words: Option<String>) -> GridCell {
        GridCell {
            mark: true,
            optional: false,
            lines: words.into_iter().collect(),
        }
    }

    /// A mark in brackets: "as appropriate".
    fn optional() -> GridCell {
        GridCell {
            mark: true,
            optional: true,
            lines: Vec::new(),
        }
    }

    /// A cell of words only.
    fn words(lines: Vec<String>) -> GridCell {
        GridCell {
            mark: false,
            optional: false,
            lines,
        }
    }

    /// Whether the cell shows nothing.
    pub fn is_empty(&self) -> bool {
        !self.mark && self.lines.iter().all(String::is_empty)
    }
}

/// An escalation route: its steps in words, and as a flowchart.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route {
    /// Its id (an anchor).
    pub id: String,
    /// Its title, verbatim.
    pub title: String,
    /// The steps in order.
    pub steps: Vec<RouteStep>,
    /// The same steps as a flowchart.
    pub flowchart: Flowchart,
    /// In a policy that extends another: whether the school's own file
    /// gives this route.
    pub changed: bool,
}

/// A step of a [`Route`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteStep {
    /// Its number in the route, from 1.
    pub number: u32,
    /// What to do, verbatim.
    pub text: String,
    /// Referrals, notifications and the condition, in words.
    pub detail: Vec<String>,
}

/// The mark in a cell whose answer is the column's.
pub const MARK: &str = "✓";

impl Document {
    /// Parses and checks `text`, then lays it out. A policy with errors is
    /// refused with its diagnostics: a published policy must be one the
    /// engine accepts. Warnings do not stop it.
    pub fn from_text(path: &str, text: &str) -> Result<Document, Vec<Diagnostic>> {
        let (checked, file) =
            crate::check::check_keeping_tree(path, text, &CheckOptions::default());
        let Some(policy) = checked.policy else {
            return Err(checked
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect());
        };
        Ok(Document::new(path, &file, &policy))
    }

    /// Lays out a parsed file and the policy compiled from it.
    pub fn new(path: &str, file: &ast::PolicyFile, policy: &Policy) -> Document {
        layout::Builder::new(policy).build(path, file)
    }

    /// Lays out a policy that may extend others (read with `read`, as
    /// [`crate::family::check_family`] does): the merged policy, with what
    /// the school's own file adds or changes marked.
    pub fn from_family(
        path: &str,
        text: &str,
        read: &mut dyn FnMut(&str) -> Result<String, String>,
    ) -> Result<Document, Vec<Diagnostic>> {
        match Document::check_family(path, text, read, &CheckOptions::default()) {
            (_, Some(document)) => Ok(document),
            (checked, None) => Err(checked
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect()),
        }
    }

    /// [`Document::from_family`] that keeps what the check found too (the
    /// policy and every diagnostic, warnings included), for a caller that
    /// needs both: the policy is read and checked once, with `options` (as
    /// `esafety check` does, `CheckOptions::with_today` for the review-date
    /// warning).
    pub fn check_family(
        path: &str,
        text: &str,
        read: &mut dyn FnMut(&str) -> Result<String, String>,
        options: &CheckOptions,
    ) -> (crate::Checked, Option<Document>) {
        let (checked, file) = crate::family::check_family_tree(path, text, read, options, true);
        let (Some(policy), Some(file)) = (&checked.policy, file) else {
            return (checked, None);
        };
        let mut builder = layout::Builder::new(policy);
        if !checked.sources.is_empty() {
            builder = builder.marking_school(crate::span::to_u32(text.len()).saturating_add(1));
        }
        let mut document = builder.build(path, &file);
        document.extends = checked.sources.iter().map(|f| f.path.clone()).collect();
        (checked, Some(document))
    }

    /// The document as Markdown (GitHub's flavour: tables, and Mermaid for
    /// the routes).
    pub fn to_markdown(&self) -> String {
        markdown::document(self)
    }

    /// The document as one self-contained HTML page.
    pub fn to_html(&self) -> String {
        html::document(self)
    }

    /// The escalation routes as Graphviz DOT, one `digraph` per route.
    pub fn to_dot(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            if let Part::Route(route) = part {
                out.push_str(&route.flowchart.to_dot(&route.id, &route.title));
            }
        }
        out
    }

    /// Every row label of every table, in order: what a reader must find in
    /// the rendered document.
    pub fn row_labels(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().flat_map(|p| match p {
            Part::Grid(g) => g.rows.iter().map(|r| r.label.as_str()).collect(),
            _ => Vec::new(),
        })
    }
}

/// The anchor of a part: `part--` and its id. Ids never hold `--`, so
/// anchors made with it as the separator cannot collide.
/// The `id` of a row's (or an incident's) element in the HTML page, for
/// links into it: `#` and this.
pub fn row_element_id(table: &str, row: &str) -> String {
    row_anchor(table, row)
}

/// The `id` of a table's or a procedure's section in the HTML page.
pub fn part_element_id(id: &str) -> String {
    part_anchor(id)
}

pub(crate) fn part_anchor(id: &str) -> String {
    format!("part--{}", anchor(id))
}

/// The anchor of a row of a table.
pub(crate) fn row_anchor(table: &str, row: &str) -> String {
    let mut id = String::with_capacity(table.len() + 2 + row.len());
    push_anchor(&mut id, table);
    id.push_str("--");
    push_anchor(&mut id, row);
    id
}

/// Text for an `id` attribute: letters, digits and hyphens only.
fn anchor(text: &str) -> String {
    let mut id = String::with_capacity(text.len());
    push_anchor(&mut id, text);
    id
}

/// Adds `text` to an `id` attribute, anything but a letter, a digit or a
/// hyphen written as a hyphen.
pub(super) fn push_anchor(id: &mut String, text: &str) {
    id.extend(text.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '-' {
            c
        } else {
            '-'
        }
    }));
}
