//! `Finding`: a failure an engine found, diagnosed, with its evidence (engine, executions, time,
//! replayable schedule, event trace, root cause, the diagnosis in sentences). Serialized as the
//! `finding` object of `--json` (README's table lists its keys).

use super::{Engine, Event, FindingKind};
use serde::Serialize;
use std::time::Duration;

/// How to make the failing execution happen again.
///
/// JSON: `{"kind": "shuttle-schedule" | "loom-checkpoint" | "std-iteration", "value": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum Replay {
    /// A shuttle schedule, for `shuttle::replay` (and `--replay`).
    ShuttleSchedule(String),
    /// A loom checkpoint (the execution path, JSON) that `Builder::checkpoint_file` replays.
    LoomCheckpoint(String),
    /// Real threads have no schedule to replay: the iteration that showed it.
    StdIteration(usize),
}

/// Where the root cause of a looping reader lies in the trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RootCause {
    /// The slot freed while linked.
    pub slot: usize,
    /// The link that was added again (`slot#0`, or `slot#0.hash` on a second list).
    pub node: String,
    /// The head it was added after (`head` or `hash-head`).
    pub head: String,
    /// The step of the free.
    pub freed_at_step: usize,
    /// Who freed it.
    pub freed_by: String,
    /// The step of the reallocation.
    pub reallocated_at_step: usize,
    /// Who reallocated it.
    pub reallocated_by: String,
    /// The step of the second add.
    pub added_again_at_step: usize,
    /// Who added it again.
    pub added_again_by: String,
    /// The walk from the head right after the second add, to the first repeated node (the
    /// cycle it closed), as node names; empty if the trace has no picture of it.
    pub walk_after: Vec<String>,
    /// Every other slot freed while it was still linked, in the trace's order.
    pub also_freed_while_linked: Vec<LinkedFree>,
}

/// A slot freed while still linked, besides the one whose re-add closed the cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkedFree {
    /// The slot.
    pub slot: usize,
    /// The step of the free.
    pub freed_at_step: usize,
    /// Who freed it.
    pub freed_by: String,
}

/// A failure found by an engine, with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// What kind of failure.
    pub kind: FindingKind,
    /// The engine that found it.
    #[serde(skip)]
    pub engine: Engine,
    /// Executions (loom, shuttle) or iterations (std) run up to and including the failing one.
    #[serde(skip)]
    pub executions: usize,
    /// Time until found.
    #[serde(skip)]
    pub elapsed: Duration,
    /// How to replay it, where the engine can.
    pub replay: Option<Replay>,
    /// The thread holding the lock the finding is about, if one held it.
    pub holder: Option<String>,
    /// That lock's name (`registry`), if the finding is about one.
    pub lock: Option<String>,
    /// The cycle a looping reader walks, from the head: `head -> slot#0 -> slot#0`.
    pub cycle: Vec<String>,
    /// Threads blocked forever waiting for the lock, by name, sorted.
    pub starved: Vec<String>,
    /// Where the trace shows the bug was made.
    pub root_cause: Option<RootCause>,
    /// The engine's or the actor's own message.
    pub message: String,
    /// The events of the failing execution.
    #[serde(skip)]
    pub trace: Vec<Event>,
    /// The finding explained in sentences.
    pub diagnosis: String,
}

/// How many of a run's executions (states, for the state-graph engine) reached one
/// `[[sometimes]]` state of the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reach {
    /// The property's name, as the file writes it.
    #[serde(rename = "sometimes")]
    pub name: String,
    /// Executions (states) that reached it; 0 means the run never got there.
    pub reached: usize,
}
