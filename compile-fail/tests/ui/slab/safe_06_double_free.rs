// Catalogue bug: double free. `free` takes the `Unique` by value: there is none left to free
// again.
use lifecycle_list::{impl_list_link, ListLink};
use lifecycle_slab::SafeSlab;

struct Socket {
    link: ListLink,
}
impl_list_link!(Socket, link);

fn main() {
    let slab: SafeSlab<Socket> = SafeSlab::new(1, |_| Socket { link: ListLink::new() });
    let socket = slab.alloc().unwrap();
    slab.free(socket).unwrap();
    slab.free(socket).unwrap();
}
