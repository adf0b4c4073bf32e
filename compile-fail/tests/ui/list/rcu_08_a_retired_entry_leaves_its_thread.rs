// A `Retired` defers its destruction through the guard it borrows; a guard is its thread's
// (crossbeam-epoch's thread-local participant), so a `Retired` cannot be sent to another thread.
use lifecycle_list::epoch;
use lifecycle_list::RcuList;

fn main() {
    let ids: RcuList<u64> = RcuList::new();
    ids.lock().add(1);
    let guard = epoch::pin();
    let removed = ids.lock().del_first(&guard, |&id| id == 1).unwrap();
    std::thread::scope(|scope| {
        scope.spawn(move || removed.defer_destroy());
    });
}
