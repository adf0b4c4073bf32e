//! `Handle`: a reference to one allocation of one slot, stamped with the slot's generation so a
//! stale copy is detected (the generational-index idea of sharded-slab and tokio's slab keys).

/// Names one allocation: which cache, which slot, and the slot's generation when it was handed
/// out. The slot's generation changes on every free, so a handle outliving its object is caught
/// the next time it is used.
///
/// A handle is a name, not a proof of ownership: it is `Copy`, and
/// [`Slab::handle_of`](crate::Slab::handle_of) makes the current handle of any allocated object
/// from its address. Which is why the slab's exclusive access, `with_mut`, is `unsafe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Handle {
    pub(crate) cache: u64,
    pub(crate) index: u32,
    pub(crate) generation: u64,
}

impl Handle {
    /// The slot index (stable: the same slot comes back at the same address).
    pub fn slot(&self) -> usize {
        self.index as usize
    }

    /// The slot's generation when this handle was made.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The id of the cache that made this handle (64-bit and never reused, so no other cache
    /// accepts the handle).
    pub fn cache(&self) -> u64 {
        self.cache
    }
}
