//! Who waits for what when a run cannot go on, read off a trace (the wait-for graph of
//! deadlock detection, as lockdep draws it): each thread whose last record is a lock it asked
//! for and never got, with the lock's holder, or a wait for an event nobody set; and the cycle
//! the waits close (a thread waits for a lock whose holder waits, in turn, for it). One
//! deadlock is then one finding kind and one explanation whichever engine saw it.

use crate::outcome::{lock_holder, Event, What};

/// What one thread is stuck on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Blocker {
    /// A lock, and who holds it (if anybody does).
    Lock {
        /// The lock's name.
        lock: String,
        /// Its holder.
        holder: Option<String>,
    },
    /// An event nobody has set.
    Event(String),
}

/// A thread stuck since a step of the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Wait {
    /// The thread.
    pub thread: String,
    /// The trace step where it began waiting.
    pub since: usize,
    /// What it waits for.
    pub on: Blocker,
}

/// Every thread whose last record is a wait that never ended: a lock asked for and not granted,
/// or an event it waits for that nobody set (events stay set, so a signal anywhere ends it).
pub(super) fn waits(events: &[Event]) -> Vec<Wait> {
    let mut threads: Vec<&str> = Vec::new();
    for event in events {
        if !threads.contains(&event.thread.as_str()) {
            threads.push(&event.thread);
        }
    }
    let signalled = |name: &str| {
        events
            .iter()
            .any(|e| matches!(&e.what, What::Signalled { event } if event == name))
    };
    threads
        .into_iter()
        .filter_map(|thread| {
            let last = events.iter().rev().find(|e| e.thread == thread)?;
            let on = match &last.what {
                What::LockRequest { lock } => Blocker::Lock {
                    lock: lock.clone(),
                    holder: lock_holder(events, lock),
                },
                What::Waiting { event } if !signalled(event) => Blocker::Event(event.clone()),
                _ => return None,
            };
            Some(Wait {
                thread: thread.to_string(),
                since: last.step,
                on,
            })
        })
        .collect()
}

/// Whether `waits` make a deadlock: some thread waits for an event nobody set, or for a lock
/// whose holder is itself waiting. (Waiters behind a holder that runs, loops or ended holding
/// the lock are starved, not deadlocked.)
pub(super) fn is_deadlock(waits: &[Wait]) -> bool {
    waits.iter().any(|wait| match &wait.on {
        Blocker::Event(_) => true,
        Blocker::Lock { holder, .. } => holder
            .as_ref()
            .is_some_and(|holder| waits.iter().any(|w| &w.thread == holder)),
    })
}

/// The cycle of waits starting from the first thread that is on one, as thread names (the
/// first repeated at the end), if the waits close one.
fn cycle(waits: &[Wait]) -> Option<Vec<String>> {
    let holder_of = |thread: &str| {
        waits
            .iter()
            .find(|w| w.thread == thread)
            .and_then(|w| match &w.on {
                Blocker::Lock { holder, .. } => holder.clone(),
                Blocker::Event(_) => None,
            })
    };
    for start in waits {
        let mut chain = vec![start.thread.clone()];
        while let Some(next) = holder_of(chain.last().expect("not empty")) {
            if let Some(at) = chain.iter().position(|t| *t == next) {
                let mut cycle = chain.split_off(at);
                cycle.push(next);
                return Some(cycle);
            }
            chain.push(next);
        }
    }
    None
}

/// A sentence per stuck thread, then [`explain_cycle`].
pub(super) fn explain(waits: &[Wait]) -> String {
    let mut text = String::new();
    for wait in waits {
        let what = match &wait.on {
            Blocker::Lock {
                lock,
                holder: Some(holder),
            } => {
                let held = waits
                    .iter()
                    .find(|w| w.thread == *holder)
                    .map_or(String::new(), |w| match &w.on {
                        Blocker::Lock { lock: other, .. } => {
                            format!(", which itself waits for the {other} lock")
                        }
                        Blocker::Event(event) => {
                            format!(", which itself waits for event `{event}`")
                        }
                    });
                format!("the {lock} lock, held by `{holder}`{held}")
            }
            Blocker::Lock { lock, holder: None } => format!("the {lock} lock"),
            Blocker::Event(event) => format!("event `{event}`, which no actor has set"),
        };
        text.push_str(&format!(
            "`{}` waits since step {} for {what}.\n",
            wait.thread, wait.since
        ));
    }
    text.push_str(&explain_cycle(waits));
    text
}

/// The cycle the waits close, or the wait for an event under a lock another thread waits
/// for; empty if neither.
fn explain_cycle(waits: &[Wait]) -> String {
    let mut text = String::new();
    if let Some(cycle) = cycle(waits) {
        let named: Vec<String> = cycle.iter().map(|t| format!("`{t}`")).collect();
        text.push_str(&format!(
            "The waits close a cycle: {} (each waits for a lock the next one holds); taking the \
             locks in one order breaks it.\n",
            named.join(" -> ")
        ));
    } else if waits.iter().any(|w| {
        matches!(&w.on, Blocker::Lock { holder: Some(h), .. }
            if waits.iter().any(|o| &o.thread == h && matches!(o.on, Blocker::Event(_))))
    }) {
        text.push_str(
            "A thread waits for an event while holding a lock another thread waits for: if \
             that thread is the one to set the event, neither can go on; wait outside the lock \
             (or signal without it).\n",
        );
    }
    text
}
