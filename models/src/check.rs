//! `check`: the Rust API a user's `#[test]` asserts a scenario's verdict with, on one engine or
//! all: `check(&scenario).engine(Engine::Loom).expect(FindingKind::UseAfterFree)`.

use crate::diagnosis::finding::{Finding, FindingKind, Verdict};
use crate::engine::{run, Bounds, Engine};
use crate::interpreter::RunConfig;
use crate::language::Scenario;

/// A scenario about to be checked: which engines, what bounds, how many copies of replicated
/// actors. Built by [`check`]; ended by [`Check::run`], [`Check::expect`] or
/// [`Check::expect_pass`].
#[derive(Debug, Clone)]
pub struct Check<'s> {
    scenario: &'s Scenario,
    engines: Vec<Engine>,
    bounds: Bounds,
    config: RunConfig,
}

/// Starts checking `scenario`: every engine that can run it, quick bounds, the file's actor
/// counts.
pub fn check(scenario: &Scenario) -> Check<'_> {
    Check {
        scenario,
        engines: Vec::new(),
        bounds: Bounds::quick(),
        config: RunConfig::default(),
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
        self.bounds = bounds;
        self
    }

    /// Runs `copies` copies of every replicated actor (`count` in the file).
    pub fn copies(mut self, copies: usize) -> Self {
        self.config.copies = Some(copies);
        self
    }

    /// The engines named, or every engine that can run the scenario (loom refuses more than 5
    /// actors, the states engine a Rust actor): an engine named explicitly that cannot run it is
    /// an error of [`Check::expect`] and [`Check::expect_pass`].
    fn engines(&self) -> Vec<Engine> {
        if self.engines.is_empty() {
            Engine::ALL
                .into_iter()
                .filter(|engine| engine.refusal(self.scenario, &self.config).is_none())
                .collect()
        } else {
            self.engines.clone()
        }
    }

    /// Runs on every chosen engine, returning each verdict.
    pub fn run(&self) -> Vec<(Engine, Verdict)> {
        self.engines()
            .into_iter()
            .map(|engine| {
                (
                    engine,
                    run(self.scenario, engine, &self.config, &self.bounds),
                )
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
            }
        }
        explored
    }
}
