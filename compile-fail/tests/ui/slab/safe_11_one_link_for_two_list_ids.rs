// Double add through one link named for two list IDs: `into_tokens::<0, 1>` would give two
// tokens for the same `ListHead`. A link's type carries its ID (`ListLink<ID>`), so the field
// cannot be the link of a second ID.
use lifecycle_list::{impl_list_link, ListLink};

struct Socket {
    link: ListLink<0>,
}
impl_list_link!(Socket, link, 0);
impl_list_link!(Socket, link, 1);

fn main() {}
