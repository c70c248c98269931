//! The checker: resolves every name, validates every value, reports every
//! problem, and, when there are no errors, compiles the [`Policy`].
//!
//! It never stops at the first problem: each section is checked as far as it
//! can be, and unknown names are reported with the closest known ones.

mod compile;
mod conditions;
mod incidents;
mod ladders;
mod roles;
mod school;
mod tables;
mod time;

use std::hash::BuildHasherDefault;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::ast::{Member, Name, PolicyFile, RoleList, Text};
use crate::diagnostic::{Code, Diagnostic, Reporter, Severity};
use crate::model::{
    ContactInfo, FactInfo, FxMap, Policy, RoleId, RoleInfo, RouteId, RouteInfo, SchoolInfo, Target,
};
use crate::span::Span;
use crate::suggest::{self, capitalise};
use crate::syntax;
use crate::timetable::TimetableBuilder;

/// Settings for a check.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CheckOptions {
    /// Today's date, for the review-date warning. The library never reads the
    /// clock: without a date, the warning is not given.
    pub today: Option<jiff::civil::Date>,
}

impl CheckOptions {
    /// Options that check the review date against `today`.
    pub fn with_today(today: jiff::civil::Date) -> Self {
        CheckOptions { today: Some(today) }
    }
}

/// What a check found: every diagnostic, and the compiled policy when there
/// were no errors.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Checked {
    /// Errors and warnings in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// The policy, if it has no errors.
    pub policy: Option<Policy>,
    /// The policies the checked one extends, nearest first, as read (empty
    /// for a policy that extends none): the diagnostics may point into
    /// them.
    pub sources: Vec<crate::family::SourceFile>,
}

impl Checked {
    /// A result with no base policies.
    pub fn new(diagnostics: Vec<Diagnostic>, policy: Option<Policy>) -> Self {
        Checked {
            diagnostics,
            policy,
            sources: Vec::new(),
        }
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }
}

/// Parses and checks policy text; `path` names the file in diagnostics.
///
/// ```
/// use esafety::{check, CheckOptions};
///
/// let checked = check("demo.policy", "school \"Demo Primary\"\nroles\n  pupil includes year-5, yeer-6, year-5\n", &CheckOptions::default());
/// let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code.as_str()).collect();
/// assert_eq!(codes, ["E0202"]); // year-5 twice; `yeer-6` is a new role name, not an error
/// assert!(checked.policy.is_none());
/// ```
pub fn check(path: &str, text: &str, options: &CheckOptions) -> Checked {
    check_tree(path, text, options, false).0
}

/// Parses and checks policy text, and keeps its syntax tree, for what needs
/// both (laying the policy out as a document): one parse, and the checker
/// only borrows the rows it would otherwise free as it goes.
pub(crate) fn check_keeping_tree(
    path: &str,
    text: &str,
    options: &CheckOptions,
) -> (Checked, PolicyFile) {
    let (checked, kept) = check_tree(path, text, options, true);
    (checked, kept.unwrap_or_default())
}

/// Parses and checks; with `keep_tree`, returns the syntax tree too. A
/// policy given as text alone cannot read the policy it extends: an
/// `extends` line is reported, with how to check it from its file.
fn check_tree(
    path: &str,
    text: &str,
    options: &CheckOptions,
    keep_tree: bool,
) -> (Checked, Option<PolicyFile>) {
    let mut no_files = |_: &str| {
        Err("esafety was given this policy's text alone, not its file; check it from its file (`esafety check FILE`, or `Policy::from_file` in Rust)".to_owned())
    };
    crate::family::check_family_tree(path, text, &mut no_files, options, keep_tree)
}

/// Checks a merged (or single) policy tree whose parse diagnostics are in
/// `reporter`. `files` names the files of a family by where their spans
/// start (empty for a single file), for the lines decisions cite.
pub(crate) fn check_merged(
    path: &str,
    mut file: PolicyFile,
    options: &CheckOptions,
    reporter: &mut Reporter<'_>,
    files: &[(u32, Arc<str>)],
    keep_tree: bool,
) -> (Option<crate::model::PolicyData>, Option<PolicyFile>) {
    let mut checker = Checker::new(path, options, reporter);
    checker.files = files.to_vec();
    checker.keep_tree = keep_tree;
    checker.run(&mut file);
    if keep_tree {
        (checker.finish(), Some(file))
    } else {
        // Freed before the policy is compiled: only the checker's drafts
        // are needed for that, and on a large policy the tree and the
        // compiled policy together would double the memory needed.
        drop(file);
        (checker.finish(), None)
    }
}

/// Compiles a tree without reporting anything: `None` if it has errors.
/// For comparing a family's policies with one another (the lock check).
pub(crate) fn compile_quietly(
    path: &str,
    file: PolicyFile,
    sources: &[crate::diagnostic::SourceRef<'_>],
    files: &[(u32, Arc<str>)],
) -> Option<Policy> {
    let mut reporter = Reporter::for_files(sources.to_vec());
    let options = CheckOptions::default();
    let (data, _) = check_merged(path, file, &options, &mut reporter, files, false);
    data.map(|data| Policy {
        data: Arc::new(data),
    })
}

/// Checks a file's raw bytes: reports invalid UTF-8 and oversize files as
/// diagnostics, then checks the text.
pub fn check_bytes(path: &str, bytes: &[u8], options: &CheckOptions) -> Checked {
    match syntax::decode(path, bytes) {
        Ok(text) => check(path, text, options),
        Err(diagnostic) => Checked::new(vec![*diagnostic], None),
    }
}

/// A named thing with where it was defined.
#[derive(Debug, Clone)]
pub(super) struct Def<T> {
    pub(super) value: T,
    pub(super) span: Span,
}

/// A table of definitions of one kind, in the order defined, for duplicate
/// and unknown-name reports.
#[derive(Debug)]
pub(super) struct Defs<T> {
    pub(super) kind: &'static str,
    /// Keyed by shared strings, so that a row's id is stored once for the
    /// checker, its draft and the compiled policy.
    pub(super) map: IndexMap<Arc<str>, Def<T>, BuildHasherDefault<crate::model::FxHasher>>,
}

impl<T: Clone> Defs<T> {
    pub(super) fn new(kind: &'static str) -> Self {
        Defs {
            kind,
            map: IndexMap::default(),
        }
    }

    pub(super) fn get(&self, name: &str) -> Option<&T> {
        self.map.get(name).map(|d| &d.value)
    }

    /// Where a name was defined (a default span for built-in names).
    pub(super) fn span(&self, name: &str) -> Option<Span> {
        self.map.get(name).map(|d| d.span)
    }

    /// Records a name without checking for a duplicate (for built-ins).
    /// Takes the name's shared text when there is one, so that it is not
    /// copied.
    pub(super) fn insert(&mut self, name: impl Into<Arc<str>>, value: T, span: Span) -> Arc<str> {
        let key: Arc<str> = name.into();
        self.map.insert(key.clone(), Def { value, span });
        key
    }

    pub(super) fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(|k| &**k)
    }
}

pub(super) struct Checker<'c, 'r> {
    pub(super) r: &'c mut Reporter<'r>,
    /// Whether the caller keeps the syntax tree (to lay the policy out):
    /// then rows are borrowed rather than taken and freed one by one.
    pub(super) keep_tree: bool,
    /// Some lines did not parse. Problems of absence (a blank column, a
    /// missing `school`, an incident nothing links to) may then only be lines
    /// that were not read, so they are not reported until the syntax is fixed.
    pub(super) partial: bool,
    /// A breach or `follow` named something unknown, so which incidents and
    /// routes are linked is not known for sure.
    pub(super) broken_links: bool,
    pub(super) options: &'c CheckOptions,
    pub(super) path: String,
    pub(super) school: Option<SchoolInfo>,
    pub(super) roles: Vec<RoleInfo>,
    pub(super) role_defs: Defs<RoleId>,
    /// The hidden root role above the base roles.
    pub(super) everyone: Option<RoleId>,
    pub(super) contacts: Vec<ContactInfo>,
    pub(super) contact_defs: Defs<usize>,
    pub(super) facts: Vec<FactInfo>,
    pub(super) fact_defs: Defs<usize>,
    pub(super) places: Vec<crate::model::PlaceInfo>,
    pub(super) place_defs: Defs<u8>,
    pub(super) timetable: TimetableBuilder,
    /// The timetable's moments, worked out at the first condition (the
    /// timetable is complete by then) and kept for the rest.
    pub(super) moments: Option<Vec<crate::timetable::PeriodMask>>,
    pub(super) period_defs: Defs<()>,
    /// Table ids of every kind share one namespace.
    pub(super) table_defs: Defs<()>,
    pub(super) routes: Vec<RouteInfo>,
    pub(super) route_defs: Defs<RouteId>,
    pub(super) route_used: Vec<bool>,
    pub(super) incidents: incidents::IncidentState,
    pub(super) tables: tables::TableState,
    /// The files of a family of policies by where their spans start (empty
    /// for a policy on its own), for the file a decision cites.
    pub(super) files: Vec<(u32, Arc<str>)>,
}

impl<'c, 'r> Checker<'c, 'r> {
    fn new(path: &str, options: &'c CheckOptions, r: &'c mut Reporter<'r>) -> Self {
        // A base policy that could not be read leaves out all it defines.
        let partial = r.has_code(Code::Syntax)
            || r.has_code(Code::LimitExceeded)
            || r.has_code(Code::BasePolicy);
        Checker {
            keep_tree: false,
            partial,
            broken_links: false,
            r,
            options,
            path: path.to_owned(),
            school: None,
            roles: Vec::new(),
            role_defs: Defs::new("role"),
            everyone: None,
            contacts: Vec::new(),
            contact_defs: Defs::new("contact"),
            facts: Vec::new(),
            fact_defs: Defs::new("fact"),
            places: Vec::new(),
            place_defs: Defs::new("place"),
            timetable: TimetableBuilder::new(),
            moments: None,
            period_defs: Defs::new("period"),
            table_defs: Defs::new("table"),
            routes: Vec::new(),
            route_defs: Defs::new("route"),
            route_used: Vec::new(),
            incidents: incidents::IncidentState::default(),
            tables: tables::TableState::default(),
            files: Vec::new(),
        }
    }

    fn run(&mut self, file: &mut PolicyFile) {
        let sections = &mut file.sections;
        // Definitions that others refer to come first, whatever the order in
        // the file: a row may link to an incident defined further down.
        self.check_school(sections);
        self.check_roles(sections);
        self.check_contacts_and_facts(sections);
        self.check_timetable(sections);
        self.declare_routes(sections);
        self.check_incidents(sections);
        self.check_routes(sections);
        // Tables last but devices: unless the tree is kept, it frees each
        // row's tree as it goes.
        self.check_tables(sections);
        self.check_devices(sections);
        self.check_links();
    }

    fn finish(self) -> Option<crate::model::PolicyData> {
        if self.r.has_errors() {
            return None;
        }
        Some(compile::compile(self))
    }

    // --- shared helpers ----------------------------------------------------

    /// Which file of a family a span is in, as an index into `files` (0 for
    /// a policy on its own).
    pub(super) fn file_of(&self, span: Span) -> u16 {
        let after = self.files.partition_point(|(base, _)| *base <= span.start);
        u16::try_from(after.saturating_sub(1)).unwrap_or(0)
    }

    /// The name of a file [`Checker::file_of`] found, for a decision to
    /// cite; `None` for a policy on its own.
    pub(super) fn file_name(files: &[(u32, Arc<str>)], file: u16) -> Option<Arc<str>> {
        files.get(usize::from(file)).map(|(_, path)| path.clone())
    }

    /// Records a definition; reports a duplicate (and returns false) if the
    /// name is taken.
    pub(super) fn define<T: Clone>(
        r: &mut Reporter<'_>,
        defs: &mut Defs<T>,
        name: &Name,
        value: T,
        help: &str,
    ) -> bool {
        Self::define_shared(r, defs, name, value, help).is_some()
    }

    /// Records a definition and returns the name as a shared string; reports
    /// a duplicate (and returns `None`) if the name is taken.
    pub(super) fn define_shared<T: Clone>(
        r: &mut Reporter<'_>,
        defs: &mut Defs<T>,
        name: &Name,
        value: T,
        help: &str,
    ) -> Option<Arc<str>> {
        if let Some(first) = defs.map.get(&*name.text) {
            Self::report_duplicate(r, defs.kind, name, Some(first.span), help);
            return None;
        }
        Some(defs.insert(name.text.clone(), value, name.span))
    }

    /// Reports `name` defined a second time; `first` is where it was
    /// defined first, when that is known.
    pub(super) fn report_duplicate(
        r: &mut Reporter<'_>,
        kind: &str,
        name: &Name,
        first: Option<Span>,
        help: &str,
    ) {
        let report = r
            .report(
                Code::DuplicateDefinition,
                name.span,
                format!("{kind} `{}` is defined twice", name.text),
            )
            .label("defined again here");
        let report = match first {
            Some(first) => report.secondary(first, "first defined here"),
            None => report,
        };
        report.help(help.to_owned());
    }

    /// Reports an unknown name with the closest known ones.
    pub(super) fn unknown<'n>(
        r: &mut Reporter<'_>,
        kind: &str,
        name: &Name,
        candidates: impl IntoIterator<Item = &'n str>,
        where_defined: &str,
    ) {
        let close = suggest::closest(&name.text, candidates);
        let help = match suggest::did_you_mean(&close) {
            Some(dym) => format!("{} {where_defined}", capitalise(&dym)),
            None => where_defined.to_owned(),
        };
        r.report(
            Code::UnknownName,
            name.span,
            format!("unknown {kind} `{}`", name.text),
        )
        .label(format!("no {kind} has this name"))
        .help(help);
    }

    /// Records a table's id (tables of every kind share one set) and checks
    /// its label; false, with the duplicate reported, if the id is taken.
    pub(super) fn define_table(&mut self, id: &Name, label: &Text) -> bool {
        if !Self::define(
            self.r,
            &mut self.table_defs,
            id,
            (),
            "Give each table its own id; tables of every kind share one set of ids.",
        ) {
            return false;
        }
        self.require_label(label, "table");
        true
    }

    /// Reports an empty label.
    pub(super) fn require_label(&mut self, text: &Text, what: &str) {
        if text.text.trim().is_empty() {
            self.r
                .report(Code::EmptyLabel, text.span, format!("the label of this {what} is empty"))
                .label("empty label")
                .help("Copy the label from the school's document word for word; it is what readers see and what questions can name.");
        }
    }

    /// A role id by name.
    pub(super) fn role(&self, name: &str) -> Option<RoleId> {
        self.role_defs.get(name).copied()
    }

    /// Resolves a role list to role ids; `columns` maps column ids (of the
    /// current table) to their roles. Reports unknown names.
    pub(super) fn resolve_roles(
        &mut self,
        list: &RoleList,
        columns: Option<&FxMap<Arc<str>, Vec<RoleId>>>,
    ) -> Vec<RoleId> {
        let mut out = Vec::new();
        self.resolve_roles_into(list, columns, &mut out);
        out
    }

    /// [`Self::resolve_roles`] into a buffer the caller reuses (cleared
    /// first): cells and breaches resolve a role list on every line.
    pub(super) fn resolve_roles_into(
        &mut self,
        list: &RoleList,
        columns: Option<&FxMap<Arc<str>, Vec<RoleId>>>,
        out: &mut Vec<RoleId>,
    ) {
        out.clear();
        match list {
            RoleList::Everyone { .. } => out.extend(self.everyone),
            RoleList::Names { names } => {
                for name in names {
                    self.resolve_name(name, columns, out);
                }
            }
            RoleList::Members { members } => {
                for member in members {
                    match member {
                        Member::Role { name } => self.resolve_name(name, columns, out),
                        Member::YearRange { from, to, span } => {
                            let years = member.names();
                            if years.is_empty() {
                                self.r
                                    .report(Code::YearRange, *span, format!("`{} to {}` is not a run of year groups", from.text, to.text))
                                    .label("not a year-group range")
                                    .help("A range runs from a younger year group to an older one: `nursery`, `reception`, `year-1` … `year-13`, e.g. `year-7 to year-11`.");
                                continue;
                            }
                            for year in years {
                                let name = Name {
                                    text: Arc::from(year.as_str()),
                                    span: *span,
                                };
                                self.resolve_name(&name, None, out);
                            }
                        }
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// One name of a role list: a column of the table (its roles), or a
    /// role; reports it when it is neither.
    fn resolve_name(
        &mut self,
        name: &Name,
        columns: Option<&FxMap<Arc<str>, Vec<RoleId>>>,
        out: &mut Vec<RoleId>,
    ) {
        if let Some(roles) = columns.and_then(|c| c.get(&*name.text)) {
            out.extend(roles.iter().copied());
        } else if let Some(id) = self.role(&name.text) {
            out.push(id);
        } else {
            let mut candidates: Vec<&str> = self.role_defs.names().collect();
            if let Some(c) = columns {
                candidates.extend(c.keys().map(|k| &**k));
            }
            let where_defined = if columns.is_some_and(|c| !c.is_empty()) {
                "Use a column of this table, a role declared under `roles`, or one of the base roles `staff`, `pupil`, `visitor`, `parent`."
            } else {
                "Roles are the base roles `staff`, `pupil`, `visitor`, `parent` and those declared under `roles`."
            };
            Self::unknown(self.r, "role", name, candidates, where_defined);
        }
    }

    /// Resolves a referral or notification target: a role or a contact.
    pub(super) fn target(&mut self, name: &Name) -> Option<Target> {
        if let Some(&i) = self.contact_defs.get(&name.text) {
            return self.contacts.get(i).map(|c| c.target.clone());
        }
        if self.role(&name.text).is_some() {
            let id: Arc<str> = name.text.clone();
            return Some(Target {
                title: id.clone(),
                id,
                phone: None,
                url: None,
                email: None,
            });
        }
        let candidates: Vec<&str> = self
            .contact_defs
            .names()
            .chain(self.role_defs.names())
            .collect();
        Self::unknown(
            self.r,
            "role or contact",
            name,
            candidates,
            "Refer or notify a role (such as `dsl`) or a contact declared under `contacts`.",
        );
        None
    }

    pub(super) fn targets(&mut self, names: &[Name]) -> Vec<Target> {
        names.iter().filter_map(|n| self.target(n)).collect()
    }

    pub(super) fn line(span: Span) -> u32 {
        span.line
    }
}
