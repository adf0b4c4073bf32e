// The whole fixed RCU lifecycle: add under the lock, a reader on another thread walking with no
// lock under its guard and using what it found inside the section, removal under the lock,
// deferred destruction past a grace period. It compiles and runs. Everything is safe code but
// the list's own collector: `with_collector` is `unsafe` because of crossbeam-epoch's
// crossbeam-rs/crossbeam#545, and its handles come from `register`, which meets its contract.
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
    // SAFETY: every handle of the collector comes from `register`, which keeps a `Collector`
    // of its own alive until after its registration and its guards are gone.
    let sessions: RcuList<Session> = unsafe { RcuList::with_collector(Collector::new()) };
    sessions.lock().add(Session { id: 1, name: "a".into() });
    sessions.lock().add_tail(Session { id: 2, name: "b".into() });

    std::thread::scope(|scope| {
        scope.spawn(|| {
            let handle = sessions.register();
            let guard = handle.pin();
            let name = sessions
                .iter(&guard)
                .find(|s| s.id == 2)
                .map(|s| s.name.clone());
            assert!(name.is_none() || name.as_deref() == Some("b"));
        });
        let handle = sessions.register();
        let guard = handle.pin();
        let removed = sessions.lock().del_first(&guard, |s| s.id == 2).unwrap();
        assert_eq!(removed.name, "b");
        removed.defer_destroy();
    });

    assert_eq!(sessions.lock().len(), 1);
    // The list holds the collector's last `Collector`: dropping it frees what is on the list,
    // then runs the garbage left in the collector.
    drop(sessions);
    assert_eq!(DESTROYED.load(Ordering::Relaxed), 2, "each session destroyed once");
}
