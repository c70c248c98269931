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

    /// Groups `(role, key)` pairs by key, in the order keys first appear.
    pub(super) fn group<K: PartialEq>(&self, entries: Vec<(Arc<str>, K)>) -> Vec<Group<K>> {
        let mut groups: Vec<(Vec<Arc<str>>, K)> = Vec::new();
        for (role, key) in entries {
            match groups.iter_mut().find(|(_, k)| *k == key) {
                Some((roles, _)) => roles.push(role),
                None => groups.push((vec![role], key)),
            }
        }
        groups
            .into_iter()
            .map(|(all, key)| {
                let highest = all
                    .iter()
                    .filter(|r| !all.iter().any(|other| other != *r && self.within(r, other)))
                    .cloned()
                    .collect();
                Group { highest, all, key }
            })
            .collect()
    }
}

/// Roles that share a key.
pub(super) struct Group<K> {
    /// Those with no ancestor in the group.
    pub(super) highest: Vec<Arc<str>>,
    /// All of them, in order.
    pub(super) all: Vec<Arc<str>>,
    pub(super) key: K,
}
