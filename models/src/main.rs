//! `lifecycle-check`: runs the catalogue of lifecycle scenarios on every engine, side by side,
//! prints a table of verdicts and writes an HTML report with the list drawn for each finding.
//! Exit code 0 when every verdict is the expected one, 1 when one is not, 2 for bad input.

use clap::Parser;
use lifecycle_models::report::{index_html, picture_text, pictures, write_finding};
use lifecycle_models::{
    replay, run_with_progress, Bounds, Engine, Expected, Finding, Replay, Scenario, ScenarioConfig,
    Verdict,
};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const EXAMPLES: &str = "\
Examples:
  lifecycle-check                                    every scenario on every engine (quick bounds)
  lifecycle-check --list                             the scenarios, a line of story each
  lifecycle-check -s socket-lifecycle/buggy -e loom  one scenario on one engine
  lifecycle-check -s 'socket-lifecycle/*' --waiters 2 --exhaustive
  lifecycle-check -e shuttle-pct --iterations 10000 --seed 7
  lifecycle-check -s socket-lifecycle/buggy --replay tests/regressions/socket-lifecycle-buggy.shuttle-pct.schedule
  lifecycle-check --json | jq .verdict               one JSON object per run, per line
  lifecycle-check --matrix > matrix.md               the catalogue measured over 5 seeds

Exit codes: 0 every verdict as expected; 1 a verdict differs from the expected one; 2 bad input.";

/// Model-check object lifecycles on intrusive lists and slab caches with loom, shuttle and real
/// threads.
#[derive(Parser, Debug)]
#[command(name = "lifecycle-check", version, after_help = EXAMPLES)]
struct Cli {
    /// List the scenarios with a line of story each, and exit.
    #[arg(long)]
    list: bool,

    /// A scenario name, or a glob such as 'socket-lifecycle/*'. Repeat for several
    /// [default: every scenario].
    #[arg(short = 's', long = "scenario", value_name = "NAME|GLOB")]
    scenarios: Vec<String>,

    /// An engine: loom, shuttle-random, shuttle-pct, shuttle-dfs or std. Repeat for several
    /// [default: every engine].
    #[arg(short = 'e', long = "engine", value_name = "ENGINE")]
    engines: Vec<String>,

    /// loom's preemption bound, 0 to 10 [default: 1, or 3 with --exhaustive].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=10))]
    preemption_bound: Option<u64>,

    /// Iterations for shuttle's schedulers (a cap for DFS) and for std, 1 to 10000000
    /// [default: 1000, or 10000 with --exhaustive].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    iterations: Option<u64>,

    /// The seed of shuttle's random and PCT schedulers [default: 24301].
    #[arg(long, value_name = "N")]
    seed: Option<u64>,

    /// Threads that only want the registry lock, 1 to 8 [default: 2]. loom takes at most 2.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=8))]
    waiters: Option<u64>,

    /// Socket slots in the slab, 2 to 16 [default: 2].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(2..=16))]
    objects: Option<u64>,

    /// Use the deep bounds of the CI gate (loom preemption bound 3, 10000 iterations).
    #[arg(long)]
    exhaustive: bool,

    /// Re-run a saved failing execution (a shuttle schedule, or a loom checkpoint file) of the
    /// one scenario given with --scenario.
    #[arg(long, value_name = "FILE_OR_STRING")]
    replay: Option<String>,

    /// Measure the catalogue: every scenario on every engine, randomized engines (shuttle's
    /// random and PCT schedulers, real threads) over 5 seeds, printed as a Markdown table with
    /// the median executions to the first finding.
    #[arg(long)]
    matrix: bool,

    /// Print one JSON object per run, one per line, instead of the table.
    #[arg(long)]
    json: bool,

    /// Where to write the HTML report of each finding.
    #[arg(long, value_name = "DIR", default_value = "target/lifecycle-report")]
    report: PathBuf,

    /// Do not write the HTML report.
    #[arg(long)]
    no_report: bool,
}

/// A bad-input error: printed on one line, exit code 2.
struct BadInput(String);

/// One run's outcome, for the table and the JSON.
struct Row {
    scenario: Scenario,
    engine: Engine,
    verdict: Verdict,
    expected: Expected,
    report: Option<PathBuf>,
}

impl Row {
    fn as_expected(&self) -> bool {
        self.expected.accepts(&self.verdict)
    }
}

fn expected_label(expected: Expected) -> String {
    expected.label()
}

/// `*` matches any run of characters; everything else matches itself.
fn glob_matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((prefix, rest)) => {
            name.starts_with(prefix)
                && (0..=name.len() - prefix.len())
                    .any(|skip| glob_matches(rest, &name[prefix.len() + skip..]))
        }
    }
}

fn select_scenarios(patterns: &[String]) -> Result<Vec<Scenario>, BadInput> {
    if patterns.is_empty() {
        return Ok(Scenario::ALL.to_vec());
    }
    let mut chosen = Vec::new();
    for pattern in patterns {
        let matched: Vec<Scenario> = Scenario::ALL
            .into_iter()
            .filter(|s| glob_matches(pattern, s.name()))
            .collect();
        if matched.is_empty() {
            let names: Vec<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
            return Err(BadInput(format!(
                "unknown scenario `{pattern}` (valid: {}; globs like 'socket-lifecycle/*' work)",
                names.join(", ")
            )));
        }
        for scenario in matched {
            if !chosen.contains(&scenario) {
                chosen.push(scenario);
            }
        }
    }
    Ok(chosen)
}

fn select_engines(names: &[String]) -> Result<Vec<Engine>, BadInput> {
    if names.is_empty() {
        return Ok(Engine::ALL.to_vec());
    }
    names
        .iter()
        .map(|name| {
            Engine::from_name(name).ok_or_else(|| {
                let valid: Vec<&str> = Engine::ALL.iter().map(|e| e.name()).collect();
                BadInput(format!(
                    "unknown engine `{name}` (valid: {})",
                    valid.join(", ")
                ))
            })
        })
        .collect()
}

/// Reads `--replay`: a path to a saved file, or a schedule string itself.
fn parse_replay(argument: &str) -> Result<Replay, BadInput> {
    let text = match std::fs::read_to_string(argument) {
        Ok(text) => text,
        Err(_) if !argument.contains('/') && !argument.contains('.') => argument.to_string(),
        Err(error) => {
            return Err(BadInput(format!(
                "cannot read replay file `{argument}`: {error}"
            )))
        }
    };
    // Shuttle wraps long schedules over several lines; the digits are what count.
    let text: String = text.split_whitespace().collect();
    let text = text.as_str();
    if text.starts_with('{') {
        return if text.contains("\"branches\"") && text.contains("\"preemption_bound\"") {
            Ok(Replay::LoomCheckpoint(text.to_string()))
        } else {
            Err(BadInput(format!(
                "malformed loom checkpoint in `{argument}` (expected loom's JSON execution path \
                 with \"preemption_bound\" and \"branches\")"
            )))
        };
    }
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(BadInput(format!(
            "malformed schedule `{}` (expected a shuttle schedule: hexadecimal digits, as \
             printed by a failing shuttle run, or a loom checkpoint .json file)",
            text.chars().take(40).collect::<String>()
        )));
    }
    Ok(Replay::ShuttleSchedule(text.to_string()))
}

/// Runs `body` with file descriptor 2 pointed at /dev/null: shuttle prints its own failure
/// messages (the harness reports findings itself, with the schedule).
fn with_stderr_silenced<R>(body: impl FnOnce() -> R) -> R {
    // SAFETY: plain POSIX calls on file descriptors this process owns; fd 2 is restored before
    // returning, and nothing else in this program relies on fd 2 during the call.
    unsafe {
        let saved = libc::dup(2);
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
        if saved >= 0 && null >= 0 {
            libc::dup2(null, 2);
            libc::close(null);
        }
        let result = body();
        if saved >= 0 {
            libc::dup2(saved, 2);
            libc::close(saved);
        }
        result
    }
}

fn run_one(
    scenario: Scenario,
    engine: Engine,
    config: &ScenarioConfig,
    bounds: &Bounds,
    show_bar: bool,
) -> Verdict {
    let progress = Arc::new(AtomicUsize::new(0));
    let bar = show_bar.then(|| {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stdout());
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {prefix:<30} {msg:<15} {pos:>9} executions {elapsed:>4}",
            )
            .expect("a valid progress template"),
        );
        bar.set_prefix(scenario.name());
        bar.set_message(engine.name());
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    });
    let done = AtomicUsize::new(0);
    let verdict = std::thread::scope(|scope| {
        if let Some(bar) = &bar {
            let (progress, done) = (&progress, &done);
            scope.spawn(move || {
                while done.load(Ordering::Relaxed) == 0 {
                    bar.set_position(progress.load(Ordering::Relaxed) as u64);
                    std::thread::sleep(Duration::from_millis(50));
                }
            });
        }
        let verdict =
            with_stderr_silenced(|| run_with_progress(scenario, engine, config, bounds, &progress));
        done.store(1, Ordering::Relaxed);
        verdict
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    verdict
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
        "cycle": finding.cycle,
        "starved": finding.starved,
        "root_cause": finding.root_cause.as_ref().map(|c| serde_json::json!({
            "slot": c.slot,
            "freed_at_step": c.freed_at.0, "freed_by": c.freed_at.1,
            "reallocated_at_step": c.reallocated_at.0, "reallocated_by": c.reallocated_at.1,
            "added_again_at_step": c.added_again_at.0, "added_again_by": c.added_again_at.1,
        })),
        "replay": replay,
        "message": finding.message,
        "diagnosis": finding.diagnosis,
    })
}

fn row_json(row: &Row) -> serde_json::Value {
    serde_json::json!({
        "scenario": row.scenario.name(),
        "engine": row.engine.name(),
        "verdict": row.verdict.label(),
        "expected": expected_label(row.expected),
        "as_expected": row.as_expected(),
        "executions": row.verdict.executions(),
        "elapsed_ms": row.verdict.elapsed().as_secs_f64() * 1000.0,
        "bounds": match &row.verdict {
            Verdict::Pass { bounds, .. } => serde_json::Value::from(bounds.clone()),
            Verdict::Found(_) => serde_json::Value::Null,
        },
        "finding": row.verdict.finding().map(finding_json),
        "report": row.report.as_ref().map(|p| p.display().to_string()),
    })
}

fn print_table(rows: &[Row]) {
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
            Verdict::Pass { executions, .. } => executions.to_string(),
        };
        println!(
            "{:<28} {:<15} {:<22} {:<36} {:>11} {:>10.1?}{mark}",
            row.scenario.name(),
            row.engine.name(),
            row.verdict.label(),
            expected_label(row.expected),
            executions,
            row.verdict.elapsed(),
        );
    }
}

fn print_findings(rows: &[Row]) {
    let mut shown = Vec::new();
    for row in rows {
        let Some(finding) = row.verdict.finding() else {
            continue;
        };
        // One explanation per scenario and kind is enough; the report has every engine's.
        if shown.contains(&(row.scenario, finding.kind)) {
            continue;
        }
        shown.push((row.scenario, finding.kind));
        println!(
            "\n== {} on {}: {} ==",
            row.scenario.name(),
            finding.engine,
            finding.kind
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

/// The median of `values` (the lower middle for an even count); `None` if empty.
fn median(values: &mut [usize]) -> Option<usize> {
    values.sort_unstable();
    (!values.is_empty()).then(|| values[(values.len() - 1) / 2])
}

/// `--matrix`: each scenario on each engine; randomized engines over 5 seeds.
fn print_matrix(
    scenarios: &[Scenario],
    engines: &[Engine],
    bounds: &Bounds,
    waiters: usize,
) -> bool {
    const SEEDS: u64 = 5;
    println!(
        "| scenario | engine | expected | verdict | found in | executions to 1st finding (median) | \
         executions explored (pass) | time (median) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut all_expected = true;
    for &scenario in scenarios {
        for &engine in engines {
            let randomized = matches!(
                engine,
                Engine::ShuttleRandom | Engine::ShuttlePct | Engine::Std
            );
            let runs = if randomized { SEEDS } else { 1 };
            let config = ScenarioConfig {
                waiters: if engine == Engine::Loom {
                    waiters.min(2)
                } else {
                    waiters
                },
                ..ScenarioConfig::default()
            };
            let mut to_find = Vec::new();
            let mut explored = Vec::new();
            let mut times = Vec::new();
            let mut kinds: Vec<&str> = Vec::new();
            let expected = scenario.expected_on(engine);
            for run in 0..runs {
                let seeded = Bounds {
                    seed: bounds.seed + run,
                    ..bounds.clone()
                };
                let verdict = with_stderr_silenced(|| {
                    run_with_progress(scenario, engine, &config, &seeded, &Arc::default())
                });
                all_expected &= expected.accepts(&verdict);
                times.push(verdict.elapsed().as_micros() as usize);
                match verdict.finding() {
                    Some(finding) => {
                        to_find.push(finding.executions);
                        if !kinds.contains(&finding.kind.name()) {
                            kinds.push(finding.kind.name());
                        }
                    }
                    None => explored.push(verdict.executions()),
                }
            }
            let verdict = if kinds.is_empty() {
                "pass".to_string()
            } else {
                kinds.join(", ")
            };
            let show =
                |values: &mut Vec<usize>| median(values).map_or("-".to_string(), |m| m.to_string());
            let time = median(&mut times).map_or(0, |t| t);
            println!(
                "| {} | {} | {} | {} | {}/{runs} | {} | {} | {:.1} ms |",
                scenario.name(),
                engine.name(),
                // A `|` would split the Markdown cell.
                expected.label().replace('|', " or "),
                verdict,
                to_find.len(),
                show(&mut to_find),
                show(&mut explored),
                time as f64 / 1000.0
            );
        }
    }
    all_expected
}

fn main_inner(cli: Cli) -> Result<bool, BadInput> {
    if cli.list {
        for scenario in Scenario::ALL {
            println!(
                "{:<28} expected {:<22} {}",
                scenario.name(),
                expected_label(scenario.expected()),
                scenario.story()
            );
        }
        return Ok(true);
    }
    let scenarios = select_scenarios(&cli.scenarios)?;
    let engines = select_engines(&cli.engines)?;
    let mut bounds = if cli.exhaustive {
        Bounds::exhaustive()
    } else {
        Bounds::quick()
    };
    if let Some(bound) = cli.preemption_bound {
        bounds.preemption_bound = Some(bound as usize);
    }
    if let Some(iterations) = cli.iterations {
        bounds.iterations = iterations as usize;
    }
    if let Some(seed) = cli.seed {
        bounds.seed = seed;
    }
    let waiters = cli.waiters.map_or(2, |w| w as usize);
    if waiters > 2 && !cli.engines.is_empty() && engines.contains(&Engine::Loom) {
        return Err(BadInput(format!(
            "--waiters {waiters} is too many for loom (at most 2: loom runs at most 5 threads \
             and the owner, the allocator and the reader take 3); choose other engines with \
             --engine"
        )));
    }
    let objects = cli.objects.map_or(2, |n| n as usize);
    let config_for = |engine: Engine| ScenarioConfig {
        waiters: if engine == Engine::Loom {
            waiters.min(2)
        } else {
            waiters
        },
        objects,
        ..ScenarioConfig::default()
    };

    if cli.matrix {
        return Ok(print_matrix(&scenarios, &engines, &bounds, waiters));
    }
    let terminal = std::io::stdout().is_terminal() && !cli.json;
    let mut rows = Vec::new();
    if let Some(argument) = &cli.replay {
        let saved = parse_replay(argument)?;
        let [scenario] = scenarios[..] else {
            return Err(BadInput(
                "--replay needs exactly one --scenario, the one the schedule was saved from"
                    .to_string(),
            ));
        };
        let engine = match saved {
            Replay::LoomCheckpoint(_) => Engine::Loom,
            _ => Engine::ShuttleRandom,
        };
        let verdict = with_stderr_silenced(|| replay(scenario, &saved, &config_for(engine)));
        if let Verdict::Found(finding) = &verdict {
            let mismatch =
                finding.kind == lifecycle_models::FindingKind::Assertion || finding.executions != 1;
            if mismatch {
                let first_line = finding.message.lines().next().unwrap_or_default();
                let reason = if finding.executions != 1 {
                    format!(
                        "replaying it did not fail in its first execution (exploring on from \
                         it, the first failure came after {} executions)",
                        finding.executions
                    )
                } else {
                    first_line
                        .split(", but choices were")
                        .next()
                        .unwrap_or_default()
                        .chars()
                        .take(160)
                        .collect::<String>()
                };
                return Err(BadInput(format!(
                    "the schedule does not match scenario {}: {reason}",
                    scenario.name()
                )));
            }
        }
        rows.push(Row {
            scenario,
            engine,
            verdict,
            expected: scenario.expected(),
            report: None,
        });
    } else {
        let total = scenarios.len() * engines.len();
        for scenario in &scenarios {
            for engine in &engines {
                let verdict = run_one(*scenario, *engine, &config_for(*engine), &bounds, terminal);
                let row = Row {
                    scenario: *scenario,
                    engine: *engine,
                    expected: scenario.expected_on(*engine),
                    verdict,
                    report: None,
                };
                if !terminal {
                    eprintln!(
                        "[{}/{total}] {} on {}: {} ({} executions, {:.1?})",
                        rows.len() + 1,
                        scenario.name(),
                        engine.name(),
                        row.verdict.label(),
                        row.verdict.executions(),
                        row.verdict.elapsed()
                    );
                }
                rows.push(row);
            }
        }
    }
    if !cli.no_report {
        for row in &mut rows {
            if let Some(finding) = row.verdict.finding() {
                match write_finding(&cli.report, row.scenario, finding) {
                    Ok(path) => row.report = Some(path),
                    Err(error) => {
                        return Err(BadInput(format!(
                            "cannot write the report to `{}`: {error}",
                            cli.report.display()
                        )))
                    }
                }
            }
        }
    }
    let mut report_index = None;
    if !cli.no_report {
        let entries: Vec<_> = rows
            .iter()
            .filter_map(|row| {
                let finding = row.verdict.finding()?;
                Some((
                    row.scenario,
                    finding.engine.clone(),
                    finding.kind.name().to_string(),
                    row.report.clone()?,
                ))
            })
            .collect();
        if !entries.is_empty() {
            let index = cli.report.join("index.html");
            if let Err(error) = std::fs::write(&index, index_html(&entries)) {
                return Err(BadInput(format!(
                    "cannot write the report to `{}`: {error}",
                    cli.report.display()
                )));
            }
            report_index = Some(index);
        }
    }
    if cli.json {
        for row in &rows {
            println!("{}", row_json(row));
        }
    } else {
        print_table(&rows);
        print_findings(&rows);
        if let Some(index) = &report_index {
            println!("\nreport: {}", index.display());
        }
        for row in rows.iter().filter(|r| !r.as_expected()) {
            if let Some(reason) = row.scenario.miss_reason(row.engine) {
                println!(
                    "note: {} on {}: {reason}",
                    row.scenario.name(),
                    row.engine.name()
                );
            }
        }
    }
    Ok(rows.iter().all(Row::as_expected))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            use clap::error::ErrorKind;
            if matches!(
                error.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) {
                let _ = error.print();
                return ExitCode::SUCCESS;
            }
            let rendered = error.to_string();
            let first = rendered.lines().next().unwrap_or("error: bad arguments");
            eprintln!("{first} (see --help)");
            return ExitCode::from(2);
        }
    };
    match main_inner(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(BadInput(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
