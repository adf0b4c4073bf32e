//! The root cause of a looping reader, read off the trace: the slot freed while still linked,
//! reallocated (the LIFO free list hands the last freed slot back) and added again next to
//! itself.

use crate::outcome::{Event, RootCause, What};

/// Where the trace shows a slot freed while linked, reallocated, and added again: on the list
/// whose walk proved a cycle, if one did (the two-lists bug re-adds on both lists, and only the
/// one the object was still linked on is the mistake).
pub(crate) fn root_cause(events: &[Event]) -> Option<RootCause> {
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
        freed_at_step: freed.step,
        freed_by: freed.thread.clone(),
        reallocated_at_step: reallocated.step,
        reallocated_by: reallocated.thread.clone(),
        added_again_at_step: added.step,
        added_again_by: added.thread.clone(),
    })
}

/// The root cause in one sentence: where the slot was freed while linked, reallocated, and
/// added again, and why that makes the node point to itself.
pub(crate) fn root_cause_sentence(cause: &RootCause) -> String {
    format!(
        "Root cause: slot#{slot} was freed while still linked at step {} ({}), reallocated at \
         step {} ({}) because the slab's LIFO free list hands the last freed slot back, and \
         added again at step {} ({}): list_add({node}, {head}) with {head}.next == {node} sets \
         {node}.next = {node}.\n",
        cause.freed_at_step,
        cause.freed_by,
        cause.reallocated_at_step,
        cause.reallocated_by,
        cause.added_again_at_step,
        cause.added_again_by,
        slot = cause.slot,
        node = cause.node,
        head = cause.head,
    )
}
