//! `TokenRef`: a token that a [`SafeList`](crate::SafeList) holds, borrowed for as long as the
//! list is (Rust-for-Linux's `ArcBorrow`).

use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::Deref;

/// A borrow of a token the list holds: `&K` for the borrow of the list, through which a lookup
/// takes what outlives the lock (`lifecycle-slab`'s `Token::to_ref`).
///
/// # Invariants
/// `token` was made by `LinkToken::from_raw` of a pointer the list holds, and is never dropped;
/// the list cannot drop or give away its token while `'a` lasts (it is borrowed).
pub struct TokenRef<'a, K> {
    token: ManuallyDrop<K>,
    _list: PhantomData<&'a K>,
}

impl<K> TokenRef<'_, K> {
    /// Wraps a token made from a raw pointer the list keeps.
    ///
    /// # Safety
    /// `token` stays the list's for the whole borrow `'a` (the caller ties `'a` to a borrow of
    /// the list), and is never dropped as a value.
    pub(crate) unsafe fn new(token: K) -> Self {
        TokenRef {
            token: ManuallyDrop::new(token),
            _list: PhantomData,
        }
    }
}

impl<K> Deref for TokenRef<'_, K> {
    type Target = K;
    fn deref(&self) -> &K {
        &self.token
    }
}

impl<K: std::fmt::Debug> std::fmt::Debug for TokenRef<'_, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TokenRef").field(&*self.token).finish()
    }
}
