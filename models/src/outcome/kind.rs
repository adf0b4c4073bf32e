//! `FindingKind`: the kinds of failure a scenario can be expected to show and the harness
//! classifies, named as scenario files and reports write them; and `Stop`, what an actor found
//! and stopped on.

use lifecycle_list::ListError;
use lifecycle_slab::SlabError;
use std::fmt;

/// The kinds of failure the harness classifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingKind {
    /// A reader holding the lock walks a cycle that does not contain the head: it never ends.
    LoopingReader,
    /// Threads blocked forever on a lock whose holder never releases it (no cycle proven).
    StarvedWaiters,
    /// `list_add` of a node next to itself, refused by the checked list.
    DoubleAdd,
    /// A broken `next`/`prev` invariant.
    ListCorruption,
    /// An object used after it was freed.
    UseAfterFree,
    /// `get_ref` (`refcount_inc`, `kref_get`) on an object whose count is 0: its last
    /// reference was dropped and it is being freed, or was freed in a type-stable cache. The
    /// kernel's `refcount_t` warns "addition on 0; use-after-free"; `get_ref_not_zero`
    /// (`refcount_inc_not_zero`) is the get that may meet a 0 and fails instead.
    RefcountFromZero,
    /// A reference held on an object whose key is not the one it was looked up with: in a
    /// `SLAB_TYPESAFE_BY_RCU` cache the object found was freed and its slot reused for another
    /// between the lookup and the get, and no recheck of the key followed.
    WrongIdentity,
    /// A lockless lookup found nothing while an object with its key was hashed on its chain
    /// for the whole lookup: an entry the walk stood on moved to another chain and the walk
    /// ended on that chain's marker without restarting (`rculist_nulls.rst`'s nulls check).
    MissedLookup,
    /// An object freed twice.
    DoubleFree,
    /// Two accesses not ordered by happens-before (loom's causality violation).
    DataRace,
    /// The slab's free list handed out an allocated slot (ABA).
    SlotHandedOutTwice,
    /// Objects still allocated when every thread is done.
    Leak,
    /// Every thread blocked, with no looping reader to blame.
    Deadlock,
    /// Any other failed assertion or panic.
    Assertion,
}

impl FindingKind {
    /// Every kind, in a stable order.
    pub const ALL: [FindingKind; 14] = [
        FindingKind::LoopingReader,
        FindingKind::StarvedWaiters,
        FindingKind::DoubleAdd,
        FindingKind::ListCorruption,
        FindingKind::UseAfterFree,
        FindingKind::RefcountFromZero,
        FindingKind::WrongIdentity,
        FindingKind::MissedLookup,
        FindingKind::DoubleFree,
        FindingKind::DataRace,
        FindingKind::SlotHandedOutTwice,
        FindingKind::Leak,
        FindingKind::Deadlock,
        FindingKind::Assertion,
    ];

    /// The kind's name in reports and JSON: `looping-reader`, `double-add`, ...
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::LoopingReader => "looping-reader",
            FindingKind::StarvedWaiters => "starved-waiters",
            FindingKind::DoubleAdd => "double-add",
            FindingKind::ListCorruption => "list-corruption",
            FindingKind::UseAfterFree => "use-after-free",
            FindingKind::RefcountFromZero => "refcount-from-zero",
            FindingKind::WrongIdentity => "wrong-identity",
            FindingKind::MissedLookup => "missed-lookup",
            FindingKind::DoubleFree => "double-free",
            FindingKind::DataRace => "data-race",
            FindingKind::SlotHandedOutTwice => "slot-handed-out-twice",
            FindingKind::Leak => "leak",
            FindingKind::Deadlock => "deadlock",
            FindingKind::Assertion => "assertion",
        }
    }

    /// The kind named `name` (as [`FindingKind::name`] writes it).
    pub fn from_name(name: &str) -> Option<FindingKind> {
        FindingKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }

    /// The kind a refused list operation stands for.
    pub fn from_list_error(error: &ListError) -> FindingKind {
        match error {
            ListError::DoubleAdd { .. } | ListError::NullsDoubleAdd { .. } => {
                FindingKind::DoubleAdd
            }
            ListError::Cycle { .. } | ListError::NullsCycle { .. } => FindingKind::LoopingReader,
            _ => FindingKind::ListCorruption,
        }
    }

    /// The kind a slab error stands for.
    pub fn from_slab_error(error: &SlabError) -> FindingKind {
        match error {
            SlabError::StaleHandle { .. } | SlabError::NotAllocated { .. } => {
                FindingKind::UseAfterFree
            }
            SlabError::WriteAfterFree { .. } => FindingKind::UseAfterFree,
            SlabError::DoubleFree { .. } => FindingKind::DoubleFree,
            SlabError::HandedOutTwice { .. } => FindingKind::SlotHandedOutTwice,
            SlabError::Full { .. } => FindingKind::Leak,
            SlabError::ForeignHandle { .. }
            | SlabError::NotFromThisCache { .. }
            | SlabError::FreeListCorrupt { .. } => FindingKind::Assertion,
        }
    }
}

impl serde::Serialize for FindingKind {
    /// As its name: `"looping-reader"`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an actor found and stopped on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    /// The finding's kind.
    pub kind: FindingKind,
    /// A sentence saying what broke.
    pub message: String,
}

impl From<lifecycle_slab::SlabError> for Stop {
    /// A slab error as the finding it stands for ([`FindingKind::from_slab_error`]).
    fn from(error: lifecycle_slab::SlabError) -> Self {
        Stop {
            kind: FindingKind::from_slab_error(&error),
            message: error.to_string(),
        }
    }
}
