//! `Names`: the names of a world's declarations (lists, locks, events, tables) by index, which a
//! step's text refers to: `step_parser` resolves names to indices with it, and `Step::text`
//! writes indices back as names.

/// The names a step may refer to.
pub(crate) struct Names<'a> {
    /// The lists, in declaration order.
    pub lists: &'a [String],
    /// The locks.
    pub locks: &'a [String],
    /// The events.
    pub events: &'a [String],
    /// The hash tables.
    pub tables: &'a [String],
}
