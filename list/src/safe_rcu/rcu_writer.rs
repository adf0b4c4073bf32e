//! `RcuWriter`: the holder of an [`RcuList`](crate::RcuList)'s lock, the only way to change it,
//! with the updaters of Linux's `include/linux/rculist.h`: `list_add_rcu`, `list_add_tail_rcu`
//! (the entry's link written first, then published by `rcu_assign_pointer`, a release store)
//! and `list_del_rcu` (unlinked with a release store, its own `next` left for readers standing
//! on it), on crossbeam-epoch's `Atomic` links.

use crate::platform::{Platform, Std};
use crate::safe_rcu::node::Node;
use crate::safe_rcu::rcu_list::RcuList;
use crate::safe_rcu::retired::Retired;
use crate::spinlock::SpinGuard;
use crossbeam_epoch::{Atomic, Guard, Owned};
use std::marker::PhantomData;
use std::sync::atomic::Ordering;

/// What the list's lock protects besides the links: their count.
#[derive(Debug)]
pub(crate) struct Links {
    pub(crate) len: usize,
}

/// Reports a thread taking an [`RcuList`]'s lock while it holds it, which would otherwise spin
/// forever. Cold and out of line.
#[cold]
#[inline(never)]
fn locked_twice() -> ! {
    panic!(
        "RcuList::lock: this thread already holds this list's lock, and would wait for itself \
         forever. An entry's destructor (`T::drop`) must not take its own list's lock: \
         crossbeam-epoch runs deferred destructors inside `pin()`, `Guard::flush()` and the drop \
         of a handle or guard, on whichever thread calls them, including one that holds the lock \
         (as Linux's call_rcu callbacks must not take a lock held around call_rcu)"
    )
}

/// Reports a broken invariant of the RCU list. Cold and out of line.
#[cold]
#[inline(never)]
fn broken(what: &str) -> ! {
    panic!(
        "rcu list invariant broken: {what}; only the lock's writer links entries, each one once, \
         so only unsafe code breaking a contract can make this happen"
    )
}

/// The lock of an [`RcuList`](crate::RcuList), held: adds and removes entries while readers
/// walk the list with no lock. Dropping it releases the lock.
///
/// A writer stays on the thread that took the lock (it is not `Send`, like
/// `std::sync::MutexGuard`), so that the lock's holder is always the thread the writer is on:
/// [`RcuList::lock`] relies on that to tell a thread that takes the lock twice.
///
/// # Destructors of entries
/// An entry's destructor (`T::drop`) must not take this list's lock (nor any lock its thread
/// may hold while it pins): crossbeam-epoch runs deferred destructors inside `pin()`,
/// `Guard::flush()` and the drop of a handle or guard, on whichever thread calls them, and a
/// writer that pins under the lock (for [`RcuWriter::del_first`]'s guard) may run one while it
/// holds the lock. Linux asks the same of `call_rcu` callbacks, which must not take a lock held
/// around `call_rcu`. [`RcuList::lock`] panics then, rather than spin forever.
///
/// # Invariants
/// - `links` is the guard of `list`'s own lock, so this writer is the only one: every link of
///   the list is written through it, and a plain (`Relaxed`) load of a link sees the last store
///   (the lock orders every writer's stores before the next writer's loads).
/// - Every node reachable from the list's head is alive while the lock is held: nodes are
///   destroyed only after they are unlinked, and unlinking needs the lock.
/// - The writer is on the thread that took the lock (`_not_send`), so the lock's holder
///   ([`SpinLock::holder`](crate::SpinLock::holder)) is this thread for as long as it lives.
pub struct RcuWriter<'a, T: Send + 'static, P: Platform = Std> {
    list: &'a RcuList<T, P>,
    links: SpinGuard<'a, Links, P>,
    /// Not `Send`, still `Sync` (as `MutexGuard<()>`): a shared writer only reads the count.
    _not_send: PhantomData<std::sync::MutexGuard<'static, ()>>,
}

impl<'a, T: Send + 'static, P: Platform> RcuWriter<'a, T, P> {
    /// Takes `list`'s own lock. It takes the lock itself rather than a guard from its caller,
    /// so that the type's invariants are established here and no caller can break them (a guard
    /// of another list's lock would let two writers change this one). The lock's poison is
    /// ignored (see [`RcuList::lock`]).
    ///
    /// # Panics
    /// When the calling thread already holds the lock (see [`RcuList::lock`]).
    pub(crate) fn new(list: &'a RcuList<T, P>) -> Self {
        let lock = list.links_lock();
        // The holder word is a racy snapshot, but exact for this question: this thread's id is
        // written only by this thread, when it takes the lock, and cleared by its writer's drop
        // on this same thread (writers are not `Send`) before the lock is released. So this
        // thread reads its own id exactly when it holds the lock (or leaked a writer); a stale
        // value it may read is another thread's id, or none.
        if lock.holder() == Some(P::thread_id()) {
            locked_twice();
        }
        let links = lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // INVARIANT: `links` is the guard of `list`'s own lock, just taken by this thread, and
        // the writer stays on it.
        RcuWriter {
            list,
            links,
            _not_send: PhantomData,
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.links.len
    }

    /// Whether the list has no entry.
    pub fn is_empty(&self) -> bool {
        self.links.len == 0
    }

    /// A guard for the writer's own walks, which never reach a node that could be destroyed:
    /// under the lock every node reachable from the head is alive (the type's invariants).
    fn walk_guard() -> &'static Guard {
        // SAFETY: used only to load links from the head under the lock, never to defer a
        // destruction nor to reach an unlinked node (see above).
        unsafe { crossbeam_epoch::unprotected() }
    }

    /// Publishes a new entry holding `value` at `link`, in front of what `link` points to now.
    fn publish(&mut self, link: &Atomic<Node<T>>, value: T) {
        let guard = Self::walk_guard();
        let next = link.load(Ordering::Relaxed, guard);
        // The entry's own link first, while nobody else can see the entry.
        let node = Owned::new(Node {
            value,
            next: Atomic::from(next),
        });
        // `rcu_assign_pointer(*link, node)`: the release store orders the entry's
        // initialization before any reader's acquire load that finds it.
        // INVARIANT: a new node, reachable from the head, owned by the list, counted in `len`.
        link.store(node, Ordering::Release);
        self.links.len += 1;
    }

    /// `list_add_rcu`: puts `value` first. Readers already past the head do not see it; later
    /// ones do, with everything written to `value` before.
    pub fn add(&mut self, value: T) {
        let list = self.list;
        self.publish(list.head(), value);
    }

    /// `list_add_tail_rcu`: puts `value` last (a walk from the head, under the lock, to the
    /// last link).
    ///
    /// # Panics
    /// When the list holds more entries than its count says (a broken invariant).
    pub fn add_tail(&mut self, value: T) {
        let guard = Self::walk_guard();
        let mut link = self.list.head();
        for _ in 0..self.links.len {
            let node = link.load(Ordering::Relaxed, guard);
            // SAFETY: a node reachable from the head under the lock is alive (the type's
            // invariants).
            match unsafe { node.as_ref() } {
                Some(node) => link = &node.next,
                None => broken("the list ends before its count of entries"),
            }
        }
        if !link.load(Ordering::Relaxed, guard).is_null() {
            broken("the list goes on past its count of entries");
        }
        self.publish(link, value);
    }

    /// `list_del_rcu` of the first entry for which `matches` is true: unlinks it (readers
    /// already standing on it still go on from it) and gives it back as a [`Retired`], which
    /// defers its destruction past a grace period of `guard`'s collector. `None` when no entry
    /// matches; nothing changes then. `matches` runs with the lock held.
    ///
    /// # Panics
    /// When `guard` does not pin the list's collector (an unprotected guard included).
    #[must_use = "the removed entry is destroyed after a grace period when its `Retired` is \
                  dropped; say so with `defer_destroy`"]
    pub fn del_first<'g>(
        &mut self,
        guard: &'g Guard,
        mut matches: impl FnMut(&T) -> bool,
    ) -> Option<Retired<'g, T, P>> {
        self.list.check_guard(guard);
        let walk = Self::walk_guard();
        let mut link = self.list.head();
        loop {
            let current = link.load(Ordering::Relaxed, walk);
            // SAFETY: a node reachable from the head under the lock is alive (the type's
            // invariants); `None` at the end of the list. The walk ends: links point forward.
            let node = unsafe { current.as_ref() }?;
            if matches(&node.value) {
                let next = node.next.load(Ordering::Relaxed, walk);
                // `rcu_assign_pointer(prev->next, next)`: a release store, so that a reader
                // who reaches `next` through it synchronizes with the writer who read `next`
                // (C11 has no address dependency: `ListHead::del_rcu` says how this was found).
                // The entry's own `next` stays for readers standing on it.
                link.store(next, Ordering::Release);
                // INVARIANT: unlinked once, under the lock; `len` no longer counts it and the
                // node now belongs to the `Retired` alone.
                self.links.len -= 1;
                // SAFETY: `current` is the node just unlinked: no new reader can reach it, it is
                // handed out once, and `guard` pins the list's collector (checked above).
                return Some(unsafe { Retired::new(current, guard) });
            }
            link = &node.next;
        }
    }
}

impl<T: Send + 'static, P: Platform> std::fmt::Debug for RcuWriter<'_, T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RcuWriter")
            .field("len", &self.links.len)
            .finish_non_exhaustive()
    }
}
