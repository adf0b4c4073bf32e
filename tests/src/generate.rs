//! Generated lifecycles: proptest strategies that build scenario files from the step vocabulary
//! (2 to 4 actors, 1 to 3 objects, 1 or 2 lists, 3 to 12 steps each) in the protocol's shapes,
//! an owner's lifecycle, a reader's lookup under the lock or under RCU, a reaper's sweep, and
//! optionally one rule broken on purpose ([`Mutation`]). In an RCU world the first list is
//! walked under RCU (docs/design.md section 10): owners change it with the `_rcu` operations
//! and release what they removed after a grace period (`synchronize_rcu`, `call_rcu` or
//! `kfree_rcu`), and lockless readers walk it inside read-side sections. In a socket world
//! (docs/design.md section 12) the slab is `SLAB_TYPESAFE_BY_RCU` and the objects hang on a
//! hash table of hlist_nulls chains: owners hash sockets under the table's lock, unhash them,
//! drop them and reuse their slots with keys on the other chain, and readers look keys up
//! with no lock the way `__inet_lookup_established` does (nulls restart, `get_ref_not_zero`,
//! recheck). Every case is a [`Scenario`] built by [`ScenarioBuilder`], so its TOML text is
//! what a failing case is kept as.

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
        /// Options, as bits: 1 write before publishing (not in a socket world, where the count
        /// set at `alloc` already publishes the object to lookups standing on its slot), 2 read
        /// after unlocking (own reference),
        /// 4 on both lists (in a socket world: reuse the last socket's slot at once for a key
        /// on the other chain), 8 write after unlinking (only where no one keeps entries; in a
        /// socket world: unhash with `hlist_nulls_del_rcu` instead of `_del_init_rcu`); on a
        /// list walked under RCU, how the removed object is released after its grace period:
        /// 16 and 32 together `put_ref x kfree_rcu` at once (a release that defers the free: the
        /// count may reach 0 under a reader, whose get is then `get_ref_not_zero`), 16
        /// `call_rcu` (a deferred `put_ref`), 32 `kfree_rcu` (only where nobody takes
        /// references on the list's entries), neither `synchronize_rcu` then `put_ref`; 64 (on a
        /// list not walked under RCU) the guarded unlink of kernel teardown paths,
        /// `list_del_init x L if x linked L`.
        options: u8,
    },
    /// Looks an entry up under the lock: 0 walk only, 1 keep and read under the lock, 2 keep,
    /// take a reference, read after the unlock, drop it; 3 as 2 with `walk_safe`; 4 as 2, and
    /// back under the lock resumes the walk from the kept entry if it is still linked
    /// (`walk_continue k L if k linked L`: a cursor kept across an unlock; owners of that list
    /// then unlink with `list_del_init`, and no reaper sweeps it).
    Reader {
        /// The list it walks.
        list: u8,
        /// The lookup's shape, 0 to 4.
        shape: u8,
    },
    /// Looks an entry up with no lock, inside an RCU read-side section (`walk_rcu`): 0 walk
    /// only, 1 keep and read inside the section, 2 keep, take a reference inside the section
    /// (`get_ref_not_zero` where an owner's count may reach 0 under readers), read after
    /// `rcu_read_unlock`, drop it. In a world without RCU, a [`Role::Reader`]. In a socket
    /// world every role but the owner's is this one, looking a key up in the table: 0 the walk
    /// and its nulls restart only, 1 also `get_ref_not_zero` and the recheck, read after the
    /// section, drop it, 2 as 1 and `expect_found` (a miss is a finding when it should not be).
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
    /// A socket world: a type-stable cache and a hash table instead of lists (always, when the
    /// mutation breaks a rule only lookups can break; never, when it breaks a list's rule).
    pub sockets: bool,
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
        3 => (1u8..=2, 0u8..128).prop_map(|(objects, options)| Role::Owner { objects, options }),
        3 => (0u8..2, 0u8..5).prop_map(|(list, shape)| Role::Reader { list, shape }),
        2 => (0u8..3).prop_map(|shape| Role::RcuReader { shape }),
        1 => (0u8..2, any::<bool>()).prop_map(|(list, read)| Role::Reaper { list, read }),
    ]
}

/// The rules a socket world can break on purpose (the others are about plain or `_rcu` lists).
/// A type-stable cache is generated only as a socket world: over plain lists loom finds a
/// walker carried through a reused node, which no rule states (README, open questions).
const SOCKET_RULES: [Rule; 15] = [
    Rule::UnlockedList,
    Rule::LinkedAtFree,
    Rule::UseAfterPut,
    Rule::DoubleFree,
    Rule::FreeWhileShared,
    Rule::WriteAfterPublish,
    Rule::LockMisuse,
    Rule::WaitCycle,
    Rule::UntaggedFreeList,
    Rule::DefectiveLock,
    Rule::UseAfterRcuUnlock,
    Rule::SyncInReadSection,
    Rule::PlainGetUnderRcu,
    Rule::LookupWithoutRecheck,
    Rule::NullsWalkWithoutRestart,
];

/// The rules only a socket world can break.
const SOCKET_ONLY: [Rule; 2] = [Rule::LookupWithoutRecheck, Rule::NullsWalkWithoutRestart];

/// The choices of a case; `mutate`: break one rule on purpose.
pub fn choices(mutate: bool) -> impl Strategy<Value = Choices> {
    let mutation = if mutate {
        // Every rule: each has a shape in a world of lists or in a socket world.
        let breakable: Vec<Rule> = Rule::ALL.to_vec();
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
        prop::bool::weighted(0.3),
        (1u8..=2, 0u8..128),
        prop::collection::vec(role(), 1..=3),
        any::<u8>(),
        1usize..=2,
        mutation,
    )
        .prop_map(
            |(
                lists,
                lock_per_list,
                debug,
                rcu,
                ordered,
                sockets,
                first,
                rest,
                waits,
                bound,
                mutation,
            )| {
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
                    sockets,
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

/// The table of a socket world, and the lock its changes take.
const TABLE: &str = "ehash";

/// What a case's `[world]` declares besides its objects, events and actors.
struct Declarations {
    /// The locks; the first one gets the lock defect a mutation asks for.
    locks: Vec<&'static str>,
    /// Each list: its name, whether readers walk it under RCU, its lock.
    lists: Vec<(&'static str, bool, &'static str)>,
    /// The lists' mode (`raw` or `debug`).
    mode: &'static str,
    /// A socket world: a type-stable cache and this table of two chains under the first lock.
    table: Option<&'static str>,
}

impl Declarations {
    /// `builder` with these declarations; `defect` on the first lock.
    fn declare(&self, mut builder: ScenarioBuilder, defect: &str) -> ScenarioBuilder {
        for (index, lock) in self.locks.iter().enumerate() {
            builder = builder.lock(lock, if index == 0 { defect } else { "none" });
        }
        for &(name, rcu, lock) in &self.lists {
            builder = if rcu {
                builder.rcu_list_with(name, self.mode, Some(lock))
            } else {
                builder.list_with(name, self.mode, Some(lock))
            };
        }
        if let Some(table) = self.table {
            builder = builder
                .typesafe_by_rcu()
                .table(table, 2, Some(self.locks[0]));
        }
        builder
    }
}

/// Builds the case `choices` describe.
pub fn build(choices: &Choices) -> Case {
    let intended = choices.mutation.map(|m| m.rule);
    let sockets = match intended {
        Some(rule) if SOCKET_ONLY.contains(&rule) => true,
        Some(rule) => choices.sockets && SOCKET_RULES.contains(&rule),
        None => choices.sockets,
    };
    let (roles, mut actors, declarations) = if sockets {
        socket_world(choices)
    } else {
        list_world(choices)
    };
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
    builder = declarations.declare(builder, defect);
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
        intended,
        preemption_bound: if small { choices.preemption_bound } else { 1 },
    }
}

/// The roles, steps and declarations of a world of lists.
fn list_world(choices: &Choices) -> (Vec<Role>, Vec<Vec<String>>, Declarations) {
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
    // A cursor kept across an unlock is resumed only on a list whose entries are unlinked with
    // `list_del_init` (a poisoned or RCU-deleted link reads as linked): not on a list a reaper
    // sweeps or readers walk under RCU.
    let reaped: Vec<u8> = roles
        .iter()
        .filter_map(|r| match r {
            Role::Reaper { list, .. } => Some(*list),
            _ => None,
        })
        .collect();
    for role in &mut roles {
        if let Role::Reader { list, shape: 4 } = *role {
            if reaped.contains(&list) || (rcu && list == 0) {
                *role = Role::Reader { list, shape: 2 };
            }
        }
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
    let locks: Vec<&'static str> = if lists == 2 && choices.lock_per_list {
        LISTS.to_vec()
    } else {
        vec![LISTS[0]]
    };
    let declarations = Declarations {
        locks,
        lists: (0..lists)
            .map(|list| (LISTS[list], rcu && list == 0, lock_of(list)))
            .collect(),
        mode: if choices.debug { "debug" } else { "raw" },
        table: None,
    };
    (roles, actors, declarations)
}

/// The roles, steps and declarations of a socket world: owners (at most 2 sockets in all, a
/// reuse counted: loom's cost grows fast with a lookup's steps) and lookups; a lookup rule to
/// break gets the reuse and the lookup it needs.
fn socket_world(choices: &Choices) -> (Vec<Role>, Vec<Vec<String>>, Declarations) {
    let intended = choices.mutation.map(|m| m.rule);
    let mut budget = 2u8;
    let mut roles: Vec<Role> = choices
        .roles
        .iter()
        .map(|&role| match role {
            Role::Owner { objects, options } if budget > 0 => {
                let objects = objects.clamp(1, budget);
                budget -= objects;
                let reuse = options & 4 != 0 && budget > 0;
                budget -= u8::from(reuse);
                let options = if reuse { options } else { options & !4 };
                Role::Owner { objects, options }
            }
            Role::RcuReader { shape } | Role::Reader { shape, .. } => Role::RcuReader {
                shape: shape.min(2),
            },
            Role::Owner { .. } | Role::Reaper { .. } => Role::RcuReader { shape: 2 },
        })
        .collect();
    // Lookups are one action per node on the state graph and restart: 3 actors keep a case's
    // graph within the oracle's state limit (4 actors measured 9 s on the states engine).
    roles.truncate(3);
    // Which hashed key each lookup seeks: the keys of every owner's sockets, in turn.
    let mut keys: Vec<u32> = roles
        .iter()
        .enumerate()
        .filter_map(|(i, role)| match role {
            Role::Owner { objects, .. } => {
                Some((0..u32::from(*objects)).map(move |j| first_key(i) + 2 * j))
            }
            _ => None,
        })
        .flatten()
        .collect();
    let turn = usize::from(choices.waits) % keys.len();
    keys.rotate_left(turn);
    if let Some(
        rule
        @ (Rule::LookupWithoutRecheck | Rule::NullsWalkWithoutRestart | Rule::PlainGetUnderRcu),
    ) = intended
    {
        // The interleavings that make the lookup's lines necessary: a socket hashed ahead of
        // the one looked up on chain 0 is freed and its slot reused at once on chain 1 (the
        // walk standing on it ends on chain 1's marker), or the one looked up is the socket
        // freed and reused for another key (only the recheck tells).
        let options = match choices.roles[0] {
            Role::Owner { options, .. } => options & 10,
            _ => 0,
        };
        roles = vec![
            Role::Owner {
                objects: 2,
                options: options | 4,
            },
            Role::RcuReader { shape: 2 },
        ];
        let sought = if rule == Rule::NullsWalkWithoutRestart {
            0
        } else {
            2
        };
        keys = vec![first_key(0) + sought];
    }
    if intended.is_some_and(Rule::is_rcu)
        && !roles
            .iter()
            .any(|r| matches!(r, Role::RcuReader { shape } if *shape > 0))
    {
        roles.truncate(2);
        roles.push(Role::RcuReader { shape: 1 });
    }
    let actors = roles
        .iter()
        .enumerate()
        .map(|(index, &role)| match role {
            Role::Owner { objects, options } => socket_owner(objects, options, index),
            Role::RcuReader { shape } => socket_lookup(shape, keys[index % keys.len()]),
            Role::Reader { .. } | Role::Reaper { .. } => {
                unreachable!("a socket world's roles are owners and lookups")
            }
        })
        .collect();
    let declarations = Declarations {
        locks: vec![TABLE],
        lists: Vec::new(),
        mode: "raw",
        table: Some(TABLE),
    };
    (roles, actors, declarations)
}

/// The key of actor `index`'s first socket: even (chain 0 of two), distinct per actor; its
/// second socket's key is 2 more, and a reused slot's key 1 more than the last (chain 1).
fn first_key(index: usize) -> u32 {
    4 * index as u32 + 2
}

/// A socket owner: hashes its sockets under the table's lock (the last one ahead of the
/// first on chain 0), unhashes and drops the last, with option 4 reuses its slot at once for a
/// key on chain 1 (a type-stable cache hands it out with no grace period) while the first is
/// still hashed behind where it stood, then unhashes and drops the rest.
fn socket_owner(objects: u8, options: u8, index: usize) -> Vec<String> {
    let names: Vec<(String, u32)> = (0..u32::from(objects))
        .map(|j| {
            (
                format!("{}{index}", ["s", "t"][j as usize]),
                first_key(index) + 2 * j,
            )
        })
        .collect();
    let unhash = if options & 8 != 0 {
        "hlist_nulls_del_rcu"
    } else {
        "hlist_nulls_del_init_rcu"
    };
    let open = |steps: &mut Vec<String>, name: &str, key: u32| {
        steps.extend([
            format!("alloc {name} key {key}"),
            format!("lock {TABLE}"),
            format!("hlist_nulls_add_head_rcu {name} {TABLE}"),
            format!("unlock {TABLE}"),
        ]);
    };
    let mut steps = Vec::new();
    for (name, key) in &names {
        open(&mut steps, name, *key);
    }
    let close = |steps: &mut Vec<String>, name: &str| {
        steps.extend([
            format!("lock {TABLE}"),
            format!("{unhash} {name} {TABLE}"),
            format!("unlock {TABLE}"),
        ]);
        if options & 2 != 0 {
            steps.push(format!("read {name}"));
        }
        steps.push(format!("put_ref {name}"));
    };
    let (last, last_key) = names.last().expect("an owner has a socket");
    close(&mut steps, last);
    let reused = format!("u{index}");
    if options & 4 != 0 {
        open(&mut steps, &reused, last_key + 1);
    }
    for (name, _) in names.iter().rev().skip(1) {
        close(&mut steps, name);
    }
    if options & 4 != 0 {
        close(&mut steps, &reused);
    }
    steps
}

/// A lockless lookup of `key`, as `__inet_lookup_established` does it (shape: see
/// [`Role::RcuReader`]).
fn socket_lookup(shape: u8, key: u32) -> Vec<String> {
    let mut steps = vec![
        "rcu_read_lock".to_string(),
        format!("lookup_rcu {TABLE} key {key} into k"),
        "nulls_restart k".to_string(),
    ];
    if shape == 0 {
        steps.push("rcu_read_unlock".to_string());
        return steps;
    }
    steps.extend([
        "get_ref_not_zero k".to_string(),
        format!("recheck k key {key} restart"),
        "rcu_read_unlock".to_string(),
    ]);
    if shape == 2 {
        steps.push("expect_found k".to_string());
    }
    steps.extend(["read k".to_string(), "put_ref k".to_string()]);
    steps
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
    /// Some actor resumes a walk from an entry it kept across an unlock: owners unlink with
    /// `list_del_init`, so that its `if k linked L` guard reads a removed entry as unlinked.
    cursors: Vec<bool>,
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
            cursors: any_role(
                &|r, l| matches!(r, Role::Reader { list, shape: 4 } if usize::from(*list) == l),
            ),
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
                    4 => steps.extend([
                        format!("walk {name} keep k"),
                        "get_ref k".to_string(),
                        format!("unlock {lock}"),
                        "read k".to_string(),
                        format!("lock {lock}"),
                        format!("walk_continue k {name} if k linked {name}"),
                        format!("unlock {lock}"),
                        "put_ref k".to_string(),
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
                .map(
                    |n| match (self.is_rcu(list), options & 64 != 0, self.cursors[list]) {
                        (false, true, _) => {
                            format!("list_del_init {n} {0} if {n} linked {0}", LISTS[list])
                        }
                        (false, false, true) => format!("list_del_init {n} {}", LISTS[list]),
                        _ => self.change("list_del", n, list),
                    },
                )
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
