//! Prints the benchmark's generated policy of `N` rows, for reading or for
//! profiling the command line on it:
//!
//! ```text
//! cargo run --release -p esafety-bench --example generate 100000 > big.policy
//! ```

fn main() {
    let rows = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    print!("{}", esafety_bench::generate(rows));
}
