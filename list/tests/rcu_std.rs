//! The RCU model on real threads: sections nest and only the outermost ends one; a grace period
//! waits for a section open at its start and not for one that began after; callbacks run after
//! a grace period, in batches, and `rcu_barrier` waits for every one queued before it; misuse is
//! an error, never a silent success.

use lifecycle_list::{GaveUp, Rcu, RcuError, Std};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn sections_nest_and_only_the_outermost_unlock_ends_one() {
    let rcu = Rcu::<(), Std>::new(1);
    let mut me = rcu.register().unwrap();
    me.read_lock();
    me.read_lock();
    me.read_unlock().unwrap();
    assert!(
        me.in_section(),
        "the inner unlock leaves the outer section open"
    );
    let open = rcu.start_grace_period();
    assert_eq!(open.waits_for().collect::<Vec<_>>(), [0]);
    assert!(!rcu.grace_period_elapsed(&open));
    me.read_unlock().unwrap();
    assert!(rcu.grace_period_elapsed(&open));
    assert_eq!(me.read_unlock(), Err(RcuError::UnlockWithoutLock));
}

#[test]
fn a_grace_period_waits_for_a_section_open_at_its_start_only() {
    let rcu = Rcu::<(), Std>::new(2);
    let mut reader = rcu.register().unwrap();
    reader.read_lock();
    let grace_period = rcu.start_grace_period();
    reader.read_unlock().unwrap();
    reader.read_lock();
    assert!(
        rcu.grace_period_elapsed(&grace_period),
        "the section open at the start ended; the new one began after"
    );
    let later = rcu.start_grace_period();
    assert!(!rcu.grace_period_elapsed(&later));
    assert_eq!(
        rcu.wait_for(&later, &|| true),
        Err(GaveUp),
        "a caller on real threads can give a wait up"
    );
}

#[test]
fn synchronize_returns_after_a_reader_on_another_thread_leaves() {
    let rcu = Arc::new(Rcu::<(), Std>::new(2));
    let inside = Arc::new(AtomicBool::new(false));
    let left = Arc::new(AtomicBool::new(false));
    let reader = {
        let (rcu, inside, left) = (rcu.clone(), inside.clone(), left.clone());
        std::thread::spawn(move || {
            let mut me = rcu.register().unwrap();
            me.read_lock();
            inside.store(true, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(50));
            left.store(true, Ordering::SeqCst);
            me.read_unlock().unwrap();
        })
    };
    while !inside.load(Ordering::SeqCst) {
        std::thread::yield_now();
    }
    rcu.synchronize(&|| false).unwrap();
    assert!(
        left.load(Ordering::SeqCst),
        "synchronize_rcu returned before the section it began inside of ended"
    );
    reader.join().unwrap();
}

#[test]
fn callbacks_run_after_a_grace_period_and_a_barrier_waits_for_them() {
    let rcu = Arc::new(Rcu::<usize, Std>::new(2));
    let ran = Arc::new(Mutex::new(Vec::new()));
    let worker = {
        let (rcu, ran) = (rcu.clone(), ran.clone());
        std::thread::spawn(move || rcu.run_callbacks(|n| ran.lock().unwrap().push(n), &|| false))
    };
    let mut reader = rcu.register().unwrap();
    reader.read_lock();
    rcu.call(1).unwrap();
    rcu.call(2).unwrap();
    std::thread::sleep(Duration::from_millis(30));
    assert!(
        ran.lock().unwrap().is_empty(),
        "no callback runs while a section open at its call is"
    );
    assert_eq!(rcu.pending(), 2);
    reader.read_unlock().unwrap();
    let start = Instant::now();
    rcu.barrier(&|| start.elapsed() > Duration::from_secs(10))
        .expect("the worker runs them");
    assert_eq!(*ran.lock().unwrap(), [1, 2]);
    assert_eq!(rcu.pending(), 0);
    rcu.stop();
    worker
        .join()
        .unwrap()
        .expect("the worker returns once stopped");
}

#[test]
fn registering_more_threads_than_slots_is_an_error() {
    let rcu = Rcu::<(), Std>::new(1);
    let _one = rcu.register().unwrap();
    assert_eq!(
        rcu.register().unwrap_err(),
        RcuError::TooManyThreads { slots: 1 }
    );
    let used = AtomicUsize::new(0);
    assert!(rcu
        .synchronize(&|| used.fetch_add(1, Ordering::Relaxed) > 0)
        .is_ok());
}

#[test]
fn a_call_after_stop_is_refused_and_a_worker_that_gives_up_keeps_its_batch() {
    let rcu = Rcu::<u32, Std>::new(1);
    let mut reader = rcu.register().unwrap();
    reader.read_lock();
    rcu.call(7).unwrap();
    let mut ran = Vec::new();
    assert_eq!(
        rcu.run_callbacks(|n| ran.push(n), &|| true),
        Err(GaveUp),
        "the reader's section is open: the worker's grace period cannot end"
    );
    assert_eq!(rcu.pending(), 1, "the batch went back to the queue");
    reader.read_unlock().unwrap();
    rcu.stop();
    assert_eq!(
        rcu.call(8).unwrap_err(),
        (RcuError::Stopped, 8),
        "after stop nothing would run it"
    );
    rcu.run_callbacks(|n| ran.push(n), &|| false).unwrap();
    assert_eq!(ran, [7]);
    assert_eq!(rcu.pending(), 0);
}
