//! `RcuList`: a list that readers walk with no lock, inside an RCU read-side section, while
//! writers change it under its spinlock; Linux's `include/linux/rculist.h` (`list_add_rcu`,
//! `list_add_tail_rcu`, `list_del_rcu`, `list_for_each_entry_rcu`) on crossbeam-epoch's
//! `Atomic` links, `Guard` sections and `defer_destroy` grace periods.

use crate::platform::{Platform, Std};
use crate::safe_rcu::node::Node;
use crate::safe_rcu::rcu_handle::RcuHandle;
use crate::safe_rcu::rcu_iter::RcuIter;
use crate::safe_rcu::rcu_writer::{Links, RcuWriter};
use crate::spinlock::SpinLock;
use crossbeam_epoch::{Atomic, Collector, Guard};
use std::sync::atomic::Ordering;

/// A list of `T`s for lockless readers: [`RcuList::iter`] walks it under a pinned
/// [`Guard`] of the list's collector and yields `&T`s that borrow the guard; every change goes
/// through the [`RcuWriter`] that [`RcuList::lock`] gives, and an entry it removes
/// ([`RcuWriter::del_first`]) comes back as a [`Retired`](crate::Retired), which only defers
/// its destruction past a grace period.
///
/// `T: Send + 'static` because a removed entry is destroyed by whichever thread collects the
/// collector's garbage, at some later time (crossbeam-epoch's own `Guard::defer` asks the same
/// of what it defers).
///
/// An entry's destructor (`T::drop`) must not take this list's lock: crossbeam-epoch runs
/// deferred destructors inside `pin()`, `Guard::flush()` and the drop of a handle or guard, on
/// whichever thread calls them, and that may be a writer that holds the lock while it pins
/// (for [`RcuWriter::del_first`]'s guard). It would wait for itself forever; [`RcuList::lock`]
/// panics instead. Linux asks the same of `call_rcu` callbacks, which must not take a lock held
/// around `call_rcu`. The same holds for any other lock a thread may hold while it pins.
///
/// ```
/// use lifecycle_list::{epoch, RcuList};
///
/// let sessions: RcuList<(u64, String)> = RcuList::new();
/// sessions.lock().add((1, "a".into())); // list_add_rcu, under the lock
/// let guard = epoch::pin(); // rcu_read_lock
/// let name = sessions.iter(&guard).find(|s| s.0 == 1).map(|s| s.1.clone());
/// assert_eq!(name.as_deref(), Some("a"));
/// let removed = sessions.lock().del_first(&guard, |s| s.0 == 1).unwrap(); // list_del_rcu
/// assert_eq!(removed.1, "a"); // still readable: readers may stand on it
/// removed.defer_destroy(); // kfree_rcu
/// drop(guard); // rcu_read_unlock
/// ```
///
/// A list on a collector of its own ([`RcuList::with_collector`], `unsafe` because of a
/// crossbeam-epoch bug) is best pinned through [`RcuList::register`]'s handles.
///
/// # Invariants
/// - `head` and every entry's `next` are written only by the holder of `writer` (the spinlock);
///   a link is published with a release store, after the entry it points to is initialized
///   (`rcu_assign_pointer`), and readers load it with an acquire load (`rcu_dereference`).
/// - Every node reachable from `head` came from `Owned::new` in [`RcuWriter`], is on the list,
///   is alive and is owned by the list; `writer`'s `len` counts them. A node is unlinked at most
///   once, and from then on it belongs to the one [`Retired`](crate::Retired) that unlinking
///   made: it is never linked again, so it is destroyed once.
/// - Entries keep their relative order and are never moved or relinked, so every link, even one
///   left in an unlinked entry, points to an entry after it: no walk cycles.
/// - Every guard this list accepts pins `collector`, so a grace period that destroys a removed
///   entry waits for every reader that could still stand on it.
pub struct RcuList<T: Send + 'static, P: Platform = Std> {
    head: Atomic<Node<T>>,
    writer: SpinLock<Links, P>,
    collector: Collector,
}

impl<T: Send + 'static, P: Platform> RcuList<T, P> {
    /// An empty list on crossbeam-epoch's default collector: readers pin it with
    /// `crossbeam_epoch::pin()` (or through [`RcuList::register`]).
    pub fn new() -> Self {
        // SAFETY: the default collector lives in a static that is never dropped, so every handle
        // and guard of it is dropped while a `Collector` of it (the static's) is alive.
        unsafe { Self::with_collector(crossbeam_epoch::default_collector().clone()) }
    }

    /// An empty list on `collector`: readers and writers pin a handle of it, best one from
    /// [`RcuList::register`], which meets the contract below on its own.
    ///
    /// ```
    /// use lifecycle_list::epoch::Collector;
    /// use lifecycle_list::RcuList;
    ///
    /// // SAFETY: the only handle of the collector comes from `register`, which keeps a
    /// // `Collector` of its own alive until after its registration and its guards are gone.
    /// let list: RcuList<u64> = unsafe { RcuList::with_collector(Collector::new()) };
    /// let handle = list.register();
    /// list.lock().add(1);
    /// assert_eq!(list.iter(&handle.pin()).count(), 1);
    /// drop(list); // the list may go first: the handle keeps the collector
    /// drop(handle);
    /// ```
    ///
    /// # Safety
    /// Every `LocalHandle` and `Guard` of `collector` (whoever registered it: through
    /// [`RcuList::collector`], through a guard's `collector()`, or on a `Collector` the caller
    /// kept) must be dropped while a `Collector` of it is still alive: the list, or a clone
    /// (an [`RcuHandle`](crate::RcuHandle) holds one, so handles from [`RcuList::register`] and
    /// their guards always meet this).
    ///
    /// Why: crossbeam-epoch 0.9 (0.9.21 included) frees a collector's global data, and with it
    /// every registration (`Local`), when its last `Collector` is dropped. Each registration
    /// holds a `Collector` of its own and drops it when its last handle or guard goes
    /// (`Local::finalize`); if that was the last one, the registration is freed while
    /// `LocalHandle::drop` or `Guard::drop` still borrows it, which is undefined behaviour
    /// (crossbeam-rs/crossbeam#545, open; Miri reports it under Stacked and Tree Borrows). The
    /// list lends its collector to anyone ([`RcuList::collector`]) and may be dropped before
    /// them, so only the caller can promise the order.
    pub unsafe fn with_collector(collector: Collector) -> Self {
        RcuList {
            head: Atomic::null(),
            writer: SpinLock::new(Links { len: 0 }),
            collector,
        }
    }

    /// The collector whose guards this list accepts. A handle registered on it directly
    /// (`collector().register()`) falls under [`RcuList::with_collector`]'s contract when the
    /// list was made by it (on the default collector, [`RcuList::new`], any order is fine);
    /// [`RcuList::register`] gives one that needs no care.
    pub fn collector(&self) -> &Collector {
        &self.collector
    }

    /// Registers a participant of the list's collector for the calling thread: its
    /// [`RcuHandle::pin`](crate::RcuHandle::pin) gives the guards [`RcuList::iter`] and
    /// [`RcuWriter::del_first`] take. The handle keeps a `Collector` of its own alive until
    /// after its registration is gone, and its guards borrow it, so the list, the handle and its
    /// guards may be dropped in any order the borrow checker allows (crossbeam-rs/crossbeam#545
    /// cannot be reached through it).
    pub fn register(&self) -> RcuHandle {
        RcuHandle::new(&self.collector)
    }

    /// Takes the list's lock: the writer it gives is the only way to change the list. The lock's
    /// poison is ignored: every change is a single store to a link, so a writer that panicked
    /// left the list well formed, and writers never change an entry's value.
    ///
    /// # Panics
    /// When the calling thread already holds this list's lock (an [`RcuWriter`] of it is alive
    /// on this thread, or was leaked there), which would otherwise spin forever. The usual way
    /// there is an entry's destructor that takes its own list's lock, run by crossbeam-epoch
    /// inside a `pin()` or `flush()` of a thread that holds the lock: `T::drop` must not take
    /// this list's lock (see [`RcuList`]).
    pub fn lock(&self) -> RcuWriter<'_, T, P> {
        RcuWriter::new(self)
    }

    /// `list_for_each_entry_rcu`: the entries, first to last, each borrowed for as long as both
    /// the list and the guard are, with no lock taken. Entries added or removed during the walk
    /// may or may not be seen; an entry seen stays alive until the guard is dropped.
    ///
    /// # Panics
    /// When `guard` does not pin this list's collector (an unprotected guard included): a grace
    /// period of another collector would not wait for this reader.
    pub fn iter<'g>(&'g self, guard: &'g Guard) -> RcuIter<'g, T> {
        RcuIter::new(self, guard)
    }

    /// Panics unless `guard` pins this list's collector.
    pub(crate) fn check_guard(&self, guard: &Guard) {
        assert!(
            guard.collector() == Some(&self.collector),
            "an RcuList accepts only guards that pin its own collector: a grace period of \
             another collector does not wait for this list's readers"
        );
    }

    /// The first link, for the writer and the walk.
    pub(crate) fn head(&self) -> &Atomic<Node<T>> {
        &self.head
    }

    /// The list's lock, which only [`RcuWriter::new`] takes.
    pub(crate) fn links_lock(&self) -> &SpinLock<Links, P> {
        &self.writer
    }
}

impl<T: Send + 'static, P: Platform> Default for RcuList<T, P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static, P: Platform> Drop for RcuList<T, P> {
    fn drop(&mut self) {
        // Under a checker while panicking the execution is abandoned; touching its atomics while
        // unwinding would panic again (see `SafeList`'s drop): the entries leak.
        if P::IS_CHECKER && std::thread::panicking() {
            return;
        }
        // SAFETY: `&mut self`: no reader holds a reference into the list (a reader's references
        // borrow it) and no writer holds its lock, so nothing else touches the entries still on
        // it; the unprotected guard is used only to read their links.
        let guard = unsafe { crossbeam_epoch::unprotected() };
        let mut current = self.head.load(Ordering::Relaxed, guard);
        // SAFETY: the nodes reachable from `head` are alive and owned by the list (the type's
        // invariants), so each one is turned back into its `Owned` once and dropped; an unlinked
        // node pointing at one of them never frees what it points to (a link owns nothing).
        while let Some(node) = unsafe { current.as_ref() } {
            let next = node.next.load(Ordering::Relaxed, guard);
            // SAFETY: as above.
            drop(unsafe { current.into_owned() });
            current = next;
        }
    }
}

impl<T: Send + 'static, P: Platform> std::fmt::Debug for RcuList<T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RcuList")
            .field("collector", &self.collector)
            .finish_non_exhaustive()
    }
}
