//! Property tests of the list against a `VecDeque` reference model.
//!
//! Properties checked after every operation of a random sequence over two lists and a pool of
//! entries:
//! 1. Each list holds exactly the model's entries in the model's order, forward and backward.
//! 2. Each list is well formed: `n.next.prev == n` for every node, and the walk returns to the
//!    head within the bound.
//! 3. Misuse the checked mode can see (adding the first entry again at the front, the last again
//!    at the tail, deleting an entry twice or one never added) is refused with the right
//!    `ListError` and changes nothing.

use lifecycle_list::{impl_linked, CheckMode, Linked, ListError, ListHead};
use proptest::prelude::*;
use std::collections::VecDeque;
use std::ptr::NonNull;

const POOL: usize = 12;
const MAX_NODES: usize = POOL;

struct Item {
    id: usize,
    link: ListHead,
}
impl_linked!(Item, link);

#[derive(Debug, Clone)]
enum Op {
    AddFront(usize, usize),
    AddBack(usize, usize),
    Del(usize),
    DelInit(usize),
    MoveTo(usize, usize),
    MoveToTail(usize, usize),
    RotateLeft(usize),
    Swap(usize, usize),
    Replace(usize, usize),
    SpliceInit(usize),
    SpliceTailInit(usize),
    CutPosition(usize, usize),
    ReAddFirst(usize),
    ReAddLast(usize),
    DelUnlinked(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let list = 0..2usize;
    let item = 0..POOL;
    prop_oneof![
        (list.clone(), item.clone()).prop_map(|(l, i)| Op::AddFront(l, i)),
        (list.clone(), item.clone()).prop_map(|(l, i)| Op::AddBack(l, i)),
        item.clone().prop_map(Op::Del),
        item.clone().prop_map(Op::DelInit),
        (item.clone(), list.clone()).prop_map(|(i, l)| Op::MoveTo(i, l)),
        (item.clone(), list.clone()).prop_map(|(i, l)| Op::MoveToTail(i, l)),
        list.clone().prop_map(Op::RotateLeft),
        (item.clone(), item.clone()).prop_map(|(a, b)| Op::Swap(a, b)),
        (item.clone(), item.clone()).prop_map(|(a, b)| Op::Replace(a, b)),
        list.clone().prop_map(Op::SpliceInit),
        list.clone().prop_map(Op::SpliceTailInit),
        (list.clone(), 0..POOL).prop_map(|(l, k)| Op::CutPosition(l, k)),
        list.clone().prop_map(Op::ReAddFirst),
        list.clone().prop_map(Op::ReAddLast),
        item.prop_map(Op::DelUnlinked),
    ]
}

/// The lists under test and their model.
struct World {
    heads: [Box<ListHead>; 2],
    /// Never grows after `new`, so the items never move.
    items: Vec<Item>,
    model: [VecDeque<usize>; 2],
}

impl World {
    fn new() -> Self {
        let heads = [
            Box::new(ListHead::with_checks(CheckMode::Checked)),
            Box::new(ListHead::with_checks(CheckMode::Checked)),
        ];
        // SAFETY: single-threaded; the heads are boxed and will not move.
        unsafe { heads.iter().for_each(|head| head.init()) };
        let items = (0..POOL)
            .map(|id| Item {
                id,
                link: ListHead::with_checks(CheckMode::Checked),
            })
            .collect();
        World {
            heads,
            items,
            model: [VecDeque::new(), VecDeque::new()],
        }
    }

    fn list_of(&self, item: usize) -> Option<usize> {
        (0..2).find(|&l| self.model[l].contains(&item))
    }

    fn remove_from_model(&mut self, item: usize) {
        for list in &mut self.model {
            list.retain(|&i| i != item);
        }
    }

    fn link(&self, item: usize) -> &ListHead {
        &self.items[item].link
    }

    /// The pointer to link `item` with, projected from a pointer to the whole item so the list
    /// can map it back (the list discipline, point 3).
    fn link_ptr(&self, item: usize) -> NonNull<ListHead> {
        // SAFETY: the item is live for the whole test.
        unsafe { Item::link_ptr(NonNull::from(&self.items[item])) }
    }

    /// Applies `op` to the lists and the model. Operations whose preconditions do not hold are
    /// skipped, except the misuse operations, whose refusal is what they test.
    fn apply(&mut self, op: &Op) -> Result<(), TestCaseError> {
        // SAFETY (for every unsafe block below): single-threaded; all nodes are boxed and live
        // for the whole test; preconditions are checked against the model first.
        match *op {
            Op::AddFront(l, i) | Op::AddBack(l, i) => {
                if self.list_of(i).is_some() {
                    return Ok(());
                }
                let front = matches!(op, Op::AddFront(..));
                // SAFETY: single-threaded; nodes live in `World` for the whole test and
                // preconditions were checked against the model.
                unsafe {
                    if front {
                        self.heads[l].add(self.link_ptr(i))
                    } else {
                        self.heads[l].add_tail(self.link_ptr(i))
                    }
                }
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
                if front {
                    self.model[l].push_front(i)
                } else {
                    self.model[l].push_back(i)
                }
            }
            Op::Del(i) | Op::DelInit(i) => {
                if self.list_of(i).is_none() {
                    return Ok(());
                }
                // SAFETY: single-threaded; nodes live in `World` for the whole test and
                // preconditions were checked against the model.
                unsafe {
                    if matches!(op, Op::Del(_)) {
                        self.link(i).del()
                    } else {
                        self.link(i).del_init()
                    }
                }
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
                self.remove_from_model(i);
            }
            Op::MoveTo(i, l) | Op::MoveToTail(i, l) => {
                if self.list_of(i).is_none() {
                    return Ok(());
                }
                let front = matches!(op, Op::MoveTo(..));
                // SAFETY: single-threaded; nodes live in `World` for the whole test and
                // preconditions were checked against the model.
                unsafe {
                    if front {
                        ListHead::move_to(self.link_ptr(i), &self.heads[l])
                    } else {
                        ListHead::move_to_tail(self.link_ptr(i), &self.heads[l])
                    }
                }
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
                self.remove_from_model(i);
                if front {
                    self.model[l].push_front(i)
                } else {
                    self.model[l].push_back(i)
                }
            }
            Op::RotateLeft(l) => {
                // SAFETY: single-threaded; nodes live in `World` for the whole test and
                // preconditions were checked against the model.
                unsafe { self.heads[l].rotate_left() }
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                self.model[l].rotate_left(usize::from(!self.model[l].is_empty()));
            }
            Op::Swap(a, b) => {
                let (Some(la), Some(lb)) = (self.list_of(a), self.list_of(b)) else {
                    return Ok(());
                };
                if a == b {
                    return Ok(());
                }
                // SAFETY: single-threaded; nodes live in `World` for the whole test and
                // preconditions were checked against the model.
                unsafe { ListHead::swap(self.link_ptr(a), self.link_ptr(b)) }
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let pa = self.model[la].iter().position(|&x| x == a).unwrap();
                let pb = self.model[lb].iter().position(|&x| x == b).unwrap();
                self.model[la][pa] = b;
                self.model[lb][pb] = a;
            }
            Op::Replace(old, new) => {
                let Some(l) = self.list_of(old) else {
                    return Ok(());
                };
                if self.list_of(new).is_some() {
                    return Ok(());
                }
                // SAFETY: single-threaded; nodes live in `World` for the whole test and
                // preconditions were checked against the model.
                unsafe { self.link(old).replace_init(self.link_ptr(new)) }
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let p = self.model[l].iter().position(|&x| x == old).unwrap();
                self.model[l][p] = new;
            }
            Op::SpliceInit(from) | Op::SpliceTailInit(from) => {
                let to = 1 - from;
                let front = matches!(op, Op::SpliceInit(_));
                // SAFETY: single-threaded; nodes live in `World` for the whole test and
                // preconditions were checked against the model.
                unsafe {
                    if front {
                        self.heads[to].splice_init(&self.heads[from])
                    } else {
                        self.heads[to].splice_tail_init(&self.heads[from])
                    }
                }
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let moved: Vec<usize> = self.model[from].drain(..).collect();
                if front {
                    for &i in moved.iter().rev() {
                        self.model[to].push_front(i);
                    }
                } else {
                    self.model[to].extend(moved);
                }
            }
            Op::CutPosition(from, k) => {
                let into = 1 - from;
                if !self.model[into].is_empty() || k >= self.model[from].len() {
                    return Ok(());
                }
                let entry = self.model[from][k];
                // SAFETY: single-threaded; nodes live in `World` for the whole test and
                // preconditions were checked against the model.
                unsafe { self.heads[from].cut_position(&self.heads[into], self.link_ptr(entry)) }
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let rest = self.model[from].split_off(k + 1);
                self.model[into] = std::mem::replace(&mut self.model[from], rest);
            }
            Op::ReAddFirst(l) | Op::ReAddLast(l) => {
                let first = matches!(op, Op::ReAddFirst(_));
                let target = if first {
                    self.model[l].front()
                } else {
                    self.model[l].back()
                };
                let Some(&i) = target else {
                    return Ok(());
                };
                // SAFETY: single-threaded; nodes live in `World` for the whole test and
                // preconditions were checked against the model.
                let result = unsafe {
                    if first {
                        self.heads[l].add(self.link_ptr(i))
                    } else {
                        self.heads[l].add_tail(self.link_ptr(i))
                    }
                };
                prop_assert!(
                    matches!(result, Err(ListError::DoubleAdd { new, .. }) if new == self.link(i).address()),
                    "re-adding an adjacent entry must be a double add, got {result:?}"
                );
            }
            Op::DelUnlinked(i) => {
                if self.list_of(i).is_some() {
                    return Ok(());
                }
                // An entry re-initialized by `del_init` points to itself, and deleting it is
                // valid in the kernel too (it unlinks from itself).
                // SAFETY: single-threaded; nodes live in `World` for the whole test and
                // preconditions were checked against the model.
                let self_linked = unsafe { self.link(i).is_empty() };
                // SAFETY: single-threaded; nodes live in `World` for the whole test and
                // preconditions were checked against the model.
                let result = unsafe { self.link(i).del() };
                prop_assert!(
                    matches!(
                        result,
                        Err(ListError::DelNull { .. } | ListError::DelPoisoned { .. })
                    ) || (result.is_ok() && self_linked),
                    "deleting an entry not on a list must be refused (or be a no-op on a \
                     re-initialized one), got {result:?}"
                );
            }
        }
        Ok(())
    }

    fn check(&self) -> Result<(), TestCaseError> {
        for l in 0..2 {
            let head = &self.heads[l];
            // SAFETY: single-threaded; every entry is an `Item`.
            let forward: Result<Vec<usize>, ListError> = unsafe { head.entries::<Item>(MAX_NODES) }
                // SAFETY: single-threaded; nodes live in `World` for the whole test and
                // preconditions were checked against the model.
                .map(|e| e.map(|e| unsafe { e.as_ref().id }))
                .collect();
            let backward: Result<Vec<usize>, ListError> =
                // SAFETY: single-threaded; nodes live in `World` for the whole test and
                // preconditions were checked against the model.
                unsafe { head.entries_rev::<Item>(MAX_NODES) }
                    // SAFETY: single-threaded; nodes live in `World` for the whole test and
                    // preconditions were checked against the model.
                    .map(|e| e.map(|e| unsafe { e.as_ref().id }))
                    .collect();
            let expected: Vec<usize> = self.model[l].iter().copied().collect();
            prop_assert_eq!(
                forward.map_err(|e| TestCaseError::fail(e.to_string()))?,
                expected.clone()
            );
            let mut reversed = expected;
            reversed.reverse();
            prop_assert_eq!(
                backward.map_err(|e| TestCaseError::fail(e.to_string()))?,
                reversed
            );
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(
                "tests/proptest-regressions/list_proptest.txt",
            ),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn list_matches_vecdeque_model(ops in proptest::collection::vec(op(), 1..80)) {
        let mut world = World::new();
        for op in &ops {
            world.apply(op)?;
            world.check()?;
        }
    }
}
