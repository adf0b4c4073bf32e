//! Waits no signal can end: which events can be signalled at all, read off the actors' steps as
//! a fixpoint (an event is signalled if some actor reaches its `signal` having waited only for
//! events that are signalled). Events are level-triggered (`signal` sets, `wait` blocks until
//! set), so a wait for an event outside the fixpoint blocks forever: a cycle of waits, or a wait
//! in the actor that would signal it, before its signal.

use super::Violation;
use crate::language::{Rule, Scenario, Step};

/// The first wait of each actor that no signal can end.
pub(super) fn waits_never_signalled(scenario: &Scenario) -> Vec<Violation> {
    if scenario.actors.iter().any(|actor| actor.rust.is_some()) {
        // A Rust actor may signal anything: nothing to conclude.
        return Vec::new();
    }
    let mut signalled = vec![false; scenario.world.events.len()];
    let mut changed = true;
    while changed {
        changed = false;
        for actor in &scenario.actors {
            for step in &actor.steps {
                match step.value {
                    Step::Wait { event } if !signalled[event] => break,
                    Step::Signal { event } if !signalled[event] => {
                        signalled[event] = true;
                        changed = true;
                    }
                    _ => {}
                }
            }
        }
    }
    let rule = Rule::WaitCycle;
    let mut found = Vec::new();
    for actor in &scenario.actors {
        let blocked = actor.steps.iter().find_map(|step| match step.value {
            Step::Wait { event } if !signalled[event] => Some((step, event)),
            _ => None,
        });
        if let Some((step, event)) = blocked {
            let signallers: Vec<String> = scenario
                .actors
                .iter()
                .filter(|a| {
                    a.steps
                        .iter()
                        .any(|s| matches!(s.value, Step::Signal { event: e } if e == event))
                })
                .map(|a| format!("`{}`", a.name))
                .collect();
            found.push(Violation {
                rule,
                path: scenario.source.path.clone(),
                line: step.line,
                column: step.column,
                actor: Some(actor.name.clone()),
                message: format!(
                    "`{}` waits for an event no signal can end: its signallers ({}) reach \
                     their signal only after a wait for an event never signalled ({})",
                    step.value.text(&scenario.world),
                    signallers.join(", "),
                    rule.reason()
                ),
            });
        }
    }
    found
}
