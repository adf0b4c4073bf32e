//! `SafeSlab`: a slab cache whose objects are reached only through counted references and
//! link tokens, so that freeing a linked object, a double free and a use after free do not
//! compile (the raw [`Slab`] underneath, after Linux's `kmem_cache`; the references after
//! Rust-for-Linux's `Arc`/`UniqueArc`/`ListArc`).

use crate::error::SlabError;
use crate::safe::slot::Slot;
use crate::safe::unique::Unique;
use crate::slab::Slab;
use crate::slab_stats::SlabStats;
use lifecycle_list::{Platform, Std};
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

/// A cache of `capacity` objects of type `T` that hands them out as [`Unique`] references.
///
/// The story's fixed lifecycle, in safe code (freeing while linked, a double add, a double
/// free, a list change without the lock or a pointer kept past the unlock do not compile):
///
/// ```
/// use lifecycle_list::{impl_list_link, ListLink, SpinLock};
/// use lifecycle_slab::{SafeSlab, SlabList};
///
/// const REGISTRY: u64 = 0;
/// struct Socket {
///     registry: ListLink<REGISTRY>,
///     port: u16,
/// }
/// impl_list_link!(Socket, registry, REGISTRY);
///
/// let sockets: SafeSlab<Socket> = SafeSlab::new(8, |_| Socket {
///     registry: ListLink::new(),
///     port: 0,
/// });
/// let registry: SpinLock<SlabList<Socket, REGISTRY>> = SpinLock::new(SlabList::new());
///
/// // Open: the only reference, written through `&mut`, then its token onto the list.
/// let mut socket = sockets.alloc()?;
/// socket.port = 80;
/// let token = socket.into_token::<REGISTRY>();
/// let mine = token.to_ref(); // the owner keeps a counted reference
/// registry.lock().unwrap().add(token); // `add` consumes the token: no second add
///
/// // Look up: a counted reference taken under the lock outlives the guard.
/// let found = registry.lock().unwrap().iter().find(|s| s.port == 80).map(|s| s.to_ref());
/// assert_eq!(found.as_ref().map(|s| s.port), Some(80));
///
/// // Close: unlink under the lock (the token comes back), then free once every reference is
/// // gone; while the reader still holds one, `try_unique` refuses.
/// let token = registry.lock().unwrap().del(&mine)?;
/// drop(token);
/// let mine = mine.try_unique().expect_err("the reader still holds a reference");
/// drop(found);
/// let socket = mine.try_unique().ok().expect("every reference and token back");
/// sockets.free(socket).ok().expect("from this slab");
/// assert_eq!(sockets.stats().in_use, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Invariants
/// - `inner` is a boxed raw slab (`Box::into_raw`), owned here and freed only by `Drop`; every
///   slot's `Slot::slab` points to it. Nothing but this module reaches it, so every allocated
///   slot is reached only through counted references (`Unique`, `Ref`, `Token`) and every
///   free slot has count 1.
/// - References borrow the `SafeSlab` (`'s`), so it outlives them all; `Drop` without
///   `#[may_dangle]` keeps a `T` from holding a reference into its own slab.
pub struct SafeSlab<T, P: Platform = Std> {
    inner: NonNull<Slab<Slot<T, P>, P>>,
    /// The safe slab owns the raw slab (and so the `T`s), for the drop check.
    _owns: PhantomData<Slab<Slot<T, P>, P>>,
}

// SAFETY: the safe slab owns the raw slab behind `inner`; moving it moves the `T`s (which the
// references hand to any thread, like `Arc<T>`), so the raw slab's own bounds apply.
unsafe impl<T: Send + Sync, P: Platform> Send for SafeSlab<T, P> {}
// SAFETY: shared, it hands `&T` to several threads and lets any of them free an object another
// allocated: `T: Send + Sync`, the raw slab's `Sync` bound.
unsafe impl<T: Send + Sync, P: Platform> Sync for SafeSlab<T, P> {}

impl<T, P: Platform> SafeSlab<T, P> {
    /// A cache of `capacity` objects, `ctor(slot)` run once per slot now.
    ///
    /// # Panics
    /// As [`Slab::new`] (a capacity of `u32::MAX` or more); the raw slab's box then leaks.
    pub fn new(capacity: usize, mut ctor: impl FnMut(usize) -> T) -> Self {
        // The slots point to their slab, so its address is taken before it is built.
        let raw: *mut MaybeUninit<Slab<Slot<T, P>, P>> = Box::into_raw(Box::new_uninit());
        // SAFETY: a `Box`'s pointer is never null.
        let inner = unsafe { NonNull::new_unchecked(raw.cast::<Slab<Slot<T, P>, P>>()) };
        let slab = Slab::new(capacity, |index| Slot::new(inner, index, ctor(index)));
        // SAFETY: `inner` is the box's allocation, sized and aligned for the slab; writing
        // through the same pointer keeps the provenance every slot's `slab` was made from.
        unsafe { inner.as_ptr().write(slab) };
        // INVARIANT: `inner` is the box's allocation, initialized, owned here; every slot points
        // to it and every slot is free with count 1.
        SafeSlab {
            inner,
            _owns: PhantomData,
        }
    }

    /// The raw slab.
    #[inline]
    pub(crate) fn inner(&self) -> &Slab<Slot<T, P>, P> {
        // SAFETY: initialized in `new`, freed only by `Drop`.
        unsafe { self.inner.as_ref() }
    }

    /// Allocates the most recently freed slot (LIFO), as the only reference to it. Its links
    /// are on no list and every token is inside it.
    ///
    /// # Errors
    /// [`SlabError::Full`] when every slot is allocated.
    #[inline]
    pub fn alloc(&self) -> Result<Unique<'_, T, P>, SlabError> {
        let handle = self.inner().alloc()?;
        // SAFETY: the handle is the current one of a slot just allocated, whose count is 1
        // (a free slot's count), and this is its only reference.
        Ok(unsafe { Unique::new(self.inner(), handle) })
    }

    /// Frees an object: only a [`Unique`] can be freed, and a `Unique` exists only while no
    /// other reference does, every token included, so the object is on no list. (Dropping the
    /// `Unique` frees it too; the last [`Ref`](crate::Ref) or [`Token`](crate::Token) to go
    /// does the same.)
    ///
    /// # Errors
    /// The object back, when it comes from another slab (nothing is freed).
    #[inline]
    #[allow(clippy::result_large_err)]
    pub fn free<'s>(&self, object: Unique<'s, T, P>) -> Result<(), Unique<'s, T, P>> {
        if !object.is_from(self.inner()) {
            return Err(object);
        }
        object.free();
        Ok(())
    }

    /// The number of slots.
    pub fn capacity(&self) -> usize {
        self.inner().capacity()
    }

    /// This cache's id (unique in the process).
    pub fn id(&self) -> u64 {
        self.inner().id()
    }

    /// A snapshot of the counts (racy while other threads allocate and free).
    pub fn stats(&self) -> SlabStats {
        self.inner().stats()
    }

    /// At a quiescent point: the free list checked against the slots' states
    /// ([`Slab::check_quiescent`]).
    ///
    /// # Errors
    /// [`SlabError::FreeListCorrupt`] naming the first disagreement.
    pub fn check_quiescent(&self) -> Result<SlabStats, SlabError> {
        self.inner().check_quiescent()
    }
}

impl<T, P: Platform> Drop for SafeSlab<T, P> {
    fn drop(&mut self) {
        // SAFETY: `inner` came from `Box::into_raw` and was initialized in `new`; it is freed
        // only here, and no reference outlives `&mut self` (they all borrow `self`).
        drop(unsafe { Box::from_raw(self.inner.as_ptr()) });
    }
}

impl<T, P: Platform> std::fmt::Debug for SafeSlab<T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafeSlab")
            .field("id", &self.id())
            .field("capacity", &self.capacity())
            .finish_non_exhaustive()
    }
}
