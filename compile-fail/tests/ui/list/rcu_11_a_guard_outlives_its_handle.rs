// crossbeam-rs/crossbeam#545 by the guard's road: a crossbeam-epoch `Guard` has no lifetime, so
// `collector.register().pin()` outlives its handle, and the guard's drop may free its own
// registration. An `RcuHandle` (from `RcuList::register`) keeps the collector alive until its
// registration is gone, and its guards borrow it: one cannot outlive it.
use lifecycle_list::RcuList;

fn main() {
    let list: RcuList<u64> = RcuList::new();
    let guard = list.register().pin();
    list.lock().add(1);
    drop(list);
    drop(guard);
}
