//! Developer probe: run one scenario on one engine and print the finding.
use lifecycle_models::{run_with_progress, Bounds, Engine, Scenario, ScenarioConfig};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let scenario = Scenario::from_name(&args[1]).expect("scenario");
    let engine = Engine::from_name(&args[2]).expect("engine");
    let mut config = ScenarioConfig::default();
    if let Some(w) = args.get(3) {
        config.waiters = w.parse().unwrap();
    }
    let mut bounds = Bounds::quick();
    if let Some(b) = args.get(4) {
        bounds.preemption_bound = if b == "none" {
            None
        } else {
            Some(b.parse().unwrap())
        };
    }
    if let Some(i) = args.get(5) {
        bounds.iterations = i.parse().unwrap();
    }
    if let Some(objects) = args.get(7) {
        config.objects = objects.parse().unwrap();
    }
    if let Some(seconds) = args.get(6) {
        bounds.std_budget = std::time::Duration::from_secs(seconds.parse().unwrap());
    }
    let progress = Arc::new(AtomicUsize::new(0));
    let seen = progress.clone();
    let start = std::time::Instant::now();
    std::thread::spawn(move || loop {
        std::thread::sleep(std::time::Duration::from_secs(30));
        eprintln!(
            "progress: {} executions after {:?}",
            seen.load(Ordering::Relaxed),
            start.elapsed()
        );
    });
    let verdict = run_with_progress(scenario, engine, &config, &bounds, &progress);
    println!(
        "{} {} {:?}",
        verdict.label(),
        verdict.executions(),
        verdict.elapsed()
    );
    if let Some(f) = verdict.finding() {
        println!(
            "message: {}\nholder {:?} cycle {:?} starved {:?}\n{}",
            f.message, f.holder, f.cycle, f.starved, f.diagnosis
        );
        for e in &f.trace {
            println!("  {:>3} {:<10} {:?}", e.step, e.thread, e.what);
        }
    }
}
