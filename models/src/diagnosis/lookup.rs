//! A lockless lookup gone wrong, read off a trace (the lookup of Documentation/RCU/
//! rculist_nulls.rst): for a missed lookup, what happened to the entry the walk stood on while
//! it walked (unhashed from which chain, freed, allocated again with which key, hashed on which
//! chain, at which steps, by whom) and which entry stayed hashed unseen; for a wrong identity,
//! the history of the slot the reference is on from the lookup that found it (freed, allocated
//! again for another key, its key written after its count, the get, the recheck). Both narrate
//! the slot's events, so they hold for lookups written in any order.

use crate::outcome::{Event, What};

/// One event of `slot`'s life as a clause (`tcp freed it at step 12`), if it is one.
fn clause(event: &Event, slot: usize) -> Option<String> {
    let who = &event.thread;
    let at = event.step;
    let text = match &event.what {
        What::Unhashed {
            slot: s,
            table,
            chain,
        } if *s == slot => format!("`{who}` unhashed it from {table}[{chain}] at step {at}"),
        What::Free { slot: s, .. } if *s == slot => format!("`{who}` freed it at step {at}"),
        What::Alloc {
            slot: s, key: None, ..
        } if *s == slot => format!(
            "`{who}` allocated it again at step {at}, its count set and its key not yet written"
        ),
        What::Alloc {
            slot: s,
            key: Some(key),
            ..
        } if *s == slot => format!("`{who}` allocated it again with key {key} at step {at}"),
        What::KeySet { slot: s, key } if *s == slot => {
            format!("`{who}` wrote its key {key} at step {at}")
        }
        What::Hashed {
            slot: s,
            table,
            chain,
            key,
        } if *s == slot => {
            format!("`{who}` hashed it on {table}[{chain}] (key {key}) at step {at}")
        }
        What::RefGet { slot: s, .. } if *s == slot => {
            format!("`{who}` took a reference on it at step {at}")
        }
        What::RefGetFailed { slot: s } if *s == slot => {
            format!("`{who}`'s get_ref_not_zero found its count at 0 at step {at}")
        }
        What::Recheck {
            slot: s,
            found,
            wanted,
        } if *s == slot => format!(
            "`{who}` rechecked its key at step {at} and read {found}{}",
            if found == wanted {
                " (a match)"
            } else {
                ", not the key looked up"
            }
        ),
        _ => return None,
    };
    Some(text)
}

/// `a, b and c`.
fn and_list(clauses: &[String]) -> String {
    match clauses {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Where `reader`'s lookup that ended at event `end` began: just after its last event that is
/// not a step of the walk.
fn lookup_start(events: &[Event], end: usize, reader: &str) -> usize {
    events[..end]
        .iter()
        .rev()
        .find(|e| e.thread == reader && !matches!(e.what, What::WalkStep { .. }))
        .map_or(0, |e| e.step)
}

/// The sentence for `reader`'s missed lookup: its last lookup that found nothing while an
/// entry with the key stayed hashed.
pub(super) fn explain_missed(events: &[Event], reader: &str) -> Option<String> {
    let (end, event) = events.iter().enumerate().rev().find(|(_, e)| {
        e.thread == reader
            && matches!(&e.what, What::LookupEnd { found: None, stayed, .. } if !stayed.is_empty())
    })?;
    let What::LookupEnd {
        table,
        key,
        chain,
        ended_on,
        stood_on,
        stayed,
        ..
    } = &event.what
    else {
        unreachable!("found as a LookupEnd");
    };
    let start = lookup_start(events, end, reader);
    let ended = match ended_on {
        Some(end_chain) => format!("{table}[{end_chain}]'s marker"),
        None => "another table's marker".to_string(),
    };
    // The entry's move: from its last unhash off the walked chain on. In the trace's order
    // it may come before the lookup began: the walk then loaded links as they were before.
    let moved = stood_on.and_then(|slot| {
        let left = events[..end].iter().rposition(|e| {
            matches!(&e.what, What::Unhashed { slot: s, chain: c, .. } if *s == slot && c == chain)
        })?;
        let clauses: Vec<String> = events[left..end]
            .iter()
            .filter_map(|e| clause(e, slot))
            .collect();
        let early = if events[left].step < start {
            " (before the lookup began in the trace's order: the walk loaded the chain's links \
             as they were before those stores)"
        } else {
            ""
        };
        Some(format!(
            "its walk stood on slot#{slot}: {}{early}; ",
            and_list(&clauses)
        ))
    });
    let missing = if ended_on.is_some_and(|c| c != *chain) {
        "A nulls_restart after a walk that ends on another chain's marker was missing."
    } else {
        "The walk did not pass the entry."
    };
    Some(format!(
        "`{reader}` looked key {key} up on {table}[{chain}] from step {start}: {}it ended on \
         {ended} at step {}, finding nothing, though slot#{} (key {key}) was hashed on \
         {table}[{chain}] for the whole lookup. {missing}\n",
        moved.unwrap_or_default(),
        event.step,
        stayed[0]
    ))
}

/// The sentence for `reader`'s wrong identity: the history of the slot its last lookup found,
/// from that lookup to the end of the trace.
pub(super) fn explain_identity(events: &[Event], reader: &str) -> Option<String> {
    let (end, event) = events.iter().enumerate().rev().find(|(_, e)| {
        e.thread == reader && matches!(e.what, What::LookupEnd { found: Some(_), .. })
    })?;
    let What::LookupEnd {
        table,
        key,
        found: Some(slot),
        ..
    } = &event.what
    else {
        unreachable!("found as a LookupEnd with a slot");
    };
    let slot = *slot;
    // The object the reference ended on was born at the slot's last allocation; its story
    // starts where the previous object's ended, at the free before that, and includes the
    // lookup itself (in the trace's order it may come after the reuse: its load of the key
    // then read the previous object's, as nothing ordered it after the new key's store).
    let born = events
        .iter()
        .rposition(|e| matches!(e.what, What::Alloc { slot: s, .. } if s == slot))
        .unwrap_or(end);
    let from = events[..born]
        .iter()
        .rposition(|e| matches!(e.what, What::Free { slot: s, .. } if s == slot))
        .unwrap_or(born)
        .min(end);
    let clauses: Vec<String> = events
        .iter()
        .enumerate()
        .skip(from)
        .filter_map(|(i, e)| {
            if i == end {
                let stale = if born < end
                    && !matches!(events[born].what, What::Alloc { key: None, .. })
                {
                    " (its load of the key read the previous object's: nothing ordered it after \
                     the new key's store)"
                } else {
                    ""
                };
                Some(format!(
                    "`{reader}` found slot#{slot} with key {key} on {table} at step {}{stale}",
                    e.step
                ))
            } else {
                clause(e, slot)
            }
        })
        .collect();
    let reused = born != end && from < born;
    let late_key = events[from..]
        .iter()
        .any(|e| matches!(e.what, What::KeySet { slot: s, .. } if s == slot));
    let rechecked = events[end..].iter().any(|e| {
        e.thread == reader && matches!(e.what, What::Recheck { slot: s, .. } if s == slot)
    });
    let missing = if late_key {
        "The key was written after the count, so a get and a recheck in between see the count \
         and the slot's previous key: alloc x key K writes the key before the count."
    } else if reused && !rechecked {
        "A type-stable cache reuses a slot with no grace period: a recheck of the key after the \
         get was missing."
    } else {
        "The reference is on another object than the one looked up."
    };
    Some(format!(
        "`{reader}` holds a reference on slot#{slot}, looked up with key {key}: {}. {missing}\n",
        and_list(&clauses)
    ))
}
