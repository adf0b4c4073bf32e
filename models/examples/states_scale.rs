//! `states_scale`: how the states engine's cost grows with waiters, with and without symmetry
//! (the table in BENCHMARKS.md).
//!
//! ```text
//! cargo run --release --example states_scale -- socket-lifecycle/fixed 1 2 4 8
//! ```

use lifecycle_models::engine::states::explore;
use lifecycle_models::engine::states::model::ScenarioModel;
use lifecycle_models::{RunConfig, Scenario};
use std::process::ExitCode;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((name, counts)) = args.split_first() else {
        eprintln!("usage: states_scale SCENARIO WAITERS... (e.g. socket-lifecycle/fixed 1 2 4 8)");
        return ExitCode::from(2);
    };
    let Some(scenario) = Scenario::named(name) else {
        eprintln!("unknown scenario `{name}`");
        return ExitCode::from(2);
    };
    let scenario = Arc::new(scenario);
    println!("| waiters | symmetry | states | transitions | verdict | time |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for count in counts {
        let Ok(copies) = count.parse::<usize>() else {
            eprintln!("`{count}` is not a number of waiters");
            return ExitCode::from(2);
        };
        for symmetry in [true, false] {
            let model = ScenarioModel::new(
                scenario.clone(),
                RunConfig {
                    copies: Some(copies),
                    ..RunConfig::default()
                },
            );
            let start = Instant::now();
            let exploration = explore(&model, symmetry, 5_000_000, &AtomicUsize::new(0));
            let elapsed = start.elapsed();
            let verdict = if exploration.truncated {
                "stopped at 5,000,000 states".to_string()
            } else if exploration.finding.is_some() {
                "finding".to_string()
            } else if exploration.graph.non_termination().is_some() {
                "non-termination".to_string()
            } else {
                "proven".to_string()
            };
            println!(
                "| {copies} | {} | {} | {} | {verdict} | {:.2} s |",
                if symmetry { "yes" } else { "no" },
                exploration.states.len(),
                exploration.graph.edge_count(),
                elapsed.as_secs_f64()
            );
            if elapsed > Duration::from_secs(120) {
                eprintln!("stopping: over two minutes");
                return ExitCode::SUCCESS;
            }
        }
    }
    ExitCode::SUCCESS
}
