//! `RcuIter`: the lockless walk of an [`RcuList`](crate::RcuList), Linux's
//! `list_for_each_entry_rcu` (`include/linux/rculist.h`): each link loaded with
//! `rcu_dereference` (an acquire load of a crossbeam-epoch `Atomic`) inside a read-side section
//! (a pinned crossbeam-epoch `Guard`).

use crate::platform::Platform;
use crate::safe_rcu::node::Node;
use crate::safe_rcu::rcu_list::RcuList;
use crossbeam_epoch::{Guard, Shared};
use std::sync::atomic::Ordering;

/// The entries of an [`RcuList`](crate::RcuList), first to last, each borrowed for `'g`: as
/// long as both the list and the guard the walk was started with.
///
/// # Invariants
/// - `guard` pins the list's collector (checked by `RcuIter::new`, the only constructor) and
///   was pinned before `next` was loaded; `next` is null or a node that was reachable from the
///   list's head while `guard` was pinned, loaded with an acquire load from the link that
///   published it. So the node was initialized before it was published (the writer's release
///   store), and its destruction, deferred only once it is unlinked, waits until `guard` is
///   dropped.
/// - The list is borrowed for `'g`, so it is not dropped (dropping frees its entries at once)
///   while the walk or what it handed out lives.
pub struct RcuIter<'g, T> {
    next: Shared<'g, Node<T>>,
    guard: &'g Guard,
}

impl<'g, T: Send + 'static> RcuIter<'g, T> {
    /// A walk of `list` under `guard`, from its head. It takes the list rather than a first
    /// link, so that the type's invariants are established here and no caller can break them:
    /// the guard is checked against the list's collector, and the first link is loaded from the
    /// list's own head under that guard.
    ///
    /// # Panics
    /// When `guard` does not pin `list`'s collector (an unprotected guard included).
    pub(crate) fn new<P: Platform>(list: &'g RcuList<T, P>, guard: &'g Guard) -> Self {
        list.check_guard(guard);
        // `rcu_dereference(head)`: pairs with the release store that published the first entry.
        // INVARIANT: `guard` pins the list's collector (checked above) and is pinned now; the
        // head's link is loaded under it with an acquire load, and `list` is borrowed for `'g`.
        let first = list.head().load(Ordering::Acquire, guard);
        RcuIter { next: first, guard }
    }
}

impl<'g, T> Iterator for RcuIter<'g, T> {
    type Item = &'g T;

    fn next(&mut self) -> Option<&'g T> {
        // SAFETY: `next` is null or a node that stays alive for `'g` (the type's invariants:
        // loaded under the pinned `guard` from a list borrowed for `'g`), and a node's value is
        // never written after it is published, so a shared borrow for `'g` is sound.
        let node = unsafe { self.next.as_ref() }?;
        // `rcu_dereference(node->next)`: an unlinked node keeps its `next` (`list_del_rcu`), so
        // a reader standing on one still reaches the rest of the list.
        // INVARIANT: loaded under `guard` from a node reachable while it was pinned.
        self.next = node.next.load(Ordering::Acquire, self.guard);
        Some(&node.value)
    }
}

impl<T> std::fmt::Debug for RcuIter<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RcuIter")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}
