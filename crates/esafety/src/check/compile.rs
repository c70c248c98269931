//! Compiling a checked policy: dense ids, the (row, role) answer matrix and
//! the precomputed response lists, so that a question costs a few look-ups.

use std::sync::Arc;

use super::Checker;
use super::incidents::ResponseClass;
use crate::model::{
    Capability, CellId, CellInfo, FxMap, IncidentId, IncidentInfo, IncidentRef, IncidentSummary,
    IncidentTableInfo, NO_CELL, NameIndex, PolicyData, ResponseInfo, Responses, RoleId, RowInfo,
    RuleRef, SchoolInfo,
};
use crate::role_tree::RoleTree;
use crate::suggest::normalize_label;

fn lists(responses: &[(ResponseInfo, ResponseClass)]) -> Arc<Responses> {
    let pick = |class: ResponseClass| -> Vec<ResponseInfo> {
        responses
            .iter()
            .filter(|(_, c)| *c == class)
            .map(|(r, _)| r.clone())
            .collect()
    };
    Arc::new(Responses {
        referrals: pick(ResponseClass::Referral),
        notifications: pick(ResponseClass::Notification),
        sanctions: pick(ResponseClass::Sanction),
    })
}

pub(super) fn compile(mut c: Checker<'_, '_>) -> PolicyData {
    let role_count = c.roles.len();
    let role_index: FxMap<Box<str>, RoleId> = c
        .role_defs
        .map
        .iter()
        .map(|(k, d)| (Box::from(&**k), d.value))
        .collect();

    // The tree once: each row's answers are then filled in groups first, a
    // role taking its own cell or else its group's, in one pass.
    let role_tree = RoleTree::new(&c.roles);
    let parents: Vec<Option<RoleId>> = c.roles.iter().map(|r| r.parent_id).collect();

    // Rows and the answer matrix. The cells are the table pass's list, kept
    // as it is; the drafts are moved, not copied.
    let files = c.files.clone();
    let drafts = std::mem::take(&mut c.tables.rows);
    let cells: Vec<CellInfo> = std::mem::take(&mut c.tables.cells);
    let mut next_cell = 0usize;
    let mut rows: Vec<RowInfo> = Vec::with_capacity(drafts.len());
    // Built by the checker as it drafted the rows, in the same order.
    let row_index = std::mem::take(&mut c.tables.row_index);
    let mut matrix: Vec<CellId> = vec![NO_CELL; drafts.len() * role_count];
    let mut direct: Vec<CellId> = vec![NO_CELL; role_count];
    let mut touched: Vec<usize> = Vec::new();
    let role_sets = std::mem::take(&mut c.tables.role_set_list);
    for (r, draft) in drafts.into_iter().enumerate() {
        touched.clear();
        let first_cell = next_cell;
        next_cell += draft.cells as usize;
        for (n, cell) in cells
            .get(first_cell..next_cell)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let id = CellId::try_from(first_cell + n).unwrap_or(NO_CELL);
            let roles = role_sets
                .get(cell.roles as usize)
                .map_or(&[][..], |set| &set[..]);
            for &role in roles {
                let slot = usize::from(role);
                let Some(current) = direct.get_mut(slot) else {
                    continue;
                };
                // At equal specificity the most restrictive answer wins.
                let replace = *current == NO_CELL
                    || cells.get(*current as usize).is_some_and(|c| {
                        c.answer.restrictiveness() < cell.answer.restrictiveness()
                    });
                if replace {
                    *current = id;
                    touched.push(slot);
                }
            }
        }
        if let Some(row_slots) = matrix.get_mut(r * role_count..(r + 1) * role_count) {
            for &role in role_tree.groups_first() {
                let own = direct.get(usize::from(role)).copied().unwrap_or(NO_CELL);
                let answer = if own != NO_CELL {
                    own
                } else {
                    parents
                        .get(usize::from(role))
                        .copied()
                        .flatten()
                        .and_then(|p| row_slots.get(usize::from(p)).copied())
                        .unwrap_or(NO_CELL)
                };
                if let Some(slot) = row_slots.get_mut(usize::from(role)) {
                    *slot = answer;
                }
            }
        }
        for &slot in &touched {
            if let Some(d) = direct.get_mut(slot) {
                *d = NO_CELL;
            }
        }
        rows.push(RowInfo {
            rule: draft.rule,
            table: draft.table,
            id: draft.id,
            label: draft.label,
            line: draft.line,
            breaches: draft.breaches,
            route: draft.route,
        });
    }

    // Devices.
    let mut devices = std::mem::take(&mut c.tables.devices);
    for d in &mut devices {
        d.rules = Capability::ALL
            .iter()
            .map(|cap| {
                Arc::new(RuleRef {
                    table: d.summary.table.clone(),
                    row: Arc::from(cap.id()),
                    label: Arc::from(cap.label()),
                    column: Some(d.summary.label.clone()),
                    line: if *cap == Capability::AllowedInSchool {
                        d.presence_line
                    } else {
                        d.network_line
                    },
                    file: Checker::file_name(&files, d.file),
                })
            })
            .collect();
    }
    let mut device_index: NameIndex<u32> = NameIndex::default();
    for (i, d) in devices.iter().enumerate() {
        device_index.insert(
            d.summary.id.clone(),
            &d.summary.label,
            u32::try_from(i).unwrap_or(u32::MAX),
        );
    }

    // Incidents and their escalations.
    let incident_tables: Vec<IncidentTableInfo> = c
        .incidents
        .tables
        .iter()
        .map(|t| IncidentTableInfo {
            roles: t.roles.clone(),
            columns: t.responses.keys().cloned().collect(),
        })
        .collect();
    let mut incidents: Vec<IncidentInfo> = c
        .incidents
        .incidents
        .iter()
        .map(|i| {
            let table = c.incidents.tables.get(i.table);
            let table_id = table.map(|t| t.id.clone()).unwrap_or_else(|| Arc::from(""));
            IncidentInfo {
                reference: Arc::new(IncidentRef {
                    table: table_id.clone(),
                    id: i.id.clone(),
                    label: i.label.clone(),
                    line: i.span.line,
                    file: Checker::file_name(&files, c.file_of(i.span)),
                }),
                rule: Arc::new(RuleRef {
                    table: table_id,
                    row: i.id.clone(),
                    label: i.label.clone(),
                    column: None,
                    line: i.span.line,
                    file: Checker::file_name(&files, c.file_of(i.span)),
                }),
                summary: IncidentSummary {
                    table: table.map(|t| t.id.clone()).unwrap_or_else(|| Arc::from("")),
                    id: i.id.clone(),
                    label: i.label.clone(),
                    roles: table
                        .map(|t| {
                            t.roles
                                .iter()
                                .filter_map(|r| c.roles.get(usize::from(*r)).map(|x| x.id.clone()))
                                .collect()
                        })
                        .unwrap_or_default(),
                    line: i.span.line,
                },
                table_index: u32::try_from(i.table).unwrap_or(u32::MAX),
                lists: lists(&i.responses),
                route: i.route,
                escalation: None,
                ladders: i
                    .ladder
                    .into_iter()
                    .chain(
                        c.incidents
                            .tables
                            .get(i.table)
                            .map(|t| t.ladders.clone())
                            .unwrap_or_default(),
                    )
                    .collect(),
            }
        })
        .collect();
    for table in &c.incidents.tables {
        let Some((repeat, after)) = table.repeat else {
            continue;
        };
        let Some(repeat_draft) = c.incidents.incidents.get(repeat) else {
            continue;
        };
        for (n, draft) in c.incidents.incidents.iter().enumerate() {
            if n == repeat || c.incidents.tables.get(draft.table).map(|t| &t.id) != Some(&table.id)
            {
                continue;
            }
            let mut merged = draft.responses.clone();
            for r in &repeat_draft.responses {
                if !merged.iter().any(|(x, _)| x.id == r.0.id) {
                    merged.push(r.clone());
                }
            }
            merged.sort_by_key(|(r, _)| table.responses.get_index_of(&*r.id));
            if let Some(info) = incidents.get_mut(n) {
                info.escalation = Some(crate::model::RepeatOffence {
                    after,
                    repeat: IncidentId::try_from(repeat).unwrap_or(IncidentId::MAX),
                    lists: lists(&merged),
                });
            }
        }
    }
    let mut incident_index: FxMap<Box<str>, Vec<IncidentId>> = FxMap::default();
    let mut incident_labels: FxMap<String, Vec<IncidentId>> = FxMap::default();
    for (i, incident) in incidents.iter().enumerate() {
        let id = IncidentId::try_from(i).unwrap_or(IncidentId::MAX);
        incident_index
            .entry(Box::from(&*incident.summary.id))
            .or_default()
            .push(id);
        incident_labels
            .entry(normalize_label(&incident.summary.label))
            .or_default()
            .push(id);
    }

    PolicyData {
        files: files.iter().map(|(_, path)| path.clone()).collect(),
        path: c.path,
        school: c.school.unwrap_or(SchoolInfo {
            name: String::new(),
            template: None,
            approved: None,
            review_by: None,
            owner: None,
        }),
        roles: c.roles,
        role_index,
        role_tree,
        timetable: c.timetable.build(),
        facts: c.facts,
        places: c.places,
        contacts: c.contacts,
        tables: std::mem::take(&mut c.tables.tables),
        rows,
        breaches: std::mem::take(&mut c.tables.breaches),
        row_index,
        cells,
        matrix,
        devices,
        device_index,
        incident_tables,
        incidents,
        incident_index,
        incident_labels,
        routes: c.routes.into_iter().map(Arc::new).collect(),
        ladders: c.incidents.ladders,
        warnings: Vec::new(),
        no_responses: Arc::default(),
        needs_permission: Arc::from([Arc::from("permission")]),
        needs_nomination: Arc::from([Arc::from("nominated")]),
        no_names: Arc::from([]),
    }
}
