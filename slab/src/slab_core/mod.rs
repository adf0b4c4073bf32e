//! `SlabCore`: the slots, their state words and the free list that [`Slab`](crate::Slab) and
//! [`PoisonSlab`](crate::PoisonSlab) share, after Linux's `kmem_cache` (Bonwick, "The Slab
//! Allocator", USENIX 1994; SLUB's per-object state): objects at stable addresses, a LIFO free
//! list, and a generation per slot so handles can be checked.

use crate::error::SlabError;
use crate::free_list::{FreeList, Tagging};
use crate::handle::Handle;
use crate::slab_stats::SlabStats;
use crate::slot_set::SlotSet;
use lifecycle_list::{AtomicOps, CellOps, Platform};
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

mod slot_state;

pub(crate) use slot_state::{generation_of, next_generation};
use slot_state::{is_allocated, is_free, state_word, ALLOCATED, BUSY};

/// Hands out cache ids, so a handle from another cache is recognised.
static NEXT_CACHE_ID: AtomicU64 = AtomicU64::new(1);

/// Takes the next cache id from `counter` (which holds the next id to hand out) and advances
/// it, refusing to wrap: a wrapped id would let a cache accept another cache's handles, whose
/// slot index it has never bounds-checked against its own capacity.
///
/// # Panics
/// When every id up to `u64::MAX - 1` has been handed out (at a million caches a second, after
/// half a million years).
pub(crate) fn next_cache_id(counter: &AtomicU64) -> u64 {
    counter
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |id| id.checked_add(1))
        .unwrap_or_else(|last| {
            panic!(
                "slab cache ids exhausted: every id below {last:#x} was handed out, and cache \
                 ids must be unique so that no cache accepts another cache's handles"
            )
        })
}

/// The storage and bookkeeping of a slab cache: `capacity` objects of type `T`, each in a slot
/// that never moves, a state word per slot and a free list of slot indices.
///
/// # Invariants
/// - `T` is not zero-sized: every slot's object has an address of its own, so a pointer names
///   exactly one slot (`slot_of_ptr` divides by the distance between objects).
/// - `objects` is the allocation of a `Box<[P::Cell<T>]>` of `capacity` cells, owned by this
///   core and freed only by its `Drop`; every cell's object is always initialized: the
///   constructor ran once per slot at creation, and nothing drops or resets an object before
///   the core is dropped.
/// - `slot_ptrs[i]` is the pointer to cell `i`'s object, taken once through the cell before the
///   core was shared, so it carries the provenance of that object; `base` is `slot_ptrs[0]`'s
///   address and `stride` the distance between consecutive objects (`size_of` of a cell).
/// - A slot's state is `generation << 2 | busy << 1 | allocated`; the generation grows by one
///   on every free and never wraps (`next_generation` panics first), so no handle of an earlier
///   allocation ever becomes current again, but across [`SlabCore::restore`] (`&mut self`: a
///   rollback to words saved earlier, which a model checker asks for). A slot goes from free to allocated only by a compare-and-swap in
///   `alloc_with` (the claim), and from allocated to free (or busy, then free) only by one in
///   `free_with`, so of two threads racing for the same transition exactly one wins, and a
///   [`Handle`] is current exactly while the state equals its generation with the allocated bit
///   set. An `alloc_with` whose `check` refuses the claimed slot puts it back to free at the same
///   generation (no handle of that generation was made).
/// - The slab touches an object only while one thread holds the slot: the claiming `alloc`
///   (after its claim), or the `free` that set it busy (until it stores free). So a broken free
///   list, which can hand one slot to several poppers, never makes two threads touch an object:
///   every popper but one fails the claim, and none can claim a busy slot.
/// - A slot is on the free list iff its state is free (at every quiescent point; between a
///   free's state change and its push, or a claim and its release, the slot is in neither).
/// - `id` is unique among all cores ever made in this process (64 bits, never wrapped), so a
///   handle carrying it was made by this core and its index is below `capacity`.
pub(crate) struct SlabCore<T, P: Platform> {
    id: u64,
    objects: NonNull<[P::Cell<T>]>,
    slot_ptrs: Box<[NonNull<T>]>,
    states: Box<[P::AtomicU64]>,
    free_list: FreeList<P>,
    base: usize,
    stride: usize,
    /// Statistics only (a std atomic even under a checker, so it adds no explored states).
    high_water: AtomicUsize,
    /// The core owns the cells (and so the `T`s) behind `objects`, for the drop check.
    _owns: PhantomData<Box<[P::Cell<T>]>>,
}

// SAFETY: a core owns its objects; moving it moves ownership of `T`s, so `T: Send` suffices. The
// raw pointers point into the core's own allocation, which moves with it.
unsafe impl<T: Send, P: Platform> Send for SlabCore<T, P> {}
// SAFETY: shared access lets several threads reach an object (`Slab::get` hands out `&T`, so
// `T: Sync`) and lets any thread free and reallocate an object another thread created (`T:
// Send`); slot ownership itself is arbitrated by atomics (the free list, the state words), and
// writes to an object are confined to `unsafe` methods whose contracts exclude other access.
unsafe impl<T: Send + Sync, P: Platform> Sync for SlabCore<T, P> {}

impl<T, P: Platform> Drop for SlabCore<T, P> {
    fn drop(&mut self) {
        // SAFETY: `objects` came from `Box::into_raw` in `new` and is freed only here, once; no
        // reference into it outlives `&mut self`.
        drop(unsafe { Box::from_raw(self.objects.as_ptr()) });
    }
}

impl<T, P: Platform> SlabCore<T, P> {
    /// A core of `capacity` objects, `ctor(slot)` run once per slot now, with a free list of the
    /// given tagging holding every slot, slot 0 on top.
    ///
    /// # Panics
    /// If `T` is zero-sized, or `capacity` is not below `u32::MAX` (indices are 32-bit).
    pub(crate) fn new(capacity: usize, tagging: Tagging, mut ctor: impl FnMut(usize) -> T) -> Self {
        assert!(
            std::mem::size_of::<T>() != 0,
            "slab of a zero-sized type: every slot must have an address of its own (a pointer \
             names one slot, and slot lookups divide by the object size), so T must not be \
             zero-sized"
        );
        let len = u32::try_from(capacity)
            .ok()
            .filter(|&len| len != u32::MAX)
            .unwrap_or_else(|| {
                panic!("slab capacity {capacity} too large: slot indices are 32-bit")
            });
        // Before the allocation, so that running out of ids leaks nothing.
        let id = next_cache_id(&NEXT_CACHE_ID);
        let cells: Box<[P::Cell<T>]> = (0..capacity).map(|i| P::Cell::new(ctor(i))).collect();
        // SAFETY: a `Box`'s pointer is never null.
        let objects = unsafe { NonNull::new_unchecked(Box::into_raw(cells)) };
        // Taken once, through each cell, before anything else can see the cells: the pointers
        // carry each object's provenance, and later lookups need no cell access (which loom
        // would record).
        let slot_ptrs: Box<[NonNull<T>]> = (0..capacity)
            .map(|i| {
                // SAFETY: `objects` is live and owned here; nobody else has a reference to it.
                let cell = unsafe { &objects.as_ref()[i] };
                cell.with_mut(|object| {
                    NonNull::new(object).expect("a cell's object is never at address 0")
                })
            })
            .collect();
        let base = slot_ptrs.first().map_or(0, |ptr| ptr.as_ptr() as usize);
        let stride = std::mem::size_of::<P::Cell<T>>();
        SlabCore {
            id,
            objects,
            slot_ptrs,
            states: (0..capacity).map(|_| P::AtomicU64::new(0)).collect(),
            free_list: FreeList::full(len, tagging),
            base,
            stride,
            high_water: AtomicUsize::new(0),
            _owns: PhantomData,
        }
    }

    /// This cache's id (handles carry it).
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The number of slots.
    pub(crate) fn capacity(&self) -> usize {
        self.slot_ptrs.len()
    }

    /// The free list's tagging.
    pub(crate) fn tagging(&self) -> Tagging {
        self.free_list.tagging()
    }

    /// Slot `slot`'s cell, for accesses a checker should see.
    ///
    /// # Panics
    /// If `slot` is out of range.
    pub(crate) fn cell(&self, slot: usize) -> &P::Cell<T> {
        // SAFETY: `objects` is live for as long as `self` (freed only by `Drop`), and only
        // shared references to it are ever made.
        unsafe { &self.objects.as_ref()[slot] }
    }

    /// Pops a free slot and claims it, then runs `check(slot, state)` on the claimed slot: it
    /// may inspect the object (this thread owns it, and no handle to it exists yet) and refuse
    /// it, which releases the claim (back to free, same generation) and pushes it back. The
    /// claim is a compare-and-swap from free to allocated, made before anything touches the
    /// object, so even a free list that pops a slot twice, or pops one that is allocated or
    /// being freed, cannot make two threads own a slot.
    ///
    /// # Errors
    /// [`SlabError::Full`], whatever `check` returns, or [`SlabError::HandedOutTwice`] when the
    /// popped slot is not free (allocated, being freed, or claimed meanwhile by another thread):
    /// only a broken free list does that. That error touches neither the object nor the slot.
    pub(crate) fn alloc_with(
        &self,
        check: impl FnOnce(usize, u64) -> Result<(), SlabError>,
    ) -> Result<Handle, SlabError> {
        let index = self.free_list.pop().ok_or(SlabError::Full {
            capacity: self.capacity(),
        })?;
        let slot = index as usize;
        // Ordered after the free that released this slot by the free list's Release/Acquire (on
        // a sound free list; on a broken one the claim below reads the free's state, which it
        // stored with Release after its last access to the object).
        let state = self.states[slot].load(Ordering::Acquire);
        if !is_free(state) {
            return Err(SlabError::HandedOutTwice {
                slot,
                generation: generation_of(state),
            });
        }
        // The claim. Nothing before it touches the object: of the threads that popped this
        // slot, only the one whose compare-and-swap succeeds goes on.
        // INVARIANT: free to allocated only by this compare-and-swap, at the same generation, so
        // exactly one claimer wins and the handle below is current from here on.
        if let Err(actual) = self.states[slot].compare_exchange(
            state,
            state | ALLOCATED,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            return Err(SlabError::HandedOutTwice {
                slot,
                generation: generation_of(actual),
            });
        }
        if let Err(error) = check(slot, state) {
            // Release the claim: no handle of this generation was made, so the slot is free again
            // at the same generation. Release, so that what `check` wrote happens-before the next
            // claim of the slot.
            // INVARIANT: back to free at the same generation (no handle of it was made), and on
            // the free list again because its state is free.
            self.states[slot].store(state, Ordering::Release);
            self.free_list.push(index);
            return Err(error);
        }
        if slot >= self.high_water.load(Ordering::Relaxed) {
            self.high_water.fetch_max(slot + 1, Ordering::Relaxed);
        }
        Ok(Handle {
            cache: self.id,
            index,
            generation: generation_of(state),
        })
    }

    /// Moves the handle's slot from allocated to free (one compare-and-swap, so of two racing
    /// frees exactly one wins) and pushes it (Release). With `poison`, the slot goes to busy
    /// instead, `poison(slot)` runs while the freeing thread holds it (no `alloc` can claim a
    /// busy slot, even one a broken free list hands out), and only then is it stored free
    /// (Release, so the poison happens-before the next claim).
    ///
    /// # Errors
    /// [`SlabError::DoubleFree`], [`SlabError::StaleHandle`] or [`SlabError::ForeignHandle`];
    /// the cache is unchanged.
    pub(crate) fn free_with(
        &self,
        handle: Handle,
        poison: Option<impl FnOnce(usize)>,
    ) -> Result<(), SlabError> {
        let slot = self.slot_of_handle(handle)?;
        let allocated = state_word(handle.generation, ALLOCATED);
        // Before the compare-and-swap: running out of generations panics with the cache
        // unchanged (the handle stays current).
        let next = next_generation(slot, handle.generation);
        let freed = state_word(next, 0);
        let held = if poison.is_some() {
            freed | BUSY
        } else {
            freed
        };
        // INVARIANT: allocated to free (or busy) only by this compare-and-swap, with the
        // generation one higher, so the freed handle is never current again and of two racing
        // frees exactly one wins.
        if let Err(actual) =
            self.states[slot].compare_exchange(allocated, held, Ordering::AcqRel, Ordering::Acquire)
        {
            let now = generation_of(actual);
            return Err(if now == next && !is_allocated(actual) {
                SlabError::DoubleFree {
                    slot,
                    generation: handle.generation,
                }
            } else {
                SlabError::StaleHandle {
                    slot,
                    handle_generation: handle.generation,
                    slot_generation: now,
                }
            });
        }
        if let Some(poison) = poison {
            poison(slot);
            // INVARIANT: the freeing thread touched the object only while it held the slot busy.
            self.states[slot].store(freed, Ordering::Release);
        }
        // INVARIANT: on the free list once its state is free.
        self.free_list.push(handle.index);
        Ok(())
    }

    /// Validates `handle` against the slot's current state; returns the slot.
    ///
    /// # Errors
    /// [`SlabError::StaleHandle`] or [`SlabError::ForeignHandle`].
    pub(crate) fn check(&self, handle: Handle) -> Result<usize, SlabError> {
        let slot = self.slot_of_handle(handle)?;
        let state = self.states[slot].load(Ordering::Acquire);
        if state != state_word(handle.generation, ALLOCATED) {
            return Err(SlabError::StaleHandle {
                slot,
                handle_generation: handle.generation,
                slot_generation: generation_of(state),
            });
        }
        Ok(slot)
    }

    fn slot_of_handle(&self, handle: Handle) -> Result<usize, SlabError> {
        if handle.cache != self.id {
            return Err(SlabError::ForeignHandle {
                handle_cache: handle.cache,
                cache: self.id,
            });
        }
        // Ids are unique, so this cache made the handle and the index is in range.
        Ok(handle.index as usize)
    }

    /// The current handle of the allocated object at `ptr`.
    ///
    /// # Errors
    /// [`SlabError::NotFromThisCache`] or [`SlabError::NotAllocated`].
    pub(crate) fn handle_of(&self, ptr: *const T) -> Result<Handle, SlabError> {
        self.handle_of_slot(self.slot_of_ptr(ptr)?)
    }

    /// Whether slot `slot` is allocated, peeked at (see [`crate::Slab::peek_allocated`]).
    ///
    /// # Panics
    /// If `slot` is out of range.
    pub(crate) fn peek_allocated(&self, slot: usize) -> bool {
        is_allocated(self.states[slot].peek())
    }

    /// The current handle of slot `slot`, if it is allocated.
    ///
    /// # Errors
    /// [`SlabError::NotAllocated`].
    ///
    /// # Panics
    /// If `slot` is out of range.
    pub(crate) fn handle_of_slot(&self, slot: usize) -> Result<Handle, SlabError> {
        let state = self.states[slot].load(Ordering::Acquire);
        if !is_allocated(state) {
            return Err(SlabError::NotAllocated {
                slot,
                generation: generation_of(state),
            });
        }
        Ok(Handle {
            cache: self.id,
            index: slot as u32,
            generation: generation_of(state),
        })
    }

    /// The slot index of the object at `ptr`, allocated or not (only its address is used).
    ///
    /// # Errors
    /// [`SlabError::NotFromThisCache`].
    pub(crate) fn slot_of_ptr(&self, ptr: *const T) -> Result<usize, SlabError> {
        let address = ptr as usize;
        let not_ours = SlabError::NotFromThisCache { address };
        let offset = address.checked_sub(self.base).ok_or(not_ours.clone())?;
        let slot = offset / self.stride;
        if offset % self.stride != 0 || slot >= self.capacity() {
            return Err(not_ours);
        }
        Ok(slot)
    }

    /// Slot `slot`'s object pointer, with the object's provenance.
    ///
    /// # Panics
    /// If `slot` is out of range.
    pub(crate) fn slot_ptr(&self, slot: usize) -> NonNull<T> {
        assert!(
            slot < self.capacity(),
            "slot#{slot} out of range: the cache has {} slots",
            self.capacity()
        );
        self.slot_ptrs[slot]
    }

    /// The core's words, at a quiescent point.
    pub(crate) fn save(&self) -> crate::SlabWords {
        let (free_head, free_next) = self.free_list.words();
        crate::SlabWords {
            cache: self.id,
            states: self
                .states
                .iter()
                .map(|state| state.load(Ordering::Relaxed))
                .collect(),
            free_head,
            free_next,
            high_water: self.high_water.load(Ordering::Relaxed),
        }
    }

    /// Writes back the words [`SlabCore::save`] read from this core.
    ///
    /// # Panics
    /// If `words` were saved from another core.
    pub(crate) fn restore(&mut self, words: &crate::SlabWords) {
        assert_eq!(
            words.cache, self.id,
            "a slab restores only the words saved from it (its slots, its free list)"
        );
        for (state, &value) in self.states.iter().zip(&words.states) {
            state.store(value, Ordering::Relaxed);
        }
        self.free_list.set_words(words.free_head, &words.free_next);
        self.high_water.store(words.high_water, Ordering::Relaxed);
        // A tagged free list is never corrupt, so words that disagree with the states were
        // read while an alloc or free was under way (a torn save): refused rather than
        // restored into a cache that would hand a slot out twice. An untagged list may be
        // corrupt on purpose (the ABA it exists to show).
        if self.free_list.tagging() == Tagging::Tagged {
            if let Err(error) = self.check_quiescent() {
                panic!(
                    "slab words restored must be a quiescent slab's (saved while no alloc or \
                     free ran): {error}"
                );
            }
        }
    }

    /// A snapshot of the counts (racy while other threads allocate and free).
    pub(crate) fn stats(&self) -> SlabStats {
        let in_use = self
            .states
            .iter()
            .filter(|state| is_allocated(state.load(Ordering::Relaxed)))
            .count();
        SlabStats {
            capacity: self.capacity(),
            in_use,
            free: self.capacity() - in_use,
            high_water: self.high_water.load(Ordering::Relaxed),
        }
    }

    /// At a quiescent point: visits the free slots in the order `alloc` will hand them out.
    ///
    /// # Errors
    /// [`SlabError::FreeListCorrupt`] if the free list has a cycle or links past the last slot.
    pub(crate) fn visit_free_slots(&self, mut visit: impl FnMut(usize)) -> Result<(), SlabError> {
        self.free_list
            .visit(|index| visit(index as usize))
            .map(|_| ())
            .map_err(|detail| SlabError::FreeListCorrupt { detail })
    }

    /// At a quiescent point: the free slots in the order `alloc` will hand them out, collected
    /// from [`SlabCore::visit_free_slots`].
    ///
    /// # Errors
    /// [`SlabError::FreeListCorrupt`] if the free list has a cycle or links past the last slot.
    pub(crate) fn free_slots(&self) -> Result<Vec<usize>, SlabError> {
        let mut slots = Vec::new();
        self.visit_free_slots(|slot| slots.push(slot))?;
        Ok(slots)
    }

    /// At a quiescent point: the free list against the slots' states.
    ///
    /// # Errors
    /// [`SlabError::FreeListCorrupt`] naming the first disagreement.
    pub(crate) fn check_quiescent(&self) -> Result<SlabStats, SlabError> {
        let corrupt = |detail: String| SlabError::FreeListCorrupt { detail };
        // The first slot listed but not free, and which slots are listed (the free list has
        // visited each at most once, or it would have stopped).
        let mut listed_but_not_free = None;
        let mut on_list = SlotSet::new(self.capacity());
        let listed = self
            .free_list
            .visit(|index| {
                let slot = index as usize;
                on_list.insert(slot);
                let state = self.states[slot].load(Ordering::Acquire);
                if !is_free(state) && listed_but_not_free.is_none() {
                    listed_but_not_free = Some((slot, state));
                }
            })
            .map_err(corrupt)?;
        if let Some((slot, state)) = listed_but_not_free {
            return Err(corrupt(format!(
                "slot#{slot} is on the free list but {} (generation {})",
                if is_allocated(state) {
                    "allocated"
                } else {
                    "still being freed"
                },
                generation_of(state)
            )));
        }
        let mut in_use = 0;
        for (slot, state) in self.states.iter().enumerate() {
            let state = state.load(Ordering::Acquire);
            if is_allocated(state) {
                in_use += 1;
            } else if !is_free(state) {
                return Err(corrupt(format!(
                    "slot#{slot} is still being freed (generation {}) at a quiescent point",
                    generation_of(state)
                )));
            } else if !on_list.contains(slot) {
                return Err(corrupt(format!(
                    "slot#{slot} is free (generation {}) but not on the free list: it is lost",
                    generation_of(state)
                )));
            }
        }
        let stats = SlabStats {
            capacity: self.capacity(),
            in_use,
            free: listed,
            high_water: self.high_water.load(Ordering::Relaxed),
        };
        if stats.in_use + stats.free != stats.capacity {
            return Err(corrupt(format!(
                "{} in use + {} free != capacity {}",
                stats.in_use, stats.free, stats.capacity
            )));
        }
        Ok(stats)
    }
}

#[cfg(test)]
mod tests;
