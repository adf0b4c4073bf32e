//! The safe list-and-slab API (issue #13) on real threads, and its run-time checks. Properties:
//!
//! 1. The fixed lifecycle (alloc, add under the lock, lookup with a counted reference that
//!    outlives the guard, del, free) leaves the list empty and every slot free.
//! 2. LIFO reuse is harmless: the same slot comes back with fresh tokens and clean links.
//! 3. Freeing needs every reference back: `try_unique` refuses while the list holds the token
//!    or another `Ref` exists, and the last reference frees only after the del.
//! 4. `del` of an object on another list with the same ID, or on none, is refused with
//!    `NotOnThisList`, and changes nothing.
//! 5. A `Unique` from another slab is given back by `free`.
//! 6. The deletion-tolerant walk unlinks as it goes; dropping a list unlinks and releases
//!    every entry.
//! 7. Two lists (two IDs) hold one object at once; its tokens are released independently.
//! 8. Two threads run thousands of lifecycles with lookups on the other's objects.
//! 9. A list with entries moved by value (into a function and back, into a `Box` and out, into
//!    a `Vec`) keeps working: its entries point at its head, which moving the list must not
//!    invalidate (Miri checks that part; `SafeList` keeps no `Box` of its head for that reason).

use lifecycle_list::{impl_list_link, ListLink, NotOnThisList, SpinLock};
use lifecycle_slab::{Ref, SafeSlab, SlabList, Unique};
use std::sync::Barrier;

const REGISTRY: u64 = 0;
const HASH: u64 = 1;

/// A socket-like object on two lists.
struct Socket {
    registry: ListLink<REGISTRY>,
    hash: ListLink<HASH>,
    id: u64,
}
impl_list_link!(Socket, registry, REGISTRY);
impl_list_link!(Socket, hash, HASH);

fn sockets(capacity: usize) -> SafeSlab<Socket> {
    SafeSlab::new(capacity, |_| Socket {
        registry: ListLink::new(),
        hash: ListLink::new(),
        id: 0,
    })
}

/// An empty registry under its lock.
fn registry_list<'s>() -> SpinLock<SlabList<'s, Socket, REGISTRY>> {
    SpinLock::new(SlabList::new())
}

/// Allocates a socket with `id`, links it on `list` and returns the owner's reference.
fn open<'s>(
    slab: &'s SafeSlab<Socket>,
    list: &SpinLock<SlabList<'s, Socket, REGISTRY>>,
    id: u64,
) -> Ref<'s, Socket> {
    let mut socket = slab.alloc().expect("a free slot");
    socket.id = id;
    let token = socket.into_token::<REGISTRY>();
    let mine = token.to_ref();
    list.lock().unwrap().add(token);
    mine
}

#[test]
fn the_fixed_lifecycle_leaves_nothing_behind() {
    let slab = sockets(2);
    let registry = registry_list();
    let mine = open(&slab, &registry, 7);
    let found = {
        let list = registry.lock().unwrap();
        let found = list
            .iter()
            .find(|token| token.id == 7)
            .map(|token| token.to_ref());
        found.expect("the socket is registered")
    };
    assert_eq!(found.id, 7, "the reference outlives the guard");
    let token = registry
        .lock()
        .unwrap()
        .del(&mine)
        .expect("on the registry");
    drop(token);
    drop(found);
    let socket = mine.try_unique().expect("the only reference left");
    slab.free(socket).expect("from this slab");
    assert!(registry.lock().unwrap().is_empty());
    let stats = slab.check_quiescent().unwrap();
    assert_eq!((stats.in_use, stats.free), (0, 2));
}

#[test]
fn lifo_reuse_hands_the_same_slot_back_with_fresh_tokens() {
    let slab = sockets(2);
    let registry = registry_list();
    let first = open(&slab, &registry, 1);
    let slot = Ref::slot(&first);
    drop(registry.lock().unwrap().del(&first).unwrap());
    first.try_unique().unwrap().free();
    let second = open(&slab, &registry, 2);
    assert_eq!(Ref::slot(&second), slot, "LIFO hands the same slot back");
    let list = registry.lock().unwrap();
    let ids: Vec<u64> = list.iter().map(|token| token.id).collect();
    assert_eq!(ids, [2], "one entry: the re-add made no self loop");
}

#[test]
fn try_unique_refuses_while_the_list_holds_the_token_or_a_ref_exists() {
    let slab = sockets(1);
    let registry = registry_list();
    let mine = open(&slab, &registry, 1);
    let mine = mine.try_unique().expect_err("the list holds the token");
    let token = registry.lock().unwrap().del(&mine).unwrap();
    let other = token.into_ref();
    let mine = mine.try_unique().expect_err("another Ref exists");
    drop(other);
    assert_eq!(
        slab.stats().in_use,
        1,
        "not freed while a reference is left"
    );
    drop(mine);
    assert_eq!(slab.stats().in_use, 0, "the last reference freed it");
}

#[test]
fn the_last_reference_to_a_linked_object_is_the_lists() {
    let slab = sockets(1);
    let registry = registry_list();
    drop(open(&slab, &registry, 1));
    assert_eq!(
        slab.stats().in_use,
        1,
        "the list's token keeps it allocated"
    );
    let token = registry.lock().unwrap().pop_front().expect("still linked");
    assert!(!token.registry.is_linked());
    drop(token);
    assert_eq!(slab.stats().in_use, 0, "freed once unlinked and released");
}

#[test]
fn del_from_another_list_with_the_same_id_is_refused() {
    let slab = sockets(1);
    let registry = registry_list();
    let other = registry_list();
    let mine = open(&slab, &registry, 1);
    let error = other.lock().unwrap().del(&mine).unwrap_err();
    let (registry_id, other_id) = (registry.lock().unwrap().id(), other.lock().unwrap().id());
    assert_eq!(
        error,
        NotOnThisList {
            list: other_id,
            owner: registry_id
        }
    );
    assert_eq!(
        error.to_string(),
        format!(
            "del from list #{other_id}: the value is on list #{registry_id} (only the list \
             that holds a value's token may unlink it)"
        )
    );
    assert_eq!(registry.lock().unwrap().len(), 1, "nothing changed");
    drop(registry.lock().unwrap().del(&mine).unwrap());
    let error = registry.lock().unwrap().del(&mine).unwrap_err();
    assert_eq!(error.owner, 0);
    assert_eq!(
        error.to_string(),
        format!("del from list #{registry_id}: the value is on no list")
    );
}

#[test]
fn free_gives_a_unique_of_another_slab_back() {
    let one = sockets(1);
    let two = sockets(1);
    let socket: Unique<'_, Socket> = one.alloc().unwrap();
    let socket = two.free(socket).expect_err("not from this slab");
    assert_eq!((one.stats().in_use, two.stats().in_use), (1, 0));
    one.free(socket).unwrap();
    assert_eq!(one.stats().in_use, 0);
}

#[test]
fn the_safe_walk_deletes_as_it_goes_and_a_dropped_list_releases_its_entries() {
    let slab = sockets(4);
    let registry = registry_list();
    let refs: Vec<_> = (0..4).map(|id| open(&slab, &registry, id)).collect();
    drop(refs);
    {
        let mut list = registry.lock().unwrap();
        let mut walk = list.walk_safe();
        let mut reaped = Vec::new();
        while let Some(entry) = walk.next() {
            if entry.id % 2 == 0 {
                reaped.push(entry.del());
            }
        }
        assert_eq!(reaped.iter().map(|t| t.id).collect::<Vec<_>>(), [2, 0]);
        drop(reaped);
        assert_eq!(list.iter().map(|t| t.id).collect::<Vec<_>>(), [3, 1]);
    }
    assert_eq!(slab.stats().in_use, 2, "the reaped sockets were freed");
    drop(registry);
    assert_eq!(
        slab.stats().in_use,
        0,
        "dropping the list released the rest"
    );
}

#[test]
fn one_object_on_two_lists_holds_two_tokens() {
    let slab = sockets(1);
    let registry = registry_list();
    let hash: SpinLock<SlabList<Socket, HASH>> = SpinLock::new(SlabList::new());
    let (on_registry, on_hash) = slab.alloc().unwrap().into_tokens::<REGISTRY, HASH>();
    let mine = on_hash.to_ref();
    registry.lock().unwrap().add(on_registry);
    hash.lock().unwrap().add(on_hash);
    assert!(mine.registry.is_linked() && mine.hash.is_linked());
    drop(registry.lock().unwrap().del(&mine).unwrap());
    let mine = mine.try_unique().expect_err("still on the hash list");
    drop(hash.lock().unwrap().del(&mine).unwrap());
    mine.try_unique().expect("every token back").free();
    assert_eq!(slab.stats().in_use, 0);
}

#[test]
fn two_threads_run_lifecycles_and_look_up_each_others_objects() {
    // `SAFE_API_ROUNDS` overrides the rounds per thread (ci/miri.sh makes them fewer).
    let rounds: u64 = std::env::var("SAFE_API_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let slab = sockets(8);
    let registry = registry_list();
    let start = Barrier::new(2);
    std::thread::scope(|scope| {
        for thread in 0..2u64 {
            let (slab, registry, start) = (&slab, &registry, &start);
            scope.spawn(move || {
                start.wait();
                for round in 0..rounds {
                    let id = thread << 32 | round;
                    let mine = open(slab, registry, id);
                    let seen = {
                        let list = registry.lock().unwrap();
                        list.iter()
                            .find(|token| token.id >> 32 != thread)
                            .map(|token| token.to_ref())
                    };
                    if let Some(seen) = seen {
                        assert_ne!(seen.id >> 32, thread, "read after the unlock, still theirs");
                    }
                    let token = registry.lock().unwrap().del(&mine).unwrap();
                    drop(token);
                    drop(mine); // the last reference, or the other thread's lookup frees it
                }
            });
        }
    });
    assert!(registry.lock().unwrap().is_empty());
    let stats = slab.check_quiescent().unwrap();
    assert_eq!((stats.in_use, stats.free), (0, 8));
}

/// Moves `list` by value through a function call, as the callee's argument and return value.
fn pass_through<'s>(list: SlabList<'s, Socket, REGISTRY>) -> SlabList<'s, Socket, REGISTRY> {
    list
}

#[test]
fn a_list_with_entries_moved_by_value_keeps_working() {
    let slab = sockets(4);
    let mut list: SlabList<Socket, REGISTRY> = SlabList::new();
    let mut mine = Vec::new();
    for id in 0..3 {
        let mut socket = slab.alloc().expect("a free slot");
        socket.id = id;
        let token = socket.into_token::<REGISTRY>();
        mine.push(token.to_ref());
        list.add_tail(token);
    }
    let ids = |list: &SlabList<Socket, REGISTRY>| list.iter().map(|s| s.id).collect::<Vec<_>>();

    let moved = list;
    assert_eq!(ids(&moved), [0, 1, 2], "after a move to another binding");
    let mut moved = pass_through(moved);
    drop(
        moved
            .del(&mine[1])
            .expect("on the list, after a move through a call"),
    );
    let boxed = Box::new(moved);
    assert_eq!(ids(&boxed), [0, 2], "after a move into a box");
    let mut unboxed = *boxed;
    let mut socket = slab.alloc().expect("a free slot");
    socket.id = 3;
    let token = socket.into_token::<REGISTRY>();
    mine.push(token.to_ref());
    unboxed.add(token);
    let mut lists = vec![unboxed];
    let mut last = lists.pop().expect("one list");
    assert_eq!(ids(&last), [3, 0, 2], "after a move into a vector and out");
    drop(last.pop_front().expect("an entry"));
    let mut walk = last.walk_safe();
    while let Some(entry) = walk.next() {
        drop(entry.del());
    }
    assert!(last.is_empty());
    drop(last);
    for socket in mine {
        socket.try_unique().expect("every token back").free();
    }
    assert_eq!(slab.check_quiescent().unwrap().in_use, 0);
}
