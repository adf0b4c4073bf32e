//! The RCU side of [`World`]: read-side sections, grace periods, `call_rcu` and `kfree_rcu`
//! callbacks run by the grace-period worker, `rcu_barrier`, the lockless `walk_rcu`, the `_rcu`
//! list changes and `destroy_cache`, each recorded in the trace with the names a diagnosis uses.

use super::threads::Threads;
use super::world::{Abandoned, World};
use crate::outcome::{FindingKind, Stop, What};
use lifecycle_list::{ListHead, RcuThread};
use lifecycle_slab::Handle;
use std::sync::atomic::Ordering;

/// A callback queued by `call_rcu` (drop a reference) or `kfree_rcu` (free).
#[derive(Debug, Clone)]
pub(crate) struct Callback {
    /// The object.
    pub(crate) handle: Handle,
    /// `kfree_rcu`: free it, whatever its count.
    pub(crate) free: bool,
}

/// The name the grace-period worker runs under.
pub(crate) const WORKER: &str = "rcu-gp";

impl<P: Threads> World<P> {
    /// Registers the calling actor with the RCU model (one slot per actor), remembering its
    /// name for the trace; `None` in a world without RCU slots (a scenario without RCU).
    pub(crate) fn rcu_register(&self, name: &str) -> Option<RcuThread<'_, Callback, P>> {
        self.rcu_register_with(name, |rcu| rcu.register())
    }

    /// As [`World::rcu_register`] after a restore, for an actor that was `nesting` read-side
    /// sections deep in the saved state.
    pub(crate) fn rcu_register_at(
        &self,
        name: &str,
        nesting: usize,
    ) -> Option<RcuThread<'_, Callback, P>> {
        self.rcu_register_with(name, |rcu| rcu.register_resumed(nesting))
    }

    fn rcu_register_with<'w>(
        &'w self,
        name: &str,
        register: impl FnOnce(
            &'w lifecycle_list::Rcu<Callback, P>,
        ) -> Result<RcuThread<'w, Callback, P>, lifecycle_list::RcuError>,
    ) -> Option<RcuThread<'w, Callback, P>> {
        if self.rcu.slots() == 0 {
            return None;
        }
        let thread = register(&self.rcu).expect("the world has one RCU slot per actor");
        let mut names = self.rcu_names.lock().unwrap_or_else(|p| p.into_inner());
        if names.len() <= thread.slot() {
            names.resize(thread.slot() + 1, String::new());
        }
        // A restored world registers its actors again in every run, under the names they had.
        if names[thread.slot()] != name {
            names[thread.slot()] = name.to_string();
        }
        Some(thread)
    }

    /// `rcu_read_lock`, recorded when it opens the outermost section.
    pub(crate) fn rcu_read_lock(&self, thread: &mut RcuThread<'_, Callback, P>) {
        if !thread.in_section() {
            self.record(|| What::RcuReadLock);
        }
        thread.read_lock();
    }

    /// `rcu_read_unlock`, recorded when it closes the outermost section.
    pub(crate) fn rcu_read_unlock(
        &self,
        thread: &mut RcuThread<'_, Callback, P>,
    ) -> Result<(), Stop> {
        thread.read_unlock().map_err(|error| Stop {
            kind: FindingKind::Assertion,
            message: error.to_string(),
        })?;
        if !thread.in_section() {
            self.record(|| What::RcuReadUnlock);
        }
        Ok(())
    }

    /// Whether the caller should stop waiting: std only, once the watchdog ended the run.
    fn give_up(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// A full grace period, recorded with the readers it waits for. Under a checker a grace
    /// period that cannot end blocks (the checker reports the deadlock); on std the wait gives up
    /// once the watchdog has ended the run.
    pub(crate) fn synchronize_rcu(&self) -> Result<(), Abandoned> {
        let grace_period = self.rcu.start_grace_period();
        let waits_for = {
            let names = self.rcu_names.lock().unwrap_or_else(|p| p.into_inner());
            grace_period
                .waits_for()
                .map(|slot| names.get(slot).cloned().unwrap_or_default())
                .collect()
        };
        self.record(|| What::GracePeriodStart { waits_for });
        self.rcu
            .wait_for(&grace_period, &|| self.give_up())
            .map_err(|_| Abandoned)?;
        self.record(|| What::GracePeriodEnd);
        Ok(())
    }

    /// `call_rcu` / `kfree_rcu` of `handle`: the callback runs after a grace period.
    pub(crate) fn call_rcu(&self, handle: Handle, free: bool) -> Result<(), Stop> {
        self.checked(handle)?;
        self.record(|| What::CallRcu {
            slot: handle.slot(),
            free,
        });
        self.rcu
            .call(Callback { handle, free })
            .map_err(|(error, _)| Stop {
                kind: FindingKind::Assertion,
                message: error.to_string(),
            })
    }

    /// `call_rcu` / `kfree_rcu` at step level: queued with the grace period it waits for, for
    /// the state graph's grace-period worker ([`World::run_stepped_callback`]).
    pub(crate) fn call_rcu_stepped(&self, handle: Handle, free: bool) -> Result<(), Stop> {
        self.checked(handle)?;
        self.record(|| What::CallRcu {
            slot: handle.slot(),
            free,
        });
        let grace_period = self.rcu.start_grace_period();
        self.stepped_callbacks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back((Callback { handle, free }, grace_period));
        Ok(())
    }

    /// The state graph's worker, one action: runs the oldest callback, whose grace period has
    /// ended (the action is enabled only then).
    pub(crate) fn run_stepped_callback(&self) -> Result<(), Stop> {
        let next = self
            .stepped_callbacks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front();
        let (callback, grace_period) = next.expect("enabled only with a callback queued");
        debug_assert!(self.rcu.grace_period_elapsed(&grace_period));
        self.record(|| What::GracePeriodEnd);
        self.run_callback(callback)
    }

    /// The state graph's queued callbacks, oldest first: `(slot, generation, free, the RCU
    /// slots whose sections it still waits for)`.
    pub(crate) fn stepped_callbacks(&self) -> Vec<(usize, u64, bool, Vec<usize>)> {
        self.stepped_callbacks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(callback, grace_period)| {
                (
                    callback.handle.slot(),
                    callback.handle.generation(),
                    callback.free,
                    grace_period.still_waits_for(&self.rcu),
                )
            })
            .collect()
    }

    /// `rcu_barrier`: every callback queued before it has run.
    pub(crate) fn rcu_barrier(&self) -> Result<(), Abandoned> {
        self.rcu
            .barrier(&|| self.give_up())
            .map_err(|_| Abandoned)?;
        self.record(|| What::Barrier);
        Ok(())
    }

    /// One callback, on the grace-period worker: the free or the reference drop it stands for.
    pub(crate) fn run_callback(&self, callback: Callback) -> Result<(), Stop> {
        if callback.free {
            self.free(callback.handle)
        } else {
            self.put_ref(callback.handle)
        }
    }

    /// The grace-period worker's life: runs callbacks until the run's actors are done.
    pub(crate) fn rcu_worker(&self) -> Result<(), Stop> {
        let mut stopped = None;
        let outcome = self.rcu.run_callbacks(
            |callback| {
                if stopped.is_none() {
                    stopped = self.run_callback(callback).err();
                }
            },
            &|| self.give_up(),
        );
        match (stopped, outcome) {
            (Some(stop), _) => Err(stop),
            // std: the watchdog ended the run; nothing of the worker's to report.
            (None, _) => Ok(()),
        }
    }

    /// `destroy_cache`: `kmem_cache_destroy`. Objects still allocated, other than those a queued
    /// callback will free, are the kernel's "Objects remaining on __kmem_cache_shutdown()" (a
    /// leak); a queued callback that frees into the cache afterwards is a use after free of the
    /// cache ([`World::free`] refuses it).
    pub(crate) fn destroy_cache(&self) -> Result<(), Stop> {
        self.record(|| What::CacheDestroyed);
        self.destroyed.store(true, Ordering::Release);
        let stats = self.slab.check_quiescent()?;
        let pending = self.rcu.pending()
            + self
                .stepped_callbacks
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .len();
        if stats.in_use > pending {
            return Err(Stop {
                kind: FindingKind::Leak,
                message: format!(
                    "kmem_cache_destroy: {} of {} objects remaining in the cache, not freed and \
                     not queued for a free",
                    stats.in_use - pending,
                    stats.capacity
                ),
            });
        }
        Ok(())
    }

    /// Refuses a free into a destroyed cache: a use after free of the cache.
    pub(super) fn check_cache_alive(&self, handle: Handle) -> Result<(), Stop> {
        if !self.destroyed.load(Ordering::Acquire) {
            return Ok(());
        }
        let message = format!(
            "kmem_cache_free of slot#{} into a cache already destroyed (kmem_cache_destroy ran \
             while its callback was still queued): a use after free of the cache",
            handle.slot()
        );
        self.record(|| What::Refused {
            message: message.clone(),
        });
        Err(Stop {
            kind: FindingKind::UseAfterFree,
            message,
        })
    }

    /// `list_for_each_entry_rcu` over `list`, bounded by the slab's capacity: no lock, each
    /// `next` loaded with `rcu_dereference`. An entry that is not allocated is a use after free
    /// (the reader stands in memory freed without a grace period), whatever the world's checks.
    pub(crate) fn walk_rcu(&self, list: usize) -> Result<Vec<Handle>, Stop> {
        let head: &ListHead<P> = &self.heads[list];
        // SAFETY: an RCU list (the parser refuses `walk_rcu` on another), walked inside a
        // read-side section; what a scenario frees without a grace period stays slab memory,
        // and the walk reports it.
        let walk = unsafe { head.iter_rcu(self.max_nodes()) };
        self.visit_all(list, walk, true, true)
    }
}
