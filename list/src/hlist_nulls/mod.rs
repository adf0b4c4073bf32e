//! `hlist_nulls`: hash chains that end in a "nulls" marker carrying the chain's number instead of
//! NULL, after Linux's include/linux/list_nulls.h and include/linux/rculist_nulls.h, for the
//! lockless lookup of Documentation/RCU/rculist_nulls.rst.
//!
//! A chain is an [`HlistNullsHead`] whose `first` link leads through [`HlistNullsNode`]s'
//! `next` links to a marker, `NULLS_MARKER(nulls) = (nulls << 1) | 1`: an odd word, which no
//! node's address can be (a node is pointer-aligned). A lockless reader
//! ([`HlistNullsHead::iter_rcu`]) that stands on an entry a writer moves to another chain walks
//! on along that chain and ends on *its* marker; [`NullsIter::end`] tells which one
//! ([`NullsEnd::EndedOn`]), and the lookup restarts when it is not the chain it began on. An
//! [`HlistNullsTable`] is N chains numbered by their markers, and [`chain_of`] hashes a key to
//! one.
//!
//! # Links are words, not typed pointers
//! A link holds a node's address or a marker. A marker is an address of no object, so it is a
//! pointer without provenance ([`std::ptr::without_provenance`], as the list's poison values
//! are), never made by an integer-to-pointer cast, and never followed: every read of a link
//! tests [`is_a_nulls`] before it treats the word as a node. The crate stays clean under Miri's
//! `-Zmiri-strict-provenance`.

use crate::platform::Platform;
use std::ptr;

mod head;
mod iter;
mod node;
mod table;

pub use head::HlistNullsHead;
pub use iter::{NullsEnd, NullsIter, NullsPosition};
pub use node::{HlistNullsNode, NodeLinks};
pub use table::HlistNullsTable;

/// A `first` or `next` link: a node's address, a nulls marker, or (a node never added) null.
type NodeLink<P> = <P as Platform>::Link<HlistNullsNode<P>>;

/// The largest nulls value a marker can carry: `(nulls << 1) | 1` must fit in a word.
pub const MAX_NULLS: usize = usize::MAX >> 1;

/// `NULLS_MARKER(nulls)`: the end-of-chain word `(nulls << 1) | 1`, a pointer without
/// provenance (it is never followed).
///
/// # Panics
/// If `nulls` exceeds [`MAX_NULLS`] (its shift would lose the top bit).
pub fn nulls_marker<P: Platform>(nulls: usize) -> *const HlistNullsNode<P> {
    assert!(
        nulls <= MAX_NULLS,
        "nulls value {nulls:#x} does not fit in a marker: at most {MAX_NULLS:#x}"
    );
    ptr::without_provenance((nulls << 1) | 1)
}

/// `is_a_nulls(ptr)`: `true` if the link word is a nulls marker (its lowest bit is set), not a
/// node.
pub fn is_a_nulls<T>(link: *const T) -> bool {
    link.addr() & 1 == 1
}

/// `get_nulls_value(ptr)`: the value a nulls marker carries. Meaningful only if
/// [`is_a_nulls`] is `true`.
pub fn get_nulls_value<T>(link: *const T) -> usize {
    link.addr() >> 1
}

/// The chain a key hashes to in a table of `chains` chains: `key % chains`. A model needs no
/// better hash: what matters is that every party computes the same chain for the same key.
///
/// # Panics
/// If `chains` is 0.
pub fn chain_of(key: usize, chains: usize) -> usize {
    assert!(chains > 0, "a hash table has at least one chain");
    key % chains
}
