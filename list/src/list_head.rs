//! `ListHead`: Linux's `struct list_head` and the operations of include/linux/list.h, with the
//! checks of lib/list_debug.c (`CONFIG_DEBUG_LIST`) selectable per node at run time.

use crate::error::{Link, ListError, LIST_POISON1, LIST_POISON2};
use crate::iter::{Direction, Iter};
use crate::linked::Linked;
use crate::platform::{CellOps, Platform, Std};
use std::marker::PhantomPinned;
use std::ptr::{self, NonNull};

/// Whether a node's operations validate their neighbours first, as Linux's lib/list_debug.c does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckMode {
    /// include/linux/list.h without `CONFIG_DEBUG_LIST`: operations trust their arguments, so
    /// they can express the bugs this suite studies (a double add makes `node.next == node`).
    /// Traversals are still bounded and never follow a null or poisoned link.
    Raw,
    /// `CONFIG_DEBUG_LIST`: `add` and `del` validate the neighbours and return a [`ListError`]
    /// without touching the list when an invariant is broken; traversals also check
    /// `next.prev == cur` at every step.
    Checked,
}

impl CheckMode {
    /// The mode a [`ListHead::new`] gets: `Checked` in builds with debug assertions, `Raw`
    /// otherwise (like a kernel config with and without `CONFIG_DEBUG_LIST`).
    pub const fn build_default() -> CheckMode {
        if cfg!(debug_assertions) {
            CheckMode::Checked
        } else {
            CheckMode::Raw
        }
    }
}

impl Default for CheckMode {
    fn default() -> Self {
        CheckMode::build_default()
    }
}

/// A link of a circular doubly-linked intrusive list, embedded in the structs it links: Linux's
/// `struct list_head`. The same type serves as a list's head (anchor) and as its entries' links.
///
/// # Invariants
/// - An empty list's head points to itself: `head.next == head && head.prev == head`.
/// - On a well-formed list, for every node `n`: `n.next.prev == n` and `n.prev.next == n`.
/// - A node built by [`ListHead::new`] has null links until [`ListHead::init`] or an add;
///   [`ListHead::del`] leaves `LIST_POISON1`/`LIST_POISON2` in its links (a checked `del` or a
///   traversal that meets them reports it instead of following them).
///
/// # The list discipline (the `# Safety` contract of every operation)
/// 1. Every node reachable from the arguments is alive and has not moved since it was linked
///    (nodes live in pinned storage: a slab slot, a `Box`, a `static`).
/// 2. The caller has exclusive access to every list the operation touches for the whole call,
///    usually by holding the lock that protects them; read-only operations need at least that no
///    one writes those lists concurrently.
///
/// Under loom the links are loom cells, so a breach of point 2 is reported as a data race.
pub struct ListHead<P: Platform = Std> {
    next: P::Cell<*const ListHead<P>>,
    prev: P::Cell<*const ListHead<P>>,
    checks: CheckMode,
    /// A linked node is pointed to by its neighbours, so it must not move.
    _pinned: PhantomPinned,
}

// SAFETY: the raw pointers are links to other nodes, never owned data. Moving a `ListHead` to
// another thread or sharing it is sound because every operation that follows or writes the links
// is `unsafe` and requires the list discipline (exclusive access to the list for the call).
unsafe impl<P: Platform> Send for ListHead<P> {}
// SAFETY: as above: shared references only reach the links through `unsafe` operations whose
// contract requires synchronization by the caller.
unsafe impl<P: Platform> Sync for ListHead<P> {}

impl<P: Platform> Default for ListHead<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: Platform> std::fmt::Debug for ListHead<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Reading the links here would be a read the caller did not synchronize; print identity.
        f.debug_struct("ListHead")
            .field("address", &self.address())
            .field("checks", &self.checks)
            .finish_non_exhaustive()
    }
}

/// Erases a reference to the pointer form the links store.
fn ptr_of<P: Platform>(node: &ListHead<P>) -> *const ListHead<P> {
    node
}

/// `true` if `link` can be followed: not null and not one of the poison values.
fn is_followable<P: Platform>(link: *const ListHead<P>) -> bool {
    let address = link as usize;
    address != 0 && address != LIST_POISON1 && address != LIST_POISON2
}

impl<P: Platform> ListHead<P> {
    /// A node with null links and the build's default [`CheckMode`]. Call [`ListHead::init`]
    /// once it is at its final address to make it an empty list head; entries need no init.
    pub fn new() -> Self {
        Self::with_checks(CheckMode::build_default())
    }

    /// A node with null links and the given check mode.
    pub fn with_checks(checks: CheckMode) -> Self {
        ListHead {
            next: P::Cell::new(ptr::null()),
            prev: P::Cell::new(ptr::null()),
            checks,
            _pinned: PhantomPinned,
        }
    }

    /// This node's check mode.
    pub fn checks(&self) -> CheckMode {
        self.checks
    }

    /// This node's address, as messages and traces name it.
    pub fn address(&self) -> usize {
        ptr_of(self) as usize
    }

    /// The `next` link as stored (may be null or poisoned).
    ///
    /// # Safety
    /// No thread writes this node's links concurrently (the list discipline, point 2).
    pub unsafe fn next_ptr(&self) -> *const ListHead<P> {
        // SAFETY: the cell holds a plain pointer value; the caller rules out concurrent writes.
        self.next.with(|link| unsafe { *link })
    }

    /// The `prev` link as stored (may be null or poisoned).
    ///
    /// # Safety
    /// No thread writes this node's links concurrently (the list discipline, point 2).
    pub unsafe fn prev_ptr(&self) -> *const ListHead<P> {
        // SAFETY: the cell holds a plain pointer value; the caller rules out concurrent writes.
        self.prev.with(|link| unsafe { *link })
    }

    /// # Safety
    /// The caller has exclusive access to this node's links.
    unsafe fn set_next(&self, value: *const ListHead<P>) {
        // SAFETY: exclusive access is the caller's contract.
        self.next.with_mut(|link| unsafe { *link = value })
    }

    /// # Safety
    /// The caller has exclusive access to this node's links.
    unsafe fn set_prev(&self, value: *const ListHead<P>) {
        // SAFETY: exclusive access is the caller's contract.
        self.prev.with_mut(|link| unsafe { *link = value })
    }

    /// Follows a link that the caller has checked is followable.
    ///
    /// # Safety
    /// `link` is not null or poisoned and points to a live node (the list discipline).
    unsafe fn deref<'a>(link: *const ListHead<P>) -> &'a ListHead<P> {
        debug_assert!(
            is_followable(link),
            "following a null or poisoned link {:#x}",
            link as usize
        );
        // SAFETY: the caller guarantees `link` points to a live node.
        unsafe { &*link }
    }

    /// `INIT_LIST_HEAD`: makes this node an empty list (both links point to itself).
    ///
    /// # Safety
    /// The list discipline; the node must not move while it points to itself.
    pub unsafe fn init(&self) {
        // SAFETY: exclusive access to this node is the caller's contract.
        unsafe {
            self.set_next(self);
            self.set_prev(self);
        }
    }

    /// `__list_add_valid`: the checks of lib/list_debug.c for inserting `new` between `prev`
    /// and `next`, in the kernel's order.
    ///
    /// # Safety
    /// The list discipline for `prev` and `next` (their links are read).
    unsafe fn add_valid(
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

    /// `__list_add`: inserts `new` between `prev` and `next`, checked if `self` (the node the
    /// caller named as the position) is in checked mode.
    ///
    /// # Safety
    /// The list discipline for `new`, `prev` and `next`.
    unsafe fn insert_between(
        &self,
        new: &ListHead<P>,
        prev: *const ListHead<P>,
        next: *const ListHead<P>,
    ) -> Result<(), ListError> {
        if self.checks == CheckMode::Checked {
            // SAFETY: forwarded from the caller.
            unsafe { Self::add_valid(new, prev, next)? };
        }
        // SAFETY: forwarded from the caller; the kernel's store order, `prev->next` last.
        unsafe {
            Self::deref(next).set_prev(new);
            new.set_next(next);
            new.set_prev(prev);
            Self::deref(prev).set_next(new);
        }
        Ok(())
    }

    /// `list_add(new, head)`: inserts `new` right after `self` (stack order).
    ///
    /// In raw mode, adding a node that is already `self`'s successor makes it point to itself:
    /// the bug of the story. In checked mode that is a [`ListError::DoubleAdd`] and nothing is
    /// written.
    ///
    /// # Safety
    /// The list discipline for `self`'s list and for `new`.
    pub unsafe fn add(&self, new: &ListHead<P>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe { self.insert_between(new, self, self.next_ptr()) }
    }

    /// `list_add_tail(new, head)`: inserts `new` right before `self` (queue order).
    ///
    /// # Safety
    /// The list discipline for `self`'s list and for `new`.
    pub unsafe fn add_tail(&self, new: &ListHead<P>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe { self.insert_between(new, self.prev_ptr(), self) }
    }

    /// `__list_del_entry_valid`: the checks of lib/list_debug.c for unlinking this entry.
    ///
    /// # Safety
    /// The list discipline for this entry's list.
    unsafe fn del_valid(&self) -> Result<(), ListError> {
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
    /// first that cannot (null or poisoned): the kernel would fault on it, and in Rust that
    /// would be undefined behaviour, not a report.
    ///
    /// # Safety
    /// No thread writes this node's links concurrently (the list discipline, point 2).
    unsafe fn followable_links(
        &self,
    ) -> Result<(*const ListHead<P>, *const ListHead<P>), ListError> {
        // SAFETY: forwarded from the caller.
        let (next, prev) = unsafe { (self.next_ptr(), self.prev_ptr()) };
        for (link, value) in [(Link::Next, next), (Link::Prev, prev)] {
            if !is_followable(value) {
                return Err(ListError::BadLink {
                    node: self.address(),
                    link,
                    value: value as usize,
                });
            }
        }
        Ok((next, prev))
    }

    /// `__list_del_entry`: unlinks this entry from its neighbours, leaving its own links as they
    /// were. Checked (and refused on error) in checked mode.
    ///
    /// # Safety
    /// The list discipline for this entry's list.
    unsafe fn unlink(&self) -> Result<(), ListError> {
        if self.checks == CheckMode::Checked {
            // SAFETY: forwarded from the caller.
            unsafe { self.del_valid()? };
        } else {
            // Raw mode still refuses to follow a link that cannot point to a node.
            // SAFETY: forwarded from the caller.
            unsafe { self.followable_links()? };
        }
        // SAFETY: forwarded from the caller; both links were checked followable above.
        unsafe {
            let next = self.next_ptr();
            let prev = self.prev_ptr();
            Self::deref(next).set_prev(prev);
            Self::deref(prev).set_next(next);
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
            self.unlink()?;
            self.set_next(LIST_POISON1 as *const ListHead<P>);
            self.set_prev(LIST_POISON2 as *const ListHead<P>);
        }
        Ok(())
    }

    /// `list_del_init(entry)`: unlinks this entry and makes it an empty list of its own, so it
    /// can be added again or deleted again harmlessly.
    ///
    /// # Safety
    /// The list discipline for this entry's list.
    pub unsafe fn del_init(&self) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe {
            self.unlink()?;
            self.init();
        }
        Ok(())
    }

    /// `list_replace(old, new)`: puts `new` where `self` is. `self`'s links are left stale, as
    /// in the kernel; use [`ListHead::replace_init`] to reuse `self`.
    ///
    /// # Safety
    /// The list discipline for `self`'s list and for `new`; `new` is not on that list.
    pub unsafe fn replace(&self, new: &ListHead<P>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        let (next, prev) = unsafe { self.followable_links()? };
        // SAFETY: forwarded from the caller; both links are followable.
        unsafe {
            new.set_next(next);
            Self::deref(next).set_prev(new);
            new.set_prev(prev);
            Self::deref(prev).set_next(new);
        }
        Ok(())
    }

    /// `list_replace_init(old, new)`: [`ListHead::replace`], then makes `self` an empty list.
    ///
    /// # Safety
    /// As for [`ListHead::replace`].
    pub unsafe fn replace_init(&self, new: &ListHead<P>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe {
            self.replace(new)?;
            self.init();
        }
        Ok(())
    }

    /// `list_swap(entry1, entry2)`: exchanges the positions of `self` and `other`, which may be
    /// on the same list or on two lists.
    ///
    /// # Safety
    /// The list discipline for both entries' lists.
    pub unsafe fn swap(&self, other: &ListHead<P>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; this is the kernel's list_swap step by step.
        unsafe {
            let mut pos = other.prev_ptr();
            other.del()?;
            self.replace(other)?;
            if pos == ptr_of(self) {
                pos = other;
            }
            Self::deref(pos).add(self)
        }
    }

    /// `list_move(list, head)`: deletes this entry from its list and adds it after `head`.
    ///
    /// # Safety
    /// The list discipline for both lists.
    pub unsafe fn move_to(&self, head: &ListHead<P>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe {
            self.unlink()?;
            head.add(self)
        }
    }

    /// `list_move_tail(list, head)`: deletes this entry from its list and adds it before `head`.
    ///
    /// # Safety
    /// The list discipline for both lists.
    pub unsafe fn move_to_tail(&self, head: &ListHead<P>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe {
            self.unlink()?;
            head.add_tail(self)
        }
    }

    /// `list_bulk_move_tail(head, first, last)`: moves the run `first..=last` of one list to the
    /// tail of `self`.
    ///
    /// # Safety
    /// The list discipline for both lists; `first..=last` is a run of one list, in order, and
    /// does not contain `self`.
    pub unsafe fn bulk_move_tail(
        &self,
        first: &ListHead<P>,
        last: &ListHead<P>,
    ) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; the kernel's pointer surgery in its order.
        unsafe {
            let before_first = first.prev_ptr();
            let after_last = last.next_ptr();
            for (node, link, value) in [
                (first, Link::Prev, before_first),
                (last, Link::Next, after_last),
            ] {
                if !is_followable(value) {
                    return Err(ListError::BadLink {
                        node: node.address(),
                        link,
                        value: value as usize,
                    });
                }
            }
            Self::deref(before_first).set_next(after_last);
            Self::deref(after_last).set_prev(before_first);

            let tail = self.prev_ptr();
            Self::deref(tail).set_next(first);
            first.set_prev(tail);
            last.set_next(self);
            self.set_prev(last);
        }
        Ok(())
    }

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

    /// `list_rotate_left(head)`: moves the first entry to the tail.
    ///
    /// # Safety
    /// The list discipline.
    pub unsafe fn rotate_left(&self) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe {
            if !self.is_empty() {
                Self::deref(self.next_ptr()).move_to_tail(self)?;
            }
        }
        Ok(())
    }

    /// `list_rotate_to_front(list, head)`: rotates the list so that `entry` becomes first.
    ///
    /// # Safety
    /// The list discipline; `entry` is on this list and is not the head.
    pub unsafe fn rotate_to_front(&self, entry: &ListHead<P>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller. Moving the head right before `entry` makes `entry`
        // the first entry, exactly as the kernel does it.
        unsafe { self.move_to_tail(entry) }
    }

    /// `list_cut_position(list, head, entry)`: moves the entries of this list from the first up
    /// to and including `entry` onto `into`, which must be empty or unused (it is re-initialized).
    /// If `entry` is this head itself, `into` just becomes empty.
    ///
    /// # Safety
    /// The list discipline for both lists; `entry` is on this list (or is this head).
    pub unsafe fn cut_position(
        &self,
        into: &ListHead<P>,
        entry: &ListHead<P>,
    ) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; the kernel's guards, then __list_cut_position.
        unsafe {
            if self.is_empty() {
                return Ok(());
            }
            if self.is_singular() && !self.is_head(entry) && !ptr::eq(entry, self.next_ptr()) {
                return Ok(());
            }
            if self.is_head(entry) {
                into.init();
                return Ok(());
            }
            let new_first = entry.next_ptr();
            into.set_next(self.next_ptr());
            Self::deref(into.next_ptr()).set_prev(into);
            into.set_prev(entry);
            entry.set_next(into);
            self.set_next(new_first);
            Self::deref(new_first).set_prev(self);
        }
        Ok(())
    }

    /// `list_cut_before(list, head, entry)`: moves the entries of this list before `entry` (not
    /// including it) onto `into`. If `entry` is the first entry, `into` just becomes empty.
    ///
    /// # Safety
    /// The list discipline for both lists; `entry` is on this list (or is this head).
    pub unsafe fn cut_before(
        &self,
        into: &ListHead<P>,
        entry: &ListHead<P>,
    ) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller; the kernel's list_cut_before.
        unsafe {
            if ptr::eq(self.next_ptr(), entry) {
                into.init();
                return Ok(());
            }
            into.set_next(self.next_ptr());
            Self::deref(into.next_ptr()).set_prev(into);
            into.set_prev(entry.prev_ptr());
            Self::deref(into.prev_ptr()).set_next(into);
            self.set_next(entry);
            entry.set_prev(self);
        }
        Ok(())
    }

    /// `__list_splice`: links all entries of `list` between `prev` and `next`.
    ///
    /// # Safety
    /// The list discipline for both lists; `list` is not empty.
    unsafe fn splice_between(
        list: &ListHead<P>,
        prev: *const ListHead<P>,
        next: *const ListHead<P>,
    ) {
        // SAFETY: forwarded from the caller.
        unsafe {
            let first = list.next_ptr();
            let last = list.prev_ptr();
            Self::deref(first).set_prev(prev);
            Self::deref(prev).set_next(first);
            Self::deref(last).set_next(next);
            Self::deref(next).set_prev(last);
        }
    }

    /// `list_splice(list, head)`: joins the entries of `list` at the front of this list. `list`'s
    /// head is left stale, as in the kernel; see [`ListHead::splice_init`].
    ///
    /// # Safety
    /// The list discipline for both lists, which are distinct.
    pub unsafe fn splice(&self, list: &ListHead<P>) {
        // SAFETY: forwarded from the caller.
        unsafe {
            if !list.is_empty() {
                Self::splice_between(list, self, self.next_ptr());
            }
        }
    }

    /// `list_splice_tail(list, head)`: joins the entries of `list` at the tail of this list.
    ///
    /// # Safety
    /// The list discipline for both lists, which are distinct.
    pub unsafe fn splice_tail(&self, list: &ListHead<P>) {
        // SAFETY: forwarded from the caller.
        unsafe {
            if !list.is_empty() {
                Self::splice_between(list, self.prev_ptr(), self);
            }
        }
    }

    /// `list_splice_init(list, head)`: [`ListHead::splice`], then re-initializes `list`.
    ///
    /// # Safety
    /// The list discipline for both lists, which are distinct.
    pub unsafe fn splice_init(&self, list: &ListHead<P>) {
        // SAFETY: forwarded from the caller.
        unsafe {
            if !list.is_empty() {
                Self::splice_between(list, self, self.next_ptr());
                list.init();
            }
        }
    }

    /// `list_splice_tail_init(list, head)`: [`ListHead::splice_tail`], then re-initializes
    /// `list`.
    ///
    /// # Safety
    /// The list discipline for both lists, which are distinct.
    pub unsafe fn splice_tail_init(&self, list: &ListHead<P>) {
        // SAFETY: forwarded from the caller.
        unsafe {
            if !list.is_empty() {
                Self::splice_between(list, self.prev_ptr(), self);
                list.init();
            }
        }
    }

    /// `list_first_entry_or_null` on links: the first entry, or `None` if the list is empty.
    ///
    /// # Safety
    /// The list discipline (read-only).
    pub unsafe fn first(&self) -> Option<NonNull<ListHead<P>>> {
        // SAFETY: forwarded from the caller.
        let next = unsafe { self.next_ptr() };
        (!ptr::eq(next, self) && is_followable(next)).then(|| {
            NonNull::from(
                // SAFETY: followable links of a list the caller may read point to live nodes.
                unsafe { Self::deref(next) },
            )
        })
    }

    /// `list_last_entry` on links: the last entry, or `None` if the list is empty.
    ///
    /// # Safety
    /// The list discipline (read-only).
    pub unsafe fn last(&self) -> Option<NonNull<ListHead<P>>> {
        // SAFETY: forwarded from the caller.
        let prev = unsafe { self.prev_ptr() };
        (!ptr::eq(prev, self) && is_followable(prev)).then(|| {
            NonNull::from(
                // SAFETY: followable links of a list the caller may read point to live nodes.
                unsafe { Self::deref(prev) },
            )
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
    /// The list discipline (read-only); every entry of this list is the link of a `T`.
    pub unsafe fn first_entry<T: Linked<P>>(&self) -> Option<NonNull<T>> {
        // SAFETY: forwarded from the caller.
        unsafe { self.first().map(|link| T::from_link(link)) }
    }

    /// `list_last_entry(head, T, field)`, or `None` for an empty list.
    ///
    /// # Safety
    /// The list discipline (read-only); every entry of this list is the link of a `T`.
    pub unsafe fn last_entry<T: Linked<P>>(&self) -> Option<NonNull<T>> {
        // SAFETY: forwarded from the caller.
        unsafe { self.last().map(|link| T::from_link(link)) }
    }

    /// `list_for_each_entry`: [`ListHead::iter`] mapped through `container_of`.
    ///
    /// # Safety
    /// The list discipline (read-only) while the iterator is used; every entry of this list is
    /// the link of a `T`.
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
    /// As for [`ListHead::iter_safe`]; every entry of this list is the link of a `T`.
    pub unsafe fn entries_safe<T: Linked<P>>(
        &self,
        max_nodes: usize,
    ) -> impl Iterator<Item = Result<NonNull<T>, ListError>> + '_ {
        // SAFETY: forwarded from the caller; each yielded link is an entry, hence inside a `T`.
        unsafe { self.iter_safe(max_nodes).entries() }
    }
}
