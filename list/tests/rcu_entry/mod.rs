//! `Entry`: the value the safe RCU layer's std tests (`rcu_safe_std.rs`, `rcu_probes.rs`) put on
//! an `RcuList`: it counts its destructions and marks itself destroyed, so a reader that reads one
//! after its destruction, or a second destruction, fails the test where it happens.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

const ALIVE: u64 = 0xa11e;
const DESTROYED: u64 = 0xdead;

/// An entry that counts its destructions and marks itself destroyed.
pub struct Entry {
    /// Its id (read it with [`Entry::read`] where the entry may have been destroyed).
    pub id: u64,
    state: AtomicU64,
    drops: Arc<AtomicUsize>,
}

impl Entry {
    /// Entry `id`, counting its destruction in `drops`.
    pub fn new(id: u64, drops: &Arc<AtomicUsize>) -> Self {
        Entry {
            id,
            state: AtomicU64::new(ALIVE),
            drops: drops.clone(),
        }
    }

    /// The id, after checking the entry was not destroyed.
    pub fn read(&self) -> u64 {
        assert_eq!(
            self.state.load(Ordering::Relaxed),
            ALIVE,
            "a reader must never see an entry destroyed: its destruction waits for the readers \
             pinned before its removal"
        );
        self.id
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        assert_eq!(
            self.state.swap(DESTROYED, Ordering::Relaxed),
            ALIVE,
            "an entry is destroyed once"
        );
        self.drops.fetch_add(1, Ordering::Relaxed);
    }
}
