//! `Mirrored`: a checker's atomic with a std atomic beside it that every write also makes, so a
//! harness can read what the last write left ([`AtomicOps::peek`]) without the checker seeing a
//! read: loom's atomics on the loom platform. Under loom a harness's load is a scheduling point
//! (loom explores interleavings around it, 39% more executions on generated lifecycles) and an
//! acquire one orders the harness's thread after the write it reads (which can hide a race loom
//! would otherwise report).

use super::{AtomicOps, Sealed};
use std::sync::atomic::Ordering;

/// A checker's atomic (`checked`: every operation of the code under test) with a std atomic
/// (`last`) that only the harness reads.
///
/// # Invariants
/// Between operations, `last` holds the value of the write to `checked` executed last: each
/// write to `checked` is followed by the same value written to `last` (for a read-modify-write,
/// the value it read with its change applied; under loom a read-modify-write may read a write
/// other than the one executed last, since loom's modification order is partial). A checker
/// runs one thread at a time, so no other operation comes between the two. Correct only there:
/// this is the loom platform's atomic, not one for real threads.
pub struct Mirrored<C, S> {
    checked: C,
    last: S,
}

impl<C, S> Sealed for Mirrored<C, S> {}

impl<V: Copy, C: AtomicOps<V>, S: AtomicOps<V>> AtomicOps<V> for Mirrored<C, S> {
    #[inline]
    fn new(value: V) -> Self {
        Mirrored {
            checked: C::new(value),
            last: S::new(value),
        }
    }

    #[inline]
    fn load(&self, order: Ordering) -> V {
        self.checked.load(order)
    }

    #[inline]
    fn store(&self, value: V, order: Ordering) {
        self.checked.store(value, order);
        self.last.store(value, Ordering::Relaxed);
    }

    #[inline]
    fn swap(&self, value: V, order: Ordering) -> V {
        let previous = self.checked.swap(value, order);
        self.last.store(value, Ordering::Relaxed);
        previous
    }

    #[inline]
    fn compare_exchange(
        &self,
        current: V,
        new: V,
        success: Ordering,
        failure: Ordering,
    ) -> Result<V, V> {
        let exchanged = self
            .checked
            .compare_exchange(current, new, success, failure);
        if exchanged.is_ok() {
            self.last.store(new, Ordering::Relaxed);
        }
        exchanged
    }

    #[inline]
    fn fetch_add(&self, value: V, order: Ordering) -> V {
        let previous = self.checked.fetch_add(value, order);
        // What loom's read-modify-write wrote: what it read (not necessarily `last`) plus
        // `value`, wrapping as it does.
        self.last.store(previous, Ordering::Relaxed);
        self.last.fetch_add(value, Ordering::Relaxed);
        previous
    }

    #[inline]
    fn fetch_sub(&self, value: V, order: Ordering) -> V {
        let previous = self.checked.fetch_sub(value, order);
        // As in `fetch_add`.
        self.last.store(previous, Ordering::Relaxed);
        self.last.fetch_sub(value, Ordering::Relaxed);
        previous
    }

    #[inline]
    fn peek(&self) -> V {
        self.last.load(Ordering::Relaxed)
    }
}
