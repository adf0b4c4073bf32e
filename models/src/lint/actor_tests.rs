//! Unit tests of `actor`.
use super::ActorCheck;
use crate::language::{Rule, Scenario};
use crate::lint::sharing::Sharing;
use crate::test_util::scenario_file;

/// The rules actor `index` of the file made of `actors` breaks, with the step's column (a
/// `scenario_file` writes each actor's steps on one line).
fn broken(actors: &[(&str, &[&str])], index: usize) -> Vec<(Rule, usize)> {
    let text = scenario_file(2, &[], actors);
    let scenario = Scenario::parse("unit.toml", &text).expect("valid");
    let sharing = Sharing::of(&scenario);
    ActorCheck::new(&scenario, &sharing, &scenario.actors[index])
        .run()
        .into_iter()
        .map(|v| (v.rule, v.column))
        .collect()
}

#[test]
fn a_free_of_a_linked_object_is_linked_at_free_at_the_free() {
    let owner: &[&str] = &["alloc s", "lock", "list_add s registry", "unlock", "free s"];
    // `steps = ["alloc s", "lock", "list_add s registry", "unlock", "free s"]`: the free's
    // string starts at column 62.
    assert_eq!(broken(&[("owner", owner)], 0), [(Rule::LinkedAtFree, 62)]);
    let fixed: &[&str] = &[
        "alloc s",
        "lock",
        "list_add s registry",
        "unlock",
        "lock",
        "list_del s registry",
        "unlock",
        "free s",
    ];
    assert_eq!(broken(&[("owner", fixed)], 0), []);
}

#[test]
fn a_change_without_the_lock_and_a_lock_never_released_are_each_reported() {
    let unlocked: &[&str] = &["alloc s", "list_add s registry"];
    assert_eq!(
        broken(&[("owner", unlocked)], 0)
            .iter()
            .map(|(rule, _)| *rule)
            .collect::<Vec<_>>()[0],
        Rule::UnlockedList
    );
    let held: &[&str] = &["lock"];
    assert_eq!(
        broken(&[("owner", held)], 0)
            .iter()
            .map(|(rule, _)| *rule)
            .collect::<Vec<_>>(),
        [Rule::LockMisuse]
    );
}
