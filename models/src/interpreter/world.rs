//! `World`: the shared state a scenario's actors work on (a slab of objects, the declared lists
//! and the spinlocks that protect them, one-shot events, the trace), with every operation
//! recording its event so a finding can show what happened, step by step and picture by picture.

use super::coverage::Coverage;
use super::rcu::Callback;
use super::signal::Signal;
use super::threads::Threads;
use super::trace::Trace;
use crate::language::{Checks, WorldSpec, MAX_LISTS};
use crate::outcome::{FindingKind, Stop, What};
use lifecycle_list::{
    AtomicOps, GracePeriod, HlistNullsNode, HlistNullsTable, ListHead, Platform, Rcu, SpinGuard,
    SpinLock, WordOps,
};
use lifecycle_slab::{Handle, Slab, Tagging};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// An object of the story (a socket, say): allocated from the slab, linked on the world's lists.
///
/// # Invariants
/// Under the fixed protocol: `links[i]` is on list `i` only while `refs >= 1`, it is unlinked
/// under the list's lock before the last reference is dropped, and the slot is freed by whoever
/// drops the last reference.
#[repr(C)]
pub struct Object<P: Platform> {
    /// One link per list the world declares (unused links stay unlinked).
    pub links: [ListHead<P>; MAX_LISTS],
    /// The reference count.
    pub refs: P::AtomicUsize,
    /// Data the owner writes and others read: a `READ_ONCE`/`WRITE_ONCE` word, so a scenario
    /// that races on it on purpose races on real threads without undefined behaviour, while
    /// loom still checks every access for a race (a loom cell under loom).
    pub data: P::Word<u32>,
    /// The object's key (its identity, as a socket's addresses and ports): an atomic read with
    /// `READ_ONCE` by lockless lookups that compare it on an object that may be being reused.
    pub key: P::AtomicUsize,
    /// Its node on the world's hash tables (one for them all, as a socket's `sk_nulls_node`).
    pub node: HlistNullsNode<P>,
}

// SAFETY: `links` follow the list discipline (touched only under their list's lock, unless a
// scenario models breaking it), `refs` is atomic, and `data` is accessed as the scenario says:
// an access not ordered by happens-before is exactly what loom reports as a race.
unsafe impl<P: Platform> Send for Object<P> {}
// SAFETY: as above.
unsafe impl<P: Platform> Sync for Object<P> {}

/// Why a waiting step ended without its condition: std only, where a stalled run is ended by the
/// watchdog rather than explored.
#[derive(Debug)]
pub(crate) struct Abandoned;

/// The world. Shared between threads with `std::sync::Arc` (a loom `Arc` dropped while
/// unwinding from loom's deadlock panic aborts the process).
pub struct World<P: Threads> {
    /// The object cache.
    pub slab: Slab<Object<P>, P>,
    locks: Vec<SpinLock<(), P>>,
    pub(super) lock_names: Vec<String>,
    pub(super) heads: Vec<Box<ListHead<P>>>,
    pub(super) list_names: Vec<String>,
    /// For each list, the index of its lock.
    pub(super) list_locks: Vec<usize>,
    /// For each list, the index of the link its entries use (lists may share one).
    pub(super) link_of: Vec<usize>,
    events: Vec<Signal<P>>,
    event_names: Vec<String>,
    /// The hash tables of `hlist_nulls` chains.
    pub(super) tables: Vec<HlistNullsTable<P>>,
    pub(super) table_names: Vec<String>,
    /// Harness bookkeeping of the tables (never seen by a checker): where each slot is hashed,
    /// what each hash ticket stands for, and the lookups under way.
    pub(super) hashing: Mutex<super::tables::Hashing>,
    /// Each slot's hash ticket (a checker-visible atomic: see `World::hash_ticket`); empty in a
    /// world without tables, whose runs then make no such access.
    pub(super) hash_tickets: Vec<P::AtomicUsize>,
    /// The event log (outlives the execution).
    pub trace: Arc<Trace>,
    /// The checks in force.
    pub checks: Checks,
    /// std only: the watchdog asks every actor to let go, so the run can end.
    pub stop: AtomicBool,
    /// std only: when each lock was last acquired (nanoseconds since `epoch`).
    locked_at: Vec<AtomicU64>,
    /// std only: the time base of `locked_at`.
    pub epoch: Instant,
    /// Platform thread id to actor name, for this execution.
    names: Mutex<Vec<(usize, String)>>,
    /// The state-graph engine runs every actor on one thread: the actor acting now.
    acting: Mutex<Option<String>>,
    /// The harness's own bookkeeping (never seen by a checker): which lists each slot's link was
    /// added to and not deleted from since, so a free can say it was still linked.
    pub(super) membership: Mutex<Vec<[bool; MAX_LISTS]>>,
    /// Harness bookkeeping: the heads a plain `list_splice` left pointing at the entries it gave
    /// away (the kernel's source head is garbage until `INIT_LIST_HEAD`): not checked at unlock,
    /// where a correct splice whose source is never used again must not be a corruption.
    pub(super) stale_heads: Mutex<Vec<bool>>,
    /// Which `[[sometimes]]` states this execution reached (harness bookkeeping too).
    pub coverage: Coverage,
    /// The RCU model: one slot per actor, the callback queue.
    pub(super) rcu: Rcu<Callback, P>,
    /// The actor registered in each RCU slot.
    pub(super) rcu_names: Mutex<Vec<String>>,
    /// The slab is `SLAB_TYPESAFE_BY_RCU`: a freed slot's memory stays an object of the type.
    pub(super) typesafe_by_rcu: bool,
    /// `destroy_cache` ran: a free into the slab now is a use after free of the cache.
    pub(super) destroyed: AtomicBool,
    /// The state-graph engine's callbacks (it runs every actor, and the grace-period worker,
    /// one action at a time on one thread): each with the grace period it waits for.
    pub(super) stepped_callbacks: Mutex<std::collections::VecDeque<(Callback, GracePeriod)>>,
}

impl<P: Threads> World<P> {
    /// A world as `spec` declares it, every list empty, with `rcu_slots` RCU thread slots (one
    /// per actor of a scenario that uses RCU, none otherwise).
    pub fn new(spec: &WorldSpec, trace: Arc<Trace>, rcu_slots: usize) -> Self {
        // A node of an RCU list gets RCU links; every other link (and an undeclared list's) is
        // plain.
        let link = |list: Option<&crate::language::ListSpec>| match list {
            Some(list) if list.rcu => ListHead::with_checks_rcu(list.mode),
            Some(list) => ListHead::with_checks(list.mode),
            None => ListHead::with_checks(Default::default()),
        };
        let object = |_| Object {
            links: std::array::from_fn(|i| link(spec.lists.get(i))),
            refs: P::AtomicUsize::new(0),
            data: P::Word::new(0),
            key: P::AtomicUsize::new(0),
            node: HlistNullsNode::with_checks(lifecycle_list::CheckMode::Raw),
        };
        let slab = match spec.tagging {
            Tagging::Tagged => Slab::new(spec.objects, object),
            // SAFETY: only a scenario that declares `free-list = "untagged"` gets here, to show
            // the ABA: no actor relies on the free list beyond what `alloc` reports, and `alloc`
            // refuses a slot handed out twice (its claim is a compare-and-swap), which is the
            // finding. On real threads the catalogue expects it to be missed.
            Tagging::Untagged => unsafe {
                Slab::with_tagging(spec.objects, Tagging::Untagged, object)
            },
        };
        let heads: Vec<Box<ListHead<P>>> = spec
            .lists
            .iter()
            .map(|list| Box::new(link(Some(list))))
            .collect();
        for head in &heads {
            // SAFETY: not shared yet; boxed, so it will not move.
            unsafe { head.init() };
        }
        World {
            slab,
            locks: spec
                .locks
                .iter()
                // SAFETY: the locks protect `()`, so their guards give two holders no data to
                // race on; what they order are the lists and the objects. Only a scenario that
                // declares a defect passes one, to show the bug: under loom every link and data
                // access is a loom cell access, reported as a race before it is made if the lock
                // does not order it; shuttle runs one thread at a time in sequentially
                // consistent schedules; on real threads the scenario runs the broken lock on
                // purpose, as buggy scenarios run their races (SOUNDNESS.md says so).
                .map(|lock| unsafe { SpinLock::with_defect((), lock.defect) })
                .collect(),
            lock_names: spec.locks.iter().map(|l| l.name.clone()).collect(),
            heads,
            list_names: spec.lists.iter().map(|l| l.name.clone()).collect(),
            list_locks: spec.lists.iter().map(|l| l.lock).collect(),
            link_of: spec.lists.iter().map(|l| l.link).collect(),
            tables: spec
                .tables
                .iter()
                .map(|t| {
                    HlistNullsTable::with_nulls_base(
                        t.chains,
                        t.nulls_base,
                        lifecycle_list::CheckMode::Raw,
                    )
                })
                .collect(),
            table_names: spec.tables.iter().map(|t| t.name.clone()).collect(),
            hashing: Mutex::new(super::tables::Hashing::new(spec.objects)),
            hash_tickets: if spec.tables.is_empty() {
                Vec::new()
            } else {
                (0..spec.objects).map(|_| P::AtomicUsize::new(0)).collect()
            },
            events: spec.events.iter().map(|_| Signal::default()).collect(),
            event_names: spec.events.clone(),
            trace,
            checks: spec.checks,
            stop: AtomicBool::new(false),
            locked_at: spec.locks.iter().map(|_| AtomicU64::new(0)).collect(),
            epoch: Instant::now(),
            names: Mutex::new(Vec::new()),
            acting: Mutex::new(None),
            membership: Mutex::new(vec![[false; MAX_LISTS]; spec.objects]),
            stale_heads: Mutex::new(vec![false; spec.lists.len()]),
            coverage: Coverage::default(),
            rcu: Rcu::new(rcu_slots),
            rcu_names: Mutex::new(Vec::new()),
            typesafe_by_rcu: spec.typesafe_by_rcu,
            destroyed: AtomicBool::new(false),
            stepped_callbacks: Mutex::new(std::collections::VecDeque::new()),
        }
    }

    /// The names steps may refer to, for parsing a Rust actor's steps.
    pub(crate) fn names(&self) -> crate::language::Names<'_> {
        crate::language::Names {
            lists: &self.list_names,
            locks: &self.lock_names,
            events: &self.event_names,
            tables: &self.table_names,
        }
    }

    /// The number of locks.
    pub fn lock_count(&self) -> usize {
        self.locks.len()
    }

    /// List `list`'s name.
    pub fn list_name(&self, list: usize) -> &str {
        &self.list_names[list]
    }

    /// The index of the lock that protects list `list`.
    pub fn lock_of(&self, list: usize) -> usize {
        self.list_locks[list]
    }

    /// Lock `lock`'s name.
    pub fn lock_name(&self, lock: usize) -> &str {
        &self.lock_names[lock]
    }

    /// The holder of lock `lock` (a racy snapshot, for the watchdog).
    pub fn lock_holder(&self, lock: usize) -> Option<usize> {
        self.locks[lock].holder()
    }

    /// When lock `lock` was last acquired (std only), in nanoseconds since `epoch`.
    pub fn locked_at(&self, lock: usize) -> u64 {
        self.locked_at[lock].load(Ordering::Relaxed)
    }

    /// The most nodes a walk can pass: the slab's capacity, and the heads of lists that share
    /// a link with another list (a stale head or a moved cursor leads a walk through another
    /// list's head). Every traversal is bounded by it.
    pub fn max_nodes(&self) -> usize {
        let sharing_heads = (0..self.link_of.len())
            .filter(|&list| {
                (0..self.link_of.len()).any(|o| o != list && self.link_of[o] == self.link_of[list])
            })
            .count();
        self.slab.capacity() + sharing_heads
    }

    /// The name of list `list`'s head: `head` for the first list, `NAME-head` for the others.
    pub fn head_name(&self, list: usize) -> String {
        if list == 0 {
            "head".to_string()
        } else {
            format!("{}-head", self.list_names[list])
        }
    }

    /// The name of slot `slot`'s link on list `list`: `slot#N` on the first list,
    /// `slot#N.NAME` on the others; a link lists share is named after the first of them.
    pub fn link_name(&self, slot: usize, list: usize) -> String {
        match self.link_of[list] {
            0 => format!("slot#{slot}"),
            link => format!("slot#{slot}.{}", self.list_names[link]),
        }
    }

    /// The name of the node at `address`.
    pub fn name_of(&self, address: usize) -> String {
        self.place_name(self.place_of(address))
    }

    /// The offset of the link of `list` inside an object.
    fn link_offset(&self, list: usize) -> usize {
        std::mem::offset_of!(Object<P>, links)
            + self.link_of[list] * std::mem::size_of::<ListHead<P>>()
    }

    /// Slot `slot`'s link on list `list` (shared with the lists that share the link).
    pub(super) fn link(&self, slot: usize, list: usize) -> &ListHead<P> {
        &self.object(slot).links[self.link_of[list]]
    }

    /// The slot whose link on `list` is at `address`.
    pub(super) fn slot_of_link(&self, address: usize, list: usize) -> Option<usize> {
        let object = address.checked_sub(self.link_offset(list))?;
        self.slab.slot_of_ptr(object as *const Object<P>).ok()
    }

    /// Slot `slot`'s object, allocated or not (objects live as long as the slab).
    pub(super) fn object(&self, slot: usize) -> &Object<P> {
        // SAFETY: slot pointers point at initialized objects that live as long as the slab;
        // their fields are only reached through cells and atomics.
        unsafe { self.slab.slot_ptr(slot).as_ref() }
    }

    /// Slot `slot`'s link on list `list`, projected from the slot pointer so that it keeps the
    /// object's provenance (what a list stores must reach the whole object through
    /// `container_of`).
    pub(super) fn link_ptr(&self, slot: usize, list: usize) -> NonNull<ListHead<P>> {
        let link = self.link_of[list];
        assert!(
            link < MAX_LISTS,
            "link {link} out of range: objects embed {MAX_LISTS} links"
        );
        let object = self.slab.slot_ptr(slot).as_ptr();
        // SAFETY: `object` is a slot pointer of the slab, so the projection stays inside a live
        // `Object` (`link < MAX_LISTS`, checked above); no reference is made.
        let link = unsafe { (&raw mut (*object).links).cast::<ListHead<P>>().add(link) };
        NonNull::new(link).expect("a field of a slab object is never at address 0")
    }

    /// Names the actor acting now, when every actor runs on one thread (the state-graph engine).
    pub(crate) fn set_acting(&self, name: &str) {
        let mut acting = self.acting.lock().unwrap_or_else(|p| p.into_inner());
        // Reuses the buffer: this runs once per action of every replayed path.
        match acting.as_mut() {
            Some(acting) => {
                acting.clear();
                acting.push_str(name);
            }
            None => *acting = Some(name.to_string()),
        }
    }

    /// The number of events.
    pub(super) fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Sets or clears event `event` as a saved state had it.
    pub(super) fn set_event(&mut self, event: usize, set: bool) {
        self.events[event].restore(set);
    }

    /// Whether event `event` is set.
    pub(crate) fn event_is_set(&self, event: usize) -> bool {
        self.events[event].is_set()
    }

    /// The calling thread's actor name (registered by [`World::started`]), or the actor acting
    /// now on the state-graph engine's one thread.
    pub fn actor_name(&self) -> String {
        if let Some(name) = self
            .acting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return name;
        }
        let id = P::thread_id();
        self.name_of_thread(id)
            .unwrap_or_else(|| format!("thread {id}"))
    }

    /// The actor name of platform thread `id`, if it has started.
    pub fn name_of_thread(&self, id: usize) -> Option<String> {
        let names = self.names.lock().unwrap_or_else(|p| p.into_inner());
        names
            .iter()
            .find(|(known, _)| *known == id)
            .map(|(_, name)| name.clone())
    }

    /// Records `what` for the calling thread.
    /// The event is built only if the trace keeps events (the state graph's replays do not).
    pub fn record(&self, what: impl FnOnce() -> What) {
        if !self.trace.is_recording() {
            return;
        }
        self.trace.record(self.actor_name(), what());
    }

    /// Names the calling thread `name` and records its start (its id lets a checker's report
    /// be matched to names).
    pub fn started(&self, name: &str) {
        let thread_id = P::thread_id();
        self.names
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((thread_id, name.to_string()));
        self.record(|| What::Started { thread_id });
    }

    /// The lists slot `slot` is linked on, by name (harness bookkeeping).
    fn linked_on(&self, slot: usize) -> Vec<String> {
        let membership = self.membership.lock().unwrap_or_else(|p| p.into_inner());
        let mut on: Vec<String> = (0..self.heads.len())
            .filter(|&list| membership[slot][list])
            .map(|list| self.list_names[list].clone())
            .collect();
        on.extend(
            self.hashed_on(slot)
                .map(|(table, chain)| self.chain_name(table, chain)),
        );
        on
    }

    /// Whether slot `slot`'s link was added to list `list` and not deleted since.
    pub(super) fn is_linked(&self, slot: usize, list: usize) -> bool {
        self.membership.lock().unwrap_or_else(|p| p.into_inner())[slot][list]
    }

    pub(super) fn set_linked(&self, slot: usize, list: usize, linked: bool) {
        self.membership.lock().unwrap_or_else(|p| p.into_inner())[slot][list] = linked;
    }

    /// `alloc [key K]`: a slot with data 0, key `K` (if given), and one reference (the
    /// caller's).
    pub fn alloc(&self, key: Option<u32>) -> Result<Handle, Stop> {
        let handle = self.slab.alloc()?;
        self.record(|| What::Alloc {
            slot: handle.slot(),
            generation: handle.generation(),
            key,
        });
        let object = self.slab.get(handle).expect("just allocated");
        // The allocating thread owns the object and has published it to nobody yet.
        object.data.write_once(0);
        // Only a given key is written (a scenario without keys explores as it always did):
        // otherwise the slot keeps what its memory held, as slab memory is not cleared.
        if let Some(key) = key {
            self.note_key(handle.slot(), key);
            object.key.store(key as usize, Ordering::Relaxed);
        }
        // Release: the key is written before the count that lets a lockless reader's
        // get_ref_not_zero succeed (rculist_nulls.rst's insert: the key before the refcount).
        object.refs.store(1, Ordering::Release);
        Ok(handle)
    }

    /// The object in `handle`'s slot for a reference count operation: the handle's own object
    /// (a stale handle is a use after free), or in a `typesafe-by-rcu` cache whatever object
    /// the slot holds now (its memory stays an object of the type).
    fn for_count(&self, handle: Handle) -> Result<&Object<P>, Stop> {
        if self.typesafe_by_rcu {
            Ok(self.object(handle.slot()))
        } else {
            self.checked(handle)
        }
    }

    /// The handle of the object a reference was just taken on in `handle`'s slot: in a
    /// type-stable cache the slot may hold another object than the one found (reused).
    fn held_handle(&self, handle: Handle) -> Result<Handle, Stop> {
        if !self.typesafe_by_rcu {
            return Ok(handle);
        }
        self.slab
            .handle_of(self.slab.slot_ptr(handle.slot()).as_ptr())
            .map_err(Stop::from)
    }

    /// `set_key x K`: writes the object's key.
    pub fn set_key(&self, handle: Handle, key: u32) -> Result<(), Stop> {
        let object = self.checked(handle)?;
        self.note_key(handle.slot(), key);
        object.key.store(key as usize, Ordering::Relaxed);
        self.record(|| What::KeySet {
            slot: handle.slot(),
            key,
        });
        Ok(())
    }

    /// The key of the object `handle` holds a reference on (Relaxed: after the get's acquire).
    pub fn key_of(&self, handle: Handle) -> u32 {
        self.object(handle.slot()).key.load(Ordering::Relaxed) as u32
    }

    /// A use of `handle`, looked up by key `wanted`: a finding if the object it holds is another
    /// (a type-stable slot freed and reused between the lookup and the get).
    pub fn check_identity(&self, handle: Handle, wanted: u32) -> Result<(), Stop> {
        let found = self.key_of(handle);
        if found == wanted {
            return Ok(());
        }
        let message = format!(
            "slot#{} holds key {found}, not the key {wanted} it was looked up with: between the \
             lookup and this use the object found was freed and its slot reused for another \
             (generation {}), or the key was written after the count; only a recheck of the key \
             after the get, with keys written before counts, keeps a reference on the object \
             looked up",
            handle.slot(),
            handle.generation()
        );
        self.record(|| What::Refused {
            message: message.clone(),
        });
        Err(Stop {
            kind: FindingKind::WrongIdentity,
            message,
        })
    }

    /// `recheck x key K`: whether the object `handle` holds a reference on has key `wanted`; if
    /// not, the reference is dropped.
    pub fn recheck(&self, handle: Handle, wanted: u32) -> Result<bool, Stop> {
        let found = self.key_of(handle);
        self.record(|| What::Recheck {
            slot: handle.slot(),
            found,
            wanted,
        });
        if found == wanted {
            return Ok(true);
        }
        self.put_ref(handle)?;
        Ok(false)
    }

    /// `free`: returns the slot to the slab, recording whether it was still linked.
    pub fn free(&self, handle: Handle) -> Result<(), Stop> {
        self.check_cache_alive(handle)?;
        let still_linked_on = self.linked_on(handle.slot());
        self.note_freed(handle.slot());
        self.slab.free(handle)?;
        self.record(|| What::Free {
            slot: handle.slot(),
            generation: handle.generation(),
            still_linked: !still_linked_on.is_empty(),
        });
        Ok(())
    }

    /// Takes lock `lock`. On std the wait gives up once the watchdog has ended the run.
    pub(crate) fn lock(&self, lock: usize) -> Result<SpinGuard<'_, (), P>, Abandoned> {
        let name = || self.lock_names[lock].clone();
        self.record(|| What::LockRequest { lock: name() });
        let spin_lock = &self.locks[lock];
        let guard = if P::IS_CHECKER {
            spin_lock.lock()
        } else {
            let backoff = crossbeam_utils::Backoff::new();
            loop {
                match spin_lock.try_lock() {
                    Ok(guard) => break Ok(guard),
                    Err(std::sync::TryLockError::Poisoned(poisoned)) => break Err(poisoned),
                    Err(std::sync::TryLockError::WouldBlock) => {}
                }
                if self.stop.load(Ordering::Relaxed) {
                    return Err(Abandoned);
                }
                backoff.snooze();
            }
        };
        let guard = guard.unwrap_or_else(|poisoned| poisoned.into_inner());
        if !P::IS_CHECKER {
            self.locked_at[lock].store(self.epoch.elapsed().as_nanos() as u64, Ordering::Relaxed);
        }
        self.record(|| What::LockAcquired { lock: name() });
        Ok(guard)
    }

    /// Takes lock `lock` again for an actor resumed from a saved state that held it (free in a
    /// restored world): not an event of the run, and never waits.
    pub(crate) fn retake(&self, lock: usize) -> SpinGuard<'_, (), P> {
        match self.locks[lock].try_lock() {
            Ok(guard) => guard,
            Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                panic!("lock {lock} is free in a restored world until its holder is resumed")
            }
        }
    }

    /// Releases lock `lock`, first checking the lists it protects if the world says so.
    pub fn unlock(&self, lock: usize, guard: SpinGuard<'_, (), P>) -> Result<(), Stop> {
        let mut verdict = Ok(());
        if self.checks.invariants_at_unlock {
            let stale = self
                .stale_heads
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            for list in (0..self.heads.len()).filter(|&l| self.list_locks[l] == lock && !stale[l]) {
                verdict = verdict.and_then(|()| self.check_well_formed(list));
            }
        }
        self.record(|| What::Unlock {
            lock: self.lock_names[lock].clone(),
        });
        drop(guard);
        verdict
    }

    /// `get_ref` (`refcount_inc`): takes a reference. At a count of 0 the object's last
    /// reference is being dropped: `refcount_t` warns "addition on 0; use-after-free", and so
    /// does this (a `refcount-from-zero` finding), where a plain increment would resurrect an
    /// object its last holder is about to free.
    pub fn get_ref(&self, handle: Handle) -> Result<Handle, Stop> {
        let object = self.for_count(handle)?;
        let previous = object.refs.fetch_add(1, Ordering::Relaxed);
        if previous == 0 {
            object.refs.fetch_sub(1, Ordering::Relaxed);
            return Err(Stop {
                kind: FindingKind::RefcountFromZero,
                message: format!(
                    "refcount_t: addition on 0; use-after-free: get_ref on slot#{} whose last \
                     reference was dropped (it is being freed); a get that may meet a 0 is \
                     get_ref_not_zero",
                    handle.slot()
                ),
            });
        }
        self.record(|| What::RefGet {
            slot: handle.slot(),
            refs: previous + 1,
        });
        self.held_handle(handle)
    }

    /// `get_ref_not_zero` (`refcount_inc_not_zero`): takes a reference unless the count is 0,
    /// and returns the object it holds then (a compare-and-swap loop, as the kernel's
    /// `atomic_add_unless`; in a type-stable cache, whatever object the slot holds now).
    pub fn get_ref_not_zero(&self, handle: Handle) -> Result<Option<Handle>, Stop> {
        let object = self.for_count(handle)?;
        let mut refs = object.refs.load(Ordering::Relaxed);
        loop {
            if refs == 0 {
                self.record(|| What::RefGetFailed {
                    slot: handle.slot(),
                });
                return Ok(None);
            }
            // Acquire on success: the caller's later uses are ordered after the increment it
            // builds on (the kernel's refcount_inc_not_zero gives control dependency ordering).
            match object
                .refs
                .compare_exchange(refs, refs + 1, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(now) => refs = now,
            }
        }
        self.record(|| What::RefGet {
            slot: handle.slot(),
            refs: refs + 1,
        });
        self.held_handle(handle).map(Some)
    }

    /// `put_ref`: drops a reference; the last one frees the slot.
    pub fn put_ref(&self, handle: Handle) -> Result<(), Stop> {
        if self.drop_ref(handle)? {
            self.free(handle)?;
        }
        Ok(())
    }

    /// Drops a reference and says whether it was the last (the caller releases the object).
    pub(crate) fn drop_ref(&self, handle: Handle) -> Result<bool, Stop> {
        let object = self.slab.get(handle).map_err(|e| Stop {
            kind: FindingKind::UseAfterFree,
            message: format!("reference dropped on a freed object: {e}"),
        })?;
        // AcqRel: every use before the drop happens-before the free by the last dropper.
        let previous = object.refs.fetch_sub(1, Ordering::AcqRel);
        if previous == 0 {
            return Err(Stop {
                kind: FindingKind::DoubleFree,
                message: format!(
                    "put_ref on slot#{} whose reference count is already 0",
                    handle.slot()
                ),
            });
        }
        self.record(|| What::RefPut {
            slot: handle.slot(),
            refs: previous - 1,
        });
        Ok(previous == 1)
    }

    /// `read`: the object's data, checked (the handle must be current) unless `unchecked`.
    pub fn read(&self, handle: Handle, unchecked: bool) -> Result<u32, Stop> {
        self.record(|| What::DataAccess {
            slot: handle.slot(),
            write: false,
        });
        if unchecked || !self.checks.use_after_free {
            let object = self.object(handle.slot());
            // A plain read of a word in memory that lives as long as the slab; whether it races
            // with a write is what loom judges.
            return Ok(object.data.read_once());
        }
        self.slab
            .with(handle, |object| object.data.read_once())
            .map_err(Stop::from)
    }

    /// `write`: sets the object's data, checked unless `unchecked`.
    pub fn write(&self, handle: Handle, value: u32, unchecked: bool) -> Result<(), Stop> {
        self.record(|| What::DataAccess {
            slot: handle.slot(),
            write: true,
        });
        let object = if unchecked || !self.checks.use_after_free {
            self.object(handle.slot())
        } else {
            self.checked(handle)?
        };
        // A plain write of a word in memory that lives as long as the slab; whether it races
        // with another access is what loom judges.
        object.data.write_once(value);
        Ok(())
    }

    /// `signal`: sets event `event`.
    pub fn signal(&self, event: usize) {
        self.record(|| What::Signalled {
            event: self.event_names[event].clone(),
        });
        self.events[event].set();
    }

    /// `wait`: returns once event `event` is set. On std it gives up once the watchdog has
    /// ended the run.
    pub(crate) fn wait(&self, event: usize) -> Result<(), Abandoned> {
        self.record(|| What::Waiting {
            event: self.event_names[event].clone(),
        });
        if P::IS_CHECKER {
            self.events[event].wait();
            return Ok(());
        }
        let backoff = crossbeam_utils::Backoff::new();
        while !self.events[event].is_set() {
            if self.stop.load(Ordering::Relaxed) {
                return Err(Abandoned);
            }
            backoff.snooze();
        }
        Ok(())
    }

    /// At the end of an execution: every slot free again (no leak).
    pub fn check_no_leak(&self) -> Result<(), Stop> {
        let stats = self.slab.check_quiescent()?;
        if stats.in_use != 0 {
            return Err(Stop {
                kind: FindingKind::Leak,
                message: format!(
                    "leak: {} of {} objects still allocated when every actor is done",
                    stats.in_use, stats.capacity
                ),
            });
        }
        Ok(())
    }
}
