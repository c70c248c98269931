//! The readable document (`esafety render`): snapshots of every format for
//! a policy that uses every construct, and a property: whatever characters
//! labels hold, they never change the structure of the page, the tables or
//! the flowcharts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use esafety::render::Document;
use proptest::prelude::*;

fn every_construct() -> Document {
    let path = "tests/corpus/valid/every-construct.policy";
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join(path)).unwrap();
    Document::from_text(path, &text).unwrap()
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(every_construct().to_markdown());
}

#[test]
fn html_snapshot() {
    // The style sheet is long and not what this snapshot is about.
    let html = every_construct().to_html();
    let start = html.find("<style>").unwrap();
    let end = html.find("</style>").unwrap();
    insta::assert_snapshot!(format!(
        "{}<style>…</style>{}",
        &html[..start],
        &html[end + 8..]
    ));
}

#[test]
fn dot_snapshot() {
    insta::assert_snapshot!(every_construct().to_dot());
}

#[test]
fn every_table_row_and_step_is_in_the_document() {
    let d = every_construct();
    let labels: Vec<&str> = d.row_labels().collect();
    // Rows of the tables, then the tiers of the ladders (3 + 1 + 1 + 1).
    assert_eq!(labels.len(), 4 + 4 + 1 + 4 + 4 + 6);
    let html = d.to_html();
    for label in labels {
        let escaped = label.replace('&', "&amp;");
        assert!(html.contains(&format!(">{escaped}</th>")), "{label}");
    }
}

// --- labels never change structure ------------------------------------------

/// Characters that mean something to HTML, Markdown, Mermaid or DOT, plus
/// letters, spaces and non-ASCII text.
fn label_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "<", ">", "&", "\"", "'", "\\", "`", "*", "_", "[", "]", "(", ")", "#", "|", "~", "{", "}",
        "<script>", "</td>", "-->", "&amp;", "<br>", ":", ";", "%%", " ", " ", "a", "Use", "of",
        "é", "–", "✓", "日本", "\u{A0}",
    ]);
    prop::collection::vec(pieces, 1..12).prop_map(|p| p.concat())
}

/// The same text with every character but white space replaced by `x`: it
/// wraps exactly as the original does, and means nothing to any format.
fn plain(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_whitespace() { c } else { 'x' })
        .collect()
}

/// A label as written in a policy: quoted, with `"` and `\` escaped. The
/// number keeps labels distinct however they were drawn.
fn quoted(text: &str, n: usize) -> String {
    format!(
        "\"{} {n}\"",
        text.replace('\\', "\\\\").replace('"', "\\\"")
    )
}

/// A policy whose every label comes from `labels` (cycled).
fn policy(labels: &[String]) -> String {
    let mut n = 0;
    let mut next = || {
        n += 1;
        quoted(&labels[n % labels.len()], n)
    };
    format!(
        r#"school {school}
  template {template}
  owner {owner}
contacts
  contact police {police} phone {phone}
facts
  fact risky {fact}
communications comms {comms}
  column adults {adults} for staff
  column pupils {pupils} for pupil
  row one {row1}
    adults: allowed
    pupils: not allowed
    breach by pupil: misuse
  row two {row2}
    adults: allowed with permission
    pupils: allowed with staff permission
devices mobile {devices}
  device laptop {laptop} in {group}
    allowed in school: yes, {note}
    network access: full
incidents pi {incidents} for pupil
  response refer {response} refer police
  incident misuse {incident}
    responses: refer
    follow route r
route r {route}
  step {step1} refer police
  step {step2} refer police if risky
"#,
        school = next(),
        template = next(),
        owner = next(),
        police = next(),
        phone = next(),
        fact = next(),
        comms = next(),
        adults = next(),
        pupils = next(),
        row1 = next(),
        row2 = next(),
        devices = next(),
        laptop = next(),
        group = next(),
        note = next(),
        incidents = next(),
        response = next(),
        incident = next(),
        route = next(),
        step1 = next(),
        step2 = next(),
    )
}

fn document(labels: &[String]) -> Document {
    let text = policy(labels);
    match Document::from_text("prop.policy", &text) {
        Ok(d) => d,
        Err(e) => panic!("{text}\n{e:#?}"),
    }
}

/// Occurrences of `c` not escaped by a backslash.
fn unescaped(text: &str, c: char) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for ch in text.chars() {
        if escaped {
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if ch == c {
            count += 1;
        }
    }
    count
}

/// The structure of a Markdown document, line by line: outside code
/// fences, the cell separators, raw angle brackets and backticks (tables,
/// HTML and code spans); inside the Mermaid fence, the quotes that delimit
/// node labels and the angle brackets of `<br/>`.
fn markdown_structure(md: &str) -> Vec<(bool, usize, usize, usize)> {
    let mut fenced = false;
    md.lines()
        .map(|l| {
            if l.starts_with("```") {
                fenced = !fenced;
            }
            if fenced {
                (
                    true,
                    l.matches('"').count(),
                    l.matches('<').count(),
                    l.matches('`').count(),
                )
            } else {
                (
                    false,
                    unescaped(l, '|'),
                    unescaped(l, '<'),
                    unescaped(l, '`'),
                )
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn labels_never_change_the_structure(labels in prop::collection::vec(label_text(), 1..8)) {
        let hostile = document(&labels);
        let calm = document(&labels.iter().map(|l| plain(l)).collect::<Vec<_>>());

        // HTML: the same tags, in the same number; no label makes one.
        let html = hostile.to_html();
        let tags = |h: &str| (h.matches('<').count(), h.matches('>').count(), h.matches('"').count());
        prop_assert_eq!(tags(&html), tags(&calm.to_html()));
        prop_assert!(!html.contains("<script"));

        // Markdown: the same lines, table cells and HTML breaks.
        let md = hostile.to_markdown();
        prop_assert_eq!(markdown_structure(&md), markdown_structure(&calm.to_markdown()));

        // DOT: the same quoted strings.
        prop_assert_eq!(unescaped(&hostile.to_dot(), '"'), unescaped(&calm.to_dot(), '"'));
    }
}
