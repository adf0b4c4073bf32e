//! The soft-lockup watchdog for real threads, in the spirit of the kernel's "BUG: soft lockup -
//! CPU#N stuck for Ns!": it reports a lock held without a break for longer than a limit, naming
//! the holder and the waiters, or a run in which nobody recorded anything for twice that long
//! (actors waiting for each other), and then asks every actor to let go so the run can end.

use super::threads::Threads;
use super::world::World;
use crate::outcome::{waiting_for_lock, FindingKind, Stop, What};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Watches `world` until `all_done`, reporting a lock held longer than `limit` or no progress for
/// twice `limit`. Whoever sets `all_done` unparks the watchdog's thread, so a clean run ends at
/// once.
pub fn watch<P: Threads>(world: &World<P>, all_done: &AtomicBool, limit: Duration) {
    let poll = (limit / 20).max(Duration::from_millis(1));
    // Per lock: the same (holder, acquisition time) seen continuously since `since` is one hold.
    let mut seen: Vec<Option<(usize, u64, Instant)>> = vec![None; world.lock_count()];
    let mut progress = (world.trace.len(), Instant::now());
    while !all_done.load(Ordering::Relaxed) {
        std::thread::park_timeout(poll);
        for (lock, seen) in seen.iter_mut().enumerate() {
            let Some(holder) = world.lock_holder(lock) else {
                *seen = None;
                continue;
            };
            let acquired = world.locked_at(lock);
            let since = match *seen {
                Some((h, a, since)) if h == holder && a == acquired => since,
                _ => {
                    *seen = Some((holder, acquired, Instant::now()));
                    continue;
                }
            };
            let held = since.elapsed() + poll;
            if held > limit {
                soft_lockup(world, lock, holder, held);
                return;
            }
        }
        let recorded = world.trace.len();
        if recorded != progress.0 {
            progress = (recorded, Instant::now());
        } else if progress.1.elapsed() > 2 * limit {
            stalled(world, progress.1.elapsed());
            return;
        }
    }
}

/// Lock `lock` held for `held` by thread `holder`: report it and end the run.
fn soft_lockup<P: Threads>(world: &World<P>, lock: usize, holder: usize, held: Duration) {
    let holder = world
        .name_of_thread(holder)
        .unwrap_or_else(|| format!("thread {holder}"));
    let name = world.lock_name(lock).to_string();
    let waiting: Vec<String> = waiting_for_lock(&world.trace.snapshot(), &name)
        .into_iter()
        .filter(|waiter| *waiter != holder)
        .collect();
    let message = format!(
        "soft lockup: `{holder}` held the {name} lock for {} ms; waiting: {}",
        held.as_millis(),
        if waiting.is_empty() {
            "nobody".to_string()
        } else {
            waiting.join(", ")
        }
    );
    world.trace.record(
        "watchdog",
        What::SoftLockup {
            holder,
            lock: name,
            held_ms: held.as_millis(),
            waiting,
        },
    );
    // An actor that proved why it holds on (a looping reader) has already said so; this stop
    // only counts if nobody did.
    world.trace.set_stop(
        "watchdog",
        Stop {
            kind: FindingKind::StarvedWaiters,
            message,
        },
    );
    world.stop.store(true, Ordering::Relaxed);
}

/// Nothing recorded for `idle`: the actors wait for each other. Report it and end the run.
fn stalled<P: Threads>(world: &World<P>, idle: Duration) {
    let events = world.trace.snapshot();
    let mut waiting: Vec<String> = Vec::new();
    for event in &events {
        if matches!(event.what, What::Started { .. }) && !waiting.contains(&event.thread) {
            waiting.push(event.thread.clone());
        }
    }
    waiting.sort();
    world.trace.record(
        "watchdog",
        What::Stalled {
            idle_ms: idle.as_millis(),
            waiting: waiting.clone(),
        },
    );
    world.trace.set_stop(
        "watchdog",
        Stop {
            kind: FindingKind::Deadlock,
            message: format!(
                "deadlock: no actor made progress for {} ms (actors: {})",
                idle.as_millis(),
                waiting.join(", ")
            ),
        },
    );
    world.stop.store(true, Ordering::Relaxed);
}
