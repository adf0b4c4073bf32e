//! `RunRecord`: one run of one scenario on one engine with what was expected of it, as the table,
//! the JSON lines and the HTML report present it.

use crate::language::{Expected, Scenario};
use crate::outcome::{Engine, Verdict};
use std::path::PathBuf;

/// One run's outcome.
#[derive(Debug, Clone)]
pub struct RunRecord<'s> {
    /// The scenario run.
    pub scenario: &'s Scenario,
    /// The engine it ran on.
    pub engine: Engine,
    /// What it concluded.
    pub verdict: Verdict,
    /// What the scenario expects of that engine.
    pub expected: Expected,
    /// The finding's report page, once written.
    pub report: Option<PathBuf>,
}

impl<'s> RunRecord<'s> {
    /// The record of `verdict` for `scenario` on `engine`, expected as the file says.
    pub fn new(scenario: &'s Scenario, engine: Engine, verdict: Verdict) -> Self {
        RunRecord {
            scenario,
            engine,
            expected: scenario.expected_on(engine).clone(),
            verdict,
            report: None,
        }
    }

    /// Whether the verdict is what was expected, its diagnosis included.
    pub fn as_expected(&self) -> bool {
        self.expected.accepts(&self.verdict) && self.missing_from_diagnosis().is_empty()
    }

    /// The pieces of the file's `diagnosis` that the finding's diagnosis lacks (none for a
    /// run without a finding).
    pub fn missing_from_diagnosis(&self) -> Vec<&'s str> {
        match &self.verdict {
            Verdict::Found(finding) => self
                .scenario
                .expect
                .diagnosis
                .iter()
                .filter(|piece| !finding.diagnosis.contains(piece.as_str()))
                .map(String::as_str)
                .collect(),
            _ => Vec::new(),
        }
    }
}
