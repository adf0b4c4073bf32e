//! The safe RCU layer (`RcuList`, `RcuWriter`, `Retired`) on real threads. Properties:
//! - `add` puts an entry first, `add_tail` last; `del_first` unlinks the first match only, and
//!   nothing when none matches;
//! - a removed entry is not destroyed while a reader pinned before the removal is pinned, and is
//!   destroyed once, after the grace period, by whoever collects (here: dropping the collector);
//! - a reader standing on a removed entry walks on into the list (`list_del_rcu` keeps `next`);
//! - dropping the list destroys what is still on it, once;
//! - a guard of another collector (or an unprotected one) is refused, with the invariant named;
//! - readers and writers on several threads: every entry a reader sees is alive, and every entry
//!   added is destroyed exactly once in the end. `RCU_SAFE_ROUNDS` overrides the rounds per
//!   thread (ci/miri.sh makes them fewer).
//!
//! Under `--cfg crossbeam_loom` crossbeam-epoch runs on loom's atomics, which only a loom model
//! may touch: this file is then empty (`loom_rcu_safe.rs` is that build's test).
#![cfg(not(crossbeam_loom))]

use lifecycle_list::epoch::{self, Collector};
use lifecycle_list::RcuList;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

mod rcu_entry;
use rcu_entry::Entry;

/// The ids a walk under a fresh guard sees.
fn ids(list: &RcuList<Entry>, collector: &Collector) -> Vec<u64> {
    let handle = collector.register();
    let guard = handle.pin();
    list.iter(&guard).map(Entry::read).collect()
}

#[test]
fn add_puts_first_add_tail_last_and_del_first_takes_the_first_match() {
    let drops = Arc::new(AtomicUsize::new(0));
    let collector = Collector::new();
    // SAFETY: the test keeps `collector` until after every handle and guard of it is dropped
    // (`ids`'s inside it; `handle` in the tuple before `collector`).
    let list = unsafe { RcuList::<Entry>::with_collector(collector.clone()) };
    {
        let mut writer = list.lock();
        assert!(writer.is_empty());
        writer.add(Entry::new(2, &drops));
        writer.add(Entry::new(1, &drops));
        writer.add_tail(Entry::new(3, &drops));
        writer.add_tail(Entry::new(1, &drops));
        assert_eq!(writer.len(), 4);
    }
    assert_eq!(ids(&list, &collector), [1, 2, 3, 1]);
    let handle = collector.register();
    let guard = handle.pin();
    let removed = list
        .lock()
        .del_first(&guard, |entry| entry.id == 1)
        .expect("entry 1 is on the list");
    assert_eq!(removed.read(), 1);
    removed.defer_destroy();
    assert!(list
        .lock()
        .del_first(&guard, |entry| entry.id == 9)
        .is_none());
    drop(guard);
    assert_eq!(ids(&list, &collector), [2, 3, 1]);
    assert_eq!(list.lock().len(), 3);
    drop(list);
    assert_eq!(
        drops.load(Ordering::Relaxed),
        3,
        "dropping the list frees its entries"
    );
    drop((handle, collector));
    assert_eq!(
        drops.load(Ordering::Relaxed),
        4,
        "and the collector the removed one"
    );
}

#[test]
fn a_removed_entry_outlives_the_readers_pinned_before_and_a_reader_on_it_walks_on() {
    let drops = Arc::new(AtomicUsize::new(0));
    let collector = Collector::new();
    // SAFETY: the test keeps `collector` until after every handle and guard of it is dropped
    // (`ids`'s inside it; `reader` and `updater` in the tuple before `collector`).
    let list = unsafe { RcuList::<Entry>::with_collector(collector.clone()) };
    for id in [3, 2, 1] {
        list.lock().add(Entry::new(id, &drops));
    }
    let reader = collector.register();
    let section = reader.pin();
    let mut walk = list.iter(&section);
    let standing_on = walk.next().expect("the first entry");
    assert_eq!(standing_on.read(), 1);

    let updater = collector.register();
    {
        let guard = updater.pin();
        list.lock()
            .del_first(&guard, |entry| entry.id == 1)
            .expect("entry 1 is on the list")
            .defer_destroy();
    }
    // Push the updater's garbage and try hard to advance the epoch: the reader holds it back.
    for _ in 0..8 {
        updater.pin().flush();
    }
    assert_eq!(
        drops.load(Ordering::Relaxed),
        0,
        "no destruction while a reader pinned before the removal is pinned"
    );
    assert_eq!(standing_on.read(), 1);
    let rest: Vec<u64> = walk.map(Entry::read).collect();
    assert_eq!(
        rest,
        [2, 3],
        "list_del_rcu leaves the entry's next for its readers"
    );
    drop(section);
    for _ in 0..8 {
        updater.pin().flush();
    }
    assert_eq!(
        drops.load(Ordering::Relaxed),
        1,
        "after the grace period the collector destroys the removed entry"
    );
    assert_eq!(ids(&list, &collector), [2, 3]);
    drop((list, reader, updater, collector));
    assert_eq!(drops.load(Ordering::Relaxed), 3);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "the default collector lives in a static and never runs the garbage left in it, \
              which Miri reports as leaked (the other tests use collectors of their own)"
)]
fn the_default_collector_works_with_epoch_pin() {
    let list = RcuList::<u64>::new();
    list.lock().add(7);
    let guard = epoch::pin();
    assert_eq!(list.iter(&guard).copied().collect::<Vec<_>>(), [7]);
    let removed = list.lock().del_first(&guard, |&value| value == 7).unwrap();
    assert_eq!(*removed, 7);
    removed.defer_destroy();
    assert_eq!(list.iter(&guard).count(), 0);
}

#[test]
#[should_panic(expected = "an RcuList accepts only guards that pin its own collector")]
fn a_guard_of_another_collector_is_refused_to_a_reader() {
    // SAFETY: no handle of the list's collector is ever registered.
    let list = unsafe { RcuList::<u64>::with_collector(Collector::new()) };
    // The other collector outlives its handle (crossbeam-epoch 0.9.21 frees a handle's `Local`
    // inside its own `finalize` when that handle is the collector's last reference, which Miri's
    // Tree Borrows reports in crossbeam-epoch's code: crossbeam-rs/crossbeam#545).
    let other = Collector::new();
    let handle = other.register();
    let guard = handle.pin();
    let _ = list.iter(&guard).count();
}

#[test]
#[should_panic(expected = "an RcuList accepts only guards that pin its own collector")]
fn a_guard_of_another_collector_is_refused_to_a_removal() {
    // SAFETY: no handle of the list's collector is ever registered.
    let list = unsafe { RcuList::<u64>::with_collector(Collector::new()) };
    list.lock().add(1);
    let other = Collector::new();
    let handle = other.register();
    let guard = handle.pin();
    let _ = list.lock().del_first(&guard, |_| true);
}

#[test]
#[should_panic(expected = "an RcuList accepts only guards that pin its own collector")]
fn an_unprotected_guard_is_refused() {
    // SAFETY: no handle of the list's collector is ever registered.
    let list = unsafe { RcuList::<u64>::with_collector(Collector::new()) };
    list.lock().add(1);
    // SAFETY: nothing else touches the list; the list refuses the guard before using it.
    let guard = unsafe { epoch::unprotected() };
    let _ = list.lock().del_first(guard, |_| true);
}

#[test]
fn readers_and_writers_on_threads_never_see_a_destroyed_entry_and_destroy_each_once() {
    let rounds: u64 = std::env::var("RCU_SAFE_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    const WRITERS: u64 = 2;
    const READERS: usize = 2;
    let drops = Arc::new(AtomicUsize::new(0));
    let collector = Collector::new();
    // SAFETY: the threads' handles are dropped inside the scope, and `collector` lives past it.
    let list = unsafe { RcuList::<Entry>::with_collector(collector.clone()) };
    // One entry that stays, so readers always have something to walk past.
    list.lock().add(Entry::new(u64::MAX, &drops));
    let start = Barrier::new(READERS + WRITERS as usize);
    let seen = AtomicUsize::new(0);
    thread::scope(|scope| {
        for writer in 0..WRITERS {
            let (list, collector, drops, start) = (&list, &collector, &drops, &start);
            scope.spawn(move || {
                let handle = collector.register();
                start.wait();
                for round in 0..rounds {
                    let id = writer * rounds + round;
                    if round % 2 == 0 {
                        list.lock().add(Entry::new(id, drops));
                    } else {
                        list.lock().add_tail(Entry::new(id, drops));
                    }
                    let guard = handle.pin();
                    let removed = list
                        .lock()
                        .del_first(&guard, |entry| entry.id == id)
                        .expect("a writer's own entry is on the list until it removes it");
                    assert_eq!(removed.read(), id);
                    removed.defer_destroy();
                }
            });
        }
        for _ in 0..READERS {
            let (list, collector, seen, start) = (&list, &collector, &seen, &start);
            scope.spawn(move || {
                let handle = collector.register();
                start.wait();
                for _ in 0..rounds {
                    let guard = handle.pin();
                    let mut count = 0;
                    for entry in list.iter(&guard) {
                        let id = entry.read();
                        assert!(id == u64::MAX || id < WRITERS * rounds, "an id added: {id}");
                        count += 1;
                    }
                    assert!(count >= 1, "the entry that stays is always on the list");
                    seen.fetch_add(count, Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(list.lock().len(), 1, "every writer removed what it added");
    assert!(seen.load(Ordering::Relaxed) >= READERS * rounds as usize);
    drop((list, collector));
    assert_eq!(
        drops.load(Ordering::Relaxed),
        (WRITERS * rounds + 1) as usize,
        "every entry added is destroyed exactly once"
    );
}
