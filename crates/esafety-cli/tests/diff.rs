//! `esafety diff`, run for real: exit codes 0 (same meaning), 1 (differences)
//! and 2 (a policy that does not check), and its three formats.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{code, esafety, root, scratch, stderr, stdout};

const CROCKERNE: &str = "policies/crockerne.policy";

/// Crockerne's policy with pupils allowed phones in lessons and the removal
/// of network access no longer a response to pupils' offensive material
/// (the example).
fn changed() -> std::path::PathBuf {
    let text = std::fs::read_to_string(root().join(CROCKERNE)).unwrap();
    let row = text.find("row phones-in-lessons").unwrap();
    let cell = row + text[row..].find("pupils: not allowed").unwrap();
    let mut changed = text.clone();
    changed.replace_range(cell..cell + "pupils: not allowed".len(), "pupils: allowed");
    let table = changed.find("incidents pupil-incidents").unwrap();
    let incident = table
        + changed[table..]
            .find("incident offensive-material")
            .unwrap();
    let list = "responses: class-teacher, headteacher, technical-support, remove-access";
    let at = incident + changed[incident..].find(list).unwrap();
    changed.replace_range(
        at..at + list.len(),
        "responses: class-teacher, headteacher, technical-support",
    );
    let path = scratch("diff").join("changed.policy");
    std::fs::write(&path, changed).unwrap();
    path
}

#[test]
fn a_policy_and_itself_do_not_differ() {
    for policy in [CROCKERNE, "policies/st-botolphs.policy"] {
        let o = esafety(&["diff", policy, policy]);
        assert_eq!(code(&o), 0, "{}", stdout(&o));
        assert_eq!(
            stdout(&o),
            format!("No difference in meaning between {policy} and {policy}.\n")
        );
    }
}

#[test]
fn a_reformatted_copy_does_not_differ() {
    // As the issue has it: indentation stripped, comments removed, blank
    // lines doubled.
    let text = std::fs::read_to_string(root().join(CROCKERNE)).unwrap();
    let copy: String = text
        .lines()
        .map(str::trim_start)
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            if l.is_empty() {
                "\n\n".to_owned()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let path = scratch("diff").join("reformatted.policy");
    std::fs::write(&path, copy).unwrap();
    let o = esafety(&["diff", CROCKERNE, path.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

#[test]
fn two_changes_are_two_differences_in_every_format() {
    let changed = changed();
    let new = changed.to_str().unwrap();

    let o = esafety(&["diff", CROCKERNE, new]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let human = stdout(&o).replace(new, "NEW");
    insta::assert_snapshot!("human", human);

    let o = esafety(&["diff", CROCKERNE, new, "--format", "markdown"]);
    assert_eq!(code(&o), 1);
    let markdown = stdout(&o).replace(new, "NEW");
    insta::assert_snapshot!("markdown", markdown);

    let o = esafety(&["diff", CROCKERNE, new, "--format", "json"]);
    assert_eq!(code(&o), 1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["settings"].as_array().unwrap().len(), 0);
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], "phones-in-lessons");
    assert_eq!(rows[0]["answers"][0]["roles"], serde_json::json!(["pupil"]));
    assert_eq!(
        rows[0]["answers"][0]["old"],
        "not allowed (breach: mobile-device)"
    );
    assert_eq!(rows[0]["answers"][0]["new"], "allowed");
    assert_eq!(rows[0]["answers"][0]["example"]["old"]["verdict"], "denied");
    assert_eq!(
        rows[0]["answers"][0]["example"]["new"]["verdict"],
        "allowed"
    );
    let incidents = json["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0]["table"], "pupil-incidents");
    assert_eq!(incidents[0]["id"], "offensive-material");
    let change = &incidents[0]["responses"][0];
    assert_eq!(change["removed"][0]["id"], "remove-access");
    assert_eq!(change["removed"][0]["kind"], "sanction");
    assert!(change.get("added").is_none());
}

#[test]
fn a_policy_with_errors_is_trouble() {
    let path = scratch("diff").join("broken.policy");
    std::fs::write(&path, "school \"Broken\"\n  approvd April 2021\n").unwrap();
    let o = esafety(&["diff", CROCKERNE, path.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("has errors"), "{}", stderr(&o));
    let o = esafety(&["diff", CROCKERNE, "no-such.policy"]);
    assert_eq!(code(&o), 2);
}
