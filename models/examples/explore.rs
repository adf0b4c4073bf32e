//! `explore`: one scenario on one engine with every bound explicit, printing progress every 30 s
//! and the finding's trace; how the numbers in BENCHMARKS.md that the main program's flags cannot
//! express (an unbounded loom run, a 60-second real-thread budget) were measured.
//!
//! ```text
//! cargo run --release --example explore -- SCENARIO ENGINE WAITERS BOUND ITERATIONS STD_SECONDS OBJECTS
//! cargo run --release --example explore -- socket-lifecycle/fixed loom 1 none 1000 5 2
//! cargo run --release --example explore -- lookup-without-ref/buggy std 2 1 100000000 60 2
//! ```
//! `BOUND` is loom's preemption bound or `none` for unbounded.

use lifecycle_models::{run_with_progress, Bounds, Engine, Plan, Scenario, Settings};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: explore SCENARIO ENGINE WAITERS BOUND ITERATIONS STD_SECONDS OBJECTS \
                     (BOUND: a number or `none`)";

fn number(text: &str, what: &str) -> Result<usize, String> {
    text.parse()
        .map_err(|_| format!("{what} must be a whole number, not `{text}`"))
}

fn parse(args: &[String]) -> Result<(Plan, Engine), String> {
    let [scenario, engine, waiters, bound, iterations, seconds, objects] = args else {
        return Err(format!("expected 7 arguments, got {}", args.len()));
    };
    let scenario = Scenario::named(scenario).ok_or_else(|| {
        let catalogue = Scenario::catalogue();
        let names: Vec<&str> = catalogue.iter().map(|s| s.name.as_str()).collect();
        format!(
            "unknown scenario `{scenario}` (valid: {})",
            names.join(", ")
        )
    })?;
    let engine = Engine::from_name(engine).ok_or_else(|| {
        let names: Vec<&str> = Engine::ALL.iter().map(|e| e.name()).collect();
        format!("unknown engine `{engine}` (valid: {})", names.join(", "))
    })?;
    let waiters = number(waiters, "WAITERS")?;
    if engine == Engine::Loom && waiters > 2 {
        return Err(format!(
            "WAITERS {waiters} is too many for loom (at most 2: loom runs at most 5 threads)"
        ));
    }
    let bounds = Bounds {
        preemption_bound: match bound.as_str() {
            "none" => None,
            other => Some(number(other, "BOUND")?),
        },
        iterations: number(iterations, "ITERATIONS")?,
        std_budget: Duration::from_secs(number(seconds, "STD_SECONDS")? as u64),
        ..Bounds::quick()
    };
    let settings = Settings {
        copies: Some(waiters),
        objects: Some(number(objects, "OBJECTS")?),
        bounds,
        ..Settings::default()
    };
    let plan = Plan::new(&scenario, &settings).map_err(|error| error.to_string())?;
    Ok((plan, engine))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (plan, engine) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(problem) => {
            eprintln!("error: {problem}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let progress = Arc::new(AtomicUsize::new(0));
    let seen = progress.clone();
    let start = Instant::now();
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(30));
        eprintln!(
            "progress: {} executions after {:.0?}",
            seen.load(Ordering::Relaxed),
            start.elapsed()
        );
    });
    let verdict = run_with_progress(&plan, engine, &progress);
    println!(
        "{} {} {:?}",
        verdict.label(),
        verdict.executions(),
        verdict.elapsed()
    );
    if let Some(finding) = verdict.finding() {
        println!("{}", finding.diagnosis);
        for event in &finding.trace {
            println!("  {:>3} {:<10} {:?}", event.step, event.thread, event.what);
        }
    }
    ExitCode::SUCCESS
}
