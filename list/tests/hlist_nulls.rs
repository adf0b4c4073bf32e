//! The `hlist_nulls` chains on one thread, after the kernel's own tests: the KUnit hlist suite
//! (lib/tests/list-test.c, `hlist_test_*`; the kernel has none for list_nulls.h) case by case,
//! carried over to nulls chains, then what include/linux/rculist_nulls.h and
//! Documentation/RCU/rculist_nulls.rst say of them, then the checked mode's messages and the
//! bounded walk's reports, each pinned word for word.
//!
//! - A new head's `first` is its marker (`INIT_HLIST_NULLS_HEAD`); a new node is unhashed.
//! - `add_head_rcu` links as `hlist_nulls_add_head_rcu` does (`first`, `next`, `pprev`s).
//! - `del_rcu` unlinks, leaves `next` for readers and poisons `pprev` (not unhashed after it);
//!   `del_init_rcu` leaves `next` too and makes the node unhashed; on an unhashed node it does
//!   nothing.
//! - Every walk ends on its own chain's marker while nothing moves; a walker standing on an
//!   entry moved to another chain ends on that chain's marker, having missed the rest of its
//!   own: the lookup that restarts then finds the entry, the lookup that does not misses it.
//! - Checked mode refuses a double add, an add to a chain whose first node does not point back,
//!   a delete of an unhashed or poisoned node (raw mode too: the kernel would fault) and a
//!   delete whose `*pprev` is not the node; every walk names a cycle instead of hanging.

use lifecycle_list::{
    chain_of, container_of, get_nulls_value, is_a_nulls, nulls_marker, CheckMode, HlistNullsHead,
    HlistNullsNode, HlistNullsTable, ListError, NullsEnd, LIST_POISON2, MAX_NULLS,
};
use std::cell::Cell;
use std::ptr::{self, NonNull};

/// A hashed object, like the kernel test's `struct hlist_test_struct` with a key, as
/// rculist_nulls.rst's `struct object` (`obj_node`, `key`).
struct Obj {
    node: HlistNullsNode,
    key: Cell<usize>,
}

const MAX_NODES: usize = 16;

fn obj_with(key: usize, checks: CheckMode) -> Box<Obj> {
    Box::new(Obj {
        node: HlistNullsNode::with_checks(checks),
        key: Cell::new(key),
    })
}

fn obj(key: usize) -> Box<Obj> {
    obj_with(key, CheckMode::Checked)
}

/// The pointer to add `obj` with: its node, projected from a pointer to the whole object, so a
/// walk's node maps back to the object (point 3 of the chain discipline).
fn node(obj: &Obj) -> NonNull<HlistNullsNode> {
    let obj = NonNull::from(obj);
    // SAFETY: `obj` points to a live `Obj`; a raw projection reads nothing.
    unsafe { NonNull::new_unchecked(&raw mut (*obj.as_ptr()).node) }
}

/// `hlist_nulls_entry(pos, struct obj, node)`.
fn entry<'a>(pos: NonNull<HlistNullsNode>) -> &'a Obj {
    // SAFETY: every node these tests add is the `node` of a boxed `Obj` that outlives the test's
    // walks, added through `node`, with provenance over the object.
    unsafe { container_of!(pos, Obj, node).as_ref() }
}

/// The keys on `head`'s chain, first to last, and how the plain walk ended.
fn keys(head: &HlistNullsHead) -> (Vec<usize>, NullsEnd) {
    // SAFETY: single-threaded test; every node is an `Obj`'s.
    let mut walk = unsafe { head.iter(MAX_NODES) };
    let keys = walk.by_ref().map(|pos| entry(pos).key.get()).collect();
    (keys, walk.end().cloned().expect("the walk ended"))
}

/// The same with the RCU walk.
fn keys_rcu(head: &HlistNullsHead) -> (Vec<usize>, NullsEnd) {
    // SAFETY: single-threaded test; nothing is freed while the walk runs.
    let mut walk = unsafe { head.iter_rcu(MAX_NODES) };
    let keys = walk.by_ref().map(|pos| entry(pos).key.get()).collect();
    (keys, walk.end().cloned().expect("the walk ended"))
}

fn add(head: &HlistNullsHead, obj: &Obj) {
    // SAFETY: single-threaded test; boxed objects and heads do not move while hashed.
    unsafe { head.add_head_rcu(node(obj)) }.expect("add to a well-formed chain");
}

fn ended_on(nulls: usize) -> NullsEnd {
    NullsEnd::EndedOn { nulls }
}

mod namer;
use namer::namer;

// --- list-test.c's hlist cases, on nulls chains ---------------------------------------------

#[test]
fn hlist_nulls_init() {
    let head = HlistNullsHead::<lifecycle_list::Std>::new(5);
    let first = head.first_ptr();
    assert!(is_a_nulls(first), "INIT_HLIST_NULLS_HEAD stores a marker");
    assert_eq!(first.addr(), (5 << 1) | 1, "NULLS_MARKER(5)");
    assert_eq!(get_nulls_value(first), 5);
    assert!(ptr::eq(first, nulls_marker(5)));
    assert!(head.is_empty());
    assert_eq!(head.nulls(), 5);

    let node = HlistNullsNode::<lifecycle_list::Std>::new();
    assert!(node.unhashed() && node.unhashed_lockless());
    assert!(node.next_ptr().is_null() && node.pprev_addr() == 0);

    let last = nulls_marker::<lifecycle_list::Std>(MAX_NULLS);
    assert!(is_a_nulls(last));
    assert_eq!(
        get_nulls_value(last),
        MAX_NULLS,
        "the largest value round-trips"
    );
}

#[test]
#[should_panic(expected = "does not fit in a marker")]
fn a_nulls_value_whose_shift_loses_a_bit_is_refused() {
    let _ = HlistNullsHead::<lifecycle_list::Std>::new(MAX_NULLS + 1);
}

#[test]
fn hlist_nulls_unhashed() {
    let head = HlistNullsHead::new(0);
    let a = obj(1);
    assert!(a.node.unhashed(), "is unhashed by default");
    add(&head, &a);
    assert!(!a.node.unhashed(), "is hashed once added to a chain");
    assert!(!a.node.unhashed_lockless());
    // SAFETY: single-threaded test.
    unsafe { a.node.del_init_rcu() }.unwrap();
    assert!(a.node.unhashed(), "is again unhashed after del_init_rcu");
    assert!(a.node.unhashed_lockless());

    add(&head, &a);
    // SAFETY: single-threaded test.
    unsafe { a.node.del_rcu() }.unwrap();
    assert!(
        !a.node.unhashed(),
        "rculist_nulls.h: hlist_nulls_unhashed() on an entry does not return true after \
         hlist_nulls_del_rcu"
    );
}

#[test]
fn hlist_nulls_add() {
    let head = HlistNullsHead::new(3);
    let (a, b) = (obj(1), obj(2));
    add(&head, &a);
    add(&head, &b);
    // [head] -> b -> a -> marker(3)
    assert!(ptr::eq(head.first_ptr(), &b.node));
    assert_eq!(
        b.node.pprev_addr(),
        head.address(),
        "b.pprev == &head.first"
    );
    assert!(ptr::eq(b.node.next_ptr(), &a.node));
    assert_eq!(a.node.pprev_addr(), b.node.address(), "a.pprev == &b.next");
    assert!(ptr::eq(a.node.next_ptr(), nulls_marker(3)));
    assert_eq!(keys(&head), (vec![2, 1], ended_on(3)));
    assert_eq!(keys_rcu(&head), (vec![2, 1], ended_on(3)));
}

#[test]
fn hlist_nulls_del_rcu_leaves_next_and_poisons_pprev() {
    let head = HlistNullsHead::new(0);
    let (a, b) = (obj(1), obj(2));
    add(&head, &a);
    add(&head, &b);
    // before: [head] -> b -> a
    // SAFETY: single-threaded test.
    unsafe { b.node.del_rcu() }.unwrap();
    // now: [head] -> a
    assert!(ptr::eq(head.first_ptr(), &a.node));
    assert_eq!(
        a.node.pprev_addr(),
        head.address(),
        "a.pprev == &head.first"
    );
    assert!(
        ptr::eq(b.node.next_ptr(), &a.node),
        "b.next is left for a reader standing on b"
    );
    assert_eq!(b.node.pprev_addr(), LIST_POISON2);

    // SAFETY: single-threaded test.
    unsafe { a.node.del_rcu() }.unwrap();
    assert!(head.is_empty() && ptr::eq(head.first_ptr(), nulls_marker(0)));
    assert!(
        ptr::eq(a.node.next_ptr(), nulls_marker(0)),
        "the last entry keeps the marker"
    );
}

#[test]
fn hlist_nulls_del_init_rcu() {
    let head = HlistNullsHead::new(0);
    let (a, b) = (obj(1), obj(2));
    add(&head, &a);
    add(&head, &b);
    // SAFETY: single-threaded test.
    unsafe { b.node.del_init_rcu() }.unwrap();
    assert!(ptr::eq(head.first_ptr(), &a.node));
    assert_eq!(a.node.pprev_addr(), head.address());
    assert!(
        ptr::eq(b.node.next_ptr(), &a.node),
        "unlike hlist_del_init, next is not cleared: readers may still walk it"
    );
    assert_eq!(b.node.pprev_addr(), 0);
    assert!(b.node.unhashed());
    // SAFETY: single-threaded test.
    unsafe { b.node.del_init_rcu() }.expect("on an unhashed node it does nothing");
    assert_eq!(keys(&head), (vec![1], ended_on(0)));
}

#[test]
fn hlist_nulls_del_is_del_rcu_with_plain_stores() {
    let head = HlistNullsHead::new(0);
    let (a, b) = (obj(1), obj(2));
    // SAFETY: single-threaded test; no reader.
    unsafe {
        head.add_head(node(&a)).unwrap();
        head.add_head(node(&b)).unwrap();
        b.node.del().unwrap();
    }
    assert!(ptr::eq(head.first_ptr(), &a.node));
    assert!(ptr::eq(b.node.next_ptr(), &a.node));
    assert_eq!(b.node.pprev_addr(), LIST_POISON2);
}

#[test]
fn hlist_nulls_empty() {
    let head = HlistNullsHead::new(7);
    let a = obj(1);
    assert!(head.is_empty(), "a chain starts off empty");
    add(&head, &a);
    assert!(!head.is_empty(), "a chain is no longer empty");
    // SAFETY: single-threaded test.
    unsafe { a.node.del_rcu() }.unwrap();
    assert!(head.is_empty());
    assert!(
        ptr::eq(head.first_ptr(), nulls_marker(7)),
        "its own marker again"
    );
}

#[test]
fn hlist_nulls_entry() {
    let a = obj(9);
    assert!(
        ptr::eq(entry(node(&a)), &*a),
        "container_of maps the node back"
    );
}

#[test]
fn hlist_nulls_for_each_entry() {
    let head = HlistNullsHead::new(2);
    let objs: Vec<_> = (0..5).map(obj).collect();
    for o in &objs {
        add(&head, o);
    }
    assert_eq!(keys(&head), (vec![4, 3, 2, 1, 0], ended_on(2)));
    assert_eq!(keys_rcu(&head), (vec![4, 3, 2, 1, 0], ended_on(2)));
    // SAFETY: single-threaded test.
    let end = unsafe { head.iter_rcu(MAX_NODES) }.finish();
    assert_eq!(end.nulls(), Some(2));
}

// --- tables, hashing and the marker a walk ends on -----------------------------------------

#[test]
fn every_chain_of_a_table_ends_on_its_own_marker() {
    let table = HlistNullsTable::new(4);
    let objs: Vec<_> = (0..10).map(obj).collect();
    for o in &objs {
        add(table.head_of(o.key.get()), o);
    }
    for chain in 0..4 {
        let head = table.head(chain);
        assert_eq!(head.nulls(), chain);
        let (keys, end) = keys_rcu(head);
        assert!(keys.iter().all(|&key| chain_of(key, 4) == chain));
        assert_eq!(end, ended_on(chain));
    }
    assert_eq!(keys(table.head(1)).0, vec![9, 5, 1], "key % 4 == 1");
    assert_eq!(table.chain_of(6), 2);
}

#[test]
fn a_table_with_a_nulls_base_numbers_its_markers_from_it() {
    let table = HlistNullsTable::<lifecycle_list::Std>::with_nulls_base(3, 8, CheckMode::Raw);
    assert_eq!(table.nulls_base(), 8);
    assert_eq!(table.head(2).nulls(), 10);
    assert_eq!(table.chain_of_nulls(9), Some(1));
    assert_eq!(
        table.chain_of_nulls(7),
        None,
        "below the base: another table's marker"
    );
    assert_eq!(table.chain_of_nulls(11), None, "past the last chain");
    let a = obj(5);
    add(table.head_of(5), &a);
    assert_eq!(keys_rcu(table.head(2)), (vec![5], ended_on(10)));
    // SAFETY: single-threaded test; unhashed before the table goes.
    unsafe { a.node.del_rcu() }.unwrap();
}

#[test]
#[should_panic(expected = "does not fit in a marker")]
fn a_nulls_base_past_the_largest_marker_is_refused() {
    let _ = HlistNullsTable::<lifecycle_list::Std>::with_nulls_base(2, MAX_NULLS, CheckMode::Raw);
}

#[test]
fn heads_stay_put_when_their_table_moves() {
    let table = HlistNullsTable::new(2);
    let address = table.head(1).address();
    let a = obj(1);
    add(table.head(1), &a);
    let moved = Box::new(table);
    assert_eq!(moved.head(1).address(), address);
    assert_eq!(
        a.node.pprev_addr(),
        address,
        "a's pprev still points into it"
    );
    assert_eq!(keys(moved.head(1)), (vec![1], ended_on(1)));
    // SAFETY: single-threaded test; unhashed before the table goes.
    unsafe { a.node.del_rcu() }.unwrap();
}

#[test]
#[should_panic(expected = "a hash table has at least one chain")]
fn chain_of_zero_chains_is_refused() {
    chain_of(1, 0);
}

/// Moves `obj` to the chain of `key`, as a writer under the table's lock does: remove it (with
/// `del_init_rcu` if `init`, else `del_rcu`), give it its new key, add it at its new chain's
/// head (rculist_nulls.rst's removal, then insertion, of a reused object).
fn rehash(table: &HlistNullsTable, obj: &Obj, key: usize, init: bool) {
    // SAFETY: single-threaded test; heads and objects never move.
    unsafe {
        if init {
            obj.node.del_init_rcu().unwrap();
        } else {
            obj.node.del_rcu().unwrap();
        }
        obj.key.set(key);
        table.head_of(key).add_head_rcu(node(obj)).unwrap();
    }
}

/// How a lookup ended.
#[derive(Debug, PartialEq, Eq)]
enum Lookup {
    Found { key: usize, restarts: usize },
    Missed { ended_on: usize, restarts: usize },
}

/// rculist_nulls.rst's lookup, with no reference counting (nothing is freed here): walk the
/// key's chain; on a match, found; at the end, if `restart` and the marker is not the chain's,
/// walk it again. `after_first` runs once, when the first walk stands on its first node: it is
/// the writer's move that a real reader would race with.
fn lookup(
    table: &HlistNullsTable,
    key: usize,
    restart: bool,
    after_first: impl FnOnce(),
) -> Lookup {
    let mut after_first = Some(after_first);
    let slot = table.chain_of(key);
    let mut restarts = 0;
    loop {
        // SAFETY: single-threaded test: the writer runs only inside `after_first`, between
        // steps, and nothing is freed.
        let mut walk = unsafe { table.head(slot).iter_rcu(MAX_NODES) };
        for pos in walk.by_ref() {
            let obj = entry(pos);
            if obj.key.get() == key {
                return Lookup::Found { key, restarts };
            }
            if let Some(writer) = after_first.take() {
                writer();
            }
        }
        let ended_on = walk.end().and_then(NullsEnd::nulls).expect("a marker");
        if ended_on == slot || !restart {
            return Lookup::Missed { ended_on, restarts };
        }
        restarts += 1;
    }
}

/// Chain 0 holds `x` (key 2) then `t` (key 4); chain 1 holds `y` (key 1). A lookup of 4 stands
/// on `x` when `x` is rehashed to key 3 and moved to chain 1.
fn moved_under_the_walker(restart: bool, init: bool) -> (Lookup, Vec<usize>) {
    let table = HlistNullsTable::new(2);
    let (x, t, y) = (obj(2), obj(4), obj(1));
    add(table.head(0), &t);
    add(table.head(0), &x);
    add(table.head(1), &y);
    let found = lookup(&table, 4, restart, || rehash(&table, &x, 3, init));
    let chain1 = keys(table.head(1)).0;
    // SAFETY: single-threaded test; unhash everything before the table goes.
    unsafe {
        for o in [&x, &t, &y] {
            o.node.del_rcu().unwrap();
        }
    }
    (found, chain1)
}

#[test]
fn a_walker_on_an_entry_moved_to_another_chain_ends_on_that_chains_marker() {
    let table = HlistNullsTable::new(2);
    let (x, t, y) = (obj(2), obj(4), obj(1));
    add(table.head(0), &t);
    add(table.head(0), &x);
    add(table.head(1), &y);
    // SAFETY: single-threaded test; the move happens between steps.
    let mut walk = unsafe { table.head(0).iter_rcu(MAX_NODES) };
    let first = walk.next().expect("x");
    assert_eq!(entry(first).key.get(), 2);
    rehash(&table, &x, 3, false);
    let rest: Vec<usize> = walk.by_ref().map(|pos| entry(pos).key.get()).collect();
    assert_eq!(
        rest,
        vec![1],
        "the walker follows x.next into chain 1 (y), never reaching t on chain 0"
    );
    assert_eq!(
        walk.end(),
        Some(&ended_on(1)),
        "and ends on chain 1's marker"
    );
    assert_eq!(keys_rcu(table.head(0)), (vec![4], ended_on(0)));
    // SAFETY: single-threaded test.
    unsafe {
        for o in [&x, &t, &y] {
            o.node.del_rcu().unwrap();
        }
    }
}

#[test]
fn the_lookup_that_restarts_on_a_foreign_marker_finds_the_entry() {
    for init in [false, true] {
        let (found, chain1) = moved_under_the_walker(true, init);
        assert_eq!(
            found,
            Lookup::Found {
                key: 4,
                restarts: 1
            },
            "init: {init}"
        );
        assert_eq!(chain1, vec![3, 1], "x moved to chain 1's head");
    }
}

#[test]
fn the_lookup_without_the_restart_misses_an_entry_that_never_left_its_chain() {
    for init in [false, true] {
        let (found, _) = moved_under_the_walker(false, init);
        assert_eq!(
            found,
            Lookup::Missed {
                ended_on: 1,
                restarts: 0
            },
            "init: {init}: t (key 4) stayed on chain 0 the whole time"
        );
    }
}

// --- checked mode and the bounded walk ------------------------------------------------------

#[test]
fn checked_add_of_a_hashed_node_is_a_double_add() {
    let (h0, h1) = (HlistNullsHead::new(0), HlistNullsHead::new(1));
    let a = obj(1);
    add(&h0, &a);
    let names = namer(&[("A", a.node.address()), ("h0", h0.address())]);
    for head in [&h0, &h1] {
        // SAFETY: single-threaded test.
        let error = unsafe { head.add_head_rcu(node(&a)) }.unwrap_err();
        assert_eq!(
            error.describe(&names),
            "hlist_nulls_add_head_rcu double add: new=A is still hashed (new->pprev=h0)."
        );
    }
    assert_eq!(keys(&h0), (vec![1], ended_on(0)), "nothing was written");
    assert_eq!(keys(&h1), (vec![], ended_on(1)));
}

#[test]
fn raw_add_of_the_first_node_again_makes_it_point_to_itself() {
    let head = HlistNullsHead::with_checks(0, CheckMode::Raw);
    let a = obj_with(1, CheckMode::Raw);
    // SAFETY: single-threaded test; the double add is the point.
    unsafe {
        head.add_head_rcu(node(&a)).unwrap();
        head.add_head_rcu(node(&a)).unwrap();
    }
    assert!(ptr::eq(a.node.next_ptr(), &a.node), "a.next == a");
    // SAFETY: single-threaded test.
    let end = unsafe { head.iter_rcu(1) }.finish();
    let names = namer(&[("A", a.node.address()), ("head", head.address())]);
    let NullsEnd::Broken(error) = end else {
        panic!("the walk must not end: {end:?}")
    };
    assert_eq!(
        error.describe(&names),
        "hlist_nulls traversal from head made 2 steps without reaching a nulls marker, but no \
         more than 1 node can exist: it is caught in the cycle A -> A, so the walk can never end"
    );
}

#[test]
fn a_walk_past_its_bound_without_a_cycle_says_the_bound_is_wrong() {
    let head = HlistNullsHead::new(0);
    let (a, b) = (obj(1), obj(2));
    add(&head, &a);
    add(&head, &b);
    // SAFETY: single-threaded test.
    let mut walk = unsafe { head.iter(1) };
    assert_eq!(walk.by_ref().count(), 1);
    assert_eq!(
        walk.end(),
        Some(&NullsEnd::Broken(ListError::BoundTooSmall {
            head: head.address(),
            max_nodes: 1
        }))
    );
}

#[test]
fn deleting_an_unhashed_or_deleted_node_is_refused_in_both_modes() {
    for checks in [CheckMode::Checked, CheckMode::Raw] {
        let head = HlistNullsHead::with_checks(0, checks);
        let a = obj_with(1, checks);
        let names = namer(&[("A", a.node.address())]);
        // SAFETY: single-threaded test.
        let never_added = unsafe { a.node.del_rcu() }.unwrap_err();
        assert_eq!(
            never_added.describe(&names),
            "hlist_nulls_del_rcu corruption, A->pprev is NULL (not hashed: never added, or \
             removed by hlist_nulls_del_init_rcu)"
        );
        // SAFETY: single-threaded test.
        unsafe {
            head.add_head_rcu(node(&a)).unwrap();
            a.node.del_rcu().unwrap();
        }
        for error in [
            // SAFETY: single-threaded test.
            unsafe { a.node.del_rcu() }.unwrap_err(),
            // SAFETY: single-threaded test.
            unsafe { a.node.del() }.unwrap_err(),
            // SAFETY: single-threaded test.
            unsafe { a.node.del_init_rcu() }.unwrap_err(),
        ] {
            let text = error.describe(&names);
            assert!(
                text.ends_with("corruption, A->pprev is LIST_POISON2 (0x122) (already deleted)"),
                "{checks:?}: {text}"
            );
        }
        assert!(head.is_empty(), "nothing was written");
    }
}

/// The lifecycle bug told in DESIGN section 1, on a chain: `b` is freed while still hashed on
/// chain 0 (after `a`'s removal it would be first) and reused at once: its node is made anew and
/// added to chain 1. Chain 0's `first` and `c.pprev` still point at it.
///
/// Objects are held by raw pointers from `Box::into_raw`, so rewriting `b`'s node in place does
/// not invalidate the pointers the chains hold (a `&mut` through the box would).
#[test]
fn a_node_reused_while_still_hashed_is_reported_by_checked_adds_deletes_and_walks() {
    let (h0, h1) = (
        HlistNullsHead::with_checks(0, CheckMode::Checked),
        HlistNullsHead::with_checks(1, CheckMode::Checked),
    );
    let [b, c] = [2, 3].map(|key| Box::into_raw(obj(key)));
    // SAFETY: `b` and `c` stay allocated until the end of the test, and every pointer to them
    // comes from the raw pointers above; single-threaded.
    unsafe {
        let node_of = |o: *mut Obj| NonNull::new_unchecked(&raw mut (*o).node);
        h0.add_head_rcu(node_of(c)).unwrap();
        h0.add_head_rcu(node_of(b)).unwrap();
        // [h0] -> b -> c. Now b is "freed" without a delete and reused.
        ptr::write(
            &raw mut (*b).node,
            HlistNullsNode::with_checks(CheckMode::Checked),
        );
        h1.add_head_rcu(node_of(b)).unwrap();
        let names = namer(&[
            ("B", (*b).node.address()),
            ("C", (*c).node.address()),
            ("h0", h0.address()),
            ("h1", h1.address()),
            ("marker(1)", nulls_marker::<lifecycle_list::Std>(1).addr()),
        ]);

        let walk = h0.iter(MAX_NODES).finish();
        assert_eq!(
            walk,
            NullsEnd::Broken(ListError::NullsBackLink {
                operation: "hlist_nulls_for_each_entry",
                node: (*b).node.address(),
                expected: h0.address(),
                actual: h1.address(),
            })
        );
        assert_eq!(
            h0.iter_rcu(MAX_NODES).finish(),
            NullsEnd::EndedOn { nulls: 1 },
            "an RCU walk of chain 0 goes through b into chain 1 and misses c"
        );

        let stranger = Box::into_raw(obj(5));
        let error = h0.add_head_rcu(node_of(stranger)).unwrap_err();
        assert_eq!(
            error.describe(&names),
            "hlist_nulls_add_head_rcu corruption. B->pprev should be h0, but was h1."
        );

        let error = (*c).node.del_rcu().unwrap_err();
        assert_eq!(
            error.describe(&names),
            "hlist_nulls_del_rcu corruption. *pprev should be C, but was marker(1). (pprev=B)"
        );

        (*b).node.del_rcu().unwrap();
        drop(Box::from_raw(stranger));
        drop(Box::from_raw(b));
        drop(Box::from_raw(c));
    }
}
