//! Compiling a checked policy: dense ids, the (row, role) answer matrix and
//! the precomputed response lists, so that a question costs a few look-ups.

use std::collections::HashMap;
use std::sync::Arc;

use super::Checker;
use super::incidents::ResponseClass;
use crate::model::{
    CellId, CellInfo, Escalation, IncidentId, IncidentInfo, IncidentSummary, IncidentTableInfo,
    NO_CELL, PolicyData, ResponseInfo, ResponseLists, RoleId, RowId, RowInfo, SchoolInfo,
};
use crate::suggest::normalize_label;

fn lists(responses: &[(ResponseInfo, ResponseClass)]) -> ResponseLists {
    let pick = |class: ResponseClass| -> Arc<[ResponseInfo]> {
        responses
            .iter()
            .filter(|(_, c)| *c == class)
            .map(|(r, _)| r.clone())
            .collect()
    };
    ResponseLists {
        referrals: pick(ResponseClass::Referral),
        notifications: pick(ResponseClass::Notification),
        sanctions: pick(ResponseClass::Sanction),
    }
}

fn index_by<T>(
    items: impl Iterator<Item = (T, Arc<str>, Arc<str>)>,
) -> (HashMap<Box<str>, T>, HashMap<String, Vec<T>>)
where
    T: Copy,
{
    let mut ids = HashMap::new();
    let mut labels: HashMap<String, Vec<T>> = HashMap::new();
    for (value, id, label) in items {
        ids.insert(Box::from(&*id), value);
        labels
            .entry(normalize_label(&label))
            .or_default()
            .push(value);
    }
    (ids, labels)
}

pub(super) fn compile(c: Checker<'_, '_>) -> PolicyData {
    let role_count = c.roles.len();
    let role_index: HashMap<Box<str>, RoleId> = c
        .role_defs
        .map
        .iter()
        .map(|(k, d)| (Box::from(k.as_str()), d.value))
        .collect();

    // Ancestor chains once, for every role.
    let chains: Vec<Vec<RoleId>> = (0..role_count)
        .map(|r| c.ancestors_of(RoleId::try_from(r).unwrap_or(RoleId::MAX)))
        .collect();

    // Rows, cells and the answer matrix.
    let mut cells: Vec<CellInfo> = Vec::new();
    let mut rows: Vec<RowInfo> = Vec::with_capacity(c.tables.rows.len());
    let mut matrix: Vec<CellId> = vec![NO_CELL; c.tables.rows.len() * role_count];
    let mut direct: Vec<CellId> = vec![NO_CELL; role_count];
    for (r, draft) in c.tables.rows.iter().enumerate() {
        let mut touched = Vec::new();
        for cell in &draft.cells {
            let id = CellId::try_from(cells.len()).unwrap_or(NO_CELL);
            for &role in &cell.roles {
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
            cells.push(CellInfo {
                answer: cell.answer.clone(),
                words: cell.words.clone(),
                condition: cell.condition.clone(),
                roles_text: cell.roles_text.clone(),
                line: cell.line,
            });
        }
        if let Some(row_slots) = matrix.get_mut(r * role_count..(r + 1) * role_count) {
            for (slot, chain) in row_slots.iter_mut().zip(&chains) {
                *slot = chain
                    .iter()
                    .map(|a| direct.get(usize::from(*a)).copied().unwrap_or(NO_CELL))
                    .find(|&c| c != NO_CELL)
                    .unwrap_or(NO_CELL);
            }
        }
        for slot in touched {
            if let Some(d) = direct.get_mut(slot) {
                *d = NO_CELL;
            }
        }
        rows.push(RowInfo {
            table: draft.table,
            id: draft.id.clone(),
            label: draft.label.clone(),
            line: draft.line,
            breaches: draft.breaches.clone(),
            route: draft.route,
        });
    }
    let (row_index, row_labels) = index_by(rows.iter().enumerate().map(|(i, r)| {
        (
            RowId::try_from(i).unwrap_or(RowId::MAX),
            r.id.clone(),
            r.label.clone(),
        )
    }));

    // Devices.
    let devices = c.tables.devices;
    let (device_index, device_labels) = index_by(devices.iter().enumerate().map(|(i, d)| {
        (
            u32::try_from(i).unwrap_or(u32::MAX),
            d.summary.id.clone(),
            d.summary.label.clone(),
        )
    }));

    // Incidents and their escalations.
    let incident_tables: Vec<IncidentTableInfo> = c
        .incidents
        .tables
        .iter()
        .map(|t| IncidentTableInfo {
            roles: t.roles.clone(),
        })
        .collect();
    let mut incidents: Vec<IncidentInfo> = c
        .incidents
        .incidents
        .iter()
        .map(|i| {
            let table = c.incidents.tables.get(i.table);
            IncidentInfo {
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
                info.escalation = Some(Escalation {
                    after,
                    repeat: IncidentId::try_from(repeat).unwrap_or(IncidentId::MAX),
                    lists: lists(&merged),
                });
            }
        }
    }
    let mut incident_index: HashMap<Box<str>, Vec<IncidentId>> = HashMap::new();
    let mut incident_labels: HashMap<String, Vec<IncidentId>> = HashMap::new();
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
        timetable: c.timetable.build(),
        facts: c.facts,
        contacts: c.contacts,
        tables: c.tables.tables,
        rows,
        row_index,
        row_labels,
        cells,
        matrix,
        devices,
        device_index,
        device_labels,
        incident_tables,
        incidents,
        incident_index,
        incident_labels,
        routes: c.routes,
        warnings: Vec::new(),
        no_responses: ResponseLists::default(),
        capabilities: Default::default(),
    }
}
