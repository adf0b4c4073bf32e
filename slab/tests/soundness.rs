//! Regression tests of issue #9 (no undefined behaviour reachable from safe code), one or more per
//! finding of the review that the slab answers at run time: `Slab::free` never writes the object
//! a `&T` may still see (finding 3), zero-sized objects are refused (finding 5), a handle is a
//! name and not an ownership proof (finding 8), and slot pointers carry the object's provenance
//! through an intrusive list (finding 11). Finding 6's id allocator is unit-tested next to it in
//! `src/slab_core/tests.rs`; findings 2, 3 and 7 are also compile-time: see `compile-fail/tests/compile_fail.rs`.

use lifecycle_list::{impl_linked, CheckMode, Linked, ListHead};
use lifecycle_slab::{PoisonSlab, Slab, SlabError};
use std::ptr::NonNull;

#[test]
fn finding_03_slab_free_never_writes_the_object_under_a_live_reference() {
    let slab = Slab::<[u8; 16]>::new(1, |_| [7; 16]);
    let handle = slab.alloc().unwrap();
    let object: &[u8; 16] = slab.get(handle).unwrap();
    slab.free(handle).unwrap();
    // The reference outlived its allocation (a logic error), but it still reads what the object
    // held: `Slab::free` neither poisons nor resets, so nothing was written under it.
    assert_eq!(*object, [7; 16]);
    let again = slab.alloc().unwrap();
    assert_eq!(again.slot(), handle.slot());
    assert_eq!(*object, [7; 16], "nor does the next alloc");
    assert!(matches!(
        slab.get(handle),
        Err(SlabError::StaleHandle { .. })
    ));
}

#[test]
fn finding_03_poison_slab_poisons_on_free_and_checks_on_alloc() {
    let slab = PoisonSlab::<u64>::new(1);
    let handle = slab.alloc().unwrap();
    // SAFETY: single-threaded; the object is not freed during the call.
    unsafe { slab.with_mut(handle, |object| *object = 42) }.unwrap();
    // SAFETY: as above, and the reference is dead before the free below.
    assert_eq!(unsafe { *slab.get(handle).unwrap() }, 42);
    slab.free(handle).unwrap();
    let again = slab.alloc().unwrap();
    // SAFETY: as above.
    let value = unsafe { *slab.get(again).unwrap() };
    assert_eq!(
        value, 0x6b6b_6b6b_6b6b_6b6b,
        "freed objects come back as poison"
    );
}

#[test]
#[should_panic(
    expected = "slab of a zero-sized type: every slot must have an address of its own \
                           (a pointer names one slot, and slot lookups divide by the object \
                           size), so T must not be zero-sized"
)]
fn finding_05_zero_sized_objects_are_refused() {
    let _ = Slab::<()>::new(2, |_| ());
}

#[test]
#[should_panic(expected = "slab of a zero-sized type")]
fn finding_05_zero_sized_poison_objects_are_refused() {
    let _ = PoisonSlab::<[u8; 0]>::new(2);
}

#[test]
fn finding_06_handles_carry_64_bit_cache_ids() {
    let (one, two) = (Slab::<u8>::new(1, |_| 0), Slab::<u8>::new(1, |_| 0));
    let handle: u64 = one.alloc().unwrap().cache();
    assert_eq!(handle, one.id());
    assert_ne!(one.id(), two.id(), "every cache has an id of its own");
}

#[test]
fn finding_08_handle_of_mints_the_owners_handle_so_a_handle_is_not_ownership() {
    let slab = Slab::<u64>::new(2, |_| 0);
    let owner = slab.alloc().unwrap();
    // Anyone who knows the slot's address can make the owner's handle, without the owner.
    let minted = slab
        .handle_of(slab.slot_ptr(owner.slot()).as_ptr())
        .unwrap();
    assert_eq!(minted, owner, "the minted handle is the owner's handle");
    // And can free the object through it: the owner's handle is stale from then on.
    slab.free(minted).unwrap();
    assert_eq!(
        slab.get(owner).unwrap_err(),
        SlabError::StaleHandle {
            slot: owner.slot(),
            handle_generation: owner.generation(),
            slot_generation: owner.generation() + 1,
        },
        "freeing through the minted handle made the owner's handle stale"
    );
    assert_eq!(
        slab.free(owner).unwrap_err(),
        SlabError::DoubleFree {
            slot: owner.slot(),
            generation: owner.generation()
        }
    );
}

/// A slab object with an embedded link.
struct Node {
    id: u64,
    link: ListHead,
}
impl_linked!(Node, link);

#[test]
fn finding_11_slab_objects_linked_through_slot_ptr_map_back_to_it() {
    const SLOTS: usize = 4;
    let slab = Slab::<Node>::new(SLOTS, |slot| Node {
        id: 100 + slot as u64,
        link: ListHead::with_checks(CheckMode::Checked),
    });
    let head = Box::new(ListHead::with_checks(CheckMode::Checked));
    // SAFETY: boxed (it will not move) and not shared.
    unsafe { head.init() };
    let handles: Vec<_> = (0..SLOTS).map(|_| slab.alloc().unwrap()).collect();
    for handle in &handles {
        let object = slab.slot_ptr(handle.slot());
        assert_eq!(slab.as_ptr(*handle).unwrap(), object);
        // SAFETY: single-threaded; slab objects never move; the link pointer is projected from
        // the slot pointer, so it keeps the object's provenance (the list discipline, point 3).
        unsafe { head.add_tail(Node::link_ptr(object)).unwrap() };
    }
    // SAFETY: single-threaded; every entry is a slab `Node` linked through `link_ptr`.
    let walked: Vec<NonNull<Node>> = unsafe { head.entries::<Node>(SLOTS) }
        .map(|entry| entry.expect("a well-formed list"))
        .collect();
    let expected: Vec<NonNull<Node>> = (0..SLOTS).map(|slot| slab.slot_ptr(slot)).collect();
    assert_eq!(walked, expected, "from_link gives back the slot pointers");
    // SAFETY: the objects are live slab objects, only read here.
    let ids: Vec<u64> = walked
        .iter()
        .map(|node| unsafe { node.as_ref().id })
        .collect();
    assert_eq!(
        ids,
        [100, 101, 102, 103],
        "fields read through the mapped pointers"
    );
    for handle in handles {
        // SAFETY: single-threaded; unlink before free.
        unsafe { slab.get(handle).unwrap().link.del().unwrap() };
        slab.free(handle).unwrap();
    }
    // SAFETY: single-threaded.
    assert!(unsafe { head.is_empty_careful() });
}
