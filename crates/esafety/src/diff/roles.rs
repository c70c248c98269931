//! The roles both policies know, and grouping roles that changed alike.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::model::Policy;

/// The roles a diff asks about, in the new policy's order then the old's,
/// with each one's group.
///
/// A role only one policy declares (a school's `year-12` that its trust's
/// policy does not have) is asked of the other policy as its nearest group
/// that policy knows (`pupil`): what changes for a Year 12 pupil is what
/// the trust answered for pupils against what the school answers for them.
pub(super) struct Roles {
    pub(super) shared: Vec<Arc<str>>,
    parents: HashMap<Arc<str>, Arc<str>>,
    /// Roles only the new policy has, as the old policy is asked about them.
    in_old: HashMap<Arc<str>, Arc<str>>,
    /// Roles only the old policy has, as the new policy is asked about them.
    in_new: HashMap<Arc<str>, Arc<str>>,
}

/// For each role of `from` that `to` does not declare, its nearest group
/// that `to` does; roles with none are left out.
fn nearest_known(from: &Policy, to: &Policy) -> HashMap<Arc<str>, Arc<str>> {
    let known: HashSet<&str> = to.roles().iter().map(|r| &*r.id).collect();
    let parents: HashMap<&str, &Arc<str>> = from
        .roles()
        .iter()
        .filter_map(|r| Some((&*r.id, r.parent.as_ref()?)))
        .collect();
    let mut out = HashMap::new();
    for role in from.roles().iter().filter(|r| !known.contains(&*r.id)) {
        let mut at = &*role.id;
        for _ in 0..64 {
            match parents.get(at) {
                Some(parent) if known.contains(&***parent) => {
                    out.insert(role.id.clone(), (*parent).clone());
                    break;
                }
                Some(parent) => at = parent,
                None => break,
            }
        }
    }
    out
}

impl Roles {
    pub(super) fn new(old: &Policy, new: &Policy) -> Self {
        let in_old = nearest_known(new, old);
        let in_new = nearest_known(old, new);
        let known_old: HashSet<&str> = old.roles().iter().map(|r| &*r.id).collect();
        let known_new: HashSet<&str> = new.roles().iter().map(|r| &*r.id).collect();
        let shared = new
            .roles()
            .iter()
            .filter(|r| known_old.contains(&*r.id) || in_old.contains_key(&r.id))
            .chain(
                old.roles()
                    .iter()
                    .filter(|r| !known_new.contains(&*r.id) && in_new.contains_key(&r.id)),
            )
            .map(|r| r.id.clone())
            .collect();
        let parents = new
            .roles()
            .iter()
            .chain(old.roles().iter().filter(|r| !known_new.contains(&*r.id)))
            .filter_map(|r| Some((r.id.clone(), r.parent.clone()?)))
            .collect();
        Roles {
            shared,
            parents,
            in_old,
            in_new,
        }
    }

    /// The role to ask the old policy (`old`) or the new one about for
    /// `role`.
    pub(super) fn name_in<'r>(&'r self, role: &'r Arc<str>, old: bool) -> &'r str {
        let other = if old { &self.in_old } else { &self.in_new };
        other.get(role).unwrap_or(role)
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
