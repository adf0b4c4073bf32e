//! `PoisonSlab`: a slab cache in SLUB's poisoning debug mode (`slub_debug=P`): freed objects are
//! filled with [`POISON_FREE`] and checked on the next allocation, so a write after free is
//! reported instead of silently corrupting the next owner's object.

use crate::error::SlabError;
use crate::free_list::Tagging;
use crate::handle::Handle;
use crate::plain_bytes::PlainBytes;
use crate::slab::POISON_FREE;
use crate::slab_core::{generation_of, SlabCore};
use crate::slab_stats::SlabStats;
use lifecycle_list::{CellOps, Platform, Std};
use std::ptr::NonNull;

/// A debugging cache of `capacity` objects of the plain-bytes type `T`, each in a slot that
/// never moves, poisoned while free.
///
/// # Invariants
/// - Those of the shared core (see [`Slab`](crate::Slab)), with the tagged free list unless
///   made by the `unsafe` [`PoisonSlab::with_tagging`].
/// - A free slot's bytes are all [`POISON_FREE`] until it is allocated: every object is
///   poisoned at creation (there is no constructor, as in SLUB) and by every `free`, while its
///   state says busy (the handle is already stale, and no `alloc` can claim the slot) and before
///   it says free and is pushed; an `alloc` claims the slot first and then checks the poison,
///   and one that finds a byte that is not poison re-poisons the slot, releases the claim and
///   pushes it back.
/// - So the cache reads or writes an object only while one thread holds its slot (the claiming
///   `alloc`, the busy `free`): even a broken free list that hands one slot to several threads
///   never makes the cache touch an object that another thread owns.
/// - Because `free` writes the object, no safe method hands out a reference to it: a `&T` kept
///   past a `free` would see the poison written under it. Access is through the `unsafe`
///   [`PoisonSlab::get`] and [`PoisonSlab::with_mut`], whose contracts say the allocation
///   outlives the access.
pub struct PoisonSlab<T: PlainBytes, P: Platform = Std> {
    core: SlabCore<T, P>,
}

impl<T: PlainBytes, P: Platform> std::fmt::Debug for PoisonSlab<T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoisonSlab")
            .field("id", &self.id())
            .field("capacity", &self.capacity())
            .finish_non_exhaustive()
    }
}

impl<T: PlainBytes, P: Platform> PoisonSlab<T, P> {
    /// A poisoning cache of `capacity` objects, all poison, with the tagged free list (an ABA
    /// needs 2^32 free-list operations during one pop; see [`Tagging::Tagged`]).
    ///
    /// # Panics
    /// If `T` is zero-sized, or `capacity` is not below `u32::MAX`.
    pub fn new(capacity: usize) -> Self {
        Self::build(capacity, Tagging::Tagged)
    }

    /// As [`PoisonSlab::new`], choosing the free list's tagging.
    ///
    /// # Panics
    /// As [`PoisonSlab::new`].
    ///
    /// # Safety
    /// As [`Slab::with_tagging`](crate::Slab::with_tagging): with [`Tagging::Untagged`] the free
    /// list is broken on purpose, and can pop a slot that is allocated, being freed, or popped
    /// by another thread at the same time, and lose or repeat free slots. `alloc` claims a slot
    /// before it reads the poison, so none of this makes a slot owned twice or poisons an
    /// allocated object ([`SlabError::HandedOutTwice`] reports it), but the cache is corrupt
    /// from the first such error on. The caller must not rely on the free list, which is only
    /// acceptable in a model or test of the ABA. [`Tagging::Tagged`] has no further requirement.
    pub unsafe fn with_tagging(capacity: usize, tagging: Tagging) -> Self {
        Self::build(capacity, tagging)
    }

    fn build(capacity: usize, tagging: Tagging) -> Self {
        // SAFETY: `T: PlainBytes`, so the all-zero bytes are a valid `T` (they are overwritten
        // with poison right below).
        let core = SlabCore::new(capacity, tagging, |_| unsafe { std::mem::zeroed() });
        let slab = PoisonSlab { core };
        (0..capacity).for_each(|slot| slab.fill_poison(slot));
        slab
    }

    /// This cache's id (handles carry it; unique in the process, never reused).
    pub fn id(&self) -> u64 {
        self.core.id()
    }

    /// The number of slots.
    pub fn capacity(&self) -> usize {
        self.core.capacity()
    }

    /// Allocates the most recently freed slot (LIFO): claims it, then checks that its poison is
    /// intact.
    ///
    /// # Errors
    /// - [`SlabError::Full`] when every slot is allocated.
    /// - [`SlabError::WriteAfterFree`] when the claimed object's poison was overwritten; it is
    ///   re-poisoned, released and pushed back, so the next `alloc` gets it clean.
    /// - [`SlabError::HandedOutTwice`] when the free list gave out a slot that is not free (only
    ///   a broken free list does that); the object is not touched, but the cache is corrupt.
    pub fn alloc(&self) -> Result<Handle, SlabError> {
        self.core.alloc_with(|slot, state| {
            let Some((offset, found)) = self.find_poison_damage(slot) else {
                return Ok(());
            };
            self.fill_poison(slot);
            Err(SlabError::WriteAfterFree {
                slot,
                offset,
                found,
                generation: generation_of(state).wrapping_sub(1),
            })
        })
    }

    /// Returns the object to the cache and fills it with [`POISON_FREE`]; the handle, and every
    /// copy of it, is stale from now on.
    ///
    /// # Errors
    /// [`SlabError::DoubleFree`], [`SlabError::StaleHandle`] or [`SlabError::ForeignHandle`];
    /// the cache is unchanged.
    ///
    /// # Panics
    /// As [`Slab::free`](crate::Slab::free), when the slot's generation would wrap.
    pub fn free(&self, handle: Handle) -> Result<(), SlabError> {
        self.core
            .free_with(handle, Some(|slot| self.fill_poison(slot)))
    }

    /// A shared reference to the object, if the handle is current.
    ///
    /// # Errors
    /// [`SlabError::StaleHandle`] or [`SlabError::ForeignHandle`].
    ///
    /// # Safety
    /// `free` writes poison over the object and [`PoisonSlab::with_mut`] writes it, so the
    /// caller guarantees, in happens-before terms (an access that merely finished earlier in
    /// time is not enough, see [`Slab::with_mut`](crate::Slab::with_mut)):
    /// - this call and every use of the returned reference happen-before the start of the
    ///   allocation's `free` (through this handle, a copy, or any other handle of it);
    /// - for every [`PoisonSlab::with_mut`] on the object, either its end happens-before the
    ///   start of this call, or this call and every use of the reference happen-before its
    ///   start.
    pub unsafe fn get(&self, handle: Handle) -> Result<&T, SlabError> {
        let slot = self.core.check(handle)?;
        // SAFETY: the object is initialized (`T: PlainBytes` accepts any bytes); the caller
        // guarantees that neither `free` nor `with_mut` writes it while the reference is live.
        Ok(self.core.cell(slot).with(|object| unsafe { &*object }))
    }

    /// Runs `f` on the object exclusively.
    ///
    /// # Errors
    /// As [`PoisonSlab::get`].
    ///
    /// # Safety
    /// As [`Slab::with_mut`](crate::Slab::with_mut), in happens-before terms: every other
    /// access to the object (through a reference from [`PoisonSlab::get`] with any handle, or a
    /// pointer from [`PoisonSlab::as_ptr`], on any thread) happens-before the start of the call
    /// or happens-after its end; no reference to the object made before the call is used after
    /// it; and the end of the call happens-before the start of the allocation's `free` (which
    /// writes poison over the object).
    pub unsafe fn with_mut<R>(
        &self,
        handle: Handle,
        f: impl FnOnce(&mut T) -> R,
    ) -> Result<R, SlabError> {
        let slot = self.core.check(handle)?;
        // SAFETY: exclusivity and liveness for the call are the caller's contract.
        Ok(self
            .core
            .cell(slot)
            .with_mut(|object| f(unsafe { &mut *object })))
    }

    /// The object's pointer, if the handle is current. Dereferencing it is the caller's
    /// responsibility, as with any raw pointer (writing through it after the `free` is exactly
    /// the bug the poison catches).
    ///
    /// # Errors
    /// As [`PoisonSlab::get`].
    pub fn as_ptr(&self, handle: Handle) -> Result<NonNull<T>, SlabError> {
        let slot = self.core.check(handle)?;
        Ok(self.core.slot_ptr(slot))
    }

    /// A snapshot of the counts (racy while other threads allocate and free).
    pub fn stats(&self) -> SlabStats {
        self.core.stats()
    }

    /// At a quiescent point (no alloc or free running): the free list against the slots'
    /// states, as [`Slab::check_quiescent`](crate::Slab::check_quiescent).
    ///
    /// # Errors
    /// [`SlabError::FreeListCorrupt`] naming the first disagreement.
    pub fn check_quiescent(&self) -> Result<SlabStats, SlabError> {
        self.core.check_quiescent()
    }

    /// Fills slot `slot`'s object with [`POISON_FREE`].
    fn fill_poison(&self, slot: usize) {
        let size = std::mem::size_of::<T>();
        // SAFETY: any bytes are a valid `T: PlainBytes`; the slot is being created, or is held
        // by this thread: busy in its `free` (no `alloc` can claim it, and every access through
        // the freed handle happens-before the free, the contracts of `get` and `with_mut`), or
        // claimed by its `alloc` and handed to no one yet (every other popper fails the claim).
        self.core.cell(slot).with_mut(|object| unsafe {
            std::ptr::write_bytes(object.cast::<u8>(), POISON_FREE, size)
        });
    }

    /// The first byte of slot `slot`'s object that is not [`POISON_FREE`], with its value.
    fn find_poison_damage(&self, slot: usize) -> Option<(usize, u8)> {
        let size = std::mem::size_of::<T>();
        self.core.cell(slot).with(|object| {
            // SAFETY: `T: PlainBytes` has no padding, so all of its bytes are initialized; the
            // slot was just claimed by this thread's `alloc` and handed to no one yet, and every
            // earlier access to it (the last `free`'s poison included) happens-before the claim.
            let bytes = unsafe { std::slice::from_raw_parts(object.cast::<u8>(), size) };
            bytes
                .iter()
                .position(|&byte| byte != POISON_FREE)
                .map(|offset| (offset, bytes[offset]))
        })
    }
}
