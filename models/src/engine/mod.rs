//! The engines: each runs a [`Plan`] on one checker and reports what it concluded as
//! [`Explored`] (a pass with its coverage, a structured [`crate::outcome::Failure`], or why it did
//! not run), never a diagnosis. One engine per file behind the [`Checker`] interface, as
//! shuttle keeps one scheduler per file behind its `Scheduler` trait: `loom.rs`, `shuttle.rs`
//! (its three schedulers), `std_threads.rs`, `states/`. Each owns its bounds in words, its
//! refusals, its replay and the parsing of its checker's messages.

mod loom;
mod quiet;

pub use quiet::eprintln_unsilenced;
mod shuttle;
pub(crate) mod states;
mod std_threads;
mod tally;

use crate::outcome::{Engine, Explored, Replay};
use crate::plan::{Bounds, Plan};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// One engine: how it runs a plan, what it refuses, how it replays a saved execution.
pub(crate) trait Checker: Sync {
    /// Why this engine cannot run `plan`, if it cannot.
    fn refusal(&self, plan: &Plan) -> Option<String>;

    /// Explores `plan` within its bounds, counting executions (or states) in `progress` as they
    /// start.
    fn explore(&self, plan: &Arc<Plan>, progress: &Arc<AtomicUsize>) -> Explored;

    /// Re-runs the saved execution `replay`, if it is this engine's kind of replay (`None`
    /// otherwise).
    fn replay(&self, plan: &Arc<Plan>, replay: &Replay) -> Option<Explored>;
}

/// The engine behind `engine`: the one place that maps identities to implementations.
pub(crate) fn checker(engine: Engine) -> &'static dyn Checker {
    match engine {
        Engine::Loom => &loom::LoomChecker,
        Engine::ShuttleRandom => &shuttle::ShuttleChecker::Random,
        Engine::ShuttlePct => &shuttle::ShuttleChecker::Pct,
        Engine::ShuttleDfs => &shuttle::ShuttleChecker::Dfs,
        Engine::Std => &std_threads::StdChecker,
        Engine::States => &states::StatesChecker,
    }
}

/// Runs `plan` on `engine` (refused first if the engine cannot run it).
pub(crate) fn explore(plan: &Plan, engine: Engine, progress: &Arc<AtomicUsize>) -> Explored {
    let checker = checker(engine);
    if let Some(reason) = checker.refusal(plan) {
        return Explored::NotRun(reason);
    }
    checker.explore(&Arc::new(plan.clone()), progress)
}

/// Re-runs a saved failing execution on the engine that can replay it, at quick bounds (a
/// replay is one execution; loom's is unbounded so the saved path is never cut short).
pub(crate) fn replay(plan: &Plan, replay: &Replay) -> Explored {
    let plan = Arc::new(plan.with_bounds(Bounds::quick()));
    Engine::ALL
        .into_iter()
        .find_map(|engine| checker(engine).replay(&plan, replay))
        .unwrap_or_else(|| Explored::NotRun(format!("no engine replays {replay:?}")))
}

/// A directory of its own for one run's replay files (loom's checkpoints, shuttle's failure
/// file): made when first asked for, removed with this value.
#[derive(Default)]
struct ScratchDir(std::cell::OnceCell<PathBuf>);

impl ScratchDir {
    /// The directory, made on the first call.
    fn path(&self) -> &Path {
        self.0.get_or_init(|| {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "lifecycle-check-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&dir).expect("the temporary directory is writable");
            dir
        })
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if let Some(dir) = self.0.get() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
