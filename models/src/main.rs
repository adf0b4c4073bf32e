//! `lifecycle-check`: the suite's main program.

use lifecycle_models::{run, Bounds, Engine, Scenario, ScenarioConfig};

fn main() {
    let config = ScenarioConfig::default();
    let bounds = Bounds::quick();
    for scenario in Scenario::ALL {
        for engine in Engine::ALL {
            let verdict = run(scenario, engine, &config, &bounds);
            println!(
                "{:<30} {:<15} {:<22} {:>8} {:>10.1?}",
                scenario.name(),
                engine.name(),
                verdict.label(),
                verdict.executions(),
                verdict.elapsed()
            );
        }
    }
}
