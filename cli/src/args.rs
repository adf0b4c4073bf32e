//! The command line: flags, and the bounds and run configuration they make.

use clap::Parser;
use lifecycle_models::{Bounds, Settings};
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  lifecycle-check                                    the catalogue on every engine (quick bounds)
  lifecycle-check my-scenarios/                      your scenario files (a directory or files)
  lifecycle-check --list my.toml                     the catalogue and your files, a line each
  lifecycle-check -s socket-lifecycle/buggy -e loom  one scenario on one engine
  lifecycle-check -s 'socket-lifecycle/*' --waiters 2 --exhaustive
  lifecycle-check -e shuttle-pct --iterations 10000 --seed 7
  lifecycle-check -s socket-lifecycle/buggy --replay tests/regressions/socket-lifecycle-buggy--loom.replay.toml
  lifecycle-check --json | jq .verdict               one JSON object per run, per line
  lifecycle-check --matrix > matrix.md               the catalogue measured over 5 seeds
  lifecycle-check --explore socket-lifecycle/buggy   browse the state graph at http://127.0.0.1:3000/
  lifecycle-check lint models/scenarios/             the protocol's rules each file breaks, without running it

Exit codes: 0 every verdict as expected; 1 a verdict differs from the expected one; 2 bad input.";

/// Model-check object lifecycles on intrusive lists and slab caches with loom, shuttle and real
/// threads: the built-in catalogue, or scenario files of your own.
#[derive(Parser, Debug)]
#[command(name = "lifecycle-check", version, after_help = EXAMPLES)]
pub struct Cli {
    /// Scenario files (.toml) or directories of them to run instead of the built-in catalogue.
    #[arg(value_name = "FILE_OR_DIR")]
    pub paths: Vec<PathBuf>,

    /// List the scenarios (the catalogue and any files given) with their expected verdicts, and
    /// exit.
    #[arg(long)]
    pub list: bool,

    /// A scenario name, or a glob such as 'socket-lifecycle/*'. Repeat for several
    /// [default: every scenario].
    #[arg(short = 's', long = "scenario", value_name = "NAME|GLOB")]
    pub scenarios: Vec<String>,

    /// An engine: loom, shuttle-random, shuttle-pct, shuttle-dfs, std or states. Repeat for several
    /// [default: every engine].
    #[arg(short = 'e', long = "engine", value_name = "ENGINE")]
    pub engines: Vec<String>,

    /// loom's preemption bound, 0 to 10 [default: 1, or 3 with --exhaustive].
    #[arg(long, value_name = "N")]
    pub preemption_bound: Option<usize>,

    /// Iterations for shuttle's schedulers (a cap for DFS) and for std, 1 to 10000000
    /// [default: 1000, or 10000 with --exhaustive].
    #[arg(long, value_name = "N")]
    pub iterations: Option<usize>,

    /// The seed of shuttle's random and PCT schedulers [default: 24301].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Copies of every replicated actor (`count` in a file: the waiters), 1 to 64, as in a file
    /// [default: the file's count]. loom runs at most 5 actors.
    #[arg(long, value_name = "N")]
    pub waiters: Option<usize>,

    /// The most states the states engine explores before it stops with the verdict
    /// `incomplete` (no proof, exit code 1) [default: 1000000].
    #[arg(long, value_name = "N")]
    pub max_states: Option<usize>,

    /// Runs at once (each scenario on each engine is one run): results, the table and the
    /// report keep the runs' order; real-thread (`std`) runs always run alone, after the others
    /// [default: the machine's cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,

    /// The most resident memory, in MiB, the process may reach while the states engine
    /// explores before it stops with `incomplete` [default: half the machine's memory].
    #[arg(long, value_name = "MIB")]
    pub max_memory: Option<usize>,

    /// Threads exploring one state graph, 1 to 256 (each with a world of its own; the others
    /// join the first at 20,000 states): verdicts, counts and reports do not depend on it;
    /// with --jobs, up to jobs times this many threads run [default: the machine's cores].
    #[arg(long, value_name = "N")]
    pub state_workers: Option<usize>,

    /// Slab slots, 1 to 64, as in a file [default: the file's `objects`].
    #[arg(long, value_name = "N")]
    pub objects: Option<usize>,

    /// Use the deep bounds of the CI gate (loom preemption bound 3, 10000 iterations).
    #[arg(long)]
    pub exhaustive: bool,

    /// Re-run a saved failing execution (a .replay.toml file the report wrote, or a shuttle
    /// schedule string) of the one scenario given with --scenario.
    #[arg(long, value_name = "FILE_OR_STRING")]
    pub replay: Option<String>,

    /// Measure the scenarios: every scenario on every engine, randomized engines (shuttle's
    /// random and PCT schedulers, real threads) over 5 seeds, printed as a Markdown table with
    /// the median executions to the first finding.
    #[arg(long)]
    pub matrix: bool,

    /// Serve stateright's Explorer for one scenario's state graph on 127.0.0.1 (the lists of
    /// the selected state drawn as SVG) until stopped with Ctrl-C.
    #[arg(long, value_name = "SCENARIO")]
    pub explore: Option<String>,

    /// The Explorer's port.
    #[arg(long, value_name = "PORT", default_value_t = 3000)]
    pub port: u16,

    /// Print one JSON object per run, one per line, instead of the table.
    #[arg(long)]
    pub json: bool,

    /// Where to write the HTML report (an index of every run, a page per scenario and per
    /// finding).
    #[arg(long, value_name = "DIR", default_value = "target/lifecycle-report")]
    pub report: PathBuf,

    /// Do not write the HTML report.
    #[arg(long)]
    pub no_report: bool,
}

impl Cli {
    /// The settings the flags ask for (checked against their ranges by `Plan::new`, the one
    /// place that checks them, for a file's values too).
    pub fn settings(&self) -> Settings {
        let mut bounds = if self.exhaustive {
            Bounds::exhaustive()
        } else {
            Bounds::quick()
        };
        if let Some(bound) = self.preemption_bound {
            bounds.preemption_bound = Some(bound);
        }
        if let Some(iterations) = self.iterations {
            bounds.iterations = iterations;
        }
        if let Some(seed) = self.seed {
            bounds.seed = seed;
        }
        if let Some(max_states) = self.max_states {
            bounds.max_states = max_states;
        }
        if let Some(max_memory) = self.max_memory {
            bounds.max_memory_mib = max_memory;
        }
        if let Some(workers) = self.state_workers {
            bounds.state_workers = workers;
        }
        Settings {
            copies: self.waiters,
            objects: self.objects,
            bounds,
            ..Settings::default()
        }
    }
}

/// Parses `args` (the program name first) as `T`. On failure, the exit the program takes: help
/// and version are printed and succeed; anything else is one line naming the problem, pointing
/// at `help`, and exit code 2.
pub fn parse_or_exit<T: Parser>(
    args: impl IntoIterator<Item = std::ffi::OsString>,
    help: &str,
) -> Result<T, std::process::ExitCode> {
    T::try_parse_from(args).map_err(|error| {
        use clap::error::ErrorKind;
        if matches!(
            error.kind(),
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
        ) {
            let _ = error.print();
            return std::process::ExitCode::SUCCESS;
        }
        let rendered = error.to_string();
        let first = rendered.lines().next().unwrap_or("error: bad arguments");
        eprintln!("{first} (see {help})");
        std::process::ExitCode::from(2)
    })
}
