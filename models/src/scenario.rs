//! `Scenario`: the catalogue of lifecycle stories, each written once, generic over the platform,
//! and run unchanged by every engine.

use crate::threads::Threads;
use crate::trace::{Trace, What};
use crate::world::{Checks, Stop, World};
use crate::FindingKind;
use lifecycle_list::{CheckMode, Platform};
use lifecycle_slab::{Slab, SlabError, Tagging};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// One scenario of the catalogue.
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
}

/// Parameters of one run of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioConfig {
    /// Threads that only want the registry lock (socket scenarios). At least 1; loom takes at
    /// most 2 (it runs at most 5 threads, and the owner runs on the model's main thread).
    pub waiters: usize,
    /// Std only: how long the registry lock may be held before the watchdog reports a soft
    /// lockup.
    pub watchdog: Duration,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        ScenarioConfig {
            waiters: 2,
            watchdog: Duration::from_millis(100),
        }
    }
}

/// What a scenario is expected to conclude on an engine that can see its bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Every execution passes.
    Pass,
    /// An execution fails with this kind.
    Finding(FindingKind),
}

impl Scenario {
    /// Every scenario, in catalogue order.
    pub const ALL: [Scenario; 5] = [
        Scenario::SocketBuggy,
        Scenario::SocketFixed,
        Scenario::SocketDebugList,
        Scenario::FreelistAba,
        Scenario::FreelistTagged,
    ];

    /// The scenario's name, `family/variant`.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::SocketBuggy => "socket-lifecycle/buggy",
            Scenario::SocketFixed => "socket-lifecycle/fixed",
            Scenario::SocketDebugList => "socket-lifecycle/debug-list",
            Scenario::FreelistAba => "freelist/aba",
            Scenario::FreelistTagged => "freelist/tagged",
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
        }
    }

    /// The expected verdict.
    pub fn expected(self) -> Expected {
        match self {
            Scenario::SocketBuggy => Expected::Finding(FindingKind::LoopingReader),
            Scenario::SocketDebugList => Expected::Finding(FindingKind::DoubleAdd),
            Scenario::FreelistAba => Expected::Finding(FindingKind::SlotHandedOutTwice),
            Scenario::SocketFixed | Scenario::FreelistTagged => Expected::Pass,
        }
    }

    /// The verdict expected on `engine` within its quick bounds: [`Scenario::expected`], except
    /// where the engine misses the bug by design, as [`Scenario::miss_reason`] explains.
    pub fn expected_on(self, engine: crate::Engine) -> Expected {
        if self.miss_reason(engine).is_some() {
            Expected::Pass
        } else {
            self.expected()
        }
    }

    /// Why `engine` is not expected to find this scenario's bug within its quick bounds, if it
    /// is not. Measured, not assumed: see `BENCHMARKS.md`.
    pub fn miss_reason(self, engine: crate::Engine) -> Option<&'static str> {
        use crate::Engine;
        match (self, engine) {
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
            _ => None,
        }
    }

    /// Runs one execution on platform `P`. Under a checker an actor's stop fails the execution
    /// with a panic (after recording the stop in `trace`), so the checker reports it with its
    /// schedule; on real threads the stop is recorded and the execution ends normally.
    pub fn execute<P: Threads>(self, config: &ScenarioConfig, trace: &Arc<Trace>) {
        match self {
            Scenario::SocketBuggy => socket_lifecycle::<P>(Protocol::Buggy, config, trace),
            Scenario::SocketFixed => socket_lifecycle::<P>(Protocol::Fixed, config, trace),
            Scenario::SocketDebugList => {
                socket_lifecycle::<P>(Protocol::BuggyWithDebugList, config, trace)
            }
            Scenario::FreelistAba => freelist::<P>(Tagging::Untagged, trace),
            Scenario::FreelistTagged => freelist::<P>(Tagging::Tagged, trace),
        }
    }
}

/// How the socket actors treat the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Buggy,
    BuggyWithDebugList,
    Fixed,
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

fn socket_lifecycle<P: Threads>(protocol: Protocol, config: &ScenarioConfig, trace: &Arc<Trace>) {
    let checks = Checks {
        list: match protocol {
            Protocol::BuggyWithDebugList => CheckMode::Checked,
            Protocol::Buggy | Protocol::Fixed => CheckMode::Raw,
        },
        use_after_free: protocol == Protocol::Fixed,
        invariants_at_unlock: protocol == Protocol::Fixed,
    };
    // Two slots: the owner's socket and the allocator's. LIFO hands the allocator the owner's
    // slot whenever the owner's free comes first.
    let world = Arc::new(World::<P>::new(2, checks, trace.clone()));
    let mut threads = Vec::new();
    let spawn = |name: String, body: fn(&World<P>, Protocol) -> Result<(), Stop>| {
        let world = world.clone();
        P::spawn_named(
            name.clone(),
            Box::new(move || actor(&world, &name, |w| body(w, protocol))),
        )
    };
    threads.push(spawn("allocator".to_string(), allocator::<P>));
    threads.push(spawn("reader".to_string(), reader::<P>));
    for i in 1..=config.waiters.max(1) {
        threads.push(spawn(format!("waiter-{i}"), waiter::<P>));
    }
    let all_done = Arc::new(AtomicBool::new(false));
    let watchdog = (!P::IS_CHECKER).then(|| {
        let (world, all_done, limit) = (world.clone(), all_done.clone(), config.watchdog);
        std::thread::spawn(move || crate::watchdog::watch(&world, &all_done, limit))
    });
    // The owner runs on the execution's main thread (loom allows 5 threads in all).
    actor(&world, "owner", |w| owner(w, protocol));
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
    if protocol == Protocol::Fixed && trace.stop().is_none() {
        if let Err(stop) = world.check_no_leak() {
            stop_actor::<P>(trace, "owner", stop);
        }
    }
}

/// The socket's owner: allocate, register, and close.
fn owner<P: Threads>(world: &World<P>, protocol: Protocol) -> Result<(), Stop> {
    let socket = world.alloc_socket(1)?;
    let guard = world.lock();
    world.add(&guard, socket)?;
    world.unlock(guard)?;
    let closed = close(world, protocol, socket);
    world.owner_closed.set();
    closed
}

/// A second socket's creator, after the owner closed its socket (the story's "a new socket is
/// allocated"): with LIFO reuse it gets the owner's slot back unless a reference still holds it.
fn allocator<P: Threads>(world: &World<P>, protocol: Protocol) -> Result<(), Stop> {
    world.owner_closed.wait();
    let socket = world.alloc_socket(2)?;
    let guard = world.lock();
    world.add(&guard, socket)?;
    world.unlock(guard)?;
    if protocol == Protocol::Fixed {
        close(world, protocol, socket)?;
    }
    Ok(())
}

/// Closing a socket: the bug skips the unlink.
fn close<P: Threads>(
    world: &World<P>,
    protocol: Protocol,
    socket: lifecycle_slab::Handle,
) -> Result<(), Stop> {
    match protocol {
        Protocol::Buggy | Protocol::BuggyWithDebugList => world.free_socket(socket, true),
        Protocol::Fixed => {
            let guard = world.lock();
            world.del(&guard, socket)?;
            world.unlock(guard)?;
            world.put_ref(socket)
        }
    }
}

/// The reader: walks the registry under the lock; under the fixed protocol it keeps the first
/// socket past the unlock, holding a reference.
fn reader<P: Threads>(world: &World<P>, protocol: Protocol) -> Result<(), Stop> {
    let guard = world.lock();
    world.reader_walking.set();
    let visited = match world.walk(&guard) {
        Ok(visited) => visited,
        Err(stop) if stop.kind == FindingKind::LoopingReader => {
            world.loop_forever(guard);
            return Err(stop);
        }
        Err(stop) => return Err(stop),
    };
    let kept = match (protocol, visited.first()) {
        (Protocol::Fixed, Some(&socket)) => {
            world.get_ref(&guard, socket)?;
            Some(socket)
        }
        _ => None,
    };
    world.unlock(guard)?;
    if let Some(socket) = kept {
        world.read_port(socket)?;
        world.put_ref(socket)?;
    }
    Ok(())
}

/// A thread that wants the registry lock while the reader holds it.
fn waiter<P: Threads>(world: &World<P>, _protocol: Protocol) -> Result<(), Stop> {
    world.reader_walking.wait();
    let guard = world.lock();
    world.unlock(guard)
}

/// The ABA actors on a four-slot slab: `T1` (the main thread) allocates twice; `T2` allocates A
/// and B and frees A. With the untagged free list, T1's first pop can read `head = A,
/// A.next = B`, lose the processor while T2 runs, and then install B, which T2 holds.
fn freelist<P: Threads>(tagging: Tagging, trace: &Arc<Trace>) {
    let slab = Arc::new(Slab::<u64, P>::with_tagging(4, tagging, |_| 0));
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
                    slab.free(a).map_err(slab_stop)?;
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

fn slab_stop(error: SlabError) -> Stop {
    Stop {
        kind: FindingKind::from_slab_error(&error),
        message: error.to_string(),
    }
}

fn alloc_traced<P: Platform>(
    slab: &Slab<u64, P>,
    trace: &Trace,
    actor: &str,
) -> Result<lifecycle_slab::Handle, Stop> {
    let handle = slab.alloc().map_err(slab_stop)?;
    trace.record(
        actor,
        What::Alloc {
            slot: handle.slot(),
            generation: handle.generation(),
        },
    );
    Ok(handle)
}
