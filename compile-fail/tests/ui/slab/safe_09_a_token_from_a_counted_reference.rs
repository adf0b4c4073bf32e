// Double add through a second token: only a `Unique` (no other reference, so no token out)
// makes tokens. A `Ref`, which may coexist with a token on a list, has no way to make one.
use lifecycle_list::{impl_list_link, ListLink};
use lifecycle_slab::SafeSlab;

struct Socket {
    link: ListLink,
}
impl_list_link!(Socket, link);

fn main() {
    let slab: SafeSlab<Socket> = SafeSlab::new(1, |_| Socket { link: ListLink::new() });
    let token = slab.alloc().unwrap().into_token::<0>();
    let mine = token.to_ref();
    let second = mine.into_token::<0>();
}
