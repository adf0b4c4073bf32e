//! Replays every case kept under `tests/scenarios/found/*.toml`: those the fuzzing found (shrunk
//! and kept by `tests/fuzz.rs` with the seed that found it) and those a review of the rule
//! checker found. The checker reports exactly the rule its `[expect] lint` names (or the rules
//! its `# lint: a, b` comment lists; none if neither), every engine of the fuzz oracle reaches
//! the verdict its `[expect]` states, and both properties hold on it.

use lifecycle_models::{Rule, Scenario};
use lifecycle_tests::generate::Case;
use lifecycle_tests::oracle;
use std::path::PathBuf;

/// loom's bound for a kept case: its `# loom-preemption-bound = N` comment, or 2.
fn preemption_bound(name: &str, text: &str) -> usize {
    text.lines()
        .find_map(|line| line.strip_prefix("# loom-preemption-bound = "))
        .map_or(2, |n| {
            n.trim().parse().unwrap_or_else(|_| {
                panic!("{name}: `# loom-preemption-bound = {n}` is not a whole number")
            })
        })
}

/// The rules a kept case breaking several states in its `# lint: a, b` comment (none without).
fn rules_comment(name: &str, text: &str) -> Vec<Rule> {
    text.lines()
        .find_map(|line| line.strip_prefix("# lint: "))
        .map_or_else(Vec::new, |names| {
            names
                .split(", ")
                .map(|rule| {
                    Rule::from_name(rule.trim())
                        .unwrap_or_else(|| panic!("{name}: `# lint:` names no rule `{rule}`"))
                })
                .collect()
        })
}

#[test]
fn every_found_case_replays_with_the_outcome_its_file_states() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/found");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/scenarios/found exists")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "tests/scenarios/found holds the cases the fuzzing found"
    );
    for file in files {
        let scenario = Scenario::load(&file).unwrap_or_else(|error| panic!("{error}"));
        let case = Case {
            preemption_bound: preemption_bound(&file.display().to_string(), &scenario.source.text),
            text: scenario.source.text.clone(),
            intended: None,
            scenario,
        };
        let outcome = oracle::run(&case);
        let name = file.display();
        let expected: Vec<Rule> = match &case.scenario.expect.lint {
            Some(lint) => vec![lint.value],
            None => rules_comment(&name.to_string(), &case.scenario.source.text),
        };
        assert_eq!(
            outcome.rules(),
            expected,
            "{name}: the rules broken are not the one `[expect] lint` names: {:?}",
            outcome.violations
        );
        for (engine, kind, message) in &outcome.verdicts {
            let expected = case.scenario.expected_on(*engine);
            let verdict = kind.map_or("pass".to_string(), |k| k.name().to_string());
            let accepted = match kind {
                None => matches!(
                    expected,
                    lifecycle_models::Expected::Pass | lifecycle_models::Expected::PassOr { .. }
                ),
                Some(kind) => match expected {
                    lifecycle_models::Expected::Finding(k) => k == kind,
                    lifecycle_models::Expected::PassOr { kinds, .. } => kinds.contains(kind),
                    _ => false,
                },
            };
            assert!(
                accepted,
                "{name}: {} concluded {verdict} ({message}), the file expects {}",
                engine.name(),
                expected.label()
            );
        }
        assert_eq!(outcome.unexplained(), None, "{name}: necessity");
        if outcome.follows_the_rules() {
            assert!(
                outcome.verdicts.iter().all(|(_, kind, _)| kind.is_none()),
                "{name}: sufficiency: {:?}",
                outcome.verdicts
            );
        }
    }
}
