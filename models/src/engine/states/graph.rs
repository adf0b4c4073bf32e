//! `StateGraph`: an explored state graph and the liveness question stateright's `eventually`
//! cannot answer on cycles (its PR #3): which reachable states can no longer reach a final state.
//! Computed as reverse reachability from the final states; a state outside that set is a
//! non-terminating one, reported as a lasso (the path to it, then the cycle it is caught in, or
//! the dead end where nobody can move).

use std::collections::VecDeque;

/// An explored graph: states by index (0 is the initial state), edges labelled by action.
#[derive(Debug, Default, Clone)]
pub struct StateGraph<A> {
    /// Each state's outgoing edges: (action, target state).
    pub edges: Vec<Vec<(A, usize)>>,
    /// Whether each state is final (every actor done).
    pub is_final: Vec<bool>,
    /// Each state's BFS parent (the edge that first reached it), `None` for the initial state.
    pub parent: Vec<Option<(usize, A)>>,
}

/// A run that never ends: how it gets to a state from which no final state is reachable, and
/// what happens there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lasso<A> {
    /// From the initial state to the first state of the loop (or the dead end): the actions and
    /// the states they reach.
    pub stem: Vec<(A, usize)>,
    /// The cycle the run is caught in, from and back to the stem's last state (empty for a dead
    /// end: a state where no action is enabled).
    pub cycle: Vec<(A, usize)>,
}

impl<A: Clone + PartialEq> StateGraph<A> {
    /// Adds a state, returning its index.
    pub fn add_state(&mut self, is_final: bool, parent: Option<(usize, A)>) -> usize {
        self.edges.push(Vec::new());
        self.is_final.push(is_final);
        self.parent.push(parent);
        self.edges.len() - 1
    }

    /// The number of states.
    pub fn len(&self) -> usize {
        self.edges.len()
    }

    /// The number of edges.
    pub fn edge_count(&self) -> usize {
        self.edges.iter().map(Vec::len).sum()
    }

    /// For each state, whether some final state is reachable from it: a breadth-first search
    /// from the final states over the reversed edges, kept as one array of predecessors
    /// grouped by state (a vector per state cost an allocation for each of millions).
    pub fn can_finish(&self) -> Vec<bool> {
        // `first[s]..first[s + 1]` are the places of state `s`'s predecessors.
        let mut first = vec![0usize; self.len() + 1];
        for edges in &self.edges {
            for (_, to) in edges {
                first[*to + 1] += 1;
            }
        }
        for state in 0..self.len() {
            first[state + 1] += first[state];
        }
        let mut predecessors = vec![0usize; first[self.len()]];
        let mut filled = first.clone();
        for (from, edges) in self.edges.iter().enumerate() {
            for (_, to) in edges {
                predecessors[filled[*to]] = from;
                filled[*to] += 1;
            }
        }
        let mut can = self.is_final.clone();
        let mut queue: VecDeque<usize> = (0..self.len()).filter(|&s| can[s]).collect();
        while let Some(state) = queue.pop_front() {
            for &from in &predecessors[first[state]..first[state + 1]] {
                if !can[from] {
                    can[from] = true;
                    queue.push_back(from);
                }
            }
        }
        can
    }

    /// The first state, in BFS order, from which no final state is reachable.
    pub fn first_stuck(&self) -> Option<usize> {
        let can = self.can_finish();
        (0..can.len()).find(|&s| !can[s])
    }

    /// The path of actions from the initial state to `state`, along BFS parents (a shortest one).
    #[cfg(test)]
    pub fn path_to(&self, mut state: usize) -> Vec<(A, usize)> {
        let mut path = Vec::new();
        while let Some((from, action)) = &self.parent[state] {
            path.push((action.clone(), state));
            state = *from;
        }
        path.reverse();
        path
    }

    /// The first non-terminating state in BFS order (so its stem is a shortest one) and its
    /// lasso over the graph's own (possibly symmetry-merged) states, or `None` if every reachable
    /// state can still finish. The engine replays its lasso on concrete states instead; the
    /// tests hold the two to the same verdict.
    #[cfg(test)]
    pub fn non_termination(&self) -> Option<Lasso<A>> {
        let stuck = self.first_stuck()?;
        // Every successor of a stuck state is stuck too; walk them until a state repeats (the
        // cycle) or none is enabled (a dead end).
        let mut walk: Vec<(A, usize)> = Vec::new();
        let mut seen = vec![None; self.len()];
        let mut state = stuck;
        seen[state] = Some(0);
        loop {
            let Some((action, next)) = self.edges[state].first().cloned() else {
                return Some(Lasso {
                    stem: self.path_to(stuck).into_iter().chain(walk).collect(),
                    cycle: Vec::new(),
                });
            };
            walk.push((action, next));
            if let Some(start) = seen[next] {
                let cycle = walk.split_off(start);
                return Some(Lasso {
                    stem: self.path_to(stuck).into_iter().chain(walk).collect(),
                    cycle,
                });
            }
            seen[next] = Some(walk.len());
            state = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 0 -a-> 1 -b-> 2 (final); 0 -c-> 3 -d-> 3 (a reader looping forever).
    fn lasso_graph() -> StateGraph<char> {
        let mut graph = StateGraph::default();
        graph.add_state(false, None);
        graph.add_state(false, Some((0, 'a')));
        graph.add_state(true, Some((1, 'b')));
        graph.add_state(false, Some((0, 'c')));
        graph.edges[0] = vec![('a', 1), ('c', 3)];
        graph.edges[1] = vec![('b', 2)];
        graph.edges[3] = vec![('d', 3)];
        graph
    }

    #[test]
    fn a_self_loop_that_cannot_finish_is_a_lasso() {
        let graph = lasso_graph();
        assert_eq!(graph.can_finish(), [true, true, true, false]);
        let lasso = graph.non_termination().expect("state 3 never finishes");
        assert_eq!(lasso.stem, [('c', 3)]);
        assert_eq!(lasso.cycle, [('d', 3)]);
    }

    #[test]
    fn a_dead_end_is_a_lasso_without_a_cycle_and_a_finishing_graph_has_none() {
        let mut graph = lasso_graph();
        graph.edges[3].clear();
        let lasso = graph.non_termination().expect("state 3 is a dead end");
        assert_eq!((lasso.stem, lasso.cycle), (vec![('c', 3)], vec![]));
        graph.is_final[3] = true;
        assert_eq!(graph.non_termination(), None);
    }

    #[test]
    fn a_cycle_that_can_still_leave_is_not_non_termination() {
        // 0 -a-> 1 -b-> 0, 1 -c-> 2 (final): spinning is possible but not forced.
        let mut graph = StateGraph::default();
        graph.add_state(false, None);
        graph.add_state(false, Some((0, 'a')));
        graph.add_state(true, Some((1, 'c')));
        graph.edges[0] = vec![('a', 1)];
        graph.edges[1] = vec![('b', 0), ('c', 2)];
        assert_eq!(graph.non_termination(), None);
    }
}
