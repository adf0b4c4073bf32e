// The whole fixed RCU lifecycle in safe code: add under the lock, a reader on another thread
// walking with no lock under its guard and using what it found inside the section, removal
// under the lock, deferred destruction past a grace period. It compiles and runs.
use lifecycle_list::epoch::Collector;
use lifecycle_list::RcuList;
use std::sync::atomic::{AtomicUsize, Ordering};

static DESTROYED: AtomicUsize = AtomicUsize::new(0);

struct Session {
    id: u64,
    name: String,
}

impl Drop for Session {
    fn drop(&mut self) {
        DESTROYED.fetch_add(1, Ordering::Relaxed);
    }
}

fn main() {
    let collector = Collector::new();
    let sessions: RcuList<Session> = RcuList::with_collector(collector.clone());
    sessions.lock().add(Session { id: 1, name: "a".into() });
    sessions.lock().add_tail(Session { id: 2, name: "b".into() });

    std::thread::scope(|scope| {
        scope.spawn(|| {
            let handle = collector.register();
            let guard = handle.pin();
            let name = sessions
                .iter(&guard)
                .find(|s| s.id == 2)
                .map(|s| s.name.clone());
            assert!(name.is_none() || name.as_deref() == Some("b"));
        });
        let handle = collector.register();
        let guard = handle.pin();
        let removed = sessions.lock().del_first(&guard, |s| s.id == 2).unwrap();
        assert_eq!(removed.name, "b");
        removed.defer_destroy();
    });

    assert_eq!(sessions.lock().len(), 1);
    drop(sessions);
    drop(collector);
    assert_eq!(DESTROYED.load(Ordering::Relaxed), 2, "each session destroyed once");
}
