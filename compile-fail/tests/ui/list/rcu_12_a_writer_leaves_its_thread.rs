// An `RcuWriter` stays on the thread that took the list's lock (as `std::sync::MutexGuard`):
// `RcuList::lock` tells a thread that takes the lock twice (an entry's destructor run by the
// collector under the lock) by the lock's holder, which must be the thread the writer is on. A
// writer sent away would leave the taking thread named as the holder, and its next `lock` would
// panic while another thread holds the lock.
use lifecycle_list::RcuList;

fn main() {
    let ids: RcuList<u64> = RcuList::new();
    let writer = ids.lock();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut writer = writer;
            writer.add(1);
        });
    });
}
