//! `Slab`: a cache of fixed-size objects at stable addresses, after Linux's `kmem_cache`
//! (Bonwick, "The Slab Allocator", USENIX 1994; SLUB): a constructor run once per slot, a LIFO
//! free list so a freed object comes straight back at the same address, and generation-checked
//! handles. Its `free` never touches the object; the poisoning debug cache is
//! [`PoisonSlab`](crate::PoisonSlab).

use crate::error::SlabError;
use crate::free_list::Tagging;
use crate::handle::Handle;
use crate::slab_core::SlabCore;
use crate::slab_stats::SlabStats;
use lifecycle_list::{CellOps, Platform, Std};
use std::ptr::NonNull;

/// SLUB's `POISON_FREE`: what a [`PoisonSlab`](crate::PoisonSlab) fills freed objects with.
pub const POISON_FREE: u8 = 0x6b;

/// A cache of `capacity` objects of type `T`, each in a slot that never moves.
///
/// # Invariants
/// - Those of the shared core: `T` is not zero-sized; every slot's object is always
///   initialized (the constructor ran once per slot at creation, and `free` does not drop,
///   reset or write the object, like a kmem_cache with a ctor); a slot's state word
///   (`generation << 2 | busy << 1 | allocated`, busy only in a
///   [`PoisonSlab`](crate::PoisonSlab)'s `free`) leaves free and allocated only by
///   compare-and-swap, so a [`Handle`] is current exactly while the state equals its generation
///   with the allocated bit set, and no slot is ever claimed by two threads at once, even by a
///   broken free list.
/// - The slab itself writes no object after construction: the only writes are the caller's,
///   through the `unsafe` [`Slab::with_mut`] (whose contract excludes every other reference) or
///   through `T`'s own interior mutability. So a `&T` from [`Slab::get`] stays valid for the
///   slab's lifetime, through frees and reallocations: a stale `&T` is a logic error the slab
///   cannot see, never undefined behaviour.
///
/// An object allocated again keeps what the last owner left in it: that is what lets a stale
/// list link survive a free and a reallocation, as in the story this suite models.
pub struct Slab<T, P: Platform = Std> {
    core: SlabCore<T, P>,
}

impl<T, P: Platform> std::fmt::Debug for Slab<T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slab")
            .field("id", &self.id())
            .field("capacity", &self.capacity())
            .field("tagging", &self.tagging())
            .finish_non_exhaustive()
    }
}

impl<T, P: Platform> Slab<T, P> {
    /// A cache of `capacity` objects, the constructor `ctor(slot)` run once per slot now, with
    /// the tagged free list (an ABA needs 2^32 free-list operations during one pop, and even
    /// then no slot is owned twice; see [`Tagging::Tagged`]).
    ///
    /// # Panics
    /// If `T` is zero-sized (slots need distinct addresses), or `capacity` is not below
    /// `u32::MAX` (indices are 32-bit).
    pub fn new(capacity: usize, ctor: impl FnMut(usize) -> T) -> Self {
        Slab {
            core: SlabCore::new(capacity, Tagging::Tagged, ctor),
        }
    }

    /// As [`Slab::new`], choosing the free list's tagging.
    ///
    /// # Panics
    /// As [`Slab::new`].
    ///
    /// # Safety
    /// With [`Tagging::Untagged`] the free list is broken on purpose: its ABA can pop a slot
    /// that is allocated (a slot handed out twice) and can lose or repeat free slots. `alloc`
    /// still claims a slot by compare-and-swap and refuses an allocated one
    /// ([`SlabError::HandedOutTwice`]), so no two current handles of one generation are made,
    /// but from the first such error on the cache is corrupt: allocations may fail while slots
    /// are free, and [`Slab::check_quiescent`] reports the damage. The caller must not rely on
    /// the free list (on `alloc` succeeding, or on a popped slot having been free), which is
    /// only acceptable in a model that shows a checker finding the ABA. [`Tagging::Tagged`] has
    /// no further requirement.
    pub unsafe fn with_tagging(
        capacity: usize,
        tagging: Tagging,
        ctor: impl FnMut(usize) -> T,
    ) -> Self {
        Slab {
            core: SlabCore::new(capacity, tagging, ctor),
        }
    }

    /// This cache's id (handles carry it; unique in the process, never reused).
    pub fn id(&self) -> u64 {
        self.core.id()
    }

    /// The number of slots.
    pub fn capacity(&self) -> usize {
        self.core.capacity()
    }

    /// The free list's tagging.
    pub fn tagging(&self) -> Tagging {
        self.core.tagging()
    }

    /// Allocates the most recently freed slot (LIFO). Never blocks: a full cache is
    /// [`SlabError::Full`].
    ///
    /// # Errors
    /// - [`SlabError::Full`] when every slot is allocated.
    /// - [`SlabError::HandedOutTwice`] when the free list gave out a slot that is not free (or
    ///   that another thread claimed first), which only a broken free list does: the
    ///   [`Tagging::Untagged`] one, or the tagged one after its tag wrapped during one pop (2^32
    ///   operations). The slot is not handed out (the claim is a compare-and-swap on its state),
    ///   but the cache is corrupt after this.
    pub fn alloc(&self) -> Result<Handle, SlabError> {
        self.core.alloc_with(|_, _| Ok(()))
    }

    /// Returns the object to the cache. The object is neither dropped nor written; the handle,
    /// and every copy of it, is stale from now on.
    ///
    /// # Errors
    /// [`SlabError::DoubleFree`], [`SlabError::StaleHandle`] (freed and reallocated since) or
    /// [`SlabError::ForeignHandle`]; the cache is unchanged.
    ///
    /// # Panics
    /// If the slot's generation would wrap (after 2^62 frees of one slot): generations never
    /// repeat, or a stale handle would become valid again. The cache is unchanged.
    pub fn free(&self, handle: Handle) -> Result<(), SlabError> {
        self.core.free_with(handle, None::<fn(usize)>)
    }

    /// A shared reference to the object, if the handle is current.
    ///
    /// The check is made now: a reference kept past a `free` of the object is a use after free
    /// the slab cannot see, but it stays memory-safe: slots are never unmapped, the object stays
    /// initialized, and the slab never writes it (only [`Slab::with_mut`], whose contract rules
    /// out this reference being live, and `T`'s interior mutability can).
    ///
    /// # Errors
    /// [`SlabError::StaleHandle`] or [`SlabError::ForeignHandle`].
    pub fn get(&self, handle: Handle) -> Result<&T, SlabError> {
        let slot = self.core.check(handle)?;
        // SAFETY: the object is always initialized and lives as long as `self`; shared
        // references may coexist, and `with_mut`'s contract rules out an exclusive one while
        // this one is live.
        Ok(self.core.cell(slot).with(|object| unsafe { &*object }))
    }

    /// Runs `f` on the object (a read access, visible to loom's race detector).
    ///
    /// # Errors
    /// As [`Slab::get`].
    pub fn with<R>(&self, handle: Handle, f: impl FnOnce(&T) -> R) -> Result<R, SlabError> {
        let slot = self.core.check(handle)?;
        // SAFETY: as in `get`.
        Ok(self.core.cell(slot).with(|object| f(unsafe { &*object })))
    }

    /// Runs `f` on the object exclusively (a write access, visible to loom's race detector).
    ///
    /// # Errors
    /// As [`Slab::get`].
    ///
    /// # Safety
    /// A [`Handle`] is not a proof of ownership (it is `Copy`, and [`Slab::handle_of`] makes
    /// the current handle of any allocated object), so the caller must guarantee that the call
    /// has the object to itself, in happens-before terms:
    /// - Every other access to this slot's object happens-before the start of the call or
    ///   happens-after its end. That covers accesses through any handle of any allocation of the
    ///   slot (this one, a copy, one minted by `handle_of`, or a stale one from an earlier
    ///   allocation: a `&T` from [`Slab::get`] or [`Slab::with`] stays dereferenceable after a
    ///   free) and through any pointer from [`Slab::as_ptr`] or [`Slab::slot_ptr`], on this
    ///   thread or another; a reference counts as accessed for as long as a function it was
    ///   passed to runs. An access that merely finished earlier in time is not enough: if a
    ///   thread reads the object and then sets a `Relaxed` flag that this thread sees, the read
    ///   and this call still race. The order comes from a lock, a `Release` store read by an
    ///   `Acquire` load, a join, the slab's own `free` and `alloc` (everything that
    ///   happens-before a `free` happens-before the next `alloc` of the slot, and so before its
    ///   owner's accesses), or from making every access on one thread.
    /// - No reference to the object made before the call is used after it (the `&mut T` given to
    ///   `f` invalidates it).
    /// - The end of the call happens-before the start of the allocation's `free`, if any
    ///   (through any handle).
    ///
    /// Normally the allocating thread owns the object until it frees it, and no other thread
    /// looks at it meanwhile: its program order gives all of this.
    pub unsafe fn with_mut<R>(
        &self,
        handle: Handle,
        f: impl FnOnce(&mut T) -> R,
    ) -> Result<R, SlabError> {
        let slot = self.core.check(handle)?;
        // SAFETY: exclusivity for the call is the caller's contract; the object is always
        // initialized.
        Ok(self
            .core
            .cell(slot)
            .with_mut(|object| f(unsafe { &mut *object })))
    }

    /// The object's pointer, if the handle is current: [`Slab::slot_ptr`] of its slot, with the
    /// object's provenance. Dereferencing it is the caller's responsibility, as with any raw
    /// pointer.
    ///
    /// # Errors
    /// As [`Slab::get`].
    pub fn as_ptr(&self, handle: Handle) -> Result<NonNull<T>, SlabError> {
        let slot = self.core.check(handle)?;
        Ok(self.core.slot_ptr(slot))
    }

    /// The current handle of the allocated object at `ptr` (`kmem_cache_free(cache, ptr)` and
    /// `container_of` users start from a pointer). Any thread can make one for any allocated
    /// object: a handle names an allocation, it does not prove ownership.
    ///
    /// # Errors
    /// [`SlabError::NotFromThisCache`] if `ptr` is not the start of one of this cache's objects,
    /// [`SlabError::NotAllocated`] if that object is free.
    pub fn handle_of(&self, ptr: *const T) -> Result<Handle, SlabError> {
        self.core.handle_of(ptr)
    }

    /// Whether slot `slot` is allocated, as the latest write to its state left it, read with
    /// [`AtomicOps::peek`](lifecycle_list::AtomicOps::peek) (unseen by loom: no scheduling
    /// point, no ordering; under shuttle a load, as always): for a harness's picture, never for
    /// a decision of the code under test (which asks [`Slab::handle_of`]).
    ///
    /// # Panics
    /// If `slot` is out of range.
    pub fn peek_allocated(&self, slot: usize) -> bool {
        self.core.peek_allocated(slot)
    }

    /// The current handle of slot `slot`, if it is allocated (the safe layer's objects know
    /// their slot, not their generation).
    ///
    /// # Errors
    /// [`SlabError::NotAllocated`].
    pub(crate) fn handle_of_slot(&self, slot: usize) -> Result<Handle, SlabError> {
        self.core.handle_of_slot(slot)
    }

    /// Slot `slot`'s cell, for accesses a checker should see (the safe layer's references).
    pub(crate) fn cell(&self, slot: usize) -> &P::Cell<T> {
        self.core.cell(slot)
    }

    /// The slot index of the object at `ptr`, allocated or not (only the address is used).
    ///
    /// # Errors
    /// [`SlabError::NotFromThisCache`].
    pub fn slot_of_ptr(&self, ptr: *const T) -> Result<usize, SlabError> {
        self.core.slot_of_ptr(ptr)
    }

    /// The address of slot `slot`'s object, allocated or not (for diagnostics and for models
    /// that must name a slot by address). To reach the object, use [`Slab::slot_ptr`].
    ///
    /// # Panics
    /// If `slot` is out of range.
    pub fn slot_address(&self, slot: usize) -> usize {
        self.slot_ptr(slot).as_ptr() as usize
    }

    /// Slot `slot`'s object pointer, allocated or not, taken once at construction so it carries
    /// the object's provenance (link an intrusive list through it, for instance with
    /// `Linked::link_ptr(slab.slot_ptr(slot))`). Getting it is no access to the object;
    /// dereferencing it is the caller's responsibility.
    ///
    /// # Panics
    /// If `slot` is out of range.
    pub fn slot_ptr(&self, slot: usize) -> NonNull<T> {
        self.core.slot_ptr(slot)
    }

    /// A snapshot of the counts (racy while other threads allocate and free).
    pub fn stats(&self) -> SlabStats {
        self.core.stats()
    }

    /// The slab's bookkeeping (each slot's state word, the free list, the statistics), read at
    /// a quiescent point (no alloc or free running: words read while one runs may be torn, and
    /// [`Slab::restore`] refuses them), for [`Slab::restore`]. The objects are not
    /// part of it: the slab never writes them, so a caller that saves a state saves its
    /// objects itself.
    pub fn save(&self) -> crate::SlabWords {
        self.core.save()
    }

    /// Puts the bookkeeping back as [`Slab::save`] read it: every slot allocated or free at the
    /// generation it had, the free list in the order it had. A rollback: a handle made after
    /// the save may be current again, which a checker restoring a state wants (the handles its
    /// actors held then are current again); the exclusive borrow means no `&T` from before is
    /// in use, and objects stay initialized throughout, so nothing dangles.
    ///
    /// # Panics
    /// If `words` were saved from another slab, or (with the tagged free list) they are not a
    /// consistent slab: saved while an alloc or free was under way.
    pub fn restore(&mut self, words: &crate::SlabWords) {
        self.core.restore(words);
    }

    /// At a quiescent point (no alloc or free running): the free slots in the order `alloc` will
    /// hand them out (LIFO: the last freed first). Model checkers that hash states need it: two
    /// histories with the same slots free but in another order have different futures.
    ///
    /// # Errors
    /// [`SlabError::FreeListCorrupt`] if the free list has a cycle or links past the last slot.
    pub fn free_slots(&self) -> Result<Vec<usize>, SlabError> {
        self.core.free_slots()
    }

    /// As [`Slab::free_slots`], each slot given to `visit` in turn instead of collected (a
    /// state-graph search hashes the free list of every state it reaches, and keeps few).
    /// `visit` must not alloc or free on this slab: the walk would still end, but what it
    /// visits would be no list the cache ever had.
    ///
    /// # Errors
    /// [`SlabError::FreeListCorrupt`] if the free list has a cycle or links past the last slot
    /// (`visit` has then seen the slots before the fault).
    pub fn visit_free_slots(&self, visit: impl FnMut(usize)) -> Result<(), SlabError> {
        self.core.visit_free_slots(visit)
    }

    /// At a quiescent point (no alloc or free running): walks the free list and checks it
    /// against the slots' states: no slot twice, every listed slot free, every free slot listed,
    /// so `in_use + free == capacity` with `free` counted on the list itself.
    ///
    /// # Errors
    /// [`SlabError::FreeListCorrupt`] naming the first disagreement.
    pub fn check_quiescent(&self) -> Result<SlabStats, SlabError> {
        self.core.check_quiescent()
    }
}
