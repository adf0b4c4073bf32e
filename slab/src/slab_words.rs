//! `SlabWords`: a slab's bookkeeping words as [`Slab::save`](crate::Slab::save) read them, for
//! [`Slab::restore`](crate::Slab::restore): how a state-graph checker puts a cache back where a
//! state it saved had it, instead of replaying the allocations and frees that led there.

/// A slab's state words, free-list words and statistics, as saved (the objects are the
/// caller's: the slab never writes them).
///
/// # Invariants
/// Read from the slab whose id is `cache`, at a quiescent point (no `alloc` or `free` under
/// way), so the words are those of a consistent slab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlabWords {
    pub(crate) cache: u64,
    pub(crate) states: Vec<u64>,
    pub(crate) free_head: u64,
    pub(crate) free_next: Vec<usize>,
    pub(crate) high_water: usize,
}
