//! The `states` engine: an explicit-state checker over scenario steps. Each distinct state (a
//! canonical snapshot, see [`model`]) is explored once, so a lock-protected protocol whose steps
//! are atomic under the lock is a small graph: proofs need no preemption bound. Safety is a
//! state with a finding; liveness is what stateright's `eventually` misses on cycles: a
//! reachable state from which no final state can be reached ([`graph`]), reported as a lasso.

mod depth_first;
mod graph;
mod index;
mod model;
#[cfg(test)]
mod tests;

pub(crate) use depth_first::{explore, Workers};
pub(crate) use model::{ScenarioModel, State};

use super::Checker;
use crate::language::Step;
use crate::outcome::{Cause, Engine, Event, Explored, Failure, Replay, What};
use crate::plan::Plan;
use graph::{Lasso, StateGraph};
use index::Index;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The state graph, as a [`Checker`].
pub(crate) struct StatesChecker;

impl Checker for StatesChecker {
    /// The states engine cannot cut a Rust actor into steps.
    fn refusal(&self, plan: &Plan) -> Option<String> {
        let scenario = plan.scenario();
        let actor = scenario.actors.iter().find(|a| a.rust.is_some())?;
        Some(format!(
            "{}: actor `{}` is a Rust closure, which the states engine cannot cut into steps",
            scenario.source.path, actor.name
        ))
    }

    fn explore(&self, plan: &Arc<Plan>, progress: &Arc<AtomicUsize>) -> Explored {
        run(plan, progress)
    }

    /// A state-graph finding is its path, found again in milliseconds: nothing is saved.
    fn replay(&self, _plan: &Arc<Plan>, _replay: &Replay) -> Option<Explored> {
        None
    }
}

/// What exploring a scenario's state graph found.
///
/// Only the graph and each state's `[[sometimes]]` mask are kept: a state's snapshot is
/// dropped once its successors are known, and found again by replaying its path
/// ([`Exploration::path_to`]) where a finding or a lasso needs it.
#[derive(Debug, Default)]
pub(crate) struct Exploration {
    /// The graph (state 0 is the initial state).
    pub graph: StateGraph<usize>,
    /// Each state's `[[sometimes]]` mask.
    pub covered: Vec<u64>,
    /// The first state with a finding, in BFS order.
    pub finding: Option<usize>,
    /// The budget the exploration stopped at, if it did (no proof then).
    pub truncated: Option<Budget>,
    /// The first state, in BFS order, from which no final state is reachable: where a run
    /// that never ends is caught (`None` if every state can finish, or the exploration stopped
    /// at a finding or the budget).
    pub stuck: Option<usize>,
}

/// A budget that stops a state graph before it is explored (the verdict is `incomplete`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Budget {
    /// `--max-states`: this many distinct states.
    States(usize),
    /// `--max-memory`: the process's resident memory passed this many MiB.
    Memory(usize),
}

impl Exploration {
    /// The actions that first reached state `id` (its BFS parents): replayed, they give the
    /// concrete state the graph's state stands for.
    pub fn path_to(&self, id: usize) -> Vec<usize> {
        let mut path = Vec::new();
        let mut at = id;
        while let Some((parent, action)) = self.graph.parent[at] {
            path.push(action);
            at = parent;
        }
        path.reverse();
        path
    }

    /// The number of distinct states explored.
    pub fn len(&self) -> usize {
        self.graph.len()
    }

    /// Adds `state`, first reached from `parent` (`None` for the initial state), and returns its
    /// id.
    fn add(
        &mut self,
        model: &ScenarioModel,
        state: &State,
        parent: Option<(usize, usize)>,
    ) -> usize {
        self.covered.push(state.covered);
        self.graph.add_state(model.is_final(state), parent)
    }

    /// Whether the budget `(max_states, max_memory_mib)` lets one more state in; if not, the
    /// exploration records the budget it hit.
    fn has_room(&mut self, budget: (usize, usize)) -> bool {
        self.truncated = budget_reached(self.len(), budget);
        self.truncated.is_none()
    }
}

/// The budget `(max_states, max_memory_mib)` that stops an exploration about to add a state to
/// the `states` it has, if one does (the resident memory is read every [`MEMORY_CHECK_EVERY`]
/// states): the one rule of both searches.
fn budget_reached(states: usize, (max_states, max_memory_mib): (usize, usize)) -> Option<Budget> {
    if states >= max_states {
        return Some(Budget::States(max_states));
    }
    (states % MEMORY_CHECK_EVERY == 1
        && crate::plan::Bounds::resident_mib().is_some_and(|mib| mib > max_memory_mib))
    .then_some(Budget::Memory(max_memory_mib))
}

/// How often (in new states) the exploration reads its resident memory (first at the first new
/// state).
const MEMORY_CHECK_EVERY: usize = 4096;

/// Explores the state graph of `model` breadth first, up to `budget`: `max_states` distinct
/// states and `max_memory_mib` of resident memory; with `symmetry`, states that differ only in
/// which copy of a replicated actor is where are one state. The frontier holds state ids, not
/// states: a state is replayed from its path when it is expanded (and its successors restored
/// from it), so memory grows with the graph (a few dozen bytes a state), not with the
/// frontier's snapshots. The search [`explore`] hands over to when a state has a finding (its
/// first finding in BFS order has a shortest path), and the tests' reference for it.
pub(crate) fn explore_breadth_first(
    model: &ScenarioModel,
    symmetry: bool,
    budget: (usize, usize),
    progress: &AtomicUsize,
) -> Exploration {
    let key = |state: &State| model.key(state, symmetry);
    let mut exploration = Exploration::default();
    let mut index = Index::default();
    let (init, init_saved) = model.state_saving(Vec::new());
    index.insert(key(&init), exploration.add(model, &init, None));
    // States are added in BFS order, so the states found and not yet expanded are the ids from
    // `next` on: the frontier is a counter.
    let mut next = 0;
    let mut pending = Some((init, init_saved));
    while next < exploration.len() {
        // The state is found again by replaying its path once; each successor is then restored
        // from it and takes one action.
        let (state, saved) = pending
            .take()
            .unwrap_or_else(|| model.state_saving(exploration.path_to(next)));
        if state.finding.is_some() {
            exploration.finding = Some(next);
            break;
        }
        for actor in model.enabled_actors(&state) {
            let successor = model.successor(&state, &saved, actor);
            let fingerprint = key(&successor);
            let id = match index.get(fingerprint) {
                Some(id) => id,
                None => {
                    if !exploration.has_room(budget) {
                        return exploration;
                    }
                    let id = exploration.add(model, &successor, Some((next, actor)));
                    index.insert(fingerprint, id);
                    progress.store(exploration.len(), Ordering::Relaxed);
                    id
                }
            };
            exploration.graph.edges[next].push((actor, id));
        }
        next += 1;
    }
    if exploration.finding.is_none() {
        exploration.stuck = exploration.graph.first_stuck();
    }
    exploration
}

/// A lasso replayed on concrete states (symmetry may have merged the graph's states), from the
/// stuck state's own path. First every actor that can still change the state does so, least
/// recently acted first (so waiters get as far as they can: to the lock they starve on); then,
/// taking turns the same way, the run goes round until a state repeats (the cycle) or nobody
/// can act (a dead end).
fn concrete_lasso(model: &ScenarioModel, stuck: &State) -> Lasso<usize> {
    let mut state = stuck.clone();
    let mut walk: Vec<(usize, usize)> = Vec::new();
    let mut last_acted = vec![0usize; model.action_count()];
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

/// Runs `plan` on the states engine.
fn run(plan: &Arc<Plan>, progress: &Arc<AtomicUsize>) -> Explored {
    let start = Instant::now();
    let bounds = plan.bounds();
    let model = ScenarioModel::new(plan.clone());
    // A queued callback names the readers it waits for by position: copies of a replicated
    // actor are then not interchangeable.
    let symmetry = bounds.symmetry && !plan.scenario().uses_rcu_callbacks();
    let exploration = explore(
        &model,
        symmetry,
        (bounds.max_states, bounds.max_memory_mib),
        progress,
        Workers::joining_late(bounds.state_workers),
    );
    let count = exploration.len();
    if let Some(budget) = exploration.truncated {
        let (what, raise) = match budget {
            Budget::States(max) => (format!("{max} states"), "--max-states"),
            Budget::Memory(mib) => (format!("{mib} MiB of memory"), "--max-memory"),
        };
        return Explored::Incomplete {
            executions: count,
            elapsed: start.elapsed(),
            reason: format!(
                "the state graph reached its budget of {what} after {count} states in {:.1} s, \
                 before every state was explored: no proof and no finding (raise {raise}, or \
                 use fewer actors or copies)",
                start.elapsed().as_secs_f64()
            ),
        };
    }
    if let Some(id) = exploration.finding {
        let state = model.state_of(exploration.path_to(id));
        let (actor, stop) = state.finding.clone().expect("a finding state");
        return Explored::Failed(Failure {
            engine: Engine::States,
            executions: count,
            elapsed: start.elapsed(),
            replay: None,
            message: format!("{}: {}", stop.kind, stop.message),
            cause: Cause::Stopped { actor, stop },
            trace: model.events_of(&state.path),
        });
    }
    if let Some(stuck) = exploration.stuck {
        let lasso = concrete_lasso(&model, &model.state_of(exploration.path_to(stuck)));
        return Explored::Failed(non_termination(&model, &lasso, count, start));
    }
    let coverage = super::tally::reaches(plan.scenario(), |bit| {
        exploration
            .covered
            .iter()
            .filter(|&&covered| covered & (1 << bit) != 0)
            .count()
    });
    Explored::Passed {
        executions: count,
        elapsed: start.elapsed(),
        bounds: format!(
            "{count} states, {} transitions, no bound{}",
            exploration.graph.edge_count(),
            if symmetry { ", symmetry" } else { "" }
        ),
        coverage,
    }
}

/// The actions (actor indices) to the state that shows what the exploration found: the first
/// finding's state, or where a run that never ends starts going round; `None` for a proof or
/// an exploration the budget stopped (its states not yet expanded have no edges and would look
/// stuck).
pub(crate) fn witness(model: &ScenarioModel, exploration: &Exploration) -> Option<Vec<usize>> {
    if let Some(id) = exploration.finding {
        return Some(exploration.path_to(id));
    }
    let stuck = exploration.stuck?;
    let lasso = concrete_lasso(model, &model.state_of(exploration.path_to(stuck)));
    Some(lasso.stem.iter().map(|&(actor, _)| actor).collect())
}

/// The failure for a run that never ends: who loops (or nobody can move), holding which lock,
/// and who waits for it, with the lasso's trace (and, for a looping walk, the same `CycleProven`
/// record the other engines' bounded walks make, so the root cause is looked for on the list
/// that loops).
fn non_termination(
    model: &ScenarioModel,
    lasso: &Lasso<usize>,
    states: usize,
    start: Instant,
) -> Failure {
    let stem: Vec<usize> = lasso.stem.iter().map(|&(a, _)| a).collect();
    let mut whole = stem.clone();
    whole.extend(lasso.cycle.iter().map(|&(a, _)| a));
    let at_loop = model.state_of(stem.clone());
    let mut events = model.events_of(&whole);
    let snapshot = &at_loop.snapshot;
    let (scenario, actors) = (model.plan.scenario(), model.actors());
    // The looping actor: one that is walking (or restarting a lookup) in the cycle.
    let looping = lasso.cycle.iter().map(|&(a, _)| a).find(|&a| {
        snapshot.actors.get(a).is_some_and(|actor| {
            // Walking, or a lookup that restarts in the cycle (the state at the cycle's
            // start is the one at its end, after the restart).
            actor.walk.is_some() || actor.lookup.is_some() || !actor.restarted_by.is_empty()
        })
    });
    let lock = looping.and_then(|a| snapshot.actors[a].held.first().copied());
    let blocked_on = |lock: usize| -> Vec<String> {
        let mut names: Vec<String> = (0..actors.len())
            .filter(|&a| {
                let spec = &scenario.actors[actors[a].1];
                snapshot.actors[a].walk.is_none()
                    && matches!(spec.steps.get(snapshot.actors[a].pc).map(|s| s.value.unguarded().0),
                        Some(Step::Lock { lock: l }) if *l == lock)
            })
            .map(|a| actors[a].0.clone())
            .collect();
        names.sort();
        names
    };
    let lock_name = lock.map(|l| scenario.world.locks[l].name.clone());
    let starved = lock.map(blocked_on).unwrap_or_default();
    let holder = looping.map(|a| actors[a].0.clone());
    let walking = looping.and_then(|a| {
        let spec = &scenario.actors[actors[a].1];
        let step = spec.steps.get(snapshot.actors[a].pc)?.value.unguarded().0;
        match step {
            Step::Walk { list, .. } | Step::Reap { list, .. } => Some((*list, false)),
            Step::WalkFrom { list, .. } => Some((*list, true)),
            _ => None,
        }
    });
    let walked_head = match walking {
        Some((list, _)) if list != 0 => format!("{}-head", scenario.world.lists[list].name),
        _ => "head".to_string(),
    };
    // A walk resumed from a cursor is drawn from the node it stands on, not from the head.
    let walk_start = match (walking, looping) {
        (Some((_, true)), Some(a)) => snapshot.actors[a]
            .walk
            .as_ref()
            .map_or_else(|| walked_head.clone(), |(current, _, _)| current.clone()),
        _ => walked_head.clone(),
    };
    let cycle = events
        .iter()
        .rev()
        .find_map(|e| match &e.what {
            What::Picture(picture) => Some(picture.walk_from(&walk_start)),
            _ => None,
        })
        .unwrap_or_default();
    let cycle_actors: Vec<String> = lasso
        .cycle
        .iter()
        .map(|&(a, _)| model.action_name(a).to_string())
        .collect();
    // Where each actor not done stands, and why it cannot go on.
    let waiting: Vec<String> = (0..actors.len())
        .filter_map(|a| {
            let spec = &scenario.actors[actors[a].1];
            let step = &spec.steps.get(snapshot.actors[a].pc)?.value;
            let why = match step {
                Step::Lock { lock } => snapshot.holder(*lock).map(|holder| {
                    format!(
                        ": the {} lock is held by `{}`",
                        scenario.world.locks[*lock].name, actors[holder].0
                    )
                }),
                Step::SynchronizeRcu => {
                    let readers: Vec<String> = (0..actors.len())
                        .filter(|&r| snapshot.actors[r].rcu_depth > 0)
                        .map(|r| format!("`{}`", actors[r].0))
                        .collect();
                    Some(format!(
                        ": a grace period, which waits for the read-side sections of {}{}",
                        readers.join(", "),
                        if snapshot.actors[a].rcu_depth > 0 {
                            " (its own among them: it is inside its section)"
                        } else {
                            ""
                        }
                    ))
                }
                Step::RcuBarrier => Some(": callbacks are still queued".to_string()),
                Step::Wait { event } => Some(format!(
                    ": event `{}` is not set",
                    scenario.world.events[*event]
                )),
                _ => None,
            };
            Some(format!(
                "`{}` cannot take its next step `{}`{}.",
                actors[a].0,
                step.text(&scenario.world),
                why.unwrap_or_default()
            ))
        })
        .collect();
    if lasso.cycle.is_empty() {
        // A dead end: each actor not done asks for what it waits for, as a run on threads would
        // record it, so the trace shows the waits (and the diagnosis the cycle they close).
        for ((name, spec), actor) in actors.iter().zip(&snapshot.actors) {
            let spec = &scenario.actors[*spec];
            let what = match spec.steps.get(actor.pc).map(|s| &s.value) {
                Some(Step::Lock { lock }) => What::LockRequest {
                    lock: scenario.world.locks[*lock].name.clone(),
                },
                Some(Step::Wait { event }) => What::Waiting {
                    event: scenario.world.events[*event].clone(),
                },
                _ => continue,
            };
            events.push(Event {
                step: events.len() + 1,
                thread: name.clone(),
                what,
            });
        }
    }
    if let (Some(lock), Some(_)) = (&lock_name, looping) {
        events.push(Event {
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
    Failure {
        engine: Engine::States,
        executions: states,
        elapsed: start.elapsed(),
        replay: None,
        message: format!(
            "non-termination: stem of {} actions, cycle of {} ({})",
            lasso.stem.len(),
            lasso.cycle.len(),
            cycle_actors
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        cause: Cause::NoFinalState {
            stem: lasso.stem.len(),
            cycle_actors,
            looping: holder,
            lock: lock_name,
            starved,
            cycle,
            waiting,
        },
        trace: events,
    }
}
