//! `Plan`: a scenario resolved once with everything a run needs beyond its file (copies of
//! replicated actors, slab slots, bounds, the watchdog's limit), each number checked against the
//! one range it has (`language`'s limits for what a file can also say, [`Bounds`]' for the rest).
//! Every engine and the interpreter take a `Plan`; nothing downstream overrides or re-validates.

mod bounds;

pub use bounds::Bounds;

use crate::language::{Scenario, WorldSpec, COPIES, OBJECTS};
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

/// What a run asks for beyond the scenario's file: each `None` keeps the file's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Copies of every replicated actor (`count` in the file, `--waiters`).
    pub copies: Option<usize>,
    /// Slab slots (`objects` in the file, `--objects`).
    pub objects: Option<usize>,
    /// How far each engine explores.
    pub bounds: Bounds,
    /// std only: how long a lock may be held before the watchdog reports a soft lockup (and
    /// twice this with no progress at all is a stall).
    pub watchdog: Duration,
}

impl Default for Settings {
    /// The file's counts, [`Bounds::quick`], a 100 ms watchdog.
    fn default() -> Self {
        Settings {
            copies: None,
            objects: None,
            bounds: Bounds::quick(),
            watchdog: Duration::from_millis(100),
        }
    }
}

/// A setting out of its range: which one, the value, and the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// The sentence: `copies = 70: expected 1 to 64 (...)`.
    pub message: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PlanError {}

/// A scenario with its run configuration, validated.
///
/// # Invariants
/// - `world.objects` is in [`OBJECTS`]; every replicated actor has a count in [`COPIES`].
/// - `actors` is the expanded actor list, computed here once: `(name, index into
///   scenario.actors)`, a replicated actor's copies named `name-1`, `name-2`, ... in order. It is
///   never empty (a scenario has an actor).
/// - `bounds.preemption_bound` is in [`Bounds::PREEMPTION_BOUND`], `bounds.iterations` in
///   [`Bounds::ITERATIONS`]; `pct_depth`, `max_states` and `max_steps` are at least 1;
///   `state_workers` is in [`Bounds::STATE_WORKERS`].
#[derive(Debug, Clone)]
pub struct Plan {
    scenario: Arc<Scenario>,
    world: WorldSpec,
    actors: Vec<(String, usize)>,
    bounds: Bounds,
    watchdog: Duration,
}

/// `Err` naming `what` unless `value` is in `range`.
fn within(what: &str, value: usize, range: RangeInclusive<usize>) -> Result<(), PlanError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(PlanError {
            message: format!(
                "{what} = {value}: expected {} to {}",
                range.start(),
                range.end()
            ),
        })
    }
}

impl Plan {
    /// `scenario` run with `settings`.
    ///
    /// # Errors
    /// A setting outside its range, naming it, its value and the range.
    pub fn new(scenario: &Scenario, settings: &Settings) -> Result<Plan, PlanError> {
        if let Some(copies) = settings.copies {
            within("copies of a replicated actor (--waiters)", copies, COPIES)?;
        }
        if let Some(objects) = settings.objects {
            within("slab slots (--objects)", objects, OBJECTS)?;
        }
        let bounds = &settings.bounds;
        if let Some(bound) = bounds.preemption_bound {
            within(
                "loom's preemption bound (--preemption-bound)",
                bound,
                Bounds::PREEMPTION_BOUND,
            )?;
        }
        within(
            "iterations (--iterations)",
            bounds.iterations,
            Bounds::ITERATIONS,
        )?;
        within("PCT depth", bounds.pct_depth, 1..=usize::MAX)?;
        within("the state limit", bounds.max_states, 1..=usize::MAX)?;
        within(
            "the memory limit (MiB)",
            bounds.max_memory_mib,
            1..=usize::MAX,
        )?;
        within("shuttle's step limit", bounds.max_steps, 1..=usize::MAX)?;
        within(
            "the state graph's workers (--state-workers)",
            bounds.state_workers,
            Bounds::STATE_WORKERS,
        )?;
        let mut world = scenario.world.clone();
        if let Some(objects) = settings.objects {
            world.objects = objects;
        }
        let mut actors = Vec::new();
        for (index, actor) in scenario.actors.iter().enumerate() {
            match actor.count {
                None => actors.push((actor.name.clone(), index)),
                Some(count) => {
                    for copy in 1..=settings.copies.unwrap_or(count) {
                        actors.push((format!("{}-{copy}", actor.name), index));
                    }
                }
            }
        }
        Ok(Plan {
            scenario: Arc::new(scenario.clone()),
            world,
            actors,
            bounds: bounds.clone(),
            watchdog: settings.watchdog,
        })
    }

    /// `scenario` as its file says, at quick bounds (always valid: the parser checked it).
    pub fn of(scenario: &Scenario) -> Plan {
        Plan::new(scenario, &Settings::default()).expect("a parsed scenario's own values are valid")
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The world as this run builds it (the slot count resolved).
    pub fn world(&self) -> &WorldSpec {
        &self.world
    }

    /// The actors as they run: `(name, index into the scenario's actors)`.
    pub fn actors(&self) -> &[(String, usize)] {
        &self.actors
    }

    /// The RCU model's thread slots a world of this plan needs: one per actor in a scenario that
    /// uses RCU, none otherwise.
    pub fn rcu_slots(&self) -> usize {
        if self.scenario.uses_rcu() {
            self.actors.len()
        } else {
            0
        }
    }

    /// The threads one execution runs: one per actor, and the grace-period worker if an actor
    /// queues RCU callbacks.
    pub fn threads(&self) -> usize {
        self.actors.len() + usize::from(self.scenario.uses_rcu_callbacks())
    }

    /// The bounds.
    pub fn bounds(&self) -> &Bounds {
        &self.bounds
    }

    /// The watchdog's limit (std).
    pub fn watchdog(&self) -> Duration {
        self.watchdog
    }

    /// The same plan with other bounds (a replay runs one saved execution at quick bounds).
    pub(crate) fn with_bounds(&self, bounds: Bounds) -> Plan {
        Plan {
            bounds,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Plan, Settings};
    use crate::language::Scenario;

    fn scenario() -> Scenario {
        Scenario::named("socket-lifecycle/fixed").expect("in the catalogue")
    }

    #[test]
    fn copies_expand_once_with_numbered_names_and_a_file_count_is_kept_without_override() {
        let plan = Plan::of(&scenario());
        let names: Vec<&str> = plan.actors().iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"waiter-1"), "{names:?}");
        let three = Plan::new(
            &scenario(),
            &Settings {
                copies: Some(3),
                ..Settings::default()
            },
        )
        .unwrap();
        let waiters = three
            .actors()
            .iter()
            .filter(|(n, _)| n.starts_with("waiter-"))
            .count();
        assert_eq!(waiters, 3);
    }

    #[test]
    fn every_number_is_checked_against_its_one_range() {
        let bad = |settings: Settings| Plan::new(&scenario(), &settings).unwrap_err().message;
        assert_eq!(
            bad(Settings {
                copies: Some(65),
                ..Settings::default()
            }),
            "copies of a replicated actor (--waiters) = 65: expected 1 to 64"
        );
        assert_eq!(
            bad(Settings {
                objects: Some(0),
                ..Settings::default()
            }),
            "slab slots (--objects) = 0: expected 1 to 64"
        );
        let mut settings = Settings::default();
        settings.bounds.preemption_bound = Some(11);
        assert_eq!(
            bad(settings),
            "loom's preemption bound (--preemption-bound) = 11: expected 0 to 10"
        );
        let mut settings = Settings::default();
        settings.bounds.iterations = 0;
        assert_eq!(
            bad(settings),
            "iterations (--iterations) = 0: expected 1 to 10000000"
        );
        let objects = Plan::new(
            &scenario(),
            &Settings {
                objects: Some(64),
                ..Settings::default()
            },
        )
        .unwrap();
        assert_eq!(objects.world().objects, 64);
    }
}
