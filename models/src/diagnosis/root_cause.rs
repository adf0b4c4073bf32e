//! The root cause of a looping reader, read off the trace: of the slots freed while still
//! linked, the one reallocated (the LIFO free list hands the last freed slot back) and added
//! again so that the cycle closed, and every other slot freed while linked.

use crate::outcome::{Event, LinkedFree, RootCause, What};

/// Where the trace shows a slot freed while linked, reallocated, and added again: of every slot
/// freed while linked, the one whose re-add closed the cycle (its link on the cycle the walk
/// proved, on the list whose walk proved it, the last such re-add), and every other slot freed
/// while linked beside it. (The two-lists bug re-adds on both lists, and only the one the
/// object was still linked on is the mistake.)
pub(crate) fn root_cause(events: &[Event]) -> Option<RootCause> {
    let proven = events.iter().find_map(|e| match &e.what {
        What::CycleProven { head, cycle, .. } => Some((head.clone(), cycle.clone(), e.step)),
        _ => None,
    });
    let before = proven.as_ref().map_or(usize::MAX, |(_, _, step)| *step);
    let linked_frees: Vec<(&Event, usize)> = events
        .iter()
        .filter_map(|e| match e.what {
            What::Free {
                slot,
                still_linked: true,
                ..
            } => Some((e, slot)),
            _ => None,
        })
        .collect();
    let on_cycle = |node: &str| {
        proven
            .as_ref()
            .is_some_and(|(_, cycle, _)| cycle.iter().any(|n| n == node))
    };
    let head_wanted = proven.as_ref().map(|(head, _, _)| head);
    let chains: Vec<_> = linked_frees
        .iter()
        .filter_map(|&(freed, slot)| {
            chain(events, before, freed, slot, head_wanted)
                .or_else(|| chain(events, before, freed, slot, None))
        })
        .collect();
    let node_of = |added: &Event| match &added.what {
        What::Add { node, head, .. } => (node.clone(), head.clone()),
        _ => unreachable!("found as an Add"),
    };
    let closing = chains
        .iter()
        .filter(|(_, _, _, added)| on_cycle(&node_of(added).0))
        .max_by_key(|(_, _, _, added)| added.step)
        .or_else(|| chains.iter().max_by_key(|(_, _, _, added)| added.step))?;
    let (freed, slot, reallocated, added) = *closing;
    let (node, head) = node_of(added);
    let also_freed_while_linked = linked_frees
        .iter()
        .filter(|(e, _)| e.step != freed.step)
        .map(|(e, s)| LinkedFree {
            slot: *s,
            freed_at_step: e.step,
            freed_by: e.thread.clone(),
        })
        .collect();
    let walk_after = events[added.step..]
        .iter()
        .find_map(|e| match &e.what {
            What::Picture(picture) => Some(picture.walk_from(&head)),
            _ => None,
        })
        .unwrap_or_default();
    Some(RootCause {
        walk_after,
        slot,
        node,
        head,
        freed_at_step: freed.step,
        freed_by: freed.thread.clone(),
        reallocated_at_step: reallocated.step,
        reallocated_by: reallocated.thread.clone(),
        added_again_at_step: added.step,
        added_again_by: added.thread.clone(),
        also_freed_while_linked,
    })
}

/// A linked free's chain: the reallocation after it and the add after that (on the list of
/// `head_wanted` if given), before step `before` (where the cycle was proven).
fn chain<'a>(
    events: &'a [Event],
    before: usize,
    freed: &'a Event,
    slot: usize,
    head_wanted: Option<&String>,
) -> Option<(&'a Event, usize, &'a Event, &'a Event)> {
    let reallocated = events[freed.step..]
        .iter()
        .find(|e| matches!(e.what, What::Alloc { slot: s, .. } if s == slot))?;
    let added = events[reallocated.step..].iter().find(|e| {
        e.step < before
            && matches!(&e.what, What::Add { slot: s, head, .. } if *s == slot
                && head_wanted.is_none_or(|wanted| wanted == head))
    })?;
    Some((freed, slot, reallocated, added))
}

/// The root cause in sentences: where the slot was freed while linked, reallocated, and added
/// again, how that add closed the cycle (the node pointing to itself, or to a stale node whose
/// links lead back), then every other slot freed while linked.
pub(crate) fn root_cause_sentence(cause: &RootCause) -> String {
    let (node, head) = (&cause.node, &cause.head);
    let next = cause
        .walk_after
        .iter()
        .position(|n| n == node)
        .and_then(|at| cause.walk_after.get(at + 1));
    let closed = match next {
        Some(next) if next != node => format!(
            "list_add({node}, {head}) sets {node}.next = {next}, a node whose stale links lead \
             back to {node}: {} never returns to {head}",
            cause.walk_after.join(" -> ")
        ),
        _ => {
            format!("list_add({node}, {head}) with {head}.next == {node} sets {node}.next = {node}")
        }
    };
    format!(
        "Root cause: slot#{slot} was freed while still linked at step {} ({}), reallocated at \
         step {} ({}) because the slab's LIFO free list hands the last freed slot back, and \
         added again at step {} ({}): {closed}.\n",
        cause.freed_at_step,
        cause.freed_by,
        cause.reallocated_at_step,
        cause.reallocated_by,
        cause.added_again_at_step,
        cause.added_again_by,
        slot = cause.slot,
    ) + &cause
        .also_freed_while_linked
        .iter()
        .map(|other| {
            format!(
                "slot#{} was also freed while still linked, at step {} ({}).\n",
                other.slot, other.freed_at_step, other.freed_by
            )
        })
        .collect::<String>()
}
