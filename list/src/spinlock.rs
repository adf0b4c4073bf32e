//! `SpinLock<T>`: data guarded by a [`RawSpinLock`], with poisoning like `std::sync::Mutex`: a
//! holder that panics leaves the list it was changing half-updated, and the next holder is told.

use crate::platform::{CellOps, Platform, Std, WordOps};
use crate::raw_spinlock::{LockDefect, RawSpinLock};
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

/// A value protected by a spinlock.
///
/// # Invariants
/// - `data` and `poisoned` are only accessed by the thread holding `raw`. `poisoned` is a
///   [`Platform::Word`] all the same, so that a lock built with a [`LockDefect`] (which models
///   run on real threads) never makes two holders race on plain memory of the lock's own.
/// - `poisoned` is set when a guard is dropped during a panic that started while the guard
///   existed (as `std::sync::Mutex` does: a lock taken and released cleanly by a destructor that
///   runs during unwinding is not poisoned), and only cleared by [`SpinGuard::clear_poison`]:
///   the data may be half-updated until a holder says otherwise. Under a checker a panic fails
///   the execution, which is abandoned with the lock held.
pub struct SpinLock<T, P: Platform = Std> {
    raw: RawSpinLock<P>,
    poisoned: P::Word<bool>,
    data: P::Cell<T>,
}

// SAFETY: the lock hands out access to `data` to one thread at a time, so `T: Send` suffices
// (as for `std::sync::Mutex`).
unsafe impl<T: Send, P: Platform> Send for SpinLock<T, P> {}
// SAFETY: as above: shared references only reach `data` through a guard, one holder at a time.
unsafe impl<T: Send, P: Platform> Sync for SpinLock<T, P> {}

impl<T, P: Platform> std::fmt::Debug for SpinLock<T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpinLock")
            .field("raw", &self.raw)
            .finish_non_exhaustive()
    }
}

impl<T: Default, P: Platform> Default for SpinLock<T, P> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T, P: Platform> SpinLock<T, P> {
    /// An unlocked, unpoisoned lock around `data`.
    pub fn new(data: T) -> Self {
        SpinLock {
            raw: RawSpinLock::new(),
            poisoned: P::Word::new(false),
            data: P::Cell::new(data),
        }
    }

    /// As [`SpinLock::new`], with a deliberately broken raw lock, for models that show a
    /// checker catching it.
    ///
    /// # Safety
    /// With any `defect` but [`LockDefect::None`] the lock gives no mutual exclusion
    /// ([`LockDefect::LoadThenStoreAcquire`]: two threads can hold it at once) or no
    /// happens-before from one holder to the next ([`LockDefect::RelaxedUnlock`]), so a guard
    /// no longer proves exclusive access to the data. The caller must not rely on the lock for
    /// exclusivity or ordering:
    /// - while a reference obtained through one guard (`Deref`, `DerefMut`) is live, no other
    ///   thread accesses the data, through its own guard or otherwise; and
    /// - two accesses to the data from different threads are never a data race.
    ///
    /// Models meet this by protecting `()` (no access to race on), or by running only on a
    /// checker platform that runs one thread at a time and reports the conflicting access: loom
    /// flags an unordered access before it is made, and shuttle switches threads only at
    /// synchronization points, never inside a dereference. On [`Std`] with real data, a
    /// defective lock is a data race waiting to happen.
    pub unsafe fn with_defect(data: T, defect: LockDefect) -> Self {
        SpinLock {
            // SAFETY: forwarded from the caller, who takes on the same contract.
            raw: unsafe { RawSpinLock::with_defect(defect) },
            poisoned: P::Word::new(false),
            data: P::Cell::new(data),
        }
    }

    /// Acquires the lock. `Err` carries the guard all the same when a previous holder panicked
    /// while holding it: the data may be half-updated.
    pub fn lock(&self) -> LockResult<SpinGuard<'_, T, P>> {
        self.raw.lock();
        self.guard()
    }

    /// Acquires the lock if it is free.
    pub fn try_lock(&self) -> TryLockResult<SpinGuard<'_, T, P>> {
        if !self.raw.try_lock() {
            return Err(TryLockError::WouldBlock);
        }
        self.guard().map_err(TryLockError::Poisoned)
    }

    /// Wraps the just-acquired lock in a guard, reporting poison.
    fn guard(&self) -> LockResult<SpinGuard<'_, T, P>> {
        let guard = SpinGuard {
            lock: self,
            panicking: std::thread::panicking(),
            _data: PhantomData,
        };
        // This thread holds the lock, which orders `poisoned` (unless the lock is defective).
        if self.poisoned.read_once() {
            Err(PoisonError::new(guard))
        } else {
            Ok(guard)
        }
    }

    /// The raw lock, for diagnostics ([`RawSpinLock::holder`], [`RawSpinLock::is_locked`]).
    pub fn raw(&self) -> &RawSpinLock<P> {
        &self.raw
    }

    /// The [`Platform::thread_id`] of the current holder, if any (a racy snapshot).
    pub fn holder(&self) -> Option<usize> {
        self.raw.holder()
    }

    /// The data, through exclusive access (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` rules out any guard or other access.
        self.data.with_mut(|data| unsafe { &mut *data })
    }
}

/// Access to a [`SpinLock`]'s data; the lock is released when the guard is dropped.
///
/// # Invariants
/// - The thread that made the guard held the lock when it did, and the lock stays held until
///   the guard is dropped (the only release).
/// - The guard stands for `&'a mut T` (the `_data` marker): it is `Send` only if `T: Send` and
///   `Sync` only if `T: Sync`, like `std::sync::MutexGuard`, because a shared `&SpinGuard` hands
///   out `&T` to every thread it is shared with.
pub struct SpinGuard<'a, T, P: Platform = Std> {
    lock: &'a SpinLock<T, P>,
    /// Whether this thread was already unwinding when the guard was made: only a panic that
    /// starts while the guard is held can leave the data half-updated, so only that poisons.
    panicking: bool,
    /// What the guard gives access to, for the auto traits: without it the guard would be
    /// `Sync` whenever `SpinLock<T>` is, that is whenever `T: Send`, and sharing a guard of a
    /// `Cell` between threads would be a data race.
    _data: PhantomData<&'a mut T>,
}

impl<T, P: Platform> SpinGuard<'_, T, P> {
    /// Declares the data consistent again after a poisoned acquisition.
    pub fn clear_poison(&mut self) {
        // INVARIANT: the guard's thread holds the lock, which orders `poisoned`.
        self.lock.poisoned.write_once(false);
    }

    /// The lock this guard holds.
    pub fn lock(&self) -> &SpinLock<T, P> {
        self.lock
    }
}

impl<T: std::fmt::Debug, P: Platform> std::fmt::Debug for SpinGuard<'_, T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SpinGuard").field(&**self).finish()
    }
}

impl<T, P: Platform> Deref for SpinGuard<'_, T, P> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard's thread holds the lock, so nobody else accesses `data`.
        self.lock.data.with(|data| unsafe { &*data })
    }
}

impl<T, P: Platform> DerefMut for SpinGuard<'_, T, P> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard's thread holds the lock, and `&mut self` makes this the only access.
        self.lock.data.with_mut(|data| unsafe { &mut *data })
    }
}

impl<T, P: Platform> Drop for SpinGuard<'_, T, P> {
    fn drop(&mut self) {
        let panicking = std::thread::panicking();
        if panicking && P::IS_CHECKER {
            // A panic fails the checker's execution, which is abandoned; touching its objects
            // while unwinding would raise a second panic (loom re-reports the same race), and a
            // panic in a destructor during unwinding aborts the process.
            return;
        }
        if panicking && !self.panicking {
            // A panic started while this guard was held: the data may be half-updated.
            // INVARIANT: still holding the lock, which orders `poisoned`.
            self.lock.poisoned.write_once(true);
        }
        // SAFETY: this guard was created right after this thread acquired the lock, and dropping
        // it is the only release.
        unsafe { self.lock.raw.unlock() };
    }
}
