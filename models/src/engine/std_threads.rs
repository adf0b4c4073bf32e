//! The std engine: the scenario on real threads, iteration after iteration within a count and a
//! time budget, with the interpreter's soft-lockup watchdog. Nothing to parse: an actor's stop (or
//! the watchdog's) is the only way an iteration fails, and a failure has no schedule to replay,
//! only the iteration that showed it.

use super::quiet::quietly;
use super::tally::Tally;
use super::Checker;
use crate::interpreter::{execute, Trace};
use crate::outcome::{Cause, Engine, Explored, Failure, Replay};
use crate::plan::Plan;
use lifecycle_list::Std;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Real threads, as a [`Checker`].
pub(super) struct StdChecker;

impl Checker for StdChecker {
    fn refusal(&self, _plan: &Plan) -> Option<String> {
        None
    }

    fn explore(&self, plan: &Arc<Plan>, progress: &Arc<AtomicUsize>) -> Explored {
        let bounds = plan.bounds();
        let trace = Arc::new(Trace::new());
        let start = Instant::now();
        let tally = Tally::new(plan.scenario());
        let mut iterations = 0;
        while iterations < bounds.iterations && start.elapsed() < bounds.std_budget {
            iterations += 1;
            progress.store(iterations, Ordering::Relaxed);
            trace.reset();
            tally.add(quietly(|| execute::<Std>(plan, &trace)));
            if let Some((actor, stop)) = trace.stop() {
                return Explored::Failed(Failure {
                    engine: Engine::Std,
                    executions: iterations,
                    elapsed: start.elapsed(),
                    replay: Some(Replay::StdIteration(iterations)),
                    message: format!("{}: {}", stop.kind, stop.message),
                    cause: Cause::Stopped { actor, stop },
                    trace: trace.snapshot(),
                });
            }
        }
        Explored::Passed {
            executions: iterations,
            elapsed: start.elapsed(),
            bounds: format!(
                "at most {} iterations or {:?}",
                bounds.iterations, bounds.std_budget
            ),
            coverage: tally.reaches(plan.scenario()),
        }
    }

    /// Real threads cannot replay a schedule: a saved iteration's scenario is run again.
    fn replay(&self, plan: &Arc<Plan>, replay: &Replay) -> Option<Explored> {
        let Replay::StdIteration(_) = replay else {
            return None;
        };
        Some(self.explore(plan, &Arc::default()))
    }
}
