//! `Coverage`: which of a scenario's `[[sometimes]]` states a run reached. Every actor publishes
//! where it is (its step, its locals' slots, the locks it holds) at each step boundary; each
//! publication evaluates every property on the actors' latest positions and the harness's record
//! of list membership. All of it is the harness's own bookkeeping (std locks, never a checker's),
//! so loom and shuttle neither see nor schedule it.

use crate::language::{Atom, Condition, Sometimes};
use lifecycle_slab::Handle;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Where one actor (one copy of a replicated actor) is, as last published.
#[derive(Debug, Clone, Default)]
pub(crate) struct Position {
    /// The step it is at (`steps.len()` when done).
    pc: usize,
    /// Each local's slots.
    locals: Vec<(std::sync::Arc<str>, Vec<usize>)>,
    /// The locks it holds, by lock index.
    held: Vec<bool>,
    /// The restart steps that have sent it back at least once.
    restarted_by: Vec<usize>,
    /// The locals whose lookup found an object.
    found: Vec<String>,
}

impl Position {
    /// Actor at step `pc` with `locals`, holding `held[lock]`, sent back by the restart steps
    /// `restarted_by`, and with the locals `found` whose lookup found an object.
    pub(crate) fn new(
        pc: usize,
        locals: &HashMap<std::sync::Arc<str>, Vec<Handle>>,
        (held, restarted_by, found): (Vec<bool>, Vec<usize>, Vec<String>),
    ) -> Self {
        Position {
            pc,
            locals: locals
                .iter()
                .map(|(name, handles)| (name.clone(), handles.iter().map(Handle::slot).collect()))
                .collect(),
            held,
            restarted_by,
            found,
        }
    }

    /// Whether `local` is bound and holds no object.
    fn empty(&self, local: &str) -> bool {
        self.locals
            .iter()
            .any(|(name, slots)| **name == *local && slots.is_empty())
    }

    fn slots(&self, local: &str) -> &[usize] {
        self.locals
            .iter()
            .find(|(name, _)| **name == *local)
            .map_or(&[], |(_, slots)| slots)
    }
}

/// The coverage record of one execution.
///
/// # Invariants
/// `positions[i]` belongs to expanded actor `i`, whose scenario actor is `specs[i]`; bit `p` of
/// `reached` is set once property `p` held at some publication.
#[derive(Debug, Default)]
pub struct Coverage {
    properties: Vec<Sometimes>,
    names: Vec<String>,
    specs: Vec<usize>,
    /// Each actor's latest publication (shared, as the state graph's saved states share the
    /// positions of actors that did not act).
    positions: Mutex<Vec<Arc<Position>>>,
    reached: AtomicU64,
}

impl Coverage {
    /// A record for `properties` over the expanded actors `actors` (`(name, scenario actor)`),
    /// every actor at its first step with nothing bound and no lock held.
    pub fn new(properties: &[Sometimes], actors: &[(String, usize)], locks: usize) -> Self {
        let start = Arc::new(Position {
            held: vec![false; locks],
            ..Position::default()
        });
        Coverage {
            properties: properties.to_vec(),
            names: actors.iter().map(|(name, _)| name.clone()).collect(),
            specs: actors.iter().map(|&(_, spec)| spec).collect(),
            positions: Mutex::new(vec![start; actors.len()]),
            reached: AtomicU64::new(0),
        }
    }

    /// Whether there is anything to record (publications are skipped otherwise).
    pub fn is_active(&self) -> bool {
        !self.properties.is_empty()
    }

    /// The expanded index of the actor named `name`.
    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Actor `index` is now at `position`; records every property that holds now, with the
    /// record locked across both (a publication of another thread cannot slip in between).
    /// `linked(slot, list)`: whether the harness recorded the slot's link on the list.
    pub(crate) fn publish(
        &self,
        index: usize,
        position: Position,
        linked: &dyn Fn(usize, usize) -> bool,
    ) {
        let mut positions = self.positions.lock().unwrap_or_else(|p| p.into_inner());
        positions[index] = Arc::new(position);
        let now = self.holding(&positions, linked);
        self.reached.fetch_or(now, Ordering::Relaxed);
    }

    /// The properties that held at some publication, as a mask (bit `p`: property `p`).
    pub fn reached(&self) -> u64 {
        self.reached.load(Ordering::Relaxed)
    }

    /// The properties that hold with every actor at its position in `positions` (`positions[i]`
    /// is expanded actor `i`'s), as a mask: what a publication evaluates, and what the state
    /// graph asks of each state it reaches. `linked(slot, list)`: whether the harness recorded
    /// the slot's link on the list.
    pub(crate) fn holding(
        &self,
        positions: &[Arc<Position>],
        linked: &dyn Fn(usize, usize) -> bool,
    ) -> u64 {
        let mut mask = 0;
        for (bit, property) in self.properties.iter().enumerate() {
            let holds = property
                .when
                .iter()
                .all(|condition| self.condition(&condition.value, positions, linked));
            if holds {
                mask |= 1 << bit;
            }
        }
        mask
    }

    /// The copies of scenario actor `actor`, by expanded index.
    fn copies(&self, actor: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.specs.len()).filter(move |&i| self.specs[i] == actor)
    }

    fn condition(
        &self,
        condition: &Condition,
        positions: &[Arc<Position>],
        linked: &dyn Fn(usize, usize) -> bool,
    ) -> bool {
        let any = |actor: usize, test: &dyn Fn(usize, &Position) -> bool| {
            self.copies(actor).any(|i| test(i, &positions[i]))
        };
        let holds = match &condition.atom {
            Atom::At { actor, step } => any(*actor, &|_, p| p.pc == *step),
            Atom::Past { actor, step } => any(*actor, &|_, p| p.pc > *step),
            Atom::Holds { actor, lock } => any(*actor, &|_, p| p.held[*lock]),
            Atom::Empty { actor, local } => any(*actor, &|_, p| p.empty(local)),
            Atom::Found { actor, local } => any(*actor, &|_, p| p.found.contains(local)),
            Atom::Restarted { actor, step } => any(*actor, &|_, p| p.restarted_by.contains(step)),
            Atom::Linked { actor, local, list } => any(*actor, &|_, p| {
                p.slots(local).iter().any(|&slot| match list {
                    Some(list) => linked(slot, *list),
                    None => (0..crate::language::MAX_LISTS).any(|list| linked(slot, list)),
                })
            }),
            Atom::SameSlot {
                actor,
                local,
                other,
                other_local,
            } => any(*actor, &|i, p| {
                any(*other, &|j, q| {
                    i != j
                        && p.slots(local)
                            .iter()
                            .any(|slot| q.slots(other_local).contains(slot))
                })
            }),
        };
        holds != condition.negated
    }
}
