//! The interpreter: runs a [`Scenario`]'s actors over a [`World`] on one platform (one
//! execution). The first actor runs on the execution's main thread (loom runs at most 5 threads
//! in all); the others are spawned in the order the file lists them.

mod actor;
mod actor_checkpoint;
mod checkpoint;
mod coverage;
mod digest;
mod lists;
mod place;
mod rcu;
mod signal;
mod stepper;
mod tables;
mod threads;
mod trace;
mod watchdog;
mod world;

pub(crate) use checkpoint::Checkpoint;
pub(crate) use rcu::WORKER;
pub(crate) use stepper::{
    enabled, finding_identity, replay_path, worker_enabled, IsNew, Outcome, Ran, Replayer, Snapshot,
};
pub use threads::{panic_message, Threads};
pub(crate) use trace::Trace;
use world::World;

use crate::language::Scenario;
use crate::outcome::{FindingKind, Stop};
use crate::plan::Plan;
use actor::{run_actor, Halt};
use coverage::Coverage;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Ends an actor with `stop`: recorded, then a panic under a checker (the checker reports the
/// execution with its schedule). On std every other actor is asked to let go.
fn stop_actor<P: Threads>(world: &World<P>, actor: &str, stop: Stop) {
    let message = format!("{}: {}", stop.kind, stop.message);
    world.trace.set_stop(actor, stop);
    if P::IS_CHECKER {
        panic!("{message}");
    }
    world.stop.store(true, Ordering::Relaxed);
}

/// Runs actor `index` of `scenario` as `name`, turning how it ended into the run's record.
fn actor<P: Threads>(world: &World<P>, scenario: &Scenario, index: usize, name: &str) {
    world.started(name);
    match run_actor(world, &scenario.actors[index], name) {
        Ok(()) | Err(Halt::Abandoned) => {}
        // Already recorded before looping; under a checker the loop never returns.
        Err(Halt::Looped) => {}
        Err(Halt::Stop(stop)) => stop_actor(world, name, stop),
    }
}

/// Runs one execution of `plan` on platform `P`, recording into `trace`; returns the
/// `[[sometimes]]` states it reached, as a mask (bit `p`: property `p`).
pub(crate) fn execute<P: Threads>(plan: &Arc<Plan>, trace: &Arc<Trace>) -> u64 {
    let (scenario, spec, actors) = (plan.scenario(), plan.world(), plan.actors());
    let mut world = World::<P>::new(spec, trace.clone(), plan.rcu_slots());
    world.coverage = Coverage::new(&scenario.sometimes, actors, spec.locks.len());
    let world = Arc::new(world);
    // The grace-period worker, if any actor queues a callback: a thread of the run's own.
    let worker = scenario.uses_rcu_callbacks().then(|| {
        let world = world.clone();
        P::spawn_named(
            rcu::WORKER.to_string(),
            Box::new(move || {
                world.started(rcu::WORKER);
                if let Err(stop) = world.rcu_worker() {
                    stop_actor(&world, rcu::WORKER, stop);
                }
            }),
        )
    });
    let mut threads = Vec::new();
    for (name, index) in actors.iter().skip(1).cloned() {
        let (world, plan) = (world.clone(), plan.clone());
        threads.push(P::spawn_named(
            name.clone(),
            Box::new(move || actor(&world, plan.scenario(), index, &name)),
        ));
    }
    let all_done = Arc::new(AtomicBool::new(false));
    let watchdog = (!P::IS_CHECKER).then(|| {
        let (world, all_done, limit) = (world.clone(), all_done.clone(), plan.watchdog());
        std::thread::spawn(move || watchdog::watch(&world, &all_done, limit))
    });
    let (main_name, main_index) = actors[0].clone();
    actor(&world, scenario, main_index, &main_name);
    let mut joined = Vec::new();
    for thread in threads {
        joined.push(P::join(thread));
    }
    // Every actor is done: the worker runs what is queued and returns.
    world.rcu.stop();
    if let Some(worker) = worker {
        joined.push(P::join(worker));
    }
    for outcome in joined {
        if let Err(message) = outcome {
            // A checker has already failed the execution; on std, keep the first stop.
            if !P::IS_CHECKER {
                trace.set_stop(
                    "join",
                    Stop {
                        kind: FindingKind::Assertion,
                        message,
                    },
                );
            }
        }
    }
    all_done.store(true, Ordering::Relaxed);
    if let Some(watchdog) = watchdog {
        watchdog.thread().unpark();
        watchdog.join().expect("the watchdog does not panic");
    }
    if spec.checks.leak && trace.stop().is_none() {
        if let Err(stop) = world.check_no_leak() {
            stop_actor(&world, &main_name, stop);
        }
    }
    world.coverage.reached()
}
