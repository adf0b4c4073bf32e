// Catalogue bug: list_del of the entry a plain walk (list_for_each) just gave, which then
// follows the poisoned link. The plain walk borrows the list, and `del` needs it `&mut`: a walk
// that deletes is `walk_safe`.
use lifecycle_list::{impl_list_link, ListLink, SpinLock};
use lifecycle_slab::{SafeSlab, SlabList};

struct Socket {
    link: ListLink,
}
impl_list_link!(Socket, link);

fn main() {
    let slab: SafeSlab<Socket> = SafeSlab::new(1, |_| Socket { link: ListLink::new() });
    let registry: SpinLock<SlabList<Socket>> = SpinLock::new(SlabList::new());
    let mut list = registry.lock().unwrap();
    list.add(slab.alloc().unwrap().into_token::<0>());
    for token in list.iter() {
        drop(list.del(&token));
    }
}
