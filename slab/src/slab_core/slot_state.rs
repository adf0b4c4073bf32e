//! A slab slot's state word: its generation (how many times it was freed) and its flags
//! (allocated, busy while a poisoning free writes), packed in one atomic `u64` so a claim and a
//! free are each one compare-and-swap (SLUB keeps per-object state the same way).

/// A slot's state word is `generation << FLAG_BITS | flags`: the low bits are these flags, the
/// rest is the generation.
pub(super) const FLAG_BITS: u32 = 2;

/// Set while the slot is allocated (or claimed by an `alloc` that has not returned yet).
pub(super) const ALLOCATED: u64 = 0b01;

/// Set while a [`PoisonSlab`](crate::PoisonSlab) `free` writes poison over the object: the
/// generation is already the next one (every handle to the freed allocation is stale), but the
/// slot cannot be claimed until the poison is written.
pub(super) const BUSY: u64 = 0b10;

/// The largest generation a state word holds (the flags take its low bits).
pub(super) const MAX_GENERATION: u64 = u64::MAX >> FLAG_BITS;

/// The generation a slot at `generation` moves to when it is freed, refusing to wrap: a wrapped
/// generation would repeat one that a stale handle may still carry, and that handle would become
/// current again, reaching the next allocation's object.
///
/// # Panics
/// If `generation` is the largest a state word holds (after 2^62 frees of one slot: at a billion
/// frees a second, after 146 years).
pub(crate) fn next_generation(slot: usize, generation: u64) -> u64 {
    generation
        .checked_add(1)
        .filter(|&next| next <= MAX_GENERATION)
        .unwrap_or_else(|| {
            panic!(
                "slot#{slot} generations exhausted: it was freed at generation {generation:#x}, \
                 the largest a state word holds, and generations must never repeat, or a stale \
                 handle would become valid again"
            )
        })
}

/// The state word of `generation` with `flags`.
pub(super) fn state_word(generation: u64, flags: u64) -> u64 {
    generation << FLAG_BITS | flags
}

/// The generation in a state word.
pub(crate) fn generation_of(state: u64) -> u64 {
    state >> FLAG_BITS
}

/// Whether a state word says allocated.
pub(super) fn is_allocated(state: u64) -> bool {
    state & ALLOCATED != 0
}

/// Whether a state word says free: neither allocated nor busy, so an `alloc` may claim it.
pub(super) fn is_free(state: u64) -> bool {
    state & (ALLOCATED | BUSY) == 0
}
