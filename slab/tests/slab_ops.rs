//! Unit tests of every slab operation and every misuse message, pinned word for word.

use lifecycle_slab::{PoisonSlab, Slab, SlabError, SlabStats, Tagging, POISON_FREE};
use std::cell::Cell;

#[test]
fn alloc_hands_out_slots_in_order_then_lifo() {
    let slab = Slab::<u32>::new(3, |slot| slot as u32 * 10);
    let a = slab.alloc().unwrap();
    let b = slab.alloc().unwrap();
    assert_eq!(
        (a.slot(), b.slot()),
        (0, 1),
        "a fresh cache hands out slots in order"
    );
    slab.free(a).unwrap();
    slab.free(b).unwrap();
    let again = slab.alloc().unwrap();
    assert_eq!(
        again.slot(),
        1,
        "LIFO: the most recently freed slot comes back first"
    );
    assert_eq!(
        *slab.get(again).unwrap(),
        10,
        "the object keeps what its slot held"
    );
}

#[test]
fn a_freed_object_comes_back_at_the_same_address_with_its_contents() {
    let slab = Slab::<u64>::new(4, |_| 0);
    let first = slab.alloc().unwrap();
    let address = slab.as_ptr(first).unwrap();
    // SAFETY: this test owns the object.
    unsafe { slab.with_mut(first, |object| *object = 0xfeed) }.unwrap();
    slab.free(first).unwrap();
    let second = slab.alloc().unwrap();
    assert_eq!(
        slab.as_ptr(second).unwrap(),
        address,
        "same slot, same address"
    );
    assert_eq!(
        *slab.get(second).unwrap(),
        0xfeed,
        "free neither drops nor resets the object: stale contents survive (as in the story)"
    );
    assert_ne!(first, second, "the generation differs");
    assert_eq!(second.generation(), first.generation() + 1);
}

#[test]
fn the_constructor_runs_once_per_slot() {
    let calls = Cell::new(0);
    let slab = Slab::<usize>::new(5, |slot| {
        calls.set(calls.get() + 1);
        slot
    });
    for _ in 0..20 {
        let handle = slab.alloc().unwrap();
        slab.free(handle).unwrap();
    }
    assert_eq!(calls.get(), 5);
}

#[test]
fn a_full_cache_reports_full_and_never_blocks() {
    let slab = Slab::<u8>::new(2, |_| 0);
    let _a = slab.alloc().unwrap();
    let _b = slab.alloc().unwrap();
    let error = slab.alloc().unwrap_err();
    assert_eq!(error, SlabError::Full { capacity: 2 });
    assert_eq!(error.to_string(), "slab full: all 2 slots are allocated");
}

#[test]
fn an_empty_cache_is_always_full() {
    let slab = Slab::<u8>::new(0, |_| 0);
    assert_eq!(slab.alloc().unwrap_err(), SlabError::Full { capacity: 0 });
}

#[test]
fn use_after_free_through_a_stale_handle_is_caught() {
    let slab = Slab::<u32>::new(2, |_| 0);
    let handle = slab.alloc().unwrap();
    slab.free(handle).unwrap();
    let error = slab.get(handle).unwrap_err();
    assert_eq!(
        error.to_string(),
        "use after free: handle to slot#0 has generation 0, but the slot is at generation 1 \
         (freed since the handle was made)"
    );
    // Still caught after the slot is reallocated to someone else.
    let _other = slab.alloc().unwrap();
    assert!(matches!(
        slab.with(handle, |_| ()),
        Err(SlabError::StaleHandle {
            slot: 0,
            handle_generation: 0,
            slot_generation: 1
        })
    ));
    assert!(slab.as_ptr(handle).is_err());
}

#[test]
fn double_free_is_caught_and_changes_nothing() {
    let slab = Slab::<u32>::new(2, |_| 0);
    let handle = slab.alloc().unwrap();
    slab.free(handle).unwrap();
    let error = slab.free(handle).unwrap_err();
    assert_eq!(
        error.to_string(),
        "double free: slot#0 (generation 0) is already free"
    );
    let stats = slab.check_quiescent().unwrap();
    assert_eq!((stats.in_use, stats.free), (0, 2), "the cache is unchanged");
}

#[test]
fn freeing_a_stale_handle_after_reallocation_is_a_use_after_free() {
    let slab = Slab::<u32>::new(1, |_| 0);
    let old = slab.alloc().unwrap();
    slab.free(old).unwrap();
    let new = slab.alloc().unwrap();
    assert_eq!(
        slab.free(old).unwrap_err(),
        SlabError::StaleHandle {
            slot: 0,
            handle_generation: 0,
            slot_generation: 1
        },
        "the stale handle must not free the new owner's object"
    );
    slab.free(new).unwrap();
}

#[test]
fn a_handle_from_another_cache_is_refused() {
    let one = Slab::<u32>::new(1, |_| 0);
    let other = Slab::<u32>::new(1, |_| 0);
    let handle = other.alloc().unwrap();
    let error = one.free(handle).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "free of an object not from this cache: the handle belongs to cache #{}, this is \
             cache #{}",
            other.id(),
            one.id()
        )
    );
}

#[test]
fn a_pointer_not_from_this_cache_is_refused() {
    let slab = Slab::<u64>::new(2, |_| 0);
    let outside = 7u64;
    let error = slab.handle_of(&outside).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "free of an object not from this cache: {:#x} is not the start of any of its slots",
            &outside as *const u64 as usize
        )
    );
    // A pointer into the middle of a slot is not an object either.
    // Derived from the slot's pointer rather than cast from an integer, so the test also runs
    // under Miri's `-Zmiri-strict-provenance`; `handle_of` reads only its address.
    let inside = slab
        .slot_ptr(1)
        .as_ptr()
        .cast::<u8>()
        .wrapping_add(1)
        .cast::<u64>()
        .cast_const();
    assert!(matches!(
        slab.handle_of(inside),
        Err(SlabError::NotFromThisCache { .. })
    ));
}

#[test]
fn handle_of_finds_allocated_objects_and_refuses_free_ones() {
    let slab = Slab::<u64>::new(3, |_| 0);
    let handle = slab.alloc().unwrap();
    let ptr = slab.as_ptr(handle).unwrap();
    assert_eq!(slab.handle_of(ptr.as_ptr()).unwrap(), handle);
    slab.free(handle).unwrap();
    let error = slab.handle_of(ptr.as_ptr()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "use of a free object: slot#0 (generation 1) is not allocated"
    );
}

#[test]
fn poisoning_catches_a_write_after_free_and_repairs_the_slot() {
    let slab = PoisonSlab::<[u8; 16]>::new(2);
    let handle = slab.alloc().unwrap();
    assert_eq!(
        // SAFETY: the object is not freed while the copy is made.
        unsafe { *slab.get(handle).unwrap() },
        [POISON_FREE; 16],
        "fresh objects are poison"
    );
    let stale = slab.as_ptr(handle).unwrap();
    slab.free(handle).unwrap();
    // The bug: a write through a pointer kept past the free.
    // SAFETY: the slot's memory stays valid (slots are never unmapped) and `[u8; 16]` accepts
    // any bytes; this is the misuse the poison exists to catch.
    unsafe { stale.as_ptr().cast::<u8>().add(5).write(0x01) };
    let error = slab.alloc().unwrap_err();
    assert_eq!(
        error.to_string(),
        "write after free: slot#0 byte 5 is 0x01, expected poison 0x6b (freed at generation 0); \
         re-poisoned and kept free"
    );
    let clean = slab.alloc().unwrap();
    assert_eq!(clean.slot(), 0, "the repaired slot is handed out next");
    // SAFETY: the object is not freed while the copy is made.
    assert_eq!(unsafe { *slab.get(clean).unwrap() }, [POISON_FREE; 16]);
    let stats = slab.check_quiescent().unwrap();
    assert_eq!((stats.in_use, stats.free), (1, 1));
}

#[test]
fn stats_and_the_quiescent_check_agree() {
    let slab = Slab::<u32>::new(4, |_| 0);
    let handles: Vec<_> = (0..3).map(|_| slab.alloc().unwrap()).collect();
    slab.free(handles[1]).unwrap();
    let expected = SlabStats {
        capacity: 4,
        in_use: 2,
        free: 2,
        high_water: 3,
    };
    assert_eq!(slab.stats(), expected);
    assert_eq!(slab.check_quiescent().unwrap(), expected);
}

#[test]
fn the_untagged_free_list_behaves_the_same_single_threaded() {
    // SAFETY: single-threaded, so the untagged free list's ABA cannot happen.
    let slab = unsafe { Slab::<u32>::with_tagging(3, Tagging::Untagged, |_| 0) };
    assert_eq!(slab.tagging(), Tagging::Untagged);
    let a = slab.alloc().unwrap();
    let b = slab.alloc().unwrap();
    slab.free(a).unwrap();
    assert_eq!(slab.alloc().unwrap().slot(), a.slot());
    slab.free(b).unwrap();
    assert_eq!(slab.check_quiescent().unwrap().in_use, 1);
}

#[test]
#[should_panic(expected = "slot#9 out of range: the cache has 2 slots")]
fn slot_address_out_of_range_panics_naming_the_slot() {
    Slab::<u32>::new(2, |_| 0).slot_address(9);
}

#[test]
fn free_slots_lists_the_free_list_in_the_order_alloc_hands_it_out() {
    let slab = Slab::<u32>::new(3, |_| 0);
    assert_eq!(slab.free_slots().unwrap(), [0, 1, 2]);
    let a = slab.alloc().unwrap();
    let b = slab.alloc().unwrap();
    slab.free(a).unwrap();
    slab.free(b).unwrap();
    // LIFO: the last freed comes back first.
    assert_eq!(slab.free_slots().unwrap(), [1, 0, 2]);
    let mut visited = Vec::new();
    slab.visit_free_slots(|slot| visited.push(slot)).unwrap();
    assert_eq!(
        visited,
        [1, 0, 2],
        "a visit sees the slots in the same order"
    );
    assert_eq!(slab.alloc().unwrap().slot(), 1);
}

#[test]
fn a_restored_slab_is_the_cache_it_was_saved_from() {
    let mut slab = Slab::<u32>::new(3, |slot| slot as u32);
    let a = slab.alloc().unwrap();
    let b = slab.alloc().unwrap();
    slab.free(a).unwrap();
    let words = slab.save();
    let free_then = slab.free_slots().unwrap();
    // Afterwards: b freed, a's slot and the last slot handed out again.
    slab.free(b).unwrap();
    let again = slab.alloc().unwrap();
    let _third = slab.alloc().unwrap();
    assert_eq!(again.slot(), b.slot());
    assert!(slab.get(b).is_err(), "b is stale once freed");
    slab.restore(&words);
    assert_eq!(slab.free_slots().unwrap(), free_then);
    assert!(
        slab.get(b).is_ok(),
        "b is current again: the rollback the checker wants"
    );
    assert!(slab.get(a).is_err(), "a was freed before the save");
    assert_eq!(slab.check_quiescent().unwrap().in_use, 1);
    // It goes on as it would have: the next alloc takes a's slot, one generation on.
    let next = slab.alloc().unwrap();
    assert_eq!(
        (next.slot(), next.generation()),
        (a.slot(), a.generation() + 1)
    );
}

#[test]
#[should_panic(expected = "a slab restores only the words saved from it")]
fn a_slab_refuses_words_saved_from_another() {
    let one = Slab::<u32>::new(2, |_| 0);
    let mut other = Slab::<u32>::new(2, |_| 0);
    other.restore(&one.save());
}
