// crossbeam-rs/crossbeam#545: crossbeam-epoch 0.9 frees a handle's registration from inside the
// handle's (or its guard's) drop when the registration held the collector's last `Collector`.
// A list on a collector of its own, dropped before the last handle of that collector, did that
// from safe code; so making one is `unsafe`, and its contract is that drop order.
use lifecycle_list::epoch::Collector;
use lifecycle_list::RcuList;

fn main() {
    let list: RcuList<u64> = RcuList::with_collector(Collector::new());
    let handle = list.collector().register();
    drop(list);
    drop(handle);
}
