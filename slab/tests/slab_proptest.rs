//! Property tests of the slab against a reference model (a LIFO stack of free slots and a
//! generation per slot).
//!
//! Properties checked after every operation of a random sequence of allocs, frees and misuses:
//! 1. `alloc` returns exactly the slot the model's LIFO stack has on top, or `Full` when empty.
//! 2. Handles carry the slot's generation; every free bumps it.
//! 3. A stale handle (freed, maybe reallocated since) is refused by `get`, `with` and `free` with
//!    `StaleHandle` naming both generations; a double free is `DoubleFree`; a handle from another
//!    cache is `ForeignHandle`. None of them changes the cache.
//! 4. `check_quiescent` agrees with the model: in use + free == capacity, counted on the list.
//! 5. An object's contents survive free and reallocation (no reset, no drop).

use lifecycle_slab::{Handle, Slab, SlabError};
use proptest::prelude::*;

const CAPACITY: usize = 6;

#[derive(Debug, Clone)]
enum Op {
    Alloc,
    Free(usize),
    Write(usize, u32),
    UseStale(usize),
    FreeStale(usize),
    FreeForeign,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Alloc),
        3 => (0..CAPACITY * 2).prop_map(Op::Free),
        2 => (0..CAPACITY * 2, any::<u32>()).prop_map(|(i, v)| Op::Write(i, v)),
        1 => (0..CAPACITY * 4).prop_map(Op::UseStale),
        1 => (0..CAPACITY * 4).prop_map(Op::FreeStale),
        1 => Just(Op::FreeForeign),
    ]
}

struct Model {
    free_stack: Vec<usize>,
    generation: Vec<u64>,
    contents: Vec<u32>,
    live: Vec<Handle>,
    stale: Vec<Handle>,
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(
                "tests/proptest-regressions/slab_proptest.txt",
            ),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn slab_matches_its_reference_model(ops in proptest::collection::vec(op(), 1..120)) {
        let slab = Slab::<u32>::new(CAPACITY, |slot| slot as u32);
        let foreign = Slab::<u32>::new(1, |_| 0);
        let foreign_handle = foreign.alloc().unwrap();
        let mut model = Model {
            free_stack: (0..CAPACITY).rev().collect(),
            generation: vec![0; CAPACITY],
            contents: (0..CAPACITY as u32).collect(),
            live: Vec::new(),
            stale: Vec::new(),
        };
        for op in &ops {
            match *op {
                Op::Alloc => match model.free_stack.pop() {
                    Some(slot) => {
                        let handle = slab.alloc().unwrap();
                        prop_assert_eq!(handle.slot(), slot, "LIFO order");
                        prop_assert_eq!(handle.generation(), model.generation[slot]);
                        prop_assert_eq!(*slab.get(handle).unwrap(), model.contents[slot],
                            "contents survive free and reallocation");
                        model.live.push(handle);
                    }
                    None => prop_assert_eq!(slab.alloc(), Err(SlabError::Full { capacity: CAPACITY })),
                },
                Op::Free(i) if !model.live.is_empty() => {
                    let handle = model.live.remove(i % model.live.len());
                    slab.free(handle).unwrap();
                    model.generation[handle.slot()] += 1;
                    model.free_stack.push(handle.slot());
                    model.stale.push(handle);
                }
                Op::Write(i, value) if !model.live.is_empty() => {
                    let handle = model.live[i % model.live.len()];
                    // SAFETY: single-threaded; no other reference to the object is live.
                    unsafe { slab.with_mut(handle, |object| *object = value) }.unwrap();
                    model.contents[handle.slot()] = value;
                }
                Op::UseStale(i) if !model.stale.is_empty() => {
                    let handle = model.stale[i % model.stale.len()];
                    let expected = SlabError::StaleHandle {
                        slot: handle.slot(),
                        handle_generation: handle.generation(),
                        slot_generation: model.generation[handle.slot()],
                    };
                    prop_assert_eq!(slab.get(handle).err(), Some(expected.clone()));
                    prop_assert_eq!(slab.with(handle, |_| ()).err(), Some(expected));
                }
                Op::FreeStale(i) if !model.stale.is_empty() => {
                    let handle = model.stale[i % model.stale.len()];
                    let slot = handle.slot();
                    let now = model.generation[slot];
                    let reallocated = !model.free_stack.contains(&slot);
                    let expected = if now == handle.generation() + 1 && !reallocated {
                        SlabError::DoubleFree { slot, generation: handle.generation() }
                    } else {
                        SlabError::StaleHandle {
                            slot,
                            handle_generation: handle.generation(),
                            slot_generation: now,
                        }
                    };
                    prop_assert_eq!(slab.free(handle), Err(expected));
                }
                Op::FreeForeign => {
                    prop_assert_eq!(slab.free(foreign_handle), Err(SlabError::ForeignHandle {
                        handle_cache: foreign.id(),
                        cache: slab.id(),
                    }));
                }
                _ => {}
            }
            let stats = slab.check_quiescent().map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(stats.in_use, model.live.len());
            prop_assert_eq!(stats.free, model.free_stack.len());
            prop_assert_eq!(stats.in_use + stats.free, CAPACITY);
        }
    }
}
