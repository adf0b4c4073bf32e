//! The states engine: the story's looping reader is a run that never ends (a lasso in the state
//! graph naming the cycle and every waiter), its fixed twin is proven with no bound, symmetry
//! merges interchangeable waiters, and the model agrees with stateright's own checker.

use lifecycle_models::engine::states::model::ScenarioModel;
use lifecycle_models::engine::states::{explore, Exploration};
use lifecycle_models::{run, Bounds, Engine, FindingKind, RunConfig, Scenario, Verdict};
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

fn scenario(name: &str) -> Scenario {
    Scenario::named(name).expect("a catalogue scenario")
}

fn explored(name: &str, copies: usize, symmetry: bool) -> Exploration {
    let model = ScenarioModel::new(
        Arc::new(scenario(name)),
        RunConfig {
            copies: Some(copies),
            ..RunConfig::default()
        },
    );
    explore(&model, symmetry, 1_000_000, &AtomicUsize::new(0))
}

#[test]
fn the_story_never_ends_and_the_lasso_names_the_cycle_and_every_waiter() {
    let verdict = run(
        &scenario("socket-lifecycle/buggy"),
        Engine::States,
        &RunConfig::default(),
        &Bounds::quick(),
    );
    let finding = verdict.finding().expect("a run that never ends");
    assert_eq!(
        finding.kind,
        FindingKind::LoopingReader,
        "{}",
        finding.diagnosis
    );
    assert_eq!(finding.holder.as_deref(), Some("reader"));
    assert_eq!(finding.lock.as_deref(), Some("registry"));
    assert_eq!(finding.cycle, ["head", "slot#0", "slot#0"]);
    assert_eq!(finding.starved, ["waiter-1", "waiter-2"]);
    let cause = finding.root_cause.as_ref().expect("the root cause");
    assert_eq!(
        (cause.freed_at.1.as_str(), cause.added_again_at.1.as_str()),
        ("owner", "allocator")
    );
    assert!(finding.diagnosis.contains("no final state can be reached"));
    assert!(
        finding.message.contains("cycle of 1 (`reader`)"),
        "{}",
        finding.message
    );
}

#[test]
fn the_fixed_twin_is_proven_at_step_level_with_no_bound() {
    let exploration = explored("socket-lifecycle/fixed", 1, false);
    assert!(!exploration.truncated);
    assert_eq!(exploration.finding, None);
    assert_eq!(
        exploration.graph.non_termination(),
        None,
        "every state can finish"
    );
    assert!(
        exploration.graph.is_final.iter().any(|&f| f),
        "a final state is reached"
    );
    match run(
        &scenario("socket-lifecycle/fixed"),
        Engine::States,
        &RunConfig::default(),
        &Bounds::quick(),
    ) {
        Verdict::Pass {
            executions, bounds, ..
        } => {
            assert!(executions > 100, "{executions} states");
            assert!(bounds.contains("no bound"), "{bounds}");
        }
        other => panic!("expected a proof, got {}", other.label()),
    }
}

#[test]
fn symmetry_merges_interchangeable_waiters() {
    let plain = explored("socket-lifecycle/fixed", 3, false);
    let merged = explored("socket-lifecycle/fixed", 3, true);
    assert!(
        merged.states.len() * 2 < plain.states.len(),
        "3 waiters: {} states with symmetry, {} without",
        merged.states.len(),
        plain.states.len()
    );
    // The same verdict either way: a proof.
    assert_eq!((plain.finding, merged.finding), (None, None));
    assert_eq!(merged.graph.non_termination(), None);
}

#[test]
fn the_model_explores_the_same_states_as_stateright_s_own_checker() {
    use stateright::{Checker, Model};
    for name in [
        "socket-lifecycle/fixed",
        "iterate-delete/fixed",
        "two-lists/fixed",
    ] {
        let ours = explored(name, 1, false).states.len();
        let model = ScenarioModel::new(
            Arc::new(scenario(name)),
            RunConfig {
                copies: Some(1),
                ..RunConfig::default()
            },
        );
        let checker = model.checker().spawn_bfs().join();
        checker.assert_properties();
        assert_eq!(checker.unique_state_count(), ours, "{name}");
    }
}
