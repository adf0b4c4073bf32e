//! The state graph explored depth first from saved states, then numbered breadth first: each
//! state is saved once when it is found ([`crate::interpreter::Checkpoint`]) and every successor
//! is restored from its parent's save, so no path is ever replayed (the stack holds one save per
//! level: as many as the longest simple path it follows, a few hundred at most in the catalogue,
//! and the memory budget stops a deeper one as it stops a larger graph). The graph of every reachable state does not depend on the order it is explored in,
//! so numbering it breadth first afterwards (the order stateright's BFS and
//! [`super::explore_breadth_first`] give: ids, BFS parents, shortest paths) yields the same
//! exploration. A finding stops it, and so does the budget: the breadth-first search then runs,
//! whose first finding in BFS order, with a shortest path, is the one reported, and whose budget
//! covers the states nearest the start (a depth-first search stopped by the budget may not have
//! reached a shallow finding on another branch, found by an independent review).

use super::graph::StateGraph;
use super::model::{ScenarioModel, State};
use super::{explore_breadth_first, key_of, Exploration};
use crate::interpreter::Checkpoint;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A state on the depth-first stack: its id, its save, and its actions still to take.
struct Frame {
    id: usize,
    state: State,
    saved: Checkpoint,
    actions: Vec<usize>,
    next: usize,
}

/// Explores `model`'s state graph (see the module's docs), with `symmetry` and the budget of
/// [`super::explore_breadth_first`], which it falls back to when a state has a finding or the
/// budget is reached.
pub(crate) fn explore(
    model: &ScenarioModel,
    symmetry: bool,
    budget: (usize, usize),
    progress: &AtomicUsize,
) -> Exploration {
    match depth_first(model, symmetry, budget, progress) {
        Some(exploration) if exploration.truncated.is_none() => numbered_breadth_first(exploration),
        _ => explore_breadth_first(model, symmetry, budget, progress),
    }
}

/// The graph explored depth first, its ids in the order states were found; `None` once a state
/// with a finding turns up.
fn depth_first(
    model: &ScenarioModel,
    symmetry: bool,
    budget: (usize, usize),
    progress: &AtomicUsize,
) -> Option<Exploration> {
    let mut exploration = Exploration::default();
    let mut index: HashMap<u128, usize> = HashMap::new();
    let (init, saved) = model.state_saving(Vec::new());
    if init.finding.is_some() {
        return None;
    }
    let id = exploration.add(model, &init, None);
    index.insert(key_of(model, symmetry, &init.snapshot, &init.finding), id);
    let mut stack = vec![Frame {
        id: 0,
        actions: model.enabled_actors(&init),
        state: init,
        saved,
        next: 0,
    }];
    while let Some(frame) = stack.last_mut() {
        let Some(&action) = frame.actions.get(frame.next) else {
            stack.pop();
            continue;
        };
        frame.next += 1;
        let from = frame.id;
        let mut known = None;
        let mut fingerprint = 0;
        let (successor, saved) = model.successor_saving_if(
            &frame.state,
            &frame.saved,
            action,
            &mut |snapshot, finding| {
                fingerprint = key_of(model, symmetry, snapshot, finding);
                known = index.get(&fingerprint).copied();
                known.is_none()
            },
        );
        if successor.finding.is_some() {
            return None;
        }
        let id = match known {
            Some(id) => id,
            None => {
                if !exploration.has_room(budget) {
                    return Some(exploration);
                }
                let id = exploration.add(model, &successor, Some((from, action)));
                index.insert(fingerprint, id);
                progress.store(exploration.len(), Ordering::Relaxed);
                stack.push(Frame {
                    id,
                    actions: model.enabled_actors(&successor),
                    state: successor,
                    saved: saved.expect("a state not seen yet is saved"),
                    next: 0,
                });
                id
            }
        };
        exploration.graph.edges[from].push((action, id));
    }
    Some(exploration)
}

/// `exploration` with its states numbered in breadth-first order over its own edges (each
/// state's in the order its actions were taken), each with the BFS parent that first reached
/// it: what a breadth-first exploration of the same graph numbers and records.
fn numbered_breadth_first(exploration: Exploration) -> Exploration {
    let Exploration {
        graph,
        covered,
        finding,
        truncated,
    } = exploration;
    let count = graph.len();
    let mut renumbered = vec![usize::MAX; count];
    let mut order = Vec::with_capacity(count);
    let mut parents = Vec::with_capacity(count);
    let mut queue = VecDeque::from([0]);
    renumbered[0] = 0;
    order.push(0);
    parents.push(None);
    while let Some(old) = queue.pop_front() {
        for &(action, target) in &graph.edges[old] {
            if renumbered[target] == usize::MAX {
                renumbered[target] = order.len();
                order.push(target);
                parents.push(Some((renumbered[old], action)));
                queue.push_back(target);
            }
        }
    }
    assert_eq!(
        order.len(),
        count,
        "every state found depth first is reached by an edge recorded with it"
    );
    // The edge lists move to their new places (renumbered in place): the graph is not copied.
    let StateGraph {
        mut edges,
        is_final,
        parent: _,
    } = graph;
    let mut numbered = StateGraph::default();
    for (&old, parent) in order.iter().zip(parents) {
        let id = numbered.add_state(is_final[old], parent);
        let mut moved = std::mem::take(&mut edges[old]);
        for (_, target) in &mut moved {
            *target = renumbered[*target];
        }
        numbered.edges[id] = moved;
    }
    Exploration {
        graph: numbered,
        covered: order.iter().map(|&old| covered[old]).collect(),
        finding,
        truncated,
    }
}
