// Catalogue bug: list_del without the lock. A list shared between threads without a lock (here
// in an `Arc`) gives only `&`, and `del` needs `&mut`.
use lifecycle_list::{impl_list_link, ListLink};
use lifecycle_slab::{SafeSlab, SlabList};
use std::sync::Arc;

struct Socket {
    link: ListLink,
}
impl_list_link!(Socket, link);

fn main() {
    let slab: SafeSlab<Socket> = SafeSlab::new(1, |_| Socket { link: ListLink::new() });
    let mut list = SlabList::<Socket>::new();
    let token = slab.alloc().unwrap().into_token::<0>();
    let mine = token.to_ref();
    list.add(token);
    let shared = Arc::new(list);
    let _token = shared.del(&mine);
}
