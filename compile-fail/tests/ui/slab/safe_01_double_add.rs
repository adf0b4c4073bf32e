// Catalogue bug: double add (the story's step 4). `add` consumes the object's one token for the
// list's ID, so a second add of the same object has no token to give: use of a moved value.
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
    let mut list = registry.lock().unwrap();
    list.add(token);
    list.add(token);
}
