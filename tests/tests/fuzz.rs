//! The protocol's rules checked over generated lifecycles (`lifecycle_tests::generate`): each
//! case runs through the rule checker and the engines (loom at preemption bound 1 or 2, the
//! state graph, shuttle's PCT). Properties:
//! - sufficiency: a lifecycle the rule checker passes is never flagged by any engine;
//! - necessity: every engine finding comes with a broken rule that can cause its kind.
//!
//! The other direction is a statistic, printed by each run (`-- --nocapture`): per rule
//! broken, how many cases each engine turned into a finding within its bounds.
//!
//! `PROPTEST_CASES` (default 16: `cargo test` runs this in the debug build, where a case costs
//! about 5 s; `ci/fuzz.sh` runs 300 in release) sets the cases per property and `FUZZ_SEED` the
//! seed (fixed by default, and another fixed one in `ci/fuzz.sh`, so both are repeatable; set
//! `FUZZ_SEED` to explore further). A failing case is shrunk and kept under
//! `tests/scenarios/found/` with its seed; `tests/found.rs` replays it from then on.

use lifecycle_tests::generate::{cases, Case};
use lifecycle_tests::oracle::{self, Outcome, Stats};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `property` over generated cases (`mutate`: each breaks one rule on purpose), prints the
/// statistics, and keeps a failing case's shrunk scenario as a file.
fn fuzz(property: &str, mutate: bool, holds: impl Fn(&Outcome) -> Result<(), String>) {
    let cases_per_run = env_number("PROPTEST_CASES", 16) as u32;
    let seed = env_number("FUZZ_SEED", 0x05ee_d1ce);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    seed_bytes[8..16].copy_from_slice(&u64::from(mutate).to_le_bytes());
    let config = Config {
        cases: cases_per_run,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let stats = Mutex::new(Stats::default());
    let shrinking = AtomicBool::new(false);
    let started = Instant::now();
    let result = runner.run(&cases(mutate), |case| {
        let outcome = oracle::run(&case);
        if !shrinking.load(Ordering::Relaxed) {
            stats.lock().expect("stats").add(&case, &outcome);
        }
        holds(&outcome).map_err(|reason| {
            shrinking.store(true, Ordering::Relaxed);
            TestCaseError::fail(reason)
        })
    });
    let seconds = started.elapsed().as_secs_f64();
    let stats = stats.into_inner().expect("stats");
    println!(
        "fuzz {property} (FUZZ_SEED={seed}, {} cases):\n{}",
        cases_per_run,
        stats.table(seconds)
    );
    if std::env::var_os("FUZZ_SHOW_SLOWEST").is_some() {
        println!(
            "the slowest case ({:.2} s):\n{}",
            stats.slowest.0, stats.slowest.1
        );
    }
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, case)) => {
            let kept = keep(property, seed, &case, reason.message());
            panic!(
                "{property} does not hold: {reason}\nthe shrunk case is kept as {}:\n{}",
                kept.display(),
                case.text
            );
        }
        Err(TestError::Abort(reason)) => panic!("{property}: the fuzz run gave up: {reason}"),
    }
}

/// Writes the shrunk case under `tests/scenarios/found/`, its `[expect]` stating what each
/// engine concluded, with the seed and the failure in comments.
fn keep(property: &str, seed: u64, case: &Case, reason: &str) -> PathBuf {
    let outcome = oracle::run(case);
    let mut text = case
        .text
        .replace("[expect]\nall = \"pass\"\n", "[expect]\n")
        .replace(
            "name = \"fuzz/case\"",
            &format!("name = \"found/{property}-{seed:x}\""),
        );
    if let [rule] = outcome.rules()[..] {
        text.push_str(&format!("lint = \"{rule}\"\n"));
    }
    for (engine, kind, _) in &outcome.verdicts {
        let verdict = kind.map_or("pass".to_string(), |k| k.name().to_string());
        text.push_str(&format!("{} = \"{verdict}\"\n", engine.name()));
    }
    text.push_str("all = \"pass\"\n");
    let header = format!(
        "# Found by tests/tests/fuzz.rs, property `{property}`, FUZZ_SEED={seed}, shrunk.\n\
         # {reason}\n# loom-preemption-bound = {}\n",
        case.preemption_bound
    );
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/found");
    std::fs::create_dir_all(&dir).expect("tests/scenarios/found is writable");
    let path = dir.join(format!("{property}-{seed:x}.toml"));
    std::fs::write(&path, format!("{header}{text}")).expect("the found case is written");
    path
}

#[test]
fn sufficiency_a_lifecycle_that_follows_the_rules_is_never_flagged() {
    fuzz("sufficiency", false, |outcome| {
        if !outcome.follows_the_rules() {
            return Ok(());
        }
        match outcome.verdicts.iter().find(|(_, kind, _)| kind.is_some()) {
            None => Ok(()),
            Some((engine, kind, message)) => Err(format!(
                "the rule checker passes the case, but {} found {} ({message})",
                engine.name(),
                kind.expect("a finding")
            )),
        }
    });
}

#[test]
fn necessity_every_finding_comes_with_a_rule_broken_that_can_cause_it() {
    fuzz("necessity", true, |outcome| match outcome.unexplained() {
        None => Ok(()),
        Some(unexplained) => Err(unexplained),
    });
}
