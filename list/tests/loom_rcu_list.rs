//! loom models of the `rculist.h` operations: a reader walks an RCU list with no lock inside a
//! read-side section while a writer, holding the list's lock, changes it.
//!
//! - `list_del_rcu`, a grace period, then the object destroyed: never a race, never the
//!   destroyed value; without the grace period loom reports the reader's read racing the
//!   destruction.
//! - A plain `list_del` instead: the reader may follow `LIST_POISON1` (reported, never followed).
//! - `list_add_rcu` after writing the object: the reader sees the data; a plain `list_add`
//!   publishes without release ordering and loom reports the reader's read of the data as a race.

use lifecycle_list::{CheckMode, ListError, ListHead, Loom, Rcu, SpinLock};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// An RCU list of two entries, each with a word of data, under `lock`.
struct World {
    lock: SpinLock<(), Loom>,
    rcu: Rcu<(), Loom>,
    head: Box<ListHead<Loom>>,
    /// Never grows after creation, so the nodes never move.
    nodes: Vec<ListHead<Loom>>,
    data: Vec<Data>,
}

/// An entry's data: a loom cell, shared between the reader and the writer on purpose (loom
/// checks every access to it for a race; that is what these models are about).
struct Data(loom::cell::UnsafeCell<u32>);

// SAFETY: every access goes through loom's cell, which reports an unsynchronized pair as a
// causality violation instead of letting it happen unchecked.
unsafe impl Sync for Data {}

/// The value a destroyed object holds.
const DESTROYED: u32 = 0xdead;

fn world(linked: &[usize]) -> Arc<World> {
    let world = World {
        lock: SpinLock::new(()),
        rcu: Rcu::new(2),
        head: Box::new(ListHead::with_checks_rcu(CheckMode::Checked)),
        nodes: (0..2)
            .map(|_| ListHead::with_checks_rcu(CheckMode::Checked))
            .collect(),
        data: (0..2)
            .map(|_| Data(loom::cell::UnsafeCell::new(1)))
            .collect(),
    };
    // SAFETY: not shared yet; the head is boxed and the nodes never move.
    unsafe {
        world.head.init();
        for &index in linked {
            world
                .head
                .add_tail(NonNull::from(&world.nodes[index]))
                .unwrap();
        }
    }
    Arc::new(world)
}

impl World {
    fn index_of(&self, node: NonNull<ListHead<Loom>>) -> usize {
        self.nodes
            .iter()
            .position(|n| std::ptr::eq(n, node.as_ptr()))
            .expect("an entry of the list")
    }

    /// A reader's section: walks the list and reads every entry's data. Returns what it read,
    /// or the walk's error.
    fn read_all(&self) -> Result<Vec<u32>, ListError> {
        let mut me = self.rcu.register().expect("a slot");
        me.read_lock();
        let mut seen = Vec::new();
        // SAFETY: an RCU list; the writers of these models free (destroy) an entry only after a
        // grace period, except where the model is about that mistake.
        for entry in unsafe { self.head.iter_rcu(self.nodes.len()) } {
            let index = match entry {
                Ok(entry) => self.index_of(entry),
                Err(error) => {
                    me.read_unlock().unwrap();
                    return Err(error);
                }
            };
            // SAFETY: a plain read loom checks for races against the writer's writes.
            seen.push(self.data[index].0.with(|d| unsafe { *d }));
        }
        me.read_unlock().unwrap();
        Ok(seen)
    }
}

/// Runs `model` on loom at preemption bound 3; `Err` with loom's message if it failed.
fn explore(model: impl Fn() + Sync + Send + 'static) -> Result<(), String> {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    catch_unwind(AssertUnwindSafe(|| builder.check(model))).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

/// The writer removes entry 0 (with `del_rcu`, or a plain `del`), waits a grace period if
/// `grace_period`, then destroys it; the reader walks meanwhile.
fn remove_and_destroy(
    rcu_del: bool,
    grace_period: bool,
    poisoned: Arc<AtomicBool>,
) -> Result<(), String> {
    explore(move || {
        let world = world(&[0, 1]);
        let reader = {
            let world = world.clone();
            loom::thread::spawn(move || world.read_all())
        };
        {
            let _guard = world.lock.lock().unwrap();
            // SAFETY: the writers' lock is held; readers use `iter_rcu`.
            unsafe {
                if rcu_del {
                    world.nodes[0].del_rcu().unwrap();
                } else {
                    world.nodes[0].del().unwrap();
                }
            }
        }
        if grace_period {
            world.rcu.synchronize(&|| false).unwrap();
        }
        // SAFETY: the destruction, a plain write loom checks.
        world.data[0].0.with_mut(|d| unsafe { *d = DESTROYED });
        match reader.join().unwrap() {
            Ok(seen) => assert!(
                !seen.contains(&DESTROYED),
                "a reader saw an object destroyed after a grace period that began after its \
                 removal"
            ),
            Err(ListError::BadLink { .. }) => poisoned.store(true, Ordering::Relaxed),
            Err(other) => panic!("unexpected walk error: {other:?}"),
        }
    })
}

#[test]
fn del_rcu_then_a_grace_period_then_the_free_never_races_the_reader() {
    let poisoned = Arc::new(AtomicBool::new(false));
    remove_and_destroy(true, true, poisoned.clone()).expect("no race, no destroyed value");
    assert!(
        !poisoned.load(Ordering::Relaxed),
        "list_del_rcu leaves next intact"
    );
}

#[test]
fn del_rcu_then_the_free_without_a_grace_period_races_the_reader() {
    let message = remove_and_destroy(true, false, Arc::default()).expect_err("a race");
    assert!(message.contains("Causality violation"), "{message}");
}

#[test]
fn a_plain_del_on_an_rcu_list_makes_a_reader_meet_list_poison1() {
    let poisoned = Arc::new(AtomicBool::new(false));
    remove_and_destroy(false, true, poisoned.clone()).expect("no race: the walk refuses poison");
    assert!(
        poisoned.load(Ordering::Relaxed),
        "some execution's reader stood on the entry when list_del poisoned its next"
    );
}

/// The writer writes entry 1's data and then publishes it with `add_rcu` (or a plain `add`);
/// the reader reads whatever it finds.
fn publish(rcu_add: bool) -> Result<(), String> {
    explore(move || {
        let world = world(&[]);
        let reader = {
            let world = world.clone();
            loom::thread::spawn(move || world.read_all())
        };
        // SAFETY: entry 1 is not published yet: nobody else reads its data.
        world.data[1].0.with_mut(|d| unsafe { *d = 7 });
        {
            let _guard = world.lock.lock().unwrap();
            let node = NonNull::from(&world.nodes[1]);
            // SAFETY: the writers' lock is held; the node never moves.
            unsafe {
                if rcu_add {
                    world.head.add_rcu(node).unwrap();
                } else {
                    world.head.add(node).unwrap();
                }
            }
        }
        let seen = reader.join().unwrap().expect("a well-formed list");
        assert!(
            seen.iter().all(|&value| value == 7),
            "a published entry's data is the data written before it was published"
        );
    })
}

#[test]
fn list_add_rcu_publishes_the_entry_after_its_data() {
    publish(true).expect("no race: the release store orders the data before the entry");
}

#[test]
fn a_plain_list_add_on_an_rcu_list_races_the_reader_on_the_data() {
    let message = publish(false).expect_err("a race");
    assert!(message.contains("Causality violation"), "{message}");
}

/// The writer publishes entry 1 behind entry 0 and then removes entry 0 with `del_rcu`, in one
/// or two lock sections; a reader walks meanwhile and reads what it finds. The reader that loads
/// the head's `next` written by the removal reaches entry 1 through it, so that store must be a
/// release (found by an independent review: as the kernel's `WRITE_ONCE`, relaxed, the reader's
/// read of entry 1's data raced its write, and it met entry 1's not yet written `next`).
fn remove_before_a_published_entry(one_section: bool) -> Result<(), String> {
    explore(move || {
        let world = world(&[0]);
        let reader = {
            let world = world.clone();
            loom::thread::spawn(move || world.read_all())
        };
        // SAFETY: entry 1 is not published yet: nobody else reads its data.
        world.data[1].0.with_mut(|d| unsafe { *d = 7 });
        let node = NonNull::from(&world.nodes[1]);
        {
            let _guard = world.lock.lock().unwrap();
            // SAFETY: the writers' lock is held; the node never moves.
            unsafe { world.head.add_tail_rcu(node).unwrap() };
            if one_section {
                // SAFETY: as above.
                unsafe { world.nodes[0].del_rcu().unwrap() };
            }
        }
        if !one_section {
            let _guard = world.lock.lock().unwrap();
            // SAFETY: as above.
            unsafe { world.nodes[0].del_rcu().unwrap() };
        }
        let seen = reader.join().unwrap().expect("a well-formed walk");
        assert!(
            seen.iter().all(|&value| value == 1 || value == 7),
            "every entry read holds the data written before it was reachable"
        );
    })
}

#[test]
fn del_rcu_publishes_the_successor_it_links_in_one_lock_section_or_two() {
    remove_before_a_published_entry(true).expect("no race, no unwritten link");
    remove_before_a_published_entry(false).expect("no race, no unwritten link");
}
