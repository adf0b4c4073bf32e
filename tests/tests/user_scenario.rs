//! A user's own lifecycle, not in the catalogue, checked from a `#[test]` as the README shows:
//! an owner that drops its reference (which frees the object) before it unlinks it. loom finds
//! the use after free; the fixed twin (unlink first) passes on every engine. The same scenario
//! built in code gives the same verdicts, and an actor written in Rust (a loop steps cannot
//! express) is checked like any other.

use lifecycle_models::{check, Actions, Engine, FindingKind, Scenario, Stop};

/// The scenario as a user writes it in a file; `close` is the owner's closing steps.
fn scenario_file(variant: &str, close: &str, expect: &str) -> String {
    format!(
        r#"name = "mine/{variant}"
story = "an owner registers an object, then closes it ({variant})"

[world]
objects = 2
lists = [{{ name = "registry" }}]
events = ["registered"]
checks = ["use-after-free", "invariants-at-unlock", "leak"]

[[actor]]
name = "owner"
steps = ["alloc s", "lock", "list_add s registry", "unlock", "signal registered", {close}]

[[actor]]
name = "reader"
steps = ["wait registered", "lock", "walk registry keep k", "get_ref k", "unlock", "read k", "put_ref k"]

[expect]
all = "{expect}"
"#
    )
}

const PUT_BEFORE_DEL: &str = r#""put_ref s", "lock", "list_del s registry", "unlock""#;
const DEL_BEFORE_PUT: &str = r#""lock", "list_del s registry", "unlock", "put_ref s""#;

#[test]
fn loom_finds_the_use_after_free_of_put_ref_before_list_del() {
    let text = scenario_file("put-before-del", PUT_BEFORE_DEL, "use-after-free");
    let buggy = Scenario::parse("mine/put-before-del.toml", &text).expect("a valid file");
    let findings = check(&buggy)
        .engine(Engine::Loom)
        .expect(FindingKind::UseAfterFree);
    let finding = &findings[0];
    assert!(
        finding
            .diagnosis
            .contains("use-after-free: `owner` stopped")
            || finding
                .diagnosis
                .contains("use-after-free: `reader` stopped"),
        "{}",
        finding.diagnosis
    );
    assert!(finding.trace.iter().any(|e| matches!(
        e.what,
        lifecycle_models::What::Free {
            still_linked: true,
            ..
        }
    )));
}

#[test]
fn the_fixed_twin_passes_on_every_engine() {
    let text = scenario_file("del-before-put", DEL_BEFORE_PUT, "pass");
    let fixed = Scenario::parse("mine/del-before-put.toml", &text).expect("a valid file");
    let explored = check(&fixed).expect_pass();
    assert_eq!(explored.len(), Engine::ALL.len());
    assert!(explored.iter().all(|&n| n > 1), "{explored:?}");
}

#[test]
fn the_same_scenario_built_in_code_gets_the_same_verdicts() {
    let build = |variant: &str, close: [&'static str; 4]| {
        let mut owner = vec![
            "alloc s",
            "lock",
            "list_add s registry",
            "unlock",
            "signal registered",
        ];
        owner.extend(close);
        Scenario::builder(&format!("mine/{variant}"))
            .objects(2)
            .list("registry")
            .event("registered")
            .checks(["use-after-free", "invariants-at-unlock", "leak"])
            .actor("owner", owner)
            .actor(
                "reader",
                [
                    "wait registered",
                    "lock",
                    "walk registry keep k",
                    "get_ref k",
                    "unlock",
                    "read k",
                    "put_ref k",
                ],
            )
            .expect("all", "pass")
            .build()
            .expect("a valid scenario")
    };
    let buggy = build(
        "put-before-del",
        ["put_ref s", "lock", "list_del s registry", "unlock"],
    );
    check(&buggy)
        .engine(Engine::Loom)
        .expect(FindingKind::UseAfterFree);
    let fixed = build(
        "del-before-put",
        ["lock", "list_del s registry", "unlock", "put_ref s"],
    );
    check(&fixed)
        .engine(Engine::Loom)
        .engine(Engine::ShuttlePct)
        .expect_pass();
}

#[test]
fn a_builder_mistake_is_the_error_a_file_would_get() {
    let error = Scenario::builder("mine/typo")
        .list("registry")
        .actor("owner", ["alloc s", "list_ad s registry"])
        .expect("all", "pass")
        .build()
        .expect_err("an unknown step");
    let text = error.to_string();
    assert!(text.starts_with("built:mine/typo:"), "{text}");
    assert!(text.contains("unknown step `list_ad`"), "{text}");
}

/// A reaper written in Rust: it keeps unlinking the first entry until the list is empty (a loop
/// the step list cannot write), dropping each owner's reference after the unlock.
fn reaper(actions: &mut dyn Actions) -> Result<(), Stop> {
    actions.step("wait registered")?;
    loop {
        actions.step("lock")?;
        actions.step("walk registry keep k")?;
        if actions.count("k") == 0 {
            return actions.step("unlock");
        }
        actions.step("list_del k registry")?;
        actions.step("unlock")?;
        actions.step("put_ref k")?;
    }
}

#[test]
fn a_rust_actor_runs_on_every_engine_and_its_mistakes_are_found() {
    let scenario = |reaper_body: fn(&mut dyn Actions) -> Result<(), Stop>| {
        Scenario::builder("mine/rust-reaper")
            .objects(2)
            .list("registry")
            .event("registered")
            .checks(["use-after-free", "invariants-at-unlock", "leak"])
            .actor(
                "owner",
                [
                    "alloc s",
                    "lock",
                    "list_add s registry",
                    "unlock",
                    "signal registered",
                ],
            )
            .rust_actor("reaper", reaper_body)
            .expect("all", "pass")
            .build()
            .expect("a valid scenario")
    };
    check(&scenario(reaper)).expect_pass();

    // The same reaper, forgetting the unlink: the owner's object is freed while linked, and
    // the next walk reaches it.
    fn careless(actions: &mut dyn Actions) -> Result<(), Stop> {
        actions.step("wait registered")?;
        actions.step("lock")?;
        actions.step("walk registry keep k")?;
        actions.step("unlock")?;
        actions.step("put_ref k")?;
        actions.step("lock")?;
        actions.step("walk registry")?;
        actions.step("unlock")
    }
    let findings = check(&scenario(careless))
        .engine(Engine::Loom)
        .engine(Engine::Std)
        .expect(FindingKind::UseAfterFree);
    assert!(
        findings[0].diagnosis.contains("`reaper` stopped"),
        "{}",
        findings[0].diagnosis
    );
}
