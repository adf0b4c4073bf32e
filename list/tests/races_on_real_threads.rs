//! The two racy shapes the catalogue runs on real threads, run here on real threads with no
//! undefined behaviour, and on loom with the race still reported. Properties:
//!
//! 1. A lock whose unlock is `Relaxed` (relaxed-unlock/buggy): the owner adds and deletes its
//!    entry and writes the entry's data word under the lock; the reader walks the list and reads
//!    the data under the lock, with no happens-before from the owner's unlock. On `Std` every
//!    racing access is a link or a data word, a `Relaxed` atomic (`READ_ONCE`/`WRITE_ONCE`), so
//!    the race is the hardware's and not undefined behaviour; what the reader sees may be stale
//!    or half-done (a walk may end in a poisoned or inconsistent link: the bug the scenario
//!    shows), and the run still ends with the list empty.
//! 2. A `list_del` without the lock while a walker holds it (unlocked-del/buggy): the same, for
//!    the unlink's writes against the walk's reads.
//! 3. On loom the links and the data word stay loom cells, so both shapes are still reported as
//!    a data race ("Causality violation"), as the catalogue's loom rows say.
//!
//! 1 and 2 only mean something under Miri, whose data-race detector reports a non-atomic access
//! that races: `ci/miri.sh` runs this file under Stacked Borrows, Tree Borrows and strict
//! provenance, with several seeds (each a different interleaving and weak-memory outcome).
//! `STD_RACE_ROUNDS` sets the rounds per thread (Miri needs few).

use lifecycle_list::{impl_linked, CheckMode, ListHead, LockDefect, Platform, SpinLock, Std};
use lifecycle_list::{WordOps, LIST_POISON1};
use std::ptr::NonNull;
use std::sync::Arc;

/// An entry of the registry: its link and a data word the owner writes and readers read, as
/// the models' objects have.
struct Item<P: Platform> {
    link: ListHead<P>,
    data: P::Word<u32>,
}
impl_linked!(Item<Std>, link, Std);
#[cfg(feature = "loom")]
impl_linked!(Item<lifecycle_list::Loom>, link, lifecycle_list::Loom);

// SAFETY: the link follows the list discipline, except where a shape breaks it on purpose, and
// `data` is a platform word: a `Relaxed` atomic on `Std`, a loom cell whose racing accesses loom
// reports before making them. Either way a race on them is no data race on plain memory.
unsafe impl<P: Platform> Sync for Item<P> {}

/// A list under a spinlock (possibly defective) and its one entry, which never moves.
struct Registry<P: Platform> {
    lock: SpinLock<(), P>,
    head: Box<ListHead<P>>,
    item: Box<Item<P>>,
}

impl<P: Platform> Registry<P> {
    fn new(defect: LockDefect) -> Arc<Self> {
        let registry = Registry {
            // SAFETY: the lock protects `()`: its holders have no data of the lock's to race on.
            // What it orders are the links and the data word, which are platform words, so a
            // holder that the defective lock does not order races with the others only on
            // words: the race under test, not undefined behaviour.
            lock: unsafe { SpinLock::with_defect((), defect) },
            head: Box::new(ListHead::with_checks(CheckMode::Checked)),
            item: Box::new(Item {
                link: ListHead::with_checks(CheckMode::Checked),
                data: P::Word::new(0),
            }),
        };
        // SAFETY: not shared yet; the head is boxed and will not move.
        unsafe { registry.head.init() };
        Arc::new(registry)
    }

    /// The entry's link, projected from a pointer to the whole item (the list discipline,
    /// point 3).
    fn link(&self) -> NonNull<ListHead<P>>
    where
        Item<P>: lifecycle_list::Linked<P>,
    {
        // SAFETY: `item` is a live, boxed `Item`.
        unsafe { <Item<P> as lifecycle_list::Linked<P>>::link_ptr(NonNull::from(&*self.item)) }
    }

    /// Under the lock: walks the list and reads every entry's data word. A walk may report what
    /// the race left (a poisoned or inconsistent link); what it never does is follow it.
    fn walk(&self) -> Vec<Result<u32, String>>
    where
        Item<P>: lifecycle_list::Linked<P>,
    {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        // SAFETY: every node (the head and the one item) lives as long as the registry. The
        // lock is held, but in these shapes it may not order the owner's writes: the race under
        // test, on platform words only.
        unsafe { self.head.entries::<Item<P>>(2) }
            // SAFETY: as above; an entry yielded is the item's link, linked through `link()`.
            .map(|entry| entry.map(|item| unsafe { item.as_ref() }.data.read_once()))
            .map(|read| read.map_err(|error| error.to_string()))
            .collect()
    }

    /// After every thread is joined: the list is empty, its head points to itself.
    fn assert_empty(&self) {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        // SAFETY: every other thread has been joined, which orders all its writes before this.
        unsafe {
            assert!(
                self.head.is_empty_careful(),
                "the owner deleted its entry last, so the list ends empty"
            );
            assert_eq!(self.item.link.next_ptr() as usize, LIST_POISON1);
        }
    }
}

/// The owner of relaxed-unlock/buggy: each round, under the (defective) lock, writes its data
/// word and adds its entry, then deletes it under the lock again.
fn owner_under_the_lock<P: Platform>(registry: &Registry<P>, rounds: u32)
where
    Item<P>: lifecycle_list::Linked<P>,
{
    for round in 0..rounds {
        {
            let _guard = registry.lock.lock().unwrap_or_else(|p| p.into_inner());
            registry.item.data.write_once(round);
            // SAFETY: the lock is held (a Relaxed unlock orders nothing for the next holder:
            // the race under test, on words only); the item is boxed and outlives the walk.
            unsafe { registry.head.add(registry.link()) }.expect("the entry was deleted");
        }
        let _guard = registry.lock.lock().unwrap_or_else(|p| p.into_inner());
        // SAFETY: as above.
        unsafe { registry.item.link.del() }.expect("the entry was added");
    }
}

/// The owner of unlocked-del/buggy: each round, adds its entry under the lock, then deletes it
/// without taking the lock, while the walker may hold it.
fn owner_deleting_without_the_lock<P: Platform>(registry: &Registry<P>, rounds: u32)
where
    Item<P>: lifecycle_list::Linked<P>,
{
    for round in 0..rounds {
        {
            let _guard = registry.lock.lock().unwrap_or_else(|p| p.into_inner());
            registry.item.data.write_once(round);
            // SAFETY: the lock is held; the item is boxed and outlives every walk.
            unsafe { registry.head.add(registry.link()) }.expect("the entry was deleted");
        }
        // SAFETY: deliberately NOT holding the lock: the unlink races with the walker's reads,
        // on link words only; every node stays alive.
        unsafe { registry.item.link.del() }.expect("only the owner deletes, once per add");
    }
}

/// Rounds per thread on real threads: `STD_RACE_ROUNDS`, else 1,000.
fn rounds() -> u32 {
    std::env::var("STD_RACE_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000)
}

/// Runs `owner` and a walker (as many walks as rounds) on two real threads, then checks the end
/// state. Returns how many walks reported a broken link (the race seen), for the message.
fn on_real_threads(defect: LockDefect, owner: fn(&Registry<Std>, u32)) -> (usize, usize) {
    let rounds = rounds();
    let registry = Registry::<Std>::new(defect);
    let walker = {
        let registry = registry.clone();
        std::thread::spawn(move || {
            (0..rounds)
                .map(|_| registry.walk())
                .filter(|walk| walk.iter().any(Result::is_err))
                .count()
        })
    };
    owner(&registry, rounds);
    let broken = walker.join().expect("the walker never panics: it reports");
    registry.assert_empty();
    (broken, rounds as usize)
}

#[test]
fn a_relaxed_unlock_racing_a_reader_is_no_undefined_behaviour_on_std() {
    let (broken, walks) = on_real_threads(LockDefect::RelaxedUnlock, owner_under_the_lock);
    eprintln!("relaxed unlock on std: {broken} of {walks} walks met a broken link");
}

#[test]
fn an_unlocked_del_racing_a_walker_is_no_undefined_behaviour_on_std() {
    let (broken, walks) = on_real_threads(LockDefect::None, owner_deleting_without_the_lock);
    eprintln!("unlocked del on std: {broken} of {walks} walks met a broken link");
}

/// The same shape on loom, one round each: loom must report the data race.
#[cfg(feature = "loom")]
fn on_loom(defect: LockDefect, owner: fn(&Registry<lifecycle_list::Loom>, u32)) -> String {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    let payload = catch_unwind(AssertUnwindSafe(|| {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(2);
        builder.check(move || {
            let registry = Registry::<lifecycle_list::Loom>::new(defect);
            let walker = {
                let registry = registry.clone();
                loom::thread::spawn(move || drop(registry.walk()))
            };
            owner(&registry, 1);
            walker.join().expect("the walker never panics: it reports");
        });
    }))
    .expect_err("loom must report the race");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[cfg(feature = "loom")]
#[test]
fn loom_still_reports_the_relaxed_unlock_as_a_data_race() {
    let message = on_loom(LockDefect::RelaxedUnlock, owner_under_the_lock);
    assert!(
        message.contains("Causality violation"),
        "the reader's walk is not ordered after the owner's writes; loom said: {message}"
    );
}

#[cfg(feature = "loom")]
#[test]
fn loom_still_reports_the_unlocked_del_as_a_data_race() {
    let message = on_loom(LockDefect::None, owner_deleting_without_the_lock);
    assert!(
        message.contains("Causality violation"),
        "the unlocked unlink is not ordered with the walk; loom said: {message}"
    );
}
