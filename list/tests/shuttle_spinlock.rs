//! shuttle tests of the spinlock: mutual exclusion and the final count under random and PCT
//! schedules with up to 5 threads, and the deliberately broken acquire caught as a lost update.

use lifecycle_list::{LockDefect, Shuttle, SpinLock};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// N threads each take the lock `rounds` times and do a split read-modify-write (read, yield, write):
/// without mutual exclusion an update is lost.
fn counter_body(
    threads: usize,
    rounds: usize,
    defect: LockDefect,
) -> impl Fn() + Send + Sync + 'static {
    move || {
        // SAFETY: shuttle runs one thread at a time and switches only at synchronization
        // points, none of which lies inside a dereference of the guard, so even a defective
        // lock's two holders never have overlapping references to the counter: they lose an
        // update, which is what the test checks for.
        let lock = Arc::new(unsafe { SpinLock::<usize, Shuttle>::with_defect(0, defect) });
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let lock = lock.clone();
                shuttle::thread::spawn(move || {
                    for _ in 0..rounds {
                        let mut guard = lock.lock().expect("no holder panicked");
                        let value = *guard;
                        shuttle::thread::yield_now();
                        *guard = value + 1;
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().expect("a counter thread panicked");
        }
        let total = *lock.lock().expect("no holder panicked");
        assert_eq!(
            total,
            rounds * threads,
            "mutual exclusion: lost update under the spinlock"
        );
    }
}

#[test]
fn random_schedules_keep_every_increment() {
    for threads in 2..=5 {
        shuttle::check_random(counter_body(threads, 2, LockDefect::None), 1_000);
    }
}

#[test]
fn pct_schedules_keep_every_increment() {
    for threads in 2..=5 {
        shuttle::check_pct(counter_body(threads, 2, LockDefect::None), 1_000, 3);
    }
}

#[test]
fn dfs_explores_two_threads_exhaustively() {
    // Shuttle's DFS has no partial-order reduction: one round each keeps it exhaustive and fast.
    let scheduler = shuttle::scheduler::DfsScheduler::new(None, false);
    let explored = shuttle::Runner::new(scheduler, Default::default()).run(counter_body(
        2,
        1,
        LockDefect::None,
    ));
    eprintln!("shuttle DFS, spinlock counter, 2 threads x 1 round: {explored} schedules");
    assert!(explored > 1, "DFS explores more than one schedule");
}

#[test]
fn pct_catches_the_load_then_store_acquire_as_a_lost_update() {
    let payload = catch_unwind(AssertUnwindSafe(|| {
        shuttle::check_pct(
            counter_body(2, 2, LockDefect::LoadThenStoreAcquire),
            1_000,
            3,
        )
    }))
    .expect_err("two threads can both see the lock free");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        message.contains("mutual exclusion: lost update under the spinlock"),
        "shuttle must report the lost update, got: {message}"
    );
}
