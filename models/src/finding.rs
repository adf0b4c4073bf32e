//! `Finding` and `Verdict`: what running a scenario on an engine concludes, as a value with its
//! evidence (engine, executions, time, replayable schedule, event trace, diagnosis).

use crate::trace::Event;
use lifecycle_list::ListError;
use lifecycle_slab::SlabError;
use std::fmt;
use std::time::Duration;

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
    pub const ALL: [FindingKind; 11] = [
        FindingKind::LoopingReader,
        FindingKind::StarvedWaiters,
        FindingKind::DoubleAdd,
        FindingKind::ListCorruption,
        FindingKind::UseAfterFree,
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
            FindingKind::DoubleFree => "double-free",
            FindingKind::DataRace => "data-race",
            FindingKind::SlotHandedOutTwice => "slot-handed-out-twice",
            FindingKind::Leak => "leak",
            FindingKind::Deadlock => "deadlock",
            FindingKind::Assertion => "assertion",
        }
    }

    /// The kind a refused list operation stands for.
    pub fn from_list_error(error: &ListError) -> FindingKind {
        match error {
            ListError::DoubleAdd { .. } => FindingKind::DoubleAdd,
            ListError::Cycle { .. } => FindingKind::LoopingReader,
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

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How to make the failing execution happen again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// A shuttle schedule, for `shuttle::replay` (and `--replay`).
    ShuttleSchedule(String),
    /// A loom checkpoint (the execution path, JSON) that `Builder::checkpoint_file` replays.
    LoomCheckpoint(String),
    /// Real threads have no schedule to replay: the iteration that showed it.
    StdIteration(usize),
}

/// Where the root cause of a looping reader lies in the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootCause {
    /// The slot freed while linked.
    pub slot: usize,
    /// The link that was added again (`slot#0`, or `slot#0.hash` on the second list).
    pub node: String,
    /// The head it was added after (`head` or `hash-head`).
    pub head: String,
    /// The step of the free, and who did it.
    pub freed_at: (usize, String),
    /// The step of the reallocation, and who did it.
    pub reallocated_at: (usize, String),
    /// The step of the second add, and who did it.
    pub added_again_at: (usize, String),
}

/// A failure found by an engine, with its evidence.
#[derive(Debug, Clone)]
pub struct Finding {
    /// What kind of failure.
    pub kind: FindingKind,
    /// The engine that found it (`loom`, `shuttle-pct`, `std`, ...).
    pub engine: String,
    /// Executions (loom, shuttle) or iterations (std) run up to and including the failing one.
    pub executions: usize,
    /// Time until found.
    pub elapsed: Duration,
    /// How to replay it, where the engine can.
    pub replay: Option<Replay>,
    /// The thread holding the registry lock, if one held it.
    pub holder: Option<String>,
    /// The cycle a looping reader walks, from the head: `head -> slot#0 -> slot#0`.
    pub cycle: Vec<String>,
    /// Threads blocked forever waiting for the lock, by name, sorted.
    pub starved: Vec<String>,
    /// Where the trace shows the bug was made.
    pub root_cause: Option<RootCause>,
    /// The engine's or the actor's own message.
    pub message: String,
    /// The events of the failing execution.
    pub trace: Vec<Event>,
    /// The finding explained in sentences.
    pub diagnosis: String,
}

/// The outcome of running a scenario on an engine.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Every execution explored passed.
    Pass {
        /// Executions (or iterations) explored.
        executions: usize,
        /// Time taken.
        elapsed: Duration,
        /// The bounds used, in words (`preemption bound 3`, `PCT depth 3, 1000 iterations`).
        bounds: String,
    },
    /// An execution failed.
    Found(Box<Finding>),
}

impl Verdict {
    /// The finding, if any.
    pub fn finding(&self) -> Option<&Finding> {
        match self {
            Verdict::Found(finding) => Some(finding),
            Verdict::Pass { .. } => None,
        }
    }

    /// Executions explored (to the finding, for a finding).
    pub fn executions(&self) -> usize {
        match self {
            Verdict::Pass { executions, .. } => *executions,
            Verdict::Found(finding) => finding.executions,
        }
    }

    /// Time taken.
    pub fn elapsed(&self) -> Duration {
        match self {
            Verdict::Pass { elapsed, .. } => *elapsed,
            Verdict::Found(finding) => finding.elapsed,
        }
    }

    /// `pass` or the finding kind's name.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Pass { .. } => "pass",
            Verdict::Found(finding) => finding.kind.name(),
        }
    }
}
