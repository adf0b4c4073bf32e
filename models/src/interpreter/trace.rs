//! `Trace`: the event log of one execution, kept outside the checker so the harness can read
//! the failing execution's events after the checker reports it.

use crate::outcome::{Event, Stop, What};
use std::sync::{Mutex, MutexGuard};

/// The events of the current execution and which thread id has which name.
///
/// # Invariants
/// A quiet trace (`recording == false`) keeps no events, only the first stop: nothing a run
/// decides reads the events back (only the watchdog, on real threads, which records).
#[derive(Debug)]
pub struct Trace {
    events: Mutex<Vec<Event>>,
    /// The first stop an actor made in this execution, with the actor's name.
    stop: Mutex<Option<(String, Stop)>>,
    /// Whether events are kept.
    recording: bool,
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            events: Mutex::new(Vec::new()),
            stop: Mutex::new(None),
            recording: true,
        }
    }
}

impl Trace {
    /// An empty trace.
    pub fn new() -> Self {
        Self::default()
    }

    /// A trace that keeps no events: the state-graph engine's, which explores states and
    /// replays a finding's path on a recording trace when it wants its events, and loom's
    /// first exploration, which explores again recording when an execution fails.
    pub fn quiet() -> Self {
        Trace {
            recording: false,
            ..Self::default()
        }
    }

    /// Whether events are kept (a caller skips building an event nobody will read).
    pub fn is_recording(&self) -> bool {
        self.recording
    }

    fn events(&self) -> MutexGuard<'_, Vec<Event>> {
        // A panicking actor never holds this lock across a panic point, but a poisoned log is
        // still the best record there is.
        self.events.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets everything: called at the start of each execution.
    pub fn reset(&self) {
        // A quiet trace never kept any (and the state graph resets it at every transition).
        if self.recording {
            self.events().clear();
        }
        *self.stop.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Keeps the first stop of the execution (later ones are consequences).
    pub fn set_stop(&self, actor: &str, stop: Stop) {
        let mut slot = self.stop.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some((actor.to_string(), stop));
        }
    }

    /// The first stop of the execution, if any.
    pub fn stop(&self) -> Option<(String, Stop)> {
        self.stop.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Appends an event. Never holds the log's lock across a checker operation.
    pub fn record(&self, thread: impl Into<String>, what: What) {
        if !self.recording {
            return;
        }
        let thread = thread.into();
        let mut events = self.events();
        let step = events.len() + 1;
        events.push(Event { step, thread, what });
    }

    /// The number of events so far (the watchdog's progress counter).
    pub fn len(&self) -> usize {
        self.events().len()
    }

    /// A copy of the events so far.
    pub fn snapshot(&self) -> Vec<Event> {
        self.events().clone()
    }
}
