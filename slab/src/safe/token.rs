//! `Token`: a safe slab object's one right to be on the lists with a given ID, as a counted
//! reference (Rust-for-Linux's `ListArc<T, ID>`): `SafeList::add` consumes it and
//! `SafeList::del` gives it back.

use crate::safe::counted::Ref;
use crate::safe::safe_slab::SafeSlab;
use crate::safe::slot::Slot;
use lifecycle_list::{HasListLink, LinkToken, Platform, SafeList, Std};
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::ptr::NonNull;

/// A list of safe slab objects on their `ID` links, holding their tokens.
pub type SlabList<'s, T, const ID: u64 = 0, P = Std> = SafeList<Token<'s, T, ID, P>, ID, P>;

/// The one right to link an object on a list with ID `ID`, and a counted reference to it.
///
/// # Invariants
/// - `slot` is an allocated slot of a safe slab that `'s` borrows, and this value (or the list
///   holding it in raw form) holds one of its counted references.
/// - At most one `Token<ID>` per object exists: tokens are made only from a [`Unique`]
///   (`Unique::into_token`, `Unique::into_tokens` with two different IDs), which exists only
///   while no other reference, and so no token, does; `Token` is not `Clone`.
///
/// [`Unique`]: crate::Unique
pub struct Token<'s, T, const ID: u64 = 0, P: Platform = Std> {
    slot: NonNull<Slot<T, P>>,
    _slab: PhantomData<&'s SafeSlab<T, P>>,
}

// SAFETY: as `Ref`: a counted reference gives `&T` to whoever holds or shares it and lets any
// thread free the object, so `T: Send + Sync`.
unsafe impl<T: Send + Sync, const ID: u64, P: Platform> Send for Token<'_, T, ID, P> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync, const ID: u64, P: Platform> Sync for Token<'_, T, ID, P> {}

impl<'s, T, const ID: u64, P: Platform> Token<'s, T, ID, P> {
    /// Wraps one counted reference to `slot` as its `ID` token.
    ///
    /// # Safety
    /// `slot` is an allocated slot of a safe slab that outlives `'s`, the caller hands this
    /// value one of its counted references, and no other `ID` token for it exists.
    #[inline]
    pub(crate) unsafe fn from_slot(slot: NonNull<Slot<T, P>>) -> Self {
        Token {
            slot,
            _slab: PhantomData,
        }
    }

    /// Another counted reference to the object (`get_ref`), which may outlive the lock: a
    /// lookup under the lock takes it from the token the list holds.
    #[inline]
    pub fn to_ref(&self) -> Ref<'s, T, P> {
        // SAFETY: `self` holds a reference, so the slot stays allocated; the `Ref` holds the
        // one taken here.
        // INVARIANT: the `Ref` holds the reference counted here; the token keeps its own.
        unsafe {
            Slot::acquire(self.slot);
            Ref::from_slot(self.slot)
        }
    }

    /// Gives the right to link up, keeping the reference (the object can be on no list with
    /// this ID again until it is freed and allocated anew).
    #[inline]
    pub fn into_ref(self) -> Ref<'s, T, P> {
        let this = ManuallyDrop::new(self);
        // SAFETY: the token's reference moves into the `Ref`.
        unsafe { Ref::from_slot(this.slot) }
    }
}

impl<T, const ID: u64, P: Platform> Deref for Token<'_, T, ID, P> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: this reference keeps the object allocated for the borrow of `self`.
        unsafe { Slot::value(self.slot) }
    }
}

impl<T, const ID: u64, P: Platform> Drop for Token<'_, T, ID, P> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: this value's reference is given up here, once. A dropped token is on no list
        // (a list holds its tokens in raw form, and gives them back unlinked).
        unsafe { Slot::release(self.slot) };
    }
}

impl<T, const ID: u64, P: Platform> std::fmt::Debug for Token<'_, T, ID, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("id", &ID)
            // SAFETY: the type's invariants.
            .field("slot", &unsafe { Slot::index(self.slot) })
            .finish_non_exhaustive()
    }
}

// SAFETY: (1) one token per object and ID (the type's invariants), not `Clone`, and `&Token`
// gives only `&T` and new `Ref`s; (2) the token holds a counted reference, so the object stays
// allocated, in its slot that never moves, and its `ID` link is reached only through
// `SafeList` (the slab gives `&mut T` only to a `Unique`, which cannot exist while a token
// does); (3) `into_raw` returns the slot pointer itself (`Slot` is `repr(C)` with the value
// first), with the provenance of the slab's slot pointer, and `from_raw` casts it back; a
// borrowed token made by `from_raw` and never dropped only reads.
unsafe impl<T: HasListLink<ID, P>, const ID: u64, P: Platform> LinkToken<ID, P>
    for Token<'_, T, ID, P>
{
    type Target = T;

    #[inline]
    fn into_raw(self) -> NonNull<T> {
        ManuallyDrop::new(self).slot.cast()
    }

    #[inline]
    unsafe fn from_raw(object: NonNull<T>) -> Self {
        // SAFETY: forwarded from the caller: `object` came from `into_raw`, so it is the slot
        // pointer.
        unsafe { Token::from_slot(object.cast()) }
    }
}
