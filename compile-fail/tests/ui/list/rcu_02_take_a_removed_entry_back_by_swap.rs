// RCU bug, the same by another road: swap a removed entry's value out (to free it now) while a
// reader may still read it. A `Retired` lends only `&T` (rustc also notes that the `mut` is
// useless: nothing can change through it).
#![allow(unused_mut)]
use lifecycle_list::epoch;
use lifecycle_list::RcuList;

struct Session {
    id: u64,
    name: String,
}

fn main() {
    let sessions: RcuList<Session> = RcuList::new();
    sessions.lock().add(Session { id: 1, name: "a".into() });
    let guard = epoch::pin();
    let mut removed = sessions.lock().del_first(&guard, |s| s.id == 1).unwrap();
    let name = std::mem::take(&mut removed.name);
    drop(name);
}
