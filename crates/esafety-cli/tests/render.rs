//! `esafety render`, run for real: every label of the shipped policies is in
//! the page, labels are escaped, and bad input is refused with a diagnostic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{code, esafety, labels, root, scratch, stderr, stdout};

const POLICIES: [&str; 2] = ["policies/crockerne.policy", "policies/st-botolphs.policy"];

/// Reverses HTML's escaping of text.
fn html_text(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Reverses Markdown's backslash escapes.
fn markdown_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut chars = markdown.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && next.is_ascii_punctuation()
        {
            out.push(next);
            chars.next();
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn html_of_each_shipped_policy_has_every_row_label() {
    for path in POLICIES {
        let o = esafety(&["render", path]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let html = stdout(&o);
        assert!(html.starts_with("<!DOCTYPE html>"));
        let text = html_text(&html);
        let labels = labels(path);
        assert!(labels.len() > 70, "{path}: only {} labels", labels.len());
        for label in labels {
            assert!(text.contains(&label), "{path}: no `{label}` in the page");
        }
    }
}

#[test]
fn markdown_of_each_shipped_policy_has_every_row_label() {
    for path in POLICIES {
        let o = esafety(&["render", "--format", "markdown", path]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let text = markdown_text(&stdout(&o));
        for label in labels(path) {
            assert!(
                text.contains(&label),
                "{path}: no `{label}` in the Markdown"
            );
        }
        assert!(text.contains("```mermaid\nflowchart TD\n"));
    }
}

#[test]
fn html_is_one_self_contained_page() {
    let html = stdout(&esafety(&["render", POLICIES[0]]));
    // No scripts, and nothing fetched from elsewhere.
    assert!(!html.contains("<script"));
    assert!(!html.contains("<link"));
    assert!(!html.contains("src="));
    // The only address is the SVG namespace, which is a name, not a fetch.
    assert!(
        !html
            .replace("xmlns=\"http://www.w3.org/2000/svg\"", "")
            .contains("http")
    );
    // Tables with real headers.
    assert!(
        html.contains(
            "<th scope=\"colgroup\" colspan=\"4\" class=\"group\">Students / Pupils</th>"
        )
    );
    assert!(html.contains("<th scope=\"row\">Use of mobile phones in lessons</th>"));
    // A mark reads as "Yes" without its glyph or colour.
    assert!(html.contains("<span class=\"glyph\" aria-hidden=\"true\">✓</span><span class=\"visually-hidden\">Yes</span>"));
    // Each route's flowchart is an inline picture with a name.
    assert_eq!(html.matches("<svg class=\"flowchart\"").count(), 2);
    assert!(html.contains("role=\"img\" aria-labelledby=\"flow--illegal-incident--title flow--illegal-incident--desc\""));
    // Print styles.
    assert!(html.contains("@media print"));
}

#[test]
fn dot_draws_one_digraph_per_route() {
    let o = esafety(&["render", "--format", "dot", POLICIES[1]]);
    assert_eq!(code(&o), 0);
    let dot = stdout(&o);
    let routes = esafety::Policy::from_file(root().join(POLICIES[1]))
        .unwrap()
        .routes()
        .len();
    assert_eq!(dot.matches("digraph ").count(), routes);
    assert!(dot.contains("digraph \"child-sexual-abuse\" {"));
    assert!(dot.contains("q6 [shape=diamond"));
}

const HOSTILE: &str = r#"school "Hostile <b>School</b>"
communications comms "Comms & <i>things</i>"
  column pupils "Pupils | all" for pupil
  column adults "Adults" for staff
  row xss "<script>alert('x')</script><img src=x onerror=alert(1)>"
    pupils: not allowed
    adults: not allowed
  row md "*bold* _it_ [link](http://example.invalid) `code` # not a heading"
    pupils: allowed
    adults: allowed
route r "A \"quoted\" route"
  step "Call <b>999</b> \\ now" refer police
contacts
  contact police "Police" phone "999"
"#;

#[test]
fn labels_render_as_text_in_every_format() {
    let dir = scratch("render-hostile");
    let file = dir.join("hostile.policy");
    std::fs::write(&file, HOSTILE).unwrap();
    let path = file.to_str().unwrap();

    let html = stdout(&esafety(&["render", path]));
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>") && !html.contains("<i>"), "{html}");
    assert!(html.contains(
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    ));
    assert!(html.contains("<h1>Hostile &lt;b&gt;School&lt;/b&gt;</h1>"));

    let md = stdout(&esafety(&["render", "--format", "markdown", path]));
    assert!(md.contains("\\<script\\>alert('x')\\</script\\>"), "{md}");
    assert!(
        md.contains(
            "\\*bold\\* \\_it\\_ \\[link\\](http://example.invalid) \\`code\\` \\# not a heading"
        ),
        "{md}"
    );
    // A `|` in a label does not split the table's cells.
    assert!(md.contains("| Pupils \\| all: Allowed |"), "{md}");
    assert_eq!(markdown_text(&md).matches("<script>").count(), 1);
    // Mermaid labels hold no raw quotes or angle brackets.
    assert!(md.contains("Call #60;b#62;999#60;/b#62; \\ now"), "{md}");

    let dot = stdout(&esafety(&["render", "--format", "dot", path]));
    assert!(dot.contains("label=\"A \\\"quoted\\\" route\";"), "{dot}");
    assert!(dot.contains("Call <b>999</b> \\\\ now"), "{dot}");
}

#[test]
fn a_policy_with_errors_is_refused_with_its_diagnostics() {
    let dir = scratch("render-errors");
    let file = dir.join("bad.policy");
    std::fs::write(&file, "school \"S\"\nrow x \"y\"\n  pupils: allowd\n").unwrap();
    let o = esafety(&["render", file.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert!(err.contains("error[E0"), "{err}");
    assert!(err.contains("before rendering it"), "{err}");
}

#[test]
fn unreadable_files_and_bad_formats_exit_2() {
    let o = esafety(&["render", "policies/no-such.policy"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot read `policies/no-such.policy`"));
    let o = esafety(&["render", "--format", "pdf", POLICIES[0]]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("invalid value 'pdf'"));
}

#[test]
fn output_goes_to_the_named_file() {
    let dir = scratch("render-output");
    let out = dir.join("crockerne.md");
    let o = esafety(&[
        "render",
        "--format",
        "markdown",
        POLICIES[0],
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).is_empty());
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.starts_with("# Crockerne Church of England Primary School\n"));

    let o = esafety(&["render", POLICIES[0], "-o", "/no/such/dir/x.html"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot write `/no/such/dir/x.html`"));
}
