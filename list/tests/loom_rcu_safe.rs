//! The safe RCU layer's fixed lifecycle under loom, with crossbeam-epoch on loom's atomics
//! (`--cfg crossbeam_loom`), so loom sees the epoch's pins, fences and garbage bags as well as
//! the list's links, its lock and the entries' data.
//!
//! The model: an updater adds an entry A (`list_add_rcu` through the lock's writer), removes it
//! (`list_del_rcu`) and hands it to deferred destruction (`Retired::defer_destroy`), then
//! drives the collector (`pin` + `flush`, which advances the epoch when no reader holds it back
//! and runs the garbage whose grace period has passed). A reader pins a guard, walks the list
//! with no lock and reads the data of what it finds. An entry's destructor marks its data
//! destroyed (a write to a loom cell) and counts itself. In the second model the updater also
//! puts an entry B behind A (`list_add_tail_rcu`) before it removes A, so a reader may reach B
//! through the link the removal wrote (which must be a release store). In the third, from the
//! layer's review, B is put behind A by a second writer thread while the updater removes A.
//!
//! What loom checks in every execution within the bound: the reader's read of an entry's data
//! never races the destructor's write nor the data's initialization (loom's cell tracking); the
//! reader never finds an entry destroyed (its count is 0 for as long as the reader stands on
//! it); every entry is destroyed exactly once in the end (A by its grace period or when the
//! collector goes, B when the list goes). Like the safe lifecycle's `Coverage`
//! (`tests/tests/safe_lifecycle/mod.rs`), the proof must reach the states it is about, or it is
//! vacuous: the reader finding A, reading it after its removal, A's destructor running while
//! the model runs (not only when the collector is dropped at its end), both in one execution,
//! and in the second model the reader reaching B through the removal's store.
//!
//! The models fail when the layer does (each checked by hand at bound 2): a `Retired` that
//! destroys at once instead of deferring fails both ("the reader never finds an entry
//! destroyed"); a `Relaxed` publish in `add` or a `Relaxed` load of the head fails both, a
//! `Relaxed` unlink in `del_first` or a `Relaxed` load of an entry's `next` the second:
//! "Causality violation: Concurrent load and mut accesses" on an entry's data.
//!
//! Run it with `RUSTFLAGS="--cfg loom --cfg crossbeam_loom" cargo test --release -p
//! lifecycle-list --test loom_rcu_safe` (ci/loom.sh, in a target directory of its own: that cfg
//! switches crossbeam-epoch and crossbeam-utils to loom for the whole build, and their std
//! users would then touch loom outside a model). Bound: `LOOM_MAX_PREEMPTIONS` (default 3) under
//! `--cfg loom`, 2 otherwise. Without `--cfg crossbeam_loom` this file is empty: crossbeam-epoch
//! would run on std atomics that loom does not see.
#![cfg(crossbeam_loom)]

use lifecycle_list::epoch::Collector;
use lifecycle_list::{Loom, RcuList};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

mod loom_bound;
use loom_bound::bound;

/// The data an entry holds while alive, and once destroyed.
const STAMP: u64 = 7;
const DESTROYED: u64 = 0xdead;
/// The entry the updater removes, and the one it puts behind it in the second model.
const A: usize = 0;
const B: usize = 1;

/// What one execution records about its entries, read by both threads (std atomics: loom runs
/// one thread at a time, so a load sees the last store in the schedule, and "destroyed before
/// the reader's check" means before in the execution itself).
#[derive(Default)]
struct Record {
    destroyed: [AtomicUsize; 2],
    found: [AtomicUsize; 2],
    a_unlinked: AtomicUsize,
}

/// An entry: its name (`A` or `B`) and its data in a loom cell, so loom checks every access to
/// the data for a race.
struct Entry {
    name: usize,
    data: loom::cell::UnsafeCell<u64>,
    record: Arc<Record>,
}

// SAFETY: `data` is shared between the reader and the destructor on purpose, and every access
// to it goes through loom's cell, which reports an unsynchronized pair as a causality violation
// instead of letting it happen unchecked (as `Data` in `loom_rcu_list.rs`). So the list may be
// `Sync`, as a list shared with readers on other threads must be (loom's `spawn` does not ask).
unsafe impl Sync for Entry {}

impl Entry {
    fn new(name: usize, record: &Arc<Record>) -> Self {
        Entry {
            name,
            data: loom::cell::UnsafeCell::new(STAMP),
            record: record.clone(),
        }
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        // SAFETY: a plain write that loom checks against every read of the data.
        self.data.with_mut(|data| unsafe { *data = DESTROYED });
        self.record.destroyed[self.name].fetch_add(1, Ordering::Relaxed);
    }
}

/// How many executions reached each state the proof is about.
#[derive(Default)]
struct Coverage {
    executions: AtomicUsize,
    found_a: AtomicUsize,
    read_a_after_unlink: AtomicUsize,
    a_destroyed_during_the_run: AtomicUsize,
    found_a_then_destroyed_during_the_run: AtomicUsize,
    reached_b_through_the_unlink: AtomicUsize,
}

impl Coverage {
    /// Prints the counts and fails if a state was never reached (a vacuous proof); the state
    /// about B only in the model that has B.
    fn report(&self, name: &str, elapsed: std::time::Duration, successor: bool) -> usize {
        let executions = self.executions.load(Ordering::Relaxed);
        let mut states = vec![
            ("the reader finds A", &self.found_a),
            (
                "the reader reads A after its removal (the destruction must wait)",
                &self.read_a_after_unlink,
            ),
            (
                "A's destructor runs before the updater joins the reader",
                &self.a_destroyed_during_the_run,
            ),
            (
                "the reader finds A and A's destructor runs before the join (the grace period \
                 ends after the reader's section, while the model runs)",
                &self.found_a_then_destroyed_during_the_run,
            ),
        ];
        if successor {
            states.push((
                "the reader reaches B first, through the link A's removal wrote",
                &self.reached_b_through_the_unlink,
            ));
        }
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

/// The reader: one read-side section, a lockless walk, the data of every entry read.
fn read(list: &RcuList<Entry, Loom>, collector: &Collector, record: &Record, coverage: &Coverage) {
    let handle = collector.register();
    let guard = handle.pin();
    for (position, entry) in list.iter(&guard).enumerate() {
        let name = entry.name;
        assert_eq!(
            record.destroyed[name].load(Ordering::Relaxed),
            0,
            "the reader never finds an entry destroyed: its destruction is deferred past the \
             grace period of the reader's guard"
        );
        // SAFETY: a plain read that loom checks against the initialization and the destructor.
        let data = entry.data.with(|data| unsafe { *data });
        assert_eq!(
            data, STAMP,
            "an entry's data is written before the release store that publishes it, and \
             destroyed only after a grace period that waits for this reader"
        );
        record.found[name].store(1, Ordering::Relaxed);
        if name == A {
            coverage.found_a.fetch_add(1, Ordering::Relaxed);
            if record.a_unlinked.load(Ordering::Relaxed) != 0 {
                coverage.read_a_after_unlink.fetch_add(1, Ordering::Relaxed);
            }
        } else if position == 0 {
            coverage
                .reached_b_through_the_unlink
                .fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// `loom::thread::spawn`, with the bound `std::thread::spawn` has: what the reader takes along (the
/// list, so its entries) may really be shared with another thread.
fn spawn(reader: impl FnOnce() + Send + 'static) -> loom::thread::JoinHandle<()> {
    loom::thread::spawn(reader)
}

/// One execution: the updater on this thread, the reader on one of its own; `successor`: B is
/// put behind A before A is removed.
fn lifecycle(coverage: &'static Coverage, successor: bool) {
    coverage.executions.fetch_add(1, Ordering::Relaxed);
    let collector = Collector::new();
    // SAFETY: every handle of `collector` is dropped while a `Collector` of it is alive: the
    // reader's inside `read`, which borrows the reader's clone; `handle` at the end, in the
    // tuple before `collector`.
    let list = Arc::new(unsafe { RcuList::<Entry, Loom>::with_collector(collector.clone()) });
    let record = Arc::new(Record::default());
    let reader = {
        let (list, collector, record) = (list.clone(), collector.clone(), record.clone());
        spawn(move || read(&list, &collector, &record, coverage))
    };
    let handle = collector.register();
    {
        // Pinned before the entries are made: a pin is a SeqCst fence, which would make any
        // later store a release one for loom (and for C11), and then a removal that did not
        // publish with a release store would go unnoticed.
        let guard = handle.pin();
        list.lock().add(Entry::new(A, &record));
        if successor {
            list.lock().add_tail(Entry::new(B, &record));
        }
        let removed = list
            .lock()
            .del_first(&guard, |entry| entry.name == A)
            .expect("A is on the list");
        record.a_unlinked.store(1, Ordering::Relaxed);
        removed.defer_destroy();
    }
    // Two epoch advances make the garbage bag expire; each `flush` tries one and collects.
    for _ in 0..2 {
        handle.pin().flush();
    }
    if record.destroyed[A].load(Ordering::Relaxed) != 0 {
        coverage
            .a_destroyed_during_the_run
            .fetch_add(1, Ordering::Relaxed);
        if record.found[A].load(Ordering::Relaxed) != 0 {
            coverage
                .found_a_then_destroyed_during_the_run
                .fetch_add(1, Ordering::Relaxed);
        }
    }
    reader.join().expect("the reader passes");
    assert_eq!(
        list.lock().len(),
        usize::from(successor),
        "A was removed, B stays"
    );
    drop((list, handle, collector));
    for (name, added) in [(A, true), (B, successor)] {
        assert_eq!(
            record.destroyed[name].load(Ordering::Relaxed),
            usize::from(added),
            "every entry is destroyed exactly once: a removed one by its grace period or when \
             the last handle of the collector goes, one still on the list when the list goes"
        );
    }
}

/// Explores the lifecycle on loom at `preemption_bound`; returns the executions explored.
fn explore(successor: bool, preemption_bound: usize) -> usize {
    let coverage: &'static Coverage = Box::leak(Box::default());
    let start = Instant::now();
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(preemption_bound);
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| {
        builder.check(move || lifecycle(coverage, successor))
    })) {
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        panic!("loom: finding: {message}");
    }
    let shape = if successor { "A then B" } else { "A" };
    let name = format!("the RcuList lifecycle ({shape}) on loom at bound {preemption_bound}");
    coverage.report(&name, start.elapsed(), successor)
}

#[test]
fn the_rcu_list_lifecycle_never_destroys_what_a_reader_stands_on() {
    assert!(explore(false, bound(2, 3)) > 1);
}

#[test]
fn a_reader_reaching_the_successor_through_a_removal_sees_it_initialized() {
    assert!(explore(true, bound(2, 3)) > 1);
}

/// A third model, from the layer's review: the entry a removal exposes was published by another
/// writer thread. A second writer puts B behind A (`add_tail`: a release store into A's `next`)
/// while the updater removes A (`del_first`: a relaxed load of A's `next` under the lock, then a
/// release store into the head); a reader that finds B first got it through the removal's store
/// and must see B's data initialized on the other writer's thread: happens-before through that
/// writer's unlock and the updater's lock, then the removal's release store.
#[test]
fn a_removal_exposing_an_entry_another_writer_published_sees_it_initialized() {
    let coverage: &'static Coverage = Box::leak(Box::default());
    let start = Instant::now();
    let preemption_bound = bound(2, 3);
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(preemption_bound);
    builder.check(move || {
        coverage.executions.fetch_add(1, Ordering::Relaxed);
        let collector = Collector::new();
        // SAFETY: every handle of `collector` is dropped while a `Collector` of it is alive:
        // the reader's inside `read`, which borrows the reader's clone; the updater's inside
        // its block, before `collector` is dropped at the end.
        let list = Arc::new(unsafe { RcuList::<Entry, Loom>::with_collector(collector.clone()) });
        let record = Arc::new(Record::default());
        list.lock().add(Entry::new(A, &record));
        let writer = {
            let (list, record) = (list.clone(), record.clone());
            spawn(move || list.lock().add_tail(Entry::new(B, &record)))
        };
        let reader = {
            let (list, collector, record) = (list.clone(), collector.clone(), record.clone());
            spawn(move || read(&list, &collector, &record, coverage))
        };
        {
            let handle = collector.register();
            let guard = handle.pin();
            list.lock()
                .del_first(&guard, |entry| entry.name == A)
                .expect("A is on the list")
                .defer_destroy();
            record.a_unlinked.store(1, Ordering::Relaxed);
        }
        writer.join().expect("the writer passes");
        reader.join().expect("the reader passes");
        assert_eq!(list.lock().len(), 1, "A was removed, B stays");
        drop((list, collector));
    });
    let executions = coverage.executions.load(Ordering::Relaxed);
    let reached = coverage
        .reached_b_through_the_unlink
        .load(Ordering::Relaxed);
    eprintln!(
        "the RcuList with two writers on loom at bound {preemption_bound}: pass, {executions} \
         executions in {:.1?}",
        start.elapsed()
    );
    eprintln!("    sometimes: the reader reaches B first, through A's removal: {reached}");
    assert!(
        reached > 0,
        "vacuous: no execution had the reader reach B first"
    );
}
