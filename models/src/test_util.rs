//! What the unit tests of several rooms share: a scenario file written from its actors' steps
//! (one list `registry`, one lock, the checks of the catalogue's files) and trace events made by
//! hand. Test builds only; it uses nothing but the vocabulary.

use crate::outcome::{Event, What};

/// A scenario file with `objects` slots, one list `registry` under the one lock, the given
/// events, and one actor per `(name, steps)`; `[expect] all = "pass"`.
pub(crate) fn scenario_file(objects: usize, events: &[&str], actors: &[(&str, &[&str])]) -> String {
    let mut text = format!(
        "name = \"unit/test\"\nstory = \"a unit test's scenario\"\n\n[world]\nobjects = \
         {objects}\nlists = [{{ name = \"registry\" }}]\nevents = [{}]\nchecks = \
         [\"use-after-free\", \"leak\"]\n",
        events
            .iter()
            .map(|e| format!("{e:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (name, steps) in actors {
        text.push_str(&format!(
            "\n[[actor]]\nname = {name:?}\nsteps = [{}]\n",
            steps
                .iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    text.push_str("\n[expect]\nall = \"pass\"\n");
    text
}

/// The trace `(thread, what)` in order, numbered from step 1.
pub(crate) fn events(steps: Vec<(&str, What)>) -> Vec<Event> {
    steps
        .into_iter()
        .enumerate()
        .map(|(index, (thread, what))| Event {
            step: index + 1,
            thread: thread.to_string(),
            what,
        })
        .collect()
}
