//! The `lifecycle-check` program, run as a user runs it: the default table and exit code, the
//! JSON, every bad-input case (one line, exit code 2, no panic), `--replay` of a kept regression
//! schedule, and `lifecycle-check lint` (exit codes, one line per violation, SARIF).

use lifecycle_models::{lint, Rule, Scenario, Violation};
use std::path::PathBuf;
use std::process::{Command, Output};

/// The program with `args`, run from the workspace's root.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lifecycle-check"));
    command.args(args).current_dir(workspace());
    command
}

/// A run of the catalogue program, its report in a temporary directory.
fn program(args: &[&str]) -> Output {
    let report = std::env::temp_dir().join(format!("lifecycle-cli-test-{}", std::process::id()));
    command(args)
        .arg("--report")
        .arg(&report)
        .output()
        .expect("the program starts")
}

/// A run of `lifecycle-check lint ARGS`.
fn lint_program(args: &[&str]) -> Output {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    command(&all).output().expect("the program starts")
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ is in the workspace")
        .to_path_buf()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The default run over the whole catalogue is the CI gate's `ci/catalogue.sh` (release); here the
/// story's families on every engine, in the debug build.
#[test]
fn a_run_prints_every_scenario_on_every_engine_and_exits_0() {
    let output = program(&["-s", "socket-lifecycle/*", "-s", "freelist/*"]);
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
            "states",
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
fn list_prints_the_catalogue_and_the_files_given() {
    let output = program(&["--list"]);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    assert_eq!(
        out.lines().count(),
        46,
        "46 scenarios: 9 buggy, their 9 fixed twins, debug-list, the rcu/ family's 8 buggy and 8 \
         fixed, typesafe/'s pair, socket-lookup/'s fixed lookup and its 4 one-line-removed \
         variants, and rculist-nulls/'s insert and delete, each with one"
    );
    assert!(out.lines().any(|l| l.starts_with("socket-lifecycle/buggy")
        && l.contains("looping-reader")
        && l.ends_with("models/scenarios/socket-lifecycle/buggy.toml")));

    let dir = user_dir("list");
    let output = program(&["--list", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert_eq!(
        out.lines().count(),
        48,
        "the catalogue and the two files: {out}"
    );
    assert!(out.contains("mine/put-before-del"));
}

/// A directory holding two scenario files of a user's own, not in the catalogue: an owner that
/// drops its reference (which frees the object) before unlinking it, and its fixed twin.
fn user_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lifecycle-cli-user-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (file, order) in [
        (
            "buggy.toml",
            r#""put_ref s", "lock", "list_del s registry", "unlock""#,
        ),
        (
            "fixed.toml",
            r#""lock", "list_del s registry", "unlock", "put_ref s""#,
        ),
    ] {
        let variant = file.trim_end_matches(".toml");
        let expect = if variant == "buggy" {
            "use-after-free"
        } else {
            "pass"
        };
        let text = format!(
            r#"name = "mine/put-before-{}"
story = "the owner drops its reference before it unlinks the object"

[world]
objects = 2
lists = [{{ name = "registry" }}]
checks = ["use-after-free", "leak"]

[[actor]]
name = "owner"
steps = ["alloc s", "lock", "list_add s registry", "unlock", {order}]

[[actor]]
name = "reader"
steps = ["lock", "walk registry keep k", "get_ref k", "unlock", "read k", "put_ref k"]

[expect]
all = "{expect}"
"#,
            if variant == "buggy" {
                "del"
            } else {
                "del-fixed"
            }
        );
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

#[test]
fn a_directory_of_user_files_runs_on_every_engine_with_table_report_and_json() {
    let dir = user_dir("run");
    let output = program(&[dir.to_str().unwrap()]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    let row = |scenario: &str, engine: &str| {
        out.lines()
            .find(|l| l.starts_with(scenario) && l.split_whitespace().nth(1) == Some(engine))
            .unwrap_or_else(|| panic!("a row for {scenario} on {engine}: {out}"))
            .to_string()
    };
    assert!(row("mine/put-before-del ", "loom").contains("use-after-free"));
    assert!(row("mine/put-before-del-fixed", "loom").contains("pass"));
    assert!(
        out.contains("== mine/put-before-del on loom: use-after-free =="),
        "{out}"
    );

    let report = std::env::temp_dir().join(format!("lifecycle-cli-test-{}", std::process::id()));
    let index = std::fs::read_to_string(report.join("index.html")).expect("an index");
    assert_eq!(
        index.matches("<tr class=\"run").count(),
        12,
        "every run, passes included"
    );
    assert!(
        index.contains("mine-put-before-del--loom.html"),
        "the finding is linked"
    );
    let page = std::fs::read_to_string(report.join("scenario--mine-put-before-del.html")).unwrap();
    assert!(
        page.contains("&quot;put_ref s&quot;, &quot;lock&quot;"),
        "the file is shown"
    );
    assert!(report
        .join("mine-put-before-del--loom.replay.toml")
        .exists());

    let output = program(&[
        "--json",
        "-e",
        "loom",
        dir.join("buggy.toml").to_str().unwrap(),
    ]);
    let json: serde_json::Value =
        serde_json::from_str(stdout(&output).lines().next().unwrap()).unwrap();
    assert_eq!(json["verdict"], "use-after-free");
    assert_eq!(json["file"], dir.join("buggy.toml").display().to_string());
}

#[test]
fn a_replay_of_a_scenario_that_changed_since_is_refused() {
    let dir = user_dir("replay");
    let report = std::env::temp_dir().join(format!("lifecycle-cli-test-{}", std::process::id()));
    let file = dir.join("buggy.toml");
    let output = program(&["-e", "loom", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let saved = report.join("mine-put-before-del--loom.replay.toml");
    let saved = saved.to_str().unwrap();
    let output = program(&[file.to_str().unwrap(), "--replay", saved]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("use-after-free"));

    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("objects = 2", "objects = 3")).unwrap();
    assert_bad_input(
        &[file.to_str().unwrap(), "--replay", saved],
        &format!("error: refusing to replay `{saved}`: scenario mine/put-before-del changed since the replay was saved"),
    );
}

#[test]
fn a_malformed_user_file_is_one_line_naming_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("lifecycle-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        "name = \"mine/bad\"\nstory = \"x\"\n[world]\nobjects = 1\n[[actor]]\nname = \"a\"\nsteps = [\"frobnicate x\"]\n[expect]\nall = \"pass\"\n",
    )
    .unwrap();
    assert_bad_input(
        &[file.to_str().unwrap()],
        &format!("error: {}:7:11: unknown step `frobnicate`", file.display()),
    );
    assert_bad_input(
        &["no/such/dir/"],
        "error: no/such/dir/: cannot read the file",
    );
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
        "error: unknown scenario `nope` (valid: double-free/buggy, double-free/fixed, \
         freelist/aba, freelist/tagged, iterate-delete/buggy,",
    );
    assert_bad_input(
        &["-e", "warp"],
        "error: unknown engine `warp` (valid: loom, shuttle-random, shuttle-pct, shuttle-dfs, std, \
         states)",
    );
    assert_bad_input(
        &["--waiters", "65"],
        "error: copies of a replicated actor (--waiters) = 65: expected 1 to 64",
    );
    assert_bad_input(
        &["--preemption-bound", "11"],
        "error: loom's preemption bound (--preemption-bound) = 11: expected 0 to 10",
    );
    assert_bad_input(
        &["--objects", "0"],
        "error: slab slots (--objects) = 0: expected 1 to 64",
    );
    assert_bad_input(
        &["--state-workers", "0"],
        "error: the state graph's workers (--state-workers) = 0: expected 1 to 256",
    );
    assert_bad_input(
        &["--iterations", "0"],
        "error: iterations (--iterations) = 0: expected 1 to 10000000",
    );
    assert_bad_input(
        &["--waiters", "two"],
        "error: invalid value 'two' for '--waiters <N>'",
    );
    assert_bad_input(
        &["-e", "loom", "--waiters", "3"],
        "error: models/scenarios/lookup-without-ref/buggy.toml:53:1: 6 actors, but loom runs at \
         most 5 threads",
    );
    assert_bad_input(
        &["-s", "socket-lifecycle/buggy", "--replay", "zz12"],
        "error: cannot read replay file `zz12`",
    );
    assert_bad_input(
        &["--replay", "91aa"],
        "error: --replay needs exactly one scenario (--scenario NAME)",
    );
    assert_bad_input(
        &[
            "-s",
            "socket-lifecycle/buggy",
            "--replay",
            "tests/regressions/freelist-aba--shuttle-pct.replay.toml",
        ],
        "error: refusing to replay `tests/regressions/freelist-aba--shuttle-pct.replay.toml`: \
         the replay was saved from scenario freelist/aba, not socket-lifecycle/buggy",
    );
    assert_bad_input(
        &["-s", "freelist/aba", "--replay", "no/such/file.replay.toml"],
        "error: cannot read replay file `no/such/file.replay.toml`",
    );
    assert_bad_input(&["--bogus"], "error: unexpected argument '--bogus' found");
}

#[test]
fn replay_of_a_kept_regression_schedule_reproduces_the_finding() {
    let output = program(&[
        "-s",
        "socket-lifecycle/buggy",
        "--replay",
        "tests/regressions/socket-lifecycle-buggy--shuttle-pct.replay.toml",
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
        "tests/regressions/freelist-aba--loom.replay.toml",
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

#[test]
fn the_readme_example_pair_runs_as_the_readme_shows() {
    let output = program(&["docs/scenarios/"]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    // The pair of README's example, the RCU pair under docs/scenarios/rcu/ and the type-stable
    // cache's under docs/scenarios/typesafe/, on 6 engines.
    assert_eq!(out.lines().filter(|l| l.starts_with("mine/")).count(), 36);
    assert!(
        out.contains("slot#0 was freed while still linked at step 11 (owner)."),
        "{out}"
    );
}

#[test]
fn explore_serves_the_state_graph_on_localhost_and_refuses_a_taken_port() {
    use std::io::{BufRead, BufReader, Read, Write};
    let port = 38_000 + (std::process::id() % 1000) as u16;
    let mut child = Command::new(env!("CARGO_BIN_EXE_lifecycle-check"))
        .args([
            "--explore",
            "socket-lifecycle/buggy",
            "--port",
            &port.to_string(),
        ])
        .current_dir(workspace())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the program starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert_eq!(
        first,
        format!(
            "Explorer for socket-lifecycle/buggy at http://127.0.0.1:{port}/ (the state graph \
             at step level; Ctrl-C stops it)"
        )
    );
    let second = lines.next().unwrap().unwrap();
    assert!(
        second.starts_with(&format!(
            "what the state graph found is at http://127.0.0.1:{port}/#/steps/0/"
        )),
        "{second}"
    );

    // The address is printed before the Explorer binds it: wait until it serves, so the
    // second Explorer below meets a taken port rather than racing the first for it.
    let serving = (0..100).any(|_| {
        let up = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        if !up {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        up
    });
    assert!(serving, "the Explorer serves on port {port} within 10 s");

    // The port is taken now: a second Explorer says so.
    assert_bad_input(
        &[
            "--explore",
            "socket-lifecycle/buggy",
            "--port",
            &port.to_string(),
        ],
        &format!("error: cannot serve the Explorer on 127.0.0.1:{port}:"),
    );

    let get = |page: &str| {
        let mut answer = String::new();
        for _ in 0..50 {
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
                stream
                    .write_all(format!("GET {page} HTTP/1.0\r\n\r\n").as_bytes())
                    .unwrap();
                stream.read_to_string(&mut answer).unwrap();
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        answer
    };
    let initial = get("/.states");
    // After `alloc s`, the owner and the reader can each take their lock: each action is
    // labelled with its actor and step, and the state panel says where each actor stands.
    let after_alloc = get("/.states/0/0");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(initial.starts_with("HTTP/1."), "{initial}");
    assert!(
        initial.contains("ActorSnapshot"),
        "the initial state, as JSON: {initial}"
    );
    for shown in [
        r#""action":"owner: lock registry""#,
        r#""action":"reader: lock registry""#,
        "owner: step 3 of",
        "; s = slot#0 (gen 0)",
        "reader: step 1 of",
    ] {
        assert!(after_alloc.contains(shown), "{shown} in {after_alloc}");
    }
}

#[test]
fn the_program_prints_coverage_under_each_proof_and_in_the_json() {
    let program = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_lifecycle-check"))
            .args(args)
            .args([
                "--no-report",
                "-e",
                "states",
                "-e",
                "shuttle-pct",
                "models/tests/scenarios/reader-after-every-close.toml",
            ])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .output()
            .expect("the program starts")
    };
    let table = program(&[]);
    let out = String::from_utf8_lossy(&table.stdout);
    assert_eq!(table.status.code(), Some(0), "vacuous was expected: {out}");
    let lines: Vec<&str> = out.lines().collect();
    let row = lines
        .iter()
        .position(|l| l.contains(" states ") && l.contains("vacuous"))
        .unwrap_or_else(|| panic!("a vacuous states row: {out}"));
    assert!(
        lines[row + 1].contains("sometimes: the reader walks while the owner's object is linked")
    );
    assert!(
        lines[row + 1].ends_with("0 of 69 states  <-- never reached"),
        "{}",
        lines[row + 1]
    );
    // Only proofs get coverage lines in the table; shuttle's row is followed by the next row.
    let pct = lines
        .iter()
        .position(|l| l.contains("shuttle-pct"))
        .expect("a PCT row");
    assert!(!lines.get(pct + 1).is_some_and(|l| l.contains("sometimes:")));

    let json = program(&["--json"]);
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&json.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    let states = rows
        .iter()
        .find(|r| r["engine"] == "states")
        .expect("states");
    assert_eq!(states["verdict"], "vacuous");
    assert_eq!(states["as_expected"], true);
    assert_eq!(
        states["coverage"][0],
        serde_json::json!({"sometimes": "the reader walks while the owner's object is linked", "reached": 0})
    );
    let pct = rows
        .iter()
        .find(|r| r["engine"] == "shuttle-pct")
        .expect("pct");
    assert_eq!(pct["verdict"], "pass");
    assert_eq!(pct["coverage"].as_array().map(Vec::len), Some(4));
}

/// The backticked names in the first column of each table under README's `--json` section, in
/// order: the run object, the finding object, the root cause object.
fn readme_json_tables() -> Vec<std::collections::BTreeSet<String>> {
    let readme = std::fs::read_to_string(workspace().join("README.md")).expect("README.md");
    let section = readme
        .split("`--json` prints one object per run")
        .nth(1)
        .expect("README documents --json")
        .split("\n## ")
        .next()
        .expect("a section");
    let mut tables: Vec<std::collections::BTreeSet<String>> = Vec::new();
    for line in section.lines() {
        if line.starts_with("| field |") {
            tables.push(Default::default());
        }
        if line.starts_with("| `") {
            let first = line.split('|').nth(1).expect("a first column");
            let names = first.split('`').skip(1).step_by(2).map(str::to_string);
            tables.last_mut().expect("a table").extend(names);
        }
    }
    tables
}

#[test]
fn readme_lists_every_finding_kind_a_verdict_can_be() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).expect("README.md");
    let row = readme
        .lines()
        .find(|line| line.starts_with("| `verdict`, `expected` |"))
        .expect("README's JSON table has the verdict row");
    let missing: Vec<&str> = lifecycle_models::FindingKind::ALL
        .iter()
        .map(|kind| kind.name())
        .filter(|name| !row.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "README's verdict row misses {missing:?}"
    );
}

#[test]
fn the_json_of_a_run_has_exactly_the_keys_readme_documents() {
    let output = program(&[
        "--json",
        "--no-report",
        "-s",
        "socket-lifecycle/buggy",
        "-e",
        "loom",
    ]);
    let line = stdout(&output);
    let run: serde_json::Value = serde_json::from_str(line.trim()).expect("one JSON object");
    let keys = |value: &serde_json::Value| -> std::collections::BTreeSet<String> {
        value
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect()
    };
    let tables = readme_json_tables();
    assert_eq!(tables.len(), 3, "run, finding and root cause tables");
    assert_eq!(keys(&run), tables[0], "the run object");
    assert_eq!(keys(&run["finding"]), tables[1], "the finding object");
    assert_eq!(
        keys(&run["finding"]["root_cause"]),
        tables[2],
        "the root cause object"
    );
    assert_eq!(run["finding"]["replay"]["kind"], "loom-checkpoint");
    assert_eq!(run["verdict"], "looping-reader");
}

#[test]
fn lint_of_the_catalogue_prints_one_rule_per_buggy_file_and_exits_1() {
    let output = lint_program(&["models/scenarios"]);
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let expected: Vec<String> = Scenario::catalogue()
        .iter()
        .filter_map(|s| {
            let rule = s.expect.lint.as_ref()?.value;
            Some(format!("{}: {rule}: ", s.source.path))
        })
        .collect();
    assert_eq!(lines.len(), expected.len(), "{out}");
    for prefix in expected {
        let line = lines
            .iter()
            .find(|line| {
                let (file, rest) = line.split_once(':').expect("file:line:col");
                prefix.starts_with(&format!("{file}:"))
                    && rest.split_once(": ").is_some_and(|(_, r)| {
                        prefix.ends_with(&format!(": {}: ", r.split(':').next().unwrap()))
                    })
            })
            .unwrap_or_else(|| panic!("no line for {prefix} in\n{out}"));
        assert!(line.contains(" (") && line.ends_with(')'), "{line}");
    }
    assert_eq!(
        lines[0],
        "models/scenarios/double-free/buggy.toml:25:5: double-free: `free s` frees s after this \
         actor already dropped its reference (an object is freed once, and no put_ref drops a \
         reference its actor does not hold)"
    );
}

#[test]
fn lint_of_fixed_files_prints_nothing_and_exits_0() {
    let output = lint_program(&[
        "models/scenarios/socket-lifecycle/fixed.toml",
        "models/scenarios/iterate-delete/fixed.toml",
        "models/scenarios/freelist/tagged.toml",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn lint_of_a_malformed_file_is_the_parse_error_and_exit_code_2() {
    let dir = std::env::temp_dir().join(format!("lifecycle-lint-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("bad.toml");
    let text = std::fs::read_to_string(workspace().join("models/scenarios/double-free/fixed.toml"))
        .expect("readable")
        .replace("objects = 2 ", "objects = 0 ");
    std::fs::write(&file, text).expect("write");
    let output = lint_program(&[file.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "error: {}:8:11: objects = 0: expected 1 to 64 slab slots\n",
            file.display()
        )
    );
    let output = lint_program(&[]);
    assert_eq!(output.status.code(), Some(2), "no files is bad input");
}

#[test]
fn lint_sarif_is_sarif_2_1_0_with_each_rule_at_its_line() {
    let output = lint_program(&["--format", "sarif", "models/scenarios"]);
    assert_eq!(output.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "lifecycle-check lint");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), Rule::ALL.len());
    let results = run["results"].as_array().expect("results");
    let expected: Vec<Violation> = Scenario::catalogue()
        .iter()
        .flat_map(|s| lint(s).violations)
        .collect();
    assert_eq!(results.len(), expected.len());
    for (result, violation) in results.iter().zip(&expected) {
        assert_eq!(result["ruleId"], violation.rule.name());
        assert_eq!(
            rules[result["ruleIndex"].as_u64().expect("index") as usize]["id"],
            violation.rule.name()
        );
        assert_eq!(result["message"]["text"], violation.message);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], violation.path);
        assert_eq!(location["region"]["startLine"], violation.line);
        assert_eq!(location["region"]["startColumn"], violation.column);
    }
}

#[test]
fn a_state_graph_past_its_budget_is_incomplete_and_exits_1() {
    let output = program(&[
        "tests/scenarios/budget/fifty-readers.toml",
        "--engine",
        "states",
        "--max-states",
        "20000",
    ]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("budget/fifty-readers")
            && l.contains(" states ")
            && l.contains(" incomplete ")
            && l.contains(" 20000 ")),
        "{out}"
    );
    assert!(
        out.contains(
            "note: budget/fifty-readers on states: incomplete: the state graph reached its \
             budget of 20000 states after 20000 states in "
        ) && out.contains("(raise --max-states, or use fewer actors or copies)"),
        "{out}"
    );
    // A memory budget the process is already past stops at once, naming its own flag.
    let output = program(&[
        "tests/scenarios/budget/fifty-readers.toml",
        "--engine",
        "states",
        "--max-memory",
        "1",
    ]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("budget of 1 MiB of memory") && out.contains("raise --max-memory"),
        "{out}"
    );
}

#[test]
fn runs_on_several_jobs_keep_their_order_and_their_verdicts() {
    let verdicts = |jobs: &str| -> Vec<(String, String, String)> {
        let output = program(&["docs/scenarios/", "--jobs", jobs, "--json", "--no-report"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stdout(&output)
            .lines()
            .map(|line| {
                let run: serde_json::Value = serde_json::from_str(line).expect("one JSON object");
                let field = |key: &str| run[key].as_str().expect("a string field").to_string();
                // Real threads may or may not hit a race from one run to the next.
                let verdict = if field("engine") == "std" {
                    "(real threads)".to_string()
                } else {
                    field("verdict")
                };
                (field("scenario"), field("engine"), verdict)
            })
            .collect()
    };
    let one = verdicts("1");
    assert!(one.len() >= 36, "every run of docs/scenarios/: {one:?}");
    assert_eq!(
        verdicts("2"),
        one,
        "the same runs, in the same order, with the same verdicts"
    );
    let refused = program(&["docs/scenarios/", "--jobs", "0"]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
}
