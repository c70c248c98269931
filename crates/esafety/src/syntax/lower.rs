//! Lowering one parsed line (pest pairs) into a [`Statement`].

use std::cell::RefCell;
use std::sync::Arc;

use pest::iterators::Pair;

use super::grammar::Rule;
use crate::ast::*;
use crate::span::{Span, to_u32};

/// One line's statement, before the structure pass places it in a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Statement {
    School(Text),
    Template(Text),
    Approved(DateValue),
    ReviewBy(DateValue),
    Owner(Text),
    Roles,
    Includes {
        group: Name,
        members: Vec<Member>,
    },
    Timetable,
    Days(Days),
    Period {
        name: Name,
        start: TimeValue,
        end: TimeValue,
    },
    Alias {
        name: Name,
        periods: Vec<Name>,
    },
    Term {
        label: Option<Text>,
        from: DateValue,
        to: DateValue,
    },
    Holiday {
        label: Option<Text>,
        from: DateValue,
        to: DateValue,
    },
    Contacts,
    Contact {
        id: Name,
        title: Text,
        reach: Vec<Reach>,
    },
    Facts,
    Places,
    Place {
        id: Name,
        label: Text,
    },
    Fact {
        id: Name,
        label: Text,
    },
    Table {
        kind: TableKind,
        id: Name,
        label: Text,
    },
    Column {
        id: Name,
        label: Text,
        roles: RoleList,
    },
    Row {
        id: Name,
        label: Text,
    },
    Cell {
        roles: RoleList,
        answer: Answer,
    },
    Breach {
        roles: RoleList,
        incident: Name,
    },
    Follow {
        route: Name,
    },
    Devices {
        id: Name,
        label: Text,
    },
    Device {
        id: Name,
        label: Text,
        group: Option<Text>,
    },
    InSchool {
        presence: Presence,
        note: Option<Text>,
    },
    Network {
        access: NetworkAccess,
    },
    Incidents {
        id: Name,
        label: Text,
        roles: RoleList,
    },
    Response {
        id: Name,
        label: Text,
        kind: ResponseKind,
    },
    Incident {
        id: Name,
        label: Text,
    },
    Responses {
        responses: Vec<Name>,
        optional: bool,
    },
    Repeat {
        after: u32,
    },
    Directly,
    Ladder {
        id: Name,
        label: Text,
    },
    Count {
        what: Counted,
        window: CountWindow,
    },
    Tier {
        number: u32,
        or_more: bool,
        instead: bool,
        responses: Vec<Name>,
        route: Option<Name>,
    },
    Route {
        id: Name,
        label: Text,
    },
    Step {
        text: Text,
        refer: Vec<Name>,
        notify: Vec<Name>,
        condition: Option<Condition>,
    },
    Extends(Text),
    Remove {
        kind: RemoveKind,
        names: Vec<Name>,
        within: Option<Within>,
    },
    Locked(Option<RoleList>),
}

impl Statement {
    /// How the statement is introduced, for "misplaced" messages.
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Statement::School(_) => "`school`",
            Statement::Template(_) => "`template`",
            Statement::Approved(_) => "`approved`",
            Statement::ReviewBy(_) => "`review by`",
            Statement::Owner(_) => "`owner`",
            Statement::Roles => "`roles`",
            Statement::Includes { .. } => "a role group (`… includes …`)",
            Statement::Timetable => "`timetable`",
            Statement::Days(_) => "a days line (such as `monday to friday`)",
            Statement::Period { .. } => "a period (such as `lessons 08:45 to 10:30`)",
            Statement::Alias { .. } => "an alias (`… means …`)",
            Statement::Term { .. } => "`term`",
            Statement::Holiday { .. } => "`holiday`",
            Statement::Contacts => "`contacts`",
            Statement::Contact { .. } => "`contact`",
            Statement::Facts => "`facts`",
            Statement::Fact { .. } => "`fact`",
            Statement::Places => "`places`",
            Statement::Place { .. } => "`place`",
            Statement::Table { .. } => "a table heading",
            Statement::Column { .. } => "`column`",
            Statement::Row { .. } => "`row`",
            Statement::Cell { .. } => "a cell (such as `pupils: not allowed`)",
            Statement::Breach { .. } => "`breach by`",
            Statement::Follow { .. } => "`follow route`",
            Statement::Devices { .. } => "`devices`",
            Statement::Device { .. } => "`device`",
            Statement::InSchool { .. } => "`allowed in school`",
            Statement::Network { .. } => "`network access`",
            Statement::Incidents { .. } => "`incidents`",
            Statement::Response { .. } => "`response`",
            Statement::Incident { .. } => "`incident`",
            Statement::Responses { .. } => "`responses:`",
            Statement::Repeat { .. } => "`repeat offences`",
            Statement::Directly => "`reported directly`",
            Statement::Ladder { .. } => "`ladder`",
            Statement::Count { .. } => "`count`",
            Statement::Tier { .. } => "a tier (such as `2nd time: …`)",
            Statement::Route { .. } => "`route`",
            Statement::Step { .. } => "`step`",
            Statement::Extends(_) => "`extends`",
            Statement::Remove { .. } => "`remove`",
            Statement::Locked(_) => "`locked`",
        }
    }
}

/// Turns pest positions (relative to one line) into file spans.
pub(crate) struct LineContext<'a> {
    /// The line's text.
    pub(crate) text: &'a str,
    /// Byte offset of the line in the file.
    pub(crate) offset: usize,
    /// 1-based line number.
    pub(crate) line: u32,
    /// Whether the line is ASCII (so columns are byte offsets).
    pub(crate) ascii: bool,
    /// Where the line starts in the text given to pest (pest's positions
    /// are relative to that text; 0 when the line was parsed on its own).
    pub(crate) base: usize,
    /// The names read so far, each stored once.
    pub(crate) names: &'a Names,
    /// Where the file starts among the files of a family of policies (0 for
    /// a file on its own): added to every span, so that a span says which
    /// file it is in.
    pub(crate) file_base: usize,
}

/// The distinct names of a file, each stored once: a large policy names the
/// same few columns and roles on every row. Hashed with FxHash, as the
/// checker's maps of the same names are (`model::FxHasher`).
#[derive(Debug, Default)]
pub(crate) struct Names(RefCell<crate::model::FxSet<Arc<str>>>);

impl Names {
    pub(crate) fn get(&self, text: &str) -> Arc<str> {
        let mut names = self.0.borrow_mut();
        if let Some(shared) = names.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        names.insert(shared.clone());
        shared
    }
}

impl LineContext<'_> {
    pub(crate) fn span_of(&self, start: usize, end: usize) -> Span {
        // Most lines are ASCII, where a column is a byte offset.
        let column = if self.ascii {
            start
        } else {
            self.text
                .get(..start)
                .map(|s| s.chars().count())
                .unwrap_or(start)
        };
        Span {
            start: to_u32(self.file_base + self.offset + start),
            end: to_u32(self.file_base + self.offset + end.max(start)),
            line: self.line,
            column: to_u32(column + 1),
        }
    }

    /// The span of a pair, in file coordinates.
    ///
    /// Without trailing whitespace: pest lets a rule that ends in an
    /// optional part (`allowed` before an absent `at certain times`) take
    /// the spaces it skipped while looking for it, and a caret under them
    /// points at nothing.
    pub(crate) fn pair_span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let written = s.as_str().trim_end_matches([' ', '\t', '\u{a0}']).len();
        let start = s.start().saturating_sub(self.base);
        self.span_of(start, start + written)
    }

    pub(super) fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        self.pair_span(pair)
    }

    pub(crate) fn name(&self, pair: &Pair<'_, Rule>) -> Name {
        Name {
            text: self.names.get(pair.as_str()),
            span: self.span(pair),
        }
    }

    /// A name that is written once, such as a row's id: not looked up
    /// among the names read so far, since sharing it would save nothing and
    /// a 100,000-row policy would make that set large.
    pub(crate) fn unique_name(&self, pair: &Pair<'_, Rule>) -> Name {
        Name {
            text: Arc::from(pair.as_str()),
            span: self.span(pair),
        }
    }

    pub(crate) fn text(&self, pair: &Pair<'_, Rule>) -> Text {
        let raw = pair
            .clone()
            .into_inner()
            .find(|p| p.as_rule() == Rule::string_inner)
            .map(|p| p.as_str())
            .unwrap_or("");
        Text {
            text: unescape(raw),
            span: self.span(pair),
        }
    }
}

fn unescape(raw: &str) -> Arc<str> {
    if !raw.contains('\\') {
        return Arc::from(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    Arc::from(out)
}

/// A lowering failure: the grammar accepted something the tree cannot hold.
/// Only reachable if grammar and lowering disagree; reported as a syntax error
/// rather than a panic.
#[derive(Debug)]
pub(crate) struct Unexpected(pub(crate) Span);

pub(crate) type Lowered<T> = Result<T, Unexpected>;

pub(super) fn children<'i>(pair: &Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pair.clone().into_inner()
}

pub(super) fn first<'i>(
    ctx: &LineContext<'_>,
    pair: &Pair<'i, Rule>,
    rule: Rule,
) -> Lowered<Pair<'i, Rule>> {
    children(pair)
        .find(|p| p.as_rule() == rule)
        .ok_or_else(|| Unexpected(ctx.span(pair)))
}

fn all<'i>(pair: &Pair<'i, Rule>, rule: Rule) -> Vec<Pair<'i, Rule>> {
    children(pair).filter(|p| p.as_rule() == rule).collect()
}

pub(super) fn has(pair: &Pair<'_, Rule>, rule: Rule) -> bool {
    children(pair).any(|p| p.as_rule() == rule)
}

pub(super) fn ident(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Name> {
    first(ctx, pair, Rule::ident).map(|p| ctx.name(&p))
}

pub(super) fn idents(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Vec<Name> {
    // Sized exactly: a large policy holds one of these per cell, and most
    // name one role.
    let is_ident = |p: &Pair<'_, Rule>| p.as_rule() == Rule::ident;
    let mut names = Vec::with_capacity(pair.clone().into_inner().filter(is_ident).count());
    names.extend(
        pair.clone()
            .into_inner()
            .filter(is_ident)
            .map(|p| ctx.name(&p)),
    );
    names
}

pub(super) fn ident_list(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Vec<Name>> {
    first(ctx, pair, Rule::ident_list).map(|p| idents(ctx, &p))
}

pub(super) fn string(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Text> {
    first(ctx, pair, Rule::string).map(|p| ctx.text(&p))
}

/// A row's or incident's label, or, where none is written (a policy that
/// changes its base's row), an empty label just after the id: the merge
/// fills it in from the base.
fn optional_label(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>, id: &Name) -> Text {
    match first(ctx, pair, Rule::string) {
        Ok(p) => ctx.text(&p),
        Err(_) => Text {
            text: Arc::from(""),
            span: Span {
                start: id.span.end,
                column: id.span.column + (id.span.end - id.span.start),
                ..id.span
            },
        },
    }
}

fn strings(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Vec<Text> {
    children(pair)
        .filter(|p| p.as_rule() == Rule::string)
        .map(|p| ctx.text(&p))
        .collect()
}

pub(crate) fn number(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<u32> {
    let p = first(ctx, pair, Rule::number)?;
    p.as_str().parse().map_err(|_| Unexpected(ctx.span(&p)))
}

fn role_list(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<RoleList> {
    let list = first(ctx, pair, Rule::role_list)?;
    if let Some(everyone) = children(&list).find(|p| p.as_rule() == Rule::everyone) {
        return Ok(RoleList::Everyone {
            span: ctx.span(&everyone),
        });
    }
    let members = all(&list, Rule::member)
        .iter()
        .map(|m| member(ctx, m))
        .collect::<Lowered<Vec<Member>>>()?;
    if members
        .iter()
        .any(|m| matches!(m, Member::YearRange { .. }))
    {
        return Ok(RoleList::Members { members });
    }
    Ok(RoleList::Names {
        names: members
            .into_iter()
            .filter_map(|m| match m {
                Member::Role { name } => Some(name),
                Member::YearRange { .. } => None,
            })
            .collect(),
    })
}

/// A member of a role list: a name, or a year range.
fn member(ctx: &LineContext<'_>, m: &Pair<'_, Rule>) -> Lowered<Member> {
    let inner = children(m).next().ok_or(Unexpected(ctx.span(m)))?;
    Ok(match inner.as_rule() {
        Rule::year_range => {
            let names = idents(ctx, &inner);
            match names.as_slice() {
                [from, to] => Member::YearRange {
                    from: from.clone(),
                    to: to.clone(),
                    span: ctx.span(&inner),
                },
                _ => return Err(Unexpected(ctx.span(&inner))),
            }
        }
        Rule::ident => Member::Role {
            name: ctx.name(&inner),
        },
        _ => return Err(Unexpected(ctx.span(&inner))),
    })
}

fn connective(pair: &Pair<'_, Rule>) -> Connective {
    if has(pair, Rule::kw_and) {
        Connective::And
    } else {
        Connective::Or
    }
}

/// A `cond` pair as a [`Cond`].
fn cond(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Cond> {
    let mut terms = Vec::new();
    let mut connectives = Vec::new();
    for part in children(pair) {
        match part.as_rule() {
            Rule::connective => connectives.push(connective(&part)),
            Rule::cond_test => terms.push(CondTerm::Test(cond_test(ctx, &part)?)),
            Rule::cond_group => {
                let mut tests = Vec::new();
                let mut inner = Vec::new();
                for p in children(&part) {
                    match p.as_rule() {
                        Rule::connective => inner.push(connective(&p)),
                        Rule::cond_test => tests.push(cond_test(ctx, &p)?),
                        _ => {}
                    }
                }
                terms.push(CondTerm::Group {
                    tests,
                    connectives: inner,
                    span: ctx.span(&part),
                });
            }
            _ => {}
        }
    }
    Ok(Cond {
        terms,
        connectives,
        span: ctx.span(pair),
    })
}

fn cond_test(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<CondTest> {
    let negated = has(pair, Rule::kw_not);
    let inner = children(pair)
        .find(|p| p.as_rule() != Rule::kw_not)
        .ok_or(Unexpected(ctx.span(pair)))?;
    let test = match inner.as_rule() {
        Rule::during_test => Test::During {
            periods: ident_list(ctx, &inner)?,
        },
        Rule::outside_test => Test::Outside {
            periods: ident_list(ctx, &inner)?,
        },
        Rule::in_test => Test::In {
            places: ident_list(ctx, &inner)?,
        },
        Rule::with_permission => {
            let (staff, from) = permission(ctx, &inner);
            Test::Permission { staff, from }
        }
        Rule::nominated_users => Test::Nominated {
            selected_staff: false,
        },
        Rule::selected_staff => Test::Nominated {
            selected_staff: true,
        },
        Rule::fact_test => Test::Fact {
            name: ident(ctx, &inner)?,
        },
        _ => return Err(Unexpected(ctx.span(&inner))),
    };
    Ok(CondTest {
        negated,
        test,
        span: ctx.span(pair),
    })
}

fn month_number(name: &str) -> u32 {
    crate::calendar::month_number(name).map_or(0, to_u32)
}

pub(crate) fn date(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<DateValue> {
    let span = ctx.span(pair);
    let form = children(pair).next().ok_or(Unexpected(span))?;
    let bad = || Unexpected(span);
    match form.as_rule() {
        Rule::iso_date => {
            let text = form.as_str();
            let mut parts = text.split('-');
            let year = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
            let month = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
            let day = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
            Ok(DateValue {
                year,
                month,
                day: Some(day),
                span,
            })
        }
        Rule::day_month_year | Rule::month_year => {
            let day = children(&form)
                .find(|p| p.as_rule() == Rule::day_number)
                .and_then(|p| p.as_str().parse().ok());
            let month = children(&form)
                .find(|p| p.as_rule() == Rule::month_name)
                .map(|p| month_number(p.as_str()))
                .ok_or_else(bad)?;
            let year = children(&form)
                .find(|p| p.as_rule() == Rule::year)
                .and_then(|p| p.as_str().parse().ok())
                .ok_or_else(bad)?;
            Ok(DateValue {
                year,
                month,
                day,
                span,
            })
        }
        _ => Err(bad()),
    }
}

fn dates(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<(DateValue, DateValue)> {
    let found = all(pair, Rule::date);
    match found.as_slice() {
        [from, to] => Ok((date(ctx, from)?, date(ctx, to)?)),
        _ => Err(Unexpected(ctx.span(pair))),
    }
}

pub(crate) fn time(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<TimeValue> {
    let span = ctx.span(pair);
    let (h, m) = pair.as_str().split_once(':').ok_or(Unexpected(span))?;
    Ok(TimeValue {
        hour: h.parse().map_err(|_| Unexpected(span))?,
        minute: m.parse().map_err(|_| Unexpected(span))?,
        span,
    })
}

pub(crate) fn day(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<DayName> {
    let span = ctx.span(pair);
    Ok(DayName {
        day: Weekday::parse(pair.as_str()).ok_or(Unexpected(span))?,
        span,
    })
}

fn window(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Option<Box<Window>>> {
    let Some(w) = children(pair).find(|p| p.as_rule() == Rule::window) else {
        return Ok(None);
    };
    let kind_pair = first(ctx, &w, Rule::window_kind)?;
    let kind = if has(&kind_pair, Rule::kw_during) {
        WindowKind::During
    } else {
        WindowKind::Outside
    };
    Ok(Some(Box::new(Window {
        kind,
        periods: ident_list(ctx, &w)?,
        span: ctx.span(&w),
    })))
}

fn permission(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> (bool, Option<Box<Name>>) {
    let staff = has(pair, Rule::kw_staff);
    let from = children(pair)
        .find(|p| p.as_rule() == Rule::ident)
        .map(|p| Box::new(ctx.name(&p)));
    (staff, from)
}

fn answer(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Answer> {
    let a = first(ctx, pair, Rule::answer)?;
    let span = ctx.span(&a);
    let inner = children(&a).next().ok_or(Unexpected(span))?;
    // The words after `acceptable` or `allowed`, if any.
    let tail = children(&inner).find(|p| {
        matches!(
            p.as_rule(),
            Rule::certain_times
                | Rule::selected_staff
                | Rule::nominated_users
                | Rule::with_permission
                | Rule::only_when
                | Rule::except_when
        )
    });
    let kind = match (inner.as_rule(), tail.as_ref().map(Pair::as_rule)) {
        (Rule::unacceptable, _) if has(&inner, Rule::and_illegal) => {
            AnswerKind::UnacceptableAndIllegal
        }
        (Rule::unacceptable, _) => AnswerKind::Unacceptable,
        (Rule::acceptable, None) => AnswerKind::Acceptable,
        (Rule::acceptable, Some(Rule::certain_times)) => AnswerKind::AcceptableAtCertainTimes {
            window: window(ctx, tail.as_ref().ok_or(Unexpected(span))?)?,
        },
        (Rule::acceptable, Some(Rule::nominated_users)) => AnswerKind::AcceptableForNominatedUsers,
        (Rule::allowed, None) => AnswerKind::Allowed,
        (Rule::allowed, Some(Rule::certain_times)) => AnswerKind::AllowedAtCertainTimes {
            window: window(ctx, tail.as_ref().ok_or(Unexpected(span))?)?,
        },
        (Rule::allowed, Some(Rule::selected_staff)) => AnswerKind::AllowedForSelectedStaff,
        (Rule::allowed, Some(Rule::nominated_users)) => AnswerKind::AllowedForNominatedUsers,
        (Rule::allowed, Some(Rule::with_permission)) => {
            let (staff, from) = permission(ctx, tail.as_ref().ok_or(Unexpected(span))?);
            AnswerKind::AllowedWithPermission { staff, from }
        }
        (Rule::acceptable | Rule::allowed, Some(rule @ (Rule::only_when | Rule::except_when))) => {
            let clause = children(&inner)
                .find(|p| p.as_rule() == rule)
                .ok_or(Unexpected(ctx.span(&inner)))?;
            let cond = Box::new(cond(ctx, &first(ctx, &clause, Rule::cond)?)?);
            let acceptable = inner.as_rule() == Rule::acceptable;
            if rule == Rule::only_when {
                AnswerKind::Only { acceptable, cond }
            } else {
                AnswerKind::Except { acceptable, cond }
            }
        }
        (Rule::not_allowed, _) => AnswerKind::NotAllowed,
        (Rule::blank, _) => AnswerKind::Blank,
        _ => return Err(Unexpected(span)),
    };
    Ok(Answer { kind, span })
}

fn presence(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Presence> {
    let p = first(ctx, pair, Rule::presence)?;
    let inner = children(&p).next().ok_or(Unexpected(ctx.span(&p)))?;
    Ok(match inner.as_rule() {
        Rule::presence_yes => Presence::Yes,
        Rule::presence_no => Presence::No,
        Rule::with_permission => {
            let (staff, from) = permission(ctx, &inner);
            Presence::WithPermission { staff, from }
        }
        Rule::blank => Presence::Blank,
        _ => return Err(Unexpected(ctx.span(&inner))),
    })
}

fn network(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<NetworkAccess> {
    let p = first(ctx, pair, Rule::network)?;
    let inner = children(&p).next().ok_or(Unexpected(ctx.span(&p)))?;
    Ok(match inner.as_rule() {
        Rule::network_full => NetworkAccess::Full,
        Rule::network_internet => NetworkAccess::InternetOnly,
        Rule::network_none => NetworkAccess::None,
        Rule::blank => NetworkAccess::Blank,
        _ => return Err(Unexpected(ctx.span(&inner))),
    })
}

fn reach(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Vec<Reach>> {
    let mut out = Vec::new();
    for r in all(pair, Rule::reach) {
        let inner = children(&r).next().ok_or(Unexpected(ctx.span(&r)))?;
        out.push(match inner.as_rule() {
            Rule::phone => Reach::Phone {
                number: string(ctx, &inner)?,
            },
            Rule::url => Reach::Url {
                url: string(ctx, &inner)?,
            },
            Rule::email => Reach::Email {
                address: string(ctx, &inner)?,
            },
            Rule::in_school => Reach::InSchool {
                span: ctx.span(&inner),
            },
            _ => return Err(Unexpected(ctx.span(&inner))),
        });
    }
    Ok(out)
}

fn condition(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Option<Condition>> {
    let Some(c) = children(pair).find(|p| p.as_rule() == Rule::condition) else {
        return Ok(None);
    };
    let kind = first(ctx, &c, Rule::condition_kind)?;
    Ok(Some(Condition {
        negated: has(&kind, Rule::kw_unless),
        cond: cond(ctx, &first(ctx, &c, Rule::cond)?)?,
        span: ctx.span(&c),
    }))
}

/// Lowers the statement pair of a `line`.
pub(crate) fn statement(ctx: &LineContext<'_>, pair: &Pair<'_, Rule>) -> Lowered<Statement> {
    let p = pair;
    Ok(match p.as_rule() {
        Rule::school_stmt => Statement::School(string(ctx, p)?),
        Rule::template_stmt => Statement::Template(string(ctx, p)?),
        Rule::approved_stmt => Statement::Approved(date(ctx, &first(ctx, p, Rule::date)?)?),
        Rule::review_stmt => Statement::ReviewBy(date(ctx, &first(ctx, p, Rule::date)?)?),
        Rule::owner_stmt => Statement::Owner(string(ctx, p)?),
        Rule::roles_stmt => Statement::Roles,
        Rule::includes_stmt => {
            let group = ident(ctx, p)?;
            let members = all(p, Rule::member)
                .iter()
                .map(|m| member(ctx, m))
                .collect::<Lowered<Vec<Member>>>()?;
            Statement::Includes { group, members }
        }
        Rule::timetable_stmt => Statement::Timetable,
        Rule::days_stmt => {
            let days = all(p, Rule::day)
                .iter()
                .map(|d| day(ctx, d))
                .collect::<Lowered<Vec<_>>>()?;
            if has(p, Rule::kw_to) {
                match days.as_slice() {
                    [from, to] => Statement::Days(Days::Range {
                        from: from.clone(),
                        to: to.clone(),
                    }),
                    _ => return Err(Unexpected(ctx.span(p))),
                }
            } else {
                Statement::Days(Days::List { days })
            }
        }
        Rule::period_stmt => {
            let times = all(p, Rule::time);
            match times.as_slice() {
                [start, end] => Statement::Period {
                    name: ident(ctx, p)?,
                    start: time(ctx, start)?,
                    end: time(ctx, end)?,
                },
                _ => return Err(Unexpected(ctx.span(p))),
            }
        }
        Rule::alias_stmt => Statement::Alias {
            name: ident(ctx, p)?,
            periods: ident_list(ctx, p)?,
        },
        Rule::term_stmt | Rule::holiday_stmt => {
            let label = strings(ctx, p).into_iter().next();
            let (from, to) = dates(ctx, p)?;
            if p.as_rule() == Rule::term_stmt {
                Statement::Term { label, from, to }
            } else {
                Statement::Holiday { label, from, to }
            }
        }
        Rule::contacts_stmt => Statement::Contacts,
        Rule::contact_stmt => Statement::Contact {
            id: ident(ctx, p)?,
            title: string(ctx, p)?,
            reach: reach(ctx, p)?,
        },
        Rule::facts_stmt => Statement::Facts,
        Rule::places_stmt => Statement::Places,
        Rule::place_stmt => Statement::Place {
            id: ident(ctx, p)?,
            label: string(ctx, p)?,
        },
        Rule::fact_stmt => Statement::Fact {
            id: ident(ctx, p)?,
            label: string(ctx, p)?,
        },
        Rule::table_stmt => {
            let kind_pair = first(ctx, p, Rule::table_kind)?;
            let kind = if has(&kind_pair, Rule::user_actions) {
                TableKind::UserActions
            } else if has(&kind_pair, Rule::kw_communications) {
                TableKind::Communications
            } else {
                TableKind::Rules
            };
            Statement::Table {
                kind,
                id: ident(ctx, p)?,
                label: string(ctx, p)?,
            }
        }
        Rule::column_stmt => Statement::Column {
            id: ident(ctx, p)?,
            label: string(ctx, p)?,
            roles: role_list(ctx, p)?,
        },
        Rule::row_stmt => {
            let id = first(ctx, p, Rule::ident).map(|id| ctx.unique_name(&id))?;
            let label = optional_label(ctx, p, &id);
            Statement::Row { id, label }
        }
        Rule::cell_stmt => Statement::Cell {
            roles: role_list(ctx, p)?,
            answer: answer(ctx, p)?,
        },
        Rule::breach_stmt => Statement::Breach {
            roles: role_list(ctx, p)?,
            incident: ident(ctx, p)?,
        },
        Rule::follow_stmt => Statement::Follow {
            route: ident(ctx, p)?,
        },
        Rule::devices_stmt => Statement::Devices {
            id: ident(ctx, p)?,
            label: string(ctx, p)?,
        },
        Rule::device_stmt => {
            let mut labels = strings(ctx, p).into_iter();
            let label = labels.next().ok_or(Unexpected(ctx.span(p)))?;
            Statement::Device {
                id: ident(ctx, p)?,
                label,
                group: labels.next(),
            }
        }
        Rule::in_school_stmt => Statement::InSchool {
            presence: presence(ctx, p)?,
            note: strings(ctx, p).into_iter().next(),
        },
        Rule::network_stmt => Statement::Network {
            access: network(ctx, p)?,
        },
        Rule::incidents_stmt => Statement::Incidents {
            id: ident(ctx, p)?,
            label: string(ctx, p)?,
            roles: role_list(ctx, p)?,
        },
        Rule::response_stmt => {
            let kind_pair = first(ctx, p, Rule::response_kind)?;
            let inner = children(&kind_pair)
                .next()
                .ok_or(Unexpected(ctx.span(&kind_pair)))?;
            let kind = match inner.as_rule() {
                Rule::refer => ResponseKind::Refer {
                    to: ident_list(ctx, &inner)?,
                },
                Rule::notify => ResponseKind::Notify {
                    to: ident_list(ctx, &inner)?,
                },
                Rule::sanction => ResponseKind::Sanction,
                _ => return Err(Unexpected(ctx.span(&inner))),
            };
            Statement::Response {
                id: ident(ctx, p)?,
                label: string(ctx, p)?,
                kind,
            }
        }
        Rule::incident_stmt => {
            let id = ident(ctx, p)?;
            let label = optional_label(ctx, p, &id);
            Statement::Incident { id, label }
        }
        Rule::extends_stmt => Statement::Extends(string(ctx, p)?),
        Rule::remove_stmt => {
            let kind_pair = first(ctx, p, Rule::remove_kind)?;
            let keyword = children(&kind_pair)
                .next()
                .ok_or(Unexpected(ctx.span(&kind_pair)))?;
            let kind = match keyword.as_rule() {
                Rule::kw_row => RemoveKind::Row,
                Rule::kw_incident => RemoveKind::Incident,
                Rule::kw_response => RemoveKind::Response,
                Rule::kw_contact => RemoveKind::Contact,
                Rule::kw_fact => RemoveKind::Fact,
                Rule::kw_place => RemoveKind::Place,
                Rule::kw_role => RemoveKind::Role,
                Rule::kw_route => RemoveKind::Route,
                Rule::kw_device => RemoveKind::Device,
                Rule::kw_ladder => RemoveKind::Ladder,
                Rule::kw_cell => RemoveKind::Cell,
                _ => return Err(Unexpected(ctx.span(&keyword))),
            };
            let within = match children(p).find(|c| c.as_rule() == Rule::remove_in) {
                Some(w) => Some(Within {
                    incident: first(ctx, &w, Rule::remove_in_kind)
                        .map(|k| has(&k, Rule::kw_incident))?,
                    id: ident(ctx, &w)?,
                }),
                None => None,
            };
            Statement::Remove {
                kind,
                names: ident_list(ctx, p)?,
                within,
            }
        }
        Rule::locked_stmt => Statement::Locked(if has(p, Rule::role_list) {
            Some(role_list(ctx, p)?)
        } else {
            None
        }),
        Rule::responses_stmt => Statement::Responses {
            responses: ident_list(ctx, p)?,
            optional: has(p, Rule::as_appropriate),
        },
        Rule::repeat_stmt => Statement::Repeat {
            after: number(ctx, p)?,
        },
        Rule::direct_stmt => Statement::Directly,
        Rule::ladder_stmt => super::ladder::ladder(ctx, p)?,
        Rule::count_stmt => super::ladder::count(ctx, p)?,
        Rule::tier_stmt => super::ladder::tier(ctx, p)?,
        Rule::route_stmt => Statement::Route {
            id: ident(ctx, p)?,
            label: string(ctx, p)?,
        },
        Rule::step_stmt => {
            let mut refer = Vec::new();
            let mut notify = Vec::new();
            for clause in children(p) {
                match clause.as_rule() {
                    Rule::refer => refer.extend(ident_list(ctx, &clause)?),
                    Rule::notify => notify.extend(ident_list(ctx, &clause)?),
                    _ => {}
                }
            }
            Statement::Step {
                text: string(ctx, p)?,
                refer,
                notify,
                condition: condition(ctx, p)?,
            }
        }
        _ => return Err(Unexpected(ctx.span(p))),
    })
}
