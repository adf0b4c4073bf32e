//! `--matrix`: every scenario on every engine, randomized engines over 5 seeds, as a Markdown
//! table with the median executions to the first finding (how BENCHMARKS.md was measured).

use crate::BadInput;
use lifecycle_models::{run, Bounds, Engine, Plan, Scenario, Settings, Verdict};

/// The median of `values` (the lower middle for an even count); `None` if empty.
fn median(values: &mut [usize]) -> Option<usize> {
    values.sort_unstable();
    (!values.is_empty()).then(|| values[(values.len() - 1) / 2])
}

/// Prints the matrix; `true` if every verdict was the expected one.
pub fn print_matrix(
    scenarios: &[Scenario],
    engines: &[Engine],
    settings: &Settings,
) -> Result<bool, BadInput> {
    const SEEDS: u64 = 5;
    println!(
        "| scenario | engine | expected | verdict | found in | executions to 1st finding (median) | \
         executions explored (pass) | time (median) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut all_expected = true;
    for scenario in scenarios {
        for &engine in engines {
            let randomized = matches!(
                engine,
                Engine::ShuttleRandom | Engine::ShuttlePct | Engine::Std
            );
            let runs = if randomized { SEEDS } else { 1 };
            let mut to_find = Vec::new();
            let mut explored = Vec::new();
            let mut times = Vec::new();
            let mut kinds: Vec<&str> = Vec::new();
            let expected = scenario.expected_on(engine);
            for seed_offset in 0..runs {
                let seeded = Settings {
                    bounds: Bounds {
                        seed: settings.bounds.seed + seed_offset,
                        ..settings.bounds.clone()
                    },
                    ..settings.clone()
                };
                let plan = Plan::new(scenario, &seeded).map_err(|e| BadInput(e.to_string()))?;
                let verdict = run(&plan, engine);
                if let Verdict::NotRun { .. } = verdict {
                    kinds.push("not run");
                    break;
                }
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
            let time = median(&mut times).unwrap_or(0);
            println!(
                "| {} | {} | {} | {} | {}/{runs} | {} | {} | {:.1} ms |",
                scenario.name,
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
    Ok(all_expected)
}
