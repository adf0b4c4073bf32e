//! The slab on real threads: 2 threads, 10 million alloc/free pairs in all (override with
//! `SLAB_STRESS_PAIRS`), every object stamped and checked by its owner, conservation checked at
//! the end.

use lifecycle_slab::Slab;
use std::sync::{Arc, Barrier};
use std::thread;

#[test]
fn two_threads_ten_million_pairs_conserve_every_slot() {
    let pairs: usize = std::env::var("SLAB_STRESS_PAIRS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    const THREADS: usize = 2;
    let slab = Arc::new(Slab::<usize>::new(8, |_| 0));
    let start = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (slab, start) = (slab.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                for i in 0..pairs / THREADS {
                    let handle = slab.alloc().expect("8 slots for 2 threads never run out");
                    let stamp = t << 48 | i;
                    // SAFETY: the allocating thread owns the object until it frees it.
                    unsafe { slab.with_mut(handle, |o| *o = stamp) }.unwrap();
                    assert_eq!(
                        slab.with(handle, |o| *o).unwrap(),
                        stamp,
                        "slot#{} owned by two threads",
                        handle.slot()
                    );
                    slab.free(handle).expect("a current handle frees");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let stats = slab.check_quiescent().expect("free list consistent");
    assert_eq!(stats.in_use, 0);
    assert_eq!(stats.free, 8);
    assert!(stats.high_water <= 8 && stats.high_water >= 1);
}
