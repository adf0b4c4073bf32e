//! The spinlock on real threads: mutual exclusion under contention, `try_lock`, the holder
//! record, poisoning after a panic, misuse messages, and `lock_api::Mutex<RawSpinLock, T>` as a
//! drop-in for parking_lot users. `SPINLOCK_ITERATIONS` overrides the contended tests' iterations
//! per thread (ci/miri.sh makes them fewer).

use lifecycle_list::{Platform, RawSpinLock, SpinLock, Std};
use std::sync::{Arc, Barrier, TryLockError};
use std::thread;

/// Lock acquisitions per thread in a contended test: `SPINLOCK_ITERATIONS`, else `default`.
fn iterations(default: usize) -> usize {
    std::env::var("SPINLOCK_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn two_threads_never_lose_an_increment() {
    let per_thread = iterations(200_000);
    let lock = Arc::new(SpinLock::<_>::new(0usize));
    let start = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (lock, start) = (lock.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                for _ in 0..per_thread {
                    // A non-atomic read-modify-write: only mutual exclusion keeps it exact.
                    let mut guard = lock.lock().unwrap();
                    let value = *guard;
                    *guard = value + 1;
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(*lock.lock().unwrap(), 2 * per_thread);
}

#[test]
fn try_lock_fails_while_held_and_succeeds_after() {
    let lock = SpinLock::<_>::new(1);
    let guard = lock.lock().unwrap();
    assert!(matches!(lock.try_lock(), Err(TryLockError::WouldBlock)));
    drop(guard);
    assert_eq!(*lock.try_lock().unwrap(), 1);
}

#[test]
fn the_holder_is_recorded_while_held() {
    let lock = SpinLock::<_>::new(());
    assert_eq!(lock.holder(), None);
    let guard = lock.lock().unwrap();
    assert_eq!(lock.holder(), Some(Std::thread_id()));
    assert!(lock.raw().is_locked());
    drop(guard);
    assert_eq!(lock.holder(), None);
    assert!(!lock.raw().is_locked());
}

#[test]
fn a_panic_while_holding_the_lock_poisons_it_for_the_next_holder() {
    let lock = Arc::new(SpinLock::<_>::new(vec![1, 2, 3]));
    let panicking = lock.clone();
    let outcome = thread::spawn(move || {
        let mut guard = panicking.lock().unwrap();
        guard.push(4);
        panic!("holder dies halfway through an update");
    })
    .join();
    assert!(outcome.is_err(), "the holder panicked");

    // The lock was released (no hang), and the next holder is told.
    let poisoned = lock
        .lock()
        .expect_err("the next holder must learn of the panic");
    let mut guard = poisoned.into_inner();
    assert_eq!(*guard, [1, 2, 3, 4], "the half-done update is visible");
    guard.clear_poison();
    drop(guard);
    assert!(
        lock.lock().is_ok(),
        "clear_poison declares the data consistent again"
    );
}

/// Takes `lock` and updates its data completely in its destructor, which the test runs while
/// unwinding from an unrelated panic.
struct CleanupOnUnwind(Arc<SpinLock<Vec<u32>>>);

impl Drop for CleanupOnUnwind {
    fn drop(&mut self) {
        assert!(thread::panicking(), "the test drops this during unwinding");
        let mut guard = self.0.lock().expect("not poisoned before");
        guard.push(5);
        // The critical section is complete; releasing the lock here must not poison it.
    }
}

#[test]
fn a_lock_taken_and_released_cleanly_during_unwinding_is_not_poisoned() {
    let lock = Arc::new(SpinLock::<_>::new(vec![1, 2, 3]));
    let cleanup = CleanupOnUnwind(lock.clone());
    let outcome = thread::spawn(move || {
        let _cleanup = cleanup;
        panic!("an unrelated panic; the lock is not held when it starts");
    })
    .join();
    assert!(outcome.is_err(), "the thread panicked");
    let guard = lock
        .lock()
        .expect("a critical section that began during unwinding and ended cleanly poisons nothing");
    assert_eq!(*guard, [1, 2, 3, 5], "the destructor's update is complete");
}

#[test]
#[should_panic(
    expected = "RawSpinLock::unlock: the lock is not held (unlock without lock, or double unlock)"
)]
fn unlocking_a_lock_nobody_holds_is_refused() {
    let raw = RawSpinLock::<Std>::new();
    // SAFETY: deliberately broken contract; the lock checks it and panics before any store.
    unsafe { raw.unlock() };
}

#[test]
fn lock_api_mutex_is_a_drop_in_for_parking_lot_users() {
    type Mutex<T> = lock_api::Mutex<RawSpinLock, T>;
    static COUNTER: Mutex<usize> = Mutex::const_new(<RawSpinLock as lock_api::RawMutex>::INIT, 0);
    let per_thread = iterations(50_000);
    let handles: Vec<_> = (0..2)
        .map(|_| {
            thread::spawn(move || {
                for _ in 0..per_thread {
                    *COUNTER.lock() += 1;
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(*COUNTER.lock(), 2 * per_thread);
    let guard = COUNTER.try_lock().expect("free after all threads are done");
    assert!(COUNTER.is_locked());
    drop(guard);
}
