//! `ScenarioModel`: a scenario as a `stateright::Model`. A state is a canonical [`Snapshot`]
//! (what decides the future, by name) plus the finding that ended it, if any; an action is one
//! actor taking its next step (or one node of a walk). Every transition runs the real list and
//! slab code, on a world restored to the state (or replayed along its path), then the action.

use crate::interpreter::{
    enabled, finding_identity, replay_path, worker_enabled, Checkpoint, IsNew, Outcome, Ran,
    Replayer, Snapshot, Trace, WORKER,
};
use crate::outcome::{Event, Stop};
use crate::plan::Plan;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A state of the graph.
///
/// # Invariants
/// Equality and hashing look at `snapshot` and `finding` only: `path` is how this state was
/// first reached (one of possibly many), kept so a transition can rebuild the world, and
/// `covered` is a function of the snapshot (positions, locals, links, locks).
#[derive(Debug, Clone)]
pub struct State {
    /// What decides the future.
    pub snapshot: Snapshot,
    /// The finding that ended the run here, with its actor.
    pub finding: Option<(String, Stop)>,
    /// Actions (indices into the expanded actor list) from the initial state.
    pub path: Vec<usize>,
    /// The scenario's `[[sometimes]]` states that hold here, as a mask.
    pub covered: u64,
}

impl State {
    /// This state's path and then `action`.
    fn path_then(&self, action: usize) -> Vec<usize> {
        let mut path = Vec::with_capacity(self.path.len() + 1);
        path.extend_from_slice(&self.path);
        path.push(action);
        path
    }

    /// The state a run reached by `path` ended in: `outcome`.
    fn reached(outcome: Outcome, path: Vec<usize>) -> State {
        State {
            snapshot: outcome.snapshot,
            finding: outcome.finding,
            path,
            covered: outcome.covered,
        }
    }
}

impl PartialEq for State {
    fn eq(&self, other: &Self) -> bool {
        self.snapshot == other.snapshot && self.finding == other.finding
    }
}

impl Eq for State {}

// Hashes every field of the snapshot (not the key a search indexes it by), so that stateright's
// own checker, which tells states apart by this hash, is a cross-check of the key: the tests
// compare the states each counts.
impl Hash for State {
    fn hash<H: Hasher>(&self, hasher: &mut H) {
        self.snapshot.hash(hasher);
        finding_identity(&self.finding).hash(hasher);
    }
}

/// What [`ScenarioModel::successor_if_new`] reached.
// Returned by value once per transition and matched at once: a box would allocate for every
// new state.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Successor {
    /// A state not seen yet, with its save.
    New(State, Checkpoint),
    /// A state seen before, and whether it has a finding.
    Seen {
        /// The action made a finding.
        finding: bool,
    },
}

/// A scenario's plan as a model.
#[derive(Debug, Clone)]
pub struct ScenarioModel {
    /// The scenario with its copies, objects and bounds.
    pub plan: Arc<Plan>,
    /// What transitions replay into: a quiet trace (a transition's events are not kept).
    replayer: Arc<Replayer>,
}

impl ScenarioModel {
    /// The model of `plan`.
    pub fn new(plan: Arc<Plan>) -> Self {
        ScenarioModel {
            replayer: Arc::new(Replayer::new(&plan, Trace::quiet())),
            plan,
        }
    }

    /// The expanded actors: `(name, index into the scenario's actors)`.
    pub fn actors(&self) -> &[(String, usize)] {
        self.plan.actors()
    }

    /// The actions an actor index can name: one per actor, and the grace-period worker's (the
    /// index after the last actor) if the scenario queues RCU callbacks.
    pub fn action_count(&self) -> usize {
        self.actors().len() + usize::from(self.plan.scenario().uses_rcu_callbacks())
    }

    /// Who takes action `action`: an actor's name, or the grace-period worker's.
    pub fn action_name(&self, action: usize) -> &str {
        self.actors()
            .get(action)
            .map_or(WORKER, |(name, _)| name.as_str())
    }

    /// Action `action` in `state` as a person reads it: who acts and the step it takes
    /// (`owner: list_add s registry`; a walk or lookup under way takes its next node).
    pub fn action_label(&self, state: &State, action: usize) -> String {
        let name = self.action_name(action);
        let Some(&(_, spec)) = self.actors().get(action) else {
            return format!("{name}: runs the oldest queued RCU callback");
        };
        let scenario = self.plan.scenario();
        let actor = &state.snapshot.actors[action];
        match scenario.actors[spec].steps.get(actor.pc) {
            Some(step) => {
                let text = step.value.text(&scenario.world);
                if actor.walk.is_some() || actor.lookup.is_some() {
                    format!("{name}: {text} (its next node)")
                } else {
                    format!("{name}: {text}")
                }
            }
            None => format!("{name}: done"),
        }
    }

    /// Where each actor stands in `state`, in words: its next step (or a walk's node), the
    /// locks it holds, its read-side section and its locals (`s = slot#0 (gen 1)`).
    pub fn positions(&self, state: &State) -> Vec<String> {
        let scenario = self.plan.scenario();
        self.actors()
            .iter()
            .zip(&state.snapshot.actors)
            .map(|((name, spec), actor)| {
                let steps = &scenario.actors[*spec].steps;
                let mut words = match steps.get(actor.pc) {
                    None => format!("{name}: done"),
                    Some(step) => format!(
                        "{name}: step {} of {}, `{}`",
                        actor.pc + 1,
                        steps.len(),
                        step.value.text(&scenario.world)
                    ),
                };
                if let Some((node, _, _)) = &actor.walk {
                    words.push_str(&format!(", walking, on {node}"));
                }
                if let Some((_, _, _, node, _)) = &actor.lookup {
                    words.push_str(&format!(", looking up, on {node}"));
                }
                if !actor.held.is_empty() {
                    let locks: Vec<&str> = actor
                        .held
                        .iter()
                        .map(|&l| scenario.world.locks[l].name.as_str())
                        .collect();
                    words.push_str(&format!("; holds {}", locks.join(", ")));
                }
                if actor.rcu_depth > 0 {
                    words.push_str("; inside an RCU read-side section");
                }
                for (local, objects) in &actor.locals {
                    let bound: Vec<String> = objects
                        .iter()
                        .map(|(slot, generation)| format!("slot#{slot} (gen {generation})"))
                        .collect();
                    let value = if bound.is_empty() {
                        "empty".to_string()
                    } else {
                        bound.join(", ")
                    };
                    words.push_str(&format!("; {local} = {value}"));
                }
                words
            })
            .collect()
    }

    /// The state `path` leads to.
    pub fn state_of(&self, path: Vec<usize>) -> State {
        State::reached(replay_path(&self.plan, &path, &self.replayer), path)
    }

    /// The state `path` leads to, and that state saved, for [`ScenarioModel::successor`].
    pub fn state_saving(&self, path: Vec<usize>) -> (State, Checkpoint) {
        let (outcome, saved) = self.replayer.replay_saving(&self.plan, &path);
        (State::reached(outcome, path), saved)
    }

    /// The state `action` leads to from `state`, saved as `saved`: restored, then one action
    /// (the same state as `state_of` of the longer path, which the tests check).
    pub fn successor(&self, state: &State, saved: &Checkpoint, action: usize) -> State {
        let outcome = self.replayer.step(&self.plan, saved, action);
        State::reached(outcome, state.path_then(action))
    }

    /// As [`ScenarioModel::successor`], for a search that goes on only from states it has not
    /// seen: `is_new` is asked of the key of the state reached ([`ScenarioModel::key`] with
    /// `symmetry`); a new state comes with its save, of a state seen before only whether it has
    /// a finding is told.
    pub(crate) fn successor_if_new(
        &self,
        state: &State,
        saved: &Checkpoint,
        action: usize,
        symmetry: bool,
        is_new: IsNew<'_>,
    ) -> Successor {
        match self
            .replayer
            .step_if_new(&self.plan, saved, action, symmetry, is_new)
        {
            Ran::Reached(outcome, Some(saved)) => {
                Successor::New(State::reached(outcome, state.path_then(action)), saved)
            }
            Ran::Reached(_, None) => unreachable!("a new state is saved"),
            Ran::Seen { finding } => Successor::Seen { finding },
        }
    }

    /// The events of the run along `path`, for a finding's trace and pictures.
    pub fn events_of(&self, path: &[usize]) -> Vec<Event> {
        let replayer = Replayer::new(&self.plan, Trace::new());
        replay_path(&self.plan, path, &replayer);
        replayer.trace.snapshot()
    }

    /// Whether every actor is done in `state` (a final state).
    pub fn is_final(&self, state: &State) -> bool {
        state.finding.is_none()
            && state.snapshot.callbacks.is_empty()
            && self
                .actors()
                .iter()
                .zip(&state.snapshot.actors)
                .all(|((_, spec), actor)| {
                    actor.walk.is_none()
                        && actor.pc == self.plan.scenario().actors[*spec].steps.len()
                })
    }

    /// The actors that can act in `state`.
    pub fn enabled_actors(&self, state: &State) -> Vec<usize> {
        if state.finding.is_some() {
            return Vec::new();
        }
        let mut enabled_actors: Vec<usize> = (0..self.actors().len())
            .filter(|&i| {
                enabled(
                    self.plan.scenario(),
                    self.actors()[i].1,
                    &state.snapshot.actors[i],
                    &state.snapshot,
                )
            })
            .collect();
        if worker_enabled(&state.snapshot) {
            enabled_actors.push(self.actors().len());
        }
        enabled_actors
    }

    /// The key a search indexes `state` by: a fingerprint of its snapshot and finding; with
    /// `symmetry`, the same for every state that differs from it only in which copy of a
    /// replicated actor is where.
    pub(crate) fn key(&self, state: &State, symmetry: bool) -> u128 {
        self.replayer.key(&state.snapshot, &state.finding, symmetry)
    }
}

impl stateright::Model for ScenarioModel {
    type State = State;
    type Action = usize;

    fn init_states(&self) -> Vec<State> {
        vec![self.state_of(Vec::new())]
    }

    fn actions(&self, state: &State, actions: &mut Vec<usize>) {
        actions.extend(self.enabled_actors(state));
    }

    fn next_state(&self, state: &State, action: usize) -> Option<State> {
        let mut path = state.path.clone();
        path.push(action);
        Some(self.state_of(path))
    }

    fn format_action(&self, action: &usize) -> String {
        self.action_name(*action).to_string()
    }

    fn properties(&self) -> Vec<stateright::Property<Self>> {
        let mut properties = vec![stateright::Property::always(
            "no finding",
            |_: &ScenarioModel, state: &State| state.finding.is_none(),
        )];
        // stateright's properties are `fn` pointers, so each `[[sometimes]]` is told apart by
        // its bit, one pointer per bit (the Explorer shows each and its example path).
        for (bit, sometimes) in self.plan.scenario().sometimes.iter().enumerate() {
            properties.push(stateright::Property::sometimes(
                leak_name(&sometimes.name),
                SOMETIMES_BITS[bit],
            ));
        }
        properties
    }
}

/// A property name for stateright, which wants `&'static str`: each distinct name is leaked
/// once per process (the Explorer builds its model once).
fn leak_name(name: &str) -> &'static str {
    static NAMES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut names = NAMES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(known) = names.iter().find(|known| **known == name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.push(leaked);
    leaked
}

/// `covered` has bit `B` set, as a `fn` pointer for stateright's `Property::sometimes`.
fn covered_bit<const B: u32>(_: &ScenarioModel, state: &State) -> bool {
    state.covered & (1 << B) != 0
}

/// One condition per bit of `covered` (a scenario has at most 64 `[[sometimes]]`).
const SOMETIMES_BITS: [fn(&ScenarioModel, &State) -> bool; crate::language::MAX_SOMETIMES] = {
    macro_rules! bits {
        ($($b:literal)*) => { [$(covered_bit::<$b>),*] };
    }
    bits!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
          32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60
          61 62 63)
};
