//! What a run prints: the table of verdicts, the findings explained with list pictures, one JSON
//! object per run, and the HTML report on disk.

use crate::BadInput;
use lifecycle_models::report::{
    index_html, picture_text, pictures, scenario_page_name, write_finding, write_scenario,
    IndexEntry,
};
use lifecycle_models::{Engine, Expected, Finding, FindingKind, Replay, Scenario, Verdict};
use std::path::{Path, PathBuf};

/// One run's outcome, for the table, the JSON and the report.
pub struct Row<'s> {
    pub scenario: &'s Scenario,
    pub engine: Engine,
    pub verdict: Verdict,
    pub expected: Expected,
    pub report: Option<PathBuf>,
}

impl Row<'_> {
    pub fn as_expected(&self) -> bool {
        self.expected.accepts(&self.verdict)
    }
}

fn finding_json(finding: &Finding) -> serde_json::Value {
    let replay = match &finding.replay {
        Some(Replay::ShuttleSchedule(s)) => {
            serde_json::json!({"kind": "shuttle-schedule", "value": s})
        }
        Some(Replay::LoomCheckpoint(json)) => {
            serde_json::json!({"kind": "loom-checkpoint", "value": json})
        }
        Some(Replay::StdIteration(n)) => serde_json::json!({"kind": "std-iteration", "value": n}),
        None => serde_json::Value::Null,
    };
    serde_json::json!({
        "kind": finding.kind.name(),
        "holder": finding.holder,
        "lock": finding.lock,
        "cycle": finding.cycle,
        "starved": finding.starved,
        "root_cause": finding.root_cause.as_ref().map(|c| serde_json::json!({
            "slot": c.slot, "node": c.node, "head": c.head,
            "freed_at_step": c.freed_at.0, "freed_by": c.freed_at.1,
            "reallocated_at_step": c.reallocated_at.0, "reallocated_by": c.reallocated_at.1,
            "added_again_at_step": c.added_again_at.0, "added_again_by": c.added_again_at.1,
        })),
        "replay": replay,
        "message": finding.message,
        "diagnosis": finding.diagnosis,
    })
}

/// One run as a JSON object.
pub fn row_json(row: &Row<'_>) -> serde_json::Value {
    serde_json::json!({
        "scenario": row.scenario.name,
        "file": row.scenario.source.path,
        "hash": row.scenario.source.hash(),
        "engine": row.engine.name(),
        "verdict": row.verdict.label(),
        "expected": row.expected.label(),
        "as_expected": row.as_expected(),
        "executions": row.verdict.executions(),
        "elapsed_ms": row.verdict.elapsed().as_secs_f64() * 1000.0,
        "bounds": row.verdict.bounds(),
        "coverage": row.verdict.coverage().iter().map(|reach| serde_json::json!({
            "sometimes": reach.name, "reached": reach.reached,
        })).collect::<Vec<_>>(),
        "finding": row.verdict.finding().map(finding_json),
        "report": row.report.as_ref().map(|p| p.display().to_string()),
    })
}

/// The table of verdicts.
pub fn print_table(rows: &[Row<'_>]) {
    println!(
        "{:<28} {:<15} {:<22} {:<36} {:>11} {:>10}",
        "scenario", "engine", "verdict", "expected", "executions", "time"
    );
    for row in rows {
        let mark = if row.as_expected() {
            ""
        } else {
            "  <-- UNEXPECTED"
        };
        let executions = match &row.verdict {
            Verdict::Found(f) => format!("{} (1st)", f.executions),
            other => other.executions().to_string(),
        };
        println!(
            "{:<28} {:<15} {:<22} {:<36} {:>11} {:>10.1?}{mark}",
            row.scenario.name,
            row.engine.name(),
            row.verdict.label(),
            row.expected.label(),
            executions,
            row.verdict.elapsed(),
        );
        print_coverage(row);
    }
}

/// A proof's coverage under its row: how many executions (states) reached each
/// `[[sometimes]]` (the other engines' counts are in the JSON).
fn print_coverage(row: &Row<'_>) {
    if !row.engine.proves() {
        return;
    }
    let unit = if row.engine == Engine::States {
        "states"
    } else {
        "executions"
    };
    for reach in row.verdict.coverage() {
        let missed = if reach.reached == 0 {
            "  <-- never reached"
        } else {
            ""
        };
        println!(
            "    sometimes: {:<60} {:>9} of {} {unit}{missed}",
            reach.name,
            reach.reached,
            row.verdict.executions()
        );
    }
}

/// Each finding explained once per scenario and kind, with the last two list pictures.
pub fn print_findings(rows: &[Row<'_>]) {
    let mut shown: Vec<(&str, FindingKind)> = Vec::new();
    for row in rows {
        let Some(finding) = row.verdict.finding() else {
            continue;
        };
        if shown.contains(&(row.scenario.name.as_str(), finding.kind)) {
            continue;
        }
        shown.push((&row.scenario.name, finding.kind));
        println!(
            "\n== {} on {}: {} ==",
            row.scenario.name, finding.engine, finding.kind
        );
        print!("{}", finding.diagnosis);
        let pictures = pictures(finding);
        for (caption, picture) in pictures.iter().rev().take(2).rev() {
            println!("  the list {caption}:");
            print!("{}", picture_text(picture));
        }
        if let Some(path) = &row.report {
            println!("  report: {}", path.display());
        }
    }
}

/// Notes for rows that are not as expected (the reason an engine is blind, if the file gives
/// one) and for rows that did not run.
pub fn print_notes(rows: &[Row<'_>]) {
    for row in rows {
        if let Verdict::NotRun { reason } = &row.verdict {
            println!(
                "note: {} on {}: not run: {reason}",
                row.scenario.name,
                row.engine.name()
            );
        } else if !row.as_expected() {
            if let Some(reason) = row.expected.reason() {
                println!(
                    "note: {} on {}: {reason}",
                    row.scenario.name,
                    row.engine.name()
                );
            }
        }
    }
}

/// Writes the report: a page per scenario and per finding, and the index of every run.
pub fn write_report(dir: &Path, rows: &mut [Row<'_>]) -> Result<PathBuf, BadInput> {
    let cannot = |error: std::io::Error| {
        BadInput(format!(
            "cannot write the report to `{}`: {error}",
            dir.display()
        ))
    };
    let mut entries = Vec::new();
    let mut written: Vec<&str> = Vec::new();
    for row in rows.iter_mut() {
        if !written.contains(&row.scenario.name.as_str()) {
            write_scenario(dir, row.scenario).map_err(cannot)?;
            written.push(&row.scenario.name);
        }
        if let Some(finding) = row.verdict.finding() {
            row.report = Some(write_finding(dir, row.scenario, finding).map_err(cannot)?);
        }
        entries.push(IndexEntry {
            scenario: row.scenario.name.clone(),
            scenario_page: scenario_page_name(row.scenario),
            engine: row.engine.name().to_string(),
            verdict: row.verdict.label().to_string(),
            expected: row.expected.label(),
            as_expected: row.as_expected(),
            finding_page: row.report.clone(),
        });
    }
    let index = dir.join("index.html");
    std::fs::create_dir_all(dir).map_err(cannot)?;
    std::fs::write(&index, index_html(&entries)).map_err(cannot)?;
    Ok(index)
}
