//! shuttle tests of the slab with 4 and 5 threads: no slot owned twice, conservation, and
//! publication of an owner's writes, under random and PCT schedules; and the untagged free
//! list's ABA found by PCT.

use lifecycle_slab::{Shuttle, Slab, SlabError, Tagging};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// `threads` threads each own an object `rounds` times: stamp it, yield, check the stamp, free.
/// Ownership by two threads at once shows as a foreign stamp.
fn ownership_body(threads: usize, rounds: usize, tagging: Tagging) -> impl Fn() + Send + Sync {
    move || {
        // SAFETY: only the tagged free list is used here (the ABA test below uses the other).
        let slab =
            Arc::new(unsafe { Slab::<usize, Shuttle>::with_tagging(threads, tagging, |_| 0) });
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let slab = slab.clone();
                shuttle::thread::spawn(move || {
                    for _ in 0..rounds {
                        let handle = slab.alloc().unwrap_or_else(|e| panic!("{e}"));
                        // SAFETY: the allocating thread owns the object until it frees it.
                        unsafe { slab.with_mut(handle, |o| *o = t + 1) }.unwrap();
                        shuttle::thread::yield_now();
                        let seen = slab.with(handle, |o| *o).unwrap();
                        assert_eq!(seen, t + 1, "slot#{} owned by two threads", handle.slot());
                        slab.free(handle).unwrap_or_else(|e| panic!("{e}"));
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        let stats = slab.check_quiescent().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stats.in_use + stats.free, threads, "conservation");
        assert_eq!(stats.in_use, 0, "no leak");
    }
}

#[test]
fn random_schedules_never_hand_a_slot_to_two_owners() {
    for threads in [4, 5] {
        shuttle::check_random(ownership_body(threads, 3, Tagging::Tagged), 2_000);
    }
}

#[test]
fn pct_schedules_never_hand_a_slot_to_two_owners() {
    for threads in [4, 5] {
        shuttle::check_pct(ownership_body(threads, 3, Tagging::Tagged), 2_000, 3);
    }
}

/// The ABA actors with more threads than loom can take: two victims pop while two others
/// pop-pop-push-back.
fn aba_body(tagging: Tagging) -> impl Fn() + Send + Sync {
    move || {
        // SAFETY: with `Untagged` this is the ABA under test: no thread relies on the free
        // list, and `alloc` refuses the slot handed out twice, which is what PCT must find.
        let slab = Arc::new(unsafe { Slab::<usize, Shuttle>::with_tagging(8, tagging, |_| 0) });
        let mut threads = Vec::new();
        for _ in 0..2 {
            let slab = slab.clone();
            threads.push(shuttle::thread::spawn(move || {
                let a = slab.alloc().unwrap_or_else(|e| panic!("{e}"));
                let _b = slab.alloc().unwrap_or_else(|e| panic!("{e}"));
                slab.free(a).unwrap_or_else(|e| panic!("{e}"));
            }));
        }
        for _ in 0..2 {
            let slab = slab.clone();
            threads.push(shuttle::thread::spawn(move || {
                for _ in 0..2 {
                    match slab.alloc() {
                        Ok(_) | Err(SlabError::Full { .. }) => {}
                        Err(finding) => panic!("{finding}"),
                    }
                }
            }));
        }
        for thread in threads {
            thread.join().unwrap();
        }
    }
}

#[test]
fn pct_keeps_the_tagged_free_list_safe_under_the_aba_actors() {
    shuttle::check_pct(aba_body(Tagging::Tagged), 5_000, 3);
}

#[test]
fn pct_finds_the_untagged_free_list_handing_a_slot_out_twice() {
    let payload = catch_unwind(AssertUnwindSafe(|| {
        shuttle::check_pct(aba_body(Tagging::Untagged), 20_000, 3)
    }))
    .expect_err("PCT must find the ABA");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        message.starts_with("free list corruption (ABA): slot#")
            && message.ends_with(
                "was popped from the free list while allocated (generation 0): \
                                  it would be handed out twice"
            ),
        "shuttle must report the slot handed out twice, got: {message}"
    );
}
