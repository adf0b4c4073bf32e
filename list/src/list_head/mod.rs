//! `ListHead`: Linux's `struct list_head` and the operations of include/linux/list.h, with the
//! checks of lib/list_debug.c (`CONFIG_DEBUG_LIST`) selectable per node at run time.

use crate::error::{Link, ListError, LIST_POISON1, LIST_POISON2};
#[cfg(doc)]
use crate::iter::Iter;
#[cfg(doc)]
use crate::linked::Linked;
use crate::platform::{LinkOps, Platform, Std};
use std::marker::PhantomPinned;
use std::ptr;

mod add_del;
mod check_mode;
mod queries;
mod rcu_ops;
mod reorder;

pub use check_mode::CheckMode;

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
/// The links are [`Platform::Link`]s, read and written whole like the kernel's
/// `READ_ONCE`/`WRITE_ONCE`. Under loom a plain list's links are loom cells, so a breach of point
/// 2 is reported as a data race. On real threads they are `Relaxed` atomics, so a model that
/// breaches point 2 on purpose (an unlocked `list_del`, a lock whose unlock orders nothing) races
/// on the hardware's words as the kernel's code would, and is not undefined behaviour by that
/// race: a link read returns some value a write stored (the caller may still be wrong to follow
/// it).
///
/// # RCU
/// A node made with [`ListHead::new_rcu`] (or [`ListHead::with_checks_rcu`]) may also be read
/// by lockless readers inside RCU read-side sections ([`ListHead::iter_rcu`], the
/// `include/linux/rculist.h` readers), while writers holding the list's lock change it with the
/// `_rcu` operations ([`ListHead::add_rcu`], [`ListHead::del_rcu`], [`ListHead::replace_rcu`]),
/// which publish with release stores and leave a removed entry's `next` for readers standing on
/// it. Point 2 then binds writers to each other, and the readers only to the RCU rules: an
/// entry is freed only after a grace period that began after it was unlinked. A node's links
/// are plain or RCU for its whole life, and every node of one list is the same.
pub struct ListHead<P: Platform = Std> {
    next: P::Link<ListHead<P>>,
    prev: P::Link<ListHead<P>>,
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
        Self::with_links(checks, false)
    }

    /// A node of a list that RCU readers walk without the lock, with the build's default
    /// [`CheckMode`] (see the type's RCU section).
    pub fn new_rcu() -> Self {
        Self::with_checks_rcu(CheckMode::build_default())
    }

    /// A node of a list that RCU readers walk, with the given check mode.
    pub fn with_checks_rcu(checks: CheckMode) -> Self {
        Self::with_links(checks, true)
    }

    fn with_links(checks: CheckMode, rcu: bool) -> Self {
        ListHead {
            next: P::Link::new(ptr::null(), rcu),
            prev: P::Link::new(ptr::null(), rcu),
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

    /// The `next` and `prev` links as the latest writes left them, read unseen by loom and
    /// shuttle ([`LinkOps::peek`]: no scheduling point, no ordering, no race check): for a
    /// harness's picture of a list, whose own reads must not change what a checker explores.
    /// Values, never to be followed.
    pub fn peek_links(&self) -> (*const ListHead<P>, *const ListHead<P>) {
        (self.next.peek(), self.prev.peek())
    }

    /// The `next` link as stored (may be null or poisoned).
    ///
    /// # Safety
    /// Every write to this node's links happens-before the start of this call or happens-after
    /// its end (the list discipline, point 2).
    pub unsafe fn next_ptr(&self) -> *const ListHead<P> {
        self.next.load()
    }

    /// The `next` link as `rcu_dereference` loads it (acquire), for a reader that may overlap
    /// with writers of an RCU list. It may be null or poisoned; following it needs the RCU
    /// contract of [`ListHead::iter_rcu`].
    ///
    /// # Safety
    /// This node is alive; on a plain list, as [`ListHead::next_ptr`].
    pub unsafe fn next_rcu(&self) -> *const ListHead<P> {
        self.next.load_acquire()
    }

    /// The `prev` link as stored (may be null or poisoned).
    ///
    /// # Safety
    /// Every write to this node's links happens-before the start of this call or happens-after
    /// its end (the list discipline, point 2).
    pub unsafe fn prev_ptr(&self) -> *const ListHead<P> {
        self.prev.load()
    }

    /// Writes both links as [`ListHead::next_ptr`] and [`ListHead::prev_ptr`] read them before:
    /// how a checker puts a node back where a state it saved had it (the state-graph engine
    /// restores a world instead of replaying the path to it). Plain stores, no checks.
    ///
    /// # Safety
    /// The caller has exclusive access to this node's links for the call (no other thread reads
    /// or writes them). Following the values later is governed by each operation's own
    /// contract: the caller restores every node of the list, so that they form the list they
    /// formed when read, with values read from these links (so they carry the provenance the
    /// list discipline's point 3 requires).
    pub unsafe fn restore_links(&self, next: *const ListHead<P>, prev: *const ListHead<P>) {
        self.next.store(next);
        self.prev.store(prev);
    }

    /// # Safety
    /// The caller has exclusive access to this node's links.
    unsafe fn set_next(&self, value: *const ListHead<P>) {
        self.next.store(value)
    }

    /// `rcu_assign_pointer(node->next, value)`: a release store, so everything written before
    /// (the new entry's own links, its object's data) happens-before a reader that loads it.
    ///
    /// # Safety
    /// As [`ListHead::set_next`] against other writers.
    unsafe fn publish_next(&self, value: *const ListHead<P>) {
        self.next.store_release(value)
    }

    /// # Safety
    /// The caller has exclusive access to this node's links.
    unsafe fn set_prev(&self, value: *const ListHead<P>) {
        self.prev.store(value)
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

    /// Writes `value` into `node`'s `link`, keeping no record of the value before (see
    /// [`ListHead::write`] for a write that can be undone).
    ///
    /// # Safety
    /// `node` is followable and the caller has exclusive access to its links.
    unsafe fn store(node: *const ListHead<P>, link: Link, value: *const ListHead<P>) {
        // SAFETY: forwarded from the caller.
        unsafe {
            let node_ref = Self::deref(node);
            match link {
                Link::Next => node_ref.set_next(value),
                Link::Prev => node_ref.set_prev(value),
            }
        }
    }

    /// Writes `value` into `node`'s `link` and returns the write's undo record. The read of the
    /// value before is a `READ_ONCE` the compiler may not drop even when the record is unused,
    /// so a write nobody will undo is a [`ListHead::store`].
    ///
    /// # Safety
    /// `node` is followable and the caller has exclusive access to its links.
    #[must_use = "a write whose undo record is not needed is a `store`"]
    unsafe fn write(node: *const ListHead<P>, link: Link, value: *const ListHead<P>) -> Undo<P> {
        // SAFETY: forwarded from the caller.
        unsafe {
            let node_ref = Self::deref(node);
            let before = match link {
                Link::Next => node_ref.next_ptr(),
                Link::Prev => node_ref.prev_ptr(),
            };
            Self::store(node, link, value);
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
            unsafe { Self::store(node, link, before) };
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
}
