use super::*;
use crate::ast::*;

fn ok(text: &str) -> PolicyFile {
    let parsed = parse("t.policy", text);
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    parsed.file
}

#[test]
fn reads_a_school_heading() {
    let file = ok("school \"Demo\"\n  approved April 2021\n  review by 2022-04-30\n");
    let Some(Section::School(school)) = file.sections.first() else {
        panic!("no school");
    };
    assert_eq!(school.name.text, "Demo");
    assert_eq!(school.items.len(), 2);
}

#[test]
fn a_bad_line_is_reported_and_the_next_line_is_still_read() {
    let parsed = parse(
        "t.policy",
        "school \"Demo\"\n  approvd April 2021\n  owner \"Team\"\n",
    );
    assert_eq!(parsed.diagnostics.len(), 1);
    assert_eq!(parsed.diagnostics[0].code, Code::Syntax);
    assert_eq!(parsed.diagnostics[0].location.line, 2);
    let Some(Section::School(school)) = parsed.file.sections.first() else {
        panic!("no school");
    };
    assert_eq!(school.items.len(), 1);
}
