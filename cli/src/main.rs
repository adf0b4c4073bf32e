//! `lifecycle-check`: runs lifecycle scenarios (the built-in catalogue, or files of your own) on
//! every engine, side by side, prints a table of verdicts and writes an HTML report with the
//! lists drawn for each finding. Exit code 0 when every verdict is the expected one, 1 when one
//! is not, 2 for bad input. `lifecycle-check lint FILE...` checks files against the protocol's
//! rules without running them (`lint.rs`). It uses `lifecycle-models`' public API only.

mod args;
mod lint;
mod matrix;
mod select;

use args::Cli;
use lifecycle_models::{
    findings, notes, refusal, replay, run_with_progress, serve_explorer, table, write_report,
    Bounds, Engine, Plan, Replay, RunRecord, SavedReplay, Scenario, Verdict,
};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A bad-input error: printed on one line, exit code 2.
pub struct BadInput(String);

/// How often a run with no terminal prints a progress line (a run shorter prints none).
const PROGRESS_EVERY: Duration = Duration::from_secs(30);

/// Runs one scenario on one engine, with a progress bar on a terminal (executions or states,
/// their rate, the process's memory), or a progress line every [`PROGRESS_EVERY`] otherwise
/// (`lines`: not when stdout carries JSON).
fn run_one(plan: &Plan, engine: Engine, show_bar: bool, lines: bool) -> Verdict {
    let progress = Arc::new(AtomicUsize::new(0));
    let memory = || Bounds::resident_mib().map_or(String::new(), |mib| format!("{mib} MiB"));
    let bar = show_bar.then(|| {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stdout());
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {prefix:<30} {msg:<25} {pos:>9} executions {per_sec:>12} {elapsed:>4}",
            )
            .expect("a valid progress template"),
        );
        bar.set_prefix(plan.scenario().name.clone());
        bar.set_message(engine.name());
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    });
    let done = AtomicUsize::new(0);
    let started = std::time::Instant::now();
    let verdict = std::thread::scope(|scope| {
        let (progress, done, bar) = (&progress, &done, &bar);
        scope.spawn(move || {
            let mut printed = Duration::ZERO;
            while done.load(Ordering::Relaxed) == 0 {
                let count = progress.load(Ordering::Relaxed);
                if let Some(bar) = bar {
                    bar.set_position(count as u64);
                    bar.set_message(format!("{} {}", engine.name(), memory()));
                } else if lines && started.elapsed() >= printed + PROGRESS_EVERY {
                    printed = started.elapsed();
                    println!(
                        "progress: {} on {}: {count} executions in {:.0} s ({:.0}/s), {}",
                        plan.scenario().name,
                        engine.name(),
                        printed.as_secs_f64(),
                        count as f64 / printed.as_secs_f64(),
                        memory()
                    );
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let verdict = run_with_progress(plan, engine, progress);
        done.store(1, Ordering::Relaxed);
        verdict
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    verdict
}

/// Reads `--replay`: a replay file the report wrote (checked against the scenario's name and
/// text), or a bare shuttle schedule string.
fn read_replay(argument: &str, scenario: &Scenario) -> Result<(Replay, Engine), BadInput> {
    let text = match std::fs::read_to_string(argument) {
        Ok(text) => text,
        Err(_) if argument.chars().all(|c| c.is_ascii_hexdigit()) && !argument.is_empty() => {
            return Ok((
                Replay::ShuttleSchedule(argument.to_string()),
                Engine::ShuttleRandom,
            ))
        }
        Err(error) => {
            return Err(BadInput(format!(
                "cannot read replay file `{argument}`: {error}"
            )))
        }
    };
    let saved = SavedReplay::from_toml(&text).map_err(|error| {
        BadInput(format!(
            "`{argument}` is not a replay file ({error}); expected the .replay.toml a failing \
             run writes beside its report page"
        ))
    })?;
    if let Some(mismatch) = saved.mismatch(scenario) {
        return Err(BadInput(format!(
            "refusing to replay `{argument}`: {mismatch}"
        )));
    }
    let engine = match saved.replay {
        Replay::LoomCheckpoint(_) => Engine::Loom,
        _ => Engine::ShuttleRandom,
    };
    Ok((saved.replay, engine))
}

/// `--replay`: the one scenario, re-run from the saved execution.
fn replay_row<'s>(
    cli: &Cli,
    scenarios: &'s [Scenario],
    argument: &str,
) -> Result<RunRecord<'s>, BadInput> {
    let [scenario] = scenarios else {
        return Err(BadInput(
            "--replay needs exactly one scenario (--scenario NAME), the one the replay was saved \
             from"
                .to_string(),
        ));
    };
    let (saved, engine) = read_replay(argument, scenario)?;
    let plan = Plan::new(scenario, &cli.settings()).map_err(|e| BadInput(e.to_string()))?;
    let verdict = replay(&plan, &saved);
    if let Verdict::Found(finding) = &verdict {
        if finding.executions != 1 {
            return Err(BadInput(format!(
                "the schedule does not match scenario {}: replaying it did not fail in its first \
                 execution (exploring on from it, the first failure came after {} executions)",
                scenario.name, finding.executions
            )));
        }
    }
    Ok(RunRecord {
        expected: scenario.expect.all.clone(),
        ..RunRecord::new(scenario, engine, verdict)
    })
}

fn main_inner(cli: Cli) -> Result<bool, BadInput> {
    let user = select::load(&cli.paths)?;
    if cli.list {
        for scenario in Scenario::catalogue().iter().chain(&user) {
            println!(
                "{:<30} expected {:<22} {}",
                scenario.name,
                scenario.expect.all.label(),
                scenario.source.path
            );
        }
        return Ok(true);
    }
    let all = if cli.paths.is_empty() {
        Scenario::catalogue()
    } else {
        user
    };
    if let Some(name) = &cli.explore {
        let [scenario] = &select::by_name(all, std::slice::from_ref(name))?[..] else {
            return Err(BadInput(format!(
                "--explore needs one scenario, and `{name}` names several"
            )));
        };
        let plan = Plan::new(scenario, &cli.settings()).map_err(|e| BadInput(e.to_string()))?;
        serve_explorer(&plan, cli.port).map_err(BadInput)?;
        return Ok(true);
    }
    let scenarios = select::by_name(all, &cli.scenarios)?;
    let engines = select::engines(&cli.engines)?;
    let settings = cli.settings();
    let plans = scenarios
        .iter()
        .map(|scenario| Plan::new(scenario, &settings))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| BadInput(error.to_string()))?;
    // An engine the user asked for by name must be able to run every scenario chosen.
    if !cli.engines.is_empty() {
        for &engine in &engines {
            if let Some(reason) = plans.iter().find_map(|plan| refusal(plan, engine)) {
                return Err(BadInput(reason));
            }
        }
    }
    if cli.matrix {
        return matrix::print_matrix(&scenarios, &engines, &settings);
    }
    let terminal = std::io::stdout().is_terminal() && !cli.json;
    let mut rows = Vec::new();
    if let Some(argument) = &cli.replay {
        rows.push(replay_row(&cli, &scenarios, argument)?);
    } else {
        let total = scenarios.len() * engines.len();
        for (scenario, plan) in scenarios.iter().zip(&plans) {
            for &engine in &engines {
                let verdict = run_one(plan, engine, terminal, !cli.json);
                let row = RunRecord::new(scenario, engine, verdict);
                if !terminal {
                    eprintln!(
                        "[{}/{total}] {} on {}: {} ({} executions, {:.1?})",
                        rows.len() + 1,
                        scenario.name,
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
    let index = if cli.no_report {
        None
    } else {
        Some(write_report(&cli.report, &mut rows).map_err(|error| {
            BadInput(format!(
                "cannot write the report to `{}`: {error}",
                cli.report.display()
            ))
        })?)
    };
    if cli.json {
        for row in &rows {
            println!("{}", row.to_json());
        }
    } else {
        print!("{}", table(&rows));
        print!("{}", findings(&rows));
        if let Some(index) = &index {
            println!("\nreport: {}", index.display());
        }
        print!("{}", notes(&rows));
    }
    // A row an engine could not run (loom and too many actors) is skipped, not a failure.
    Ok(rows
        .iter()
        .all(|row| row.as_expected() || matches!(row.verdict, Verdict::NotRun { .. })))
}

fn main() -> ExitCode {
    let mut args = std::env::args_os();
    if std::env::args_os()
        .nth(1)
        .is_some_and(|first| first == "lint")
    {
        args.next();
        return lint::main(args);
    }
    let cli: Cli = match args::parse_or_exit(std::env::args_os(), "--help") {
        Ok(cli) => cli,
        Err(exit) => return exit,
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
