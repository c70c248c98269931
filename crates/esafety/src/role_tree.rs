//! The role hierarchy as a tree, laid out once so that questions about it
//! cost the same however deep it is.
//!
//! A policy may nest roles to any depth (a generated one, 20,000 deep). Walking
//! from every role up to the root is then quadratic; this layout gives, in
//! time linear in the number of roles:
//!
//! * an order with every group before its members, so that a row's answer
//!   for each role is its own cell or else its group's, filled in one pass;
//! * the entry and exit number of each role in a depth-first walk, so that
//!   "is `a` within group `b`?" is two comparisons.

use crate::model::{RoleId, RoleInfo};

/// The roles' tree, laid out (see the module documentation).
#[derive(Debug, Clone, Default)]
pub(crate) struct RoleTree {
    /// Every role reachable from a root, each after its group.
    order: Vec<RoleId>,
    /// Per role: when the walk entered it, and when it left.
    span: Vec<(u32, u32)>,
}

impl RoleTree {
    /// Lays out `roles`, which must form a forest (the checker reports and
    /// breaks cycles first). A role on a cycle nevertheless is left out of
    /// the order and is within no group but itself.
    pub(crate) fn new(roles: &[RoleInfo]) -> RoleTree {
        let count = roles.len();
        let mut children: Vec<Vec<RoleId>> = vec![Vec::new(); count];
        let mut roots = Vec::new();
        for (index, role) in roles.iter().enumerate() {
            let Ok(id) = RoleId::try_from(index) else {
                continue;
            };
            match role
                .parent_id
                .filter(|&p| usize::from(p) < count && p != id)
            {
                Some(parent) => {
                    if let Some(list) = children.get_mut(usize::from(parent)) {
                        list.push(id);
                    }
                }
                None => roots.push(id),
            }
        }
        let mut tree = RoleTree {
            order: Vec::with_capacity(count),
            span: vec![(u32::MAX, 0); count],
        };
        let mut clock = 0u32;
        // An explicit stack: the depth of the tree must not be the depth of
        // the call stack. Each entry is a role and how many of its members
        // have been visited.
        let mut stack: Vec<(RoleId, usize)> = Vec::new();
        for root in roots {
            stack.push((root, 0));
            tree.enter(root, &mut clock);
            while let Some(&mut (role, ref mut next)) = stack.last_mut() {
                let members = children
                    .get(usize::from(role))
                    .map_or(&[][..], Vec::as_slice);
                if let Some(&member) = members.get(*next) {
                    *next += 1;
                    tree.enter(member, &mut clock);
                    stack.push((member, 0));
                } else {
                    if let Some(span) = tree.span.get_mut(usize::from(role)) {
                        span.1 = clock;
                    }
                    stack.pop();
                }
            }
        }
        tree
    }

    fn enter(&mut self, role: RoleId, clock: &mut u32) {
        self.order.push(role);
        if let Some(span) = self.span.get_mut(usize::from(role)) {
            span.0 = *clock;
        }
        *clock += 1;
    }

    /// Every role, each after the group it belongs to.
    pub(crate) fn groups_first(&self) -> &[RoleId] {
        &self.order
    }

    /// Whether `role` is `group` or a member of it, at any depth.
    pub(crate) fn is_within(&self, role: RoleId, group: RoleId) -> bool {
        if role == group {
            return true;
        }
        match (
            self.span.get(usize::from(role)),
            self.span.get(usize::from(group)),
        ) {
            (Some(&(enter, _)), Some(&(group_enter, group_exit))) => {
                group_enter < enter && enter < group_exit
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn roles(parents: &[Option<RoleId>]) -> Vec<RoleInfo> {
        parents
            .iter()
            .enumerate()
            .map(|(i, &parent_id)| RoleInfo {
                id: Arc::from(format!("r{i}")),
                parent: None,
                line: 0,
                parent_id,
            })
            .collect()
    }

    #[test]
    fn groups_come_before_their_members() {
        // 3 ─┬─ 0 ─── 2
        //    └─ 1
        let tree = RoleTree::new(&roles(&[Some(3), Some(3), Some(0), None]));
        let order = tree.groups_first();
        let at = |r: RoleId| order.iter().position(|&o| o == r).unwrap_or(usize::MAX);
        assert_eq!(order.len(), 4);
        assert!(at(3) < at(0) && at(0) < at(2) && at(3) < at(1));
        assert!(tree.is_within(2, 3) && tree.is_within(2, 0) && tree.is_within(2, 2));
        assert!(!tree.is_within(2, 1) && !tree.is_within(3, 0) && !tree.is_within(1, 0));
    }

    #[test]
    fn a_deep_chain_is_laid_out_without_recursion() {
        let depth = 50_000u16;
        let parents: Vec<Option<RoleId>> = (0..depth).map(|i| i.checked_sub(1)).collect();
        let tree = RoleTree::new(&roles(&parents));
        assert_eq!(tree.groups_first().first(), Some(&0));
        assert_eq!(tree.groups_first().last(), Some(&(depth - 1)));
        assert!(tree.is_within(depth - 1, 0));
        assert!(!tree.is_within(0, depth - 1));
    }
}
