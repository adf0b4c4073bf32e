//! The rule checker (`lifecycle_models::lint`; the program is tested in `cli/tests/lint.rs`).
//! Properties checked:
//! - every catalogue file breaks exactly the rule its `[expect] lint` names, and a file without
//!   one (every fixed twin) breaks none;
//! - `lint = "..."` is parsed with the file:line:column errors of every other key;
//! - rules the catalogue does not break are reported at the step that breaks them;
//! - an actor written in Rust is not passed silently.

use lifecycle_models::{lint, Rule, Scenario};

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
        flagged, 25,
        "the catalogue's buggy files each name their rule (10, 8 of the rcu/ family, \
         typesafe/no-recheck, the 4 of socket-lookup/ and the 2 of rculist-nulls/)"
    );
}

#[test]
fn an_unknown_rule_in_expect_is_an_error_at_its_file_line_and_column() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/double-free/buggy.toml"
    ))
    .expect("readable");
    let text = text.replace("lint = \"double-free\"", "lint = \"double-frees\"");
    let error = Scenario::parse("mine.toml", &text).expect_err("an unknown rule");
    assert_eq!(
        error.to_string(),
        "mine.toml:48:8: unknown rule `double-frees` in `lint` (expected one of: unlocked-list, \
         linked-at-free, use-without-ref, use-after-put, double-free, free-while-shared, \
         write-after-publish, delete-in-plain-walk, link-mismatch, lock-misuse, wait-cycle, \
         untagged-free-list, defective-lock, free-without-grace-period, plain-change-on-rcu-list, \
         use-after-rcu-unlock, sync-in-read-section, sync-under-reader-lock, plain-get-under-rcu, \
         lookup-without-recheck, nulls-walk-without-restart, destroy-with-pending-callbacks)"
    );
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
          object's data (and key) is written only before it is published to other actors)"
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

/// The rules broken in a socket world (a type-stable cache, table `ehash`) of `actors`.
fn in_socket_world(actors: &[&[&str]]) -> Vec<String> {
    let mut builder = Scenario::builder("rules/sockets")
        .objects(2)
        .typesafe_by_rcu()
        .table("ehash", 2, None)
        .expect("all", "pass");
    for (index, actor) in actors.iter().enumerate() {
        builder = builder.actor(&format!("a{index}"), actor.iter().copied());
    }
    let scenario = builder.build().expect("valid");
    lint(&scenario)
        .violations
        .iter()
        .map(|v| format!("{}: {}", v.rule, v.message))
        .collect()
}

#[test]
fn in_a_type_stable_cache_the_count_publishes_and_lookups_share() {
    let lookup: &[&str] = &[
        "rcu_read_lock",
        "lookup_rcu ehash key 2 into k",
        "nulls_restart k",
        "get_ref_not_zero k",
        "recheck k key 2 restart",
        "rcu_read_unlock",
        "read k",
        "put_ref k",
    ];
    let hash = ["lock", "hlist_nulls_add_head_rcu s ehash", "unlock"];
    let unhash = ["lock", "hlist_nulls_del_init_rcu s ehash", "unlock"];
    let owner = |middle: &[&'static str], last: &'static str| -> Vec<&'static str> {
        [&["alloc s key 2"][..], middle, &hash, &unhash, &[last]].concat()
    };
    assert_eq!(
        in_socket_world(&[&owner(&[], "put_ref s"), lookup]),
        Vec::<String>::new()
    );
    // Found by the generators' socket worlds: loom reports the lookup's read racing with the
    // write (tests/scenarios/found/probe-typesafe-write-after-alloc.toml).
    assert_eq!(
        in_socket_world(&[&owner(&["write s 1"], "put_ref s"), lookup]),
        [
            "write-after-publish: `write s 1` writes s's data after `alloc` set its count: in a \
          typesafe-by-rcu cache a lookup may stand on the slot from its previous life, take a \
          reference (get_ref_not_zero sees the count) and pass its recheck, and its reads race \
          with this write (rculist_nulls.rst's insert algorithm initialises the object before \
          it sets the count with release) (an object's data (and key) is written only before it \
          is published to other actors)"
        ]
    );
    // tests/scenarios/found/necessity-20261125-90e67f61.toml
    assert_eq!(
        in_socket_world(&[&owner(&[], "free s"), lookup]),
        [
            "free-while-shared: `free s` frees s, which other actors may hold a reference to (it \
          was hashed on `ehash`, whose lookups take references): only the last put_ref may \
          free it (an object others may hold a reference to is freed only by the last put_ref)"
        ]
    );
    // With no lookup that takes a reference, nobody else can hold it.
    let peek: &[&str] = &[
        "rcu_read_lock",
        "lookup_rcu ehash key 2 into k",
        "nulls_restart k",
        "rcu_read_unlock",
    ];
    assert_eq!(
        in_socket_world(&[&owner(&[], "free s"), peek]),
        Vec::<String>::new()
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
