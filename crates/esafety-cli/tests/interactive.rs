//! `esafety render --interactive` in headless Chromium: the page's answers,
//! read from its `#answer` element after following a deep link, are the
//! command line's (`esafety eval --queries … --format json`), for every row
//! of both shipped policies asked for each base role, every device asked
//! each thing a device question asks, and every incident asked for each
//! role its table covers.
//!
//! The page needs the WebAssembly module (`scripts/build-wasm`, which
//! `.ci/run` runs) and Chromium; like the other browser tests these are
//! ignored by a plain `cargo test` and fail, saying what is missing, when
//! run without them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

use common::{browser, code, esafety, file_url, harness_results, root, scratch, stderr, stdout};
use serde_json::{Value, json};

/// The four base roles every policy has.
const BASE_ROLES: [&str; 4] = ["staff", "pupil", "visitor", "parent"];

/// The moment every question is asked at: a Tuesday in term, in lessons.
const AT: &str = "2026-11-24T10:00";

/// Follows each deep link in turn, in one page, and records what `#answer`
/// shows: its verdict, and the ids of the incident, responses and route.
const HARNESS: &str = r##"<!DOCTYPE html>
<html><head><meta charset="utf-8"></head><body>
<iframe id="page" src="page.html" style="width:1000px;height:800px;border:0"></iframe>
<pre id="results"></pre>
<script>
const LINKS = __LINKS__;
const frame = document.getElementById('page');
frame.addEventListener('load', async () => {
  const out = { answers: [] };
  try {
    const w = frame.contentWindow;
    await w.esafetyReady;
    const a = w.document.getElementById('answer');
    const ids = (sel) => Array.from(a.querySelectorAll(sel)).map((e) => e.dataset.id);
    for (const link of LINKS) {
      const changed = new Promise((r) => w.addEventListener('hashchange', () => r(), { once: true }));
      w.location.hash = link;
      await changed;
      const incident = a.querySelector('[data-incident]');
      const route = a.querySelector('[data-route]');
      out.answers.push({
        verdict: a.dataset.verdict,
        text: a.dataset.verdict === 'error' ? a.textContent : undefined,
        incident: incident ? incident.dataset.incident : null,
        referrals: ids('[data-list=referrals] li'),
        notifications: ids('[data-list=notifications] li'),
        sanctions: ids('[data-list=sanctions] li'),
        route: route ? route.dataset.route : null,
      });
    }
  } catch (e) { out.error = String(e); }
  document.getElementById('results').textContent = JSON.stringify(out);
});
</script></body></html>
"##;

/// The page for `policy`, built by the real binary.
fn interactive_page(policy: &str) -> String {
    let o = esafety(&["render", "--interactive", policy]);
    assert_eq!(
        code(&o),
        0,
        "{} (build the module with scripts/build-wasm)",
        stderr(&o)
    );
    stdout(&o)
}

/// Opens `page` with the harness, follows `links`, and returns the answers.
/// Chromium ignores a page's address changes after 200 in a few seconds (a
/// guard against pages that flood it), so each run follows at most 150.
fn follow(dir: &Path, page: &str, links: &[String]) -> Vec<Value> {
    std::fs::write(dir.join("page.html"), page).unwrap();
    links
        .chunks(150)
        .flat_map(|chunk| follow_some(dir, chunk))
        .collect()
}

fn follow_some(dir: &Path, links: &[String]) -> Vec<Value> {
    let harness = HARNESS.replace("__LINKS__", &serde_json::to_string(links).unwrap());
    std::fs::write(dir.join("harness.html"), harness).unwrap();
    let results = harness_results(&browser(), dir, 60_000, &[]);
    results["answers"].as_array().unwrap().clone()
}

/// Every row × base role, every device × what may be asked of it, and
/// every incident × each role its table covers, as `eval --queries`
/// questions.
fn questions(path: &str) -> Vec<Value> {
    let policy = esafety::Policy::from_file(root().join(path)).unwrap();
    let mut out = Vec::new();
    for table in policy.tables() {
        for row in &table.rows {
            for role in BASE_ROLES {
                out.push(json!({"role": role, "action": &*row.id, "at": AT}));
            }
        }
    }
    for device in policy.devices() {
        for capability in esafety::Capability::ALL {
            out.push(json!({"device": &*device.id, "action": capability.id(), "at": AT}));
        }
    }
    for incident in policy.incidents() {
        for role in &incident.roles {
            // A table "for everyone" is asked for each base role.
            let roles: Vec<&str> = if &**role == "everyone" {
                BASE_ROLES.to_vec()
            } else {
                vec![role]
            };
            for role in roles {
                out.push(json!({"role": role, "incident": &*incident.id, "at": AT}));
            }
        }
    }
    out
}

/// The deep link for a question, as the issue writes them.
fn link(q: &Value) -> String {
    let mut parts = Vec::new();
    for key in ["role", "device", "action", "incident"] {
        if let Some(v) = q[key].as_str() {
            parts.push(format!("{key}={v}"));
        }
    }
    parts.push(format!("at={}", q["at"].as_str().unwrap()));
    format!("#ask?{}", parts.join("&"))
}

fn response_ids(decision: &Value, key: &str) -> Vec<Value> {
    decision[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect()
}

#[test]
#[ignore = "needs headless Chromium and the WebAssembly module: scripts/build-wasm, then cargo test -p esafety-cli --test interactive -- --ignored"]
fn the_page_answers_every_question_as_eval_does() {
    for (name, path) in [
        ("crockerne", "policies/crockerne.policy"),
        ("st-botolphs", "policies/st-botolphs.policy"),
    ] {
        let dir = scratch(&format!("interactive-{name}"));
        let questions = questions(path);
        assert!(questions.len() > 100, "{name}: {}", questions.len());
        let queries = dir.join("questions.jsonl");
        let lines: Vec<String> = questions.iter().map(Value::to_string).collect();
        std::fs::write(&queries, lines.join("\n") + "\n").unwrap();
        let o = esafety(&[
            "eval",
            "--policy",
            path,
            "--queries",
            &queries.display().to_string(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let expected: Vec<Value> = stdout(&o)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();

        let links: Vec<String> = questions.iter().map(link).collect();
        let answers = follow(&dir, &interactive_page(path), &links);
        assert_eq!(answers.len(), expected.len(), "{name}");
        for ((q, page), eval) in questions.iter().zip(&answers).zip(&expected) {
            let verdict = if q.get("incident").is_some() {
                json!("incident")
            } else {
                eval["verdict"].clone()
            };
            assert_eq!(page["verdict"], verdict, "{name}: {q}");
            assert_eq!(
                page["incident"],
                eval["incident"]["id"].clone(),
                "{name}: {q}"
            );
            for key in ["referrals", "notifications", "sanctions"] {
                assert_eq!(
                    page[key].as_array().unwrap(),
                    &response_ids(eval, key),
                    "{name}: {key} of {q}"
                );
            }
            assert_eq!(page["route"], eval["route"]["id"].clone(), "{name}: {q}");
        }
    }
}

#[test]
#[ignore = "needs headless Chromium and the WebAssembly module: scripts/build-wasm, then cargo test -p esafety-cli --test interactive -- --ignored"]
fn a_deep_link_with_a_bad_name_says_what_eval_says() {
    let path = "policies/crockerne.policy";
    let dir = scratch("interactive-bad-name");
    let links = [
        "#ask?role=pupils&action=phones-in-lessons".to_owned(),
        "#ask?role=pupil&action=phones-in-lesson".to_owned(),
    ];
    let answers = follow(&dir, &interactive_page(path), &links);
    for (answer, (role, action)) in answers.iter().zip([
        ("pupils", "phones-in-lessons"),
        ("pupil", "phones-in-lesson"),
    ]) {
        let o = esafety(&["eval", "--policy", path, "--role", role, "--action", action]);
        assert_eq!(code(&o), 2);
        let message = stderr(&o);
        let message = message.trim().strip_prefix("esafety: ").unwrap();
        assert_eq!(answer["verdict"], "error");
        assert_eq!(answer["text"].as_str().unwrap(), message);
    }
}

#[test]
fn a_missing_module_is_a_clear_error() {
    let o = esafety(&[
        "render",
        "--interactive",
        "--wasm",
        "no-such-module.wasm",
        "policies/crockerne.policy",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("needs esafety's WebAssembly module")
            && stderr(&o).contains("scripts/build-wasm"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
}

/// The issue's budget for the module: under 1 MB (a million bytes, the
/// stricter reading).
const MODULE_BUDGET: usize = 1_000_000;

#[test]
#[ignore = "needs the WebAssembly module: scripts/build-wasm, then cargo test -p esafety-cli --test interactive -- --ignored"]
fn the_module_is_under_its_size_budget_and_is_what_the_page_holds() {
    let module = std::fs::read(root().join("target/esafety-wasm/esafety.wasm"))
        .expect("no module: run scripts/build-wasm first");
    assert!(module.starts_with(b"\0asm"));
    assert!(
        module.len() < MODULE_BUDGET,
        "the module is {} bytes; the budget is {MODULE_BUDGET}",
        module.len()
    );
    // The page carries this module, as base64, and nothing bigger.
    let page = interactive_page("policies/crockerne.policy");
    let start = page.find(r#"id="esafety-wasm">"#).unwrap() + r#"id="esafety-wasm">"#.len();
    let encoded = &page[start..start + page[start..].find('<').unwrap()];
    assert_eq!(encoded.len(), module.len().div_ceil(3) * 4);
}

/// Types into the editor (`#edit`): a misspelt role, then the fix, and
/// records the problems listed after each, as the page shows them.
const EDITOR_HARNESS: &str = r##"<!DOCTYPE html>
<html><head><meta charset="utf-8"></head><body>
<iframe id="page" src="page.html#edit" style="width:1200px;height:900px;border:0"></iframe>
<pre id="results"></pre>
<script>
const BAD = __BAD__;
const frame = document.getElementById('page');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const errors = (d) => ({
  listed: Array.from(d.querySelectorAll('#edit-diagnostics li.error'))
    .map((li) => ({ line: Number(li.dataset.line), code: li.dataset.code })),
  marked: Array.from(d.querySelectorAll('#edit-gutter span.error'))
    .map((s) => ({ line: Number(s.dataset.line), severity: s.className, text: s.textContent })),
  warned: Array.from(d.querySelectorAll('#edit-gutter span.warning')).map((s) => Number(s.dataset.line)),
});
frame.addEventListener('load', async () => {
  const out = {};
  try {
    const w = frame.contentWindow;
    await w.esafetyReady;
    const d = w.document;
    const text = d.getElementById('edit-text');
    await sleep(300);
    out.before = errors(d);
    const good = text.value;
    text.value = BAD;
    text.dispatchEvent(new Event('input'));
    await sleep(1000);
    out.bad = errors(d);
    text.value = good;
    text.dispatchEvent(new Event('input'));
    await sleep(1000);
    out.fixed = errors(d);
    out.rendered = d.getElementById('edit-page').srcdoc.includes('Use of mobile phones in lessons');
  } catch (e) { out.error = String(e); }
  document.getElementById('results').textContent = JSON.stringify(out);
});
</script></body></html>
"##;

#[test]
#[ignore = "needs headless Chromium and the WebAssembly module: scripts/build-wasm, then cargo test -p esafety-cli --test interactive -- --ignored"]
fn the_editor_shows_a_problem_at_its_line_within_a_second_and_clears_it() {
    let path = "policies/crockerne.policy";
    let dir = scratch("interactive-editor");
    std::fs::write(dir.join("page.html"), interactive_page(path)).unwrap();
    // A role misspelt in the cell under phones-in-lessons: E0201 there.
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let row = text.find("row phones-in-lessons").unwrap();
    let cell = row + text[row..].find("pupils: not allowed").unwrap();
    let line = text[..cell].matches('\n').count() as u64 + 1;
    let mut bad = text.clone();
    bad.replace_range(cell..cell + "pupils".len(), "pupills");
    let harness = EDITOR_HARNESS.replace("__BAD__", &serde_json::to_string(&bad).unwrap());
    std::fs::write(dir.join("harness.html"), harness).unwrap();
    let results = harness_results(&browser(), &dir, 20_000, &[]);
    // Warnings are marked in the margin at the lines `esafety check` gives
    // for the same text (today's date included: the review is overdue).
    let warned = warning_lines(&dir, &text);
    assert!(warned.contains(&28), "{warned:?}");
    let none = json!({"listed": [], "marked": [], "warned": warned});
    assert_eq!(results["before"], none);
    // Listed above the text, and marked at its line in the text's margin.
    assert_eq!(
        results["bad"],
        json!({
            "listed": [{"line": line, "code": "E0201"}],
            "marked": [{"line": line, "severity": "error", "text": line.to_string()}],
            "warned": warning_lines(&dir, &bad),
        })
    );
    assert_eq!(results["fixed"], none);
    assert_eq!(results["rendered"], true);
}

/// The lines `esafety check` gives a warning at, for `text`.
fn warning_lines(dir: &Path, text: &str) -> Vec<u64> {
    let file = dir.join("checked.policy");
    std::fs::write(&file, text).unwrap();
    let check = esafety(&["check", "--format", "json", file.to_str().unwrap()]);
    let json: Value = serde_json::from_str(&stdout(&check)).unwrap();
    let mut lines: Vec<u64> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "warning")
        .map(|d| d["location"]["line"].as_u64().unwrap())
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
}

/// Where a picture goes: `docs/screenshots/` when updating them
/// (`ESAFETY_UPDATE_SCREENSHOTS=1`), else the scratch folder.
fn picture(dir: &Path, name: &str) -> std::path::PathBuf {
    if std::env::var("ESAFETY_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        root().join("docs/screenshots").join(name)
    } else {
        dir.join(name)
    }
}

#[test]
#[ignore = "needs headless Chromium and the WebAssembly module: scripts/build-wasm, then cargo test -p esafety-cli --test interactive -- --ignored"]
fn photographs_of_the_ask_panel_and_the_editor() {
    let path = "policies/crockerne.policy";
    let dir = scratch("interactive-pictures");
    std::fs::write(dir.join("page.html"), interactive_page(path)).unwrap();
    let chromium = browser();
    let budget = ["--virtual-time-budget=5000".to_owned()];

    // The Ask panel, opened by a deep link, with its answer.
    let url = format!(
        "{}#ask?role=pupil&action=phones-in-lessons&at=2026-11-24T10:00",
        file_url(&dir.join("page.html"))
    );
    let out = picture(&dir, "ask-panel.png");
    let size = common::screenshot(&chromium, &dir, &url, &out, (1000, 1500), &budget);
    assert_eq!(size, (1000, 1500));

    // The editor with a problem, after a bad edit.
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let bad = text.replacen(
        "    pupils: not allowed\n    breach by pupil: mobile-device",
        "    pupills: not allowed\n    breach by pupil: mobile-device",
        1,
    );
    let harness = format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{{margin:0}}</style></head><body>
<iframe id="page" src="page.html#edit" style="width:1280px;height:1000px;border:0"></iframe>
<script>
const frame = document.getElementById('page');
frame.addEventListener('load', async () => {{
  const w = frame.contentWindow;
  await w.esafetyReady;
  const text = w.document.getElementById('edit-text');
  text.value = {};
  text.dispatchEvent(new Event('input'));
  setTimeout(() => {{
    const line = w.document.querySelector('#edit-diagnostics li.error');
    if (line) line.scrollIntoView();
    // The text scrolled to a few lines above the error, so that the mark
    // in the margin shows.
    const height = parseFloat(w.getComputedStyle(text).lineHeight);
    text.scrollTop = line ? height * (Number(line.dataset.line) - 8) : 0;
  }}, 600);
}});
</script></body></html>"#,
        serde_json::to_string(&bad).unwrap()
    );
    std::fs::write(dir.join("editor.html"), harness).unwrap();
    let out = picture(&dir, "editor.png");
    let size = common::screenshot(
        &chromium,
        &dir,
        &file_url(&dir.join("editor.html")),
        &out,
        (1280, 1000),
        &budget,
    );
    assert_eq!(size, (1280, 1000));
}

#[test]
#[ignore = "needs headless Chromium and the WebAssembly module: scripts/build-wasm, then cargo test -p esafety-cli --test interactive -- --ignored"]
fn the_ask_panel_fits_a_phone() {
    // 320 CSS pixels wide, as the narrowest phones are: nothing of the panel
    // or its answer is wider than the window.
    let dir = scratch("interactive-narrow");
    std::fs::write(
        dir.join("page.html"),
        interactive_page("policies/crockerne.policy"),
    )
    .unwrap();
    let harness = r#"<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<iframe id="page" src="page.html#ask?role=pupil&action=phones-in-lessons&at=2026-11-24T10:00" style="width:320px;height:800px;border:0"></iframe>
<pre id="results"></pre>
<script>
const frame = document.getElementById('page');
frame.addEventListener('load', async () => {
  const w = frame.contentWindow;
  await w.esafetyReady;
  const d = w.document;
  const wide = Array.from(d.querySelectorAll('#ask, #ask *'))
    .filter((e) => e.getBoundingClientRect().right > d.documentElement.clientWidth + 1)
    .map((e) => e.tagName + '#' + e.id);
  const labelled = Array.from(d.querySelectorAll('#ask select, #ask input'))
    .filter((e) => !e.labels || e.labels.length === 0).map((e) => e.id || e.name);
  document.getElementById('results').textContent = JSON.stringify({ wide, labelled, verdict: d.getElementById('answer').dataset.verdict });
});
</script></body></html>"#;
    std::fs::write(dir.join("harness.html"), harness).unwrap();
    let results = harness_results(&browser(), &dir, 5_000, &[]);
    assert_eq!(results["verdict"], "denied");
    assert_eq!(results["wide"], json!([]), "wider than a phone");
    assert_eq!(results["labelled"], json!([]), "controls without a label");
}
