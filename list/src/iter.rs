//! `Iter`: the bounded walk behind `list_for_each` and its `_prev`/`_safe` variants. A walk that
//! makes more steps than there can be nodes is in a cycle that does not contain the head; it
//! stops and names the cycle instead of hanging (docs/design.md section 3).

use crate::error::{Link, ListError, LIST_POISON1, LIST_POISON2};
use crate::linked::Linked;
use crate::list_head::ListHead;
use crate::platform::Platform;
use std::collections::HashMap;
use std::ptr::NonNull;

/// Which way a walk follows the links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Along `next`.
    Forward,
    /// Along `prev`.
    Backward,
    /// Along `next`, loaded with `rcu_dereference` (acquire): a lockless RCU reader, which does
    /// not check back links (writers may be changing them).
    ForwardRcu,
}

impl Direction {
    fn link(self) -> Link {
        match self {
            Direction::Forward | Direction::ForwardRcu => Link::Next,
            Direction::Backward => Link::Prev,
        }
    }
}

/// A bounded walk over a list's entries (the head itself is not yielded).
///
/// # Invariants
/// - At most `max_nodes` entries are yielded; the step that would yield one more ends the walk
///   with [`ListError::Cycle`] (or [`ListError::BoundTooSmall`] if no node repeats).
/// - A null or poisoned link is reported, never followed.
/// - After the first `Err` item the iterator is fused.
pub struct Iter<'a, P: Platform> {
    head: &'a ListHead<P>,
    direction: Direction,
    /// `_safe` variant: the link out of `current` is read before `current` is yielded.
    read_ahead: bool,
    max_nodes: usize,
    /// The node yielded last (the head before the first step).
    current: *const ListHead<P>,
    /// With `read_ahead`: the step out of `current`, read before it was yielded.
    ahead: Option<Result<*const ListHead<P>, ListError>>,
    yielded: usize,
    done: bool,
}

impl<'a, P: Platform> Iter<'a, P> {
    pub(crate) fn new(
        head: &'a ListHead<P>,
        direction: Direction,
        read_ahead: bool,
        max_nodes: usize,
    ) -> Self {
        Iter {
            head,
            direction,
            read_ahead,
            max_nodes,
            current: head,
            ahead: None,
            yielded: 0,
            done: false,
        }
    }

    /// Reads the link out of `node` in the walk's direction, refusing null and poison, and in
    /// checked mode verifying that the node stepped to points back at `node`.
    fn step_from(&self, node: *const ListHead<P>) -> Result<*const ListHead<P>, ListError> {
        // SAFETY: `node` is the head or a node this walk reached through followable links, so it
        // is live: the caller of `ListHead::iter` and its kin promised no concurrent writers, and
        // the caller of `ListHead::iter_rcu` a read-side section that keeps every node it can
        // reach alive.
        let node_ref = unsafe { &*node };
        let link = self.direction.link();
        // SAFETY: as above.
        let to = unsafe {
            match self.direction {
                Direction::Forward => node_ref.next_ptr(),
                Direction::Backward => node_ref.prev_ptr(),
                Direction::ForwardRcu => node_ref.next_rcu(),
            }
        };
        let value = to as usize;
        if value == 0 || value == LIST_POISON1 || value == LIST_POISON2 {
            return Err(ListError::BadLink {
                node: node as usize,
                link,
                value,
            });
        }
        if self.head.checks().validates_walks() && self.direction != Direction::ForwardRcu {
            // SAFETY: `to` is followable and points to a live node (list discipline).
            let back = unsafe {
                match self.direction {
                    Direction::Forward | Direction::ForwardRcu => (*to).prev_ptr(),
                    Direction::Backward => (*to).next_ptr(),
                }
            };
            if back != node {
                return Err(ListError::Corruption {
                    node: node as usize,
                    next: value,
                    actual: back as usize,
                });
            }
        }
        Ok(to)
    }

    /// Called when the walk is about to yield entry number `max_nodes + 1`: walks again from the
    /// head, records where it first repeats a node, and returns the cycle.
    fn diagnose_overrun(&self) -> ListError {
        let mut seen: HashMap<usize, usize> = HashMap::new();
        let mut path = Vec::new();
        let mut node: *const ListHead<P> = self.head;
        // One more step than there can be entries must repeat a node if the bound is right.
        for _ in 0..=self.max_nodes {
            node = match self.step_from(node) {
                Ok(next) => next,
                Err(error) => return error,
            };
            if std::ptr::eq(node, self.head) {
                // The list changed since the walk began (only a `_safe` caller can do that):
                // it is not a cycle now. Report the bound, which the walk did exceed.
                break;
            }
            let address = node as usize;
            if let Some(&first) = seen.get(&address) {
                return ListError::Cycle {
                    head: self.head.address(),
                    max_nodes: self.max_nodes,
                    cycle: path[first..].to_vec(),
                };
            }
            seen.insert(address, path.len());
            path.push(address);
        }
        ListError::BoundTooSmall {
            head: self.head.address(),
            max_nodes: self.max_nodes,
        }
    }
}

impl<'a, P: Platform> Iter<'a, P> {
    /// The walk mapped through `container_of`: each entry as the `T` that embeds it.
    ///
    /// # Safety
    /// Every entry of the list is the link of a live `T`, linked through a pointer with
    /// provenance over that `T` (the list discipline, point 3, of [`ListHead`]).
    pub unsafe fn entries<T: Linked<P>>(
        self,
    ) -> impl Iterator<Item = Result<NonNull<T>, ListError>> + 'a {
        // SAFETY: the caller guarantees every yielded link is the link field of a live `T`.
        self.map(|link| link.map(|link| unsafe { T::from_link(link) }))
    }
}

impl<P: Platform> Iterator for Iter<'_, P> {
    type Item = Result<NonNull<ListHead<P>>, ListError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = match self.ahead.take() {
            Some(step) => step,
            None => self.step_from(self.current),
        };
        let to = match step {
            Ok(to) => to,
            Err(error) => {
                self.done = true;
                return Some(Err(error));
            }
        };
        if std::ptr::eq(to, self.head) {
            self.done = true;
            return None;
        }
        if self.yielded == self.max_nodes {
            self.done = true;
            return Some(Err(self.diagnose_overrun()));
        }
        self.yielded += 1;
        self.current = to;
        if self.read_ahead {
            self.ahead = Some(self.step_from(to));
        }
        // SAFETY: `to` passed `step_from`, so it is neither null nor poisoned.
        Some(Ok(unsafe { NonNull::new_unchecked(to.cast_mut()) }))
    }
}
