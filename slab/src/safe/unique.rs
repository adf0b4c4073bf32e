//! `Unique`: the only reference to a safe slab's object, with every link token inside it
//! (Rust-for-Linux's `UniqueArc`): what `alloc` gives and what `free` takes.

use crate::handle::Handle;
use crate::safe::counted::Ref;
use crate::safe::slot::Slot;
use crate::safe::token::Token;
use crate::slab::Slab;
use lifecycle_list::{HasListLink, Platform, Std};
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// The only reference to an allocated object: no [`Ref`] or [`Token`] to it exists, so it is
/// on no list, and this is the one form [`SafeSlab::free`](crate::SafeSlab::free) takes.
/// Dropping it frees the object too.
///
/// # Invariants
/// `slot` is an allocated slot of a safe slab that `'s` borrows, at generation `generation`,
/// and its count is 1: this is its only reference. So nothing else reads or writes the object,
/// and `&mut T` is sound. (Two words: moved around as cheaply as a `Box`.)
pub struct Unique<'s, T, P: Platform = Std> {
    slot: NonNull<Slot<T, P>>,
    generation: u64,
    _slab: PhantomData<&'s Slab<Slot<T, P>, P>>,
}

// SAFETY: a `Unique` owns its object (as `Box<T>` does) and frees it into a slab shared
// between threads: `T: Send` and the slab's own `Send + Sync` bound.
unsafe impl<T: Send + Sync, P: Platform> Send for Unique<'_, T, P> {}
// SAFETY: `&Unique` gives only `&T`.
unsafe impl<T: Send + Sync, P: Platform> Sync for Unique<'_, T, P> {}

impl<'s, T, P: Platform> Unique<'s, T, P> {
    /// Wraps the only reference to an allocated slot.
    ///
    /// # Safety
    /// `handle` is current in `slab` and its slot's count is 1, held by nobody else.
    #[inline]
    pub(crate) unsafe fn new(slab: &'s Slab<Slot<T, P>, P>, handle: Handle) -> Self {
        // INVARIANT: the caller's contract: allocated at this generation, count 1, held by
        // nobody else.
        Unique {
            slot: slab.slot_ptr(handle.slot()),
            generation: handle.generation(),
            _slab: PhantomData,
        }
    }

    /// The raw slab the object is in.
    #[inline]
    fn slab(&self) -> &'s Slab<Slot<T, P>, P> {
        // SAFETY: the type's invariants: the slot's slab outlives `'s`.
        unsafe { Slot::slab(self.slot) }
    }

    /// Whether the object is in `slab`.
    #[inline]
    pub(crate) fn is_from(&self, slab: &Slab<Slot<T, P>, P>) -> bool {
        std::ptr::eq(self.slab(), slab)
    }

    /// The allocation's handle (slot and generation), for diagnostics.
    pub fn handle(&self) -> Handle {
        let slab = self.slab();
        // SAFETY: the type's invariants.
        let index = unsafe { Slot::index(self.slot) };
        Handle {
            cache: slab.id(),
            index: index as u32,
            generation: self.generation,
        }
    }

    /// The slot's pointer, and `self` given up without freeing.
    #[inline]
    fn into_slot(self) -> NonNull<Slot<T, P>> {
        ManuallyDrop::new(self).slot
    }

    /// Frees the object (as [`SafeSlab::free`](crate::SafeSlab::free), into its own slab).
    #[inline]
    pub fn free(self) {
        ManuallyDrop::new(self).free_now();
    }

    /// Frees the object; `self` must not be used or dropped after this.
    #[inline]
    fn free_now(&self) {
        // The count is 1 (the type's invariants): a free slot's count.
        if let Err(error) = self.slab().free(self.handle()) {
            panic!(
                "safe slab invariant broken: a unique reference could not free its object \
                 ({error}); its handle is current until it is freed, once"
            );
        }
    }

    /// Gives the unique reference up for a counted one (the count stays 1).
    #[inline]
    pub fn into_ref(self) -> Ref<'s, T, P> {
        // SAFETY: the slot's one reference moves into the `Ref`.
        unsafe { Ref::from_slot(self.into_slot()) }
    }

    /// The object's one token for lists with ID `ID` (Rust-for-Linux's
    /// `ListArc::from(UniqueArc)`): a counted reference too, and the only one (the count stays
    /// 1). Keep a reference beside it with [`Token::to_ref`].
    #[inline]
    pub fn into_token<const ID: u64>(self) -> Token<'s, T, ID, P>
    where
        T: HasListLink<ID, P>,
    {
        // SAFETY: the slot's one reference moves into the token; no other token exists (no
        // other reference does).
        // INVARIANT: the one `ID` token, made from the only reference, so no other exists.
        unsafe { Token::from_slot(self.into_slot()) }
    }

    /// The object's tokens for two lists with different IDs (`pair_from_unique`), each a
    /// counted reference (the count becomes 2). `A == B` does not compile: two tokens for one
    /// ID would let the object be added twice.
    #[inline]
    pub fn into_tokens<const A: u64, const B: u64>(self) -> (Token<'s, T, A, P>, Token<'s, T, B, P>)
    where
        T: HasListLink<A, P> + HasListLink<B, P>,
    {
        const {
            assert!(
                A != B,
                "into_tokens needs two different list IDs: two tokens for one ID would let the \
                 object be added twice"
            )
        };
        let slot = self.into_slot();
        // SAFETY: this was the only reference; now there are two.
        // INVARIANT: the count is 2, one per token; one token per ID (`A != B`).
        unsafe { Slot::set_count(slot, 2) };
        // SAFETY: each token takes one of the two references; they are for different IDs.
        unsafe { (Token::from_slot(slot), Token::from_slot(slot)) }
    }
}

impl<T, P: Platform> Deref for Unique<'_, T, P> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: this reference keeps the object allocated for the borrow of `self`.
        unsafe { Slot::value(self.slot) }
    }
}

impl<T, P: Platform> DerefMut for Unique<'_, T, P> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this is the only reference (the type's invariants), so nothing else accesses
        // the object while `&mut self` lasts.
        unsafe { Slot::value_mut(self.slot) }
    }
}

impl<T, P: Platform> Drop for Unique<'_, T, P> {
    fn drop(&mut self) {
        if P::IS_CHECKER && std::thread::panicking() {
            // The checker's execution failed and is abandoned (see `SpinGuard`'s drop).
            return;
        }
        self.free_now();
    }
}

impl<T, P: Platform> std::fmt::Debug for Unique<'_, T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unique")
            .field("slot", &self.handle().slot())
            .finish_non_exhaustive()
    }
}
