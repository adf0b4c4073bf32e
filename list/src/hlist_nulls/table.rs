//! `HlistNullsTable`: a hash table of N `hlist_nulls` chains, chain `i` ending in the marker of
//! `i`, the layout Documentation/RCU/rculist_nulls.rst assumes ("store the slot number as the
//! 'nulls' end-of-list marker for each slot of the hash table"), as the kernel's TCP table of
//! established sockets does (net/ipv4/tcp.c: `INIT_HLIST_NULLS_HEAD(&tcp_hashinfo.ehash[i].chain,
//! i)`).

use crate::list_head::CheckMode;
use crate::platform::{Platform, Std};
use std::ptr::NonNull;

use super::{chain_of, HlistNullsHead};

/// N chains, chain `i` made with `INIT_HLIST_NULLS_HEAD(&table[i], base + i)` (`base` 0 unless
/// made with [`HlistNullsTable::with_nulls_base`]); a key's chain is [`chain_of`]`(key, N)`.
///
/// # Invariants
/// - Head `i` carries the nulls value `nulls_base + i`.
/// - `heads` comes from `Box::into_raw` in [`HlistNullsTable::with_checks`], is owned by the
///   table and freed only by `Drop`: one heap allocation, never reallocated, so moving the
///   table moves only the pointer to it and the heads stay where hashed nodes' `pprev`s point
///   for as long as the table lives (point 1 of the chain discipline, for the heads). Dropping
///   the table while nodes are hashed on it is the caller's to avoid: those nodes' `pprev`s
///   would dangle, and the `unsafe` operations that write through them require their heads
///   alive.
///
/// The table has no lock: its users pair it with one (a spinlock per table or per chain) that
/// every writer holds, as the chain discipline requires.
pub struct HlistNullsTable<P: Platform = Std> {
    /// The heads, reached through a raw pointer and not a `Box<[HlistNullsHead]>`: hashed nodes
    /// hold pointers into them, and moving a `Box` (as moving the table does) asserts that it is
    /// the only pointer to its contents (Stacked and Tree Borrows retag it as unique), which
    /// would invalidate theirs. A box escapes that only because `HlistNullsHead` is `!Unpin`;
    /// a raw pointer is never retagged, so the table does not depend on that (as `SafeList`
    /// holds its head).
    heads: NonNull<[HlistNullsHead<P>]>,
    /// The nulls value of chain 0.
    nulls_base: usize,
}

// SAFETY: the table owns its heads as a `Box<[HlistNullsHead<P>]>` would, and
// `HlistNullsHead<P>` is `Send + Sync`.
unsafe impl<P: Platform> Send for HlistNullsTable<P> {}
// SAFETY: as above; shared access gives only `&HlistNullsHead<P>`.
unsafe impl<P: Platform> Sync for HlistNullsTable<P> {}

impl<P: Platform> Drop for HlistNullsTable<P> {
    fn drop(&mut self) {
        // SAFETY: `heads` came from `Box::into_raw` in `with_checks` and is freed only here, once.
        drop(unsafe { Box::from_raw(self.heads.as_ptr()) });
    }
}

impl<P: Platform> std::fmt::Debug for HlistNullsTable<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HlistNullsTable")
            .field("chains", &self.chains())
            .finish_non_exhaustive()
    }
}

impl<P: Platform> HlistNullsTable<P> {
    /// A table of `chains` empty chains with the build's default [`CheckMode`].
    ///
    /// # Panics
    /// If `chains` is 0.
    pub fn new(chains: usize) -> Self {
        Self::with_checks(chains, CheckMode::build_default())
    }

    /// A table of `chains` empty chains whose heads have the given check mode.
    ///
    /// # Panics
    /// If `chains` is 0.
    pub fn with_checks(chains: usize, checks: CheckMode) -> Self {
        Self::with_nulls_base(chains, 0, checks)
    }

    /// A table of `chains` empty chains whose markers carry `nulls_base + i`: two tables an
    /// entry may move between need bases far enough apart that no chain of one shares a marker
    /// with a chain of the other, or a reader carried from one to the other ends on a marker
    /// that looks like its own (the kernel gives its listening hash `LISTENING_NULLS_BASE`, and
    /// commit c25eb3bfb972 gave UDP's tables separate bases for that reason).
    ///
    /// # Panics
    /// If `chains` is 0, or the last marker's value would exceed [`super::MAX_NULLS`].
    pub fn with_nulls_base(chains: usize, nulls_base: usize, checks: CheckMode) -> Self {
        assert!(chains > 0, "a hash table has at least one chain");
        assert!(
            nulls_base
                .checked_add(chains - 1)
                .is_some_and(|last| last <= super::MAX_NULLS),
            "nulls base {nulls_base:#x} with {chains} chains does not fit in a marker"
        );
        let heads: Box<[HlistNullsHead<P>]> = (0..chains)
            .map(|chain| HlistNullsHead::with_checks(nulls_base + chain, checks))
            .collect();
        // INVARIANT: the heads' one allocation, owned by the table from here on.
        HlistNullsTable {
            // SAFETY: `Box::into_raw` never returns null.
            heads: unsafe { NonNull::new_unchecked(Box::into_raw(heads)) },
            nulls_base,
        }
    }

    /// How many chains the table has.
    pub fn chains(&self) -> usize {
        self.heads.len()
    }

    /// The nulls value chain 0's marker carries (chain `i`'s carries this plus `i`).
    pub fn nulls_base(&self) -> usize {
        self.nulls_base
    }

    /// The chain of this table whose marker carries `nulls`, if any: where a walk that ended on
    /// that marker ended.
    pub fn chain_of_nulls(&self, nulls: usize) -> Option<usize> {
        nulls
            .checked_sub(self.nulls_base)
            .filter(|&chain| chain < self.chains())
    }

    /// Chain `chain`'s head.
    ///
    /// # Panics
    /// If `chain` is not below [`HlistNullsTable::chains`].
    pub fn head(&self, chain: usize) -> &HlistNullsHead<P> {
        &self.heads()[chain]
    }

    /// The chain `key` hashes to: [`chain_of`]`(key, self.chains())`.
    pub fn chain_of(&self, key: usize) -> usize {
        chain_of(key, self.chains())
    }

    /// The head of the chain `key` hashes to.
    pub fn head_of(&self, key: usize) -> &HlistNullsHead<P> {
        self.head(self.chain_of(key))
    }

    /// Every head, chain 0 first.
    pub fn heads(&self) -> &[HlistNullsHead<P>] {
        // SAFETY: `heads` is the table's live allocation (the invariant); the table hands out
        // only shared references to it, and the heads' links are interior-mutable.
        unsafe { self.heads.as_ref() }
    }
}
