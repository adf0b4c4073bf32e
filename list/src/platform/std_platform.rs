//! The std platform: real threads, real atomics, and spin-waits that really spin
//! (test-and-test-and-set with `crossbeam_utils::Backoff`).

use super::{forward_atomic_ops, CellOps, LinkOps, Platform, Sealed, StdWord, Waiter, WordValue};
use crossbeam_utils::Backoff;
use std::cell::{Cell, UnsafeCell};
use std::sync::atomic::{self, Ordering};

/// Real threads and hardware atomics: production use, stress tests and benchmarks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Std;

forward_atomic_ops!(atomic::AtomicUsize, usize, peek: |word: &atomic::AtomicUsize| word
    .load(Ordering::Relaxed));
forward_atomic_ops!(atomic::AtomicU64, u64, peek: |word: &atomic::AtomicU64| word
    .load(Ordering::Relaxed));

/// A plain `UnsafeCell` with the closure API, which costs nothing after inlining. Like
/// `UnsafeCell` it is not `Sync`: the type that embeds it states why sharing is sound.
/// Shuttle uses it too (shuttle checks schedules, not data races).
#[derive(Debug, Default)]
#[repr(transparent)]
pub struct StdCell<T>(UnsafeCell<T>);

impl<T> Sealed for StdCell<T> {}

impl<T> CellOps<T> for StdCell<T> {
    #[inline]
    fn new(value: T) -> Self {
        StdCell(UnsafeCell::new(value))
    }
    #[inline]
    fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }
    #[inline]
    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// A list link on real threads: an `AtomicPtr`, plain accesses `Relaxed` (`READ_ONCE` /
/// `WRITE_ONCE`, which cost what plain loads and stores cost on x86 and arm64), RCU ones acquire
/// and release. Shuttle uses it too: it runs one thread at a time, so these are not the
/// scheduling points its own atomics would add.
#[derive(Debug)]
pub struct StdLink<T>(atomic::AtomicPtr<T>);

impl<T> Sealed for StdLink<T> {}

impl<T> LinkOps<T> for StdLink<T> {
    #[inline]
    fn new(value: *const T, _rcu: bool) -> Self {
        StdLink(atomic::AtomicPtr::new(value.cast_mut()))
    }
    #[inline]
    fn load(&self) -> *const T {
        self.0.load(Ordering::Relaxed)
    }
    #[inline]
    fn store(&self, value: *const T) {
        self.0.store(value.cast_mut(), Ordering::Relaxed)
    }
    #[inline]
    fn load_acquire(&self) -> *const T {
        self.0.load(Ordering::Acquire)
    }
    #[inline]
    fn store_release(&self, value: *const T) {
        self.0.store(value.cast_mut(), Ordering::Release)
    }
    #[inline]
    fn load_lockless(&self) -> *const T {
        self.0.load(Ordering::Relaxed)
    }
    #[inline]
    fn peek(&self) -> *const T {
        // Std's atomics are no checker's: shuttle, which uses this link too, sees no access.
        self.0.load(Ordering::Relaxed)
    }
}

/// Spins on the word: the std half of the await reduction, a real test-and-test-and-set wait.
#[derive(Debug, Default, Clone, Copy)]
pub struct SpinWaiter;

impl SpinWaiter {
    /// `const` constructor, so a lock on this platform can be built in `const` context.
    pub const fn new() -> Self {
        SpinWaiter
    }
}

impl Sealed for SpinWaiter {}

impl Waiter<Std> for SpinWaiter {
    #[inline]
    fn new() -> Self {
        SpinWaiter
    }

    #[inline]
    fn wait_while_unchanged(&self, word: &atomic::AtomicUsize, observed: usize) {
        // Spin on a plain load (the "test" of test-and-test-and-set) so waiters do not bounce the
        // cache line with failed compare-and-swaps; back off to `yield_now` under long waits.
        let backoff = Backoff::new();
        while word.load(Ordering::Relaxed) == observed {
            backoff.snooze();
        }
    }

    #[inline]
    fn wake_all(&self) {
        // Spinning waiters see the store by themselves.
    }
}

thread_local! {
    static THREAD_ID: Cell<usize> = const { Cell::new(0) };
}

/// Hands out thread ids, starting at 1 so 0 can mean "nobody".
static NEXT_THREAD_ID: atomic::AtomicUsize = atomic::AtomicUsize::new(1);

impl Sealed for Std {}

impl Platform for Std {
    const NAME: &'static str = "std";
    const IS_CHECKER: bool = false;

    type AtomicUsize = atomic::AtomicUsize;
    type AtomicU64 = atomic::AtomicU64;
    type Cell<T> = StdCell<T>;
    type Link<T> = StdLink<T>;
    type Word<T: WordValue> = StdWord<T>;
    type Waiter = SpinWaiter;

    fn thread_id() -> usize {
        THREAD_ID.with(|id| {
            if id.get() == 0 {
                id.set(NEXT_THREAD_ID.fetch_add(1, Ordering::Relaxed));
            }
            id.get()
        })
    }

    fn thread_name() -> Option<String> {
        std::thread::current().name().map(str::to_owned)
    }

    fn yield_now() {
        std::thread::yield_now();
    }

    fn block_forever() -> ! {
        loop {
            std::thread::park();
        }
    }
}
