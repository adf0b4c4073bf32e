//! Regression test of a review finding (branch review-rcu): a removed entry's destructor runs
//! inside whatever crossbeam-epoch call collects garbage (`epoch::pin()` every 128 pins,
//! `Guard::flush`), on whichever thread makes it, including a thread that holds the list's lock.
//! An entry whose `Drop` took the lock of its own list (here to read `len`) then spun forever on
//! its own lock, and nothing in the docs warned of it. Now `RcuList`, `RcuWriter` and `Retired`
//! say that `T::drop` must not take the list's lock (as Linux's `call_rcu` callbacks must not
//! take a lock held around `call_rcu`), and `RcuList::lock` panics, naming that rule, when the
//! calling thread already holds the lock: the hang is a diagnosable panic.
//!
//! Natively: `cargo test -p lifecycle-list --no-default-features --test rcu_reentrant_deadlock`
#![cfg(not(crossbeam_loom))]

use lifecycle_list::epoch::{self, Collector};
use lifecycle_list::RcuList;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, LazyLock};
use std::time::Duration;

/// The start of `RcuList::lock`'s panic when a thread takes the lock it holds.
const LOCKED_TWICE: &str = "RcuList::lock: this thread already holds this list's lock";
/// The rule the panic names.
const THE_RULE: &str = "An entry's destructor (`T::drop`) must not take its own list's lock";

static LIST: LazyLock<RcuList<Entry>> = LazyLock::new(RcuList::new);
static DROPS_STARTED: AtomicUsize = AtomicUsize::new(0);
static DROPS_DONE: AtomicUsize = AtomicUsize::new(0);

struct Entry {
    id: usize,
}

impl Drop for Entry {
    fn drop(&mut self) {
        DROPS_STARTED.fetch_add(1, Ordering::SeqCst);
        let left = LIST.lock().len(); // bookkeeping under the list's own lock: breaks the rule
        let _ = (self.id, left);
        DROPS_DONE.fetch_add(1, Ordering::SeqCst);
    }
}

/// The panic's message, from `catch_unwind`'s payload.
fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
#[cfg_attr(
    miri,
    ignore = "the default collector lives in a static and keeps the garbage left after the \
              panic, which Miri reports as leaked"
)]
fn a_destructor_taking_the_lock_under_the_lock_panics_naming_the_rule() {
    const N: usize = 1000;
    for id in 0..N {
        LIST.lock().add_tail(Entry { id });
    }
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let result = catch_unwind(AssertUnwindSafe(|| {
            // One writer removes a batch under one hold of the lock, pinning per removal.
            let mut writer = LIST.lock();
            for id in 0..N {
                let guard = epoch::pin(); // every 128th pin collects: runs Entry::drop here
                if let Some(removed) = writer.del_first(&guard, |e| e.id == id) {
                    removed.defer_destroy();
                };
            }
        }));
        // Counted here: when this thread exits, its epoch handle's last pin may run more
        // destructors, with no lock held, which then take the lock and finish.
        let drops = (
            DROPS_STARTED.load(Ordering::SeqCst),
            DROPS_DONE.load(Ordering::SeqCst),
        );
        done.send((result.map_err(|payload| message(&*payload)), drops))
            .unwrap();
    });
    // The writer hung here before the fix; it now panics within the first collection.
    let (result, drops) = finished
        .recv_timeout(Duration::from_secs(60))
        .expect("the writer must not hang: RcuList::lock panics instead");
    let message = result.expect_err("a destructor took the lock its thread holds: a panic");
    assert!(
        message.starts_with(LOCKED_TWICE) && message.contains(THE_RULE),
        "the panic names the rule: {message}"
    );
    assert_eq!(
        drops,
        (1, 0),
        "one destructor ran under the lock, and panicked when it took it"
    );
    // The writer's lock was released as the panic unwound (poisoned, which the list ignores).
    assert!(LIST.lock().len() < N);
}

/// A list on a collector of its own: under Miri, the default collector's static data is
/// reported as leaked (its pointers are integers to Miri).
fn own_list() -> RcuList<u64> {
    // SAFETY: the tests that use it register no handle of the collector.
    unsafe { RcuList::with_collector(Collector::new()) }
}

#[test]
#[should_panic(expected = "RcuList::lock: this thread already holds this list's lock")]
fn a_thread_taking_the_lock_it_holds_panics() {
    let list = own_list();
    let _writer = list.lock();
    let _second = list.lock();
}

#[test]
fn a_thread_holding_one_lists_lock_takes_another_lists_and_the_lock_again_once_released() {
    let (one, two) = (own_list(), own_list());
    let mut first = one.lock();
    first.add(1);
    two.lock().add(2); // another list's lock: no panic
    drop(first);
    one.lock().add(3); // released: no panic
    assert_eq!((one.lock().len(), two.lock().len()), (2, 1));
    std::mem::forget(two.lock()); // a leaked writer holds the lock for good
    assert!(catch_unwind(AssertUnwindSafe(|| two.lock().len())).is_err());
}
