//! `lifecycle-check lint`: the rule checker as a program (exit codes, one line per violation,
//! SARIF), on the catalogue and on malformed files.

use lifecycle_models::{lint, Rule, Scenario, Violation};
use std::path::PathBuf;
use std::process::{Command, Output};

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
        .expect("cli/ is in the workspace")
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
