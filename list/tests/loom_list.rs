//! loom models of the list under its spinlock: link writes made under the lock are ordered by
//! it (no data race on any link, the list well formed at the end), and a `del` made without the
//! lock is reported by loom as a data race on the links.

use lifecycle_list::{CheckMode, ListHead, Loom, SpinLock};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A registry: a list head whose every access happens under `lock`.
struct Registry {
    lock: SpinLock<(), Loom>,
    head: Box<ListHead<Loom>>,
    /// Never grows after creation, so the nodes never move.
    nodes: Vec<ListHead<Loom>>,
}

fn registry(nodes: usize) -> Arc<Registry> {
    let registry = Registry {
        lock: SpinLock::new(()),
        head: Box::new(ListHead::with_checks(CheckMode::Checked)),
        nodes: (0..nodes)
            .map(|_| ListHead::with_checks(CheckMode::Checked))
            .collect(),
    };
    // SAFETY: not shared yet; the head is boxed and will not move.
    unsafe { registry.head.init() };
    Arc::new(registry)
}

/// Each of `threads` threads adds its node under the lock, then deletes it under the lock
/// (or, with `del_without_lock`, thread 0 deletes without it).
fn add_del_model(threads: usize, preemption_bound: usize, del_without_lock: bool) -> usize {
    let executions = Arc::new(AtomicUsize::new(0));
    let counted = executions.clone();
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(preemption_bound);
    builder.check(move || {
        counted.fetch_add(1, Ordering::Relaxed);
        let registry = registry(threads);
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let registry = registry.clone();
                loom::thread::spawn(move || {
                    let node = &registry.nodes[t];
                    {
                        let _guard = registry.lock.lock().expect("no holder panicked");
                        // SAFETY: the registry lock is held; the node is boxed and outlives the
                        // model.
                        unsafe { registry.head.add(NonNull::from(node)) }
                            .expect("add of a fresh node");
                    }
                    if del_without_lock && t == 0 {
                        // SAFETY: deliberately NOT holding the lock: the data race under test.
                        unsafe { node.del() }.expect("del of a linked node");
                    } else {
                        let _guard = registry.lock.lock().expect("no holder panicked");
                        // SAFETY: the registry lock is held.
                        unsafe { node.del() }.expect("del of a linked node");
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().expect("a list thread panicked");
        }
        let _guard = registry.lock.lock().expect("no holder panicked");
        // SAFETY: the registry lock is held.
        unsafe {
            assert!(
                registry.head.is_empty_careful(),
                "every node added under the lock was deleted under the lock"
            );
        }
    });
    executions.load(Ordering::Relaxed)
}

#[test]
fn two_threads_add_and_del_under_the_lock_without_a_race() {
    let explored = add_del_model(2, 3, false);
    eprintln!("loom list add/del, 2 threads, bound 3: {explored} executions");
    assert!(explored > 1);
}

#[test]
fn three_threads_add_and_del_under_the_lock_without_a_race() {
    let explored = add_del_model(3, if cfg!(loom) { 3 } else { 1 }, false);
    eprintln!("loom list add/del, 3 threads: {explored} executions");
    assert!(explored > 1);
}

#[test]
fn del_without_the_lock_is_a_data_race_on_the_links() {
    let payload = catch_unwind(AssertUnwindSafe(|| add_del_model(2, 2, true)))
        .expect_err("loom must report the unlocked del");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(
        message.contains("Causality violation"),
        "an unlocked del writes links another thread reads under the lock; loom said: {message}"
    );
}
