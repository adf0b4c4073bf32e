// Finding 1: a `&SpinGuard<Cell<_>>` shared with another thread would give both threads `&Cell`,
// a data race. The guard is `Sync` only if `T: Sync`, so this must not compile.
use lifecycle_list::SpinLock;
use std::cell::Cell;

fn main() {
    let lock = SpinLock::<Cell<u32>>::new(Cell::new(0));
    let guard = lock.lock().unwrap();
    std::thread::scope(|scope| {
        let shared = &guard;
        scope.spawn(move || shared.set(1));
        shared.set(2);
    });
}
