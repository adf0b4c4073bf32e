//! The shuttle engines: shuttle's uniformly random, PCT and depth-first schedulers over the same
//! interpreter, sequentially consistent, each failure replayable from shuttle's encoded schedule.
//! shuttle's reports parsed here: `deadlock! blocked tasks: [reader (task 2), ...]` and
//! `exceeded max_steps bound`.

use super::quiet::quietly;
use super::tally::Tally;
use super::{Checker, ScratchDir};
use crate::interpreter::{execute, panic_message, Trace};
use crate::outcome::{Cause, Engine, Explored, Failure, Replay, Stop};
use crate::plan::{Bounds, Plan};
use ::shuttle::scheduler::{DfsScheduler, PctScheduler, RandomScheduler, ReplayScheduler};
use lifecycle_list::Shuttle;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// One of shuttle's schedulers, as a [`Checker`].
pub(super) enum ShuttleChecker {
    /// `RandomScheduler`, seeded.
    Random,
    /// `PctScheduler`, seeded, at the bounds' depth.
    Pct,
    /// `DfsScheduler`, capped at the bounds' iterations.
    Dfs,
}

impl ShuttleChecker {
    fn engine(&self) -> Engine {
        match self {
            ShuttleChecker::Random => Engine::ShuttleRandom,
            ShuttleChecker::Pct => Engine::ShuttlePct,
            ShuttleChecker::Dfs => Engine::ShuttleDfs,
        }
    }

    /// The bounds in words, as reports print them.
    fn describe(&self, bounds: &Bounds) -> String {
        match self {
            ShuttleChecker::Random => {
                format!("{} iterations, seed {}", bounds.iterations, bounds.seed)
            }
            ShuttleChecker::Pct => format!(
                "PCT depth {}, {} iterations, seed {}",
                bounds.pct_depth, bounds.iterations, bounds.seed
            ),
            ShuttleChecker::Dfs => format!("DFS, at most {} iterations", bounds.iterations),
        }
    }
}

impl Checker for ShuttleChecker {
    /// shuttle's PCT scheduler fails a test that exercises no concurrency, which would read as a
    /// finding: it has nothing to prioritize with one thread anyway.
    fn refusal(&self, plan: &Plan) -> Option<String> {
        (matches!(self, ShuttleChecker::Pct) && plan.actors().len() < 2).then(|| {
            format!(
                "{}: one actor, and shuttle's PCT scheduler needs two threads or more to \
                 schedule (the other engines run it)",
                plan.scenario().source.path
            )
        })
    }

    fn explore(&self, plan: &Arc<Plan>, progress: &Arc<AtomicUsize>) -> Explored {
        run(self, plan, None, progress)
    }

    fn replay(&self, plan: &Arc<Plan>, replay: &Replay) -> Option<Explored> {
        let Replay::ShuttleSchedule(schedule) = replay else {
            return None;
        };
        Some(run(self, plan, Some(schedule), &Arc::default()))
    }
}

fn run(
    checker: &ShuttleChecker,
    plan: &Arc<Plan>,
    schedule: Option<&str>,
    progress: &Arc<AtomicUsize>,
) -> Explored {
    let bounds = plan.bounds();
    let trace = Arc::new(Trace::new());
    let executions = progress.clone();
    let scratch = ScratchDir::default();
    let dir = scratch.path();
    let mut config = ::shuttle::Config::new();
    config.failure_persistence = ::shuttle::FailurePersistence::File(Some(dir.to_path_buf()));
    config.max_steps = ::shuttle::MaxSteps::FailAfter(bounds.max_steps);
    config.silence_warnings = true;
    let tally = Arc::new(Tally::new(plan.scenario()));
    let body = {
        let (trace, executions, plan, tally) = (
            trace.clone(),
            executions.clone(),
            plan.clone(),
            tally.clone(),
        );
        move || {
            executions.fetch_add(1, Ordering::Relaxed);
            trace.reset();
            tally.add(execute::<Shuttle>(&plan, &trace));
        }
    };
    let start = Instant::now();
    let explore = || {
        quietly(|| {
            catch_unwind(AssertUnwindSafe(|| match (schedule, checker) {
                (Some(schedule), _) => {
                    let replay = ReplayScheduler::new_from_encoded(schedule);
                    ::shuttle::Runner::new(replay, config).run(body)
                }
                (None, ShuttleChecker::Pct) => {
                    let pct = PctScheduler::new_from_seed(
                        bounds.seed,
                        bounds.pct_depth,
                        bounds.iterations,
                    );
                    ::shuttle::Runner::new(pct, config).run(body)
                }
                (None, ShuttleChecker::Dfs) => {
                    let dfs = DfsScheduler::new(Some(bounds.iterations), false);
                    ::shuttle::Runner::new(dfs, config).run(body)
                }
                (None, ShuttleChecker::Random) => {
                    let random = RandomScheduler::new_from_seed(bounds.seed, bounds.iterations);
                    ::shuttle::Runner::new(random, config).run(body)
                }
            }))
        })
    };
    let outcome = on_a_thread_of_its_own(explore);
    let elapsed = start.elapsed();
    let schedule_file = std::fs::read_dir(dir)
        .ok()
        .and_then(|mut entries| entries.next())
        .and_then(|entry| entry.ok())
        .and_then(|entry| std::fs::read_to_string(entry.path()).ok());
    match outcome {
        Ok(iterations) => Explored::Passed {
            executions: iterations,
            elapsed,
            bounds: if schedule.is_some() {
                "replay of one schedule".to_string()
            } else {
                checker.describe(bounds)
            },
            coverage: tally.reaches(plan.scenario()),
        },
        Err(payload) => {
            let message = panic_message(&*payload);
            Explored::Failed(Failure {
                engine: checker.engine(),
                executions: executions.load(Ordering::Relaxed),
                elapsed,
                replay: schedule_file
                    .map(|s| Replay::ShuttleSchedule(s.split_whitespace().collect())),
                cause: cause(&message, trace.stop()),
                message,
                trace: trace.snapshot(),
            })
        }
    }
}

/// How shuttle's execution ended ([`Cause::of_report`]; shuttle's own report is its step limit).
fn cause(message: &str, stop: Option<(String, Stop)>) -> Cause {
    let limit = message
        .contains("exceeded max_steps bound")
        .then_some(Cause::StepLimit);
    Cause::of_report(blocked_tasks(message), stop, message, limit)
}

/// The tasks shuttle's deadlock report lists as blocked, by name, sorted; `None` if `message` is
/// not a deadlock report.
///
/// `deadlock! blocked tasks: [reader (task 2), waiter-1 (task 3)]`
fn blocked_tasks(message: &str) -> Option<Vec<String>> {
    let list = message.strip_prefix("deadlock! blocked tasks: [")?;
    let mut names: Vec<String> = list
        .trim_end_matches(']')
        .split("), ")
        .filter_map(|entry| entry.split(" (task").next())
        .map(str::to_string)
        .filter(|name| !name.is_empty())
        .collect();
    names.sort();
    Some(names)
}

/// Runs `run` on a new thread and returns what it returns. Each shuttle run gets one: shuttle
/// remembers, per thread, the length of the last schedule it persisted and skips persisting a
/// schedule of the same length, so a second failing run on a thread (the runner's `--jobs`
/// workers run many) could lose the schedule that replays it (the report then had no replay,
/// about one catalogue run in three).
fn on_a_thread_of_its_own<R: Send>(run: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("shuttle-runner".to_string())
            .spawn_scoped(scope, run)
            .expect("a thread for a shuttle run can be spawned")
            .join()
            .expect("a shuttle run's panics are caught on its thread")
    })
}

#[cfg(test)]
mod tests {
    use super::{blocked_tasks, cause};
    use crate::outcome::Cause;

    /// The text shuttle 0.9 panics with when every task is blocked.
    const DEADLOCK: &str = "deadlock! blocked tasks: [waiter-1 (task 3), reader (task 2)]";

    #[test]
    fn a_deadlock_report_names_the_blocked_tasks_sorted() {
        assert_eq!(
            blocked_tasks(DEADLOCK),
            Some(vec!["reader".to_string(), "waiter-1".to_string()])
        );
        assert_eq!(blocked_tasks("exceeded max_steps bound 100000"), None);
    }

    #[test]
    fn shuttle_s_reports_become_causes() {
        assert!(matches!(cause(DEADLOCK, None), Cause::Deadlock { blocked } if blocked.len() == 2));
        assert_eq!(
            cause(
                "exceeded max_steps bound 100000. this might be caused by an unfair schedule",
                None
            ),
            Cause::StepLimit
        );
        assert_eq!(cause("index out of bounds", None), Cause::Panic);
    }
}

#[cfg(test)]
mod schedule_tests {
    use super::{run, ShuttleChecker};
    use crate::language::Scenario;
    use crate::outcome::{Explored, Replay};
    use crate::plan::Plan;
    use std::sync::Arc;

    /// Two failing runs of one scenario on one thread have schedules of the same length; shuttle
    /// persists a schedule once per length per thread, so each run needs a thread of its own
    /// for its report to keep the schedule that replays it.
    #[test]
    fn every_failing_run_keeps_its_schedule_even_after_an_equal_one_on_the_same_thread() {
        let scenario = Scenario::catalogue()
            .into_iter()
            .find(|s| s.name == "socket-lifecycle/buggy")
            .expect("the story's buggy scenario is in the catalogue");
        let plan = Arc::new(Plan::of(&scenario));
        let schedules: Vec<String> = (0..2)
            .map(
                |_| match run(&ShuttleChecker::Pct, &plan, None, &Arc::default()) {
                    Explored::Failed(failure) => match failure.replay {
                        Some(Replay::ShuttleSchedule(schedule)) => schedule,
                        other => panic!("a failing shuttle run without its schedule: {other:?}"),
                    },
                    other => panic!("the buggy story passed on PCT: {other:?}"),
                },
            )
            .collect();
        assert_eq!(schedules[0], schedules[1], "one seed, one schedule");
    }
}
