//! The report as text for a terminal: the table of verdicts with each proof's coverage, each
//! finding's diagnosis with the last list pictures, notes on rows that are not as expected, and
//! the trace's events in words.

use super::RunRecord;
use crate::outcome::{Finding, FindingKind, ListPicture, Verdict, What};
use std::fmt::Write as _;

/// The same picture as text for a terminal: the walk from each head, then each node's links.
pub fn picture_text(picture: &ListPicture) -> String {
    let mut text = String::new();
    for head in picture.nodes.iter().filter(|n| n.name.ends_with("head")) {
        let walk = picture.walk_from(&head.name);
        let last = walk.last().expect("a walk starts at its head");
        let cycle = last != &head.name;
        let _ = writeln!(
            text,
            "    walk: {}{}",
            walk.join(" -> "),
            if cycle {
                "  (a cycle without the head)"
            } else {
                ""
            }
        );
    }
    text.push_str(&picture.render_text());
    text
}

/// The list pictures of a finding's trace, each with the operation it follows.
pub fn pictures(finding: &Finding) -> Vec<(String, ListPicture)> {
    let mut out = Vec::new();
    let mut last_operation = String::from("start");
    for event in &finding.trace {
        match &event.what {
            What::Add { .. } | What::Del { .. } => {
                last_operation = format!(
                    "step {}: {} {}",
                    event.step,
                    event.thread,
                    describe_event(&event.what)
                )
            }
            What::Picture(picture) => {
                out.push((format!("after {last_operation}"), picture.clone()))
            }
            _ => {}
        }
    }
    out
}

/// Describes one event in a few words for the timeline.
pub fn describe_event(what: &What) -> String {
    match what {
        What::Started { thread_id } => format!("starts (thread id {thread_id})"),
        What::Alloc {
            slot,
            generation,
            key: None,
        } => format!("alloc slot#{slot} (gen {generation})"),
        What::Alloc {
            slot,
            generation,
            key: Some(key),
        } => format!("alloc slot#{slot} (gen {generation}) key {key}"),
        What::KeySet { slot, key } => format!("set key of slot#{slot} to {key}"),
        What::Recheck {
            slot,
            found,
            wanted,
        } if found == wanted => format!("recheck slot#{slot}: key {found}, as looked up"),
        What::Recheck {
            slot,
            found,
            wanted,
        } => format!(
            "recheck slot#{slot}: key {found}, not {wanted} (reused for another): reference \
             dropped"
        ),
        What::Hashed {
            slot,
            table,
            chain,
            key,
        } => format!("hlist_nulls_add_head_rcu(slot#{slot}, {table}[{chain}]) (key {key})"),
        What::Unhashed { slot, table, chain } => {
            format!("hlist_nulls_del_rcu(slot#{slot}) from {table}[{chain}]")
        }
        What::LookupEnd {
            table,
            key,
            chain,
            found: Some(slot),
            ..
        } => format!("lookup {table}[{chain}] key {key}: found slot#{slot}"),
        What::LookupEnd {
            table,
            key,
            chain,
            found: None,
            ended_on,
            nulls,
            ..
        } => match (ended_on, nulls) {
            (Some(end), _) if end == chain => {
                format!("lookup {table}[{chain}] key {key}: not found (ended on its own marker)")
            }
            (Some(end), _) => format!(
                "lookup {table}[{chain}] key {key}: not found, ended on {table}[{end}]'s marker: \
                 an entry it stood on moved"
            ),
            (None, Some(nulls)) => format!(
                "lookup {table}[{chain}] key {key}: not found, ended on marker {nulls} of \
                 another table"
            ),
            (None, None) => format!("lookup {table}[{chain}] key {key}: not found"),
        },
        What::Restart { why } => format!("restart: {why}"),
        What::ListAccess {
            list, op, write, ..
        } => {
            let how = if *write { "changes" } else { "reads" };
            format!("`{op}` {how} the links of {list}")
        }
        What::Guard { condition, held } => {
            let then = if *held {
                "holds: the step runs"
            } else {
                "does not hold: the step is skipped"
            };
            format!("if {condition}: {then}")
        }
        What::Free {
            slot,
            generation,
            still_linked,
        } => format!(
            "free slot#{slot} (gen {generation}){}",
            if *still_linked { " STILL LINKED" } else { "" }
        ),
        What::LockRequest { lock } => format!("wants the {lock} lock"),
        What::LockAcquired { lock } => format!("holds the {lock} lock"),
        What::Unlock { lock } => format!("unlocks the {lock} lock"),
        What::Signalled { event } => format!("signal {event}"),
        What::DataAccess { slot, write: true } => format!("writes slot#{slot}'s data"),
        What::DataAccess { slot, write: false } => format!("reads slot#{slot}'s data"),
        What::Waiting { event } => format!("waits for event {event}"),
        What::Add { node, head, .. } => format!("list_add({node}, {head})"),
        What::Del { node, .. } => format!("list_del({node})"),
        What::RefGet { slot, refs } => format!("get ref slot#{slot} -> {refs}"),
        What::RefGetFailed { slot } => {
            format!("get ref unless zero slot#{slot}: the count is 0, nothing taken")
        }
        What::RefPut { slot, refs } => format!("put ref slot#{slot} -> {refs}"),
        What::WalkStep { node } => format!("walk -> {node}"),
        What::CycleProven { cycle, .. } => {
            format!("cycle proven: {} -> {}", cycle.join(" -> "), cycle[0])
        }
        What::Picture(_) => "(list picture)".to_string(),
        What::Refused { message } => format!("REFUSED: {message}"),
        What::RcuReadLock => "rcu_read_lock".to_string(),
        What::RcuReadUnlock => "rcu_read_unlock".to_string(),
        What::GracePeriodStart { waits_for } => format!(
            "grace period starts, waiting for {}",
            if waits_for.is_empty() {
                "no reader".to_string()
            } else {
                waits_for.join(", ")
            }
        ),
        What::GracePeriodEnd => "grace period ends".to_string(),
        What::CallRcu { slot, free } => format!(
            "{} slot#{slot}",
            if *free { "kfree_rcu" } else { "call_rcu" }
        ),
        What::Barrier => "rcu_barrier returns".to_string(),
        What::CacheDestroyed => "kmem_cache_destroy".to_string(),
        What::SoftLockup {
            holder,
            lock,
            held_ms,
            waiting,
        } => format!(
            "SOFT LOCKUP: {holder} stuck for {held_ms} ms holding the {lock} lock; waiting: {}",
            waiting.join(", ")
        ),
        What::Stalled { idle_ms, waiting } => format!(
            "STALLED: nothing happened for {idle_ms} ms; actors: {}",
            waiting.join(", ")
        ),
    }
}

/// The table of verdicts.
pub fn table(records: &[RunRecord<'_>]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<28} {:<15} {:<22} {:<36} {:>11} {:>10}",
        "scenario", "engine", "verdict", "expected", "executions", "time"
    );
    for row in records {
        let mark = if row.as_expected() {
            ""
        } else {
            "  <-- UNEXPECTED"
        };
        let executions = match &row.verdict {
            Verdict::Found(f) => format!("{} (1st)", f.executions),
            other => other.executions().to_string(),
        };
        let _ = writeln!(
            out,
            "{:<28} {:<15} {:<22} {:<36} {:>11} {:>10.1?}{mark}",
            row.scenario.name,
            row.engine.name(),
            row.verdict.label(),
            row.expected.label(),
            executions,
            row.verdict.elapsed(),
        );
        coverage(&mut out, row);
    }
    out
}

/// A proof's coverage under its row: how many executions (states) reached each
/// `[[sometimes]]` (the other engines' counts are in the JSON).
fn coverage(out: &mut String, row: &RunRecord<'_>) {
    if !row.engine.proves() {
        return;
    }
    let unit = row.engine.unit();
    for reach in row.verdict.coverage() {
        let missed = if reach.reached == 0 {
            "  <-- never reached"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "    sometimes: {:<60} {:>9} of {} {unit}{missed}",
            reach.name,
            reach.reached,
            row.verdict.executions()
        );
    }
}

/// Each finding explained once per scenario and kind, with the last two list pictures.
pub fn findings(records: &[RunRecord<'_>]) -> String {
    let mut out = String::new();
    let mut shown: Vec<(&str, FindingKind)> = Vec::new();
    for row in records {
        let Some(finding) = row.verdict.finding() else {
            continue;
        };
        if shown.contains(&(row.scenario.name.as_str(), finding.kind)) {
            continue;
        }
        shown.push((&row.scenario.name, finding.kind));
        let _ = writeln!(
            out,
            "\n== {} on {}: {} ==",
            row.scenario.name, finding.engine, finding.kind
        );
        out.push_str(&finding.diagnosis);
        let pictures = pictures(finding);
        for (caption, picture) in pictures.iter().rev().take(2).rev() {
            let _ = writeln!(out, "  the list {caption}:");
            out.push_str(&picture_text(picture));
        }
        if let Some(path) = &row.report {
            let _ = writeln!(out, "  report: {}", path.display());
        }
    }
    out
}

/// Notes for rows that are not as expected (the reason an engine is blind, if the file gives
/// one) and for rows that did not run.
pub fn notes(records: &[RunRecord<'_>]) -> String {
    let mut out = String::new();
    for row in records {
        if let Verdict::NotRun { reason } = &row.verdict {
            let _ = writeln!(
                out,
                "note: {} on {}: not run: {reason}",
                row.scenario.name,
                row.engine.name()
            );
        } else if let Verdict::Incomplete { reason, .. } = &row.verdict {
            let _ = writeln!(
                out,
                "note: {} on {}: incomplete: {reason}",
                row.scenario.name,
                row.engine.name()
            );
        } else if !row.as_expected() {
            for piece in row.missing_from_diagnosis() {
                let _ = writeln!(
                    out,
                    "note: {} on {}: the diagnosis lacks {piece:?}, which the file's `diagnosis` \
                     asks for",
                    row.scenario.name,
                    row.engine.name()
                );
            }
            if let Some(reason) = row.expected.reason() {
                let _ = writeln!(
                    out,
                    "note: {} on {}: {reason}",
                    row.scenario.name,
                    row.engine.name()
                );
            }
        }
    }
    out
}
