//! The rendered page in a real browser: headless Chromium lays it out, and a
//! small harness page measures what a reader would get (every label shown,
//! nothing wider than the window, headers on every table, links that land,
//! flowchart text inside its boxes, no label turned into markup).
//!
//! Chromium is found as `$ESAFETY_CHROMIUM`, or `chromium`,
//! `chromium-browser` or `google-chrome` on the `PATH` (Debian: `apt-get
//! install chromium`). The tests need it, so a plain `cargo test` lists
//! them as ignored rather than passing them without running; run them with
//! `cargo test -p esafety-cli --test browser -- --ignored` (as `.ci/run`
//! does). Run so, without a Chromium they fail.
//!
//! Each page is also photographed whole (`chromium --screenshot`), and the
//! picture checked to be the page's full size; `ESAFETY_UPDATE_SCREENSHOTS=1`
//! keeps those pictures in `docs/screenshots/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

use common::{
    browser, code, esafety, file_url, harness_results, labels, root, scratch, stderr, stdout,
};
use serde_json::Value;

/// The window the page is measured in: a laptop screen.
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 900;

/// What the harness measures in the page once it has loaded.
const HARNESS: &str = r##"<!DOCTYPE html>
<html><head><meta charset="utf-8"></head><body>
<iframe id="page" src="page.html" style="width:WIDTHpx;height:HEIGHTpx;border:0"></iframe>
<pre id="results"></pre>
<script>
const frame = document.getElementById('page');
frame.addEventListener('load', () => {
  const out = {};
  try {
    const d = frame.contentDocument;
    const all = (q) => Array.from(d.querySelectorAll(q));
    out.title = d.title;
    out.live = all('script, img, iframe, object, embed, link, b, i').length;
    out.text = d.body.innerText;
    out.pageOverflow = d.documentElement.scrollWidth - d.documentElement.clientWidth;
    out.scrollHeight = d.documentElement.scrollHeight;
    out.tables = all('table').length;
    out.tablesWithoutCaption = all('table').filter(t => !t.caption || !t.caption.textContent.trim()).length;
    out.headersWithoutScope = all('th:not([scope])').length;
    out.rowsWithoutHeader = all('tbody tr').filter(r => !r.querySelector('th[scope=row]')).length;
    out.overflowingTables = all('.scroll').filter(e => e.scrollWidth > e.clientWidth + 1)
      .map(e => e.getAttribute('aria-labelledby'));
    out.marks = all('td.marked').length;
    out.marksWithoutWord = all('td.marked').filter(td => !td.textContent.includes('Yes')).length;
    out.brokenLinks = all('a[href^="#"]').filter(a => !d.getElementById(a.getAttribute('href').slice(1)))
      .map(a => a.getAttribute('href'));
    const ids = all('[id]').map(e => e.id);
    out.duplicateIds = ids.filter((id, i) => ids.indexOf(id) !== i);
    const svgs = all('svg.flowchart');
    out.flowcharts = svgs.length;
    out.flowchartsWithoutName = svgs.filter(s => s.getAttribute('role') !== 'img'
      || !s.querySelector('title') || !s.querySelector('title').textContent.trim()).length;
    // Every line of text inside the shape it belongs to (the last box or
    // diamond before it), and every shape inside the picture.
    out.textOutsideShapes = [];
    for (const s of svgs) {
      const vb = s.viewBox.baseVal;
      let shape = null;
      for (const el of s.children) {
        if (el.tagName === 'rect' || el.tagName === 'polygon') {
          shape = el.getBBox();
          if (shape.x < vb.x || shape.y < vb.y || shape.x + shape.width > vb.x + vb.width
              || shape.y + shape.height > vb.y + vb.height) out.textOutsideShapes.push('shape');
        } else if (el.tagName === 'text' && !el.classList.contains('branch') && shape) {
          const b = el.getBBox();
          if (b.x < shape.x || b.x + b.width > shape.x + shape.width
              || b.y < shape.y || b.y + b.height > shape.y + shape.height) {
            out.textOutsideShapes.push(el.textContent);
          }
        }
      }
    }
  } catch (e) { out.error = String(e); }
  document.getElementById('results').textContent = JSON.stringify(out);
});
</script></body></html>
"##;

/// Lays `html` out in Chromium and returns the harness's measurements.
fn measure(chromium: &Path, dir: &Path, html: &str) -> Value {
    std::fs::write(dir.join("page.html"), html).unwrap();
    let harness = HARNESS
        .replace("WIDTH", &WIDTH.to_string())
        .replace("HEIGHT", &HEIGHT.to_string());
    std::fs::write(dir.join("harness.html"), harness).unwrap();
    harness_results(
        chromium,
        dir,
        10_000,
        &[format!("--window-size={},{}", WIDTH + 40, HEIGHT + 100)],
    )
}

fn render(path: &str) -> String {
    let o = esafety(&["render", path]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    stdout(&o)
}

/// Collapses runs of white space, as a reader sees text.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
#[ignore = "needs headless Chromium: cargo test -p esafety-cli --test browser -- --ignored"]
fn each_shipped_policy_reads_right_in_a_browser() {
    let chromium = browser();
    for (name, path) in [
        ("crockerne", "policies/crockerne.policy"),
        ("st-botolphs", "policies/st-botolphs.policy"),
    ] {
        let dir = scratch(&format!("browser-{name}"));
        let html = render(path);
        let r = measure(&chromium, &dir, &html);
        let policy = esafety::Policy::from_file(root().join(path)).unwrap();

        // Every label is on the screen, as text.
        let text = words(r["text"].as_str().unwrap());
        for label in &labels(path) {
            assert!(
                text.contains(&words(label)),
                "{name}: `{label}` is not shown"
            );
        }
        assert!(text.contains(&policy.school().name));

        // Laid out for the window: nothing wider than it, tables included.
        assert_eq!(
            r["pageOverflow"], 0,
            "{name}: the page is wider than the window"
        );
        assert_eq!(r["overflowingTables"], Value::Array(vec![]), "{name}");

        // Tables a screen reader can navigate.
        assert!(r["tables"].as_u64().unwrap() >= 6, "{name}");
        assert_eq!(r["tablesWithoutCaption"], 0, "{name}");
        assert_eq!(r["headersWithoutScope"], 0, "{name}");
        assert_eq!(r["rowsWithoutHeader"], 0, "{name}");
        // A mark reads as "Yes", not only as a tick or a colour.
        let marked = html.matches("<td class=\"answer marked\">").count() as u64;
        assert!(marked >= 20, "{name}: {marked} marks");
        assert_eq!(r["marks"].as_u64().unwrap(), marked, "{name}");
        assert_eq!(r["marksWithoutWord"], 0, "{name}");

        // Links land, ids are unique, flowcharts are named pictures whose
        // text stays in its boxes.
        assert_eq!(r["brokenLinks"], Value::Array(vec![]), "{name}");
        assert_eq!(r["duplicateIds"], Value::Array(vec![]), "{name}");
        assert_eq!(
            r["flowcharts"].as_u64().unwrap(),
            policy
                .routes()
                .iter()
                .filter(|r| !r.steps.is_empty())
                .count() as u64
        );
        assert_eq!(r["flowchartsWithoutName"], 0, "{name}");
        assert_eq!(r["textOutsideShapes"], Value::Array(vec![]), "{name}");
        assert_eq!(r["live"], 0, "{name}");

        // A screenshot of the whole page: kept in docs/screenshots/ when
        // updating them, else in the scratch directory.
        let height = r["scrollHeight"].as_u64().unwrap();
        let update = std::env::var("ESAFETY_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1");
        let target = if update {
            root().join("docs/screenshots")
        } else {
            dir.clone()
        };
        let png = screenshot(&chromium, &dir, &target.join(format!("{name}.png")), height);
        assert_eq!(png, (WIDTH, u32::try_from(height).unwrap()), "{name}");
    }
}

/// Takes a full-page screenshot into `out`; returns the picture's width and
/// height, read from the PNG's header.
fn screenshot(chromium: &Path, dir: &Path, out: &Path, height: u64) -> (u32, u32) {
    common::screenshot(
        chromium,
        dir,
        &file_url(&dir.join("page.html")),
        out,
        (WIDTH, u32::try_from(height).unwrap()),
        &[],
    )
}

#[test]
#[ignore = "needs headless Chromium: cargo test -p esafety-cli --test browser -- --ignored"]
fn hostile_labels_stay_text_in_a_browser() {
    let chromium = browser();
    let dir = scratch("browser-hostile");
    let policy = dir.join("hostile.policy");
    std::fs::write(
        &policy,
        r#"school "Hostile <b>School</b>"
communications comms "Comms"
  column pupils "Pupils" for pupil
  row xss "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"
    pupils: not allowed
  row amp "&lt;i&gt; is not italic &amp; this is not an entity"
    pupils: allowed
route r "Route <iframe src=x>"
  step "Call <b>999</b>" refer police
contacts
  contact police "Police" phone "999"
"#,
    )
    .unwrap();
    let r = measure(&chromium, &dir, &render(policy.to_str().unwrap()));
    assert_eq!(r["title"], "Hostile <b>School</b>: e-safety policy");
    assert_eq!(r["live"], 0, "{r}");
    let text = r["text"].as_str().unwrap();
    assert!(text.contains(
        "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"
    ));
    assert!(text.contains("&lt;i&gt; is not italic &amp; this is not an entity"));
    assert!(text.contains("Route <iframe src=x>"));
}
