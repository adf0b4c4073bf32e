// Catalogue bug: a lookup that keeps a pointer past the unlock without taking a reference. The
// entry a lookup finds borrows the guard, so the guard cannot be dropped while it is in use;
// what may outlive the lock is a counted reference (`token.to_ref()`).
use lifecycle_list::{impl_list_link, ListLink, SpinLock};
use lifecycle_slab::{SafeSlab, SlabList};

struct Socket {
    link: ListLink,
    id: u64,
}
impl_list_link!(Socket, link);

fn main() {
    let slab: SafeSlab<Socket> = SafeSlab::new(1, |_| Socket { link: ListLink::new(), id: 0 });
    let registry: SpinLock<SlabList<Socket>> = SpinLock::new(SlabList::new());
    registry.lock().unwrap().add(slab.alloc().unwrap().into_token::<0>());
    let list = registry.lock().unwrap();
    let found = list.front().unwrap();
    drop(list);
    println!("{}", found.id);
}
