//! The scenario language: a lifecycle scenario as a file anyone can write (one TOML file per
//! scenario, read like a litmus test of the Linux memory model: the world, the actors' steps in
//! the kernel's vocabulary, and the verdict each engine must reach), parsed and validated into a
//! [`Scenario`] with errors that name `file:line:column`.

mod actions;
mod builder;
mod error;
mod expect;
mod limits;
mod names;
mod parse;
mod rcu_sections;
mod reader;
mod rule;
mod sometimes;
mod step;
mod step_parser;

pub use actions::Actions;
pub use builder::{RustActor, ScenarioBuilder};
pub use error::ScenarioError;
pub use limits::{COPIES, MAX_LISTS, OBJECTS};
pub use rule::Rule;
pub use sometimes::{Atom, Condition, Sometimes, MAX_SOMETIMES};
pub use step::{Guard, Step};
pub(crate) use step_parser::{parse_step, Names};

use crate::outcome::{Engine, FindingKind, Verdict};
use lifecycle_list::{CheckMode, LockDefect};
use lifecycle_slab::Tagging;

/// A scenario, parsed and validated: everything the interpreter needs to run it on any engine.
///
/// # Invariants
/// - Every list, lock, event and object a step names exists (objects: bound by an earlier step of
///   the same actor); every awaited event is signalled by some actor.
/// - `actors` is not empty; the first actor runs on the execution's main thread.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// `family/variant`, such as `socket-lifecycle/buggy`.
    pub name: String,
    /// What happens, in a paragraph.
    pub story: String,
    /// The fixed (or buggy) twin's name, if the scenario has one.
    pub twin: Option<String>,
    /// The shared state the actors work on.
    pub world: WorldSpec,
    /// The actors, in the order they are started.
    pub actors: Vec<ActorSpec>,
    /// What each engine must conclude.
    pub expect: Expectations,
    /// The states a proof must reach for it not to be vacuous (`[[sometimes]]`).
    pub sometimes: Vec<Sometimes>,
    /// Where the scenario came from, and its text.
    pub source: Source,
}

/// The file a scenario was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The path as given (or `catalogue/NAME.toml` for a built-in scenario).
    pub path: String,
    /// The file's text.
    pub text: String,
}

impl Source {
    /// A stable hash of the text (FNV-1a, 64 bits, as 16 hex digits): replay files record it, so
    /// a schedule saved from one version of a scenario is not replayed against another.
    pub fn hash(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in self.text.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }
}

/// The world of a scenario: one slab of objects, the lists they can be on, the locks.
#[derive(Debug, Clone, PartialEq)]
pub struct WorldSpec {
    /// Slots in the slab (every traversal is bounded by it).
    pub objects: usize,
    /// The slab free list's tagging (`untagged` is broken on purpose: the ABA).
    pub tagging: Tagging,
    /// Where `free-list` is written (1-based line and column), if it is.
    pub tagging_at: Option<(usize, usize)>,
    /// The locks, in declaration order.
    pub locks: Vec<LockSpec>,
    /// The lists, in declaration order; every object embeds one link per list, or one for the
    /// lists that share it (`link = "NAME"`).
    pub lists: Vec<ListSpec>,
    /// The hash tables of `hlist_nulls` chains, in declaration order; every object embeds one
    /// node for them all (as a socket's `sk_nulls_node`), hashed on at most one chain at a time.
    pub tables: Vec<TableSpec>,
    /// The run-time checks in force.
    pub checks: Checks,
    /// The events actors signal and wait for, by name.
    pub events: Vec<String>,
    /// `typesafe-by-rcu = true`: the slab is a `SLAB_TYPESAFE_BY_RCU` cache. A freed slot may be
    /// handed out again at once, but its memory stays an object of the type: a lockless reader
    /// touching it (a walk, a `get_ref_not_zero`) is not a use after free of memory; what can
    /// change is the identity, which a lookup checks again with `recheck`.
    pub typesafe_by_rcu: bool,
}

/// A spinlock of the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockSpec {
    /// Its name (`registry`: messages say "the registry lock").
    pub name: String,
    /// A deliberate defect, or [`LockDefect::None`].
    pub defect: LockDefect,
    /// Where `defect` is written (1-based line and column), if it is.
    pub defect_at: Option<(usize, usize)>,
}

/// A list of the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSpec {
    /// Its name, as steps name it.
    pub name: String,
    /// `raw` (include/linux/list.h) or `debug` (`CONFIG_DEBUG_LIST`).
    pub mode: CheckMode,
    /// The index in [`WorldSpec::locks`] of the lock that protects it.
    pub lock: usize,
    /// `rcu = true`: readers walk it without the lock, inside RCU read-side sections
    /// (`walk_rcu`); its links are RCU links.
    pub rcu: bool,
    /// The index of the list whose link this list's entries use: its own index, or the first
    /// list declaring the same `link = "NAME"` (a task's one `list_head` that moves between a
    /// pending and an active list, as `list_move` does). An entry is on at most one of the
    /// lists that share a link.
    pub link: usize,
}

/// A hash table of the world: `chains` `hlist_nulls` chains (include/linux/rculist_nulls.h),
/// chain `i` ending in the marker of `nulls_base + i`, as the kernel's established-socket table
/// (`__inet_lookup_established` walks one under RCU). An object is hashed to chain
/// `key % chains`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    /// Its name, as steps name it (`ehash`).
    pub name: String,
    /// How many chains.
    pub chains: usize,
    /// The index in [`WorldSpec::locks`] of the lock every writer of its chains holds.
    pub lock: usize,
    /// The nulls value of chain 0's marker (`nulls-base`; by default the number of chains of
    /// the tables declared before it, so no two tables share a marker unless a file says so).
    pub nulls_base: usize,
}

/// The world's run-time checks, beyond what the engines check by themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checks {
    /// KASAN-like: a walk that reaches a free object, and a checked `read`/`write` of a freed
    /// object, are use after free.
    pub use_after_free: bool,
    /// Every list the unlocking actor's lock protects is well formed at every unlock.
    pub invariants_at_unlock: bool,
    /// Every object is free again when every actor is done.
    pub leak: bool,
    /// Walks of `debug` lists check `next.prev == cur` at every step: beyond the kernel, whose
    /// `CONFIG_DEBUG_LIST` checks adds and deletes only.
    pub walk_validation: bool,
}

/// One actor: a named sequence of steps, possibly replicated.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorSpec {
    /// Its name (`owner`); a replicated actor's copies are `name-1`, `name-2`, ...
    pub name: String,
    /// `Some(n)`: `n` identical copies (the command line's `--waiters` changes `n`).
    pub count: Option<usize>,
    /// The steps, each with where it is written (none for a Rust actor).
    pub steps: Vec<Located<Step>>,
    /// A Rust closure that runs instead of `steps`, for a protocol steps cannot express
    /// (added with [`ScenarioBuilder::rust_actor`]).
    pub rust: Option<RustActor>,
    /// Where the actor's table starts (1-based line).
    pub line: usize,
    /// Where the actor's table starts (1-based column).
    pub column: usize,
}

/// A value with the `line:column` it was written at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// What a scenario must conclude on an engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// Every execution passes (and a proof reaches every `[[sometimes]]` state).
    Pass,
    /// An exhaustive engine passes every execution without reaching some `[[sometimes]]`
    /// state: a test of the coverage check itself (an over-constrained scenario).
    Vacuous,
    /// An execution fails with this kind.
    Finding(FindingKind),
    /// The engine cannot see the bug's root cause by design (the reason says why): it passes,
    /// or it trips over one of these symptoms.
    PassOr {
        /// The symptoms it may trip over.
        kinds: Vec<FindingKind>,
        /// Why the engine cannot see the root cause.
        reason: String,
    },
}

impl Expected {
    /// Whether `verdict` is what was expected.
    pub fn accepts(&self, verdict: &Verdict) -> bool {
        match (self, verdict) {
            (Expected::Pass | Expected::PassOr { .. }, Verdict::Pass { .. }) => true,
            (Expected::Vacuous, Verdict::Vacuous { .. }) => true,
            (Expected::Finding(kind), Verdict::Found(finding)) => finding.kind == *kind,
            (Expected::PassOr { kinds, .. }, Verdict::Found(finding)) => {
                kinds.contains(&finding.kind)
            }
            _ => false,
        }
    }

    /// `pass`, the kind's name, or `pass|use-after-free|...`.
    pub fn label(&self) -> String {
        match self {
            Expected::Pass => "pass".to_string(),
            Expected::Vacuous => "vacuous".to_string(),
            Expected::Finding(kind) => kind.name().to_string(),
            Expected::PassOr { kinds, .. } => std::iter::once("pass")
                .chain(kinds.iter().map(|k| k.name()))
                .collect::<Vec<_>>()
                .join("|"),
        }
    }

    /// Why the engine is not expected to find the bug, if it is not.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Expected::PassOr { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

/// The expected verdict on every engine: one for all, with per-engine exceptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    /// The verdict of every engine not named in `per_engine`.
    pub all: Expected,
    /// Exceptions, by engine name.
    pub per_engine: Vec<(String, Expected)>,
    /// `lint = "RULE"`: the protocol rule the scenario breaks on purpose, which the rule checker
    /// must report (and only it); `None`: the scenario follows every rule.
    pub lint: Option<Located<Rule>>,
    /// `diagnosis = ["..."]` (top level of the file): text every finding's diagnosis must
    /// contain, on any engine, so a file asserts what its finding explains, not only its kind.
    pub diagnosis: Vec<String>,
}

impl Expectations {
    /// The verdict expected on the engine named `engine`.
    pub fn on(&self, engine: &str) -> &Expected {
        self.per_engine
            .iter()
            .find(|(name, _)| name == engine)
            .map_or(&self.all, |(_, expected)| expected)
    }
}

impl Scenario {
    /// Starts building a scenario in code; see [`ScenarioBuilder`].
    pub fn builder(name: &str) -> ScenarioBuilder {
        ScenarioBuilder::new(name)
    }

    /// Parses and validates a scenario file's `text`; `path` names it in error messages.
    ///
    /// # Errors
    /// The first problem found, as `path:line:column: what was expected`.
    pub fn parse(path: &str, text: &str) -> Result<Scenario, ScenarioError> {
        parse::parse(path, text)
    }

    /// Reads and parses the file at `path`.
    ///
    /// # Errors
    /// An unreadable file, or as [`Scenario::parse`].
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| ScenarioError {
            path: shown.clone(),
            line: 0,
            column: 0,
            message: format!("cannot read the file: {error}"),
        })?;
        Scenario::parse(&shown, &text)
    }

    /// The catalogue: every scenario under `models/scenarios/`, built into the binary, in file
    /// name order.
    pub fn catalogue() -> Vec<Scenario> {
        CATALOGUE
            .iter()
            .map(|(file, text)| {
                Scenario::parse(&format!("models/scenarios/{file}"), text)
                    .unwrap_or_else(|error| panic!("the built-in catalogue is valid: {error}"))
            })
            .collect()
    }

    /// The catalogue scenario named `name`.
    pub fn named(name: &str) -> Option<Scenario> {
        Scenario::catalogue().into_iter().find(|s| s.name == name)
    }

    /// The expected verdict on `engine`.
    pub fn expected_on(&self, engine: Engine) -> &Expected {
        self.expect.on(engine.name())
    }

    /// Whether the scenario uses RCU at all (a list walked under RCU, or an RCU step): only then
    /// do its actors register with the RCU model (a registration is an atomic operation, which
    /// a checker schedules around, so a scenario without RCU explores as it always did).
    pub fn uses_rcu(&self) -> bool {
        self.world.lists.iter().any(|list| list.rcu)
            || self
                .actors
                .iter()
                .flat_map(|actor| &actor.steps)
                .any(|step| {
                    matches!(
                        step.value,
                        Step::RcuReadLock
                            | Step::RcuReadUnlock
                            | Step::SynchronizeRcu
                            | Step::RcuBarrier
                            | Step::DestroyCache
                    ) || step.value.queues_callback()
                })
    }

    /// Whether any actor may queue an RCU callback ([`Step::queues_callback`]): the run then
    /// has a grace-period worker thread of its own.
    pub fn uses_rcu_callbacks(&self) -> bool {
        self.actors
            .iter()
            .flat_map(|actor| &actor.steps)
            .any(|step| step.value.queues_callback())
    }

    /// Whether any actor is replicated (so `--waiters` means something for this scenario).
    pub fn has_replicated_actor(&self) -> bool {
        self.actors.iter().any(|a| a.count.is_some())
    }
}

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));
