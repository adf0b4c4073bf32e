//! `Sharing`: what the rule checker needs to know about every actor before it reads any one of
//! them: which lists hand objects to other actors (a walk that keeps an entry, a reap), which
//! lists hold their entries' references (someone unlinks entries it did not link), which lists
//! an object can be on together, which tables' lookups take references, and the orders locks
//! are nested in.

use crate::language::{Scenario, Step};
use std::collections::{BTreeSet, HashMap};

/// Facts about the whole scenario, read off every actor's steps.
#[derive(Debug, Clone, Default)]
pub(super) struct Sharing {
    /// `bound_from[list]`: some actor keeps entries of the list (`walk ... keep`, `reap`):
    /// objects published there are shared with other actors.
    pub bound_from: Vec<bool>,
    /// `handed_off[list]`: some actor unlinks entries it did not link (`reap`, or `list_del` of
    /// an entry it found): an object added there hands the adder's reference to the list.
    pub handed_off: Vec<bool>,
    /// `co_lists[list]`: the other lists an object on this list may also be on.
    pub co_lists: Vec<BTreeSet<usize>>,
    /// `(held, taken)`: the actors that take lock `taken` while holding `held`, in file order.
    pub nestings: HashMap<(usize, usize), Vec<String>>,
    /// Each lock some actor takes inside a read-side section, with the first such actor.
    pub taken_in_section: HashMap<usize, String>,
    /// `refs_taken_on[list]`: some actor takes a reference on an entry it found on the list, so
    /// an entry of it may be held past any grace period.
    pub refs_taken_on: Vec<bool>,
    /// `refs_taken_on_table[table]`: some actor takes a reference on an entry its lookup found
    /// on the table, so a hashed object may be held by another actor.
    pub refs_taken_on_table: Vec<bool>,
    /// `zero_while_reachable[list]`: some actor drops its last reference to an entry of the
    /// list with a release that defers the free (`put_ref x kfree_rcu`), so an RCU reader may
    /// find an entry whose count is already 0.
    pub zero_while_reachable: Vec<bool>,
}

/// Where a local's objects came from, for [`Sharing`]'s reading.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    Alloc,
    FromList(usize),
    FromTable(usize),
}

impl Sharing {
    /// Reads every actor written as steps.
    pub(super) fn of(scenario: &Scenario) -> Sharing {
        let lists = scenario.world.lists.len();
        let mut sharing = Sharing {
            bound_from: vec![false; lists],
            handed_off: vec![false; lists],
            co_lists: vec![BTreeSet::new(); lists],
            nestings: HashMap::new(),
            taken_in_section: HashMap::new(),
            refs_taken_on: vec![false; lists],
            refs_taken_on_table: vec![false; scenario.world.tables.len()],
            zero_while_reachable: vec![false; lists],
        };
        let mut splices: Vec<(usize, usize)> = Vec::new();
        for actor in &scenario.actors {
            let mut bound: HashMap<&str, Bound> = HashMap::new();
            let mut on: HashMap<&str, BTreeSet<usize>> = HashMap::new();
            let mut held: Vec<usize> = Vec::new();
            let mut sections = 0usize;
            for step in &actor.steps {
                match step.value.unguarded().0 {
                    Step::RcuReadLock => sections += 1,
                    Step::RcuReadUnlock => sections = sections.saturating_sub(1),

                    Step::Alloc { object, .. } => {
                        bound.insert(object, Bound::Alloc);
                        on.insert(object, BTreeSet::new());
                    }
                    Step::Walk {
                        list,
                        keep: Some(object),
                        ..
                    }
                    | Step::WalkFrom {
                        list,
                        keep: Some(object),
                        ..
                    } => {
                        sharing.bound_from[*list] = true;
                        bound.insert(object, Bound::FromList(*list));
                        on.insert(object, BTreeSet::from([*list]));
                    }
                    Step::ListMove { object, list, .. } => {
                        // It leaves the lists sharing the link, for this one.
                        let link = scenario.world.lists[*list].link;
                        if let Some(Bound::FromList(from)) = bound.get(object.as_str()) {
                            if scenario.world.lists[*from].link == link {
                                sharing.handed_off[*from] = true;
                            }
                        }
                        let lists = on.entry(object).or_default();
                        lists.retain(|&l| scenario.world.lists[l].link != link);
                        for &other in lists.iter() {
                            sharing.co_lists[*list].insert(other);
                            sharing.co_lists[other].insert(*list);
                        }
                        lists.insert(*list);
                    }
                    Step::ListSplice { from, to, .. } => splices.push((*from, *to)),
                    Step::Reap { list, into, .. } => {
                        sharing.bound_from[*list] = true;
                        sharing.handed_off[*list] = true;
                        bound.insert(into, Bound::FromList(*list));
                        on.insert(into, BTreeSet::from([*list]));
                    }
                    Step::ListAdd { object, list, .. } => {
                        let lists = on.entry(object).or_default();
                        for &other in lists.iter().filter(|&&other| other != *list) {
                            sharing.co_lists[*list].insert(other);
                            sharing.co_lists[other].insert(*list);
                        }
                        lists.insert(*list);
                    }
                    Step::ListDel { object, list, .. }
                        if bound.get(object.as_str()) == Some(&Bound::FromList(*list)) =>
                    {
                        sharing.handed_off[*list] = true;
                    }
                    Step::Lock { lock } => {
                        if sections > 0 {
                            sharing
                                .taken_in_section
                                .entry(*lock)
                                .or_insert_with(|| actor.name.clone());
                        }
                        for &outer in &held {
                            let actors = sharing.nestings.entry((outer, *lock)).or_default();
                            if !actors.contains(&actor.name) {
                                actors.push(actor.name.clone());
                            }
                        }
                        held.push(*lock);
                    }
                    Step::Unlock { lock } => held.retain(|l| l != lock),
                    Step::PutRef {
                        object,
                        release_rcu: true,
                    } => {
                        for &list in on.get(object.as_str()).into_iter().flatten() {
                            sharing.zero_while_reachable[list] = true;
                        }
                    }
                    Step::Lookup { table, into, .. } => {
                        bound.insert(into, Bound::FromTable(*table));
                    }
                    Step::GetRef { object, .. } => match bound.get(object.as_str()) {
                        Some(Bound::FromList(list)) => sharing.refs_taken_on[*list] = true,
                        Some(Bound::FromTable(table)) => sharing.refs_taken_on_table[*table] = true,
                        _ => {}
                    },
                    _ => {}
                }
            }
        }
        // An entry added to `from` becomes an entry of `to` once spliced: published on `from`,
        // it is shared wherever `to`'s entries are kept or handed off. To a fixed point, so the
        // actors' order does not matter (splices may chain).
        let mut changed = true;
        while changed {
            changed = false;
            for &(from, to) in &splices {
                for facts in [&mut sharing.bound_from, &mut sharing.handed_off] {
                    if facts[to] && !facts[from] {
                        facts[from] = true;
                        changed = true;
                    }
                }
            }
        }
        sharing
    }
}
