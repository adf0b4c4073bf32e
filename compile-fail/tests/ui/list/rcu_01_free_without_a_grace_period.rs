// RCU bug: list_del_rcu, then kfree at once, while a reader may still stand on the entry. A
// removed entry is a `Retired`: it can be read, and destroyed only after a grace period
// (`defer_destroy`, or dropping it); taking the value back out of it, to drop it now, does not
// compile.
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
    let removed = sessions.lock().del_first(&guard, |s| s.id == 1).unwrap();
    let session: Session = *removed;
    drop(session);
}
