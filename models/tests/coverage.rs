//! Proofs that are not vacuous: every fixed twin's `[[sometimes]]` states are reached on both
//! proving engines (loom counts executions, the states engine counts states), and a scenario
//! over-constrained by mistake (its reader runs only after every close) is reported as vacuous,
//! naming the states it never reached, rather than as a pass.

use lifecycle_models::engine::states::model::ScenarioModel;
use lifecycle_models::{run, Bounds, Engine, Expected, Reach, RunConfig, Scenario, Verdict};
use std::sync::Arc;

fn over_constrained() -> Scenario {
    Scenario::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scenarios/reader-after-every-close.toml"
    ))
    .expect("the fixture parses")
}

fn reached(coverage: &[Reach]) -> Vec<(&str, bool)> {
    coverage
        .iter()
        .map(|reach| (reach.name.as_str(), reach.reached > 0))
        .collect()
}

#[test]
fn an_over_constrained_scenario_is_reported_vacuous_on_both_proving_engines() {
    let scenario = over_constrained();
    for engine in [Engine::Loom, Engine::States] {
        let verdict = run(&scenario, engine, &RunConfig::default(), &Bounds::quick());
        let Verdict::Vacuous {
            executions,
            coverage,
            ..
        } = &verdict
        else {
            panic!(
                "{}: expected vacuous, got {}",
                engine.name(),
                verdict.label()
            );
        };
        assert!(*executions > 0);
        assert_eq!(
            reached(coverage),
            [
                ("the reader walks while the owner's object is linked", false),
                ("the reader holds a reference while the owner closes", false),
                ("the allocator gets the owner's slot back", true),
                ("a waiter queues behind the reader", true),
            ],
            "{}",
            engine.name()
        );
        assert_eq!(verdict.label(), "vacuous");
        assert!(Expected::Vacuous.accepts(&verdict));
        assert!(
            !Expected::Pass.accepts(&verdict),
            "a vacuous proof is not a pass"
        );
    }
}

#[test]
fn a_vacuous_proof_fails_expect_pass_naming_what_it_missed() {
    let scenario = over_constrained();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        lifecycle_models::check(&scenario)
            .engine(Engine::States)
            .expect_pass()
    }));
    let payload = outcome.expect_err("a vacuous proof is not a pass");
    let message = lifecycle_models::panic_message(&*payload);
    assert!(
        message.contains(
            "never reached `the reader walks while the owner's object is linked`, `the reader \
             holds a reference while the owner closes`"
        ),
        "{message}"
    );
}

#[test]
fn shuttle_and_real_threads_report_coverage_but_never_a_vacuous_verdict() {
    // They test rather than prove: a state they miss is a statistic, not a verdict.
    let scenario = over_constrained();
    for engine in [Engine::ShuttlePct, Engine::Std] {
        let bounds = Bounds {
            iterations: 50,
            ..Bounds::quick()
        };
        let verdict = run(&scenario, engine, &RunConfig::default(), &bounds);
        assert_eq!(verdict.label(), "pass", "{}", engine.name());
        assert_eq!(
            reached(verdict.coverage())[..2],
            [
                ("the reader walks while the owner's object is linked", false),
                ("the reader holds a reference while the owner closes", false),
            ]
        );
    }
}

#[test]
fn every_fixed_twin_reaches_all_its_sometimes_states_on_loom_and_states() {
    let fixed: Vec<Scenario> = Scenario::catalogue()
        .into_iter()
        .filter(|s| s.expect.all == Expected::Pass)
        .collect();
    assert_eq!(fixed.len(), 9, "the catalogue's fixed twins");
    for scenario in &fixed {
        assert!(
            !scenario.sometimes.is_empty(),
            "{}: a proof needs [[sometimes]] states to show it is not vacuous",
            scenario.name
        );
        for engine in [Engine::Loom, Engine::States] {
            let verdict = run(scenario, engine, &RunConfig::default(), &Bounds::quick());
            let Verdict::Pass { coverage, .. } = &verdict else {
                panic!(
                    "{} on {}: expected a proof, got {}",
                    scenario.name,
                    engine.name(),
                    verdict.label()
                );
            };
            assert_eq!(coverage.len(), scenario.sometimes.len());
            for reach in coverage {
                assert!(
                    reach.reached > 0,
                    "{} on {}: {}",
                    scenario.name,
                    engine.name(),
                    reach.name
                );
            }
        }
    }
}

#[test]
fn stateright_s_own_checker_discovers_every_sometimes_state() {
    use stateright::{Checker, Model};
    for scenario in Scenario::catalogue()
        .into_iter()
        .filter(|s| !s.sometimes.is_empty())
    {
        let model = ScenarioModel::new(Arc::new(scenario.clone()), RunConfig::default());
        let properties = model.properties();
        let checker = model.checker().spawn_bfs().join();
        let names: Vec<&str> = properties.iter().skip(1).map(|p| p.name).collect();
        let declared: Vec<&str> = scenario.sometimes.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names, declared,
            "{}: one property per [[sometimes]]",
            scenario.name
        );
        for name in names {
            assert!(
                checker.discovery(name).is_some(),
                "{}: stateright found no example of `{name}`",
                scenario.name
            );
        }
    }
}

#[test]
fn the_program_prints_coverage_under_each_proof_and_in_the_json() {
    let program = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_lifecycle-check"))
            .args(args)
            .args([
                "--no-report",
                "-e",
                "states",
                "-e",
                "shuttle-pct",
                "tests/scenarios/reader-after-every-close.toml",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("the program starts")
    };
    let table = program(&[]);
    let out = String::from_utf8_lossy(&table.stdout);
    assert_eq!(table.status.code(), Some(0), "vacuous was expected: {out}");
    let lines: Vec<&str> = out.lines().collect();
    let row = lines
        .iter()
        .position(|l| l.contains(" states ") && l.contains("vacuous"))
        .unwrap_or_else(|| panic!("a vacuous states row: {out}"));
    assert!(
        lines[row + 1].contains("sometimes: the reader walks while the owner's object is linked")
    );
    assert!(
        lines[row + 1].ends_with("0 of 69 states  <-- never reached"),
        "{}",
        lines[row + 1]
    );
    // Only proofs get coverage lines in the table; shuttle's row is followed by the next row.
    let pct = lines
        .iter()
        .position(|l| l.contains("shuttle-pct"))
        .expect("a PCT row");
    assert!(!lines.get(pct + 1).is_some_and(|l| l.contains("sometimes:")));

    let json = program(&["--json"]);
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&json.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    let states = rows
        .iter()
        .find(|r| r["engine"] == "states")
        .expect("states");
    assert_eq!(states["verdict"], "vacuous");
    assert_eq!(states["as_expected"], true);
    assert_eq!(
        states["coverage"][0],
        serde_json::json!({"sometimes": "the reader walks while the owner's object is linked", "reached": 0})
    );
    let pct = rows
        .iter()
        .find(|r| r["engine"] == "shuttle-pct")
        .expect("pct");
    assert_eq!(pct["verdict"], "pass");
    assert_eq!(pct["coverage"].as_array().map(Vec::len), Some(4));
}
