// Catalogue bug: free while linked (the story's step 2). `free` takes a `Unique`, which exists
// only while no other reference does; the list holds the token, so the owner has a `Ref`, which
// `free` does not take.
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
    let mine = token.to_ref();
    registry.lock().unwrap().add(token);
    slab.free(mine).unwrap();
}
