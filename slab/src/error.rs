//! `SlabError`: every misuse and corruption the slab detects, each naming the slot and the
//! generations involved (after SLUB's `slab_err` / `object_err` reports).

use std::fmt;

/// What went wrong in a slab operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlabError {
    /// Every slot is allocated. Allocation never blocks or panics; it reports this.
    Full {
        /// The cache's fixed capacity.
        capacity: usize,
    },
    /// A handle whose slot has been freed (and perhaps reallocated) since the handle was made:
    /// a use after free, caught by the generation check.
    StaleHandle {
        /// The slot.
        slot: usize,
        /// The generation the handle carries.
        handle_generation: u64,
        /// The slot's generation now.
        slot_generation: u64,
    },
    /// A free of a slot that is already free.
    DoubleFree {
        /// The slot.
        slot: usize,
        /// The generation the handle carries (the one that was freed).
        generation: u64,
    },
    /// A handle made by a different cache.
    ForeignHandle {
        /// The cache that made the handle.
        handle_cache: u64,
        /// This cache.
        cache: u64,
    },
    /// A pointer that does not point at the start of one of this cache's objects.
    NotFromThisCache {
        /// The pointer's address.
        address: usize,
    },
    /// A pointer to an object of this cache that is not allocated now.
    NotAllocated {
        /// The slot.
        slot: usize,
        /// The slot's generation now.
        generation: u64,
    },
    /// [`PoisonSlab`](crate::PoisonSlab): a freed object's poison (0x6b) was overwritten before
    /// it was reallocated.
    /// The object was re-poisoned and returned to the free list.
    WriteAfterFree {
        /// The slot.
        slot: usize,
        /// The first byte offset that was not poison.
        offset: usize,
        /// What that byte held.
        found: u8,
        /// The generation the slot was freed at.
        generation: u64,
    },
    /// The free list handed out a slot that is not free (allocated, being freed, or claimed by
    /// another thread that popped it too): the ABA problem of the untagged free list, or of the
    /// tagged one after its tag wrapped during one pop (a pop that read a stale `next` succeeded
    /// after the head was popped and pushed back). The slot was not claimed and its object not
    /// touched.
    HandedOutTwice {
        /// The slot.
        slot: usize,
        /// The generation its state held (the generation it is allocated or being freed at).
        generation: u64,
    },
    /// A quiescent check found the free list and the slots' states disagreeing.
    FreeListCorrupt {
        /// What disagreed, in words.
        detail: String,
    },
}

impl fmt::Display for SlabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SlabError::Full { capacity } => {
                write!(f, "slab full: all {capacity} slots are allocated")
            }
            SlabError::StaleHandle {
                slot,
                handle_generation,
                slot_generation,
            } => write!(
                f,
                "use after free: handle to slot#{slot} has generation {handle_generation}, but \
                 the slot is at generation {slot_generation} (freed since the handle was made)"
            ),
            SlabError::DoubleFree { slot, generation } => write!(
                f,
                "double free: slot#{slot} (generation {generation}) is already free"
            ),
            SlabError::ForeignHandle {
                handle_cache,
                cache,
            } => write!(
                f,
                "free of an object not from this cache: the handle belongs to cache #{handle_cache}, \
                 this is cache #{cache}"
            ),
            SlabError::NotFromThisCache { address } => write!(
                f,
                "free of an object not from this cache: {address:#x} is not the start of any of \
                 its slots"
            ),
            SlabError::NotAllocated { slot, generation } => write!(
                f,
                "use of a free object: slot#{slot} (generation {generation}) is not allocated"
            ),
            SlabError::WriteAfterFree {
                slot,
                offset,
                found,
                generation,
            } => write!(
                f,
                "write after free: slot#{slot} byte {offset} is {found:#04x}, expected poison \
                 0x6b (freed at generation {generation}); re-poisoned and kept free"
            ),
            SlabError::HandedOutTwice { slot, generation } => write!(
                f,
                "free list corruption (ABA): slot#{slot} was popped from the free list while \
                 allocated (generation {generation}): it would be handed out twice"
            ),
            SlabError::FreeListCorrupt { detail } => {
                write!(f, "free list corruption: {detail}")
            }
        }
    }
}

impl std::error::Error for SlabError {}
