//! The scenario language's errors: each malformed file gets one error naming `file:line:column`
//! and what was expected there, never a panic. Every case below starts from a valid file and
//! breaks one thing.

use lifecycle_models::{refusal, Engine, Plan, Scenario};

const VALID: &str = r#"name = "mine/ok"
story = "an owner and a helper"

[world]
objects = 2
lists = [{ name = "registry" }]
events = ["go"]

[[actor]]
name = "owner"
steps = ["alloc s", "lock", "list_add s registry", "unlock", "signal go"]

[[actor]]
name = "helper"
steps = ["wait go"]

[expect]
all = "pass"
"#;

/// The error of `VALID` with `from` replaced by `to`.
fn error_of(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "the case edits something: {from}");
    let text = VALID.replacen(from, to, 1);
    match Scenario::parse("bad.toml", &text) {
        Ok(scenario) => panic!(
            "{} parsed, but `{from}` -> `{to}` should be refused",
            scenario.name
        ),
        Err(error) => error.to_string(),
    }
}

#[test]
fn the_valid_file_parses_with_its_actors_steps_and_expectation() {
    let scenario = Scenario::parse("ok.toml", VALID).expect("valid");
    assert_eq!(scenario.name, "mine/ok");
    assert_eq!(scenario.actors.len(), 2);
    assert_eq!(scenario.actors[0].steps.len(), 5);
    assert_eq!(
        (
            scenario.actors[0].steps[2].line,
            scenario.actors[0].steps[2].column
        ),
        (11, 29)
    );
    assert_eq!(scenario.expected_on(Engine::Loom).label(), "pass");
    assert_eq!(
        scenario.world.locks[0].name, "registry",
        "the default lock is named after the list"
    );
}

/// The error for the step `lok` at `column` of line 11.
fn unknown_lok_at(column: usize) -> String {
    format!(
        "bad.toml:11:{column}: unknown step `lok` (expected one of: alloc, free, lock, unlock, \
         list_add, list_add_tail, list_del, list_del_init, list_move, list_move_tail, \
         list_splice, list_splice_init, list_replace, list_replace_init, walk, walk_safe, \
         walk_from, walk_continue, reap, reap_safe, \
         get_ref, get_ref_not_zero, put_ref, read, write, set_key, recheck, signal, wait, \
         rcu_read_lock, rcu_read_unlock, \
         synchronize_rcu, rcu_barrier, call_rcu, kfree_rcu, list_add_rcu, list_add_tail_rcu, \
         list_del_rcu, list_replace_rcu, walk_rcu, destroy_cache, hlist_nulls_add_head_rcu, \
         hlist_nulls_del_rcu, hlist_nulls_del_init_rcu, lookup_rcu, nulls_restart, \
         expect_found)"
    )
}

#[test]
fn an_unknown_step_lists_the_valid_ones() {
    assert_eq!(error_of("\"lock\",", "\"lok\","), unknown_lok_at(22));
}

#[test]
fn a_column_counts_a_literal_strings_three_quote_delimiter() {
    // `'''` is three characters: `lok` starts two columns later than in `"lok"`.
    assert_eq!(error_of("\"lock\",", "'''lok''',"), unknown_lok_at(24));
}

#[test]
fn a_column_counts_an_escape_as_the_characters_written() {
    // `\t` is two characters in the file and one in the step: `hash` starts at column 42.
    assert_eq!(
        error_of("list_add s registry", "list_add\\ts hash"),
        "bad.toml:11:42: unknown list `hash` (declared lists: registry)"
    );
    // A word after a tab (any whitespace separates words) is found where it is written.
    assert_eq!(
        error_of(
            "\"alloc s\", \"lock\", \"list_add s registry\"",
            "\"lock\", \"list_add\\ts registry\""
        ),
        "bad.toml:11:29: object `s` is used before this actor binds it (expected an earlier \
         `alloc s`, `walk LIST keep s` or `reap LIST into s` in actor `owner`)"
    );
}

#[test]
fn an_unknown_list_names_the_declared_ones() {
    assert_eq!(
        error_of("list_add s registry", "list_add s hash"),
        "bad.toml:11:41: unknown list `hash` (declared lists: registry)"
    );
}

#[test]
fn an_unknown_event_names_the_declared_ones() {
    assert_eq!(
        error_of("\"wait go\"", "\"wait gone\""),
        "bad.toml:15:16: unknown event `gone` (declared events: go)"
    );
}

#[test]
fn a_step_on_an_object_before_its_alloc_is_refused() {
    assert_eq!(
        error_of("\"alloc s\", ", ""),
        "bad.toml:11:28: object `s` is used before this actor binds it (expected an earlier \
         `alloc s`, `walk LIST keep s` or `reap LIST into s` in actor `owner`)"
    );
}

#[test]
fn an_object_of_another_actor_is_not_this_actors() {
    assert_eq!(
        error_of("\"wait go\"", "\"wait go\", \"put_ref s\""),
        "bad.toml:15:30: object `s` is used before this actor binds it (expected an earlier \
         `alloc s`, `walk LIST keep s` or `reap LIST into s` in actor `helper`)"
    );
}

#[test]
fn a_wait_nobody_signals_would_block_forever() {
    assert_eq!(
        error_of(", \"signal go\"", ""),
        "bad.toml:15:10: event `go` is waited for but no actor signals it (expected a `signal \
         go` step): the wait would block forever"
    );
}

#[test]
fn a_missing_argument_says_what_the_step_takes() {
    assert_eq!(
        error_of("\"alloc s\"", "\"alloc\""),
        "bad.toml:11:16: `alloc` needs more (expected `alloc OBJECT [key K]`)"
    );
}

#[test]
fn an_unknown_key_is_named_with_the_expected_ones() {
    let error = error_of("objects = 2", "objets = 2");
    assert!(
        error.starts_with("bad.toml:5:1: unknown field `objets`, expected one of `objects`"),
        "{error}"
    );
}

#[test]
fn a_missing_section_is_named() {
    let error = error_of("[expect]\nall = \"pass\"\n", "");
    assert_eq!(error, "bad.toml:1:1: missing field `expect`");
}

#[test]
fn a_toml_syntax_error_has_its_position() {
    let error = error_of("objects = 2", "objects = ");
    assert!(error.starts_with("bad.toml:5:11: "), "{error}");
}

#[test]
fn an_unknown_finding_kind_lists_the_valid_ones() {
    let error = error_of("all = \"pass\"", "all = \"loops\"");
    assert!(
        error.starts_with(
            "bad.toml:18:7: unknown finding kind `loops` (expected `pass`, `vacuous`, one of: \
             looping-reader, starved-waiters,"
        ),
        "{error}"
    );
}

#[test]
fn pass_or_without_a_reason_is_refused() {
    assert_eq!(
        error_of("all = \"pass\"", "all = \"pass or leak\""),
        "bad.toml:18:7: `pass or ...` needs the reason the engine cannot see the bug, after a \
         colon: `pass or looping-reader: uniformly random schedules rarely ...`"
    );
}

#[test]
fn an_unknown_engine_in_expect_lists_the_engines() {
    assert_eq!(
        error_of("all = \"pass\"", "all = \"pass\"\nmiri = \"pass\""),
        "bad.toml:19:1: unknown engine `miri` in [expect] (expected `all`, `lint` or one of: loom, \
         shuttle-random, shuttle-pct, shuttle-dfs, std, states)"
    );
}

#[test]
fn a_bad_name_and_out_of_range_numbers_are_refused() {
    assert_eq!(
        error_of("name = \"mine/ok\"", "name = \"mine\""),
        "bad.toml:1:8: scenario name `mine` is not `family/variant` (letters, digits, `-`, `_`, \
         one `/`), such as `socket-lifecycle/buggy`"
    );
    assert_eq!(
        error_of("objects = 2", "objects = 0"),
        "bad.toml:5:11: objects = 0: expected 1 to 64 slab slots"
    );
    assert_eq!(
        error_of("name = \"helper\"", "name = \"helper\"\ncount = 0"),
        "bad.toml:15:9: count = 0: expected 1 to 64 copies"
    );
}

#[test]
fn an_unknown_lock_defect_lists_the_defects() {
    assert_eq!(
        error_of(
            "lists = [",
            "locks = [{ name = \"registry\", defect = \"sloppy\" }]\nlists = ["
        ),
        "bad.toml:6:40: unknown lock defect `sloppy` (expected one of: none, relaxed-unlock, \
         load-then-store)"
    );
}

#[test]
fn too_many_actors_are_refused_for_loom_only() {
    let text = VALID.replace("name = \"helper\"", "name = \"helper\"\ncount = 5");
    let scenario = Scenario::parse("many.toml", &text).expect("valid: other engines run it");
    let reason =
        refusal(&Plan::of(&scenario), Engine::Loom).expect("6 actors are too many for loom");
    assert_eq!(
        reason,
        "many.toml:13:1: 6 actors, but loom runs at most 5 threads (one per actor); this actor \
         is one too many (run it on other engines with --engine, or lower its count / --waiters)"
    );
    assert_eq!(refusal(&Plan::of(&scenario), Engine::ShuttlePct), None);
}

#[test]
fn every_catalogue_file_parses_and_names_a_twin_that_exists() {
    let catalogue = Scenario::catalogue();
    assert_eq!(catalogue.len(), 46);
    for scenario in &catalogue {
        if let Some(twin) = &scenario.twin {
            assert!(
                catalogue.iter().any(|s| &s.name == twin),
                "{}'s twin {twin}",
                scenario.name
            );
        }
    }
}

/// The error of `VALID` with a `[[sometimes]]` whose `when` is `[when]` (its first string at
/// 22:9), the owner's steps replaced by `owner_steps` if given.
fn sometimes_error(when: &str, owner_steps: Option<&str>) -> String {
    let mut text = VALID.to_string();
    if let Some(steps) = owner_steps {
        text = text.replacen(
            r#"["alloc s", "lock", "list_add s registry", "unlock", "signal go"]"#,
            steps,
            1,
        );
    }
    text.push_str(&format!("\n[[sometimes]]\nname = \"x\"\nwhen = [{when}]\n"));
    match Scenario::parse("bad.toml", &text) {
        Ok(_) => panic!("`{when}` should be refused"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn a_sometimes_condition_naming_an_unknown_actor_lists_the_actors() {
    assert_eq!(
        sometimes_error(r#""ghost at lock""#, None),
        "bad.toml:22:9: unknown actor `ghost` (declared: owner, helper)"
    );
}

#[test]
fn a_sometimes_step_must_be_one_of_the_actor_s_steps_and_say_which_if_repeated() {
    assert_eq!(
        sometimes_error(r#""helper at lock""#, None),
        "bad.toml:22:9: actor `helper` has no step `lock`"
    );
    let twice = r#"["alloc s", "lock", "unlock", "lock", "unlock", "signal go"]"#;
    assert_eq!(
        sometimes_error(r#""owner at lock""#, Some(twice)),
        "bad.toml:22:9: actor `owner` has 2 steps `lock` (lines 11, 11): say which with `#1` to \
         `#2`"
    );
    assert_eq!(
        sometimes_error(r#""owner past unlock #3""#, Some(twice)),
        "bad.toml:22:9: actor `owner` has 2 steps `unlock` (lines 11, 11), not 3"
    );
}

#[test]
fn a_sometimes_local_must_be_bound_by_the_actor() {
    assert_eq!(
        sometimes_error(r#""owner.s linked", "helper.x linked registry""#, None),
        "bad.toml:22:27: actor `helper` binds no local `x` (its locals: none)"
    );
}

#[test]
fn a_sometimes_condition_of_no_known_form_lists_the_forms() {
    let error = sometimes_error(r#""owner sleeps""#, None);
    assert!(
        error.starts_with(
            "bad.toml:22:9: condition `owner sleeps` is not one of: `ACTOR at STEP`, `ACTOR \
             past STEP`,"
        ),
        "{error}"
    );
    assert_eq!(
        sometimes_error("", None),
        "bad.toml:22:8: `when` is empty: list the conditions that hold together in the state"
    );
}

#[test]
fn every_sometimes_form_parses_into_its_atom() {
    use lifecycle_models::{Atom, Condition};
    let text = format!(
        "{VALID}\n[[sometimes]]\nname = \"all forms\"\nwhen = [\"owner at lock\", \"not owner \
         past signal go\", \"owner holds\", \"owner.s linked registry\", \"owner.s is \
         owner.s\"]\n"
    );
    let error = Scenario::parse("bad.toml", &text).expect_err("`is` of itself is refused");
    assert_eq!(
        error.to_string(),
        "bad.toml:22:96: `owner.s is owner.s` always holds"
    );
    let text = text.replace(", \"owner.s is owner.s\"", "");
    let scenario = Scenario::parse("ok.toml", &text).expect("every form parses");
    let when: Vec<&Condition> = scenario.sometimes[0]
        .when
        .iter()
        .map(|c| &c.value)
        .collect();
    assert_eq!(
        when,
        [
            &Condition {
                negated: false,
                atom: Atom::At { actor: 0, step: 1 }
            },
            &Condition {
                negated: true,
                atom: Atom::Past { actor: 0, step: 4 }
            },
            &Condition {
                negated: false,
                atom: Atom::Holds { actor: 0, lock: 0 }
            },
            &Condition {
                negated: false,
                atom: Atom::Linked {
                    actor: 0,
                    local: "s".to_string(),
                    list: Some(0)
                }
            },
        ]
    );
}

#[test]
fn the_list_h_steps_and_guards_are_refused_where_they_are_malformed() {
    let cases = [
        (
            "\"list_add s registry\"",
            "\"list_move s\"",
            "bad.toml:11:41: `list_move` needs more (expected `list_move OBJECT LIST`)",
        ),
        (
            "\"list_add s registry\"",
            "\"list_replace s s registry\"",
            "bad.toml:11:45: `list_replace` replaces `s` with itself (expected another object)",
        ),
        (
            "\"list_add s registry\"",
            "\"walk_from s registry keep\"",
            "bad.toml:11:51: unexpected `keep` in `walk_from` (expected `walk_from OBJECT LIST \
             [keep OBJECT [key K]]`)",
        ),
        (
            "\"list_add s registry\"",
            "\"list_del s registry if s gone\"",
            "bad.toml:11:53: unknown condition (expected `if OBJECT linked LIST`, `if OBJECT \
             unlinked LIST`, `if LIST empty`, `if LIST nonempty` or `if OBJECT found`)",
        ),
        (
            "\"list_add s registry\"",
            "\"list_del s registry if\"",
            "bad.toml:11:52: `if` needs a condition (expected `if OBJECT linked LIST`, `if OBJECT \
             unlinked LIST`, `if LIST empty`, `if LIST nonempty` or `if OBJECT found`)",
        ),
        (
            "\"lock\"",
            "\"lock if registry empty\"",
            "bad.toml:11:22: `lock` cannot be guarded: a guard goes on a step that acts on lists, \
             objects or references, not on one that takes or releases a lock or section, waits, \
             or restarts (its pairing would depend on the condition)",
        ),
        (
            "\"list_add s registry\"",
            "\"list_del s registry if t linked registry\"",
            "bad.toml:11:53: object `t` is used before this actor binds it (expected an earlier \
             `alloc t`, `walk LIST keep t` or `reap LIST into t` in actor `owner`)",
        ),
        (
            "lists = [{ name = \"registry\" }]",
            "lists = [{ name = \"registry\", link = \"node\" }, { name = \"b\", link = \"node\", \
             mode = \"debug\" }]",
            "bad.toml:6:69: list `b` shares link `node` with list `registry`, whose mode or rcu \
             differs: one link has one kind of node",
        ),
    ];
    for (from, to, error) in cases {
        assert_eq!(error_of(from, to), error, "`{from}` -> `{to}`");
    }
}

#[test]
fn a_splice_needs_lists_that_share_a_link() {
    let two_lists = VALID.replacen(
        "lists = [{ name = \"registry\" }]",
        "lists = [{ name = \"registry\" }, { name = \"other\" }]",
        1,
    );
    let text = two_lists.replacen(
        "\"list_add s registry\"",
        "\"list_splice registry other\"",
        1,
    );
    assert_eq!(
        Scenario::parse("bad.toml", &text).unwrap_err().to_string(),
        "bad.toml:11:29: `list_splice` moves the entries of `registry` onto `other`, whose \
         entries use another link: declare both lists with one `link = \"NAME\"`"
    );
    let shared = text.replacen(
        "lists = [{ name = \"registry\" }, { name = \"other\" }]",
        "lists = [{ name = \"registry\", link = \"node\" }, { name = \"other\", link = \"node\" }]",
        1,
    );
    let scenario = Scenario::parse("ok.toml", &shared).expect("lists sharing a link splice");
    assert_eq!(
        scenario.world.lists[1].link, 0,
        "`other` uses `registry`'s link"
    );
}

#[test]
fn a_user_file_needs_no_story() {
    let text = VALID.replacen("story = \"an owner and a helper\"\n", "", 1);
    let scenario = Scenario::parse("ok.toml", &text).expect("a file without a story parses");
    assert_eq!(scenario.story, "");
}

#[test]
fn every_catalogue_scenario_keeps_its_story() {
    for scenario in Scenario::catalogue() {
        assert!(
            !scenario.story.trim().is_empty(),
            "{}: a catalogue file tells its story (only a user's file may leave it out)",
            scenario.name
        );
    }
}
