//! Review probe (branch review-rcu): the publish/unlink orderings when the entry a removal
//! exposes was published by another writer thread. W1 puts B behind A (`add_tail`, a release
//! store into A's `next`); W2 removes A (`del_first`: a relaxed load of A's `next` under the
//! lock, a release store into the head); a reader that finds B first got it through W2's store
//! and must see B's data initialized by W1 (happens-before through W1's unlock, W2's lock).
//! `RUSTFLAGS="--cfg loom --cfg crossbeam_loom" CARGO_TARGET_DIR=target/loom-crossbeam \
//!   cargo test --release -p lifecycle-list --test review_rcu_loom_two_writers`
#![cfg(crossbeam_loom)]

use lifecycle_list::epoch::Collector;
use lifecycle_list::{Loom, RcuList};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const STAMP: u64 = 7;

struct Entry {
    name: u8,
    data: loom::cell::UnsafeCell<u64>,
}

// SAFETY: every access to `data` goes through loom's cell, which reports unordered pairs.
unsafe impl Sync for Entry {}

impl Entry {
    fn new(name: u8) -> Self {
        Entry {
            name,
            data: loom::cell::UnsafeCell::new(STAMP),
        }
    }
}

#[test]
fn a_removal_exposing_an_entry_another_writer_published() {
    static B_FIRST: AtomicUsize = AtomicUsize::new(0);
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let collector = Collector::new();
        // SAFETY: every handle of `collector` is dropped inside its thread or block, while
        // `collector` (dropped last) is alive.
        let list = Arc::new(unsafe { RcuList::<Entry, Loom>::with_collector(collector.clone()) });
        list.lock().add(Entry::new(b'A'));
        let w1 = {
            let list = list.clone();
            loom::thread::spawn(move || list.lock().add_tail(Entry::new(b'B')))
        };
        let reader = {
            let (list, collector) = (list.clone(), collector.clone());
            loom::thread::spawn(move || {
                let handle = collector.register();
                let guard = handle.pin();
                for (i, e) in list.iter(&guard).enumerate() {
                    // SAFETY: loom checks this read against B's initialization on W1.
                    assert_eq!(e.data.with(|d| unsafe { *d }), STAMP);
                    if i == 0 && e.name == b'B' {
                        B_FIRST.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        };
        {
            let handle = collector.register();
            let guard = handle.pin();
            let removed = list.lock().del_first(&guard, |e| e.name == b'A').unwrap();
            removed.defer_destroy();
        }
        w1.join().unwrap();
        reader.join().unwrap();
        drop(list);
        drop(collector);
    });
    let n = B_FIRST.load(Ordering::Relaxed);
    eprintln!("executions where the reader found B first: {n}");
    assert!(n > 0, "vacuous");
}
