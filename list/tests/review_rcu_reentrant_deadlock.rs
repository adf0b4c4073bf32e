//! Review finding (branch review-rcu): a removed entry's destructor runs inside whatever
//! crossbeam-epoch call collects garbage (`epoch::pin()` every 128 pins, `Guard::flush`), on
//! whichever thread makes it, including a thread that holds the list's lock. An entry whose
//! `Drop` takes the lock of its own list (here to read `len`) then spins forever on its own
//! lock. Not UB, a hang; nothing in the docs warns of it. Natively:
//! `cargo test -p lifecycle-list --no-default-features --test review_rcu_reentrant_deadlock -- --ignored`
#![cfg(not(crossbeam_loom))]

use lifecycle_list::epoch;
use lifecycle_list::RcuList;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, LazyLock};
use std::time::Duration;

static LIST: LazyLock<RcuList<Entry>> = LazyLock::new(RcuList::new);
static DROPS_STARTED: AtomicUsize = AtomicUsize::new(0);
static DROPS_DONE: AtomicUsize = AtomicUsize::new(0);

struct Entry {
    id: usize,
}

impl Drop for Entry {
    fn drop(&mut self) {
        DROPS_STARTED.fetch_add(1, Ordering::SeqCst);
        let left = LIST.lock().len(); // bookkeeping under the list's own lock
        let _ = (self.id, left);
        DROPS_DONE.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
#[ignore = "review proof: leaves a thread spinning forever; run with --ignored"]
fn a_destructor_taking_the_lock_hangs_a_writer_that_pins_under_the_lock() {
    const N: usize = 1000;
    for id in 0..N {
        LIST.lock().add_tail(Entry { id });
    }
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        // One writer removes a batch under one hold of the lock, pinning per removal.
        let mut writer = LIST.lock();
        for id in 0..N {
            let guard = epoch::pin(); // every 128th pin collects: runs Entry::drop here
            if let Some(removed) = writer.del_first(&guard, |e| e.id == id) {
                removed.defer_destroy();
            };
        }
        drop(writer);
        done.send(()).unwrap();
    });
    let result = finished.recv_timeout(Duration::from_secs(5));
    let (started, ended) = (
        DROPS_STARTED.load(Ordering::SeqCst),
        DROPS_DONE.load(Ordering::SeqCst),
    );
    println!(
        "writer finished: {}; destructors started {started}, finished {ended}",
        result.is_ok()
    );
    assert!(result.is_err(), "expected the writer to hang");
    assert_eq!(
        (started, ended),
        (1, 0),
        "one destructor waits for the lock its own thread holds"
    );
}
