//! `Scenario`: the catalogue of lifecycle stories, each written once, generic over the platform,
//! and run unchanged by every engine.

use crate::threads::Threads;
use crate::trace::{Trace, What};
use crate::world::{Chain, Checks, Stop, World};
use crate::FindingKind;
use lifecycle_list::{CheckMode, LockDefect, Platform};
use lifecycle_slab::{Slab, Tagging};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// One scenario of the catalogue. Every buggy scenario has a fixed twin that differs in the one
/// thing the bug gets wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// The story: a socket freed while still linked is reallocated (LIFO: same slot) and added
    /// again, making `node.next == node`; the reader loops forever under the lock and every
    /// waiter starves.
    SocketBuggy,
    /// The same actors under the fixed protocol: unlink under the lock before the owner drops
    /// its reference; a reader that keeps a socket past the unlock takes a reference first; the
    /// last reference frees.
    SocketFixed,
    /// The buggy lifecycle with the list in checked mode (`CONFIG_DEBUG_LIST`): the second add
    /// is refused as a double add, before any reader can loop.
    SocketDebugList,
    /// The slab's free list without its generation tag: a pop preempted between reading
    /// `head = A, A.next = B` and its compare-and-swap succeeds after A and B were popped and A
    /// pushed back, installing B, which is allocated: B is handed out twice.
    FreelistAba,
    /// The same actors on the tagged free list: the stale compare-and-swap fails.
    FreelistTagged,
    /// The owner unlinks its socket without taking the registry lock while a reader walks the
    /// list under it: the unlink's link writes race with the walk's reads.
    UnlockedDelBuggy,
    /// Twin: the unlink takes the lock.
    UnlockedDelFixed,
    /// A reader finds a socket under the lock, drops the lock, and uses the socket without
    /// taking a reference; meanwhile the owner unlinks and frees it: a use after free.
    LookupWithoutRefBuggy,
    /// Twin: the reader takes a reference under the lock and drops it after the use.
    LookupWithoutRefFixed,
    /// The owner's close path drops its reference (which frees the socket) and an error path
    /// frees it again: a double free into the slab.
    DoubleFreeBuggy,
    /// Twin: the socket is freed once, by the last reference.
    DoubleFreeFixed,
    /// The fixed lifecycle under a spinlock whose unlock stores with `Relaxed`: the next holder
    /// has no happens-before edge to the previous holder's writes to the list and the socket.
    RelaxedUnlockBuggy,
    /// Twin: the unlock stores with `Release`.
    RelaxedUnlockFixed,
    /// The owner frees its socket (the slab's push publishes the slot) and only then makes its
    /// last write to it; the slot's next owner may already be writing it.
    PublishBeforeWriteBuggy,
    /// Twin: the last write comes before the free.
    PublishBeforeWriteFixed,
    /// A reaper walks the registry with the plain iterator and unlinks each entry as it goes:
    /// the next step follows the deleted entry's poisoned link.
    IterateDeleteBuggy,
    /// Twin: the reaper walks with the deletion-tolerant (`_safe`) iterator.
    IterateDeleteFixed,
    /// Sockets are on two lists (the registry and a lookup hash chain); closing unlinks the
    /// socket from the registry only and frees it. The slot comes back (LIFO) and is added to
    /// both lists again: on the hash chain, where it was still linked, that is the story's
    /// double add, and a reader walking the hash chain loops forever.
    TwoListsBuggy,
    /// Twin: closing unlinks from both lists before the free.
    TwoListsFixed,
}

/// Parameters of one run of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioConfig {
    /// Threads that only want the registry lock (socket scenarios). At least 1; loom takes at
    /// most 2 (it runs at most 5 threads, and the owner runs on the model's main thread).
    pub waiters: usize,
    /// Socket slots in the slab (socket scenarios), at least 2: the owner's and the allocator's.
    /// More slots mean more objects for every traversal bound and more free-list states.
    pub objects: usize,
    /// Std only: how long the registry lock may be held before the watchdog reports a soft
    /// lockup.
    pub watchdog: Duration,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        ScenarioConfig {
            waiters: 2,
            objects: 2,
            watchdog: Duration::from_millis(100),
        }
    }
}

/// What a scenario is expected to conclude on an engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Every execution passes.
    Pass,
    /// An execution fails with this kind.
    Finding(FindingKind),
    /// The engine cannot see the bug's root cause within its bounds (see
    /// [`Scenario::miss_reason`]): it passes, or it trips over one of these symptoms.
    Symptoms(&'static [FindingKind]),
}

impl Expected {
    /// Whether `verdict` is what was expected.
    pub fn accepts(self, verdict: &crate::Verdict) -> bool {
        match (self, verdict.finding()) {
            (Expected::Pass, None) | (Expected::Symptoms(_), None) => true,
            (Expected::Finding(kind), Some(finding)) => finding.kind == kind,
            (Expected::Symptoms(kinds), Some(finding)) => kinds.contains(&finding.kind),
            _ => false,
        }
    }

    /// `pass`, the kind's name, or `pass|use-after-free|...` for symptoms.
    pub fn label(self) -> String {
        match self {
            Expected::Pass => "pass".to_string(),
            Expected::Finding(kind) => kind.name().to_string(),
            Expected::Symptoms(kinds) => std::iter::once("pass")
                .chain(kinds.iter().map(|k| k.name()))
                .collect::<Vec<_>>()
                .join("|"),
        }
    }
}

impl Scenario {
    /// Every scenario, in catalogue order.
    pub const ALL: [Scenario; 19] = [
        Scenario::SocketBuggy,
        Scenario::SocketFixed,
        Scenario::SocketDebugList,
        Scenario::FreelistAba,
        Scenario::FreelistTagged,
        Scenario::UnlockedDelBuggy,
        Scenario::UnlockedDelFixed,
        Scenario::LookupWithoutRefBuggy,
        Scenario::LookupWithoutRefFixed,
        Scenario::DoubleFreeBuggy,
        Scenario::DoubleFreeFixed,
        Scenario::RelaxedUnlockBuggy,
        Scenario::RelaxedUnlockFixed,
        Scenario::PublishBeforeWriteBuggy,
        Scenario::PublishBeforeWriteFixed,
        Scenario::IterateDeleteBuggy,
        Scenario::IterateDeleteFixed,
        Scenario::TwoListsBuggy,
        Scenario::TwoListsFixed,
    ];

    /// The scenario's name, `family/variant`.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::SocketBuggy => "socket-lifecycle/buggy",
            Scenario::SocketFixed => "socket-lifecycle/fixed",
            Scenario::SocketDebugList => "socket-lifecycle/debug-list",
            Scenario::FreelistAba => "freelist/aba",
            Scenario::FreelistTagged => "freelist/tagged",
            Scenario::UnlockedDelBuggy => "unlocked-del/buggy",
            Scenario::UnlockedDelFixed => "unlocked-del/fixed",
            Scenario::LookupWithoutRefBuggy => "lookup-without-ref/buggy",
            Scenario::LookupWithoutRefFixed => "lookup-without-ref/fixed",
            Scenario::DoubleFreeBuggy => "double-free/buggy",
            Scenario::DoubleFreeFixed => "double-free/fixed",
            Scenario::RelaxedUnlockBuggy => "relaxed-unlock/buggy",
            Scenario::RelaxedUnlockFixed => "relaxed-unlock/fixed",
            Scenario::PublishBeforeWriteBuggy => "publish-before-write/buggy",
            Scenario::PublishBeforeWriteFixed => "publish-before-write/fixed",
            Scenario::IterateDeleteBuggy => "iterate-delete/buggy",
            Scenario::IterateDeleteFixed => "iterate-delete/fixed",
            Scenario::TwoListsBuggy => "two-lists/buggy",
            Scenario::TwoListsFixed => "two-lists/fixed",
        }
    }

    /// The scenario named `name`, if any.
    pub fn from_name(name: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.name() == name)
    }

    /// One line of story.
    pub fn story(self) -> &'static str {
        match self {
            Scenario::SocketBuggy => {
                "a socket freed while still linked is reallocated at the same address and added \
                 again: node.next == node, the reader loops forever under the lock"
            }
            Scenario::SocketFixed => {
                "unlink under the lock before free, refcounted lookups: no loop, no race, no use \
                 after free, no leak"
            }
            Scenario::SocketDebugList => {
                "the buggy lifecycle with CONFIG_DEBUG_LIST-style checks: the double add is \
                 refused at the add"
            }
            Scenario::FreelistAba => {
                "the slab's free list without its generation tag: a slot handed out twice"
            }
            Scenario::FreelistTagged => "the tagged free list: no slot handed out twice",
            Scenario::UnlockedDelBuggy => {
                "list_del without the lock while a reader walks under it: a data race on the links"
            }
            Scenario::UnlockedDelFixed => "list_del under the lock: the walk never races",
            Scenario::LookupWithoutRefBuggy => {
                "a lookup drops the lock and uses the socket without a reference while its owner \
                 frees it: use after free"
            }
            Scenario::LookupWithoutRefFixed => {
                "the lookup takes a reference under the lock: the last reference frees"
            }
            Scenario::DoubleFreeBuggy => {
                "the close path and an error path both free the socket: double free"
            }
            Scenario::DoubleFreeFixed => "freed once, by the last reference",
            Scenario::RelaxedUnlockBuggy => {
                "the spinlock's unlock stores Relaxed: the next holder may not see the list \
                 writes (weak memory; loom only)"
            }
            Scenario::RelaxedUnlockFixed => "the unlock stores Release",
            Scenario::PublishBeforeWriteBuggy => {
                "the owner frees (publishing the slot on the free list) before its last write: \
                 the slot's next owner races with it"
            }
            Scenario::PublishBeforeWriteFixed => "the last write happens before the free",
            Scenario::IterateDeleteBuggy => {
                "a reaper deletes entries while walking with the plain iterator: it follows a \
                 poisoned link"
            }
            Scenario::IterateDeleteFixed => "the reaper walks with the _safe iterator",
            Scenario::TwoListsBuggy => {
                "a socket on two lists is unlinked from one before the free; reallocated and \
                 added again, it loops on the other"
            }
            Scenario::TwoListsFixed => "unlinked from both lists before the free",
        }
    }

    /// The expected verdict on an engine that can see the bug.
    pub fn expected(self) -> Expected {
        match self {
            Scenario::SocketBuggy | Scenario::TwoListsBuggy => {
                Expected::Finding(FindingKind::LoopingReader)
            }
            Scenario::SocketDebugList => Expected::Finding(FindingKind::DoubleAdd),
            Scenario::FreelistAba => Expected::Finding(FindingKind::SlotHandedOutTwice),
            Scenario::UnlockedDelBuggy
            | Scenario::RelaxedUnlockBuggy
            | Scenario::PublishBeforeWriteBuggy => Expected::Finding(FindingKind::DataRace),
            Scenario::LookupWithoutRefBuggy => Expected::Finding(FindingKind::UseAfterFree),
            Scenario::DoubleFreeBuggy => Expected::Finding(FindingKind::DoubleFree),
            Scenario::IterateDeleteBuggy => Expected::Finding(FindingKind::ListCorruption),
            Scenario::SocketFixed
            | Scenario::FreelistTagged
            | Scenario::UnlockedDelFixed
            | Scenario::LookupWithoutRefFixed
            | Scenario::DoubleFreeFixed
            | Scenario::RelaxedUnlockFixed
            | Scenario::PublishBeforeWriteFixed
            | Scenario::IterateDeleteFixed
            | Scenario::TwoListsFixed => Expected::Pass,
        }
    }

    /// The fixed twin of a buggy scenario, or the buggy twin of a fixed one.
    pub fn twin(self) -> Scenario {
        let index = Scenario::ALL
            .iter()
            .position(|&s| s == self)
            .expect("every scenario is in ALL");
        match self {
            Scenario::SocketBuggy | Scenario::SocketDebugList => Scenario::SocketFixed,
            Scenario::SocketFixed => Scenario::SocketBuggy,
            Scenario::FreelistAba => Scenario::FreelistTagged,
            Scenario::FreelistTagged => Scenario::FreelistAba,
            // After the first five, the pairs alternate buggy, fixed.
            _ if index % 2 == 1 => Scenario::ALL[index + 1],
            _ => Scenario::ALL[index - 1],
        }
    }

    /// The verdict expected on `engine` within its quick bounds: [`Scenario::expected`], except
    /// where the engine misses the bug by design, as [`Scenario::miss_reason`] explains.
    pub fn expected_on(self, engine: crate::Engine) -> Expected {
        if self.miss_reason(engine).is_none() {
            return self.expected();
        }
        // What an engine that misses the root cause by design may still trip over by luck (a
        // seeded random schedule that happens to order things right counts as luck).
        Expected::Symptoms(match self {
            Scenario::SocketBuggy | Scenario::TwoListsBuggy => &[FindingKind::LoopingReader],
            Scenario::FreelistAba => &[FindingKind::SlotHandedOutTwice],
            Scenario::UnlockedDelBuggy => &[FindingKind::UseAfterFree, FindingKind::ListCorruption],
            Scenario::LookupWithoutRefBuggy | Scenario::PublishBeforeWriteBuggy => {
                &[FindingKind::UseAfterFree]
            }
            _ => &[],
        })
    }

    /// Why `engine` is not expected to find this scenario's bug within its quick bounds, if it
    /// is not. Measured, not assumed: see `BENCHMARKS.md`.
    pub fn miss_reason(self, engine: crate::Engine) -> Option<&'static str> {
        use crate::Engine;
        match (self, engine) {
            (Scenario::TwoListsBuggy, Engine::ShuttleRandom) => Some(
                "like the story, the reader must walk the hash chain after the allocator's \
                 re-add; uniform random schedules rarely order it so; PCT and DFS do",
            ),
            (Scenario::SocketBuggy, Engine::ShuttleRandom) => Some(
                "uniformly random schedules rarely run the reader after the owner's whole \
                 lifecycle and the allocator's add (measured: first found after 175,850 \
                 schedules with one waiter); PCT and DFS find it at once",
            ),
            (Scenario::FreelistAba, Engine::ShuttleRandom) => Some(
                "the ABA needs a preemption inside one pop's read-to-CAS window followed by \
                 two pops and a push; random schedules rarely line that up; PCT finds it",
            ),
            (Scenario::FreelistAba, Engine::ShuttleDfs) => Some(
                "shuttle's DFS has no preemption bound or partial-order reduction: the ABA \
                 schedule lies beyond the first iterations it explores in order",
            ),
            (Scenario::FreelistAba, Engine::Std) => Some(
                "real threads are almost never preempted inside the few instructions between \
                 a pop's read and its compare-and-swap",
            ),
            (
                Scenario::UnlockedDelBuggy | Scenario::PublishBeforeWriteBuggy,
                Engine::ShuttleRandom | Engine::ShuttlePct | Engine::ShuttleDfs | Engine::Std,
            ) => Some(
                "a data race on plain memory: shuttle has no race detector and never switches \
                 threads inside non-atomic code, and real threads almost never hit the window",
            ),
            (
                Scenario::LookupWithoutRefBuggy,
                Engine::ShuttleRandom | Engine::ShuttleDfs | Engine::Std,
            ) => Some(
                "the owner's unlink and free must land between the reader's unlock and its use \
                 of the socket; PCT (92 schedules) and loom (327 executions) find that order, \
                 uniform random and DFS orderings within 1,000 schedules and real threads \
                 rarely do",
            ),
            (Scenario::RelaxedUnlockBuggy, Engine::Loom) => None,
            (Scenario::RelaxedUnlockBuggy, _) => Some(
                "a weak-memory bug: shuttle explores sequentially consistent executions only, \
                 and x86's total store order makes a Relaxed store act like Release on real \
                 threads; only loom's C11 model shows it",
            ),
            _ => None,
        }
    }

    /// Runs one execution on platform `P`. Under a checker an actor's stop fails the execution
    /// with a panic (after recording the stop in `trace`), so the checker reports it with its
    /// schedule; on real threads the stop is recorded and the execution ends normally.
    pub fn execute<P: Threads>(self, config: &ScenarioConfig, trace: &Arc<Trace>) {
        match self {
            Scenario::FreelistAba => freelist::<P>(Tagging::Untagged, trace),
            Scenario::FreelistTagged => freelist::<P>(Tagging::Tagged, trace),
            lifecycle => socket_lifecycle::<P>(Lifecycle::of(lifecycle), config, trace),
        }
    }
}

/// What the socket actors do, as switches: each buggy scenario turns one of them the wrong way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Lifecycle {
    /// The owner unlinks its socket before dropping its reference (the story's fix).
    unlink_before_free: bool,
    /// ... and takes the lock to do it.
    unlink_under_lock: bool,
    /// The list nodes' check mode.
    list: CheckMode,
    /// The registry lock's defect.
    lock: LockDefect,
    /// The reader keeps the first socket past the unlock: `Some(true)` with a reference,
    /// `Some(false)` without one (the bug), `None` not at all.
    reader_keeps: Option<bool>,
    /// The owner frees its socket a second time on an error path.
    double_free: bool,
    /// The owner makes a last write to its socket as it closes it (`Some(after_free)`); only
    /// the publish-before-write pair does, since a write while a reader holds a reference would
    /// itself be a race.
    last_write: Option<bool>,
    /// The allocator waits until the owner has closed its socket (the story's order).
    allocator_waits: bool,
    /// The allocator runs at all.
    allocator: bool,
    /// The allocator closes its own socket too.
    allocator_closes: bool,
    /// The reader is a reaper that unlinks everything: `Some(uses_safe_iterator)`.
    reaper: Option<bool>,
    /// Sockets are also on the hash chain, and the reader walks it: `Some(unlink_from_it)`.
    hash_list: Option<bool>,
    /// KASAN-like and invariant checks (off only where the story models a kernel without them).
    checks: bool,
}

impl Lifecycle {
    /// The fixed protocol, which every other lifecycle varies.
    const FIXED: Lifecycle = Lifecycle {
        unlink_before_free: true,
        unlink_under_lock: true,
        list: CheckMode::Raw,
        lock: LockDefect::None,
        reader_keeps: Some(true),
        double_free: false,
        last_write: None,
        allocator_waits: true,
        allocator: true,
        allocator_closes: true,
        reaper: None,
        hash_list: None,
        checks: true,
    };

    fn of(scenario: Scenario) -> Lifecycle {
        let fixed = Lifecycle::FIXED;
        let story = Lifecycle {
            unlink_before_free: false,
            reader_keeps: None,
            allocator_closes: false,
            checks: false,
            ..fixed
        };
        let single_owner = Lifecycle {
            reader_keeps: None,
            allocator: false,
            ..fixed
        };
        let late_write = Lifecycle {
            reader_keeps: None,
            allocator_waits: false,
            last_write: Some(false),
            ..fixed
        };
        let reaping = Lifecycle {
            reader_keeps: None,
            allocator_closes: false,
            reaper: Some(true),
            ..fixed
        };
        match scenario {
            Scenario::SocketBuggy => story,
            Scenario::SocketDebugList => Lifecycle {
                list: CheckMode::Checked,
                ..story
            },
            Scenario::UnlockedDelBuggy => Lifecycle {
                unlink_under_lock: false,
                ..single_owner
            },
            Scenario::UnlockedDelFixed | Scenario::DoubleFreeFixed => single_owner,
            Scenario::LookupWithoutRefBuggy => Lifecycle {
                reader_keeps: Some(false),
                ..fixed
            },
            Scenario::DoubleFreeBuggy => Lifecycle {
                double_free: true,
                ..single_owner
            },
            Scenario::RelaxedUnlockBuggy => Lifecycle {
                lock: LockDefect::RelaxedUnlock,
                ..fixed
            },
            Scenario::PublishBeforeWriteBuggy => Lifecycle {
                last_write: Some(true),
                ..late_write
            },
            Scenario::PublishBeforeWriteFixed => late_write,
            Scenario::IterateDeleteBuggy => Lifecycle {
                reaper: Some(false),
                ..reaping
            },
            Scenario::IterateDeleteFixed => reaping,
            Scenario::TwoListsBuggy => Lifecycle {
                hash_list: Some(false),
                reader_keeps: None,
                allocator_closes: false,
                checks: false,
                ..fixed
            },
            Scenario::TwoListsFixed => Lifecycle {
                hash_list: Some(true),
                reader_keeps: None,
                ..fixed
            },
            Scenario::SocketFixed
            | Scenario::LookupWithoutRefFixed
            | Scenario::RelaxedUnlockFixed
            | Scenario::FreelistAba
            | Scenario::FreelistTagged => fixed,
        }
    }
}

/// Ends an actor with `stop`: recorded, then a panic under a checker.
fn stop_actor<P: Platform>(trace: &Trace, actor: &str, stop: Stop) {
    let message = format!("{}: {}", stop.kind, stop.message);
    trace.set_stop(actor, stop);
    if P::IS_CHECKER {
        panic!("{message}");
    }
}

/// Runs `body` as actor `name`: records its start and turns its stop into [`stop_actor`].
fn actor<P: Threads>(
    world: &Arc<World<P>>,
    name: &str,
    body: impl FnOnce(&World<P>) -> Result<(), Stop>,
) {
    world.started(name);
    if let Err(stop) = body(world) {
        stop_actor::<P>(&world.trace, name, stop);
    }
}

fn socket_lifecycle<P: Threads>(lifecycle: Lifecycle, config: &ScenarioConfig, trace: &Arc<Trace>) {
    let checks = Checks {
        list: lifecycle.list,
        use_after_free: lifecycle.checks,
        invariants_at_unlock: lifecycle.checks,
    };
    // By default two slots: the owner's socket and the allocator's. LIFO hands the allocator
    // the owner's slot whenever the owner's free comes first.
    let slots = config.objects.max(2);
    let mut world = World::<P>::new(slots, checks, lifecycle.lock, trace.clone());
    if lifecycle.hash_list.is_some() {
        world = world.with_hash_list();
    }
    let world = Arc::new(world);
    let mut threads = Vec::new();
    let spawn = |name: String, body: fn(&World<P>, Lifecycle) -> Result<(), Stop>| {
        let world = world.clone();
        P::spawn_named(
            name.clone(),
            Box::new(move || actor(&world, &name, |w| body(w, lifecycle))),
        )
    };
    if lifecycle.allocator {
        threads.push(spawn("allocator".to_string(), allocator::<P>));
    }
    if lifecycle.reaper.is_some() {
        threads.push(spawn("reaper".to_string(), reaper::<P>));
    } else {
        threads.push(spawn("reader".to_string(), reader::<P>));
        for i in 1..=config.waiters.max(1) {
            threads.push(spawn(format!("waiter-{i}"), waiter::<P>));
        }
    }
    let all_done = Arc::new(AtomicBool::new(false));
    let watchdog = (!P::IS_CHECKER).then(|| {
        let (world, all_done, limit) = (world.clone(), all_done.clone(), config.watchdog);
        std::thread::spawn(move || crate::watchdog::watch(&world, &all_done, limit))
    });
    // The owner runs on the execution's main thread (loom allows 5 threads in all).
    actor(&world, "owner", |w| owner(w, lifecycle));
    for thread in threads {
        if let Err(message) = P::join(thread) {
            // A checker has already failed the execution; on std, keep the first stop.
            if !P::IS_CHECKER {
                trace.set_stop(
                    "join",
                    Stop {
                        kind: FindingKind::Assertion,
                        message,
                    },
                );
            }
        }
    }
    all_done.store(true, Ordering::Relaxed);
    if let Some(watchdog) = watchdog {
        watchdog.thread().unpark();
        watchdog.join().expect("the watchdog does not panic");
    }
    if lifecycle.checks && trace.stop().is_none() {
        if let Err(stop) = world.check_no_leak() {
            stop_actor::<P>(trace, "owner", stop);
        }
    }
}

/// The socket's owner: allocate, register, and close (a reaper closes it instead, if any).
fn owner<P: Threads>(world: &World<P>, lifecycle: Lifecycle) -> Result<(), Stop> {
    let socket = world.alloc_socket(1)?;
    register(world, lifecycle, socket)?;
    let closed = if lifecycle.reaper.is_some() {
        Ok(())
    } else {
        close(world, lifecycle, socket)
    };
    world.owner_closed.set();
    closed
}

/// A second socket's creator, by default after the owner closed its socket (the story's "a new
/// socket is allocated"): with LIFO reuse it gets the owner's slot back unless a reference
/// still holds it.
fn allocator<P: Threads>(world: &World<P>, lifecycle: Lifecycle) -> Result<(), Stop> {
    if lifecycle.allocator_waits {
        world.owner_closed.wait();
    }
    let socket = world.alloc_socket(2)?;
    register(world, lifecycle, socket)?;
    world.allocator_added.set();
    if !lifecycle.allocator_waits {
        // Its port must still be its own: a late write by the slot's previous owner changes it.
        let port = world.read_port(socket)?;
        if port != 2 {
            return Err(Stop {
                kind: FindingKind::UseAfterFree,
                message: format!(
                    "slot#{}'s port changed under its new owner (2 -> {port}): a write after \
                     free",
                    socket.slot()
                ),
            });
        }
    }
    if lifecycle.allocator_closes {
        close(world, lifecycle, socket)?;
    }
    Ok(())
}

/// Adds a new socket to the registry (and to the hash chain, if the scenario has one).
fn register<P: Threads>(
    world: &World<P>,
    lifecycle: Lifecycle,
    socket: lifecycle_slab::Handle,
) -> Result<(), Stop> {
    let guard = world.lock();
    world.add(&guard, socket, Chain::Registry)?;
    if lifecycle.hash_list.is_some() {
        world.add(&guard, socket, Chain::Hash)?;
    }
    world.unlock(guard)
}

/// Closing a socket: unlink (under the lock, or not), the last write, drop the owner's
/// reference (which frees it unless a reader holds one), and the scenario's extra mistakes.
fn close<P: Threads>(
    world: &World<P>,
    lifecycle: Lifecycle,
    socket: lifecycle_slab::Handle,
) -> Result<(), Stop> {
    if !lifecycle.unlink_before_free {
        return world.free_socket(socket, true);
    }
    if lifecycle.unlink_under_lock {
        let guard = world.lock();
        world.del(&guard, socket, Chain::Registry)?;
        if lifecycle.hash_list == Some(true) {
            world.del(&guard, socket, Chain::Hash)?;
        }
        world.unlock(guard)?;
    } else {
        world.del_unlocked(socket)?;
    }
    let kept = world.slab.as_ptr(socket)?;
    if lifecycle.last_write == Some(false) {
        world.write_port_unchecked(kept, 0);
    }
    // Under the two-lists bug the socket is still on the hash chain when it is freed.
    world.put_ref_linked(socket, lifecycle.hash_list == Some(false))?;
    if lifecycle.last_write == Some(true) {
        world.write_port_unchecked(kept, 0);
    }
    if lifecycle.double_free {
        world.free_socket(socket, false)?;
    }
    Ok(())
}

/// The reader: walks the registry under the lock; it may keep the first socket past the
/// unlock, with or without a reference.
fn reader<P: Threads>(world: &World<P>, lifecycle: Lifecycle) -> Result<(), Stop> {
    let guard = world.lock();
    world.reader_walking.set();
    let chain = if lifecycle.hash_list.is_some() {
        Chain::Hash
    } else {
        Chain::Registry
    };
    let visited = match world.walk(&guard, chain) {
        Ok(visited) => visited,
        Err(stop) if stop.kind == FindingKind::LoopingReader => {
            world.loop_forever(guard, chain);
            return Err(stop);
        }
        Err(stop) => return Err(stop),
    };
    let kept = match (lifecycle.reader_keeps, visited.first()) {
        (Some(with_reference), Some(&socket)) => {
            if with_reference {
                world.get_ref(&guard, socket)?;
            }
            Some((socket, with_reference))
        }
        _ => None,
    };
    world.unlock(guard)?;
    if let Some((socket, with_reference)) = kept {
        world.read_port(socket)?;
        if with_reference {
            world.put_ref(socket)?;
        }
    }
    Ok(())
}

/// The reaper: once both sockets are on the registry, unlinks them all in one walk and drops
/// their owners' references.
fn reaper<P: Threads>(world: &World<P>, lifecycle: Lifecycle) -> Result<(), Stop> {
    world.allocator_added.wait();
    let guard = world.lock();
    let reaped = world.reap(&guard, lifecycle.reaper == Some(true))?;
    world.unlock(guard)?;
    for socket in reaped {
        world.put_ref(socket)?;
    }
    Ok(())
}

/// A thread that wants the registry lock while the reader holds it.
fn waiter<P: Threads>(world: &World<P>, _lifecycle: Lifecycle) -> Result<(), Stop> {
    world.reader_walking.wait();
    let guard = world.lock();
    world.unlock(guard)
}

/// The ABA actors on a four-slot slab: `T1` (the main thread) allocates twice; `T2` allocates A
/// and B and frees A. With the untagged free list, T1's first pop can read `head = A,
/// A.next = B`, lose the processor while T2 runs, and then install B, which T2 holds.
fn freelist<P: Threads>(tagging: Tagging, trace: &Arc<Trace>) {
    // SAFETY: `freelist/aba` passes the untagged free list to show its ABA: no actor relies on
    // the free list beyond what `alloc` reports, and `alloc` refuses the slot handed out twice
    // (its claim is a compare-and-swap), which is the finding. It runs on the checkers, and on
    // real threads, where the catalogue expects it to be missed.
    let slab = Arc::new(unsafe { Slab::<u64, P>::with_tagging(4, tagging, |_| 0) });
    let t2 = {
        let (slab, trace) = (slab.clone(), trace.clone());
        P::spawn_named(
            "T2".to_string(),
            Box::new(move || {
                trace.record(
                    "T2",
                    What::Started {
                        thread_id: P::thread_id(),
                    },
                );
                let result = (|| {
                    let a = alloc_traced(&slab, &trace, "T2")?;
                    let _b = alloc_traced(&slab, &trace, "T2")?;
                    slab.free(a)?;
                    trace.record(
                        "T2",
                        What::Free {
                            slot: a.slot(),
                            generation: a.generation(),
                            still_linked: false,
                        },
                    );
                    Ok(())
                })();
                if let Err(stop) = result {
                    stop_actor::<P>(&trace, "T2", stop);
                }
            }),
        )
    };
    trace.record(
        "T1",
        What::Started {
            thread_id: P::thread_id(),
        },
    );
    for _ in 0..2 {
        match alloc_traced(&slab, trace, "T1") {
            Ok(_) => {}
            Err(stop) if stop.message.starts_with("slab full") => {}
            Err(stop) => {
                stop_actor::<P>(trace, "T1", stop);
                break;
            }
        }
    }
    if let Err(message) = P::join(t2) {
        if !P::IS_CHECKER {
            trace.set_stop(
                "T2",
                Stop {
                    kind: FindingKind::Assertion,
                    message,
                },
            );
        }
    }
}

fn alloc_traced<P: Platform>(
    slab: &Slab<u64, P>,
    trace: &Trace,
    actor: &str,
) -> Result<lifecycle_slab::Handle, Stop> {
    let handle = slab.alloc()?;
    trace.record(
        actor,
        What::Alloc {
            slot: handle.slot(),
            generation: handle.generation(),
        },
    );
    Ok(handle)
}
