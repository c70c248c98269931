//! The shipped family of policies (`policies/northgate/`), run for real:
//! the trust's policy and two academies' policies that extend it. The
//! expectations are what the academies' files say they change, never the
//! tool's own output.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{code, esafety, root, scratch, stdout};

const TRUST: &str = "policies/northgate/trust.policy";
const ASHBY: &str = "policies/northgate/ashby-primary.policy";
const CANAL: &str = "policies/northgate/canal-side-high.policy";

#[test]
fn the_family_checks_tests_and_renders_clean() {
    let o = esafety(&["check", "policies/northgate/"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert_eq!(stdout(&o), "checked 3 files: 0 errors, 0 warnings\n");

    let o = esafety(&["test", "policies/northgate/"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(
        stdout(&o).ends_with(" passed, 0 failed\n"),
        "{}",
        stdout(&o)
    );

    for school in [ASHBY, CANAL] {
        let o = esafety(&["render", school]);
        assert_eq!(code(&o), 0, "{school}");
        let html = stdout(&o);
        assert!(html.contains("This policy extends <code>"), "{school}");
    }
}

/// The label of each row the rendered page marks as the school's own.
fn marked_rows(html: &str) -> Vec<String> {
    html.split("<tr ")
        .filter(|row| row.contains("class=\"changed\""))
        .filter_map(|row| {
            let label = row.split("<th scope=\"row\">").nth(1)?;
            Some(label.split("<span").next()?.to_owned())
        })
        .collect()
}

#[test]
fn render_marks_what_the_school_changed_and_nothing_else() {
    let html = stdout(&esafety(&["render", ASHBY]));
    let mut marked = marked_rows(&html);
    marked.sort();
    // ashby-primary.policy gives its own day (Monday to Friday, replacing
    // the trust's), its terms and holidays, and its two people; it changes
    // two rows, adds one, and changes one incident (its responses).
    let mut expected = vec![
        // the day's periods
        "breakfast-club",
        "lessons",
        "break",
        "lessons",
        "lunch",
        "lessons",
        "after-school",
        // terms and holidays
        "Autumn term",
        "Autumn half term",
        "Spring term",
        "Spring half term",
        "Summer term",
        "Summer half term",
        // contacts
        "Mrs A. Example, Designated Safeguarding Lead",
        "Mr B. Example, Headteacher",
        // rows and the incident
        "Mobile phones may be brought to the school",
        "Use of mobile phones in social time",
        "Use of smart watches with a camera or messaging",
        "Unauthorised / inappropriate use of mobile phone / digital camera / other mobile device",
    ];
    expected.sort_unstable();
    assert_eq!(marked, expected);
    // Its alias is marked too; the trust's contacts are not.
    assert!(
        html.contains("<dt><code>social-time</code><span class=\"own\">this school</span></dt>"),
        "the academy's `social-time` is not marked"
    );
    assert!(html.contains("<tr><th scope=\"row\">Police (non-emergency)</th>"));
    // Markdown marks the same things.
    let markdown = stdout(&esafety(&["render", ASHBY, "--format", "markdown"]));
    for line in [
        "| breakfast-club *(this school)* | 07:45 | 08:40 |",
        "| Autumn term *(this school)* | Term | 2 September 2026 | 18 December 2026 |",
        "| Mr B. Example, Headteacher *(this school)* | in school |",
        "* `social-time` *(this school)* means break and lunch",
        "| Police (non-emergency) | phone 101 |",
    ] {
        assert!(markdown.contains(line), "no {line:?} in:\n{markdown}");
    }
    // The removed row is gone.
    assert!(!html.contains("On-line shopping"));
    // The trust's own page marks nothing.
    let html = stdout(&esafety(&["render", TRUST]));
    assert!(marked_rows(&html).is_empty());
    assert!(!html.contains("This policy extends"));
}

#[test]
fn diff_of_the_trust_against_each_school_lists_its_variations() {
    let json = |school: &str| -> serde_json::Value {
        let o = esafety(&["diff", TRUST, school, "--format", "json"]);
        assert_eq!(code(&o), 1, "{}", stdout(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let rows = |d: &serde_json::Value| -> Vec<(String, String)> {
        d["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_owned(),
                    r["change"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let has = |list: &[(String, String)], id: &str, change: &str| {
        list.iter().any(|(i, c)| i == id && c == change)
    };

    let ashby = json(ASHBY);
    let ashby_rows = rows(&ashby);
    for (id, change) in [
        ("phones-brought", "changed"),
        ("phones-social-time", "changed"),
        ("smart-watches", "added"),
        ("shopping", "removed"),
    ] {
        assert!(
            has(&ashby_rows, id, change),
            "{id} {change}: {ashby_rows:?}"
        );
    }
    // What the academy kept of the trust's rules is not a difference.
    for id in [
        "child-abuse-images",
        "pornography",
        "phones-in-lessons",
        "photos",
    ] {
        assert!(
            !ashby_rows.iter().any(|(i, _)| i == id),
            "{id}: {ashby_rows:?}"
        );
    }
    let incident = &ashby["incidents"][0];
    assert_eq!(incident["id"], "mobile-device");
    assert_eq!(incident["responses"][0]["added"][0]["id"], "parents");

    let canal = json(CANAL);
    let canal_rows = rows(&canal);
    assert!(
        has(&canal_rows, "phones-social-time", "changed"),
        "{canal_rows:?}"
    );
    let change = canal["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "phones-social-time")
        .unwrap();
    assert_eq!(change["answers"][0]["roles"][0], "sixth-form");
    let incidents: Vec<&str> = canal["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(incidents, ["illegal-material", "mobile-device"]);
    let settings: Vec<(&str, &str)> = canal["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["section"].as_str().unwrap(), s["item"].as_str().unwrap()))
        .collect();
    for expected in [
        ("places", "sixth-form-centre"),
        ("routes", "illegal-incident"),
        ("ladders", "pupil-incidents/mobile-device"),
        ("contacts", "head-of-year-contact"),
    ] {
        assert!(settings.contains(&expected), "{expected:?}: {settings:?}");
    }
}

/// A copy of the family in a scratch folder, with `ashby-primary.policy`
/// edited by `edit`.
fn edited_copy(name: &str, edit: impl Fn(String) -> String) -> std::path::PathBuf {
    let dir = scratch(name);
    for file in ["trust.policy", "ashby-primary.policy"] {
        let text = std::fs::read_to_string(root().join("policies/northgate").join(file)).unwrap();
        let text = if file == "ashby-primary.policy" {
            edit(text)
        } else {
            text
        };
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir.join("ashby-primary.policy")
}

#[test]
fn a_school_that_loosens_a_locked_rule_fails_check_naming_both_files() {
    let school = edited_copy("family-loosen", |text| {
        text.replace(
            "  row smart-watches",
            "  row phones-in-lessons\n    pupils: allowed\n  row smart-watches",
        )
    });
    let path = school.display().to_string();
    let o = esafety(&["check", &path]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("error[E0313]: the row `phones-in-lessons` is locked"),
        "{out}"
    );
    // The school's line, and the trust's `locked for pupils` line.
    let line = std::fs::read_to_string(&school)
        .unwrap()
        .lines()
        .position(|l| l == "    pupils: allowed")
        .unwrap()
        + 1;
    assert!(
        out.contains(&format!("ashby-primary.policy:{line}:5")),
        "{out}"
    );
    let trust = std::fs::read_to_string(root().join(TRUST)).unwrap();
    let locked = trust
        .lines()
        .position(|l| l.trim() == "locked for pupils")
        .unwrap()
        + 1;
    assert!(
        out.contains(&format!("trust.policy:{locked}:5: locked here")),
        "{out}"
    );
    // Machines get both places too.
    let o = esafety(&["check", &path, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "E0313");
    assert!(
        d["labels"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("trust.policy")
    );
    assert_eq!(d["labels"][0]["location"]["line"], locked);
}

#[test]
fn a_missing_base_is_an_error_at_the_extends_line() {
    let school = edited_copy("family-missing", |text| {
        text.replace("extends \"trust.policy\"", "extends \"trsut.policy\"")
    });
    let o = esafety(&["check", &school.display().to_string()]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("error[E0107]: the base policy"), "{out}");
    assert!(
        out.contains("trsut.policy` cannot be read: there is no such file"),
        "{out}"
    );
    // Nothing else: what the base would have defined is not reported missing.
    assert!(out.contains("checked 1 file: 1 error, 0 warnings"), "{out}");
}

#[test]
fn eval_cites_the_file_that_decided() {
    let rule_file = |row: &str| -> String {
        let o = esafety(&[
            "eval", "--policy", ASHBY, "--role", "year-3", "--action", row, "--format", "json",
        ]);
        let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        d["rule"]["file"].as_str().unwrap().to_owned()
    };
    // The trust's row, and the academy's own.
    assert_eq!(rule_file("child-abuse-images"), TRUST);
    assert_eq!(rule_file("smart-watches"), ASHBY);
    // The human form names the file beside the line.
    let o = esafety(&[
        "eval",
        "--policy",
        ASHBY,
        "--role",
        "year-3",
        "--action",
        "pornography",
    ]);
    assert!(
        stdout(&o).contains(&format!("rule       {TRUST}:")),
        "{}",
        stdout(&o)
    );
}
