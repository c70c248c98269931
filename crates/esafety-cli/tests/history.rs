//! `esafety eval --history`: a person's earlier incidents, counted by the
//! example high school's ladders as issue 12 states; and every bad history
//! line refused, naming the file and the line.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::PathBuf;

use common::{code, esafety, line_of, scratch, stderr, stdout};

const HIGH: &str = "policies/examples/example-high.policy";
const PHONE: &str = "phone-in-lesson";

/// Writes a history file of `(incident, at)` lines.
fn history(name: &str, entries: &[(&str, &str)]) -> PathBuf {
    let path = scratch("history").join(format!("{name}.jsonl"));
    let text: String = entries
        .iter()
        .map(|(i, at)| format!("{{\"incident\": \"{i}\", \"at\": \"{at}\"}}\n"))
        .collect();
    std::fs::write(&path, text).unwrap();
    path
}

/// `eval` of the example high school, a year-9 pupil's phone incident, with
/// `more` arguments.
fn eval_phone(more: &[&str]) -> std::process::Output {
    let mut args = vec![
        "eval",
        "--policy",
        HIGH,
        "--role",
        "year-9",
        "--incident",
        PHONE,
    ];
    args.extend_from_slice(more);
    esafety(&args)
}

fn ask(file: &std::path::Path, format: &str) -> std::process::Output {
    eval_phone(&[
        "--at",
        "2026-11-24T10:00",
        "--history",
        file.to_str().unwrap(),
        "--format",
        format,
    ])
}

/// The ids of the decision's responses, and its escalation.
fn answer(file: &std::path::Path) -> (Vec<String>, serde_json::Value) {
    let o = ask(file, "json");
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let ids = ["referrals", "notifications", "sanctions"]
        .iter()
        .flat_map(|k| d[k].as_array().unwrap().clone())
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, d["escalation"].clone())
}

fn has(ids: &[String], id: &str) -> bool {
    ids.iter().any(|i| i == id)
}

#[test]
fn the_phone_ladder_climbs_per_term() {
    // No history: the 1st time.
    let (ids, esc) = answer(&history("none", &[]));
    assert!(has(&ids, "confiscated-end-of-day"), "{ids:?}");
    assert!(!has(&ids, "parent-collects") && !has(&ids, "phone-ban"));
    assert_eq!(esc[0]["tier"]["number"], 1);

    // One earlier this term: the 2nd time, with the window and the count.
    let (ids, esc) = answer(&history("one", &[(PHONE, "2026-10-01T10:00")]));
    assert!(
        has(&ids, "parent-collects") && has(&ids, "parents"),
        "{ids:?}"
    );
    assert!(!has(&ids, "phone-ban"));
    assert_eq!(esc[0]["ladder"]["id"], PHONE);
    assert_eq!(
        esc[0]["ladder"]["line"],
        line_of(HIGH, "incident phone-in-lesson", "count this incident")
    );
    assert_eq!(esc[0]["counted"], 1);
    assert_eq!(esc[0]["time"], 2);
    assert_eq!(esc[0]["tier"]["number"], 2);
    assert_eq!(esc[0]["window"]["kind"], "term");
    assert_eq!(esc[0]["window"]["label"], "Autumn term");
    assert_eq!(esc[0]["window"]["from"], "2026-09-03");

    // Last summer term's does not count.
    let (ids, _) = answer(&history("summer", &[(PHONE, "2026-06-10T10:00")]));
    assert!(has(&ids, "confiscated-end-of-day") && !has(&ids, "parent-collects"));

    // Two this term: the ban and the Head of Year.
    let (ids, _) = answer(&history(
        "two",
        &[(PHONE, "2026-10-01T10:00"), (PHONE, "2026-11-02T10:00")],
    ));
    assert!(
        has(&ids, "phone-ban") && has(&ids, "head-of-year"),
        "{ids:?}"
    );

    // One dated after the question: ignored, and counted as ignored.
    let (ids, esc) = answer(&history("later", &[(PHONE, "2026-12-01T10:00")]));
    assert!(has(&ids, "confiscated-end-of-day") && !has(&ids, "parent-collects"));
    assert_eq!(esc[0]["later"], 1);
}

#[test]
fn three_pupil_incidents_in_thirty_days_bring_the_pastoral_lead() {
    let (ids, esc) = answer(&history(
        "pastoral",
        &[
            ("illegal-content", "2026-11-10T10:00"),
            (PHONE, "2026-11-17T10:00"),
        ],
    ));
    assert!(has(&ids, "pastoral-lead"), "{ids:?}");
    assert_eq!(esc[1]["ladder"]["id"], "pastoral");
    assert_eq!(esc[1]["window"]["kind"], "days");
    let (ids, _) = answer(&history(
        "outside-30",
        &[(PHONE, "2026-09-10T10:00"), (PHONE, "2026-11-17T10:00")],
    ));
    assert!(!has(&ids, "pastoral-lead"), "{ids:?}");
}

#[test]
fn the_human_answer_says_which_tier_and_why() {
    let o = ask(&history("human", &[(PHONE, "2026-10-01T10:00")]), "human");
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    let tier_line = line_of(HIGH, "incident phone-in-lesson", "2nd time:");
    assert!(
        out.contains(&format!(
            "the 2nd time in Autumn term → tier \"2nd time\" (line {tier_line})"
        )),
        "{out}"
    );
    assert!(
        out.contains(
            "1 earlier incident of the history counts (2026-10-01 10:00), so this is the 2nd time"
        ),
        "{out}"
    );
    assert!(
        out.contains("Phone kept until a parent or carer collects it"),
        "{out}"
    );
}

/// Runs a history file that has something wrong on `line`; the answer must
/// be exit 2, naming the file and the line, in both formats.
fn refused(name: &str, text: &str, line: u64, words: &str) {
    let path = scratch("history").join(format!("{name}.jsonl"));
    std::fs::write(&path, text).unwrap();
    let o = ask(&path, "human");
    assert_eq!(code(&o), 2, "{name}: {}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{name}.jsonl` line {line}")),
        "{name}: {err}"
    );
    assert!(err.contains(words), "{name}: {err}");
    let o = ask(&path, "json");
    assert_eq!(code(&o), 2, "{name}");
    let e: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(e["error"]["line"], line, "{name}: {e}");
}

#[test]
fn bad_history_lines_are_refused_with_their_line() {
    let good = "{\"incident\": \"phone-in-lesson\", \"at\": \"2026-10-01T10:00\"}\n";
    refused(
        "unknown",
        &format!("{good}\n{{\"incident\": \"phone-in-lessen\", \"at\": \"2026-10-01T10:00\"}}\n"),
        3,
        "did you mean `phone-in-lesson`?",
    );
    refused(
        "not-json",
        &format!("{good}phone-in-lesson 2026-10-01\n"),
        2,
        "is not an earlier incident",
    );
    refused(
        "bad-date",
        &format!("{good}{{\"incident\": \"phone-in-lesson\", \"at\": \"2026-02-30T10:00\"}}\n"),
        2,
        "is not an earlier incident",
    );
    refused(
        "no-time",
        "{\"incident\": \"phone-in-lesson\", \"at\": \"2026-10-01\"}\n",
        1,
        "no time after the date",
    );
    refused(
        "extra-field",
        "{\"incident\": \"phone-in-lesson\", \"at\": \"2026-10-01T10:00\", \"who\": 1}\n",
        1,
        "unknown field",
    );
}

#[test]
fn a_history_needs_a_time_and_excludes_a_number() {
    let file = history("needs-at", &[(PHONE, "2026-10-01T10:00")]);
    let o = eval_phone(&["--history", file.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("needs the time of this incident"),
        "{}",
        stderr(&o)
    );
    let o = eval_phone(&[
        "--at",
        "2026-11-24T10:00",
        "--prior",
        "1",
        "--history",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--prior"), "{}", stderr(&o));
}

#[test]
fn a_time_outside_every_term_is_an_error_not_a_guess() {
    let file = history("summer-holiday", &[(PHONE, "2026-06-10T10:00")]);
    let o = eval_phone(&[
        "--at",
        "2026-08-24T10:00",
        "--history",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 2);
    let e: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(e["error"]["kind"], "outside-terms");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("before the first term the policy gives, which starts on 2026-09-03")
    );
}

#[test]
fn list_shows_the_ladders() {
    let o = esafety(&["list", "--policy", HIGH]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(out.contains("\nladders\n"), "{out}");
    assert!(out.contains("counts this incident per term"), "{out}");
    assert!(
        out.contains("tiers: 1st time, 2nd time, 3rd time or more"),
        "{out}"
    );
    let o = esafety(&["list", "--policy", HIGH, "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let ladders = list["ladders"].as_array().unwrap();
    assert_eq!(ladders.len(), 2);
    assert_eq!(ladders[0]["incident"], PHONE);
    assert_eq!(ladders[0]["counts"], "this-incident");
    assert_eq!(ladders[0]["window"]["kind"], "term");
    assert_eq!(ladders[1]["ladder"]["id"], "pastoral");
    assert_eq!(ladders[1]["window"]["days"], 30);
    assert!(ladders[1].get("incident").is_none());
}
