//! `ScenarioBuilder`: the same scenario a file describes, built in code (for a user's `#[test]`),
//! validated by the same parser: the builder writes the file's text, so a built scenario has a
//! file to show in reports and a hash for replays. An actor may also be a Rust closure
//! ([`ScenarioBuilder::rust_actor`]) where steps cannot express a protocol.

use super::parse::parse_with_rust_actors;
use super::{Actions, Scenario, ScenarioError};
use crate::outcome::Stop;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// The body of a Rust actor: runs with the actor's [`Actions`] (steps by text, locals, data).
type ActorFn = dyn Fn(&mut dyn Actions) -> Result<(), Stop> + Send + Sync;

/// A Rust closure acting as an actor. Compared by identity.
#[derive(Clone)]
pub struct RustActor(pub(crate) Arc<ActorFn>);

impl fmt::Debug for RustActor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RustActor(..)")
    }
}

impl PartialEq for RustActor {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Serialize)]
struct WorldShape {
    objects: usize,
    #[serde(rename = "free-list")]
    free_list: String,
    checks: Vec<String>,
    locks: Vec<LockShape>,
    lists: Vec<ListShape>,
    events: Vec<String>,
    #[serde(rename = "typesafe-by-rcu", skip_serializing_if = "std::ops::Not::not")]
    typesafe_by_rcu: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tables: Vec<TableShape>,
}

#[derive(Debug, Clone, Serialize)]
struct TableShape {
    name: String,
    chains: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    lock: Option<String>,
}

#[derive(Serialize)]
struct LockShape {
    name: String,
    defect: String,
}

#[derive(Debug, Clone, Serialize)]
struct ListShape {
    name: String,
    mode: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    lock: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    rcu: bool,
}

#[derive(Serialize)]
struct ActorShape {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<usize>,
    steps: Vec<String>,
}

#[derive(Serialize)]
struct FileShape {
    name: String,
    story: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    twin: Option<String>,
    world: WorldShape,
    actor: Vec<ActorShape>,
    expect: std::collections::BTreeMap<String, String>,
}

/// Builds a [`Scenario`] in code, the way a file would declare it.
///
/// ```
/// use lifecycle_models::Scenario;
/// let scenario = Scenario::builder("mine/put-before-del")
///     .story("the owner drops its reference before it unlinks the object")
///     .objects(2)
///     .list("registry")
///     .checks(["use-after-free", "leak"])
///     .actor("owner", ["alloc s", "lock", "list_add s registry", "unlock",
///                      "put_ref s", "lock", "list_del s registry", "unlock"])
///     .expect("all", "use-after-free")
///     .build()
///     .expect("a valid scenario");
/// assert_eq!(scenario.actors.len(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct ScenarioBuilder {
    name: String,
    story: String,
    twin: Option<String>,
    objects: usize,
    tagging: String,
    checks: Vec<String>,
    locks: Vec<(String, String)>,
    lists: Vec<ListShape>,
    events: Vec<String>,
    typesafe_by_rcu: bool,
    tables: Vec<TableShape>,
    actors: Vec<(String, Option<usize>, Vec<String>)>,
    rust: Vec<(String, RustActor)>,
    expect: Vec<(String, String)>,
}

impl ScenarioBuilder {
    /// A scenario named `name` (`family/variant`) with 2 objects and nothing else yet.
    pub fn new(name: &str) -> Self {
        ScenarioBuilder {
            name: name.to_string(),
            story: String::new(),
            twin: None,
            objects: 2,
            tagging: "tagged".to_string(),
            checks: Vec::new(),
            locks: Vec::new(),
            lists: Vec::new(),
            events: Vec::new(),
            typesafe_by_rcu: false,
            tables: Vec::new(),
            actors: Vec::new(),
            rust: Vec::new(),
            expect: Vec::new(),
        }
    }

    /// The story.
    pub fn story(mut self, story: &str) -> Self {
        self.story = story.to_string();
        self
    }

    /// The twin's name.
    pub fn twin(mut self, twin: &str) -> Self {
        self.twin = Some(twin.to_string());
        self
    }

    /// Slab slots.
    pub fn objects(mut self, objects: usize) -> Self {
        self.objects = objects;
        self
    }

    /// The free list's tagging: `tagged` or `untagged`.
    pub fn free_list(mut self, tagging: &str) -> Self {
        self.tagging = tagging.to_string();
        self
    }

    /// Run-time checks: `use-after-free`, `invariants-at-unlock`, `leak`.
    pub fn checks<'a>(mut self, checks: impl IntoIterator<Item = &'a str>) -> Self {
        self.checks = checks.into_iter().map(str::to_string).collect();
        self
    }

    /// A lock with a defect (`none`, `relaxed-unlock`, `load-then-store`).
    pub fn lock(mut self, name: &str, defect: &str) -> Self {
        self.locks.push((name.to_string(), defect.to_string()));
        self
    }

    /// A raw list, protected by the only lock.
    pub fn list(self, name: &str) -> Self {
        self.list_with(name, "raw", None)
    }

    /// A list with its mode (`raw`, `debug`) and, if the world has several locks, its lock.
    pub fn list_with(mut self, name: &str, mode: &str, lock: Option<&str>) -> Self {
        self.lists.push(ListShape {
            name: name.to_string(),
            mode: mode.to_string(),
            lock: lock.map(str::to_string),
            rcu: false,
        });
        self
    }

    /// A list as [`ScenarioBuilder::list_with`] declares it, which readers walk under RCU
    /// (`rcu = true` in a file): its changes must be the `_rcu` forms.
    pub fn rcu_list_with(self, name: &str, mode: &str, lock: Option<&str>) -> Self {
        let mut built = self.list_with(name, mode, lock);
        if let Some(list) = built.lists.last_mut() {
            list.rcu = true;
        }
        built
    }

    /// The slab is a `SLAB_TYPESAFE_BY_RCU` cache (`typesafe-by-rcu = true` in a file).
    pub fn typesafe_by_rcu(mut self) -> Self {
        self.typesafe_by_rcu = true;
        self
    }

    /// A hash table of `chains` hlist_nulls chains (`tables = [{ name, chains, lock }]` in a
    /// file) and, if the world has several locks, the lock that protects its changes.
    pub fn table(mut self, name: &str, chains: usize, lock: Option<&str>) -> Self {
        self.tables.push(TableShape {
            name: name.to_string(),
            chains,
            lock: lock.map(str::to_string),
        });
        self
    }

    /// An event actors signal and wait for.
    pub fn event(mut self, name: &str) -> Self {
        self.events.push(name.to_string());
        self
    }

    /// An actor and its steps.
    pub fn actor<'a>(mut self, name: &str, steps: impl IntoIterator<Item = &'a str>) -> Self {
        let steps = steps.into_iter().map(str::to_string).collect();
        self.actors.push((name.to_string(), None, steps));
        self
    }

    /// `count` identical copies of an actor (`--waiters` and [`crate::Check::copies`] change it).
    pub fn actors<'a>(
        mut self,
        name: &str,
        count: usize,
        steps: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let steps = steps.into_iter().map(str::to_string).collect();
        self.actors.push((name.to_string(), Some(count), steps));
        self
    }

    /// An actor written in Rust: `body` gets the actor's [`Actions`] and may loop, branch and
    /// run steps by text (`actions.step("lock")?`).
    pub fn rust_actor(
        mut self,
        name: &str,
        body: impl Fn(&mut dyn Actions) -> Result<(), Stop> + Send + Sync + 'static,
    ) -> Self {
        self.actors.push((name.to_string(), None, Vec::new()));
        self.rust
            .push((name.to_string(), RustActor(Arc::new(body))));
        self
    }

    /// The verdict expected on `engine` (`all` for every engine not named).
    pub fn expect(mut self, engine: &str, verdict: &str) -> Self {
        self.expect.push((engine.to_string(), verdict.to_string()));
        self
    }

    /// The scenario's file text, as the builder writes it.
    pub fn to_toml(&self) -> String {
        let shape = FileShape {
            name: self.name.clone(),
            story: self.story.clone(),
            twin: self.twin.clone(),
            world: WorldShape {
                objects: self.objects,
                free_list: self.tagging.clone(),
                checks: self.checks.clone(),
                locks: self
                    .locks
                    .iter()
                    .map(|(name, defect)| LockShape {
                        name: name.clone(),
                        defect: defect.clone(),
                    })
                    .collect(),
                lists: self.lists.clone(),
                events: self.events.clone(),
                typesafe_by_rcu: self.typesafe_by_rcu,
                tables: self.tables.clone(),
            },
            actor: self
                .actors
                .iter()
                .map(|(name, count, steps)| ActorShape {
                    name: name.clone(),
                    count: *count,
                    steps: steps.clone(),
                })
                .collect(),
            expect: self.expect.iter().cloned().collect(),
        };
        toml::to_string(&shape).expect("a built scenario serializes")
    }

    /// Validates and builds the scenario.
    ///
    /// # Errors
    /// What a file with the same content would get, at `built:NAME:line:column` of
    /// [`ScenarioBuilder::to_toml`]'s text.
    pub fn build(self) -> Result<Scenario, ScenarioError> {
        let text = self.to_toml();
        let path = format!("built:{}", self.name);
        let mut scenario = parse_with_rust_actors(&path, &text, !self.rust.is_empty())?;
        for (name, body) in self.rust {
            let actor = scenario
                .actors
                .iter_mut()
                .find(|a| a.name == name)
                .expect("every Rust actor was written into the file");
            actor.rust = Some(body);
        }
        Ok(scenario)
    }
}

#[cfg(test)]
mod tests {
    use super::ScenarioBuilder;

    #[test]
    fn an_rcu_list_is_written_and_parsed_as_one_readers_walk_under_rcu() {
        let builder = ScenarioBuilder::new("built/rcu")
            .list("plain")
            .rcu_list_with("registry", "debug", None)
            .actor(
                "reader",
                ["rcu_read_lock", "walk_rcu registry", "rcu_read_unlock"],
            )
            .expect("all", "pass");
        assert!(builder.to_toml().contains("rcu = true"));
        let scenario = builder.build().expect("a valid scenario");
        let rcu: Vec<(&str, bool)> = scenario
            .world
            .lists
            .iter()
            .map(|list| (list.name.as_str(), list.rcu))
            .collect();
        assert_eq!(rcu, [("plain", false), ("registry", true)]);
    }
}
