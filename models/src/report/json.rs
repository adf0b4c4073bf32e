//! The report as JSON: one object per run, one per line (`--json`), serialized from the types
//! themselves; README's table lists every key, and a test holds the two together.

use super::RunRecord;
use crate::outcome::{Finding, Reach};
use serde::Serialize;

/// The JSON shape of one run.
#[derive(Serialize)]
struct RunJson<'a> {
    scenario: &'a str,
    file: &'a str,
    hash: String,
    engine: crate::outcome::Engine,
    verdict: &'a str,
    expected: String,
    as_expected: bool,
    executions: usize,
    elapsed_ms: f64,
    bounds: Option<&'a str>,
    coverage: &'a [Reach],
    finding: Option<&'a Finding>,
    report: Option<String>,
}

impl RunRecord<'_> {
    /// The run as one line of JSON.
    pub fn to_json(&self) -> String {
        let json = RunJson {
            scenario: &self.scenario.name,
            file: &self.scenario.source.path,
            hash: self.scenario.source.hash(),
            engine: self.engine,
            verdict: self.verdict.label(),
            expected: self.expected.label(),
            as_expected: self.as_expected(),
            executions: self.verdict.executions(),
            elapsed_ms: self.verdict.elapsed().as_secs_f64() * 1000.0,
            bounds: self.verdict.bounds(),
            coverage: self.verdict.coverage(),
            finding: self.verdict.finding(),
            report: self.report.as_ref().map(|p| p.display().to_string()),
        };
        serde_json::to_string(&json).expect("a run serializes to JSON")
    }
}
