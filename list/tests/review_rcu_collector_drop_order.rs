//! Review finding (branch review-rcu): with `RcuList::with_collector`, dropping the list before
//! the last `LocalHandle` (or `Guard`) of its collector makes that handle's `Local::finalize`
//! drop the last `Collector`, which frees the `Local` while `&self` of `release_handle`/`unpin`
//! is still live: a protector violation in crossbeam-epoch 0.9.21 (crossbeam-rs/crossbeam#545;
//! the guard road is PR #1297, unreleased), reached from safe code through the list's API.
//! Natively both tests pass; under Miri (Tree Borrows or Stacked Borrows) each reports UB:
//!
//! `MIRIFLAGS=-Zmiri-tree-borrows cargo +nightly miri test -p lifecycle-list \
//!   --no-default-features --test review_rcu_collector_drop_order -- --test-threads=1 handle`
#![cfg(not(crossbeam_loom))]

use lifecycle_list::epoch::Collector;
use lifecycle_list::RcuList;

#[test]
fn handle_outlives_the_list() {
    let list = RcuList::<u64>::with_collector(Collector::new());
    let handle = list.collector().register();
    list.lock().add(1);
    assert_eq!(list.iter(&handle.pin()).count(), 1);
    drop(list); // the list held the only `Collector` besides the handle's `Local`
    drop(handle); // UB under Miri: Local::finalize frees the Local behind `&self`
}

#[test]
fn guard_outlives_the_list() {
    let list = RcuList::<u64>::with_collector(Collector::new());
    let guard = list.collector().register().pin(); // the handle is a temporary
    list.lock().add(1);
    let removed = list.lock().del_first(&guard, |&v| v == 1).unwrap();
    removed.defer_destroy();
    drop(list);
    drop(guard); // UB under Miri: Local::unpin -> finalize frees the Local behind `&self`
}
