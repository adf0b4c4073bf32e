//! The RCU model against the kernel's own statement of its guarantee: the litmus tests
//! `Documentation/litmus-tests/rcu/RCU+sync+free.litmus` and `RCU+sync+read.litmus` (both
//! `Result: Never`), written as loom models over every execution (no preemption bound), each run
//! twice: with `synchronize_rcu`, where no execution may show the forbidden outcome, and without
//! it, where loom must find an execution that does (so the test can fail: the outcome is
//! reachable, and only the grace period rules it out).

use lifecycle_list::{Loom, Rcu};
use loom::sync::atomic::{AtomicBool as LoomBool, AtomicUsize};
use std::sync::atomic::{AtomicBool, AtomicUsize as StdAtomicUsize, Ordering};
use std::sync::Arc;

/// Runs `model` on every loom execution; returns (executions, whether any saw the forbidden
/// outcome). The flag is std's, outside the model: a loom execution only reports.
fn explore(model: impl Fn(&AtomicBool) + Sync + Send + 'static) -> (usize, bool) {
    let seen = Arc::new(AtomicBool::new(false));
    let executions = Arc::new(StdAtomicUsize::new(0));
    let (flag, counted) = (seen.clone(), executions.clone());
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = None;
    builder.check(move || {
        counted.fetch_add(1, Ordering::Relaxed);
        model(&flag);
    });
    (
        executions.load(Ordering::Relaxed),
        seen.load(Ordering::Relaxed),
    )
}

/// RCU+sync+free: P0 reads `y` under `rcu_dereference` and then the object it points to; P1
/// points `y` at `z` (`rcu_assign_pointer`), waits a grace period, and destroys `x`
/// (`WRITE_ONCE(*x, 0)`). `exists (0:r0=x /\ 0:r1=0)`: a reader that still saw the old pointer
/// reads the destroyed object.
fn sync_free(grace_period: bool) -> (usize, bool) {
    explore(move |forbidden| {
        // y: 0 points to x, 1 points to z.
        let shared = Arc::new((
            Rcu::<(), Loom>::new(2),
            AtomicUsize::new(1),
            AtomicUsize::new(1),
            AtomicUsize::new(0),
        ));
        let updater = {
            let shared = shared.clone();
            loom::thread::spawn(move || {
                let (rcu, x, _z, y) = &*shared;
                let _me = rcu.register().expect("a slot");
                y.store(1, Ordering::Release);
                if grace_period {
                    rcu.synchronize(&|| false)
                        .expect("a checker never gives up");
                }
                x.store(0, Ordering::Relaxed);
            })
        };
        let (rcu, x, z, y) = &*shared;
        let mut me = rcu.register().expect("a slot");
        me.read_lock();
        let r0 = y.load(Ordering::Acquire);
        let r1 = if r0 == 0 { x } else { z }.load(Ordering::Relaxed);
        me.read_unlock().expect("in a section");
        updater.join().expect("the updater does not panic");
        if r0 == 0 && r1 == 0 {
            forbidden.store(true, Ordering::Relaxed);
        }
    })
}

/// RCU+sync+read: P0 writes `x` then `y` inside a section; P1 reads `x`, waits a grace period,
/// reads `y`. `exists (1:r0=1 /\ 1:r1=0)`: the updater saw the section's first store but, after
/// the grace period, not its second.
fn sync_read(grace_period: bool) -> (usize, bool) {
    explore(move |forbidden| {
        let shared = Arc::new((
            Rcu::<(), Loom>::new(2),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        ));
        let reader = {
            let shared = shared.clone();
            loom::thread::spawn(move || {
                let (rcu, x, y) = &*shared;
                let mut me = rcu.register().expect("a slot");
                me.read_lock();
                x.store(1, Ordering::Relaxed);
                y.store(1, Ordering::Relaxed);
                me.read_unlock().expect("in a section");
            })
        };
        let (rcu, x, y) = &*shared;
        let _me = rcu.register().expect("a slot");
        let r0 = x.load(Ordering::Relaxed);
        if grace_period {
            rcu.synchronize(&|| false)
                .expect("a checker never gives up");
        }
        let r1 = y.load(Ordering::Relaxed);
        reader.join().expect("the reader does not panic");
        if r0 == 1 && r1 == 0 {
            forbidden.store(true, Ordering::Relaxed);
        }
    })
}

#[test]
fn rcu_sync_free_never_lets_a_reader_of_the_old_pointer_see_the_object_destroyed() {
    let (executions, seen) = sync_free(true);
    eprintln!("RCU+sync+free with synchronize_rcu: {executions} executions");
    assert!(
        !seen,
        "RCU+sync+free is `Result: Never`: a section that saw the old pointer must end before \
         the grace period does, so the destroying store happens after its read"
    );
    let (executions, seen) = sync_free(false);
    eprintln!("RCU+sync+free without synchronize_rcu: {executions} executions");
    assert!(
        seen,
        "without the grace period the destroyed object is reachable"
    );
}

#[test]
fn rcu_sync_read_lets_the_updater_see_every_store_of_a_section_that_ended() {
    let (executions, seen) = sync_read(true);
    eprintln!("RCU+sync+read with synchronize_rcu: {executions} executions");
    assert!(
        !seen,
        "RCU+sync+read is `Result: Never`: after the grace period the updater sees every store \
         of a section it saw a store of"
    );
    let (executions, seen) = sync_read(false);
    eprintln!("RCU+sync+read without synchronize_rcu: {executions} executions");
    assert!(
        seen,
        "without the grace period the second store may be missed"
    );
}

#[test]
fn a_grace_period_inside_the_waiter_s_own_section_is_a_deadlock_loom_reports() {
    let outcome = std::panic::catch_unwind(|| {
        explore(|_| {
            let rcu = Rcu::<(), Loom>::new(1);
            let mut me = rcu.register().expect("a slot");
            me.read_lock();
            rcu.synchronize(&|| false)
                .expect("a checker never gives up");
        })
    });
    let payload = outcome.expect_err("synchronize_rcu inside a section never returns");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(message.starts_with("deadlock"), "{message}");
}

/// A loom model at preemption bound 2 (3 under `--cfg loom`, the CI gate's: about ten minutes of
/// a debug build); `Err` with loom's message if it failed.
fn bounded(model: impl Fn() + Sync + Send + 'static) -> Result<(), String> {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(if cfg!(loom) { 3 } else { 2 });
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.check(model))).map_err(
        |payload| {
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        },
    )
}

/// Another thread queues callback 0 while this one queues callback 1 and calls `rcu_barrier`:
/// the barrier returns only after callback 1 ran, and `pending` never counts a callback run
/// before it was counted queued (found by an independent review: `call` counted after releasing
/// the queue, so the worker could run and count the other thread's callback first).
#[test]
fn rcu_barrier_waits_for_every_callback_its_thread_queued_and_pending_never_underflows() {
    bounded(|| {
        let shared = Arc::new((
            Rcu::<usize, Loom>::new(1),
            [LoomBool::new(false), LoomBool::new(false)],
        ));
        let worker = {
            let shared = shared.clone();
            loom::thread::spawn(move || {
                let (rcu, ran) = &*shared;
                rcu.run_callbacks(|n| ran[n].store(true, Ordering::Release), &|| false)
                    .expect("a checker never gives up");
            })
        };
        let other = {
            let shared = shared.clone();
            loom::thread::spawn(move || shared.0.call(0).map_err(|(error, _)| error))
        };
        let (rcu, ran) = &*shared;
        rcu.call(1)
            .map_err(|(error, _)| error)
            .expect("not stopped");
        assert!(rcu.pending() <= 2, "pending counts only what was queued");
        rcu.barrier(&|| false).expect("a checker never gives up");
        assert!(
            ran[1].load(Ordering::Acquire),
            "rcu_barrier returned before the callback its own thread queued ran"
        );
        other.join().unwrap().expect("not stopped");
        rcu.stop();
        worker.join().unwrap();
    })
    .expect("the barrier and the counters hold on every execution");
}
