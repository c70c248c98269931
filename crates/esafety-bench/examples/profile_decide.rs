//! Asks the benchmark's question mix over the shipped policies `N` times,
//! for profilers and for comparing two builds of `decide`:
//!
//! ```text
//! cargo build --release -p esafety-bench --example profile_decide
//! valgrind --tool=callgrind target/release/examples/profile_decide 200
//! perf record -g target/release/examples/profile_decide 3000
//! ```
//!
//! Prints the mean time per decision. The questions are the ones
//! `cargo bench -p esafety-bench` times as `decide_ns` (no explanations).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_precision_loss,
    reason = "a profiling tool: bad arguments stop it"
)]

use std::hint::black_box;
use std::time::Instant;

fn main() {
    let times: u32 = std::env::args().nth(1).map_or(200, |n| n.parse().unwrap());
    let policies = esafety_bench::shipped();
    let mix = esafety_bench::question_mix(&policies);
    let start = Instant::now();
    let mut answered = 0usize;
    for _ in 0..times {
        for question in &mix {
            let policy = &policies[question.policy].1;
            if black_box(policy.decide(black_box(&question.query))).is_ok() {
                answered += 1;
            }
        }
    }
    let decisions = mix.len() as f64 * f64::from(times.max(1));
    assert_eq!(
        answered,
        mix.len() * times as usize,
        "a question of the mix failed"
    );
    println!(
        "{:.1} ns per decision ({} questions, {times} times)",
        start.elapsed().as_secs_f64() * 1e9 / decisions,
        mix.len()
    );
}
