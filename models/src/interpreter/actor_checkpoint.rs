//! `ActorCheckpoint`: one actor's running state saved between two actions of the state graph
//! (its step, locals, walk or lookup under way, the locks it holds, its read-side nesting), and
//! how an [`Actor`] is made again from it over a restored world ([`super::checkpoint`]).

use super::actor::Actor;
use super::coverage::Position;
use super::lists::Cursor;
use super::rcu::Callback;
use super::stepper::ActorSnapshot;
use super::tables::{LookupRecord, LookupWalk};
use super::world::World;
use lifecycle_list::{NullsIter, NullsPosition, RcuThread, Std};
use lifecycle_slab::Handle;
use std::collections::HashMap;
use std::sync::Arc;

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
    pub(crate) name: std::sync::Arc<str>,
    stepped: bool,
    pub(crate) pc: usize,
    walk: Option<(Cursor<Std>, Vec<Handle>)>,
    lookup: Option<LookupPosition>,
    lookups: HashMap<String, LookupRecord>,
    restarts: usize,
    restarted_by: Vec<usize>,
    locals: HashMap<std::sync::Arc<str>, Vec<Handle>>,
    looked_up: HashMap<String, u32>,
    held: Vec<bool>,
    coverage_index: Option<usize>,
    /// Its read-side nesting, if it has an RCU slot.
    pub(crate) rcu: Option<usize>,
    /// Its part of the state's snapshot.
    pub(crate) snapshot: Arc<ActorSnapshot>,
    /// Where coverage places it.
    pub(crate) position: Arc<Position>,
}

// SAFETY: the cursor and walk addresses are followed only after a restore of the world they
// come from, by the run that holds that world's lock (`Replayer`); shared saves are only read.
unsafe impl Send for ActorCheckpoint {}
// SAFETY: as above.
unsafe impl Sync for ActorCheckpoint {}

impl ActorCheckpoint {
    /// The same actor, saved again after actions of others: only its snapshot may differ (a
    /// lookup's watch); if it does not, the save is shared.
    pub(crate) fn unmoved(self: &Arc<Self>, snapshot: Arc<ActorSnapshot>) -> Arc<ActorCheckpoint> {
        if Arc::ptr_eq(&self.snapshot, &snapshot) {
            return self.clone();
        }
        Arc::new(ActorCheckpoint {
            snapshot,
            ..(**self).clone()
        })
    }
}

impl<'w> Actor<'w, Std> {
    /// This actor, saved between two actions.
    ///
    /// # Panics
    /// If the actor was halted (a Rust actor's state, which the state graph never runs).
    pub(crate) fn save(
        &self,
        snapshot: Arc<ActorSnapshot>,
        position: Arc<Position>,
    ) -> ActorCheckpoint {
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
            snapshot,
            position,
        }
    }

    /// The actor `saved` was, over `world` restored from the same checkpoint: it takes the
    /// locks it held again (they are free in a restored world) and `rcu`, its RCU slot handed
    /// out again at the nesting it had ([`World::rcu_register_at`]).
    pub(crate) fn resume(
        world: &'w World<Std>,
        saved: &ActorCheckpoint,
        rcu: Option<RcuThread<'w, Callback, Std>>,
    ) -> Self {
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
            .map(|(lock, &held)| held.then(|| world.retake(lock)))
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
            rcu,
        }
    }
}
