//! The user set (`tests/scenarios/user/`): lifecycle files written the way a new user writes
//! them, for shapes the catalogue does not have. Each file runs on every engine that can run
//! it at quick bounds and must reach the verdict its `[expect]` states with a diagnosis that
//! contains every piece of its `diagnosis`; the rule checker reports exactly the rule its
//! `[expect] lint` names; and each file's `twin` is another file of the set.

use lifecycle_models::{check, lint, RunRecord, Scenario};
use std::path::{Path, PathBuf};

/// Every `.toml` under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn every_user_file_reaches_its_verdict_with_its_diagnosis_on_every_engine() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/user");
    let scenarios: Vec<Scenario> = files_under(&dir)
        .iter()
        .map(|file| Scenario::load(file).unwrap_or_else(|error| panic!("{error}")))
        .collect();
    assert!(scenarios.len() >= 26, "the user set has its 13 pairs");
    // At least 8 pairs use the rest of list.h (moves, splices, replaces, resumed walks, guards)
    // or a shape the catalogue lacks (several slots on one cycle).
    let shapes = [
        "list_move",
        "list_splice",
        "list_replace ",
        "list_replace_init",
        "walk_continue",
        "walk_from",
        " if ",
    ];
    let pairs_with_new_steps: std::collections::BTreeSet<String> = scenarios
        .iter()
        .filter(|s| {
            s.actors.iter().flat_map(|a| &a.steps).any(|step| {
                let text = step.value.text(&s.world);
                shapes.iter().any(|shape| text.contains(shape))
            })
        })
        .map(|s| s.name.split('/').next().unwrap_or_default().to_string())
        .collect();
    assert!(
        pairs_with_new_steps.len() >= 8,
        "only {pairs_with_new_steps:?} use the new steps"
    );
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    let mut failures = Vec::new();
    for scenario in &scenarios {
        if let Some(twin) = &scenario.twin {
            assert!(
                names.contains(&twin.as_str()),
                "{}: its twin `{twin}` is not in the user set",
                scenario.name
            );
        }
        let rules: Vec<_> = lint(scenario).violations.iter().map(|v| v.rule).collect();
        let expected = scenario.expect.lint.as_ref().map(|rule| rule.value);
        assert!(
            rules.iter().all(|rule| Some(*rule) == expected)
                && rules.is_empty() == expected.is_none(),
            "{}: the rule checker reports {rules:?}, the file names {expected:?}",
            scenario.name
        );
        for (engine, verdict) in check(scenario).run() {
            if let Some(finding) = verdict.finding() {
                let problems = lifecycle_tests::oracle::diagnosis_problems(finding, scenario);
                if !problems.is_empty() {
                    failures.push(format!(
                        "{} on {}: {problems:?}",
                        scenario.name,
                        engine.name()
                    ));
                }
            }
            let record = RunRecord::new(scenario, engine, verdict);
            if !record.as_expected() {
                failures.push(format!(
                    "{} on {}: {:?}, expected {:?}; the diagnosis lacks {:?}",
                    scenario.name,
                    engine.name(),
                    record.verdict.finding().map(|f| f.diagnosis.clone()),
                    record.expected,
                    record.missing_from_diagnosis()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_root_cause_is_checked_against_its_own_trace() {
    use lifecycle_models::{Engine, Verdict};
    use lifecycle_tests::oracle::root_cause_problems;
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/user/two-freed-linked/buggy.toml");
    let scenario = Scenario::load(&file).unwrap_or_else(|error| panic!("{error}"));
    let Some((_, Verdict::Found(mut finding))) =
        check(&scenario).engine(Engine::States).run().pop()
    else {
        panic!("the state graph finds the looping reader");
    };
    assert_eq!(root_cause_problems(&finding), Vec::<String>::new());
    let cause = finding.root_cause.as_mut().expect("a root cause");
    assert_eq!(
        cause.also_freed_while_linked.len(),
        1,
        "t's slot, freed while linked too"
    );
    // Named at the step of the reallocation, the free is no longer what the trace shows there.
    cause.freed_at_step = cause.reallocated_at_step;
    let problems = root_cause_problems(&finding);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("the root cause says `owner` did the free while linked of slot#0"),
        "{problems:?}"
    );
}

#[test]
fn a_diagnosis_naming_what_its_scenario_lacks_is_caught() {
    use lifecycle_models::{Engine, Verdict};
    use lifecycle_tests::oracle::diagnosis_problems;
    let file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/user/lock-order/ab-ba.toml");
    let scenario = Scenario::load(&file).unwrap_or_else(|error| panic!("{error}"));
    let Some((_, Verdict::Found(mut finding))) =
        check(&scenario).engine(Engine::States).run().pop()
    else {
        panic!("the state graph finds the deadlock");
    };
    assert_eq!(
        diagnosis_problems(&finding, &scenario),
        Vec::<String>::new()
    );
    finding
        .diagnosis
        .push_str("`middle` waits since step 9999 for slot#7.\n");
    let problems = diagnosis_problems(&finding, &scenario);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].starts_with("the diagnosis names step 9999; the trace has steps 1 to "));
    assert!(problems[1].starts_with("the diagnosis names slot#7; the world has 1 slots"));
    assert!(problems[2].starts_with("the diagnosis names `middle`, which is no actor"));
}
