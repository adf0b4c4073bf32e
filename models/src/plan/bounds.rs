//! `Bounds`: how far each engine explores a scenario (loom's preemption bound, shuttle's
//! iterations and PCT depth, the state graph's state cap, std's time budget), with the quick
//! profile of `cargo test` and the exhaustive one of the CI gate. Each engine says its own
//! bounds in words; the plan checks them against [`Bounds::PREEMPTION_BOUND`] and
//! [`Bounds::ITERATIONS`].

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
    /// The preemption bounds loom may be given (beyond 10 it explores for days).
    pub const PREEMPTION_BOUND: std::ops::RangeInclusive<usize> = 0..=10;
    /// The iterations shuttle and std may be given.
    pub const ITERATIONS: std::ops::RangeInclusive<usize> = 1..=10_000_000;

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
}
