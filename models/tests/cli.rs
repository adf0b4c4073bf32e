//! The `lifecycle-check` program, run as a user runs it: the default table and exit code, the
//! JSON, every bad-input case (one line, exit code 2, no panic), and `--replay` of a kept
//! regression schedule.

use std::path::PathBuf;
use std::process::{Command, Output};

fn program(args: &[&str]) -> Output {
    let report = std::env::temp_dir().join(format!("lifecycle-cli-test-{}", std::process::id()));
    Command::new(env!("CARGO_BIN_EXE_lifecycle-check"))
        .args(args)
        .arg("--report")
        .arg(&report)
        .current_dir(workspace())
        .output()
        .expect("the program starts")
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("models/ is in the workspace")
        .to_path_buf()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_default_run_prints_every_scenario_on_every_engine_and_exits_0() {
    let output = program(&[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}\n{}", stderr(&output));
    assert!(out.starts_with("scenario "), "a table header first: {out}");
    for scenario in [
        "socket-lifecycle/buggy",
        "socket-lifecycle/fixed",
        "socket-lifecycle/debug-list",
        "freelist/aba",
        "freelist/tagged",
    ] {
        for engine in [
            "loom",
            "shuttle-random",
            "shuttle-pct",
            "shuttle-dfs",
            "std",
        ] {
            assert!(
                out.lines()
                    .any(|l| l.starts_with(scenario) && l.contains(engine)),
                "a row for {scenario} on {engine}"
            );
        }
    }
    let buggy_on_loom = out
        .lines()
        .find(|l| l.starts_with("socket-lifecycle/buggy") && l.contains(" loom "))
        .unwrap();
    assert!(buggy_on_loom.contains("looping-reader"));
    assert!(!out.contains("UNEXPECTED"));
    assert!(out.contains("walk: head -> slot#0 -> slot#0  (a cycle without the head)"));
    assert!(out.contains("Starved on the registry lock"));
    assert!(!stderr(&output).contains("panicked"));
}

#[test]
fn json_has_one_object_per_run_matching_the_verdicts() {
    let output = program(&[
        "--json",
        "-s",
        "socket-lifecycle/*",
        "-e",
        "loom",
        "-e",
        "shuttle-pct",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let rows: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is a JSON object"))
        .collect();
    assert_eq!(rows.len(), 6, "3 scenarios x 2 engines");
    for row in &rows {
        assert_eq!(row["as_expected"], true, "{row}");
        assert_eq!(row["verdict"], row["expected"]);
        assert!(row["executions"].as_u64().unwrap() >= 1);
    }
    let buggy = rows
        .iter()
        .find(|r| r["scenario"] == "socket-lifecycle/buggy" && r["engine"] == "loom")
        .unwrap();
    let finding = &buggy["finding"];
    assert_eq!(finding["kind"], "looping-reader");
    assert_eq!(finding["holder"], "reader");
    assert_eq!(
        finding["cycle"],
        serde_json::json!(["head", "slot#0", "slot#0"])
    );
    assert_eq!(
        finding["starved"],
        serde_json::json!(["waiter-1", "waiter-2"])
    );
    assert_eq!(finding["root_cause"]["freed_by"], "owner");
    assert_eq!(finding["replay"]["kind"], "loom-checkpoint");
    assert!(buggy["report"].as_str().unwrap().ends_with(".html"));
    let fixed = rows
        .iter()
        .find(|r| r["scenario"] == "socket-lifecycle/fixed" && r["engine"] == "loom")
        .unwrap();
    assert!(fixed["finding"].is_null());
    assert!(fixed["bounds"]
        .as_str()
        .unwrap()
        .contains("preemption bound"));
}

#[test]
fn list_prints_each_scenario_with_its_story() {
    let output = program(&["--list"]);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    assert_eq!(
        out.lines().count(),
        19,
        "19 scenarios: 9 buggy, their 9 fixed twins, debug-list"
    );
    assert!(out.contains("socket-lifecycle/buggy"));
    assert!(out.contains("node.next == node"));
}

/// Bad input: the exact one-line message, exit code 2, nothing on stdout, no panic.
fn assert_bad_input(args: &[&str], message: &str) {
    let output = program(args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with(message),
        "{args:?}: expected `{message}`, got `{err}`"
    );
    assert!(!err.contains("panicked") && !err.contains("backtrace"));
    assert!(stdout(&output).is_empty());
}

#[test]
fn bad_input_is_one_line_and_exit_code_2() {
    assert_bad_input(
        &["-s", "nope"],
        "error: unknown scenario `nope` (valid: socket-lifecycle/buggy, socket-lifecycle/fixed, \
         socket-lifecycle/debug-list, freelist/aba, freelist/tagged, unlocked-del/buggy,",
    );
    assert_bad_input(
        &["-e", "warp"],
        "error: unknown engine `warp` (valid: loom, shuttle-random, shuttle-pct, shuttle-dfs, std)",
    );
    assert_bad_input(
        &["--waiters", "9"],
        "error: invalid value '9' for '--waiters <N>': 9 is not in 1..=8",
    );
    assert_bad_input(
        &["--preemption-bound", "11"],
        "error: invalid value '11' for '--preemption-bound <N>': 11 is not in 0..=10",
    );
    assert_bad_input(
        &["--objects", "1"],
        "error: invalid value '1' for '--objects <N>': 1 is not in 2..=16",
    );
    assert_bad_input(
        &["--iterations", "0"],
        "error: invalid value '0' for '--iterations <N>': 0 is not in 1..=10000000",
    );
    assert_bad_input(
        &["-e", "loom", "--waiters", "3"],
        "error: --waiters 3 is too many for loom (at most 2",
    );
    assert_bad_input(
        &["-s", "socket-lifecycle/buggy", "--replay", "zz12"],
        "error: malformed schedule `zz12` (expected a shuttle schedule",
    );
    assert_bad_input(
        &["--replay", "91aa"],
        "error: --replay needs exactly one --scenario",
    );
    assert_bad_input(
        &[
            "-s",
            "socket-lifecycle/buggy",
            "--replay",
            "tests/regressions/freelist-aba.shuttle-pct.schedule",
        ],
        "error: the schedule does not match scenario socket-lifecycle/buggy: scheduled task is \
         not runnable",
    );
    assert_bad_input(
        &["-s", "freelist/aba", "--replay", "no/such/file.schedule"],
        "error: cannot read replay file `no/such/file.schedule`",
    );
    assert_bad_input(&["--bogus"], "error: unexpected argument '--bogus' found");
}

#[test]
fn replay_of_a_kept_regression_schedule_reproduces_the_finding() {
    let output = program(&[
        "-s",
        "socket-lifecycle/buggy",
        "--replay",
        "tests/regressions/socket-lifecycle-buggy.shuttle-pct.schedule",
    ]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    let row = out
        .lines()
        .find(|l| l.starts_with("socket-lifecycle/buggy"))
        .unwrap();
    assert!(
        row.contains("looping-reader") && row.contains("1 (1st)"),
        "{row}"
    );

    let output = program(&[
        "-s",
        "freelist/aba",
        "--replay",
        "tests/regressions/freelist-aba.loom-checkpoint.json",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("slot-handed-out-twice"));
}

#[test]
fn help_explains_every_flag_with_examples() {
    let output = program(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    for flag in [
        "--list",
        "--scenario",
        "--engine",
        "--preemption-bound",
        "--iterations",
        "--seed",
        "--waiters",
        "--objects",
        "--exhaustive",
        "--replay",
        "--json",
        "--report",
    ] {
        assert!(out.contains(flag), "--help mentions {flag}");
    }
    assert!(out.contains("Examples:"));
}
