//! The Explorer: stateright's web UI over a scenario's state graph, served on 127.0.0.1, with the
//! lists of the selected state drawn as SVG and a link to the path of what the graph found.

use crate::engine::states::{explore, witness, ScenarioModel, State};
use crate::outcome::What;
use crate::plan::Plan;
use crate::report::picture_svg;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

/// The scenario's model, with the lists drawn for the Explorer.
#[derive(Debug, Clone)]
struct Drawn(ScenarioModel);

impl stateright::Model for Drawn {
    type State = State;
    type Action = usize;

    fn init_states(&self) -> Vec<State> {
        self.0.init_states()
    }

    fn actions(&self, state: &State, actions: &mut Vec<usize>) {
        self.0.actions(state, actions)
    }

    fn next_state(&self, state: &State, action: usize) -> Option<State> {
        self.0.next_state(state, action)
    }

    fn format_action(&self, action: &usize) -> String {
        self.0.format_action(action)
    }

    fn properties(&self) -> Vec<stateright::Property<Self>> {
        vec![stateright::Property::always(
            "no finding",
            |_: &Drawn, state: &State| state.finding.is_none(),
        )]
    }

    fn as_svg(&self, path: stateright::Path<State, usize>) -> Option<String> {
        let state = path.last_state();
        let events = self.0.events_of(&state.path);
        let (step, picture) = events.iter().rev().find_map(|e| match &e.what {
            What::Picture(picture) => Some((e.step, picture.clone())),
            _ => None,
        })?;
        Some(picture_svg(
            &picture,
            &format!("the lists after step {step} ({} actions)", state.path.len()),
        ))
    }
}

/// Serves the Explorer for `plan` on 127.0.0.1:`port` until the process is stopped, printing its
/// address (and the path to what the state graph found, if it found something) first.
///
/// # Errors
/// The port cannot be bound, or the scenario has a Rust actor (the state graph cannot cut a
/// closure into steps).
pub fn serve_explorer(plan: &Plan, port: u16) -> Result<(), String> {
    let address = format!("127.0.0.1:{port}");
    // tiny_http panics on a port it cannot bind: find out first and say so.
    drop(std::net::TcpListener::bind(&address).map_err(|error| {
        format!("cannot serve the Explorer on {address}: {error} (choose another --port)")
    })?);
    let scenario = plan.scenario();
    if let Some(actor) = scenario.actors.iter().find(|a| a.rust.is_some()) {
        return Err(format!(
            "{}: actor `{}` is a Rust closure, which the state graph cannot cut into steps",
            scenario.source.path, actor.name
        ));
    }
    let model = Drawn(ScenarioModel::new(Arc::new(plan.clone())));
    println!(
        "Explorer for {} at http://{address}/ (the state graph at step level; Ctrl-C stops it)",
        scenario.name
    );
    let exploration = explore(&model.0, false, 1_000_000, &AtomicUsize::new(0));
    if let Some(actors) = witness(&model.0, &exploration) {
        // The Explorer names a path by each step's index among the actions offered there.
        let mut path = Vec::new();
        let mut indices = vec!["0".to_string()];
        for actor in actors {
            let state = model.0.state_of(path.clone());
            let offered = model.0.enabled_actors(&state);
            let index = offered
                .iter()
                .position(|&a| a == actor)
                .expect("a witness only takes offered actions");
            indices.push(index.to_string());
            path.push(actor);
        }
        println!(
            "what the state graph found is at http://{address}/#/steps/{}",
            indices.join("/")
        );
    }
    use stateright::Model;
    model.checker().serve(address);
    Ok(())
}
