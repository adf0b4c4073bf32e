//! The rule checker's reading of RCU steps (`lint::actor` hands them here): sections opened and
//! closed, what `walk_rcu` found and whether a reference outlives the section, removals that
//! readers may still stand on until a grace period, grace periods that cannot end, and callbacks
//! queued before a cache is destroyed.

use super::actor::{ActorCheck, Broken};
use super::local::{Local, Origin};
use crate::language::Rule;

impl ActorCheck<'_> {
    /// `walk_rcu L [keep x]`: `x` is usable without a reference until the section ends.
    pub(super) fn walk_rcu(&mut self, list: usize, keep: Option<&str>) {
        let Some(keep) = keep else { return };
        let mut local = Local::new(Origin::FoundRcu(list), 0);
        local.in_section = self.sections > 0;
        if !local.in_section {
            // A walk under the list's lock instead (the parser allows that): as a plain walk.
            local.borrowed = Some(self.lock_of(list));
            local.on_while_held.insert(list);
        }
        local.found_on.insert(list);
        local.shared = Some(list);
        self.locals.insert(keep.to_string(), local);
    }

    /// The outermost `rcu_read_unlock` ends what walk_rcu lent: a local with no reference taken
    /// inside the section is not to be used again.
    pub(super) fn rcu_read_unlock(&mut self) {
        self.sections = self.sections.saturating_sub(1);
        if self.sections > 0 {
            return;
        }
        for local in self.locals.values_mut().filter(|l| l.in_section) {
            local.in_section = false;
            local.section_ended = local.refs == 0;
            // Found on the list, not linked by this actor: not this actor's to unlink.
            local.found_on.clear();
        }
    }

    /// `synchronize_rcu`: never inside a section, never under a lock a reader takes inside
    /// one; afterwards no reader stands on what this actor removed before it.
    pub(super) fn synchronize_rcu(&mut self, text: &str) -> Broken {
        let broken = if self.sections > 0 {
            Some((
                Rule::SyncInReadSection,
                format!(
                    "`{text}` inside this actor's own read-side section: the grace period waits \
                     for the section, which waits for the grace period"
                ),
            ))
        } else {
            (0..self.held.len())
                .filter(|&lock| self.held[lock].is_some())
                .find_map(|lock| {
                    let reader = self.sharing.taken_in_section.get(&lock)?;
                    Some((
                        Rule::SyncUnderReaderLock,
                        format!(
                            "`{text}` holds the {} lock, which actor `{reader}` takes inside its \
                             read-side section: the reader waits for the lock, the grace period \
                             for the reader",
                            self.lock_name(lock)
                        ),
                    ))
                })
        };
        for local in self.locals.values_mut() {
            local.grace_period_passed |= local.readers_may_stand_on;
            local.readers_may_stand_on = false;
        }
        broken
    }

    /// A free (or a drop that may free) of an entry removed with `list_del_rcu` and no grace
    /// period since.
    pub(super) fn without_grace_period(&mut self, text: &str, object: &str, what: &str) -> Broken {
        // A type-stable cache frees with no grace period by design: what a reader may meet is
        // another object in the slot (`lookup-without-recheck`), not freed memory.
        if self.scenario.world.typesafe_by_rcu {
            return None;
        }
        let local = self.locals.get(object)?;
        local.readers_may_stand_on.then(|| {
            (
                Rule::FreeWithoutGracePeriod,
                format!(
                    "`{text}` {what} {object}, removed with list_del_rcu, before a grace period: \
                     a reader inside its section may still stand on it"
                ),
            )
        })
    }

    /// Whether a free of `local` (published on `list`) needs no last-reference protocol: its
    /// RCU readers are done with it after a grace period, and nobody takes references on the
    /// list's entries.
    pub(super) fn freed_after_readers(&self, local: &Local, list: usize) -> bool {
        local.grace_period_passed
            && self.scenario.world.lists[list].rcu
            && !self.sharing.refs_taken_on[list]
    }

    /// A list change that is not the `_rcu` form, on a list readers walk under RCU.
    pub(super) fn plain_change(&self, text: &str, list: usize, rcu: bool) -> Broken {
        let spec = &self.scenario.world.lists[list];
        (spec.rcu && !rcu).then(|| {
            (
                Rule::PlainChangeOnRcuList,
                format!(
                    "`{text}` changes `{}`, which readers walk under RCU, without the _rcu form: \
                     a lockless reader may follow a poisoned link or see an entry before its data",
                    spec.name
                ),
            )
        })
    }

    /// `call_rcu x` / `kfree_rcu x`: the free or drop is deferred past a grace period, so it
    /// does not break `free-without-grace-period`; everything else about a free or a drop
    /// still holds.
    pub(super) fn call_rcu(&mut self, text: &str, object: &str, free: bool) -> Broken {
        let local = self.local(object);
        local.grace_period_passed |= local.readers_may_stand_on;
        local.readers_may_stand_on = false;
        self.callbacks_queued = true;
        if free {
            self.free(text, object)
        } else {
            self.put_ref(text, object)
        }
    }

    /// A use of an entry found under RCU in a type-stable cache, referenced and not rechecked:
    /// the object held may be another that reused the slot.
    pub(super) fn unrechecked(&mut self, text: &str, object: &str) -> Broken {
        let typesafe = self.scenario.world.typesafe_by_rcu;
        let local = self.local(object);
        if typesafe && local.in_section && local.refs == 0 {
            return Some((
                Rule::LookupWithoutRecheck,
                format!(
                    "`{text}` uses {object}, found under RCU in a typesafe-by-rcu cache, with no \
                     reference: its slot may be freed and reused for another object at any \
                     moment (get_ref_not_zero, then recheck)"
                ),
            ));
        }
        local.needs_recheck.then(|| {
            (
                Rule::LookupWithoutRecheck,
                format!(
                    "`{text}` uses {object}, found under RCU in a typesafe-by-rcu cache, with no \
                     `recheck` of its key after the get: its slot may have been freed and reused \
                     for another object between the lookup and the get"
                ),
            )
        })
    }

    /// `destroy_cache` with callbacks queued that may free into it.
    pub(super) fn destroy_cache(&mut self, text: &str) -> Broken {
        self.callbacks_queued.then(|| {
            (
                Rule::DestroyWithPendingCallbacks,
                format!(
                    "`{text}` while callbacks this actor queued may still free into the cache: \
                     rcu_barrier first"
                ),
            )
        })
    }
}
