//! `Finding` and `Verdict`: what running a scenario on an engine concludes, as a value with its
//! evidence (engine, executions, time, replayable schedule, event trace, diagnosis).

use crate::interpreter::trace::Event;
pub use crate::language::FindingKind;
use std::time::Duration;

/// How to make the failing execution happen again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// A shuttle schedule, for `shuttle::replay` (and `--replay`).
    ShuttleSchedule(String),
    /// A loom checkpoint (the execution path, JSON) that `Builder::checkpoint_file` replays.
    LoomCheckpoint(String),
    /// Real threads have no schedule to replay: the iteration that showed it.
    StdIteration(usize),
}

/// Where the root cause of a looping reader lies in the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootCause {
    /// The slot freed while linked.
    pub slot: usize,
    /// The link that was added again (`slot#0`, or `slot#0.hash` on a second list).
    pub node: String,
    /// The head it was added after (`head` or `hash-head`).
    pub head: String,
    /// The step of the free, and who did it.
    pub freed_at: (usize, String),
    /// The step of the reallocation, and who did it.
    pub reallocated_at: (usize, String),
    /// The step of the second add, and who did it.
    pub added_again_at: (usize, String),
}

/// A failure found by an engine, with its evidence.
#[derive(Debug, Clone)]
pub struct Finding {
    /// What kind of failure.
    pub kind: FindingKind,
    /// The engine that found it (`loom`, `shuttle-pct`, `std`, ...).
    pub engine: String,
    /// Executions (loom, shuttle) or iterations (std) run up to and including the failing one.
    pub executions: usize,
    /// Time until found.
    pub elapsed: Duration,
    /// How to replay it, where the engine can.
    pub replay: Option<Replay>,
    /// The thread holding the lock the finding is about, if one held it.
    pub holder: Option<String>,
    /// That lock's name (`registry`), if the finding is about one.
    pub lock: Option<String>,
    /// The cycle a looping reader walks, from the head: `head -> slot#0 -> slot#0`.
    pub cycle: Vec<String>,
    /// Threads blocked forever waiting for the lock, by name, sorted.
    pub starved: Vec<String>,
    /// Where the trace shows the bug was made.
    pub root_cause: Option<RootCause>,
    /// The engine's or the actor's own message.
    pub message: String,
    /// The events of the failing execution.
    pub trace: Vec<Event>,
    /// The finding explained in sentences.
    pub diagnosis: String,
}

/// How many of a run's executions (states, for the state-graph engine) reached one
/// `[[sometimes]]` state of the scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// The property's name, as the file writes it.
    pub name: String,
    /// Executions (states) that reached it; 0 means the run never got there.
    pub reached: usize,
}

/// The outcome of running a scenario on an engine.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Every execution explored passed (and, for a proof, reached every `[[sometimes]]`).
    Pass {
        /// Executions (or iterations, or states) explored.
        executions: usize,
        /// Time taken.
        elapsed: Duration,
        /// The bounds used, in words (`preemption bound 3`, `PCT depth 3, 1000 iterations`).
        bounds: String,
        /// How often each `[[sometimes]]` state was reached.
        coverage: Vec<Reach>,
    },
    /// An exhaustive engine (loom, states) passed every execution, but some `[[sometimes]]`
    /// state was never reached: the proof is over orders that never happen, so it proves nothing
    /// about them. Not a pass.
    Vacuous {
        /// Executions (or states) explored.
        executions: usize,
        /// Time taken.
        elapsed: Duration,
        /// The bounds used, in words.
        bounds: String,
        /// How often each `[[sometimes]]` state was reached (some 0).
        coverage: Vec<Reach>,
    },
    /// An execution failed.
    Found(Box<Finding>),
    /// The engine cannot run the scenario at all (loom: more actors than its 5 threads).
    NotRun {
        /// Why, naming the file and line.
        reason: String,
    },
}

impl Verdict {
    /// A run in which every execution passed: [`Verdict::Vacuous`] if `exhaustive` (the engine
    /// proves) and some `[[sometimes]]` state was never reached, [`Verdict::Pass`] otherwise.
    pub fn passed(
        exhaustive: bool,
        executions: usize,
        elapsed: Duration,
        bounds: String,
        coverage: Vec<Reach>,
    ) -> Verdict {
        if exhaustive && coverage.iter().any(|reach| reach.reached == 0) {
            Verdict::Vacuous {
                executions,
                elapsed,
                bounds,
                coverage,
            }
        } else {
            Verdict::Pass {
                executions,
                elapsed,
                bounds,
                coverage,
            }
        }
    }

    /// The finding, if any.
    pub fn finding(&self) -> Option<&Finding> {
        match self {
            Verdict::Found(finding) => Some(finding),
            _ => None,
        }
    }

    /// Executions explored (to the finding, for a finding).
    pub fn executions(&self) -> usize {
        match self {
            Verdict::Pass { executions, .. } | Verdict::Vacuous { executions, .. } => *executions,
            Verdict::Found(finding) => finding.executions,
            Verdict::NotRun { .. } => 0,
        }
    }

    /// Time taken.
    pub fn elapsed(&self) -> Duration {
        match self {
            Verdict::Pass { elapsed, .. } | Verdict::Vacuous { elapsed, .. } => *elapsed,
            Verdict::Found(finding) => finding.elapsed,
            Verdict::NotRun { .. } => Duration::ZERO,
        }
    }

    /// The bounds of a run that passed (vacuously or not), in words.
    pub fn bounds(&self) -> Option<&str> {
        match self {
            Verdict::Pass { bounds, .. } | Verdict::Vacuous { bounds, .. } => Some(bounds),
            Verdict::Found(_) | Verdict::NotRun { .. } => None,
        }
    }

    /// How often each `[[sometimes]]` state was reached, for a run that passed (empty
    /// otherwise, or when the scenario declares none).
    pub fn coverage(&self) -> &[Reach] {
        match self {
            Verdict::Pass { coverage, .. } | Verdict::Vacuous { coverage, .. } => coverage,
            Verdict::Found(_) | Verdict::NotRun { .. } => &[],
        }
    }

    /// `pass`, `vacuous`, the finding kind's name, or `not run`.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Pass { .. } => "pass",
            Verdict::Vacuous { .. } => "vacuous",
            Verdict::Found(finding) => finding.kind.name(),
            Verdict::NotRun { .. } => "not run",
        }
    }
}
