// Catalogue bug: list_add without the lock. A shared list changes only through `&mut`, which
// its lock's guard gives: the lock itself has no `add`.
use lifecycle_list::{impl_list_link, ListLink, SpinLock};
use lifecycle_slab::{SafeSlab, SlabList};

struct Socket {
    link: ListLink,
}
impl_list_link!(Socket, link);

fn main() {
    let slab: SafeSlab<Socket> = SafeSlab::new(1, |_| Socket { link: ListLink::new() });
    let registry: SpinLock<SlabList<Socket>> = SpinLock::new(SlabList::new());
    let token = slab.alloc().unwrap().into_token::<0>();
    registry.add(token);
}
