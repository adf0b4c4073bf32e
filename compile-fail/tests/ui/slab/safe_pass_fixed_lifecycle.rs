// The whole fixed lifecycle in safe code: alloc, add under the lock, lookup that takes a counted
// reference and uses it after the unlock, del under the lock, free. It compiles and runs.
use lifecycle_list::{impl_list_link, ListLink, SpinLock};
use lifecycle_slab::{SafeSlab, SlabList};

struct Socket {
    link: ListLink,
    id: u64,
}
impl_list_link!(Socket, link);

fn main() {
    let slab: SafeSlab<Socket> = SafeSlab::new(2, |_| Socket { link: ListLink::new(), id: 0 });
    let registry: SpinLock<SlabList<Socket>> = SpinLock::new(SlabList::new());

    let mut socket = slab.alloc().unwrap();
    socket.id = 7;
    let token = socket.into_token::<0>();
    let mine = token.to_ref();
    registry.lock().unwrap().add(token);

    let found = {
        let list = registry.lock().unwrap();
        list.iter().find(|token| token.id == 7).map(|token| token.to_ref())
    };
    assert_eq!(found.expect("registered").id, 7);

    let token = registry.lock().unwrap().del(&mine).unwrap();
    drop(token);
    let socket = mine.try_unique().ok().expect("every reference and token back");
    slab.free(socket).ok().expect("from this slab");
    assert_eq!(slab.stats().in_use, 0);
}
