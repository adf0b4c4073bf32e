//! `Trace`: the event log of one execution, kept outside the checker so the harness can read
//! the failing execution's events after the checker reports it.

use crate::outcome::{Event, Stop, What};
use std::sync::{Mutex, MutexGuard};

/// The events of the current execution and which thread id has which name.
#[derive(Debug, Default)]
pub struct Trace {
    events: Mutex<Vec<Event>>,
    /// The first stop an actor made in this execution, with the actor's name.
    stop: Mutex<Option<(String, Stop)>>,
}

impl Trace {
    /// An empty trace.
    pub fn new() -> Self {
        Self::default()
    }

    fn events(&self) -> MutexGuard<'_, Vec<Event>> {
        // A panicking actor never holds this lock across a panic point, but a poisoned log is
        // still the best record there is.
        self.events.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets everything: called at the start of each execution.
    pub fn reset(&self) {
        self.events().clear();
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
