//! The safe API against the raw one it is built on, in one run (issue #13: no cost): add+del
//! under the lock (`SafeList::add`/`del` through the guard, against `ListHead::add`/`del` in
//! `unsafe` under the same `SpinLock`), and alloc+free (`SafeSlab::alloc`/`free` of a `Unique`,
//! against `Slab::alloc`/`free` of a `Handle`). Both lists in raw mode (`list.h` without
//! `CONFIG_DEBUG_LIST`, the bench profile's default), single-threaded, so the numbers are the
//! code's cost and not contention. Timed with `iter_custom` around a plain loop, so each side
//! pays for exactly its own operations.

use criterion::{criterion_group, criterion_main, Criterion};
use lifecycle_list::{
    impl_linked, impl_list_link, CheckMode, Linked, ListHead, ListLink, SpinLock,
};
use lifecycle_slab::{SafeSlab, Slab, SlabList};
use std::hint::black_box;
use std::time::{Duration, Instant};

const CAPACITY: usize = 1024;

/// The raw API's object.
struct RawNode {
    link: ListHead,
    id: u64,
}
impl_linked!(RawNode, link);

/// The safe API's object.
struct SafeNode {
    link: ListLink,
    id: u64,
}
impl_list_link!(SafeNode, link);

fn add_del(c: &mut Criterion) {
    let mut group = c.benchmark_group("add+del under the lock");

    let raw_slab: Slab<RawNode> = Slab::new(CAPACITY, |slot| RawNode {
        link: ListHead::with_checks(CheckMode::Raw),
        id: slot as u64,
    });
    let head = Box::new(ListHead::with_checks(CheckMode::Raw));
    // SAFETY: boxed and not shared yet.
    unsafe { head.init() };
    let raw_list: SpinLock<Box<ListHead>> = SpinLock::new(head);
    let handle = raw_slab.alloc().unwrap();
    // SAFETY: a current handle's pointer points to a live node in the slab.
    let link = unsafe { RawNode::link_ptr(raw_slab.as_ptr(handle).unwrap()) };
    let node = raw_slab.get(handle).unwrap();
    group.bench_function("raw", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let list = raw_list.lock().unwrap();
                // SAFETY: the lock is held; the node lives in the slab and is not linked.
                unsafe { list.add(black_box(link)) }.unwrap();
                // SAFETY: the lock is held; the node is linked on this list.
                unsafe { black_box(&node.link).del() }.unwrap();
            }
            start.elapsed()
        })
    });

    let safe_slab: SafeSlab<SafeNode> = SafeSlab::new(CAPACITY, |slot| SafeNode {
        link: ListLink::with_checks(CheckMode::Raw),
        id: slot as u64,
    });
    let safe_list: SpinLock<SlabList<SafeNode>> =
        SpinLock::new(SlabList::with_checks(CheckMode::Raw));
    let mut token = Some(safe_slab.alloc().unwrap().into_token::<0>());
    let reference = token.as_ref().unwrap().to_ref();
    // Borrowed once, outside the loop, as the raw side's `node` is.
    let mine: &SafeNode = &reference;
    group.bench_function("safe", |b| {
        b.iter_custom(|iters| {
            let mut held = token.take().unwrap();
            let start = Instant::now();
            for _ in 0..iters {
                let mut list = safe_list.lock().unwrap();
                list.add(black_box(held));
                held = list.del(black_box(mine)).unwrap();
            }
            let elapsed = start.elapsed();
            token = Some(held);
            elapsed
        })
    });
    group.finish();
    black_box((node.id, mine.id));
}

fn alloc_free(c: &mut Criterion) {
    let mut group = c.benchmark_group("alloc+free");
    let raw_slab: Slab<RawNode> = Slab::new(CAPACITY, |slot| RawNode {
        link: ListHead::with_checks(CheckMode::Raw),
        id: slot as u64,
    });
    group.bench_function("raw", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let handle = raw_slab.alloc().unwrap();
                raw_slab.free(handle).unwrap();
            }
            start.elapsed()
        })
    });
    let safe_slab: SafeSlab<SafeNode> = SafeSlab::new(CAPACITY, |slot| SafeNode {
        link: ListLink::with_checks(CheckMode::Raw),
        id: slot as u64,
    });
    group.bench_function("safe", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let object = safe_slab.alloc().unwrap();
                safe_slab.free(object).unwrap();
            }
            start.elapsed()
        })
    });
    group.bench_function("safe (Unique::free)", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                safe_slab.alloc().unwrap().free();
            }
            start.elapsed()
        })
    });
    group.bench_function("safe (drop)", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                drop(safe_slab.alloc().unwrap());
            }
            start.elapsed()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = add_del, alloc_free
}
criterion_main!(benches);
