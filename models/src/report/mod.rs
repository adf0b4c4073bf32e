//! The report of a finding: the story, the diagnosis, the event trace as a timeline per thread,
//! and the list drawn as an SVG diagram (head and nodes as boxes, `next` and `prev` as arrows,
//! a self loop visible as a loop) after each list operation — the pictures the original
//! write-up of the bug had. Hand-written SVG, no Graphviz.

use crate::diagnosis::finding::Finding;
use crate::engine::SavedReplay;
use crate::interpreter::trace::{ListPicture, What};
use crate::language::Scenario;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const BOX_WIDTH: i32 = 124;
const BOX_HEIGHT: i32 = 40;
const GAP: i32 = 84;
const TOP: i32 = 110;

/// Escapes text for HTML and XML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn box_x(index: usize) -> i32 {
    20 + index as i32 * (BOX_WIDTH + GAP)
}

/// Draws `picture` as an SVG: one box per node (grey and dashed when free), `next` arrows above
/// the boxes, `prev` arrows below, a loop for a link to itself, and a label for a link that
/// points nowhere (`NULL`, `POISON1`). The self loop's path has the class `edge next self-loop`.
pub fn picture_svg(picture: &ListPicture, caption: &str) -> String {
    let width = box_x(picture.nodes.len()) + 20;
    let height = TOP + BOX_HEIGHT + 110;
    let index_of = |name: &str| picture.nodes.iter().position(|n| n.name == name);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="monospace" font-size="13">
<defs>
<marker id="next-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f5fbf"/></marker>
<marker id="prev-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#b5651d"/></marker>
</defs>
<text x="20" y="22" font-size="14">{}</text>
"##,
        escape(caption)
    );
    for (i, node) in picture.nodes.iter().enumerate() {
        let x = box_x(i);
        let (fill, dash) = if node.allocated {
            ("#eef4ff", "")
        } else {
            ("#eeeeee", r#" stroke-dasharray="5,3""#)
        };
        let _ = writeln!(
            svg,
            r##"<g class="node" id="node-{name}"><rect x="{x}" y="{TOP}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" fill="{fill}" stroke="#333"{dash}/><text x="{tx}" y="{ty}" text-anchor="middle">{label}</text></g>"##,
            name = escape(&node.name),
            tx = x + BOX_WIDTH / 2,
            ty = TOP + BOX_HEIGHT / 2 + 5,
            label = escape(&format!(
                "{}{}",
                node.name,
                if node.allocated { "" } else { " (free)" }
            )),
        );
    }
    for (i, node) in picture.nodes.iter().enumerate() {
        for (link, target, above) in [("next", &node.next, true), ("prev", &node.prev, false)] {
            let color = if above { "#1f5fbf" } else { "#b5651d" };
            let marker = if above { "next-arrow" } else { "prev-arrow" };
            let start_x = box_x(i) + BOX_WIDTH / 2 + if above { 12 } else { -12 };
            let edge_y = if above { TOP } else { TOP + BOX_HEIGHT };
            let bend = if above { -1 } else { 1 };
            match index_of(target) {
                Some(j) if j == i => {
                    // The bug's picture: a node whose link points back at itself.
                    let (x0, x1) = (box_x(i) + 20, box_x(i) + BOX_WIDTH - 20);
                    let peak = edge_y + bend * 62;
                    let _ = writeln!(
                        svg,
                        r##"<path class="edge {link} self-loop" d="M{x1},{edge_y} C{x1},{peak} {x0},{peak} {x0},{edge_y}" fill="none" stroke="#c0392b" stroke-width="2.5" marker-end="url(#{marker})"/><text x="{tx}" y="{ly}" fill="#c0392b" text-anchor="middle">{link} = itself</text>"##,
                        tx = box_x(i) + BOX_WIDTH / 2,
                        ly = edge_y + bend * 50,
                    );
                }
                Some(j) => {
                    let end_x = box_x(j) + BOX_WIDTH / 2 + if above { -12 } else { 12 };
                    let distance = (j as i32 - i as i32).abs();
                    let peak = edge_y + bend * (22 + 16 * distance);
                    let _ = writeln!(
                        svg,
                        r##"<path class="edge {link}" d="M{start_x},{edge_y} C{start_x},{peak} {end_x},{peak} {end_x},{edge_y}" fill="none" stroke="{color}" stroke-width="1.6" marker-end="url(#{marker})"/>"##
                    );
                }
                None => {
                    let _ = writeln!(
                        svg,
                        r##"<text class="edge {link} dangling" x="{start_x}" y="{ly}" fill="{color}" text-anchor="middle">{link}: {target}</text>"##,
                        ly = edge_y + bend * 18,
                        target = escape(target),
                    );
                }
            }
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// The same picture as text for a terminal: the walk from each head, then each node's links.
pub fn picture_text(picture: &ListPicture) -> String {
    let mut text = String::new();
    for head in picture.nodes.iter().filter(|n| n.name.ends_with("head")) {
        let walk = picture.walk_from(&head.name);
        let last = walk.last().expect("a walk starts at its head");
        let cycle = last != &head.name;
        let _ = writeln!(
            text,
            "    walk: {}{}",
            walk.join(" -> "),
            if cycle {
                "  (a cycle without the head)"
            } else {
                ""
            }
        );
    }
    text.push_str(&picture.render_text());
    text
}

/// The list pictures of a finding's trace, each with the operation it follows.
pub fn pictures(finding: &Finding) -> Vec<(String, ListPicture)> {
    let mut out = Vec::new();
    let mut last_operation = String::from("start");
    for event in &finding.trace {
        match &event.what {
            What::Add { .. } | What::Del { .. } => {
                last_operation = format!(
                    "step {}: {} {}",
                    event.step,
                    event.thread,
                    describe_event(&event.what)
                )
            }
            What::Picture(picture) => {
                out.push((format!("after {last_operation}"), picture.clone()))
            }
            _ => {}
        }
    }
    out
}

/// Describes one event in a few words for the timeline.
pub fn describe_event(what: &What) -> String {
    match what {
        What::Started { thread_id } => format!("starts (thread id {thread_id})"),
        What::Alloc { slot, generation } => format!("alloc slot#{slot} (gen {generation})"),
        What::Free {
            slot,
            generation,
            still_linked,
        } => format!(
            "free slot#{slot} (gen {generation}){}",
            if *still_linked { " STILL LINKED" } else { "" }
        ),
        What::LockRequest { lock } => format!("wants the {lock} lock"),
        What::LockAcquired { lock } => format!("holds the {lock} lock"),
        What::Unlock { lock } => format!("unlocks the {lock} lock"),
        What::Add { node, head, .. } => format!("list_add({node}, {head})"),
        What::Del { node, .. } => format!("list_del({node})"),
        What::RefGet { slot, refs } => format!("get ref slot#{slot} -> {refs}"),
        What::RefPut { slot, refs } => format!("put ref slot#{slot} -> {refs}"),
        What::WalkStep { node } => format!("walk -> {node}"),
        What::CycleProven { cycle, .. } => {
            format!("cycle proven: {} -> {}", cycle.join(" -> "), cycle[0])
        }
        What::Picture(_) => "(list picture)".to_string(),
        What::Refused { message } => format!("REFUSED: {message}"),
        What::SoftLockup {
            holder,
            lock,
            held_ms,
            waiting,
        } => format!(
            "SOFT LOCKUP: {holder} stuck for {held_ms} ms holding the {lock} lock; waiting: {}",
            waiting.join(", ")
        ),
        What::Stalled { idle_ms, waiting } => format!(
            "STALLED: nothing happened for {idle_ms} ms; actors: {}",
            waiting.join(", ")
        ),
    }
}

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
        engine = escape(&finding.engine),
        executions = finding.executions,
        elapsed = finding.elapsed,
        replay = match &finding.replay {
            Some(crate::Replay::ShuttleSchedule(s)) => format!(
                " &middot; <b>shuttle schedule</b> <code>{}</code>",
                escape(s)
            ),
            Some(crate::Replay::LoomCheckpoint(_)) =>
                " &middot; <b>loom checkpoint</b> saved (replay with --replay)".to_string(),
            Some(crate::Replay::StdIteration(n)) => format!(" &middot; <b>iteration</b> {n}"),
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
pub fn page_name(scenario: &Scenario, engine: &str) -> String {
    format!("{}--{engine}.html", scenario.name.replace('/', "-"))
}

/// The file name of a scenario's page: `scenario--socket-lifecycle-buggy.html`.
pub fn scenario_page_name(scenario: &Scenario) -> String {
    format!("scenario--{}.html", scenario.name.replace('/', "-"))
}

/// A scenario's page: its story, its twin, and its file as written.
pub fn scenario_html(scenario: &Scenario) -> String {
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
pub fn write_finding(
    dir: &Path,
    scenario: &Scenario,
    finding: &Finding,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let page = dir.join(page_name(scenario, &finding.engine));
    std::fs::write(&page, finding_html(scenario, finding))?;
    if let Some(saved) = SavedReplay::of(scenario, finding) {
        let stem = page_name(scenario, &finding.engine).replace(".html", "");
        std::fs::write(dir.join(format!("{stem}.replay.toml")), saved.to_toml())?;
    }
    Ok(page)
}

/// Writes a scenario's page into `dir`.
pub fn write_scenario(dir: &Path, scenario: &Scenario) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let page = dir.join(scenario_page_name(scenario));
    std::fs::write(&page, scenario_html(scenario))?;
    Ok(page)
}

/// One run as the index lists it.
#[derive(Debug, Clone)]
pub struct IndexEntry {
    /// The scenario's name.
    pub scenario: String,
    /// Its page's file name.
    pub scenario_page: String,
    /// The engine.
    pub engine: String,
    /// The verdict (`pass`, a kind, `not run`).
    pub verdict: String,
    /// The expected verdict.
    pub expected: String,
    /// Whether the verdict is the expected one.
    pub as_expected: bool,
    /// The finding's page, if it found something.
    pub finding_page: Option<PathBuf>,
}

/// The report's index page: every run (scenario x engine, as the table shows them), passes
/// included, each finding linked to its page and each scenario to its file.
pub fn index_html(entries: &[IndexEntry]) -> String {
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>lifecycle-check \
         report</title><style>body { font-family: sans-serif; margin: 2em; } td, th { padding: 2px \
         10px; text-align: left; } tr.unexpected { background: #fde2e2; }</style></head><body>\n\
         <h1>lifecycle-check report</h1>\n<table>\n\
         <tr><th>scenario</th><th>engine</th><th>verdict</th><th>expected</th><th></th></tr>\n",
    );
    for entry in entries {
        let verdict = match &entry.finding_page {
            Some(page) => format!(
                "<a href=\"{}\">{}</a>",
                escape(
                    &page
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default()
                ),
                escape(&entry.verdict)
            ),
            None => escape(&entry.verdict),
        };
        let _ = writeln!(
            html,
            "<tr class=\"{class}\"><td><a href=\"{page}\">{scenario}</a></td><td>{engine}</td>\
             <td>{verdict}</td><td>{expected}</td><td>{mark}</td></tr>",
            class = if entry.as_expected {
                "run"
            } else {
                "run unexpected"
            },
            page = escape(&entry.scenario_page),
            scenario = escape(&entry.scenario),
            engine = escape(&entry.engine),
            expected = escape(&entry.expected),
            mark = if entry.as_expected {
                "as expected"
            } else {
                "UNEXPECTED"
            },
        );
    }
    html.push_str("</table>\n</body></html>\n");
    html
}
