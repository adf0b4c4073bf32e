//! `lifecycle-check`: runs lifecycle scenarios (the built-in catalogue, or files of your own) on
//! every engine, side by side, prints a table of verdicts and writes an HTML report with the
//! lists drawn for each finding. Exit code 0 when every verdict is the expected one, 1 when one
//! is not, 2 for bad input. `lifecycle-check lint FILE...` checks files against the protocol's
//! rules without running them (`lint.rs`). It uses `lifecycle-models`' public API only.

mod args;
mod jobs;
mod lint;
mod matrix;
mod select;

use args::Cli;
use lifecycle_models::{
    findings, notes, refusal, replay, serve_explorer, table, write_report, Engine, Plan, Replay,
    RunRecord, SavedReplay, Scenario, Verdict,
};
use std::io::IsTerminal;
use std::process::ExitCode;

/// A bad-input error: printed on one line, exit code 2.
pub struct BadInput(String);

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
        let runs: Vec<jobs::Run<'_>> = scenarios
            .iter()
            .zip(&plans)
            .flat_map(|(scenario, plan)| {
                engines.iter().map(move |&engine| jobs::Run {
                    scenario,
                    plan,
                    engine,
                })
            })
            .collect();
        let jobs = cli.jobs.map_or_else(jobs::default_jobs, usize::from);
        let verdicts = jobs::run_all(&runs, jobs, terminal, !cli.json);
        for (run, verdict) in runs.iter().zip(verdicts) {
            rows.push(RunRecord::new(run.scenario, run.engine, verdict));
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
