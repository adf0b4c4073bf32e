// RCU bug: what a reader found, used after rcu_read_unlock (its section ended, so a grace period
// may have freed it). The reference borrows the guard: the guard cannot be dropped while it is in
// use.
use lifecycle_list::epoch;
use lifecycle_list::RcuList;

struct Session {
    id: u64,
}

fn main() {
    let sessions: RcuList<Session> = RcuList::new();
    sessions.lock().add(Session { id: 1 });
    let guard = epoch::pin();
    let found = sessions.iter(&guard).find(|s| s.id == 1).unwrap();
    drop(guard);
    println!("{}", found.id);
}
