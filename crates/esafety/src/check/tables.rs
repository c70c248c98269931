//! Rule tables (user actions, communications, rules) and devices tables.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::incidents::NotFound;
use super::{Checker, Defs};
use crate::ast::{
    AnswerKind, Breach, DeviceItem, NetworkAccess, Presence, RoleList, Row, RowItem, Section,
    TableItem, TableKind, WindowKind,
};
use crate::diagnostic::Code;
use crate::model::{
    BreachEntry, CellAnswer, CellInfo, DeviceInfo, DeviceSummary, FxMap, FxSet, NameIndex,
    PresenceAnswer, RoleId, RouteId, RowId, RowSummary, RuleRef, TableInfo,
};
use crate::span::Span;
use crate::suggest;
use crate::timetable::WindowMask;

#[derive(Debug)]
pub(super) struct RowDraft {
    pub(super) table: u32,
    pub(super) id: Arc<str>,
    pub(super) label: Arc<str>,
    /// Where its id and its label were written, for the reports that point
    /// at an earlier row.
    pub(super) id_span: Span,
    pub(super) label_span: Span,
    pub(super) line: u32,
    /// What a decision cites when no cell of the row answers.
    pub(super) rule: Arc<RuleRef>,
    /// How many cells it has: the next ones of [`TableState::cells`].
    pub(super) cells: u32,
    /// Its entries in [`TableState::breaches`].
    pub(super) breaches: Range<u32>,
    pub(super) route: Option<RouteId>,
}

#[derive(Debug)]
pub(crate) struct TableState {
    pub(super) tables: Vec<TableInfo>,
    pub(super) rows: Vec<RowDraft>,
    /// The rows' cells, in row order, as the compiled policy keeps them.
    pub(super) cells: Vec<CellInfo>,
    /// The drafts' breach entries, in row order: a row's are a range of
    /// them, and the compiled policy keeps the list as it is.
    pub(super) breaches: Vec<BreachEntry>,
    /// The breach entries of the row being drafted.
    row_breaches: Vec<BreachEntry>,
    /// The rows by id and by label, built as they are drafted: the checker
    /// finds duplicates in it and the compiled policy keeps it.
    pub(super) row_index: NameIndex<RowId>,
    pub(super) devices: Vec<DeviceInfo>,
    pub(super) device_defs: Defs<u32>,
    /// Texts many cells share ("pupils", "only during lunch"), stored once.
    texts: FxMap<Box<str>, Arc<str>>,
    /// Compiled windows, by the text that names them.
    windows: FxMap<Box<str>, Arc<WindowMask>>,
    /// Sets of roles many cells share (a column's roles), stored once, by
    /// their number in `role_set_list`.
    role_sets: FxMap<Box<[RoleId]>, u32>,
    /// The sets of roles cells name, by number.
    pub(super) role_set_list: Vec<Box<[RoleId]>>,
    /// A buffer for the roles of one breach line, reused.
    breach_roles: Vec<RoleId>,
    /// A buffer for the text of one cell's time window, reused.
    window_text: String,
}

impl Default for TableState {
    fn default() -> Self {
        TableState {
            tables: Vec::new(),
            rows: Vec::new(),
            cells: Vec::new(),
            breaches: Vec::new(),
            row_breaches: Vec::new(),
            row_index: NameIndex::default(),
            devices: Vec::new(),
            device_defs: Defs::new("device"),
            texts: FxMap::default(),
            windows: FxMap::default(),
            role_sets: FxMap::default(),
            role_set_list: Vec::new(),
            breach_roles: Vec::new(),
            window_text: String::new(),
        }
    }
}

impl TableState {
    /// The shared copy of a text.
    fn intern(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.texts.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        self.texts.insert(Box::from(text), shared.clone());
        shared
    }

    /// The number of a set of roles in [`TableState::role_set_list`]:
    /// cells name a few sets many times, and a number costs nothing to copy
    /// or drop.
    fn intern_roles(&mut self, roles: &[RoleId]) -> u32 {
        if let Some(&number) = self.role_sets.get(roles) {
            return number;
        }
        let number = u32::try_from(self.role_set_list.len()).unwrap_or(u32::MAX);
        self.role_set_list.push(Box::from(roles));
        self.role_sets.insert(Box::from(roles), number);
        number
    }
}

/// The answers each kind of table uses, as the author would write them.
fn answers_for(kind: TableKind) -> &'static str {
    match kind {
        TableKind::UserActions => {
            "`acceptable`, `acceptable at certain times`, `acceptable for nominated users`, `acceptable only …`, `acceptable except …`, `unacceptable`, `unacceptable and illegal` or `blank`"
        }
        _ => {
            "`allowed`, `allowed at certain times`, `allowed for selected staff`, `allowed for nominated users`, `allowed with staff permission`, `allowed only …`, `allowed except …`, `not allowed` or `blank`"
        }
    }
}

fn fits(kind: TableKind, answer: &AnswerKind) -> bool {
    use AnswerKind as A;
    let acceptable_family = matches!(
        answer,
        A::Acceptable
            | A::AcceptableAtCertainTimes { .. }
            | A::AcceptableForNominatedUsers
            | A::Unacceptable
            | A::UnacceptableAndIllegal
            | A::Only {
                acceptable: true,
                ..
            }
            | A::Except {
                acceptable: true,
                ..
            }
            | A::Blank
    );
    let allowed_family = matches!(
        answer,
        A::Allowed
            | A::AllowedAtCertainTimes { .. }
            | A::AllowedForSelectedStaff
            | A::AllowedForNominatedUsers
            | A::AllowedWithPermission { .. }
            | A::Only {
                acceptable: false,
                ..
            }
            | A::Except {
                acceptable: false,
                ..
            }
            | A::NotAllowed
            | A::Blank
    );
    match kind {
        TableKind::UserActions => acceptable_family,
        _ => allowed_family,
    }
}

impl Checker<'_, '_> {
    /// Resolves a `breach by …: incident` line into per-role incidents,
    /// appended to `out`.
    fn breach(
        &mut self,
        breach: &Breach,
        columns: Option<&FxMap<Arc<str>, Vec<RoleId>>>,
        out: &mut Vec<BreachEntry>,
    ) {
        let mut roles = std::mem::take(&mut self.tables.breach_roles);
        self.resolve_roles_into(&breach.roles, columns, &mut roles);
        let linked = self.link_breach(breach, &roles, out);
        self.tables.breach_roles = roles;
        if !linked {
            self.broken_links = true;
        }
    }

    /// Adds a breach entry per role to `out`, or (and returns false)
    /// reports the first role whose incident cannot be found and adds none.
    fn link_breach(
        &mut self,
        breach: &Breach,
        roles: &[RoleId],
        out: &mut Vec<BreachEntry>,
    ) -> bool {
        let start = out.len();
        for &role in roles {
            // One incident per role and row: a second `breach by` line for
            // the same role would leave which incident it is unclear.
            if let Some(first) = out.iter().find(|e| e.role == role) {
                let name = self
                    .roles
                    .get(usize::from(role))
                    .map(|r| r.id.to_string())
                    .unwrap_or_default();
                let first_line = first.line;
                self.r
                    .report(Code::DuplicateDefinition, breach.span, format!("this row already says which incident a breach by `{name}` is (line {first_line})"))
                    .label("a second incident for the same role")
                    .help("A breach of a row is one incident for each role. Keep one `breach by` line for the role; if the document names two incidents, choose the one its incidents table lists for this row and say why in a comment.");
                out.truncate(start);
                return false;
            }
            match self.find_incident(role, &breach.incident.text) {
                Ok(index) => {
                    if let Some(i) = self.incidents.incidents.get_mut(index) {
                        i.linked = true;
                    }
                    out.push(BreachEntry {
                        role,
                        incident: u32::try_from(index).unwrap_or(u32::MAX),
                        line: breach.span.line,
                        file: self.file_of(breach.span),
                    });
                }
                Err(NotFound::Unknown) => {
                    let mut names: Vec<String> = self
                        .incidents
                        .incidents
                        .iter()
                        .map(|i| i.id.to_string())
                        .collect();
                    names.sort();
                    names.dedup();
                    Self::unknown(
                        self.r,
                        "incident",
                        &breach.incident,
                        names.iter().map(String::as_str),
                        "A breach names an incident defined in an `incidents … for …` table.",
                    );
                    out.truncate(start);
                    return false;
                }
                Err(NotFound::OtherRoles(tables)) => {
                    let role_name = self
                        .roles
                        .get(usize::from(role))
                        .map(|r| r.id.to_string())
                        .unwrap_or_default();
                    self.r
                        .report(Code::IncidentRole, breach.incident.span, format!(
                            "incident `{}` is not in an incidents table for `{role_name}`",
                            breach.incident.text
                        ))
                        .label(format!("only in {}", suggest::quoted_list(&tables)))
                        .help(format!(
                            "Link each role to an incident of a table `for` that role (or a group above it): e.g. `breach by staff: …` with a staff incident. The incident is in {}.",
                            suggest::quoted_list(&tables)
                        ));
                    out.truncate(start);
                    return false;
                }
            }
        }
        true
    }

    /// Whether `role`, or a group above it, is among `covered`. Walks the
    /// role's groups without allocating.
    fn is_covered(&self, role: RoleId, covered: &FxSet<RoleId>) -> bool {
        self.ancestors(role).any(|r| covered.contains(&r))
    }

    /// Checks every rule table. Each row's tree is dropped once its draft is
    /// made, so a large policy never holds both in full.
    pub(super) fn check_tables(&mut self, sections: &mut [Section]) {
        // Sized once: growing the row lists of a 100,000-row policy by
        // doubling copies them about seventeen times.
        let all_rows: usize = sections
            .iter()
            .map(|s| match s {
                Section::Table(table) => table.items.len(),
                _ => 0,
            })
            .sum();
        self.tables.rows.reserve(all_rows);
        // Label hashes that more than one row has, in the order found.
        let mut shared_labels: Vec<u64> = Vec::new();
        for section in sections {
            let Section::Table(table) = section else {
                continue;
            };
            if !self.define_table(&table.id, &table.label) {
                continue;
            }
            let table_index = u32::try_from(self.tables.tables.len()).unwrap_or(u32::MAX);

            // Columns: named groups of roles.
            let mut columns: FxMap<Arc<str>, Vec<RoleId>> = FxMap::default();
            let mut column_list: Vec<(Arc<str>, Arc<str>, Vec<RoleId>)> = Vec::new();
            let mut column_spans: HashMap<Arc<str>, Span> = HashMap::new();
            for column in table.columns() {
                self.require_label(&column.label, "column");
                if self.role(&column.id.text).is_some() {
                    self.r
                        .report(Code::DuplicateDefinition, column.id.span, format!("column `{}` has the same name as a role", column.id.text))
                        .label("also a role")
                        .help("A cell names a column or a role; give the column another id, e.g. `pupils` for the role `pupil`.");
                    continue;
                }
                if let Some(first) = column_spans.get(&*column.id.text) {
                    self.r
                        .report(
                            Code::DuplicateDefinition,
                            column.id.span,
                            format!("column `{}` is defined twice in this table", column.id.text),
                        )
                        .label("defined again here")
                        .secondary(*first, "first defined here")
                        .help("Give each column its own id.");
                    continue;
                }
                column_spans.insert(column.id.text.clone(), column.id.span);
                let roles = self.resolve_roles(&column.roles, None);
                columns.insert(column.id.text.clone(), roles.clone());
                column_list.push((column.id.text.clone(), column.label.text.clone(), roles));
            }

            let mut info = TableInfo {
                id: table.id.text.clone(),
                label: table.label.text.clone(),
                kind: table.kind,
                line: table.span.line,
                rows: Vec::with_capacity(table.items.len()),
            };
            // Per-row scratch, reused so that a large table does not allocate
            // for every row. `answered`: the answer each role got, for
            // conflicts. `covered`: roles some cell names, even a cell with an
            // error, so that one mistake is not also a blank column.
            // Per row: the answer each role was given, and the roles a cell
            // names. Sets rather than lists, so that a row with thousands of
            // cells is checked in linear time.
            let mut answered: FxMap<RoleId, (CellAnswer, Span)> = FxMap::default();
            let mut covered: FxSet<RoleId> = FxSet::default();
            let mut roles: Vec<RoleId> = Vec::new();
            // Taken and freed row by row, or borrowed when the tree is kept.
            let taken = if self.keep_tree {
                Vec::new()
            } else {
                std::mem::take(&mut table.items)
            };
            let rows: Box<dyn Iterator<Item = Cow<'_, Row>>> = if self.keep_tree {
                Box::new(table.items.iter().filter_map(|item| match item {
                    TableItem::Row(row) => Some(Cow::Borrowed(row)),
                    _ => None,
                }))
            } else {
                Box::new(taken.into_iter().filter_map(|item| match item {
                    TableItem::Row(row) => Some(Cow::Owned(row)),
                    _ => None,
                }))
            };
            for row in rows {
                self.require_label(&row.label, "row");
                let row_id = RowId::try_from(self.tables.rows.len()).unwrap_or(RowId::MAX);
                let id = row.id.text.clone();
                if let Err(first) = self.tables.row_index.insert_id(id.clone(), row_id) {
                    let first = self.tables.rows.get(first as usize).map(|r| r.id_span);
                    Self::report_duplicate(
                        self.r,
                        "row",
                        &row.id,
                        first,
                        "Give each row its own id. Row ids are unique across all rule tables, because questions name rows by id.",
                    );
                    continue;
                }
                let label_hash = suggest::label_hash(&row.label.text);
                let rows_here = &self.tables.rows;
                let earlier = self.tables.row_index.insert_label(label_hash, row_id);
                if earlier.len() == 1 {
                    shared_labels.push(label_hash);
                }
                // The first earlier row of this table with the same label.
                let same_label = earlier
                    .iter()
                    .filter_map(|&i| rows_here.get(i as usize))
                    .find(|r| {
                        r.table == table_index && suggest::labels_equal(&r.label, &row.label.text)
                    })
                    .map(|r| r.label_span);
                if let Some(first) = same_label {
                    self.r
                        .report(Code::DuplicateLabel, row.label.span, "two rows of this table have the same label")
                        .label("same label again")
                        .secondary(first, "first used here")
                        .help("Questions can name a row by its label, so labels in one table must differ. Check the document: if it really repeats the row, keep one.");
                }

                let mut draft = RowDraft {
                    table: table_index,
                    id,
                    label: row.label.text.clone(),
                    id_span: row.id.span,
                    label_span: row.label.span,
                    line: row.span.line,
                    rule: self.rule_ref(&table.id.text, &row, None, row.span),
                    cells: 0,
                    breaches: 0..0,
                    route: None,
                };
                let cells_before = self.tables.cells.len();
                answered.clear();
                covered.clear();
                for item in &row.items {
                    match item {
                        RowItem::Cell(cell) => {
                            self.resolve_roles_into(&cell.roles, Some(&columns), &mut roles);
                            covered.extend(roles.iter().copied());
                            if !fits(table.kind, &cell.answer.kind) {
                                self.r
                                    .report(
                                        Code::AnswerKind,
                                        cell.answer.span,
                                        format!(
                                            "`{}` is not an answer a {} table gives",
                                            cell.answer.kind.words(),
                                            table.kind.keyword()
                                        ),
                                    )
                                    .label("wrong kind of answer")
                                    .help(format!(
                                        "In a {} table, write one of {}.",
                                        table.kind.keyword(),
                                        answers_for(table.kind)
                                    ));
                                continue;
                            }
                            let Some((answer, condition)) =
                                self.cell_answer(&cell.answer.kind, cell.answer.span)
                            else {
                                continue;
                            };
                            for role in &roles {
                                if let Some((other, other_span)) = answered.get(role) {
                                    if *other != answer {
                                        let name = self
                                            .roles
                                            .get(usize::from(*role))
                                            .map(|r| r.id.to_string())
                                            .unwrap_or_default();
                                        self.r
                                            .report(Code::Conflict, cell.span, format!("this row gives `{name}` two different answers"))
                                            .label("second answer")
                                            .secondary(*other_span, "first answer")
                                            .help("At the same level of the role hierarchy one answer must stand. Keep one; to refine a group's answer, give it to a more specific role (e.g. `year-5` under `pupil`).");
                                    }
                                } else {
                                    answered.insert(*role, (answer.clone(), cell.span));
                                }
                            }
                            if matches!(cell.answer.kind, AnswerKind::Blank) {
                                self.r
                                    .report(Code::BlankCell, cell.answer.span, format!("this cell is blank, so `{}` will be denied", cell.roles.words()))
                                    .label("blank: the engine will deny")
                                    .help("If the document leaves the cell empty, keep `blank` and say so in a comment; esafety denies what a policy does not answer. Otherwise write the answer the document gives.");
                            }
                            let roles_text = match &cell.roles {
                                RoleList::Names { names } if names.len() == 1 => {
                                    self.tables.intern(names.first().map_or("", |n| &*n.text))
                                }
                                other => self.tables.intern(&other.words()),
                            };
                            let shared_roles = self.tables.intern_roles(&roles);
                            let rule = self.rule_ref(
                                &table.id.text,
                                &row,
                                Some(roles_text.clone()),
                                cell.span,
                            );
                            self.tables.cells.push(CellInfo {
                                roles: shared_roles,
                                words: cell.answer.kind.words(),
                                answer,
                                condition,
                                roles_text,
                                line: cell.span.line,
                                rule,
                            });
                        }
                        RowItem::Breach(breach) => {
                            let mut entries = std::mem::take(&mut self.tables.row_breaches);
                            self.breach(breach, Some(&columns), &mut entries);
                            self.tables.row_breaches = entries;
                        }
                        RowItem::Follow(follow) => {
                            if draft.route.is_some() {
                                self.r
                                    .report(Code::Conflict, follow.span, "this row already follows a route")
                                    .label("second route")
                                    .help("A row follows one route; put the steps of both into one route if both apply.");
                            }
                            draft.route = self.follow(&follow.route).or(draft.route);
                        }
                    }
                }

                // Columns the row leaves without an answer are blank cells.
                for (column_id, column_label, roles) in &column_list {
                    if self.partial || roles.iter().all(|r| self.is_covered(*r, &covered)) {
                        continue;
                    }
                    let missing: Vec<&str> = roles
                        .iter()
                        .filter(|r| !self.is_covered(**r, &covered))
                        .filter_map(|r| self.roles.get(usize::from(*r)).map(|i| &*i.id))
                        .collect();
                    {
                        let missing = suggest::quoted_list(&missing);
                        self.r
                            .report(Code::BlankCell, row.span, format!("this row gives no answer for column `{column_id}` (\"{column_label}\"), so {missing} will be denied"))
                            .label("no answer for this column")
                            .help(format!("Add a cell such as `{column_id}: …`. If the document leaves the cell empty, write `{column_id}: blank` with a comment saying so."));
                    }
                }

                draft.cells =
                    u32::try_from(self.tables.cells.len() - cells_before).unwrap_or(u32::MAX);
                let TableState {
                    breaches,
                    row_breaches,
                    ..
                } = &mut self.tables;
                let first = u32::try_from(breaches.len()).unwrap_or(u32::MAX);
                breaches.append(row_breaches);
                draft.breaches = first..u32::try_from(breaches.len()).unwrap_or(u32::MAX);

                info.rows.push(RowSummary {
                    id: draft.id.clone(),
                    label: draft.label.clone(),
                    line: draft.line,
                });
                self.tables.rows.push(draft);
            }
            self.tables.tables.push(info);
        }

        // Labels shared across tables make a look-up by label ambiguous. The
        // index groups the rows whose labels hash alike, in the order the
        // groups formed.
        let rows = &self.tables.rows;
        let groups = shared_labels
            .iter()
            .map(|&hash| self.tables.row_index.sharing(hash));
        for group in groups {
            let mut members: Vec<&RowDraft> =
                group.iter().filter_map(|&i| rows.get(i as usize)).collect();
            // A hash collision between different labels is not a shared label.
            if let Some(first) = members.first().map(|m| m.label.clone()) {
                members.retain(|m| suggest::labels_equal(&m.label, &first));
            }
            // Duplicates inside one table were already reported as errors.
            let mut tables: Vec<u32> = members.iter().map(|r| r.table).collect();
            tables.sort_unstable();
            tables.dedup();
            if tables.len() < 2 {
                continue;
            }
            let ids: Vec<&str> = members.iter().map(|r| &*r.id).collect();
            if let (Some(first), Some(last)) = (members.first(), members.last()) {
                let (first, last) = (first.id_span, last.id_span);
                self.r
                    .report(Code::AmbiguousLabel, last, format!("rows {} have the same label, so a question that names the label is ambiguous", suggest::quoted_list(&ids)))
                    .label("same label as another row")
                    .secondary(first, "this row has it too")
                    .help("Questions can still name these rows by id. If the document really uses the label twice, keep it verbatim and leave this warning.");
            }
        }
    }

    /// What a decision on a row cites: the row, and the cell's column and
    /// line (the row's line when no cell answers).
    fn rule_ref(
        &self,
        table: &Arc<str>,
        row: &Row,
        column: Option<Arc<str>>,
        at: Span,
    ) -> Arc<RuleRef> {
        Arc::new(RuleRef {
            table: table.clone(),
            row: row.id.text.clone(),
            label: row.label.text.clone(),
            column,
            line: at.line,
            file: Self::file_name(&self.files, self.file_of(at)),
        })
    }

    /// Compiles an answer, resolving its window or permission giver.
    fn cell_answer(
        &mut self,
        kind: &AnswerKind,
        span: Span,
    ) -> Option<(CellAnswer, Option<Arc<str>>)> {
        use AnswerKind as A;
        Some(match kind {
            A::Acceptable | A::Allowed => (CellAnswer::Allow, None),
            A::Unacceptable | A::NotAllowed => (CellAnswer::Deny, None),
            A::UnacceptableAndIllegal => (CellAnswer::Illegal, None),
            A::Blank => (CellAnswer::Blank, None),
            A::AcceptableForNominatedUsers | A::AllowedForNominatedUsers => (
                CellAnswer::Nominated,
                Some(self.tables.intern("only for nominated users")),
            ),
            A::AllowedForSelectedStaff => (
                CellAnswer::Nominated,
                Some(self.tables.intern("only for selected staff")),
            ),
            A::AllowedWithPermission { staff, from } => {
                let text = match from {
                    Some(from) => {
                        self.target(from)?;
                        format!("only with permission from {}", from.text)
                    }
                    None if *staff => "only with staff permission".to_owned(),
                    None => "only with permission".to_owned(),
                };
                (CellAnswer::Permission, Some(self.tables.intern(&text)))
            }
            A::Only { cond, .. } | A::Except { cond, .. } => {
                let only = matches!(kind, A::Only { .. });
                let expr = Arc::new(self.condition(cond)?);
                let text = format!(
                    "{} {}",
                    if only { "only" } else { "except" },
                    crate::condition::words(cond)
                );
                (
                    CellAnswer::When { expr, only },
                    Some(self.tables.intern(&text)),
                )
            }
            A::AcceptableAtCertainTimes { window } | A::AllowedAtCertainTimes { window } => {
                match window {
                    None => {
                        self.r
                        .report(Code::NoTimeWindow, span, "this answer says \"at certain times\" but not which times")
                        .label("no `during` or `outside`")
                        .help("If the document says when (e.g. \"during break times\"), add it: `… at certain times during break, lunch`. If it does not, leave a comment saying so; questions will get a conditional answer.");
                        (
                            CellAnswer::AtTimes(None),
                            Some(
                                self.tables
                                    .intern("at certain times, which the policy does not name"),
                            ),
                        )
                    }
                    Some(w) => {
                        let outside = w.kind == WindowKind::Outside;
                        // "only during break, lunch": the condition's text,
                        // whose tail names the window. Written into a buffer
                        // kept for the purpose, since most cells find both
                        // already stored.
                        let mut text = std::mem::take(&mut self.tables.window_text);
                        text.clear();
                        text.push_str(if outside {
                            "only outside "
                        } else {
                            "only during "
                        });
                        for (i, period) in w.periods.iter().enumerate() {
                            if i > 0 {
                                text.push_str(", ");
                            }
                            text.push_str(&period.text);
                        }
                        let key = text.get("only ".len()..).unwrap_or_default();
                        // Many cells name the same window: compile it once.
                        if let Some(mask) = self.tables.windows.get(key).cloned() {
                            let condition = self.tables.intern(&text);
                            self.tables.window_text = text;
                            return Some((CellAnswer::AtTimes(Some(mask)), Some(condition)));
                        }
                        let key: Box<str> = Box::from(key);
                        self.tables.window_text = text;
                        let names = self.window_names(&w.periods);
                        let text = format!(
                            "{} {}",
                            if outside { "outside" } else { "during" },
                            names.join(", ")
                        );
                        let refs: Vec<&str> = names.iter().map(|n| &**n).collect();
                        let mask = Arc::new(self.timetable.window(outside, &refs, text.clone()));
                        if names.len() == w.periods.len() {
                            self.tables.windows.insert(key, mask.clone());
                        }
                        (
                            CellAnswer::AtTimes(Some(mask)),
                            Some(self.tables.intern(&format!("only {text}"))),
                        )
                    }
                }
            }
        })
    }

    pub(super) fn check_devices(&mut self, sections: &[Section]) {
        for section in sections {
            let Section::Devices(table) = section else {
                continue;
            };
            if !self.define_table(&table.id, &table.label) {
                continue;
            }
            let mut labels_here: HashMap<String, Span> = HashMap::new();
            for device in &table.devices {
                self.require_label(&device.label, "device");
                let index = u32::try_from(self.tables.devices.len()).unwrap_or(u32::MAX);
                if !Self::define(
                    self.r,
                    &mut self.tables.device_defs,
                    &device.id,
                    index,
                    "Give each device kind its own id; ids are unique across devices tables.",
                ) {
                    continue;
                }
                let normal = suggest::normalize_label(&device.label.text);
                if let Some(first) = labels_here.get(&normal) {
                    self.r
                        .report(Code::DuplicateLabel, device.label.span, "two devices of this table have the same label")
                        .label("same label again")
                        .secondary(*first, "first used here")
                        .help("Questions can name a device by its label, so labels in one table must differ.");
                } else {
                    labels_here.insert(normal, device.label.span);
                }
                let mut info = DeviceInfo {
                    summary: DeviceSummary {
                        table: table.id.text.clone(),
                        id: device.id.text.clone(),
                        label: device.label.text.clone(),
                        group: device.group.as_ref().map(|g| g.text.clone()),
                        line: device.span.line,
                    },
                    table_label: table.label.text.clone(),
                    presence: PresenceAnswer::Blank,
                    presence_line: device.span.line,
                    presence_condition: None,
                    note: None,
                    network: NetworkAccess::Blank,
                    network_line: device.span.line,
                    file: self.file_of(device.span),
                    breaches: Box::default(),
                    rules: Vec::new(),
                };
                let mut presence_span: Option<Span> = None;
                let mut network_span: Option<Span> = None;
                for item in &device.items {
                    match item {
                        DeviceItem::InSchool(line) => {
                            if let Some(first) = presence_span {
                                self.r
                                    .report(
                                        Code::Conflict,
                                        line.span,
                                        "this device already says whether it is allowed in school",
                                    )
                                    .label("second answer")
                                    .secondary(first, "first answer")
                                    .help("Keep one `allowed in school` line per device.");
                                continue;
                            }
                            presence_span = Some(line.span);
                            info.presence_line = line.span.line;
                            info.note = line.note.as_ref().map(|n| n.text.clone());
                            info.presence = match &line.presence {
                                Presence::Yes => PresenceAnswer::Yes,
                                Presence::No => PresenceAnswer::No,
                                Presence::Blank => {
                                    self.r
                                        .report(Code::BlankCell, line.span, format!("whether `{}` devices are allowed in school is blank, so it will be denied", device.id.text))
                                        .label("blank: the engine will deny")
                                        .help("If the document leaves the cell empty, keep `blank` and say so in a comment.");
                                    PresenceAnswer::Blank
                                }
                                Presence::WithPermission { staff, from } => {
                                    let text = match from {
                                        Some(from) => {
                                            self.target(from);
                                            format!("only with permission from {}", from.text)
                                        }
                                        None if *staff => "only with staff permission".to_owned(),
                                        None => "only with permission".to_owned(),
                                    };
                                    info.presence_condition = Some(Arc::from(text.as_str()));
                                    PresenceAnswer::Permission
                                }
                            };
                        }
                        DeviceItem::Network(line) => {
                            if let Some(first) = network_span {
                                self.r
                                    .report(Code::Conflict, line.span, "this device already says what network access it gets")
                                    .label("second answer")
                                    .secondary(first, "first answer")
                                    .help("Keep one `network access` line per device: the document marks one of full, internet only or none.");
                                continue;
                            }
                            network_span = Some(line.span);
                            info.network_line = line.span.line;
                            info.network = line.access;
                            if line.access == NetworkAccess::Blank {
                                self.r
                                    .report(Code::BlankCell, line.span, format!("the network access of `{}` devices is blank, so every network question will be denied", device.id.text))
                                    .label("blank: the engine will deny")
                                    .help("If the document leaves the cells empty, keep `blank` and say so in a comment.");
                            }
                        }
                        DeviceItem::Breach(breach) => {
                            let mut entries = std::mem::take(&mut info.breaches).into_vec();
                            self.breach(breach, None, &mut entries);
                            info.breaches = entries.into_boxed_slice();
                        }
                    }
                }
                if presence_span.is_none() && !self.partial {
                    self.r
                        .report(Code::BlankCell, device.span, format!("`{}` does not say whether it is allowed in school, so that will be denied", device.id.text))
                        .label("no `allowed in school` line")
                        .help("Add `allowed in school: yes`, `no`, `with permission` or `blank` (with a comment) under the device.");
                }
                if network_span.is_none() && !self.partial {
                    self.r
                        .report(Code::BlankCell, device.span, format!("`{}` does not say what network access it gets, so network questions will be denied", device.id.text))
                        .label("no `network access` line")
                        .help("Add `network access: full`, `internet only`, `none` or `blank` (with a comment) under the device.");
                }
                self.tables.devices.push(info);
            }
        }
    }
}
