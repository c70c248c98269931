//! The document as one self-contained, accessible, printable HTML page.
//!
//! No scripts, no external assets: styles are inline and the flowcharts are
//! inline SVG. Tables are real `<table>`s with a caption, column and row
//! headers (`scope`), and column groups. A mark is a glyph for the eye and
//! the word "Yes" for a screen reader, so nothing depends on colour.

use std::fmt::Write as _;

use super::flow::{Escaped, xml_text as esc};
use super::{
    Contact, Document, Grid, GridCell, MARK, Note, Part, Route, Timetable, anchor, part_anchor,
    push_anchor,
};

/// Tables wider than this many value columns print on landscape pages.
const WIDE: usize = 6;

const STYLE: &str = r#"
:root { --ink: #1b1b1b; --muted: #505a5f; --rule: #b1b4b6; --panel: #f3f2f1; --accent: #1d70b8; --mark: #e8f1f8; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink); background: #fff; line-height: 1.45; }
body { margin: 0 auto; max-width: 78rem; padding: 1.5rem; }
a { color: var(--accent); }
a:focus, .scroll:focus { outline: 3px solid #fd0; outline-offset: 0; }
header { border-bottom: 4px solid var(--ink); margin-bottom: 1.5rem; }
h1 { font-size: 2rem; margin: 0 0 .25rem; }
.subtitle { font-size: 1.25rem; margin: 0 0 1rem; color: var(--muted); }
h2 { font-size: 1.5rem; margin: 2.5rem 0 .5rem; padding-top: .5rem; border-top: 1px solid var(--rule); }
.kind { color: var(--muted); margin: 0 0 .75rem; }
dl.about { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
dl.about dt { font-weight: 600; }
dl.about dd { margin: 0; }
.own { display: inline-block; margin-left: .4em; padding: 0 .3em; border: 1px solid #9a4a00; border-radius: 3px; color: #9a4a00; font-size: .8em; font-weight: 600; white-space: nowrap; }
tr.changed > th { border-left: 4px solid #9a4a00; }
nav h2 { border-top: 0; margin-top: 1rem; }
nav ol { columns: 2 18rem; padding-left: 1.5rem; }
nav li { margin: .15rem 0; break-inside: avoid; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 0 0 1rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; caption-side: top; }
th, td { border: 1px solid var(--rule); padding: .35rem .5rem; vertical-align: top; text-align: left; }
thead th { background: var(--panel); font-weight: 600; vertical-align: bottom; }
thead th.group { text-align: center; border-bottom: 2px solid var(--ink); }
tbody th { font-weight: normal; min-width: 12rem; max-width: 26rem; }
td.answer { text-align: center; min-width: 3.5rem; }
td.answer.marked { background: var(--mark); font-weight: 600; }
td.answer .glyph { font-size: 1.1rem; }
td.answer .words { display: block; font-weight: normal; font-size: .8rem; }
table.grid { width: 100%; }
td.notes { min-width: 13rem; font-size: .85rem; }
td.notes ul, .notes-list { margin: 0; padding-left: 1.1rem; }
.notes-list { font-size: .9rem; color: var(--ink); }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
ol.steps { padding-left: 1.75rem; }
ol.steps li { margin: .35rem 0; }
ol.steps .detail { display: block; color: var(--muted); font-size: .9rem; }
figure { margin: 1rem 0; }
figcaption { color: var(--muted); font-size: .85rem; }
svg.flowchart { width: 100%; max-width: 45rem; height: auto; display: block; }
svg.flowchart .step { fill: #fff; stroke: var(--ink); stroke-width: 1.5; }
svg.flowchart .test { fill: var(--panel); stroke: var(--ink); stroke-width: 1.5; }
svg.flowchart .end { fill: var(--panel); stroke: var(--ink); stroke-width: 1.5; }
svg.flowchart .edge { fill: none; stroke: var(--ink); stroke-width: 1.5; }
svg.flowchart marker path { fill: var(--ink); }
svg.flowchart text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 13px; fill: var(--ink); }
svg.flowchart text.question { text-anchor: middle; font-weight: 600; }
svg.flowchart text.detail { fill: var(--muted); font-style: italic; }
svg.flowchart text.branch { font-size: 12px; font-weight: 600; }
footer { margin-top: 3rem; padding-top: .75rem; border-top: 1px solid var(--rule); color: var(--muted); font-size: .85rem; }
@page { size: A4; margin: 14mm 12mm; }
@page wide { size: A4 landscape; margin: 12mm; }
@media print {
  html { font-size: 10pt; }
  body { max-width: none; padding: 0; }
  nav { break-after: page; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  section.wide { page: wide; }
  .scroll { overflow: visible; }
  thead { display: table-header-group; }
  tr, li, figure { break-inside: avoid; }
  td.answer.marked { background: none; }
  /* A chart never splits across pages: a tall one shrinks to fit one. */
  svg.flowchart { max-width: 160mm; max-height: 250mm; }
}
"#;

/// The whole page.
pub(super) fn document(d: &Document) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = esc(&d.title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"esafety {version}\">\n\
         <title>{title}: e-safety policy</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        version = env!("CARGO_PKG_VERSION"),
    );
    let _ = writeln!(
        out,
        "<header>\n<h1>{title}</h1>\n<p class=\"subtitle\">E-safety policy</p>"
    );
    if !d.about.is_empty() {
        out.push_str("<dl class=\"about\">\n");
        for (k, v) in &d.about {
            let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
        }
        out.push_str("</dl>\n");
    }
    if !d.extends.is_empty() {
        let bases: Vec<String> = d
            .extends
            .iter()
            .map(|b| format!("<code>{}</code>", esc(b)))
            .collect();
        let _ = writeln!(
            out,
            "<p class=\"extends\">This policy extends {}. What this school’s own policy adds or changes is marked {OWN_MARK}.</p>",
            bases.join(", which extends ")
        );
    }
    out.push_str("</header>\n");

    if !d.parts.is_empty() {
        out.push_str(
            "<nav aria-labelledby=\"contents\">\n<h2 id=\"contents\">Contents</h2>\n<ol>\n",
        );
        for part in &d.parts {
            let _ = writeln!(
                out,
                "<li><a href=\"#{}\">{}</a></li>",
                section_id(part),
                esc(part.heading())
            );
        }
        out.push_str("</ol>\n</nav>\n");
    }

    out.push_str("<main>\n");
    for part in &d.parts {
        let wide = matches!(part, Part::Grid(g) if g.width() > WIDE);
        let id = section_id(part);
        let _ = writeln!(
            out,
            "<section id=\"{id}\" aria-labelledby=\"{id}--heading\"{}>\n<h2 id=\"{id}--heading\">{}</h2>",
            if wide { " class=\"wide\"" } else { "" },
            esc(part.heading())
        );
        match part {
            Part::Roles(groups) => {
                out.push_str("<p class=\"kind\">A rule for a group applies to its members; a rule for a member overrides its group’s.</p>\n<ul>\n");
                for g in groups {
                    let members: Vec<String> = g.members.iter().map(|m| esc(m)).collect();
                    let _ = writeln!(
                        out,
                        "<li><strong>{}</strong>: {}</li>",
                        esc(&g.group),
                        members.join(", ")
                    );
                }
                out.push_str("</ul>\n");
            }
            Part::Timetable(t) => timetable(&mut out, t),
            Part::Contacts(c) => contacts(&mut out, c),
            Part::Facts(facts) => definitions(
                &mut out,
                "Steps of the procedures below that apply only in some cases name one of these.",
                facts,
            ),
            Part::Places(places) => definitions(
                &mut out,
                "Rules that apply only in some places name one of these.",
                places,
            ),
            Part::Grid(g) => grid(&mut out, g),
            Part::Route(r) => route(&mut out, r),
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n");
    let _ = writeln!(
        out,
        "<footer>Generated by esafety from <code>{}</code>. Every label is word for word from the school’s document; a question the policy does not answer is treated as not allowed.</footer>\n</body>\n</html>",
        esc(&d.source)
    );
    out
}

/// The `id` of a part's section.
fn section_id(part: &Part) -> String {
    part_anchor(part.id())
}

/// Names a question can give (facts, places), each with its label, under
/// a sentence saying what uses them.
fn definitions(out: &mut String, intro: &str, items: &[(String, String)]) {
    let _ = writeln!(out, "<p class=\"kind\">{}</p>\n<dl>", esc(intro));
    for (id, label) in items {
        let _ = writeln!(
            out,
            "<dt><code>{}</code></dt><dd>{}</dd>",
            esc(id),
            esc(label)
        );
    }
    out.push_str("</dl>\n");
}

fn timetable(out: &mut String, t: &Timetable) {
    for (days, periods) in &t.days {
        let _ = writeln!(
            out,
            "<table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">Period</th><th scope=\"col\">From</th><th scope=\"col\">To</th></tr></thead>\n<tbody>",
            esc(days)
        );
        for p in periods {
            let (class, own) = own_marks(p.changed);
            let _ = writeln!(
                out,
                "<tr{class}><th scope=\"row\">{}{own}</th><td>{}</td><td>{}</td></tr>",
                esc(&p.name),
                esc(&p.from),
                esc(&p.to)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !t.aliases.is_empty() {
        out.push_str("<dl>\n");
        for (name, means) in &t.aliases {
            let (_, own) = own_marks(t.own_aliases.contains(name));
            let _ = writeln!(
                out,
                "<dt><code>{}</code>{own}</dt><dd>{}</dd>",
                esc(name),
                esc(means)
            );
        }
        out.push_str("</dl>\n");
    }
    if t.dates.is_empty() {
        out.push_str(
            "<p>The policy gives no term dates: the weekly timetable applies to every week.</p>\n",
        );
    } else {
        out.push_str("<table>\n<caption>Terms and holidays</caption>\n<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Kind</th><th scope=\"col\">From</th><th scope=\"col\">To</th></tr></thead>\n<tbody>\n");
        for s in &t.dates {
            let (class, own) = own_marks(s.changed);
            let _ = writeln!(
                out,
                "<tr{class}><th scope=\"row\">{}{own}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&s.label),
                esc(&s.kind),
                esc(&s.from),
                esc(&s.to)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
}

fn contacts(out: &mut String, contacts: &[Contact]) {
    out.push_str("<table>\n<caption>Contacts for referrals</caption>\n<thead><tr><th scope=\"col\">Contact</th><th scope=\"col\">How to reach them</th></tr></thead>\n<tbody>\n");
    for c in contacts {
        let reach = if c.reach.is_empty() {
            "<em>Not given in the policy</em>".to_owned()
        } else {
            c.reach
                .iter()
                .map(|r| esc(r))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let (class, own) = own_marks(c.changed);
        let _ = writeln!(
            out,
            "<tr{class}><th scope=\"row\">{}{own}</th><td>{reach}</td></tr>",
            esc(&c.title)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn grid(out: &mut String, g: &Grid) {
    // Asked once: it reads every row.
    let has_notes = g.has_notes();
    let _ = writeln!(out, "<p class=\"kind\">{}</p>", esc(&g.kind));
    // The section's heading shows the title; the caption names the table
    // for assistive technology without showing it twice.
    let caption_id = format!("{}--caption", part_anchor(&g.id));
    let _ = writeln!(
        out,
        "<div class=\"scroll\" role=\"region\" aria-labelledby=\"{caption_id}\" tabindex=\"0\">\n<table class=\"grid\">\n<caption id=\"{caption_id}\" class=\"visually-hidden\">{}</caption>",
        esc(&g.title)
    );
    // Column groups, so that assistive technology knows which heading a
    // column sits under.
    out.push_str("<colgroup><col></colgroup>");
    for group in &g.groups {
        if !group.columns.is_empty() {
            let _ = write!(
                out,
                "<colgroup span=\"{}\"></colgroup>",
                group.columns.len()
            );
        }
    }
    if has_notes {
        out.push_str("<colgroup><col></colgroup>");
    }
    out.push('\n');

    let two_rows = g.has_group_headings();
    let rowspan = if two_rows { " rowspan=\"2\"" } else { "" };
    out.push_str("<thead>\n<tr>");
    let _ = write!(
        out,
        "<th scope=\"col\"{rowspan}>{}</th>",
        esc(&g.row_heading)
    );
    if two_rows {
        for group in g.groups.iter().filter(|g| !g.columns.is_empty()) {
            if group.label.is_empty() {
                // Columns with no group heading span both header rows.
                for c in &group.columns {
                    let _ = write!(out, "<th scope=\"col\" rowspan=\"2\">{}</th>", esc(c));
                }
            } else {
                let _ = write!(
                    out,
                    "<th scope=\"colgroup\" colspan=\"{}\" class=\"group\">{}</th>",
                    group.columns.len(),
                    esc(&group.label)
                );
            }
        }
        if has_notes {
            out.push_str("<th scope=\"col\" rowspan=\"2\">Notes</th>");
        }
        out.push_str("</tr>\n<tr>");
        for group in g.groups.iter().filter(|g| !g.label.is_empty()) {
            for c in &group.columns {
                let _ = write!(out, "<th scope=\"col\">{}</th>", esc(c));
            }
        }
    } else {
        for c in g.groups.iter().flat_map(|g| &g.columns) {
            let _ = write!(out, "<th scope=\"col\">{}</th>", esc(c));
        }
        if has_notes {
            out.push_str("<th scope=\"col\">Notes</th>");
        }
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");

    for row in &g.rows {
        let (class, own) = own_marks(row.changed);
        out.push_str("<tr id=\"");
        push_anchor(out, &row.id);
        let _ = write!(
            out,
            "\"{class}><th scope=\"row\">{}{own}</th>",
            Escaped(&row.label)
        );
        for cell in &row.cells {
            cell_html(out, cell);
        }
        if has_notes {
            out.push_str("<td class=\"notes\">");
            match row.notes.as_slice() {
                [] => {}
                [one] => note_html(out, one),
                many => {
                    out.push_str("<ul>");
                    for n in many {
                        out.push_str("<li>");
                        note_html(out, n);
                        out.push_str("</li>");
                    }
                    out.push_str("</ul>");
                }
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    if !g.notes.is_empty() {
        out.push_str("<ul class=\"notes-list\">\n");
        for n in &g.notes {
            out.push_str("<li>");
            note_html(out, n);
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
}

/// Writes a note: its words, and its quote and links.
fn note_html(out: &mut String, note: &Note) {
    let _ = write!(out, "{}", Escaped(&note.text));
    match (&note.quote, note.links.as_slice()) {
        (Some(quote), [only]) if only.text == *quote => {
            let _ = write!(
                out,
                " <a href=\"#{}\">“{}”</a>",
                Escaped(&only.anchor),
                Escaped(quote)
            );
        }
        (quote, links) => {
            if let Some(quote) = quote {
                let _ = write!(out, " “{}”", Escaped(quote));
            }
            for (n, l) in links.iter().enumerate() {
                let _ = write!(
                    out,
                    "{}<a href=\"#{}\">{}</a>",
                    if n == 0 { " (see " } else { "; " },
                    Escaped(&l.anchor),
                    Escaped(&l.text)
                );
            }
            if !links.is_empty() {
                out.push(')');
            }
        }
    }
}

/// Writes a cell of a grid.
fn cell_html(out: &mut String, cell: &GridCell) {
    if cell.is_empty() {
        out.push_str("<td class=\"answer\"></td>");
        return;
    }
    out.push_str(if cell.mark {
        "<td class=\"answer marked\">"
    } else {
        "<td class=\"answer\">"
    });
    if cell.optional {
        let _ = write!(
            out,
            "<span class=\"glyph\" aria-hidden=\"true\">({MARK})</span><span class=\"visually-hidden\">As appropriate</span>"
        );
    } else if cell.mark {
        let _ = write!(
            out,
            "<span class=\"glyph\" aria-hidden=\"true\">{MARK}</span><span class=\"visually-hidden\">Yes</span>"
        );
    }
    for line in cell.lines.iter().filter(|l| !l.is_empty()) {
        let _ = write!(out, "<span class=\"words\">{}</span>", Escaped(line));
    }
    out.push_str("</td>");
}

/// How the document marks what a school's own policy adds or changes.
const OWN_MARK: &str = "<span class=\"own\">this school</span>";

/// For a table row: its `class` attribute and the words after its heading
/// cell's text, which say whether the school's own policy gives it.
fn own_marks(changed: bool) -> (&'static str, &'static str) {
    if changed {
        (" class=\"changed\"", OWN_MARK)
    } else {
        ("", "")
    }
}

fn route(out: &mut String, r: &Route) {
    if r.changed {
        let _ = writeln!(
            out,
            "<p class=\"kind\">Procedure {OWN_MARK}</p>\n<ol class=\"steps\">"
        );
    } else {
        out.push_str("<p class=\"kind\">Procedure</p>\n<ol class=\"steps\">\n");
    }
    for step in &r.steps {
        let _ = write!(out, "<li value=\"{}\">{}", step.number, esc(&step.text));
        for d in &step.detail {
            let _ = write!(out, "<span class=\"detail\">{}</span>", esc(d));
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
    if r.steps.is_empty() {
        return;
    }
    let id = format!("flow--{}", anchor(&r.id));
    let description = format!(
        "A flowchart of the {} steps above, in order; a step that applies only in some cases sits behind a yes-or-no question.",
        r.steps.len()
    );
    let _ = write!(
        out,
        "<figure>\n{}<figcaption>Flowchart: {}</figcaption>\n</figure>\n",
        r.flowchart.to_svg(&id, &r.title, &description),
        esc(&r.title)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Link;

    fn link(text: &str, anchor: &str) -> Link {
        Link {
            text: text.to_owned(),
            anchor: anchor.to_owned(),
        }
    }

    fn written(note: &Note) -> String {
        let mut out = String::new();
        note_html(&mut out, note);
        out
    }

    #[test]
    fn a_note_whose_one_link_is_its_quote_links_the_quote() {
        let note = Note {
            text: "Follow the procedure".to_owned(),
            quote: Some("Illegal <incidents>".to_owned()),
            links: vec![link("Illegal <incidents>", "part--illegal")],
        };
        assert_eq!(
            written(&note),
            "Follow the procedure <a href=\"#part--illegal\">“Illegal &lt;incidents&gt;”</a>"
        );
    }

    #[test]
    fn a_note_with_several_links_lists_them_after_its_quote() {
        let note = Note {
            text: "Breaches by staff & visitors".to_owned(),
            quote: Some("Misuse".to_owned()),
            links: vec![link("staff", "t--a"), link("visitor's \"table\"", "t--b")],
        };
        assert_eq!(
            written(&note),
            "Breaches by staff &amp; visitors “Misuse” (see <a href=\"#t--a\">staff</a>; <a href=\"#t--b\">visitor&#39;s &quot;table&quot;</a>)"
        );
    }

    #[test]
    fn a_marked_cell_with_words_escapes_them() {
        let cell = GridCell {
            mark: true,
            optional: false,
            lines: vec!["during <lunch>".to_owned(), String::new()],
        };
        let mut out = String::new();
        cell_html(&mut out, &cell);
        assert_eq!(
            out,
            format!(
                "<td class=\"answer marked\"><span class=\"glyph\" aria-hidden=\"true\">{MARK}</span><span class=\"visually-hidden\">Yes</span><span class=\"words\">during &lt;lunch&gt;</span></td>"
            )
        );
    }
}
