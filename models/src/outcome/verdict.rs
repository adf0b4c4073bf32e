//! `Verdict`: what running a scenario on an engine concludes: a pass (with the coverage of a
//! proof), a vacuous proof, a finding, or the reason the engine could not run it.

use super::{Finding, Reach};
use std::time::Duration;

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
    /// The engine stopped at a budget before it could conclude (the state graph's
    /// `--max-states` or `--max-memory`): no proof and no finding. Never a pass: the run exits
    /// 1.
    Incomplete {
        /// States explored.
        executions: usize,
        /// Time taken.
        elapsed: Duration,
        /// The budget hit and how to raise it.
        reason: String,
    },
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
            Verdict::Incomplete { executions, .. } => *executions,
            Verdict::NotRun { .. } => 0,
        }
    }

    /// Time taken.
    pub fn elapsed(&self) -> Duration {
        match self {
            Verdict::Pass { elapsed, .. } | Verdict::Vacuous { elapsed, .. } => *elapsed,
            Verdict::Found(finding) => finding.elapsed,
            Verdict::Incomplete { elapsed, .. } => *elapsed,
            Verdict::NotRun { .. } => Duration::ZERO,
        }
    }

    /// The bounds of a run that passed (vacuously or not), in words.
    pub fn bounds(&self) -> Option<&str> {
        match self {
            Verdict::Pass { bounds, .. } | Verdict::Vacuous { bounds, .. } => Some(bounds),
            Verdict::Found(_) | Verdict::Incomplete { .. } | Verdict::NotRun { .. } => None,
        }
    }

    /// How often each `[[sometimes]]` state was reached, for a run that passed (empty
    /// otherwise, or when the scenario declares none).
    pub fn coverage(&self) -> &[Reach] {
        match self {
            Verdict::Pass { coverage, .. } | Verdict::Vacuous { coverage, .. } => coverage,
            Verdict::Found(_) | Verdict::Incomplete { .. } | Verdict::NotRun { .. } => &[],
        }
    }

    /// `pass`, `vacuous`, the finding kind's name, `incomplete`, or `not run`.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Pass { .. } => "pass",
            Verdict::Vacuous { .. } => "vacuous",
            Verdict::Found(finding) => finding.kind.name(),
            Verdict::Incomplete { .. } => "incomplete",
            Verdict::NotRun { .. } => "not run",
        }
    }
}
