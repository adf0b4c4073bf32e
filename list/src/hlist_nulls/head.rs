//! `HlistNullsHead`: Linux's `struct hlist_nulls_head` (include/linux/list_nulls.h) with
//! `INIT_HLIST_NULLS_HEAD`, `hlist_nulls_empty`, `hlist_nulls_add_head`, and
//! include/linux/rculist_nulls.h's `hlist_nulls_add_head_rcu` and walks
//! (`hlist_nulls_for_each_entry[_rcu]`).

use crate::error::{Link, ListError, LIST_POISON2};
use crate::list_head::CheckMode;
use crate::platform::{LinkOps, Platform, Std};
use std::marker::PhantomPinned;
use std::ptr::{self, NonNull};

use super::iter::NullsIter;
#[cfg(doc)]
use super::{get_nulls_value, HlistNullsTable, NullsEnd, MAX_NULLS};
use super::{is_a_nulls, nulls_marker, HlistNullsNode, NodeLink};

/// The head of an `hlist_nulls` chain: Linux's `struct hlist_nulls_head { struct
/// hlist_nulls_node *first; }`, plus the nulls value it was made with and a [`CheckMode`].
///
/// # Invariants
/// - `first` is the first node's address or a nulls marker; an empty chain's `first` is a
///   marker, the one made from [`HlistNullsHead::new`]'s `nulls` unless a writer broke the
///   discipline. (Nodes may end a chain in another chain's marker only while a reader is
///   carried across by a move; a chain's own last node's `next` is its head's marker.)
/// - A new head holds no pointer to itself (`INIT_HLIST_NULLS_HEAD` writes a marker, where
///   `INIT_LIST_HEAD` writes `&head`), so it may be moved freely until a node is added. From
///   the first add on, the first node's `pprev` points into the head: it must not move or be
///   dropped while any node is hashed on it. Nothing in the type enforces that: it is point 1
///   of the chain discipline below, which every linking operation's caller promises (as for
///   [`crate::ListHead`]); an [`HlistNullsTable`] gives it by construction, keeping its heads in
///   one heap allocation made once.
/// - `repr(C)` with `first` first, so `&head.first` is the head's own address (which is how
///   messages name a `pprev` that points at it).
///
/// # The chain discipline (the `# Safety` contract of every operation)
/// 1. Every node and head reachable from the arguments (through `first`, `next` and `pprev`) is
///    alive and has not moved since it was linked: nodes and heads live in pinned storage (a
///    slab slot, a `Box`, a `static`, an [`HlistNullsTable`]).
/// 2. Writers exclude each other, in happens-before terms: every other change to the chains
///    the operation touches happens-before its start or after its end (the lock that protects
///    the table, held by every writer, gives this). A plain walk ([`HlistNullsHead::iter`])
///    counts as a writer here. Lockless readers use [`HlistNullsHead::iter_rcu`] only, and
///    only on chains changed by the `_rcu` operations.
/// 3. Provenance: an add stores the pointer it was given. A node whose containing object will
///    be reached with [`crate::container_of!`] from what a walk yields must be added through a
///    pointer with provenance over that object (a raw projection from a pointer to the object,
///    not a reference to the node field).
///
/// The links are [`Platform::Link`]s made as RCU links: on real threads atomics (plain accesses
/// `Relaxed`, like `READ_ONCE`/`WRITE_ONCE`), under loom atomics with a shadow cell that every
/// plain access touches, so two writers without the lock, or a plain walk beside a writer, are
/// races loom reports, and a plain add under a lockless reader publishes without release (loom
/// reports the reader's read of the entry's data).
#[repr(C)]
pub struct HlistNullsHead<P: Platform = Std> {
    first: NodeLink<P>,
    nulls: usize,
    checks: CheckMode,
    /// Once a node is added, its `pprev` points into the head: it must not move.
    _pinned: PhantomPinned,
}

// SAFETY: as for `HlistNullsNode`: the links are addresses, never owned data; every operation
// that follows or writes through them is `unsafe` and requires the chain discipline, and the
// safe methods only load the head's own `first`.
unsafe impl<P: Platform> Send for HlistNullsHead<P> {}
// SAFETY: as above.
unsafe impl<P: Platform> Sync for HlistNullsHead<P> {}

impl<P: Platform> std::fmt::Debug for HlistNullsHead<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HlistNullsHead")
            .field("address", &self.address())
            .field("nulls", &self.nulls)
            .field("checks", &self.checks)
            .finish_non_exhaustive()
    }
}

impl<P: Platform> HlistNullsHead<P> {
    /// `INIT_HLIST_NULLS_HEAD(head, nulls)`: an empty chain whose `first` is the marker of
    /// `nulls`, with the build's default [`CheckMode`].
    ///
    /// # Panics
    /// If `nulls` exceeds [`MAX_NULLS`].
    pub fn new(nulls: usize) -> Self {
        Self::with_checks(nulls, CheckMode::build_default())
    }

    /// An empty chain ending in the marker of `nulls`, with the given check mode (an add to
    /// this chain, and a plain walk of it, check in this mode).
    ///
    /// # Panics
    /// If `nulls` exceeds [`MAX_NULLS`].
    pub fn with_checks(nulls: usize, checks: CheckMode) -> Self {
        HlistNullsHead {
            first: LinkOps::new(nulls_marker(nulls), true),
            nulls,
            checks,
            _pinned: PhantomPinned,
        }
    }

    /// The nulls value this chain's marker carries (what a walk of it ends on while no writer
    /// moves a node under it).
    pub fn nulls(&self) -> usize {
        self.nulls
    }

    /// This head's check mode.
    pub fn checks(&self) -> CheckMode {
        self.checks
    }

    /// This head's address, as messages name it (also the address of its `first` link).
    pub fn address(&self) -> usize {
        ptr::from_ref(self).addr()
    }

    /// `head->first` as stored (plain read): the first node or a marker. A caller reading it
    /// while a writer may change it races with that writer (loom reports it).
    pub fn first_ptr(&self) -> *const HlistNullsNode<P> {
        self.first.load()
    }

    /// Writes `first` back as [`HlistNullsHead::first_ptr`] read it: how a checker puts a chain
    /// back where a state it saved had it. A plain store, no checks.
    ///
    /// # Safety
    /// The caller has exclusive access to this head for the call, and `first` is this chain's
    /// marker or a node, read from this head (so it carries the node's provenance); following
    /// it later is governed by each operation's contract (the chain discipline): the caller
    /// restores every node of the chain as it was saved.
    pub unsafe fn restore_first(&self, first: *const HlistNullsNode<P>) {
        self.first.store(first);
    }

    /// `hlist_nulls_empty(head)`: `is_a_nulls(READ_ONCE(head->first))`, which a caller may use
    /// without the lock (the answer may be stale by the time it is used).
    pub fn is_empty(&self) -> bool {
        is_a_nulls(self.first.load_lockless())
    }

    /// The `first` link, for the walk.
    pub(super) fn first_link(&self) -> &NodeLink<P> {
        &self.first
    }

    /// What an add to this chain reads, checked: in both modes that `first` is not null (a
    /// head is made with a marker, so this is a head written over by something else:
    /// [`ListError::AddNull`]); in checked mode also that `new` is not hashed
    /// ([`ListError::NullsDoubleAdd`]; `LIST_POISON2` is not hashed: a node removed with
    /// [`HlistNullsNode::del_rcu`] may be added again, which is how an entry moves between
    /// chains) and that the first node's `pprev` points at `first`
    /// ([`ListError::NullsBackLink`]). The kernel has no such checks for hlists
    /// (lib/list_debug.c checks `list_head` only); these are `CONFIG_DEBUG_LIST`'s, carried
    /// over. Returns `first`; writes nothing.
    ///
    /// # Safety
    /// The chain discipline between writers for this chain and `new`.
    unsafe fn add_valid(
        &self,
        new: NonNull<HlistNullsNode<P>>,
        operation: &'static str,
    ) -> Result<*const HlistNullsNode<P>, ListError> {
        let first = self.first.load();
        if first.is_null() {
            return Err(ListError::AddNull {
                link: Link::Next,
                new: new.as_ptr().addr(),
            });
        }
        if self.checks.validates_operations() {
            // SAFETY: `new` is alive (the chain discipline, point 1).
            let new_pprev = unsafe { new.as_ref() }.pprev_link().load();
            if !new_pprev.is_null() && new_pprev.addr() != LIST_POISON2 {
                return Err(ListError::NullsDoubleAdd {
                    operation,
                    new: new.as_ptr().addr(),
                    pprev: new_pprev.addr(),
                });
            }
            if !is_a_nulls(first) {
                // SAFETY: `first` is neither null nor a marker: the chain's first node, alive
                // (the chain discipline, point 1).
                let back = unsafe { (*first).pprev_link().load() };
                if back.addr() != self.address() {
                    return Err(ListError::NullsBackLink {
                        operation,
                        node: first.addr(),
                        expected: self.address(),
                        actual: back.addr(),
                    });
                }
            }
        }
        Ok(first)
    }

    /// The body of `hlist_nulls_add_head[_rcu]`, in the kernel's order: `n->next = first`,
    /// `n->pprev = &h->first`, `h->first = n` (`rcu_assign_pointer` if `publish`), then
    /// `first->pprev = &n->next` if `first` is a node. Nothing is written if a check refuses.
    ///
    /// # Safety
    /// The chain discipline between writers for this chain and `new`; with `publish`, no reader
    /// can reach `new` through this chain before the release store.
    unsafe fn insert(
        &self,
        new: NonNull<HlistNullsNode<P>>,
        publish: bool,
        operation: &'static str,
    ) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        let first = unsafe { self.add_valid(new, operation)? };
        let new_ptr = new.as_ptr().cast_const();
        // The head's link, with the provenance of `&self` (a head is never mapped to an object).
        let head_link: *const NodeLink<P> = self.first_link();
        // SAFETY: `new` is a live node (point 1); the projection keeps the provenance `new` was
        // given with, so `first->pprev` can later be written through by a delete of `first`.
        let new_next = unsafe { HlistNullsNode::next_link_of(new_ptr) };
        // SAFETY: `new` and, if not a marker, `first` are live nodes; the caller holds the
        // writers' lock, so no other writer touches these links, and a reader reaches `new` only
        // through the store to `first`, made after `new`'s own links.
        unsafe {
            let new_ref = new.as_ref();
            if publish {
                // A reader may stand on `new` already (removed without a grace period from a
                // type-stable cache, and now reused): it loads this link with acquire and must
                // then see every link this writer wrote before, or it can follow a stale link
                // it has moved past (a walk that sees `a -> b` new and `b -> a` stale loops
                // until the store propagates, which loom never forces). The kernel gets that
                // order from the fully ordered operations every reuse passes through (the last
                // `refcount_dec_and_test`, the lock) and the reader's address dependency; C11
                // has neither for a plain store, so here it is a release store.
                new_ref.next_link().store_release(first);
            } else {
                new_ref.next_link().store(first);
            }
            new_ref.pprev_link().store(head_link);
            if publish {
                self.first.store_release(new_ptr);
            } else {
                self.first.store(new_ptr);
            }
            if !is_a_nulls(first) {
                (*first).pprev_link().store(new_next);
            }
        }
        Ok(())
    }

    /// `hlist_nulls_add_head(n, h)` (list_nulls.h): adds `new` at the head of this chain with
    /// plain stores. On a chain that lockless readers walk, the entry is published without
    /// release ordering: loom reports a reader's read of its data as a race. Use
    /// [`HlistNullsHead::add_head_rcu`] there.
    ///
    /// In raw mode, adding the node that is already first makes it point to itself (a walk then
    /// reports [`ListError::NullsCycle`]); in checked mode an add of any hashed node is a
    /// [`ListError::NullsDoubleAdd`] and nothing is written.
    ///
    /// # Safety
    /// The chain discipline (see the type) for this chain and `new`, with no lockless reader
    /// walking the chain. This head must not move or be dropped while `new` (or any node) is
    /// hashed on it. `new` is stored as given (point 3).
    pub unsafe fn add_head(&self, new: NonNull<HlistNullsNode<P>>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe { self.insert(new, false, "hlist_nulls_add_head") }
    }

    /// `hlist_nulls_add_head_rcu(n, h)`: adds `new` at the head of this chain, its own links
    /// written first and the entry published with `rcu_assign_pointer(h->first, n)` (a release
    /// store), so a lockless reader that reaches it sees everything written before (its key,
    /// its links). Checked as [`HlistNullsHead::add_head`].
    ///
    /// # Safety
    /// The chain discipline between writers (the chain's lock is held); lockless readers may
    /// walk meanwhile with [`HlistNullsHead::iter_rcu`]. This head must not move or be dropped
    /// while `new` (or any node) is hashed on it. `new` is stored as given (point 3). `new` is
    /// not hashed on any chain; a reader may still stand on it (removed by
    /// [`HlistNullsNode::del_rcu`] or [`HlistNullsNode::del_init_rcu`] without a grace period,
    /// in a type-stable cache): it then walks on along this chain.
    pub unsafe fn add_head_rcu(&self, new: NonNull<HlistNullsNode<P>>) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe { self.insert(new, true, "hlist_nulls_add_head_rcu") }
    }

    /// `hlist_nulls_for_each_entry`: the chain's nodes, first to last, with plain loads, for a
    /// writer holding the chain's lock; bounded by `max_nodes` (how many nodes can exist). At
    /// its end, [`NullsIter::end`] says how it ended: on a marker ([`NullsEnd::EndedOn`]), or
    /// on the error that stopped it. In checked mode each node's `pprev` is checked against the
    /// link the walk came through.
    ///
    /// # Safety
    /// The chain discipline for as long as the iterator and the pointers it yields are used,
    /// with no writer changing the chain meanwhile (the caller holds the chain's lock).
    pub unsafe fn iter(&self, max_nodes: usize) -> NullsIter<'_, P> {
        NullsIter::new(self, false, max_nodes)
    }

    /// `hlist_nulls_for_each_entry_rcu`: the chain's nodes, each `next` loaded with
    /// `rcu_dereference_raw` (an acquire load in this model), for a reader that holds no lock.
    /// The walk stops at any nulls marker, its own chain's or another's: a node moved to
    /// another chain while the reader stands on it leads the reader along that chain, and
    /// [`NullsEnd::EndedOn`] then carries the other chain's value. A lookup compares it with
    /// [`HlistNullsHead::nulls`] ([`get_nulls_value`] in the kernel) and restarts if they
    /// differ (Documentation/RCU/rculist_nulls.rst). Back links are not checked (writers may be
    /// changing them). Bounded by `max_nodes` steps: writers that keep moving nodes under the
    /// reader may carry it further than that ([`ListError::BoundTooSmall`]).
    ///
    /// # Safety
    /// Writers change the chains this walk can reach only with the `_rcu` operations. The
    /// iterator, and every pointer it yields, is used only inside one read-side section open
    /// when it was made, and every node the walk can reach stays alive (not freed, or freed
    /// into a type-stable cache whose memory stays a node) until that section ends; every head
    /// it can reach stays alive and unmoved. A node's links are written only by these
    /// operations while a reader may stand on it: a cache that reuses the node must not make it
    /// anew (`HlistNullsNode::new` written over it is a plain write racing the reader's atomic
    /// load), as the kernel runs a `SLAB_TYPESAFE_BY_RCU` cache's constructor once per object's
    /// memory, not at each allocation.
    pub unsafe fn iter_rcu(&self, max_nodes: usize) -> NullsIter<'_, P> {
        NullsIter::new(self, true, max_nodes)
    }
}
