//! `fuzz_merge`: sums the statistics of a sharded fuzz campaign (each shard run with
//! `FUZZ_SHARD=i/n` and `FUZZ_STATS_DIR`, which writes `PROPERTY-i-of-n.stats`) and prints the
//! campaign's table, as one unsharded run would (README, "Generated lifecycles in a CI matrix").
//!
//! ```text
//! cargo run -p lifecycle-tests --example fuzz_merge -- stats/necessity-*.stats
//! ```

use lifecycle_tests::oracle::Stats;
use std::process::ExitCode;

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: fuzz_merge FILE.stats... (the shards of one property's campaign)");
        return ExitCode::from(2);
    }
    let mut merged = Stats::default();
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("{file}: {error}");
                return ExitCode::from(2);
            }
        };
        match Stats::read(&text) {
            Ok(stats) => merged.merge(&stats),
            Err(error) => {
                eprintln!("{file}: {error}");
                return ExitCode::from(2);
            }
        }
    }
    println!(
        "{} shards merged (wall time: the longest shard's):\n{}",
        files.len(),
        merged.table(merged.wall)
    );
    ExitCode::SUCCESS
}
