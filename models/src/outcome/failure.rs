//! `Failure` and `Explored`: what an engine hands up before any diagnosis. An engine says how its
//! checker ended (a [`Cause`], parsed from the checker's own report by the engine that knows its
//! texts) with the failing execution's trace and replay; diagnosis turns that into a
//! [`super::Finding`] without knowing which engine ran.

use super::{Engine, Event, Reach, Replay, Stop};
use std::time::Duration;

/// How a failing execution ended, in the checker's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// The checker found every live thread blocked: the blocked actors, by name, sorted.
    Deadlock {
        /// The actors the checker reported blocked.
        blocked: Vec<String>,
    },
    /// Two accesses not ordered by happens-before (loom's causality violation).
    DataRace,
    /// The execution ran past the checker's step limit without ending (shuttle's `max_steps`).
    StepLimit,
    /// An actor stopped on a finding of its own (a refused list operation, a slab error, a
    /// proven cycle, a soft lockup).
    Stopped {
        /// The actor.
        actor: String,
        /// What it stopped on.
        stop: Stop,
    },
    /// Any other panic: an assertion of the harness or the checker itself.
    Panic,
    /// A state from which no final state is reachable (the state graph): the run either goes
    /// round a cycle of actions forever or stops with actors not done.
    NoFinalState {
        /// Actions from the initial state to where the run starts going round.
        stem: usize,
        /// The actors whose actions make the cycle, by name, in order; empty for a dead end.
        cycle_actors: Vec<String>,
        /// The actor walking in the cycle, if one is.
        looping: Option<String>,
        /// The lock the looping actor holds, if one does.
        lock: Option<String>,
        /// The actors blocked on that lock in the looping state, sorted.
        starved: Vec<String>,
        /// The nodes the looping walk goes round, from its head.
        cycle: Vec<String>,
        /// Where each actor not done stands when nobody can act: `` `reader` cannot take its
        /// next step `synchronize_rcu` (...) ``, one sentence each.
        waiting: Vec<String>,
    },
}

impl Cause {
    /// How a checker's failed execution ended, in the order every checker's report is read: its
    /// deadlock report (`blocked`, parsed by the engine) first, since an actor's stop in a
    /// deadlocked run is a consequence; then an actor's `stop`; then any other deadlock; then what
    /// only this checker reports (`specific`: a race, a step limit); else a plain panic.
    pub fn of_report(
        blocked: Option<Vec<String>>,
        stop: Option<(String, Stop)>,
        message: &str,
        specific: Option<Cause>,
    ) -> Cause {
        if let Some(blocked) = blocked {
            return Cause::Deadlock { blocked };
        }
        if let Some((actor, stop)) = stop {
            return Cause::Stopped { actor, stop };
        }
        if message.starts_with("deadlock") {
            return Cause::Deadlock {
                blocked: Vec::new(),
            };
        }
        specific.unwrap_or(Cause::Panic)
    }
}

/// A failing execution as an engine reports it.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The engine that ran it.
    pub engine: Engine,
    /// Executions (states, iterations) run up to and including the failing one.
    pub executions: usize,
    /// Time until found.
    pub elapsed: Duration,
    /// How to replay it, where the engine can.
    pub replay: Option<Replay>,
    /// How it ended.
    pub cause: Cause,
    /// The checker's or the actor's own words, verbatim.
    pub message: String,
    /// The failing execution's events.
    pub trace: Vec<Event>,
}

/// What an engine concluded, before diagnosis.
#[derive(Debug, Clone)]
pub enum Explored {
    /// Every execution (or state) explored passed.
    Passed {
        /// Executions (or iterations, or states) explored.
        executions: usize,
        /// Time taken.
        elapsed: Duration,
        /// The bounds used, in words.
        bounds: String,
        /// How often each `[[sometimes]]` state was reached.
        coverage: Vec<Reach>,
    },
    /// An execution failed.
    Failed(Failure),
    /// The engine cannot run the scenario, and says why.
    NotRun(String),
    /// The engine stopped at a budget (the state graph's states or memory) before it could
    /// conclude: neither a proof nor a finding.
    Incomplete {
        /// States explored.
        executions: usize,
        /// Time taken.
        elapsed: Duration,
        /// The budget hit and how to raise it.
        reason: String,
    },
}
