//! `Local`: what the rule checker knows about one of an actor's locals as it reads the steps
//! (`lint::actor`): where its object came from, the references held, the lists it is or may be
//! on, and the rules already reported on it.

use crate::language::Rule;
use std::collections::BTreeSet;

/// Where a local's objects came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// `alloc`: this actor's own object.
    Alloc,
    /// `walk ... keep`: an entry of this list, found under its lock.
    Found(usize),
    /// `walk_rcu ... keep`: an entry of this list, found inside a read-side section.
    FoundRcu(usize),
    /// `reap ... into`: entries unlinked from this list, each with the reference the list held.
    Reaped(usize),
    /// `lookup_rcu ... into`: an entry of this hash table, found inside a read-side section.
    LookedUp(usize),
}

/// What the checker knows about one local.
#[derive(Debug, Clone)]
pub(super) struct Local {
    /// Where its object came from.
    pub(super) origin: Origin,
    /// References this actor holds.
    pub(super) refs: u32,
    /// It held a reference and dropped it (`put_ref`, `free`).
    pub(super) dropped: bool,
    /// Lists this actor linked it to (and has not unlinked it from).
    pub(super) linked: BTreeSet<usize>,
    /// Lists it may still be on that this actor cannot unlink it from (a reaped entry's other
    /// lists).
    pub(super) maybe_linked: BTreeSet<usize>,
    /// Lists it is on for as long as their locks stay held (found there, or handed to a list
    /// that holds its entries' references).
    pub(super) on_while_held: BTreeSet<usize>,
    /// Lists it was found on (`walk ... keep`) and this actor has not unlinked it from: still
    /// linked there after the unlock, as far as this actor knows, so freeing it frees a linked
    /// object.
    pub(super) found_on: BTreeSet<usize>,
    /// The lock of the list it was just published on, until that lock is released: a write
    /// before then is not after the publication (no other actor can reach it yet).
    pub(super) publishing_under: Option<usize>,
    /// Usable without a reference while this lock stays held.
    pub(super) borrowed: Option<usize>,
    /// Other actors may hold it: the list it was published on or found on.
    pub(super) shared: Option<usize>,
    /// The rules already reported on it.
    pub(super) flagged: BTreeSet<Rule>,
    /// Found by `walk_rcu` and usable without a reference while the read-side section lasts.
    pub(super) in_section: bool,
    /// Found by `walk_rcu`, and the section ended with no reference taken: any use now may be
    /// of freed memory.
    pub(super) section_ended: bool,
    /// Removed with `list_del_rcu` (or replaced), and no grace period since: readers may still
    /// stand on it.
    pub(super) readers_may_stand_on: bool,
    /// A grace period has passed since it was removed (or its free is deferred past one): RCU
    /// readers that held no reference are done with it.
    pub(super) grace_period_passed: bool,
    /// Found under RCU in a `typesafe-by-rcu` cache and referenced since, with no `recheck`
    /// yet: the object held may be another that reused the slot.
    pub(super) needs_recheck: bool,
    /// The hash table this actor hashed it on (and has not unhashed it from).
    pub(super) hashed: Option<usize>,
    /// A table it was hashed on whose lookups take references: other actors may hold it.
    pub(super) shared_by_table: Option<usize>,
}

impl Local {
    /// A local bound by `origin`, holding `refs` references, on no list yet.
    pub(super) fn new(origin: Origin, refs: u32) -> Local {
        Local {
            origin,
            refs,
            dropped: false,
            linked: BTreeSet::new(),
            maybe_linked: BTreeSet::new(),
            on_while_held: BTreeSet::new(),
            found_on: BTreeSet::new(),
            publishing_under: None,
            borrowed: None,
            shared: None,
            flagged: BTreeSet::new(),
            in_section: false,
            section_ended: false,
            needs_recheck: false,
            readers_may_stand_on: false,
            grace_period_passed: false,
            hashed: None,
            shared_by_table: None,
        }
    }

    /// Every list it is or may still be on, as far as this actor knows: linked by it, a reaped
    /// entry's other lists, on while the lock is held, found there.
    pub(super) fn may_be_on(&self) -> BTreeSet<usize> {
        self.linked
            .iter()
            .chain(&self.maybe_linked)
            .chain(&self.on_while_held)
            .chain(&self.found_on)
            .copied()
            .collect()
    }
}
