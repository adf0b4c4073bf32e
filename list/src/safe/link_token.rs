//! `LinkToken`: the one right to put a value on a list with a given ID (Rust-for-Linux's
//! `ListArc<T, ID>`), as a trait so that what owns the value (a slab, a `Box`) decides what a
//! token is.

use crate::platform::{Platform, Std};
use crate::safe::has_list_link::HasListLink;
use std::ptr::NonNull;

/// The right to link one value on one list with ID `ID`. [`SafeList::add`](crate::SafeList::add)
/// consumes it (the list keeps it, as a raw pointer, while the value is linked) and
/// [`SafeList::del`](crate::SafeList::del) gives it back, so a value is on at most one list of
/// each ID and nothing but that list touches its link meanwhile.
///
/// # Safety
/// An implementation promises, for every value `v` of `Target`:
/// 1. At most one token for `(v, ID)` exists at any time, counting one turned into a raw pointer
///    by [`LinkToken::into_raw`] and not yet turned back by [`LinkToken::from_raw`]; no safe
///    operation on a `&Self` makes a second one (so a `Self` must not be `Clone`).
/// 2. While a token for `v` exists (raw or not), `v` is alive, does not move, and its `ID`
///    [`ListLink`](crate::ListLink) is touched by nothing but the holder of the token (the
///    list, while it holds the raw form): no other code links, unlinks or moves it.
/// 3. [`LinkToken::into_raw`] returns a pointer to `v` with provenance over everything
///    [`LinkToken::from_raw`] reaches from it, and `from_raw` of that pointer makes the same
///    token back. A token made by `from_raw` and never dropped (held in `ManuallyDrop` for a
///    borrow, [`TokenRef`](crate::TokenRef)) is harmless to use through `&Self`.
pub unsafe trait LinkToken<const ID: u64 = 0, P: Platform = Std>: Sized {
    /// The value the token lets on a list.
    type Target: HasListLink<ID, P>;

    /// Gives up the token as a pointer to its value (the list holds it while the value is
    /// linked).
    fn into_raw(self) -> NonNull<Self::Target>;

    /// The token back from [`LinkToken::into_raw`]'s pointer.
    ///
    /// # Safety
    /// `object` came from `into_raw` of a token of this type, and this is the only `from_raw` of
    /// it (or the result is never dropped and only used by shared reference while that raw
    /// pointer's owner keeps it).
    unsafe fn from_raw(object: NonNull<Self::Target>) -> Self;
}
