//! Parses and checks one policy file `N` times in a loop, for profilers:
//!
//! ```text
//! cargo build --release -p esafety-bench --example profile_check
//! valgrind --tool=callgrind target/release/examples/profile_check FILE 1
//! perf record -g target/release/examples/profile_check FILE 20
//! ```
//!
//! `FILE` may be a number instead: the benchmark's generated policy of that
//! many rows (`profile_check 100000 5`). Prints the mean time per check. The benchmark (`cargo bench -p
//! esafety-bench`) writes generated policies of 1k, 10k and 100k rows to
//! `target/esafety-bench/` for use here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a profiling tool: bad arguments stop it"
)]

use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: profile_check FILE [N]");
    let times: u32 = args.next().map_or(1, |n| n.parse().unwrap());
    // A bare number stands for the benchmark's generated policy of that many rows.
    let text = match path.parse::<usize>() {
        Ok(rows) => esafety_bench::generate(rows),
        Err(_) => std::fs::read_to_string(&path).unwrap(),
    };
    let mut total = Duration::ZERO;
    for _ in 0..times {
        let start = Instant::now();
        let checked = esafety::check(&path, &text, &esafety::CheckOptions::default());
        total += start.elapsed();
        assert!(!checked.has_errors(), "{path} has errors");
    }
    println!(
        "{:.1} ms per check ({times} checks)",
        total.as_secs_f64() * 1000.0 / f64::from(times.max(1))
    );
}
