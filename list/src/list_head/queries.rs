//! Reading a list: `list_is_head`, `list_is_first`, `list_is_last`, `list_empty`,
//! `list_empty_careful`, `list_is_singular`, first and last entries, and the bounded iterators
//! of include/linux/list.h (`list_for_each*`, `list_for_each_entry*`).

use crate::error::ListError;
use crate::iter::{Direction, Iter};
use crate::linked::Linked;
use crate::platform::Platform;
use std::ptr::{self, NonNull};

use super::{is_followable, ListHead};

impl<P: Platform> ListHead<P> {
    /// `list_is_head(list, head)`: `true` if `entry` is this head itself.
    pub fn is_head(&self, entry: &ListHead<P>) -> bool {
        ptr::eq(self, entry)
    }

    /// `list_is_first(list, head)`: `true` if `entry` is the first entry of this list.
    ///
    /// # Safety
    /// The list discipline (read-only).
    pub unsafe fn is_first(&self, entry: &ListHead<P>) -> bool {
        // SAFETY: forwarded from the caller.
        unsafe { ptr::eq(entry.prev_ptr(), self) }
    }

    /// `list_is_last(list, head)`: `true` if `entry` is the last entry of this list.
    ///
    /// # Safety
    /// The list discipline (read-only).
    pub unsafe fn is_last(&self, entry: &ListHead<P>) -> bool {
        // SAFETY: forwarded from the caller.
        unsafe { ptr::eq(entry.next_ptr(), self) }
    }

    /// `list_empty(head)`: `true` if this head points to itself.
    ///
    /// # Safety
    /// The list discipline (read-only).
    pub unsafe fn is_empty(&self) -> bool {
        // SAFETY: forwarded from the caller.
        unsafe { ptr::eq(self.next_ptr(), self) }
    }

    /// `list_empty_careful(head)`: `true` only if both links point to this head, which also
    /// catches a list that another CPU is midway through changing in the kernel's lockless uses.
    ///
    /// # Safety
    /// The list discipline (read-only).
    pub unsafe fn is_empty_careful(&self) -> bool {
        // SAFETY: forwarded from the caller.
        unsafe { ptr::eq(self.next_ptr(), self) && ptr::eq(self.prev_ptr(), self) }
    }

    /// `list_is_singular(head)`: `true` if the list has exactly one entry.
    ///
    /// # Safety
    /// The list discipline (read-only).
    pub unsafe fn is_singular(&self) -> bool {
        // SAFETY: forwarded from the caller.
        unsafe { !self.is_empty() && ptr::eq(self.next_ptr(), self.prev_ptr()) }
    }

    /// `list_first_entry_or_null` on links: the first entry, or `None` if the list is empty.
    ///
    /// # Safety
    /// The list discipline (read-only).
    pub unsafe fn first(&self) -> Option<NonNull<ListHead<P>>> {
        // SAFETY: forwarded from the caller.
        let next = unsafe { self.next_ptr() };
        // Not through a reference: the stored pointer keeps the provenance the entry was
        // linked with, which `Linked::from_link` needs to reach the containing object.
        (!ptr::eq(next, self) && is_followable(next)).then(|| {
            // SAFETY: a followable link is not null.
            unsafe { NonNull::new_unchecked(next.cast_mut()) }
        })
    }

    /// `list_last_entry` on links: the last entry, or `None` if the list is empty.
    ///
    /// # Safety
    /// The list discipline (read-only).
    pub unsafe fn last(&self) -> Option<NonNull<ListHead<P>>> {
        // SAFETY: forwarded from the caller.
        let prev = unsafe { self.prev_ptr() };
        // Not through a reference, as in `first`.
        (!ptr::eq(prev, self) && is_followable(prev)).then(|| {
            // SAFETY: a followable link is not null.
            unsafe { NonNull::new_unchecked(prev.cast_mut()) }
        })
    }

    /// `list_for_each`: the entries from first to last, bounded by `max_nodes` (how many nodes
    /// can exist at all). Each item is a node, or the [`ListError`] that ended the walk: a cycle
    /// that cannot contain the head, a null or poisoned link, or (checked mode) a broken
    /// `next.prev` back link. Deleting the entry just yielded is not allowed (the next step
    /// would follow its poisoned link and report it); use [`ListHead::iter_safe`] for that.
    ///
    /// # Safety
    /// The list discipline (read-only) for as long as the iterator is used.
    pub unsafe fn iter(&self, max_nodes: usize) -> Iter<'_, P> {
        Iter::new(self, Direction::Forward, false, max_nodes)
    }

    /// `list_for_each_rcu`: as [`ListHead::iter`], for a reader inside an RCU read-side
    /// section without the list's lock: each `next` is loaded with `rcu_dereference` (acquire),
    /// back links are not checked (writers may be changing them), and an entry removed with
    /// [`ListHead::del_rcu`] while the reader stands on it still leads on into the list.
    ///
    /// # Safety
    /// The list is an RCU list ([`ListHead::new_rcu`]) whose writers use the `_rcu` operations
    /// (or hold the reader off). The iterator, and every pointer it yields, is used only inside
    /// one read-side section that was open when it was made, and every node the walk can reach
    /// stays alive and on this list or unlinked from it until that section ends: an entry
    /// removed is not freed, added again or re-`init`ed before a grace period that began after
    /// its removal has ended.
    pub unsafe fn iter_rcu(&self, max_nodes: usize) -> Iter<'_, P> {
        Iter::new(self, Direction::ForwardRcu, false, max_nodes)
    }

    /// `list_for_each_prev`: as [`ListHead::iter`], from last to first.
    ///
    /// # Safety
    /// The list discipline (read-only) for as long as the iterator is used.
    pub unsafe fn iter_rev(&self, max_nodes: usize) -> Iter<'_, P> {
        Iter::new(self, Direction::Backward, false, max_nodes)
    }

    /// `list_for_each_safe`: as [`ListHead::iter`], but reads the next link before yielding an
    /// entry, so the caller may delete (or move) the entry it was just given.
    ///
    /// # Safety
    /// The list discipline for as long as the iterator is used; the caller changes no entry but
    /// the one just yielded.
    pub unsafe fn iter_safe(&self, max_nodes: usize) -> Iter<'_, P> {
        Iter::new(self, Direction::Forward, true, max_nodes)
    }

    /// `list_for_each_prev_safe`: [`ListHead::iter_safe`] from last to first.
    ///
    /// # Safety
    /// As for [`ListHead::iter_safe`].
    pub unsafe fn iter_rev_safe(&self, max_nodes: usize) -> Iter<'_, P> {
        Iter::new(self, Direction::Backward, true, max_nodes)
    }

    /// `list_count_nodes(head)`: the number of entries, or the error that ended the walk.
    ///
    /// # Safety
    /// The list discipline (read-only).
    pub unsafe fn count_nodes(&self, max_nodes: usize) -> Result<usize, ListError> {
        let mut count = 0;
        // SAFETY: forwarded from the caller.
        for node in unsafe { self.iter(max_nodes) } {
            node?;
            count += 1;
        }
        Ok(count)
    }
    /// `list_first_entry_or_null(head, T, field)`.
    ///
    /// # Safety
    /// The list discipline (read-only); every entry of this list is the link of a `T`,
    /// linked through a pointer with provenance over that `T` (point 3).
    pub unsafe fn first_entry<T: Linked<P>>(&self) -> Option<NonNull<T>> {
        // SAFETY: forwarded from the caller.
        unsafe { self.first().map(|link| T::from_link(link)) }
    }

    /// `list_last_entry(head, T, field)`, or `None` for an empty list.
    ///
    /// # Safety
    /// The list discipline (read-only); every entry of this list is the link of a `T`,
    /// linked through a pointer with provenance over that `T` (point 3).
    pub unsafe fn last_entry<T: Linked<P>>(&self) -> Option<NonNull<T>> {
        // SAFETY: forwarded from the caller.
        unsafe { self.last().map(|link| T::from_link(link)) }
    }

    /// `list_for_each_entry`: [`ListHead::iter`] mapped through `container_of`.
    ///
    /// # Safety
    /// The list discipline (read-only) while the iterator is used; every entry of this list is
    /// the link of a `T`, linked through a pointer with provenance over that `T` (point 3).
    pub unsafe fn entries<T: Linked<P>>(
        &self,
        max_nodes: usize,
    ) -> impl Iterator<Item = Result<NonNull<T>, ListError>> + '_ {
        // SAFETY: forwarded from the caller; each yielded link is an entry, hence inside a `T`.
        unsafe { self.iter(max_nodes).entries() }
    }

    /// `list_for_each_entry_reverse`: [`ListHead::iter_rev`] mapped through `container_of`.
    ///
    /// # Safety
    /// As for [`ListHead::entries`].
    pub unsafe fn entries_rev<T: Linked<P>>(
        &self,
        max_nodes: usize,
    ) -> impl Iterator<Item = Result<NonNull<T>, ListError>> + '_ {
        // SAFETY: forwarded from the caller; each yielded link is an entry, hence inside a `T`.
        unsafe { self.iter_rev(max_nodes).entries() }
    }

    /// `list_for_each_entry_safe`: [`ListHead::iter_safe`] mapped through `container_of`; the
    /// caller may unlink the entry it was just given.
    ///
    /// # Safety
    /// As for [`ListHead::iter_safe`]; every entry of this list is the link of a `T`,
    /// linked through a pointer with provenance over that `T` (point 3).
    pub unsafe fn entries_safe<T: Linked<P>>(
        &self,
        max_nodes: usize,
    ) -> impl Iterator<Item = Result<NonNull<T>, ListError>> + '_ {
        // SAFETY: forwarded from the caller; each yielded link is an entry, hence inside a `T`.
        unsafe { self.iter_safe(max_nodes).entries() }
    }
}
