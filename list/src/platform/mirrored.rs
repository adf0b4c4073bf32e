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
/// Between operations, `last` holds the value of `checked`'s latest write in modification
/// order: each write to `checked` is followed by the same write to `last` (a read-modify-write
/// by the same read-modify-write of `last`, which holds the value the checker's one read, since
/// a read-modify-write reads the latest). A checker runs one thread at a time, so no other
/// operation comes between the two.
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
        self.last.fetch_add(value, Ordering::Relaxed);
        previous
    }

    #[inline]
    fn fetch_sub(&self, value: V, order: Ordering) -> V {
        let previous = self.checked.fetch_sub(value, order);
        self.last.fetch_sub(value, Ordering::Relaxed);
        previous
    }

    #[inline]
    fn peek(&self) -> V {
        self.last.load(Ordering::Relaxed)
    }
}
