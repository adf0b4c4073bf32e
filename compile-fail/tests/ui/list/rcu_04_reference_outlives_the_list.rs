// A reader's reference kept past the list itself: dropping the list frees what is still on it at
// once (no reader can be left: they all borrow it). The reference borrows the list too.
use lifecycle_list::epoch;
use lifecycle_list::RcuList;

struct Session {
    id: u64,
}

fn main() {
    let sessions: RcuList<Session> = RcuList::new();
    sessions.lock().add(Session { id: 1 });
    let guard = epoch::pin();
    let found = sessions.iter(&guard).next().unwrap();
    drop(sessions);
    println!("{}", found.id);
}
