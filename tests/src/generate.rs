//! Generated lifecycles: proptest strategies that build scenario files from the step vocabulary
//! (2 to 4 actors, 1 to 3 objects, 1 or 2 lists, 3 to 12 steps each) in the protocol's shapes,
//! an owner's lifecycle, a reader's lookup, a reaper's sweep, and optionally one rule broken on
//! purpose ([`Mutation`]). Every case is a [`Scenario`] built by [`ScenarioBuilder`], so its
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
        /// 4 on both lists, 8 write after unlinking (only where no one keeps entries).
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
    /// Unlinks every entry of its list with `reap_safe` and drops the references they carried.
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
        3 => (1u8..=2, 0u8..16).prop_map(|(objects, options)| Role::Owner { objects, options }),
        3 => (0u8..2, 0u8..4).prop_map(|(list, shape)| Role::Reader { list, shape }),
        1 => (0u8..2, any::<bool>()).prop_map(|(list, read)| Role::Reaper { list, read }),
    ]
}

/// The choices of a case; `mutate`: break one rule on purpose.
pub fn choices(mutate: bool) -> impl Strategy<Value = Choices> {
    let mutation = if mutate {
        let breakable = crate::mutate::breakable();
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
        (1u8..=2, 0u8..16),
        prop::collection::vec(role(), 1..=3),
        any::<u8>(),
        1usize..=2,
        mutation,
    )
        .prop_map(
            |(lists, lock_per_list, debug, ordered, first, rest, waits, bound, mutation)| {
                let mut roles = vec![Role::Owner {
                    objects: first.0,
                    options: first.1,
                }];
                roles.extend(rest);
                Choices {
                    lists,
                    lock_per_list,
                    debug,
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
    let mut roles = choices.roles.clone();
    // Objects: at most 3 in all (an owner past the budget looks up instead).
    let mut budget = 3u8;
    for role in &mut roles {
        if matches!(role, Role::Owner { .. }) && budget == 0 {
            *role = Role::Reader { list: 0, shape: 2 };
        }
        match role {
            Role::Owner { objects, .. } => {
                *objects = (*objects).clamp(1, budget);
                budget -= *objects;
            }
            Role::Reader { list, .. } | Role::Reaper { list, .. } => *list %= lists as u8,
        }
    }
    if choices.mutation.map(|m| m.rule) == Some(Rule::DeleteInPlainWalk)
        && !roles.iter().any(|r| matches!(r, Role::Reaper { .. }))
    {
        roles.push(Role::Reaper {
            list: 0,
            read: false,
        });
    }
    let reaped: Vec<bool> = (0..lists)
        .map(|l| {
            roles
                .iter()
                .any(|r| matches!(r, Role::Reaper { list, .. } if usize::from(*list) == l))
        })
        .collect();
    let kept: Vec<bool> = (0..lists)
        .map(|l| {
            roles.iter().any(|r| match r {
                Role::Reader { list, shape } => usize::from(*list) == l && *shape > 0,
                Role::Reaper { list, .. } => usize::from(*list) == l,
                Role::Owner { .. } => false,
            })
        })
        .collect();
    let lock_of = |list: usize| {
        if lists == 2 && choices.lock_per_list {
            LISTS[list]
        } else {
            LISTS[0]
        }
    };
    let world = World {
        lists,
        reaped,
        kept,
        lock_of: &lock_of,
    };
    let mut actors: Vec<Vec<String>> = roles
        .iter()
        .enumerate()
        .map(|(index, role)| world.steps(*role, index))
        .collect();
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
        builder = builder.list_with(name, mode, Some(lock_of(list)));
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
    // stays well under a second.
    let steps: usize = actors.iter().map(Vec::len).sum();
    let small = actors.len() <= 3 && steps <= 20;
    Case {
        scenario,
        text,
        intended: choices.mutation.map(|m| m.rule),
        preemption_bound: if small { choices.preemption_bound } else { 1 },
    }
}

/// What an actor's steps depend on in the world.
struct World<'a> {
    lists: usize,
    /// A reaper sweeps the list: owners hand their objects to it.
    reaped: Vec<bool>,
    /// Some actor keeps entries of the list: owners do not write after publishing there.
    kept: Vec<bool>,
    lock_of: &'a dyn Fn(usize) -> &'static str,
}

impl World<'_> {
    /// `steps` inside one critical section per lock the lists in `on` need.
    fn sections(&self, on: &[usize], steps: impl Fn(&str) -> Vec<String>) -> Vec<String> {
        let mut out = Vec::new();
        let mut locks: Vec<&str> = on.iter().map(|&l| (self.lock_of)(l)).collect();
        locks.dedup();
        for lock in locks {
            out.push(format!("lock {lock}"));
            for &list in on.iter().filter(|&&l| (self.lock_of)(l) == lock) {
                out.extend(steps(LISTS[list]));
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
        let on: Vec<usize> = if both && (self.lock_of)(0) == (self.lock_of)(1) {
            vec![0, 1]
        } else {
            vec![first]
        };
        let handed = on.iter().any(|&l| self.reaped[l]);
        let on = if handed { vec![first] } else { on };
        let mut steps: Vec<String> = names.iter().map(|n| format!("alloc {n}")).collect();
        let simple = on.len() == 1 && names.len() == 1;
        if options & 1 != 0 && names.len() == 1 {
            steps.extend(names.iter().map(|n| format!("write {n} 1")));
        }
        steps.extend(self.sections(&on, |list| {
            names
                .iter()
                .map(|n| format!("list_add {n} {list}"))
                .collect()
        }));
        if handed {
            // The reaper unlinks the objects and drops the references they carry.
            return steps;
        }
        if options & 2 != 0 && simple {
            steps.push(format!("read {}", names[0]));
        }
        steps.extend(self.sections(&on, |list| {
            names
                .iter()
                .map(|n| format!("list_del {n} {list}"))
                .collect()
        }));
        if options & 8 != 0 && simple && !on.iter().any(|&l| self.kept[l]) {
            steps.push(format!("write {} 2", names[0]));
        }
        steps.extend(names.iter().map(|n| format!("put_ref {n}")));
        steps
    }
}
