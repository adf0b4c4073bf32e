//! Grace periods that never end, read off a trace: who waits in `synchronize_rcu` (or the
//! grace-period worker) since which step, for which readers' sections, begun at which step, and
//! what each of those readers waits for in turn (a lock and its holder, or the grace period
//! itself when it is its own section).

use crate::outcome::{lock_holder, locks, waiting_for_lock, Event, What};

/// A grace period started and not ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stuck {
    /// The thread waiting in it.
    pub(super) waiter: String,
    /// The step it started at.
    pub(super) step: usize,
    /// The readers whose sections it waits for.
    pub(super) waits_for: Vec<String>,
}

/// Every thread whose last grace period started and never ended.
pub(super) fn stuck_grace_periods(events: &[Event]) -> Vec<Stuck> {
    let mut stuck: Vec<Stuck> = Vec::new();
    for event in events {
        match &event.what {
            What::GracePeriodStart { waits_for } => {
                stuck.retain(|s| s.waiter != event.thread);
                stuck.push(Stuck {
                    waiter: event.thread.clone(),
                    step: event.step,
                    waits_for: waits_for.clone(),
                });
            }
            What::GracePeriodEnd => stuck.retain(|s| s.waiter != event.thread),
            _ => {}
        }
    }
    stuck
}

/// The step at which `reader`'s section open at `before` began.
fn section_start(events: &[Event], reader: &str, before: usize) -> Option<usize> {
    events
        .iter()
        .filter(|e| e.step < before && e.thread == reader)
        .filter(|e| matches!(e.what, What::RcuReadLock))
        .map(|e| e.step)
        .next_back()
}

/// The sentences that say why each stuck grace period cannot end.
pub(super) fn explain(stuck: &[Stuck], events: &[Event]) -> String {
    let mut text = String::new();
    for grace_period in stuck {
        for reader in &grace_period.waits_for {
            let begun = section_start(events, reader, grace_period.step)
                .map_or(String::new(), |step| format!(" (begun at step {step})"));
            text.push_str(&format!(
                "`{}` waits in a grace period (since step {}) for the read-side section of \
                 `{reader}`{begun}",
                grace_period.waiter, grace_period.step
            ));
            if *reader == grace_period.waiter {
                text.push_str(
                    ": its own section, which cannot end before the grace period does \
                     (synchronize_rcu inside a read-side section).\n",
                );
                continue;
            }
            let blocking = locks(events).into_iter().find_map(|lock| {
                let holder = lock_holder(events, &lock)?;
                waiting_for_lock(events, &lock)
                    .contains(reader)
                    .then_some((lock, holder))
            });
            match blocking {
                Some((lock, holder)) => text.push_str(&format!(
                    "; `{reader}` waits for the {lock} lock, which `{holder}` holds{}.\n",
                    if holder == grace_period.waiter {
                        " across the grace period"
                    } else {
                        ""
                    }
                )),
                None => text.push_str(", which never ends.\n"),
            }
        }
    }
    text
}
