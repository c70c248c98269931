//! The roles both policies know, and grouping roles that changed alike.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::Policy;

/// The roles both policies declare, in the new policy's order, with each
/// one's group in the new policy.
pub(super) struct Roles {
    pub(super) shared: Vec<Arc<str>>,
    parents: HashMap<Arc<str>, Arc<str>>,
}

impl Roles {
    pub(super) fn new(old: &Policy, new: &Policy) -> Self {
        let in_old: std::collections::HashSet<&str> = old.roles().iter().map(|r| &*r.id).collect();
        let shared = new
            .roles()
            .iter()
            .filter(|r| in_old.contains(&*r.id))
            .map(|r| r.id.clone())
            .collect();
        let parents = new
            .roles()
            .iter()
            .filter_map(|r| Some((r.id.clone(), r.parent.clone()?)))
            .collect();
        Roles { shared, parents }
    }

    /// Whether `role` is `ancestor` or within it.
    pub(super) fn within(&self, role: &str, ancestor: &str) -> bool {
        let mut at = role;
        // A role tree is shallow; the bound only guards a malformed one.
        for _ in 0..64 {
            if at == ancestor {
                return true;
            }
            match self.parents.get(at) {
                Some(parent) => at = parent,
                None => return false,
            }
        }
        false
    }

    /// Groups `(role, value)` pairs by `key(value)`, in the order keys first
    /// appear, keeping each group's first value.
    pub(super) fn group<V, K: PartialEq>(
        &self,
        entries: Vec<(Arc<str>, V)>,
        key: impl Fn(&V) -> K,
    ) -> Vec<Group<V>> {
        let mut groups: Vec<(Vec<Arc<str>>, K, V)> = Vec::new();
        for (role, value) in entries {
            let k = key(&value);
            match groups.iter_mut().find(|(_, g, _)| *g == k) {
                Some((roles, ..)) => roles.push(role),
                None => groups.push((vec![role], k, value)),
            }
        }
        groups
            .into_iter()
            .map(|(all, _, value)| {
                let highest = all
                    .iter()
                    .filter(|r| !all.iter().any(|other| other != *r && self.within(r, other)))
                    .cloned()
                    .collect();
                Group {
                    highest,
                    all,
                    value,
                }
            })
            .collect()
    }
}

/// Roles that share a key.
pub(super) struct Group<V> {
    /// Those with no ancestor in the group.
    pub(super) highest: Vec<Arc<str>>,
    /// All of them, in order.
    pub(super) all: Vec<Arc<str>>,
    /// The first role's value.
    pub(super) value: V,
}
