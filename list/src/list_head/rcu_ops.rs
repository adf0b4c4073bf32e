//! The writer side of `include/linux/rculist.h`: `list_add_rcu`, `list_add_tail_rcu`,
//! `list_del_rcu` and `list_replace_rcu`, for lists whose readers walk without the lock
//! ([`ListHead::iter_rcu`]). Writers still hold the list's lock against each other; what changes
//! is the order of the stores and what a removed entry keeps: a new entry's own links are
//! written first and the entry is published last with `rcu_assign_pointer` (a release store), and
//! a removed entry keeps its `next`, so a reader standing on it walks on into the list.

use crate::error::{Link, ListError, LIST_POISON2};
use crate::platform::Platform;
use std::ptr::NonNull;

use super::{CheckMode, ListHead};

impl<P: Platform> ListHead<P> {
    /// `__list_add_rcu`: inserts `new` between `prev` and `next` in rculist.h's order:
    /// `new->next`, `new->prev`, then `rcu_assign_pointer(prev->next, new)`, then `next->prev`.
    /// Checked like `__list_add` in checked mode; nothing is written if a check fails.
    ///
    /// # Safety
    /// The list discipline between writers for `new`, `prev` and `next`; `prev` and `next` are
    /// followable; no reader can reach `new` (it is on no list a reader walks, and no grace
    /// period is pending for a removal of it).
    unsafe fn insert_rcu(
        checks: CheckMode,
        new: NonNull<ListHead<P>>,
        prev: *const ListHead<P>,
        next: *const ListHead<P>,
    ) -> Result<(), ListError> {
        let new_ptr = new.as_ptr().cast_const();
        if checks.validates_operations() {
            // SAFETY: forwarded from the caller.
            unsafe { Self::add_valid(new_ptr, prev, next)? };
        }
        // SAFETY: forwarded from the caller: every node is live, and no other writer touches
        // these links meanwhile; readers only load `next` links, and no reader can reach `new`
        // (the caller's contract) until the release store publishes it.
        unsafe {
            let new_ref = Self::deref(new_ptr);
            new_ref.set_next(next);
            new_ref.set_prev(prev);
            Self::deref(prev).publish_next(new_ptr);
            Self::deref(next).set_prev(new_ptr);
        }
        Ok(())
    }

    /// `list_add_rcu(new, head)`: inserts `new` right after `self`, published to lockless
    /// readers with a release store. The checks are [`ListHead::add`]'s.
    ///
    /// # Safety
    /// As [`ListHead::add`] between writers (they hold the list's lock); readers may walk the
    /// list meanwhile with [`ListHead::iter_rcu`]. The list is an RCU list
    /// ([`ListHead::new_rcu`]). No reader can reach `new`: it is on no list readers walk, and
    /// if it was removed from one, a grace period that began after the removal has ended.
    pub unsafe fn add_rcu(&self, new: NonNull<ListHead<P>>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; `next` is followable once returned.
        unsafe {
            let next = self.add_neighbour(Link::Next, new)?;
            let prev = self.as_linked(next, Link::Prev);
            Self::insert_rcu(self.checks, new, prev, next)
        }
    }

    /// `list_add_tail_rcu(new, head)`: inserts `new` right before `self`, published with a
    /// release store.
    ///
    /// # Safety
    /// As [`ListHead::add_rcu`].
    pub unsafe fn add_tail_rcu(&self, new: NonNull<ListHead<P>>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; `prev` is followable once returned.
        unsafe {
            let prev = self.add_neighbour(Link::Prev, new)?;
            let next = self.as_linked(prev, Link::Next);
            Self::insert_rcu(self.checks, new, prev, next)
        }
    }

    /// `list_del_rcu(entry)`: unlinks this entry (`next->prev = prev`, then `prev->next =
    /// next`) and poisons only `prev` (`LIST_POISON2`): `next` stays, so a reader standing on the
    /// entry walks on into the list. The kernel writes `prev->next` with `WRITE_ONCE` and relies
    /// on the reader's address dependency; C11 (and loom) has no such ordering, so here it is a
    /// release store: a reader that loads it is ordered after everything written to the entries
    /// it now leads to (found by an independent review: with a relaxed store, a reader reached a
    /// successor whose links and data it had never synchronized with). Checked like
    /// [`ListHead::del`].
    ///
    /// # Safety
    /// As [`ListHead::del`] between writers; readers may walk the list meanwhile. Until a grace
    /// period that began after this call has ended, the entry is not freed, added to a list
    /// again, re-`init`ed, or written: a reader may still stand on it and follow its `next`.
    pub unsafe fn del_rcu(&self) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; both links are followable once returned.
        unsafe {
            let (next, prev) = self.unlink_valid()?;
            Self::deref(next).set_prev(prev);
            Self::deref(prev).publish_next(next);
            self.set_prev(std::ptr::without_provenance(LIST_POISON2));
        }
        Ok(())
    }

    /// `list_replace_rcu(old, new)`: puts `new` where `self` is (`new`'s links first, then
    /// `rcu_assign_pointer(new->prev->next, new)`, then `new->next->prev`), and poisons `self`'s
    /// `prev` only: a reader standing on `self` walks on into the list. Refused as
    /// [`ListHead::replace`] is.
    ///
    /// # Safety
    /// As [`ListHead::replace`] between writers; readers may walk the list meanwhile. No reader
    /// can reach `new` (as for [`ListHead::add_rcu`]); `self` is then treated as
    /// [`ListHead::del_rcu`] leaves an entry: not freed, re-added, re-`init`ed or written until a
    /// grace period that began after this call has ended.
    pub unsafe fn replace_rcu(&self, new: NonNull<ListHead<P>>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; both links are followable once returned.
        unsafe {
            let (next, prev) = self.replace_valid(new, "list_replace_rcu")?;
            let new_ptr = new.as_ptr().cast_const();
            let new_ref = Self::deref(new_ptr);
            new_ref.set_next(next);
            new_ref.set_prev(prev);
            Self::deref(prev).publish_next(new_ptr);
            Self::deref(next).set_prev(new_ptr);
            self.set_prev(std::ptr::without_provenance(LIST_POISON2));
        }
        Ok(())
    }
}
