//! loom models of the slab: concurrent alloc/free never hands a slot to two owners, conserves
//! slots, and orders an owner's writes before `free` ahead of the next owner's reads after
//! `alloc`; and the untagged free list's ABA, which loom must find.

use lifecycle_slab::{Handle, Loom, PoisonSlab, Slab, SlabError, Tagging};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The deep bound under `--cfg loom` (`LOOM_MAX_PREEMPTIONS`, default 3), `quick` otherwise.
fn bound(quick: usize) -> usize {
    if cfg!(loom) {
        std::env::var("LOOM_MAX_PREEMPTIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3)
    } else {
        quick
    }
}

/// Runs `body` under loom at `preemption_bound` and returns the executions explored.
fn explore(name: &str, preemption_bound: usize, body: impl Fn() + Sync + Send + 'static) -> usize {
    let executions = Arc::new(AtomicUsize::new(0));
    let counted = executions.clone();
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(preemption_bound);
    let start = Instant::now();
    builder.check(move || {
        counted.fetch_add(1, Ordering::Relaxed);
        body();
    });
    let explored = executions.load(Ordering::Relaxed);
    eprintln!(
        "loom {name}: bound {preemption_bound}: {explored} executions in {:?}",
        start.elapsed()
    );
    explored
}

/// One owner's turn with an object: take it, stamp it with `owner` (a plain write loom tracks),
/// check the stamp is still ours (nobody else got the slot), and return it.
fn own_once(slab: &Slab<usize, Loom>, owner: usize) {
    let handle = slab.alloc().unwrap_or_else(|e| panic!("{e}"));
    // SAFETY: the allocating thread owns the object until it frees it.
    unsafe { slab.with_mut(handle, |object| *object = owner) }.unwrap();
    let seen = slab.with(handle, |object| *object).unwrap();
    assert_eq!(
        seen,
        owner,
        "slot#{} handed out twice: another owner wrote into it",
        handle.slot()
    );
    slab.free(handle).unwrap_or_else(|e| panic!("{e}"));
}

/// `threads` threads each own an object `rounds` times; `capacity >= threads`, so `Full` would be
/// a lost slot.
fn alloc_free_model(threads: usize, capacity: usize, rounds: usize) -> impl Fn() + Sync + Send {
    move || {
        let slab = Arc::new(Slab::<usize, Loom>::new(capacity, |_| usize::MAX));
        let handles: Vec<_> = (1..threads)
            .map(|t| {
                let slab = slab.clone();
                loom::thread::spawn(move || (0..rounds).for_each(|_| own_once(&slab, t)))
            })
            .collect();
        (0..rounds).for_each(|_| own_once(&slab, 0));
        for handle in handles {
            handle.join().unwrap();
        }
        let stats = slab
            .check_quiescent()
            .unwrap_or_else(|e| panic!("conservation: {e}"));
        assert_eq!(stats.in_use, 0, "every slot returned");
        assert_eq!(stats.free, capacity, "in use + free == capacity");
    }
}

#[test]
fn two_threads_alloc_and_free_without_double_handout() {
    assert!(
        explore(
            "slab 2 threads x 2 rounds, 2 slots",
            bound(3),
            alloc_free_model(2, 2, 2)
        ) > 1
    );
}

#[test]
fn three_threads_alloc_and_free_without_double_handout() {
    assert!(
        explore(
            "slab 3 threads x 1 round, 3 slots",
            bound(2),
            alloc_free_model(3, 3, 1)
        ) > 1
    );
}

#[test]
fn writes_before_free_happen_before_reads_after_the_next_alloc() {
    // One slot: the writer's object write, then free; the reader's alloc gets the same slot and
    // reads. Without the free list's Release/Acquire, loom reports the read as racing the write.
    let explored = explore("slab publish via free/alloc, 1 slot", bound(3), || {
        let slab = Arc::new(Slab::<usize, Loom>::new(1, |_| 0));
        let first = slab.alloc().unwrap();
        let writer = {
            let slab = slab.clone();
            loom::thread::spawn(move || {
                // SAFETY: this thread owns the object until it frees it.
                unsafe { slab.with_mut(first, |object| *object = 42) }.unwrap();
                slab.free(first).unwrap();
            })
        };
        let reader = {
            let slab = slab.clone();
            loom::thread::spawn(move || loop {
                match slab.alloc() {
                    Ok(handle) => {
                        let seen = slab.with(handle, |object| *object).unwrap();
                        assert_eq!(
                            seen, 42,
                            "UnsafeCell write before free must happen-before the read after alloc"
                        );
                        slab.free(handle).unwrap();
                        return;
                    }
                    Err(SlabError::Full { .. }) => loom::thread::yield_now(),
                    Err(other) => panic!("{other}"),
                }
            })
        };
        writer.join().unwrap();
        reader.join().unwrap();
    });
    assert!(explored > 1);
}

/// The ABA schedule's actors, on four slots (A, B, C, D). Thread T1 allocates twice; thread T2 allocates A and B, then frees
/// A. If T1's first pop reads `head = A, A.next = B` and is preempted while T2 runs, an untagged
/// compare-and-swap then installs B, which T2 holds, and T1's second alloc pops B again.
fn aba_model(tagging: Tagging) -> impl Fn() + Sync + Send {
    move || {
        // SAFETY: with `Untagged` this is the ABA under test: no thread relies on the free
        // list, and `alloc` refuses the slot handed out twice, which is what loom must find.
        let slab = Arc::new(unsafe { Slab::<usize, Loom>::with_tagging(4, tagging, |_| 0) });
        let t2 = {
            let slab = slab.clone();
            loom::thread::spawn(move || {
                let a = slab.alloc().unwrap_or_else(|e| panic!("{e}"));
                let _b: Handle = slab.alloc().unwrap_or_else(|e| panic!("{e}"));
                slab.free(a).unwrap_or_else(|e| panic!("{e}"));
            })
        };
        for _ in 0..2 {
            match slab.alloc() {
                Ok(_) | Err(SlabError::Full { .. }) => {}
                Err(finding) => panic!("{finding}"),
            }
        }
        t2.join().unwrap();
    }
}

#[test]
fn tagged_free_list_survives_the_aba_schedule() {
    assert!(
        explore(
            "freelist/tagged ABA schedule",
            bound(3),
            aba_model(Tagging::Tagged)
        ) > 1
    );
}

#[test]
fn untagged_free_list_hands_a_slot_out_twice() {
    let payload = catch_unwind(AssertUnwindSafe(|| {
        explore("freelist/aba", 3, aba_model(Tagging::Untagged))
    }))
    .expect_err("loom must find the ABA");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        message,
        "free list corruption (ABA): slot#1 was popped from the free list while allocated \
         (generation 0): it would be handed out twice",
        "the finding names slot B (slot#1), which T2 holds"
    );
}

/// Stamps the allocated object `handle` of `slab` with `stamp` and reads it back: nothing but
/// its owner may write an allocated object, least of all the cache's poison.
fn own_poisoned(slab: &PoisonSlab<u64, Loom>, handle: Handle, stamp: u64) {
    // SAFETY: this thread owns the allocation (it allocated it and has not freed it); no other
    // access to the object is made while it is allocated, unless the cache is broken, which is
    // what loom checks.
    unsafe { slab.with_mut(handle, |object| *object = stamp) }.unwrap();
    // SAFETY: as above; the reference is used here only.
    let seen = unsafe { *slab.get(handle).unwrap() };
    assert_eq!(
        seen,
        stamp,
        "slot#{} was written (poisoned?) by another thread while allocated",
        handle.slot()
    );
}

/// How many allocations of [`poison_aba_model`], over all executions, the broken free list made
/// pop a slot that was not free (a std atomic: it counts across loom's executions).
static POISON_ABA_REFUSED: AtomicUsize = AtomicUsize::new(0);

/// Allocates, if the broken free list lets it, and owns the object; keeps it allocated.
fn try_own_poisoned(slab: &PoisonSlab<u64, Loom>, stamp: u64) {
    match slab.alloc() {
        Ok(handle) => own_poisoned(slab, handle, stamp),
        Err(SlabError::HandedOutTwice { .. }) => {
            POISON_ABA_REFUSED.fetch_add(1, Ordering::Relaxed);
        }
        Err(SlabError::Full { .. } | SlabError::WriteAfterFree { .. }) => {}
        Err(other) => panic!("{other}"),
    }
}

/// The ABA schedule on an untagged [`PoisonSlab`], carried on until the broken free list hands
/// one slot to two threads at once: T1 allocates once (the pop the ABA can stall), T2 allocates A
/// and B and frees A (the ABA: T1's pop then installs B, allocated, as the head), owns and
/// frees B (which, pushed onto itself, makes the list a loop), and both allocate again, so both
/// can pop B, which one of them is also freeing or claiming. Each allocation's owner stamps its
/// object and reads the stamp back.
fn poison_aba_model() -> impl Fn() + Sync + Send {
    || {
        // SAFETY: the untagged free list is the ABA under test: no thread relies on it (every
        // allocation may fail), which is what the model checks the cache survives.
        let slab = Arc::new(unsafe { PoisonSlab::<u64, Loom>::with_tagging(4, Tagging::Untagged) });
        let t2 = {
            let slab = slab.clone();
            loom::thread::spawn(move || {
                let a = slab.alloc().unwrap_or_else(|e| panic!("{e}"));
                let b = slab.alloc().unwrap_or_else(|e| panic!("{e}"));
                slab.free(a).unwrap_or_else(|e| panic!("{e}"));
                own_poisoned(&slab, b, 2);
                slab.free(b).unwrap_or_else(|e| panic!("{e}"));
                try_own_poisoned(&slab, 22);
            })
        };
        try_own_poisoned(&slab, 1);
        try_own_poisoned(&slab, 11);
        t2.join().unwrap();
    }
}

#[test]
fn untagged_poison_slab_never_reads_or_poisons_an_object_another_thread_owns() {
    // With the poison check run before the claim, or the poison written after the slot is
    // marked free, loom finds a popper reading the object (and re-poisoning it) while the thread
    // that claimed or frees it writes: a data race, and a stamp overwritten with poison.
    assert!(
        explore(
            "poison slab/untagged ABA, claim before check",
            3,
            poison_aba_model()
        ) > 1
    );
    assert!(
        POISON_ABA_REFUSED.load(Ordering::Relaxed) > 0,
        "the model must reach the ABA: some pop must get a slot that is not free"
    );
}
