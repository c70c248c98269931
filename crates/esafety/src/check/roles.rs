//! Roles: the four base roles, the groups a policy declares, year groups.

use std::collections::HashMap;
use std::sync::Arc;

use super::Checker;
use crate::ast::{Member, Name, Section};
use crate::ast::{year_group_name, year_group_order};
use crate::diagnostic::Code;
use crate::model::{BASE_ROLES, RoleId, RoleInfo};
use crate::span::Span;

/// Words a role may not be called, because the language uses them.
const RESERVED: [&str; 1] = [EVERYONE];

/// The hidden root role that `everyone` names.
pub(crate) const EVERYONE: &str = "everyone";

impl Checker<'_, '_> {
    pub(super) fn check_roles(&mut self, sections: &[Section]) {
        for base in BASE_ROLES {
            let id = self.add_role(base, 0);
            self.role_defs.insert(base, id, Span::default());
        }

        let groups: Vec<_> = sections
            .iter()
            .filter_map(|s| match s {
                Section::Roles(r) => Some(r),
                _ => None,
            })
            .flat_map(|r| r.groups.iter())
            .collect();

        // First pass: every member is a new role. Groups may be declared in
        // any order, so parents are resolved in a second pass.
        let mut parent_name: HashMap<RoleId, (Name, Span)> = HashMap::new();
        for group in &groups {
            for member in &group.members {
                for name in self.expand_member(member) {
                    if BASE_ROLES.contains(&&*name.text) {
                        self.r
                            .report(Code::RoleHierarchy, name.span, format!("`{}` is a base role and cannot be part of another group", name.text))
                            .label("base role")
                            .help("The four base roles `staff`, `pupil`, `visitor` and `parent` are the top of the hierarchy; put other roles inside them.");
                        continue;
                    }
                    if RESERVED.contains(&&*name.text) {
                        self.r
                            .report(Code::RoleHierarchy, name.span, format!("`{}` is a word of the language and cannot name a role", name.text))
                            .label("reserved word")
                            .help("`everyone` already means all four base roles; choose another name.");
                        continue;
                    }
                    if let Some(existing) = self.role_defs.map.get(&*name.text) {
                        let first = existing.span;
                        let first_group = parent_name
                            .get(&existing.value)
                            .map(|(g, _)| g.text.clone())
                            .unwrap_or_default();
                        let same_group = first_group == group.group.text;
                        let (code, message, help) = if same_group {
                            (
                                Code::DuplicateDefinition,
                                format!("role `{}` is listed twice", name.text),
                                "List each role once.".to_owned(),
                            )
                        } else {
                            (
                                Code::RoleHierarchy,
                                format!("role `{}` is already in `{first_group}`; a role belongs to one group", name.text),
                                "Roles form a tree, so that the most specific rule is always clear. Keep the role in one group; to give several groups the same rule, list them in the cell (`year-5, year-6: …`).".to_owned(),
                            )
                        };
                        self.r
                            .report(code, name.span, message)
                            .label("listed again here")
                            .secondary(first, "first listed here")
                            .help(help);
                        continue;
                    }
                    let id = self.add_role(&name.text, name.span.line);
                    self.role_defs.insert(name.text.clone(), id, name.span);
                    parent_name.insert(id, (group.group.clone(), name.span));
                }
            }
        }

        // Second pass: link each role to its group.
        let mut reported_groups = std::collections::HashSet::new();
        for (child, (group, _)) in &parent_name {
            match self.role(&group.text) {
                Some(parent) => {
                    if let Some(info) = self.roles.get_mut(usize::from(*child)) {
                        info.parent_id = Some(parent);
                        info.parent = Some(group.text.clone());
                    }
                }
                None => {
                    if reported_groups.insert((group.text.clone(), group.span.start)) {
                        let candidates: Vec<&str> = self.role_defs.names().collect();
                        let candidates: Vec<String> =
                            candidates.into_iter().map(str::to_owned).collect();
                        Self::unknown(
                            self.r,
                            "role",
                            group,
                            candidates.iter().map(String::as_str),
                            "A group must be a base role (`staff`, `pupil`, `visitor`, `parent`) or a role listed in another group.",
                        );
                    }
                }
            }
        }

        // `everyone` sits above the four base roles, so that a cell for
        // `staff` refines a cell for `everyone` instead of clashing with it.
        // It is not a name cells or questions can use directly.
        let everyone = self.add_role(EVERYONE, 0);
        self.everyone = Some(everyone);
        for base in BASE_ROLES {
            if let Some(id) = self.role(base)
                && let Some(info) = self.roles.get_mut(usize::from(id))
            {
                info.parent_id = Some(everyone);
            }
        }

        // A cycle (a includes b, b includes a) leaves roles with no base role
        // above them. One walk up from each role, marking the roles on the
        // current path and those already settled, finds every cycle in time
        // linear in the number of roles; each is reported once, at the role
        // where the walk came back to itself, and broken there so that later
        // passes terminate.
        const UNSEEN: u8 = 0;
        const ON_PATH: u8 = 1;
        const SETTLED: u8 = 2;
        let mut state = vec![UNSEEN; self.roles.len()];
        let mut path: Vec<usize> = Vec::new();
        for start in 0..self.roles.len() {
            path.clear();
            let mut current = Some(start);
            while let Some(index) = current {
                match state.get(index).copied() {
                    Some(UNSEEN) => {
                        if let Some(s) = state.get_mut(index) {
                            *s = ON_PATH;
                        }
                        path.push(index);
                        current = self
                            .roles
                            .get(index)
                            .and_then(|r| r.parent_id)
                            .map(usize::from);
                    }
                    Some(ON_PATH) => {
                        self.report_cycle(index, &parent_name);
                        break;
                    }
                    _ => break,
                }
            }
            for &index in &path {
                if let Some(s) = state.get_mut(index) {
                    *s = SETTLED;
                }
            }
        }
    }

    /// Reports the cycle through `index`, and breaks it there.
    fn report_cycle(&mut self, index: usize, parent_name: &HashMap<RoleId, (Name, Span)>) {
        let Some(role) = self.roles.get(index) else {
            return;
        };
        let name = role.id.clone();
        if let Some((_, span)) = u16::try_from(index).ok().and_then(|i| parent_name.get(&i)) {
            self.r
                .report(Code::RoleHierarchy, *span, format!("role `{name}` is inside itself (the groups form a circle)"))
                .label("part of a circle")
                .help("Each role belongs to one group, and following the groups upwards must reach `staff`, `pupil`, `visitor` or `parent`.");
        }
        if let Some(r) = self.roles.get_mut(index) {
            r.parent_id = None;
        }
    }

    fn add_role(&mut self, id: &str, line: u32) -> RoleId {
        let index = RoleId::try_from(self.roles.len()).unwrap_or(RoleId::MAX);
        self.roles.push(RoleInfo {
            id: Arc::from(id),
            parent: None,
            line,
            parent_id: None,
        });
        index
    }

    /// The role names a member stands for (a year range expands).
    fn expand_member(&mut self, member: &Member) -> Vec<Name> {
        match member {
            Member::Role { name } => vec![name.clone()],
            Member::YearRange { from, to, span } => {
                let (Some(a), Some(b)) = (year_group_order(&from.text), year_group_order(&to.text))
                else {
                    let bad = if year_group_order(&from.text).is_none() {
                        from
                    } else {
                        to
                    };
                    self.r
                        .report(Code::YearRange, bad.span, format!("`{}` is not a year group, so it cannot start or end a range", bad.text))
                        .label("not a year group")
                        .help("A range runs between year groups: `nursery`, `reception`, `year-1` … `year-13`, e.g. `reception to year-6`. List other roles one by one.");
                    return Vec::new();
                };
                if a > b {
                    self.r
                        .report(
                            Code::YearRange,
                            *span,
                            format!("the range `{} to {}` runs backwards", from.text, to.text),
                        )
                        .label("backwards")
                        .help(format!(
                            "Write the younger year first: `{} to {}`.",
                            to.text, from.text
                        ));
                    return Vec::new();
                }
                (a..=b)
                    .map(|n| Name {
                        text: Arc::from(year_group_name(n)),
                        span: *span,
                    })
                    .collect()
            }
        }
    }
}
