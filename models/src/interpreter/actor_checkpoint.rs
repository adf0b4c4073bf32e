//! `ActorCheckpoint`: one actor's running state saved between two actions of the state graph
//! (its step, locals, walk or lookup under way, the locks it holds, its read-side nesting), and
//! how an [`Actor`] is made again from it over a restored world ([`super::checkpoint`]).

use super::actor::Actor;
use super::lists::Cursor;
use super::tables::{LookupRecord, LookupWalk};
use super::world::World;
use lifecycle_list::{NullsIter, NullsPosition, Std};
use lifecycle_slab::Handle;
use std::collections::HashMap;

/// A lookup under way, without its borrow of the chain: where the walk stands, the table, the
/// chain, the key and the slot stood on last.
#[derive(Clone)]
struct LookupPosition {
    walk: NullsPosition<Std>,
    table: usize,
    chain: usize,
    key: u32,
    stood_on: Option<usize>,
}

/// One actor, saved.
///
/// # Invariants
/// Saved between two actions of a stepped actor (a state-graph actor: never a Rust closure, so
/// never halted), from the world the [`super::checkpoint::Checkpoint`] holding it was saved
/// from: its cursor and walk addresses are that world's.
#[derive(Clone)]
pub(crate) struct ActorCheckpoint {
    name: String,
    stepped: bool,
    pc: usize,
    walk: Option<(Cursor<Std>, Vec<Handle>)>,
    lookup: Option<LookupPosition>,
    lookups: HashMap<String, LookupRecord>,
    restarts: usize,
    restarted_by: Vec<usize>,
    locals: HashMap<String, Vec<Handle>>,
    looked_up: HashMap<String, u32>,
    held: Vec<bool>,
    coverage_index: Option<usize>,
    /// Its read-side nesting, if it has an RCU slot.
    rcu: Option<usize>,
}

impl<'w> Actor<'w, Std> {
    /// This actor, saved between two actions.
    ///
    /// # Panics
    /// If the actor was halted (a Rust actor's state, which the state graph never runs).
    pub(crate) fn save(&self) -> ActorCheckpoint {
        assert!(
            self.halted.is_none(),
            "only a stepped actor between two actions is saved, never a halted Rust actor"
        );
        ActorCheckpoint {
            name: self.name.clone(),
            stepped: self.stepped,
            pc: self.pc,
            walk: self.walk.clone(),
            lookup: self.lookup.as_ref().map(|lookup| LookupPosition {
                walk: lookup.walk.position(),
                table: lookup.table,
                chain: lookup.chain,
                key: lookup.key,
                stood_on: lookup.stood_on,
            }),
            lookups: self.lookups.clone(),
            restarts: self.restarts,
            restarted_by: self.restarted_by.clone(),
            locals: self.locals.clone(),
            looked_up: self.looked_up.clone(),
            held: self.held(),
            coverage_index: self.coverage_index,
            rcu: self.rcu.as_ref().map(lifecycle_list::RcuThread::depth),
        }
    }

    /// The actor `saved` was, over `world` restored from the same checkpoint: it takes the
    /// locks it held again (they are free in a restored world) and its RCU slot, at the nesting
    /// it had. Actors are resumed in the order they were saved (RCU slots are handed out in
    /// order).
    pub(crate) fn resume(world: &'w World<Std>, saved: &ActorCheckpoint) -> Self {
        let lookup = saved.lookup.as_ref().map(|lookup| LookupWalk {
            // SAFETY: the position was taken from a walk of this chain in this world, which
            // `World::restore` put back as it was then (every node and head); the walk's
            // contract (inside a read-side section, or holding the table's lock) is the actor's
            // and was restored with it.
            walk: unsafe {
                NullsIter::resume(
                    world.tables[lookup.table].head(lookup.chain),
                    lookup.walk.clone(),
                )
            },
            table: lookup.table,
            chain: lookup.chain,
            key: lookup.key,
            stood_on: lookup.stood_on,
        });
        let guards = saved
            .held
            .iter()
            .enumerate()
            .map(|(lock, &held)| {
                held.then(|| {
                    world
                        .lock(lock)
                        .unwrap_or_else(|_| unreachable!("a restored world's locks are free"))
                })
            })
            .collect();
        Actor {
            world,
            name: saved.name.clone(),
            stepped: saved.stepped,
            pc: saved.pc,
            walk: saved.walk.clone(),
            lookup,
            lookups: saved.lookups.clone(),
            restarts: saved.restarts,
            restarted_by: saved.restarted_by.clone(),
            halted: None,
            locals: saved.locals.clone(),
            looked_up: saved.looked_up.clone(),
            guards,
            coverage_index: saved.coverage_index,
            rcu: saved
                .rcu
                .and_then(|nesting| world.rcu_register_at(&saved.name, nesting)),
        }
    }
}
