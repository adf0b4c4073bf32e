//! `Checkpoint`: everything a state-graph state is made of in one live world (the slab's words
//! and its objects, every link and chain, events, hash tickets, RCU words and queued callbacks,
//! the harness's bookkeeping, and each actor), saved from a [`World`] so that the same world can
//! be put back there and take one more action with the real code: the state graph restores a
//! state instead of replaying the path to it (issue 23; stateright's checkers keep states the
//! same way, as values, but ours must live in real list and slab memory).

use super::actor_checkpoint::ActorCheckpoint;
use super::rcu::Callback;
use super::tables::Hashing;
use super::world::World;
use crate::language::MAX_LISTS;
use lifecycle_list::{GracePeriod, ListHead, NodeLinks, RcuWords, Std, WordOps};
use lifecycle_slab::SlabWords;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// A list node's links as stored: `(next, prev)`, addresses in the world they were saved from.
type Links = (*const ListHead<Std>, *const ListHead<Std>);

/// One object's words.
#[derive(Clone)]
struct ObjectWords {
    links: [Links; MAX_LISTS],
    refs: usize,
    data: u32,
    key: usize,
    node: NodeLinks<Std>,
}

/// A world and its actors, saved.
///
/// # Invariants
/// Saved from one world ([`World::save`]) between two actions (no operation under way), with
/// `actors` in the order of the expanded actor list; every address in it is one of that
/// world's (its slab's slots, its heads and chains), so it is restored into that world only
/// (the slab's id is checked).
#[derive(Clone)]
pub(crate) struct Checkpoint {
    slab: SlabWords,
    objects: Vec<ObjectWords>,
    heads: Vec<Links>,
    chains: Vec<Vec<*const lifecycle_list::HlistNullsNode<Std>>>,
    events: Vec<bool>,
    hash_tickets: Vec<usize>,
    hashing: Hashing,
    membership: Vec<[bool; MAX_LISTS]>,
    stale_heads: Vec<bool>,
    rcu: RcuWords,
    destroyed: bool,
    stepped_callbacks: VecDeque<(Callback, GracePeriod)>,
    /// Each actor (shared: an actor that did not act keeps its save from the state before).
    pub(crate) actors: Vec<Arc<ActorCheckpoint>>,
}

impl World<Std> {
    /// Saves this world, with `actors` (saved by the caller, in order), between two actions.
    pub(crate) fn save(&self, actors: Vec<Arc<ActorCheckpoint>>) -> Checkpoint {
        let links = |node: &ListHead<Std>| -> Links {
            // SAFETY: between two actions no operation is under way: the links are read by
            // this thread, which runs every actor of the state graph.
            unsafe { (node.next_ptr(), node.prev_ptr()) }
        };
        Checkpoint {
            slab: self.slab.save(),
            objects: (0..self.slab.capacity())
                .map(|slot| {
                    let object = self.object(slot);
                    ObjectWords {
                        links: std::array::from_fn(|i| links(&object.links[i])),
                        refs: object.refs.load(Ordering::Relaxed),
                        data: object.data.read_once(),
                        key: object.key.load(Ordering::Relaxed),
                        node: object.node.saved_links(),
                    }
                })
                .collect(),
            heads: self.heads.iter().map(|head| links(head)).collect(),
            chains: self
                .tables
                .iter()
                .map(|table| table.heads().iter().map(|h| h.first_ptr()).collect())
                .collect(),
            events: (0..self.event_count())
                .map(|event| self.event_is_set(event))
                .collect(),
            hash_tickets: self
                .hash_tickets
                .iter()
                .map(|ticket| ticket.load(Ordering::Relaxed))
                .collect(),
            hashing: self.hashing().clone(),
            membership: self
                .membership
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
            stale_heads: self
                .stale_heads
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
            rcu: self.rcu.save(),
            destroyed: self.destroyed.load(Ordering::Relaxed),
            stepped_callbacks: self
                .stepped_callbacks
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
            actors,
        }
    }

    /// Puts this world back as `checkpoint` saved it (its actors are the caller's to resume,
    /// after this, with [`super::actor::Actor::resume`]).
    ///
    /// # Panics
    /// If `checkpoint` was saved from another world, or a lock is held (every actor of the run
    /// before must be dropped first, which releases its locks).
    pub(crate) fn restore(&mut self, checkpoint: &Checkpoint) {
        for lock in 0..self.lock_count() {
            assert!(
                self.lock_holder(lock).is_none(),
                "a world is restored with every lock free: the actors that held them are dropped \
                 first"
            );
        }
        self.slab.restore(&checkpoint.slab);
        for (slot, words) in checkpoint.objects.iter().enumerate() {
            let object = self.object(slot);
            for (link, &(next, prev)) in object.links.iter().zip(&words.links) {
                // SAFETY: `&mut self`: nobody else reaches this world's nodes; every node is put
                // back as saved from this world (the slab's id was checked above), so the lists
                // are the ones the saved state had.
                unsafe { link.restore_links(next, prev) };
            }
            object.refs.store(words.refs, Ordering::Relaxed);
            object.data.write_once(words.data);
            object.key.store(words.key, Ordering::Relaxed);
            // SAFETY: as for the links above; the chains' heads are put back below.
            unsafe { object.node.restore_links(words.node) };
        }
        for (head, &(next, prev)) in self.heads.iter().zip(&checkpoint.heads) {
            // SAFETY: as for the objects' links.
            unsafe { head.restore_links(next, prev) };
        }
        for (table, chains) in self.tables.iter().zip(&checkpoint.chains) {
            for (head, &first) in table.heads().iter().zip(chains) {
                // SAFETY: as for the objects' links; `first` was read from this head.
                unsafe { head.restore_first(first) };
            }
        }
        for (event, &set) in checkpoint.events.iter().enumerate() {
            self.set_event(event, set);
        }
        for (ticket, &value) in self.hash_tickets.iter().zip(&checkpoint.hash_tickets) {
            ticket.store(value, Ordering::Relaxed);
        }
        self.hashing
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .clone_from(&checkpoint.hashing);
        self.membership
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .clone_from(&checkpoint.membership);
        self.stale_heads
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .clone_from(&checkpoint.stale_heads);
        // The RCU slots' names stay: each slot is the same actor's in every run of the world.
        self.rcu.restore(&checkpoint.rcu);
        *self.destroyed.get_mut() = checkpoint.destroyed;
        self.stepped_callbacks
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .clone_from(&checkpoint.stepped_callbacks);
    }
}
