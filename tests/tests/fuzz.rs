//! The protocol's rules checked over generated lifecycles (`lifecycle_tests::generate`): each
//! case runs through the rule checker and the engines (loom at preemption bound 1 or 2, the
//! state graph, shuttle's PCT). Properties:
//! - sufficiency: a lifecycle the rule checker passes is never flagged by any engine;
//! - necessity: every engine finding comes with a broken rule that can cause its kind;
//! - in both, a finding's root cause names steps of its own trace, by the actors that took
//!   them, doing what it says, and a re-added link on the cycle drawn; and every diagnosis
//!   names only steps of its trace, slots of its world and actors, locks, lists, tables,
//!   events and steps of its scenario (`oracle::diagnosis_problems`).
//!
//! The other direction is a statistic, printed by each run (`-- --nocapture`): per rule
//! broken, how many cases each engine turned into a finding within its bounds.
//!
//! `PROPTEST_CASES` sets the cases per property, `FUZZ_SEED` the seed (fixed by default, and
//! another fixed one in `ci/fuzz.sh`, so both are repeatable; set `FUZZ_SEED` to explore
//! further) and `FUZZ_MAX_PREEMPTION_BOUND` the highest loom bound a case may run at. The
//! defaults are `cargo test`'s quick profile in the debug build: 64 cases per property, loom at
//! bound 1 (a case's bound 2 costs seconds in debug, most of the profile's time); `ci/fuzz.sh`
//! runs 300 per property in release at bound 1 or 2. A failing case is shrunk and kept under
//! `tests/scenarios/found/` with its seed; `tests/found.rs` replays it from then on.

use lifecycle_tests::generate::{cases, Case};
use lifecycle_tests::oracle::{self, Outcome, Stats};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// The number in environment variable `name`, `default` when unset; anything else is a mistake.
fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Err(std::env::VarError::NotPresent) => default,
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, not {value:?}")),
        Err(error) => panic!("{name} must be a whole number: {error}"),
    }
}

/// Runs `property` over generated cases (`mutate`: each breaks one rule on purpose), prints the
/// statistics, and keeps a failing case's shrunk scenario as a file.
fn fuzz(property: &str, mutate: bool, holds: impl Fn(&Outcome) -> Result<(), String>) {
    let cases_per_run = u32::try_from(env_number("PROPTEST_CASES", 64))
        .ok()
        .filter(|&cases| cases > 0)
        .expect("PROPTEST_CASES must be between 1 and 4294967295: a run of 0 cases checks nothing");
    let max_bound = env_number("FUZZ_MAX_PREEMPTION_BOUND", 1) as usize;
    assert!(
        max_bound >= 1,
        "FUZZ_MAX_PREEMPTION_BOUND must be at least 1: at 0 loom explores one schedule per case"
    );
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
    // Clamped in the strategy, so a shrunk case is kept with the bound it failed at.
    let generated = cases(mutate).prop_map(move |case| Case {
        preemption_bound: case.preemption_bound.min(max_bound),
        ..case
    });
    let result = runner.run(&generated, |case| {
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
        "fuzz {property} (FUZZ_SEED={seed}, {} cases, loom bound at most {max_bound}):\n{}",
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

/// FNV-1a of `text`: a kept case's name, stable across runs and toolchains, so one seed's
/// findings do not overwrite each other and the same case kept twice lands on one file.
fn fingerprint(text: &str) -> u32 {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    (hash ^ (hash >> 32)) as u32
}

/// Writes the shrunk case under `tests/scenarios/found/` as `PROPERTY-SEED-FINGERPRINT.toml`,
/// its `[expect]` stating what each engine concluded, with the seed and the failure in comments.
fn keep(property: &str, seed: u64, case: &Case, reason: &str) -> PathBuf {
    let outcome = oracle::run(case);
    let name = format!("{property}-{seed}-{:08x}", fingerprint(&case.text));
    let mut text = case
        .text
        .replace("[expect]\nall = \"pass\"\n", "[expect]\n")
        .replace("name = \"fuzz/case\"", &format!("name = \"found/{name}\""));
    // `[expect] lint` names one rule; a case breaking more lists them in a comment
    // (`tests/found.rs` reads either).
    let rules = outcome.rules();
    let mut rules_comment = String::new();
    match &rules[..] {
        [] => {}
        [rule] => text.push_str(&format!("lint = \"{rule}\"\n")),
        several => {
            let names: Vec<&str> = several.iter().map(|rule| rule.name()).collect();
            rules_comment = format!("# lint: {}\n", names.join(", "));
        }
    }
    for (engine, kind, _) in &outcome.verdicts {
        let verdict = kind.map_or("pass".to_string(), |k| k.name().to_string());
        text.push_str(&format!("{} = \"{verdict}\"\n", engine.name()));
    }
    text.push_str("all = \"pass\"\n");
    // An engine's message may span lines (loom's ends in one): each is a comment of its own.
    let reason: String = reason
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| format!("# {line}\n"))
        .collect();
    let header = format!(
        "# Found by tests/tests/fuzz.rs, property `{property}`, FUZZ_SEED={seed}, shrunk.\n\
         {reason}{rules_comment}# loom-preemption-bound = {}\n",
        case.preemption_bound
    );
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/found");
    std::fs::create_dir_all(&dir).expect("tests/scenarios/found is writable");
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, format!("{header}{text}")).expect("the found case is written");
    path
}

#[test]
fn sufficiency_a_lifecycle_that_follows_the_rules_is_never_flagged() {
    fuzz("sufficiency", false, |outcome| {
        // The generator builds these cases to follow every rule: a rule reported here is a
        // checker false positive or a generator bug, not a case to skip.
        if let Some(problem) = outcome.misread.first() {
            return Err(problem.clone());
        }
        if !outcome.follows_the_rules() {
            return Err(format!(
                "the case was generated to follow every rule, but the checker reports {:?}",
                outcome.violations
            ));
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
    fuzz("necessity", true, |outcome| {
        if let Some(problem) = outcome.misread.first() {
            return Err(problem.clone());
        }
        match outcome.unexplained() {
            None => Ok(()),
            Some(unexplained) => Err(unexplained),
        }
    });
}

#[test]
fn the_generators_write_guarded_unlinks_and_resumed_cursors() {
    // Building cases runs nothing: 300 of each kind cost milliseconds.
    for mutate in [false, true] {
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
        );
        let strategy = cases(mutate);
        let texts: Vec<String> = (0..300)
            .map(|_| {
                strategy
                    .new_tree(&mut runner)
                    .expect("a case")
                    .current()
                    .text
            })
            .collect();
        let with = |needle: &str| texts.iter().filter(|t| t.contains(needle)).count();
        let guarded = with(" if s");
        let cursors = with("walk_continue k ");
        // Measured with this seed: 50 and 6 of the mutated cases (most break rules of sockets,
        // RCU lists or reapers, where a cursor is not resumed), more of the others.
        assert!(
            guarded >= 10 && cursors >= 3,
            "mutate = {mutate}: of 300 cases {guarded} guard an unlink and {cursors} resume a \
             walk from a cursor; the generators should write both"
        );
    }
}
