//! The state graph explored depth first from saved states, by one worker per core, then
//! numbered breadth first: each state is saved once when it is found
//! ([`crate::interpreter::Checkpoint`]) and every successor is restored from its parent's save,
//! so no path is replayed but when a worker takes over part of another's work (it replays the
//! path to that state once, in a world of its own: a save holds its world's addresses). A
//! worker's stack holds one save per level: as many as the longest simple path it follows, a
//! few hundred at most in the catalogue, and the memory budget stops a deeper one as it stops a
//! larger graph. The graph of every reachable state does not depend on the order it is explored
//! in, nor on which worker found what, so numbering it breadth first afterwards (the order
//! stateright's BFS and [`super::explore_breadth_first`] give: ids, BFS parents, shortest paths)
//! yields the same exploration. A finding stops it, and so does the budget: the breadth-first
//! search then runs, whose first finding in BFS order, with a shortest path, is the one
//! reported, and whose budget covers the states nearest the start (a depth-first search stopped
//! by the budget may not have reached a shallow finding on another branch, found by an
//! independent review).
//!
//! Work is shared as in a work-stealing search (the idle worker is given the upper half of the
//! actions left at the shallowest state of a busy worker's stack, where the largest subtrees
//! wait); the index of states seen is one map per fingerprint shard, each behind its own lock.

use super::graph::StateGraph;
use super::index::{Index, Probe};
use super::model::{ScenarioModel, State, Successor};
use super::{budget_reached, explore_breadth_first, Exploration};
use crate::interpreter::Checkpoint;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// How many workers explore a graph, and from how many states on the others join the first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Workers {
    /// Workers in all (1: the first alone).
    pub count: usize,
    /// The number of states found at which the first worker starts the others.
    pub from_states: usize,
}

impl Workers {
    /// `count` workers, the others joining the first at [`PARALLEL_FROM`] states.
    pub(crate) fn joining_late(count: usize) -> Self {
        Workers {
            count,
            from_states: PARALLEL_FROM,
        }
    }
}

/// Below this many states a graph is explored by one worker: most take milliseconds, less than
/// a second world and a thread cost (the fuzzing explores thousands of small graphs).
const PARALLEL_FROM: usize = 20_000;

/// Shards of the index of states seen (fingerprints are uniform: any of their bits pick a
/// shard).
const SHARDS: usize = 64;

/// A state on a worker's stack: its id, its save, its actions still to take and the edges its
/// actions taken so far led along.
struct Frame {
    id: usize,
    state: State,
    saved: Checkpoint,
    actions: Vec<usize>,
    next: usize,
    edges: Vec<(usize, usize)>,
}

/// Part of a state's actions handed to another worker: it replays `path` to state `id` and
/// takes `actions` from there.
struct Task {
    id: usize,
    path: Vec<usize>,
    actions: Vec<usize>,
}

/// The tasks waiting, and the workers: how many run, how many wait for a task.
///
/// # Invariants
/// `idle <= workers`; once `done`, no task is handed out and every waiting worker returns.
struct Pool {
    tasks: Vec<Task>,
    workers: usize,
    idle: usize,
    done: bool,
}

/// A shard of the index, on cache lines of its own (two workers locking neighbouring shards
/// would otherwise take the same line from each other).
#[repr(align(128))]
#[derive(Default)]
struct Shard(Mutex<Index>);

/// What a fingerprint is to the exploration.
enum Admitted {
    /// A state seen before, with its id.
    Known(usize),
    /// A state not seen before, given this id.
    New(usize),
    /// A state not seen before, and no room for it: the budget is reached.
    Full,
}

/// What the workers share.
struct Shared {
    /// Key to id, sharded by the key's high word.
    index: Vec<Shard>,
    /// Ids handed out so far.
    states: AtomicUsize,
    /// `(max_states, max_memory_mib)`.
    budget: (usize, usize),
    /// Set once a state with a finding turns up or the budget is reached: every worker stops
    /// (and the breadth-first search takes over).
    halted: AtomicBool,
    pool: Mutex<Pool>,
    wake: Condvar,
    /// Whether a worker waits for a task no one has given yet (read at every transition,
    /// written under the pool's lock).
    hungry: AtomicBool,
}

impl Shared {
    fn new(budget: (usize, usize)) -> Self {
        Shared {
            index: (0..SHARDS).map(|_| Shard::default()).collect(),
            states: AtomicUsize::new(0),
            budget,
            halted: AtomicBool::new(false),
            pool: Mutex::new(Pool {
                tasks: Vec::new(),
                workers: 1,
                idle: 0,
                done: false,
            }),
            wake: Condvar::new(),
            hungry: AtomicBool::new(false),
        }
    }

    fn pool(&self) -> MutexGuard<'_, Pool> {
        self.pool.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The shard of the index that holds key `key`: picked by its high word, as the shard's
    /// table probes from its low word.
    fn shard(&self, key: u128) -> MutexGuard<'_, Index> {
        self.index[(key >> 64) as usize % SHARDS]
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The state with fingerprint `key`: known, or new with the next id, or past the budget
    /// (which halts every worker).
    fn admit(&self, key: u128) -> Admitted {
        let mut shard = self.shard(key);
        let vacant = match shard.probe(key) {
            Probe::Found(id) => return Admitted::Known(id),
            Probe::Vacant(vacant) => vacant,
        };
        let id = self.states.fetch_add(1, Ordering::Relaxed);
        if budget_reached(id, self.budget).is_some() {
            self.halt();
            return Admitted::Full;
        }
        shard.insert_at(vacant, key, id);
        Admitted::New(id)
    }

    /// Stops every worker: a finding turned up or the budget was reached.
    fn halt(&self) {
        self.halted.store(true, Ordering::Relaxed);
        let mut pool = self.pool();
        pool.done = true;
        self.hungry.store(false, Ordering::Relaxed);
        self.wake.notify_all();
    }

    /// One more worker will ask for tasks (counted before it starts, so that the others do not
    /// take the work for finished while it has not asked yet).
    fn join(&self) {
        self.pool().workers += 1;
    }

    /// Hands `task` to a waiting worker.
    fn give(&self, task: Task) {
        let mut pool = self.pool();
        if pool.done {
            return;
        }
        pool.tasks.push(task);
        self.hungry
            .store(pool.idle > pool.tasks.len(), Ordering::Relaxed);
        self.wake.notify_one();
    }

    /// A task for a worker whose stack is empty, waiting for one while another worker is busy;
    /// `None` once every worker waits (the graph is explored) or the workers halted.
    fn take(&self) -> Option<Task> {
        let mut pool = self.pool();
        pool.idle += 1;
        loop {
            if pool.done {
                return None;
            }
            if let Some(task) = pool.tasks.pop() {
                pool.idle -= 1;
                self.hungry
                    .store(pool.idle > pool.tasks.len(), Ordering::Relaxed);
                return Some(task);
            }
            if pool.idle == pool.workers {
                pool.done = true;
                self.hungry.store(false, Ordering::Relaxed);
                self.wake.notify_all();
                return None;
            }
            self.hungry.store(true, Ordering::Relaxed);
            pool = self.wake.wait(pool).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// Halts the other workers when the worker holding it panics: they would otherwise wait for
/// it forever, and the scope that runs them for them (the panic then reaches the caller). Each
/// worker holds one from its first instruction: a helper is counted before it starts, so a
/// panic while it builds its world must halt the others as much as one while it searches.
struct HaltOnPanic<'a>(&'a Shared);

impl Drop for HaltOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.halt();
        }
    }
}

/// What one worker found: each new state's `(id, final, [[sometimes]] mask)`, and each state's
/// edges it took (a state whose actions were shared has a part of its edges on each worker).
#[derive(Default)]
struct Part {
    states: Vec<(usize, bool, u64)>,
    edges: Vec<(usize, Vec<(usize, usize)>)>,
}

/// Explores `model`'s state graph (see the module's docs) with `workers`, `symmetry` and the
/// budget of [`super::explore_breadth_first`], which it falls back to when a state has a
/// finding or the budget is reached (and, with symmetry, when a state cannot finish).
pub(crate) fn explore(
    model: &ScenarioModel,
    symmetry: bool,
    budget: (usize, usize),
    progress: &AtomicUsize,
    workers: Workers,
) -> Exploration {
    let Some(exploration) = depth_first(model, symmetry, budget, progress, workers) else {
        return explore_breadth_first(model, symmetry, budget, progress);
    };
    let large = workers.count > 1 && exploration.len() >= workers.from_states;
    if !symmetry {
        return numbered_breadth_first(exploration, large, None);
    }
    // With symmetry a state stands for its copies, and is kept as whichever copy a worker
    // reached first: its edges name that copy's actors, so a path along BFS parents is a path
    // of actions only where each state was kept as reached along it, as the breadth-first
    // search keeps them. Counts, verdicts and coverage do not depend on the copy; a lasso, the
    // one verdict that replays a path of a graph without findings, does.
    let can_finish = exploration.graph.can_finish();
    if can_finish.contains(&false) {
        return explore_breadth_first(model, symmetry, budget, progress);
    }
    numbered_breadth_first(exploration, large, Some(can_finish))
}

/// The graph explored depth first, its ids in the order states were found; `None` once a state
/// with a finding turns up or the budget is reached.
fn depth_first(
    model: &ScenarioModel,
    symmetry: bool,
    budget: (usize, usize),
    progress: &AtomicUsize,
    workers: Workers,
) -> Option<Exploration> {
    let shared = Shared::new(budget);
    let (init, saved) = model.state_saving(Vec::new());
    if init.finding.is_some() {
        return None;
    }
    let Admitted::New(id) = shared.admit(model.key(&init, symmetry)) else {
        return None;
    };
    let first = Frame {
        id,
        actions: model.enabled_actors(&init),
        state: init,
        saved,
        next: 0,
        edges: Vec::new(),
    };
    let mut parts = vec![Part {
        states: vec![(id, model.is_final(&first.state), first.state.covered)],
        edges: Vec::new(),
    }];
    std::thread::scope(|scope| {
        let mut helpers = Vec::new();
        let mut grow = |states: usize| {
            if helpers.is_empty() && workers.count > 1 && states >= workers.from_states {
                for _ in 1..workers.count {
                    shared.join();
                    let (shared, plan) = (&shared, model.plan.clone());
                    helpers.push(scope.spawn(move || {
                        let _halt_on_panic = HaltOnPanic(shared);
                        // A world of its own: saves hold their world's addresses.
                        let model = ScenarioModel::new(plan);
                        work(&model, shared, symmetry, progress, Vec::new(), &mut |_| {})
                    }));
                }
            }
        };
        let own = {
            let _halt_on_panic = HaltOnPanic(&shared);
            work(model, &shared, symmetry, progress, vec![first], &mut grow)
        };
        parts[0].states.extend(own.states);
        parts[0].edges.extend(own.edges);
        for helper in helpers {
            parts.push(helper.join().expect("a state-graph worker does not panic"));
        }
    });
    if shared.halted.load(Ordering::Relaxed) {
        return None;
    }
    let count = shared.states.load(Ordering::Relaxed);
    progress.store(count, Ordering::Relaxed);
    Some(merged(parts, count))
}

/// One worker's search (its caller holds a [`HaltOnPanic`]): depth first from the frames on
/// `stack`, then from the tasks other
/// workers give it, until every worker waits or the workers halt. `grow(states)` is told the
/// number of states found at each new state.
fn work(
    model: &ScenarioModel,
    shared: &Shared,
    symmetry: bool,
    progress: &AtomicUsize,
    mut stack: Vec<Frame>,
    grow: &mut dyn FnMut(usize),
) -> Part {
    let mut part = Part::default();
    loop {
        if shared.halted.load(Ordering::Relaxed) {
            return part;
        }
        let Some(frame) = stack.last_mut() else {
            match shared.take() {
                Some(task) => stack.push(frame_of(model, symmetry, shared, task)),
                None => return part,
            }
            continue;
        };
        let Some(&action) = frame.actions.get(frame.next) else {
            let frame = stack.pop().expect("the frame just read");
            part.edges.push((frame.id, frame.edges));
            continue;
        };
        frame.next += 1;
        let mut admitted = None;
        let reached =
            model.successor_if_new(&frame.state, &frame.saved, action, symmetry, &mut |key| {
                let verdict = shared.admit(key);
                let new = matches!(verdict, Admitted::New(_));
                admitted = Some(verdict);
                new
            });
        let finding = match &reached {
            Successor::New(successor, _) => successor.finding.is_some(),
            Successor::Seen { finding } => *finding,
        };
        if finding {
            shared.halt();
            return part;
        }
        let at = stack.len() - 1;
        let id = match (
            admitted.expect("every successor is admitted or not"),
            reached,
        ) {
            (Admitted::Known(id), _) => id,
            (Admitted::Full, _) => return part,
            (Admitted::New(id), Successor::New(successor, saved)) => {
                part.states
                    .push((id, model.is_final(&successor), successor.covered));
                if id % 64 == 0 {
                    progress.store(id + 1, Ordering::Relaxed);
                }
                grow(id + 1);
                stack.push(Frame {
                    id,
                    actions: model.enabled_actors(&successor),
                    state: successor,
                    saved,
                    next: 0,
                    edges: Vec::new(),
                });
                id
            }
            (Admitted::New(_), Successor::Seen { .. }) => {
                unreachable!("a state admitted as new is reached as new")
            }
        };
        stack[at].edges.push((action, id));
        if shared.hungry.load(Ordering::Relaxed) {
            share(&mut stack, shared);
        }
    }
}

/// Gives a waiting worker the upper half of the actions left at the shallowest state of
/// `stack` that has some (never the top state's: its subtree is the smallest, and the worker
/// would give away all it has).
fn share(stack: &mut [Frame], shared: &Shared) {
    let below_top = stack.len().saturating_sub(1);
    let Some(frame) = stack[..below_top]
        .iter_mut()
        .find(|frame| frame.next < frame.actions.len())
    else {
        return;
    };
    let split = frame.next + (frame.actions.len() - frame.next) / 2;
    let actions = frame.actions.split_off(split);
    shared.give(Task {
        id: frame.id,
        path: frame.state.path.clone(),
        actions,
    });
}

/// The frame a task starts from, found again by replaying its path in this worker's world.
fn frame_of(model: &ScenarioModel, symmetry: bool, shared: &Shared, task: Task) -> Frame {
    let (state, saved) = model.state_saving(task.path);
    let key = model.key(&state, symmetry);
    assert_eq!(
        shared.shard(key).get(key),
        Some(task.id),
        "a state's path replays to the state it was found at"
    );
    Frame {
        id: task.id,
        state,
        saved,
        actions: task.actions,
        next: 0,
        edges: Vec::new(),
    }
}

/// The workers' parts as one graph of `count` states, each state's edges in the order of its
/// actions (as one worker takes them).
fn merged(parts: Vec<Part>, count: usize) -> Exploration {
    let mut graph = StateGraph {
        edges: vec![Vec::new(); count],
        is_final: vec![false; count],
        // Numbered breadth first next, which gives every state its BFS parent.
        parent: vec![None; count],
    };
    let mut covered = vec![0; count];
    let mut found = 0;
    for part in parts {
        for (id, is_final, mask) in part.states {
            graph.is_final[id] = is_final;
            covered[id] = mask;
            found += 1;
        }
        for (id, mut edges) in part.edges {
            let all = &mut graph.edges[id];
            if all.is_empty() {
                *all = edges;
            } else {
                all.append(&mut edges);
                all.sort_unstable_by_key(|&(action, _)| action);
            }
        }
    }
    assert_eq!(
        found, count,
        "every id handed out is a state a worker found"
    );
    Exploration {
        graph,
        covered,
        finding: None,
        truncated: None,
        stuck: None,
    }
}

/// `exploration` with its states numbered in breadth-first order over its own edges (each
/// state's in the order its actions were taken), each with the BFS parent that first reached
/// it: what a breadth-first exploration of the same graph numbers and records; and the first
/// state, in that order, that cannot finish, from `can_finish` (the graph's
/// [`StateGraph::can_finish`]) if the caller has it, else found beside the numbering (on a
/// thread of its own when the graph is `large`: the two read the same edges, and each takes a
/// while on millions).
fn numbered_breadth_first(
    exploration: Exploration,
    large: bool,
    can_finish: Option<Vec<bool>>,
) -> Exploration {
    let Exploration {
        graph,
        covered,
        finding,
        truncated,
        stuck: _,
    } = exploration;
    let ((order, parents), can_finish) = if let Some(can_finish) = can_finish {
        (breadth_first_order(&graph), can_finish)
    } else if large {
        std::thread::scope(|scope| {
            let can_finish = scope.spawn(|| graph.can_finish());
            let numbering = breadth_first_order(&graph);
            let can_finish = can_finish
                .join()
                .expect("the search for states that cannot finish does not panic");
            (numbering, can_finish)
        })
    } else {
        (breadth_first_order(&graph), graph.can_finish())
    };
    let count = graph.len();
    assert_eq!(
        order.len(),
        count,
        "every state found depth first is reached by an edge recorded with it"
    );
    let mut renumbered = vec![0; count];
    for (id, &old) in order.iter().enumerate() {
        renumbered[old] = id;
    }
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
        stuck: order.iter().position(|&old| !can_finish[old]),
    }
}

/// The states of `graph` in breadth-first order over its edges from state 0, and each one's
/// BFS parent as `(its place in that order, action)`.
fn breadth_first_order(graph: &StateGraph<usize>) -> (Vec<usize>, Vec<Option<(usize, usize)>>) {
    let count = graph.len();
    let mut placed = vec![usize::MAX; count];
    let mut order = Vec::with_capacity(count);
    let mut parents = Vec::with_capacity(count);
    placed[0] = 0;
    order.push(0);
    parents.push(None);
    // The order is the queue: the states from `next` on are reached and not yet expanded.
    let mut next = 0;
    while let Some(&old) = order.get(next) {
        for &(action, target) in &graph.edges[old] {
            if placed[target] == usize::MAX {
                placed[target] = order.len();
                order.push(target);
                parents.push(Some((next, action)));
            }
        }
        next += 1;
    }
    (order, parents)
}
