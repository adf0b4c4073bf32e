// Rule 1 on an RCU list: writers change it only with its lock held (readers need none). Only
// the lock's writer has `add` and `del_first`: the list itself has neither.
use lifecycle_list::epoch;
use lifecycle_list::RcuList;

struct Session {
    id: u64,
}

fn main() {
    let sessions: RcuList<Session> = RcuList::new();
    sessions.add(Session { id: 1 });
    let guard = epoch::pin();
    let _removed = sessions.del_first(&guard, |s| s.id == 1);
}
