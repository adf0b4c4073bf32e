//! loom models of the spinlock: mutual exclusion and happens-before for 2, 3 and 4 threads under
//! the await reduction, and a deliberately broken lock that loom must catch.
//!
//! Each model: N threads take the lock, increment a counter kept in a loom cell (a plain,
//! non-atomic location), and release. Mutual exclusion and the unlock→lock happens-before edge
//! are what make those increments race-free and the final count N; loom reports any access pair
//! not ordered by happens-before as a causality violation.

use lifecycle_list::{LockDefect, Loom, SpinLock};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

mod loom_bound;
use loom_bound::bound;

/// Runs the counter model with `threads` threads at `preemption_bound`, returning the number of
/// executions loom explored. Model state is shared with `std::sync::Arc` (a loom `Arc` dropped
/// while unwinding from a loom panic aborts the process).
fn counter_model(threads: usize, preemption_bound: Option<usize>, defect: LockDefect) -> usize {
    let executions = Arc::new(AtomicUsize::new(0));
    let counted = executions.clone();
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = preemption_bound;
    let start = Instant::now();
    builder.check(move || {
        counted.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the counter is only touched under loom, which runs one thread at a time and
        // reports an access not ordered by the lock before it is made: with a defective lock
        // that report is what this model is for.
        let lock = Arc::new(unsafe { SpinLock::<usize, Loom>::with_defect(0, defect) });
        let handles: Vec<_> = (1..threads)
            .map(|_| {
                let lock = lock.clone();
                loom::thread::spawn(move || {
                    *lock.lock().expect("no holder panicked") += 1;
                })
            })
            .collect();
        *lock.lock().expect("no holder panicked") += 1;
        for handle in handles {
            handle.join().expect("a counter thread panicked");
        }
        let total = *lock.lock().expect("no holder panicked");
        assert_eq!(
            total, threads,
            "mutual exclusion: every increment under the lock must be kept"
        );
    });
    let explored = executions.load(Ordering::Relaxed);
    eprintln!(
        "loom spinlock counter: {threads} threads, preemption bound {preemption_bound:?}, \
         defect {defect:?}: {explored} executions in {:?}",
        start.elapsed()
    );
    explored
}

#[test]
fn two_threads_exclude_each_other_unbounded() {
    assert!(counter_model(2, None, LockDefect::None) > 1);
}

#[test]
fn three_threads_exclude_each_other_at_bound_3() {
    // The plain spinning model hits loom's branch limit here (loom issue #53); with the await
    // reduction it completes.
    assert!(counter_model(3, Some(3), LockDefect::None) > 1);
}

#[test]
fn four_threads_exclude_each_other() {
    assert!(counter_model(4, Some(bound(2, 3)), LockDefect::None) > 1);
}

/// Runs a model expected to fail and returns loom's panic message.
fn expect_failure(defect: LockDefect) -> String {
    let payload = catch_unwind(AssertUnwindSafe(|| counter_model(2, Some(2), defect)))
        .expect_err("loom must find the broken lock");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .expect("loom panics with a message")
}

#[test]
fn relaxed_unlock_is_caught_as_a_causality_violation() {
    let message = expect_failure(LockDefect::RelaxedUnlock);
    assert!(
        message.contains("Causality violation"),
        "a Relaxed unlock gives the next holder no happens-before edge to the previous \
         holder's increment; loom said: {message}"
    );
}

#[test]
fn load_then_store_acquire_is_caught_as_a_causality_violation() {
    let message = expect_failure(LockDefect::LoadThenStoreAcquire);
    assert!(
        message.contains("Causality violation"),
        "two threads can both see the lock free and increment concurrently; loom said: {message}"
    );
}

#[test]
fn thread_ids_are_loom_s_own_numbers_and_the_holder_is_recorded() {
    use lifecycle_list::Platform;
    loom::model(|| {
        assert_eq!(
            Loom::thread_id(),
            0,
            "the model's main thread is loom's ThreadId(0)"
        );
        let lock = Arc::new(SpinLock::<(), Loom>::new(()));
        let spawned = {
            let lock = lock.clone();
            loom::thread::spawn(move || {
                let id = Loom::thread_id();
                let _guard = lock.lock().expect("no holder panicked");
                assert_eq!(
                    lock.holder(),
                    Some(id),
                    "the holder is the thread that locked"
                );
                id
            })
        };
        let id = spawned.join().expect("the spawned thread does not panic");
        assert_eq!(
            format!("{:?}", loom::thread::current().id()),
            "ThreadId(0)",
            "the number matches loom's Debug output"
        );
        assert_eq!(id, 1, "the first spawned thread is loom's ThreadId(1)");
    });
}
