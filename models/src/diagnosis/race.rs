//! A data race read off a trace: loom reports a causality violation at the access that found
//! it, which the trace records just before it happens (`DataAccess`); the conflicting access is
//! the last one to the same object's data by another thread where one of the two writes. Each
//! is told with its actor, its step, the locks it held and whether it was inside an RCU
//! read-side section, so the missing order can be seen. Where the trace has no such pair,
//! loom's own words stay.

use crate::outcome::{Event, What};

/// The locks `thread` holds and whether it is inside a read-side section just before the event
/// at index `at`.
pub(super) fn held_at(events: &[Event], thread: &str, at: usize) -> (Vec<String>, bool) {
    let mut locks: Vec<String> = Vec::new();
    let mut section = false;
    for event in events[..at].iter().filter(|e| e.thread == thread) {
        match &event.what {
            What::LockAcquired { lock } => locks.push(lock.clone()),
            What::Unlock { lock } => locks.retain(|l| l != lock),
            What::RcuReadLock => section = true,
            What::RcuReadUnlock => section = false,
            _ => {}
        }
    }
    (locks, section)
}

/// `holding the registry lock`, `holding no lock, inside an RCU read-side section`.
fn holding(events: &[Event], thread: &str, at: usize) -> String {
    let (locks, section) = held_at(events, thread, at);
    let locks = match &locks[..] {
        [] => "holding no lock".to_string(),
        [one] => format!("holding the {one} lock"),
        many => format!("holding the {} locks", many.join(", ")),
    };
    if section {
        format!("{locks}, inside an RCU read-side section")
    } else {
        locks
    }
}

/// Whether the trace orders the event at `first` before the one at `second` (of another
/// thread): the first's thread released a lock after it that the second's thread took before
/// it, or set an event after it that the second's thread waited for before it.
fn ordered(events: &[Event], first: usize, second: usize) -> bool {
    let (from, to) = (&events[first].thread, &events[second].thread);
    events[first..second]
        .iter()
        .enumerate()
        .filter(|(_, e)| &e.thread == from)
        .any(|(i, released)| {
            events[first + i..second]
                .iter()
                .filter(|e| &e.thread == to)
                .any(|taken| match (&released.what, &taken.what) {
                    (What::Unlock { lock: a }, What::LockAcquired { lock: b }) => a == b,
                    (What::Signalled { event: a }, What::Waiting { event: b }) => a == b,
                    _ => false,
                })
        })
}

/// The sentence naming the racing accesses, of an object's data or of a list's links, if the
/// trace shows them unordered: of the two kinds, the pair whose later access comes last (loom
/// stops at the access that found the race).
pub(super) fn explain(events: &[Event]) -> Option<String> {
    let data = explain_data(events);
    let links = explain_links(events);
    match (data, links) {
        (Some((a, data)), Some((b, links))) => Some(if a >= b { data } else { links }),
        (data, links) => data.or(links).map(|(_, sentence)| sentence),
    }
}

/// The data race's sentence and the index of its later access.
fn explain_data(events: &[Event]) -> Option<(usize, String)> {
    let (last_at, last) = events
        .iter()
        .enumerate()
        .rev()
        .find(|(_, e)| matches!(e.what, What::DataAccess { .. }))?;
    let What::DataAccess { slot, write } = last.what else {
        unreachable!("found as a DataAccess");
    };
    let (other_at, other) = events[..last_at].iter().enumerate().rev().find(|(_, e)| {
        e.thread != last.thread
            && matches!(e.what, What::DataAccess { slot: s, write: w } if s == slot && (w || write))
    })?;
    let What::DataAccess {
        write: other_write, ..
    } = other.what
    else {
        unreachable!("found as a DataAccess");
    };
    if ordered(events, other_at, last_at) {
        // The trace orders them (a lock passed on, an event waited for): the race loom saw is
        // on something the trace does not record; say nothing rather than blame these two.
        return None;
    }
    let verb = |write: bool| if write { "wrote" } else { "read" };
    let reallocated = events[other_at..last_at]
        .iter()
        .find(|e| matches!(e.what, What::Alloc { slot: s, .. } if s == slot))
        .map_or(String::new(), |e| {
            format!(
                " (slot#{slot} was allocated again by `{}` at step {} between them)",
                e.thread, e.step
            )
        });
    Some((last_at, format!(
        "`{}` {} slot#{slot}'s data at step {}, {}; `{}` {} it at step {}, {}: nothing orders \
         the two accesses (no lock held by both, no release and acquire between them){reallocated}.\n",
        other.thread,
        verb(other_write),
        other.step,
        holding(events, &other.thread, other_at),
        last.thread,
        verb(write),
        last.step,
        holding(events, &last.thread, last_at),
    )))
}

/// The sentence naming two racing accesses of a list's links, if the trace shows them
/// unordered: the last link access, and the latest earlier one of the same list by another
/// thread where one of the two writes. It names each step, the locks each held, and the lock the
/// file says protects the list.
fn explain_links(events: &[Event]) -> Option<(usize, String)> {
    let (last_at, last) = events
        .iter()
        .enumerate()
        .rev()
        .find(|(_, e)| matches!(e.what, What::ListAccess { .. }))?;
    let What::ListAccess {
        list,
        lock,
        op,
        write,
    } = &last.what
    else {
        unreachable!("found as a ListAccess");
    };
    let (other_at, other) = events[..last_at].iter().enumerate().rev().find(|(at, e)| {
        e.thread != last.thread
            && matches!(&e.what, What::ListAccess { list: l, write: w, .. }
                if l == list && (*w || *write))
            && !ordered(events, *at, last_at)
    })?;
    let What::ListAccess {
        op: other_op,
        write: other_write,
        ..
    } = &other.what
    else {
        unreachable!("found as a ListAccess");
    };
    let verb = |write: bool| if write { "wrote" } else { "read" };
    let without: Vec<&String> = [(other, other_at), (last, last_at)]
        .iter()
        .filter(|(e, at)| !held_at(events, &e.thread, *at).0.contains(lock))
        .map(|(e, _)| &e.thread)
        .collect();
    let missing = match &without[..] {
        [] => String::new(),
        [one] => format!(", which `{one}` did not hold"),
        _ => ", which neither held".to_string(),
    };
    Some((
        last_at,
        format!(
        "`{}` {} the links of {list} in `{other_op}` at step {}, {}; `{}` {} them in `{op}` at \
         step {}, {}: nothing orders the two accesses. The file's lock for {list} is the {lock} \
         lock{missing}.\n",
        other.thread,
        verb(*other_write),
        other.step,
        holding(events, &other.thread, other_at),
        last.thread,
        verb(*write),
        last.step,
        holding(events, &last.thread, last_at),
    ),
    ))
}
