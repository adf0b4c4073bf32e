//! `Signal`: a one-shot event between actors (set once, awaited by many), built on the
//! platform's await reduction so that a waiting thread is blocked, not spinning, under a checker.

use lifecycle_list::{AtomicOps, Platform, Waiter};
use std::sync::atomic::Ordering;

/// A flag that goes from unset to set once.
///
/// # Invariants
/// `flag` only ever goes 0 -> 1 (but for a restore, which takes `&mut self`); `set` publishes with Release and `wait` returns after an
/// Acquire load of 1, so everything before `set` happens-before everything after `wait`.
pub struct Signal<P: Platform> {
    flag: P::AtomicUsize,
    waiter: P::Waiter,
}

impl<P: Platform> Default for Signal<P> {
    fn default() -> Self {
        Signal {
            flag: P::AtomicUsize::new(0),
            waiter: P::Waiter::new(),
        }
    }
}

impl<P: Platform> Signal<P> {
    /// Sets the flag and wakes the waiters.
    pub fn set(&self) {
        self.flag.store(1, Ordering::Release);
        self.waiter.wake_all();
    }

    /// Whether the flag is set (an Acquire load: what `set` published is visible after `true`).
    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::Acquire) != 0
    }

    /// Sets or clears the flag as a saved state had it (the state graph's restore: the
    /// exclusive borrow means nobody waits on it).
    pub fn restore(&mut self, set: bool) {
        self.flag.store(usize::from(set), Ordering::Relaxed);
    }

    /// Returns once the flag is set.
    pub fn wait(&self) {
        while self.flag.load(Ordering::Acquire) == 0 {
            self.waiter.wait_while_unchanged(&self.flag, 0);
        }
    }
}
