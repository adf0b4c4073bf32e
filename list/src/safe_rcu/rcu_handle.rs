//! `RcuHandle` and `RcuGuard`: a thread's registration with an [`RcuList`](crate::RcuList)'s
//! collector and the read-side sections it opens (`rcu_read_lock`), made so that no drop order
//! of list, handle and guards reaches crossbeam-epoch's crossbeam-rs/crossbeam#545.
//!
//! In crossbeam-epoch 0.9 (0.9.21 included) every registration (`Local`) holds a `Collector`
//! of its own, and drops it when its last `LocalHandle` and `Guard` are gone
//! (`Local::finalize`). If that was the collector's last `Collector`, the collector's global
//! data goes, and with it the `Local` itself, while `LocalHandle::drop` or `Guard::drop` still
//! borrows it: undefined behaviour (Miri reports it under Stacked and Tree Borrows). An
//! [`RcuHandle`] keeps a `Collector` of its own, dropped after its `LocalHandle`, and its guards
//! borrow it, so a registration's finalize never drops the last `Collector`.

use crossbeam_epoch::{Collector, Guard, LocalHandle};
use std::marker::PhantomData;
use std::ops::Deref;

/// A participant of an [`RcuList`](crate::RcuList)'s collector, from
/// [`RcuList::register`](crate::RcuList::register): readers and writers pin it
/// ([`RcuHandle::pin`]) for the guards the list takes. It may outlive the list; the guards it
/// gives may not outlive it.
///
/// # Invariants
/// - `collector` is a `Collector` of the collector `handle` is registered with. Fields drop in
///   declaration order, so it is dropped after `handle`: when `handle`'s drop finalizes the
///   registration, another `Collector` (this one) is still alive, and the collector's global
///   data is not freed inside crossbeam-epoch's `Local::finalize` (crossbeam-rs/crossbeam#545).
/// - Every guard pinned through this handle is an [`RcuGuard`] that borrows it, so none is
///   dropped after `collector`.
pub struct RcuHandle {
    handle: LocalHandle,
    collector: Collector,
}

impl RcuHandle {
    /// Registers with `collector`, keeping a `Collector` of it beside the handle.
    pub(crate) fn new(collector: &Collector) -> Self {
        // INVARIANT: a clone of the collector the handle is registered with; declared after
        // `handle`, so dropped after it.
        RcuHandle {
            handle: collector.register(),
            collector: collector.clone(),
        }
    }

    /// `rcu_read_lock`: pins the handle's collector. The guard borrows the handle, which must
    /// outlive it.
    pub fn pin(&self) -> RcuGuard<'_> {
        // INVARIANT: the guard borrows `self`, so it is dropped before `self.collector`.
        RcuGuard {
            guard: self.handle.pin(),
            _handle: PhantomData,
        }
    }

    /// Whether a guard of this handle is alive.
    pub fn is_pinned(&self) -> bool {
        self.handle.is_pinned()
    }
}

impl std::fmt::Debug for RcuHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RcuHandle")
            .field("collector", &self.collector)
            .finish_non_exhaustive()
    }
}

/// A read-side section of an [`RcuHandle`] (a pinned crossbeam-epoch [`Guard`], which it
/// dereferences to: pass `&guard` wherever the list asks for a `&Guard`). It borrows its handle,
/// so it cannot outlive it; dropping it is `rcu_read_unlock`.
pub struct RcuGuard<'h> {
    guard: Guard,
    _handle: PhantomData<&'h RcuHandle>,
}

impl Deref for RcuGuard<'_> {
    type Target = Guard;

    fn deref(&self) -> &Guard {
        &self.guard
    }
}

impl std::fmt::Debug for RcuGuard<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RcuGuard").field(&self.guard).finish()
    }
}
