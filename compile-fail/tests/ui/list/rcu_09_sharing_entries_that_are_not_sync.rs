// Readers on several threads read the same entries at once, so a list shared between threads
// needs `Sync` entries: two readers could otherwise both `set` one `Cell`.
use lifecycle_list::epoch;
use lifecycle_list::RcuList;
use std::cell::Cell;

fn main() {
    let counters: RcuList<Cell<u64>> = RcuList::new();
    counters.lock().add(Cell::new(0));
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let guard = epoch::pin();
            for counter in counters.iter(&guard) {
                counter.set(counter.get() + 1);
            }
        });
    });
}
