//! The `states` engine: an explicit-state checker over scenario steps. Each distinct state (a
//! canonical snapshot, see [`model`]) is explored once, so a lock-protected protocol whose steps
//! are atomic under the lock is a small graph: proofs need no preemption bound. Safety is a
//! state with a finding; liveness is what stateright's `eventually` misses on cycles: a
//! reachable state from which no final state can be reached ([`graph`]), reported as a lasso.

pub mod graph;
pub mod model;

use crate::diagnosis::diagnose;
use crate::diagnosis::finding::{Finding, Verdict};
use crate::engine::{Bounds, Engine};
use crate::interpreter::trace::What;
use crate::interpreter::RunConfig;
use crate::language::{Scenario, Step};
use crate::FindingKind;
use graph::{Lasso, StateGraph};
use model::{ScenarioModel, State};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// What exploring a scenario's state graph found.
#[derive(Debug)]
pub struct Exploration {
    /// The graph (state 0 is the initial state).
    pub graph: StateGraph<usize>,
    /// One concrete state per graph state (the first reached).
    pub states: Vec<State>,
    /// The first state with a finding, in BFS order.
    pub finding: Option<usize>,
    /// Whether the exploration stopped at the state limit.
    pub truncated: bool,
}

/// Explores the state graph of `model` breadth first, up to `max_states`; with `symmetry`,
/// states that differ only in which copy of a replicated actor is where are one state.
pub fn explore(
    model: &ScenarioModel,
    symmetry: bool,
    max_states: usize,
    progress: &AtomicUsize,
) -> Exploration {
    let key = |state: &State| {
        if symmetry {
            model.representative(state)
        } else {
            state.clone()
        }
    };
    let mut graph = StateGraph::default();
    let mut states = Vec::new();
    let mut index: HashMap<State, usize> = HashMap::new();
    let init = model.state_of(Vec::new());
    graph.add_state(model.is_final(&init), None);
    index.insert(key(&init), 0);
    states.push(init);
    let mut finding = None;
    let mut next = 0;
    while next < states.len() {
        let state = states[next].clone();
        if state.finding.is_some() {
            finding = Some(next);
            break;
        }
        for actor in model.enabled_actors(&state) {
            let mut path = state.path.clone();
            path.push(actor);
            let successor = model.state_of(path);
            let id = match index.get(&key(&successor)) {
                Some(&id) => id,
                None => {
                    if states.len() == max_states {
                        return Exploration {
                            graph,
                            states,
                            finding,
                            truncated: true,
                        };
                    }
                    let id = graph.add_state(model.is_final(&successor), Some((next, actor)));
                    index.insert(key(&successor), id);
                    states.push(successor);
                    progress.store(states.len(), Ordering::Relaxed);
                    id
                }
            };
            graph.edges[next].push((actor, id));
        }
        next += 1;
    }
    Exploration {
        graph,
        states,
        finding,
        truncated: false,
    }
}

/// A lasso replayed on concrete states (symmetry may have merged the graph's states), from the
/// stuck state's own path. First every actor that can still change the state does so, least
/// recently acted first (so waiters get as far as they can: to the lock they starve on); then,
/// taking turns the same way, the run goes round until a state repeats (the cycle) or nobody
/// can act (a dead end).
fn concrete_lasso(model: &ScenarioModel, stuck: &State) -> Lasso<usize> {
    let mut state = stuck.clone();
    let mut walk: Vec<(usize, usize)> = Vec::new();
    let mut last_acted = vec![0usize; model.actors.len()];
    let mut clock = 0;
    let successor = |state: &State, actor: usize| {
        let mut path = state.path.clone();
        path.push(actor);
        model.state_of(path)
    };
    // Settle: only moves that change the state, never revisiting one.
    let mut settled: std::collections::HashSet<State> = std::collections::HashSet::new();
    settled.insert(state.clone());
    loop {
        let mut enabled = model.enabled_actors(&state);
        enabled.sort_by_key(|&a| last_acted[a]);
        let next = enabled.into_iter().find_map(|actor| {
            let next = successor(&state, actor);
            (next != state && !settled.contains(&next)).then_some((actor, next))
        });
        let Some((actor, next)) = next else { break };
        clock += 1;
        last_acted[actor] = clock;
        walk.push((actor, 0));
        settled.insert(next.clone());
        state = next;
    }
    // Go round, taking turns, until a state repeats.
    let stem_len = walk.len();
    let mut seen: HashMap<State, usize> = HashMap::new();
    seen.insert(state.clone(), walk.len());
    loop {
        let mut enabled = model.enabled_actors(&state);
        enabled.sort_by_key(|&a| last_acted[a]);
        let Some(&actor) = enabled.first() else {
            return Lasso {
                stem: stuck.path.iter().map(|&a| (a, 0)).chain(walk).collect(),
                cycle: Vec::new(),
            };
        };
        clock += 1;
        last_acted[actor] = clock;
        state = successor(&state, actor);
        walk.push((actor, 0));
        if let Some(&start) = seen.get(&state) {
            let cycle = walk.split_off(start.max(stem_len));
            return Lasso {
                stem: stuck.path.iter().map(|&a| (a, 0)).chain(walk).collect(),
                cycle,
            };
        }
        seen.insert(state.clone(), walk.len());
    }
}

/// Runs `scenario` on the states engine.
pub fn run(
    scenario: &Arc<Scenario>,
    config: &RunConfig,
    bounds: &Bounds,
    progress: &Arc<AtomicUsize>,
) -> Verdict {
    let start = Instant::now();
    let model = ScenarioModel::new(scenario.clone(), config.clone());
    let exploration = explore(&model, bounds.symmetry, bounds.max_states, progress);
    let count = exploration.states.len();
    if exploration.truncated {
        return Verdict::NotRun {
            reason: format!(
                "{}: more than {} states at step level (raise --max-states): no proof",
                scenario.name, bounds.max_states
            ),
        };
    }
    if let Some(id) = exploration.finding {
        let state = &exploration.states[id];
        let (actor, stop) = state.finding.clone().expect("a finding state");
        let events = model.events_of(&state.path);
        return Verdict::Found(Box::new(diagnose(
            Engine::States,
            count,
            start.elapsed(),
            None,
            format!("{}: {}", stop.kind, stop.message),
            events,
            Some((actor, stop)),
        )));
    }
    if let Some(stuck) = first_stuck(&exploration) {
        let lasso = concrete_lasso(&model, &exploration.states[stuck]);
        return Verdict::Found(Box::new(non_termination(&model, &lasso, count, start)));
    }
    let coverage = super::tally::reaches(scenario, |bit| {
        exploration
            .states
            .iter()
            .filter(|state| state.covered & (1 << bit) != 0)
            .count()
    });
    Verdict::passed(
        Engine::States.proves(),
        count,
        start.elapsed(),
        format!(
            "{count} states, {} transitions, no bound{}",
            exploration.graph.edge_count(),
            if bounds.symmetry { ", symmetry" } else { "" }
        ),
        coverage,
    )
}

/// The actions (actor indices) to the state that shows what the exploration found: the first
/// finding's state, or where a run that never ends starts going round; `None` for a proof.
pub fn witness(model: &ScenarioModel, exploration: &Exploration) -> Option<Vec<usize>> {
    if let Some(id) = exploration.finding {
        return Some(exploration.states[id].path.clone());
    }
    let stuck = first_stuck(exploration)?;
    let lasso = concrete_lasso(model, &exploration.states[stuck]);
    Some(lasso.stem.iter().map(|&(actor, _)| actor).collect())
}

/// The first state, in BFS order, from which no final state is reachable.
fn first_stuck(exploration: &Exploration) -> Option<usize> {
    let can = exploration.graph.can_finish();
    (0..can.len()).find(|&s| !can[s])
}

/// The finding for a run that never ends: who loops (or nobody can move), holding which lock,
/// and who waits for it, with the lasso's trace.
fn non_termination(
    model: &ScenarioModel,
    lasso: &Lasso<usize>,
    states: usize,
    start: Instant,
) -> Finding {
    let stem: Vec<usize> = lasso.stem.iter().map(|&(a, _)| a).collect();
    let mut whole = stem.clone();
    whole.extend(lasso.cycle.iter().map(|&(a, _)| a));
    let at_loop = model.state_of(stem.clone());
    let mut events = model.events_of(&whole);
    let snapshot = &at_loop.snapshot;
    // The looping actor: one that is walking in the cycle.
    let looping = lasso
        .cycle
        .iter()
        .map(|&(a, _)| a)
        .find(|&a| snapshot.actors[a].walk.is_some());
    let lock = looping.and_then(|a| snapshot.actors[a].held.first().copied());
    let blocked_on = |lock: usize| -> Vec<String> {
        let mut names: Vec<String> = (0..model.actors.len())
            .filter(|&a| {
                let spec = &model.scenario.actors[model.actors[a].1];
                snapshot.actors[a].walk.is_none()
                    && matches!(spec.steps.get(snapshot.actors[a].pc).map(|s| &s.value),
                        Some(Step::Lock { lock: l }) if *l == lock)
            })
            .map(|a| model.actors[a].0.clone())
            .collect();
        names.sort();
        names
    };
    let lock_name = lock.map(|l| model.scenario.world.locks[l].name.clone());
    let starved = lock.map(blocked_on).unwrap_or_default();
    let holder = looping.map(|a| model.actors[a].0.clone());
    let walked_head = looping
        .and_then(|a| {
            let spec = &model.scenario.actors[model.actors[a].1];
            match spec.steps.get(snapshot.actors[a].pc).map(|s| &s.value) {
                Some(Step::Walk { list, .. } | Step::Reap { list, .. }) => Some(*list),
                _ => None,
            }
        })
        .map(|list| {
            if list == 0 {
                "head".to_string()
            } else {
                format!("{}-head", model.scenario.world.lists[list].name)
            }
        })
        .unwrap_or_else(|| "head".to_string());
    let cycle = events
        .iter()
        .rev()
        .find_map(|e| match &e.what {
            What::Picture(picture) => Some(picture.walk_from(&walked_head)),
            _ => None,
        })
        .unwrap_or_default();
    let names = |actions: &[(usize, usize)]| {
        actions
            .iter()
            .map(|&(a, _)| format!("`{}`", model.actors[a].0))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let (Some(lock), Some(_)) = (&lock_name, looping) {
        // The same record the other engines' bounded walks make when they prove a cycle, so the
        // root cause is looked for on the list that loops.
        events.push(crate::interpreter::trace::Event {
            step: events.len() + 1,
            thread: holder.clone().unwrap_or_default(),
            what: What::CycleProven {
                head: walked_head.clone(),
                lock: lock.clone(),
                cycle: cycle.iter().skip(1).cloned().collect(),
                message: "a cycle in the state graph".to_string(),
            },
        });
    }
    let root_cause = crate::diagnosis::root_cause(&events);
    let (kind, mut diagnosis) = match (&holder, &lock_name) {
        (Some(holder), Some(lock)) => (
            FindingKind::LoopingReader,
            format!(
                "looping reader: `{holder}` holds the {lock} lock and walks {} forever.\n\
                 Why it cannot end: after {} actions the run reaches a state from which no \
                 final state can be reached; there the next step of {} brings it back to the \
                 same state, again and again (a cycle in the state graph).\n\
                 Starved on the {lock} lock (blocked on it in that state): {}.\n",
                cycle.join(" -> "),
                lasso.stem.len(),
                names(&lasso.cycle),
                if starved.is_empty() {
                    "none".to_string()
                } else {
                    starved.join(", ")
                }
            ),
        ),
        _ if lasso.cycle.is_empty() => (
            FindingKind::Deadlock,
            format!(
                "deadlock: after {} actions no actor can act, and not every actor is done.\n",
                lasso.stem.len()
            ),
        ),
        _ => (
            FindingKind::StarvedWaiters,
            format!(
                "non-termination: after {} actions the run is caught in a cycle ({}) from \
                 which no final state is reachable.\n",
                lasso.stem.len(),
                names(&lasso.cycle)
            ),
        ),
    };
    if let Some(cause) = &root_cause {
        diagnosis.push_str(&crate::diagnosis::root_cause_sentence(cause));
    }
    Finding {
        kind,
        engine: Engine::States.name().to_string(),
        executions: states,
        elapsed: start.elapsed(),
        replay: None,
        holder,
        lock: lock_name,
        cycle,
        starved,
        root_cause,
        message: format!(
            "non-termination: stem of {} actions, cycle of {} ({})",
            lasso.stem.len(),
            lasso.cycle.len(),
            names(&lasso.cycle)
        ),
        trace: events,
        diagnosis,
    }
}
