//! A use after free under RCU, read off a trace: which reader's section (begun at which step)
//! held the object, which step unlinked it and which freed it, and what was missing: a grace
//! period between the unlink and the free, a reference taken inside the section, or an
//! `rcu_barrier` before the cache was destroyed.

use crate::outcome::{Event, What};

/// The step of the last event before `before` that `pick` accepts.
fn last_before(events: &[Event], before: usize, pick: impl Fn(&Event) -> bool) -> Option<&Event> {
    events.iter().filter(|e| e.step < before && pick(e)).last()
}

/// The sentence for `reader`'s use after free, if the trace shows a cache destroyed under a
/// queued callback, or the reader inside (or just out of) an RCU read-side section.
pub(super) fn explain(events: &[Event], reader: &str) -> Option<String> {
    let end = events.len() + 1;
    let free = last_before(events, end, |e| matches!(e.what, What::Free { .. }));
    let destroyed = last_before(events, end, |e| matches!(e.what, What::CacheDestroyed));
    if let Some(destroyed) = destroyed {
        let queued = last_before(events, destroyed.step, |e| {
            matches!(e.what, What::CallRcu { .. })
        })?;
        let What::CallRcu { slot, free } = queued.what else {
            unreachable!("found as CallRcu");
        };
        return Some(format!(
            "slot#{slot}'s {} was queued at step {} ({}) and the cache was destroyed at step {} \
             ({}) before the callback ran: rcu_barrier was missing between them.\n",
            if free { "kfree_rcu" } else { "call_rcu" },
            queued.step,
            queued.thread,
            destroyed.step,
            destroyed.thread
        ));
    }
    let section = last_before(events, end, |e| {
        e.thread == reader && matches!(e.what, What::RcuReadLock)
    })?;
    let free = free?;
    let What::Free { slot, .. } = free.what else {
        unreachable!("found as Free");
    };
    let unlinked = last_before(
        events,
        free.step,
        |e| matches!(e.what, What::Del { slot: s, .. } if s == slot),
    );
    let unlocked = events.iter().find(|e| {
        e.step > section.step && e.thread == reader && matches!(e.what, What::RcuReadUnlock)
    });
    let unlink = unlinked.map_or(String::new(), |e| {
        format!(", unlinked at step {} ({})", e.step, e.thread)
    });
    match unlocked {
        Some(unlocked) if unlocked.step < free.step => Some(format!(
            "`{reader}` found slot#{slot} inside its read-side section (begun at step {}) and \
             used it after rcu_read_unlock at step {}, holding no reference: slot#{slot}{unlink}, \
             was freed at step {} ({}) once no section held it. A get_ref inside the section was \
             missing.\n",
            section.step, unlocked.step, free.step, free.thread
        )),
        _ => {
            let grace_period = unlinked.and_then(|unlinked| {
                events.iter().find(|e| {
                    e.step > unlinked.step
                        && e.step < free.step
                        && e.thread == free.thread
                        && matches!(e.what, What::GracePeriodEnd)
                })
            });
            let missing = if grace_period.is_none() {
                " with no grace period between the unlink and the free: synchronize_rcu (or \
                 kfree_rcu) was missing"
            } else {
                ""
            };
            let how = if section.step < free.step {
                format!("still held slot#{slot} when `{}` freed it", free.thread)
            } else {
                // Later in the trace's order, but not ordered after the unlink: the reader loaded
                // the link as it was before (the weak memory loom models).
                format!(
                    "reached slot#{slot} through a link loaded as it was before the unlink, after \
                     `{}` freed it",
                    free.thread
                )
            };
            Some(format!(
                "`{reader}`'s read-side section, begun at step {}, {how} at step {}{unlink}{missing}.\n",
                section.step, free.step
            ))
        }
    }
}
