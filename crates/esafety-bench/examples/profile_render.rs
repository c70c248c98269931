//! Lays out and writes the HTML page of the benchmark's generated policy of
//! `ROWS` rows, `N` times, and prints the mean time of each half:
//!
//! ```text
//! cargo build --release -p esafety-bench --example profile_render
//! target/release/examples/profile_render 100000 3
//! perf record --call-graph dwarf target/release/examples/profile_render 100000 3
//! ```
//!
//! The first half is `Document::from_text`, which checks the policy (keeping
//! its syntax tree) and lays it out; the second is `Document::to_html`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a profiling tool: bad arguments stop it"
)]

use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args
        .next()
        .expect("usage: profile_render ROWS [N]")
        .parse()
        .unwrap();
    let times: u32 = args.next().map_or(1, |n| n.parse().unwrap());
    let text = esafety_bench::generate(rows);
    let (mut layout, mut html) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..times {
        let start = Instant::now();
        let document = esafety::render::Document::from_text("generated.policy", &text).unwrap();
        let laid_out = Instant::now();
        std::hint::black_box(document.to_html());
        layout += laid_out - start;
        html += laid_out.elapsed();
    }
    let mean = |d: Duration| d.as_secs_f64() * 1000.0 / f64::from(times.max(1));
    println!(
        "Document::from_text {:.1} ms, to_html {:.1} ms ({times} renders)",
        mean(layout),
        mean(html)
    );
}
