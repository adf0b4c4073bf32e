//! Adding, deleting and replacing one node: `list_add`, `list_add_tail`, `list_del`,
//! `list_del_init`, `list_replace` and `list_replace_init` of include/linux/list.h, with the
//! validity checks of lib/list_debug.c.

use crate::error::{Link, ListError, LIST_POISON1, LIST_POISON2};
#[cfg(doc)]
use crate::linked::Linked;
use crate::platform::Platform;
use std::ptr::{self, NonNull};

use super::{is_followable, CheckMode, ListHead, Undo};

impl<P: Platform> ListHead<P> {
    /// `__list_add_valid`: the checks of lib/list_debug.c for inserting `new` between `prev`
    /// and `next`, in the kernel's order.
    ///
    /// # Safety
    /// The list discipline for `prev` and `next` (their links are read).
    pub(super) unsafe fn add_valid(
        new: *const ListHead<P>,
        prev: *const ListHead<P>,
        next: *const ListHead<P>,
    ) -> Result<(), ListError> {
        if !is_followable(prev) {
            return Err(ListError::AddNull {
                link: Link::Prev,
                new: new as usize,
            });
        }
        if !is_followable(next) {
            return Err(ListError::AddNull {
                link: Link::Next,
                new: new as usize,
            });
        }
        // SAFETY: both are followable links of a list the caller has exclusive access to.
        let (next_prev, prev_next) = unsafe {
            (
                Self::deref(next).prev_ptr() as usize,
                Self::deref(prev).next_ptr() as usize,
            )
        };
        if next_prev != prev as usize {
            return Err(ListError::AddCorruption {
                link: Link::Prev,
                expected: prev as usize,
                actual: next_prev,
                node: next as usize,
            });
        }
        if prev_next != next as usize {
            return Err(ListError::AddCorruption {
                link: Link::Next,
                expected: next as usize,
                actual: prev_next,
                node: prev as usize,
            });
        }
        if new == prev || new == next {
            return Err(ListError::DoubleAdd {
                new: new as usize,
                prev: prev as usize,
                next: next as usize,
            });
        }
        Ok(())
    }

    /// The neighbour an add next to this node goes beside: its `link`, refused if it cannot be
    /// followed, in both modes: [`ListError::AddNull`] for null (an uninitialized head),
    /// [`ListError::BadLink`] for poison (a deleted node used as a head).
    ///
    /// # Safety
    /// The list discipline for this node.
    pub(super) unsafe fn add_neighbour(
        &self,
        link: Link,
        new: NonNull<ListHead<P>>,
    ) -> Result<*const ListHead<P>, ListError> {
        // SAFETY: forwarded from the caller.
        let value = unsafe {
            match link {
                Link::Next => self.next_ptr(),
                Link::Prev => self.prev_ptr(),
            }
        };
        match value as usize {
            0 => Err(ListError::AddNull {
                link,
                new: new.as_ptr() as usize,
            }),
            LIST_POISON1 | LIST_POISON2 => Err(ListError::BadLink {
                node: self.address(),
                link,
                value: value as usize,
            }),
            _ => Ok(value),
        }
    }

    /// `__list_add`: inserts `new` between `prev` and `next`, checked if `checks` validates
    /// operations ([`CheckMode::validates_operations`]). Nothing is written if a check fails.
    ///
    /// # Safety
    /// The list discipline for `new`, `prev` and `next`; `prev` and `next` are followable.
    pub(super) unsafe fn insert(
        checks: CheckMode,
        new: NonNull<ListHead<P>>,
        prev: *const ListHead<P>,
        next: *const ListHead<P>,
    ) -> Result<(), ListError> {
        let new = new.as_ptr().cast_const();
        if checks.validates_operations() {
            // SAFETY: forwarded from the caller.
            unsafe { Self::add_valid(new, prev, next)? };
        }
        // SAFETY: forwarded from the caller; the kernel's store order, `prev->next` last.
        unsafe {
            Self::store(next, Link::Prev, new);
            Self::store(new, Link::Next, next);
            Self::store(new, Link::Prev, prev);
            Self::store(prev, Link::Next, new);
        }
        Ok(())
    }

    /// `list_add(new, head)`: inserts `new` right after `self` (stack order).
    ///
    /// In raw mode, adding a node that is already `self`'s successor makes it point to itself:
    /// the bug of the story. In checked mode that is a [`ListError::DoubleAdd`] and nothing is
    /// written. In both modes an uninitialized `self` ([`ListError::AddNull`]) or a deleted one
    /// ([`ListError::BadLink`]) is refused before anything is written.
    ///
    /// # Safety
    /// The list discipline for `self`'s list and for `new`. `new`'s address is stored in the
    /// list as given: if its containing object will be reached through [`Linked::from_link`]
    /// ([`ListHead::entries`], [`ListHead::first_entry`], ...), `new` must come from a pointer
    /// to that object ([`Linked::link_ptr`]), not from a reference to the link field, whose
    /// provenance covers only the field.
    pub unsafe fn add(&self, new: NonNull<ListHead<P>>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; `next` is followable once returned.
        unsafe {
            let next = self.add_neighbour(Link::Next, new)?;
            let prev = self.as_linked(next, Link::Prev);
            Self::insert(self.checks, new, prev, next)
        }
    }

    /// `list_add_tail(new, head)`: inserts `new` right before `self` (queue order).
    ///
    /// # Safety
    /// As for [`ListHead::add`].
    pub unsafe fn add_tail(&self, new: NonNull<ListHead<P>>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; `prev` is followable once returned.
        unsafe {
            let prev = self.add_neighbour(Link::Prev, new)?;
            let next = self.as_linked(prev, Link::Next);
            Self::insert(self.checks, new, prev, next)
        }
    }

    /// `__list_del_entry_valid`: the checks of lib/list_debug.c for unlinking this entry.
    ///
    /// # Safety
    /// The list discipline for this entry's list.
    pub(super) unsafe fn del_valid(&self) -> Result<(), ListError> {
        let entry = self.address();
        // SAFETY: forwarded from the caller.
        let (next, prev) = unsafe { (self.next_ptr(), self.prev_ptr()) };
        for (link, value) in [(Link::Next, next), (Link::Prev, prev)] {
            match value as usize {
                0 => return Err(ListError::DelNull { entry, link }),
                LIST_POISON1 | LIST_POISON2 => return Err(ListError::DelPoisoned { entry, link }),
                _ => {}
            }
        }
        // SAFETY: both links are followable links of a list the caller has exclusive access to.
        let (prev_next, next_prev) = unsafe {
            (
                Self::deref(prev).next_ptr() as usize,
                Self::deref(next).prev_ptr() as usize,
            )
        };
        if prev_next != entry {
            return Err(ListError::DelCorruption {
                entry,
                link: Link::Next,
                actual: prev_next,
                neighbour: prev as usize,
            });
        }
        if next_prev != entry {
            return Err(ListError::DelCorruption {
                entry,
                link: Link::Prev,
                actual: next_prev,
                neighbour: next as usize,
            });
        }
        Ok(())
    }

    /// Both links, if both can be followed; otherwise the [`ListError::BadLink`] naming the
    /// first that cannot (null or poisoned).
    ///
    /// # Safety
    /// Every write to this node's links happens-before the start of this call or happens-after
    /// its end (the list discipline, point 2).
    pub(super) unsafe fn followable_links(
        &self,
    ) -> Result<(*const ListHead<P>, *const ListHead<P>), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe {
            Ok((
                Self::follow(self, Link::Next)?,
                Self::follow(self, Link::Prev)?,
            ))
        }
    }

    /// What [`ListHead::unlink`] checks, without writing: in checked mode the checks of
    /// lib/list_debug.c, in both modes that both links can be followed. Returns the links.
    ///
    /// # Safety
    /// The list discipline for this entry's list.
    pub(super) unsafe fn unlink_valid(
        &self,
    ) -> Result<(*const ListHead<P>, *const ListHead<P>), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe {
            if self.checks.validates_operations() {
                self.del_valid()?;
            }
            self.followable_links()
        }
    }

    /// `__list_del_entry`: unlinks this entry from its neighbours, leaving its own links as they
    /// were, and returns the two writes so a later failing step can put it back. Checked (and
    /// refused before any write) in checked mode; in raw mode it still refuses to follow a link
    /// that cannot point to a node.
    ///
    /// # Safety
    /// The list discipline for this entry's list.
    #[must_use = "an unlink nobody will undo is `unlink_unlogged`"]
    pub(super) unsafe fn unlink(&self) -> Result<[Undo<P>; 2], ListError> {
        // SAFETY: forwarded from the caller; both links are followable once returned.
        unsafe {
            let (next, prev) = self.unlink_valid()?;
            Ok([
                Self::write(next, Link::Prev, prev),
                Self::write(prev, Link::Next, next),
            ])
        }
    }

    /// [`ListHead::unlink`] for an operation that will not undo it: the same checks and writes,
    /// without reading the values the writes replace.
    ///
    /// # Safety
    /// The list discipline for this entry's list.
    pub(super) unsafe fn unlink_unlogged(&self) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; both links are followable once returned.
        unsafe {
            let (next, prev) = self.unlink_valid()?;
            Self::store(next, Link::Prev, prev);
            Self::store(prev, Link::Next, next);
        }
        Ok(())
    }

    /// `list_del(entry)`: unlinks this entry and poisons its links (`LIST_POISON1`/`2`), so a
    /// later use of the stale links is reported rather than followed.
    ///
    /// # Safety
    /// The list discipline for this entry's list.
    pub unsafe fn del(&self) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe {
            self.unlink_unlogged()?;
            // The poison values are addresses of no object: pointers without provenance, made
            // without an integer-to-pointer cast (which would guess at a provenance to give
            // them), so the crate stays clean under Miri's `-Zmiri-strict-provenance`. Nothing
            // follows them (`is_followable` refuses them), so no provenance is ever needed.
            self.set_next(ptr::without_provenance(LIST_POISON1));
            self.set_prev(ptr::without_provenance(LIST_POISON2));
        }
        Ok(())
    }

    /// `list_del_init(entry)`: unlinks this entry and makes it an empty list of its own, so it
    /// can be added again or deleted again harmlessly. Nothing is written if the unlink is
    /// refused.
    ///
    /// # Safety
    /// The list discipline for this entry's list.
    pub unsafe fn del_init(&self) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe {
            self.unlink_unlogged()?;
            self.init();
        }
        Ok(())
    }

    /// What [`ListHead::replace`] checks before writing: `new` is not this node
    /// ([`ListError::SameNode`], both modes), both links can be followed (both modes), and in
    /// checked mode this entry is properly linked and `new` is not one of its neighbours (which
    /// would link `new` to itself: [`ListError::DoubleAdd`]). Returns the links.
    ///
    /// # Safety
    /// The list discipline for this entry's list.
    pub(super) unsafe fn replace_valid(
        &self,
        new: NonNull<ListHead<P>>,
        operation: &'static str,
    ) -> Result<(*const ListHead<P>, *const ListHead<P>), ListError> {
        let new = new.as_ptr().cast_const();
        if ptr::eq(new, self) {
            return Err(ListError::SameNode {
                node: self.address(),
                operation,
            });
        }
        // SAFETY: forwarded from the caller.
        let (next, prev) = unsafe { self.unlink_valid()? };
        if self.checks.validates_operations() && (new == next || new == prev) {
            return Err(ListError::DoubleAdd {
                new: new as usize,
                prev: prev as usize,
                next: next as usize,
            });
        }
        Ok((next, prev))
    }

    /// The four writes of `list_replace`: `new` takes the place between `prev` and `next`.
    ///
    /// # Safety
    /// The list discipline; `prev` and `next` are followable.
    #[must_use = "writes nobody will undo are `replace_links_unlogged`"]
    pub(super) unsafe fn replace_links(
        new: NonNull<ListHead<P>>,
        next: *const ListHead<P>,
        prev: *const ListHead<P>,
    ) -> [Undo<P>; 4] {
        let new = new.as_ptr().cast_const();
        // SAFETY: forwarded from the caller.
        unsafe {
            [
                Self::write(new, Link::Next, next),
                Self::write(next, Link::Prev, new),
                Self::write(new, Link::Prev, prev),
                Self::write(prev, Link::Next, new),
            ]
        }
    }

    /// [`ListHead::replace_links`] for an operation that will not undo them.
    ///
    /// # Safety
    /// As for [`ListHead::replace_links`].
    pub(super) unsafe fn replace_links_unlogged(
        new: NonNull<ListHead<P>>,
        next: *const ListHead<P>,
        prev: *const ListHead<P>,
    ) {
        let new = new.as_ptr().cast_const();
        // SAFETY: forwarded from the caller.
        unsafe {
            Self::store(new, Link::Next, next);
            Self::store(next, Link::Prev, new);
            Self::store(new, Link::Prev, prev);
            Self::store(prev, Link::Next, new);
        }
    }

    /// `list_replace(old, new)`: puts `new` where `self` is. `self`'s links are left stale, as
    /// in the kernel; use [`ListHead::replace_init`] to reuse `self`. Refused before any write
    /// if `new` is `self` ([`ListError::SameNode`]) or a link of `self` cannot be followed
    /// ([`ListError::BadLink`]), both modes; in checked mode also if `self` is not properly
    /// linked (the checks of `del`) or `new` is one of its neighbours ([`ListError::DoubleAdd`]).
    ///
    /// # Safety
    /// The list discipline for `self`'s list and for `new`; `new` is not on that list. `new`'s
    /// address is stored as given (see the provenance rule of [`ListHead::add`]).
    pub unsafe fn replace(&self, new: NonNull<ListHead<P>>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; both links are followable once returned.
        unsafe {
            let (next, prev) = self.replace_valid(new, "list_replace")?;
            Self::replace_links_unlogged(new, next, prev);
        }
        Ok(())
    }

    /// `list_replace_init(old, new)`: [`ListHead::replace`], then makes `self` an empty list.
    /// Replacing a node with itself is refused ([`ListError::SameNode`]): the kernel would
    /// leave the list pointing at a node that no longer points back.
    ///
    /// # Safety
    /// As for [`ListHead::replace`].
    pub unsafe fn replace_init(&self, new: NonNull<ListHead<P>>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; both links are followable once returned.
        unsafe {
            let (next, prev) = self.replace_valid(new, "list_replace_init")?;
            Self::replace_links_unlogged(new, next, prev);
            self.init();
        }
        Ok(())
    }
}
