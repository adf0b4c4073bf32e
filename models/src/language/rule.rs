//! `Rule`: the lifecycle protocol's rules (docs/design.md, section 8) as one table: each rule's name
//! as files and reports write it, the one-line reason a broken rule is reported with, and the
//! finding kinds breaking it can cause. The rule checker (`crate::lint`) reads scenarios against
//! it; scenario files name a rule in `[expect] lint = "..."`.

use crate::outcome::FindingKind;
use FindingKind::*;

/// A rule of the lifecycle protocol, as the rule checker reads it off a scenario's steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// A list is changed or walked only with the lock that protects it held.
    UnlockedList,
    /// An object is unlinked from every list before its last reference is dropped (and so
    /// before its free).
    LinkedAtFree,
    /// Any use of an object after the lock is dropped is covered by a reference taken under it.
    UseWithoutRef,
    /// No use of an object after this actor dropped its reference (the drop may have freed it).
    UseAfterPut,
    /// An object is freed once; no `put_ref` past the references an actor holds.
    DoubleFree,
    /// Only the last `put_ref` frees an object other actors may hold a reference to.
    FreeWhileShared,
    /// An object's data is written only before it is published to other actors.
    WriteAfterPublish,
    /// A walk that deletes uses the deletion-tolerant (`_safe`) walk.
    DeleteInPlainWalk,
    /// An object is added only to a list it is not on, and deleted only from one it is on.
    LinkMismatch,
    /// A lock is taken once, released by its holder before the actor ends, never while waiting
    /// for an event, and locks nest in one order only.
    LockMisuse,
    /// Every event waited for can be signalled: its signaller does not first wait, directly or
    /// through other actors, for an event only the waiter (or nobody) signals.
    WaitCycle,
    /// The slab's free list is tagged (generation-counted), so a pop cannot ABA.
    UntaggedFreeList,
    /// The lock's unlock is a Release (and its acquire one atomic read-modify-write).
    DefectiveLock,
    /// An entry removed with `list_del_rcu` (or replaced) is freed only after a grace period
    /// (`synchronize_rcu` first, or `kfree_rcu` / `call_rcu`).
    FreeWithoutGracePeriod,
    /// A list that readers walk under RCU is changed only with the `_rcu` operations.
    PlainChangeOnRcuList,
    /// What `walk_rcu` found is used after `rcu_read_unlock` only under a reference taken inside
    /// the section.
    UseAfterRcuUnlock,
    /// `synchronize_rcu` is never called inside a read-side section (it would wait for itself).
    SyncInReadSection,
    /// `synchronize_rcu` is never called holding a lock that a reader takes inside its section.
    SyncUnderReaderLock,
    /// An entry found under RCU whose count may already be 0 is taken with
    /// `get_ref_not_zero`, not `get_ref`.
    PlainGetUnderRcu,
    /// In a `typesafe-by-rcu` cache, a lookup's reference is followed by a `recheck` of the key
    /// before the object is used.
    LookupWithoutRecheck,
    /// A lockless lookup of an `hlist_nulls` chain that found nothing restarts when its walk
    /// ended on another chain's marker (`nulls_restart`).
    NullsWalkWithoutRestart,
    /// A cache is destroyed only after `rcu_barrier`, once callbacks that free into it are
    /// queued.
    DestroyWithPendingCallbacks,
}

/// One row of the rule table.
struct Row {
    rule: Rule,
    name: &'static str,
    reason: &'static str,
    kinds: &'static [FindingKind],
}

/// What a use of an object with no reference held (or after dropping it) can cause.
const USED_WITHOUT_A_REFERENCE: &[FindingKind] = &[
    UseAfterFree,
    RefcountFromZero,
    DataRace,
    DoubleFree,
    ListCorruption,
];

/// What freeing an object still linked on a list can cause: a walker still finds it, so
/// everything a use after free and the walker's own `put_ref` (a second free) can: the slot's
/// next owner adds it again (double add, then a looping reader and the waiters starved behind
/// it), or writes it while the walker reads (found by the fuzzing:
/// tests/scenarios/found/necessity-1.toml, necessity-20261125-a10c5040.toml).
const FREED_WHILE_LINKED: &[FindingKind] = &[
    LoopingReader,
    StarvedWaiters,
    DoubleAdd,
    ListCorruption,
    UseAfterFree,
    RefcountFromZero,
    DoubleFree,
    SlotHandedOutTwice,
    DataRace,
];

/// The table: every rule, its name, its reason and the finding kinds it can cause. An engine's
/// finding on a scenario is explained only by a broken rule whose kinds include the finding's.
/// Every rule that can cause a use after free can cause `refcount-from-zero` too: a `get_ref` on
/// an object whose last reference is being dropped is the use after free that the kernel's
/// `refcount_t` reports as "addition on 0; use-after-free".
const TABLE: [Row; 22] = [
    Row {
        rule: Rule::UnlockedList,
        name: "unlocked-list",
        reason: "a list is changed or walked only with the lock that protects it held",
        kinds: &[
            DataRace,
            ListCorruption,
            UseAfterFree,
            RefcountFromZero,
            LoopingReader,
            StarvedWaiters,
            DoubleAdd,
        ],
    },
    Row {
        rule: Rule::LinkedAtFree,
        name: "linked-at-free",
        reason: "an object is unlinked from every list before its last reference is dropped",
        kinds: FREED_WHILE_LINKED,
    },
    Row {
        rule: Rule::UseWithoutRef,
        name: "use-without-ref",
        reason: "a use after the lock is dropped needs a reference taken under the lock",
        kinds: USED_WITHOUT_A_REFERENCE,
    },
    Row {
        rule: Rule::UseAfterPut,
        name: "use-after-put",
        reason: "an object is not used after its user dropped its reference",
        kinds: USED_WITHOUT_A_REFERENCE,
    },
    Row {
        rule: Rule::DoubleFree,
        name: "double-free",
        reason: "an object is freed once, and no put_ref drops a reference its actor does not hold",
        // A reference the actor does not hold may be a list's (handed off with the entry): the
        // free then frees a linked object (found by the fuzzing:
        // tests/scenarios/found/necessity-20261125.toml, necessity-20261125-2a68eee9.toml).
        kinds: FREED_WHILE_LINKED,
    },
    Row {
        rule: Rule::FreeWhileShared,
        name: "free-while-shared",
        reason: "an object others may hold a reference to is freed only by the last put_ref",
        kinds: &[UseAfterFree, RefcountFromZero, DoubleFree, DataRace],
    },
    Row {
        rule: Rule::WriteAfterPublish,
        name: "write-after-publish",
        reason: "an object's data (and key) is written only before it is published to other \
                 actors",
        // A key written after publishing: a lookup takes the object for another.
        kinds: &[DataRace, WrongIdentity],
    },
    Row {
        rule: Rule::DeleteInPlainWalk,
        name: "delete-in-plain-walk",
        reason: "a walk that deletes entries uses the deletion-tolerant _safe walk",
        kinds: &[ListCorruption, UseAfterFree, RefcountFromZero],
    },
    Row {
        rule: Rule::LinkMismatch,
        name: "link-mismatch",
        reason: "an object is added only to a list it is not on and deleted only from one it is on",
        kinds: &[DoubleAdd, ListCorruption, LoopingReader, StarvedWaiters],
    },
    Row {
        rule: Rule::LockMisuse,
        name: "lock-misuse",
        reason: "a lock is taken once and released by its holder, never held across a wait or \
                 past the actor's end, and locks nest in one order",
        kinds: &[Deadlock, StarvedWaiters, Assertion],
    },
    Row {
        rule: Rule::WaitCycle,
        name: "wait-cycle",
        reason: "every event waited for is signalled by an actor that does not first wait for \
                 an event never signalled",
        kinds: &[Deadlock],
    },
    Row {
        rule: Rule::UntaggedFreeList,
        name: "untagged-free-list",
        reason: "the slab's free list is tagged, so a preempted pop cannot ABA",
        kinds: &[
            SlotHandedOutTwice,
            UseAfterFree,
            RefcountFromZero,
            DoubleFree,
        ],
    },
    Row {
        rule: Rule::DefectiveLock,
        name: "defective-lock",
        reason: "the lock's unlock is a Release and its acquire one atomic read-modify-write",
        kinds: &[DataRace, UseAfterFree, RefcountFromZero, ListCorruption],
    },
    Row {
        rule: Rule::FreeWithoutGracePeriod,
        name: "free-without-grace-period",
        reason: "an entry removed with list_del_rcu is freed only after a grace period \
                 (synchronize_rcu, kfree_rcu or call_rcu)",
        // A reader still standing on it reads freed memory (loom: as a race with the free), and
        // a reader's get_ref on it races the last put: a second free.
        kinds: &[
            UseAfterFree,
            RefcountFromZero,
            DataRace,
            DoubleFree,
            DoubleAdd,
            ListCorruption,
            SlotHandedOutTwice,
        ],
    },
    Row {
        rule: Rule::PlainChangeOnRcuList,
        name: "plain-change-on-rcu-list",
        reason: "a list readers walk under RCU is changed only with the _rcu operations",
        // list_del poisons the next a reader follows; list_add publishes without release.
        kinds: &[ListCorruption, DataRace, UseAfterFree, RefcountFromZero],
    },
    Row {
        rule: Rule::UseAfterRcuUnlock,
        name: "use-after-rcu-unlock",
        reason: "what walk_rcu found is used after rcu_read_unlock only under a reference \
                 taken inside the section",
        // In a typesafe-by-rcu cache the slot may hold another object by then: the use reads
        // its key (found by the fuzzing: tests/scenarios/found/necessity-20261125-c6637822.toml).
        kinds: &[
            UseAfterFree,
            RefcountFromZero,
            DataRace,
            DoubleFree,
            WrongIdentity,
        ],
    },
    Row {
        rule: Rule::SyncInReadSection,
        name: "sync-in-read-section",
        reason: "synchronize_rcu is never called inside a read-side section",
        kinds: &[Deadlock, StarvedWaiters],
    },
    Row {
        rule: Rule::SyncUnderReaderLock,
        name: "sync-under-reader-lock",
        reason: "synchronize_rcu is never called holding a lock a reader takes inside its \
                 read-side section",
        kinds: &[Deadlock, StarvedWaiters],
    },
    Row {
        rule: Rule::PlainGetUnderRcu,
        name: "plain-get-under-rcu",
        reason: "an entry found under RCU whose count may already be 0 (its last reference \
                 dropped with a release that defers the free) is taken with get_ref_not_zero",
        kinds: &[RefcountFromZero, UseAfterFree, DoubleFree],
    },
    Row {
        rule: Rule::LookupWithoutRecheck,
        name: "lookup-without-recheck",
        reason: "in a typesafe-by-rcu cache, an object a lockless lookup took a reference on \
                 has its key checked again (recheck) before it is used",
        // Without a reference, what the lookup found may be freed (and reused) under it.
        kinds: &[WrongIdentity, UseAfterFree, RefcountFromZero],
    },
    Row {
        rule: Rule::NullsWalkWithoutRestart,
        name: "nulls-walk-without-restart",
        reason: "a lockless lookup of an hlist_nulls chain restarts when its walk ends on \
                 another chain's marker (nulls_restart): an entry it stood on moved, and the \
                 rest of its own chain went unwalked",
        kinds: &[MissedLookup],
    },
    Row {
        rule: Rule::DestroyWithPendingCallbacks,
        name: "destroy-with-pending-callbacks",
        reason: "a cache is destroyed only after rcu_barrier once callbacks that free into it \
                 are queued",
        kinds: &[UseAfterFree, RefcountFromZero, Leak],
    },
];

impl Rule {
    /// Every rule, in the table's order.
    pub const ALL: [Rule; 22] = [
        Rule::UnlockedList,
        Rule::LinkedAtFree,
        Rule::UseWithoutRef,
        Rule::UseAfterPut,
        Rule::DoubleFree,
        Rule::FreeWhileShared,
        Rule::WriteAfterPublish,
        Rule::DeleteInPlainWalk,
        Rule::LinkMismatch,
        Rule::LockMisuse,
        Rule::WaitCycle,
        Rule::UntaggedFreeList,
        Rule::DefectiveLock,
        Rule::FreeWithoutGracePeriod,
        Rule::PlainChangeOnRcuList,
        Rule::UseAfterRcuUnlock,
        Rule::SyncInReadSection,
        Rule::SyncUnderReaderLock,
        Rule::PlainGetUnderRcu,
        Rule::LookupWithoutRecheck,
        Rule::NullsWalkWithoutRestart,
        Rule::DestroyWithPendingCallbacks,
    ];

    fn row(self) -> &'static Row {
        let row = &TABLE[self as usize];
        debug_assert_eq!(row.rule, self, "the rule table is in the enum's order");
        row
    }

    /// The rule's name: `unlocked-list`, `linked-at-free`, ...
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// The rule in one line, as a finding's reason ends.
    pub fn reason(self) -> &'static str {
        self.row().reason
    }

    /// The finding kinds breaking this rule can cause.
    pub fn kinds(self) -> &'static [FindingKind] {
        self.row().kinds
    }

    /// Whether the rule is about RCU lifecycles (read-side sections, grace periods, callbacks).
    pub fn is_rcu(self) -> bool {
        matches!(
            self,
            Rule::FreeWithoutGracePeriod
                | Rule::PlainChangeOnRcuList
                | Rule::UseAfterRcuUnlock
                | Rule::SyncInReadSection
                | Rule::SyncUnderReaderLock
                | Rule::PlainGetUnderRcu
                | Rule::LookupWithoutRecheck
                | Rule::NullsWalkWithoutRestart
                | Rule::DestroyWithPendingCallbacks
        )
    }

    /// Whether breaking this rule can cause a finding of `kind`.
    pub fn can_cause(self, kind: FindingKind) -> bool {
        self.kinds().contains(&kind)
    }

    /// The rule named `name` (as [`Rule::name`] writes it).
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.name() == name)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
