//! `RawSpinLock`: a test-and-test-and-set spinlock (the classic Linux `arch_spinlock_t` before
//! ticket locks), whose waits use the platform's await reduction under a checker.

use crate::platform::{AtomicOps, Platform, Std, Waiter};
use std::sync::atomic::{AtomicUsize, Ordering};

const UNLOCKED: usize = 0;
const LOCKED: usize = 1;

/// A deliberate defect, for showing that the checkers catch broken locks. Never use one outside
/// a model: every variant but [`LockDefect::None`] breaks mutual exclusion or happens-before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LockDefect {
    /// A correct lock: acquire by compare-and-swap with `Acquire`, release with `Release`.
    #[default]
    None,
    /// Unlock stores with `Relaxed`: the next holder may not see the previous holder's writes.
    RelaxedUnlock,
    /// Acquire by a plain load and a separate store, not one atomic read-modify-write: two
    /// threads can both see the lock free and both enter.
    LoadThenStoreAcquire,
}

/// A test-and-test-and-set spinlock word with no data attached; see
/// [`SpinLock`](crate::SpinLock) for the guarded version.
///
/// # Invariants
/// - `word` is `LOCKED` exactly while some thread holds the lock (unless a [`LockDefect`] is
///   set); acquiring is an `Acquire` read-modify-write on it, releasing a `Release` store.
/// - `holder` is one more than the [`Platform::thread_id`] of the holder, or 0 for none. It is a diagnostic for people
///   and watchdogs (a plain std atomic even under a checker, so it adds nothing to the explored
///   state space) and never decides who owns the lock.
pub struct RawSpinLock<P: Platform = Std> {
    word: P::AtomicUsize,
    waiter: P::Waiter,
    holder: AtomicUsize,
    defect: LockDefect,
}

impl<P: Platform> std::fmt::Debug for RawSpinLock<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawSpinLock")
            .field("holder", &self.holder())
            .field("defect", &self.defect)
            .finish_non_exhaustive()
    }
}

impl<P: Platform> Default for RawSpinLock<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: Platform> RawSpinLock<P> {
    /// An unlocked, correct lock.
    pub fn new() -> Self {
        // SAFETY: `LockDefect::None` is the correct lock, which the contract allows anywhere.
        unsafe { Self::with_defect(LockDefect::None) }
    }

    /// An unlocked lock with the given deliberate defect (for models that show a checker
    /// catching it).
    ///
    /// # Safety
    /// With any `defect` but [`LockDefect::None`] the lock may let two threads hold it at once
    /// ([`LockDefect::LoadThenStoreAcquire`]) or give the next holder no happens-before edge to
    /// the previous holder's writes ([`LockDefect::RelaxedUnlock`]). The caller must not rely on
    /// it for mutual exclusion or ordering: nothing it protects may be accessed in a way that
    /// would be a data race or an aliasing violation without the lock. In particular such a lock
    /// must not be handed to anything that trusts the `lock_api::RawMutex` contract (such as
    /// `lock_api::Mutex::from_raw`), nor used where exclusivity is assumed by safe code. It is
    /// meant for models that let a checker (loom, shuttle) find the defect.
    pub unsafe fn with_defect(defect: LockDefect) -> Self {
        RawSpinLock {
            word: P::AtomicUsize::new(UNLOCKED),
            waiter: P::Waiter::new(),
            holder: AtomicUsize::new(0),
            defect,
        }
    }

    /// The defect this lock was built with.
    pub fn defect(&self) -> LockDefect {
        self.defect
    }

    /// Acquires the lock, spinning (std) or blocking until the word changes (checkers).
    pub fn lock(&self) {
        loop {
            if self.try_lock() {
                return;
            }
            let observed = self.word.load(Ordering::Relaxed);
            if observed != UNLOCKED {
                self.waiter.wait_while_unchanged(&self.word, observed);
            }
        }
    }

    /// Acquires the lock if it is free; never waits.
    pub fn try_lock(&self) -> bool {
        let acquired = match self.defect {
            LockDefect::LoadThenStoreAcquire => {
                if self.word.load(Ordering::Acquire) == UNLOCKED {
                    self.word.store(LOCKED, Ordering::Relaxed);
                    true
                } else {
                    false
                }
            }
            LockDefect::None | LockDefect::RelaxedUnlock => self
                .word
                .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
                .is_ok(),
        };
        if acquired {
            self.holder.store(P::thread_id() + 1, Ordering::Relaxed);
        }
        acquired
    }

    /// Releases the lock and wakes the waiters.
    ///
    /// # Panics
    /// If the lock is not held (an unlock without a lock, or a second unlock).
    ///
    /// # Safety
    /// The calling thread holds the lock (acquired by [`RawSpinLock::lock`] or a successful
    /// [`RawSpinLock::try_lock`]) and no guard or other code will release it again.
    pub unsafe fn unlock(&self) {
        let holder = self.holder.swap(0, Ordering::Relaxed);
        assert!(
            holder != 0 || self.defect == LockDefect::LoadThenStoreAcquire,
            "RawSpinLock::unlock: the lock is not held (unlock without lock, or double unlock)"
        );
        let order = match self.defect {
            LockDefect::RelaxedUnlock => Ordering::Relaxed,
            LockDefect::None | LockDefect::LoadThenStoreAcquire => Ordering::Release,
        };
        self.word.store(UNLOCKED, order);
        self.waiter.wake_all();
    }

    /// `true` if some thread holds the lock right now (a racy snapshot).
    pub fn is_locked(&self) -> bool {
        self.word.load(Ordering::Relaxed) != UNLOCKED
    }

    /// The [`Platform::thread_id`] of the thread holding the lock, if any (a racy snapshot, for
    /// diagnostics and watchdogs).
    pub fn holder(&self) -> Option<usize> {
        self.holder.load(Ordering::Relaxed).checked_sub(1)
    }
}

impl RawSpinLock<Std> {
    /// `const` constructor: a correct, unlocked std lock (usable in statics).
    pub const fn new_const() -> Self {
        RawSpinLock {
            word: std::sync::atomic::AtomicUsize::new(UNLOCKED),
            waiter: crate::platform::SpinWaiter::new(),
            holder: AtomicUsize::new(0),
            defect: LockDefect::None,
        }
    }
}

// SAFETY: `lock` and `try_lock` only return (true) once this thread has moved the word from
// UNLOCKED to LOCKED with an Acquire read-modify-write, so at most one thread holds the lock;
// `unlock` stores UNLOCKED with Release, so the next holder sees the previous holder's writes.
// `INIT` is the correct (defect-free) variant, and a defective lock can only be made by the
// `unsafe` `with_defect`, whose contract forbids handing it to anything that trusts this impl.
unsafe impl lock_api::RawMutex for RawSpinLock<Std> {
    // A `const` item may not be used as a template that carries interior mutability in clippy's
    // eyes, but `INIT` is exactly that by lock_api's design.
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = RawSpinLock::new_const();

    type GuardMarker = lock_api::GuardSend;

    fn lock(&self) {
        RawSpinLock::lock(self)
    }

    fn try_lock(&self) -> bool {
        RawSpinLock::try_lock(self)
    }

    unsafe fn unlock(&self) {
        // SAFETY: lock_api's contract for `RawMutex::unlock` is ours: the lock is held here.
        unsafe { RawSpinLock::unlock(self) }
    }

    fn is_locked(&self) -> bool {
        RawSpinLock::is_locked(self)
    }
}
