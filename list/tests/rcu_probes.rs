//! Probes of the safe RCU layer from its review (branch review-rcu), kept beside
//! `rcu_safe_std.rs` for the edges it does not take: safe-code scenarios that would show
//! undefined behaviour or a broken invariant under Miri (Tree Borrows) if the layer had one. A
//! `Retired` outliving its writer and its list; a reader standing on an entry removed and
//! destroyed from another thread; a panic inside `del_first`'s `matches` (the poisoned lock taken
//! again, the count intact); a forgotten `Retired` (a leak, no double free); a destructor that
//! re-enters its own list (pins, walks, locks, removes) when the collector runs it on a thread
//! that does not hold the lock, which `RcuList::lock`'s check for a thread taking the lock it
//! holds must let through; the auto traits and variance of the public types.
//!
//! `MIRIFLAGS=-Zmiri-tree-borrows cargo +nightly miri test -p lifecycle-list \
//!   --no-default-features --test rcu_probes`
#![cfg(not(crossbeam_loom))]

use lifecycle_list::epoch::{self, Collector};
use lifecycle_list::{RcuGuard, RcuIter, RcuList, RcuWriter, Retired};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

mod rcu_entry;
use rcu_entry::Entry;

fn ids(list: &RcuList<Entry>) -> Vec<u64> {
    let handle = list.collector().register();
    let guard = handle.pin();
    list.iter(&guard).map(Entry::read).collect()
}

/// Drives `collector` until its garbage is gone (each flush advances the epoch at most once).
fn collect(collector: &Collector) {
    let handle = collector.register();
    for _ in 0..16 {
        handle.pin().flush();
    }
}

/// A `Retired` outlives its writer (lock released) and the list itself, is read, then deferred.
#[test]
fn a_retired_outlives_its_writer_and_its_list() {
    let drops = Arc::new(AtomicUsize::new(0));
    let collector = Collector::new();
    // SAFETY: the test keeps `collector` until after every handle and guard of it is dropped
    // (`ids`'s and `collect`'s inside them; `handle` in the tuple before `collector`).
    let list = unsafe { RcuList::<Entry>::with_collector(collector.clone()) };
    let handle = collector.register();
    let guard = handle.pin();
    let retired = {
        let mut writer = list.lock();
        writer.add(Entry::new(1, &drops));
        writer.add(Entry::new(2, &drops));
        writer.del_first(&guard, |e| e.id == 2).unwrap()
    };
    // Another writer changes the list while the Retired lives.
    list.lock().add_tail(Entry::new(3, &drops));
    assert_eq!(ids(&list), [1, 3]);
    drop(list); // frees 1 and 3 at once
    assert_eq!(drops.load(Ordering::Relaxed), 2);
    assert_eq!(retired.read(), 2);
    retired.defer_destroy();
    drop(guard);
    collect(&collector);
    drop((handle, collector));
    assert_eq!(drops.load(Ordering::Relaxed), 3);
}

/// A reader standing on an entry that another thread removes and destroys through its own
/// collector handle, while this reader's guard is pinned; the user's clone of the collector is
/// dropped meanwhile (the list keeps one).
#[test]
fn a_reader_outlives_the_removal_and_the_users_collector() {
    let drops = Arc::new(AtomicUsize::new(0));
    let collector = Collector::new();
    // SAFETY: every handle and guard of the collector is dropped while the list (which holds a
    // `Collector`) is alive: the thread's and `collect`'s inside them, `reader` and `guard` at
    // the end, before the list (declared after it).
    let list = unsafe { RcuList::<Entry>::with_collector(collector.clone()) };
    list.lock().add(Entry::new(1, &drops));
    list.lock().add(Entry::new(2, &drops));
    let reader = collector.register();
    drop(collector);
    let guard = reader.pin();
    let mut walk = list.iter(&guard);
    let on = walk.next().unwrap();
    thread::scope(|s| {
        s.spawn(|| {
            let h = list.collector().register();
            let g = h.pin();
            list.lock()
                .del_first(&g, |e| e.id == 2)
                .unwrap()
                .defer_destroy();
            list.lock()
                .del_first(&g, |e| e.id == 1)
                .unwrap()
                .defer_destroy();
            drop(g);
            for _ in 0..8 {
                h.pin().flush();
            }
        });
    });
    assert_eq!(on.read(), 2);
    assert_eq!(
        walk.next().map(Entry::read),
        Some(1),
        "walks on from a removed entry"
    );
    drop(guard);
    collect(list.collector());
    assert_eq!(drops.load(Ordering::Relaxed), 2);
}

/// `matches` panics in the middle of a walk; the poisoned lock is taken again, and the list, its
/// count and its order are intact.
#[test]
fn a_panic_in_matches_leaves_the_list_and_its_count_intact() {
    let drops = Arc::new(AtomicUsize::new(0));
    // SAFETY: every handle and guard of the collector is dropped before the list (`ids`'s inside
    // it; `handle` explicitly, before the list).
    let list = unsafe { RcuList::<Entry>::with_collector(Collector::new()) };
    for id in [3, 2, 1] {
        list.lock().add(Entry::new(id, &drops));
    }
    let handle = list.collector().register();
    let guard = handle.pin();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut seen = 0;
        let _ = list.lock().del_first(&guard, |_| {
            seen += 1;
            if seen == 2 {
                panic!("matches panics on the second entry");
            }
            false
        });
    }));
    assert!(result.is_err());
    let mut writer = list.lock(); // poisoned, ignored
    assert_eq!(writer.len(), 3);
    writer.add(Entry::new(0, &drops));
    writer.add_tail(Entry::new(4, &drops));
    assert_eq!(writer.len(), 5);
    let retired = writer.del_first(&guard, |e| e.id == 2).unwrap();
    drop(writer);
    assert_eq!(ids(&list), [0, 1, 3, 4]);
    drop(retired);
    drop(guard);
    // The handle goes before the list: the other order is crossbeam-epoch's #545
    // (`RcuList::with_collector`'s contract; rcu_collector_drop_order.rs).
    drop(handle);
    drop(list);
}

/// A `Retired` that is forgotten leaks; dropping the list afterwards frees only what is still on
/// it (no double free). Run with -Zmiri-ignore-leaks or natively: the forgotten entry leaks.
#[test]
#[cfg_attr(
    miri,
    ignore = "leaks on purpose; run natively or with -Zmiri-ignore-leaks"
)]
fn a_forgotten_retired_leaks_and_the_list_frees_the_rest_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let collector = Collector::new();
    // SAFETY: the test keeps `collector` until after every handle and guard of it is dropped
    // (`collect`'s inside it; `handle` in the tuple before `collector`).
    let list = unsafe { RcuList::<Entry>::with_collector(collector.clone()) };
    list.lock().add(Entry::new(1, &drops));
    list.lock().add(Entry::new(2, &drops));
    let handle = collector.register();
    let guard = handle.pin();
    std::mem::forget(list.lock().del_first(&guard, |e| e.id == 1).unwrap());
    drop(guard);
    drop(list);
    collect(&collector);
    drop((handle, collector));
    assert_eq!(drops.load(Ordering::Relaxed), 1);
}

/// An entry whose destructor re-enters its own list (pins, walks, takes the lock, removes the
/// next entry, which cascades), run by the collector on another thread with no lock held.
struct Reentrant {
    id: u64,
}

/// The list the entries' destructors reach: taken out and dropped at the end of the test, so
/// that its collector goes too (Miri reports what a static list would leak).
static REENTRANT: Mutex<Option<Arc<RcuList<Reentrant>>>> = Mutex::new(None);
static REENTRANT_DROPS: AtomicUsize = AtomicUsize::new(0);

/// The list, from the static (its mutex is released at once: destructors nest).
fn reentrant_list() -> Arc<RcuList<Reentrant>> {
    let list = REENTRANT.lock().unwrap().clone();
    list.expect("the list is set for the whole test")
}

impl Drop for Reentrant {
    fn drop(&mut self) {
        REENTRANT_DROPS.fetch_add(1, Ordering::Relaxed);
        let list = reentrant_list();
        let handle = list.register();
        let guard = handle.pin();
        let seen: Vec<u64> = list.iter(&guard).map(|e| e.id).collect();
        assert!(
            !seen.contains(&self.id),
            "a destroyed entry is off the list"
        );
        let next = self.id + 1;
        if let Some(r) = list.lock().del_first(&guard, |e| e.id == next) {
            r.defer_destroy();
        };
    }
}

#[test]
fn a_destructor_that_re_enters_the_list_from_the_collector() {
    // SAFETY: every handle of the collector comes from `register`, which keeps a `Collector` of
    // its own, or from `collect`, which drops its handle inside, while the list is alive.
    let list = Arc::new(unsafe { RcuList::with_collector(Collector::new()) });
    *REENTRANT.lock().unwrap() = Some(list.clone());
    for id in (0..4).rev() {
        list.lock().add(Reentrant { id });
    }
    {
        let handle = list.register();
        let guard = handle.pin();
        let walk: Vec<&Reentrant> = list.iter(&guard).collect();
        list.lock()
            .del_first(&guard, |e| e.id == 0)
            .unwrap()
            .defer_destroy();
        assert_eq!(walk.iter().map(|e| e.id).collect::<Vec<_>>(), [0, 1, 2, 3]);
    }
    thread::spawn(|| collect(reentrant_list().collector()))
        .join()
        .unwrap();
    collect(list.collector());
    assert_eq!(REENTRANT_DROPS.load(Ordering::Relaxed), 4);
    assert_eq!(list.lock().len(), 0);
    REENTRANT.lock().unwrap().take();
    assert_eq!(
        Arc::strong_count(&list),
        1,
        "no destructor left holds the list"
    );
}

/// Auto traits and variance, checked at compile time.
#[allow(dead_code)]
fn auto_traits_and_variance() {
    fn send<X: Send>() {}
    fn sync<X: Sync>() {}
    send::<RcuList<u64>>();
    sync::<RcuList<u64>>();
    // The writer stays on the thread that took the lock (not `Send`: `RcuList::lock` tells a
    // thread taking the lock twice by the lock's holder, `compile-fail/tests/ui/list/rcu_12_*`); it may be shared.
    sync::<RcuWriter<'static, u64>>();
    fn iter_shrinks<'a>(i: RcuIter<'static, u64>) -> RcuIter<'a, u64> {
        i
    }
    fn retired_shrinks<'a>(r: Retired<'static, u64>) -> Retired<'a, u64> {
        r
    }
    fn rcu_guard_shrinks<'a>(g: RcuGuard<'static>) -> RcuGuard<'a> {
        g
    }
    let _ = epoch::pin;
}
