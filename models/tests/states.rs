//! The states engine through the public API: the story's looping reader is a run that never
//! ends, a lasso in the state graph diagnosed with the cycle, every waiter and the root cause.
//! (The graph itself is tested beside it, in `src/engine/states/tests.rs`.)

use lifecycle_models::{run, Engine, FindingKind, Plan, Scenario};

fn scenario(name: &str) -> Scenario {
    Scenario::named(name).expect("a catalogue scenario")
}

#[test]
fn the_story_never_ends_and_the_lasso_names_the_cycle_and_every_waiter() {
    let verdict = run(
        &Plan::of(&scenario("socket-lifecycle/buggy")),
        Engine::States,
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
        (cause.freed_by.as_str(), cause.added_again_by.as_str()),
        ("owner", "allocator")
    );
    assert!(finding.diagnosis.contains("no final state can be reached"));
    assert!(
        finding.message.contains("cycle of 1 (`reader`)"),
        "{}",
        finding.message
    );
}
