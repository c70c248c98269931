//! The JSON Schemas published in `docs/schemas/` describe what esafety really
//! writes: every JSON output of the real binary, over the shipped policies and
//! the corpus, is validated against its schema; and each schema refuses
//! what the formats do not allow (another version, an unknown field, a time
//! with a zone), so that a schema that accepts anything fails here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{esafety, esafety_stdin, root, stdout};
use serde_json::{Value, json};

const SCHEMAS: [&str; 6] = [
    "query",
    "decision",
    "eval-error",
    "check-report",
    "test-report",
    "diff",
];

fn schema_file(name: &str) -> Value {
    let path = root().join(format!("docs/schemas/{name}.schema.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A validator for one schema, with the others registered under their
/// `$id`s so that the references between them resolve (the test report
/// refers to the query and decision schemas).
fn validator(name: &str) -> jsonschema::Validator {
    let mut registry = jsonschema::Registry::new();
    for other in SCHEMAS {
        let schema = schema_file(other);
        let id = schema["$id"].as_str().unwrap().to_owned();
        registry = registry.add(id, schema).unwrap();
    }
    let registry = registry.prepare().unwrap();
    jsonschema::options()
        .with_registry(&registry)
        .build(&schema_file(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_valid(name: &str, instance: &Value) {
    let v = validator(name);
    let errors: Vec<String> = v.iter_errors(instance).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{name}: {errors:#?}\n{}",
        serde_json::to_string_pretty(instance).unwrap()
    );
}

fn assert_invalid(name: &str, instance: &Value) {
    assert!(
        !validator(name).is_valid(instance),
        "{name} accepts {instance}"
    );
}

#[test]
fn every_schema_is_a_2020_12_schema_with_an_id() {
    for name in SCHEMAS {
        let schema = schema_file(name);
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert!(
            schema["$id"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/{name}.schema.json"))
        );
        assert!(schema["description"].as_str().unwrap().len() > 20);
        let _ = validator(name);
    }
}

#[test]
fn check_reports_match_their_schema() {
    for args in [
        vec![
            "check",
            "policies/",
            "--format",
            "json",
            "--today=2026-11-23",
        ],
        vec!["check", "tests/corpus", "--format", "json"],
    ] {
        let report: Value = serde_json::from_str(&stdout(&esafety(&args))).unwrap();
        assert!(!report["diagnostics"].as_array().unwrap().is_empty());
        assert_valid("check-report", &report);
    }
}

/// Questions of every kind over both shipped policies, as JSON lines.
fn questions() -> Vec<(&'static str, Value)> {
    let crockerne = "policies/crockerne.policy";
    let st_botolphs = "policies/st-botolphs.policy";
    let high = "policies/examples/example-high.policy";
    vec![
        (
            crockerne,
            json!({"role": "pupil", "action": "Use of mobile phones in lessons"}),
        ),
        (
            crockerne,
            json!({"version": 1, "role": "teacher", "action": "personal-email", "at": "2025-11-04T12:30"}),
        ),
        (
            crockerne,
            json!({"role": "teacher", "action": "personal-email"}),
        ),
        (
            crockerne,
            json!({"role": "year-5", "action": "phones-brought", "facts": {"permission": true}}),
        ),
        (
            crockerne,
            json!({"role": "year-3", "action": "child-abuse-images", "explain": false}),
        ),
        (crockerne, json!({"role": "parent", "action": "blogs"})),
        (
            crockerne,
            json!({"role": "teacher", "incident": "downloading", "prior": 1}),
        ),
        (
            crockerne,
            json!({"device": "visitor-owned", "action": "Allowed in school"}),
        ),
        (
            st_botolphs,
            json!({"role": "year-6", "incident": "child-sexual-abuse", "facts": {"immediate-risk": true}}),
        ),
        (
            st_botolphs,
            json!({"role": "pupil", "incident": "child-sexual-abuse"}),
        ),
        (
            st_botolphs,
            json!({"role": "dsl", "action": "view-imagery", "at": "2025-11-04T10:35:30"}),
        ),
        // Places, several roles and optional responses.
        (
            high,
            json!({"role": "year-12", "action": "phones-on-site", "at": "2026-11-24T09:30"}),
        ),
        (
            high,
            json!({"role": "year-12", "action": "phones-on-site", "at": "2026-11-24T09:30", "place": "classroom"}),
        ),
        (
            high,
            json!({"roles": ["teacher", "dsl"], "action": "view-suspected-imagery"}),
        ),
        (
            high,
            json!({"role": "year-9", "incident": "illegal-content", "facts": {"illegal": true}}),
        ),
        // Ladders: a history, a number of earlier incidents, none.
        (
            high,
            json!({"role": "year-9", "incident": "phone-in-lesson", "at": "2026-11-24T10:00",
                   "history": [{"incident": "phone-in-lesson", "at": "2026-10-01T10:00"},
                               {"incident": "illegal-content", "at": "2026-11-20T09:00"},
                               {"incident": "phone-in-lesson", "at": "2026-12-01T10:00"}]}),
        ),
        (
            high,
            json!({"role": "year-9", "incident": "phone-in-lesson", "prior": 2}),
        ),
        (
            high,
            json!({"role": "year-9", "incident": "phone-in-lesson"}),
        ),
    ]
}

#[test]
fn questions_and_decisions_match_their_schemas() {
    for (policy, question) in questions() {
        assert_valid("query", &question);
        let o = esafety_stdin(
            &["eval", "--policy", policy, "--queries", "-"],
            &format!("{question}\n"),
        );
        let decision: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        assert!(decision.get("error").is_none(), "{decision}");
        assert_valid("decision", &decision);
    }
    // The library writes questions as the schema describes them too.
    let query = esafety::Query::action("pupil", "blogs")
        .at(esafety::parse_at("2025-11-04T10:35").unwrap())
        .fact("permission", true)
        .prior(2);
    assert_valid("query", &serde_json::to_value(&query).unwrap());
    // And `eval --format json` prints the same decision form.
    let o = esafety(&[
        "eval",
        "--policy",
        "policies/st-botolphs.policy",
        "--role",
        "year-6",
        "--incident",
        "child-sexual-abuse",
        "--format",
        "json",
    ]);
    assert_valid("decision", &serde_json::from_str(&stdout(&o)).unwrap());
}

#[test]
fn unanswerable_questions_match_the_error_schema() {
    let lines = "{\"role\": \"pupils\", \"action\": \"blogs\"}\nnot json\n{\"role\": \"pupil\", \"action\": \"blogs\", \"at\": \"2025-11-04T10:35Z\"}\n{\"role\": \"pupil\", \"incident\": \"mobile-device\", \"at\": \"2025-11-04T10:35\", \"history\": [{\"incident\": \"mobile-devise\", \"at\": \"2025-11-01T10:35\"}]}\n";
    let o = esafety_stdin(
        &[
            "eval",
            "--policy",
            "policies/crockerne.policy",
            "--queries",
            "-",
        ],
        lines,
    );
    let errors: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(errors.len(), 4);
    for error in &errors {
        assert_valid("eval-error", error);
    }
    assert_eq!(errors[0]["error"]["suggestions"][0], "pupil");
    assert_eq!(errors[3]["error"]["kind"], "unknown-incident");
    let o = esafety(&[
        "eval",
        "--policy",
        "policies/crockerne.policy",
        "--role",
        "pupil",
        "--action",
        "blogs",
        "--at",
        "tomorrow",
        "--format",
        "json",
    ]);
    assert_valid("eval-error", &serde_json::from_str(&stdout(&o)).unwrap());
}

#[test]
fn test_reports_match_their_schema() {
    for args in [
        vec!["test", "policies/", "--format", "json", "--coverage"],
        vec![
            "test",
            "tests/corpus/tests",
            "--format",
            "json",
            "--coverage",
        ],
    ] {
        let report: Value = serde_json::from_str(&stdout(&esafety(&args))).unwrap();
        assert!(report["files"].as_array().unwrap().len() >= 2);
        assert_valid("test-report", &report);
    }
}

#[test]
fn the_schemas_refuse_what_the_formats_do_not_allow() {
    let (policy, question) = questions().remove(0);
    let o = esafety_stdin(
        &["eval", "--policy", policy, "--queries", "-"],
        &format!("{question}\n"),
    );
    let decision: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let with = |mut value: Value, key: &str, new: Value| {
        value[key] = new;
        value
    };
    assert_invalid("decision", &with(decision.clone(), "version", json!(2)));
    assert_invalid(
        "decision",
        &with(decision.clone(), "verdict", json!("maybe")),
    );
    assert_invalid("decision", &with(decision.clone(), "surprise", json!(true)));
    let mut without_route = decision.clone();
    without_route.as_object_mut().unwrap().remove("route");
    assert_invalid("decision", &without_route);

    assert_invalid(
        "query",
        &json!({"version": 2, "role": "pupil", "action": "blogs"}),
    );
    assert_invalid(
        "query",
        &json!({"role": "pupil", "action": "blogs", "at": "2025-11-04T10:35+01:00"}),
    );
    assert_invalid(
        "query",
        &json!({"role": "pupil", "action": "blogs", "colour": "red"}),
    );
    assert_invalid(
        "query",
        &json!({"role": "pupil", "action": "blogs", "facts": {"permission": "yes"}}),
    );

    let report: Value = serde_json::from_str(&stdout(&esafety(&[
        "check",
        "policies/",
        "--format",
        "json",
    ])))
    .unwrap();
    let mut bad = report.clone();
    bad["diagnostics"][0]["code"] = json!("X1");
    assert_invalid("check-report", &bad);
    assert_invalid("check-report", &with(report, "version", json!("1")));
}

/// Diffs of every kind: nothing, the two changes, two schools (roles,
/// settings, rows and incidents added and removed), renames and a timetable
/// change.
#[test]
fn diffs_match_their_schema() {
    let dir = common::scratch("schemas-diff");
    let text = std::fs::read_to_string(root().join("policies/crockerne.policy")).unwrap();
    let changed = text
        .replace("lunch 12:00 to 13:00", "lunch 12:00 to 13:15")
        .replace("row photos \"", "row taking-photos \"")
        .replace(
            "responses: class-teacher, headteacher, technical-support, remove-access",
            "responses: class-teacher, headteacher",
        );
    let path = dir.join("changed.policy");
    std::fs::write(&path, changed).unwrap();
    let changed = path.to_str().unwrap();
    let pairs = [
        ("policies/crockerne.policy", "policies/crockerne.policy", 0),
        ("policies/crockerne.policy", changed, 1),
        (
            "policies/crockerne.policy",
            "policies/st-botolphs.policy",
            1,
        ),
        (
            "policies/examples/example-high.policy",
            "policies/crockerne.policy",
            1,
        ),
    ];
    for (old, new, exit) in pairs {
        let o = esafety(&["diff", old, new, "--format", "json"]);
        assert_eq!(common::code(&o), exit, "{old} {new}");
        let diff: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_valid("diff", &diff);
        if exit == 1 {
            assert!(!diff["rows"].as_array().unwrap().is_empty(), "{old} {new}");
        }
    }
    let mut wrong = serde_json::from_str::<Value>(&stdout(&esafety(&[
        "diff",
        "policies/crockerne.policy",
        changed,
        "--format",
        "json",
    ])))
    .unwrap();
    wrong["version"] = json!(2);
    assert_invalid("diff", &wrong);
    wrong["version"] = json!(1);
    wrong["rows"][0]["colour"] = json!("red");
    assert_invalid("diff", &wrong);
}
