//! The loom engine: every interleaving within a preemption bound, C11 weak memory, data races on
//! `loom::cell::UnsafeCell`. A failure replays from a loom checkpoint (loom explores in a fixed
//! order, so a second run writing a checkpoint before every execution stops at the same one).
//! loom's reports parsed here: `deadlock; threads = [(Id(0), Blocked(..)), ...]` and
//! `Causality violation: ...`.

use super::quiet::quietly;
use super::tally::Tally;
use super::{Checker, ScratchDir};
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

/// What loom 0.7 panics with when an execution leaves the path it replays (`rt/path.rs`).
const LOOM_LEFT_THE_PATH: &str = "Reached unexpected exploration state";

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
        run(plan, plan.bounds().preemption_bound, None, progress)
    }

    fn replay(&self, plan: &Arc<Plan>, replay: &Replay) -> Option<Explored> {
        let Replay::LoomCheckpoint(path) = replay else {
            return None;
        };
        Some(run(plan, None, Some(path.clone()), &Arc::default()))
    }
}

/// The bounds in words, as reports print them.
fn describe(preemption_bound: Option<usize>) -> String {
    match preemption_bound {
        Some(bound) => format!("preemption bound {bound}"),
        None => "unbounded".to_string(),
    }
}

/// One loom exploration of `plan` within `preemption_bound`, from the path in `checkpoint_file`
/// if it exists (and writing each execution's path there before running it, if given), each
/// execution recorded into `trace`, counted in `executions` and its coverage added to `tally`;
/// loom's panic payload if an execution failed.
fn explore_once(
    plan: &Arc<Plan>,
    preemption_bound: Option<usize>,
    checkpoint_file: Option<PathBuf>,
    trace: &Arc<Trace>,
    (executions, tally): (&Arc<AtomicUsize>, &Arc<Tally>),
) -> Result<(), Box<dyn std::any::Any + Send>> {
    let (trace, executions, plan, tally) = (
        trace.clone(),
        executions.clone(),
        plan.clone(),
        tally.clone(),
    );
    let mut builder = ::loom::model::Builder::new();
    // Not loom's environment variables (`LOOM_MAX_PERMUTATIONS`, `LOOM_MAX_DURATION`,
    // `LOOM_CHECKPOINT_FILE`): a run cut short there would pass as a whole exploration, and the
    // recorded run, checking them at every execution, would stop elsewhere than the quiet one.
    builder.max_permutations = None;
    builder.max_duration = None;
    builder.checkpoint_file = None;
    builder.checkpoint_interval = 20_000;
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
}

/// Explores `plan` within `preemption_bound` (from loom checkpoint `checkpoint`, if given),
/// counting executions in `progress`: quietly first (most explorations pass, and a pass needs
/// no events), then, if an execution failed, again with a recording trace, which stops at the
/// same execution (loom explores in a fixed order, and the harness's records are unseen by loom)
/// with its events, and leaves its path behind in a checkpoint if a replay is to be saved.
fn run(
    plan: &Arc<Plan>,
    preemption_bound: Option<usize>,
    checkpoint: Option<String>,
    progress: &Arc<AtomicUsize>,
) -> Explored {
    let start = Instant::now();
    let tally = Arc::new(Tally::new(plan.scenario()));
    let scratch = ScratchDir::default();
    // A run from a saved path starts from a copy (loom overwrites its checkpoint file).
    let starting_at = |name: &str| {
        let file = scratch.path().join(name);
        if let Some(json) = &checkpoint {
            std::fs::write(&file, json).expect("the temporary directory is writable");
        }
        file
    };
    let replay_file = || checkpoint.is_some().then(|| starting_at("replay.json"));
    let quiet = Arc::new(Trace::quiet());
    let counters = (progress, &tally);
    let Err(payload) = explore_once(plan, preemption_bound, replay_file(), &quiet, counters) else {
        return Explored::Passed {
            executions: progress.load(Ordering::Relaxed),
            elapsed: start.elapsed(),
            bounds: describe(preemption_bound),
            coverage: tally.reaches(plan.scenario()),
        };
    };
    let found_after = progress.load(Ordering::Relaxed);
    let elapsed = start.elapsed();
    let message = panic_message(&*payload);
    let failure = |message: String, replay, cause, trace| {
        Explored::Failed(Failure {
            engine: crate::outcome::Engine::Loom,
            executions: found_after,
            elapsed,
            replay,
            cause,
            message,
            trace,
        })
    };
    // loom follows a saved path branch by branch; one saved by a build that made other
    // checker-visible accesses (before pictures were read unseen, say) leaves the path. No
    // finding of the scenario's, and no path worth saving again.
    if checkpoint.is_some() && message.contains(LOOM_LEFT_THE_PATH) {
        let message = format!(
            "the replay's loom path does not fit this build's executions of the scenario (loom: \
             {}): it was saved by a build whose harness made other checker-visible accesses; run \
             the scenario on loom again to find the failure and save it anew",
            message.trim()
        );
        return failure(message, None, Cause::Panic, Vec::new());
    }
    let recorded = Arc::new(Trace::new());
    let save_replay = plan.bounds().save_replay;
    let checkpoint_file = if save_replay {
        Some(starting_at("checkpoint.json"))
    } else {
        replay_file()
    };
    let again_after = Arc::new(AtomicUsize::new(0));
    let again = explore_once(
        plan,
        preemption_bound,
        checkpoint_file.clone(),
        &recorded,
        (&again_after, &Arc::new(Tally::new(plan.scenario()))),
    );
    // The same execution, not necessarily the same message: one may name an address, and the
    // recorded run's allocations put the world elsewhere. The recorded run's message goes with
    // its events.
    let again_after = again_after.load(Ordering::Relaxed);
    let Err(again) = again else {
        panic!(
            "loom explored otherwise when the run was recorded: the harness's records must be \
             unseen by loom (the quiet run failed at execution {found_after}: {message}; the \
             recorded run passed after {again_after})"
        );
    };
    assert_eq!(
        again_after, found_after,
        "loom explored otherwise when the run was recorded: the harness's records must be \
         unseen by loom (the executions at which the recorded run and the quiet run failed)"
    );
    let message = panic_message(&*again);
    let events = recorded.snapshot();
    let cause = cause(&message, &events, recorded.stop());
    let replay = checkpoint_file
        .filter(|_| save_replay)
        .and_then(|file| std::fs::read_to_string(file).ok())
        .map(Replay::LoomCheckpoint);
    failure(message, replay, cause, events)
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
    use super::{blocked_threads, cause, explore_once, LoomChecker, Tally};
    use crate::engine::Checker;
    use crate::interpreter::Trace;
    use crate::language::Scenario;
    use crate::outcome::{Cause, Event, Explored, FindingKind, Stop, What};
    use crate::plan::{Plan, Settings};
    use std::sync::atomic::{AtomicUsize, Ordering};
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
                let (executions, tally) = (
                    Arc::new(AtomicUsize::new(0)),
                    Arc::new(Tally::new(plan.scenario())),
                );
                let bound = plan.bounds().preemption_bound;
                let ended =
                    explore_once(&plan, bound, None, &Arc::new(trace), (&executions, &tally));
                // Whether it failed, not its message, which may name an address.
                (executions.load(Ordering::Relaxed), ended.is_err())
            };
            let (recorded, quiet) = (explore(Trace::new()), explore(Trace::quiet()));
            assert_eq!(recorded, quiet, "{name}: recorded, then quiet");
            if !recorded.1 {
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

    /// A saved path that the scenario's executions leave (here one saved from another scenario)
    /// is reported as a replay that does not fit, not as loom's bare internal assertion.
    #[test]
    fn a_replay_whose_path_does_not_fit_says_so() {
        let plan = |name: &str| {
            let scenario = Scenario::named(name).expect("a catalogue scenario");
            Arc::new(Plan::new(&scenario, &Settings::default()).unwrap())
        };
        let Explored::Failed(found) = LoomChecker.explore(&plan("rcu/plain-del"), &Arc::default())
        else {
            panic!("rcu/plain-del fails on loom");
        };
        let replay = found.replay.expect("a replay is saved by default");
        let Some(Explored::Failed(replayed)) = LoomChecker.replay(&plan("freelist/aba"), &replay)
        else {
            panic!("a path that does not fit fails the replay");
        };
        assert!(
            replayed.message.starts_with(
                "the replay's loom path does not fit this build's executions of the scenario \
                 (loom: Reached unexpected exploration state."
            ),
            "{}",
            replayed.message
        );
        assert!(
            replayed.replay.is_none(),
            "a path that does not fit is not saved again"
        );
    }

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
