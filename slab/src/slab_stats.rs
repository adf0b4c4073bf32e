//! `SlabStats`: the counts a slab cache reports (SLUB's `/sys/kernel/slab/*/objects` and
//! friends, in small).

/// Counts of a cache's slots. See [`Slab::stats`](crate::Slab::stats) and
/// [`Slab::check_quiescent`](crate::Slab::check_quiescent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlabStats {
    /// Slots in the cache (fixed at creation).
    pub capacity: usize,
    /// Slots allocated.
    pub in_use: usize,
    /// Slots free.
    pub free: usize,
    /// The number of distinct slots ever handed out. The free list is LIFO and starts in slot
    /// order, so a never-used slot is only taken when every used one is allocated (or being
    /// freed): this is the peak number of objects allocated at once.
    pub high_water: usize,
}
