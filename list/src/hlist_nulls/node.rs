//! `HlistNullsNode`: Linux's `struct hlist_nulls_node` (include/linux/list_nulls.h) and the
//! operations that remove one from its chain: `hlist_nulls_del` of list_nulls.h, and
//! `hlist_nulls_del_rcu` and `hlist_nulls_del_init_rcu` of include/linux/rculist_nulls.h.

use crate::error::{Link, ListError, LIST_POISON2};
use crate::list_head::CheckMode;
use crate::platform::{LinkOps, Platform, Std};
use std::marker::PhantomPinned;
use std::ptr;

use super::{is_a_nulls, NodeLink};
#[cfg(doc)]
use super::{HlistNullsHead, NullsIter};

/// A `pprev` link: the address of the `first` or `next` link that points at this node.
type PprevLink<P> = <P as Platform>::Link<NodeLink<P>>;

/// A node's two links as stored, saved by [`HlistNullsNode::saved_links`] (addresses, with
/// the provenance of the nodes and heads they point at).
pub struct NodeLinks<P: Platform = Std> {
    next: *const HlistNullsNode<P>,
    pprev: *const NodeLink<P>,
}

impl<P: Platform> Clone for NodeLinks<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Platform> Copy for NodeLinks<P> {}

impl<P: Platform> std::fmt::Debug for NodeLinks<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeLinks")
            .field("next", &self.next.addr())
            .field("pprev", &self.pprev.addr())
            .finish()
    }
}

// SAFETY: plain addresses, never followed by this type; whoever restores them follows the chain
// discipline (`HlistNullsNode::restore_links`).
unsafe impl<P: Platform> Send for NodeLinks<P> {}
// SAFETY: as above.
unsafe impl<P: Platform> Sync for NodeLinks<P> {}

/// A node of an `hlist_nulls` chain, embedded in the struct it hashes: Linux's
/// `struct hlist_nulls_node { struct hlist_nulls_node *next, **pprev; }`.
///
/// # Invariants
/// - `next` is null (never added), the address of the next node, or a nulls marker (odd). An
///   add writes it; no delete touches it, so a reader standing on a removed node walks on.
/// - `pprev` is null (unhashed: never added, or removed by
///   [`HlistNullsNode::del_init_rcu`]), `LIST_POISON2` (removed by [`HlistNullsNode::del`] or
///   [`HlistNullsNode::del_rcu`]), or, while the node is hashed, the address of the link that
///   points at it: its head's `first` or its predecessor's `next`.
/// - On a well-formed chain, for every hashed node `n`: `*n.pprev == n`, and if `n.next` is a
///   node, `n.next.pprev == &n.next`.
/// - `repr(C)` with `next` first, so `&node.next` is the node's own address (which is how
///   messages name a `pprev` value), and the node is pointer-aligned, so its address is even
///   and never mistaken for a marker.
///
/// The contract of every operation is the chain discipline of [`HlistNullsHead`].
#[repr(C)]
pub struct HlistNullsNode<P: Platform = Std> {
    next: NodeLink<P>,
    pprev: PprevLink<P>,
    checks: CheckMode,
    /// A hashed node is pointed to by its predecessor and its successor's `pprev`: it must not
    /// move.
    _pinned: PhantomPinned,
}

// SAFETY: the links are addresses of other nodes and heads, never owned data. Moving a node to
// another thread or sharing it is sound because every operation that follows or writes through
// a link is `unsafe` and requires the chain discipline; the safe methods only load the node's
// own links (atomics on std and shuttle; under loom, atomics with a shadow cell whose accesses
// loom checks and never dereferences for an RCU link).
unsafe impl<P: Platform> Send for HlistNullsNode<P> {}
// SAFETY: as above.
unsafe impl<P: Platform> Sync for HlistNullsNode<P> {}

impl<P: Platform> Default for HlistNullsNode<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: Platform> std::fmt::Debug for HlistNullsNode<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HlistNullsNode")
            .field("address", &self.address())
            .field("checks", &self.checks)
            .finish_non_exhaustive()
    }
}

impl<P: Platform> HlistNullsNode<P> {
    /// An unhashed node (`next` and `pprev` null) with the build's default [`CheckMode`].
    pub fn new() -> Self {
        Self::with_checks(CheckMode::build_default())
    }

    /// An unhashed node with the given check mode. Its links are RCU links (lockless readers may
    /// load them, [`HlistNullsHead::iter_rcu`]); plain accesses to them are still plain
    /// accesses, which loom checks for races.
    pub fn with_checks(checks: CheckMode) -> Self {
        HlistNullsNode {
            next: LinkOps::new(ptr::null(), true),
            pprev: LinkOps::new(ptr::null(), true),
            checks,
            _pinned: PhantomPinned,
        }
    }

    /// This node's check mode (a delete of this node checks in this mode).
    pub fn checks(&self) -> CheckMode {
        self.checks
    }

    /// This node's address, as messages and traces name it.
    pub fn address(&self) -> usize {
        ptr::from_ref(self).addr()
    }

    /// The `next` link as stored (plain read): null, a node, or a marker ([`super::is_a_nulls`]).
    /// A caller reading it while a writer may change it races with that writer (loom reports it).
    pub fn next_ptr(&self) -> *const HlistNullsNode<P> {
        self.next.load()
    }

    /// The `pprev` link as stored (plain read), as an address: 0, `LIST_POISON2`, or the address
    /// of the link that points at this node (its head's or its predecessor's own address).
    pub fn pprev_addr(&self) -> usize {
        self.pprev.load().addr()
    }

    /// Both links as stored (plain reads), for [`HlistNullsNode::restore_links`].
    pub fn saved_links(&self) -> NodeLinks<P> {
        NodeLinks {
            next: self.next.load(),
            pprev: self.pprev.load(),
        }
    }

    /// Writes both links back as [`HlistNullsNode::saved_links`] read them: how a checker puts
    /// a node back where a state it saved had it. Plain stores, no checks.
    ///
    /// # Safety
    /// The caller has exclusive access to this node's links for the call. Following them later
    /// is governed by each operation's contract (the chain discipline): the caller restores
    /// every node and head of the chain, so that they form the chain they formed when saved.
    pub unsafe fn restore_links(&self, links: NodeLinks<P>) {
        self.next.store(links.next);
        self.pprev.store(links.pprev);
    }

    /// `hlist_nulls_unhashed(n)`: `true` if `pprev` is null (never added, or removed by
    /// [`HlistNullsNode::del_init_rcu`]). After [`HlistNullsNode::del_rcu`] it is `false`: the
    /// node is in an undefined state, as rculist_nulls.h says. A plain read: for a caller that
    /// holds the chain's lock (a lockless call racing a writer is a race loom reports; use
    /// [`HlistNullsNode::unhashed_lockless`]).
    pub fn unhashed(&self) -> bool {
        self.pprev.load().is_null()
    }

    /// `hlist_nulls_unhashed_lockless(n)`: as [`HlistNullsNode::unhashed`], with `READ_ONCE`, for
    /// a caller that holds no lock.
    pub fn unhashed_lockless(&self) -> bool {
        self.pprev.load_lockless().is_null()
    }

    /// The `next` link, for the walk and the head's add.
    pub(super) fn next_link(&self) -> &NodeLink<P> {
        &self.next
    }

    /// `&n->next` by a raw projection from `this`, so the pointer keeps `this`'s provenance
    /// (the address an add stores in the successor's `pprev`, and the link a walk loads next).
    ///
    /// # Safety
    /// `this` points to a live node.
    pub(super) unsafe fn next_link_of(this: *const Self) -> *const NodeLink<P> {
        // SAFETY: forwarded from the caller; nothing is read or referenced.
        unsafe { &raw const (*this).next }
    }

    /// The `pprev` link, for the head's add and the walk's check.
    pub(super) fn pprev_link(&self) -> &PprevLink<P> {
        &self.pprev
    }

    /// What `__hlist_nulls_del` reads, checked: in both modes that `pprev` can be written
    /// through ([`ListError::NullsDelUnhashed`]) and that a non-marker `next` is not null
    /// ([`ListError::BadLink`]), where the kernel would fault; in checked mode also that
    /// `*pprev` is this node ([`ListError::NullsDelCorruption`]) and that a successor's `pprev`
    /// is `&self.next` ([`ListError::NullsBackLink`]). Returns `(next, pprev)`; writes nothing.
    ///
    /// # Safety
    /// The chain discipline between writers for this node's chain.
    unsafe fn unlink_valid(
        &self,
        operation: &'static str,
    ) -> Result<(*const HlistNullsNode<P>, *const NodeLink<P>), ListError> {
        let entry = self.address();
        let pprev = self.pprev.load();
        if pprev.is_null() || pprev.addr() == LIST_POISON2 {
            return Err(ListError::NullsDelUnhashed {
                operation,
                entry,
                pprev: pprev.addr(),
            });
        }
        let next = self.next.load();
        if next.is_null() {
            return Err(ListError::BadLink {
                node: entry,
                link: Link::Next,
                value: 0,
            });
        }
        if self.checks.validates_operations() {
            // SAFETY: a hashed node's `pprev` is the address of its head's `first` or its
            // predecessor's `next`, both alive and unmoved (the chain discipline, point 1).
            let at_pprev = unsafe { (*pprev).load() };
            if at_pprev.addr() != entry {
                return Err(ListError::NullsDelCorruption {
                    operation,
                    entry,
                    pprev: pprev.addr(),
                    actual: at_pprev.addr(),
                });
            }
            if !is_a_nulls(next) {
                // SAFETY: `next` is neither null nor a marker: the node after this one, alive
                // (the chain discipline, point 1).
                let back = unsafe { (*next).pprev.load() };
                let own_next = ptr::from_ref(&self.next).addr();
                if back.addr() != own_next {
                    return Err(ListError::NullsBackLink {
                        operation,
                        node: next.addr(),
                        expected: own_next,
                        actual: back.addr(),
                    });
                }
            }
        }
        Ok((next, pprev))
    }

    /// `__hlist_nulls_del(n)`: `WRITE_ONCE(*pprev, next)`, then `next->pprev = pprev` if `next` is
    /// a node. Leaves this node's own links as they were. `publish`: the first write is a release
    /// store (see [`HlistNullsNode::del_rcu`]). Nothing is written if the checks refuse.
    ///
    /// # Safety
    /// The chain discipline between writers for this node's chain.
    unsafe fn unlink(&self, operation: &'static str, publish: bool) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        let (next, pprev) = unsafe { self.unlink_valid(operation)? };
        // SAFETY: `pprev` passed `unlink_valid`: the link of a live head or node that points at
        // this node; `next`, if not a marker, is a live node (the chain discipline). The caller
        // holds the writers' lock, so no other writer touches these links meanwhile.
        unsafe {
            let at_pprev = &*pprev;
            if publish {
                at_pprev.store_release(next);
            } else {
                at_pprev.store(next);
            }
            if !is_a_nulls(next) {
                (*next).pprev.store(pprev);
            }
        }
        Ok(())
    }

    /// `hlist_nulls_del(n)` (list_nulls.h): unlinks this node and poisons `pprev` with
    /// `LIST_POISON2`; `next` stays. In the kernel this is the same code as
    /// `hlist_nulls_del_rcu` (`WRITE_ONCE(*pprev, next)` in both, made safe for readers by the
    /// address dependency of theirs); here only [`HlistNullsNode::del_rcu`] stores `*pprev` with
    /// release ordering (see there), so this one stands for a removal that orders nothing for a
    /// reader: on a chain that lockless readers walk, a reader that loads the link it writes is
    /// not ordered after the successor's publication, and loom reports its read of the
    /// successor's data as a race. Use [`HlistNullsNode::del_rcu`] there.
    ///
    /// Refused, writing nothing, in both modes if the node is not hashed
    /// ([`ListError::NullsDelUnhashed`]: the kernel would write through NULL or `LIST_POISON2`)
    /// or its `next` is null; in checked mode also if the chain's links around it are broken
    /// ([`ListError::NullsDelCorruption`], [`ListError::NullsBackLink`]).
    ///
    /// # Safety
    /// The chain discipline (see [`HlistNullsHead`]) for this node's chain, with no lockless
    /// reader walking it (or every reader held off).
    pub unsafe fn del(&self) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe { self.unlink("hlist_nulls_del", false)? };
        self.poison_pprev();
        Ok(())
    }

    /// `hlist_nulls_del_rcu(n)`: unlinks this node and poisons `pprev` with `LIST_POISON2`,
    /// leaving `next` for a reader standing on the node: it walks on into the chain, or, if the
    /// node is meanwhile added to another chain, into that one (which is why a lookup checks
    /// the marker it ends on). [`HlistNullsNode::unhashed`] stays `false`.
    ///
    /// The kernel writes `*pprev` with `WRITE_ONCE` and relies on the reader's address
    /// dependency; C11 (and loom) has no such ordering, so here it is a release store, as in
    /// [`crate::ListHead::del_rcu`]: a reader that loads it is ordered after everything written
    /// to the successor it now leads to (`list/tests/loom_hlist_nulls.rs` shows the race a plain
    /// [`HlistNullsNode::del`] leaves). Refused as [`HlistNullsNode::del`] is.
    ///
    /// # Safety
    /// The chain discipline between writers (the chain's lock is held); lockless readers may
    /// walk meanwhile. The node is not freed before a grace period that began after this call
    /// has ended, unless its memory stays a node of this kind (a type-stable cache,
    /// `SLAB_TYPESAFE_BY_RCU`): a reader may still stand on it and follow its `next`. It may be
    /// added to a chain again at once; a reader on it then walks on along that chain. Until
    /// that grace period has ended the node is not made anew or written but by these
    /// operations (see [`HlistNullsHead::iter_rcu`]).
    pub unsafe fn del_rcu(&self) -> Result<(), ListError> {
        // SAFETY: forwarded from the caller.
        unsafe { self.unlink("hlist_nulls_del_rcu", true)? };
        self.poison_pprev();
        Ok(())
    }

    /// `hlist_nulls_del_init_rcu(n)`: if the node is hashed, unlinks it as
    /// [`HlistNullsNode::del_rcu`] does and sets `pprev` to null, so
    /// [`HlistNullsNode::unhashed`] is `true` after it; `next` stays for readers. On an unhashed
    /// node it does nothing, as the kernel's does. Refused (both modes) on a node
    /// [`HlistNullsNode::del_rcu`] left poisoned, whose `pprev` the kernel would write through.
    ///
    /// # Safety
    /// As [`HlistNullsNode::del_rcu`].
    pub unsafe fn del_init_rcu(&self) -> Result<(), ListError> {
        if self.unhashed() {
            return Ok(());
        }
        // SAFETY: forwarded from the caller.
        unsafe { self.unlink("hlist_nulls_del_init_rcu", true)? };
        // `WRITE_ONCE(n->pprev, NULL)`.
        self.pprev.store(ptr::null());
        Ok(())
    }

    /// `WRITE_ONCE(n->pprev, LIST_POISON2)`: an address of no object, a pointer without
    /// provenance (never made by an integer-to-pointer cast, never followed: every reader of
    /// `pprev` tests for it). For a caller that holds the writers' lock.
    fn poison_pprev(&self) {
        self.pprev.store(ptr::without_provenance(LIST_POISON2));
    }
}
