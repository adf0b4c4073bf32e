//! `states_scale`: how the states engine's cost grows with waiters, with and without symmetry,
//! and whether each proof reaches every `[[sometimes]]` state (the table in BENCHMARKS.md).
//!
//! ```text
//! cargo run --release --example states_scale -- socket-lifecycle/fixed 1 2 4 8
//! cargo run --release --example states_scale -- --workers 1 socket-lifecycle/fixed 8
//! ```
//!
//! `--workers N`: the threads exploring each graph (`Bounds::state_workers`; default one per
//! core).

use lifecycle_models::{run, Bounds, Engine, Plan, Scenario, Settings};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut workers = Bounds::default_state_workers();
    if args.first().is_some_and(|a| a == "--workers") {
        match args.get(1).and_then(|n| n.parse().ok()) {
            Some(n) => workers = n,
            None => {
                eprintln!("--workers takes a number of threads");
                return ExitCode::from(2);
            }
        }
        args.drain(..2);
    }
    let Some((name, counts)) = args.split_first() else {
        eprintln!(
            "usage: states_scale [--workers N] SCENARIO WAITERS... (e.g. socket-lifecycle/fixed \
             1 2 4 8)"
        );
        return ExitCode::from(2);
    };
    let Some(scenario) = Scenario::named(name) else {
        eprintln!("unknown scenario `{name}`");
        return ExitCode::from(2);
    };
    println!(
        "| waiters | symmetry | workers | verdict | states, transitions | sometimes reached | time |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for count in counts {
        let Ok(copies) = count.parse::<usize>() else {
            eprintln!("`{count}` is not a number of waiters");
            return ExitCode::from(2);
        };
        for symmetry in [true, false] {
            let settings = Settings {
                copies: Some(copies),
                bounds: Bounds {
                    symmetry,
                    max_states: 5_000_000,
                    state_workers: workers,
                    ..Bounds::quick()
                },
                ..Settings::default()
            };
            let plan = match Plan::new(&scenario, &settings) {
                Ok(plan) => plan,
                Err(error) => {
                    eprintln!("{error}");
                    return ExitCode::from(2);
                }
            };
            let verdict = run(&plan, Engine::States);
            // The fewest states any `[[sometimes]]` holds in: 0 makes the proof vacuous.
            let coverage = verdict.coverage();
            let reached = coverage.iter().filter(|r| r.reached > 0).count();
            let fewest = coverage.iter().map(|r| r.reached).min().unwrap_or(0);
            println!(
                "| {copies} | {} | {workers} | {} | {} | {reached} of {} (fewest: {fewest} states) \
                 | {:.2} s |",
                if symmetry { "yes" } else { "no" },
                verdict.label(),
                verdict.bounds().unwrap_or("-"),
                coverage.len(),
                verdict.elapsed().as_secs_f64()
            );
            if verdict.elapsed() > Duration::from_secs(120) {
                eprintln!("stopping: over two minutes");
                return ExitCode::SUCCESS;
            }
        }
    }
    ExitCode::SUCCESS
}
