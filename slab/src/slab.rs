//! `Slab`: a cache of fixed-size objects at stable addresses, after Linux's `kmem_cache`
//! (Bonwick, "The Slab Allocator", USENIX 1994; SLUB): a constructor run once per slot, a LIFO
//! free list so a freed object comes straight back at the same address, generation-checked
//! handles, and optional SLUB-style poisoning of freed objects.

use crate::error::SlabError;
use crate::free_list::{FreeList, Tagging};
use crate::handle::Handle;
use crate::plain_bytes::PlainBytes;
use lifecycle_list::{AtomicOps, CellOps, Platform, Std};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

/// SLUB's `POISON_FREE`: what a freed object's bytes are filled with in poisoning mode.
pub const POISON_FREE: u8 = 0x6b;

/// The low bit of a slot's state word: set while allocated. The rest is the generation.
const ALLOCATED: u64 = 1;

fn generation_of(state: u64) -> u64 {
    state >> 1
}

fn is_allocated(state: u64) -> bool {
    state & ALLOCATED != 0
}

/// Hands out cache ids, so a handle from another cache is recognised.
static NEXT_CACHE_ID: AtomicU32 = AtomicU32::new(1);

/// Counts of a cache's slots. See [`Slab::stats`] and [`Slab::check_quiescent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlabStats {
    /// Slots in the cache (fixed at creation).
    pub capacity: usize,
    /// Slots allocated.
    pub in_use: usize,
    /// Slots free.
    pub free: usize,
    /// The number of distinct slots ever handed out. The free list is LIFO and starts in slot
    /// order, so a never-used slot is only taken when every used one is allocated (or being
    /// freed): this is the peak number of objects allocated at once.
    pub high_water: usize,
}

/// A cache of `capacity` objects of type `T`, each in a slot that never moves.
///
/// # Invariants
/// - Every slot's object is always initialized: the constructor ran once per slot at creation,
///   and `free` does not drop or reset the object (like a kmem_cache with a ctor). An object
///   allocated again keeps what the last owner left in it: that is what lets a stale list link
///   survive a free and a reallocation, as in the story this suite models.
/// - A slot's state is `generation << 1 | allocated`; the generation grows by one on every free,
///   so a [`Handle`] is valid exactly while the state equals its generation with the allocated
///   bit set.
/// - A slot is on the free list iff its state is free (at every quiescent point; between a
///   free's state change and its push the slot is in neither).
/// - With poisoning on, a free slot's bytes are all [`POISON_FREE`] until it is allocated.
pub struct Slab<T, P: Platform = Std> {
    id: u32,
    objects: Box<[P::Cell<T>]>,
    states: Box<[P::AtomicU64]>,
    free_list: FreeList<P>,
    poison: bool,
    /// Address of slot 0's object and the distance between objects, for pointer-to-slot lookups.
    base: usize,
    stride: usize,
    /// Statistics only (a std atomic even under a checker, so it adds no explored states).
    high_water: AtomicUsize,
}

// SAFETY: a `Slab` owns its objects; moving it moves ownership of `T`s, so `T: Send` suffices.
unsafe impl<T: Send, P: Platform> Send for Slab<T, P> {}
// SAFETY: shared access hands out `&T` to several threads (`T: Sync`) and lets any thread free
// and reallocate an object another thread created (`T: Send`); slot ownership itself is
// arbitrated by atomics (the free list, the state words).
unsafe impl<T: Send + Sync, P: Platform> Sync for Slab<T, P> {}

impl<T, P: Platform> std::fmt::Debug for Slab<T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slab")
            .field("id", &self.id)
            .field("capacity", &self.capacity())
            .field("tagging", &self.free_list.tagging())
            .field("poison", &self.poison)
            .finish_non_exhaustive()
    }
}

impl<T, P: Platform> Slab<T, P> {
    /// A cache of `capacity` objects, the constructor `ctor(slot)` run once per slot now, with
    /// the tagged (ABA-safe) free list.
    ///
    /// # Panics
    /// If `capacity` is not below `u32::MAX` (indices are 32-bit).
    pub fn new(capacity: usize, ctor: impl FnMut(usize) -> T) -> Self {
        Self::with_tagging(capacity, Tagging::Tagged, ctor)
    }

    /// As [`Slab::new`], choosing the free list's tagging. [`Tagging::Untagged`] is broken on
    /// purpose (see there).
    ///
    /// # Panics
    /// If `capacity` is not below `u32::MAX`.
    pub fn with_tagging(capacity: usize, tagging: Tagging, ctor: impl FnMut(usize) -> T) -> Self {
        Self::build(capacity, tagging, false, ctor)
    }

    fn build(
        capacity: usize,
        tagging: Tagging,
        poison: bool,
        mut ctor: impl FnMut(usize) -> T,
    ) -> Self {
        let len = u32::try_from(capacity)
            .ok()
            .filter(|&len| len != u32::MAX)
            .unwrap_or_else(|| {
                panic!("slab capacity {capacity} too large: slot indices are 32-bit")
            });
        let objects: Box<[P::Cell<T>]> = (0..capacity).map(|i| P::Cell::new(ctor(i))).collect();
        let address = |i: usize| objects[i].with(|object| object as usize);
        let base = if capacity > 0 { address(0) } else { 0 };
        let stride = if capacity > 1 { address(1) - base } else { 1 };
        let slab = Slab {
            id: NEXT_CACHE_ID.fetch_add(1, Ordering::Relaxed),
            states: (0..capacity).map(|_| P::AtomicU64::new(0)).collect(),
            free_list: FreeList::full(len, tagging),
            poison,
            base,
            stride,
            high_water: AtomicUsize::new(0),
            objects,
        };
        if poison {
            (0..capacity).for_each(|slot| slab.fill_poison(slot));
        }
        slab
    }

    /// This cache's id (handles carry it).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The number of slots.
    pub fn capacity(&self) -> usize {
        self.objects.len()
    }

    /// The free list's tagging.
    pub fn tagging(&self) -> Tagging {
        self.free_list.tagging()
    }

    /// Allocates the most recently freed slot (LIFO). Never blocks: a full cache is
    /// [`SlabError::Full`].
    ///
    /// # Errors
    /// - [`SlabError::Full`] when every slot is allocated.
    /// - [`SlabError::WriteAfterFree`] (poisoning mode) when the popped object's poison was
    ///   overwritten; it is re-poisoned and pushed back, so the next `alloc` gets it clean.
    /// - [`SlabError::HandedOutTwice`] when the free list gave out an allocated slot, which only
    ///   the broken [`Tagging::Untagged`] free list can do. The cache is corrupt after this.
    pub fn alloc(&self) -> Result<Handle, SlabError> {
        let index = self.free_list.pop().ok_or(SlabError::Full {
            capacity: self.capacity(),
        })?;
        let slot = index as usize;
        // Ordered after the free that released this slot by the free list's Release/Acquire.
        let state = self.states[slot].load(Ordering::Acquire);
        if is_allocated(state) {
            return Err(SlabError::HandedOutTwice {
                slot,
                generation: generation_of(state),
            });
        }
        if self.poison {
            if let Some((offset, found)) = self.find_poison_damage(slot) {
                self.fill_poison(slot);
                self.free_list.push(index);
                return Err(SlabError::WriteAfterFree {
                    slot,
                    offset,
                    found,
                    generation: generation_of(state).wrapping_sub(1),
                });
            }
        }
        self.states[slot].store(state | ALLOCATED, Ordering::Release);
        if slot >= self.high_water.load(Ordering::Relaxed) {
            self.high_water.fetch_max(slot + 1, Ordering::Relaxed);
        }
        Ok(Handle {
            cache: self.id,
            index,
            generation: generation_of(state),
        })
    }

    /// Returns the object to the cache. The object is not dropped or reset (poisoned in
    /// poisoning mode); the handle, and every copy of it, is stale from now on.
    ///
    /// # Errors
    /// [`SlabError::DoubleFree`], [`SlabError::StaleHandle`] (freed and reallocated since) or
    /// [`SlabError::ForeignHandle`]; the cache is unchanged.
    pub fn free(&self, handle: Handle) -> Result<(), SlabError> {
        let slot = self.slot_of_handle(handle)?;
        let allocated = handle.generation << 1 | ALLOCATED;
        let freed = (handle.generation + 1) << 1;
        // A compare-and-swap, so that of two racing frees of one handle exactly one wins.
        if let Err(actual) = self.states[slot].compare_exchange(
            allocated,
            freed,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            let now = generation_of(actual);
            return Err(if now == handle.generation + 1 && !is_allocated(actual) {
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
        if self.poison {
            self.fill_poison(slot);
        }
        self.free_list.push(handle.index);
        Ok(())
    }

    /// A shared reference to the object, if the handle is current.
    ///
    /// The check is made now: a reference kept past a `free` of the object is a use after free
    /// the slab cannot see (the reference stays memory-safe: slots are never unmapped, and the
    /// object stays initialized).
    ///
    /// # Errors
    /// [`SlabError::StaleHandle`] or [`SlabError::ForeignHandle`].
    pub fn get(&self, handle: Handle) -> Result<&T, SlabError> {
        let slot = self.check(handle)?;
        // SAFETY: the object is always initialized; shared references may coexist, and
        // `with_mut`'s contract rules out a concurrent exclusive one.
        Ok(self.objects[slot].with(|object| unsafe { &*object }))
    }

    /// Runs `f` on the object (a read access, visible to loom's race detector).
    ///
    /// # Errors
    /// As [`Slab::get`].
    pub fn with<R>(&self, handle: Handle, f: impl FnOnce(&T) -> R) -> Result<R, SlabError> {
        let slot = self.check(handle)?;
        // SAFETY: as in `get`.
        Ok(self.objects[slot].with(|object| f(unsafe { &*object })))
    }

    /// Runs `f` on the object exclusively (a write access, visible to loom's race detector).
    ///
    /// # Errors
    /// As [`Slab::get`].
    ///
    /// # Safety
    /// No other reference to this object is live during the call (no `get` result in use, no
    /// concurrent `with`/`with_mut` on it): normally the allocating thread owns the object.
    pub unsafe fn with_mut<R>(
        &self,
        handle: Handle,
        f: impl FnOnce(&mut T) -> R,
    ) -> Result<R, SlabError> {
        let slot = self.check(handle)?;
        // SAFETY: exclusivity is the caller's contract; the object is always initialized.
        Ok(self.objects[slot].with_mut(|object| f(unsafe { &mut *object })))
    }

    /// The object's address, if the handle is current. Dereferencing it is the caller's
    /// responsibility, as with any raw pointer.
    ///
    /// # Errors
    /// As [`Slab::get`].
    pub fn as_ptr(&self, handle: Handle) -> Result<NonNull<T>, SlabError> {
        let slot = self.check(handle)?;
        Ok(self.object_ptr(slot))
    }

    /// The current handle of the allocated object at `ptr` (`kmem_cache_free(cache, ptr)` and
    /// `container_of` users start from a pointer).
    ///
    /// # Errors
    /// [`SlabError::NotFromThisCache`] if `ptr` is not the start of one of this cache's objects,
    /// [`SlabError::NotAllocated`] if that object is free.
    pub fn handle_of(&self, ptr: *const T) -> Result<Handle, SlabError> {
        let slot = self.slot_of_ptr(ptr)?;
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

    /// The slot index of the object at `ptr`, allocated or not.
    ///
    /// # Errors
    /// [`SlabError::NotFromThisCache`].
    pub fn slot_of_ptr(&self, ptr: *const T) -> Result<usize, SlabError> {
        let address = ptr as usize;
        let not_ours = SlabError::NotFromThisCache { address };
        let offset = address.checked_sub(self.base).ok_or(not_ours.clone())?;
        let slot = offset / self.stride;
        if offset % self.stride != 0 || slot >= self.capacity() {
            return Err(not_ours);
        }
        Ok(slot)
    }

    /// The address of slot `slot`'s object, allocated or not (for diagnostics and for models
    /// that must name a slot by address).
    ///
    /// # Panics
    /// If `slot` is out of range.
    pub fn slot_address(&self, slot: usize) -> usize {
        assert!(
            slot < self.capacity(),
            "slot#{slot} out of range: the cache has {} slots",
            self.capacity()
        );
        self.base + slot * self.stride
    }

    /// A snapshot of the counts (racy while other threads allocate and free).
    pub fn stats(&self) -> SlabStats {
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

    /// At a quiescent point (no alloc or free running): walks the free list and checks it
    /// against the slots' states: no slot twice, every listed slot free, every free slot listed,
    /// so `in_use + free == capacity` with `free` counted on the list itself.
    ///
    /// # Errors
    /// [`SlabError::FreeListCorrupt`] naming the first disagreement.
    pub fn check_quiescent(&self) -> Result<SlabStats, SlabError> {
        let corrupt = |detail: String| SlabError::FreeListCorrupt { detail };
        let listed = self.free_list.walk().map_err(corrupt)?;
        let mut on_list = vec![false; self.capacity()];
        for &index in &listed {
            let slot = index as usize;
            on_list[slot] = true;
            let state = self.states[slot].load(Ordering::Acquire);
            if is_allocated(state) {
                return Err(corrupt(format!(
                    "slot#{slot} is on the free list but allocated (generation {})",
                    generation_of(state)
                )));
            }
        }
        let mut in_use = 0;
        for (slot, state) in self.states.iter().enumerate() {
            let state = state.load(Ordering::Acquire);
            if is_allocated(state) {
                in_use += 1;
            } else if !on_list[slot] {
                return Err(corrupt(format!(
                    "slot#{slot} is free (generation {}) but not on the free list: it is lost",
                    generation_of(state)
                )));
            }
        }
        let stats = SlabStats {
            capacity: self.capacity(),
            in_use,
            free: listed.len(),
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

    /// Validates `handle` against the slot's current state.
    fn check(&self, handle: Handle) -> Result<usize, SlabError> {
        let slot = self.slot_of_handle(handle)?;
        let state = self.states[slot].load(Ordering::Acquire);
        if state != (handle.generation << 1 | ALLOCATED) {
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
        // Handles are only made by this cache, so the index is in range.
        Ok(handle.index as usize)
    }

    fn object_ptr(&self, slot: usize) -> NonNull<T> {
        // Computed from the addresses recorded at creation, so that taking an address is not an
        // access a checker would record.
        NonNull::new(self.slot_address(slot) as *mut T).expect("a slot's address is never null")
    }

    /// Fills slot `slot`'s object with [`POISON_FREE`]. Only called with poisoning on, which
    /// [`Slab::with_poison`] only allows for [`PlainBytes`] objects.
    fn fill_poison(&self, slot: usize) {
        let size = std::mem::size_of::<T>();
        // SAFETY: poisoning is only enabled for `T: PlainBytes`, for which any bytes are a valid
        // value; the slot is free (or being created), so this thread owns it.
        self.objects[slot].with_mut(|object| unsafe {
            std::ptr::write_bytes(object.cast::<u8>(), POISON_FREE, size)
        });
    }

    /// The first byte of slot `slot`'s object that is not [`POISON_FREE`], with its value.
    fn find_poison_damage(&self, slot: usize) -> Option<(usize, u8)> {
        let size = std::mem::size_of::<T>();
        self.objects[slot].with(|object| {
            // SAFETY: `T: PlainBytes` (poisoning mode), so reading its bytes is reading
            // initialized memory; the slot was just popped, so this thread owns it.
            let bytes = unsafe { std::slice::from_raw_parts(object.cast::<u8>(), size) };
            bytes
                .iter()
                .position(|&byte| byte != POISON_FREE)
                .map(|offset| (offset, bytes[offset]))
        })
    }
}

impl<T: PlainBytes, P: Platform> Slab<T, P> {
    /// A debugging cache in SLUB's poisoning mode: objects are filled with [`POISON_FREE`] when
    /// freed (and at creation, like SLUB: there is no constructor), and checked on the next
    /// `alloc`, which reports a write after free as [`SlabError::WriteAfterFree`].
    ///
    /// # Panics
    /// If `capacity` is not below `u32::MAX`.
    pub fn with_poison(capacity: usize, tagging: Tagging) -> Self {
        // SAFETY: `T: PlainBytes` makes the all-poison bytes a valid `T`.
        Self::build(capacity, tagging, true, |_| unsafe { std::mem::zeroed() })
    }
}
