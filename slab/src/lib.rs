//! A lock-free slab cache, after Linux's `kmem_cache`: fixed-size objects at stable addresses,
//! a LIFO free list (a Treiber stack with a 32-bit tag in its head, so an ABA needs 2^32
//! free-list operations during one pop, and even then no slot is owned twice), and
//! generation-checked handles that catch use after free and double free. [`Slab`] never writes
//! an object after construction; [`PoisonSlab`] is SLUB's poisoning debug mode, which fills
//! freed objects to catch writes after free, and so gives access to its objects only through
//! `unsafe` methods.
//!
//! The same code runs on real threads, under loom and under shuttle (the platform parameter,
//! from `lifecycle-list`). A deliberately broken variant, [`Tagging::Untagged`] (only through
//! the `unsafe` [`Slab::with_tagging`]), turns the tag off on the same code path so the models
//! can show a checker finding the ABA bug.
//!
//! # The protocol
//! 1. `alloc` pops a slot index (Acquire) and claims the slot by one compare-and-swap of its
//!    state from free to allocated before anything touches the object ([`PoisonSlab`] checks
//!    the poison after the claim), so even a broken free list, which can hand one slot to
//!    several threads, cannot make two threads own it: every popper but one gets
//!    [`SlabError::HandedOutTwice`] without touching the object. The [`Handle`] carries the
//!    slot's generation.
//! 2. The owner uses the object; every access through a handle checks its generation. Accesses
//!    from different threads must be ordered by happens-before (a lock, `Release`/`Acquire`, a
//!    join), not merely come one after the other in time.
//! 3. `free` moves the slot's state from `(generation, allocated)` to `(generation + 1, free)`
//!    with one compare-and-swap (so a double free, even a racing one, is caught) and pushes the
//!    index (Release); [`PoisonSlab`] goes through a busy state instead, which no `alloc` can
//!    claim, writes the poison, and only then stores free (Release); the next `alloc` of the slot
//!    pops it (Acquire) and claims it (a compare-and-swap that acquires): everything that
//!    happens-before the `free` (the owner's accesses, and any other thread's accesses that were
//!    ordered before the free) happens-before the next `alloc` and so before its owner's
//!    accesses. An access that another thread merely finished before the free (then signalled
//!    with a `Relaxed` flag, say) is not ordered by this, and races with the next owner.
//!
//! A handle names an allocation; it does not prove ownership (it is `Copy`, and
//! [`Slab::handle_of`] makes one from an object's address). That is why exclusive access,
//! [`Slab::with_mut`], is `unsafe`. `SOUNDNESS.md` at the repository's top says, for every safe
//! function, why no safe caller can cause undefined behaviour.
//!
//! # The safe layer
//! [`SafeSlab`] (issue #13) hands objects out as a [`Unique`] (the only reference, the one form
//! `free` takes), turned into one [`Token`] per list ID (a counted reference with the right to
//! be on that list, which `SafeList::add` consumes) and [`Ref`]s (counted references that may
//! outlive a lock; the last one frees). Freeing a linked object, a double add, a double free and
//! a use after unlock without a reference do not compile; `compile-fail/tests/ui/slab/safe_*.rs` shows each.

mod error;
mod free_list;
mod handle;
mod plain_bytes;
mod poison_slab;
mod slab;
mod slab_core;
mod slab_stats;
mod slab_words;
mod slot_set;

pub use error::SlabError;
pub use free_list::Tagging;
pub use handle::Handle;
pub use plain_bytes::PlainBytes;
pub use poison_slab::PoisonSlab;
pub use slab::{Slab, POISON_FREE};
pub use slab_stats::SlabStats;
pub use slab_words::SlabWords;

#[cfg(feature = "loom")]
pub use lifecycle_list::Loom;
#[cfg(feature = "shuttle")]
pub use lifecycle_list::Shuttle;
pub use lifecycle_list::{Platform, Std};

mod safe;
pub use safe::{Ref, SafeSlab, SlabList, Token, Unique};
