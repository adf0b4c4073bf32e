//! `Node`: one entry of an [`RcuList`](crate::RcuList), the value and the link readers follow
//! (`struct list_head` embedded in an entry, singly linked: only writers, under the lock, would
//! use `prev`, and they walk from the head instead).

use crossbeam_epoch::Atomic;

/// An entry: the value and the link to the next entry (null at the end).
///
/// # Invariants
/// `value` is never written after the node is published; `next` is written only by the list's
/// writers under its lock, and never again once the node is unlinked (`list_del_rcu` leaves it
/// for readers standing on the entry).
pub(crate) struct Node<T> {
    pub(crate) value: T,
    pub(crate) next: Atomic<Node<T>>,
}
