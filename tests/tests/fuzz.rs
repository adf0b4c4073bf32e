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
//! defaults are `cargo test`'s quick profile (the dev build, at `opt-level = 1`, loom at 3):
//! 256 cases per property, loom at bound 1; `ci/fuzz.sh` runs 300 per property in release at
//! bound 1 or 2. A failing case is shrunk and kept under `tests/scenarios/found/` with its
//! seed; `tests/found.rs` replays it from then on.
//!
//! Case `k` of a campaign is generated from the seed, the property and `k` alone, so a campaign
//! splits over machines: `FUZZ_SHARD=i/n` runs the cases whose index is `i` modulo `n`, and
//! `FUZZ_STATS_DIR` writes each property's statistics there for `examples/fuzz_merge.rs` to sum.
//! A run shares its own cases among `FUZZ_JOBS` processes of the test binary (default: one per
//! core), each taking the next case none of the others has claimed (in the directory the run
//! gives them as `FUZZ_CLAIMS`), and sums their statistics.

use lifecycle_tests::generate::{cases, Case};
use lifecycle_tests::oracle::{self, Outcome, Stats};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::path::{Path, PathBuf};
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

/// A campaign: how many cases, from which seed, and which of them this run takes.
#[derive(Debug, Clone, Copy)]
struct Campaign {
    /// Cases in the whole campaign (`PROPTEST_CASES`).
    cases: u64,
    /// Its seed (`FUZZ_SEED`): case `k` is generated from the seed, the property and `k` alone,
    /// so any run of the campaign, sharded or not, generates the same case `k`.
    seed: u64,
    /// The highest loom bound a case may run at (`FUZZ_MAX_PREEMPTION_BOUND`).
    max_bound: usize,
    /// `(i, n)`: this run takes the cases whose index is `i` modulo `n` (`FUZZ_SHARD=i/n`).
    shard: (u64, u64),
    /// Processes the run's cases are shared among (`FUZZ_JOBS`, default one per core; 1 when
    /// `FUZZ_SHOW_SLOWEST` asks for the slowest case's text, which only one process has).
    jobs: u64,
}

impl Campaign {
    /// The campaign the environment describes, of `default_cases` cases unless
    /// `PROPTEST_CASES` says how many.
    fn from_env(default_cases: u64) -> Campaign {
        let cases = env_number("PROPTEST_CASES", default_cases);
        assert!(
            cases > 0,
            "PROPTEST_CASES must be at least 1: a run of 0 cases checks nothing"
        );
        let max_bound = env_number("FUZZ_MAX_PREEMPTION_BOUND", 1) as usize;
        assert!(
            max_bound >= 1,
            "FUZZ_MAX_PREEMPTION_BOUND must be at least 1: at 0 loom explores one schedule per \
             case"
        );
        let shard = match std::env::var("FUZZ_SHARD") {
            Err(_) => (0, 1),
            Ok(text) => {
                let parsed = text.split_once('/').and_then(|(i, n)| {
                    let (i, n) = (i.parse::<u64>().ok()?, n.parse::<u64>().ok()?);
                    (n > 0 && i < n).then_some((i, n))
                });
                parsed.unwrap_or_else(|| {
                    panic!("FUZZ_SHARD must be `i/n` with 0 <= i < n (`1/4`), not {text:?}")
                })
            }
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
        let jobs = match std::env::var_os("FUZZ_SHOW_SLOWEST") {
            Some(_) => 1,
            None => env_number("FUZZ_JOBS", cores),
        };
        assert!(jobs >= 1, "FUZZ_JOBS must be at least 1");
        Campaign {
            cases,
            seed: env_number("FUZZ_SEED", 0x05ee_d1ce),
            max_bound,
            shard,
            jobs,
        }
    }

    /// The indices of the cases this run takes.
    fn indices(&self) -> impl Iterator<Item = u64> {
        let (i, n) = self.shard;
        (0..self.cases).filter(move |k| k % n == i)
    }

    /// The random source of case `index` of the property (`mutate`).
    fn rng(&self, mutate: bool, index: u64) -> TestRng {
        let mut seed_bytes = [0u8; 32];
        seed_bytes[..8].copy_from_slice(&self.seed.to_le_bytes());
        seed_bytes[8..16].copy_from_slice(&u64::from(mutate).to_le_bytes());
        seed_bytes[16..24].copy_from_slice(&index.to_le_bytes());
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes)
    }
}

/// A case of a campaign that broke its property: the shrunk case and why.
struct Broken {
    index: u64,
    case: Case,
    reason: String,
}

/// Whether this job takes case `index` of the run: always when the run is not split
/// (`claims` is `None`), else when it is the first of the run's jobs to claim it, by creating
/// the case's file in `claims` (a new file is made once, by one process, on every file system
/// the temporary directory is on).
fn claim(claims: Option<&Path>, index: u64) -> bool {
    let Some(dir) = claims else { return true };
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dir.join(format!("case-{index}")))
    {
        Ok(_) => true,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => false,
        Err(error) => panic!(
            "case {index} cannot be claimed in {}: {error}",
            dir.display()
        ),
    }
}

/// Runs the campaign's cases of `property` (`mutate`: each breaks one rule on purpose), or,
/// in a run split over jobs, those of them this job claims first in `claims`: the statistics
/// and the indices run, or the first case (shrunk) that breaks it.
fn run_campaign(
    campaign: Campaign,
    claims: Option<&Path>,
    mutate: bool,
    holds: &dyn Fn(&Outcome) -> Result<(), String>,
) -> Result<(Stats, Vec<u64>), Box<Broken>> {
    let max_bound = campaign.max_bound;
    // Clamped in the strategy, so a shrunk case is kept with the bound it failed at.
    let generated = cases(mutate).prop_map(move |case| Case {
        preemption_bound: case.preemption_bound.min(max_bound),
        ..case
    });
    let stats = Mutex::new(Stats::default());
    let started = Instant::now();
    let mut ran = Vec::new();
    for index in campaign.indices().filter(|&index| claim(claims, index)) {
        let config = Config {
            cases: 1,
            failure_persistence: None,
            max_shrink_iters: 200,
            ..Config::default()
        };
        let mut runner = TestRunner::new_with_rng(config, campaign.rng(mutate, index));
        let shrinking = AtomicBool::new(false);
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
        ran.push(index);
        match result {
            Ok(()) => {}
            Err(TestError::Fail(reason, case)) => {
                return Err(Box::new(Broken {
                    index,
                    case,
                    reason: reason.message().to_string(),
                }))
            }
            Err(TestError::Abort(reason)) => panic!("case {index}: the fuzz run gave up: {reason}"),
        }
    }
    let mut stats = stats.into_inner().expect("stats");
    stats.wall = started.elapsed().as_secs_f64();
    Ok((stats, ran))
}

/// The file under `FUZZ_STATS_DIR` where shard `(i, n)` of `property` writes its statistics.
fn stats_file(property: &str, (i, n): (u64, u64)) -> String {
    format!("{property}-{i}-of-{n}.stats")
}

/// Runs this run's cases of `property` over `campaign.jobs` processes, each this test binary
/// running `test` (the property's test) alone on the same shard, taking its cases one at a
/// time as it claims them (`FUZZ_CLAIMS`): a process that drew the cheaper cases takes more of
/// them, where a fixed split left one core idle at the end (300 sufficiency cases: 13.0 s and
/// 14.8 s). Processes, not threads: chosen when loom mapped and unmapped a stack for every
/// thread of every execution, and two threads of one process doing so interrupted each other
/// to flush the TLB entries of their address space; the stack pool of `third_party/generator`
/// has since removed that cost, and threads have not been measured again.
/// The jobs' statistics summed; a job that fails is this run's failure, with its output (the
/// job kept its shrunk case as a file).
fn in_processes((property, test): (&str, &str), campaign: Campaign) -> Stats {
    let started = Instant::now();
    let dir = std::env::temp_dir().join(format!(
        "lifecycle-fuzz-{test}-{}-{}",
        std::process::id(),
        campaign.seed
    ));
    let claims = dir.join("claims");
    std::fs::create_dir_all(&claims).expect("the temporary directory is writable");
    let exe = std::env::current_exe().expect("the test binary's path");
    let (i, n) = campaign.shard;
    // Each job writes to a file of its own, not a pipe read after the jobs before it (a long
    // log would stop a job until then), and its statistics to a directory of its own.
    let log = |j: u64| dir.join(format!("{property}-{j}.log"));
    let stats_dir = |j: u64| dir.join(format!("job-{j}"));
    let children: Vec<_> = (0..campaign.jobs)
        .map(|j| {
            let out = std::fs::File::create(log(j)).expect("a job's log is writable");
            let err = out.try_clone().expect("a job's log opens twice");
            let child = std::process::Command::new(&exe)
                .args([test, "--exact", "--nocapture", "--test-threads", "1"])
                .env("FUZZ_SHARD", format!("{i}/{n}"))
                .env("FUZZ_JOBS", "1")
                .env("FUZZ_CLAIMS", &claims)
                .env("FUZZ_STATS_DIR", stats_dir(j))
                .stdout(out)
                .stderr(err)
                .spawn()
                .expect("the test binary runs a job");
            (j, child)
        })
        .collect();
    let mut merged = Stats::default();
    let mut failures = Vec::new();
    for (j, mut child) in children {
        let status = child.wait().expect("a job ends");
        let stats = std::fs::read_to_string(stats_dir(j).join(stats_file(property, (i, n))))
            .map_err(|error| error.to_string())
            .and_then(|text| Stats::read(&text));
        match stats {
            Ok(stats) if status.success() => merged.merge(&stats),
            failed => failures.push(format!(
                "job {j} of {} ({status}{}):\n{}",
                campaign.jobs,
                failed
                    .err()
                    .map_or(String::new(), |e| format!("; statistics: {e}")),
                std::fs::read_to_string(log(j)).unwrap_or_default()
            )),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "{test}: {} of {} jobs failed:\n{}",
        failures.len(),
        campaign.jobs,
        failures.join("\n")
    );
    merged.wall = started.elapsed().as_secs_f64();
    merged
}

/// Runs `property` (the test `test`) over the campaign the environment describes
/// (`default_cases` unless `PROPTEST_CASES` is set), in `FUZZ_JOBS` processes, prints the
/// statistics (and writes them under `FUZZ_STATS_DIR`, for `examples/fuzz_merge.rs` to sum a
/// sharded campaign), and keeps a failing case's shrunk scenario as a file.
fn fuzz(
    (property, test): (&str, &str),
    (mutate, default_cases): (bool, u64),
    holds: impl Fn(&Outcome) -> Result<(), String>,
) {
    let campaign = Campaign::from_env(default_cases);
    let (i, n) = campaign.shard;
    let ran = if campaign.jobs > 1 {
        Ok(in_processes((property, test), campaign))
    } else {
        let claims = std::env::var_os("FUZZ_CLAIMS").map(PathBuf::from);
        run_campaign(campaign, claims.as_deref(), mutate, &holds).map(|(stats, _)| stats)
    };
    match ran {
        Ok(stats) => {
            println!(
                "fuzz {property} (FUZZ_SEED={}, {} cases, shard {i}/{n}, loom bound at most \
                 {}, {} processes):\n{}",
                campaign.seed,
                campaign.cases,
                campaign.max_bound,
                campaign.jobs,
                stats.table(stats.wall)
            );
            if std::env::var_os("FUZZ_SHOW_SLOWEST").is_some() {
                println!(
                    "the slowest case ({:.2} s):\n{}",
                    stats.slowest.0, stats.slowest.1
                );
            }
            if let Some(dir) = std::env::var_os("FUZZ_STATS_DIR") {
                let dir = PathBuf::from(dir);
                std::fs::create_dir_all(&dir).expect("FUZZ_STATS_DIR is writable");
                let path = dir.join(stats_file(property, (i, n)));
                std::fs::write(&path, stats.to_text()).expect("the statistics are written");
            }
        }
        Err(broken) => {
            let Broken {
                index,
                case,
                reason,
            } = *broken;
            let kept = keep(property, campaign.seed, &case, &reason);
            panic!(
                "{property} does not hold on case {index}: {reason}\nthe shrunk case is kept as \
                 {}:\n{}",
                kept.display(),
                case.text
            );
        }
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
    let test = "sufficiency_a_lifecycle_that_follows_the_rules_is_never_flagged";
    fuzz(("sufficiency", test), (false, 256), |outcome| {
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
    let test = "necessity_every_finding_comes_with_a_rule_broken_that_can_cause_it";
    fuzz(("necessity", test), (true, 256), |outcome| {
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

#[test]
fn shards_of_a_campaign_run_each_case_once_and_merge_to_its_statistics() {
    let campaign = Campaign {
        cases: 5,
        seed: 20261206,
        max_bound: 1,
        shard: (0, 1),
        jobs: 1,
    };
    let all_pass = |_: &Outcome| Ok(());
    let run = |shard| {
        run_campaign(Campaign { shard, ..campaign }, None, true, &all_pass)
            .unwrap_or_else(|_| panic!("nothing breaks a property that always holds"))
    };
    // A run split over jobs: each takes the cases no other job claimed first.
    let claims = std::env::temp_dir().join(format!("lifecycle-fuzz-claims-{}", std::process::id()));
    std::fs::create_dir_all(&claims).expect("the temporary directory is writable");
    let split = Campaign {
        cases: 8,
        shard: (1, 2),
        ..campaign
    };
    // Another job has already taken case 3 of the shard (1, 3, 5, 7).
    assert!(claim(Some(&claims), 3));
    let job = || {
        run_campaign(split, Some(&claims), true, &all_pass)
            .unwrap_or_else(|_| panic!("nothing breaks a property that always holds"))
            .1
    };
    let (first, second) = std::thread::scope(|s| {
        let first = s.spawn(job);
        let second = s.spawn(job);
        (first.join().expect("a job"), second.join().expect("a job"))
    });
    let _ = std::fs::remove_dir_all(&claims);
    let mut taken = [first.clone(), second.clone()].concat();
    taken.sort_unstable();
    assert_eq!(
        taken,
        [1, 5, 7],
        "two jobs on one claims directory ran {first:?} and {second:?}: each of the shard's \
         cases not claimed before exactly once"
    );
    let (whole, ran) = run((0, 1));
    assert_eq!(ran, [0, 1, 2, 3, 4]);
    let (first, ran_first) = run((0, 2));
    let (second, ran_second) = run((1, 2));
    assert_eq!((ran_first, ran_second), (vec![0, 2, 4], vec![1, 3]));
    let mut merged = Stats::read(&first.to_text()).expect("a shard's statistics read back");
    merged.merge(&Stats::read(&second.to_text()).expect("a shard's statistics read back"));
    // What depends on the cases alone is the same; times are the machine's.
    let counts = |stats: &Stats| {
        (
            stats.cases,
            stats.followed,
            stats.intended_but_clean,
            stats.per_rule.clone(),
            stats.findings_on_clean.clone(),
            stats
                .cost
                .iter()
                .map(|(e, c)| (*e, c.1))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(counts(&merged), counts(&whole));
    assert_eq!(merged.cases, 5);
}
