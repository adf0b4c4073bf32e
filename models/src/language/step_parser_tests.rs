//! Unit tests of `step_parser`.
use super::{parse_step, Names};
use crate::language::Step;

fn names() -> (Vec<String>, Vec<String>, Vec<String>) {
    (
        vec!["registry".to_string(), "hash".to_string()],
        vec!["registry".to_string(), "hash".to_string()],
        vec!["go".to_string()],
    )
}

fn parse(text: &str) -> Result<Step, (usize, String)> {
    let (lists, locks, events) = names();
    parse_step(
        text,
        &Names {
            lists: &lists,
            locks: &locks,
            events: &events,
            tables: &["ehash".to_string()],
        },
    )
}

#[test]
fn each_form_resolves_its_names_to_declaration_indices() {
    assert_eq!(
        parse("list_add_tail s hash"),
        Ok(Step::ListAdd {
            object: "s".to_string(),
            list: 1,
            tail: true,
            rcu: false
        })
    );
    assert_eq!(
        parse("walk registry keep k"),
        Ok(Step::Walk {
            list: 0,
            safe: false,
            keep: Some("k".to_string()),
            rcu: false,
            key: None
        })
    );
    assert_eq!(parse("unlock hash"), Ok(Step::Unlock { lock: 1 }));
    assert_eq!(parse("wait go"), Ok(Step::Wait { event: 0 }));
    assert_eq!(
        parse("list_del_init s registry"),
        Ok(Step::ListDel {
            object: "s".to_string(),
            list: 0,
            init: true,
            rcu: false
        })
    );
}

#[test]
fn the_rcu_forms_parse_into_their_steps() {
    assert_eq!(
        parse("list_add_tail_rcu s hash"),
        Ok(Step::ListAdd {
            object: "s".to_string(),
            list: 1,
            tail: true,
            rcu: true
        })
    );
    assert_eq!(
        parse("list_del_rcu s registry"),
        Ok(Step::ListDel {
            object: "s".to_string(),
            list: 0,
            init: false,
            rcu: true
        })
    );
    assert_eq!(
        parse("walk_rcu registry keep k"),
        Ok(Step::Walk {
            list: 0,
            safe: false,
            keep: Some("k".to_string()),
            rcu: true,
            key: None
        })
    );
    assert_eq!(
        parse("walk_rcu registry keep k key 7"),
        Ok(Step::Walk {
            list: 0,
            safe: false,
            keep: Some("k".to_string()),
            rcu: true,
            key: Some(7)
        })
    );
    assert_eq!(
        parse("list_replace_rcu a b hash"),
        Ok(Step::ListReplaceRcu {
            old: "a".to_string(),
            new: "b".to_string(),
            list: 1
        })
    );
    assert_eq!(
        parse("kfree_rcu s"),
        Ok(Step::CallRcu {
            object: "s".to_string(),
            free: true
        })
    );
    assert_eq!(parse("synchronize_rcu"), Ok(Step::SynchronizeRcu));
    assert_eq!(
        parse("rcu_read_lock now"),
        Err((
            14,
            "unexpected `now` after `rcu_read_lock` (expected `rcu_read_lock`)".to_string()
        ))
    );
    assert_eq!(
        parse("list_replace_rcu a a").unwrap_err().1,
        "`list_replace_rcu` replaces `a` with itself (expected another object)"
    );
}

#[test]
fn an_error_points_at_the_word_that_is_wrong() {
    let (offset, message) = parse("list_add s nowhere").unwrap_err();
    assert_eq!(offset, 11, "{message}");
    assert!(message.contains("nowhere"), "{message}");
    let (offset, message) = parse("frobnicate x").unwrap_err();
    assert_eq!(offset, 0);
    assert!(
        message.starts_with("unknown step `frobnicate`"),
        "{message}"
    );
    assert_eq!(parse("").unwrap_err().0, 0);
}

#[test]
fn the_reference_steps_read_their_kernel_forms_and_refuse_others() {
    let object = || "s".to_string();
    assert_eq!(
        parse("get_ref_not_zero s"),
        Ok(Step::GetRef {
            object: object(),
            not_zero: true
        })
    );
    assert_eq!(
        parse("get_ref s"),
        Ok(Step::GetRef {
            object: object(),
            not_zero: false
        })
    );
    assert_eq!(
        parse("put_ref s kfree_rcu"),
        Ok(Step::PutRef {
            object: object(),
            release_rcu: true
        })
    );
    assert_eq!(
        parse("put_ref s"),
        Ok(Step::PutRef {
            object: object(),
            release_rcu: false
        })
    );
    assert_eq!(
        parse("put_ref s later"),
        Err((
            10,
            "unexpected `later` (expected `put_ref OBJECT [kfree_rcu]`: `kfree_rcu` defers the \
             last reference's free past a grace period)"
                .to_string()
        ))
    );
}

#[test]
fn keys_are_given_compared_and_rechecked_in_the_forms_the_language_table_shows() {
    let object = || "s".to_string();
    assert_eq!(
        parse("alloc s key 3"),
        Ok(Step::Alloc {
            object: object(),
            key: Some(3)
        })
    );
    assert_eq!(
        parse("set_key s 4"),
        Ok(Step::SetKey {
            object: object(),
            key: 4
        })
    );
    assert_eq!(
        parse("recheck s key 5"),
        Ok(Step::Recheck {
            object: object(),
            key: 5,
            restart: false,
        })
    );
    assert_eq!(
        parse("recheck s key 5 restart"),
        Ok(Step::Recheck {
            object: object(),
            key: 5,
            restart: true,
        })
    );
    assert_eq!(
        parse("recheck s key 5 again"),
        Err((
            16,
            "unexpected `again` (expected `recheck OBJECT key K [restart]`: `restart` runs the \
             lookup again on a mismatch)"
                .to_string()
        ))
    );
    assert_eq!(
        parse("recheck s 5"),
        Err((
            11,
            "`recheck` needs more (expected `recheck OBJECT key K [restart]`)".to_string()
        ))
    );
    assert_eq!(
        parse("recheck s as 5"),
        Err((
            10,
            "unexpected `as` (expected `recheck OBJECT key K [restart]`)".to_string()
        ))
    );
    assert_eq!(
        parse("alloc key"),
        Err((
            6,
            "`key` is not an object name (expected a name such as `s` or `sock_2`)".to_string()
        ))
    );
}

#[test]
fn hash_table_steps_name_their_table_or_the_only_one() {
    assert_eq!(
        parse("hlist_nulls_add_head_rcu s"),
        Ok(Step::HashAdd {
            object: "s".to_string(),
            table: 0
        })
    );
    assert_eq!(
        parse("hlist_nulls_del_init_rcu s ehash"),
        Ok(Step::HashDel {
            object: "s".to_string(),
            table: 0,
            init: true
        })
    );
    assert_eq!(
        parse("hlist_nulls_del_rcu s bhash"),
        Err((
            22,
            "unknown table `bhash` (declared tables: ehash)".to_string()
        ))
    );
    assert_eq!(
        parse("lookup_rcu ehash key 7 into s"),
        Ok(Step::Lookup {
            table: 0,
            key: 7,
            into: "s".to_string()
        })
    );
    assert_eq!(
        parse("lookup_rcu key 7 into s"),
        Ok(Step::Lookup {
            table: 0,
            key: 7,
            into: "s".to_string()
        })
    );
    assert_eq!(
        parse("lookup_rcu ehash key 7 as s"),
        Err((
            23,
            "expected `lookup_rcu [TABLE] key K into OBJECT`".to_string()
        ))
    );
    assert_eq!(
        parse("nulls_restart s"),
        Ok(Step::NullsRestart {
            object: "s".to_string()
        })
    );
    assert_eq!(
        parse("expect_found restart"),
        Err((
            13,
            "`restart` is not an object name (expected a name such as `s` or `sock_2`)".to_string()
        ))
    );
}

#[test]
fn the_list_h_forms_parse_into_their_steps() {
    assert_eq!(
        parse("list_move_tail s hash"),
        Ok(Step::ListMove {
            object: "s".to_string(),
            list: 1,
            tail: true
        })
    );
    assert_eq!(
        parse("list_splice_init registry hash"),
        Ok(Step::ListSplice {
            from: 0,
            to: 1,
            init: true
        })
    );
    assert_eq!(
        parse("list_replace s t hash"),
        Ok(Step::ListReplace {
            old: "s".to_string(),
            new: "t".to_string(),
            list: 1,
            init: false
        })
    );
    assert_eq!(
        parse("walk_continue c registry keep k key 7"),
        Ok(Step::WalkFrom {
            object: "c".to_string(),
            list: 0,
            inclusive: false,
            keep: Some("k".to_string()),
            key: Some(7)
        })
    );
}

#[test]
fn a_guard_wraps_the_step_it_follows() {
    use crate::language::Guard;
    assert_eq!(
        parse("list_del_init s registry if s linked registry"),
        Ok(Step::Guarded {
            guard: Guard::Linked {
                object: "s".to_string(),
                list: 0
            },
            step: Box::new(Step::ListDel {
                object: "s".to_string(),
                list: 0,
                init: true,
                rcu: false
            })
        })
    );
    assert_eq!(
        parse("put_ref s if s found"),
        Ok(Step::Guarded {
            guard: Guard::Found {
                object: "s".to_string()
            },
            step: Box::new(Step::PutRef {
                object: "s".to_string(),
                release_rcu: false
            })
        })
    );
    assert_eq!(
        parse("walk hash if hash nonempty").map(|s| s.unguarded().1.cloned()),
        Ok(Some(Guard::Nonempty { list: 1 }))
    );
    // A guard's local is read too: validation checks it is bound.
    let guarded = parse("list_add s registry if t unlinked registry").expect("parses");
    assert_eq!(guarded.locals_used(), ["s", "t"]);
    // A restart cannot be guarded: where it goes back to would depend on the condition.
    assert_eq!(
        parse("nulls_restart s if s found").map_err(|(at, _)| at),
        Err(0)
    );
}

#[test]
fn each_new_form_reads_back_as_written() {
    let file = "name = \"t/t\"\n[world]\nobjects = 2\nlocks = [{ name = \"registry\" }, \
                { name = \"hash\" }]\nlists = [{ name = \"registry\", lock = \"registry\", link = \"node\" }, \
                { name = \"hash\", lock = \"hash\", link = \"node\" }]\nevents = [\"go\"]\n\
                [[actor]]\nname = \"a\"\nsteps = [\"signal go\"]\n[expect]\nall = \"pass\"\n";
    let world = crate::language::parse::parse("t.toml", file)
        .expect("a valid world")
        .world;
    for text in [
        "list_move s hash",
        "list_move_tail s registry",
        "list_splice registry hash",
        "list_splice_init hash registry",
        "list_replace s t registry",
        "list_replace_init s t hash",
        "walk_from c registry",
        "walk_continue c hash keep k key 3",
        "list_del_init s registry if s linked registry",
        "list_add s hash if s unlinked hash",
        "walk registry if registry empty",
        "put_ref s if s found",
    ] {
        assert_eq!(parse(text).expect(text).text(&world), text);
    }
}
