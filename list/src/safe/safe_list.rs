//! `SafeList`: an intrusive list whose entries are held by their tokens, after Rust-for-Linux's
//! `kernel::list::List`, on the raw [`ListHead`] of include/linux/list.h. `add` consumes a
//! token and `del` gives it back; every change takes `&mut self`, which a shared list only gives
//! through its lock's guard.

use crate::list_head::{CheckMode, ListHead};
use crate::platform::{Platform, Std};
use crate::safe::has_list_link::HasListLink;
use crate::safe::iter::SafeIter;
use crate::safe::link_token::LinkToken;
use crate::safe::list_link::ListLink;
use crate::safe::not_on_this_list::NotOnThisList;
use crate::safe::token_ref::TokenRef;
use crate::safe::walk_safe::WalkSafe;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Hands out list ids (never 0, which a [`ListLink`] on no list holds).
static NEXT_LIST_ID: AtomicUsize = AtomicUsize::new(1);

/// The next list id, refusing to wrap (a repeated id would let one list unlink another's
/// entries).
///
/// # Panics
/// When every id up to `usize::MAX - 1` has been handed out.
fn next_list_id() -> usize {
    NEXT_LIST_ID
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |id| id.checked_add(1))
        .unwrap_or_else(|last| {
            panic!(
                "safe list ids exhausted: every id below {last:#x} was handed out, and list ids \
                 must be unique so that a list never unlinks another list's entries"
            )
        })
}

/// Reports a broken invariant of the safe list: a raw operation refused what the tokens make
/// impossible. Cold and out of line, so the operations themselves stay small enough to inline.
#[cold]
#[inline(never)]
fn broken(what: &str, error: &crate::error::ListError) -> ! {
    panic!(
        "safe list invariant broken: {what} ({error}); a token is the only right to link its \
         value and only its list unlinks it, so only unsafe code breaking a contract can make \
         this happen"
    )
}

/// A list of values, each on it through the [`LinkToken`] it holds for it; the values' links
/// are their [`ListLink`] for lists with ID `ID`.
///
/// # Invariants
/// - `head` comes from `Box::into_raw`, is owned by this list and freed only by `Drop`, so it
///   never moves; it is initialized, and the list is well formed: every entry's `next.prev` and
///   `prev.next` is the entry, and it holds exactly `len` entries, so no walk can cycle.
/// - Every entry is the `ID` link of a value whose token the list holds in raw form (it was
///   linked through the pointer `LinkToken::into_raw` returned, so it keeps that provenance),
///   and that link's owner word is `id`. So, by [`LinkToken`]'s contract, nothing but this list
///   touches the entries' links, and every entry is alive.
/// - `id` is unique in the process (never 0, never reused).
/// - Every link write happens under `&mut self`; reads under `&self`. A list shared between
///   threads gives `&mut` only through its lock's guard (`SpinLock<SafeList<..>>`), which makes
///   the raw list discipline (point 2) the borrow checker's business.
pub struct SafeList<K: LinkToken<ID, P>, const ID: u64 = 0, P: Platform = Std> {
    /// The head, on the heap and reached through a raw pointer, not a `Box<ListHead>`: the
    /// entries hold pointers to the head, and moving a `Box` (as moving the list does) asserts
    /// that the box is the only pointer to its contents (Stacked and Tree Borrows retag it as
    /// unique), which would invalidate the entries' pointers: undefined behaviour from a safe
    /// `let moved = list;`. A `Box<ListHead>` escapes that only because `ListHead` is `!Unpin`
    /// (its `PhantomPinned`), which exempts the box from the unique retag; a raw pointer is never
    /// retagged, so the list does not depend on that. `SafeSlab` holds its raw slab the same way.
    head: NonNull<ListHead<P>>,
    id: usize,
    len: usize,
    /// The list owns the tokens of its entries.
    _tokens: PhantomData<K>,
}

// SAFETY: what a `Box<ListHead<P>>` head gave (`ListHead` is `Send`): the list owns its head
// alone, and moving the list moves the head's ownership; the entries' tokens move with it, so
// `K: Send`.
unsafe impl<K: LinkToken<ID, P> + Send, const ID: u64, P: Platform> Send for SafeList<K, ID, P> {}
// SAFETY: as for a `Box<ListHead<P>>` head (`ListHead` is `Sync`): through `&SafeList` the head's
// links are only read, and the tokens are only lent as `&K` (`TokenRef`), so `K: Sync`.
unsafe impl<K: LinkToken<ID, P> + Sync, const ID: u64, P: Platform> Sync for SafeList<K, ID, P> {}

impl<K: LinkToken<ID, P>, const ID: u64, P: Platform> SafeList<K, ID, P> {
    /// An empty list with the build's default [`CheckMode`] for its head.
    pub fn new() -> Self {
        Self::with_checks(CheckMode::build_default())
    }

    /// An empty list whose head has the given check mode.
    pub fn with_checks(checks: CheckMode) -> Self {
        // SAFETY: a `Box`'s pointer is never null.
        let head = unsafe {
            NonNull::new_unchecked(Box::into_raw(Box::new(ListHead::with_checks(checks))))
        };
        // SAFETY: the head is on the heap (it will not move), alive until `Drop`, and not shared
        // yet.
        unsafe { head.as_ref().init() };
        // INVARIANT: `head` comes from a `Box`, is initialized, and the list is empty.
        SafeList {
            head,
            id: next_list_id(),
            len: 0,
            _tokens: PhantomData,
        }
    }

    /// This list's id, as [`NotOnThisList`] names it.
    pub fn id(&self) -> usize {
        self.id
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list has no entry.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The raw head, for diagnostics (its address; reading its links is `unsafe`).
    pub fn head(&self) -> &ListHead<P> {
        // SAFETY: the head is alive until `Drop` (the type's invariants), and only `&` is made:
        // its links are cells, so a shared reference does not freeze them.
        unsafe { self.head.as_ref() }
    }

    /// The raw list node of the value a token stands for.
    ///
    /// # Safety
    /// `object` came from `LinkToken::into_raw` (its value is alive and in place).
    #[inline]
    unsafe fn node_of(object: NonNull<K::Target>) -> NonNull<ListHead<P>> {
        // SAFETY: forwarded from the caller; `ListLink` is `repr(C)` with its `ListHead` first,
        // so the cast keeps the address and the provenance.
        unsafe { K::Target::list_link_ptr(object) }.cast()
    }

    /// The token of an entry, back from its raw form.
    ///
    /// # Safety
    /// `node` is the stored pointer of an entry of this list (or was, until the `del` that gives
    /// the token back); the caller takes the token over from the list.
    #[inline]
    pub(crate) unsafe fn token_of(node: NonNull<ListHead<P>>) -> K {
        // SAFETY: the entry was linked through `node_of(into_raw(token))`, so `node` is that
        // pointer (`ListLink` starts with its `ListHead`) and `from_list_link` inverts it.
        unsafe { K::from_raw(K::Target::from_list_link(node.cast::<ListLink<ID, P>>())) }
    }

    /// Links the token's value after the head (or before it, `tail`), then records the owner.
    #[inline]
    fn link(&mut self, token: K, tail: bool) {
        let object = token.into_raw();
        // SAFETY: `into_raw` gives a pointer to a live value that stays put while its token is
        // held (the list holds it from now on).
        let node = unsafe { Self::node_of(object) };
        // SAFETY: `&mut self` orders this call with every other access to this list's links
        // (the type's invariants); the new node's links are touched by nobody else (the token
        // is the only right to link them); every node is alive; `node` has the provenance of
        // `into_raw`, which `token_of` needs.
        let linked = unsafe {
            if tail {
                self.head().add_tail(node)
            } else {
                self.head().add(node)
            }
        };
        if let Err(error) = linked {
            broken("a token's value could not be linked", &error);
        }
        // SAFETY: the value is alive (its token is held), and only `&` is made.
        // INVARIANT: the entry is linked through `into_raw`'s pointer and the list holds its
        // token in raw form; its owner word is now this list's id and `len` counts it.
        unsafe { K::Target::list_link_ptr(object).as_ref() }.set_owner(self.id);
        self.len += 1;
    }

    /// `list_add`: puts the token's value first (stack order). The list keeps the token until
    /// [`SafeList::del`], a [`SafeEntry::del`](crate::SafeEntry::del) or
    /// [`SafeList::pop_front`] gives it back; a second add of the same value would need a second
    /// token, which does not exist.
    #[inline]
    pub fn add(&mut self, token: K) {
        self.link(token, false);
    }

    /// `list_add_tail`: puts the token's value last (queue order).
    #[inline]
    pub fn add_tail(&mut self, token: K) {
        self.link(token, true);
    }

    /// `list_del`: unlinks `object` and gives its token back.
    ///
    /// # Errors
    /// [`NotOnThisList`] when `object` is not on this list (on no list, or on another list with
    /// the same ID); nothing is changed.
    #[inline]
    pub fn del(&mut self, object: &K::Target) -> Result<K, NotOnThisList> {
        let link = object.list_link();
        let owner = link.owner();
        if owner != self.id {
            return Err(NotOnThisList {
                list: self.id,
                owner,
            });
        }
        // The owner word is ours, so `object` is an entry of this list (`ListLink`'s
        // invariants). `&object.link` has the provenance of the field alone; the pointer the
        // list stored for it, read from its predecessor, has the one the token was linked with.
        // SAFETY: `&mut self`; the entry is linked, so its `prev` is a live node of this list.
        let node = unsafe { (*link.head().prev_ptr()).next_ptr() };
        debug_assert_eq!(
            node as usize,
            link.head().address(),
            "safe list invariant broken: an entry's predecessor does not point back at it"
        );
        // SAFETY: `node` is the stored pointer of an entry of this list (not null: it is the
        // entry's address).
        Ok(unsafe { self.unlink(NonNull::new_unchecked(node.cast_mut())) })
    }

    /// Unlinks the entry `node` and gives its token back.
    ///
    /// # Safety
    /// `node` is the stored pointer of an entry of this list.
    #[inline]
    pub(crate) unsafe fn unlink(&mut self, node: NonNull<ListHead<P>>) -> K {
        // SAFETY: `&mut self` orders this with every other access to the list's links; the
        // entry and its neighbours are alive (their tokens are held).
        if let Err(error) = unsafe { node.as_ref().del() } {
            broken("an entry could not be unlinked", &error);
        }
        // SAFETY: as above; `ListLink` starts with its `ListHead`, and only `&` is made.
        // INVARIANT: no longer an entry: its owner word is 0, `len` no longer counts it, and the
        // token leaves the list below.
        unsafe { node.cast::<ListLink<ID, P>>().as_ref() }.set_owner(0);
        self.len -= 1;
        // SAFETY: `node` was this list's entry; the list gives up its token here.
        unsafe { Self::token_of(node) }
    }

    /// Whether `object` is on this list.
    pub fn contains(&self, object: &K::Target) -> bool {
        object.list_link().owner() == self.id
    }

    /// The first entry's token, borrowed.
    pub fn front(&self) -> Option<TokenRef<'_, K>> {
        // SAFETY: `&self`: no link of this list is written while the borrow lasts.
        let first = unsafe { self.head().first() }?;
        // SAFETY: `first` is the stored pointer of an entry, whose token the list keeps for the
        // borrow of `self`.
        Some(unsafe { TokenRef::new(Self::token_of(first)) })
    }

    /// Unlinks the first entry and gives its token back.
    pub fn pop_front(&mut self) -> Option<K> {
        // SAFETY: `&mut self`.
        let first = unsafe { self.head().first() }?;
        // SAFETY: `first` is the stored pointer of an entry of this list.
        Some(unsafe { self.unlink(first) })
    }

    /// `list_for_each_entry`: the entries' tokens, borrowed, first to last. The walk borrows the
    /// list, so nothing can unlink an entry during it: a walk that deletes is
    /// [`SafeList::walk_safe`].
    pub fn iter(&self) -> SafeIter<'_, K, ID, P> {
        // SAFETY: `&self` for the iterator's lifetime: no link of this list is written; the walk
        // is bounded by `len`, the exact number of entries.
        SafeIter::new(unsafe { self.head().iter(self.len) })
    }

    /// `list_for_each_entry_safe`: a walk that reads the next link before it hands out an entry,
    /// so each entry may be unlinked ([`SafeEntry::del`](crate::SafeEntry::del)) on the way.
    pub fn walk_safe(&mut self) -> WalkSafe<'_, K, ID, P> {
        WalkSafe::new(self)
    }

    /// The first link to follow and the head's address, for [`WalkSafe`].
    pub(crate) fn walk_start(&self) -> (*const ListHead<P>, *const ListHead<P>) {
        // SAFETY: the caller holds `&mut self` for the walk (or `&self` to read).
        (unsafe { self.head().next_ptr() }, self.head.as_ptr())
    }
}

impl<K: LinkToken<ID, P>, const ID: u64, P: Platform> Default for SafeList<K, ID, P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: LinkToken<ID, P>, const ID: u64, P: Platform> Drop for SafeList<K, ID, P> {
    fn drop(&mut self) {
        // Under a checker while panicking, the execution failed and is abandoned: touching its
        // objects while unwinding would panic again (and a panic in a destructor during
        // unwinding aborts), so the entries stay linked, as they did with a boxed head.
        if !(P::IS_CHECKER && std::thread::panicking()) {
            // Unlink every entry and drop its token (a counted token may free its value now: it
            // is unlinked first, so the last reference never frees a linked value).
            while self.pop_front().is_some() {}
        }
        // SAFETY: `head` came from `Box::into_raw` in `with_checks` and is freed only here, once;
        // `&mut self` rules out every borrow of it.
        drop(unsafe { Box::from_raw(self.head.as_ptr()) });
    }
}

impl<K: LinkToken<ID, P>, const ID: u64, P: Platform> std::fmt::Debug for SafeList<K, ID, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafeList")
            .field("id", &self.id)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}
