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
    /// Still, no operation and no traversal ever follows a null or poisoned link: where the
    /// kernel would fault, the operation returns [`ListError::AddNull`] or
    /// [`ListError::BadLink`] before writing anything, and traversals are bounded.
    Raw,
    /// `CONFIG_DEBUG_LIST`: the operations validate the neighbours as lib/list_debug.c does (and
    /// refuse an operation on a node with itself, [`ListError::SameNode`]), and return a
    /// [`ListError`] without touching the list when an invariant is broken: every operation is
    /// all or nothing, validating before its first write or undoing its writes when a later
    /// step is refused. Traversals also check `next.prev == cur` at every step.
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
/// 2. Exclusive access, in happens-before terms: every other access to the links of every list
///    the operation touches (by any thread, through any of their nodes) happens-before the start
///    of the call or happens-after its end. Holding the lock that protects those lists for the
///    whole call, as every other access does, gives this; so does making every access on one
///    thread. An access that merely finished earlier in time does not: if a thread unlinks an
///    entry and then sets a `Relaxed` flag that another thread sees, the unlink still races
///    with that thread's next operation on the list. Read-only operations need only that every
///    write to those links happens-before the start of the call or happens-after its end
///    (reads may overlap). For an iterator, the call lasts from its creation to its last use.
/// 3. Provenance: an operation that links a node stores the pointer it was given. A node whose
///    containing object will be reached through [`Linked::from_link`] (by
///    [`ListHead::entries`], [`ListHead::first_entry`], [`Iter::entries`], `container_of!`)
///    must be linked through a pointer derived from a pointer to that object
///    ([`Linked::link_ptr`]), which is why those operations take a `NonNull<ListHead>` and not
///    a `&ListHead`: a reference to the link field only has provenance over the field. Heads,
///    which are never mapped to an object, may be passed by reference. Operations that store a
///    node they were given by reference ([`ListHead::init`], `self` of
///    [`ListHead::bulk_move_tail`], [`ListHead::rotate_to_front`], [`ListHead::cut_position`]
///    and [`ListHead::cut_before`], and the cuts' `into`) store a pointer made from that
///    reference, so that node must be a head, never an entry later mapped back to its object.
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

/// Erases a reference to the pointer form the links store. Only for nodes whose address needs no
/// more provenance than the `ListHead` itself: heads, and a node's links to itself.
fn ptr_of<P: Platform>(node: &ListHead<P>) -> *const ListHead<P> {
    node
}

/// `true` if `link` can be followed: not null and not one of the poison values.
fn is_followable<P: Platform>(link: *const ListHead<P>) -> bool {
    let address = link as usize;
    address != 0 && address != LIST_POISON1 && address != LIST_POISON2
}

/// One link write of a multi-step operation, as `(node, link, value before the write)`: undoing a
/// log of them last first puts every link back (see [`ListHead::undo`]).
type Undo<P> = (*const ListHead<P>, Link, *const ListHead<P>);

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
    /// Every write to this node's links happens-before the start of this call or happens-after
    /// its end (the list discipline, point 2).
    pub unsafe fn next_ptr(&self) -> *const ListHead<P> {
        // SAFETY: the cell holds a plain pointer value; the caller rules out concurrent writes.
        self.next.with(|link| unsafe { *link })
    }

    /// The `prev` link as stored (may be null or poisoned).
    ///
    /// # Safety
    /// Every write to this node's links happens-before the start of this call or happens-after
    /// its end (the list discipline, point 2).
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

    /// Reads `node`'s `link`, refusing a value that cannot be followed with
    /// [`ListError::BadLink`]: the kernel would fault on it, and in Rust following it would be
    /// undefined behaviour, not a report.
    ///
    /// # Safety
    /// `node` is followable and the list discipline holds for it.
    unsafe fn follow(
        node: *const ListHead<P>,
        link: Link,
    ) -> Result<*const ListHead<P>, ListError> {
        // SAFETY: forwarded from the caller.
        let node_ref = unsafe { Self::deref(node) };
        // SAFETY: forwarded from the caller.
        let value = unsafe {
            match link {
                Link::Next => node_ref.next_ptr(),
                Link::Prev => node_ref.prev_ptr(),
            }
        };
        if is_followable(value) {
            Ok(value)
        } else {
            Err(ListError::BadLink {
                node: node as usize,
                link,
                value: value as usize,
            })
        }
    }

    /// Writes `value` into `node`'s `link` and returns the write's undo record.
    ///
    /// # Safety
    /// `node` is followable and the caller has exclusive access to its links.
    unsafe fn write(node: *const ListHead<P>, link: Link, value: *const ListHead<P>) -> Undo<P> {
        // SAFETY: forwarded from the caller.
        unsafe {
            let node_ref = Self::deref(node);
            let before = match link {
                Link::Next => node_ref.next_ptr(),
                Link::Prev => node_ref.prev_ptr(),
            };
            match link {
                Link::Next => node_ref.set_next(value),
                Link::Prev => node_ref.set_prev(value),
            }
            (node, link, before)
        }
    }

    /// Puts back every link that `writes` (made in order) changed, last write first, so the
    /// links are exactly as before the first of them.
    ///
    /// # Safety
    /// The writes were made by this operation, which still has exclusive access to the nodes.
    unsafe fn undo(writes: &[Undo<P>]) {
        for &(node, link, before) in writes.iter().rev() {
            // SAFETY: forwarded from the caller; each node was written, so it is followable.
            unsafe { Self::write(node, link, before) };
        }
    }

    /// This node's address as the list stores it: the pointer in `neighbour`'s `link` if that
    /// points to this node, since it carries the provenance this node was linked with (the
    /// whole containing object, for an entry linked through [`Linked::link_ptr`]); otherwise a
    /// pointer made from `&self`, whose provenance covers only this `ListHead` (enough for a
    /// head, which is never mapped to a containing object).
    ///
    /// # Safety
    /// `neighbour` is followable and the list discipline holds for it.
    unsafe fn as_linked(&self, neighbour: *const ListHead<P>, link: Link) -> *const ListHead<P> {
        // SAFETY: forwarded from the caller.
        let stored = unsafe {
            match link {
                Link::Next => Self::deref(neighbour).next_ptr(),
                Link::Prev => Self::deref(neighbour).prev_ptr(),
            }
        };
        if ptr::eq(stored, self) {
            stored
        } else {
            ptr_of(self)
        }
    }

    /// `INIT_LIST_HEAD`: makes this node an empty list (both links point to itself).
    ///
    /// The links store a pointer made from `&self`, so a node made empty this way acts as a
    /// head: it is not mapped to a containing object through these links.
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

    /// The neighbour an add next to this node goes beside: its `link`, refused if it cannot be
    /// followed, in both modes: [`ListError::AddNull`] for null (an uninitialized head),
    /// [`ListError::BadLink`] for poison (a deleted node used as a head).
    ///
    /// # Safety
    /// The list discipline for this node.
    unsafe fn add_neighbour(
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

    /// `__list_add`: inserts `new` between `prev` and `next`, checked if `checks` is
    /// [`CheckMode::Checked`]. Nothing is written if a check fails.
    ///
    /// # Safety
    /// The list discipline for `new`, `prev` and `next`; `prev` and `next` are followable.
    unsafe fn insert(
        checks: CheckMode,
        new: NonNull<ListHead<P>>,
        prev: *const ListHead<P>,
        next: *const ListHead<P>,
    ) -> Result<(), ListError> {
        let new = new.as_ptr().cast_const();
        if checks == CheckMode::Checked {
            // SAFETY: forwarded from the caller.
            unsafe { Self::add_valid(new, prev, next)? };
        }
        // SAFETY: forwarded from the caller; the kernel's store order, `prev->next` last.
        unsafe {
            Self::write(next, Link::Prev, new);
            Self::write(new, Link::Next, next);
            Self::write(new, Link::Prev, prev);
            Self::write(prev, Link::Next, new);
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
    /// first that cannot (null or poisoned).
    ///
    /// # Safety
    /// Every write to this node's links happens-before the start of this call or happens-after
    /// its end (the list discipline, point 2).
    unsafe fn followable_links(
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
    unsafe fn unlink_valid(&self) -> Result<(*const ListHead<P>, *const ListHead<P>), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe {
            if self.checks == CheckMode::Checked {
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
    unsafe fn unlink(&self) -> Result<[Undo<P>; 2], ListError> {
        // SAFETY: forwarded from the caller; both links are followable once returned.
        unsafe {
            let (next, prev) = self.unlink_valid()?;
            Ok([
                Self::write(next, Link::Prev, prev),
                Self::write(prev, Link::Next, next),
            ])
        }
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
    /// can be added again or deleted again harmlessly. Nothing is written if the unlink is
    /// refused.
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

    /// What [`ListHead::replace`] checks before writing: `new` is not this node
    /// ([`ListError::SameNode`], both modes), both links can be followed (both modes), and in
    /// checked mode this entry is properly linked and `new` is not one of its neighbours (which
    /// would link `new` to itself: [`ListError::DoubleAdd`]). Returns the links.
    ///
    /// # Safety
    /// The list discipline for this entry's list.
    unsafe fn replace_valid(
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
        if self.checks == CheckMode::Checked && (new == next || new == prev) {
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
    unsafe fn replace_links(
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
            Self::replace_links(new, next, prev);
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
            Self::replace_links(new, next, prev);
            self.init();
        }
        Ok(())
    }

    /// `list_swap(entry1, entry2)`: exchanges the positions of two entries, which may be on the
    /// same list or on two lists.
    ///
    /// All or nothing: a swap of an entry with itself is refused ([`ListError::SameNode`], both
    /// modes), both entries are validated before anything is written (as a `del` would in
    /// [`CheckMode::Checked`]; in [`CheckMode::Raw`] only that their links can be followed), and
    /// if the final add is refused every write is undone, so an `Err` leaves every link as it
    /// was.
    ///
    /// Two entries that are each other's only neighbours (a head-less ring of two, or a node
    /// used as a head and its single entry) make the kernel's final `list_add` a double add.
    /// Only [`CheckMode::Checked`] (the mode of the node the add goes after) refuses it, with
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
    /// `head` being `entry` itself is refused only when `head` is in [`CheckMode::Checked`] (the
    /// add's checks catch it). In [`CheckMode::Raw`] it is the kernel's behaviour: the call
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
    /// is refused only in [`CheckMode::Checked`]; in [`CheckMode::Raw`] the call returns `Ok`
    /// with `entry` pointing to itself and its old predecessor's `next` still pointing to it, so
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
        if self.checks == CheckMode::Checked && (ptr::eq(first, self) || ptr::eq(last, self)) {
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
            Self::write(before_first, Link::Next, after_last);
            Self::write(after_last, Link::Prev, before_first);
            // Read again: if the run ended at the tail, `self.prev` is now `before_first`, which
            // is followable too.
            let tail = self.prev_ptr();
            Self::write(tail, Link::Next, first);
            Self::write(first, Link::Prev, tail);
            Self::write(last, Link::Next, self);
            Self::write(self, Link::Prev, last);
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
        if self.checks == CheckMode::Checked && self.is_head(into) {
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
            Self::write(into, Link::Next, first);
            Self::write(first, Link::Prev, into);
            Self::write(into, Link::Prev, entry);
            Self::write(entry, Link::Next, into);
            Self::write(self, Link::Next, new_first);
            Self::write(new_first, Link::Prev, self);
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
        if self.checks == CheckMode::Checked && self.is_head(into) {
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
            Self::write(into, Link::Next, first);
            Self::write(first, Link::Prev, into);
            Self::write(into, Link::Prev, before);
            Self::write(before, Link::Next, into);
            Self::write(self, Link::Next, entry);
            Self::write(entry, Link::Prev, self);
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
        if self.checks == CheckMode::Checked && self.is_head(list) {
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
                Self::write(first, Link::Prev, prev);
                Self::write(prev, Link::Next, first);
                Self::write(last, Link::Next, next);
                Self::write(next, Link::Prev, last);
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
