//! Rows and incidents alike: paired across the two policies by id, or,
//! renamed, by label; compared when both have one, listed when one does.

use std::collections::HashMap;
use std::sync::Arc;

use super::Change;
use crate::suggest::normalize_label;

/// A row or an incident, to the pairing: where it is and what it is
/// called, and (`extra`) what else comparing it needs.
#[derive(Clone)]
pub(super) struct Entry<X> {
    pub(super) table: Arc<str>,
    pub(super) id: Arc<str>,
    pub(super) label: Arc<str>,
    pub(super) line: u32,
    pub(super) extra: X,
}

/// What a row's and an incident's difference have in common.
pub(super) struct Header {
    pub(super) table: Arc<str>,
    pub(super) id: Arc<str>,
    pub(super) label: Arc<str>,
    pub(super) change: Change,
    pub(super) old_id: Option<Arc<str>>,
    pub(super) old_label: Option<Arc<str>>,
    pub(super) old_line: Option<u32>,
    pub(super) new_line: Option<u32>,
}

/// Pairs the items of both policies (by table and id, then the rest by
/// table and folded label) and keeps those that differ: with what
/// `changed` finds for a pair, or what `one_side` lists for an item only
/// one policy has (`true`: the old one).
pub(super) fn compare<X: Clone, C>(
    old: &[Entry<X>],
    new: &[Entry<X>],
    changed: impl Fn(&Entry<X>, &Entry<X>) -> Vec<C>,
    one_side: impl Fn(&Entry<X>, bool) -> Vec<C>,
) -> Vec<(Header, Vec<C>)> {
    let header = |item: &Entry<X>, change| Header {
        table: item.table.clone(),
        id: item.id.clone(),
        label: item.label.clone(),
        change,
        old_id: None,
        old_label: None,
        old_line: None,
        new_line: None,
    };
    let pairs = pair(
        old,
        new,
        |t| format!("{}/{}", t.table, t.id),
        |t| format!("{}/{}", t.table, normalize_label(&t.label)),
    );
    let mut out = Vec::new();
    for (o, n) in pairs {
        match (o, n) {
            (Some(o), Some(n)) => {
                let changes = changed(&o, &n);
                let old_id = (o.id != n.id).then(|| o.id.clone());
                let old_label = (o.label != n.label).then(|| o.label.clone());
                if changes.is_empty() && old_id.is_none() && old_label.is_none() {
                    continue;
                }
                let h = Header {
                    old_id,
                    old_label,
                    old_line: Some(o.line),
                    new_line: Some(n.line),
                    ..header(&n, Change::Changed)
                };
                out.push((h, changes));
            }
            (None, Some(n)) => {
                let h = Header {
                    new_line: Some(n.line),
                    ..header(&n, Change::Added)
                };
                out.push((h, one_side(&n, false)));
            }
            (Some(o), None) => {
                let h = Header {
                    old_line: Some(o.line),
                    ..header(&o, Change::Removed)
                };
                out.push((h, one_side(&o, true)));
            }
            (None, None) => {}
        }
    }
    out
}

/// Pairs things of the old and new policy: by key first, then what is left
/// by label where exactly one on each side has it. Pairs come in the new
/// policy's order, then what only the old one has.
pub(super) fn pair<T: Clone>(
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> String,
    label: impl Fn(&T) -> String,
) -> Vec<(Option<T>, Option<T>)> {
    let old_by_key: HashMap<String, usize> =
        old.iter().enumerate().map(|(i, t)| (key(t), i)).collect();
    let mut old_used = vec![false; old.len()];
    let mut pairs: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    for (n, item) in new.iter().enumerate() {
        match old_by_key.get(&key(item)) {
            Some(&o) => {
                if let Some(used) = old_used.get_mut(o) {
                    *used = true;
                }
                pairs.push((Some(o), Some(n)));
            }
            None => pairs.push((None, Some(n))),
        }
    }
    // Renamed: the same label, once on each side, among the unpaired.
    let count = |items: &[T], used: &dyn Fn(usize) -> bool| {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for (i, t) in items.iter().enumerate() {
            if !used(i) {
                *counts.entry(label(t)).or_default() += 1;
            }
        }
        counts
    };
    let old_left = count(old, &|i| old_used.get(i).copied().unwrap_or(true));
    let new_paired: Vec<bool> = pairs
        .iter()
        .filter_map(|(o, n)| n.map(|n| (n, o.is_some())))
        .fold(vec![false; new.len()], |mut acc, (n, paired)| {
            if let Some(slot) = acc.get_mut(n) {
                *slot = paired;
            }
            acc
        });
    let new_left = count(new, &|i| new_paired.get(i).copied().unwrap_or(true));
    for entry in &mut pairs {
        let (None, Some(n)) = *entry else { continue };
        let Some(item) = new.get(n) else { continue };
        let l = label(item);
        if new_left.get(&l) != Some(&1) || old_left.get(&l) != Some(&1) {
            continue;
        }
        let found = old
            .iter()
            .enumerate()
            .find(|(i, t)| !old_used.get(*i).copied().unwrap_or(true) && label(t) == l);
        if let Some((o, _)) = found {
            if let Some(used) = old_used.get_mut(o) {
                *used = true;
            }
            *entry = (Some(o), Some(n));
        }
    }
    for (o, used) in old_used.iter().enumerate() {
        if !used {
            pairs.push((Some(o), None));
        }
    }
    pairs
        .into_iter()
        .map(|(o, n)| {
            (
                o.and_then(|o| old.get(o).cloned()),
                n.and_then(|n| new.get(n).cloned()),
            )
        })
        .collect()
}
