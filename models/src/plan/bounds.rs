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
    /// states: the most states to explore before stopping with `incomplete` (no proof).
    pub max_states: usize,
    /// states: the most resident memory (MiB) the process may reach before the state graph
    /// stops with `incomplete`.
    pub max_memory_mib: usize,
    /// states: how many threads explore one graph (each with a world of its own), the others
    /// joining the first once the graph has 20,000 states, in [`Bounds::STATE_WORKERS`].
    /// Verdicts, counts, findings and their paths do not depend on it, nor (without symmetry)
    /// the numbering of states; with symmetry a state is kept as whichever copy a worker
    /// reached first. Beside `--jobs` runs, up to `jobs * state_workers` threads may run at
    /// once.
    pub state_workers: usize,
    /// shuttle: steps after which an execution fails (`MaxSteps::FailAfter`, never
    /// `ContinueAfter`, which passes livelocks silently).
    pub max_steps: usize,
    /// std: the time budget.
    pub std_budget: Duration,
    /// loom: save a finding's path so it replays (`--replay`, a kept regression). loom's only
    /// way to give it is a second exploration writing a checkpoint file at every execution up to
    /// the failing one, which costs more than the first; a caller that never replays (the
    /// fuzzing's oracle) turns it off.
    pub save_replay: bool,
}

impl Bounds {
    /// The preemption bounds loom may be given (beyond 10 it explores for days).
    pub const PREEMPTION_BOUND: std::ops::RangeInclusive<usize> = 0..=10;
    /// The iterations shuttle and std may be given.
    pub const ITERATIONS: std::ops::RangeInclusive<usize> = 1..=10_000_000;
    /// The state-graph workers a run may be given.
    pub const STATE_WORKERS: std::ops::RangeInclusive<usize> = 1..=256;

    /// The state graph's default workers: one per core of this machine, within
    /// [`Bounds::STATE_WORKERS`].
    pub fn default_state_workers() -> usize {
        let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
        cores.min(*Self::STATE_WORKERS.end())
    }

    /// The state graph's default state budget: a 50-actor file reaches it in well under a
    /// minute in release, a few hundred MiB in (BENCHMARKS.md).
    pub const MAX_STATES: usize = 1_000_000;

    /// The default memory budget: half the machine's memory (`/proc/meminfo`), or 4 GiB where
    /// it cannot be read.
    pub fn default_memory_mib() -> usize {
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|info| {
                let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
                let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
                Some(kib / 1024 / 2)
            })
            .unwrap_or(4096)
    }

    /// The process's resident memory in MiB (Linux's `/proc/self/statm`), which
    /// `max_memory_mib` bounds; `None` where it cannot be read.
    pub fn resident_mib() -> Option<usize> {
        let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
        let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
        // SAFETY: `sysconf` reads a constant of the system; no memory is touched.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        Some(pages * usize::try_from(page).ok()? / (1 << 20))
    }

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
            max_states: Self::MAX_STATES,
            max_memory_mib: Self::default_memory_mib(),
            state_workers: Self::default_state_workers(),
            save_replay: true,
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
