//! The step interpreter: one actor's steps, run in order over the [`World`] on whatever platform
//! the engine chose. Nothing here knows any particular scenario.

use super::coverage::Position;
use super::lists::{Cursor, Replace, WalkKind};
use super::rcu::Callback;
use super::tables::{LookupRecord, LookupWalk, MAX_RESTARTS};
use super::threads::Threads;
use super::world::{Abandoned, World};
use crate::language::{parse_step, Actions, ActorSpec, Guard, Located, Step};
use crate::outcome::{FindingKind, Stop, What};
use lifecycle_list::{RcuThread, SpinGuard};
use lifecycle_slab::Handle;
use std::collections::HashMap;

/// How an actor ended early.
pub(crate) enum Halt {
    /// It found a problem: a finding.
    Stop(Stop),
    /// It proved it walks a cycle forever and has looped (std) until the watchdog ended the run.
    Looped,
    /// std only: it was waiting when the watchdog ended the run.
    Abandoned,
}

impl From<Stop> for Halt {
    fn from(stop: Stop) -> Self {
        Halt::Stop(stop)
    }
}

impl From<Abandoned> for Halt {
    fn from(_: Abandoned) -> Self {
        Halt::Abandoned
    }
}

/// Whether a step is finished or, taken one node per action, still walking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// The step is done; the actor moves to the next one.
    Done,
    /// A walk took one node and goes on at the next action.
    More,
    /// A restart (`nulls_restart`, `recheck ... restart`): the actor goes back to the step that
    /// bound the step's local.
    Restart,
}

/// The step a restart at `pc` goes back to: the latest earlier step that bound the local it
/// names (validation guarantees one, a lookup).
pub(crate) fn restart_target(steps: &[Located<Step>], pc: usize) -> usize {
    let object = steps[pc]
        .value
        .uses()
        .expect("a restart step names the local its lookup bound");
    steps[..pc]
        .iter()
        .rposition(|step| step.value.binds() == Some(object))
        .expect("validation: a restart's local is bound by an earlier lookup")
}

/// One actor's running state: its locals and the locks it holds.
pub(crate) struct Actor<'w, P: Threads> {
    pub(super) world: &'w World<P>,
    pub(crate) name: std::sync::Arc<str>,
    /// Walks one node per action (the state-graph engine) instead of whole.
    pub(super) stepped: bool,
    /// The step to run next (stepped mode).
    pub(crate) pc: usize,
    /// A stepped walk under way, and the entries it has collected (the first one for `keep`,
    /// every one for `reap`).
    pub(crate) walk: Option<(Cursor<P>, Vec<Handle>)>,
    /// A stepped lookup under way (`lookup_rcu`).
    pub(crate) lookup: Option<LookupWalk<'w, P>>,
    /// How each local's lookup ended (`lookup_rcu ... into x`), for `nulls_restart` and
    /// `expect_found`.
    pub(crate) lookups: HashMap<String, LookupRecord>,
    /// How many restarts it has made (whole steps only: see [`MAX_RESTARTS`]).
    pub(super) restarts: usize,
    /// The restart steps that have sent it back at least once (coverage).
    pub(crate) restarted_by: Vec<usize>,
    /// How a Rust actor's step ended the actor early, kept until its closure returns.
    pub(super) halted: Option<Halt>,
    /// Each local's objects (one for `alloc`, none or one for `walk ... keep`, any for `reap`).
    pub(crate) locals: HashMap<std::sync::Arc<str>, Vec<Handle>>,
    /// The key each local was looked up with (`walk ... keep x key K`): a use of an object
    /// with another key is a wrong identity. Decided by the binding step, so by `pc`.
    pub(super) looked_up: HashMap<String, u32>,
    /// The guard of every lock this actor holds, by lock index.
    pub(super) guards: Vec<Option<SpinGuard<'w, (), P>>>,
    /// Its index among the expanded actors, when the world records coverage.
    pub(super) coverage_index: Option<usize>,
    /// Its RCU slot, in a scenario that uses RCU: its read-side sections.
    pub(crate) rcu: Option<RcuThread<'w, Callback, P>>,
}

impl<'w, P: Threads> Actor<'w, P> {
    /// An actor about to run its first step; `stepped`: walks take one node per action.
    pub(crate) fn new(world: &'w World<P>, name: &str, stepped: bool) -> Self {
        Actor {
            world,
            name: name.into(),
            stepped,
            pc: 0,
            walk: None,
            lookup: None,
            lookups: HashMap::new(),
            restarts: 0,
            restarted_by: Vec::new(),
            halted: None,
            locals: HashMap::new(),
            looked_up: HashMap::new(),
            guards: (0..world.lock_count()).map(|_| None).collect(),
            coverage_index: world
                .coverage
                .is_active()
                .then(|| world.coverage.index_of(name))
                .flatten(),
            rcu: world.rcu_register(name),
        }
    }

    /// Tells the world's coverage record where this actor is now (a step boundary).
    pub(crate) fn publish(&self) {
        if let Some(index) = self.coverage_index {
            let world = self.world;
            world
                .coverage
                .publish(index, self.position(), &|slot, list| {
                    world.is_linked(slot, list)
                });
        }
    }

    /// Where this actor is, as coverage records it.
    pub(crate) fn position(&self) -> Position {
        Position::new(
            self.pc,
            &self.locals,
            (self.held(), self.restarted_by.clone(), self.found_locals()),
        )
    }

    /// Which locks this actor holds, by lock index.
    pub(crate) fn held(&self) -> Vec<bool> {
        self.guards.iter().map(Option::is_some).collect()
    }

    /// The indices of the locks this actor holds, in order.
    pub(crate) fn held_locks(&self) -> impl Iterator<Item = usize> + '_ {
        self.guards
            .iter()
            .enumerate()
            .filter(|(_, guard)| guard.is_some())
            .map(|(lock, _)| lock)
    }

    fn objects(&self, local: &str) -> Vec<Handle> {
        // Validation guarantees every used local is bound by an earlier step.
        self.locals.get(local).cloned().unwrap_or_default()
    }

    /// Binds `local` to `objects`, looked up by `key` if any.
    fn bind(&mut self, local: &str, objects: Vec<Handle>, key: Option<u32>) {
        self.locals.insert(local.into(), objects);
        self.lookups.remove(local);
        match key {
            Some(key) => self.looked_up.insert(local.to_string(), key),
            None => self.looked_up.remove(local),
        };
    }

    /// Binds `local` to the first of a whole walk's `visited` entries (with key `key`, if any).
    fn keep_first(
        &mut self,
        world: &World<P>,
        local: &str,
        visited: Vec<Handle>,
        key: Option<u32>,
    ) {
        let first = visited
            .into_iter()
            .find(|&handle| key.is_none_or(|key| world.key_of(handle) == key));
        self.bind(local, first.into_iter().collect(), key);
    }

    /// The locals whose lookup found an object (coverage).
    fn found_locals(&self) -> Vec<String> {
        self.lookups
            .iter()
            .filter(|(_, record)| record.found.is_some())
            .map(|(local, _)| local.clone())
            .collect()
    }

    /// Goes back from the restart step at `pc` to its lookup.
    fn back(&mut self, spec: &ActorSpec) {
        if !self.restarted_by.contains(&self.pc) {
            self.restarted_by.push(self.pc);
        }
        self.pc = restart_target(&spec.steps, self.pc);
    }

    /// How the lookup that bound `local` ended. A file's actor always has one (validation); a
    /// Rust actor's step is not validated, and gets an assertion instead of a panic.
    fn lookup_record(&self, local: &str) -> Result<&LookupRecord, Stop> {
        self.lookups.get(local).ok_or_else(|| Stop {
            kind: FindingKind::Assertion,
            message: format!(
                "actor `{}`: `{local}` was not bound by `lookup_rcu`: `nulls_restart` and \
                 `expect_found` read how a lookup of a hash table ended",
                self.name
            ),
        })
    }

    /// Binds `local` to what a lookup found and keeps how it ended.
    fn bind_lookup(&mut self, local: &str, found: Option<Handle>, record: LookupRecord) {
        let key = record.key;
        self.bind(local, found.into_iter().collect(), Some(key));
        self.lookups.insert(local.to_string(), record);
    }

    /// Records a restart and says so; on the engines that run whole steps, a lookup that
    /// restarts more than [`MAX_RESTARTS`] times is a soft lockup.
    fn restart(&mut self, why: String) -> Result<Progress, Halt> {
        self.world.record(|| crate::outcome::What::Restart { why });
        if !self.stepped {
            self.restarts += 1;
            if self.restarts > MAX_RESTARTS {
                return Err(Stop {
                    kind: FindingKind::LoopingReader,
                    message: format!(
                        "soft lockup: actor `{}` restarted its lookup {MAX_RESTARTS} times; \
                         no writer of the scenario moves entries that often, so the lookup \
                         spins on a chain that never ends on its own marker",
                        self.name
                    ),
                }
                .into());
            }
        }
        Ok(Progress::Restart)
    }

    /// Its RCU slot (an RCU step is in the scenario, so the world registered every actor).
    fn rcu_thread(&mut self) -> &mut RcuThread<'w, Callback, P> {
        self.rcu
            .as_mut()
            .expect("a scenario with an RCU step registers every actor with the RCU model")
    }

    /// How deeply its RCU read-side sections are nested.
    pub(crate) fn rcu_depth(&self) -> usize {
        self.rcu.as_ref().map_or(0, RcuThread::depth)
    }

    /// Runs `spec`'s next step (stepped mode): one action of the state graph.
    pub(crate) fn advance(&mut self, spec: &ActorSpec) -> Result<(), Halt> {
        let step = &spec.steps[self.pc].value;
        match self.run(step)? {
            Progress::Done => self.pc += 1,
            Progress::More => {}
            Progress::Restart => self.back(spec),
        }
        self.publish();
        Ok(())
    }

    /// One node of a walk or reap taken one node per action.
    fn walk_one(
        &mut self,
        list: usize,
        kind: WalkKind,
        bind: Option<&String>,
        key: Option<u32>,
    ) -> Result<Progress, Halt> {
        let world = self.world;
        let held = self.held();
        let (mut cursor, mut found) = self
            .walk
            .take()
            .unwrap_or_else(|| (world.cursor(list), Vec::new()));
        match world.walk_one(&mut cursor, kind, &held)? {
            Some(entry) => {
                let reaping = matches!(kind, WalkKind::Reap | WalkKind::ReapSafe);
                if let Some(handle) = entry {
                    // The key is compared as the walk stands on the entry.
                    let wanted = key.is_none_or(|key| world.key_of(handle) == key);
                    if reaping || (found.is_empty() && wanted) {
                        found.push(handle);
                    }
                }
                self.walk = Some((cursor, found));
                Ok(Progress::More)
            }
            None => {
                if let Some(local) = bind {
                    self.bind(local, found, key);
                }
                Ok(Progress::Done)
            }
        }
    }

    /// Whether a guard's condition holds now, recorded.
    /// Whether a guard's condition holds now, recorded; an object guard reads `only`'s link if
    /// given (one object of a local holding several), else the local's first object's.
    fn guard_holds(&self, guard: &Guard, only: Option<Handle>) -> Result<bool, Stop> {
        let world = self.world;
        let mut condition = guard.text(world.names().lists);
        if let Some(handle) = only {
            condition.push_str(&format!(" (slot#{})", handle.slot()));
        }
        if let Some(list) = guard.list() {
            world.record(|| What::ListAccess {
                list: world.list_name(list).to_string(),
                lock: world.lock_name(world.lock_of(list)).to_string(),
                op: format!("if {condition}"),
                write: false,
            });
        }
        let first = |local: &str| only.or_else(|| self.objects(local).first().copied());
        let holds = match guard {
            Guard::Linked { object, list } => match first(object) {
                Some(handle) => world.link_is_linked(handle, *list)?,
                None => false,
            },
            Guard::Unlinked { object, list } => match first(object) {
                Some(handle) => !world.link_is_linked(handle, *list)?,
                None => false,
            },
            Guard::Empty { list } => world.list_is_empty(*list),
            Guard::Nonempty { list } => !world.list_is_empty(*list),
            Guard::Found { object } => first(object).is_some(),
        };
        world.record(|| What::Guard {
            condition,
            held: holds,
        });
        Ok(holds)
    }

    /// Runs `step` on the objects of `local` whose own guard holds (a local holding several:
    /// `reap ... into x`, then `list_del_init x L if x linked L` unlinks each that is linked),
    /// leaving those the guard skipped in the local.
    fn run_per_object(
        &mut self,
        step: &Step,
        guard: &Guard,
        local: &str,
    ) -> Result<Progress, Halt> {
        let all = self.objects(local);
        let mut passing = Vec::new();
        for &handle in &all {
            if self.guard_holds(guard, Some(handle))? {
                passing.push(handle);
            }
        }
        if passing.is_empty() {
            return Ok(Progress::Done);
        }
        self.locals.insert(local.into(), passing.clone());
        let result = self.run_unguarded(step);
        let after = self.objects(local);
        let mut kept: Vec<Handle> = all
            .iter()
            .copied()
            .filter(|h| !passing.contains(h) || after.contains(h))
            .collect();
        kept.extend(after.iter().copied().filter(|h| !all.contains(h)));
        self.locals.insert(local.into(), kept);
        result
    }

    /// Records, before `step` runs, each list whose links it reads or writes (a walk under
    /// way recorded its read when it began).
    fn record_list_accesses(&self, step: &Step) {
        let world = self.world;
        if self.walk.is_some() || !world.trace.is_recording() {
            return;
        }
        // `list_del` and `list_replace` need no head: they change the list the entry is on.
        let holding = |object: &str, list: usize| -> Vec<(usize, bool)> {
            let mut on: Vec<(usize, bool)> = self
                .objects(object)
                .iter()
                .map(|handle| {
                    (
                        world.list_holding(handle.slot(), list).unwrap_or(list),
                        true,
                    )
                })
                .collect();
            if on.is_empty() {
                on.push((list, true));
            }
            on
        };
        let mut accesses: Vec<(usize, bool)> = match step {
            Step::ListDel { object, list, .. }
            | Step::ListReplace {
                old: object, list, ..
            }
            | Step::ListReplaceRcu {
                old: object, list, ..
            } => holding(object, *list),
            Step::ListAdd { list, .. } | Step::Reap { list, .. } => vec![(*list, true)],
            Step::ListSplice { from, to, .. } => vec![(*from, true), (*to, true)],
            Step::Walk { list, .. } | Step::WalkFrom { list, .. } => vec![(*list, false)],
            Step::ListMove { object, list, .. } => {
                let mut lists: Vec<(usize, bool)> = self
                    .objects(object)
                    .iter()
                    .filter_map(|handle| world.list_holding(handle.slot(), *list))
                    .map(|from| (from, true))
                    .collect();
                lists.push((*list, true));
                lists
            }
            _ => Vec::new(),
        };
        accesses.sort_unstable();
        accesses.dedup();
        if accesses.is_empty() {
            return;
        }
        // Written out only for a step that touches links: every step of every run passes here.
        let op = step.text_named(&world.names());
        for (list, write) in accesses {
            world.record(|| What::ListAccess {
                list: world.list_name(list).to_string(),
                lock: world.lock_name(world.lock_of(list)).to_string(),
                op: op.clone(),
                write,
            });
        }
    }

    /// The cursor a resumed walk starts from: `object`'s first object; with none (an empty
    /// lookup), the walk does nothing and `keep` is bound to nothing (`if (pos)`).
    fn cursor(&mut self, object: &str, keep: Option<&str>, key: Option<u32>) -> Option<Handle> {
        let start = self.objects(object).first().copied();
        if let (None, Some(keep)) = (start, keep) {
            self.bind(keep, Vec::new(), key);
        }
        start
    }

    /// `list_replace[_init|_rcu]` of the first objects of two locals.
    fn replace(&self, (old, new): (&str, &str), list: usize, how: Replace) -> Result<(), Stop> {
        if let (Some(&old), Some(&new)) = (self.objects(old).first(), self.objects(new).first()) {
            self.world.replace((old, new), list, how, &self.held())?;
        }
        Ok(())
    }

    /// Runs `step`: its guard first, if it has one. (Not recursive: loom's threads run on small
    /// stacks, and the unguarded step's frame is large in a debug build.)
    fn run(&mut self, step: &Step) -> Result<Progress, Halt> {
        let (step, guard) = step.unguarded();
        if let Some(guard) = guard {
            // A walk taken one node per action reads its guard once, as it begins.
            let under_way = self.walk.is_some() || self.lookup.is_some();
            // An object guard on a step acting on that local's several objects guards each.
            let per_object = match guard {
                Guard::Linked { object, .. } | Guard::Unlinked { object, .. } => {
                    (step.uses() == Some(object.as_str()) && self.objects(object).len() > 1)
                        .then(|| object.clone())
                }
                _ => None,
            };
            if let Some(local) = per_object.filter(|_| !under_way) {
                return self.run_per_object(step, guard, &local);
            }
            if !under_way && !self.guard_holds(guard, None)? {
                if let Some(local) = step.binds() {
                    self.bind(local, Vec::new(), None);
                }
                return Ok(Progress::Done);
            }
        }
        self.run_unguarded(step)
    }

    fn run_unguarded(&mut self, step: &Step) -> Result<Progress, Halt> {
        let world = self.world;
        self.record_list_accesses(step);
        match step {
            Step::WalkFrom {
                object,
                list,
                inclusive,
                keep,
                key,
            } if self.stepped => {
                if self.walk.is_none() {
                    let Some(start) = self.cursor(object, keep.as_deref(), *key) else {
                        return Ok(Progress::Done);
                    };
                    self.walk = Some((world.cursor_at(start, *list, *inclusive)?, Vec::new()));
                }
                return self.walk_one(*list, WalkKind::Visit, keep.as_ref(), *key);
            }
            Step::Walk {
                list,
                safe,
                keep,
                rcu,
                key,
            } if self.stepped => {
                let kind = match (*safe, *rcu) {
                    (_, true) => WalkKind::Rcu,
                    (true, false) => WalkKind::VisitSafe,
                    (false, false) => WalkKind::Visit,
                };
                return self.walk_one(*list, kind, keep.as_ref(), *key);
            }
            Step::Lookup { table, key, into } if self.stepped => {
                let mut lookup = self
                    .lookup
                    .take()
                    .unwrap_or_else(|| world.lookup_start(*table, *key));
                return match world.lookup_one(&mut lookup)? {
                    None => {
                        self.lookup = Some(lookup);
                        Ok(Progress::More)
                    }
                    Some((found, record)) => {
                        self.bind_lookup(into, found, record);
                        Ok(Progress::Done)
                    }
                };
            }
            Step::Reap { list, safe, into } if self.stepped => {
                let kind = if *safe {
                    WalkKind::ReapSafe
                } else {
                    WalkKind::Reap
                };
                return self.walk_one(*list, kind, Some(into), None);
            }
            _ => {}
        }
        match step {
            Step::Alloc { object, key } => {
                let handle = world.alloc(*key)?;
                self.bind(object, vec![handle], None);
            }
            Step::SetKey { object, key } => {
                for handle in self.objects(object) {
                    world.set_key(handle, *key)?;
                }
            }
            Step::Recheck {
                object,
                key,
                restart,
            } => {
                let mut kept = Vec::new();
                let mut mismatch = false;
                for handle in self.objects(object) {
                    if world.recheck(handle, *key)? {
                        kept.push(handle);
                    } else {
                        mismatch = true;
                    }
                }
                self.locals.insert(object.as_str().into(), kept);
                if mismatch && *restart {
                    return self.restart(format!(
                        "recheck {object}: the object holds another key than {key}; the \
                         reference is dropped and the lookup runs again"
                    ));
                }
            }
            Step::Lookup { table, key, into } => {
                let (found, record) = world.lookup(*table, *key)?;
                self.bind_lookup(into, found, record);
            }
            Step::NullsRestart { object } => {
                let record = self.lookup_record(object)?;
                let own = world.own_nulls(record.table, record.chain);
                if record.ended_elsewhere(own) {
                    let why = format!(
                        "the lookup of {} ended on marker {} (another chain's): the entry it \
                         stood on moved",
                        world.chain_name(record.table, record.chain),
                        record.nulls.unwrap_or_default()
                    );
                    return self.restart(why);
                }
            }
            Step::ExpectFound { object } => world.expect_found(self.lookup_record(object)?)?,
            Step::HashAdd { object, table } => {
                for handle in self.objects(object) {
                    world.hash_add(handle, *table)?;
                }
            }
            Step::HashDel {
                object,
                table,
                init,
            } => {
                for handle in self.objects(object) {
                    world.hash_del(handle, *table, *init)?;
                }
            }
            Step::Free { object } => {
                for handle in self.objects(object) {
                    world.free(handle)?;
                }
            }
            Step::Lock { lock } => {
                let guard = world.lock(*lock)?;
                self.guards[*lock] = Some(guard);
            }
            Step::Unlock { lock } => {
                let guard = self.guards[*lock].take().ok_or_else(|| Stop {
                    kind: FindingKind::Assertion,
                    message: format!(
                        "unlock of the {} lock, which this actor does not hold",
                        world.lock_name(*lock)
                    ),
                })?;
                world.unlock(*lock, guard)?;
            }
            Step::ListAdd {
                object,
                list,
                tail,
                rcu,
            } => {
                for handle in self.objects(object) {
                    world.add(handle, *list, (*tail, *rcu), &self.held())?;
                }
            }
            Step::ListDel {
                object,
                list,
                init,
                rcu,
            } => {
                for handle in self.objects(object) {
                    world.del(handle, *list, (*init, *rcu), &self.held())?;
                }
            }
            Step::ListReplaceRcu { old, new, list } => {
                self.replace((old, new), *list, Replace::Rcu)?;
            }
            Step::ListReplace {
                old,
                new,
                list,
                init,
            } => {
                let how = if *init { Replace::Init } else { Replace::Plain };
                self.replace((old, new), *list, how)?;
            }
            Step::ListMove { object, list, tail } => {
                for handle in self.objects(object) {
                    world.move_to(handle, *list, *tail, &self.held())?;
                }
            }
            Step::ListSplice { from, to, init } => world.splice(*from, *to, *init, &self.held())?,
            Step::WalkFrom {
                object,
                list,
                inclusive,
                keep,
                key,
            } => {
                let Some(start) = self.cursor(object, keep.as_deref(), *key) else {
                    return Ok(Progress::Done);
                };
                match world.walk_from(start, *list, *inclusive) {
                    Ok(visited) => {
                        if let Some(keep) = keep {
                            self.keep_first(world, keep, visited, *key);
                        }
                    }
                    Err(stop) if stop.kind == FindingKind::LoopingReader => {
                        world.trace.set_stop(&world.actor_name(), stop.clone());
                        world.spin_forever();
                        return Err(Halt::Looped);
                    }
                    Err(stop) => return Err(stop.into()),
                }
            }
            Step::Guarded { .. } => unreachable!("`run` takes the guard off"),
            Step::Walk {
                list,
                keep,
                rcu: true,
                key,
                ..
            } => {
                let visited = world.walk_rcu(*list)?;
                if let Some(keep) = keep {
                    self.keep_first(world, keep, visited, *key);
                }
            }
            Step::Walk {
                list,
                safe,
                keep,
                key,
                ..
            } => match world.walk(*list, *safe) {
                Ok(visited) => {
                    if let Some(keep) = keep {
                        self.keep_first(world, keep, visited, *key);
                    }
                }
                Err(stop) if stop.kind == FindingKind::LoopingReader => {
                    // Say why before looping: the watchdog's later report is a consequence.
                    world.trace.set_stop(&world.actor_name(), stop.clone());
                    world.loop_forever(*list);
                    return Err(Halt::Looped);
                }
                Err(stop) => return Err(stop.into()),
            },
            Step::Reap { list, safe, into } => {
                let reaped = world.reap(*list, *safe, &self.held())?;
                self.bind(into, reaped, None);
            }
            Step::GetRef { object, not_zero } => {
                // The local holds what the gets hold: another object in a type-stable cache's
                // reused slot, or nothing where `get_ref_not_zero` met a 0.
                let mut held = Vec::new();
                for handle in self.objects(object) {
                    if *not_zero {
                        held.extend(world.get_ref_not_zero(handle)?);
                    } else {
                        held.push(world.get_ref(handle)?);
                    }
                }
                self.locals.insert(object.as_str().into(), held);
            }
            Step::PutRef {
                object,
                release_rcu: false,
            } => {
                for handle in self.objects(object) {
                    world.put_ref(handle)?;
                }
            }
            Step::PutRef {
                object,
                release_rcu: true,
            } => {
                for handle in self.objects(object) {
                    if world.drop_ref(handle)? {
                        if self.stepped {
                            world.call_rcu_stepped(handle, true)?;
                        } else {
                            world.call_rcu(handle, true)?;
                        }
                    }
                }
            }
            Step::Read {
                object,
                expect,
                unchecked,
            } => {
                for handle in self.objects(object) {
                    let found = world.read(handle, *unchecked)?;
                    if let Some(&wanted) = self.looked_up.get(object) {
                        world.check_identity(handle, wanted)?;
                    }
                    if let Some(expected) = expect.filter(|&e| e != found) {
                        return Err(Stop {
                            kind: FindingKind::UseAfterFree,
                            message: format!(
                                "slot#{}'s data changed under its owner ({expected} -> \
                                 {found}): a write after free",
                                handle.slot()
                            ),
                        }
                        .into());
                    }
                }
            }
            Step::Write {
                object,
                value,
                unchecked,
            } => {
                for handle in self.objects(object) {
                    if let Some(&wanted) = self.looked_up.get(object) {
                        world.check_identity(handle, wanted)?;
                    }
                    world.write(handle, *value, *unchecked)?;
                }
            }
            Step::Signal { event } => world.signal(*event),
            Step::Wait { event } => world.wait(*event)?,
            Step::RcuReadLock => world.rcu_read_lock(self.rcu_thread()),
            Step::RcuReadUnlock => world.rcu_read_unlock(self.rcu_thread())?,
            Step::SynchronizeRcu => world.synchronize_rcu()?,
            Step::RcuBarrier => world.rcu_barrier()?,
            Step::CallRcu { object, free } => {
                for handle in self.objects(object) {
                    if self.stepped {
                        world.call_rcu_stepped(handle, *free)?;
                    } else {
                        world.call_rcu(handle, *free)?;
                    }
                }
            }
            Step::DestroyCache => world.destroy_cache()?,
        }
        Ok(Progress::Done)
    }
}

impl<P: Threads> Actions for Actor<'_, P> {
    fn name(&self) -> &str {
        &self.name
    }

    fn step(&mut self, text: &str) -> Result<(), Stop> {
        if let Some(halt) = &self.halted {
            return Err(halt_stop(halt));
        }
        let step = parse_step(text, &self.world.names()).map_err(|(_, message)| Stop {
            kind: FindingKind::Assertion,
            message: format!("actor `{}`: step `{text}`: {message}", self.name),
        })?;
        if let Some(local) = step
            .uses()
            .filter(|local| !self.locals.contains_key(*local))
        {
            return Err(Stop {
                kind: FindingKind::Assertion,
                message: format!(
                    "actor `{}`: step `{text}` uses `{local}`, which no earlier step bound",
                    self.name
                ),
            });
        }
        match self.run(&step) {
            Ok(Progress::Restart) => Err(Stop {
                kind: FindingKind::Assertion,
                message: format!(
                    "actor `{}`: step `{text}` restarts its lookup, which only a file's actor \
                     can (it goes back to the step that bound the local); a Rust actor writes \
                     the loop itself",
                    self.name
                ),
            }),
            Ok(_) => Ok(()),
            Err(halt) => {
                let stop = halt_stop(&halt);
                self.halted = Some(halt);
                Err(stop)
            }
        }
    }

    fn count(&self, local: &str) -> usize {
        self.locals.get(local).map_or(0, Vec::len)
    }

    fn data(&mut self, local: &str) -> Result<Option<u32>, Stop> {
        match self.objects(local).first() {
            Some(&handle) => self.world.read(handle, false).map(Some),
            None => Ok(None),
        }
    }
}

/// The stop a Rust actor's closure sees when a step halted it.
pub(crate) fn halt_stop(halt: &Halt) -> Stop {
    match halt {
        Halt::Stop(stop) => stop.clone(),
        Halt::Looped => Stop {
            kind: FindingKind::LoopingReader,
            message: "the walk proved a cycle without the head".to_string(),
        },
        Halt::Abandoned => Stop {
            kind: FindingKind::Assertion,
            message: "the run was ended while this actor waited".to_string(),
        },
    }
}

/// Runs `spec` (its steps, or its Rust closure) as the actor named `name`. A lock still held at
/// the end stays held (the actor forgot to unlock: whoever waits for it starves, and the engines
/// say so).
pub(crate) fn run_actor<P: Threads>(
    world: &World<P>,
    spec: &ActorSpec,
    name: &str,
) -> Result<(), Halt> {
    let mut actor = Actor::new(world, name, false);
    let mut result = Ok(());
    if let Some(body) = &spec.rust {
        let returned = (body.0)(&mut actor);
        result = match (actor.halted.take(), returned) {
            (Some(halt), _) => Err(halt),
            (None, Err(stop)) => Err(Halt::Stop(stop)),
            (None, Ok(())) => Ok(()),
        };
    }
    while result.is_ok() && actor.pc < spec.steps.len() {
        actor.publish();
        match actor.run(&spec.steps[actor.pc].value) {
            Ok(Progress::Restart) => actor.back(spec),
            Ok(_) => actor.pc += 1,
            Err(halt) => result = Err(halt),
        }
    }
    if result.is_ok() {
        actor.pc = spec.steps.len();
        actor.publish();
    }
    // A guard dropped here would release the lock behind the scenario's back.
    for guard in actor.guards.drain(..).flatten() {
        if result.is_ok() || P::IS_CHECKER {
            // Kept held (a forgotten unlock), or abandoned with a failing checker execution.
            std::mem::forget(guard);
        } else {
            drop(guard);
        }
    }
    result
}
