//! `diagnose`: turns an engine's report and the failing execution's trace into a [`Finding`]
//! a person reads once: who holds the lock, the cycle, why it cannot end, who starves (as the
//! engine itself confirmed), and where in the trace the bug was made.

pub mod finding;

use crate::engine::{kind_of_engine_message, Engine};
use crate::interpreter::trace::{Event, Trace, What};
use crate::language::Stop;
use crate::FindingKind;
use finding::{Finding, Replay, RootCause};
use std::time::Duration;

/// The threads a checker's deadlock report lists as blocked, by actor name, or `None` if the
/// message is not a deadlock report.
///
/// loom: `deadlock; threads = [(Id(0), Blocked(..)), (Id(1), Terminated), ...]`, ids matched to
/// names through the trace's `Started` events. shuttle: `deadlock! blocked tasks: [reader (task
/// 2), ...]`, names directly.
pub fn blocked_threads(message: &str, events: &[Event]) -> Option<Vec<String>> {
    let mut names = if let Some(list) = message.strip_prefix("deadlock; threads = ") {
        list.split("(Id(")
            .skip(1)
            .filter(|entry| entry.contains("Blocked"))
            .filter_map(|entry| entry.split(')').next()?.parse::<usize>().ok())
            .map(|id| {
                events
                    .iter()
                    .find_map(|e| match e.what {
                        What::Started { thread_id } if thread_id == id => Some(e.thread.clone()),
                        _ => None,
                    })
                    .unwrap_or_else(|| format!("loom thread {id}"))
            })
            .collect::<Vec<_>>()
    } else if let Some(list) = message.strip_prefix("deadlock! blocked tasks: [") {
        list.trim_end_matches(']')
            .split("), ")
            .filter_map(|entry| entry.split(" (task").next())
            .map(str::to_string)
            .filter(|name| !name.is_empty())
            .collect()
    } else {
        return None;
    };
    names.sort();
    Some(names)
}

/// Where the trace shows a slot freed while linked, reallocated, and added again: on the list
/// whose walk proved a cycle, if one did (the two-lists bug re-adds on both lists, and only the
/// one the object was still linked on is the mistake).
pub fn root_cause(events: &[Event]) -> Option<RootCause> {
    let cycle_head = events.iter().find_map(|e| match &e.what {
        What::CycleProven { head, .. } => Some(head.clone()),
        _ => None,
    });
    let (freed, slot) = events.iter().find_map(|e| match e.what {
        What::Free {
            slot,
            still_linked: true,
            ..
        } => Some((e, slot)),
        _ => None,
    })?;
    let reallocated = events[freed.step..]
        .iter()
        .find(|e| matches!(e.what, What::Alloc { slot: s, .. } if s == slot))?;
    let added_on = |wanted: Option<&String>| {
        events[reallocated.step..].iter().find(|e| {
            matches!(&e.what, What::Add { slot: s, head, .. } if *s == slot
                && wanted.is_none_or(|wanted| wanted == head))
        })
    };
    let added = added_on(cycle_head.as_ref()).or_else(|| added_on(None))?;
    let What::Add { node, head, .. } = &added.what else {
        unreachable!("found as an Add");
    };
    let (node, head) = (node.clone(), head.clone());
    Some(RootCause {
        slot,
        node,
        head,
        freed_at: (freed.step, freed.thread.clone()),
        reallocated_at: (reallocated.step, reallocated.thread.clone()),
        added_again_at: (added.step, added.thread.clone()),
    })
}

/// The root cause in one sentence: where the slot was freed while linked, reallocated, and
/// added again, and why that makes the node point to itself.
pub fn root_cause_sentence(cause: &RootCause) -> String {
    format!(
        "Root cause: slot#{slot} was freed while still linked at step {} ({}), reallocated at \
         step {} ({}) because the slab's LIFO free list hands the last freed slot back, and \
         added again at step {} ({}): list_add({node}, {head}) with {head}.next == {node} sets \
         {node}.next = {node}.\n",
        cause.freed_at.0,
        cause.freed_at.1,
        cause.reallocated_at.0,
        cause.reallocated_at.1,
        cause.added_again_at.0,
        cause.added_again_at.1,
        slot = cause.slot,
        node = cause.node,
        head = cause.head,
    )
}

/// Builds the finding for a failed execution.
pub fn diagnose(
    engine: Engine,
    executions: usize,
    elapsed: Duration,
    replay: Option<Replay>,
    message: String,
    events: Vec<Event>,
    stop: Option<(String, Stop)>,
) -> Finding {
    // The lock the finding is about: the one a looping reader holds, else one still held at the
    // end, else the first one anybody asked for.
    let locks = Trace::locks(&events);
    let lock = events
        .iter()
        .find_map(|e| match &e.what {
            What::CycleProven { lock, .. } => Some(lock.clone()),
            _ => None,
        })
        .or_else(|| {
            locks
                .iter()
                .find(|lock| Trace::lock_holder(&events, lock).is_some())
                .cloned()
        })
        .or_else(|| locks.first().cloned());
    let holder = lock
        .as_ref()
        .and_then(|lock| Trace::lock_holder(&events, lock));
    let waiting: Vec<String> = lock
        .as_ref()
        .map(|lock| Trace::waiting_for_lock(&events, lock))
        .unwrap_or_default()
        .into_iter()
        .filter(|name| Some(name) != holder.as_ref())
        .collect();
    let lock_words = lock
        .as_ref()
        .map_or("the lock".to_string(), |lock| format!("the {lock} lock"));
    let blocked = blocked_threads(&message, &events);
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
    // Starved threads: waiting for the lock in the trace, and confirmed stuck by the engine
    // (blocked in its deadlock report, or seen waiting by the watchdog).
    let starved: Vec<String> = match (&blocked, &soft_lockup) {
        (Some(blocked), _) => waiting
            .iter()
            .filter(|name| blocked.contains(name))
            .cloned()
            .collect(),
        (None, Some((_, _, seen_waiting))) => seen_waiting.clone(),
        (None, None) => Vec::new(),
    };
    let kind = if blocked.is_some() {
        if cycle_proof.is_some() {
            FindingKind::LoopingReader
        } else if !starved.is_empty() {
            FindingKind::StarvedWaiters
        } else {
            FindingKind::Deadlock
        }
    } else if let Some((_, stop)) = &stop {
        stop.kind
    } else {
        kind_of_engine_message(&message).unwrap_or(FindingKind::Assertion)
    };
    let holder = soft_lockup.as_ref().map(|(h, _, _)| h.clone()).or(holder);
    let cycle_head = events
        .iter()
        .find_map(|e| match &e.what {
            What::CycleProven { head, .. } => Some(head.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "head".to_string());
    let cycle = events
        .iter()
        .rev()
        .find_map(|e| match &e.what {
            What::Picture(picture) => Some(picture.walk_from(&cycle_head)),
            _ => None,
        })
        .filter(|_| kind == FindingKind::LoopingReader)
        .unwrap_or_default();
    let root_cause = root_cause(&events);

    let mut diagnosis = String::new();
    match kind {
        FindingKind::LoopingReader => {
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
            let confirmation = match (&blocked, &soft_lockup) {
                (Some(_), _) => format!("{} reports them blocked forever", engine_family(engine)),
                (None, Some((_, held_ms, _))) => format!(
                    "soft lockup: the watchdog saw them waiting while `{holder_name}` held the \
                     lock for {held_ms} ms"
                ),
                (None, None) => "seen in the trace".to_string(),
            };
            diagnosis.push_str(&format!(
                "Starved on {lock_words} ({confirmation}): {}.\n",
                if starved.is_empty() {
                    "none".to_string()
                } else {
                    starved.join(", ")
                }
            ));
        }
        _ => {
            let text = stop
                .as_ref()
                .map(|(actor, stop)| format!("{kind}: `{actor}` stopped: {}", stop.message))
                .unwrap_or_else(|| format!("{kind}: {message}"));
            diagnosis.push_str(&text);
            diagnosis.push('\n');
            if let Some(holder) = &holder {
                diagnosis.push_str(&format!("`{holder}` held {lock_words}.\n"));
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
        engine: engine.name().to_string(),
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

fn engine_family(engine: Engine) -> &'static str {
    match engine {
        Engine::Loom => "loom",
        Engine::ShuttleRandom | Engine::ShuttlePct | Engine::ShuttleDfs => "shuttle",
        Engine::Std => "the watchdog",
        Engine::States => "the state graph",
    }
}
