//! Unit tests of `SlabCore` that need its private state: generations, claims, busy slots and
//! cache ids.

use super::slot_state::{
    generation_of, is_allocated, is_free, next_generation, state_word, ALLOCATED, BUSY, FLAG_BITS,
    MAX_GENERATION,
};
use super::{next_cache_id, SlabCore};
use crate::error::SlabError;
use crate::free_list::Tagging;
use crate::handle::Handle;
use lifecycle_list::Std;
use std::sync::atomic::{AtomicU64, Ordering};

fn state(core: &SlabCore<u64, Std>, slot: usize) -> u64 {
    core.states[slot].load(Ordering::Acquire)
}

#[test]
fn generations_count_up_to_the_largest_a_state_word_holds() {
    assert_eq!(MAX_GENERATION, (1 << 62) - 1);
    assert_eq!(next_generation(3, 0), 1);
    assert_eq!(next_generation(3, MAX_GENERATION - 1), MAX_GENERATION);
    // The largest generation still fits beside the flags.
    assert_eq!(
        generation_of(MAX_GENERATION << FLAG_BITS | BUSY),
        MAX_GENERATION
    );
}

#[test]
#[should_panic(
    expected = "slot#3 generations exhausted: it was freed at generation 0x3fffffffffffffff, \
                the largest a state word holds, and generations must never repeat, or a \
                stale handle would become valid again"
)]
fn generation_exhaustion_panics_instead_of_wrapping() {
    next_generation(3, MAX_GENERATION);
}

#[test]
fn a_free_that_would_wrap_the_generation_panics_and_leaves_the_slot_allocated() {
    let core = SlabCore::<u64, Std>::new(1, Tagging::Tagged, |_| 0);
    let handle = core.alloc_with(|_, _| Ok(())).unwrap();
    // As if the slot had been freed 2^62 - 1 times: allocated at the last generation.
    let last = state_word(MAX_GENERATION, ALLOCATED);
    core.states[0].store(last, Ordering::Release);
    let handle = Handle {
        generation: MAX_GENERATION,
        ..handle
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        core.free_with(handle, None::<fn(usize)>)
    }));
    assert!(outcome.is_err(), "the free must panic rather than wrap");
    assert_eq!(state(&core, 0), last, "the slot is unchanged");
    assert_eq!(core.check(handle), Ok(0), "and the handle still current");
}

#[test]
fn alloc_claims_the_slot_before_check_and_a_refusal_releases_it_at_the_same_generation() {
    let core = SlabCore::<u64, Std>::new(2, Tagging::Tagged, |_| 0);
    let refusal = SlabError::WriteAfterFree {
        slot: 0,
        offset: 0,
        found: 0,
        generation: 0,
    };
    let result = core.alloc_with(|slot, popped| {
        assert!(
            is_free(popped),
            "check is given the state the slot was popped in"
        );
        let now = state(&core, slot);
        assert!(
            is_allocated(now) && generation_of(now) == generation_of(popped),
            "check runs on a slot this thread has already claimed: {now:#b}"
        );
        Err(refusal.clone())
    });
    assert_eq!(result, Err(refusal));
    assert_eq!(state(&core, 0), 0, "released: free again, same generation");
    assert_eq!(core.free_slots(), Ok(vec![0, 1]), "and pushed back on top");
    core.check_quiescent().unwrap();
    let handle = core.alloc_with(|_, _| Ok(())).unwrap();
    assert_eq!((handle.slot(), handle.generation()), (0, 0));
}

#[test]
fn a_poisoning_free_holds_the_slot_busy_at_the_next_generation_while_it_poisons() {
    let core = SlabCore::<u64, Std>::new(1, Tagging::Tagged, |_| 0);
    let handle = core.alloc_with(|_, _| Ok(())).unwrap();
    core.free_with(
        handle,
        Some(|slot| {
            let now = state(&core, slot);
            assert_eq!(
                now,
                1 << FLAG_BITS | BUSY,
                "busy at generation 1 while the poison is written"
            );
            assert_eq!(
                core.check(handle),
                Err(SlabError::StaleHandle {
                    slot: 0,
                    handle_generation: 0,
                    slot_generation: 1
                }),
                "the freed handle is already stale"
            );
            assert_eq!(
                core.free_with(handle, None::<fn(usize)>),
                Err(SlabError::DoubleFree {
                    slot: 0,
                    generation: 0
                }),
                "a racing second free is a double free"
            );
        }),
    )
    .unwrap();
    assert_eq!(state(&core, 0), 1 << FLAG_BITS, "free at generation 1");
    core.check_quiescent().unwrap();
}

#[test]
fn finding_06_cache_ids_are_64_bit_and_never_wrap() {
    let counter = AtomicU64::new(u64::from(u32::MAX));
    assert_eq!(
        next_cache_id(&counter),
        u64::from(u32::MAX),
        "past the 32-bit range ids go on"
    );
    assert_eq!(next_cache_id(&counter), u64::from(u32::MAX) + 1);
    let counter = AtomicU64::new(u64::MAX - 2);
    assert_eq!(next_cache_id(&counter), u64::MAX - 2);
    assert_eq!(next_cache_id(&counter), u64::MAX - 1);
    assert_eq!(
        counter.load(Ordering::Relaxed),
        u64::MAX,
        "the last id is handed out"
    );
}

#[test]
#[should_panic(
    expected = "slab cache ids exhausted: every id below 0xffffffffffffffff was \
                           handed out, and cache ids must be unique so that no cache \
                           accepts another cache's handles"
)]
fn finding_06_cache_id_exhaustion_panics_instead_of_wrapping() {
    let counter = AtomicU64::new(u64::MAX - 1);
    assert_eq!(next_cache_id(&counter), u64::MAX - 1);
    next_cache_id(&counter);
}

#[test]
fn torn_words_are_refused_by_a_tagged_slab_and_kept_by_an_untagged_one() {
    for tagging in [Tagging::Tagged, Tagging::Untagged] {
        let mut core = SlabCore::<u64, Std>::new(2, tagging, |_| 0);
        let handle = core.alloc_with(|_, _| Ok(())).unwrap();
        let mut words = core.save();
        // Torn: the slot's state says free, but the free list was read before its push.
        words.states[handle.slot()] = state_word(1, 0);
        let restored = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            core.restore(&words);
        }));
        match tagging {
            Tagging::Tagged => {
                let message = *restored.unwrap_err().downcast::<String>().unwrap();
                assert_eq!(
                    message,
                    "slab words restored must be a quiescent slab's (saved while no alloc or \
                     free ran): free list corruption: slot#0 is free (generation 1) but not on the \
                     free list: it is lost"
                );
            }
            Tagging::Untagged => assert!(restored.is_ok(), "an untagged list may be corrupt"),
        }
    }
}

/// The check of a quiescent cache names the first fault of a corrupt free list, with a cache
/// of up to 64 slots (whose walks keep the slots met in one word) and with a larger one.
#[test]
fn a_corrupt_free_list_is_named_by_its_first_fault_in_small_and_large_caches() {
    for slots in [3, 70] {
        let fault = |corrupt: &dyn Fn(&mut crate::SlabWords, &[usize])| {
            let mut core = SlabCore::<u64, Std>::new(slots, Tagging::Untagged, |_| 0);
            let order = core.free_slots().unwrap();
            assert_eq!(order.len(), slots, "{slots} slots, all free");
            let mut words = core.save();
            corrupt(&mut words, &order);
            core.restore(&words);
            match core.check_quiescent() {
                Err(SlabError::FreeListCorrupt { detail }) => detail,
                other => panic!("{slots} slots: a corrupt list passed the check: {other:?}"),
            }
        };
        let order = SlabCore::<u64, Std>::new(slots, Tagging::Untagged, |_| 0)
            .free_slots()
            .unwrap();
        assert_eq!(
            fault(&|words, order| words.free_next[order[1]] = order[0]),
            format!(
                "slot#{} appears twice on the free list (after 2 entries): the list has a cycle",
                order[0]
            )
        );
        assert_eq!(
            fault(&|words, order| words.free_next[order[0]] = slots + 5),
            format!(
                "the free list links to slot#{}, past the last slot ({})",
                slots + 5,
                slots - 1
            )
        );
        assert_eq!(
            fault(&|words, order| words.states[order[1]] = state_word(0, ALLOCATED)),
            format!(
                "slot#{} is on the free list but allocated (generation 0)",
                order[1]
            )
        );
        // A slot linking to itself, and a link that skips a slot.
        assert_eq!(
            fault(&|words, order| words.free_next[order[2]] = order[2]),
            format!(
                "slot#{} appears twice on the free list (after 3 entries): the list has a cycle",
                order[2]
            )
        );
        assert_eq!(
            fault(&|words, order| words.free_next[order[0]] = order[2]),
            format!(
                "slot#{} is free (generation 0) but not on the free list: it is lost",
                order[1]
            )
        );
    }
}
