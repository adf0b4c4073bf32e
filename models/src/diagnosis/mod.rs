//! `diagnose`: turns an engine's [`Failure`] (how its checker ended, and the failing execution's
//! trace) into a [`Finding`] a person reads once: who holds the lock, the cycle, why it cannot
//! end, who starves (as the checker itself confirmed), and where in the trace the bug was made.
//! It knows causes, never engines: nothing here imports `engine/`.

mod conflict;
mod deadlock;
mod grace_period;
mod lookup;
mod race;
mod rcu_use;
mod root_cause;
#[cfg(test)]
mod tests;

use grace_period::stuck_grace_periods;
pub(crate) use root_cause::{root_cause, root_cause_sentence};

use crate::outcome::{
    lock_holder, locks, waiting_for_lock, Cause, Failure, Finding, FindingKind, What,
};

/// Builds the finding for a failed execution.
pub(crate) fn diagnose(failure: Failure) -> Finding {
    if let Cause::NoFinalState { .. } = &failure.cause {
        return no_final_state(failure);
    }
    let Failure {
        engine,
        executions,
        elapsed,
        replay,
        cause,
        message,
        trace: events,
    } = failure;
    // The lock the finding is about: the one a looping reader holds, else one still held at the
    // end, else the first one anybody asked for.
    let locks = locks(&events);
    let lock = events
        .iter()
        .find_map(|e| match &e.what {
            What::CycleProven { lock, .. } => Some(lock.clone()),
            _ => None,
        })
        .or_else(|| {
            locks
                .iter()
                .find(|lock| lock_holder(&events, lock).is_some())
                .cloned()
        })
        .or_else(|| locks.first().cloned());
    let holder = lock.as_ref().and_then(|lock| lock_holder(&events, lock));
    let waiting: Vec<String> = lock
        .as_ref()
        .map(|lock| waiting_for_lock(&events, lock))
        .unwrap_or_default()
        .into_iter()
        .filter(|name| Some(name) != holder.as_ref())
        .collect();
    let lock_words = lock
        .as_ref()
        .map_or("the lock".to_string(), |lock| format!("the {lock} lock"));
    let blocked = match &cause {
        Cause::Deadlock { blocked } => Some(blocked),
        _ => None,
    };
    let soft_lockup = events.iter().find_map(|e| match &e.what {
        What::SoftLockup {
            holder,
            held_ms,
            waiting,
            ..
        } => Some((holder.clone(), *held_ms, waiting.clone())),
        _ => None,
    });
    let cycle_proof = events.iter().find_map(|e| match &e.what {
        What::CycleProven { message, .. } => Some(message.clone()),
        _ => None,
    });
    // Starved threads: waiting for the lock in the trace, and confirmed stuck by the checker
    // (blocked in its deadlock report, or seen waiting by the watchdog).
    let starved: Vec<String> = match (blocked, &soft_lockup) {
        (Some(blocked), _) => waiting
            .iter()
            .filter(|name| blocked.contains(name))
            .cloned()
            .collect(),
        (None, Some((_, _, seen_waiting))) => seen_waiting.clone(),
        (None, None) => Vec::new(),
    };
    // A grace period that never ends: whoever else is blocked waits on it, not merely on a lock.
    let stuck = stuck_grace_periods(&events);
    // Waits that cannot end (a lock whose holder waits in turn, an event nobody set): a
    // deadlock whichever engine saw it, not waiters starved behind a running holder.
    // On real threads the run goes on after the watchdog stops it (waiters give up): the
    // waits are those when it stopped.
    let stopped_at = events
        .iter()
        .position(|e| matches!(e.what, What::SoftLockup { .. } | What::Stalled { .. }))
        .unwrap_or(events.len());
    let waits = deadlock::waits(&events[..stopped_at]);
    let waits_deadlock = deadlock::is_deadlock(&waits);
    let kind = match &cause {
        Cause::Deadlock { .. } if cycle_proof.is_some() => FindingKind::LoopingReader,
        Cause::Deadlock { .. } if !stuck.is_empty() || waits_deadlock => FindingKind::Deadlock,
        Cause::Deadlock { .. } if !starved.is_empty() => FindingKind::StarvedWaiters,
        Cause::Deadlock { .. } => FindingKind::Deadlock,
        // The watchdog saw a lock held too long; its holder waiting in a grace period that
        // cannot end, or for a wait that cannot end, makes that a deadlock, not a slow holder.
        Cause::Stopped { stop, .. }
            if stop.kind == FindingKind::StarvedWaiters
                && (!stuck.is_empty() || waits_deadlock) =>
        {
            FindingKind::Deadlock
        }
        Cause::Stopped { stop, .. } => stop.kind,
        Cause::DataRace => FindingKind::DataRace,
        Cause::StepLimit => FindingKind::StarvedWaiters,
        Cause::Panic => FindingKind::Assertion,
        Cause::NoFinalState { .. } => unreachable!("diagnosed by no_final_state"),
    };
    let holder = soft_lockup.as_ref().map(|(h, _, _)| h.clone()).or(holder);
    let (cycle_head, proven) = events
        .iter()
        .find_map(|e| match &e.what {
            What::CycleProven { head, cycle, .. } => Some((head.clone(), cycle.clone())),
            _ => None,
        })
        .unwrap_or_else(|| ("head".to_string(), Vec::new()));
    let cycle = events
        .iter()
        .rev()
        .find_map(|e| match &e.what {
            What::Picture(picture) => Some(picture.walk_from(&cycle_head)),
            _ => None,
        })
        .map(|walk| {
            // The picture may not show the loop the walk proved (a walk resumed from a cursor
            // whose link it made an empty list, say): then the proven cycle is the walk,
            // closed on its first node.
            let closes = walk
                .split_last()
                .is_some_and(|(last, before)| before.contains(last));
            match proven.first() {
                Some(first) if !closes => {
                    let mut closed = proven.clone();
                    closed.push(first.clone());
                    closed
                }
                _ => walk,
            }
        })
        .filter(|_| kind == FindingKind::LoopingReader)
        .unwrap_or_default();
    let root_cause = root_cause(&events);

    let mut diagnosis = String::new();
    // A reader stopped for restarting its lookup forever proved no cycle of links: its own
    // message says what loops.
    let lockless_spin = cycle_proof.is_none() && matches!(&cause, Cause::Stopped { .. });
    match kind {
        FindingKind::LoopingReader if !lockless_spin => {
            let holder_name = holder.clone().unwrap_or_else(|| "a thread".to_string());
            diagnosis.push_str(&format!(
                "looping reader: `{holder_name}` holds {lock_words} and walks {} forever.\n",
                cycle.join(" -> ")
            ));
            if let Some(proof) = &cycle_proof {
                diagnosis.push_str(&format!(
                    "Why it cannot end: {proof}; every thread that \
                     could unlink a node needs the lock `{holder_name}` holds.\n"
                ));
            }
            diagnosis.push_str(&through_other_head(&events, &cycle, &cycle_head));
            let confirmation = match (blocked, &soft_lockup) {
                (Some(_), _) => format!("{} reports them blocked forever", engine.witness()),
                (None, Some((_, held_ms, _))) => format!(
                    "soft lockup: the watchdog saw them waiting while `{holder_name}` held the \
                     lock for {held_ms} ms"
                ),
                (None, None) => "seen in the trace".to_string(),
            };
            diagnosis.push_str(&format!(
                "Starved on {lock_words} ({confirmation}): {}.\n",
                names_or_none(&starved)
            ));
        }
        _ => {
            let text = match &cause {
                Cause::Stopped { actor, stop } => {
                    format!("{kind}: `{actor}` stopped: {}", stop.message)
                }
                _ if kind == FindingKind::Deadlock && waits_deadlock => format!(
                    "deadlock: no thread can take its next step ({} reports them blocked)",
                    engine.witness()
                ),
                _ => format!("{kind}: {}", message.trim_end()),
            };
            diagnosis.push_str(&text);
            diagnosis.push('\n');
            if kind == FindingKind::DataRace {
                diagnosis.push_str(&race::explain(&events).unwrap_or_else(|| {
                    "Where: loom's message names no memory, and the trace records no two \
                     unordered accesses of one object's data or of one list's links by two \
                     threads (races on the slab's free list are not mapped to the trace yet).\n"
                        .to_string()
                }));
            }
            if kind == FindingKind::Deadlock && waits_deadlock {
                diagnosis.push_str(&deadlock::explain(&waits));
            } else if let Some(holder) = &holder {
                diagnosis.push_str(&format!("`{holder}` held {lock_words}.\n"));
            }
            if kind == FindingKind::Deadlock {
                diagnosis.push_str(&grace_period::explain(&stuck, &events));
            }
            if let Cause::Stopped { actor, .. } = &cause {
                let sentence = match kind {
                    FindingKind::UseAfterFree => rcu_use::explain(&events, actor),
                    FindingKind::MissedLookup => lookup::explain_missed(&events, actor),
                    FindingKind::WrongIdentity => lookup::explain_identity(&events, actor),
                    _ => None,
                };
                let sentence = sentence.or_else(|| {
                    let Cause::Stopped { stop, .. } = &cause else {
                        return None;
                    };
                    conflict::explain(&events, actor, kind, &stop.message)
                });
                diagnosis.push_str(&sentence.unwrap_or_default());
            }
        }
    }
    // Short of the full story (freed, reallocated, added again), a free while linked is still
    // the first thing a reader of a use after free wants to know.
    let freed_linked = events.iter().find_map(|e| match e.what {
        What::Free {
            slot,
            still_linked: true,
            ..
        } => Some((slot, e.step, e.thread.clone())),
        _ => None,
    });
    if let (None, Some((slot, step, actor))) = (&root_cause, freed_linked) {
        diagnosis.push_str(&format!(
            "slot#{slot} was freed while still linked at step {step} ({actor}).\n"
        ));
    }
    if let Some(cause) = &root_cause {
        diagnosis.push_str(&root_cause_sentence(cause));
    }
    Finding {
        kind,
        engine,
        executions,
        elapsed,
        replay,
        holder,
        lock,
        cycle,
        starved,
        root_cause,
        message,
        trace: events,
        diagnosis,
    }
}

/// For a walk whose cycle runs through another list's head (`walk` from `head`): the entry
/// through which it left its own list and when that entry was moved to the other list, while
/// `head` (a head `list_splice` left stale, or a cursor) still led to it.
fn through_other_head(events: &[crate::outcome::Event], walk: &[String], head: &str) -> String {
    let Some(other) = walk
        .iter()
        .skip(1)
        .find(|n| crate::outcome::is_head_name(n) && *n != head)
    else {
        return String::new();
    };
    let moved = walk.iter().skip(1).find_map(|node| {
        events.iter().rev().find(
            |e| matches!(&e.what, What::Add { node: n, head: h, .. } if n == node && h == other),
        )
    });
    match moved {
        Some(moved) => {
            let What::Add { node, list, .. } = &moved.what else {
                unreachable!("found as Add");
            };
            format!(
                "The walk runs through {other}, another list's head: {node} was moved to \
                 {list} at step {} ({}) while the walk's way in, from {head}, still led to it \
                 (a head left as it was after list_splice: list_splice_init was missing; or a \
                 cursor kept across the move: a check that it is still linked was missing).\n",
                moved.step, moved.thread
            )
        }
        None => format!("The walk runs through {other}, another list's head.\n"),
    }
}

/// `a, b`, or `none`.
fn names_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// The finding for a run from which no final state is reachable: a looping reader when an actor
/// walks in the cycle holding a lock, a deadlock when nobody can act, starved waiters otherwise.
fn no_final_state(failure: Failure) -> Finding {
    let Cause::NoFinalState {
        stem,
        cycle_actors,
        looping,
        lock,
        starved,
        cycle,
        waiting,
    } = failure.cause
    else {
        unreachable!("called for NoFinalState only");
    };
    let quoted = cycle_actors
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let root_cause = root_cause(&failure.trace);
    let (kind, mut diagnosis) = match (&looping, &lock) {
        (Some(holder), Some(lock)) => (
            FindingKind::LoopingReader,
            format!(
                "looping reader: `{holder}` holds the {lock} lock and walks {} forever.\n\
                 Why it cannot end: after {stem} actions the run reaches a state from which no \
                 final state can be reached; there the next step of {quoted} brings it back to \
                 the same state, again and again (a cycle in the state graph).\n\
                 {}Starved on the {lock} lock (blocked on it in that state): {}.\n",
                cycle.join(" -> "),
                cycle
                    .first()
                    .map(|head| through_other_head(&failure.trace, &cycle, head))
                    .unwrap_or_default(),
                names_or_none(&starved)
            ),
        ),
        (Some(holder), None) => (
            FindingKind::LoopingReader,
            format!(
                "looping reader: `{holder}` holds no lock and never finishes its lookup: after \
                 {stem} actions the run reaches a state from which no final state can be \
                 reached; there the next steps of {quoted} bring it back to the same state, \
                 again and again (a lockless lookup that restarts forever, a soft lockup).\n"
            ),
        ),
        _ if cycle_actors.is_empty() => {
            // The same words as on the other engines when the trace shows the waits; the
            // state's own reasons (a grace period, a barrier) otherwise.
            let waits = deadlock::waits(&failure.trace);
            let why = if deadlock::is_deadlock(&waits) {
                deadlock::explain(&waits)
            } else {
                waiting
                    .iter()
                    .map(|sentence| format!("{sentence}\n"))
                    .collect::<String>()
            };
            (
                FindingKind::Deadlock,
                format!(
                    "deadlock: after {stem} actions no actor can act, and not every actor is \
                     done.\n{why}"
                ),
            )
        }
        _ => (
            FindingKind::StarvedWaiters,
            format!(
                "non-termination: after {stem} actions the run is caught in a cycle ({quoted}) \
                 from which no final state is reachable.\n"
            ),
        ),
    };
    if let Some(cause) = &root_cause {
        diagnosis.push_str(&root_cause_sentence(cause));
    }
    Finding {
        kind,
        engine: failure.engine,
        executions: failure.executions,
        elapsed: failure.elapsed,
        replay: failure.replay,
        holder: looping,
        lock,
        cycle,
        starved,
        root_cause,
        message: failure.message,
        trace: failure.trace,
        diagnosis,
    }
}
