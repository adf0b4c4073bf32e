//! The report as HTML pages: a page per finding (the story, the diagnosis, the list drawn after
//! every list operation, the trace as a timeline per thread), a page per scenario (its file), and
//! the index of every run.

use super::{describe_event, escape, picture_svg, pictures, RunRecord, SavedReplay};
use crate::language::Scenario;
use crate::outcome::{Finding, What};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The finding as a self-contained HTML page.
pub fn finding_html(scenario: &Scenario, finding: &Finding) -> String {
    let mut threads: Vec<&str> = Vec::new();
    for event in &finding.trace {
        if !threads.contains(&event.thread.as_str()) {
            threads.push(&event.thread);
        }
    }
    let mut html = String::new();
    let _ = write!(
        html,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 1200px; }}
pre {{ background: #f6f6f6; padding: 1em; white-space: pre-wrap; }}
table.timeline {{ border-collapse: collapse; font-family: monospace; font-size: 12px; }}
table.timeline td, table.timeline th {{ border: 1px solid #ccc; padding: 2px 6px; vertical-align: top; }}
td.bad {{ background: #fde2e2; }}
.picture {{ margin: 1em 0; }}
</style></head><body>
<h1>{title}</h1>
<p><b>Story:</b> {story}</p>
<p><b>Scenario file:</b> <a href="{scenario_page}">{path}</a></p>
<p><b>Engine:</b> {engine} &middot; <b>found after</b> {executions} execution(s) &middot; <b>in</b> {elapsed:.1?}{replay}</p>
<h2>Diagnosis</h2>
<pre>{diagnosis}</pre>
<h2>The list after each operation</h2>
"#,
        title = escape(&format!(
            "{}: {} on {}",
            scenario.name, finding.kind, finding.engine
        )),
        story = escape(&scenario.story),
        scenario_page = escape(&scenario_page_name(scenario)),
        path = escape(&scenario.source.path),
        engine = escape(finding.engine.name()),
        executions = finding.executions,
        elapsed = finding.elapsed,
        replay = match &finding.replay {
            Some(crate::outcome::Replay::ShuttleSchedule(s)) => format!(
                " &middot; <b>shuttle schedule</b> <code>{}</code>",
                escape(s)
            ),
            Some(crate::outcome::Replay::LoomCheckpoint(_)) =>
                " &middot; <b>loom checkpoint</b> saved (replay with --replay)".to_string(),
            Some(crate::outcome::Replay::StdIteration(n)) =>
                format!(" &middot; <b>iteration</b> {n}"),
            None => String::new(),
        },
        diagnosis = escape(&finding.diagnosis),
    );
    for (caption, picture) in pictures(finding) {
        let _ = writeln!(
            html,
            "<div class=\"picture\">{}</div>",
            picture_svg(&picture, &caption)
        );
    }
    html.push_str("<h2>Timeline</h2>\n<table class=\"timeline\"><tr><th>step</th>");
    for thread in &threads {
        let _ = write!(html, "<th>{}</th>", escape(thread));
    }
    html.push_str("</tr>\n");
    for event in &finding.trace {
        if matches!(event.what, What::Picture(_)) {
            continue;
        }
        let bad = matches!(
            event.what,
            What::Free {
                still_linked: true,
                ..
            } | What::CycleProven { .. }
                | What::Refused { .. }
                | What::SoftLockup { .. }
                | What::Stalled { .. }
        );
        let _ = write!(html, "<tr><td>{}</td>", event.step);
        for thread in &threads {
            if *thread == event.thread {
                let _ = write!(
                    html,
                    "<td{}>{}</td>",
                    if bad { " class=\"bad\"" } else { "" },
                    escape(&describe_event(&event.what))
                );
            } else {
                html.push_str("<td></td>");
            }
        }
        html.push_str("</tr>\n");
    }
    let _ = write!(
        html,
        "</table>\n<h2>Engine message</h2>\n<pre>{}</pre>\n</body></html>\n",
        escape(&finding.message)
    );
    html
}

/// The file name of a finding's page: `socket-lifecycle-buggy--loom.html`.
fn page_name(scenario: &Scenario, engine: &str) -> String {
    format!("{}--{engine}.html", scenario.name.replace('/', "-"))
}

/// The file name of a scenario's page: `scenario--socket-lifecycle-buggy.html`.
fn scenario_page_name(scenario: &Scenario) -> String {
    format!("scenario--{}.html", scenario.name.replace('/', "-"))
}

/// A scenario's page: its story, its twin, and its file as written.
fn scenario_html(scenario: &Scenario) -> String {
    let twin = scenario.twin.as_ref().map_or(String::new(), |twin| {
        format!("<p><b>Twin:</b> {}</p>\n", escape(twin))
    });
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name}</title>\
         <style>body {{ font-family: sans-serif; margin: 2em; max-width: 1200px; }} pre {{ \
         background: #f6f6f6; padding: 1em; }}</style></head><body>\n<h1>{name}</h1>\n\
         <p><b>Story:</b> {story}</p>\n{twin}<h2>{path}</h2>\n<pre class=\"scenario-file\">{text}</pre>\n\
         </body></html>\n",
        name = escape(&scenario.name),
        story = escape(&scenario.story),
        path = escape(&scenario.source.path),
        text = escape(&scenario.source.text),
    )
}

/// Writes the finding's page (and its replay file beside it, naming the scenario and the hash
/// of its text) into `dir`, returning the page's path.
fn write_finding(dir: &Path, scenario: &Scenario, finding: &Finding) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let page = dir.join(page_name(scenario, finding.engine.name()));
    std::fs::write(&page, finding_html(scenario, finding))?;
    if let Some(saved) = SavedReplay::of(scenario, finding) {
        let stem = page_name(scenario, finding.engine.name()).replace(".html", "");
        std::fs::write(dir.join(format!("{stem}.replay.toml")), saved.to_toml())?;
    }
    Ok(page)
}

/// Writes a scenario's page into `dir`.
fn write_scenario(dir: &Path, scenario: &Scenario) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let page = dir.join(scenario_page_name(scenario));
    std::fs::write(&page, scenario_html(scenario))?;
    Ok(page)
}

/// The report's index page: every run (scenario x engine, as the table shows them), passes
/// included, each finding linked to its page and each scenario to its file.
fn index_html(records: &[RunRecord<'_>]) -> String {
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>lifecycle-check \
         report</title><style>body { font-family: sans-serif; margin: 2em; } td, th { padding: 2px \
         10px; text-align: left; } tr.unexpected { background: #fde2e2; }</style></head><body>\n\
         <h1>lifecycle-check report</h1>\n<table>\n\
         <tr><th>scenario</th><th>engine</th><th>verdict</th><th>expected</th><th></th></tr>\n",
    );
    for record in records {
        let label = record.verdict.label();
        let verdict = match &record.report {
            Some(page) => format!(
                "<a href=\"{}\">{}</a>",
                escape(
                    &page
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default()
                ),
                escape(label)
            ),
            None => escape(label),
        };
        let as_expected = record.as_expected();
        let _ = writeln!(
            html,
            "<tr class=\"{class}\"><td><a href=\"{page}\">{scenario}</a></td><td>{engine}</td>\
             <td>{verdict}</td><td>{expected}</td><td>{mark}</td></tr>",
            class = if as_expected { "run" } else { "run unexpected" },
            page = escape(&scenario_page_name(record.scenario)),
            scenario = escape(&record.scenario.name),
            engine = escape(record.engine.name()),
            expected = escape(&record.expected.label()),
            mark = if as_expected {
                "as expected"
            } else {
                "UNEXPECTED"
            },
        );
    }
    html.push_str("</table>\n</body></html>\n");
    html
}

/// Writes the report into `dir`: a page per scenario and per finding (each record's `report`
/// set to its finding's page), and the index of every run; returns the index's path.
///
/// # Errors
/// A directory or file that cannot be written.
pub fn write_report(dir: &Path, records: &mut [RunRecord<'_>]) -> std::io::Result<PathBuf> {
    let mut written: Vec<&str> = Vec::new();
    for record in records.iter_mut() {
        if !written.contains(&record.scenario.name.as_str()) {
            write_scenario(dir, record.scenario)?;
            written.push(&record.scenario.name);
        }
        if let Some(finding) = record.verdict.finding() {
            record.report = Some(write_finding(dir, record.scenario, finding)?);
        }
    }
    let index = dir.join("index.html");
    std::fs::create_dir_all(dir)?;
    std::fs::write(&index, index_html(records))?;
    Ok(index)
}
