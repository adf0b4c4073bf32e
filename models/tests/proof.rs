//! Proof of the fixed lifecycle protocol across every interleaving within stated bounds, checked
//! at every step (no traversal beyond the node count, `next.prev == node` at every unlock, no
//! use of a freed slot, no data race, no leak, every thread terminates), and not vacuously: a
//! proof that never reaches one of the scenario's `[[sometimes]]` states fails (each is printed
//! with how many executions reached it).
//!
//! The exhaustive loom proofs run under `RUSTFLAGS="--cfg loom" cargo test --release` (the CI
//! gate, `ci/loom.sh`); plain `cargo test` runs the shuttle and std proofs and lists the loom
//! ones as ignored.

use lifecycle_models::{run, Bounds, Engine, Plan, Scenario, Settings, Verdict};
use std::time::Duration;

fn scenario(name: &str) -> Scenario {
    Scenario::named(name).expect("a catalogue scenario")
}

fn assert_pass(scenario: Scenario, engine: Engine, waiters: usize, bounds: &Bounds) -> usize {
    let settings = Settings {
        copies: Some(waiters),
        bounds: bounds.clone(),
        ..Settings::default()
    };
    match run(&Plan::new(&scenario, &settings).unwrap(), engine) {
        Verdict::Pass {
            executions,
            elapsed,
            bounds,
            coverage,
        } => {
            eprintln!(
                "{} on {} with {waiters} waiter(s), {bounds}: pass, {executions} executions in \
                 {elapsed:.1?}",
                scenario.name,
                engine.name()
            );
            for reach in &coverage {
                eprintln!(
                    "    sometimes: {}: {} of {executions}",
                    reach.name, reach.reached
                );
            }
            assert!(executions > 0);
            executions
        }
        Verdict::Vacuous { coverage, .. } => panic!("vacuous: {coverage:?}"),
        Verdict::Found(finding) => panic!("{}", finding.diagnosis),
        Verdict::NotRun { reason } => panic!("not run: {reason}"),
        Verdict::Incomplete { reason, .. } => panic!("incomplete: {reason}"),
    }
}

#[test]
#[cfg_attr(not(loom), ignore = "exhaustive: run with RUSTFLAGS=\"--cfg loom\"")]
fn fixed_lifecycle_is_exhaustive_on_loom_at_bound_3_with_one_waiter() {
    let bounds = Bounds::exhaustive();
    assert!(assert_pass(scenario("socket-lifecycle/fixed"), Engine::Loom, 1, &bounds) > 100_000);
}

#[test]
#[cfg_attr(not(loom), ignore = "exhaustive: run with RUSTFLAGS=\"--cfg loom\"")]
fn fixed_lifecycle_is_exhaustive_on_loom_at_bound_2_with_two_waiters() {
    let bounds = Bounds {
        preemption_bound: Some(2),
        ..Bounds::exhaustive()
    };
    assert!(assert_pass(scenario("socket-lifecycle/fixed"), Engine::Loom, 2, &bounds) > 100_000);
}

#[test]
#[cfg_attr(not(loom), ignore = "exhaustive: run with RUSTFLAGS=\"--cfg loom\"")]
fn tagged_free_list_is_exhaustive_on_loom_unbounded() {
    let bounds = Bounds {
        preemption_bound: None,
        ..Bounds::exhaustive()
    };
    assert_pass(scenario("freelist/tagged"), Engine::Loom, 1, &bounds);
}

#[test]
fn fixed_lifecycle_passes_pct_depth_3_for_10000_iterations_with_four_waiters() {
    let bounds = Bounds {
        iterations: 10_000,
        pct_depth: 3,
        ..Bounds::quick()
    };
    assert_eq!(
        assert_pass(
            scenario("socket-lifecycle/fixed"),
            Engine::ShuttlePct,
            4,
            &bounds
        ),
        10_000
    );
}

#[test]
fn fixed_lifecycle_survives_thousands_of_real_thread_lifecycles_with_the_watchdog_armed() {
    let bounds = Bounds {
        iterations: 2_000,
        std_budget: Duration::from_secs(120),
        ..Bounds::quick()
    };
    assert_eq!(
        assert_pass(scenario("socket-lifecycle/fixed"), Engine::Std, 2, &bounds),
        2_000
    );
}
