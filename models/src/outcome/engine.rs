//! `Engine`: the identity of each engine a scenario runs on (its name as files and reports write
//! it, whether its pass is a proof, who confirms a deadlock), and nothing of how it runs: that is
//! one file per engine under `engine/`.

use serde::Serialize;
use std::fmt;

/// An engine that runs scenarios.
///
/// Adding an engine: a variant here (with its row in [`Engine::ALL`] and its name), and its file
/// under `engine/` registered in `engine::checker`; scenario files then accept its name under
/// `[expect]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Engine {
    /// loom: exhaustive within the preemption bound, C11 weak memory, data races.
    Loom,
    /// shuttle's uniformly random scheduler.
    ShuttleRandom,
    /// shuttle's PCT scheduler (probabilistic concurrency testing, bug depth `pct_depth`).
    ShuttlePct,
    /// shuttle's depth-first scheduler (exhaustive, no partial-order reduction).
    ShuttleDfs,
    /// Real threads, with the soft-lockup watchdog.
    Std,
    /// The state graph at step level: each distinct state once, no bound, liveness included.
    States,
}

impl Engine {
    /// Every engine, in report order.
    pub const ALL: [Engine; 6] = [
        Engine::Loom,
        Engine::ShuttleRandom,
        Engine::ShuttlePct,
        Engine::ShuttleDfs,
        Engine::Std,
        Engine::States,
    ];

    /// The engine's name: `loom`, `shuttle-random`, `shuttle-pct`, `shuttle-dfs`, `std`,
    /// `states` (as scenario files name it under `[expect]`).
    pub fn name(self) -> &'static str {
        match self {
            Engine::Loom => "loom",
            Engine::ShuttleRandom => "shuttle-random",
            Engine::ShuttlePct => "shuttle-pct",
            Engine::ShuttleDfs => "shuttle-dfs",
            Engine::Std => "std",
            Engine::States => "states",
        }
    }

    /// The engine named `name`, if any.
    pub fn from_name(name: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.name() == name)
    }

    /// Every engine's name, in report order (for error messages that list the choices).
    pub fn names() -> Vec<&'static str> {
        Engine::ALL.map(Engine::name).to_vec()
    }

    /// Whether a pass on this engine is a proof (every execution, or every state, within its
    /// bounds): loom and states. Their passes must reach every `[[sometimes]]` state, or they
    /// are vacuous.
    pub fn proves(self) -> bool {
        matches!(self, Engine::Loom | Engine::States)
    }

    /// Who confirms that threads are blocked forever on this engine, as a diagnosis says it:
    /// `loom`, `shuttle`, `the watchdog`, `the state graph`.
    pub fn witness(self) -> &'static str {
        match self {
            Engine::Loom => "loom",
            Engine::ShuttleRandom | Engine::ShuttlePct | Engine::ShuttleDfs => "shuttle",
            Engine::Std => "the watchdog",
            Engine::States => "the state graph",
        }
    }

    /// What this engine counts: `states` for the state graph, `executions` for the others.
    pub fn unit(self) -> &'static str {
        if self == Engine::States {
            "states"
        } else {
            "executions"
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Engine {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Engine;

    #[test]
    fn every_engine_is_found_by_its_own_name_and_names_are_distinct() {
        for engine in Engine::ALL {
            assert_eq!(Engine::from_name(engine.name()), Some(engine));
        }
        let mut names = Engine::names();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Engine::ALL.len());
        assert_eq!(
            Engine::from_name("all"),
            None,
            "`all` is the [expect] default"
        );
    }
}
