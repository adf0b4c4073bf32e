//! `Slot`: what a [`SafeSlab`](crate::SafeSlab) keeps in each slot of its raw
//! [`Slab`]: the object, its reference count, and where it came from (a `kmem_cache` object with
//! the refcount of Rust-for-Linux's `Arc` beside it, so a counted reference is one pointer).

use crate::slab::Slab;
use lifecycle_list::{AtomicOps, CellOps, Platform};
use std::ptr::NonNull;
use std::sync::atomic::Ordering;

/// An object of a safe slab, with its count of references.
///
/// # Invariants
/// - `value` is the first field (`repr(C)`): a pointer to the slot is a pointer to the value,
///   with the same provenance.
/// - `slab` points to the raw slab that holds this slot (a boxed slab that outlives every
///   reference: references borrow the [`SafeSlab`](crate::SafeSlab)), `index` is this slot's
///   index in it; both are set at construction and never written again.
/// - `refs` counts the references ([`Unique`](crate::Unique), [`Ref`](crate::Ref),
///   [`Token`](crate::Token), a token held by a list included) while the slot is allocated. A
///   free slot's count is 1, ready for its next allocation, so `alloc` writes nothing: the
///   last reference to go stores 1 back before it frees the slot.
#[repr(C)]
pub(crate) struct Slot<T, P: Platform> {
    value: T,
    slab: NonNull<Slab<Slot<T, P>, P>>,
    index: u32,
    refs: P::AtomicUsize,
}

// SAFETY: a slot is moved or shared only inside its slab, which hands its `T` to any thread
// through counted references (so `T: Send + Sync`, like `Arc<T>`); `slab` points to that slab,
// which is `Sync` under the same bounds.
unsafe impl<T: Send + Sync, P: Platform> Send for Slot<T, P> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync, P: Platform> Sync for Slot<T, P> {}

impl<T, P: Platform> Slot<T, P> {
    /// Slot `index` of the raw slab that will live at `slab`, count 1 (free).
    pub(crate) fn new(slab: NonNull<Slab<Slot<T, P>, P>>, index: usize, value: T) -> Self {
        // INVARIANT: `value` first (`repr(C)`); `slab` and `index` set here, never again; the
        // count of a free slot is 1.
        Slot {
            value,
            slab,
            index: u32::try_from(index).expect("the raw slab refuses 2^32 slots or more"),
            refs: P::AtomicUsize::new(1),
        }
    }

    /// The raw slab this slot is in.
    ///
    /// # Safety
    /// `slot` is a slot of a live safe slab, and `'a` does not outlive it.
    #[inline]
    pub(crate) unsafe fn slab<'a>(slot: NonNull<Self>) -> &'a Slab<Slot<T, P>, P> {
        // SAFETY: `slab` is never written after construction, and points to the live raw slab
        // (the caller's contract); only the field is read.
        unsafe { (*slot.as_ptr()).slab.as_ref() }
    }

    /// This slot's index.
    ///
    /// # Safety
    /// As [`Slot::slab`].
    #[inline]
    pub(crate) unsafe fn index(slot: NonNull<Self>) -> usize {
        // SAFETY: never written after construction; only the field is read.
        unsafe { (*slot.as_ptr()).index as usize }
    }

    /// The reference count.
    ///
    /// # Safety
    /// As [`Slot::slab`].
    #[inline]
    unsafe fn refs<'a>(slot: NonNull<Self>) -> &'a P::AtomicUsize {
        // SAFETY: a reference to the atomic field alone, which no `&mut` ever covers (`&mut T`
        // is made to `value` only).
        unsafe { &(*slot.as_ptr()).refs }
    }

    /// The object, through the slot's cell (a read the checkers see).
    ///
    /// # Safety
    /// As [`Slot::slab`], and the caller holds a counted reference for all of `'a`.
    #[inline]
    pub(crate) unsafe fn value<'a>(slot: NonNull<Self>) -> &'a T {
        if !P::IS_CHECKER {
            // On real threads the cell is a plain `UnsafeCell` and `slot` is the pointer its
            // `with_mut` gave at construction: the same address and provenance, without the
            // loads that find the cell. Under a checker, the cell's `with` is the read it sees.
            // SAFETY: the caller's reference keeps the object allocated, and no `&mut T`
            // exists while another reference does (only `Unique`, the only one, makes one).
            return unsafe { &(*slot.as_ptr()).value };
        }
        // SAFETY: forwarded from the caller.
        let (slab, index) = unsafe { (Self::slab(slot), Self::index(slot)) };
        // SAFETY: as above.
        slab.cell(index).with(|object| unsafe { &(*object).value })
    }

    /// The object, exclusively, through the slot's cell (a write the checkers see).
    ///
    /// # Safety
    /// As [`Slot::slab`], and the caller holds the only reference for all of `'a` (so nothing
    /// else accesses the object meanwhile).
    #[inline]
    pub(crate) unsafe fn value_mut<'a>(slot: NonNull<Self>) -> &'a mut T {
        if !P::IS_CHECKER {
            // As in `value`: the same pointer the cell would give, without finding the cell.
            // SAFETY: the caller's reference is the only one; the `&mut` covers `value` alone.
            return unsafe { &mut (*slot.as_ptr()).value };
        }
        // SAFETY: forwarded from the caller.
        let (slab, index) = unsafe { (Self::slab(slot), Self::index(slot)) };
        // SAFETY: the caller's reference is the only one; the `&mut` covers `value` alone, never
        // the count, which the atomic's own shared references reach.
        slab.cell(index)
            .with_mut(|object| unsafe { &mut (*object).value })
    }

    /// Takes one more reference (`Arc::clone`: Relaxed, since the caller already has one).
    ///
    /// # Safety
    /// As [`Slot::slab`], and the caller holds a counted reference.
    #[inline]
    pub(crate) unsafe fn acquire(slot: NonNull<Self>) {
        // SAFETY: forwarded from the caller.
        let old = unsafe { Self::refs(slot) }.fetch_add(1, Ordering::Relaxed);
        if old > isize::MAX as usize {
            // As `Arc`: a count this high means references are leaked in a loop; wrapping
            // would free a referenced object.
            eprintln!("safe slab: reference count overflow (references leaked in a loop)");
            std::process::abort();
        }
    }

    /// Whether the caller's reference is the only one. Acquire: every other reference's
    /// accesses, released when it was dropped, happen-before what the caller does next.
    ///
    /// # Safety
    /// As [`Slot::acquire`].
    #[inline]
    pub(crate) unsafe fn is_unique(slot: NonNull<Self>) -> bool {
        // SAFETY: forwarded from the caller.
        unsafe { Self::refs(slot) }.load(Ordering::Acquire) == 1
    }

    /// Sets the count of a slot whose one reference the caller holds (to hand out more).
    ///
    /// # Safety
    /// As [`Slot::acquire`], and the caller's reference is the only one.
    #[inline]
    pub(crate) unsafe fn set_count(slot: NonNull<Self>, count: usize) {
        // SAFETY: forwarded from the caller; nobody else can see the count.
        // INVARIANT: the caller hands out exactly `count` references from here on.
        unsafe { Self::refs(slot) }.store(count, Ordering::Relaxed);
    }

    /// Drops one reference; the last one frees the object. AcqRel, as `Arc`'s drop: every
    /// reference's accesses happen-before the free, and so before the slot's next owner's.
    ///
    /// # Safety
    /// As [`Slot::acquire`]; the caller gives its reference up.
    #[inline]
    pub(crate) unsafe fn release(slot: NonNull<Self>) {
        if P::IS_CHECKER && std::thread::panicking() {
            // The checker's execution failed and is abandoned (see `SpinGuard`'s drop).
            return;
        }
        // SAFETY: forwarded from the caller.
        let refs = unsafe { Self::refs(slot) };
        if refs.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        // The last reference: nobody else can reach the object (a linked object's list holds a
        // token, so it is not linked). A free slot's count is 1 (the type's invariants); the
        // free below publishes the store to the next `alloc` of the slot.
        // INVARIANT: a free slot's count is 1.
        refs.store(1, Ordering::Relaxed);
        // SAFETY: forwarded from the caller.
        unsafe { Self::free(slot) };
    }

    /// Frees the slot whose one reference the caller gives up.
    ///
    /// # Safety
    /// As [`Slot::acquire`], the caller's reference is the only one, and the count is 1.
    pub(crate) unsafe fn free(slot: NonNull<Self>) {
        // SAFETY: forwarded from the caller.
        let (slab, index) = unsafe { (Self::slab(slot), Self::index(slot)) };
        let freed = slab
            .handle_of_slot(index)
            .and_then(|handle| slab.free(handle));
        if let Err(error) = freed {
            panic!(
                "safe slab invariant broken: the last reference to slot#{index} could not free \
                 it ({error}); only the last reference frees, once"
            );
        }
    }
}
