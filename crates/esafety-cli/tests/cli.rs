//! The `esafety` binary, run for real: exit codes, output formats, errors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::Write;

use common::{code, esafety, esafety_stdin, line_of, root, scratch, stderr, stdout};

const TODAY: &str = "--today=2026-11-23";
const CROCKERNE: &str = "policies/crockerne.policy";
const ST_BOTOLPHS: &str = "policies/st-botolphs.policy";

// --- check ------------------------------------------------------------------

#[test]
fn check_passes_the_shipped_policies() {
    let o = esafety(&["check", TODAY]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.ends_with("checked 6 files: 0 errors, 23 warnings\n"),
        "{out}"
    );
    // The same with the directory named.
    assert_eq!(code(&esafety(&["check", "policies/", TODAY])), 0);
}

#[test]
fn deny_warnings_fails_on_warnings() {
    let o = esafety(&["check", "policies", "--deny-warnings", TODAY]);
    assert_eq!(code(&o), 1);
    // A file without warnings passes even so.
    let o = esafety(&[
        "check",
        "tests/corpus/valid/every-construct.policy",
        "--deny-warnings",
        "--today=2025-09-01",
    ]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

#[test]
fn check_json_is_a_versioned_report() {
    let o = esafety(&["check", "policies", "--format", "json", TODAY]);
    assert_eq!(code(&o), 0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(report["errors"], 0);
    assert_eq!(report["warnings"], 23);
    let files: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "policies/crockerne.policy",
            "policies/examples/example-high.policy",
            "policies/northgate/ashby-primary.policy",
            "policies/northgate/canal-side-high.policy",
            "policies/northgate/trust.policy",
            "policies/st-botolphs.policy"
        ]
    );
    let first = &report["diagnostics"][0];
    assert_eq!(first["code"], "W0104");
    assert_eq!(first["name"], "review-overdue");
    assert_eq!(
        first["location"]["line"],
        line_of(CROCKERNE, "school ", "review by April 2022")
    );
    assert!(
        first["help"]
            .as_str()
            .unwrap()
            .contains("Review the policy")
    );
}

#[test]
fn check_reports_every_error_of_every_file() {
    let o = esafety(&[
        "check",
        "tests/corpus/invalid/unknown-names.policy",
        "tests/corpus/invalid/impossible-time.policy",
    ]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert_eq!(out.matches("error[E0201]").count(), 10, "{out}");
    assert_eq!(out.matches("error[E0302]").count(), 2, "{out}");
    assert!(
        out.contains("--> tests/corpus/invalid/impossible-time.policy:5:22"),
        "{out}"
    );
    // Neither fixture gives a review date, which the CLI always checks.
    assert_eq!(out.matches("warning[W0104]").count(), 2, "{out}");
    assert!(
        out.ends_with("checked 2 files: 12 errors, 2 warnings\n"),
        "{out}"
    );
}

#[test]
fn check_human_output() {
    let o = esafety(&["check", "tests/corpus/invalid/conflict.policy"]);
    assert_eq!(code(&o), 1);
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn check_github_annotations() {
    let o = esafety(&[
        "check",
        "tests/corpus/invalid/answer-kind.policy",
        "--format",
        "github",
    ]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(lines.len(), 2);
    assert!(
        out.contains("::warning file=tests/corpus/invalid/answer-kind.policy,line=2,col=1,"),
        "{out}"
    );
    assert!(
        lines[0].starts_with(
            "::error file=tests/corpus/invalid/answer-kind.policy,line=6,col=15,endLine=6,endColumn=26,title=E0301 answer-not-allowed::"
        ),
        "{}",
        lines[0]
    );
}

#[test]
fn check_sarif_is_a_sarif_2_1_0_log() {
    // The fields SARIF 2.1.0 requires (sarifLog: version, runs; run: tool;
    // tool: driver; driver: name; result: message; message: text), and the
    // ones code-scanning dashboards rely on (ruleId and rules, levels,
    // physical locations with 1-based regions), checked on real output: the
    // invalid corpus has errors and warnings, labels and several files.
    let o = esafety(&["check", "tests/corpus/invalid", "--format", "sarif"]);
    assert_eq!(code(&o), 1);
    let log: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["tool"]["driver"]["name"], "esafety");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert!(r["shortDescription"]["text"].as_str().unwrap().len() > 10);
            r["id"].as_str().unwrap()
        })
        .collect();
    let results = run["results"].as_array().unwrap();
    // Every diagnostic of the JSON report is a result, in the same order.
    let json = esafety(&["check", "tests/corpus/invalid", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(results.len(), diagnostics.len());
    let mut levels = std::collections::BTreeSet::new();
    for (result, diagnostic) in results.iter().zip(diagnostics) {
        let rule = result["ruleId"].as_str().unwrap();
        assert_eq!(rule, diagnostic["code"]);
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index], rule);
        let level = result["level"].as_str().unwrap();
        assert_eq!(level, diagnostic["severity"]);
        levels.insert(level.to_owned());
        assert!(
            result["message"]["text"]
                .as_str()
                .unwrap()
                .contains(diagnostic["message"].as_str().unwrap())
        );
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            uri.starts_with("tests/corpus/invalid/") && uri.ends_with(".policy"),
            "{uri}"
        );
        assert_eq!(
            location["region"]["startLine"],
            diagnostic["location"]["line"]
        );
        assert!(location["region"]["startColumn"].as_u64().unwrap() >= 1);
        let labels = diagnostic["labels"].as_array().unwrap();
        let related = result["relatedLocations"].as_array().map_or(0, Vec::len);
        assert_eq!(related, labels.len());
    }
    assert_eq!(levels.into_iter().collect::<Vec<_>>(), ["error", "warning"]);
}

#[test]
fn unreadable_paths_exit_2() {
    let o = esafety(&["check", "no/such/place.policy"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("cannot read `no/such/place.policy`"),
        "{}",
        stderr(&o)
    );
    // A missing path does not stop the other files from being checked.
    let o = esafety(&["check", "no/such/place.policy", CROCKERNE, TODAY]);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).contains("checked 1 file"));

    let empty = scratch("empty-dir");
    let o = esafety(&["check", empty.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no `.policy` files found"));
}

#[test]
fn bad_today_is_bad_usage() {
    let o = esafety(&["check", "--today", "2026-13-01"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("is not a date"));
}

#[test]
fn hostile_files_get_diagnostics_not_crashes() {
    let dir = scratch("hostile");
    let big = dir.join("big.policy");
    let mut f = std::fs::File::create(&big).unwrap();
    let line = "# ".to_owned() + &"x".repeat(1022) + "\n";
    for _ in 0..(50 * 1024) {
        f.write_all(line.as_bytes()).unwrap();
    }
    drop(f);
    let binary = dir.join("binary.policy");
    std::fs::write(&binary, [0u8, 159, 146, 150, 255, 10, 0]).unwrap();
    let braces = dir.join("braces.policy");
    std::fs::write(&braces, "{".repeat(100_000)).unwrap();
    let empty = dir.join("empty.policy");
    std::fs::write(&empty, "").unwrap();
    // Crockerne cut off in the middle of a label, before its incidents
    // tables: the cut line is a syntax error (a label with no closing
    // quote), and every incident the rows above name is unknown.
    let cut = dir.join("cut.policy");
    let crockerne = std::fs::read_to_string(root().join(CROCKERNE)).unwrap();
    let marker = "response technical-support \"Refer to technical suppor";
    let at = crockerne.find(marker).unwrap() + marker.len();
    std::fs::write(&cut, &crockerne[..at]).unwrap();

    let cases = [
        (&big, "E0100"),
        (&binary, "E0101"),
        (&braces, "E0309"),
        (&empty, "E0104"),
        (&cut, "E0102"),
        (&cut, "E0201"),
    ];
    for (path, expected) in cases {
        let o = esafety(&["check", path.to_str().unwrap(), "--format", "json"]);
        assert_eq!(code(&o), 1, "{}: {}", path.display(), stdout(&o));
        let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let codes: Vec<&str> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&expected), "{}: {codes:?}", path.display());
        // And the human renderer copes too.
        let o = esafety(&["check", path.to_str().unwrap()]);
        assert_eq!(code(&o), 1);
    }
}

// --- eval -------------------------------------------------------------------

fn eval_json(args: &[&str]) -> esafety::Decision {
    let mut all = vec!["eval", "--format", "json"];
    all.extend_from_slice(args);
    let o = esafety(&all);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let value: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(value["version"], 1);
    serde_json::from_value(value).unwrap()
}

#[test]
fn eval_denies_phones_in_lessons_and_brings_the_incident() {
    let d = eval_json(&[
        "--policy",
        CROCKERNE,
        "--role",
        "pupil",
        "--action",
        "Use of mobile phones in lessons",
    ]);
    assert_eq!(d.verdict, esafety::Verdict::Denied);
    assert!(!d.default);
    let rule = d.rule.unwrap();
    assert_eq!(&*rule.row, "phones-in-lessons");
    assert_eq!(
        rule.line,
        line_of(CROCKERNE, "row phones-in-lessons", "pupils: not allowed")
    );
    assert_eq!(&*d.incident.unwrap().id, "mobile-device");
    let referrals: Vec<&str> = d.responses.referrals.iter().map(|r| &*r.label).collect();
    assert_eq!(referrals, ["Refer to Headteacher"]);
}

#[test]
fn eval_human_output() {
    let o = esafety(&[
        "eval",
        "--policy",
        CROCKERNE,
        "--role",
        "teacher",
        "--action",
        "personal-email",
        "--at",
        "2025-11-04T11:00",
    ]);
    assert_eq!(code(&o), 0);
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn eval_with_time_facts_and_prior() {
    // Staff may use personal email outside pupil supervision.
    let at_break = [
        "--policy",
        CROCKERNE,
        "--role",
        "teacher",
        "--action",
        "personal-email",
        "--at",
        "2025-11-04T10:35",
    ];
    assert_eq!(eval_json(&at_break).verdict, esafety::Verdict::Allowed);
    // Year 5 may bring a phone only with the co-headteachers' permission.
    let base = [
        "--policy",
        CROCKERNE,
        "--role",
        "year-5",
        "--action",
        "phones-brought",
    ];
    assert_eq!(eval_json(&base).verdict, esafety::Verdict::Conditional);
    let mut with = base.to_vec();
    with.extend(["--fact", "permission=yes"]);
    assert_eq!(eval_json(&with).verdict, esafety::Verdict::Allowed);
    let mut without = base.to_vec();
    without.extend(["--fact", "permission=no"]);
    assert_eq!(eval_json(&without).verdict, esafety::Verdict::Denied);
    // Repeat offences add the line manager for a staff incident.
    let repeat = [
        "--policy",
        CROCKERNE,
        "--role",
        "teacher",
        "--incident",
        "personal-use",
        "--prior",
        "1",
    ];
    let referrals: Vec<String> = eval_json(&repeat)
        .responses
        .referrals
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(referrals, ["line-manager", "headteacher"]);
}

#[test]
fn eval_devices() {
    let d = eval_json(&[
        "--policy",
        CROCKERNE,
        "--device",
        "Student owned",
        "--action",
        "Allowed in school",
    ]);
    assert_eq!(d.verdict, esafety::Verdict::Allowed);
    assert_eq!(d.note.as_deref(), Some("left in office"));
    let d = eval_json(&[
        "--policy",
        CROCKERNE,
        "--device",
        "visitor-owned",
        "--action",
        "internet only",
    ]);
    assert_eq!(d.verdict, esafety::Verdict::Allowed);
}

#[test]
fn eval_routes_follow_the_facts() {
    let d = eval_json(&[
        "--policy",
        ST_BOTOLPHS,
        "--role",
        "year-6",
        "--incident",
        "child-sexual-abuse",
        "--fact",
        "immediate-risk=yes",
    ]);
    // The document: "immediately inform Kent police via 101, or 999 if a
    // child is at immediate risk". With the risk given, the 999 step applies
    // (not pending) and the 101 step does not apply at all.
    let route = d.route.unwrap();
    let steps: Vec<esafety::StepOutcome> = route.steps().collect();
    let call_999 = steps
        .iter()
        .find(|s| s.step.refer.iter().any(|t| t.id.as_ref() == "police-999"))
        .expect("the 999 step applies");
    assert!(!call_999.pending);
    assert!(
        !steps.iter().any(|s| s
            .step
            .text
            .contains("Immediately inform Kent police via 101")),
        "{steps:?}"
    );
}

#[test]
fn eval_bad_input_exits_2_with_a_clear_message() {
    let cases: [(&[&str], &str); 13] = [
        (
            &["--role", "pupils", "--action", "blogs"],
            "did you mean `pupil`?",
        ),
        (
            &["--role", "pupil", "--action", "mobile phones in lessons"],
            "did you mean `Use of mobile phones in lessons`?",
        ),
        (
            &[
                "--role",
                "pupil",
                "--action",
                "blogs",
                "--at",
                "2026-02-30T10:00",
            ],
            "there is no such day in the calendar",
        ),
        (
            &[
                "--role",
                "pupil",
                "--action",
                "blogs",
                "--at",
                "2026-02-03T25:61",
            ],
            "the hour must be 00 to 23",
        ),
        (
            &[
                "--role",
                "pupil",
                "--action",
                "blogs",
                "--fact",
                "permission=maybe",
            ],
            "is not true or false",
        ),
        (
            &[
                "--role",
                "pupil",
                "--action",
                "blogs",
                "--fact",
                "permision=yes",
            ],
            "did you mean `permission`?",
        ),
        (
            &["--role", "teacher", "--incident", "mobile-device"],
            "is not listed for `teacher`",
        ),
        // One rule for times: the school's clock, with no zone or offset,
        // to the minute (seconds allowed, never 60).
        (
            &[
                "--role",
                "pupil",
                "--action",
                "blogs",
                "--at",
                "2026-02-03T10:00+05:00",
            ],
            "names a time zone or an offset",
        ),
        (
            &[
                "--role",
                "pupil",
                "--action",
                "blogs",
                "--at",
                "2026-02-03T10:00Z",
            ],
            "names a time zone or an offset",
        ),
        (
            &[
                "--role",
                "pupil",
                "--action",
                "blogs",
                "--at",
                "2026-02-03T10:00[Europe/London]",
            ],
            "names a time zone or an offset",
        ),
        (
            &[
                "--role",
                "pupil",
                "--action",
                "blogs",
                "--at",
                "2026-02-03T12:30:60",
            ],
            "minutes and seconds 00 to 59",
        ),
        (
            &[
                "--role",
                "pupil",
                "--action",
                "blogs",
                "--at",
                "2026-02-03T12",
            ],
            "its time is not written HH:MM",
        ),
        (
            &[
                "--role",
                "pupil",
                "--action",
                "blogs",
                "--fact",
                "permission=yes",
                "--fact",
                "permission=no",
            ],
            "the fact `permission` is given twice",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["eval", "--policy", CROCKERNE];
        all.extend_from_slice(args);
        let o = esafety(&all);
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
        // JSON output carries the same error as an object.
        all.extend(["--format", "json"]);
        let o = esafety(&all);
        assert_eq!(code(&o), 2);
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert!(
            v["error"]["message"].as_str().unwrap().contains(message),
            "{v}"
        );
    }
    // Usage errors are clap's, with exit code 2.
    assert_eq!(code(&esafety(&["eval", "--policy", CROCKERNE])), 2);
    assert_eq!(
        code(&esafety(&[
            "eval",
            "--policy",
            CROCKERNE,
            "--role",
            "pupil",
            "--action",
            "a",
            "--incident",
            "b"
        ])),
        2
    );
    assert_eq!(code(&esafety(&[])), 2);
}

#[test]
fn eval_refuses_a_policy_with_errors() {
    let o = esafety(&[
        "eval",
        "--policy",
        "tests/corpus/invalid/conflict.policy",
        "--role",
        "pupil",
        "--action",
        "phones",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("error[E0306]"));
    assert!(stderr(&o).contains("has errors"));
    let o = esafety(&[
        "eval",
        "--policy",
        "no/such.policy",
        "--role",
        "pupil",
        "--action",
        "phones",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot read"));
}

#[test]
fn eval_batch_answers_each_line_in_order() {
    let queries = concat!(
        r#"{"role": "pupil", "action": "Use of mobile phones in lessons"}"#,
        "\n",
        r#"{"role": "teacher", "action": "personal-email", "at": "2025-11-04T10:35"}"#,
        "\n",
        "this is not json\n",
        "\n",
        r#"{"role": "pupils", "action": "blogs"}"#,
        "\n",
        r#"{"device": "student-owned", "action": "Full network access"}"#,
        "\n",
        r#"{"role": "year-5", "action": "phones-brought", "facts": {"permission": true}, "prior": 2}"#,
        "\n",
    );
    let dir = scratch("batch");
    let file = dir.join("queries.jsonl");
    std::fs::write(&file, queries).unwrap();
    for o in [
        esafety(&[
            "eval",
            "--policy",
            CROCKERNE,
            "--queries",
            file.to_str().unwrap(),
        ]),
        esafety_stdin(&["eval", "--policy", CROCKERNE, "--queries", "-"], queries),
    ] {
        // One line failed, so the run as a whole reports bad input.
        assert_eq!(code(&o), 2);
        let lines: Vec<serde_json::Value> = stdout(&o)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[0]["verdict"], "denied");
        assert_eq!(lines[1]["verdict"], "allowed");
        assert_eq!(lines[2]["error"]["kind"], "bad-query");
        assert_eq!(lines[2]["error"]["line"], 3);
        assert_eq!(lines[3]["error"]["kind"], "unknown-role");
        assert_eq!(lines[3]["error"]["suggestions"][0], "pupil");
        assert_eq!(lines[4]["verdict"], "denied");
        assert_eq!(lines[5]["verdict"], "allowed");
    }
}

// --- list and parse ---------------------------------------------------------

#[test]
fn list_shows_what_can_be_asked() {
    let o = esafety(&["list", "--policy", CROCKERNE]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    for expected in [
        "phones-in-lessons",
        "Use of mobile phones in lessons",
        "co-headteacher",
        "social-time",
        "visitor-owned",
        "continued-infringements",
        "illegal-incident",
        "01275 885507",
        "immediate-risk",
    ] {
        assert!(out.contains(expected), "missing {expected}:\n{out}");
    }
    let o = esafety(&["list", "--policy", ST_BOTOLPHS, "--format", "json"]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(
        v["school"]["name"],
        "St Botolph's Church of England Primary School"
    );
    let roles: Vec<&str> = v["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(&roles[..4], ["staff", "pupil", "visitor", "parent"]);
    assert!(!roles.contains(&"everyone"));
    assert_eq!(v["tables"][0]["rows"].as_array().unwrap().len(), 10);
    assert_eq!(v["capabilities"].as_array().unwrap().len(), 4);
}

#[test]
fn parse_prints_the_syntax_tree() {
    let o = esafety(&[
        "parse",
        "tests/corpus/valid/minimal.policy",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["sections"][0]["section"], "school");
    assert_eq!(v["sections"][0]["name"]["text"], "Minimal Primary School");
    assert_eq!(v["sections"][0]["span"]["line"], 4);
    let o = esafety(&["parse", "tests/corpus/invalid/syntax-errors.policy"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("error[E0102]"));
}

// --- fmt --------------------------------------------------------------------

#[test]
fn fmt_check_passes_the_shipped_policies() {
    let o = esafety(&["fmt", "--check", "policies/"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "");
    assert_eq!(stderr(&o), "6 files already formatted\n");
}

#[test]
fn fmt_rewrites_a_reindented_copy_back_to_the_shipped_file() {
    let dir = scratch("fmt-rewrite");
    let shipped = std::fs::read_to_string(root().join(CROCKERNE)).unwrap();
    let messy: String = shipped
        .lines()
        .map(|l| format!("{}\t \r\n", l.trim_start()))
        .collect();
    let path = dir.join("messy.policy");
    std::fs::write(&path, &messy).unwrap();
    let path = path.to_str().unwrap();

    // --check names the file and changes nothing.
    let o = esafety(&["fmt", "--check", path]);
    assert_eq!(code(&o), 1);
    assert_eq!(stdout(&o), format!("{path}\n"));
    assert!(stderr(&o).contains("1 of 1 file would be reformatted"));
    assert_eq!(std::fs::read_to_string(path).unwrap(), messy);

    // --diff shows how, and changes nothing.
    let o = esafety(&["fmt", "--diff", path]);
    assert_eq!(code(&o), 1);
    let diff = stdout(&o);
    assert!(
        diff.starts_with(&format!("--- {path}\n+++ {path} (formatted)\n")),
        "{diff}"
    );
    assert!(
        diff.contains("\n-row phones-in-lessons \"Use of mobile phones in lessons\"\t \r\n"),
        "{diff}"
    );
    assert!(
        diff.contains("\n+  row phones-in-lessons \"Use of mobile phones in lessons\"\n"),
        "{diff}"
    );
    assert_eq!(std::fs::read_to_string(path).unwrap(), messy);

    // Without flags it rewrites the file, byte for byte the shipped one.
    let o = esafety(&["fmt", path]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stderr(&o), "formatted 1 of 1 file\n");
    assert!(std::fs::read_to_string(path).unwrap() == shipped);
    // And again: nothing to do.
    let o = esafety(&["fmt", "--check", path]);
    assert_eq!(code(&o), 0);
}

#[test]
fn fmt_refuses_a_file_that_does_not_parse_and_leaves_it_alone() {
    let dir = scratch("fmt-refuse");
    let bad = "school \"Demo\"\n    approved April 2021\nroles\n  staff includes teacher\n  this line is wrong\n";
    let good = "school \"Demo\"\n      approved April 2021\n";
    std::fs::write(dir.join("bad.policy"), bad).unwrap();
    std::fs::write(dir.join("good.policy"), good).unwrap();
    let o = esafety(&["fmt", dir.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("error[E0102]"), "{err}");
    assert!(err.contains("bad.policy:5:3"), "{err}");
    assert!(err.contains("1 file could not be formatted"), "{err}");
    // The bad file is untouched; the good one is formatted.
    assert_eq!(
        std::fs::read_to_string(dir.join("bad.policy")).unwrap(),
        bad
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("good.policy")).unwrap(),
        "school \"Demo\"\n  approved April 2021\n"
    );
}

#[test]
fn fmt_reads_standard_input() {
    let o = esafety_stdin(
        &["fmt", "-"],
        "roles\n staff   includes teacher ,  dsl # staff roles\n",
    );
    assert_eq!(code(&o), 0);
    assert_eq!(
        stdout(&o),
        "roles\n  staff includes teacher, dsl # staff roles\n"
    );
    let o = esafety_stdin(&["fmt", "--check", "-"], "roles\n staff includes teacher\n");
    assert_eq!(code(&o), 1);
    assert_eq!(stdout(&o), "<stdin>\n");
    let o = esafety_stdin(&["fmt", "-", "policies"], "");
    assert_eq!(code(&o), 2);
    let o = esafety(&["fmt", "no/such/dir"]);
    assert_eq!(code(&o), 2);
}
