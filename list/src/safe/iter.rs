//! `SafeIter`: the plain walk of a [`SafeList`](crate::SafeList) (`list_for_each_entry`),
//! yielding the entries' tokens borrowed for as long as the list is.

use crate::iter::Iter;
use crate::platform::Platform;
use crate::safe::link_token::LinkToken;
use crate::safe::safe_list::SafeList;
use crate::safe::token_ref::TokenRef;
use std::marker::PhantomData;

/// The entries of a [`SafeList`](crate::SafeList), first to last, as borrowed tokens.
///
/// # Invariants
/// `raw` walks a list borrowed shared for `'a` (no link is written meanwhile), bounded by its
/// exact length; every node it yields is the stored pointer of an entry whose token the list
/// holds.
pub struct SafeIter<'a, K: LinkToken<ID, P>, const ID: u64, P: Platform> {
    raw: Iter<'a, P>,
    _tokens: PhantomData<&'a K>,
}

impl<'a, K: LinkToken<ID, P>, const ID: u64, P: Platform> SafeIter<'a, K, ID, P> {
    /// Wraps the raw walk of a borrowed safe list.
    pub(crate) fn new(raw: Iter<'a, P>) -> Self {
        SafeIter {
            raw,
            _tokens: PhantomData,
        }
    }
}

impl<'a, K: LinkToken<ID, P>, const ID: u64, P: Platform> Iterator for SafeIter<'a, K, ID, P> {
    type Item = TokenRef<'a, K>;

    fn next(&mut self) -> Option<TokenRef<'a, K>> {
        let node = self.raw.next()?.unwrap_or_else(|error| {
            panic!(
                "safe list invariant broken: its walk failed ({error}), but only tokens link \
                 entries and the walk is bounded by the exact length"
            )
        });
        // SAFETY: `node` is the stored pointer of an entry; the list keeps its token for `'a`.
        Some(unsafe { TokenRef::new(SafeList::<K, ID, P>::token_of(node)) })
    }
}

impl<K: LinkToken<ID, P>, const ID: u64, P: Platform> std::fmt::Debug for SafeIter<'_, K, ID, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SafeIter")
    }
}
