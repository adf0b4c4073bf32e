//! Running a plan, as the Rust API says it: an engine explores, then diagnosis explains
//! ([`run`], [`replay`], [`refusal`]); and `check`, the builder a user's `#[test]` asserts a
//! scenario's verdict with, on one engine or all:
//! `check(&scenario).engine(Engine::Loom).expect(FindingKind::UseAfterFree)`.

use crate::diagnosis::diagnose;
use crate::engine;
use crate::language::Scenario;
use crate::outcome::{Engine, Explored, Finding, FindingKind, Replay, Verdict};
use crate::plan::{Bounds, Plan, Settings};
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

/// The verdict an engine's exploration comes to: a pass (vacuous for a proof that missed a
/// `[[sometimes]]` state), a diagnosed finding, or the reason it did not run.
fn conclude(engine: Engine, explored: Explored) -> Verdict {
    match explored {
        Explored::Passed {
            executions,
            elapsed,
            bounds,
            coverage,
        } => Verdict::passed(engine.proves(), executions, elapsed, bounds, coverage),
        Explored::Failed(failure) => Verdict::Found(Box::new(diagnose(failure))),
        Explored::NotRun(reason) => Verdict::NotRun { reason },
        Explored::Incomplete {
            executions,
            elapsed,
            reason,
        } => Verdict::Incomplete {
            executions,
            elapsed,
            reason,
        },
    }
}

/// Runs `plan` on `engine`.
pub fn run(plan: &Plan, engine: Engine) -> Verdict {
    run_with_progress(plan, engine, &Arc::default())
}

/// As [`run`], counting executions (or std iterations, or states) in `progress` as they start,
/// so another thread can show progress.
pub fn run_with_progress(plan: &Plan, engine: Engine, progress: &Arc<AtomicUsize>) -> Verdict {
    conclude(engine, engine::explore(plan, engine, progress))
}

/// Why `engine` cannot run `plan`, if it cannot (loom: more than 5 actors; shuttle PCT: one
/// actor; states: a Rust actor).
pub fn refusal(plan: &Plan, engine: Engine) -> Option<String> {
    engine::checker(engine).refusal(plan)
}

/// Re-runs a saved failing execution: a shuttle schedule, a loom checkpoint, or (real threads
/// have no schedule) the scenario again.
pub fn replay(plan: &Plan, replay: &Replay) -> Verdict {
    let engine = match replay {
        Replay::ShuttleSchedule(_) => Engine::ShuttleRandom,
        Replay::LoomCheckpoint(_) => Engine::Loom,
        Replay::StdIteration(_) => Engine::Std,
    };
    conclude(engine, engine::replay(plan, replay))
}

/// Whether `finding` replays: the verdict of [`replay`] has the same kind.
pub fn replays_as(finding: &Finding, plan: &Plan) -> bool {
    match &finding.replay {
        Some(saved) => {
            replay(plan, saved)
                .finding()
                .map(|again| again.kind == finding.kind)
                == Some(true)
        }
        None => false,
    }
}

/// A scenario about to be checked: which engines, what bounds, how many copies of replicated
/// actors. Built by [`check`]; ended by [`Check::run`], [`Check::expect`] or
/// [`Check::expect_pass`].
#[derive(Debug, Clone)]
pub struct Check<'s> {
    scenario: &'s Scenario,
    engines: Vec<Engine>,
    settings: Settings,
}

/// Starts checking `scenario`: every engine that can run it, quick bounds, the file's actor
/// counts.
pub fn check(scenario: &Scenario) -> Check<'_> {
    Check {
        scenario,
        engines: Vec::new(),
        settings: Settings::default(),
    }
}

impl<'s> Check<'s> {
    /// Checks on `engine` (call again to add more; none named means every engine).
    pub fn engine(mut self, engine: Engine) -> Self {
        if !self.engines.contains(&engine) {
            self.engines.push(engine);
        }
        self
    }

    /// Uses `bounds` instead of [`Bounds::quick`].
    pub fn bounds(mut self, bounds: Bounds) -> Self {
        self.settings.bounds = bounds;
        self
    }

    /// Runs `copies` copies of every replicated actor (`count` in the file).
    pub fn copies(mut self, copies: usize) -> Self {
        self.settings.copies = Some(copies);
        self
    }

    /// Runs on every chosen engine, returning each verdict: the engines named, or every engine
    /// that can run the scenario (loom refuses more than 5 actors, the states engine a Rust
    /// actor); an engine named explicitly that cannot run it is [`Verdict::NotRun`], an error of
    /// [`Check::expect`] and [`Check::expect_pass`], and so is a setting out of its range.
    pub fn run(&self) -> Vec<(Engine, Verdict)> {
        let plan = Plan::new(self.scenario, &self.settings);
        let engines = match (&plan, self.engines.is_empty()) {
            (Ok(plan), true) => Engine::ALL
                .into_iter()
                .filter(|&engine| refusal(plan, engine).is_none())
                .collect(),
            (Err(_), true) => Engine::ALL.to_vec(),
            (_, false) => self.engines.clone(),
        };
        engines
            .into_iter()
            .map(|engine| {
                let verdict = match &plan {
                    Ok(plan) => run(plan, engine),
                    Err(error) => Verdict::NotRun {
                        reason: error.to_string(),
                    },
                };
                (engine, verdict)
            })
            .collect()
    }

    /// Asserts every chosen engine finds `kind`, returning the findings.
    ///
    /// # Panics
    /// If an engine passes, cannot run the scenario, or finds another kind; the message names
    /// the scenario, the engine and the diagnosis.
    #[track_caller]
    pub fn expect(&self, kind: FindingKind) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (engine, verdict) in self.run() {
            let name = &self.scenario.name;
            match verdict {
                Verdict::Found(finding) if finding.kind == kind => findings.push(*finding),
                Verdict::Found(finding) => panic!(
                    "{name} on {}: expected {kind}, found {}:\n{}",
                    engine.name(),
                    finding.kind,
                    finding.diagnosis
                ),
                Verdict::Pass {
                    executions, bounds, ..
                }
                | Verdict::Vacuous {
                    executions, bounds, ..
                } => panic!(
                    "{name} on {}: expected {kind}, but {executions} executions passed ({bounds})",
                    engine.name()
                ),
                Verdict::NotRun { reason } => {
                    panic!(
                        "{name} on {}: expected {kind}, not run: {reason}",
                        engine.name()
                    )
                }
                Verdict::Incomplete { reason, .. } => {
                    panic!(
                        "{name} on {}: expected {kind}, incomplete: {reason}",
                        engine.name()
                    )
                }
            }
        }
        findings
    }

    /// Asserts every chosen engine passes, returning the executions each explored.
    ///
    /// # Panics
    /// If an engine finds something or cannot run the scenario, with the diagnosis; or if a
    /// proof is vacuous (never reached a `[[sometimes]]` state), naming the states missed.
    #[track_caller]
    pub fn expect_pass(&self) -> Vec<usize> {
        let mut explored = Vec::new();
        for (engine, verdict) in self.run() {
            let name = &self.scenario.name;
            match verdict {
                Verdict::Pass { executions, .. } => explored.push(executions),
                Verdict::Vacuous {
                    executions,
                    coverage,
                    ..
                } => panic!(
                    "{name} on {}: {executions} executions passed, but vacuously: never \
                     reached {}",
                    engine.name(),
                    coverage
                        .iter()
                        .filter(|reach| reach.reached == 0)
                        .map(|reach| format!("`{}`", reach.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Verdict::Found(finding) => panic!(
                    "{name} on {}: expected a pass, found {}:\n{}",
                    engine.name(),
                    finding.kind,
                    finding.diagnosis
                ),
                Verdict::NotRun { reason } => {
                    panic!(
                        "{name} on {}: expected a pass, not run: {reason}",
                        engine.name()
                    )
                }
                Verdict::Incomplete { reason, .. } => {
                    panic!(
                        "{name} on {}: expected a pass, incomplete: {reason}",
                        engine.name()
                    )
                }
            }
        }
        explored
    }
}
