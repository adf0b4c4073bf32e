//! The model of the fixed lifecycle written against the safe API (issue #13), shared by
//! `loom_safe_api.rs` and `shuttle_safe_api.rs` (separate binaries: shuttle's panic hook is
//! process-wide), which check it through the platform layer: the unsafe code inside `SafeList`, `SafeSlab`, `Token`, `Ref` and
//! `Unique` (counts, link writes, the slot's cell) is what the checkers verify now.
//!
//! The model: an owner allocates a socket, stamps it (`&mut` through its `Unique`), registers
//! it (its token into the list, under the lock), unregisters it (the token back), drops its
//! reference (freeing the socket if nobody else holds one), then allocates again (LIFO: the
//! same slot, when it was freed) and stamps the new socket. A reader looks the socket up under
//! the lock, takes a counted reference, unlocks, and reads the stamp after the unlock (one
//! reader, or two). What
//! loom checks in every execution within the bound: no data race (the stamp write of a
//! reallocation never races a read through a live reference: loom's cell tracking), the read
//! after the unlock sees the stamp seen under the lock (no use after free), the list ends
//! empty and every slot free (no leak, no double free). Like the catalogue's `[[sometimes]]`
//! states, the proof must reach the states it is about, or it is vacuous: the reader finding
//! the socket, the reader's reference being the last one (the reader frees), and the owner's
//! reallocation getting the same slot back.

use lifecycle_list::{container_of, HasListLink, ListLink, Platform, SpinLock};
use lifecycle_models::panic_message;
use lifecycle_models::Threads;
use lifecycle_slab::{SafeSlab, SlabList};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

const REGISTRY: u64 = 0;

/// A socket on the registry, on any platform.
struct Socket<P: Platform> {
    link: ListLink<REGISTRY, P>,
    stamp: u64,
}

// SAFETY: `list_link` and `list_link_ptr` name the field `link` (the latter by a raw
// projection), and `from_list_link` inverts them by its offset.
unsafe impl<P: Platform> HasListLink<REGISTRY, P> for Socket<P> {
    fn list_link(&self) -> &ListLink<REGISTRY, P> {
        &self.link
    }
    unsafe fn list_link_ptr(this: NonNull<Self>) -> NonNull<ListLink<REGISTRY, P>> {
        // SAFETY: the caller guarantees `this` points into a live `Socket`.
        unsafe { NonNull::new_unchecked(&raw mut (*this.as_ptr()).link) }
    }
    unsafe fn from_list_link(link: NonNull<ListLink<REGISTRY, P>>) -> NonNull<Self> {
        // SAFETY: the caller guarantees `link` points to `link` of a live `Socket`.
        unsafe { container_of!(link, Socket<P>, link) }
    }
}

/// What one execution shares: the slab and the registry under its lock.
struct World<P: Platform> {
    slab: SafeSlab<Socket<P>, P>,
    registry: SpinLock<SlabList<'static, Socket<P>, REGISTRY, P>, P>,
}

/// How many executions reached each state the proof is about.
#[derive(Default)]
pub struct Coverage {
    executions: AtomicUsize,
    reader_found_it: AtomicUsize,
    reader_freed_it: AtomicUsize,
    same_slot_again: AtomicUsize,
}

impl Coverage {
    /// Prints the counts; a proof (`proves`: loom) that misses a state is vacuous and fails.
    /// shuttle tests rather than proves, so there a missed state is a statistic.
    pub fn report(&self, name: &str, elapsed: std::time::Duration, proves: bool) -> usize {
        let executions = self.executions.load(Ordering::Relaxed);
        let states = [
            ("the reader finds the socket", &self.reader_found_it),
            (
                "the reader's reference is the last (it frees)",
                &self.reader_freed_it,
            ),
            ("the reallocation gets the same slot", &self.same_slot_again),
        ];
        eprintln!("{name}: pass, {executions} executions in {elapsed:.1?}");
        for (state, count) in states {
            let reached = count.load(Ordering::Relaxed);
            eprintln!("    sometimes: {state}: {reached} of {executions}");
            assert!(
                reached > 0 || !proves,
                "{name}: vacuous: no execution reached `{state}`"
            );
        }
        executions
    }
}

/// A reader: looks the socket up under the lock, takes a counted reference, unlocks, and reads
/// the stamp through the reference.
fn read<P: Platform>(shared: &World<P>, coverage: &Coverage) {
    let found = {
        let list = shared.registry.lock().expect("no holder panicked");
        list.iter()
            .next()
            .map(|token| (token.stamp, token.to_ref()))
    };
    if let Some((under_lock, socket)) = found {
        coverage.reader_found_it.fetch_add(1, Ordering::Relaxed);
        assert_eq!(
            socket.stamp, under_lock,
            "a counted reference taken under the lock must keep the socket from being freed \
             and reallocated (and restamped) after the unlock"
        );
        let before = shared.slab.stats().in_use;
        drop(socket);
        if shared.slab.stats().in_use < before {
            coverage.reader_freed_it.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// One execution of the fixed lifecycle on platform `P`: the owner on this thread, `readers`
/// readers on threads of their own.
pub fn lifecycle<P: Threads>(coverage: &'static Coverage, readers: usize) {
    coverage.executions.fetch_add(1, Ordering::Relaxed);
    let world = Box::into_raw(Box::new(World::<P> {
        slab: SafeSlab::new(2, |_| Socket {
            link: ListLink::new(),
            stamp: 0,
        }),
        registry: SpinLock::new(SlabList::new()),
    }));
    // SAFETY: `world` stays allocated until the end of this function, after both threads are
    // joined; `'static` is only what the spawned thread's closure must be.
    let shared: &'static World<P> = unsafe { &*world };
    let readers: Vec<_> = (1..=readers)
        .map(|n| {
            P::spawn_named(
                format!("reader-{n}"),
                Box::new(move || read(shared, coverage)),
            )
        })
        .collect();
    // The owner.
    let mut socket = shared.slab.alloc().expect("two free slots");
    socket.stamp = 1;
    let first_slot = socket.handle().slot();
    let token = socket.into_token::<REGISTRY>();
    let mine = token.to_ref();
    shared
        .registry
        .lock()
        .expect("no holder panicked")
        .add(token);
    let token = shared
        .registry
        .lock()
        .expect("no holder panicked")
        .del(&mine)
        .expect("the owner's socket is on the registry");
    drop(token);
    match mine.try_unique() {
        Ok(socket) => shared.slab.free(socket).expect("from this slab"),
        Err(mine) => drop(mine), // the reader holds a reference: the last one frees
    }
    let mut again = shared.slab.alloc().expect("a free slot");
    again.stamp = 2;
    if again.handle().slot() == first_slot {
        coverage.same_slot_again.fetch_add(1, Ordering::Relaxed);
    }
    let token = again.into_token::<REGISTRY>();
    let mine = token.to_ref();
    shared
        .registry
        .lock()
        .expect("no holder panicked")
        .add(token);
    drop(
        shared
            .registry
            .lock()
            .expect("no holder panicked")
            .del(&mine),
    );
    mine.try_unique()
        .map(|socket| socket.free())
        .unwrap_or_else(drop);
    for reader in readers {
        P::join(reader).unwrap_or_else(|message| panic!("{message}"));
    }
    assert!(
        shared
            .registry
            .lock()
            .expect("no holder panicked")
            .is_empty(),
        "every socket added was deleted"
    );
    let stats = shared
        .slab
        .check_quiescent()
        .expect("the free list is sound");
    assert_eq!(
        (stats.in_use, stats.free),
        (0, 2),
        "the last reference to each socket freed it, once"
    );
    // SAFETY: both threads are joined; no reference into `world` is left.
    drop(unsafe { Box::from_raw(world) });
}

/// Runs `check` and turns a checker's panic into the finding's message.
pub fn checked(name: &str, check: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(check)) {
        panic!("{name}: finding: {}", panic_message(&*payload));
    }
}
