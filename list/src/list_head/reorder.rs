//! Moving entries within and between lists: `list_swap`, `list_move`, `list_move_tail`,
//! `list_bulk_move_tail`, `list_rotate_left`, `list_rotate_to_front`, `list_cut_position`,
//! `list_cut_before` and the `list_splice` family of include/linux/list.h, all or nothing.

use crate::error::{Link, ListError};
#[cfg(doc)]
use crate::linked::Linked;

use crate::platform::Platform;
use std::ptr::{self, NonNull};

#[cfg(doc)]
use super::CheckMode;
use super::ListHead;

impl<P: Platform> ListHead<P> {
    /// `list_swap(entry1, entry2)`: exchanges the positions of two entries, which may be on the
    /// same list or on two lists.
    ///
    /// All or nothing: a swap of an entry with itself is refused ([`ListError::SameNode`], both
    /// modes), both entries are validated before anything is written (as a `del` would in a
    /// validating mode, [`CheckMode::validates_operations`]; in [`CheckMode::Raw`] only that
    /// their links can be followed), and if the final add is refused every write is undone, so
    /// an `Err` leaves every link as it was.
    ///
    /// Two entries that are each other's only neighbours (a head-less ring of two, or a node
    /// used as a head and its single entry) make the kernel's final `list_add` a double add.
    /// Only a validating mode ([`CheckMode::validates_operations`]; the mode of the node the
    /// add goes after) refuses it, with
    /// [`ListError::DoubleAdd`] and every link as it was. [`CheckMode::Raw`] does what the
    /// kernel does: it returns `Ok` and leaves the links inconsistent (`entry1` pointing to
    /// itself); that is no undefined behaviour, and a later walk reports the cycle
    /// ([`ListError::Cycle`]) instead of hanging.
    ///
    /// # Safety
    /// The list discipline for both entries' lists. Both addresses are stored as given (see the
    /// provenance rule of [`ListHead::add`]).
    pub unsafe fn swap(
        entry1: NonNull<ListHead<P>>,
        entry2: NonNull<ListHead<P>>,
    ) -> Result<(), ListError> {
        if entry1 == entry2 {
            return Err(ListError::SameNode {
                node: entry1.as_ptr() as usize,
                operation: "list_swap",
            });
        }
        // SAFETY: forwarded from the caller; this is the kernel's list_swap step by step, after
        // validating both entries, with every write logged for the undo.
        unsafe {
            let (one, two) = (entry1.as_ref(), entry2.as_ref());
            one.unlink_valid()?;
            let (_, two_prev) = two.unlink_valid()?;
            let mut pos = two_prev;
            let deleted = two.unlink()?;
            let (next, prev) = match one.followable_links() {
                Ok(links) => links,
                Err(error) => {
                    Self::undo(&deleted);
                    return Err(error);
                }
            };
            let replaced = Self::replace_links(entry2, next, prev);
            if ptr::eq(pos, one) {
                pos = entry2.as_ptr();
            }
            let added = Self::follow(pos, Link::Next)
                .and_then(|next| Self::insert(Self::deref(pos).checks, entry1, pos, next));
            if let Err(error) = added {
                Self::undo(&replaced);
                Self::undo(&deleted);
                return Err(error);
            }
        }
        Ok(())
    }

    /// `list_move(list, head)`: deletes `entry` from its list and adds it after `head`.
    ///
    /// All or nothing: if the add is refused after the unlink, the unlink is undone, so `entry`
    /// is back between its old neighbours and every link is as it was. Both modes refuse an
    /// uninitialized or deleted `head` ([`ListError::AddNull`], [`ListError::BadLink`]).
    ///
    /// `head` being `entry` itself is refused only when `head` is in a validating mode
    /// ([`CheckMode::validates_operations`]: the add's checks catch it). In [`CheckMode::Raw`] it is the kernel's behaviour: the call
    /// returns `Ok` with `entry` unlinked from its neighbours and pointing to itself, while its
    /// old successor's `prev` still points to it; that is no undefined behaviour, and a walk
    /// that reaches `entry` (backwards from the old successor) reports the cycle
    /// ([`ListError::Cycle`]) instead of hanging.
    ///
    /// # Safety
    /// The list discipline for both lists. `entry`'s address is stored as given (see the
    /// provenance rule of [`ListHead::add`]).
    pub unsafe fn move_to(
        entry: NonNull<ListHead<P>>,
        head: &ListHead<P>,
    ) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe {
            let unlinked = entry.as_ref().unlink()?;
            head.add(entry).inspect_err(|_| Self::undo(&unlinked))
        }
    }

    /// `list_move_tail(list, head)`: deletes `entry` from its list and adds it before `head`.
    /// All or nothing, as [`ListHead::move_to`], with the same exception: `head` being `entry`
    /// is refused only in a validating mode ([`CheckMode::validates_operations`]); in
    /// [`CheckMode::Raw`] the call returns `Ok` with `entry` pointing to itself and its old predecessor's `next` still pointing to it, so
    /// a forward walk reports the cycle ([`ListError::Cycle`]).
    ///
    /// # Safety
    /// As for [`ListHead::move_to`].
    pub unsafe fn move_to_tail(
        entry: NonNull<ListHead<P>>,
        head: &ListHead<P>,
    ) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe {
            let unlinked = entry.as_ref().unlink()?;
            head.add_tail(entry).inspect_err(|_| Self::undo(&unlinked))
        }
    }

    /// `list_bulk_move_tail(head, first, last)`: moves the run `first..=last` of one list to the
    /// tail of `self`. Every link it follows (`first.prev`, `last.next`, `self.prev`) is
    /// checked before anything is written, in both modes; checked mode also refuses a run that
    /// starts or ends at `self` ([`ListError::SameNode`]).
    ///
    /// # Safety
    /// The list discipline for both lists; `first..=last` is a run of one list, in order, and
    /// does not contain `self`. `first` and `last` are stored as given (see the provenance rule
    /// of [`ListHead::add`]). `self` is stored as a pointer made from `&self`, whose provenance
    /// covers only this `ListHead`: `self` is a list head, never an entry whose containing
    /// object will be reached through [`Linked::from_link`] (point 3 of the discipline).
    pub unsafe fn bulk_move_tail(
        &self,
        first: NonNull<ListHead<P>>,
        last: NonNull<ListHead<P>>,
    ) -> Result<(), ListError> {
        let (first, last) = (first.as_ptr().cast_const(), last.as_ptr().cast_const());
        if self.checks.validates_operations() && (ptr::eq(first, self) || ptr::eq(last, self)) {
            return Err(ListError::SameNode {
                node: self.address(),
                operation: "list_bulk_move_tail",
            });
        }
        // SAFETY: forwarded from the caller; every link followed is checked first, then the
        // kernel's pointer surgery in its order.
        unsafe {
            let before_first = Self::follow(first, Link::Prev)?;
            let after_last = Self::follow(last, Link::Next)?;
            Self::follow(self, Link::Prev)?;
            Self::store(before_first, Link::Next, after_last);
            Self::store(after_last, Link::Prev, before_first);
            // Read again: if the run ended at the tail, `self.prev` is now `before_first`, which
            // is followable too.
            let tail = self.prev_ptr();
            Self::store(tail, Link::Next, first);
            Self::store(first, Link::Prev, tail);
            Self::store(last, Link::Next, self);
            Self::store(self, Link::Prev, last);
        }
        Ok(())
    }

    /// `list_rotate_left(head)`: moves the first entry to the tail. Refuses a head whose `next`
    /// cannot be followed ([`ListError::BadLink`], both modes); all or nothing as
    /// [`ListHead::move_to_tail`].
    ///
    /// # Safety
    /// The list discipline.
    pub unsafe fn rotate_left(&self) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; `first` is followable once returned.
        unsafe {
            let first = Self::follow(self, Link::Next)?;
            if ptr::eq(first, self) {
                return Ok(());
            }
            Self::move_to_tail(NonNull::new_unchecked(first.cast_mut()), self)
        }
    }

    /// `list_rotate_to_front(list, head)`: rotates the list so that `entry` becomes first, by
    /// moving this head right before `entry`, as the kernel does. All or nothing: if the add is
    /// refused after the head was unlinked, the unlink is undone.
    ///
    /// # Safety
    /// The list discipline; `entry` is on this list and is not the head. `entry`'s address is
    /// stored as given (see the provenance rule of [`ListHead::add`]). `self` is stored as a
    /// pointer made from `&self`, whose provenance covers only this `ListHead`: `self` is a list
    /// head, never an entry whose containing object will be reached through
    /// [`Linked::from_link`] (point 3 of the discipline).
    pub unsafe fn rotate_to_front(&self, entry: NonNull<ListHead<P>>) -> Result<(), ListError> {
        let head = NonNull::from(self);
        // SAFETY: forwarded from the caller; list_move_tail(head, entry) with the undo.
        unsafe {
            let unlinked = self.unlink()?;
            let entry_ref = entry.as_ref();
            entry_ref
                .add_neighbour(Link::Prev, head)
                .and_then(|prev| Self::insert(entry_ref.checks, head, prev, entry.as_ptr()))
                .inspect_err(|_| Self::undo(&unlinked))
        }
    }

    /// `list_cut_position(list, head, entry)`: moves the entries of this list from the first up
    /// to and including `entry` onto `into`, which must be empty or unused (it is re-initialized).
    /// If `entry` is this head itself, `into` just becomes empty.
    ///
    /// Every link it follows (`self.next`, `entry.next`) is checked before anything is written,
    /// in both modes ([`ListError::BadLink`]); checked mode also refuses `into == self`
    /// ([`ListError::SameNode`]).
    ///
    /// # Safety
    /// The list discipline for both lists; `entry` is on this list (or is this head). `entry`'s
    /// address is stored as given (see the provenance rule of [`ListHead::add`]). `self` and
    /// `into` are stored as pointers made from the references, whose provenance covers only the
    /// `ListHead`: both are list heads, never entries whose containing objects will be reached
    /// through [`Linked::from_link`] (point 3 of the discipline).
    pub unsafe fn cut_position(
        &self,
        into: &ListHead<P>,
        entry: NonNull<ListHead<P>>,
    ) -> Result<(), ListError> {
        let entry = entry.as_ptr().cast_const();
        if self.checks.validates_operations() && self.is_head(into) {
            return Err(ListError::SameNode {
                node: self.address(),
                operation: "list_cut_position",
            });
        }
        // SAFETY: forwarded from the caller; the kernel's guards, then __list_cut_position, with
        // every link it follows checked before the first write.
        unsafe {
            let first = Self::follow(self, Link::Next)?;
            if ptr::eq(first, self) {
                return Ok(());
            }
            let entry_is_head = ptr::eq(entry, self);
            let singular = ptr::eq(first, self.prev_ptr());
            if singular && !entry_is_head && !ptr::eq(entry, first) {
                return Ok(());
            }
            if entry_is_head {
                into.init();
                return Ok(());
            }
            let new_first = Self::follow(entry, Link::Next)?;
            Self::store(into, Link::Next, first);
            Self::store(first, Link::Prev, into);
            Self::store(into, Link::Prev, entry);
            Self::store(entry, Link::Next, into);
            Self::store(self, Link::Next, new_first);
            Self::store(new_first, Link::Prev, self);
        }
        Ok(())
    }

    /// `list_cut_before(list, head, entry)`: moves the entries of this list before `entry` (not
    /// including it) onto `into`. If `entry` is the first entry, `into` just becomes empty.
    ///
    /// Every link it follows (`self.next`, `entry.prev`) is checked before anything is written,
    /// in both modes; checked mode also refuses `into == self`.
    ///
    /// # Safety
    /// The list discipline for both lists; `entry` is on this list (or is this head). `entry`'s
    /// address is stored as given (see the provenance rule of [`ListHead::add`]). `self` and
    /// `into` are stored as pointers made from the references, whose provenance covers only the
    /// `ListHead`: both are list heads, never entries whose containing objects will be reached
    /// through [`Linked::from_link`] (point 3 of the discipline).
    pub unsafe fn cut_before(
        &self,
        into: &ListHead<P>,
        entry: NonNull<ListHead<P>>,
    ) -> Result<(), ListError> {
        let entry = entry.as_ptr().cast_const();
        if self.checks.validates_operations() && self.is_head(into) {
            return Err(ListError::SameNode {
                node: self.address(),
                operation: "list_cut_before",
            });
        }
        // SAFETY: forwarded from the caller; the kernel's list_cut_before, with every link it
        // follows checked before the first write.
        unsafe {
            let first = Self::follow(self, Link::Next)?;
            if ptr::eq(first, entry) {
                into.init();
                return Ok(());
            }
            let before = Self::follow(entry, Link::Prev)?;
            Self::store(into, Link::Next, first);
            Self::store(first, Link::Prev, into);
            Self::store(into, Link::Prev, before);
            Self::store(before, Link::Next, into);
            Self::store(self, Link::Next, entry);
            Self::store(entry, Link::Prev, self);
        }
        Ok(())
    }

    /// What a splice of `list` into this list checks before writing, in both modes: every link
    /// it will follow (`list.next`, `list.prev`, and this node's `next` or, with `tail`, its
    /// `prev`) can be followed; checked mode also refuses `list == self`
    /// ([`ListError::SameNode`]). Returns `None` for an empty `list`, else the run to splice and
    /// the two nodes to put it between: `(first, last, prev, next)`.
    ///
    /// # Safety
    /// The list discipline for both lists.
    #[allow(clippy::type_complexity)] // four pointers, named in the doc
    unsafe fn splice_valid(
        &self,
        list: &ListHead<P>,
        tail: bool,
        operation: &'static str,
    ) -> Result<
        Option<(
            *const ListHead<P>,
            *const ListHead<P>,
            *const ListHead<P>,
            *const ListHead<P>,
        )>,
        ListError,
    > {
        if self.checks.validates_operations() && self.is_head(list) {
            return Err(ListError::SameNode {
                node: self.address(),
                operation,
            });
        }
        // SAFETY: forwarded from the caller; each link is checked before it is followed.
        unsafe {
            let first = Self::follow(list, Link::Next)?;
            let last = Self::follow(list, Link::Prev)?;
            if ptr::eq(first, list) {
                return Ok(None);
            }
            let (prev, next) = if tail {
                let prev = Self::follow(self, Link::Prev)?;
                (prev, self.as_linked(prev, Link::Next))
            } else {
                let next = Self::follow(self, Link::Next)?;
                (self.as_linked(next, Link::Prev), next)
            };
            Ok(Some((first, last, prev, next)))
        }
    }

    /// `__list_splice` after [`ListHead::splice_valid`]; re-initializes `list` if `init`.
    ///
    /// # Safety
    /// The list discipline for both lists.
    unsafe fn splice_with(
        &self,
        list: &ListHead<P>,
        tail: bool,
        init: bool,
        operation: &'static str,
    ) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; every node written was checked followable.
        unsafe {
            if let Some((first, last, prev, next)) = self.splice_valid(list, tail, operation)? {
                Self::store(first, Link::Prev, prev);
                Self::store(prev, Link::Next, first);
                Self::store(last, Link::Next, next);
                Self::store(next, Link::Prev, last);
                if init {
                    list.init();
                }
            }
        }
        Ok(())
    }

    /// `list_splice(list, head)`: joins the entries of `list` at the front of this list. `list`'s
    /// head is left stale, as in the kernel; see [`ListHead::splice_init`]. Refused before any
    /// write, in both modes, if a link it follows (`list.next`, `list.prev`, `self.next`; for the
    /// `_tail` variants `self.prev`) cannot be followed ([`ListError::BadLink`]); checked mode
    /// also refuses `list == self` ([`ListError::SameNode`]).
    ///
    /// # Safety
    /// The list discipline for both lists, which are distinct.
    pub unsafe fn splice(&self, list: &ListHead<P>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe { self.splice_with(list, false, false, "list_splice") }
    }

    /// `list_splice_tail(list, head)`: joins the entries of `list` at the tail of this list.
    ///
    /// # Safety
    /// The list discipline for both lists, which are distinct.
    pub unsafe fn splice_tail(&self, list: &ListHead<P>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe { self.splice_with(list, true, false, "list_splice_tail") }
    }

    /// `list_splice_init(list, head)`: [`ListHead::splice`], then re-initializes `list`.
    ///
    /// # Safety
    /// The list discipline for both lists, which are distinct.
    pub unsafe fn splice_init(&self, list: &ListHead<P>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe { self.splice_with(list, false, true, "list_splice_init") }
    }

    /// `list_splice_tail_init(list, head)`: [`ListHead::splice_tail`], then re-initializes
    /// `list`.
    ///
    /// # Safety
    /// The list discipline for both lists, which are distinct.
    pub unsafe fn splice_tail_init(&self, list: &ListHead<P>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe { self.splice_with(list, true, true, "list_splice_tail_init") }
    }
}
