//! `NullsIter`: the bounded walk behind `hlist_nulls_for_each_entry` (include/linux/list_nulls.h)
//! and `hlist_nulls_for_each_entry_rcu` (include/linux/rculist_nulls.h), which at its end says
//! which nulls marker it stopped on, the `get_nulls_value(pos)` of the lookup in
//! Documentation/RCU/rculist_nulls.rst. A walk that makes more steps than there can be nodes is
//! in a cycle; it stops and names the cycle instead of hanging (docs/design.md section 3).

use crate::error::{Link, ListError};
use crate::platform::{LinkOps, Platform};
use std::collections::HashMap;
use std::ptr::{self, NonNull};

use super::{get_nulls_value, is_a_nulls, HlistNullsHead, HlistNullsNode, NodeLink};

/// How an `hlist_nulls` walk ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NullsEnd {
    /// It reached a nulls marker carrying `nulls` (`get_nulls_value(pos)`): its own chain's, or
    /// another chain's if a writer moved a node it stood on.
    EndedOn {
        /// The value the marker carries.
        nulls: usize,
    },
    /// It stopped before any marker: [`ListError::NullsCycle`] (more steps than `max_nodes` and
    /// a node repeats), [`ListError::BoundTooSmall`] (more steps, no node repeats: the bound is
    /// below the number of nodes, or writers carried an RCU reader over more nodes than that),
    /// [`ListError::BadLink`] (a null `next`: a node that was never added), or, in a checked
    /// plain walk, [`ListError::NullsBackLink`].
    Broken(ListError),
}

impl NullsEnd {
    /// The marker's value if the walk ended on one.
    pub fn nulls(&self) -> Option<usize> {
        match self {
            NullsEnd::EndedOn { nulls } => Some(*nulls),
            NullsEnd::Broken(_) => None,
        }
    }
}

/// Where a [`NullsIter`] stands, without its borrow: [`NullsIter::position`] and
/// [`NullsIter::resume`].
#[derive(Debug, Clone)]
pub struct NullsPosition<P: Platform> {
    head: usize,
    rcu: bool,
    max_nodes: usize,
    link: *const NodeLink<P>,
    from: usize,
    yielded: usize,
    end: Option<NullsEnd>,
}

// SAFETY: an address the position never follows; the walk resumed from it follows it under
// `NullsIter::resume`'s contract.
unsafe impl<P: Platform> Send for NullsPosition<P> {}
// SAFETY: as above.
unsafe impl<P: Platform> Sync for NullsPosition<P> {}

/// A bounded walk over an `hlist_nulls` chain's nodes. Yields each node; once it has returned
/// `None`, [`NullsIter::end`] says how it ended.
///
/// # Invariants
/// - At most `max_nodes` nodes are yielded; the step that would yield one more ends the walk
///   with [`ListError::NullsCycle`] or [`ListError::BoundTooSmall`].
/// - A marker is never followed, nor a null link (reported as [`ListError::BadLink`]).
/// - `link` is the head's `first` or the `next` of the node yielded last, and `from` is the
///   address of the head or node it belongs to.
/// - Once `end` is set the iterator is fused.
pub struct NullsIter<'a, P: Platform> {
    head: &'a HlistNullsHead<P>,
    /// `_rcu` walk: acquire loads, no back-link checks.
    rcu: bool,
    max_nodes: usize,
    /// The link the next step loads.
    link: *const NodeLink<P>,
    /// The address of the head or node `link` belongs to.
    from: usize,
    yielded: usize,
    end: Option<NullsEnd>,
}

impl<P: Platform> std::fmt::Debug for NullsIter<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NullsIter")
            .field("head", &self.head.address())
            .field("rcu", &self.rcu)
            .field("yielded", &self.yielded)
            .field("end", &self.end)
            .finish_non_exhaustive()
    }
}

impl<'a, P: Platform> NullsIter<'a, P> {
    pub(super) fn new(head: &'a HlistNullsHead<P>, rcu: bool, max_nodes: usize) -> Self {
        NullsIter {
            head,
            rcu,
            max_nodes,
            link: head.first_link(),
            from: head.address(),
            yielded: 0,
            end: None,
        }
    }

    /// The address of the head or node the walk stands on: the one whose link its next step
    /// loads (the node yielded last, or the head before the first step).
    pub fn standing_on(&self) -> usize {
        self.from
    }

    /// Where the walk stands, without its borrow of the head: what [`NullsIter::resume`] takes
    /// to go on from here (the state-graph engine saves a lookup under way this way).
    pub fn position(&self) -> NullsPosition<P> {
        NullsPosition {
            head: self.head.address(),
            rcu: self.rcu,
            max_nodes: self.max_nodes,
            link: self.link,
            from: self.from,
            yielded: self.yielded,
            end: self.end.clone(),
        }
    }

    /// The walk of `head` that stood at `position`, going on from there.
    ///
    /// # Panics
    /// If `position` was taken from a walk of another head.
    ///
    /// # Safety
    /// The contract of the walk `position` was taken from ([`HlistNullsHead::iter`] or
    /// [`HlistNullsHead::iter_rcu`]) holds for the rest of this one, and the node the walk
    /// stands on is alive with the links it had when the position was taken (or links a
    /// writer gave it since under that contract): a checker that restores a saved state
    /// restores every node and head first.
    pub unsafe fn resume(head: &'a HlistNullsHead<P>, position: NullsPosition<P>) -> Self {
        assert_eq!(
            position.head,
            head.address(),
            "a walk resumes on the head it was walking"
        );
        NullsIter {
            head,
            rcu: position.rcu,
            max_nodes: position.max_nodes,
            link: position.link,
            from: position.from,
            yielded: position.yielded,
            end: position.end,
        }
    }

    /// How the walk ended, once it has (`None` while it still yields nodes).
    pub fn end(&self) -> Option<&NullsEnd> {
        self.end.as_ref()
    }

    /// Walks to the end, discarding the nodes left, and says how it ended.
    pub fn finish(mut self) -> NullsEnd {
        for _ in self.by_ref() {}
        self.end
            .take()
            .expect("a walk that returned None has recorded its end")
    }

    /// Loads `link` the walk's way: `rcu_dereference_raw` (acquire) or a plain read.
    ///
    /// # Safety
    /// `link` is the head's `first` or the `next` of a node this walk reached: alive by the
    /// contract of [`HlistNullsHead::iter`] or [`HlistNullsHead::iter_rcu`].
    unsafe fn load(&self, link: *const NodeLink<P>) -> *const HlistNullsNode<P> {
        // SAFETY: forwarded from the caller.
        let link = unsafe { &*link };
        if self.rcu {
            link.load_acquire()
        } else {
            link.load()
        }
    }

    /// Called when the walk is about to yield node number `max_nodes + 1`: walks again from the
    /// head and returns the cycle it finds, or [`ListError::BoundTooSmall`] if it reaches a
    /// marker first or no node repeats.
    fn diagnose_overrun(&self) -> ListError {
        let mut seen: HashMap<usize, usize> = HashMap::new();
        let mut path = Vec::new();
        let mut link: *const NodeLink<P> = self.head.first_link();
        // One more step than there can be nodes must repeat one if the bound is right.
        for _ in 0..=self.max_nodes {
            // SAFETY: the head's `first`, or the `next` of a node reached below.
            let to = unsafe { self.load(link) };
            if is_a_nulls(to) || to.is_null() {
                break;
            }
            let address = to.addr();
            if let Some(&first) = seen.get(&address) {
                return ListError::NullsCycle {
                    head: self.head.address(),
                    max_nodes: self.max_nodes,
                    cycle: path[first..].to_vec(),
                };
            }
            seen.insert(address, path.len());
            path.push(address);
            // SAFETY: `to` is neither null nor a marker: a node the walk can reach, alive.
            link = unsafe { HlistNullsNode::next_link_of(to) };
        }
        ListError::BoundTooSmall {
            head: self.head.address(),
            max_nodes: self.max_nodes,
        }
    }

    /// Records how the walk ended and ends it.
    fn stop(&mut self, end: NullsEnd) -> Option<NonNull<HlistNullsNode<P>>> {
        self.end = Some(end);
        None
    }
}

impl<P: Platform> Iterator for NullsIter<'_, P> {
    type Item = NonNull<HlistNullsNode<P>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.end.is_some() {
            return None;
        }
        // SAFETY: `link` is the head's `first` or the `next` of the node yielded last (the
        // type's invariant), alive by the contract of `iter`/`iter_rcu`.
        let to = unsafe { self.load(self.link) };
        if is_a_nulls(to) {
            return self.stop(NullsEnd::EndedOn {
                nulls: get_nulls_value(to),
            });
        }
        if to.is_null() {
            return self.stop(NullsEnd::Broken(ListError::BadLink {
                node: self.from,
                link: Link::Next,
                value: 0,
            }));
        }
        if self.yielded == self.max_nodes {
            let error = self.diagnose_overrun();
            return self.stop(NullsEnd::Broken(error));
        }
        if !self.rcu && self.head.checks().validates_walks() {
            // SAFETY: `to` is neither null nor a marker: a node of the chain, alive.
            let back = unsafe { (*to).pprev_link().load() };
            if !ptr::eq(back, self.link) {
                return self.stop(NullsEnd::Broken(ListError::NullsBackLink {
                    operation: "hlist_nulls_for_each_entry",
                    node: to.addr(),
                    expected: self.link.addr(),
                    actual: back.addr(),
                }));
            }
        }
        self.yielded += 1;
        self.from = to.addr();
        // SAFETY: `to` is a live node (as above); the projection keeps the provenance the list
        // stored it with.
        self.link = unsafe { HlistNullsNode::next_link_of(to) };
        // SAFETY: `to` is not null (checked above).
        Some(unsafe { NonNull::new_unchecked(to.cast_mut()) })
    }
}
