//! `cargo bench -p esafety-bench`: decisions side by side with a hash-map
//! floor and with Cedar, check scaling, and the CLI as whole processes, in
//! one run. Writes `target/esafety-bench/summary.json` and prints a table.
//!
//! Timings are medians of many samples taken in this one process, so the
//! ratios between them hold even on a noisy machine.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a benchmark stops at the first surprise"
)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use esafety::{Policy, Query};
use esafety_bench::cedar::{self, Cedar};
use esafety_bench::check_floor::RowFloor;
use esafety_bench::reading::Reading;
use esafety_bench::rego::Rego;
use esafety_bench::{Floor, differential, generate, question_mix, readings, root, shipped};

thread_local! {
    /// Each timing's runs, by its summary field: the summary records their
    /// spread beside the median.
    static SPREAD: RefCell<BTreeMap<String, serde_json::Value>> = const { RefCell::new(BTreeMap::new()) };
}

/// Keeps `times` (sorted) as the spread of `field`, and returns the median.
fn record(field: &str, mut times: Vec<f64>) -> f64 {
    assert!(times.len() >= 5, "{field}: a median of at least 5 runs");
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let spread = serde_json::json!({
        "runs": times.len(),
        "min": times[0],
        "median": median,
        "max": times[times.len() - 1],
    });
    SPREAD.with(|s| s.borrow_mut().insert(field.to_owned(), spread));
    median
}

/// Median of per-item times, in nanoseconds, over `samples` passes of `run`
/// (each pass answering `items` questions), after a warm-up; recorded as
/// `field`.
fn median_ns(field: &str, samples: usize, items: usize, mut run: impl FnMut()) -> f64 {
    for _ in 0..3 {
        run();
    }
    let times: Vec<f64> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_nanos() as f64 / items as f64
        })
        .collect();
    record(field, times)
}

/// Median of `samples` runs, in milliseconds; recorded as `field`.
fn median_ms(field: &str, samples: usize, mut run: impl FnMut() -> Duration) -> f64 {
    let times: Vec<f64> = (0..samples).map(|_| run().as_secs_f64() * 1000.0).collect();
    record(field, times)
}

// --- check scaling ----------------------------------------------------------

/// Peak resident memory of this process so far, in MiB (Linux).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// In a child process: read, parse and check one file, then report the
/// time and this process's peak memory. A process of its own, so that the
/// peak is the check's alone.
fn measure_check(path: &str) {
    let start = Instant::now();
    let text = std::fs::read_to_string(path).unwrap();
    let checked = esafety::check(path, &text, &esafety::CheckOptions::default());
    assert!(!checked.has_errors());
    let elapsed = start.elapsed();
    println!(
        "{} {}",
        elapsed.as_secs_f64() * 1000.0,
        peak_rss_mb().unwrap_or(f64::NAN)
    );
}

struct Scaling {
    rows: usize,
    ms: f64,
    peak_mb: f64,
    /// The check's floor (`esafety_bench::check_floor`) on the same text.
    floor_ms: f64,
}

fn check_scaling(dir: &Path) -> Vec<Scaling> {
    let mut out = Vec::new();
    for (rows, samples) in [(1_000, 31), (10_000, 11), (100_000, 5)] {
        let text = generate(rows);
        let path = dir.join(format!("generated-{rows}.policy"));
        std::fs::write(&path, &text).unwrap();
        // Time in this process: parse and check of text already in memory.
        let ms = median_ms(&format!("check_{}k_rows_ms", rows / 1000), samples, || {
            let start = Instant::now();
            let checked = esafety::check(
                "generated.policy",
                black_box(&text),
                &esafety::CheckOptions::default(),
            );
            let elapsed = start.elapsed();
            assert!(!checked.has_errors());
            drop(checked);
            elapsed
        });
        // The least any checker does with the same text, timed alike: how
        // this machine's time per row grows, apart from esafety.
        let floor_ms = median_ms(
            &format!("check_floor_{}k_rows_ms", rows / 1000),
            samples,
            || {
                let start = Instant::now();
                let floor = RowFloor::index(black_box(&text));
                let elapsed = start.elapsed();
                assert_eq!(floor.rows.len(), rows);
                drop(floor);
                elapsed
            },
        );
        // Peak memory in a process that does nothing else.
        let output = Command::new(std::env::current_exe().unwrap())
            .args(["--measure-check", path.to_str().unwrap()])
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&output.stdout);
        let peak_mb = report
            .split_whitespace()
            .nth(1)
            .and_then(|m| m.parse().ok())
            .unwrap_or(f64::NAN);
        out.push(Scaling {
            rows,
            ms,
            peak_mb,
            floor_ms,
        });
    }
    out
}

// --- shapes: costs that must grow with the policy, not faster -------------

/// Median time, in milliseconds, of checking `text`, and of laying it out
/// and printing it as HTML (what `esafety render` does).
fn check_and_render_ms(field: &str, text: &str, samples: usize) -> (f64, f64) {
    let options = esafety::CheckOptions::default();
    let check = median_ms(&format!("{field}_check_ms"), samples, || {
        let start = Instant::now();
        let checked = esafety::check("shape.policy", black_box(text), &options);
        let elapsed = start.elapsed();
        assert!(!checked.has_errors());
        elapsed
    });
    let render = median_ms(&format!("{field}_render_ms"), samples, || {
        let start = Instant::now();
        let document =
            esafety::render::Document::from_text("shape.policy", black_box(text)).unwrap();
        black_box(document.to_html());
        start.elapsed()
    });
    (check, render)
}

/// One shape at two sizes ten times apart: the times, and how many times
/// longer the larger took (about 10 when linear).
struct Shape {
    name: &'static str,
    small: usize,
    check_ms: (f64, f64),
    render_ms: (f64, f64),
}

fn shapes() -> Vec<Shape> {
    type Generator = fn(usize) -> String;
    let cases: [(&str, Generator, usize); 3] = [
        ("role_chain", esafety_bench::shapes::role_chain, 5_000),
        (
            "cells_in_one_row",
            esafety_bench::shapes::cells_in_one_row,
            5_000,
        ),
        (
            "incident_per_row",
            esafety_bench::shapes::incident_per_row,
            // 100,000 rows with an incident each would pass the 16 MiB
            // file limit.
            5_000,
        ),
    ];
    cases
        .into_iter()
        .map(|(name, generate, small)| {
            let (check_small, render_small) =
                check_and_render_ms(&format!("{name}_small"), &generate(small), 5);
            let (check_large, render_large) =
                check_and_render_ms(&format!("{name}_large"), &generate(small * 10), 5);
            Shape {
                name,
                small,
                check_ms: (check_small, check_large),
                render_ms: (render_small, render_large),
            }
        })
        .collect()
}

// --- CLI --------------------------------------------------------------------

/// The release `esafety` binary, built if needed.
fn esafety_binary() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    let binary = target.join("release/esafety");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "-q", "-p", "esafety-cli"])
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success(), "cannot build the esafety binary");
    binary
}

fn cli_wall_ms(field: &str, binary: &Path, args: &[&str]) -> f64 {
    let run = || {
        let start = Instant::now();
        let output = Command::new(binary)
            .args(args)
            .current_dir(root())
            .output()
            .unwrap();
        let elapsed = start.elapsed();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        elapsed
    };
    run();
    median_ms(field, 21, run)
}

// --- main -------------------------------------------------------------------

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--measure-check") {
        measure_check(&args[i + 1]);
        return;
    }

    let policies = shipped();
    let mix = question_mix(&policies);
    let floor = Floor::build(&policies, &mix);
    let n = mix.len();

    // Decisions: esafety and the floor over the same mix, side by side.
    let queries: Vec<(&Policy, &Query)> = mix
        .iter()
        .map(|q| (&policies[q.policy].1, &q.query))
        .collect();
    let decide_ns = median_ns("decide_ns", 101, n, || {
        for (policy, query) in &queries {
            black_box(policy.decide(black_box(query)).ok());
        }
    });
    let floor_ns = median_ns("floor_ns", 101, n, || {
        for q in &mix {
            black_box(floor.answer(black_box(q)));
        }
    });

    // Cedar and Rego, translated from the independent reading; every
    // question of the differential test compared before any timing, then
    // the three engines timed on those questions (every one with a time and
    // both facts).
    let readings = readings(&policies);
    let cedar = Cedar::build(&readings);
    let mut rego = Rego::build(&readings);
    let full: Vec<_> = readings
        .iter()
        .enumerate()
        .flat_map(|(i, r)| differential::questions(i, r))
        .collect();
    let disagreements = differential::disagreements(&policies, &readings, &cedar, &mut rego, &full);
    let answers_agree = disagreements.is_empty();
    if let Some(first) = disagreements.first() {
        eprintln!(
            "esafety, Cedar and Rego disagree on {} questions, e.g. {first}",
            disagreements.len()
        );
    }
    let cedar_rules = cedar.policy_count();
    let requests: Vec<_> = full
        .iter()
        .map(|q| (q.policy, cedar.request(&readings[q.policy], q)))
        .collect();
    let inputs: Vec<_> = full
        .iter()
        .map(|q| (q.policy, Rego::input(&readings[q.policy], q)))
        .collect();
    let full_queries: Vec<(&Policy, Query)> = full
        .iter()
        .map(|q| (&policies[q.policy].1, differential::query(q)))
        .collect();
    let full_n = full.len();
    let decide_full_ns = median_ns("decide_full_ns", 11, full_n, || {
        for (policy, query) in &full_queries {
            black_box(policy.decide(black_box(query)).ok());
        }
    });
    let cedar_ns = median_ns("cedar_ns", 5, full_n, || {
        for (policy, request) in &requests {
            black_box(cedar.allows(*policy, black_box(request)));
        }
    });
    let rego_ns = median_ns("rego_ns", 5, full_n, || {
        for (policy, input) in &inputs {
            black_box(rego.allows(*policy, black_box(input)));
        }
    });
    // Cedar's parse + validate of the 10k-row generated policy, translated,
    // against esafety's parse + check of the same text.
    let text_10k = generate(10_000);
    let (schema_10k, policies_10k) = cedar::translate(&Reading::of(&text_10k));
    let cedar_parse_10k_ms = median_ms("cedar_parse_10k_ms", 5, || {
        let start = Instant::now();
        black_box(cedar::parse_and_validate(&schema_10k, &policies_10k));
        start.elapsed()
    });
    let cedar_policies_10k = cedar::parse_and_validate(&schema_10k, &policies_10k)
        .1
        .policies()
        .count();

    // Decisions with an explanation, for reference.
    let explained: Vec<(&Policy, Query)> = mix
        .iter()
        .map(|q| (&policies[q.policy].1, q.query.clone().explain(true)))
        .collect();
    let explained_ns = median_ns("decide_explained_ns", 21, n, || {
        for (policy, query) in &explained {
            black_box(policy.decide(black_box(query)).ok());
        }
    });

    let out_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root().join("target"), PathBuf::from)
        .join("esafety-bench");
    std::fs::create_dir_all(&out_dir).unwrap();
    let scaling = check_scaling(&out_dir);
    let (check_100k_ms, render_100k_ms) =
        check_and_render_ms("generated_100k", &generate(100_000), 5);
    let shapes = shapes();
    let binary = esafety_binary();
    let cli_check_ms = cli_wall_ms(
        "cli_check_policies_ms",
        &binary,
        &["check", "policies/", "--today", "2026-01-01"],
    );
    let cli_eval_ms = cli_wall_ms(
        "cli_eval_ms",
        &binary,
        &[
            "eval",
            "--policy",
            "policies/crockerne.policy",
            "--role",
            "pupil",
            "--action",
            "Use of mobile phones in lessons",
        ],
    );
    // diff: each shipped policy against a copy with its indentation and
    // comments gone and its blank lines doubled (no difference in meaning),
    // as whole processes; and the 10k-row policy against a copy with every
    // "allowed with staff permission" cell for pupils made "not allowed".
    let mut cli_diff_ms = Vec::new();
    for name in ["crockerne", "st-botolphs"] {
        let original = format!("policies/{name}.policy");
        let text = std::fs::read_to_string(root().join(&original)).unwrap();
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
        let path = out_dir.join(format!("{name}-reformatted.policy"));
        std::fs::write(&path, copy).unwrap();
        let field = format!("cli_diff_{}_ms", name.replace('-', "_"));
        let ms = cli_wall_ms(
            &field,
            &binary,
            &["diff", &original, path.to_str().unwrap()],
        );
        cli_diff_ms.push((field, ms));
    }
    let text_10k = generate(10_000);
    let changed_10k = text_10k.replace(
        "    pupils: allowed with staff permission",
        "    pupils: not allowed",
    );
    let old_10k = Policy::parse("generated.policy", &text_10k).unwrap();
    let new_10k = Policy::parse("changed.policy", &changed_10k).unwrap();
    let mut differences_10k = 0;
    let diff_10k_ms = median_ms("diff_10k_rows_ms", 5, || {
        let start = Instant::now();
        let d = esafety::diff::diff(black_box(&old_10k), black_box(&new_10k));
        let elapsed = start.elapsed();
        differences_10k = d.len();
        elapsed
    });
    assert!(differences_10k > 0);

    let by_rows = |rows: usize| scaling.iter().find(|s| s.rows == rows).unwrap();
    let mut summary: BTreeMap<&str, serde_json::Value> = BTreeMap::new();
    let mut summary_owned: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    summary.insert("questions", n.into());
    summary.insert("cedar_policies", cedar_rules.into());
    summary.insert("decide_ns", decide_ns.into());
    summary.insert("decide_explained_ns", explained_ns.into());
    summary.insert("floor_ns", floor_ns.into());
    summary.insert("cedar_ns", cedar_ns.into());
    summary.insert("cedar_over_decide", (cedar_ns / decide_ns).into());
    summary.insert("decide_full_ns", decide_full_ns.into());
    summary.insert(
        "cedar_over_decide_same_questions",
        (cedar_ns / decide_full_ns).into(),
    );
    summary.insert("rego_ns", rego_ns.into());
    summary.insert("rego_over_decide", (rego_ns / decide_ns).into());
    summary.insert(
        "rego_over_decide_same_questions",
        (rego_ns / decide_full_ns).into(),
    );
    summary.insert("differential_questions", full_n.into());
    summary.insert("cedar_parse_10k_ms", cedar_parse_10k_ms.into());
    summary.insert("cedar_policies_10k", cedar_policies_10k.into());
    summary.insert("decide_over_floor", (decide_ns / floor_ns).into());
    summary.insert("answers_agree", answers_agree.into());
    summary.insert("check_1k_rows_ms", by_rows(1_000).ms.into());
    summary.insert("check_10k_rows_ms", by_rows(10_000).ms.into());
    summary.insert("check_100k_rows_ms", by_rows(100_000).ms.into());
    summary.insert("check_1k_rows_peak_mb", by_rows(1_000).peak_mb.into());
    summary.insert("check_10k_rows_peak_mb", by_rows(10_000).peak_mb.into());
    summary.insert("check_100k_rows_peak_mb", by_rows(100_000).peak_mb.into());
    summary.insert(
        "check_10k_over_1k",
        (by_rows(10_000).ms / by_rows(1_000).ms).into(),
    );
    summary.insert(
        "check_100k_over_10k",
        (by_rows(100_000).ms / by_rows(10_000).ms).into(),
    );
    summary.insert("check_floor_10k_rows_ms", by_rows(10_000).floor_ms.into());
    summary.insert("check_floor_100k_rows_ms", by_rows(100_000).floor_ms.into());
    summary.insert(
        "check_floor_100k_over_10k",
        (by_rows(100_000).floor_ms / by_rows(10_000).floor_ms).into(),
    );
    summary.insert("render_100k_rows_ms", render_100k_ms.into());
    summary.insert(
        "render_over_check_100k_rows",
        (render_100k_ms / check_100k_ms).into(),
    );
    for shape in &shapes {
        let key = |what: &str| format!("{}_{what}", shape.name);
        summary_owned.insert(
            key("check_growth_10x"),
            (shape.check_ms.1 / shape.check_ms.0).into(),
        );
        summary_owned.insert(
            key("render_growth_10x"),
            (shape.render_ms.1 / shape.render_ms.0).into(),
        );
        summary_owned.insert(key("check_large_ms"), shape.check_ms.1.into());
        summary_owned.insert(key("render_large_ms"), shape.render_ms.1.into());
    }
    summary.insert("cli_check_policies_ms", cli_check_ms.into());
    summary.insert("cli_eval_ms", cli_eval_ms.into());
    for (field, ms) in &cli_diff_ms {
        summary_owned.insert(field.clone(), (*ms).into());
    }
    summary.insert("diff_10k_rows_ms", diff_10k_ms.into());
    summary.insert("diff_10k_rows_differences", differences_10k.into());
    let mut all: BTreeMap<String, serde_json::Value> = summary
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    all.extend(summary_owned);
    all.insert(
        "spread".to_owned(),
        SPREAD.with(|s| serde_json::Value::Object(s.borrow().clone().into_iter().collect())),
    );
    let json = serde_json::to_string_pretty(&all).unwrap();
    std::fs::write(out_dir.join("summary.json"), format!("{json}\n")).unwrap();

    println!(
        "esafety benchmark: {n} questions over both shipped policies ({cedar_rules} Cedar policies)"
    );
    println!();
    println!("| measure | value | target |");
    println!("| --- | ---: | --- |");
    println!("| decide, no explanation | {decide_ns:.0} ns | |");
    println!("| decide, with explanation | {explained_ns:.0} ns | |");
    println!("| floor (IndexMap look-up) | {floor_ns:.0} ns | |");
    println!("| decide, {full_n} differential questions | {decide_full_ns:.0} ns | |");
    println!("| cedar is_authorized, same questions | {cedar_ns:.0} ns | |");
    println!("| rego (regorus) eval, same questions | {rego_ns:.0} ns | |");
    println!("| rego / decide (mix) | {:.1}× | |", rego_ns / decide_ns);
    println!(
        "| cedar / decide (mix) | {:.1}× | ≥ 20× |",
        cedar_ns / decide_ns
    );
    println!(
        "| cedar / decide (same questions) | {:.1}× | |",
        cedar_ns / decide_full_ns
    );
    println!(
        "| cedar parse + validate, 10k rows ({cedar_policies_10k} policies) | {cedar_parse_10k_ms:.1} ms | > esafety check |"
    );
    println!("| decide / floor | {:.1}× | ≤ 5× |", decide_ns / floor_ns);
    println!("| answers agree: esafety, Cedar, Rego | {answers_agree} | true |");
    for s in &scaling {
        println!(
            "| parse + check, {} rows | {:.1} ms, peak {:.0} MB | |",
            s.rows, s.ms, s.peak_mb
        );
    }
    println!(
        "| 10k / 1k rows | {:.1}× | ~10× |",
        by_rows(10_000).ms / by_rows(1_000).ms
    );
    println!(
        "| 100k / 10k rows | {:.1}× | ~10× |",
        by_rows(100_000).ms / by_rows(10_000).ms
    );
    println!(
        "| floor (rows read and indexed, nothing checked), 100k / 10k rows | {:.1}× ({:.1} → {:.1} ms) | |",
        by_rows(100_000).floor_ms / by_rows(10_000).floor_ms,
        by_rows(10_000).floor_ms,
        by_rows(100_000).floor_ms
    );
    println!(
        "| render (HTML), 100k rows | {render_100k_ms:.1} ms, {:.2}× check | < 2× |",
        render_100k_ms / check_100k_ms
    );
    for shape in &shapes {
        println!(
            "| {} at {} and {}: check {:.1} → {:.1} ms ({:.1}×), render {:.1} → {:.1} ms ({:.1}×) | | ~10× |",
            shape.name,
            shape.small,
            shape.small * 10,
            shape.check_ms.0,
            shape.check_ms.1,
            shape.check_ms.1 / shape.check_ms.0,
            shape.render_ms.0,
            shape.render_ms.1,
            shape.render_ms.1 / shape.render_ms.0,
        );
    }
    println!("| `esafety check policies/` | {cli_check_ms:.1} ms | < 20 ms |");
    println!("| one `esafety eval` | {cli_eval_ms:.1} ms | |");
    for (field, ms) in &cli_diff_ms {
        println!("| `{field}` (a shipped policy and a reformatted copy) | {ms:.1} ms | < 100 ms |");
    }
    println!(
        "| diff, 10k-row policy and a copy ({differences_10k} differences) | {diff_10k_ms:.1} ms | |"
    );
    println!();
    println!("wrote {}", out_dir.join("summary.json").display());
    assert!(
        answers_agree,
        "esafety, Cedar and Rego must agree before their times mean anything"
    );
}
