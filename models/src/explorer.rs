//! The Explorer: stateright's web UI over a scenario's state graph, served on 127.0.0.1, with the
//! lists of the selected state drawn as SVG and a link to the path of what the graph found.

use crate::engine::states::{explore, witness, ScenarioModel, State, Workers};
use crate::outcome::What;
use crate::plan::Plan;
use crate::report::{escape, picture_svg};
use std::fmt;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

/// The scenario's model, with the lists drawn and each action labelled for the Explorer.
#[derive(Debug, Clone)]
struct Drawn(ScenarioModel);

/// An action as the Explorer lists it in a path: the actor (an index into the plan's actors,
/// or the grace-period worker's) and the step it takes there, in words.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Labelled {
    /// Who acts.
    actor: usize,
    /// `owner: list_add s registry`.
    label: String,
}

impl fmt::Debug for Labelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

impl stateright::Model for Drawn {
    type State = State;
    type Action = Labelled;

    fn init_states(&self) -> Vec<State> {
        self.0.init_states()
    }

    fn actions(&self, state: &State, actions: &mut Vec<Labelled>) {
        actions.extend(
            self.0
                .enabled_actors(state)
                .into_iter()
                .map(|actor| Labelled {
                    actor,
                    label: self.0.action_label(state, actor),
                }),
        );
    }

    fn next_state(&self, state: &State, action: Labelled) -> Option<State> {
        self.0.next_state(state, action.actor)
    }

    fn format_action(&self, action: &Labelled) -> String {
        action.label.clone()
    }

    fn properties(&self) -> Vec<stateright::Property<Self>> {
        vec![stateright::Property::always(
            "no finding",
            |_: &Drawn, state: &State| state.finding.is_none(),
        )]
    }

    /// The lists as the last list operation left them (none before the first), then where
    /// each actor stands, in words.
    fn as_svg(&self, path: stateright::Path<State, Labelled>) -> Option<String> {
        let state = path.last_state();
        let events = self.0.events_of(&state.path);
        let lists = events
            .iter()
            .rev()
            .find_map(|e| match &e.what {
                What::Picture(picture) => Some(picture_svg(
                    picture,
                    &format!(
                        "the lists after step {} ({} actions)",
                        e.step,
                        state.path.len()
                    ),
                )),
                _ => None,
            })
            .unwrap_or_default();
        Some(format!(
            "{lists}\n{}",
            positions_svg(&self.0.positions(state))
        ))
    }
}

/// The actors' positions as an SVG of text lines, shown under the lists.
fn positions_svg(lines: &[String]) -> String {
    let width = 20 + 8 * lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let height = 40 + 18 * lines.len();
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="monospace" font-size="13"><text x="20" y="22" font-size="14">the actors</text>"#
    );
    for (i, line) in lines.iter().enumerate() {
        svg.push_str(&format!(
            r#"<text class="actor" x="20" y="{}">{}</text>"#,
            44 + 18 * i,
            escape(line)
        ));
    }
    svg.push_str("</svg>");
    svg
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
    let exploration = explore(
        &model.0,
        false,
        (1_000_000, crate::plan::Bounds::default_memory_mib()),
        &AtomicUsize::new(0),
        Workers::joining_late(plan.bounds().state_workers),
    );
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
