//! `run_all`: the runs of one invocation (each scenario on each engine), one after another or
//! on `--jobs` worker threads, with the verdicts returned in the runs' order and a line for each
//! finished run printed in that order too. Real-thread runs (`std`) never share the machine:
//! their watchdog measures how long a lock is held, so they run alone, after the others.

use lifecycle_models::{
    eprintln_unsilenced, run_with_progress, Bounds, Engine, Plan, Scenario, Verdict,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scenario on one engine.
pub struct Run<'a> {
    /// The scenario (for its name).
    pub scenario: &'a Scenario,
    /// Its plan.
    pub plan: &'a Plan,
    /// The engine.
    pub engine: Engine,
}

/// `--jobs`'s default: the machine's cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The line printed when run `index` of `total` has finished.
fn finished_line(index: usize, total: usize, run: &Run<'_>, verdict: &Verdict) -> String {
    format!(
        "[{}/{total}] {} on {}: {} ({} executions, {:.1?})",
        index + 1,
        run.scenario.name,
        run.engine.name(),
        verdict.label(),
        verdict.executions(),
        verdict.elapsed()
    )
}

/// Runs every run of `runs`: with `jobs` > 1 on that many threads (a line for each finished run,
/// in order, on standard error), else one after another with a progress bar on a `terminal`
/// (and the same lines without one). `lines`: long runs may print progress lines on stdout (not
/// when it carries JSON).
pub fn run_all(runs: &[Run<'_>], jobs: usize, terminal: bool, lines: bool) -> Vec<Verdict> {
    let total = runs.len();
    if jobs <= 1 {
        return runs
            .iter()
            .enumerate()
            .map(|(index, run)| {
                let verdict = run_one(run.plan, run.engine, terminal, lines);
                if !terminal {
                    eprintln!("{}", finished_line(index, total, run, &verdict));
                }
                verdict
            })
            .collect();
    }
    let verdicts: Mutex<Vec<Option<Verdict>>> = Mutex::new(runs.iter().map(|_| None).collect());
    // The next run whose line is due: lines come out in the runs' order.
    let printed = Mutex::new(0usize);
    let finish = |index: usize, verdict: Verdict| {
        verdicts.lock().expect("verdicts")[index] = Some(verdict);
        let mut printed = printed.lock().expect("printed");
        let verdicts = verdicts.lock().expect("verdicts");
        while let Some(Some(verdict)) = verdicts.get(*printed) {
            eprintln_unsilenced(&finished_line(*printed, total, &runs[*printed], verdict));
            *printed += 1;
        }
    };
    let shared: Vec<usize> = (0..total)
        .filter(|&i| runs[i].engine != Engine::Std)
        .collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(shared.len()) {
            scope.spawn(|| {
                while let Some(&index) = shared.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let run = &runs[index];
                    finish(index, run_one(run.plan, run.engine, false, false));
                }
            });
        }
    });
    for index in (0..total).filter(|&i| runs[i].engine == Engine::Std) {
        let run = &runs[index];
        finish(index, run_one(run.plan, run.engine, false, false));
    }
    verdicts
        .into_inner()
        .expect("verdicts")
        .into_iter()
        .map(|verdict| verdict.expect("every run finished"))
        .collect()
}

/// How often a run with no terminal prints a progress line (a run shorter prints none).
const PROGRESS_EVERY: Duration = Duration::from_secs(30);

/// Runs one scenario on one engine, with a progress bar on a terminal (executions or states,
/// their rate, the process's memory), or a progress line every [`PROGRESS_EVERY`] otherwise
/// (`lines`: not when stdout carries JSON).
fn run_one(plan: &Plan, engine: Engine, show_bar: bool, lines: bool) -> Verdict {
    let progress = Arc::new(AtomicUsize::new(0));
    let memory = || Bounds::resident_mib().map_or(String::new(), |mib| format!("{mib} MiB"));
    let bar = show_bar.then(|| {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stdout());
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {prefix:<30} {msg:<25} {pos:>9} executions {per_sec:>12} {elapsed:>4}",
            )
            .expect("a valid progress template"),
        );
        bar.set_prefix(plan.scenario().name.clone());
        bar.set_message(engine.name());
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    });
    let done = AtomicUsize::new(0);
    let started = std::time::Instant::now();
    let verdict = std::thread::scope(|scope| {
        let (progress, done, bar) = (&progress, &done, &bar);
        scope.spawn(move || {
            let mut printed = Duration::ZERO;
            while done.load(Ordering::Relaxed) == 0 {
                let count = progress.load(Ordering::Relaxed);
                if let Some(bar) = bar {
                    bar.set_position(count as u64);
                    bar.set_message(format!("{} {}", engine.name(), memory()));
                } else if lines && started.elapsed() >= printed + PROGRESS_EVERY {
                    printed = started.elapsed();
                    println!(
                        "progress: {} on {}: {count} executions in {:.0} s ({:.0}/s), {}",
                        plan.scenario().name,
                        engine.name(),
                        printed.as_secs_f64(),
                        count as f64 / printed.as_secs_f64(),
                        memory()
                    );
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        // Done even if the engine panics: the scope would otherwise wait for the ticker forever.
        let _done = SetOnDrop(done);
        run_with_progress(plan, engine, progress)
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    verdict
}

/// Sets its flag when dropped, on return or unwind alike.
struct SetOnDrop<'a>(&'a AtomicUsize);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(1, Ordering::Relaxed);
    }
}
