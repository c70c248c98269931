//! Helpers shared by the tests that run the `esafety` binary.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs `esafety` from the repository root, so paths in output are stable.
pub fn esafety(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_esafety"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

pub fn esafety_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_esafety"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

/// A scratch directory for files a test writes.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("esafety-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every label of a policy, read from the compiled policy (not from a
/// renderer): table rows, devices, incidents, and each route's title and
/// steps.
pub fn labels(path: &str) -> Vec<String> {
    let policy = esafety::Policy::from_file(root().join(path)).unwrap();
    let mut labels: Vec<String> = policy
        .tables()
        .iter()
        .flat_map(|t| t.rows.iter().map(|r| r.label.to_string()))
        .collect();
    labels.extend(policy.devices().map(|d| d.label.to_string()));
    labels.extend(policy.incidents().map(|i| i.label.to_string()));
    for route in policy.routes() {
        labels.push(route.label.to_string());
        labels.extend(route.steps.iter().map(|s| s.text.to_string()));
    }
    labels
}

/// The 1-based line of the first line of `path` (from the repository root)
/// that contains `needle`, after the first line that contains `after`:
/// where a test expects a diagnostic or a rule to point, read from the file
/// itself rather than written down as a number that goes stale.
pub fn line_of(path: &str, after: &str, needle: &str) -> u32 {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let start = text
        .lines()
        .position(|l| l.contains(after))
        .unwrap_or_else(|| panic!("{path}: no line contains {after:?}"));
    let offset = text
        .lines()
        .skip(start)
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{path}: no line after {after:?} contains {needle:?}"));
    u32::try_from(start + offset + 1).unwrap()
}

/// A shipped policy with every line's indentation taken away: what `fmt`
/// must lay out again.
pub fn flattened(path: &str) -> String {
    std::fs::read_to_string(root().join(path))
        .unwrap()
        .lines()
        .map(|l| format!("{}\n", l.trim_start()))
        .collect()
}

// --- headless Chromium, for the tests that lay pages out in a browser ------

pub fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ESAFETY_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let paths = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&paths).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Chromium; a test that needs it fails, saying how to get it, when there
/// is none.
pub fn browser() -> PathBuf {
    chromium().unwrap_or_else(|| {
        panic!(
            "no Chromium was found: install it (Debian: apt-get install chromium) or set ESAFETY_CHROMIUM to its path"
        )
    })
}

/// Runs headless Chromium with the flags a sandboxed, offline machine needs,
/// and a profile of its own.
pub fn run_chromium(chromium: &Path, dir: &Path, args: &[String], url: &str) -> String {
    let profile = dir.join(format!("profile-{}", args.len()));
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--allow-file-access-from-files",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

pub fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

/// Photographs `url` in a window of `size` (width, height) into the PNG
/// `out`, and returns the picture's size, read from the file.
pub fn screenshot(
    chromium: &Path,
    dir: &Path,
    url: &str,
    out: &Path,
    size: (u32, u32),
    more: &[String],
) -> (u32, u32) {
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let mut args = vec![
        format!("--window-size={},{}", size.0, size.1),
        format!("--screenshot={}", out.display()),
    ];
    args.extend(more.iter().cloned());
    run_chromium(chromium, dir, &args, url);
    let png = std::fs::read(out).unwrap();
    assert!(png.len() > 10_000, "an empty picture: {}", out.display());
    // The signature, then the IHDR chunk: width and height, big-endian.
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&png[12..16], b"IHDR");
    let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

/// Runs `dir/harness.html` in Chromium with a virtual-time budget and reads
/// back the JSON the harness wrote into its `<pre id="results">`.
pub fn harness_results(
    chromium: &Path,
    dir: &Path,
    budget_ms: u32,
    more: &[String],
) -> serde_json::Value {
    let mut args = vec![
        format!("--virtual-time-budget={budget_ms}"),
        "--dump-dom".to_owned(),
    ];
    args.extend(more.iter().cloned());
    let dom = run_chromium(chromium, dir, &args, &file_url(&dir.join("harness.html")));
    let start = dom
        .find("<pre id=\"results\">")
        .expect("no results in the DOM")
        + 18;
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    let results: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert!(
        results.get("error").is_none(),
        "the harness failed: {results}"
    );
    results
}
