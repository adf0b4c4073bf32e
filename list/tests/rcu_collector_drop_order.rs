//! Regression test of crossbeam-rs/crossbeam#545 as the safe RCU layer met it (review of the
//! branch review-rcu). In crossbeam-epoch 0.9 (0.9.21 included) a registration (`Local`) holds
//! a `Collector` and drops it when its last `LocalHandle` and `Guard` are gone; if that is the
//! collector's last `Collector`, the collector frees the `Local` while `LocalHandle::drop` or
//! `Guard::drop` still borrows it: undefined behaviour, which Miri reports. With a list on a
//! collector of its own, dropping the list before the last handle (or guard) of that collector
//! did exactly that, from safe code (`list.collector().register()`, the list dropped, then the
//! handle). Now `RcuList::with_collector` is `unsafe`, with that drop order in its contract, and
//! `RcuList::register` gives an `RcuHandle`, which keeps a `Collector` of its own until after
//! its `LocalHandle` is gone, and whose guards borrow it.
//!
//! These tests take the drop orders that were undefined behaviour, through `register`: the list
//! goes first, then the guard, then the handle. They must pass under Miri's Tree Borrows:
//!
//! `MIRIFLAGS=-Zmiri-tree-borrows cargo +nightly miri test -p lifecycle-list \
//!   --no-default-features --test rcu_collector_drop_order`
//!
//! (`compile-fail/tests/ui/list/rcu_11_*` shows that a guard can no longer outlive its handle, and
//! `compile-fail/tests/ui/list/rcu_10_*` that `with_collector` needs `unsafe`.)
#![cfg(not(crossbeam_loom))]

use lifecycle_list::epoch::Collector;
use lifecycle_list::RcuList;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

/// An entry that counts its destructions.
struct Entry {
    id: u64,
    drops: Arc<AtomicUsize>,
}

impl Drop for Entry {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::Relaxed);
    }
}

/// A list on a collector of its own, whose handles all come from `register`.
fn list() -> RcuList<Entry> {
    // SAFETY: every handle of the collector in these tests comes from `register`, which keeps a
    // `Collector` of its own alive until after its registration and its guards are gone.
    unsafe { RcuList::with_collector(Collector::new()) }
}

#[test]
fn a_handle_outlives_the_list() {
    let drops = Arc::new(AtomicUsize::new(0));
    let list = list();
    let handle = list.register();
    list.lock().add(Entry {
        id: 1,
        drops: drops.clone(),
    });
    assert_eq!(list.iter(&handle.pin()).count(), 1);
    drop(list); // was the last `Collector` but for the handle's `Local`
    assert_eq!(
        drops.load(Ordering::Relaxed),
        1,
        "the list frees its entries"
    );
    drop(handle); // was undefined behaviour: `Local::finalize` freed the `Local` behind `&self`
}

#[test]
fn a_guard_outlives_the_list_and_the_garbage_goes_with_the_handle() {
    let drops = Arc::new(AtomicUsize::new(0));
    let list = list();
    let handle = list.register();
    let guard = handle.pin();
    for id in [1, 2] {
        list.lock().add(Entry {
            id,
            drops: drops.clone(),
        });
    }
    let removed = list.lock().del_first(&guard, |e| e.id == 1).unwrap();
    removed.defer_destroy();
    drop(list);
    assert_eq!(
        drops.load(Ordering::Relaxed),
        1,
        "the list frees what is on it; the removed entry waits for the collector"
    );
    drop(guard); // was undefined behaviour: `Local::unpin` -> `finalize` freed the `Local`
    assert!(!handle.is_pinned());
    drop(handle);
    assert_eq!(
        drops.load(Ordering::Relaxed),
        2,
        "the handle held the collector's last `Collector`: its garbage ran when it went"
    );
}

#[test]
fn handles_on_other_threads_outlive_the_list() {
    let drops = Arc::new(AtomicUsize::new(0));
    let list = Arc::new(list());
    list.lock().add(Entry {
        id: 1,
        drops: drops.clone(),
    });
    let registered = Arc::new(Barrier::new(3));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (list, registered) = (list.clone(), registered.clone());
            thread::spawn(move || {
                let handle = list.register();
                let guard = handle.pin();
                assert_eq!(list.iter(&guard).count(), 1);
                registered.wait();
                // The last of the three `Arc`s drops the list while the threads' handles and
                // guards live: whichever handle goes last holds the collector's last
                // `Collector`.
                drop(list);
                drop(guard);
                drop(handle);
            })
        })
        .collect();
    registered.wait();
    drop(list);
    for thread in threads {
        thread.join().expect("no thread panics");
    }
    assert_eq!(drops.load(Ordering::Relaxed), 1);
}
