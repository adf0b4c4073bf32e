//! loom models of the `hlist_nulls` lookup of Documentation/RCU/rculist_nulls.rst: a reader
//! looks a key up in a table of two chains with no lock while a writer, holding the table's
//! spinlock, moves another entry from chain 0 to chain 1 (`hlist_nulls_del_rcu` or
//! `hlist_nulls_del_init_rcu`, a new key, `hlist_nulls_add_head_rcu`), as a
//! `SLAB_TYPESAFE_BY_RCU` cache does when it frees an object and reuses it at once.
//!
//! The story: chain 0 is `X (key 2) -> T (key 4) -> marker(0)`, chain 1 is
//! `Y (key 1) -> marker(1)`. The reader looks up key 4 (chain 0) and stands on X when X is
//! rehashed to key 3 and added at chain 1's head: X's `next` is now Y, so the reader walks on
//! through Y to chain 1's marker, never having reached T, which was on chain 0 for the whole
//! lookup.
//!
//! - With the restart ("if the nulls value we got at the end of this lookup is not the expected
//!   one, we must restart lookup"), every execution finds T, and some restart.
//! - Without it, some execution ends on chain 1's marker and misses T; the outcomes are exactly
//!   {found T, missed T having ended on marker 1}: a walk that ends on its own marker never
//!   misses T here.
//! - `hlist_nulls_add_head_rcu` publishes an entry after its data; a plain
//!   `hlist_nulls_add_head` races the reader on it (loom: "Causality violation").
//! - `hlist_nulls_del_rcu`'s store to `*pprev` is a release, so a reader that reaches the
//!   successor through it sees the successor's data; the plain `hlist_nulls_del`, whose store is
//!   relaxed in this model, races there. (In the kernel the two are the same code, and the
//!   reader's address dependency orders it; C11 and loom have no such ordering, which is why
//!   the model's `del_rcu`, like `ListHead::del_rcu`, stores with release.)
//!
//! Nothing is freed in these models (the objects live in the world for the whole execution, as a
//! type-stable cache keeps its memory), so there is no grace period and no RCU read-side
//! section: neither would order anything the assertions read. Between restarts the reader calls
//! `loom::thread::yield_now`: loom then stops returning stores the reader saw before the yield
//! when newer ones exist, which is how it models the hardware eventually showing a store. Without
//! it a reader could re-read the stale `first` forever, which C11 allows and no machine does.
//!
//! Bounds: preemption bound 2 by default, `LOOM_MAX_PREEMPTIONS` (default 3) under `--cfg loom`
//! (ci/loom.sh); the models that must find a race run at bound 3 either way, as
//! loom_rcu_list.rs's do, and stop at the first race. The models are small: each lookup model is
//! 38 executions at bound 2, 50 at bound 3, 86 at bound 5 and 94 at bounds 10 and 100 (the whole
//! space: no bound would add one), a few milliseconds each in a release build.

use lifecycle_list::{container_of, CheckMode, HlistNullsNode, HlistNullsTable, Loom, SpinLock};
use loom::sync::atomic::AtomicUsize;
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

mod loom_bound;
use loom_bound::bound;

/// A hashed object: rculist_nulls.rst's `struct object` with a word of data.
struct Obj {
    node: HlistNullsNode<Loom>,
    /// `obj->key`, read by the reader and written by the writer with `READ_ONCE`/`WRITE_ONCE`
    /// (`Relaxed`): a lookup compares it racily on purpose.
    key: AtomicUsize,
    /// The object's data: a loom cell, so loom reports a read not ordered after its write.
    data: Data,
}

/// A loom cell shared between the reader and the writer on purpose.
struct Data(loom::cell::UnsafeCell<u32>);

// SAFETY: every access goes through loom's cell, which reports an unsynchronized pair as a
// causality violation instead of letting it happen unchecked.
unsafe impl Sync for Data {}

/// The table, its lock, and the objects (a `Vec` built once: the objects never move).
struct World {
    lock: SpinLock<(), Loom>,
    table: HlistNullsTable<Loom>,
    objs: Vec<Obj>,
}

const X: usize = 0;
const T: usize = 1;
const Y: usize = 2;
/// The key T is looked up by (chain 0 of 2).
const T_KEY: usize = 4;

impl World {
    /// A table of two checked chains and one object per key in `keys`, none hashed yet.
    fn new(keys: &[usize]) -> Self {
        World {
            lock: SpinLock::new(()),
            table: HlistNullsTable::with_checks(2, CheckMode::Checked),
            objs: keys
                .iter()
                .map(|&key| Obj {
                    node: HlistNullsNode::with_checks(CheckMode::Checked),
                    key: AtomicUsize::new(key),
                    data: Data(loom::cell::UnsafeCell::new(1)),
                })
                .collect(),
        }
    }

    /// Object `index`'s node, projected from a pointer to the object (point 3).
    fn node(&self, index: usize) -> NonNull<HlistNullsNode<Loom>> {
        let obj = ptr::from_ref(&self.objs[index]).cast_mut();
        // SAFETY: `obj` points to a live `Obj`; a raw projection reads nothing.
        unsafe { NonNull::new_unchecked(&raw mut (*obj).node) }
    }

    /// `hlist_nulls_add_head_rcu` of object `index` on its key's chain, before any thread runs.
    fn hash(&self, index: usize) {
        let key = self.objs[index].key.load(Ordering::Relaxed);
        // SAFETY: not shared yet; the table's heads and the objects never move.
        unsafe { self.table.head_of(key).add_head_rcu(self.node(index)) }.unwrap();
    }

    /// The object a walk yielded.
    fn entry(&self, pos: NonNull<HlistNullsNode<Loom>>) -> &Obj {
        // SAFETY: every node on these chains is an `Obj`'s, added through `node`; the objects
        // live as long as the world.
        unsafe { container_of!(pos, Obj, node).as_ref() }
    }

    fn index_of(&self, obj: &Obj) -> usize {
        self.objs
            .iter()
            .position(|o| ptr::eq(o, obj))
            .expect("an object of this world")
    }
}

/// Runs `model` on loom at `preemption_bound`; returns the executions, or loom's message if an
/// execution failed.
fn explore(
    name: &str,
    preemption_bound: usize,
    model: impl Fn() + Sync + Send + 'static,
) -> Result<usize, String> {
    let executions = Arc::new(StdAtomicUsize::new(0));
    let counted = executions.clone();
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(preemption_bound);
    let start = Instant::now();
    catch_unwind(AssertUnwindSafe(|| {
        builder.check(move || {
            counted.fetch_add(1, Ordering::Relaxed);
            model();
        })
    }))
    .map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })?;
    let explored = executions.load(Ordering::Relaxed);
    eprintln!(
        "loom {name}: bound {preemption_bound}: {explored} executions in {:?}",
        start.elapsed()
    );
    Ok(explored)
}

/// How a lookup ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Lookup {
    Found { index: usize, restarts: usize },
    Missed { ended_on: usize, restarts: usize },
}

/// rculist_nulls.rst's lookup algorithm, without the reference (nothing is freed here):
/// `hlist_nulls_for_each_entry_rcu` over the key's chain, a key match is the answer, and at the
/// end, with `restart`, `if (get_nulls_value(node) != slot) goto begin;`.
fn lookup(world: &World, key: usize, restart: bool) -> Lookup {
    let slot = world.table.chain_of(key);
    let mut restarts = 0;
    loop {
        // SAFETY: writers change the chains only with the `_rcu` operations under the lock, and
        // nothing is freed: every node the walk can reach stays alive.
        let mut walk = unsafe { world.table.head(slot).iter_rcu(world.objs.len()) };
        for pos in walk.by_ref() {
            let obj = world.entry(pos);
            if obj.key.load(Ordering::Relaxed) == key {
                return Lookup::Found {
                    index: world.index_of(obj),
                    restarts,
                };
            }
        }
        let ended_on = match walk.end().and_then(|end| end.nulls()) {
            Some(nulls) => nulls,
            None => panic!("the walk ended on no marker: {:?}", walk.end()),
        };
        if ended_on == slot || !restart {
            return Lookup::Missed { ended_on, restarts };
        }
        restarts += 1;
        // The model's progress assumption (see the file's docs).
        loom::thread::yield_now();
    }
}

/// The story of the file's docs: the reader looks up T's key while the writer moves X from
/// chain 0 to chain 1. Every execution's outcome is added to `outcomes`.
fn move_under_the_reader(
    restart: bool,
    init: bool,
    preemption_bound: usize,
    outcomes: Arc<Mutex<BTreeSet<Lookup>>>,
) -> usize {
    let name = format!(
        "hlist_nulls lookup {} the restart, writer moving with {}",
        if restart { "with" } else { "without" },
        if init {
            "hlist_nulls_del_init_rcu"
        } else {
            "hlist_nulls_del_rcu"
        }
    );
    explore(&name, preemption_bound, move || {
        let world = Arc::new(World::new(&[2, T_KEY, 1]));
        world.hash(T);
        world.hash(X);
        world.hash(Y);
        let reader = {
            let world = world.clone();
            loom::thread::spawn(move || lookup(&world, T_KEY, restart))
        };
        {
            let _guard = world.lock.lock().unwrap();
            let x = &world.objs[X];
            // SAFETY: the table's lock is held; the reader uses `iter_rcu`; nothing is freed.
            unsafe {
                if init {
                    x.node.del_init_rcu().unwrap();
                } else {
                    x.node.del_rcu().unwrap();
                }
                x.key.store(3, Ordering::Relaxed);
                world.table.head_of(3).add_head_rcu(world.node(X)).unwrap();
            }
        }
        let outcome = reader.join().unwrap();
        if restart {
            assert!(
                matches!(outcome, Lookup::Found { index: T, .. }),
                "a lookup that restarts on a foreign marker finds T, which was on its chain for \
                 the whole lookup: {outcome:?}"
            );
        }
        outcomes.lock().unwrap().insert(outcome);
    })
    .unwrap_or_else(|message| panic!("loom: finding: {message}"))
}

#[test]
fn a_lookup_that_restarts_on_a_foreign_marker_never_misses_an_entry_linked_throughout() {
    for init in [false, true] {
        let outcomes = Arc::new(Mutex::new(BTreeSet::new()));
        move_under_the_reader(true, init, bound(2, 3), outcomes.clone());
        let outcomes = outcomes.lock().unwrap();
        assert!(
            outcomes.contains(&Lookup::Found {
                index: T,
                restarts: 1
            }),
            "some execution ended on chain 1's marker and restarted (the restart was exercised): \
             {outcomes:?}"
        );
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, Lookup::Found { index: T, .. })),
            "{outcomes:?}"
        );
    }
}

#[test]
fn a_lookup_without_the_restart_ends_on_chain_1s_marker_and_misses_the_entry() {
    for init in [false, true] {
        let outcomes = Arc::new(Mutex::new(BTreeSet::new()));
        move_under_the_reader(false, init, bound(2, 3), outcomes.clone());
        let outcomes = outcomes.lock().unwrap();
        assert_eq!(
            *outcomes,
            BTreeSet::from([
                Lookup::Found {
                    index: T,
                    restarts: 0
                },
                Lookup::Missed {
                    ended_on: 1,
                    restarts: 0
                },
            ]),
            "without the restart, a reader standing on X when it moves follows X.next through Y \
             to chain 1's marker and misses T; one that ends on chain 0's marker never misses it"
        );
    }
}

/// A reader's walk of chain 0 that reads every object's data. Returns the data read.
fn read_chain0(world: &World) -> Vec<u32> {
    // SAFETY: nothing is freed; writers use the `_rcu` operations, except where the model is
    // about that mistake (loom reports it as a race on the data, not as undefined behaviour).
    let walk = unsafe { world.table.head(0).iter_rcu(world.objs.len()) };
    walk.map(|pos| {
        let obj = world.entry(pos);
        // SAFETY: a plain read loom checks for races against the writer's writes.
        obj.data.0.with(|d| unsafe { *d })
    })
    .collect()
}

/// Writes object `index`'s data (before it is published: nobody else reads it yet).
fn write_data(world: &World, index: usize, value: u32) {
    // SAFETY: a plain write loom checks for races against the reader's reads.
    world.objs[index].data.0.with_mut(|d| unsafe { *d = value });
}

/// The writer writes object 0's data and then adds it to chain 0 with `add_head_rcu` (or the
/// plain `add_head`); the reader walks chain 0 and reads what it finds.
fn publish(rcu_add: bool, preemption_bound: usize) -> Result<usize, String> {
    let name = if rcu_add {
        "hlist_nulls_add_head_rcu after the data"
    } else {
        "hlist_nulls_add_head after the data"
    };
    explore(name, preemption_bound, move || {
        let world = Arc::new(World::new(&[0]));
        let reader = {
            let world = world.clone();
            loom::thread::spawn(move || read_chain0(&world))
        };
        write_data(&world, 0, 7);
        {
            let _guard = world.lock.lock().unwrap();
            let head = world.table.head(0);
            // SAFETY: the table's lock is held; the objects never move.
            unsafe {
                if rcu_add {
                    head.add_head_rcu(world.node(0)).unwrap();
                } else {
                    head.add_head(world.node(0)).unwrap();
                }
            }
        }
        let seen = reader.join().unwrap();
        assert!(
            seen.iter().all(|&value| value == 7),
            "the data written before hlist_nulls_add_head_rcu happens-before a reader's read of \
             the entry it reached: {seen:?}"
        );
    })
}

#[test]
fn add_head_rcu_publishes_the_entry_after_its_data() {
    publish(true, bound(2, 3))
        .expect("no race: the release store orders the data before the entry");
}

#[test]
fn a_plain_add_head_on_an_rcu_chain_races_the_reader_on_the_data() {
    let message = publish(false, 3).expect_err("a race");
    assert!(message.contains("Causality violation"), "{message}");
}

/// In one section under the lock the writer publishes object 0 then object 1 on chain 0
/// (`1 -> 0`), each after its data, then removes object 1 with `del_rcu` (or the plain `del`):
/// `head->first = 0` is the removal's store. A reader that loads it reaches object 0 through
/// it, not through object 0's own publication.
fn remove_before_a_published_entry(
    rcu_del: bool,
    preemption_bound: usize,
) -> Result<usize, String> {
    let name = if rcu_del {
        "hlist_nulls_del_rcu publishing the successor"
    } else {
        "hlist_nulls_del publishing the successor"
    };
    explore(name, preemption_bound, move || {
        let world = Arc::new(World::new(&[0, 2]));
        let reader = {
            let world = world.clone();
            loom::thread::spawn(move || read_chain0(&world))
        };
        write_data(&world, 0, 7);
        write_data(&world, 1, 7);
        {
            let _guard = world.lock.lock().unwrap();
            let head = world.table.head(0);
            // SAFETY: the table's lock is held; the objects never move.
            unsafe {
                head.add_head_rcu(world.node(0)).unwrap();
                head.add_head_rcu(world.node(1)).unwrap();
                if rcu_del {
                    world.objs[1].node.del_rcu().unwrap();
                } else {
                    world.objs[1].node.del().unwrap();
                }
            }
        }
        let seen = reader.join().unwrap();
        assert!(
            seen.iter().all(|&value| value == 7),
            "every entry a reader reads holds the data written before it was reachable: {seen:?}"
        );
    })
}

#[test]
fn del_rcu_publishes_the_successor_it_links() {
    remove_before_a_published_entry(true, bound(2, 3))
        .expect("no race: the release store to *pprev orders the successor's data");
}

#[test]
fn a_plain_del_publishes_the_successor_without_ordering_and_races_the_reader() {
    let message = remove_before_a_published_entry(false, 3).expect_err("a race");
    assert!(message.contains("Causality violation"), "{message}");
}
