// A write that another reference (a reader that looked the object up) could be reading: only
// the `Unique` gives `&mut`; a `Ref` gives `&`.
use lifecycle_list::{impl_list_link, ListLink};
use lifecycle_slab::SafeSlab;

struct Socket {
    link: ListLink,
    id: u64,
}
impl_list_link!(Socket, link);

fn main() {
    let slab: SafeSlab<Socket> = SafeSlab::new(1, |_| Socket { link: ListLink::new(), id: 0 });
    let mine = slab.alloc().unwrap().into_ref();
    let reader = mine.clone();
    mine.id = 1;
    drop(reader);
}
