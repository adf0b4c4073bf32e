//! The soft-lockup watchdog for real threads, in the spirit of the kernel's "BUG: soft lockup -
//! CPU#N stuck for Ns!": it reports a registry lock held without a break for longer than a limit,
//! names the holder and the waiters, and then asks the holder to let go so the run can end.

use crate::threads::Threads;
use crate::trace::{Trace, What};
use crate::world::World;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Watches `world`'s registry lock until `all_done`, reporting a hold longer than `limit`.
/// Whoever sets `all_done` unparks the watchdog's thread, so a clean run ends at once.
pub fn watch<P: Threads>(world: &World<P>, all_done: &AtomicBool, limit: Duration) {
    let poll = (limit / 20).max(Duration::from_millis(1));
    // The same (holder, acquisition time) seen continuously since `since` is one unbroken hold.
    let mut seen: Option<(usize, u64, Instant)> = None;
    while !all_done.load(Ordering::Relaxed) {
        std::thread::park_timeout(poll);
        let Some(holder) = world.registry_lock().holder() else {
            seen = None;
            continue;
        };
        let acquired = world.locked_at.load(Ordering::Relaxed);
        let since = match seen {
            Some((h, a, since)) if h == holder && a == acquired => since,
            _ => {
                seen = Some((holder, acquired, Instant::now()));
                continue;
            }
        };
        let held = since.elapsed() + poll;
        if held > limit {
            let holder_name = world
                .name_of_thread(holder)
                .unwrap_or_else(|| format!("thread {holder}"));
            let events = world.trace.snapshot();
            let waiting: Vec<String> = Trace::waiting_for_lock(&events)
                .into_iter()
                .filter(|name| *name != holder_name)
                .collect();
            world.trace.record(
                "watchdog",
                What::SoftLockup {
                    holder: holder_name,
                    held_ms: held.as_millis(),
                    waiting,
                },
            );
            world.stop.store(true, Ordering::Relaxed);
            return;
        }
    }
}
