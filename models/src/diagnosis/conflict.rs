//! The earlier operation a stop conflicts with, read off the trace, for findings the list and
//! the slab refuse: a use after free (the free, and how the user came to hold the object
//! without a reference), and a refused list operation (the delete or add on the same slot
//! that left its links as the refused operation found them).

use super::race::held_at;
use crate::outcome::{Event, FindingKind, What};

/// The first `slot#N` a message names.
fn slot_named(message: &str) -> Option<usize> {
    let at = message.find("slot#")? + "slot#".len();
    let digits: String = message[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The first node a message names (`slot#1`, `slot#1.hash`): a slot's link on a list.
fn node_named(message: &str) -> Option<String> {
    let at = message.find("slot#")?;
    let rest = &message[at..];
    let digits = rest["slot#".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .count();
    let mut end = "slot#".len() + digits;
    if rest[end..].starts_with('.') {
        end += 1 + rest[end + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .count();
    }
    // `slot#0.M->next`: the arrow's dash is not part of the name.
    Some(rest[..end].trim_end_matches('-').to_string())
}

/// Whether `node` (`slot#1`, `slot#1.hash`) is a link of slot `slot`.
fn is_link_of(node: &str, slot: usize) -> bool {
    let name = format!("slot#{slot}");
    node == name
        || node
            .strip_prefix(&name)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The sentence for `actor`'s stop of kind `kind` with `message`, if the trace shows the
/// operation it conflicts with.
pub(super) fn explain(
    events: &[Event],
    actor: &str,
    kind: FindingKind,
    message: &str,
) -> Option<String> {
    let slot = slot_named(message)?;
    match kind {
        FindingKind::UseAfterFree => use_after_free(events, actor, slot),
        FindingKind::ListCorruption | FindingKind::DoubleAdd => {
            list_conflict(events, actor, &node_named(message)?)
        }
        _ => None,
    }
}

/// The free of `slot` and how `actor` came to use it: where it reached the object, which lock
/// it held there and dropped, and that it took no reference.
fn use_after_free(events: &[Event], actor: &str, slot: usize) -> Option<String> {
    let free = events
        .iter()
        .rfind(|e| matches!(e.what, What::Free { slot: s, .. } if s == slot))?;
    let reached = events[..free.step.saturating_sub(1)].iter().rfind(|e| {
        e.thread == actor && matches!(&e.what, What::WalkStep { node } if is_link_of(node, slot))
    });
    let referenced = events
        .iter()
        .any(|e| e.thread == actor && matches!(e.what, What::RefGet { slot: s, .. } if s == slot));
    if free.thread == actor {
        return Some(format!(
            "slot#{slot} was freed at step {} by `{actor}` itself, which used it after that: \
             the free (or the last put_ref) came before this use; the object is unlinked and \
             used first, its last reference dropped last.\n",
            free.step
        ));
    }
    let mut sentence = format!(
        "slot#{slot} was freed at step {} ({}), and `{actor}` used it after that",
        free.step, free.thread
    );
    if let Some(reached) = reached {
        let (locks, _) = held_at(events, actor, reached.step - 1);
        let dropped = events[reached.step..free.step].iter().find(|e| {
            e.thread == actor && matches!(&e.what, What::Unlock { lock } if locks.contains(lock))
        });
        sentence.push_str(&format!(
            ": it reached slot#{slot} in a walk at step {}",
            reached.step
        ));
        if let Some(dropped) = dropped {
            let What::Unlock { lock } = &dropped.what else {
                unreachable!("found as Unlock");
            };
            sentence.push_str(&format!(
                " under the {lock} lock, released that lock at step {}",
                dropped.step
            ));
        }
    }
    if !referenced {
        sentence.push_str(
            ", and held no reference to it: a get_ref taken under the lock, before the unlock, \
             would have kept it alive",
        );
    }
    sentence.push_str(".\n");
    Some(sentence)
}

/// The last delete or add of the link `node` before `actor`'s refused operation.
fn list_conflict(events: &[Event], actor: &str, node: &str) -> Option<String> {
    let earlier = events.iter().rfind(
        |e| matches!(&e.what, What::Del { node: n, .. } | What::Add { node: n, .. } if n == node),
    )?;
    let by = if earlier.thread == actor {
        "itself".to_string()
    } else {
        format!("`{}`", earlier.thread)
    };
    // The refused operation's own guard, read after that change, let it run: say so. Its
    // guard is the actor's last event but the link accesses it announced.
    let guard = events[earlier.step..]
        .iter()
        .filter(|e| e.thread == actor)
        .rfind(|e| !matches!(e.what, What::ListAccess { .. } | What::Refused { .. }))
        .filter(|e| matches!(e.what, What::Guard { held: true, .. }));
    let guarded = guard.map_or(String::new(), |e| match &e.what {
        What::Guard { condition, .. } => format!(
            " Its guard `if {condition}` held at step {}: a link left poisoned or stale is not \
             an empty list.",
            e.step
        ),
        _ => unreachable!("found as Guard"),
    });
    // `list_replace` records the delete of the old entry, then the add of the new one after it.
    let replaced_by = events
        .get(earlier.step)
        .and_then(|next| match (&earlier.what, &next.what) {
            (
                What::Del { node, .. },
                What::Add {
                    node: new, head, ..
                },
            ) if head == node => Some(new.clone()),
            _ => None,
        });
    if let (What::Del { list, node, .. }, Some(new)) = (&earlier.what, replaced_by) {
        return Some(format!(
            "{node} was replaced by {new} on {list} at step {} by {by}: list_replace leaves the \
             replaced entry's links as they were, pointing into a list that no longer points \
             back, and `{actor}`'s operation met them (list_replace_init would have left an \
             empty list that list_empty reads as unlinked).{guarded}\n",
            earlier.step
        ));
    }
    Some(match &earlier.what {
        What::Del { list, node, .. } => format!(
            "{node} was already deleted from {list} at step {} by {by}: `{actor}`'s operation \
             met the links that delete left (a list_del poisons them; list_del_init would have \
             left an empty list that list_empty reads as unlinked).{guarded}\n",
            earlier.step
        ),
        What::Add { list, node, .. } => format!(
            "{node} was added to {list} at step {} by {by} and not deleted since: `{actor}`'s \
             operation conflicts with that add.\n",
            earlier.step
        ),
        _ => unreachable!("found as Del or Add"),
    })
}
