//! `WalkSafe` and `SafeEntry`: the deletion-tolerant walk of a [`SafeList`]
//! (`list_for_each_entry_safe`): the next link is read before an entry is handed out, so the
//! entry may be unlinked on the way. A lending iterator: each entry borrows the walk.

use crate::list_head::ListHead;
use crate::platform::Platform;
use crate::safe::link_token::LinkToken;
use crate::safe::safe_list::SafeList;
use crate::safe::token_ref::TokenRef;
use std::ops::Deref;
use std::ptr::{self, NonNull};

/// A walk over a list borrowed `&mut`, whose entries may be unlinked as they come.
///
/// # Invariants
/// - `next` is the link read out of the entry handed out last (the head's `next` at first):
///   an entry of the list or its head, since only the entry handed out last can be unlinked.
/// - `remaining` bounds the entries still to come (the list's length at the start minus those
///   handed out); handing out more would mean a cycle, which the list's invariants rule out.
pub struct WalkSafe<'a, K: LinkToken<ID, P>, const ID: u64, P: Platform> {
    list: &'a mut SafeList<K, ID, P>,
    head: *const ListHead<P>,
    next: *const ListHead<P>,
    remaining: usize,
}

impl<'a, K: LinkToken<ID, P>, const ID: u64, P: Platform> WalkSafe<'a, K, ID, P> {
    /// Starts a walk at the list's first entry.
    pub(crate) fn new(list: &'a mut SafeList<K, ID, P>) -> Self {
        let (next, head) = list.walk_start();
        let remaining = list.len();
        WalkSafe {
            list,
            head,
            next,
            remaining,
        }
    }

    /// The next entry, or `None` at the end of the list. Not an `Iterator`: the entry borrows the
    /// walk, so at most one exists at a time and nothing else can change the list meanwhile.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<SafeEntry<'_, K, ID, P>> {
        if ptr::eq(self.next, self.head) {
            return None;
        }
        assert!(
            self.remaining > 0,
            "safe list invariant broken: the walk made more steps than the list had entries, \
             which only a cycle can do, and tokens rule cycles out"
        );
        self.remaining -= 1;
        let node = self.next;
        // Read ahead: unlinking `node` poisons its links, so its successor is read first.
        // SAFETY: `node` is an entry of the list (the type's invariants), which the walk
        // borrows `&mut`.
        // INVARIANT: `next` is read out of the entry handed out now, and `remaining` counted it.
        self.next = unsafe { (*node).next_ptr() };
        // SAFETY: an entry's stored pointer is not null.
        let node = unsafe { NonNull::new_unchecked(node.cast_mut()) };
        // SAFETY: the list keeps the entry's token while the entry borrows the walk; `del`
        // takes it over from the list only by consuming the entry.
        let token = unsafe { TokenRef::new(SafeList::<K, ID, P>::token_of(node)) };
        Some(SafeEntry {
            list: &mut *self.list,
            node,
            token,
        })
    }
}

impl<K: LinkToken<ID, P>, const ID: u64, P: Platform> std::fmt::Debug for WalkSafe<'_, K, ID, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalkSafe")
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

/// An entry handed out by [`WalkSafe::next`]: its token, borrowed, and the right to unlink it.
pub struct SafeEntry<'w, K: LinkToken<ID, P>, const ID: u64, P: Platform> {
    list: &'w mut SafeList<K, ID, P>,
    node: NonNull<ListHead<P>>,
    token: TokenRef<'w, K>,
}

impl<K: LinkToken<ID, P>, const ID: u64, P: Platform> SafeEntry<'_, K, ID, P> {
    /// `list_del` of this entry: unlinks it and gives its token back. The walk goes on from
    /// the link it read before handing the entry out.
    pub fn del(self) -> K {
        // SAFETY: `node` is the stored pointer of an entry of `list`; the borrowed token in
        // `self.token` is never dropped (`TokenRef`), so the list's one token moves out here.
        unsafe { self.list.unlink(self.node) }
    }
}

impl<K: LinkToken<ID, P>, const ID: u64, P: Platform> Deref for SafeEntry<'_, K, ID, P> {
    type Target = K;
    fn deref(&self) -> &K {
        &self.token
    }
}

impl<K: LinkToken<ID, P>, const ID: u64, P: Platform> std::fmt::Debug for SafeEntry<'_, K, ID, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafeEntry")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}
