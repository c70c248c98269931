//! `esafety fmt`: the canonical layout keeps every comment and row, is
//! idempotent, parses back to the same tree, and ignores how a file was
//! indented.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use esafety::format::format;
use esafety::parse;
use proptest::prelude::*;
use serde_json::Value;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

const SHIPPED: [&str; 3] = [
    "policies/crockerne.policy",
    "policies/st-botolphs.policy",
    "policies/examples/example-high.policy",
];

/// The syntax tree as JSON with every span removed: what must survive
/// formatting.
fn tree(text: &str) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("span");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(parse("t.policy", text).file).unwrap();
    strip(&mut v);
    v
}

/// Either the text does not parse and formatting refuses it, or formatting
/// keeps the tree and a second pass changes nothing.
fn assert_formats_faithfully(text: &str) -> Result<(), TestCaseError> {
    let parsed = parse("t.policy", text);
    match format("t.policy", text) {
        Err(diagnostics) => {
            prop_assert!(parsed.diagnostics.iter().any(|d| d.is_error()));
            prop_assert_eq!(diagnostics, parsed.diagnostics);
        }
        Ok(formatted) => {
            prop_assert!(!parsed.diagnostics.iter().any(|d| d.is_error()));
            prop_assert_eq!(tree(&formatted), tree(text), "formatted:\n{}", formatted);
            let again = format("t.policy", &formatted).unwrap();
            prop_assert_eq!(&again, &formatted, "not idempotent");
            prop_assert!(formatted.is_empty() || formatted.ends_with('\n'));
            prop_assert!(!formatted.contains("\n\n\n"), "two blank lines in a row");
            prop_assert!(
                !formatted.lines().any(|l| l.ends_with(' ')),
                "trailing spaces"
            );
        }
    }
    Ok(())
}

#[test]
fn the_shipped_policies_are_formatted() {
    for path in SHIPPED {
        let text = read(path);
        let formatted = format(path, &text).unwrap();
        assert!(
            formatted == text,
            "{path} is not formatted: run `esafety fmt {path}`"
        );
    }
}

#[test]
fn every_construct_formats_faithfully() {
    for path in [
        "tests/corpus/valid/every-construct.policy",
        "policies/crockerne.policy",
        "policies/st-botolphs.policy",
    ] {
        assert_formats_faithfully(&read(path)).unwrap();
    }
}

#[test]
fn a_file_that_does_not_parse_is_refused_with_its_errors() {
    let text = "school \"Demo\"\nroles\n  staff includes teacher\n  this is not a statement\n";
    let errors = format("demo.policy", text).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code.as_str(), "E0102");
    assert_eq!(errors[0].location.line, 4);
}

#[test]
fn alternative_spellings_print_in_one_form() {
    let text = "\
timetable
 Monday to FRIDAY
        lessons 8:45-10:30
 term 2025-09-03 to 3 December 2025
incidents i \"I\" for pupil
 response dsl \"Refer to DSL\" refer to dsl
 incident a \"A\"
  repeat offences after 1 prior incidents
route r \"R\"
 step \"Tell the DSL\" refer dsl notify parent refer head if x and y
";
    let expected = "\
timetable
  monday to friday
    lessons 08:45 to 10:30
  term 3 September 2025 to 3 December 2025
incidents i \"I\" for pupil
  response dsl \"Refer to DSL\" refer dsl
  incident a \"A\"
    repeat offences after 1 prior incident
route r \"R\"
  step \"Tell the DSL\" refer dsl, head notify parent if x and y
";
    assert_eq!(format("t.policy", text).unwrap(), expected);
}

#[test]
fn comments_stay_in_place_and_in_order() {
    let text = "\
# A banner for the file.

school \"Demo\" # the name as published
   ## a heading comment, kept with both hashes
  approved April 2021
      # a note on the line above, then a blank line

# about the roles
roles
  staff includes teacher
# at the end of the file
";
    let expected = "\
# A banner for the file.

school \"Demo\" # the name as published
  ## a heading comment, kept with both hashes
  approved April 2021
  # a note on the line above, then a blank line

# about the roles
roles
  staff includes teacher
  # at the end of the file
";
    assert_eq!(format("t.policy", text).unwrap(), expected);
}

#[test]
fn labels_with_quotes_and_backslashes_are_escaped() {
    let text = "school \"St \\\"Botolph\\\\s\\\"\"\n";
    let formatted = format("t.policy", text).unwrap();
    assert_eq!(formatted, text);
    assert_eq!(tree(&formatted), tree(text));
}

/// A re-indented copy of a policy: each line's indentation replaced by some
/// other run of spaces and tabs, trailing spaces added, runs of blank lines
/// lengthened, and the line endings perhaps made CRLF.
fn reindent(text: &str, noise: &[(u8, u8, bool)], crlf: bool) -> String {
    let mut out = String::new();
    let end = if crlf { "\r\n" } else { "\n" };
    for (i, line) in text.lines().enumerate() {
        let (indent, trailing, extra_blank) = noise[i % noise.len()];
        let body = line.trim_start();
        if body.is_empty() {
            out.push_str(end);
            if extra_blank {
                out.push_str("   ");
                out.push_str(end);
            }
            continue;
        }
        for k in 0..indent {
            out.push(if k % 3 == 2 { '\t' } else { ' ' });
        }
        out.push_str(body);
        for _ in 0..trailing {
            out.push(' ');
        }
        out.push_str(end);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_reindented_shipped_policy_formats_back_byte_for_byte(
        which in 0usize..3,
        noise in prop::collection::vec((0u8..9, 0u8..3, any::<bool>()), 1..40),
        crlf in any::<bool>(),
    ) {
        let original = read(SHIPPED[which]);
        let messy = reindent(&original, &noise, crlf);
        let formatted = format("t.policy", &messy).unwrap();
        prop_assert!(formatted == original, "differs from {}", SHIPPED[which]);
    }

    /// Real policies with lines dropped, duplicated or cut: whatever still
    /// parses formats faithfully; whatever does not is refused.
    #[test]
    fn edited_policies_format_faithfully(
        which in 0usize..3,
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, "[ a-z#:\"-]{0,6}"), 1..8),
    ) {
        let original = read(SHIPPED[which]);
        let mut lines: Vec<String> = original.lines().map(str::to_owned).collect();
        for (at, op, insert) in edits {
            let i = at.index(lines.len());
            match op {
                0 => { lines.remove(i); }
                1 => { let copy = lines[i].clone(); lines.insert(i, copy); }
                2 => { let cut = lines[i].len() / 2; let mut l = lines[i].clone(); while !l.is_char_boundary(cut.min(l.len())) { l.pop(); } l.truncate(cut.min(l.len())); lines[i] = l; }
                _ => lines[i].push_str(&insert),
            }
            if lines.is_empty() { break; }
        }
        assert_formats_faithfully(&lines.join("\n"))?;
    }

    /// Token soup: mostly refused, sometimes a small policy.
    #[test]
    fn policy_like_text_formats_faithfully(
        lines in prop::collection::vec(prop_oneof![
            Just("school \"A\"".to_owned()),
            Just("  approved 3 March 2024".to_owned()),
            Just("roles".to_owned()),
            Just("staff includes teacher, year-1 to year-3".to_owned()),
            Just("timetable".to_owned()),
            Just("monday, friday".to_owned()),
            Just("lunch 12:00 - 13:00".to_owned()),
            Just("social means lunch, break".to_owned()),
            Just("communications c \"C\"".to_owned()),
            Just("column kids \"Pupils\" for pupil".to_owned()),
            Just("row r \"R \\\"quoted\\\"\"".to_owned()),
            Just("kids: allowed at certain times outside lunch".to_owned()),
            Just("everyone: allowed with staff permission from head".to_owned()),
            Just("breach by pupil: i".to_owned()),
            Just("devices d \"D\"".to_owned()),
            Just("device phone \"Phone\" in \"Personal\"".to_owned()),
            Just("allowed in school: with permission, \"left in office\"".to_owned()),
            Just("network access: internet only".to_owned()),
            Just("route x \"X\"".to_owned()),
            Just("step \"S\" notify parent unless f or g".to_owned()),
            Just("step \"T\" refer head if (f or g) and not in lib".to_owned()),
            Just("places".to_owned()),
            Just("place lib \"The library\"".to_owned()),
            Just("kids: allowed only during lunch, break or in lib".to_owned()),
            Just("year-7 to year-9, kids: acceptable except (in lib or in hall) and not f".to_owned()),
            Just("responses as appropriate: a, b".to_owned()),
            Just("responses: a".to_owned()),
            Just("# a comment".to_owned()),
            Just("#".to_owned()),
            Just("".to_owned()),
            Just("   ".to_owned()),
            "[a-z ]{0,12}",
        ], 0..25),
        indents in prop::collection::vec(0usize..6, 25),
    ) {
        let text: Vec<String> = lines
            .iter()
            .zip(&indents)
            .map(|(l, n)| format!("{}{}", " ".repeat(*n), l))
            .collect();
        assert_formats_faithfully(&text.join("\n"))?;
    }
}
