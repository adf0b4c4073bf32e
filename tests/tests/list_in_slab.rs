//! The list and the slab used together, as a user of the two crates would, without the models:
//! intrusive nodes living in slab slots, a spinlock-protected list of them.
//!
//! 1. The story by hand, single-threaded: free while linked, LIFO reallocation at the same
//!    address, a raw re-add, and the bounded walk naming the self loop; the checked list refusing
//!    the same re-add as a double add.
//! 2. The fixed protocol on two real threads: thousands of add/del/free cycles, after which the
//!    list is empty and every slot is free again.

use lifecycle_list::{impl_linked, CheckMode, Linked, ListError, ListHead, SpinLock};
use lifecycle_slab::{Handle, Slab};
use std::ptr::NonNull;
use std::sync::{Arc, Barrier};

/// A socket-like object with an embedded link.
struct Node {
    link: ListHead,
    id: u64,
}
impl_linked!(Node, link);

fn slab(capacity: usize, checks: CheckMode) -> Slab<Node> {
    Slab::new(capacity, |slot| Node {
        link: ListHead::with_checks(checks),
        id: slot as u64,
    })
}

/// The pointer to link the node of `handle` with: projected from the slot pointer, so the list
/// can map it back to the node (the list discipline, point 3).
fn link(cache: &Slab<Node>, handle: Handle) -> NonNull<ListHead> {
    // SAFETY: a current handle's object pointer points to a live `Node` in the slab.
    unsafe { Node::link_ptr(cache.as_ptr(handle).unwrap()) }
}

fn head(checks: CheckMode) -> Box<ListHead> {
    let head = Box::new(ListHead::with_checks(checks));
    // SAFETY: boxed and not shared yet.
    unsafe { head.init() };
    head
}

#[test]
fn the_story_by_hand_makes_a_self_loop_that_the_bounded_walk_names() {
    let cache = slab(2, CheckMode::Raw);
    let registry = head(CheckMode::Raw);
    let first = cache.alloc().unwrap();
    // SAFETY: single-threaded; nodes live in the slab, which outlives the list.
    unsafe { registry.add(link(&cache, first)).unwrap() };
    cache.free(first).unwrap(); // the bug: no list_del first
    let second = cache.alloc().unwrap();
    assert_eq!(second.slot(), first.slot(), "LIFO hands the same slot back");
    let node = cache.get(second).unwrap();
    // SAFETY: as above; this re-add is the bug under study.
    unsafe { registry.add(link(&cache, second)).unwrap() };
    // SAFETY: as above.
    let error = unsafe { registry.count_nodes(cache.capacity()) }.unwrap_err();
    assert_eq!(
        error,
        ListError::Cycle {
            head: registry.address(),
            max_nodes: 2,
            cycle: vec![node.link.address()],
        },
        "the walk proves the cycle slot#0 -> slot#0 instead of hanging"
    );
}

#[test]
fn the_checked_list_refuses_the_same_re_add() {
    let cache = slab(2, CheckMode::Checked);
    let registry = head(CheckMode::Checked);
    let first = cache.alloc().unwrap();
    // SAFETY: single-threaded; nodes live in the slab.
    unsafe { registry.add(link(&cache, first)).unwrap() };
    cache.free(first).unwrap();
    let second = cache.alloc().unwrap();
    let node = cache.get(second).unwrap();
    // SAFETY: as above.
    let error = unsafe { registry.add(link(&cache, second)) }.unwrap_err();
    assert!(
        matches!(error, ListError::DoubleAdd { new, next, .. }
            if new == node.link.address() && next == node.link.address()),
        "{error}"
    );
}

#[test]
fn the_fixed_protocol_on_two_real_threads_leaves_nothing_behind() {
    const ROUNDS: usize = 20_000;
    let cache = Arc::new(slab(8, CheckMode::Checked));
    let registry: Arc<SpinLock<Box<ListHead>>> = Arc::new(SpinLock::new(head(CheckMode::Checked)));
    let start = Arc::new(Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (cache, registry, start) = (cache.clone(), registry.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                for _ in 0..ROUNDS {
                    let handle = cache.alloc().expect("8 slots for 2 threads");
                    let node = cache.get(handle).unwrap();
                    {
                        let list = registry.lock().unwrap();
                        // SAFETY: the registry lock is held; nodes live in the slab.
                        unsafe { list.add(link(&cache, handle)).unwrap() };
                        // SAFETY: as above.
                        let walked: Vec<u64> = unsafe { list.entries::<Node>(cache.capacity()) }
                            .map(|entry| unsafe { entry.unwrap().as_ref().id })
                            .collect();
                        assert!(walked.contains(&node.id));
                    }
                    {
                        let _list = registry.lock().unwrap();
                        // SAFETY: the registry lock is held: unlink before free.
                        unsafe { node.link.del().unwrap() };
                    }
                    cache.free(handle).unwrap();
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let list = registry.lock().unwrap();
    // SAFETY: the registry lock is held.
    let empty = unsafe { list.is_empty_careful() };
    assert!(empty, "every node was unlinked");
    drop(list);
    let stats = cache.check_quiescent().unwrap();
    assert_eq!((stats.in_use, stats.free), (0, 8), "every slot came back");
}
