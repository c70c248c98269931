//! Syntax errors in words: turns pest's "expected rules" into a sentence a
//! policy author can act on, never a grammar rule name.

use pest::error::{ErrorVariant, InputLocation};

use super::grammar::Rule;
use super::lower::LineContext;
use crate::span::Span;
use crate::suggest::{self, capitalise};

/// Words a statement can start with, for "did you mean" on a bad first word.
pub(crate) const STATEMENT_KEYWORDS: &[&str] = &[
    "school",
    "template",
    "approved",
    "review",
    "owner",
    "roles",
    "timetable",
    "term",
    "holiday",
    "contacts",
    "contact",
    "facts",
    "fact",
    "user",
    "communications",
    "rules",
    "column",
    "row",
    "breach",
    "follow",
    "devices",
    "device",
    "allowed",
    "network",
    "incidents",
    "response",
    "incident",
    "responses",
    "repeat",
    "reported",
    "ladder",
    "count",
    "route",
    "step",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// How a keyword-led line of the policy language is written, for an error on
/// such a line when the grammar has nothing more precise to say.
fn form_of(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "school" => "school \"<the school's name>\"",
        "template" => "template \"<the template's name>\"",
        "approved" => "approved <date>, e.g. `approved 14 April 2025`",
        "review" => "review by <date>, e.g. `review by April 2026`",
        "owner" => "owner \"<a role or team>\"",
        "term" | "holiday" => {
            "term \"<name>\" <date> to <date>, e.g. `term \"Autumn term\" 3 September 2025 to 19 December 2025`"
        }
        "contact" => "contact <id> \"<title>\" phone \"<number>\" (or url, email, in school)",
        "fact" => "fact <id> \"<what it means>\"",
        "column" => "column <id> \"<heading>\" for <roles>",
        "row" => "row <id> \"<label>\"",
        "breach" => "breach by <roles>: <incident>",
        "follow" => "follow route <route>",
        "device" => "device <id> \"<label>\" in \"<column group>\"",
        "allowed" => {
            "allowed in school: yes, no, with permission or blank, then a note in quotes if the document gives one"
        }
        "network" => "network access: full, internet only, none or blank",
        "response" => {
            "response <id> \"<heading>\" refer <roles or contacts> (or notify <…>, or sanction)"
        }
        "incident" => "incident <id> \"<label>\"",
        "responses" => {
            "responses: <response>, <response> (the columns the document marks for the incident)"
        }
        "repeat" => "repeat offences after <N> prior incidents",
        "reported" => "reported directly",
        "ladder" => "ladder <id> \"<title>\", then its `count` line and tiers",
        "count" => {
            "count this incident (or incidents of this table, or any incident) per term, per half term, per school year, within <N> days or ever"
        }
        "route" => "route <id> \"<title>\"",
        "step" => "step \"<what to do>\", then refer, notify, if or unless as needed",
        _ => return None,
    })
}

/// A syntax error ready to report.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub(crate) span: Span,
    pub(crate) message: String,
    pub(crate) label: String,
    pub(crate) help: String,
}

/// How the grammar's token rules read in a sentence.
fn describe(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        ident | ident_list | member => "a name (lowercase words joined by hyphens, like `year-5`)",
        role_list | everyone => "a role, a column or `everyone`",
        string | string_inner => "a label in double quotes",
        date | iso_date | day_month_year | month_year => {
            "a date (`2021-04-14`, `14 April 2021` or `April 2021`)"
        }
        month_name => "a month name",
        year => "a four-digit year",
        day_number => "a day of the month",
        time => "a time on the 24-hour clock, like `08:45`",
        number => "a whole number",
        day => "a day of the week",
        comment | EOI => "the end of the line",
        answer => "an answer such as `allowed` or `not allowed`",
        presence => "`yes`, `no`, `with permission` or `blank`",
        network => "`full`, `internet only`, `none` or `blank`",
        window | window_kind => "`during` or `outside`",
        certain_times => "`at certain times`",
        with_permission => "`with permission`",
        condition | condition_kind => "`if` or `unless`",
        connective => "`and` or `or`",
        response_kind => "`refer`, `notify` or `sanction`",
        table_kind | user_actions => "a table kind",
        count_what => "`this incident`, `incidents of this table` or `any incident`",
        count_window => {
            "`per term`, `per half term`, `per school year`, `within <N> days` or `ever`"
        }
        ordinal => "a time such as `1st`, `2nd` or `3rd`",
        or_more => "`or more`",
        instead => "`instead`",
        tier_list => "a response",
        tier_follow => "`follow route <route>`",
        kw_access => "`access`",
        kw_acceptable => "`acceptable`",
        kw_actions => "`actions`",
        kw_after => "`after`",
        kw_any => "`any`",
        kw_count => "`count`",
        kw_day => "`day`",
        kw_days => "`days`",
        kw_ever => "`ever`",
        kw_half => "`half`",
        kw_instead => "`instead`",
        kw_ladder => "`ladder`",
        kw_more => "`more`",
        kw_of => "`of`",
        kw_per => "`per`",
        kw_table => "`table`",
        kw_this => "`this`",
        kw_within => "`within`",
        kw_year => "`year`",
        kw_allowed => "`allowed`",
        kw_and => "`and`",
        kw_approved => "`approved`",
        kw_at => "`at`",
        kw_blank => "`blank`",
        kw_breach => "`breach`",
        kw_by => "`by`",
        kw_certain => "`certain`",
        kw_column => "`column`",
        kw_communications => "`communications`",
        kw_contact => "`contact`",
        kw_contacts => "`contacts`",
        kw_device => "`device`",
        kw_devices => "`devices`",
        kw_directly => "`directly`",
        kw_during => "`during`",
        kw_email => "`email`",
        kw_everyone => "`everyone`",
        kw_fact => "`fact`",
        kw_facts => "`facts`",
        kw_follow => "`follow`",
        kw_for => "`for`",
        kw_from => "`from`",
        kw_full => "`full`",
        kw_holiday => "`holiday`",
        kw_if => "`if`",
        kw_illegal => "`illegal`",
        kw_in => "`in`",
        kw_incident => "`incident`",
        kw_incidents => "`incidents`",
        kw_includes => "`includes`",
        kw_internet => "`internet`",
        kw_means => "`means`",
        kw_network => "`network`",
        kw_no => "`no`",
        kw_nominated => "`nominated`",
        kw_none => "`none`",
        kw_not => "`not`",
        kw_notify => "`notify`",
        kw_offences => "`offences`",
        kw_only => "`only`",
        kw_or => "`or`",
        kw_outside => "`outside`",
        kw_owner => "`owner`",
        kw_permission => "`permission`",
        kw_phone => "`phone`",
        kw_prior => "`prior`",
        kw_refer => "`refer`",
        kw_repeat => "`repeat`",
        kw_reported => "`reported`",
        kw_response => "`response`",
        kw_responses => "`responses`",
        kw_review => "`review`",
        kw_roles => "`roles`",
        kw_route => "`route`",
        kw_row => "`row`",
        kw_rules => "`rules`",
        kw_sanction => "`sanction`",
        kw_school => "`school`",
        kw_selected => "`selected`",
        kw_staff => "`staff`",
        kw_step => "`step`",
        kw_template => "`template`",
        kw_term => "`term`",
        kw_timetable => "`timetable`",
        kw_times => "`times`",
        kw_to => "`to`",
        kw_unacceptable => "`unacceptable`",
        kw_unless => "`unless`",
        kw_url => "`url`",
        kw_user => "`user`",
        kw_users => "`users`",
        kw_with => "`with`",
        kw_yes => "`yes`",
        #[cfg(feature = "test-language")]
        _ => return describe_test(rule),
        #[cfg(not(feature = "test-language"))]
        _ => return None,
    })
}

/// How the test language's own token rules read in a sentence.
#[cfg(feature = "test-language")]
fn describe_test(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        question_kind => "`action` or `incident`",
        subject => "an id or a label in double quotes",
        moment | stamp => {
            "a date and time (`2025-11-04 10:35`) or a day and time (`tuesday 10:35`)"
        }
        fact_value => "a fact",
        verdict | verdict_exp => "`allowed`, `denied`, `illegal` or `conditional`",
        condition_word => "`time`, `nominated`, `permission` or `unspecified`",
        no_what | no_step | no_response | no_tier => {
            "`incident`, `route`, `step` and a number, `tier`, `referrals`, `notifications`, `sanctions`, `responses`, or `referral`, `notification` or `sanction` and a name"
        }
        step_item => "a step number",
        kw_action => "`action`",
        kw_ask => "`ask`",
        kw_conditional => "`conditional`",
        kw_default => "`default`",
        kw_denied => "`denied`",
        kw_expect => "`expect`",
        kw_given => "`given`",
        kw_listed => "`listed`",
        kw_note => "`note`",
        kw_notification => "`notification`",
        kw_notifications => "`notifications`",
        kw_on => "`on`",
        kw_pending => "`pending`",
        kw_policy => "`policy`",
        kw_referral => "`referral`",
        kw_referrals => "`referrals`",
        kw_rule => "`rule`",
        kw_sanctions => "`sanctions`",
        kw_steps => "`steps`",
        kw_test => "`test`",
        kw_time => "`time`",
        kw_unspecified => "`unspecified`",
        _ => return None,
    })
}

/// The keyword text of a `kw_*` rule, for "did you mean".
fn keyword_text(rule: Rule) -> Option<&'static str> {
    describe(rule)
        .filter(|d| d.starts_with('`') && d.ends_with('`') && d.len() > 2 && !d.contains(' '))
        .map(|d| d.trim_matches('`'))
}

/// [`words_of`] for the test language's rules.
#[cfg(feature = "test-language")]
fn test_words_of(rule: Rule) -> &'static [&'static str] {
    match rule {
        Rule::question_kind => &["action", "incident"],
        Rule::verdict | Rule::verdict_exp => &["allowed", "denied", "illegal", "conditional"],
        Rule::condition_word => &["time", "nominated", "permission", "unspecified"],
        Rule::no_what | Rule::no_response | Rule::no_tier => &[
            "incident",
            "referral",
            "notification",
            "sanction",
            "referrals",
            "notifications",
            "sanctions",
            "responses",
            "route",
            "step",
            "tier",
        ],
        _ => &[],
    }
}

/// The first words of the forms a composite rule accepts, for "did you mean".
fn words_of(rule: Rule) -> &'static [&'static str] {
    match rule {
        Rule::answer => &["allowed", "not", "acceptable", "unacceptable", "blank"],
        Rule::count_what => &["this", "incidents", "any"],
        Rule::count_window => &["per", "within", "ever"],
        Rule::presence => &["yes", "no", "with", "blank"],
        Rule::network => &["full", "internet", "none", "blank"],
        Rule::response_kind => &["refer", "notify", "sanction"],
        Rule::window | Rule::window_kind => &["during", "outside"],
        Rule::condition | Rule::condition_kind => &["if", "unless"],
        Rule::table_kind => &["user", "communications", "rules"],
        Rule::day => &[
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ],
        #[cfg(feature = "test-language")]
        _ => test_words_of(rule),
        #[cfg(not(feature = "test-language"))]
        _ => &[],
    }
}

/// The word at `pos` in `line` (up to the next space), or `None` at the end.
fn word_at(line: &str, pos: usize) -> Option<&str> {
    let rest = line.get(pos..)?;
    let rest = rest.trim_end_matches(['\r', '\n']);
    if rest.is_empty() {
        return None;
    }
    if rest.starts_with('"') {
        // A label: up to its closing quote, or the whole rest of the line.
        let close = rest
            .char_indices()
            .skip(1)
            .find(|&(_, c)| c == '"')
            .map_or(rest.len(), |(i, _)| i + 1);
        return rest.get(..close);
    }
    let end = rest
        .char_indices()
        .find(|&(_, c)| c.is_whitespace() || c == ',' || c == ':')
        .map_or(rest.len(), |(i, _)| i);
    // A lone punctuation mark is a word of its own.
    let end = if end == 0 {
        rest.chars().next().map_or(0, char::len_utf8)
    } else {
        end
    };
    rest.get(..end)
}

/// What lines of one language start with, for errors about a line's start.
pub(crate) struct Vocabulary {
    /// Words a statement can start with.
    pub(crate) keywords: &'static [&'static str],
    /// What to say about how lines start.
    pub(crate) starts: &'static str,
    /// Where every form of line is shown.
    pub(crate) reference: &'static str,
    /// A rule that, when it is among the expected ones, stands for a whole
    /// family of forms: the sentence that describes them all, and their
    /// first words (for "did you mean").
    pub(crate) family: Option<(Rule, &'static str, &'static [&'static str])>,
}

/// The policy language.
const POLICY: Vocabulary = Vocabulary {
    keywords: STATEMENT_KEYWORDS,
    starts: "Each line starts with a keyword such as `row`, `incident` or `step`, or with a name \
             followed by `:` for a cell (e.g. `pupils: not allowed`).",
    reference: "docs/language.md",
    family: None,
};

/// The test language (`.policy-test` files).
#[cfg(feature = "test-language")]
pub(crate) const TESTS: Vocabulary = Vocabulary {
    keywords: &["policy", "test", "ask", "earlier", "expect"],
    starts: "Each line of a test file starts with `test`, `ask`, `earlier` or `expect` (or \
             `policy`, once, at the top).",
    reference: "docs/testing.md",
    family: Some((
        Rule::verdict,
        "what the answer must be, such as `denied`, `incident mobile-device` or `referral headteacher`",
        &[
            "allowed",
            "denied",
            "illegal",
            "conditional",
            "not",
            "no",
            "incident",
            "referral",
            "notification",
            "sanction",
            "responses",
            "route",
            "steps",
            "step",
            "rule",
            "role",
            "note",
            "tier",
        ],
    )),
};

/// Builds the diagnostic for a policy line pest rejected.
pub(crate) fn syntax_error(ctx: &LineContext<'_>, error: &pest::error::Error<Rule>) -> SyntaxError {
    syntax_error_in(&POLICY, ctx, error)
}

/// Builds the diagnostic for a line of `vocabulary`'s language that pest
/// rejected.
pub(crate) fn syntax_error_in(
    vocabulary: &Vocabulary,
    ctx: &LineContext<'_>,
    error: &pest::error::Error<Rule>,
) -> SyntaxError {
    let line = ctx.text;
    let pos = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
    .min(line.len());
    let positives: Vec<Rule> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };

    let found = word_at(line, pos);
    let span = ctx.span_of(pos, pos + found.map_or(0, str::len));
    let found_text = match found {
        Some(w) => format!("`{w}`"),
        None => "the end of the line".to_owned(),
    };
    let first_word_pos = line.len() - line.trim_start().len();
    let first_word = word_at(line, first_word_pos).unwrap_or("");
    let first_is_keyword = vocabulary.keywords.contains(&first_word);
    let after_first = line
        .get(first_word_pos + first_word.len()..)
        .unwrap_or("")
        .trim_start();
    let looks_like_cell = after_first.starts_with([':', ',']);

    // Rules that only name-led lines (periods, aliases, role groups) expect
    // after their first word. On a keyword-led line they are noise.
    let name_led = |r: &Rule| matches!(r, Rule::time | Rule::kw_includes | Rule::kw_means);
    let mut positives = positives;
    if first_is_keyword && positives.iter().any(|r| !name_led(r)) {
        positives.retain(|r| !name_led(r));
        // Nor does `to` (of a day range) come straight after a keyword.
        if pos == line.len() - after_first.len()
            && positives
                .iter()
                .any(|r| *r != Rule::kw_to && describe(*r).is_some())
        {
            positives.retain(|r| *r != Rule::kw_to);
        }
    }

    // A first word that is not a keyword, where the line failed right after
    // it: the first word is the problem (most often a misspelt keyword).
    let unknown_start = pos <= first_word_pos
        || (!first_is_keyword
            && !looks_like_cell
            && pos == line.len() - after_first.len()
            // `to` continues a cell's year range (`year-7 to year-11: …`).
            && positives.iter().all(|r| name_led(r) || *r == Rule::kw_to));
    if unknown_start {
        let span = ctx.span_of(first_word_pos, first_word_pos + first_word.len());
        let mut help = String::from(vocabulary.starts);
        if let Some(hint) = common_hint(first_word, line, true) {
            help = hint;
        } else if let Some(dym) = suggest::did_you_mean(&suggest::closest(
            first_word,
            vocabulary.keywords.iter().copied(),
        )) {
            help = format!("{} {help}", capitalise(&dym));
        }
        return SyntaxError {
            span,
            message: format!(
                "this line is not a statement esafety knows (it starts with `{first_word}`)"
            ),
            label: "not understood".to_owned(),
            help,
        };
    }

    // A keyword-led line where the grammar, past the keyword, only had the
    // name-led forms to suggest (a period's time, `includes`, `means`): the
    // line's own form says more.
    if first_is_keyword
        && positives.iter().all(name_led)
        && let Some(form) = form_of(first_word)
    {
        return SyntaxError {
            span,
            message: format!(
                "this `{first_word}` line does not have the form esafety reads: {form}"
            ),
            label: "not understood from here".to_owned(),
            help: format!(
                "Write the line in that form; {} shows every form a line can take.",
                vocabulary.reference
            ),
        };
    }

    // What the grammar would have accepted here, in words. A family of forms
    // is described as one.
    let family = vocabulary
        .family
        .filter(|(rule, _, _)| positives.contains(rule));
    let mut expected: Vec<&str> = Vec::new();
    if let Some((_, words, _)) = family {
        expected.push(words);
    }
    for rule in positives.iter().filter(|_| family.is_none()) {
        if let Some(d) = describe(*rule)
            && !expected.contains(&d)
        {
            expected.push(d);
        }
    }
    // A single word already named by a longer description ("`step`" beside
    // "… `route` or `step`") is said once.
    let all = expected.clone();
    expected.retain(|d| {
        let single = d.starts_with('`') && d.ends_with('`') && !d.contains(' ');
        !(single && all.iter().any(|other| other != d && other.contains(d)))
    });
    let wants_name = positives.iter().any(|r| {
        matches!(r, Rule::ident | Rule::ident_list | Rule::role_list) || keyword_text(*r).is_some()
    });
    let wants_date = positives
        .iter()
        .any(|r| matches!(r, Rule::date | Rule::iso_date | Rule::month_name));

    let wanted = if expected.is_empty() {
        "something else".to_owned()
    } else {
        suggest::english_list(&expected, "or")
    };
    let message = format!("expected {wanted}, found {found_text}");

    let mut help =
        common_hint(found.unwrap_or(""), line, wants_name && !wants_date).unwrap_or_default();
    if help.is_empty() {
        if let Some(word) = found {
            let mut candidates: Vec<&str> =
                positives.iter().filter_map(|r| keyword_text(*r)).collect();
            for rule in &positives {
                candidates.extend(words_of(*rule));
            }
            if let Some((_, _, words)) = family {
                candidates.extend(words);
            }
            if wants_date {
                candidates.extend(crate::calendar::MONTHS);
            }
            if let Some(dym) = suggest::did_you_mean(&suggest::closest(word, candidates)) {
                help = format!("{} ", capitalise(&dym));
            }
        }
        help.push_str(&format!(
            "Check the spelling and the order of the words; {} shows every form a line can take.",
            vocabulary.reference
        ));
    }
    SyntaxError {
        span,
        message,
        label: "unexpected here".to_owned(),
        help,
    }
}

/// Hints for mistakes authors make often.
fn common_hint(found: &str, line: &str, wants_name: bool) -> Option<String> {
    if found.starts_with(['\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}']) {
        return Some(
            "Labels must be in straight double quotes (\"), not curly quotes (“ ”) as word \
             processors type them."
                .to_owned(),
        );
    }
    if found.starts_with('"') && (found.len() < 2 || !found.ends_with('"')) {
        return Some(
            "This label has no closing double quote. A label must end on the same line; write a \
             double quote inside a label as \\\"."
                .to_owned(),
        );
    }
    if wants_name
        && found.chars().any(|c| c.is_ascii_uppercase())
        && found
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        let lower = found.to_ascii_lowercase().replace('_', "-");
        return Some(format!(
            "Keywords and names are written in lowercase, with hyphens between words: try \
             `{lower}`. Only labels in double quotes keep their capitals."
        ));
    }
    if found.contains('_') {
        return Some(format!(
            "Names use hyphens between words, not underscores: try `{}`.",
            found.replace('_', "-")
        ));
    }
    if (found == "during" || found == "outside")
        && (line.contains("allowed") || line.contains("acceptable"))
    {
        return Some(
            "To give a time window, write it after `at certain times`, for example \
             `allowed at certain times during break, lunch`."
                .to_owned(),
        );
    }
    if found == "{" || found == "}" || found == "[" || found == "]" {
        return Some(
            "The policy language has no brackets or braces: each line is one statement, and \
             indentation only helps the eye."
                .to_owned(),
        );
    }
    None
}
