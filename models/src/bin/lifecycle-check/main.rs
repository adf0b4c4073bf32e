//! `lifecycle-check`: runs lifecycle scenarios (the built-in catalogue, or files of your own) on
//! every engine, side by side, prints a table of verdicts and writes an HTML report with the
//! lists drawn for each finding. Exit code 0 when every verdict is the expected one, 1 when one
//! is not, 2 for bad input. `lifecycle-check lint FILE...` checks files against the protocol's
//! rules without running them (`lint.rs`).

mod args;
mod explore;
mod lint;
mod matrix;
mod output;
mod select;

use args::Cli;
use lifecycle_models::{
    replay, run_with_progress, Bounds, Engine, Replay, RunConfig, SavedReplay, Scenario, Verdict,
};
use output::Row;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A bad-input error: printed on one line, exit code 2.
pub struct BadInput(String);

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

/// Runs one scenario on one engine, with a progress bar on a terminal.
fn run_one(
    scenario: &Scenario,
    engine: Engine,
    config: &RunConfig,
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
        bar.set_prefix(scenario.name.clone());
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
) -> Result<Row<'s>, BadInput> {
    let [scenario] = scenarios else {
        return Err(BadInput(
            "--replay needs exactly one scenario (--scenario NAME), the one the replay was saved \
             from"
                .to_string(),
        ));
    };
    let (saved, engine) = read_replay(argument, scenario)?;
    let verdict = with_stderr_silenced(|| replay(scenario, &saved, &cli.config()));
    if let Verdict::Found(finding) = &verdict {
        if finding.executions != 1 {
            return Err(BadInput(format!(
                "the schedule does not match scenario {}: replaying it did not fail in its first \
                 execution (exploring on from it, the first failure came after {} executions)",
                scenario.name, finding.executions
            )));
        }
    }
    Ok(Row {
        scenario,
        engine,
        verdict,
        expected: scenario.expect.all.clone(),
        report: None,
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
        explore::serve(scenario, &cli.config(), cli.port)?;
        return Ok(true);
    }
    let scenarios = select::by_name(all, &cli.scenarios)?;
    let engines = select::engines(&cli.engines)?;
    let (bounds, config) = (cli.bounds(), cli.config());
    // An engine the user asked for by name must be able to run every scenario chosen.
    if !cli.engines.is_empty() {
        for engine in &engines {
            if let Some(reason) = scenarios.iter().find_map(|s| engine.refusal(s, &config)) {
                return Err(BadInput(reason));
            }
        }
    }
    if cli.matrix {
        return Ok(matrix::print_matrix(&scenarios, &engines, &bounds, &config));
    }
    let terminal = std::io::stdout().is_terminal() && !cli.json;
    let mut rows = Vec::new();
    if let Some(argument) = &cli.replay {
        rows.push(replay_row(&cli, &scenarios, argument)?);
    } else {
        let total = scenarios.len() * engines.len();
        for scenario in &scenarios {
            for &engine in &engines {
                let verdict = run_one(scenario, engine, &config, &bounds, terminal);
                let row = Row {
                    scenario,
                    engine,
                    expected: scenario.expected_on(engine).clone(),
                    verdict,
                    report: None,
                };
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
        Some(output::write_report(&cli.report, &mut rows)?)
    };
    if cli.json {
        for row in &rows {
            println!("{}", output::row_json(row));
        }
    } else {
        output::print_table(&rows);
        output::print_findings(&rows);
        if let Some(index) = &index {
            println!("\nreport: {}", index.display());
        }
        output::print_notes(&rows);
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
