//! `Engine`: runs a scenario on loom, on one of shuttle's schedulers, or on real threads, and
//! turns what happened into a [`Verdict`].

mod bounds;
mod saved_replay;
pub mod states;
mod tally;
pub use bounds::Bounds;
pub use saved_replay::SavedReplay;

use crate::diagnosis::diagnose;
use crate::diagnosis::finding::{Finding, Replay, Verdict};
use crate::interpreter::threads::panic_message;
use crate::interpreter::trace::Trace;
use crate::interpreter::{execute, RunConfig};
use crate::language::{Scenario, ENGINE_NAMES};
use crate::FindingKind;
use lifecycle_list::{Loom, Shuttle, Std};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once};
use std::time::Instant;
use tally::Tally;

/// An engine that runs scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    /// loom: exhaustive within the preemption bound, C11 weak memory, data races.
    Loom,
    /// shuttle's uniformly random scheduler.
    ShuttleRandom,
    /// shuttle's PCT scheduler (probabilistic concurrency testing, bug depth `pct_depth`).
    ShuttlePct,
    /// shuttle's depth-first scheduler (exhaustive, no partial-order reduction).
    ShuttleDfs,
    /// Real threads, with the soft-lockup watchdog.
    Std,
    /// The state graph at step level: each distinct state once, no bound, liveness included.
    States,
}

impl Engine {
    /// Every engine, in report order.
    pub const ALL: [Engine; 6] = [
        Engine::Loom,
        Engine::ShuttleRandom,
        Engine::ShuttlePct,
        Engine::ShuttleDfs,
        Engine::Std,
        Engine::States,
    ];

    /// The engine's name: `loom`, `shuttle-random`, `shuttle-pct`, `shuttle-dfs`, `std` (as
    /// scenario files name it under `[expect]`).
    pub fn name(self) -> &'static str {
        ENGINE_NAMES[self as usize]
    }

    /// The most threads one execution may run on this engine, if it has a limit (loom: 5).
    pub fn max_threads(self) -> Option<usize> {
        (self == Engine::Loom).then_some(LOOM_MAX_THREADS)
    }

    /// Why this engine cannot run `scenario` with `config`, if it cannot: loom runs at most 5
    /// threads, and every actor is one; shuttle PCT needs two actors; states cannot cut a Rust
    /// actor into steps.
    pub fn refusal(self, scenario: &Scenario, config: &RunConfig) -> Option<String> {
        if self == Engine::States {
            let actor = scenario.actors.iter().find(|a| a.rust.is_some())?;
            return Some(format!(
                "{}: actor `{}` is a Rust closure, which the states engine cannot cut into steps",
                scenario.source.path, actor.name
            ));
        }
        let actors = scenario.expanded_actors(config.copies);
        if self == Engine::ShuttlePct && actors.len() < 2 {
            // shuttle's PCT scheduler fails a test that exercises no concurrency, which would
            // read as a finding: it has nothing to prioritize with one thread anyway.
            return Some(format!(
                "{}: one actor, and shuttle's PCT scheduler needs two threads or more to \
                 schedule (the other engines run it)",
                scenario.source.path
            ));
        }
        let limit = self.max_threads()?;
        (actors.len() > limit).then(|| {
            let (_, index) = &actors[limit];
            let actor = &scenario.actors[*index];
            format!(
                "{}:{}:{}: {} actors, but {} runs at most {limit} threads (one per actor); \
                 this actor is one too many (run it on other engines with --engine, or lower \
                 its count / --waiters)",
                scenario.source.path,
                actor.line,
                actor.column,
                actors.len(),
                self.name()
            )
        })
    }

    /// Whether a pass on this engine is a proof (every execution, or every state, within its
    /// bounds): loom and states. Their passes must reach every `[[sometimes]]` state, or they
    /// are [`Verdict::Vacuous`].
    pub fn proves(self) -> bool {
        matches!(self, Engine::Loom | Engine::States)
    }

    /// The engine named `name`, if any.
    pub fn from_name(name: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.name() == name)
    }
}

/// loom's limit on threads per execution (`loom::MAX_THREADS`).
const LOOM_MAX_THREADS: usize = 5;

thread_local! {
    /// Set while a harness run is under way on this thread: its expected panics stay quiet.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Installs (once) a panic hook that is silent on threads running a model, and defers to the
/// previous hook everywhere else. loom and shuttle run every model thread on the caller's OS
/// thread, and the std engine marks its own threads.
fn install_quiet_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // shuttle installs its own hook (which prints every panic with its task) on its first
        // run; run it once now so that ours wraps it and can keep model threads quiet.
        shuttle::check_random(|| {}, 1);
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs `body` with this thread's panics quiet, restoring the previous state after.
fn quietly<R>(body: impl FnOnce() -> R) -> R {
    install_quiet_hook();
    let before = QUIET.with(|q| q.replace(true));
    let result = body();
    QUIET.with(|q| q.set(before));
    result
}

/// A fresh scratch directory for one run's replay files.
fn scratch_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "lifecycle-check-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("the temporary directory is writable");
    dir
}

/// Runs `scenario` on `engine` within `bounds`.
pub fn run(scenario: &Scenario, engine: Engine, config: &RunConfig, bounds: &Bounds) -> Verdict {
    run_with_progress(scenario, engine, config, bounds, &Arc::default())
}

/// As [`run`], counting executions (or std iterations) in `progress` as they start, so another
/// thread can show progress.
pub fn run_with_progress(
    scenario: &Scenario,
    engine: Engine,
    config: &RunConfig,
    bounds: &Bounds,
    progress: &Arc<AtomicUsize>,
) -> Verdict {
    if let Some(reason) = engine.refusal(scenario, config) {
        return Verdict::NotRun { reason };
    }
    let scenario = Arc::new(scenario.clone());
    match engine {
        Engine::Loom => run_loom(&scenario, config, bounds, None, progress),
        Engine::ShuttleRandom | Engine::ShuttlePct | Engine::ShuttleDfs => {
            run_shuttle(&scenario, engine, config, bounds, None, progress)
        }
        Engine::Std => run_std(&scenario, config, bounds, progress),
        Engine::States => states::run(&scenario, config, bounds, progress),
    }
}

/// Re-runs a saved failing execution: a shuttle schedule or a loom checkpoint.
pub fn replay(scenario: &Scenario, replay: &Replay, config: &RunConfig) -> Verdict {
    let bounds = Bounds::quick();
    let scenario = Arc::new(scenario.clone());
    match replay {
        Replay::ShuttleSchedule(schedule) => run_shuttle(
            &scenario,
            Engine::ShuttleRandom,
            config,
            &bounds,
            Some(schedule.clone()),
            &Arc::default(),
        ),
        Replay::LoomCheckpoint(path) => run_loom(
            &scenario,
            config,
            &Bounds {
                preemption_bound: None,
                ..bounds
            },
            Some(path.clone()),
            &Arc::default(),
        ),
        Replay::StdIteration(_) => run_std(&scenario, config, &bounds, &Arc::default()),
    }
}

fn run_loom(
    scenario: &Arc<Scenario>,
    config: &RunConfig,
    bounds: &Bounds,
    checkpoint: Option<String>,
    progress: &Arc<AtomicUsize>,
) -> Verdict {
    let trace = Arc::new(Trace::new());
    let executions = progress.clone();
    let start = Instant::now();
    let tally = Arc::new(Tally::new(scenario));
    let explore = |checkpoint_file: Option<PathBuf>| {
        let (trace, executions, config) = (trace.clone(), executions.clone(), config.clone());
        let (scenario, tally) = (scenario.clone(), tally.clone());
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = bounds.preemption_bound;
        builder.max_branches = 100_000;
        if let Some(file) = checkpoint_file {
            builder.checkpoint_file = Some(file);
            builder.checkpoint_interval = 1;
        }
        quietly(|| {
            catch_unwind(AssertUnwindSafe(move || {
                builder.check(move || {
                    executions.fetch_add(1, Ordering::Relaxed);
                    trace.reset();
                    tally.add(execute::<Loom>(&scenario, &config, &trace));
                })
            }))
        })
    };
    // A replay starts from the saved path (copied: loom overwrites its checkpoint file).
    let replay_file = checkpoint.map(|json| {
        let file = scratch_dir().join("replay.json");
        std::fs::write(&file, json).expect("the temporary directory is writable");
        file
    });
    let outcome = explore(replay_file);
    let found_after = executions.load(Ordering::Relaxed);
    let Err(payload) = outcome else {
        return Verdict::passed(
            Engine::Loom.proves(),
            executions.load(Ordering::Relaxed),
            start.elapsed(),
            bounds.describe(Engine::Loom),
            tally.reaches(scenario),
        );
    };
    let elapsed = start.elapsed();
    let message = panic_message(&*payload);
    let events = trace.snapshot();
    let stop = trace.stop();
    // loom explores in a fixed order, so running again with a checkpoint written before every
    // execution stops at the same execution and leaves its path behind for replay.
    let checkpoint_file = scratch_dir().join("checkpoint.json");
    let _ = explore(Some(checkpoint_file.clone()));
    let replay = std::fs::read_to_string(&checkpoint_file)
        .ok()
        .map(Replay::LoomCheckpoint);
    Verdict::Found(Box::new(diagnose(
        Engine::Loom,
        found_after,
        elapsed,
        replay,
        message,
        events,
        stop,
    )))
}

fn run_shuttle(
    scenario: &Arc<Scenario>,
    engine: Engine,
    config: &RunConfig,
    bounds: &Bounds,
    schedule: Option<String>,
    progress: &Arc<AtomicUsize>,
) -> Verdict {
    use shuttle::scheduler::{DfsScheduler, PctScheduler, RandomScheduler, ReplayScheduler};
    let trace = Arc::new(Trace::new());
    let executions = progress.clone();
    let dir = scratch_dir();
    let mut shuttle_config = shuttle::Config::new();
    shuttle_config.failure_persistence = shuttle::FailurePersistence::File(Some(dir.clone()));
    shuttle_config.max_steps = shuttle::MaxSteps::FailAfter(bounds.max_steps);
    shuttle_config.silence_warnings = true;
    let tally = Arc::new(Tally::new(scenario));
    let body = {
        let (trace, executions, config) = (trace.clone(), executions.clone(), config.clone());
        let (scenario, tally) = (scenario.clone(), tally.clone());
        move || {
            executions.fetch_add(1, Ordering::Relaxed);
            trace.reset();
            tally.add(execute::<Shuttle>(&scenario, &config, &trace));
        }
    };
    let start = Instant::now();
    let outcome = quietly(|| {
        catch_unwind(AssertUnwindSafe(|| match (&schedule, engine) {
            (Some(schedule), _) => {
                let replay = ReplayScheduler::new_from_encoded(schedule);
                shuttle::Runner::new(replay, shuttle_config).run(body)
            }
            (None, Engine::ShuttlePct) => {
                let pct =
                    PctScheduler::new_from_seed(bounds.seed, bounds.pct_depth, bounds.iterations);
                shuttle::Runner::new(pct, shuttle_config).run(body)
            }
            (None, Engine::ShuttleDfs) => {
                let dfs = DfsScheduler::new(Some(bounds.iterations), false);
                shuttle::Runner::new(dfs, shuttle_config).run(body)
            }
            (None, _) => {
                let random = RandomScheduler::new_from_seed(bounds.seed, bounds.iterations);
                shuttle::Runner::new(random, shuttle_config).run(body)
            }
        }))
    });
    let elapsed = start.elapsed();
    let schedule_file = std::fs::read_dir(&dir)
        .ok()
        .and_then(|mut entries| entries.next())
        .and_then(|entry| entry.ok())
        .and_then(|entry| std::fs::read_to_string(entry.path()).ok());
    let _ = std::fs::remove_dir_all(&dir);
    match outcome {
        Ok(iterations) => Verdict::passed(
            engine.proves(),
            iterations,
            elapsed,
            if schedule.is_some() {
                "replay of one schedule".to_string()
            } else {
                bounds.describe(engine)
            },
            tally.reaches(scenario),
        ),
        Err(payload) => Verdict::Found(Box::new(diagnose(
            engine,
            executions.load(Ordering::Relaxed),
            elapsed,
            schedule_file.map(|s| Replay::ShuttleSchedule(s.split_whitespace().collect())),
            panic_message(&*payload),
            trace.snapshot(),
            trace.stop(),
        ))),
    }
}

fn run_std(
    scenario: &Arc<Scenario>,
    config: &RunConfig,
    bounds: &Bounds,
    progress: &Arc<AtomicUsize>,
) -> Verdict {
    let trace = Arc::new(Trace::new());
    let start = Instant::now();
    let tally = Tally::new(scenario);
    let mut iterations = 0;
    while iterations < bounds.iterations && start.elapsed() < bounds.std_budget {
        iterations += 1;
        progress.store(iterations, Ordering::Relaxed);
        trace.reset();
        tally.add(quietly(|| execute::<Std>(scenario, config, &trace)));
        if let Some(stop) = trace.stop() {
            return Verdict::Found(Box::new(diagnose(
                Engine::Std,
                iterations,
                start.elapsed(),
                Some(Replay::StdIteration(iterations)),
                format!("{}: {}", stop.1.kind, stop.1.message),
                trace.snapshot(),
                Some(stop),
            )));
        }
    }
    Verdict::passed(
        Engine::Std.proves(),
        iterations,
        start.elapsed(),
        bounds.describe(Engine::Std),
        tally.reaches(scenario),
    )
}

/// The finding kind an engine's own panic message stands for, when no actor stopped first.
pub(crate) fn kind_of_engine_message(message: &str) -> Option<FindingKind> {
    if message.starts_with("deadlock") {
        Some(FindingKind::Deadlock)
    } else if message.contains("Causality violation") {
        Some(FindingKind::DataRace)
    } else if message.contains("exceeded max_steps bound") {
        Some(FindingKind::StarvedWaiters)
    } else {
        None
    }
}

/// Checks that a finding replays: the verdict of [`replay`] has the same kind.
pub fn replays_as(finding: &Finding, scenario: &Scenario, config: &RunConfig) -> bool {
    match &finding.replay {
        Some(saved) => {
            replay(scenario, saved, config)
                .finding()
                .map(|again| again.kind == finding.kind)
                == Some(true)
        }
        None => false,
    }
}
