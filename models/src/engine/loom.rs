//! The loom engine: every interleaving within a preemption bound, C11 weak memory, data races on
//! `loom::cell::UnsafeCell`. A failure replays from a loom checkpoint (loom explores in a fixed
//! order, so a second run writing a checkpoint before every execution stops at the same one).
//! loom's reports parsed here: `deadlock; threads = [(Id(0), Blocked(..)), ...]` and
//! `Causality violation: ...`.

use super::quiet::quietly;
use super::tally::Tally;
use super::{scratch_dir, Checker};
use crate::interpreter::{execute, panic_message, Trace};
use crate::outcome::{Cause, Event, Explored, Failure, Replay, What};
use crate::plan::Plan;
use lifecycle_list::Loom;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// loom's limit on threads per execution (`loom::MAX_THREADS`).
const LOOM_MAX_THREADS: usize = 5;

/// loom, as a [`Checker`].
pub(super) struct LoomChecker;

impl Checker for LoomChecker {
    /// loom runs at most 5 threads: every actor is one, and so is the grace-period worker of a
    /// scenario that queues RCU callbacks.
    fn refusal(&self, plan: &Plan) -> Option<String> {
        let actors = plan.actors();
        let worker = plan.threads() - actors.len();
        (plan.threads() > LOOM_MAX_THREADS).then(|| {
            let (_, index) = &actors[LOOM_MAX_THREADS - worker];
            let scenario = plan.scenario();
            let actor = &scenario.actors[*index];
            format!(
                "{}:{}:{}: {} actors{}, but loom runs at most {LOOM_MAX_THREADS} threads (one \
                 per actor); this actor is one too many (run it on other engines with --engine, \
                 or lower its count / --waiters)",
                scenario.source.path,
                actor.line,
                actor.column,
                actors.len(),
                if worker > 0 {
                    " and the RCU grace-period worker"
                } else {
                    ""
                },
            )
        })
    }

    fn explore(&self, plan: &Arc<Plan>, progress: &Arc<AtomicUsize>) -> Explored {
        let trace = Arc::new(Trace::new());
        run(plan, plan.bounds().preemption_bound, None, progress, trace)
    }

    fn replay(&self, plan: &Arc<Plan>, replay: &Replay) -> Option<Explored> {
        let Replay::LoomCheckpoint(path) = replay else {
            return None;
        };
        Some(run(
            plan,
            None,
            Some(path.clone()),
            &Arc::default(),
            Arc::new(Trace::new()),
        ))
    }
}

/// The bounds in words, as reports print them.
fn describe(preemption_bound: Option<usize>) -> String {
    match preemption_bound {
        Some(bound) => format!("preemption bound {bound}"),
        None => "unbounded".to_string(),
    }
}

/// Explores `plan` within `preemption_bound` (from loom checkpoint `checkpoint`, if given),
/// counting executions in `progress`, each recorded into `trace` (a quiet trace explores the
/// same executions: the harness's records are unseen by loom).
fn run(
    plan: &Arc<Plan>,
    preemption_bound: Option<usize>,
    checkpoint: Option<String>,
    progress: &Arc<AtomicUsize>,
    trace: Arc<Trace>,
) -> Explored {
    let executions = progress.clone();
    let start = Instant::now();
    let tally = Arc::new(Tally::new(plan.scenario()));
    let explore = |checkpoint_file: Option<PathBuf>| {
        let (trace, executions, plan, tally) = (
            trace.clone(),
            executions.clone(),
            plan.clone(),
            tally.clone(),
        );
        let mut builder = ::loom::model::Builder::new();
        builder.preemption_bound = preemption_bound;
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
                    tally.add(execute::<Loom>(&plan, &trace));
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
        return Explored::Passed {
            executions: executions.load(Ordering::Relaxed),
            elapsed: start.elapsed(),
            bounds: describe(preemption_bound),
            coverage: tally.reaches(plan.scenario()),
        };
    };
    let elapsed = start.elapsed();
    let message = panic_message(&*payload);
    let events = trace.snapshot();
    let cause = cause(&message, &events, trace.stop());
    // loom explores in a fixed order, so running again with a checkpoint written before every
    // execution stops at the same execution and leaves its path behind for replay.
    let replay = plan
        .bounds()
        .save_replay
        .then(|| {
            let checkpoint_file = scratch_dir().join("checkpoint.json");
            let _ = explore(Some(checkpoint_file.clone()));
            std::fs::read_to_string(&checkpoint_file).ok()
        })
        .flatten()
        .map(Replay::LoomCheckpoint);
    Explored::Failed(Failure {
        engine: crate::outcome::Engine::Loom,
        executions: found_after,
        elapsed,
        replay,
        cause,
        message,
        trace: events,
    })
}

/// How loom's execution ended ([`Cause::of_report`]; loom's own report is a causality violation).
fn cause(message: &str, events: &[Event], stop: Option<(String, crate::outcome::Stop)>) -> Cause {
    let race = message
        .contains("Causality violation")
        .then_some(Cause::DataRace);
    Cause::of_report(blocked_threads(message, events), stop, message, race)
}

/// The threads loom's deadlock report lists as blocked, by actor name (ids matched to names
/// through the trace's `Started` events), sorted; `None` if `message` is not a deadlock report.
///
/// `deadlock; threads = [(Id(0), Blocked(..)), (Id(1), Terminated), ...]`
fn blocked_threads(message: &str, events: &[Event]) -> Option<Vec<String>> {
    let list = message.strip_prefix("deadlock; threads = ")?;
    let mut names: Vec<String> = list
        .split("(Id(")
        .skip(1)
        .filter(|entry| entry.contains("Blocked"))
        .filter_map(|entry| entry.split(')').next()?.parse::<usize>().ok())
        .map(|id| {
            events
                .iter()
                .find_map(|e| match e.what {
                    What::Started { thread_id } if thread_id == id => Some(e.thread.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| format!("loom thread {id}"))
        })
        .collect();
    names.sort();
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::{blocked_threads, cause, run};
    use crate::interpreter::Trace;
    use crate::language::Scenario;
    use crate::outcome::{Cause, Event, Explored, FindingKind, Stop, What};
    use crate::plan::{Plan, Settings};
    use std::sync::Arc;

    /// The harness's records (events, and pictures of the lists the acting actor holds, which
    /// read links and slot states) are unseen by loom: a recording run explores exactly the
    /// executions a quiet one does, and ends the same. Pictures read through loom's atomics
    /// once, which added scheduling points: 7,832 executions recorded against 7,416 quiet for
    /// `publish-before-write/fixed`, 4,000 against 3,232 for `typesafe/recheck` (the two of
    /// the catalogue where it showed), 225,007 against 161,613 on 100 generated lifecycles.
    #[test]
    fn recording_a_run_changes_nothing_loom_explores() {
        for name in [
            "publish-before-write/fixed",
            "typesafe/recheck",
            "socket-lifecycle/buggy",
            "rcu/plain-del",
        ] {
            let scenario = Scenario::named(name).expect("a catalogue scenario");
            let plan = Arc::new(Plan::new(&scenario, &Settings::default()).unwrap());
            let explore = |trace: Trace| {
                let bound = plan.bounds().preemption_bound;
                match run(&plan, bound, None, &Arc::default(), Arc::new(trace)) {
                    Explored::Passed { executions, .. } => (executions, "pass".to_string()),
                    Explored::Failed(failure) => (failure.executions, failure.message),
                    other => panic!("{name}: loom neither passed nor failed: {other:?}"),
                }
            };
            let (recorded, quiet) = (explore(Trace::new()), explore(Trace::quiet()));
            assert_eq!(recorded, quiet, "{name}: recorded, then quiet");
            if recorded.1 == "pass" {
                assert!(recorded.0 > 1, "{name}: loom explored a single execution");
            }
        }
    }

    fn started(thread: &str, thread_id: usize) -> Event {
        Event {
            step: 1,
            thread: thread.to_string(),
            what: What::Started { thread_id },
        }
    }

    /// The text loom 0.7 panics with when every thread is blocked, as `loom::rt` formats it.
    const DEADLOCK: &str = "deadlock; threads = [(Id(0), Blocked(Location(None))), (Id(1), \
                            Terminated), (Id(2), Blocked(Location(None)))]";

    #[test]
    fn a_deadlock_report_names_the_blocked_actors_by_their_started_events() {
        let events = [
            started("reader", 0),
            started("owner", 1),
            started("waiter", 2),
        ];
        assert_eq!(
            blocked_threads(DEADLOCK, &events),
            Some(vec!["reader".to_string(), "waiter".to_string()])
        );
        assert_eq!(
            blocked_threads(DEADLOCK, &[started("reader", 0)]),
            Some(vec!["loom thread 2".to_string(), "reader".to_string()]),
            "an id with no Started event is named by its number"
        );
        assert_eq!(blocked_threads("Causality violation: ...", &events), None);
    }

    #[test]
    fn loom_s_reports_become_causes_with_the_deadlock_before_any_stop() {
        let stop = Some((
            "reader".to_string(),
            Stop {
                kind: FindingKind::UseAfterFree,
                message: "x".to_string(),
            },
        ));
        assert!(matches!(
            cause(DEADLOCK, &[], stop.clone()),
            Cause::Deadlock { .. }
        ));
        assert!(matches!(
            cause("use-after-free: x", &[], stop),
            Cause::Stopped { .. }
        ));
        assert_eq!(
            cause(
                "Causality violation: Concurrent read and write accesses.",
                &[],
                None
            ),
            Cause::DataRace
        );
        assert_eq!(cause("assertion failed", &[], None), Cause::Panic);
    }
}
