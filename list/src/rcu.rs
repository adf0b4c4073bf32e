//! `Rcu`: a model of read-copy-update's guarantee, one implementation over every platform: a
//! read-side section that began before a grace period started ends before that grace period
//! ends (`Documentation/RCU/whatisRCU.rst`), stated by the litmus tests `RCU+sync+free` and
//! `RCU+sync+read` of `Documentation/litmus-tests/rcu/` (both `Result: Never`; `tests/loom_rcu.rs`
//! checks them on every loom execution).
//!
//! The shape is userspace RCU's (liburcu): a thread registers ([`Rcu::register`]) and gets a
//! word of its own that is odd while it is inside a read-side section; `rcu_read_lock` and
//! `rcu_read_unlock` (the outermost ones: sections nest) move it on by one with a read-modify-
//! write. A grace period snapshots every word, also by read-modify-write, and waits until each
//! word that was odd has moved on: the section open at the snapshot has ended. Read-modify-writes
//! on one location order the section's first access against the updater's snapshot (loom models
//! `SeqCst` loads and stores as acquire/release, which lets the store-buffering outcome through:
//! loom issue #180; docs/design.md, section 11). A grace period that cannot end (the
//! waiter's own section, or a reader blocked on something the waiter holds) waits the way the
//! spinlock's waiters do: under a checker it blocks, so the checker reports the deadlock.
//!
//! `call_rcu` queues a callback (any `C`); a grace-period worker ([`Rcu::run_callbacks`]) runs
//! each batch after a full grace period; `rcu_barrier` ([`Rcu::barrier`]) waits until every
//! callback queued before it has run.

use crate::platform::{AtomicOps, Platform, Std, Waiter};
use crate::spinlock::SpinLock;
use std::fmt;
use std::sync::atomic::Ordering;

/// What a registered thread did wrong, or could not do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RcuError {
    /// Every thread slot is taken: [`Rcu::new`] was given fewer than the threads that register.
    TooManyThreads {
        /// The slots the model has.
        slots: usize,
    },
    /// `rcu_read_unlock` outside any read-side section (the kernel's lockdep splat "rcu_read_unlock()
    /// without rcu_read_lock()").
    UnlockWithoutLock,
    /// `call_rcu` after [`Rcu::stop`]: no worker would run the callback.
    Stopped,
}

impl fmt::Display for RcuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RcuError::TooManyThreads { slots } => write!(
                f,
                "rcu: every one of the {slots} thread slots is registered (one per thread that \
                 reads or updates)"
            ),
            RcuError::UnlockWithoutLock => f.write_str(
                "rcu_read_unlock() without rcu_read_lock(): no read-side section is open",
            ),
            RcuError::Stopped => f.write_str(
                "call_rcu after the grace-period worker was stopped: nothing would run the callback",
            ),
        }
    }
}

impl std::error::Error for RcuError {}

/// A wait that the caller abandoned (its `give_up` said so), on real threads only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GaveUp;

/// The RCU model: thread words, the callback queue, the grace-period worker's counters.
///
/// # Invariants
/// - `sections[i]` belongs to the thread that registered slot `i` (`i < registered`); only
///   that thread changes it, by one, with a read-modify-write: odd inside a read-side section,
///   even outside, never decreasing (but across [`Rcu::restore`], a rollback through `&mut
///   self` to words saved earlier). So a word that moved on from an odd value has left the
///   section that was open.
/// - Slots below `resumable` were registered when the words [`Rcu::restore`] put back were
///   saved: they are handed out again only by [`Rcu::register_resumed`], with the nesting
///   their thread had (a plain [`Rcu::register`] would give an odd word a thread outside any
///   section). `resumable` is a std atomic: bookkeeping no checker explores.
/// - `queued` counts [`Rcu::call`]s, `completed` the callbacks run; `completed <= queued`; every
///   callback in `queue` is counted in `queued` and not in `completed`.
/// - `work` moves on at every call and at [`Rcu::stop`]: the worker waits on it.
pub struct Rcu<C, P: Platform = Std> {
    /// Unique among the models this process made: a [`GracePeriod`] is checked against it.
    id: usize,
    sections: Box<[P::AtomicUsize]>,
    registered: P::AtomicUsize,
    resumable: std::sync::atomic::AtomicUsize,
    queue: SpinLock<Vec<C>, P>,
    queued: P::AtomicUsize,
    completed: P::AtomicUsize,
    work: P::AtomicUsize,
    stopping: P::AtomicUsize,
    changed: P::Waiter,
}

impl<C, P: Platform> fmt::Debug for Rcu<C, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rcu")
            .field("slots", &self.sections.len())
            .field("registered", &self.registered.load(Ordering::Relaxed))
            .field("queued", &self.queued.load(Ordering::Relaxed))
            .field("completed", &self.completed.load(Ordering::Relaxed))
            .finish()
    }
}

/// A grace period under way: the words that were odd when it started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GracePeriod {
    /// The [`Rcu`] that started it (its `id`).
    rcu: usize,
    /// `(slot, word)` for each thread inside a section at the start.
    open: Vec<(usize, usize)>,
}

impl GracePeriod {
    /// The slots of the threads whose sections this grace period waits for.
    pub fn waits_for(&self) -> impl Iterator<Item = usize> + '_ {
        self.open.iter().map(|&(slot, _)| slot)
    }

    /// The slots whose sections it still waits for in `rcu` (Acquire loads, as
    /// [`Rcu::grace_period_elapsed`]).
    pub fn still_waits_for<C, P: Platform>(&self, rcu: &Rcu<C, P>) -> Vec<usize> {
        rcu.check_own(self);
        self.open
            .iter()
            .filter(|&&(slot, word)| rcu.sections[slot].load(Ordering::Acquire) == word)
            .map(|&(slot, _)| slot)
            .collect()
    }
}

impl<C, P: Platform> Rcu<C, P> {
    /// A model with `threads` thread slots, no section open, no callback queued.
    pub fn new(threads: usize) -> Self {
        Rcu {
            id: {
                static NEXT: std::sync::atomic::AtomicUsize =
                    std::sync::atomic::AtomicUsize::new(0);
                NEXT.fetch_add(1, Ordering::Relaxed)
            },
            sections: (0..threads).map(|_| P::AtomicUsize::new(0)).collect(),
            registered: P::AtomicUsize::new(0),
            resumable: std::sync::atomic::AtomicUsize::new(0),
            queue: SpinLock::new(Vec::new()),
            queued: P::AtomicUsize::new(0),
            completed: P::AtomicUsize::new(0),
            work: P::AtomicUsize::new(0),
            stopping: P::AtomicUsize::new(0),
            changed: P::Waiter::new(),
        }
    }

    /// The thread slots the model has.
    pub fn slots(&self) -> usize {
        self.sections.len()
    }

    /// Registers the calling thread (liburcu's `rcu_register_thread`): its handle reads and
    /// updates.
    ///
    /// # Errors
    /// [`RcuError::TooManyThreads`] when every slot is taken.
    ///
    /// # Panics
    /// If the next slot was registered in words [`Rcu::restore`] put back: it is resumed with
    /// [`Rcu::register_resumed`].
    pub fn register(&self) -> Result<RcuThread<'_, C, P>, RcuError> {
        let slot = self.registered.fetch_add(1, Ordering::Relaxed);
        assert!(
            slot >= self.resumable.load(Ordering::Relaxed),
            "RCU slot {slot} was registered when the restored words were saved: it is handed \
             out again by register_resumed, with its thread's nesting"
        );
        if slot >= self.sections.len() {
            return Err(RcuError::TooManyThreads {
                slots: self.sections.len(),
            });
        }
        Ok(RcuThread {
            rcu: self,
            slot,
            nesting: 0,
        })
    }

    /// The model's words (each thread's section word, the callback counters), for
    /// [`Rcu::restore`]. Registration is not saved: restoring hands the slots out again.
    ///
    /// # Panics
    /// If a callback is queued: it is the caller's value, which the words cannot carry.
    pub fn save(&self) -> crate::RcuWords {
        self.assert_no_callback_queued("saved");
        crate::RcuWords {
            rcu: self.id,
            registered: self
                .registered
                .load(Ordering::Relaxed)
                .min(self.sections.len()),
            sections: self
                .sections
                .iter()
                .map(|word| word.load(Ordering::Relaxed))
                .collect(),
            queued: self.queued.load(Ordering::Relaxed),
            completed: self.completed.load(Ordering::Relaxed),
            work: self.work.load(Ordering::Relaxed),
            stopping: self.stopping.load(Ordering::Relaxed),
        }
    }

    /// Puts the words back as [`Rcu::save`] read them from this model, with no slot registered:
    /// the caller hands each slot registered then out again, in order, with
    /// [`Rcu::register_resumed`] (a plain [`Rcu::register`] of such a slot panics). A rollback
    /// (section words may move back): the exclusive borrow means no handle and no wait is under
    /// way. A [`GracePeriod`] started before the save still means what it meant then (a checker
    /// restores the grace periods it saved with the state); one started after the save means
    /// nothing once the words are back, and the caller drops it.
    ///
    /// # Panics
    /// If `words` were saved from another model, or a callback is queued.
    pub fn restore(&mut self, words: &crate::RcuWords) {
        assert_eq!(
            words.rcu, self.id,
            "an Rcu restores only the words saved from it"
        );
        self.assert_no_callback_queued("restored");
        for (word, &value) in self.sections.iter().zip(&words.sections) {
            word.store(value, Ordering::Relaxed);
        }
        self.registered.store(0, Ordering::Relaxed);
        *self.resumable.get_mut() = words.registered;
        self.queued.store(words.queued, Ordering::Relaxed);
        self.completed.store(words.completed, Ordering::Relaxed);
        self.work.store(words.work, Ordering::Relaxed);
        self.stopping.store(words.stopping, Ordering::Relaxed);
    }

    /// Panics if a callback is queued: the words neither carry one (it is the caller's value)
    /// nor count one.
    fn assert_no_callback_queued(&self, what: &str) {
        let queued = self.queue.lock().unwrap_or_else(|p| p.into_inner()).len();
        assert!(
            queued == 0,
            "an Rcu is {what} with no callback queued (a callback is the caller's value, which \
             its words cannot carry): {queued} queued"
        );
    }

    /// Registers the next slot after a [`Rcu::restore`], for a thread that was `nesting`
    /// sections deep in the saved state: its handle goes on from there.
    ///
    /// # Errors
    /// [`RcuError::TooManyThreads`] when every slot is taken.
    ///
    /// # Panics
    /// If the slot's word disagrees with `nesting` (odd exactly while inside a section): the
    /// nesting was not saved with these words.
    pub fn register_resumed(&self, nesting: usize) -> Result<RcuThread<'_, C, P>, RcuError> {
        // Checked before the slot is taken, so a refused call leaves the model as it was.
        let slot = self.registered.load(Ordering::Relaxed);
        if slot >= self.sections.len() {
            return Err(RcuError::TooManyThreads {
                slots: self.sections.len(),
            });
        }
        assert!(
            slot < self.resumable.load(Ordering::Relaxed),
            "RCU slot {slot} was not registered when the restored words were saved: a new \
             thread registers with register"
        );
        let inside = self.sections[slot].load(Ordering::Relaxed) % 2 == 1;
        assert_eq!(
            inside,
            nesting > 0,
            "RCU slot {slot}: a word odd exactly while its thread is inside a section"
        );
        let taken = self.registered.fetch_add(1, Ordering::Relaxed);
        assert_eq!(
            taken, slot,
            "restored RCU slots are resumed by one thread, in order"
        );
        Ok(RcuThread {
            rcu: self,
            slot,
            nesting,
        })
    }

    /// Panics unless `grace_period` was started by this model (its slots and words mean
    /// nothing elsewhere).
    fn check_own(&self, grace_period: &GracePeriod) {
        assert_eq!(
            grace_period.rcu, self.id,
            "a grace period is checked against the Rcu that started it"
        );
    }

    /// Starts a grace period: which threads are inside a section now (each word read by a
    /// read-modify-write, so a section that began before is seen open, or ended before). Every
    /// slot is read, registered or not: a thread that registers while the grace period starts
    /// is ordered against it on its own word, not on the registration count.
    pub fn start_grace_period(&self) -> GracePeriod {
        let open = (0..self.sections.len())
            .filter_map(|slot| {
                let word = self.sections[slot].fetch_add(0, Ordering::AcqRel);
                (word % 2 == 1).then_some((slot, word))
            })
            .collect();
        GracePeriod { rcu: self.id, open }
    }

    /// Whether every section `grace_period` waits for has ended (Acquire: the sections'
    /// accesses happen-before what the caller does next).
    pub fn grace_period_elapsed(&self, grace_period: &GracePeriod) -> bool {
        self.check_own(grace_period);
        grace_period
            .open
            .iter()
            .all(|&(slot, word)| self.sections[slot].load(Ordering::Acquire) != word)
    }

    /// Waits until `word` may differ from `observed`: blocking under a checker (the await
    /// reduction), polling with `give_up` on real threads.
    fn wait_change(
        &self,
        word: &P::AtomicUsize,
        observed: usize,
        give_up: &dyn Fn() -> bool,
    ) -> Result<(), GaveUp> {
        if P::IS_CHECKER {
            self.changed.wait_while_unchanged(word, observed);
            return Ok(());
        }
        let backoff = crossbeam_utils::Backoff::new();
        while word.load(Ordering::Relaxed) == observed {
            if give_up() {
                return Err(GaveUp);
            }
            backoff.snooze();
        }
        Ok(())
    }

    /// Waits for the end of `grace_period`.
    ///
    /// # Errors
    /// [`GaveUp`] when `give_up` says so first (real threads only; under a checker a grace
    /// period that cannot end blocks, and the checker reports the deadlock).
    pub fn wait_for(
        &self,
        grace_period: &GracePeriod,
        give_up: &dyn Fn() -> bool,
    ) -> Result<(), GaveUp> {
        self.check_own(grace_period);
        for &(slot, word) in &grace_period.open {
            while self.sections[slot].load(Ordering::Acquire) == word {
                self.wait_change(&self.sections[slot], word, give_up)?;
            }
        }
        Ok(())
    }

    /// `synchronize_rcu`: returns once every read-side section that began before the call has
    /// ended.
    ///
    /// # Errors
    /// As [`Rcu::wait_for`].
    pub fn synchronize(&self, give_up: &dyn Fn() -> bool) -> Result<(), GaveUp> {
        let grace_period = self.start_grace_period();
        self.wait_for(&grace_period, give_up)
    }

    /// `call_rcu`: queues `callback` for the worker, which runs it after a full grace period.
    ///
    /// # Errors
    /// [`RcuError::Stopped`] (and the callback back) after [`Rcu::stop`]: the worker may have
    /// returned, and nothing would run it.
    pub fn call(&self, callback: C) -> Result<(), (RcuError, C)> {
        {
            let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            if self.stopping.load(Ordering::Acquire) != 0 {
                return Err((RcuError::Stopped, callback));
            }
            queue.push(callback);
            // Counted under the queue lock, so the worker never takes (and counts as completed)
            // a callback `queued` does not count yet: a barrier compares the two (found by an
            // independent review: counted after the unlock, a barrier returned before its own
            // thread's callback ran, and `pending` underflowed).
            // INVARIANT: every callback in the queue is counted in `queued`.
            self.queued.fetch_add(1, Ordering::Release);
        }
        self.work.fetch_add(1, Ordering::Release);
        self.changed.wake_all();
        Ok(())
    }

    /// Callbacks queued and not yet run.
    pub fn pending(&self) -> usize {
        let completed = self.completed.load(Ordering::Acquire);
        self.queued.load(Ordering::Acquire) - completed
    }

    /// `rcu_barrier`: returns once every callback queued before the call has run.
    ///
    /// # Errors
    /// As [`Rcu::wait_for`].
    pub fn barrier(&self, give_up: &dyn Fn() -> bool) -> Result<(), GaveUp> {
        let target = self.queued.load(Ordering::Acquire);
        loop {
            let completed = self.completed.load(Ordering::Acquire);
            if completed >= target {
                return Ok(());
            }
            self.wait_change(&self.completed, completed, give_up)?;
        }
    }

    /// The grace-period worker: takes the queued callbacks a batch at a time, waits a full
    /// grace period, runs them with `run`, and returns once [`Rcu::stop`] was called and the
    /// queue is empty.
    ///
    /// # Errors
    /// As [`Rcu::wait_for`].
    pub fn run_callbacks(
        &self,
        mut run: impl FnMut(C),
        give_up: &dyn Fn() -> bool,
    ) -> Result<(), GaveUp> {
        loop {
            let work = self.work.load(Ordering::Acquire);
            // Read before the take: every callback queued before `stop` is then in the take
            // (found by shuttle's PCT scheduler: read after an empty take, a callback queued
            // between the two was never run).
            let stopping = self.stopping.load(Ordering::Acquire) != 0;
            let batch = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
            if batch.is_empty() {
                if stopping {
                    return Ok(());
                }
                self.wait_change(&self.work, work, give_up)?;
                continue;
            }
            if let Err(gave_up) = self.synchronize(give_up) {
                // Put the batch back in front: a worker that gives up loses no callback.
                let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
                let later = std::mem::replace(&mut *queue, batch);
                queue.extend(later);
                return Err(gave_up);
            }
            let count = batch.len();
            for callback in batch {
                run(callback);
            }
            // INVARIANT: the batch was counted in `queued` when it was queued.
            self.completed.fetch_add(count, Ordering::Release);
            self.changed.wake_all();
        }
    }

    /// Asks the worker to return once the queue is empty; a later [`Rcu::call`] is refused.
    pub fn stop(&self) {
        // Under the queue lock: a call either queued before (and the worker runs it) or sees
        // the stop and is refused.
        let queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        self.stopping.store(1, Ordering::Release);
        drop(queue);
        self.work.fetch_add(1, Ordering::Release);
        self.changed.wake_all();
    }
}

/// A registered thread's handle: its read-side sections (which nest) and its updates.
///
/// The methods that move the thread's word take `&mut self`: one handle, one word, one mover.
/// Dropping a handle inside a section leaves the section open for good: every later grace period
/// waits for it (a thread that ends inside a read-side section is a bug; the kernel warns), and
/// under a checker that wait is reported as a deadlock. The slot is not reused.
pub struct RcuThread<'r, C, P: Platform = Std> {
    rcu: &'r Rcu<C, P>,
    slot: usize,
    nesting: usize,
}

impl<C, P: Platform> fmt::Debug for RcuThread<'_, C, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RcuThread")
            .field("slot", &self.slot)
            .field("nesting", &self.nesting)
            .finish()
    }
}

impl<C, P: Platform> RcuThread<'_, C, P> {
    /// This thread's slot.
    pub fn slot(&self) -> usize {
        self.slot
    }

    /// Whether a read-side section is open.
    pub fn in_section(&self) -> bool {
        self.nesting > 0
    }

    /// How deeply sections are nested now (0: outside any).
    pub fn depth(&self) -> usize {
        self.nesting
    }

    /// `rcu_read_lock`: opens a read-side section (or nests one in the open section).
    pub fn read_lock(&mut self) {
        if self.nesting == 0 {
            // AcqRel on the thread's own word: ordered against every grace period's snapshot
            // of it, which reads it by read-modify-write too.
            // INVARIANT: even to odd, by one, by its own thread.
            self.rcu.sections[self.slot].fetch_add(1, Ordering::AcqRel);
        }
        self.nesting += 1;
    }

    /// `rcu_read_unlock`: closes the innermost section; the outermost one's end lets grace
    /// periods that wait for it end (Release: the section's accesses happen-before them).
    ///
    /// # Errors
    /// [`RcuError::UnlockWithoutLock`] outside any section (nothing changes).
    pub fn read_unlock(&mut self) -> Result<(), RcuError> {
        if self.nesting == 0 {
            return Err(RcuError::UnlockWithoutLock);
        }
        self.nesting -= 1;
        if self.nesting == 0 {
            // INVARIANT: odd to even, by one, by its own thread.
            self.rcu.sections[self.slot].fetch_add(1, Ordering::AcqRel);
            self.rcu.changed.wake_all();
        }
        Ok(())
    }
}
