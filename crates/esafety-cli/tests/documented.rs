//! Every command the documentation shows is run, and every output it shows
//! is compared with what the real binary prints, so the docs cannot drift.
//!
//! In `README.md` and `docs/*.md`:
//!
//! * each line of a ```` ```sh ```` block that runs `esafety` (or `cargo run
//!   -q -p esafety-cli --`) is run in a scratch copy of the repository's
//!   `policies/` and `tests/`, and must exit 0; other programs (`cargo test`,
//!   `valgrind`, …) must be in [`NOT_RUN_HERE`], which says why;
//! * an HTML comment `<!-- doctest … -->` just before a code block says how
//!   to produce the output the block shows (before a `sh` block, how to
//!   prepare for its commands), one directive a line:
//!
//!   ```text
//!   write policies/example.policy <- policy   the nearest block above whose
//!                                             info string starts `policy`
//!   copy policies/a.policy => policies/b.policy
//!   edit FILE: "OLD" => "NEW"                 OLD (\n for a line break) must
//!                                             occur exactly once
//!   run: esafety check policies/example.policy
//!   exit: 1                                   (default 0)
//!   stream: stderr                            (default stdout)
//!   shows: all | part | json                  (default part)
//!   ```
//!
//!   `all`: the block is the whole output. `part`: its lines appear together
//!   in the output, where `…` on a line of its own stands for any lines, and
//!   within a line for any text. `json`: every value the block shows is in
//!   the output at the same place (objects may have more keys, arrays more
//!   elements; `…` in a string stands for any text).
//!
//! `esafety check` is run as on [`TODAY`], the day the docs' outputs were
//! taken, so that the review-date warning reads the same every day.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::root;
use serde_json::Value;

/// The date `esafety check` is run as.
const TODAY: &str = "2026-12-01";

/// Programs the docs show that this test does not run, and why.
const NOT_RUN_HERE: &[(&str, &str)] = &[
    ("cargo test", "the test suite itself, which runs this test"),
    (
        "cargo bench",
        "the benchmarks: minutes of timing, run by hand (docs/performance.md)",
    ),
    (
        "cargo build --release -p esafety-bench",
        "builds the profiling tool of docs/performance.md",
    ),
    (
        "cargo run --release -p esafety-bench",
        "writes a generated policy for profiling (docs/performance.md)",
    ),
    ("valgrind", "a profiler, run by hand"),
    ("perf", "a profiler, run by hand"),
    ("./.ci/run", "what CI runs, this test among it"),
];

struct Block {
    /// The info string's first word (`sh`, `text`, `policy`, …).
    lang: String,
    text: String,
    /// 1-based line of the opening fence.
    line: usize,
    /// The doctest comment just before it, if any.
    doctest: Option<String>,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(info) = lines[i].strip_prefix("```") else {
            i += 1;
            continue;
        };
        let lang = info.split_whitespace().next().unwrap_or("").to_owned();
        let start = i;
        let mut body = Vec::new();
        i += 1;
        while i < lines.len() && !lines[i].starts_with("```") {
            body.push(lines[i]);
            i += 1;
        }
        // A doctest comment ends on the line before the fence.
        let mut doctest = None;
        if start > 0 && lines[start - 1].trim_end().ends_with("-->") {
            let mut j = start - 1;
            while j > 0 && !lines[j].trim_start().starts_with("<!-- doctest") {
                j -= 1;
            }
            if lines[j].trim_start().starts_with("<!-- doctest") {
                let inner: Vec<&str> = lines[j..start].to_vec();
                doctest = Some(inner.join("\n"));
            }
        }
        out.push(Block {
            lang,
            text: body.iter().map(|l| format!("{l}\n")).collect(),
            line: start + 1,
            doctest,
        });
        i += 1;
    }
    out
}

/// A scratch copy of the repository's policies and test fixtures.
fn sandbox(name: &str) -> PathBuf {
    let dir = common::scratch(&format!("doc-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    for part in ["policies", "tests"] {
        copy_dir(&root().join(part), &dir.join(part));
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Splits a command line into words, with single and double quotes.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            (None, c) => word.push(c),
        }
    }
    if any || !word.is_empty() {
        out.push(word);
    }
    out
}

/// The esafety arguments of a command line, or `None` if it runs another
/// program.
fn esafety_args(command: &str) -> Option<Vec<String>> {
    let command = command.trim();
    let rest = command
        .strip_prefix("cargo run -q -p esafety-cli --")
        .or_else(|| command.strip_prefix("esafety "))?;
    let mut args = words(rest);
    if args.first().is_some_and(|a| a == "check") && !args.iter().any(|a| a.starts_with("--today"))
    {
        args.push(format!("--today={TODAY}"));
    }
    Some(args)
}

fn run(dir: &Path, args: &[String]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_esafety"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Whether the `expected` lines appear together in `actual`, with `…`
/// standing for any lines (alone on a line) or any text (within one).
fn shows_part(expected: &str, actual: &str) -> bool {
    let want: Vec<&str> = expected.lines().collect();
    let have: Vec<&str> = actual.lines().collect();
    (0..=have.len()).any(|start| lines_match(&want, &have[start..]))
}

fn lines_match(want: &[&str], have: &[&str]) -> bool {
    match want.split_first() {
        None => true,
        Some((first, rest)) if first.trim() == "…" => {
            (0..=have.len()).any(|skip| lines_match(rest, &have[skip..]))
        }
        Some((first, rest)) => {
            have.first().is_some_and(|line| text_matches(first, line))
                && lines_match(rest, &have[1..])
        }
    }
}

/// Whether `have` is `want` with each `…` of `want` standing for any text.
fn text_matches(want: &str, have: &str) -> bool {
    let parts: Vec<&str> = want.split('…').collect();
    if parts.len() == 1 {
        return want == have;
    }
    let mut rest = have;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

/// Whether every value `want` shows is in `have` at the same place.
fn json_contains(want: &Value, have: &Value) -> bool {
    match (want, have) {
        (Value::Object(w), Value::Object(h)) => w
            .iter()
            .all(|(k, v)| h.get(k).is_some_and(|hv| json_contains(v, hv))),
        (Value::Array(w), Value::Array(h)) => {
            // In order, each shown element matching a later real one.
            let mut from = 0;
            w.iter().all(|wv| {
                let found = h[from..].iter().position(|hv| json_contains(wv, hv));
                found.is_some_and(|at| {
                    from += at + 1;
                    true
                })
            })
        }
        (Value::String(w), Value::String(h)) => text_matches(w, h),
        _ => want == have,
    }
}

struct Doctest {
    writes: Vec<(String, String)>,
    edits: Vec<(String, String, String)>,
    /// Files copied before the edits, so that an edit can make a second
    /// version of a policy.
    copies: Vec<(String, String)>,
    run: String,
    exit: i32,
    stderr: bool,
    shows: String,
}

fn parse_doctest(comment: &str, earlier: &[Block], at: &str, needs_run: bool) -> Doctest {
    let mut d = Doctest {
        writes: Vec::new(),
        edits: Vec::new(),
        copies: Vec::new(),
        run: String::new(),
        exit: 0,
        stderr: false,
        shows: "part".to_owned(),
    };
    let unescape = |s: &str| s.replace("\\n", "\n").replace("\\\"", "\"");
    for line in comment.lines() {
        let line = line
            .trim()
            .trim_start_matches("<!-- doctest")
            .trim_end_matches("-->")
            .trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("copy ") {
            let (from, to) = rest
                .split_once(" => ")
                .unwrap_or_else(|| panic!("{at}: {line}"));
            d.copies
                .push((from.trim().to_owned(), to.trim().to_owned()));
        } else if let Some(rest) = line.strip_prefix("write ") {
            let (file, lang) = rest
                .split_once(" <- ")
                .unwrap_or_else(|| panic!("{at}: {line}"));
            let block = earlier
                .iter()
                .rev()
                .find(|b| b.lang == lang.trim())
                .unwrap_or_else(|| panic!("{at}: no `{lang}` block above to write"));
            d.writes.push((file.trim().to_owned(), block.text.clone()));
        } else if let Some(rest) = line.strip_prefix("edit ") {
            let (file, change) = rest
                .split_once(": ")
                .unwrap_or_else(|| panic!("{at}: {line}"));
            let (old, new) = change
                .split_once("\" => \"")
                .unwrap_or_else(|| panic!("{at}: {line}"));
            // Only the quotes go: the text inside keeps its indentation.
            let old = old.trim_start().strip_prefix('"').unwrap_or(old);
            let new = new.trim_end().strip_suffix('"').unwrap_or(new);
            d.edits
                .push((file.trim().to_owned(), unescape(old), unescape(new)));
        } else if let Some(rest) = line.strip_prefix("run: ") {
            rest.trim().clone_into(&mut d.run);
        } else if let Some(rest) = line.strip_prefix("exit: ") {
            d.exit = rest.trim().parse().unwrap();
        } else if let Some(rest) = line.strip_prefix("stream: ") {
            d.stderr = rest.trim() == "stderr";
        } else if let Some(rest) = line.strip_prefix("shows: ") {
            rest.trim().clone_into(&mut d.shows);
        } else {
            panic!("{at}: a doctest line esafety's docs test does not know: {line}");
        }
    }
    assert!(
        !needs_run || !d.run.is_empty(),
        "{at}: a doctest before an output block needs `run:`"
    );
    d
}

fn prepare(dir: &Path, d: &Doctest, at: &str) {
    for (from, to) in &d.copies {
        std::fs::copy(dir.join(from), dir.join(to)).unwrap_or_else(|e| panic!("{at}: {from}: {e}"));
    }
    for (file, text) in &d.writes {
        std::fs::write(dir.join(file), text).unwrap();
    }
    for (file, old, new) in &d.edits {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{at}: {file}: {e}"));
        assert_eq!(
            text.matches(old.as_str()).count(),
            1,
            "{at}: the text to edit must occur once in {file}: {old:?}"
        );
        std::fs::write(&path, text.replacen(old.as_str(), new, 1)).unwrap();
    }
}

fn documents() -> Vec<PathBuf> {
    let mut docs = vec![root().join("README.md")];
    let mut more: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    more.sort();
    docs.extend(more);
    docs
}

#[test]
fn every_documented_command_runs_and_prints_what_the_docs_show() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for doc in documents() {
        let name = doc.strip_prefix(root()).unwrap().display().to_string();
        let markdown = std::fs::read_to_string(&doc).unwrap();
        let all = blocks(&markdown);
        for (i, block) in all.iter().enumerate() {
            let at = format!("{name}:{}", block.line);
            if block.lang == "sh" {
                // Each command of a shell block, in a sandbox prepared as a
                // doctest before the block says (files written, edits made).
                let setup = block
                    .doctest
                    .as_ref()
                    .map(|c| parse_doctest(c, &all[..i], &at, false));
                for command in block.text.lines().flat_map(|l| l.split("&&")) {
                    let command = command.trim();
                    if command.is_empty() || command.starts_with('#') {
                        continue;
                    }
                    match esafety_args(command) {
                        Some(args) => {
                            let dir =
                                sandbox(&format!("{}-{}", name.replace('/', "-"), block.line));
                            let exit = setup.as_ref().map_or(0, |d| d.exit);
                            if let Some(d) = &setup {
                                prepare(&dir, d, &at);
                            }
                            let o = run(&dir, &args);
                            checked += 1;
                            if o.status.code() != Some(exit) {
                                failures.push(format!(
                                    "{at}: `{command}` exited {:?}, the docs say {exit}\n{}",
                                    o.status.code(),
                                    String::from_utf8_lossy(&o.stderr)
                                ));
                            }
                        }
                        None => assert!(
                            NOT_RUN_HERE.iter().any(|(p, _)| command.starts_with(p)),
                            "{at}: `{command}` is neither run by this test nor listed in NOT_RUN_HERE"
                        ),
                    }
                }
            } else if let Some(comment) = &block.doctest {
                let d = parse_doctest(comment, &all[..i], &at, true);
                let dir = sandbox(&format!("{}-{}", name.replace('/', "-"), block.line));
                prepare(&dir, &d, &at);
                let args = esafety_args(&d.run)
                    .unwrap_or_else(|| panic!("{at}: `run:` must run esafety: {}", d.run));
                let o = run(&dir, &args);
                let out = String::from_utf8_lossy(if d.stderr { &o.stderr } else { &o.stdout })
                    .into_owned();
                checked += 1;
                if o.status.code() != Some(d.exit) {
                    failures.push(format!(
                        "{at}: `{}` exited {:?}, the docs say {}\n{}{}",
                        d.run,
                        o.status.code(),
                        d.exit,
                        String::from_utf8_lossy(&o.stdout),
                        String::from_utf8_lossy(&o.stderr)
                    ));
                    continue;
                }
                let shown = match d.shows.as_str() {
                    "all" => block.text == out,
                    "part" => shows_part(&block.text, &out),
                    "json" => {
                        let want: Value = serde_json::from_str(&block.text)
                            .unwrap_or_else(|e| panic!("{at}: the block is not JSON: {e}"));
                        out.lines()
                            .filter(|l| !l.trim().is_empty())
                            .map(serde_json::from_str::<Value>)
                            .chain(std::iter::once(serde_json::from_str::<Value>(&out)))
                            .filter_map(Result::ok)
                            .any(|have| json_contains(&want, &have))
                    }
                    other => panic!("{at}: unknown `shows: {other}`"),
                };
                if !shown {
                    failures.push(format!(
                        "{at}: `{}` no longer prints what the docs show.\n--- the docs show:\n{}--- it prints:\n{out}",
                        d.run, block.text
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        checked > 20,
        "only {checked} documented commands were found"
    );
}

#[test]
fn the_matching_rules_work() {
    assert!(shows_part("b\nc\n", "a\nb\nc\nd\n"));
    assert!(!shows_part("b\nd\n", "a\nb\nc\nd\n"));
    assert!(shows_part("a\n…\nd\n", "a\nb\nc\nd\n"));
    assert!(shows_part("rule  x:…  row\n", "rule  x:222  row\n"));
    assert!(!shows_part("rule  x:…  row\n", "rule  y:222  row\n"));
    let have: Value = serde_json::json!({"a": 1, "b": [1, 2, 3], "c": "long text"});
    assert!(json_contains(
        &serde_json::json!({"b": [1, 3], "c": "long…"}),
        &have
    ));
    assert!(!json_contains(&serde_json::json!({"b": [3, 1]}), &have));
    assert!(!json_contains(&serde_json::json!({"d": 1}), &have));
    assert_eq!(
        words(r#"eval --action "Use of blogs" --x 'a b'"#),
        ["eval", "--action", "Use of blogs", "--x", "a b"]
    );
}
