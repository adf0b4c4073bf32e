//! Generated lifecycles: proptest strategies that build scenario files from the step vocabulary
//! (2 to 4 actors, 1 to 3 objects, 1 or 2 lists, 3 to 12 steps each) in the protocol's shapes,
//! an owner's lifecycle, a reader's lookup under the lock or under RCU, a reaper's sweep, and
//! optionally one rule broken on purpose ([`Mutation`]). In an RCU world the first list is
//! walked under RCU (docs/design.md section 10): owners change it with the `_rcu` operations
//! and release what they removed after a grace period (`synchronize_rcu`, `call_rcu` or
//! `kfree_rcu`), and lockless readers walk it inside read-side sections. Every case is a [`Scenario`] built by [`ScenarioBuilder`], so its
//! TOML text is what a failing case is kept as.

use lifecycle_models::{Rule, Scenario, ScenarioBuilder};
use proptest::prelude::*;

/// The lists a generated world may declare, in order.
const LISTS: [&str; 2] = ["registry", "hash"];

/// What one actor does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Allocates 1 or 2 objects, links them, unlinks them and drops its references (or hands
    /// them to a list that a reaper sweeps).
    Owner {
        /// Objects it allocates (1 or 2).
        objects: u8,
        /// Options, as bits: 1 write before publishing, 2 read after unlocking (own reference),
        /// 4 on both lists, 8 write after unlinking (only where no one keeps entries); on a
        /// list walked under RCU, how the removed object is released after its grace period:
        /// 16 and 32 together `put_ref x kfree_rcu` at once (a release that defers the free: the
        /// count may reach 0 under a reader, whose get is then `get_ref_not_zero`), 16
        /// `call_rcu` (a deferred `put_ref`), 32 `kfree_rcu` (only where nobody takes
        /// references on the list's entries), neither `synchronize_rcu` then `put_ref`.
        options: u8,
    },
    /// Looks an entry up under the lock: 0 walk only, 1 keep and read under the lock, 2 keep,
    /// take a reference, read after the unlock, drop it; 3 as 2 with `walk_safe`.
    Reader {
        /// The list it walks.
        list: u8,
        /// The lookup's shape, 0 to 3.
        shape: u8,
    },
    /// Looks an entry up with no lock, inside an RCU read-side section (`walk_rcu`): 0 walk
    /// only, 1 keep and read inside the section, 2 keep, take a reference inside the section
    /// (`get_ref_not_zero` where an owner's count may reach 0 under readers), read after
    /// `rcu_read_unlock`, drop it. In a world without RCU, a [`Role::Reader`].
    RcuReader {
        /// The lookup's shape, 0 to 2.
        shape: u8,
    },
    /// Unlinks every entry of its list with `reap_safe` and drops the references they carried
    /// (never on a list walked under RCU, which has no `_rcu` sweep: there it looks up instead).
    Reaper {
        /// The list it sweeps.
        list: u8,
        /// Reads the entries after the unlock.
        read: bool,
    },
}

/// The rule a case breaks on purpose, and where (`salt` picks the actor or the variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mutation {
    /// The rule meant to be broken.
    pub rule: Rule,
    /// Picks the actor (and the variant) the mutation applies to.
    pub salt: u8,
}

/// The random choices a case is built from (proptest shrinks these).
#[derive(Debug, Clone)]
pub struct Choices {
    /// 1 or 2 lists.
    pub lists: u8,
    /// With 2 lists: a lock per list instead of one lock for both.
    pub lock_per_list: bool,
    /// Lists in `CONFIG_DEBUG_LIST` mode.
    pub debug: bool,
    /// The first list is walked under RCU (always, when the mutation breaks an RCU rule).
    pub rcu: bool,
    /// The first actor signals `ready` after its first unlock; some others wait for it first.
    pub ordered: bool,
    /// The actors, the first always an owner.
    pub roles: Vec<Role>,
    /// Which actors (bits) wait for `ready`.
    pub waits: u8,
    /// loom's preemption bound for this case (1 or 2).
    pub preemption_bound: usize,
    /// The rule broken on purpose, if any.
    pub mutation: Option<Mutation>,
}

/// A generated case: the scenario, its file text, and what it was meant to break.
#[derive(Debug, Clone)]
pub struct Case {
    /// The scenario, parsed from `text`.
    pub scenario: Scenario,
    /// The scenario file's text.
    pub text: String,
    /// The rule broken on purpose, if any.
    pub intended: Option<Rule>,
    /// loom's preemption bound for this case.
    pub preemption_bound: usize,
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        3 => (1u8..=2, 0u8..64).prop_map(|(objects, options)| Role::Owner { objects, options }),
        3 => (0u8..2, 0u8..4).prop_map(|(list, shape)| Role::Reader { list, shape }),
        2 => (0u8..3).prop_map(|shape| Role::RcuReader { shape }),
        1 => (0u8..2, any::<bool>()).prop_map(|(list, read)| Role::Reaper { list, read }),
    ]
}

/// The rules no generated case can break yet: lookups in a `typesafe-by-rcu` cache and over
/// hash tables are not generated (they belong over hlist_nulls chains, issue 21; over plain
/// lists loom finds a walker carried through a reused node, which no rule states yet).
pub const NOT_GENERATED: [Rule; 2] = [Rule::LookupWithoutRecheck, Rule::NullsWalkWithoutRestart];

/// The choices of a case; `mutate`: break one rule on purpose.
pub fn choices(mutate: bool) -> impl Strategy<Value = Choices> {
    let mutation = if mutate {
        // Every rule but those of `NOT_GENERATED`.
        let breakable: Vec<Rule> = Rule::ALL
            .into_iter()
            .filter(|rule| !NOT_GENERATED.contains(rule))
            .collect();
        (0..breakable.len(), any::<u8>())
            .prop_map(move |(rule, salt)| {
                Some(Mutation {
                    rule: breakable[rule],
                    salt,
                })
            })
            .boxed()
    } else {
        Just(None).boxed()
    };
    (
        1u8..=2,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        (1u8..=2, 0u8..64),
        prop::collection::vec(role(), 1..=3),
        any::<u8>(),
        1usize..=2,
        mutation,
    )
        .prop_map(
            |(lists, lock_per_list, debug, rcu, ordered, first, rest, waits, bound, mutation)| {
                let mut roles = vec![Role::Owner {
                    objects: first.0,
                    options: first.1,
                }];
                roles.extend(rest);
                Choices {
                    lists,
                    lock_per_list,
                    debug,
                    rcu,
                    ordered,
                    roles,
                    waits,
                    preemption_bound: bound,
                    mutation,
                }
            },
        )
}

/// Cases built from [`choices`].
pub fn cases(mutate: bool) -> impl Strategy<Value = Case> {
    choices(mutate).prop_map(|choices| build(&choices))
}

/// Builds the case `choices` describe.
pub fn build(choices: &Choices) -> Case {
    let lists = usize::from(choices.lists.clamp(1, 2));
    let intended = choices.mutation.map(|m| m.rule);
    // The reaper a plain-walk deletion needs goes on the last list, which must not be walked
    // under RCU (a sweep has no `_rcu` form).
    let needs_reaper = intended == Some(Rule::DeleteInPlainWalk);
    let rcu = (choices.rcu || intended.is_some_and(Rule::is_rcu)) && !(needs_reaper && lists == 1);
    let mut roles = choices.roles.clone();
    if intended == Some(Rule::DestroyWithPendingCallbacks) {
        // Destroying the cache is only clean once every object is freed or queued: one owner
        // that queues its free, and a reader that takes no reference.
        roles = vec![
            Role::Owner {
                objects: 1,
                options: 32,
            },
            Role::RcuReader { shape: 1 },
        ];
    }
    // Objects: at most 3 in all (an owner past the budget looks up instead).
    let mut budget = 3u8;
    for role in &mut roles {
        if matches!(role, Role::Owner { .. }) && budget == 0 {
            *role = Role::Reader { list: 0, shape: 2 };
        }
        if let Role::RcuReader { shape } = *role {
            if !rcu {
                *role = Role::Reader { list: 0, shape };
            }
        }
        match role {
            Role::Owner { objects, .. } => {
                *objects = (*objects).clamp(1, budget);
                budget -= *objects;
            }
            Role::Reader { list, .. } => *list %= lists as u8,
            Role::Reaper { list, read } => {
                *list %= lists as u8;
                if rcu && *list == 0 {
                    *role = if lists == 2 {
                        Role::Reaper {
                            list: 1,
                            read: *read,
                        }
                    } else {
                        Role::Reader { list: 0, shape: 2 }
                    };
                }
            }
            Role::RcuReader { .. } => {}
        }
    }
    if needs_reaper && !roles.iter().any(|r| matches!(r, Role::Reaper { .. })) {
        roles.push(Role::Reaper {
            list: lists as u8 - 1,
            read: false,
        });
    }
    if intended == Some(Rule::PlainGetUnderRcu) {
        // The first owner drops its last reference with a release that defers the free, and a
        // lockless reader takes a reference (with a plain get, once mutated).
        if let Role::Owner { options, .. } = &mut roles[0] {
            *options |= 48;
        }
        roles.push(Role::RcuReader { shape: 2 });
    }
    if intended.is_some_and(Rule::is_rcu)
        && !roles.iter().any(|r| matches!(r, Role::RcuReader { .. }))
    {
        roles.push(Role::RcuReader { shape: 1 });
    }
    let lock_of = |list: usize| {
        if lists == 2 && choices.lock_per_list {
            LISTS[list]
        } else {
            LISTS[0]
        }
    };
    let mut actors = World::new(&roles, lists, rcu, &lock_of).all_steps(&roles);
    // The grace-period worker that runs `call_rcu` and `kfree_rcu` callbacks is one more thread,
    // which multiplies loom's schedules (measured at bound 1: 4 actors and the worker 57 s, the
    // same 4 with `synchronize_rcu` instead 2 s; 3 actors and the worker 0.3 to 16 s, 2 actors
    // and the worker 0.1 s): at most 2 actors beside it. The first actor (the owner) stays, and
    // so does the last, the lockless reader an RCU mutation needs.
    while queues_callbacks(&actors) && roles.len() > 2 {
        roles.remove(1);
        actors = World::new(&roles, lists, rcu, &lock_of).all_steps(&roles);
    }
    if choices.ordered {
        if let Some(at) = actors[0].iter().position(|s| s.starts_with("unlock")) {
            actors[0].insert(at + 1, "signal ready".to_string());
        }
        for (index, steps) in actors.iter_mut().enumerate().skip(1) {
            if choices.waits & (1 << index) != 0 {
                steps.insert(0, "wait ready".to_string());
            }
        }
    }
    let mut tagging = "tagged";
    let mut defect = "none";
    if let Some(mutation) = choices.mutation {
        match mutation.rule {
            Rule::UntaggedFreeList => tagging = "untagged",
            Rule::DefectiveLock if mutation.salt % 2 == 0 => defect = "relaxed-unlock",
            Rule::DefectiveLock => defect = "load-then-store",
            rule => super::mutate::apply(rule, mutation.salt, &roles, &mut actors),
        }
    }
    let objects = actors
        .iter()
        .flatten()
        .filter(|s| s.starts_with("alloc "))
        .count()
        .max(1);
    let mut builder = ScenarioBuilder::new("fuzz/case")
        .story("a lifecycle generated by tests/tests/fuzz.rs")
        .objects(objects)
        .free_list(tagging)
        .checks(["use-after-free", "invariants-at-unlock"]);
    let locks: Vec<&str> = if lists == 2 && choices.lock_per_list {
        LISTS.to_vec()
    } else {
        vec![LISTS[0]]
    };
    for (index, lock) in locks.iter().enumerate() {
        builder = builder.lock(lock, if index == 0 { defect } else { "none" });
    }
    let mode = if choices.debug { "debug" } else { "raw" };
    for (list, name) in LISTS.iter().enumerate().take(lists) {
        builder = if rcu && list == 0 {
            builder.rcu_list_with(name, mode, Some(lock_of(list)))
        } else {
            builder.list_with(name, mode, Some(lock_of(list)))
        };
    }
    if choices.ordered {
        builder = builder.event("ready");
    }
    for (index, steps) in actors.iter().enumerate() {
        builder = builder.actor(&format!("a{index}"), steps.iter().map(String::as_str));
    }
    let text = builder.clone().expect("all", "pass").to_toml();
    let scenario = Scenario::parse("fuzz/case.toml", &text)
        .unwrap_or_else(|error| panic!("a generated case is a valid file: {error}\n{text}"));
    // loom's cost grows with threads and steps: bound 2 only for small cases, so that every case
    // stays well under a second (2 actors and the grace-period worker at bound 2: 4 s).
    let steps: usize = actors.iter().map(Vec::len).sum();
    let small = actors.len() <= 3 && steps <= 20 && !queues_callbacks(&actors);
    Case {
        scenario,
        text,
        intended: choices.mutation.map(|m| m.rule),
        preemption_bound: if small { choices.preemption_bound } else { 1 },
    }
}

/// Whether an actor queues an RCU callback, which the model runs on a grace-period worker.
fn queues_callbacks(actors: &[Vec<String>]) -> bool {
    actors.iter().flatten().any(|s| {
        s.starts_with("call_rcu ") || s.starts_with("kfree_rcu ") || s.ends_with(" kfree_rcu")
    })
}

/// What an actor's steps depend on in the world.
struct World<'a> {
    lists: usize,
    /// The first list is walked under RCU.
    rcu: bool,
    /// A reaper sweeps the list: owners hand their objects to it.
    reaped: Vec<bool>,
    /// Some actor keeps entries of the list: owners do not write after publishing there.
    kept: Vec<bool>,
    /// Some actor takes references on the list's entries: `kfree_rcu` would free under them.
    referenced: Vec<bool>,
    /// An owner drops its last reference to an entry of the RCU list with `put_ref x
    /// kfree_rcu`: the count may be 0 under a lockless reader.
    zero_while_reachable: bool,
    lock_of: &'a dyn Fn(usize) -> &'static str,
}

impl<'a> World<'a> {
    /// The world of `roles` on `lists` lists (the first walked under RCU if `rcu`).
    fn new(
        roles: &[Role],
        lists: usize,
        rcu: bool,
        lock_of: &'a dyn Fn(usize) -> &'static str,
    ) -> Self {
        let any_role = |pick: &dyn Fn(&Role, usize) -> bool| -> Vec<bool> {
            (0..lists)
                .map(|list| roles.iter().any(|r| pick(r, list)))
                .collect()
        };
        World {
            lists,
            rcu,
            reaped: any_role(
                &|r, l| matches!(r, Role::Reaper { list, .. } if usize::from(*list) == l),
            ),
            kept: any_role(&|r, l| match r {
                Role::Reader { list, shape } => usize::from(*list) == l && *shape > 0,
                Role::Reaper { list, .. } => usize::from(*list) == l,
                Role::RcuReader { shape } => l == 0 && *shape > 0,
                Role::Owner { .. } => false,
            }),
            referenced: any_role(&|r, l| match r {
                Role::Reader { list, shape } => usize::from(*list) == l && *shape >= 2,
                Role::Reaper { list, .. } => usize::from(*list) == l,
                Role::RcuReader { shape } => l == 0 && *shape >= 2,
                Role::Owner { .. } => false,
            }),
            zero_while_reachable: rcu
                && roles.iter().enumerate().any(|(index, role)| {
                    matches!(role, Role::Owner { options, .. }
                        if options & 48 == 48 && index % lists == 0)
                }),
            lock_of,
        }
    }

    /// Every actor's steps, in the order of `roles`.
    fn all_steps(&self, roles: &[Role]) -> Vec<Vec<String>> {
        roles
            .iter()
            .enumerate()
            .map(|(index, role)| self.steps(*role, index))
            .collect()
    }

    /// Whether readers walk `list` under RCU.
    fn is_rcu(&self, list: usize) -> bool {
        self.rcu && list == 0
    }

    /// `verb` on `list`, in its `_rcu` form where readers walk the list under RCU.
    fn change(&self, verb: &str, object: &str, list: usize) -> String {
        let suffix = if self.is_rcu(list) { "_rcu" } else { "" };
        format!("{verb}{suffix} {object} {}", LISTS[list])
    }

    /// `steps` inside one critical section per lock the lists in `on` need.
    fn sections(&self, on: &[usize], steps: impl Fn(usize) -> Vec<String>) -> Vec<String> {
        let mut out = Vec::new();
        let mut locks: Vec<&str> = on.iter().map(|&l| (self.lock_of)(l)).collect();
        locks.dedup();
        for lock in locks {
            out.push(format!("lock {lock}"));
            for &list in on.iter().filter(|&&l| (self.lock_of)(l) == lock) {
                out.extend(steps(list));
            }
            out.push(format!("unlock {lock}"));
        }
        out
    }

    fn steps(&self, role: Role, index: usize) -> Vec<String> {
        match role {
            Role::Owner { objects, options } => self.owner(objects, options, index),
            Role::Reader { list, shape } => {
                let list = usize::from(list);
                let (name, lock) = (LISTS[list], (self.lock_of)(list));
                let walk = if shape == 3 { "walk_safe" } else { "walk" };
                let mut steps = vec![format!("lock {lock}")];
                match shape {
                    0 => steps.extend([format!("{walk} {name}"), format!("unlock {lock}")]),
                    1 => steps.extend([
                        format!("{walk} {name} keep k"),
                        "read k".to_string(),
                        format!("unlock {lock}"),
                    ]),
                    _ => steps.extend([
                        format!("{walk} {name} keep k"),
                        "get_ref k".to_string(),
                        format!("unlock {lock}"),
                        "read k".to_string(),
                        "put_ref k".to_string(),
                    ]),
                }
                steps
            }
            Role::RcuReader { shape } => {
                let name = LISTS[0];
                let mut steps = vec!["rcu_read_lock".to_string()];
                match shape {
                    0 => steps.extend([format!("walk_rcu {name}"), "rcu_read_unlock".into()]),
                    1 => steps.extend([
                        format!("walk_rcu {name} keep k"),
                        "read k".to_string(),
                        "rcu_read_unlock".to_string(),
                    ]),
                    _ if self.zero_while_reachable => steps.extend([
                        format!("walk_rcu {name} keep k"),
                        "get_ref_not_zero k".to_string(),
                        "rcu_read_unlock".to_string(),
                        "read k".to_string(),
                        "put_ref k kfree_rcu".to_string(),
                    ]),
                    _ => steps.extend([
                        format!("walk_rcu {name} keep k"),
                        "get_ref k".to_string(),
                        "rcu_read_unlock".to_string(),
                        "read k".to_string(),
                        "put_ref k".to_string(),
                    ]),
                }
                steps
            }
            Role::Reaper { list, read } => {
                let list = usize::from(list);
                let lock = (self.lock_of)(list);
                let mut steps = vec![
                    format!("lock {lock}"),
                    format!("reap_safe {} into r", LISTS[list]),
                    format!("unlock {lock}"),
                ];
                if read {
                    steps.push("read r".to_string());
                }
                steps.push("put_ref r".to_string());
                steps
            }
        }
    }

    fn owner(&self, objects: u8, options: u8, index: usize) -> Vec<String> {
        let names: Vec<String> = ["s", "t"]
            .iter()
            .take(usize::from(objects))
            .map(|n| format!("{n}{index}"))
            .collect();
        let first = index % self.lists;
        let both = options & 4 != 0 && self.lists == 2 && names.len() == 1;
        let mut on: Vec<usize> = if both && (self.lock_of)(0) == (self.lock_of)(1) {
            vec![0, 1]
        } else {
            vec![first]
        };
        // On a list a reaper sweeps, the objects are handed to the reaper, on that list only.
        let handed = on.iter().copied().find(|&l| self.reaped[l]);
        if let Some(list) = handed {
            on = vec![list];
        }
        let mut steps: Vec<String> = names.iter().map(|n| format!("alloc {n}")).collect();
        let simple = on.len() == 1 && names.len() == 1;
        if options & 1 != 0 && names.len() == 1 {
            steps.extend(names.iter().map(|n| format!("write {n} 1")));
        }
        steps.extend(self.sections(&on, |list| {
            names
                .iter()
                .map(|n| self.change("list_add", n, list))
                .collect()
        }));
        if handed.is_some() {
            // The reaper unlinks the objects and drops the references they carry.
            return steps;
        }
        if options & 2 != 0 && simple {
            steps.push(format!("read {}", names[0]));
        }
        steps.extend(self.sections(&on, |list| {
            names
                .iter()
                .map(|n| self.change("list_del", n, list))
                .collect()
        }));
        if options & 8 != 0 && simple && !on.iter().any(|&l| self.kept[l]) {
            steps.push(format!("write {} 2", names[0]));
        }
        if !on.iter().any(|&l| self.is_rcu(l)) {
            steps.extend(names.iter().map(|n| format!("put_ref {n}")));
        } else if options & 48 == 48 {
            steps.extend(names.iter().map(|n| format!("put_ref {n} kfree_rcu")));
        } else if options & 32 != 0 && !on.iter().any(|&l| self.referenced[l]) {
            steps.extend(names.iter().map(|n| format!("kfree_rcu {n}")));
        } else if options & 16 != 0 {
            steps.extend(names.iter().map(|n| format!("call_rcu {n}")));
        } else {
            steps.push("synchronize_rcu".to_string());
            steps.extend(names.iter().map(|n| format!("put_ref {n}")));
        }
        steps
    }
}
