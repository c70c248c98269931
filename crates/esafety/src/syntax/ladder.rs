//! Lowering the lines of an escalation ladder: `ladder`, `count` and the
//! tiers (`2nd time: …`). Kept apart from `lower.rs`, which dispatches here.

use pest::iterators::Pair;

use super::grammar::Rule;
use super::lower::{
    Lowered, Statement, Unexpected, children, first, has, ident, idents, number, string,
};
use crate::ast::{CountWindow, Counted};
use crate::syntax::lower::LineContext;

/// `ladder id "label"`.
pub(super) fn ladder(ctx: &LineContext<'_>, p: &Pair<'_, Rule>) -> Lowered<Statement> {
    Ok(Statement::Ladder {
        id: ident(ctx, p)?,
        label: string(ctx, p)?,
    })
}

/// `count <what> <window>`.
pub(super) fn count(ctx: &LineContext<'_>, p: &Pair<'_, Rule>) -> Lowered<Statement> {
    let what_pair = first(ctx, p, Rule::count_what)?;
    let what = match children(&what_pair).next().map(|w| w.as_rule()) {
        Some(Rule::count_same) => Counted::ThisIncident,
        Some(Rule::count_table) => Counted::ThisTable,
        Some(Rule::count_any) => Counted::AnyIncident,
        _ => return Err(Unexpected(ctx.span(&what_pair))),
    };
    let window_pair = first(ctx, p, Rule::count_window)?;
    let inner = children(&window_pair)
        .next()
        .ok_or(Unexpected(ctx.span(&window_pair)))?;
    let window = match inner.as_rule() {
        Rule::per_term => CountWindow::Term,
        Rule::per_half_term => CountWindow::HalfTerm,
        Rule::per_school_year => CountWindow::SchoolYear,
        Rule::within_days => CountWindow::Days {
            days: number(ctx, &inner)?,
        },
        Rule::ever => CountWindow::Ever,
        _ => return Err(Unexpected(ctx.span(&inner))),
    };
    Ok(Statement::Count { what, window })
}

/// `3rd time or more, instead: a, b, follow route r`.
pub(super) fn tier(ctx: &LineContext<'_>, p: &Pair<'_, Rule>) -> Lowered<Statement> {
    let ordinal = first(ctx, p, Rule::ordinal)?;
    let digits: String = ordinal
        .as_str()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let number = digits.parse().map_err(|_| Unexpected(ctx.span(&ordinal)))?;
    let responses = match children(p).find(|c| c.as_rule() == Rule::tier_list) {
        Some(list) => idents(ctx, &list),
        None => Vec::new(),
    };
    let route = match children(p).find(|c| c.as_rule() == Rule::tier_follow) {
        Some(follow) => Some(ident(ctx, &follow)?),
        None => None,
    };
    Ok(Statement::Tier {
        number,
        or_more: has(p, Rule::or_more),
        instead: has(p, Rule::instead),
        responses,
        route,
    })
}
