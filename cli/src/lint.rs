//! `lifecycle-check lint FILE_OR_DIR...`: the rule checker on scenario files. Prints
//! `file:line:column: rule-name: reason` per broken rule (or SARIF 2.1.0 with `--format sarif`);
//! clean files print nothing. Exit code 0 clean, 1 a rule broken, 2 bad input.

use crate::{select, BadInput};
use clap::{Parser, ValueEnum};
use lifecycle_models::{lint, to_sarif, Violation};
use std::path::PathBuf;
use std::process::ExitCode;

/// How to print the violations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `file:line:column: rule-name: reason`, one line each.
    Text,
    /// One SARIF 2.1.0 log (JSON) for code-scanning tools.
    Sarif,
}

/// Check scenario files against the lifecycle protocol's rules without running them: each rule
/// a step (or the `[world]`) breaks, at the step that breaks it.
#[derive(Parser, Debug)]
#[command(
    name = "lifecycle-check lint",
    after_help = "Exit codes: 0 every file follows the rules; 1 a rule is broken; 2 bad input."
)]
pub struct LintCli {
    /// Scenario files (.toml) or directories of them.
    #[arg(value_name = "FILE_OR_DIR", required = true)]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs `lifecycle-check lint` with the arguments after `lint`.
pub fn main(args: impl Iterator<Item = std::ffi::OsString>) -> ExitCode {
    let cli: LintCli = match crate::args::parse_or_exit(args, "lifecycle-check lint --help") {
        Ok(cli) => cli,
        Err(exit) => return exit,
    };
    match run(&cli) {
        Ok(violations) => {
            match cli.format {
                Format::Text => {
                    for violation in &violations {
                        println!("{violation}");
                    }
                }
                Format::Sarif => {
                    let log = to_sarif(&violations);
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&log).expect("a SARIF log serializes")
                    );
                }
            }
            if violations.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(BadInput(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Every violation in every file given, in file order; notes go to stderr.
fn run(cli: &LintCli) -> Result<Vec<Violation>, BadInput> {
    let scenarios = select::load(&cli.paths)?;
    let mut violations = Vec::new();
    for scenario in &scenarios {
        let report = lint(scenario);
        for note in &report.notes {
            eprintln!("{note}");
        }
        violations.extend(report.violations);
    }
    Ok(violations)
}
