//! `SlotSet`: a set of slot indices for the walks that check the free list, kept in one word's
//! bits for a cache of up to 64 slots so that a check allocates nothing (the state graph checks
//! the free list at every state it restores), in a vector beyond.

/// A set of the slots `0..slots`.
pub(crate) enum SlotSet {
    /// Bit `s` set: slot `s` is in (up to 64 slots).
    Few(u64),
    /// `met[s]`: slot `s` is in.
    Many(Vec<bool>),
}

impl SlotSet {
    /// The empty set of the slots `0..slots`.
    pub(crate) fn new(slots: usize) -> Self {
        if slots <= 64 {
            SlotSet::Few(0)
        } else {
            SlotSet::Many(vec![false; slots])
        }
    }

    /// Adds `slot`; whether it was in already.
    pub(crate) fn insert(&mut self, slot: usize) -> bool {
        match self {
            SlotSet::Few(bits) => {
                let was = *bits & (1 << slot) != 0;
                *bits |= 1 << slot;
                was
            }
            SlotSet::Many(met) => std::mem::replace(&mut met[slot], true),
        }
    }

    /// Whether `slot` is in.
    pub(crate) fn contains(&self, slot: usize) -> bool {
        match self {
            SlotSet::Few(bits) => bits & (1 << slot) != 0,
            SlotSet::Many(met) => met[slot],
        }
    }
}
