//! `Retired`: an entry that `list_del_rcu` unlinked from an [`RcuList`](crate::RcuList) and that
//! may only be destroyed after a grace period (Linux's `kfree_rcu`/`call_rcu` after
//! `list_del_rcu`, `include/linux/rculist.h`), by crossbeam-epoch's `Guard::defer_destroy`.

use crate::platform::{Platform, Std};
use crate::safe_rcu::node::Node;
use crossbeam_epoch::{Guard, Shared};
use std::marker::PhantomData;
use std::ops::Deref;

/// An entry removed from an [`RcuList`](crate::RcuList) by
/// [`RcuWriter::del_first`](crate::RcuWriter::del_first). Readers that found it before the
/// removal may still be reading it, so it cannot be taken back or freed now: it can be read
/// (`Deref`), and it is destroyed after a grace period, by [`Retired::defer_destroy`] or by
/// being dropped, which does the same. Forgetting it leaks the entry.
///
/// The destructor then runs inside some later crossbeam-epoch call (`pin()`, `Guard::flush()`,
/// the drop of a handle or guard, or of the collector's last `Collector`), on whichever thread
/// makes it, which may hold the list's lock: `T::drop` must not take that lock
/// ([`RcuList::lock`](crate::RcuList::lock) panics if it does, rather than spin forever), as
/// Linux's `call_rcu` callbacks must not take a lock held around `call_rcu`.
///
/// # Invariants
/// - `node` was unlinked from its list under the list's lock, exactly once, and this is the
///   only `Retired` for it: nothing else will destroy it, and no link reachable from the list's
///   head points to it any more.
/// - `guard` pins the list's collector (the list checked it), so a destruction deferred through
///   it waits for every reader that could still stand on the entry: those pinned before the
///   unlink. A reader pinned later cannot reach it: the unlinked entries that still point to it
///   were unlinked before it, so they are out of reach of that reader too.
#[must_use = "a removed entry is destroyed after a grace period when its `Retired` is dropped; \
              say so with `defer_destroy`"]
pub struct Retired<'g, T: Send + 'static, P: Platform = Std> {
    node: Shared<'g, Node<T>>,
    guard: &'g Guard,
    _platform: PhantomData<P>,
}

impl<'g, T: Send + 'static, P: Platform> Retired<'g, T, P> {
    /// Wraps an unlinked node.
    ///
    /// # Safety
    /// `node` was just unlinked from a list under its lock, is alive, and no other `Retired`
    /// for it exists or will; `guard` pins that list's collector.
    pub(crate) unsafe fn new(node: Shared<'g, Node<T>>, guard: &'g Guard) -> Self {
        Retired {
            node,
            guard,
            _platform: PhantomData,
        }
    }

    /// `kfree_rcu`: the entry is dropped (on whichever thread collects the collector's garbage)
    /// once every reader pinned before its removal has unpinned. The same as dropping the
    /// `Retired`, said out loud.
    pub fn defer_destroy(self) {
        drop(self);
    }
}

impl<T: Send + 'static, P: Platform> Deref for Retired<'_, T, P> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the node is alive until this `Retired` defers its destruction, which needs
        // `self` by value (the type's invariants), and its value is never written.
        unsafe { &self.node.deref().value }
    }
}

impl<T: Send + 'static, P: Platform> Drop for Retired<'_, T, P> {
    fn drop(&mut self) {
        // Under a checker while panicking the execution is abandoned; touching its atomics while
        // unwinding would panic again: the entry leaks.
        if P::IS_CHECKER && std::thread::panicking() {
            return;
        }
        // SAFETY: the node is unlinked, this is its only owner, and it is deferred once (this is
        // the drop); `guard` pins the list's collector, so the destruction waits for every reader
        // that could reach the node (the type's invariants). The destructor may run on another
        // thread, later: `T: Send + 'static`.
        unsafe { self.guard.defer_destroy(self.node) };
    }
}

impl<T: Send + 'static + std::fmt::Debug, P: Platform> std::fmt::Debug for Retired<'_, T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Retired").field(&**self).finish()
    }
}
