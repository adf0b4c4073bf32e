//! The step-level interpreter of the state-graph engine: every actor on one thread, one action
//! at a time (a step, or one node of a walk), over a [`World`] on the std platform running the
//! real list and slab code; and the canonical [`Snapshot`] of where that leaves everything, with
//! the key the engine indexes a state by ([`state_key`], read from the world itself when a run
//! reaches a state seen before). One world serves every run: put back at the initial state to replay
//! a path, or at a state saved earlier ([`Checkpoint`]) to take one more action.

use super::actor::Actor;
use super::checkpoint::Checkpoint;
use super::coverage::{Coverage, Position};
use super::digest::{digest, Encoding};
use super::place::Place;
use super::tables::LookupRecord;
use super::trace::Trace;
use super::world::World;
use crate::language::{Scenario, Step};
use crate::outcome::Stop;
use crate::plan::Plan;
use lifecycle_list::{Std, WordOps};
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// One actor's part of a snapshot.
///
/// # Invariants
/// `digest` is the XXH3-128 of the other fields' `Hash` encoding ([`ActorSnapshot::sealed`]):
/// a part is shared by every state its actor did not act in, so it is hashed once, when it is
/// made, and a state's key takes its digest ([`state_key`]; comparisons still read every
/// field, the digest last, which the others decide).
#[derive(Clone, PartialEq, Eq)]
pub struct ActorSnapshot {
    /// The next step's index (`steps.len()` when done).
    pub pc: usize,
    /// A walk under way: the node it is on, the node read ahead, the slots collected so far.
    pub walk: Option<(String, Option<String>, Vec<usize>)>,
    /// Each local with its objects as `(slot, generation)`, sorted by name.
    pub locals: Vec<LocalObjects>,
    /// The locks it holds, by index.
    pub held: Vec<usize>,
    /// How deeply its RCU read-side sections are nested (0: outside any).
    pub rcu_depth: usize,
    /// A lookup under way: the table, the chain, the key, the node it stands on (by name) and
    /// the slots with the key that have stayed hashed on the chain since it began.
    pub lookup: Option<(usize, usize, u32, String, Vec<usize>)>,
    /// How each local's lookup ended, sorted by local.
    pub lookups: Vec<(String, LookupRecord)>,
    /// The restart steps that have sent it back at least once (`[[sometimes]]` atoms ask).
    pub restarted_by: Vec<usize>,
    /// The hash of the fields above (see the invariants).
    digest: u128,
}

/// A local of an actor's snapshot part, with its objects as `(slot, generation)`.
pub type LocalObjects = (Arc<str>, Vec<(usize, u64)>);

impl ActorSnapshot {
    /// This part with its digest computed from its fields.
    fn sealed(mut self) -> Self {
        self.digest = digest(|encoding| {
            (
                self.pc,
                &self.walk,
                &self.locals,
                &self.held,
                self.rcu_depth,
                &self.lookup,
                &self.lookups,
                &self.restarted_by,
            )
                .hash(encoding)
        });
        self
    }
}

impl Hash for ActorSnapshot {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digest.hash(state);
    }
}

impl std::fmt::Debug for ActorSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActorSnapshot")
            .field("pc", &self.pc)
            .field("walk", &self.walk)
            .field("locals", &self.locals)
            .field("held", &self.held)
            .field("rcu_depth", &self.rcu_depth)
            .field("lookup", &self.lookup)
            .field("lookups", &self.lookups)
            .field("restarted_by", &self.restarted_by)
            .finish()
    }
}

/// One slot's part of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SlotSnapshot {
    /// Allocated now.
    pub allocated: bool,
    /// Its generation (frees so far).
    pub generation: u64,
    /// The object's reference count.
    pub refs: usize,
    /// The object's data.
    pub data: u32,
    /// The object's key.
    pub key: usize,
}

/// Everything that decides what can happen next, by name rather than address: the state the
/// state-graph engine hashes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Snapshot {
    /// Each actor, in the order of the expanded actor list (shared: an actor that did not act
    /// keeps its part from the state before).
    pub actors: Vec<Arc<ActorSnapshot>>,
    /// Every list node (each head, then each slot's link, list by list) as `(next, prev)`.
    pub links: Vec<(Place, Place)>,
    /// Every hash link: each chain's `first`, then each slot's node as `(next, pprev)`.
    pub hash_links: Vec<(Place, Place)>,
    /// Each slot.
    pub slots: Vec<SlotSnapshot>,
    /// The free list, top first (or its corruption).
    pub free: Result<Vec<usize>, String>,
    /// Each event: set or not.
    pub events: Vec<bool>,
    /// The RCU callbacks queued, oldest first: `(slot, generation, kfree_rcu, the actors whose
    /// read-side sections its grace period still waits for)`.
    pub callbacks: Vec<QueuedCallback>,
    /// The digest of every field above but `actors`, read from the world they were read from
    /// ([`world_digest`]): what a state's key takes of them ([`Snapshot::key`]).
    pub world_digest: u128,
}

/// A queued RCU callback in a snapshot: `(slot, generation, kfree_rcu, the actors whose
/// read-side sections its grace period still waits for)`.
type QueuedCallback = (usize, u64, bool, Vec<usize>);

impl Snapshot {
    /// The actor holding lock `lock`, if any.
    pub fn holder(&self, lock: usize) -> Option<usize> {
        self.actors.iter().position(|a| a.held.contains(&lock))
    }

    /// The key of the state with this snapshot and `finding` (see [`state_key`]); with
    /// `copies`, the same for every state that differs from it only in which copy of a
    /// replicated actor is where.
    pub(crate) fn key(
        &self,
        finding: &Option<(String, Stop)>,
        copies: Option<&[Range<usize>]>,
    ) -> u128 {
        state_key(
            self.actors.iter().map(|part| part.digest),
            copies,
            self.world_digest,
            finding,
        )
    }
}

/// A state's key: a 128-bit fingerprint of its snapshot and finding (what decides its future),
/// by which a search tells states apart and keeps them (stateright keeps 64-bit ones). It
/// takes each actor's part as the digest the part was made with, and the rest of the world as
/// its digest, so a run that reaches a state seen before learns so without building the
/// snapshot. With `copies` (the ranges of the actor list that are copies of one actor), the
/// parts of a range are taken sorted, so the copies are interchangeable: a state stands for
/// every state that differs from it only in which copy is where (the locks a copy holds are in
/// its part, so they follow it). XXH3-128 ([`digest`]) makes a collision of two distinct
/// encodings about 2^-128 likely per pair.
fn state_key(
    parts: impl Iterator<Item = u128>,
    copies: Option<&[Range<usize>]>,
    world_digest: u128,
    finding: &Option<(String, Stop)>,
) -> u128 {
    let Some(copies) = copies else {
        return fingerprint(parts, world_digest, finding);
    };
    let mut sorted: Vec<u128> = parts.collect();
    for range in copies {
        sorted[range.clone()].sort_unstable();
    }
    fingerprint(sorted.into_iter(), world_digest, finding)
}

/// The digest of the actors' `parts` in order, the world's digest and `finding`.
fn fingerprint(
    parts: impl Iterator<Item = u128>,
    world_digest: u128,
    finding: &Option<(String, Stop)>,
) -> u128 {
    digest(|encoding| {
        for part in parts {
            encoding.write_u128(part);
        }
        world_digest.hash(encoding);
        finding_identity(finding).hash(encoding);
    })
}

/// What of a finding makes a state's identity: its actor, kind and message (not its
/// diagnosis, which is read from the state).
pub(crate) fn finding_identity(
    finding: &Option<(String, Stop)>,
) -> Option<(&String, crate::outcome::FindingKind, &String)> {
    finding
        .as_ref()
        .map(|(actor, stop)| (actor, stop.kind, &stop.message))
}

/// The ranges of the actor list `actors` (`(name, index into the scenario's actors)`) that
/// are copies of one actor: consecutive entries of the same scenario actor.
fn copies_of(actors: &[(String, usize)]) -> Vec<Range<usize>> {
    let mut copies = Vec::new();
    let mut start = 0;
    while start < actors.len() {
        let spec = actors[start].1;
        let end = start
            + actors[start..]
                .iter()
                .take_while(|(_, s)| *s == spec)
                .count();
        copies.push(start..end);
        start = end;
    }
    copies
}

/// Where replaying a path of actions leaves the scenario.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The snapshot after the last action.
    pub snapshot: Snapshot,
    /// The finding the last action (or the end-of-run check) made, with its actor.
    pub finding: Option<(String, Stop)>,
    /// The `[[sometimes]]` states that hold after the last action, as a mask.
    pub covered: u64,
}

/// Whether the state with this key ([`state_key`]) is one a search has not seen yet.
pub(crate) type IsNew<'a> = &'a mut dyn FnMut(u128) -> bool;

/// What a run reports after its actions.
enum Wanted<'a> {
    /// Its outcome, and (`save`) the state reached saved.
    Outcome { save: bool },
    /// Its outcome and save only if the state reached is new, which `is_new` says of its key
    /// (a search goes on only from states it has not seen), with the copies of an actor
    /// interchangeable if `symmetry`.
    IfNew { symmetry: bool, is_new: IsNew<'a> },
}

/// What a run reports.
// Returned by value once per transition and matched at once: a box would allocate for every
// state reached.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Ran {
    /// The state reached, and its save if one was asked for.
    Reached(Outcome, Option<Checkpoint>),
    /// A state seen before ([`Replayer::step_if_new`]), and whether it has a finding.
    Seen {
        /// The last action (or the end-of-run check) made a finding.
        finding: bool,
    },
}

/// The world the state graph runs in, with the checkpoint of its initial state.
struct Stage {
    world: World<Std>,
    initial: Checkpoint,
}

// SAFETY: the world's and the checkpoint's addresses are followed only by runs, one at a time
// under the replayer's lock on its stage, by the thread that holds it; every actor (and every
// guard on the world's locks) is dropped before the lock is released.
unsafe impl Send for Stage {}

/// Where a path's actions run: one world, put back at the start of every run, either at the
/// initial state (a replay of a whole path) or at a state saved earlier (a restore, then one
/// action), with the trace it records into and the record of `[[sometimes]]` states.
///
/// # Invariants
/// One run at a time uses the world, the trace and the coverage record (the `stage` lock is
/// held across each: the Explorer's web server may ask for states from several threads).
/// Between runs no actor exists and every lock of the world is free.
pub struct Replayer {
    /// The trace (quiet while exploring; recording for a finding's events).
    pub trace: Arc<Trace>,
    /// The scenario's `[[sometimes]]` record, reset by each run.
    coverage: Coverage,
    /// The ranges of the actor list that are copies of one actor ([`copies_of`]).
    copies: Vec<Range<usize>>,
    stage: std::sync::Mutex<Stage>,
}

impl std::fmt::Debug for Replayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replayer").finish_non_exhaustive()
    }
}

impl Replayer {
    /// A replayer of `plan`'s paths into `trace`.
    pub fn new(plan: &Plan, trace: Trace) -> Self {
        let trace = Arc::new(trace);
        let world = World::<Std>::new(plan.world(), trace.clone(), plan.rcu_slots());
        let initial = {
            let actors: Vec<Actor<'_, Std>> = plan
                .actors()
                .iter()
                .map(|(name, _)| Actor::new(&world, name, true))
                .collect();
            world.save(
                actors
                    .iter()
                    .map(|actor| {
                        let part = Arc::new(actor_snapshot(&world, actor));
                        Arc::new(actor.save(part, Arc::new(actor.position())))
                    })
                    .collect(),
            )
        };
        Replayer {
            trace,
            coverage: Coverage::new(
                &plan.scenario().sometimes,
                plan.actors(),
                plan.world().locks.len(),
            ),
            copies: copies_of(plan.actors()),
            stage: std::sync::Mutex::new(Stage { world, initial }),
        }
    }

    /// The key of the state with `snapshot` and `finding` ([`state_key`]), the copies of an
    /// actor interchangeable if `symmetry`.
    pub(crate) fn key(
        &self,
        snapshot: &Snapshot,
        finding: &Option<(String, Stop)>,
        symmetry: bool,
    ) -> u128 {
        snapshot.key(finding, symmetry.then_some(&self.copies[..]))
    }

    /// The state one more action, `action`, leads to from the state `from` saved (restored, not
    /// replayed: the path to it is not run again).
    pub(crate) fn step(&self, plan: &Plan, from: &Checkpoint, action: usize) -> Outcome {
        self.outcome(plan, Some(from), &[action])
    }

    /// Where `actions` from `from` (or from the initial state) lead, nothing saved.
    fn outcome(&self, plan: &Plan, from: Option<&Checkpoint>, actions: &[usize]) -> Outcome {
        match self.run(plan, from, actions, Wanted::Outcome { save: false }) {
            Ran::Reached(outcome, _) => outcome,
            Ran::Seen { .. } => unreachable!("a run that wants its outcome reports it"),
        }
    }

    /// As [`Replayer::step`], for a search that goes on only from states it has not seen:
    /// `is_new` is asked of the key of the state reached ([`Replayer::key`] with `symmetry`),
    /// and only a new state's snapshot and outcome are made (its `[[sometimes]]` mask) and
    /// saved; of a state seen before only whether it has a finding is told.
    pub(crate) fn step_if_new(
        &self,
        plan: &Plan,
        from: &Checkpoint,
        action: usize,
        symmetry: bool,
        is_new: IsNew<'_>,
    ) -> Ran {
        self.run(
            plan,
            Some(from),
            &[action],
            Wanted::IfNew { symmetry, is_new },
        )
    }

    /// Replays `path` from the initial state and saves the state it leads to, for
    /// [`Replayer::step`] to go on from.
    pub(crate) fn replay_saving(&self, plan: &Plan, path: &[usize]) -> (Outcome, Checkpoint) {
        match self.run(plan, None, path, Wanted::Outcome { save: true }) {
            Ran::Reached(outcome, Some(saved)) => (outcome, saved),
            _ => unreachable!("a run asked to save its state saves it"),
        }
    }

    /// Runs `actions` (indices into the plan's actors; the one after the last actor is the
    /// grace-period worker) from `from`, or from the initial state, each one step or one walk
    /// node of that actor, recording into the trace; then reports (and saves) what `wanted`
    /// asks for.
    fn run(
        &self,
        plan: &Plan,
        from: Option<&Checkpoint>,
        actions: &[usize],
        wanted: Wanted<'_>,
    ) -> Ran {
        let (scenario, spec, actors) = (plan.scenario(), plan.world(), plan.actors());
        let mut stage = self.stage.lock().unwrap_or_else(|p| p.into_inner());
        let Stage { world, initial } = &mut *stage;
        let from = from.unwrap_or(initial);
        world.restore(from);
        let world = &*world;
        // Actors are resumed when they first act: a step from a saved state resumes one. Their
        // RCU slots are handed out again in order now (a handle is only the thread's nesting).
        let mut threads: Vec<_> = if from.actors.iter().any(|saved| saved.rcu.is_some()) {
            from.actors
                .iter()
                .map(|saved| {
                    saved
                        .rcu
                        .and_then(|nesting| world.rcu_register_at(&saved.name, nesting))
                })
                .collect()
        } else {
            // No actor has an RCU slot: nothing to hand out (and nothing allocated per run).
            Vec::new()
        };
        // The actors that acted in this run, by index: most runs are one action of one actor.
        let mut running: Vec<(usize, Actor<'_, Std>)> = Vec::with_capacity(1);
        self.trace.reset();
        let coverage = &self.coverage;
        // No action evaluates the `[[sometimes]]` properties (the world's own coverage stays
        // inactive): they are evaluated once, at the end, with each actor where its last
        // completed action left it. An action that ends in a finding completes nothing, so its
        // actor stays where it was before it; only a path's last action can (no state with a
        // finding is expanded).
        let mut finding = None;
        let mut failed = None;
        for (at, &index) in actions.iter().enumerate() {
            // The action after the last actor's is the grace-period worker's.
            if index == actors.len() {
                world.set_acting(super::rcu::WORKER);
                if let Err(stop) = world.run_stepped_callback() {
                    finding = Some((super::rcu::WORKER.to_string(), stop));
                    break;
                }
                continue;
            }
            let (name, spec_index) = &actors[index];
            let (at_running, resumed) = match running.iter().position(|(i, _)| *i == index) {
                Some(at_running) => (at_running, false),
                None => {
                    let thread = threads.get_mut(index).and_then(Option::take);
                    let actor = Actor::resume(world, &from.actors[index], thread);
                    running.push((index, actor));
                    (running.len() - 1, true)
                }
            };
            let actor = &mut running[at_running].1;
            world.set_acting(name);
            // An actor resumed for this action stands where it was saved.
            let before = (at + 1 == actions.len() && coverage.is_active()).then(|| {
                if resumed {
                    from.actors[index].position.clone()
                } else {
                    Arc::new(actor.position())
                }
            });
            if let Err(halt) = actor.advance(&scenario.actors[*spec_index]) {
                finding = Some((name.clone(), super::actor::halt_stop(&halt)));
                failed = before.map(|before| (index, before));
                break;
            }
        }
        let acted = |index: usize| running.iter().find(|(i, _)| *i == index).map(|(_, a)| a);
        let all_done =
            from.actors
                .iter()
                .zip(actors)
                .enumerate()
                .all(|(index, (saved, (_, spec)))| {
                    let pc = acted(index).map_or(saved.pc, |actor| actor.pc);
                    pc == scenario.actors[*spec].steps.len()
                });
        let callbacks = world.stepped_callbacks();
        if finding.is_none() && all_done && callbacks.is_empty() && spec.checks.leak {
            if let Err(stop) = world.check_no_leak() {
                finding = Some((actors[0].0.clone(), stop));
            }
        }
        // The actors whose part of the snapshot changed: those that acted, and those whose
        // lookup's watch other actors' actions changed; every other actor keeps the saved one.
        let moved: Vec<(usize, Arc<ActorSnapshot>)> = from
            .actors
            .iter()
            .enumerate()
            .filter_map(|(index, saved)| {
                match acted(index) {
                    Some(actor) => Some(actor_snapshot(world, actor)),
                    None => watch_moved(world, &saved.name, &saved.snapshot),
                }
                .map(|part| (index, Arc::new(part)))
            })
            .collect();
        let part = |index: usize| {
            moved
                .iter()
                .find(|(i, _)| *i == index)
                .map_or(&from.actors[index].snapshot, |(_, part)| part)
        };
        let world_digest = world_digest(world, &callbacks, spec.events.len());
        let save = match wanted {
            Wanted::Outcome { save } => save,
            Wanted::IfNew { symmetry, is_new } => {
                let parts = (0..from.actors.len()).map(|index| part(index).digest);
                let copies = symmetry.then_some(&self.copies[..]);
                if !is_new(state_key(parts, copies, world_digest, &finding)) {
                    return Ran::Seen {
                        finding: finding.is_some(),
                    };
                }
                true
            }
        };
        let parts = (0..from.actors.len())
            .map(|index| part(index).clone())
            .collect();
        let snapshot = snapshot(world, parts, callbacks, spec.events.len(), world_digest);
        // Each actor's coverage position (an actor that did not act keeps the saved one), for
        // the `[[sometimes]]` mask and the save.
        let positions: Vec<Arc<Position>> = from
            .actors
            .iter()
            .enumerate()
            .map(|(index, saved)| match acted(index) {
                Some(actor) => Arc::new(actor.position()),
                None => saved.position.clone(),
            })
            .collect();
        let covered = if coverage.is_active() {
            let linked = |slot, list| world.is_linked(slot, list);
            match &failed {
                // The actor whose action failed is where it stood before that action.
                Some((index, before)) => {
                    let mut at_end = positions.clone();
                    at_end[*index] = before.clone();
                    coverage.holding(&at_end, &linked)
                }
                None => coverage.holding(&positions, &linked),
            }
        } else {
            0
        };
        let saved = save.then(|| {
            let actors = snapshot
                .actors
                .iter()
                .zip(positions)
                .zip(&from.actors)
                .enumerate()
                .map(|(index, ((part, position), saved))| match acted(index) {
                    Some(actor) => Arc::new(actor.save(part.clone(), position)),
                    None => saved.unmoved(part.clone()),
                })
                .collect();
            world.save(actors)
        });
        // Dropping the actors releases the locks they hold (and the RCU handles, which hold
        // nothing): the world is free for the next run.
        drop(running);
        drop(threads);
        Ran::Reached(
            Outcome {
                snapshot,
                finding,
                covered,
            },
            saved,
        )
    }
}

/// Replays `path` (indices into the plan's actors) from the initial state, each action one step
/// or one walk node of that actor, recording into the replayer's trace: how a state is found
/// again from its path (the Explorer, a finding's events, the cross-check of restores).
pub fn replay_path(plan: &Plan, path: &[usize], replayer: &Replayer) -> Outcome {
    replayer.outcome(plan, None, path)
}

/// Actor `actor`'s part of the canonical snapshot of `world`.
fn actor_snapshot(world: &World<Std>, actor: &Actor<'_, Std>) -> ActorSnapshot {
    let slot_of = |handle: &lifecycle_slab::Handle| (handle.slot(), handle.generation());
    let mut locals: Vec<LocalObjects> = actor
        .locals
        .iter()
        .map(|(name, handles)| (name.clone(), handles.iter().map(slot_of).collect()))
        .collect();
    locals.sort();
    ActorSnapshot {
        pc: actor.pc,
        walk: actor.walk.as_ref().map(|(cursor, found)| {
            (
                world.name_of(cursor.current as usize),
                cursor.ahead.map(|a| world.name_of(a as usize)),
                found.iter().map(|h| h.slot()).collect(),
            )
        }),
        locals,
        held: actor.held_locks().collect(),
        rcu_depth: actor.rcu_depth(),
        lookup: actor.lookup.as_ref().map(|lookup| {
            let (table, chain, key, at) = lookup.position();
            let watch = world.watch_of(&actor.name).unwrap_or_default();
            (table, chain, key, world.hash_link_name(at), watch)
        }),
        lookups: {
            let mut lookups: Vec<(String, LookupRecord)> = actor
                .lookups
                .iter()
                .map(|(local, record)| (local.clone(), record.clone()))
                .collect();
            lookups.sort();
            lookups
        },
        restarted_by: actor.restarted_by.clone(),
        digest: 0,
    }
    .sealed()
}

/// The part of the snapshot of an actor that did not act since `saved` was taken, if it
/// changed: its own state is as saved, and so is its snapshot, but for a lookup under way, whose
/// watch (the candidates that stayed hashed) other actors' actions change.
fn watch_moved(world: &World<Std>, name: &str, saved: &ActorSnapshot) -> Option<ActorSnapshot> {
    let (table, chain, key, at, watch) = saved.lookup.as_ref()?;
    let now = world.watch_of(name).unwrap_or_default();
    if now == *watch {
        return None;
    }
    let mut moved = saved.clone();
    moved.lookup = Some((*table, *chain, *key, at.clone(), now));
    Some(moved.sealed())
}

/// Slot `slot`'s part of the snapshot of `world`.
fn slot_snapshot(world: &World<Std>, slot: usize) -> SlotSnapshot {
    let (allocated, generation) = match world.slab.handle_of(world.slab.slot_ptr(slot).as_ptr()) {
        Ok(handle) => (true, handle.generation()),
        Err(lifecycle_slab::SlabError::NotAllocated { generation, .. }) => (false, generation),
        Err(error) => unreachable!("a slot pointer is the slab's own: {error}"),
    };
    let object = world.object(slot);
    SlotSnapshot {
        allocated,
        generation,
        refs: object.refs.load(Ordering::Relaxed),
        data: object.data.read_once(),
        key: object.key.load(Ordering::Relaxed),
    }
}

/// The digest of everything a snapshot of `world` holds but its actors' parts (the fields of
/// [`Snapshot`] from `links` on, in their order), read from the world itself: a run learns
/// whether it reached a state seen before without building the snapshot. The links and slots
/// are as many in every state of one world; the free list ends with a mark and the callbacks
/// carry their length, so the encoding of one state is never the start of another's.
fn world_digest(world: &World<Std>, callbacks: &[QueuedCallback], events: usize) -> u128 {
    digest(|encoding| {
        world.each_link_place(|next, prev| (next, prev).hash(encoding));
        world.each_hash_link_place(|next, prev| (next, prev).hash(encoding));
        for slot in 0..world.slab.capacity() {
            slot_snapshot(world, slot).hash(encoding);
        }
        encode_free_list(encoding, |visit| world.slab.visit_free_slots(visit));
        for event in 0..events {
            world.event_is_set(event).hash(encoding);
        }
        callbacks.hash(encoding);
    })
}

/// Writes the free list that `walk` visits as a snapshot keeps it ([`Snapshot::free`]), without
/// collecting it: each slot after a 1 and the end a 0 (a list of any length, prefix-free), then
/// `Ok` or the walk's error. A corrupt list is its error alone, as the snapshot keeps it: the
/// slots visited before the fault are taken back, or two states with one snapshot could have
/// two keys (found by an independent review).
fn encode_free_list(
    encoding: &mut Encoding,
    walk: impl FnOnce(&mut dyn FnMut(usize)) -> Result<(), lifecycle_slab::SlabError>,
) {
    let start = encoding.len();
    let walked = walk(&mut |slot| {
        encoding.write_u8(1);
        slot.hash(encoding);
    });
    if walked.is_err() {
        encoding.truncate(start);
    }
    encoding.write_u8(0);
    walked.map_err(|e| e.to_string()).hash(encoding);
}

/// The canonical snapshot of `world` with its actors' parts, `world_digest` its
/// [`world_digest`].
fn snapshot(
    world: &World<Std>,
    actors: Vec<Arc<ActorSnapshot>>,
    callbacks: Vec<QueuedCallback>,
    events: usize,
    world_digest: u128,
) -> Snapshot {
    let mut links = Vec::new();
    world.each_link_place(|next, prev| links.push((next, prev)));
    let mut hash_links = Vec::new();
    world.each_hash_link_place(|next, prev| hash_links.push((next, prev)));
    Snapshot {
        actors,
        links,
        hash_links,
        slots: (0..world.slab.capacity())
            .map(|slot| slot_snapshot(world, slot))
            .collect(),
        free: world.slab.free_slots().map_err(|e| e.to_string()),
        events: (0..events).map(|e| world.event_is_set(e)).collect(),
        callbacks,
        world_digest,
    }
}

/// Whether the actor whose snapshot is `actor` can take its next action now: it is not done,
/// and its next step is not a `lock` of a held lock or a `wait` for an unset event.
pub fn enabled(
    scenario: &Scenario,
    spec: usize,
    actor: &ActorSnapshot,
    snapshot: &Snapshot,
) -> bool {
    let steps = &scenario.actors[spec].steps;
    if actor.walk.is_some() || actor.lookup.is_some() {
        return true;
    }
    match steps.get(actor.pc).map(|s| &s.value) {
        None => false,
        Some(Step::Lock { lock }) => snapshot.holder(*lock).is_none(),
        Some(Step::Wait { event }) => snapshot.events[*event],
        // A grace period at step level: it can end only once no section that began before it
        // is open, and at step level every open section began before it (the caller's own
        // included: synchronize_rcu inside a section is never enabled).
        Some(Step::SynchronizeRcu) => snapshot.actors.iter().all(|a| a.rcu_depth == 0),
        Some(Step::RcuBarrier) => snapshot.callbacks.is_empty(),
        Some(_) => true,
    }
}

/// Whether the grace-period worker can act: its oldest callback's grace period has ended.
pub fn worker_enabled(snapshot: &Snapshot) -> bool {
    snapshot
        .callbacks
        .first()
        .is_some_and(|(_, _, _, waits)| waits.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lifecycle_slab::SlabError;

    /// The digest of the free list a walk visits: `slots`, then `end`.
    fn free_digest(slots: &[usize], end: Result<(), SlabError>) -> u128 {
        digest(|encoding| {
            encode_free_list(encoding, |visit| {
                slots.iter().for_each(|&slot| visit(slot));
                end
            })
        })
    }

    #[test]
    fn a_free_list_is_hashed_as_a_snapshot_keeps_it() {
        let corrupt = || {
            Err(SlabError::FreeListCorrupt {
                detail: "slot#1 appears twice on the free list (after 3 entries)".to_string(),
            })
        };
        // Lists of any length are told apart, the empty one included.
        let lists: [&[usize]; 5] = [&[], &[0], &[1], &[0, 1], &[1, 0]];
        for (i, a) in lists.iter().enumerate() {
            for b in &lists[i + 1..] {
                assert_ne!(
                    free_digest(a, Ok(())),
                    free_digest(b, Ok(())),
                    "{a:?}, {b:?}"
                );
            }
            assert_ne!(free_digest(a, Ok(())), free_digest(a, corrupt()), "{a:?}");
        }
        // A corrupt list is its error, whatever the walk visited before the fault (the
        // snapshot keeps only the error).
        assert_eq!(
            free_digest(&[0, 1, 2], corrupt()),
            free_digest(&[2, 1, 0], corrupt())
        );
    }
}
