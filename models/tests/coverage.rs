//! Proofs that are not vacuous: every fixed twin's `[[sometimes]]` states are reached on both
//! proving engines (loom counts executions, the states engine counts states), and a scenario
//! over-constrained by mistake (its reader runs only after every close) is reported as vacuous,
//! naming the states it never reached, rather than as a pass.

use lifecycle_models::{run, Bounds, Engine, Expected, Plan, Reach, Scenario, Settings, Verdict};

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
        let verdict = run(&Plan::of(&scenario), engine);
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
        let settings = Settings {
            bounds,
            ..Settings::default()
        };
        let verdict = run(&Plan::new(&scenario, &settings).unwrap(), engine);
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
    assert_eq!(
        fixed.len(),
        21,
        "the catalogue's fixed twins: 9, 8 of the rcu/ family, typesafe/recheck, \
         socket-lookup/fixed and rculist-nulls/'s insert and delete"
    );
    for scenario in &fixed {
        assert!(
            !scenario.sometimes.is_empty(),
            "{}: a proof needs [[sometimes]] states to show it is not vacuous",
            scenario.name
        );
        for engine in [Engine::Loom, Engine::States] {
            let verdict = run(&Plan::of(scenario), engine);
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
