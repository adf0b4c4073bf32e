//! A lock-free slab cache, after Linux's `kmem_cache`: fixed-size objects at stable addresses,
//! a LIFO free list (a Treiber stack with a generation-tagged head, so it is ABA-safe),
//! generation-checked handles that catch use after free and double free, and SLUB-style
//! poisoning that catches writes after free.
//!
//! The same code runs on real threads, under loom and under shuttle (the platform parameter,
//! from `lifecycle-list`). A deliberately broken variant, [`Tagging::Untagged`], turns the tag
//! off on the same code path so the models can show a checker finding the ABA bug.
//!
//! # The protocol
//! 1. `alloc` pops a slot index (Acquire) and marks the slot allocated; the [`Handle`] carries
//!    the slot's generation.
//! 2. The owner uses the object; every access through a handle checks its generation.
//! 3. `free` moves the slot's state from `(generation, allocated)` to `(generation + 1, free)`
//!    with one compare-and-swap (so a double free, even a racing one, is caught), poisons the
//!    object in debug mode, and pushes the index (Release): the owner's writes happen-before
//!    the next `alloc` of the slot.

mod error;
mod free_list;
mod handle;
mod plain_bytes;
mod slab;

pub use error::SlabError;
pub use free_list::Tagging;
pub use handle::Handle;
pub use plain_bytes::PlainBytes;
pub use slab::{Slab, SlabStats, POISON_FREE};

#[cfg(feature = "loom")]
pub use lifecycle_list::Loom;
#[cfg(feature = "shuttle")]
pub use lifecycle_list::Shuttle;
pub use lifecycle_list::{Platform, Std};
