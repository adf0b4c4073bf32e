//! `World`: the shared state of the socket-lifecycle scenarios (a slab of sockets, the
//! spinlock-protected registry list, the trace), with every operation recording its event so a
//! finding can show what happened, step by step and picture by picture.

use crate::signal::Signal;
use crate::threads::Threads;
use crate::trace::{ListPicture, NodeLinks, Trace, What};
use lifecycle_list::{
    AtomicOps, CellOps, CheckMode, ListError, ListHead, LockDefect, Platform, SpinGuard, SpinLock,
    LIST_POISON1, LIST_POISON2,
};
use lifecycle_slab::{Handle, Slab};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A socket: the object of the story, allocated from the slab and linked on the registry.
///
/// # Invariants
/// Under the fixed protocol: `link` is on the registry only while `refs >= 1` (the owner's
/// reference), it is unlinked under the registry lock before that reference is dropped, and the
/// slot is freed by whoever drops the last reference.
#[repr(C)]
pub struct Socket<P: Platform> {
    /// The registry link.
    pub link: ListHead<P>,
    /// The link on the second list (a lookup hash chain), for the two-lists scenarios.
    pub hash_link: ListHead<P>,
    /// The reference count.
    pub refs: P::AtomicUsize,
    /// Some data the owner writes and readers read (loom checks those accesses for races).
    pub port: P::Cell<u32>,
}

// SAFETY: `link` follows the list discipline (touched only under the registry lock), `refs` is
// atomic, and `port` is written by the allocating thread before the socket is published through
// the lock and only read afterwards; a violation of that is exactly what loom reports as a race.
unsafe impl<P: Platform> Send for Socket<P> {}
// SAFETY: as above.
unsafe impl<P: Platform> Sync for Socket<P> {}

/// Which of the world's two lists an operation is on. Both are protected by the registry lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chain {
    /// The registry list (`head`, each socket's `link`).
    Registry,
    /// A second list, a lookup hash chain (`hash-head`, each socket's `hash_link`).
    Hash,
}

/// Which checks a scenario's world makes, beyond what the engines check by themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checks {
    /// The mode of every list node (`Checked` is `CONFIG_DEBUG_LIST`).
    pub list: CheckMode,
    /// Every node a traversal visits must be an allocated slot (a KASAN-like check).
    pub use_after_free: bool,
    /// The list must be well formed (`next.prev == node` everywhere) at every unlock.
    pub invariants_at_unlock: bool,
}

/// What an actor found and stopped on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    /// The finding's kind, as [`crate::FindingKind`] names it.
    pub kind: crate::FindingKind,
    /// A sentence saying what broke.
    pub message: String,
}

impl From<lifecycle_slab::SlabError> for Stop {
    /// A slab error as the finding it stands for ([`crate::FindingKind::from_slab_error`]):
    /// a stale handle is a use after free, a second free a double free, and so on.
    fn from(error: lifecycle_slab::SlabError) -> Self {
        Stop {
            kind: crate::FindingKind::from_slab_error(&error),
            message: error.to_string(),
        }
    }
}

/// The socket scenarios' shared state. Shared between threads with `std::sync::Arc` (a loom
/// `Arc` dropped while unwinding from loom's deadlock panic aborts the process).
pub struct World<P: Threads> {
    /// The socket cache.
    pub slab: Slab<Socket<P>, P>,
    lock: SpinLock<(), P>,
    head: Box<ListHead<P>>,
    hash_head: Box<ListHead<P>>,
    /// Whether the scenario uses the hash chain (it is then drawn and checked too).
    hash_in_use: bool,
    /// The event log (outlives the execution).
    pub trace: Arc<Trace>,
    /// The checks in force.
    pub checks: Checks,
    /// Set by the reader once it holds the lock and walks; waiters wait for it, so that they
    /// all queue behind the reader.
    pub reader_walking: Signal<P>,
    /// Set by the owner once it has closed its socket: the second socket "comes along later",
    /// as in the story.
    pub owner_closed: Signal<P>,
    /// Set by the allocator once its socket is on the registry (the reaper waits for it).
    pub allocator_added: Signal<P>,
    /// std only: the watchdog asks a looping reader to let go, so the run can end.
    pub stop: AtomicBool,
    /// std only: when the lock was last acquired (nanoseconds since `epoch`), for the watchdog.
    pub locked_at: AtomicU64,
    /// std only: the time base of `locked_at`.
    pub epoch: Instant,
    link_offset: usize,
    hash_offset: usize,
    /// Platform thread id to actor name, for this execution.
    names: Mutex<Vec<(usize, String)>>,
}

impl<P: Threads> World<P> {
    /// A world with `capacity` socket slots and an empty registry whose lock has `defect`.
    pub fn new(capacity: usize, checks: Checks, defect: LockDefect, trace: Arc<Trace>) -> Self {
        let slab = Slab::new(capacity, |_| Socket {
            link: ListHead::with_checks(checks.list),
            hash_link: ListHead::with_checks(checks.list),
            refs: P::AtomicUsize::new(0),
            port: P::Cell::new(0),
        });
        let head = Box::new(ListHead::with_checks(checks.list));
        let hash_head = Box::new(ListHead::with_checks(checks.list));
        // SAFETY: not shared yet; boxed, so they will not move.
        unsafe {
            head.init();
            hash_head.init();
        }
        // SAFETY: the lock protects `()`, so its guards give two holders no data to race on;
        // what it orders are the lists and the sockets. Only `relaxed-unlock/buggy` passes a
        // defect, and only to show the bug: under loom every link and port access is a loom cell
        // access, reported before it is made if the lock does not order it; shuttle runs one
        // thread at a time in sequentially consistent schedules; on real threads the scenario
        // runs the broken lock on purpose, as the other buggy scenarios run their races, and the
        // catalogue expects std to miss it (a Relaxed store acts as Release on x86).
        let lock = unsafe { SpinLock::with_defect((), defect) };
        World {
            slab,
            lock,
            head,
            hash_head,
            hash_in_use: false,
            trace,
            checks,
            reader_walking: Signal::default(),
            owner_closed: Signal::default(),
            allocator_added: Signal::default(),
            stop: AtomicBool::new(false),
            locked_at: AtomicU64::new(0),
            epoch: Instant::now(),
            link_offset: std::mem::offset_of!(Socket<P>, link),
            hash_offset: std::mem::offset_of!(Socket<P>, hash_link),
            names: Mutex::new(Vec::new()),
        }
    }

    /// The same world with its second list (the hash chain) in use: drawn in pictures and
    /// checked at every unlock.
    pub fn with_hash_list(mut self) -> Self {
        self.hash_in_use = true;
        self
    }

    /// The head of `chain`.
    fn head_of(&self, chain: Chain) -> &ListHead<P> {
        match chain {
            Chain::Registry => &self.head,
            Chain::Hash => &self.hash_head,
        }
    }

    /// The offset of `chain`'s link inside a socket.
    fn offset_of(&self, chain: Chain) -> usize {
        match chain {
            Chain::Registry => self.link_offset,
            Chain::Hash => self.hash_offset,
        }
    }

    /// The registry lock (for the watchdog's holder and held-since readings).
    pub fn registry_lock(&self) -> &SpinLock<(), P> {
        &self.lock
    }

    /// The most nodes that can exist: the slab's capacity. Every traversal is bounded by it.
    pub fn max_nodes(&self) -> usize {
        self.slab.capacity()
    }

    /// The name of the node at `address`.
    pub fn name_of(&self, address: usize) -> String {
        if address == self.head.address() {
            return "head".to_string();
        }
        if address == self.hash_head.address() {
            return "hash-head".to_string();
        }
        match address {
            0 => return "NULL".to_string(),
            LIST_POISON1 => return "POISON1".to_string(),
            LIST_POISON2 => return "POISON2".to_string(),
            _ => {}
        }
        let slot_of = |offset: usize| {
            address
                .checked_sub(offset)
                .and_then(|object| self.slab.slot_of_ptr(object as *const Socket<P>).ok())
        };
        if let Some(slot) = slot_of(self.link_offset) {
            return format!("slot#{slot}");
        }
        if let Some(slot) = slot_of(self.hash_offset) {
            return format!("slot#{slot}.hash");
        }
        format!("{address:#x}")
    }

    /// The `chain` link of slot `slot`'s socket.
    fn link_of_slot(&self, slot: usize, chain: Chain) -> &ListHead<P> {
        let link = Self::chain_link_ptr(self.slab.slot_ptr(slot), chain);
        // SAFETY: slot pointers point at initialized sockets that live as long as the slab;
        // the links are only read through their cells, under the registry lock.
        unsafe { link.as_ref() }
    }

    /// A pointer to the socket's link on `chain`, projected from the socket pointer so that it
    /// keeps the socket's provenance (the list discipline, point 3: what the lists store).
    fn chain_link_ptr(socket: NonNull<Socket<P>>, chain: Chain) -> NonNull<ListHead<P>> {
        let socket = socket.as_ptr();
        // SAFETY: `socket` is a slot pointer of the slab, so the field projections stay inside
        // a live `Socket`; no reference is made.
        let link = unsafe {
            match chain {
                Chain::Registry => &raw mut (*socket).link,
                Chain::Hash => &raw mut (*socket).hash_link,
            }
        };
        NonNull::new(link).expect("a field of a slab object is never at address 0")
    }

    /// The slot whose `chain` link is `link`.
    fn slot_of_link(&self, link: NonNull<ListHead<P>>, chain: Chain) -> Option<usize> {
        let object = (link.as_ptr() as usize).checked_sub(self.offset_of(chain))?;
        self.slab.slot_of_ptr(object as *const Socket<P>).ok()
    }

    /// The socket's link on `chain`.
    fn chain_link(socket: &Socket<P>, chain: Chain) -> &ListHead<P> {
        match chain {
            Chain::Registry => &socket.link,
            Chain::Hash => &socket.hash_link,
        }
    }

    /// Every node with its links. Call with the registry lock held.
    fn picture(&self) -> ListPicture {
        let describe = |name: String, link: &ListHead<P>, allocated: bool| {
            // SAFETY: the caller holds the registry lock, under which all links are written.
            let (next, prev) = unsafe { (link.next_ptr() as usize, link.prev_ptr() as usize) };
            NodeLinks {
                name,
                next: self.name_of(next),
                prev: self.name_of(prev),
                allocated,
            }
        };
        let mut nodes = Vec::new();
        let chains: &[Chain] = if self.hash_in_use {
            &[Chain::Registry, Chain::Hash]
        } else {
            &[Chain::Registry]
        };
        for &chain in chains {
            let head = self.head_of(chain);
            nodes.push(describe(self.name_of(head.address()), head, true));
            for slot in 0..self.slab.capacity() {
                let allocated = self
                    .slab
                    .handle_of(self.slab.slot_ptr(slot).as_ptr())
                    .is_ok();
                let link = self.link_of_slot(slot, chain);
                nodes.push(describe(self.name_of(link.address()), link, allocated));
            }
        }
        ListPicture { nodes }
    }

    /// The calling thread's actor name (registered by [`World::started`]).
    pub fn actor_name(&self) -> String {
        let id = P::thread_id();
        let names = self.names.lock().unwrap_or_else(|p| p.into_inner());
        names
            .iter()
            .find(|(known, _)| *known == id)
            .map(|(_, name)| name.clone())
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
    pub fn record(&self, what: What) {
        self.trace.record(self.actor_name(), what);
    }

    /// Names the calling thread `name` and records its start (its id lets a checker's report
    /// be matched to names).
    pub fn started(&self, name: &str) {
        let thread_id = P::thread_id();
        self.names
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((thread_id, name.to_string()));
        self.record(What::Started { thread_id });
    }

    /// Allocates a socket holding one reference (its owner's).
    pub fn alloc_socket(&self, port: u32) -> Result<Handle, Stop> {
        let handle = self.slab.alloc()?;
        self.record(What::Alloc {
            slot: handle.slot(),
            generation: handle.generation(),
        });
        let socket = self.slab.get(handle).expect("just allocated");
        socket.refs.store(1, Ordering::Relaxed);
        // SAFETY: the allocating thread owns the socket and has published it to nobody yet.
        socket.port.with_mut(|p| unsafe { *p = port });
        Ok(handle)
    }

    /// Frees the socket's slot; `still_linked` says whether its link is still on the registry
    /// (the lifecycle bug).
    pub fn free_socket(&self, handle: Handle, still_linked: bool) -> Result<(), Stop> {
        self.slab.free(handle)?;
        self.record(What::Free {
            slot: handle.slot(),
            generation: handle.generation(),
            still_linked,
        });
        Ok(())
    }

    /// Takes the registry lock, recording the request and the acquisition.
    pub fn lock(&self) -> SpinGuard<'_, (), P> {
        self.record(What::LockRequest);
        let guard = self
            .lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !P::IS_CHECKER {
            self.locked_at
                .store(self.epoch.elapsed().as_nanos() as u64, Ordering::Relaxed);
        }
        self.record(What::LockAcquired);
        guard
    }

    /// Releases the registry lock, first checking the list is well formed if the scenario asks.
    pub fn unlock(&self, guard: SpinGuard<'_, (), P>) -> Result<(), Stop> {
        let verdict = if self.checks.invariants_at_unlock {
            self.check_well_formed()
        } else {
            Ok(())
        };
        self.record(What::Unlock);
        drop(guard);
        verdict
    }

    /// `list_add(socket, head)` on `chain` under the lock the caller holds, then a picture.
    pub fn add(
        &self,
        _guard: &SpinGuard<'_, (), P>,
        handle: Handle,
        chain: Chain,
    ) -> Result<(), Stop> {
        // The handle check (a use-after-free stop if stale), then the link through the slot
        // pointer, so the list stores a pointer with the socket's provenance.
        self.socket(handle)?;
        let link = Self::chain_link_ptr(self.slab.slot_ptr(handle.slot()), chain);
        // SAFETY: the registry lock is held (the guard proves it); sockets live in the slab.
        let added = unsafe { self.head_of(chain).add(link) };
        self.list_result(added)?;
        self.record(What::Add {
            slot: handle.slot(),
            chain,
        });
        self.record(What::Picture(self.picture()));
        Ok(())
    }

    /// `list_del(socket)` on `chain` under the lock the caller holds, then a picture.
    pub fn del(
        &self,
        _guard: &SpinGuard<'_, (), P>,
        handle: Handle,
        chain: Chain,
    ) -> Result<(), Stop> {
        // SAFETY: the registry lock is held (the guard proves it).
        unsafe { self.unlink(handle, chain)? };
        self.record(What::Picture(self.picture()));
        Ok(())
    }

    /// `list_del(socket)` WITHOUT the registry lock: the bug of `unlocked-del/buggy`. No
    /// picture: reading every link without the lock would be a second race of the model's own.
    pub fn del_unlocked(&self, handle: Handle) -> Result<(), Stop> {
        // SAFETY: deliberately breaks the list discipline (no lock) to model the bug; the links
        // stay valid memory (sockets live in the slab), and loom reports the race.
        unsafe { self.unlink(handle, Chain::Registry) }
    }

    /// `list_del(socket)`, recorded.
    ///
    /// # Safety
    /// The list discipline, unless the caller is modelling its breach.
    unsafe fn unlink(&self, handle: Handle, chain: Chain) -> Result<(), Stop> {
        let socket = self.socket(handle)?;
        // SAFETY: forwarded from the caller; sockets live in the slab.
        let deleted = unsafe { Self::chain_link(socket, chain).del() };
        self.list_result(deleted)?;
        self.record(What::Del {
            slot: handle.slot(),
            chain,
        });
        Ok(())
    }

    /// Writes the socket's port through a pointer kept from before the free, skipping the
    /// slab's handle check: the late write of `publish-before-write/buggy`.
    pub fn write_port_unchecked(&self, socket: NonNull<Socket<P>>, port: u32) {
        // SAFETY: the slot's memory is valid for the slab's lifetime and `port` is a plain cell;
        // whether the write races with a new owner is exactly what the checkers judge.
        unsafe { socket.as_ref().port.with_mut(|p| *p = port) };
    }

    /// The reaper: unlinks every socket on the registry under the lock the caller holds,
    /// walking with the plain iterator (`safe == false`, the bug: the next step follows the
    /// deleted entry's poisoned link) or the deletion-tolerant one. Returns the sockets unlinked.
    pub fn reap(&self, _guard: &SpinGuard<'_, (), P>, safe: bool) -> Result<Vec<Handle>, Stop> {
        let mut reaped = Vec::new();
        // SAFETY: the registry lock is held; sockets live in the slab; only the entry just
        // yielded is deleted.
        let walk = unsafe {
            if safe {
                self.head.iter_safe(self.max_nodes())
            } else {
                self.head.iter(self.max_nodes())
            }
        };
        for step in walk {
            let link = step.map_err(|error| self.list_result(Err(error)).unwrap_err())?;
            let slot = self
                .slot_of_link(link, Chain::Registry)
                .expect("list nodes are slot links");
            let handle = self.slab.handle_of(self.slab.slot_ptr(slot).as_ptr())?;
            // SAFETY: as above.
            let deleted = unsafe { link.as_ref().del() };
            self.list_result(deleted)?;
            self.record(What::Del {
                slot,
                chain: Chain::Registry,
            });
            self.record(What::Picture(self.picture()));
            reaped.push(handle);
        }
        Ok(reaped)
    }

    /// The socket behind `handle`, or a use-after-free stop if the handle is stale.
    fn socket(&self, handle: Handle) -> Result<&Socket<P>, Stop> {
        self.slab.get(handle).map_err(Stop::from)
    }

    /// Turns a refused list operation into a stop, recording the message with node names.
    fn list_result(&self, result: Result<(), ListError>) -> Result<(), Stop> {
        result.map_err(|error| {
            let message = error.describe(&|address| self.name_of(address));
            self.record(What::Refused {
                message: message.clone(),
            });
            Stop {
                kind: crate::FindingKind::from_list_error(&error),
                message,
            }
        })
    }

    /// Walks the registry under the lock the caller holds. Returns the sockets visited, or the
    /// stop that ended the walk. On a proven cycle the trace records it and the caller decides
    /// what a looping reader does next ([`World::loop_forever`]).
    pub fn walk(&self, _guard: &SpinGuard<'_, (), P>, chain: Chain) -> Result<Vec<Handle>, Stop> {
        let mut visited = Vec::new();
        let head = self.head_of(chain);
        // SAFETY: the registry lock is held; sockets live in the slab.
        for step in unsafe { head.iter(self.max_nodes()) } {
            let link = match step {
                Ok(link) => link,
                Err(ListError::Cycle { cycle, .. }) => {
                    let names: Vec<String> = cycle.iter().map(|&a| self.name_of(a)).collect();
                    let message = ListError::Cycle {
                        head: head.address(),
                        max_nodes: self.max_nodes(),
                        cycle,
                    }
                    .describe(&|address| self.name_of(address));
                    self.record(What::CycleProven {
                        head: self.name_of(head.address()),
                        cycle: names,
                        message: message.clone(),
                    });
                    return Err(Stop {
                        kind: crate::FindingKind::LoopingReader,
                        message,
                    });
                }
                Err(error) => return Err(self.list_result(Err(error)).unwrap_err()),
            };
            let name = self.name_of(link.as_ptr() as usize);
            self.record(What::WalkStep { node: name.clone() });
            let slot = self
                .slot_of_link(link, chain)
                .expect("list nodes are heads or slot links");
            match self.slab.handle_of(self.slab.slot_ptr(slot).as_ptr()) {
                Ok(handle) => visited.push(handle),
                Err(error) if self.checks.use_after_free => {
                    let message = format!(
                        "use after free: the walk reached {name}, which is not allocated ({error})"
                    );
                    self.record(What::Refused {
                        message: message.clone(),
                    });
                    return Err(Stop {
                        kind: crate::FindingKind::UseAfterFree,
                        message,
                    });
                }
                Err(_) => {}
            }
        }
        Ok(visited)
    }

    /// A reader that has proven it is in a cycle without the head: under a checker it blocks
    /// for good (still holding the lock), so the checker can prove nobody else proceeds; on real
    /// threads it really follows the cycle, spinning, until the watchdog sets `stop`.
    pub fn loop_forever(&self, guard: SpinGuard<'_, (), P>, chain: Chain) {
        if P::IS_CHECKER {
            P::block_forever();
        }
        // SAFETY: the registry lock is held; the cycle's nodes live in the slab.
        let mut node = unsafe { self.head_of(chain).next_ptr() };
        while !self.stop.load(Ordering::Relaxed) {
            // SAFETY: as above; the walk already proved every link on the cycle followable.
            node = unsafe { (*node).next_ptr() };
            std::hint::spin_loop();
        }
        self.record(What::Unlock);
        drop(guard);
    }

    /// Checks `next.prev == node` all round the list (bounded). Call with the lock held.
    fn check_well_formed(&self) -> Result<(), Stop> {
        self.check_chain_well_formed(Chain::Registry)?;
        if self.hash_in_use {
            self.check_chain_well_formed(Chain::Hash)?;
        }
        Ok(())
    }

    /// [`World::check_well_formed`] for one chain.
    fn check_chain_well_formed(&self, chain: Chain) -> Result<(), Stop> {
        let head = self.head_of(chain);
        let mut node: *const ListHead<P> = head;
        for _ in 0..=self.max_nodes() {
            // SAFETY: the registry lock is held; links of a list are followable or reported.
            let next = unsafe { (*node).next_ptr() };
            let bad = matches!(next as usize, 0 | LIST_POISON1 | LIST_POISON2);
            // SAFETY: as above; `next` was checked followable.
            if bad || unsafe { (*next).prev_ptr() } != node {
                let message = format!(
                    "list invariant broken at unlock: {}.next = {}, whose prev is not {}",
                    self.name_of(node as usize),
                    self.name_of(next as usize),
                    self.name_of(node as usize)
                );
                self.record(What::Refused {
                    message: message.clone(),
                });
                return Err(Stop {
                    kind: crate::FindingKind::ListCorruption,
                    message,
                });
            }
            if std::ptr::eq(next, head) {
                return Ok(());
            }
            node = next;
        }
        Err(Stop {
            kind: crate::FindingKind::ListCorruption,
            message: "list invariant broken at unlock: the list does not return to its head"
                .to_string(),
        })
    }

    /// Takes a reference on a socket found on the list (the lock is held, so the owner's
    /// reference is still there).
    pub fn get_ref(&self, _guard: &SpinGuard<'_, (), P>, handle: Handle) -> Result<(), Stop> {
        let socket = self.socket(handle)?;
        let refs = socket.refs.fetch_add(1, Ordering::Relaxed) + 1;
        self.record(What::RefGet {
            slot: handle.slot(),
            refs,
        });
        Ok(())
    }

    /// Drops a reference; the last one frees the slot.
    pub fn put_ref(&self, handle: Handle) -> Result<(), Stop> {
        self.put_ref_linked(handle, false)
    }

    /// Drops a reference; the last one frees the slot, recorded as freed while still linked
    /// if `still_linked` (the two-lists bug drops it while the socket is on the hash chain).
    pub fn put_ref_linked(&self, handle: Handle, still_linked: bool) -> Result<(), Stop> {
        let socket = self.slab.get(handle).map_err(|e| Stop {
            kind: crate::FindingKind::UseAfterFree,
            message: format!("reference dropped on a freed socket: {e}"),
        })?;
        // AcqRel: every use before the drop happens-before the free by the last dropper.
        let refs = socket.refs.fetch_sub(1, Ordering::AcqRel) - 1;
        self.record(What::RefPut {
            slot: handle.slot(),
            refs,
        });
        if refs == 0 {
            self.free_socket(handle, still_linked)?;
        }
        Ok(())
    }

    /// Reads the socket's port (a use that loom checks for races and the slab for staleness).
    pub fn read_port(&self, handle: Handle) -> Result<u32, Stop> {
        self.slab
            .with(handle, |socket| {
                // SAFETY: `port` is written only by the owner before the socket is published
                // (happens-before through the registry lock) and read afterwards.
                socket.port.with(|p| unsafe { *p })
            })
            .map_err(Stop::from)
    }

    /// At the end of an execution: every slot free again (no leak).
    pub fn check_no_leak(&self) -> Result<(), Stop> {
        let stats = self.slab.check_quiescent()?;
        if stats.in_use != 0 {
            return Err(Stop {
                kind: crate::FindingKind::Leak,
                message: format!(
                    "leak: {} of {} sockets still allocated when every thread is done",
                    stats.in_use, stats.capacity
                ),
            });
        }
        Ok(())
    }
}
