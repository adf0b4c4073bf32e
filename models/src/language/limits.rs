//! The ranges of a scenario's numbers, in one place: the parser checks a file's values against
//! them, and the run plan checks a command line's or a caller's overrides against the same ones.

use std::ops::RangeInclusive;

/// The most lists a world may declare (every object embeds one link per list).
pub const MAX_LISTS: usize = 4;

/// The most hash tables a world may declare.
pub const MAX_TABLES: usize = 4;

/// Chains a hash table may have (a lookup walks one; more chains than objects leave most empty).
pub const CHAINS: RangeInclusive<usize> = 1..=64;

/// Slab slots a world may have (every traversal is bounded by it; checkers explore every state
/// of every slot a scenario touches).
pub const OBJECTS: RangeInclusive<usize> = 1..=64;

/// Copies a replicated actor may have (`count` in a file, `--waiters` on the command line).
pub const COPIES: RangeInclusive<usize> = 1..=64;
