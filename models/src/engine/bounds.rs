//! `Bounds`: how far each engine explores a scenario (loom's preemption bound, shuttle's
//! iterations and PCT depth, the state graph's state cap, std's time budget), with the quick
//! profile of `cargo test` and the exhaustive one of the CI gate.

use super::Engine;
use std::time::Duration;

/// Bounds for a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounds {
    /// loom's preemption bound; `None` explores every interleaving.
    pub preemption_bound: Option<usize>,
    /// shuttle: iterations (random, PCT; a cap for DFS). std: iterations at most.
    pub iterations: usize,
    /// shuttle's random and PCT seed.
    pub seed: u64,
    /// PCT's bug depth.
    pub pct_depth: usize,
    /// states: merge states that differ only in which copy of a replicated actor is where.
    pub symmetry: bool,
    /// states: the most states to explore before giving up (no proof).
    pub max_states: usize,
    /// shuttle: steps after which an execution fails (`MaxSteps::FailAfter`, never
    /// `ContinueAfter`, which passes livelocks silently).
    pub max_steps: usize,
    /// std: the time budget.
    pub std_budget: Duration,
}

impl Bounds {
    /// Bounds for the quick default run (`cargo test`, `cargo run`): loom at preemption bound
    /// 1, shuttle 1,000 iterations, std 5 s.
    pub fn quick() -> Self {
        Bounds {
            preemption_bound: Some(1),
            iterations: 1_000,
            seed: 0x5eed,
            pct_depth: 3,
            max_steps: 100_000,
            std_budget: Duration::from_secs(5),
            symmetry: true,
            max_states: 2_000_000,
        }
    }

    /// The deep bounds of the CI gate (`--cfg loom`, `--exhaustive`): preemption bound 3 (or
    /// `LOOM_MAX_PREEMPTIONS`), 10,000 shuttle iterations.
    pub fn exhaustive() -> Self {
        Bounds {
            preemption_bound: Some(
                std::env::var("LOOM_MAX_PREEMPTIONS")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(3),
            ),
            iterations: 10_000,
            ..Bounds::quick()
        }
    }

    /// The bounds `engine` runs within, in words, as reports print them.
    pub(super) fn describe(&self, engine: Engine) -> String {
        match engine {
            Engine::Loom => match self.preemption_bound {
                Some(bound) => format!("preemption bound {bound}"),
                None => "unbounded".to_string(),
            },
            Engine::ShuttleRandom => format!("{} iterations, seed {}", self.iterations, self.seed),
            Engine::ShuttlePct => format!(
                "PCT depth {}, {} iterations, seed {}",
                self.pct_depth, self.iterations, self.seed
            ),
            Engine::ShuttleDfs => format!("DFS, at most {} iterations", self.iterations),
            Engine::Std => format!(
                "at most {} iterations or {:?}",
                self.iterations, self.std_budget
            ),
            Engine::States => format!(
                "step level, no bound, at most {} states{}",
                self.max_states,
                if self.symmetry { ", symmetry" } else { "" }
            ),
        }
    }
}
