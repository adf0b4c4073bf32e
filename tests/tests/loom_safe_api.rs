//! The fixed lifecycle written against the safe API (issue #13), checked by loom and shuttle
//! through the platform layer: the unsafe code inside `SafeList`, `SafeSlab`, `Token`, `Ref` and
//! `Unique` (counts, link writes, the slot's cell) is what the checkers verify now.
//!
//! The model: an owner allocates a socket, stamps it (`&mut` through its `Unique`), registers
//! it (its token into the list, under the lock), unregisters it (the token back), drops its
//! reference (freeing the socket if nobody else holds one), then allocates again (LIFO: the
//! same slot, when it was freed) and stamps the new socket. A reader looks the socket up under
//! the lock, takes a counted reference, unlocks, and reads the stamp after the unlock. What
//! loom checks in every execution within the bound: no data race (the stamp write of a
//! reallocation never races a read through a live reference: loom's cell tracking), the read
//! after the unlock sees the stamp seen under the lock (no use after free), the list ends
//! empty and every slot free (no leak, no double free). Like the catalogue's `[[sometimes]]`
//! states, the proof must reach the states it is about, or it is vacuous: the reader finding
//! the socket, the reader's reference being the last one (the reader frees), and the owner's
//! reallocation getting the same slot back.
//!
//! Bounds: quick under plain `cargo test`; `RUSTFLAGS="--cfg loom"` (ci/loom.sh) runs loom at
//! preemption bound 3 (`LOOM_MAX_PREEMPTIONS`).

use lifecycle_list::{container_of, HasListLink, ListLink, Loom, Platform, Shuttle, SpinLock};
use lifecycle_models::{panic_message, Threads};
use lifecycle_slab::{SafeSlab, SlabList};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

const REGISTRY: u64 = 0;

/// A socket on the registry, on any platform.
struct Socket<P: Platform> {
    link: ListLink<P>,
    stamp: u64,
}

// SAFETY: `list_link` and `list_link_ptr` name the field `link` (the latter by a raw
// projection), and `from_list_link` inverts them by its offset.
unsafe impl<P: Platform> HasListLink<REGISTRY, P> for Socket<P> {
    fn list_link(&self) -> &ListLink<P> {
        &self.link
    }
    unsafe fn list_link_ptr(this: NonNull<Self>) -> NonNull<ListLink<P>> {
        // SAFETY: the caller guarantees `this` points into a live `Socket`.
        unsafe { NonNull::new_unchecked(&raw mut (*this.as_ptr()).link) }
    }
    unsafe fn from_list_link(link: NonNull<ListLink<P>>) -> NonNull<Self> {
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
struct Coverage {
    executions: AtomicUsize,
    reader_found_it: AtomicUsize,
    reader_freed_it: AtomicUsize,
    same_slot_again: AtomicUsize,
}

impl Coverage {
    fn report(&self, name: &str, elapsed: std::time::Duration) -> usize {
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
                reached > 0,
                "{name}: vacuous: no execution reached `{state}`"
            );
        }
        executions
    }
}

/// One execution of the fixed lifecycle on platform `P`.
fn lifecycle<P: Threads>(coverage: &'static Coverage) {
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
    let reader = P::spawn_named(
        "reader".to_string(),
        Box::new(move || {
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
                    "a counted reference taken under the lock must keep the socket from being \
                     freed and reallocated (and restamped) after the unlock"
                );
                let before = shared.slab.stats().in_use;
                drop(socket);
                if shared.slab.stats().in_use < before {
                    coverage.reader_freed_it.fetch_add(1, Ordering::Relaxed);
                }
            }
        }),
    );
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
    P::join(reader).unwrap_or_else(|message| panic!("{message}"));
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

/// The deep bound under `--cfg loom` (`LOOM_MAX_PREEMPTIONS`, default 3), `quick` otherwise.
fn bound(quick: usize) -> usize {
    if cfg!(loom) {
        std::env::var("LOOM_MAX_PREEMPTIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3)
    } else {
        quick
    }
}

/// Runs `check` and turns a checker's panic into the finding's message.
fn checked(name: &str, check: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(check)) {
        panic!("{name}: finding: {}", panic_message(&*payload));
    }
}

#[test]
fn the_safe_fixed_lifecycle_passes_loom() {
    let coverage: &'static Coverage = Box::leak(Box::default());
    let preemption_bound = bound(2);
    let start = Instant::now();
    checked("loom", || {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(preemption_bound);
        builder.check(move || lifecycle::<Loom>(coverage));
    });
    let name = format!("safe lifecycle on loom, bound {preemption_bound}");
    assert!(coverage.report(&name, start.elapsed()) > 1);
}

#[test]
fn the_safe_fixed_lifecycle_passes_shuttle_pct_and_random() {
    for (name, run) in [
        (
            "shuttle-pct",
            Arc::new(|c| shuttle::check_pct(move || lifecycle::<Shuttle>(c), 2_000, 3))
                as Arc<dyn Fn(&'static Coverage)>,
        ),
        (
            "shuttle-random",
            Arc::new(|c| shuttle::check_random(move || lifecycle::<Shuttle>(c), 2_000)),
        ),
    ] {
        let coverage: &'static Coverage = Box::leak(Box::default());
        let start = Instant::now();
        checked(name, || run(coverage));
        assert_eq!(
            coverage.report(&format!("safe lifecycle on {name}"), start.elapsed()),
            2_000
        );
    }
}
