//! The platform layer: one build of the list and slab code runs on real threads ([`Std`]),
//! under loom's exhaustive explorer ([`Loom`]) and under shuttle's randomized schedulers
//! ([`Shuttle`]). The shape follows loom's own facade (`loom::sync::atomic`, `loom::cell`) but as
//! a trait, so all three engines live in one binary (docs/design.md section 3).

mod std_platform;
pub use std_platform::{SpinWaiter, Std, StdCell, StdLink};
mod std_word;
pub use std_word::StdWord;
#[cfg(feature = "loom")]
mod mirrored;
#[cfg(feature = "loom")]
pub use mirrored::Mirrored;

#[cfg(feature = "loom")]
mod loom_platform;
#[cfg(feature = "loom")]
pub use loom_platform::Loom;

#[cfg(feature = "shuttle")]
mod shuttle_platform;
#[cfg(feature = "shuttle")]
pub use shuttle_platform::Shuttle;

use std::sync::atomic::Ordering;

/// The seal of [`Platform`], [`AtomicOps`], [`CellOps`] and [`Waiter`]: a public trait in a
/// private module, so no crate but this one can name it, and so none can implement the traits
/// that require it. The list, the spinlock and the slab hand these traits raw pointers and rely
/// on what their implementations do (a cell gives a pointer to its contents, an atomic is
/// atomic, a waiter returns only once the word may have changed); only the implementations in
/// this crate are trusted to.
mod sealed {
    /// Implemented only in this crate, for the platforms and their types.
    pub trait Sealed {}
}
pub(crate) use sealed::Sealed;

/// An execution engine the data structures can run on.
///
/// Everything the list, the spinlock and the slab share between threads goes through these
/// associated types, so that a checker sees every access: atomics are the checker's atomics,
/// plain shared data lives in [`Platform::Cell`] (loom reports unsynchronized accesses to it as a
/// data race), words that real threads may race on (list links) in [`Platform::Word`] (the same
/// race report under loom, a relaxed atomic on real threads), and spin-waits go through
/// [`Platform::Waiter`].
///
/// The trait is sealed: [`Std`], [`Loom`] and [`Shuttle`] are its only implementations, because
/// `unsafe` code in the list, the spinlock and the slab trusts what their associated types do.
pub trait Platform: Sealed + Sized + Send + Sync + 'static {
    /// Short lowercase name used in reports: `std`, `loom` or `shuttle`.
    const NAME: &'static str;
    /// `true` when a model checker controls the schedule. A checker cannot run a spin loop that
    /// never ends, so code that has *proven* it would loop forever blocks instead (see
    /// [`Platform::block_forever`]).
    const IS_CHECKER: bool;

    /// An atomic `usize`.
    type AtomicUsize: AtomicOps<usize>;
    /// An atomic `u64` (the slab packs a generation tag and an index in one word).
    type AtomicU64: AtomicOps<u64>;
    /// Shared, non-atomic data. Under loom, accesses are checked for data races.
    type Cell<T>: CellOps<T>;
    /// A list link: a pointer word that plain list operations read and write under the list's
    /// discipline and that RCU readers load without it (see [`LinkOps`]).
    type Link<T>: LinkOps<T>;
    /// A shared word (not a list link: see [`Platform::Link`]) that threads may race on when a
    /// model breaks its protocol on purpose (a lock's poison flag under a lock whose unlock
    /// orders nothing), read
    /// and written whole like the kernel's `READ_ONCE`/`WRITE_ONCE` (see [`WordOps`]). On [`Std`]
    /// and [`Shuttle`] a [`StdWord`] (`Relaxed` atomics), so such a race on real threads is a
    /// race on the hardware's word and not undefined behaviour; under loom a loom cell, so loom
    /// reports an access that is not ordered against another as a data race, exactly as it does
    /// for [`Platform::Cell`].
    type Word<T: WordValue>: WordOps<T>;
    /// What a spin-wait waits on (see [`Waiter`]).
    type Waiter: Waiter<Self>;

    /// A small integer naming the calling thread, unique among live threads of one execution.
    /// Used only for diagnostics: which thread holds a lock, who did what in a trace.
    fn thread_id() -> usize;

    /// The calling thread's name, if it was spawned with one.
    fn thread_name() -> Option<String>;

    /// Yields the processor (std) or offers the checker a scheduling point.
    fn yield_now();

    /// Blocks the calling thread forever. Under a checker the thread becomes *blocked*, so the
    /// checker's deadlock detector reports it together with every thread waiting on it; a checker
    /// cannot explore a loop that never ends, but it can prove that nobody can proceed.
    /// Under std the thread parks for good (callers that want a real livelock loop themselves).
    fn block_forever() -> !;
}

/// The atomic operations the data structures use, with std's signatures.
///
/// Sealed (see [`Platform`]): the spinlock's mutual exclusion and the slab's slot ownership rest
/// on these operations being the atomic read-modify-writes they claim to be.
pub trait AtomicOps<V: Copy>: Sealed + Send + Sync {
    /// Creates a new atomic holding `value`.
    fn new(value: V) -> Self;
    /// Loads the value.
    fn load(&self, order: Ordering) -> V;
    /// Stores `value`.
    fn store(&self, value: V, order: Ordering);
    /// Stores `value`, returning the previous value.
    fn swap(&self, value: V, order: Ordering) -> V;
    /// Stores `new` if the value is `current`; returns the previous value either way.
    fn compare_exchange(
        &self,
        current: V,
        new: V,
        success: Ordering,
        failure: Ordering,
    ) -> Result<V, V>;
    /// Adds `value` (wrapping), returning the previous value.
    fn fetch_add(&self, value: V, order: Ordering) -> V;
    /// Subtracts `value` (wrapping), returning the previous value.
    fn fetch_sub(&self, value: V, order: Ordering) -> V;
    /// The value the latest write left, for a harness's own view of a run (a picture of a
    /// list), never for a decision of the code under test. Unseen by loom ([`Mirrored`]) and on
    /// real threads: no scheduling point, no ordering, no race check. Under shuttle a load of
    /// shuttle's atomic, a scheduling point as it always was (kept shuttle schedules replay
    /// the points they were recorded with).
    ///
    /// # Panics
    /// On loom's own atomic types, which implement this trait only to sit inside a
    /// [`Mirrored`] (the loom platform's atomics), whose `peek` answers instead.
    fn peek(&self) -> V;
}

/// An `UnsafeCell` with loom's closure API, so that loom can track every access.
///
/// Sealed (see [`Platform`]): `unsafe` code dereferences the pointers these methods pass to
/// their closures, trusting that they point to the cell's own, initialized contents.
pub trait CellOps<T>: Sealed {
    /// Creates a new cell holding `value`.
    fn new(value: T) -> Self;
    /// Runs `f` with a shared pointer to the contents (a read access).
    fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R;
    /// Runs `f` with a unique pointer to the contents (a write access).
    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R;
}

/// A list link: a pointer word with the kernel's two ways in. Plain accesses are `READ_ONCE` /
/// `WRITE_ONCE` (the list discipline orders them; under loom they are checked for data races
/// like any cell); `rcu_dereference` and `rcu_assign_pointer` are an acquire load and a release
/// store that a lockless RCU reader may overlap with.
///
/// A link is made plain or RCU ([`LinkOps::new`]) and stays so. On real threads (and under
/// shuttle, which runs one thread at a time) every link is an `AtomicPtr`: a plain access is a
/// `Relaxed` one, so a race a model runs on purpose is the hardware's race, never undefined
/// behaviour. Under loom a plain link is a loom cell, exactly as before (no scheduling points
/// added); an RCU link is a loom `AtomicPtr` with a loom cell beside it that every plain access
/// also touches, so loom orders RCU loads and stores with C11 semantics and still reports two
/// plain accesses that race.
///
/// Sealed (see [`Platform`]): list code follows the pointers these methods return.
pub trait LinkOps<T>: Sealed {
    /// A link holding `value`; `rcu`: lockless readers may load it with
    /// [`LinkOps::load_acquire`] while writers change it.
    fn new(value: *const T, rcu: bool) -> Self;
    /// A plain read (`READ_ONCE`).
    fn load(&self) -> *const T;
    /// A plain write (`WRITE_ONCE`).
    fn store(&self, value: *const T);
    /// `rcu_dereference`: an acquire load, which an RCU reader may overlap with writes. On a
    /// plain link (never written while RCU readers walk it) it is a plain read.
    fn load_acquire(&self) -> *const T;
    /// `rcu_assign_pointer`: a release store (still a write, for race detection against plain
    /// reads). On a plain link it is a plain write.
    fn store_release(&self, value: *const T);
    /// `READ_ONCE` by a caller that holds no lock and follows nothing it reads
    /// (`hlist_nulls_empty`, `hlist_nulls_unhashed_lockless`): a `Relaxed` load of an RCU link,
    /// which may overlap with writers and orders nothing. On a plain link it is a plain read.
    fn load_lockless(&self) -> *const T;
    /// The value the latest write left, read unseen by any checker (see [`AtomicOps::peek`]):
    /// for a harness's picture of a list, never for list code, which must not follow it.
    fn peek(&self) -> *const T;
}

/// A value a [`Platform::Word`] can hold: `Copy` and no larger than the std atomic that holds it
/// on [`Std`] (its associated items are that atomic and its `Relaxed` accesses).
///
/// Sealed (see [`Platform`]): implemented for `bool`, `u32` and `usize`.
pub trait WordValue: Copy + Sealed {
    /// The std atomic of the value's size.
    type Atomic: Send + Sync;
    /// A new atomic holding `self`.
    fn new_atomic(self) -> Self::Atomic;
    /// A `Relaxed` load of `atomic`.
    fn load_relaxed(atomic: &Self::Atomic) -> Self;
    /// A `Relaxed` store of `value` into `atomic`.
    fn store_relaxed(atomic: &Self::Atomic, value: Self);
}

/// A word shared between threads, read and written whole, like the kernel's `READ_ONCE` and
/// `WRITE_ONCE`: the platform's [`Platform::Word`].
///
/// Both accesses are safe on every platform: on [`Std`] and [`Shuttle`] the word is a relaxed
/// atomic (a race on it is defined: a read returns some value a write stored); under loom it is
/// a loom cell, and loom runs one thread at a time and reports an access that is not ordered
/// against a conflicting one before the access is made. What a value read means is another
/// matter: the user's contract says what a value read may be used for.
///
/// Sealed (see [`Platform`]).
pub trait WordOps<T: WordValue>: Sealed {
    /// Creates a new word holding `value`.
    fn new(value: T) -> Self;
    /// Reads the word (`READ_ONCE`).
    fn read_once(&self) -> T;
    /// Writes `value` into the word (`WRITE_ONCE`).
    fn write_once(&self, value: T);
}

/// The wait side of a spin-wait, and the wake side of whoever changes the awaited word.
///
/// Under std, [`Waiter::wait_while_unchanged`] really spins (with backoff) until the word changes.
/// Under a checker it *blocks* until someone calls [`Waiter::wake_all`]: the await reduction of
/// docs/design.md section 3 (GenMC's spin-assume). Waiting is only a hint about when to retry; the
/// caller still acquires through the word itself with its real orderings, so the reduction hides
/// no ordering bug of the caller's.
///
/// Sealed (see [`Platform`]).
pub trait Waiter<P: Platform>: Sealed + Send + Sync {
    /// Creates a waiter with nobody waiting.
    fn new() -> Self;
    /// Returns once `word` may hold a value other than `observed`.
    fn wait_while_unchanged(&self, word: &P::AtomicUsize, observed: usize);
    /// Wakes every thread in [`Waiter::wait_while_unchanged`]; call after changing the word.
    fn wake_all(&self);
}

/// Implements [`AtomicOps`] for one atomic type by forwarding to its inherent methods, with
/// `peek` as given: a `Relaxed` load for std's atomics (no checker sees them); for loom's, which
/// only ever sit inside a [`Mirrored`] that answers `peek` itself, a panic (its load would be a
/// read loom sees); for shuttle's, a load (see [`AtomicOps::peek`]).
macro_rules! forward_atomic_ops {
    ($atomic:ty, $value:ty, peek: $peek:expr) => {
        impl $crate::platform::Sealed for $atomic {}

        impl $crate::platform::AtomicOps<$value> for $atomic {
            #[inline]
            fn new(value: $value) -> Self {
                <$atomic>::new(value)
            }
            #[inline]
            fn load(&self, order: ::std::sync::atomic::Ordering) -> $value {
                <$atomic>::load(self, order)
            }
            #[inline]
            fn store(&self, value: $value, order: ::std::sync::atomic::Ordering) {
                <$atomic>::store(self, value, order)
            }
            #[inline]
            fn swap(&self, value: $value, order: ::std::sync::atomic::Ordering) -> $value {
                <$atomic>::swap(self, value, order)
            }
            #[inline]
            fn compare_exchange(
                &self,
                current: $value,
                new: $value,
                success: ::std::sync::atomic::Ordering,
                failure: ::std::sync::atomic::Ordering,
            ) -> Result<$value, $value> {
                <$atomic>::compare_exchange(self, current, new, success, failure)
            }
            #[inline]
            fn fetch_add(&self, value: $value, order: ::std::sync::atomic::Ordering) -> $value {
                <$atomic>::fetch_add(self, value, order)
            }
            #[inline]
            fn fetch_sub(&self, value: $value, order: ::std::sync::atomic::Ordering) -> $value {
                <$atomic>::fetch_sub(self, value, order)
            }
            #[inline]
            fn peek(&self) -> $value {
                ($peek)(self)
            }
        }
    };
}
pub(crate) use forward_atomic_ops;

#[cfg(any(feature = "loom", feature = "shuttle"))]
/// A spin-wait under a checker: a mutex and condition variable of the checker's own, so a
/// waiting thread is *blocked* (not spinning) until the word may have changed. Shared by the
/// loom and shuttle platforms, which differ only in whose `Mutex` and `Condvar` they use.
macro_rules! blocking_waiter {
    ($name:ident, $platform:ty, $mutex:ty, $condvar:ty) => {
        /// The await reduction's waiter for this checker: blocks on a condition variable until
        /// [`Waiter::wake_all`](crate::platform::Waiter::wake_all).
        pub struct $name {
            lock: $mutex,
            changed: $condvar,
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(stringify!($name))
            }
        }

        impl $crate::platform::Sealed for $name {}

        impl $crate::platform::Waiter<$platform> for $name {
            fn new() -> Self {
                Self {
                    lock: <$mutex>::new(()),
                    changed: <$condvar>::new(),
                }
            }

            fn wait_while_unchanged(
                &self,
                word: &<$platform as $crate::platform::Platform>::AtomicUsize,
                observed: usize,
            ) {
                // Re-checking under `lock` closes the lost-wakeup window: `wake_all` takes the
                // same lock after the word was changed. The load is Relaxed on purpose: the
                // caller's acquire on the word is what synchronizes, and in every execution where
                // the acquirer finds the word already changed and never waits, nothing here adds
                // a happens-before edge, so a missing Release on the waker side stays visible.
                let mut guard = self
                    .lock
                    .lock()
                    .unwrap_or_else(|poison| poison.into_inner());
                while $crate::platform::AtomicOps::load(
                    word,
                    ::std::sync::atomic::Ordering::Relaxed,
                ) == observed
                {
                    guard = self
                        .changed
                        .wait(guard)
                        .unwrap_or_else(|poison| poison.into_inner());
                }
            }

            fn wake_all(&self) {
                let _guard = self
                    .lock
                    .lock()
                    .unwrap_or_else(|poison| poison.into_inner());
                self.changed.notify_all();
            }
        }
    };
}
#[cfg(any(feature = "loom", feature = "shuttle"))]
pub(crate) use blocking_waiter;
