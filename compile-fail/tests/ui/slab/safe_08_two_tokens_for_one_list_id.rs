// Double add through a second token: `into_tokens` hands out one token per list ID, and two IDs
// that are the same would be two tokens for one link. A compile-time assertion refuses it.
use lifecycle_list::{impl_list_link, ListLink};
use lifecycle_slab::SafeSlab;

struct Socket {
    link: ListLink,
}
impl_list_link!(Socket, link);

fn main() {
    let slab: SafeSlab<Socket> = SafeSlab::new(1, |_| Socket { link: ListLink::new() });
    let (_first, _second) = slab.alloc().unwrap().into_tokens::<0, 0>();
}
