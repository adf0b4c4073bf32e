//! `Ref`: a counted reference to a safe slab's object (Rust-for-Linux's `Arc`; the kernel's
//! `get_ref`/`put_ref`), which may outlive the lock it was taken under. The last reference to
//! go frees the object.

use crate::safe::safe_slab::SafeSlab;
use crate::safe::slot::Slot;
use crate::safe::unique::Unique;
use lifecycle_list::{Platform, Std};
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::ptr::NonNull;

/// A counted reference: `Clone` takes another, `Drop` gives one up, and the last one to go
/// (counting every [`Token`](crate::Token), those held by lists included) frees the object.
/// A linked object's list holds its token, so the last reference never frees a linked object.
///
/// # Invariants
/// `slot` is an allocated slot of a safe slab that `'s` borrows, and this value holds one of
/// its counted references.
pub struct Ref<'s, T, P: Platform = Std> {
    slot: NonNull<Slot<T, P>>,
    _slab: PhantomData<&'s SafeSlab<T, P>>,
}

// SAFETY: as `Arc<T>`: a reference shared or moved between threads gives `&T` to several and
// lets any of them free the object, so `T: Send + Sync`.
unsafe impl<T: Send + Sync, P: Platform> Send for Ref<'_, T, P> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync, P: Platform> Sync for Ref<'_, T, P> {}

impl<'s, T, P: Platform> Ref<'s, T, P> {
    /// Wraps one counted reference to `slot`.
    ///
    /// # Safety
    /// `slot` is an allocated slot of a safe slab that outlives `'s`, and the caller hands this
    /// value one of its counted references.
    #[inline]
    pub(crate) unsafe fn from_slot(slot: NonNull<Slot<T, P>>) -> Self {
        Ref {
            slot,
            _slab: PhantomData,
        }
    }

    /// The [`Unique`] back, with the right to free and to write, if this is the only reference:
    /// no other `Ref`, and no token (so the object is on no list).
    ///
    /// # Errors
    /// `self` back, when another reference exists (a list holding the object's token, another
    /// `Ref`): freeing or writing the object now would pull it from under them.
    #[allow(clippy::result_large_err)]
    pub fn try_unique(self) -> Result<Unique<'s, T, P>, Self> {
        // SAFETY: `self` holds a reference; Acquire orders every other reference's accesses
        // (released when it was dropped) before the caller's.
        if !unsafe { Slot::is_unique(self.slot) } {
            return Err(self);
        }
        let slot = ManuallyDrop::new(self).slot;
        // SAFETY: as `Slot::slab`: the slab outlives `'s`.
        let slab = unsafe { Slot::slab(slot) };
        // SAFETY: as above.
        let index = unsafe { Slot::index(slot) };
        let handle = slab.handle_of_slot(index).unwrap_or_else(|error| {
            panic!(
                "safe slab invariant broken: a referenced object is not allocated ({error}); \
                 only the last reference frees"
            )
        });
        // SAFETY: the slot is allocated (`handle` is current) and this was its only reference,
        // which moves into the `Unique`.
        Ok(unsafe { Unique::new(slab, handle) })
    }

    /// Whether two references name the same object.
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        this.slot == other.slot
    }

    /// The object's slot index (stable: the same slot comes back at the same address).
    pub fn slot(this: &Self) -> usize {
        // SAFETY: the type's invariants.
        unsafe { Slot::index(this.slot) }
    }
}

impl<T, P: Platform> Clone for Ref<'_, T, P> {
    #[inline]
    fn clone(&self) -> Self {
        // SAFETY: `self` holds a reference, so the slot stays allocated; the new value holds the
        // one taken here.
        // INVARIANT: the new `Ref` holds the reference counted here.
        unsafe {
            Slot::acquire(self.slot);
            Ref::from_slot(self.slot)
        }
    }
}

impl<T, P: Platform> Deref for Ref<'_, T, P> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: this reference keeps the object allocated for the borrow of `self`.
        unsafe { Slot::value(self.slot) }
    }
}

impl<T, P: Platform> Drop for Ref<'_, T, P> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: this value's reference is given up here, once.
        unsafe { Slot::release(self.slot) };
    }
}

impl<T, P: Platform> std::fmt::Debug for Ref<'_, T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ref")
            .field("slot", &Ref::slot(self))
            .finish_non_exhaustive()
    }
}
