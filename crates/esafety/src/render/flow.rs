//! An escalation route as a flowchart: steps in order, each conditional step
//! behind a yes/no question, printed as Mermaid, Graphviz DOT or SVG.

use std::fmt::{self, Write as _};

/// A route's steps as a flowchart.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Flowchart {
    /// The steps, in order.
    pub nodes: Vec<Node>,
}

/// One step.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Node {
    /// Its number in the route.
    pub number: u32,
    /// What to do, verbatim.
    pub text: String,
    /// Whom it goes to ("→ Police (999)").
    pub detail: Vec<String>,
    /// The question that decides whether the step applies.
    pub condition: Option<Test>,
}

/// The yes/no question in front of a conditional step.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Test {
    /// The question, e.g. `immediate-risk?`.
    pub question: String,
    /// `unless`: the step applies when the answer is no.
    pub negated: bool,
}

impl Test {
    /// The answers that lead to the step, and past it.
    fn branches(&self) -> (&'static str, &'static str) {
        if self.negated {
            ("no", "yes")
        } else {
            ("yes", "no")
        }
    }
}

/// Splits text into lines of at most `width` characters, at spaces where it
/// can.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_owned();
        // A word longer than a line is cut.
        while word.chars().count() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let cut: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(cut);
        }
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Text for a Mermaid string label: characters that Mermaid or HTML would
/// read as markup become entity codes.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#34;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#38;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out
}

/// What a flowchart is made of, in the order the text formats print it.
enum Item<'a> {
    /// A step's box, named `s{number}`.
    Step(&'a Node),
    /// The question before a conditional step, named `q{number}`.
    Question(&'a Node, &'a Test),
    /// The end, named `done`.
    End,
    /// An arrow, with the answer it stands for when it leaves a question.
    Edge {
        from: String,
        to: String,
        label: Option<&'static str>,
    },
}

/// The arrows into `to`: from the node before it, and from the questions
/// whose step was skipped.
fn arrows_into(
    emit: &mut impl FnMut(Item<'_>),
    previous: Option<String>,
    skipping: &mut Vec<(String, &'static str)>,
    to: &str,
) {
    if let Some(from) = previous {
        emit(Item::Edge {
            from,
            to: to.to_owned(),
            label: None,
        });
    }
    for (from, label) in skipping.drain(..) {
        emit(Item::Edge {
            from,
            to: to.to_owned(),
            label: Some(label),
        });
    }
}

impl Flowchart {
    /// Walks the chart: each step in order, a conditional step behind its
    /// question, the question's other answer going round the step to
    /// whatever comes next, and the end.
    fn walk(&self, mut emit: impl FnMut(Item<'_>)) {
        let mut previous: Option<String> = None;
        // Answers that skip a conditional step, waiting for the next node.
        let mut skipping: Vec<(String, &'static str)> = Vec::new();
        for node in &self.nodes {
            let id = format!("s{}", node.number);
            emit(Item::Step(node));
            if let Some(test) = &node.condition {
                let question = format!("q{}", node.number);
                emit(Item::Question(node, test));
                let (to_step, past) = test.branches();
                emit(Item::Edge {
                    from: question.clone(),
                    to: id.clone(),
                    label: Some(to_step),
                });
                arrows_into(&mut emit, previous.take(), &mut skipping, &question);
                skipping.push((question, past));
            } else {
                arrows_into(&mut emit, previous.take(), &mut skipping, &id);
            }
            previous = Some(id);
        }
        emit(Item::End);
        arrows_into(&mut emit, previous, &mut skipping, "done");
    }
}

/// Text for a DOT quoted string.
fn dot_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Text for SVG or HTML.
pub(crate) fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = write!(out, "{}", Escaped(text));
    out
}

/// Text made safe for XML and HTML as it is written out, for the places
/// that write a lot of it (a large table's rows) without a copy each.
pub(crate) struct Escaped<'a>(pub(crate) &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            let (plain, special) = rest.split_at(at);
            f.write_str(plain)?;
            let mut chars = special.chars();
            f.write_str(match chars.next() {
                Some('&') => "&amp;",
                Some('<') => "&lt;",
                Some('>') => "&gt;",
                Some('"') => "&quot;",
                _ => "&#39;",
            })?;
            rest = chars.as_str();
        }
        f.write_str(rest)
    }
}

impl Flowchart {
    /// The flowchart in Mermaid's `flowchart TD` syntax.
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart TD\n");
        self.walk(|item| {
            let _ = match item {
                Item::Step(node) => {
                    let mut label = format!("{}. {}", node.number, mermaid_text(&node.text));
                    for d in &node.detail {
                        label.push_str("<br/>");
                        label.push_str(&mermaid_text(d));
                    }
                    writeln!(out, "  s{}[\"{label}\"]", node.number)
                }
                Item::Question(node, test) => writeln!(
                    out,
                    "  q{}{{\"{}\"}}",
                    node.number,
                    mermaid_text(&test.question)
                ),
                Item::End => writeln!(out, "  done([\"Done\"])"),
                Item::Edge {
                    from,
                    to,
                    label: None,
                } => writeln!(out, "  {from} --> {to}"),
                Item::Edge {
                    from,
                    to,
                    label: Some(label),
                } => writeln!(out, "  {from} -->|{label}| {to}"),
            };
        });
        out
    }

    /// The flowchart as a Graphviz `digraph`.
    pub fn to_dot(&self, id: &str, title: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "digraph \"{}\" {{", dot_text(id));
        let _ = writeln!(
            out,
            "  label=\"{}\";\n  labelloc=t;\n  fontname=\"Helvetica\";\n  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=10];",
            dot_text(title)
        );
        self.walk(|item| {
            let _ = match item {
                Item::Step(node) => {
                    let mut label = wrap(&format!("{}. {}", node.number, node.text), 40).join("\n");
                    for d in &node.detail {
                        label.push('\n');
                        label.push_str(d);
                    }
                    writeln!(out, "  s{} [label=\"{}\"];", node.number, dot_text(&label))
                }
                Item::Question(node, test) => writeln!(
                    out,
                    "  q{} [shape=diamond, style=\"\", label=\"{}\"];",
                    node.number,
                    dot_text(&wrap(&test.question, 24).join("\n"))
                ),
                Item::End => writeln!(out, "  done [shape=oval, style=\"\", label=\"Done\"];"),
                Item::Edge {
                    from,
                    to,
                    label: None,
                } => writeln!(out, "  {from} -> {to};"),
                Item::Edge {
                    from,
                    to,
                    label: Some(label),
                } => writeln!(out, "  {from} -> {to} [label=\"{label}\"];"),
            };
        });
        out.push_str("}\n");
        out
    }

    /// The flowchart as an inline SVG picture, laid out top to bottom.
    /// `title` and `description` become its accessible name and
    /// description.
    pub fn to_svg(&self, id: &str, title: &str, description: &str) -> String {
        const CENTRE: i32 = 300;
        const BOX_WIDTH: i32 = 480;
        const LINE: i32 = 17;
        const GAP: i32 = 30;
        const LANE: i32 = 640;
        const DIAMOND_W: i32 = 280;
        const DIAMOND_H: i32 = 70;

        let mut body = String::new();
        let mut y = 10;
        // (x, y) where the last node's outgoing edge starts.
        let mut previous: Option<i32> = None;
        // Questions whose step was skipped: (y of the right vertex, label).
        let mut skipping: Vec<(i32, &'static str)> = Vec::new();

        let arrow_down = |body: &mut String, from_y: i32, to_y: i32| {
            let _ = writeln!(
                body,
                "<line class=\"edge\" x1=\"{CENTRE}\" y1=\"{from_y}\" x2=\"{CENTRE}\" y2=\"{}\" marker-end=\"url(#{id}--arrow)\"/>",
                to_y - 2
            );
        };
        let bypass = |body: &mut String, skipping: &mut Vec<(i32, &'static str)>, to_y: i32| {
            for (from_y, label) in skipping.drain(..) {
                let right = CENTRE + DIAMOND_W / 2;
                let _ = writeln!(
                    body,
                    "<path class=\"edge\" d=\"M{right},{from_y} H{LANE} V{} H{CENTRE} V{}\" marker-end=\"url(#{id}--arrow)\"/>",
                    to_y - 12,
                    to_y - 2
                );
                let _ = writeln!(
                    body,
                    "<text class=\"branch\" x=\"{}\" y=\"{}\">{label}</text>",
                    right + 8,
                    from_y - 6
                );
            }
        };

        for node in &self.nodes {
            // The branch past this node's own step: it joins the next node,
            // so it is queued only once the step's box is drawn.
            let mut past_this_step = None;
            if let Some(test) = &node.condition {
                if let Some(from) = previous.take() {
                    arrow_down(&mut body, from, y);
                }
                bypass(&mut body, &mut skipping, y);
                let (to_step, past) = test.branches();
                let (cx, cy) = (CENTRE, y + DIAMOND_H / 2);
                let _ = writeln!(
                    body,
                    "<polygon class=\"test\" points=\"{cx},{y} {},{cy} {cx},{} {},{cy}\"/>",
                    cx + DIAMOND_W / 2,
                    y + DIAMOND_H,
                    cx - DIAMOND_W / 2
                );
                let lines = wrap(&test.question, 28);
                let first = cy - (i32::try_from(lines.len()).unwrap_or(1) - 1) * 8 + 4;
                for (i, line) in lines.iter().take(3).enumerate() {
                    let _ = writeln!(
                        body,
                        "<text class=\"question\" x=\"{cx}\" y=\"{}\">{}</text>",
                        first + i32::try_from(i).unwrap_or(0) * 15,
                        xml_text(line)
                    );
                }
                let _ = writeln!(
                    body,
                    "<text class=\"branch\" x=\"{}\" y=\"{}\">{to_step}</text>",
                    cx + 8,
                    y + DIAMOND_H + 16
                );
                past_this_step = Some((cy, past));
                previous = Some(y + DIAMOND_H);
                y += DIAMOND_H + GAP;
            }

            // The step's box.
            if let Some(from) = previous.take() {
                arrow_down(&mut body, from, y);
            }
            bypass(&mut body, &mut skipping, y);
            let mut lines: Vec<(bool, String)> =
                wrap(&format!("{}. {}", node.number, node.text), 64)
                    .into_iter()
                    .map(|l| (false, l))
                    .collect();
            for d in &node.detail {
                lines.extend(wrap(d, 64).into_iter().map(|l| (true, l)));
            }
            let height = 14 + LINE * i32::try_from(lines.len()).unwrap_or(1);
            let _ = writeln!(
                body,
                "<rect class=\"step\" x=\"{}\" y=\"{y}\" width=\"{BOX_WIDTH}\" height=\"{height}\" rx=\"8\"/>",
                CENTRE - BOX_WIDTH / 2
            );
            for (i, (detail, line)) in lines.iter().enumerate() {
                let class = if *detail { "detail" } else { "text" };
                let _ = writeln!(
                    body,
                    "<text class=\"{class}\" x=\"{}\" y=\"{}\">{}</text>",
                    CENTRE - BOX_WIDTH / 2 + 12,
                    y + 20 + LINE * i32::try_from(i).unwrap_or(0),
                    xml_text(line)
                );
            }
            previous = Some(y + height);
            y += height + GAP;
            skipping.extend(past_this_step);
        }

        // The end.
        if let Some(from) = previous.take() {
            arrow_down(&mut body, from, y);
        }
        bypass(&mut body, &mut skipping, y);
        let _ = writeln!(
            body,
            "<rect class=\"end\" x=\"{}\" y=\"{y}\" width=\"120\" height=\"34\" rx=\"17\"/>\n<text class=\"question\" x=\"{CENTRE}\" y=\"{}\">Done</text>",
            CENTRE - 60,
            y + 22
        );
        let height = y + 44;

        let mut out = String::new();
        let _ = writeln!(
            out,
            "<svg class=\"flowchart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 720 {height}\" role=\"img\" aria-labelledby=\"{id}--title {id}--desc\">"
        );
        let _ = writeln!(
            out,
            "<title id=\"{id}--title\">{}</title>\n<desc id=\"{id}--desc\">{}</desc>",
            xml_text(title),
            xml_text(description)
        );
        let _ = writeln!(
            out,
            "<defs><marker id=\"{id}--arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>"
        );
        out.push_str(&body);
        out.push_str("</svg>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Flowchart {
        Flowchart {
            nodes: vec![
                Node {
                    number: 1,
                    text: "Tell the DSL".into(),
                    detail: vec!["→ dsl".into()],
                    condition: None,
                },
                Node {
                    number: 2,
                    text: "Call 999 \"now\"".into(),
                    detail: vec![],
                    condition: Some(Test {
                        question: "immediate-risk?".into(),
                        negated: false,
                    }),
                },
                Node {
                    number: 3,
                    text: "Call 101 <police>".into(),
                    detail: vec![],
                    condition: Some(Test {
                        question: "immediate-risk?".into(),
                        negated: true,
                    }),
                },
            ],
        }
    }

    #[test]
    fn mermaid_branches_around_conditional_steps() {
        let m = chart().to_mermaid();
        assert!(m.contains("  s1 --> q2\n"), "{m}");
        assert!(m.contains("  q2 -->|yes| s2\n"), "{m}");
        assert!(m.contains("  s2 --> q3\n  q2 -->|no| q3\n"), "{m}");
        assert!(m.contains("  q3 -->|no| s3\n"), "{m}");
        assert!(m.contains("  s3 --> done\n  q3 -->|yes| done\n"), "{m}");
        assert!(m.contains("Call 999 #34;now#34;"), "{m}");
        assert!(m.contains("Call 101 #60;police#62;"), "{m}");
    }

    #[test]
    fn dot_is_one_digraph_with_escaped_labels() {
        let d = chart().to_dot("r", "A \"route\"");
        assert!(
            d.starts_with("digraph \"r\" {\n  label=\"A \\\"route\\\"\";"),
            "{d}"
        );
        assert!(d.contains("  q2 -> s2 [label=\"yes\"];"), "{d}");
        assert!(d.contains("  q2 -> q3 [label=\"no\"];"), "{d}");
        assert!(d.ends_with("}\n"));
    }

    #[test]
    fn svg_escapes_text_and_draws_every_step() {
        let s = chart().to_svg("r", "Route <r>", "Three steps");
        assert!(s.contains("Call 101 &lt;police&gt;"), "{s}");
        assert!(s.contains("<title id=\"r--title\">Route &lt;r&gt;</title>"));
        assert_eq!(s.matches("<rect class=\"step\"").count(), 3);
        assert_eq!(s.matches("<polygon class=\"test\"").count(), 2);
        assert!(!s.contains("<police>"));
    }

    /// The y where each bypass path ends, and the top of every shape.
    fn bypass_ends_and_tops(svg: &str) -> (Vec<i32>, Vec<i32>) {
        let number = |s: &str| {
            s.trim_matches(|c: char| !c.is_ascii_digit())
                .parse::<i32>()
                .unwrap()
        };
        let ends = svg
            .lines()
            .filter(|l| l.starts_with("<path class=\"edge\""))
            .map(|l| {
                let d = l.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
                // The last `V` is where the path comes down into a shape.
                number(d.rsplit('V').next().unwrap()) + 2
            })
            .collect();
        let tops = svg
            .lines()
            .filter_map(|l| {
                if l.starts_with("<rect") {
                    Some(number(l.split(" y=\"").nth(1)?.split('"').next()?))
                } else if l.starts_with("<polygon") {
                    // The top vertex is the first point.
                    let points = l.split("points=\"").nth(1)?;
                    Some(number(points.split(' ').next()?.split(',').nth(1)?))
                } else {
                    None
                }
            })
            .collect();
        (ends, tops)
    }

    #[test]
    fn svg_branches_skip_their_step_and_join_the_next() {
        let s = chart().to_svg("r", "Route", "Three steps");
        let (ends, tops) = bypass_ends_and_tops(&s);
        // Shapes top to bottom: step 1, question 2, step 2, question 3,
        // step 3, Done.
        assert_eq!(tops.len(), 6, "{s}");
        // Question 2's "no" joins question 3; question 3's "yes" joins Done.
        assert_eq!(ends, [tops[3], tops[5]], "{s}");
    }

    #[test]
    fn wrapping_keeps_every_word() {
        let text = "Make a referral to Children's Social Work Service (if required/appropriate) averyveryverylongwordthatdoesnotfit";
        let lines = wrap(text, 20);
        assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }
}
