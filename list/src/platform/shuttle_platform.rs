//! The shuttle platform: shuttle's atomics and synchronization (sequentially consistent
//! schedules chosen by random, PCT or DFS schedulers) and blocking spin-waits.

use super::{
    blocking_waiter, forward_atomic_ops, Platform, Sealed, StdCell, StdLink, StdWord, WordValue,
};

/// Randomized (random, PCT) and bounded exhaustive (DFS) schedule exploration under shuttle.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shuttle;

// A harness's peek is a load of shuttle's atomic, a scheduling point as it always was: a kept
// shuttle schedule replays the scheduling points it was recorded with (shuttle orders
// sequentially consistent steps and detects no races, so the load hides nothing).
forward_atomic_ops!(shuttle::sync::atomic::AtomicUsize, usize, peek: |word: &shuttle::sync::atomic::AtomicUsize| word
    .load(std::sync::atomic::Ordering::SeqCst));
forward_atomic_ops!(shuttle::sync::atomic::AtomicU64, u64, peek: |word: &shuttle::sync::atomic::AtomicU64| word
    .load(std::sync::atomic::Ordering::SeqCst));

blocking_waiter!(
    ShuttleWaiter,
    Shuttle,
    shuttle::sync::Mutex<()>,
    shuttle::sync::Condvar
);

impl Sealed for Shuttle {}

impl Platform for Shuttle {
    const NAME: &'static str = "shuttle";
    const IS_CHECKER: bool = true;

    type AtomicUsize = shuttle::sync::atomic::AtomicUsize;
    type AtomicU64 = shuttle::sync::atomic::AtomicU64;
    // Shuttle explores schedules of sequentially consistent executions and has no data-race
    // detector, so a plain cell is all it needs.
    type Cell<T> = StdCell<T>;
    // One thread runs at a time: std's atomics order nothing shuttle does not already order,
    // and add none of the scheduling points shuttle's own would.
    type Link<T> = StdLink<T>;
    // Std's atomics, not shuttle's: shuttle's atomics are scheduling points, and a link access
    // must not become one (shuttle switches threads only at synchronization, never inside a
    // list operation, which is what the catalogue's shuttle verdicts rest on). Shuttle runs its
    // tasks one at a time, so these atomics cost nothing and add no ordering it could miss.
    type Word<T: WordValue> = StdWord<T>;
    type Waiter = ShuttleWaiter;

    fn thread_id() -> usize {
        shuttle::thread::current().id().into()
    }

    fn thread_name() -> Option<String> {
        shuttle::thread::current().name().map(str::to_owned)
    }

    fn yield_now() {
        shuttle::thread::yield_now();
    }

    fn block_forever() -> ! {
        // Not `park`: shuttle's park may return spuriously, and a park loop then runs until
        // `max_steps`. A receive on a channel whose sender is kept alive but never used blocks
        // for good, so shuttle lists this task in its deadlock report.
        let (sender, receiver) = shuttle::sync::mpsc::channel::<()>();
        std::mem::forget(sender);
        loop {
            let _ = receiver.recv();
        }
    }
}
