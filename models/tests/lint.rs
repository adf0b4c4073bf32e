//! The rule checker (`lifecycle_models::lint` and `lifecycle-check lint`). Properties checked:
//! - every catalogue file breaks exactly the rule its `[expect] lint` names, and a file without
//!   one (every fixed twin) breaks none;
//! - `lint = "..."` is parsed with the file:line:column errors of every other key;
//! - the program prints `file:line:column: rule: reason` per broken rule, nothing for clean
//!   files, and exits 0 clean, 1 broken, 2 bad input; `--format sarif` is SARIF 2.1.0;
//! - rules the catalogue does not break are reported at the step that breaks them;
//! - an actor written in Rust is not passed silently.

use lifecycle_models::lint::{lint, Violation};
use lifecycle_models::{Rule, Scenario};
use std::path::PathBuf;
use std::process::{Command, Output};

#[test]
fn every_buggy_catalogue_file_breaks_the_rule_it_names_and_every_other_file_none() {
    let mut flagged = 0;
    for scenario in Scenario::catalogue() {
        let report = lint(&scenario);
        let rules: Vec<Rule> = report.violations.iter().map(|v| v.rule).collect();
        match &scenario.expect.lint {
            Some(expected) => {
                flagged += 1;
                assert_eq!(
                    rules,
                    vec![expected.value],
                    "{} states `lint = \"{}\"`, the checker found {:?}",
                    scenario.name,
                    expected.value,
                    report.violations
                );
            }
            None => assert!(
                rules.is_empty(),
                "{} states no `lint`: it follows every rule, but the checker found {:?}",
                scenario.name,
                report.violations
            ),
        }
        assert!(report.notes.is_empty(), "a file has no Rust actors");
    }
    assert_eq!(
        flagged, 10,
        "the catalogue's buggy files each name their rule"
    );
}

#[test]
fn an_unknown_rule_in_expect_is_an_error_at_its_file_line_and_column() {
    let text = std::fs::read_to_string(workspace().join("models/scenarios/double-free/buggy.toml"))
        .expect("readable");
    let text = text.replace("lint = \"double-free\"", "lint = \"double-frees\"");
    let error = Scenario::parse("mine.toml", &text).expect_err("an unknown rule");
    assert_eq!(
        error.to_string(),
        "mine.toml:48:8: unknown rule `double-frees` in `lint` (expected one of: unlocked-list, \
         linked-at-free, use-without-ref, use-after-put, double-free, free-while-shared, \
         write-after-publish, delete-in-plain-walk, link-mismatch, lock-misuse, wait-cycle, \
         untagged-free-list, defective-lock)"
    );
}

fn program(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lifecycle-check"))
        .args(args)
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

#[test]
fn lint_of_the_catalogue_prints_one_rule_per_buggy_file_and_exits_1() {
    let output = program(&["lint", "models/scenarios"]);
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
    let output = program(&[
        "lint",
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
    let output = program(&["lint", file.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "error: {}:8:11: objects = 0: expected 1 to 64 slab slots\n",
            file.display()
        )
    );
    let output = program(&["lint"]);
    assert_eq!(output.status.code(), Some(2), "no files is bad input");
}

#[test]
fn lint_sarif_is_sarif_2_1_0_with_each_rule_at_its_line() {
    let output = program(&["lint", "--format", "sarif", "models/scenarios"]);
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

/// The rules the catalogue does not break, each at the step that breaks it.
fn one(steps: &[&[&str]], extra: &[(&str, &str)]) -> Vec<String> {
    let mut builder = Scenario::builder("rules/one")
        .objects(2)
        .list("registry")
        .expect("all", "pass");
    for (index, actor) in steps.iter().enumerate() {
        builder = builder.actor(&format!("a{index}"), actor.iter().copied());
    }
    for (engine, verdict) in extra {
        builder = builder.expect(engine, verdict);
    }
    let scenario = builder.build().expect("valid");
    lint(&scenario)
        .violations
        .iter()
        .map(|v| format!("{}:{}: {}", v.line, v.rule, v.message))
        .collect()
}

#[test]
fn rules_beyond_the_catalogue_are_reported_at_their_step() {
    let owner: &[&str] = &["alloc s", "lock", "list_add s registry", "unlock"];
    let reader: &[&str] = &[
        "lock",
        "walk registry keep k",
        "get_ref k",
        "unlock",
        "read k",
        "put_ref k",
    ];
    let write_after_publish = [
        owner,
        &[
            "write s 1",
            "lock",
            "list_del s registry",
            "unlock",
            "put_ref s",
        ],
    ]
    .concat();
    assert_eq!(
        one(&[&write_after_publish, reader], &[]),
        [
            "17:write-after-publish: `write s 1` writes s's data after it was published on \
          `registry`, where other actors keep its entries: their reads race with the write (an \
          object's data is written only before it is published to other actors)"
        ]
    );
    let free_while_shared = [owner, &["lock", "list_del s registry", "unlock", "free s"]].concat();
    assert_eq!(
        one(&[&free_while_shared, reader], &[]),
        ["17:free-while-shared: `free s` frees s, which other actors may hold a reference to (it \
          was on `registry`): only the last put_ref may free it (an object others may hold a \
          reference to is freed only by the last put_ref)"]
    );
    let added_twice = [owner, &["lock", "list_add s registry", "unlock"]].concat();
    assert_eq!(
        one(&[&added_twice], &[]),
        [
            "17:link-mismatch: `list_add s registry` adds s to `registry`, which it is already on \
          (an object is added only to a list it is not on and deleted only from one it is on)"
        ]
    );
    let never_unlocked: &[&str] = &["lock", "walk registry"];
    assert_eq!(
        one(&[never_unlocked], &[]),
        [
            "17:lock-misuse: `lock registry` takes the registry lock and the actor ends without \
          releasing it: every other actor that wants it starves (a lock is taken once and \
          released by its holder, never held across a wait or past the actor's end, and locks \
          nest in one order)"
        ]
    );
    let put_found: &[&str] = &["lock", "walk registry keep k", "unlock", "put_ref k"];
    assert_eq!(
        one(&[owner, put_found], &[]),
        [
            "21:double-free: `put_ref k` drops a reference to k that this actor never took (an \
          object is freed once, and no put_ref drops a reference its actor does not hold)"
        ]
    );
}

#[test]
fn an_actor_written_in_rust_is_a_note_not_a_silent_pass() {
    let scenario = Scenario::builder("rules/rust")
        .list("registry")
        .actor("owner", ["alloc s", "put_ref s"])
        .rust_actor("closer", |actions| actions.step("lock"))
        .expect("all", "pass")
        .build()
        .expect("valid");
    let report = lint(&scenario);
    assert!(report.violations.is_empty());
    assert_eq!(
        report
            .notes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "built:rules/rust:19:1: note: actor `closer` is written in Rust: its steps cannot be \
          read without running it, so no rule is checked for it"
        ]
    );
}
