//! `diagnose` on failures made by hand: the same trace read under each cause, so the kind and
//! the sentences come from the cause and the trace alone, whichever engine reported it.

use super::diagnose;
use crate::outcome::{Cause, Engine, Failure, FindingKind, Stop, What};
use crate::test_util::events;
use std::time::Duration;

/// `reader` holds the registry lock and proved a cycle; `waiter-1` and `waiter-2` asked for the
/// lock after it.
fn looping_trace() -> Vec<crate::outcome::Event> {
    let lock = |thread| {
        (
            thread,
            What::LockRequest {
                lock: "registry".to_string(),
            },
        )
    };
    events(vec![
        lock("reader"),
        (
            "reader",
            What::LockAcquired {
                lock: "registry".to_string(),
            },
        ),
        lock("waiter-1"),
        lock("waiter-2"),
        (
            "reader",
            What::CycleProven {
                head: "head".to_string(),
                lock: "registry".to_string(),
                cycle: vec!["slot#0".to_string()],
                message: "the walk can never end".to_string(),
            },
        ),
    ])
}

fn failure(engine: Engine, cause: Cause, message: &str) -> Failure {
    Failure {
        engine,
        executions: 3,
        elapsed: Duration::ZERO,
        replay: None,
        cause,
        message: message.to_string(),
        trace: looping_trace(),
    }
}

#[test]
fn a_checker_deadlock_with_a_proven_cycle_is_a_looping_reader_and_its_starved_waiters() {
    let blocked = vec![
        "reader".to_string(),
        "waiter-1".to_string(),
        "waiter-2".to_string(),
    ];
    for (engine, witness) in [(Engine::Loom, "loom"), (Engine::ShuttlePct, "shuttle")] {
        let finding = diagnose(failure(
            engine,
            Cause::Deadlock {
                blocked: blocked.clone(),
            },
            "deadlock",
        ));
        assert_eq!(finding.kind, FindingKind::LoopingReader);
        assert_eq!(finding.holder.as_deref(), Some("reader"));
        assert_eq!(finding.lock.as_deref(), Some("registry"));
        assert_eq!(finding.starved, ["waiter-1", "waiter-2"]);
        assert!(
            finding.diagnosis.contains(&format!(
                "Starved on the registry lock ({witness} reports them blocked forever): \
                 waiter-1, waiter-2."
            )),
            "{}",
            finding.diagnosis
        );
    }
}

#[test]
fn only_waiters_the_checker_reports_blocked_are_starved() {
    let finding = diagnose(failure(
        Engine::Loom,
        Cause::Deadlock {
            blocked: vec!["reader".to_string(), "waiter-2".to_string()],
        },
        "deadlock",
    ));
    assert_eq!(finding.starved, ["waiter-2"]);
}

#[test]
fn each_other_cause_has_its_kind_and_keeps_the_checker_s_words() {
    let race = diagnose(failure(
        Engine::Loom,
        Cause::DataRace,
        "Causality violation: Concurrent read and write accesses.",
    ));
    assert_eq!(race.kind, FindingKind::DataRace);
    // A trace with no data accesses: loom's words, said to be all there is, and the lock held.
    assert!(
        race.diagnosis.starts_with(
            "data-race: Causality violation: Concurrent read and write accesses.\nWhere: loom's \
             message names no memory, and the trace records no two unordered accesses"
        ),
        "{}",
        race.diagnosis
    );
    assert!(race
        .diagnosis
        .ends_with("`reader` held the registry lock.\n"));
    assert_eq!(
        diagnose(failure(Engine::ShuttleRandom, Cause::StepLimit, "exceeded")).kind,
        FindingKind::StarvedWaiters
    );
    assert_eq!(
        diagnose(failure(Engine::Loom, Cause::Panic, "boom")).kind,
        FindingKind::Assertion
    );
    let stopped = diagnose(failure(
        Engine::Std,
        Cause::Stopped {
            actor: "owner".to_string(),
            stop: Stop {
                kind: FindingKind::DoubleFree,
                message: "slot#0 freed twice".to_string(),
            },
        },
        "double-free: slot#0 freed twice",
    ));
    assert_eq!(stopped.kind, FindingKind::DoubleFree);
    assert!(stopped
        .diagnosis
        .starts_with("double-free: `owner` stopped: slot#0 freed twice\n"));
}

#[test]
fn no_final_state_is_a_looping_reader_a_deadlock_or_starved_waiters_by_its_shape() {
    let no_final = |looping: Option<&str>, cycle_actors: &[&str]| {
        diagnose(Failure {
            cause: Cause::NoFinalState {
                stem: 7,
                cycle_actors: cycle_actors.iter().map(|a| a.to_string()).collect(),
                looping: looping.map(str::to_string),
                lock: looping.map(|_| "registry".to_string()),
                starved: vec!["waiter-1".to_string()],
                cycle: vec![
                    "head".to_string(),
                    "slot#0".to_string(),
                    "slot#0".to_string(),
                ],
                waiting: vec!["`a` cannot take its next step `lock`.".to_string()],
            },
            ..failure(Engine::States, Cause::Panic, "non-termination")
        })
    };
    let looping = no_final(Some("reader"), &["reader"]);
    assert_eq!(looping.kind, FindingKind::LoopingReader);
    assert!(looping.diagnosis.starts_with(
        "looping reader: `reader` holds the registry lock and walks head -> slot#0 -> slot#0 \
         forever.\nWhy it cannot end: after 7 actions the run reaches a state from which no final \
         state can be reached; there the next step of `reader` brings it back to the same state"
    ));
    let dead_end = no_final(None, &[]);
    assert_eq!(dead_end.kind, FindingKind::Deadlock);
    assert_eq!(
        dead_end.diagnosis,
        "deadlock: after 7 actions no actor can act, and not every actor is done.\n`a` cannot \
         take its next step `lock`.\n"
    );
    let spinning = no_final(None, &["a", "b"]);
    assert_eq!(spinning.kind, FindingKind::StarvedWaiters);
    assert!(spinning
        .diagnosis
        .contains("caught in a cycle (`a`, `b`) from which no final state is reachable"));
}

#[test]
fn a_use_after_free_under_rcu_names_the_section_the_unlink_the_free_and_what_was_missing() {
    let del = |thread| {
        (
            thread,
            What::Del {
                slot: 0,
                list: "registry".to_string(),
                node: "slot#0".to_string(),
            },
        )
    };
    let free = |thread| {
        (
            thread,
            What::Free {
                slot: 0,
                generation: 0,
                still_linked: false,
            },
        )
    };
    let uaf = |trace| {
        diagnose(Failure {
            trace,
            ..failure(
                Engine::Loom,
                Cause::Stopped {
                    actor: "reader".to_string(),
                    stop: Stop {
                        kind: FindingKind::UseAfterFree,
                        message: "use after free".to_string(),
                    },
                },
                "use-after-free",
            )
        })
    };
    let no_grace_period = uaf(events(vec![
        ("reader", What::RcuReadLock),
        del("updater"),
        free("updater"),
    ]));
    assert!(
        no_grace_period.diagnosis.ends_with(
            "`reader`'s read-side section, begun at step 1, still held slot#0 when `updater` \
             freed it at step 3, unlinked at step 2 (updater) with no grace period between the \
             unlink and the free: synchronize_rcu (or kfree_rcu) was missing.\n"
        ),
        "{}",
        no_grace_period.diagnosis
    );
    let after_unlock = uaf(events(vec![
        ("reader", What::RcuReadLock),
        ("reader", What::RcuReadUnlock),
        del("updater"),
        (
            "updater",
            What::GracePeriodStart {
                waits_for: Vec::new(),
            },
        ),
        ("updater", What::GracePeriodEnd),
        free("updater"),
    ]));
    assert!(
        after_unlock
            .diagnosis
            .contains("used it after rcu_read_unlock at step 2, holding no reference"),
        "{}",
        after_unlock.diagnosis
    );
    assert!(after_unlock
        .diagnosis
        .ends_with("A get_ref inside the section was missing.\n"));
}

/// `diagnose` of `trace` stopped in `reader` with `kind`.
fn stopped_in_reader(kind: FindingKind, trace: Vec<crate::outcome::Event>) -> String {
    diagnose(Failure {
        trace,
        ..failure(
            Engine::States,
            Cause::Stopped {
                actor: "reader".to_string(),
                stop: Stop {
                    kind,
                    message: "stopped".to_string(),
                },
            },
            "stopped",
        )
    })
    .diagnosis
}

fn hashed(slot: usize, chain: usize, key: u32) -> What {
    What::Hashed {
        slot,
        table: "ehash".to_string(),
        chain,
        key,
    }
}

fn unhashed(slot: usize, chain: usize) -> What {
    What::Unhashed {
        slot,
        table: "ehash".to_string(),
        chain,
    }
}

fn freed(slot: usize, generation: u64) -> What {
    What::Free {
        slot,
        generation,
        still_linked: false,
    }
}

fn allocated(slot: usize, generation: u64, key: Option<u32>) -> What {
    What::Alloc {
        slot,
        generation,
        key,
    }
}

fn lookup_end(key: u32, found: Option<usize>, ended_on: Option<usize>, stood_on: usize) -> What {
    What::LookupEnd {
        table: "ehash".to_string(),
        key,
        chain: 0,
        found,
        ended_on,
        nulls: ended_on,
        stood_on: Some(stood_on),
        stayed: if found.is_none() { vec![0] } else { Vec::new() },
    }
}

#[test]
fn a_missed_lookup_tells_how_the_entry_the_walk_stood_on_moved_and_what_stayed() {
    let walk_step = |slot: usize| What::WalkStep {
        node: format!("slot#{slot}"),
    };
    let moved = vec![
        ("tcp", unhashed(1, 0)),
        ("tcp", freed(1, 0)),
        ("tcp", allocated(1, 1, Some(5))),
        ("tcp", hashed(1, 1, 5)),
    ];
    let mut during = vec![("reader", What::RcuReadLock), ("reader", walk_step(1))];
    during.extend(moved.clone());
    during.push(("reader", lookup_end(2, None, Some(1), 1)));
    assert_eq!(
        stopped_in_reader(FindingKind::MissedLookup, events(during))
            .lines()
            .last(),
        Some(
            "`reader` looked key 2 up on ehash[0] from step 1: its walk stood on slot#1: `tcp` \
             unhashed it from ehash[0] at step 3, `tcp` freed it at step 4, `tcp` allocated it \
             again with key 5 at step 5 and `tcp` hashed it on ehash[1] (key 5) at step 6; it \
             ended on ehash[1]'s marker at step 7, finding nothing, though slot#0 (key 2) was \
             hashed on ehash[0] for the whole lookup. A nulls_restart after a walk that ends on \
             another chain's marker was missing."
        )
    );
    // The same moves before the lookup in the trace's order: the walk read old links.
    let mut before = moved;
    before.extend([
        ("reader", What::RcuReadLock),
        ("reader", walk_step(1)),
        ("reader", lookup_end(2, None, Some(1), 1)),
    ]);
    let diagnosis = stopped_in_reader(FindingKind::MissedLookup, events(before));
    assert!(
        diagnosis.contains(
            "at step 4 (before the lookup began in the trace's order: the walk loaded the \
             chain's links as they were before those stores); it ended on ehash[1]'s marker at \
             step 7"
        ),
        "{diagnosis}"
    );
}

#[test]
fn a_wrong_identity_tells_the_slot_s_reuse_and_what_was_missing() {
    let get = What::RefGet { slot: 0, refs: 2 };
    // Found, then freed and reused for key 3, then the get: no recheck.
    let reused = events(vec![
        ("reader", What::RcuReadLock),
        ("reader", lookup_end(2, Some(0), None, 0)),
        ("tcp", freed(0, 0)),
        ("tcp", allocated(0, 1, Some(3))),
        ("reader", get.clone()),
    ]);
    assert_eq!(
        stopped_in_reader(FindingKind::WrongIdentity, reused)
            .lines()
            .last(),
        Some(
            "`reader` holds a reference on slot#0, looked up with key 2: `reader` found slot#0 \
             with key 2 on ehash at step 2, `tcp` freed it at step 3, `tcp` allocated it again \
             with key 3 at step 4 and `reader` took a reference on it at step 5. A type-stable \
             cache reuses a slot with no grace period: a recheck of the key after the get was \
             missing."
        )
    );
    // Allocated with no key, found by its previous key, rechecked, then the key written.
    let late_key = events(vec![
        ("tcp", freed(0, 0)),
        ("tcp", allocated(0, 1, None)),
        ("reader", What::RcuReadLock),
        ("reader", lookup_end(2, Some(0), None, 0)),
        ("reader", get),
        (
            "reader",
            What::Recheck {
                slot: 0,
                found: 2,
                wanted: 2,
            },
        ),
        ("tcp", What::KeySet { slot: 0, key: 3 }),
    ]);
    let diagnosis = stopped_in_reader(FindingKind::WrongIdentity, late_key);
    assert!(
        diagnosis.contains(
            "`reader` rechecked its key at step 6 and read 2 (a match) and `tcp` wrote its key 3 \
             at step 7. The key was written after the count"
        ),
        "{diagnosis}"
    );
}

#[test]
fn waits_that_close_a_cycle_are_a_deadlock_and_a_holder_that_ended_holding_starves_waiters() {
    let request = |thread, lock: &str| {
        (
            thread,
            What::LockRequest {
                lock: lock.to_string(),
            },
        )
    };
    let acquired = |thread, lock: &str| {
        (
            thread,
            What::LockAcquired {
                lock: lock.to_string(),
            },
        )
    };
    let blocked = vec!["left".to_string(), "right".to_string()];
    let deadlocked = |trace| {
        diagnose(Failure {
            trace,
            ..failure(
                Engine::ShuttlePct,
                Cause::Deadlock {
                    blocked: blocked.clone(),
                },
                "deadlock! blocked tasks: [...]",
            )
        })
    };
    let ab_ba = deadlocked(events(vec![
        request("left", "a"),
        acquired("left", "a"),
        request("right", "b"),
        acquired("right", "b"),
        request("left", "b"),
        request("right", "a"),
    ]));
    assert_eq!(ab_ba.kind, FindingKind::Deadlock);
    assert_eq!(
        ab_ba.diagnosis,
        "deadlock: no thread can take its next step (shuttle reports them blocked)\n\
         `left` waits since step 5 for the b lock, held by `right`, which itself waits for the a \
         lock.\n\
         `right` waits since step 6 for the a lock, held by `left`, which itself waits for the b \
         lock.\n\
         The waits close a cycle: `left` -> `right` -> `left` (each waits for a lock the next \
         one holds); taking the locks in one order breaks it.\n"
    );
    // `left` ended holding a: `right` starves behind it, but nothing waits in a cycle.
    let ended_holding = deadlocked(events(vec![
        request("left", "a"),
        acquired("left", "a"),
        request("right", "a"),
    ]));
    assert_eq!(ended_holding.kind, FindingKind::StarvedWaiters);
}

#[test]
fn a_data_race_names_both_accesses_unless_the_trace_orders_them() {
    let access = |thread, write| (thread, What::DataAccess { slot: 0, write });
    let lock = |thread, what: fn(String) -> What| (thread, what("registry".to_string()));
    let raced = |trace| {
        diagnose(Failure {
            trace,
            ..failure(
                Engine::Loom,
                Cause::DataRace,
                "Causality violation: Concurrent read and write accesses.",
            )
        })
        .diagnosis
    };
    let unordered = raced(events(vec![
        access("writer", true),
        ("reader", What::RcuReadLock),
        access("reader", false),
    ]));
    assert_eq!(
        unordered,
        "data-race: Causality violation: Concurrent read and write accesses.\n\
         `writer` wrote slot#0's data at step 1, holding no lock; `reader` read it at step 3, \
         holding no lock, inside an RCU read-side section: nothing orders the two accesses (no \
         lock held by both, no release and acquire between them).\n"
    );
    // The writer's unlock and the reader's lock order them: not these two, so no blame.
    let ordered = raced(events(vec![
        lock("writer", |lock| What::LockAcquired { lock }),
        access("writer", true),
        lock("writer", |lock| What::Unlock { lock }),
        lock("reader", |lock| What::LockAcquired { lock }),
        access("reader", false),
    ]));
    assert!(
        ordered.contains("the trace records no two unordered accesses"),
        "{ordered}"
    );
}

#[test]
fn a_use_after_free_names_the_free_where_the_user_found_the_object_and_the_missing_reference() {
    let lock = |name: &str| What::LockAcquired {
        lock: name.to_string(),
    };
    let unlock = |name: &str| What::Unlock {
        lock: name.to_string(),
    };
    let trace = |with_ref: bool| {
        let mut steps = vec![
            ("scanner", lock("registry")),
            (
                "scanner",
                What::WalkStep {
                    node: "slot#1".to_string(),
                },
            ),
        ];
        if with_ref {
            steps.push(("scanner", What::RefGet { slot: 1, refs: 2 }));
        }
        steps.extend([("scanner", unlock("registry")), ("owner", freed(1, 0))]);
        crate::test_util::events(steps)
    };
    let message = "use after free: handle to slot#1 has generation 0, but the slot is at \
                   generation 1 (freed since the handle was made)";
    assert_eq!(
        super::conflict::explain(&trace(false), "scanner", FindingKind::UseAfterFree, message)
            .as_deref(),
        Some(
            "slot#1 was freed at step 4 (owner), and `scanner` used it after that: it reached \
             slot#1 in a walk at step 2 under the registry lock, released that lock at step 3, \
             and held no reference to it: a get_ref taken under the lock, before the unlock, \
             would have kept it alive.\n"
        )
    );
    // With a reference taken, the missing reference is not what it says.
    let told =
        super::conflict::explain(&trace(true), "scanner", FindingKind::UseAfterFree, message)
            .expect("a sentence");
    assert!(!told.contains("no reference"), "{told}");
    // A message naming no slot, or a kind it does not explain: nothing.
    assert_eq!(
        super::conflict::explain(&trace(false), "scanner", FindingKind::UseAfterFree, "?"),
        None
    );
    assert_eq!(
        super::conflict::explain(&trace(false), "scanner", FindingKind::Leak, message),
        None
    );
}

#[test]
fn a_refused_list_operation_names_the_delete_or_replace_it_conflicts_with() {
    let del = |slot: usize| What::Del {
        slot,
        list: "registry".to_string(),
        node: format!("slot#{slot}"),
    };
    let guard = What::Guard {
        condition: "x linked registry".to_string(),
        held: true,
    };
    let deleted = crate::test_util::events(vec![("closer-2", del(0)), ("closer-1", guard.clone())]);
    let message = "list_del corruption, slot#0->next is LIST_POISON1 (0x100) (already deleted)";
    assert_eq!(
        super::conflict::explain(&deleted, "closer-1", FindingKind::ListCorruption, message)
            .as_deref(),
        Some(
            "slot#0 was already deleted from registry at step 1 by `closer-2`: `closer-1`'s \
             operation met the links that delete left (a list_del poisons them; list_del_init \
             would have left an empty list that list_empty reads as unlinked). Its guard `if x \
             linked registry` held at step 2: a link left poisoned or stale is not an empty \
             list.\n"
        )
    );
    let replaced = crate::test_util::events(vec![
        ("updater", del(0)),
        (
            "updater",
            What::Add {
                slot: 1,
                list: "registry".to_string(),
                node: "slot#1".to_string(),
                head: "slot#0".to_string(),
            },
        ),
    ]);
    let told = super::conflict::explain(&replaced, "updater", FindingKind::ListCorruption, message)
        .expect("a sentence");
    assert!(
        told.starts_with(
            "slot#0 was replaced by slot#1 on registry at step 1 by itself: list_replace leaves"
        ),
        "{told}"
    );
}

#[test]
fn a_cycle_through_another_list_s_head_names_the_move_that_led_there() {
    let trace = crate::test_util::events(vec![(
        "batcher",
        What::Add {
            slot: 0,
            list: "active".to_string(),
            node: "slot#0".to_string(),
            head: "active-head".to_string(),
        },
    )]);
    let walk: Vec<String> = ["head", "slot#0", "slot#1", "active-head", "slot#0"]
        .iter()
        .map(|n| n.to_string())
        .collect();
    let told = super::through_other_head(&trace, &walk, "head");
    assert!(
        told.starts_with(
            "The walk runs through active-head, another list's head: slot#0 was moved to active \
             at step 1 (batcher) while the walk's way in, from head, still led to it"
        ),
        "{told}"
    );
    assert_eq!(super::through_other_head(&trace, &walk[..3], "head"), "");
}

#[test]
fn a_conflict_is_the_refused_link_s_own_and_its_guard_the_refused_step_s() {
    let del = |node: &str, list: &str| What::Del {
        slot: 0,
        list: list.to_string(),
        node: node.to_string(),
    };
    let guard = What::Guard {
        condition: "L nonempty".to_string(),
        held: true,
    };
    // The refused node is `slot#0.M` (the arrow's dash is not part of it): the delete from L
    // of the slot's other link is not the conflict, and a guard of an earlier step is not the
    // refused step's.
    let trace = crate::test_util::events(vec![
        ("a", del("slot#0.M", "M")),
        ("a", guard),
        (
            "a",
            What::WalkStep {
                node: "slot#0".to_string(),
            },
        ),
        ("a", del("slot#0", "L")),
    ]);
    let told = super::conflict::explain(
        &trace,
        "a",
        FindingKind::ListCorruption,
        "list traversal corruption. slot#0.M->next is LIST_POISON1 (0x100): the node is not on a \
         list",
    )
    .expect("a sentence");
    assert!(
        told.starts_with("slot#0.M was already deleted from M at step 1 by itself"),
        "{told}"
    );
    assert!(!told.contains("guard"), "{told}");
    assert!(crate::outcome::is_head_name("ahead-head") && crate::outcome::is_head_name("head"));
    assert!(!crate::outcome::is_head_name("slot#0.ahead"));
}
