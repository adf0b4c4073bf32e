//! `HasListLink`: the `container_of` contract between a value and the [`ListLink`] it embeds
//! for the list with a given ID (Rust-for-Linux's `HasListLinks<ID>`).

use crate::platform::{Platform, Std};
use crate::safe::list_link::ListLink;
use std::ptr::NonNull;

/// A type that embeds a [`ListLink`] for the lists with ID `ID`, and can be recovered from a
/// pointer to it. Implement it with [`impl_list_link!`](crate::impl_list_link).
///
/// # Safety
/// - [`HasListLink::list_link`] returns a reference to a field of `self`, always the same one.
/// - [`HasListLink::list_link_ptr`] returns a pointer to that field of `*this`, computed by a raw
///   field projection (`&raw mut (*this.as_ptr()).field`), so it keeps `this`'s provenance.
/// - [`HasListLink::from_list_link`] is their exact inverse, keeping the provenance it is given.
///
/// Two IDs cannot name one field: the field's type, [`ListLink<ID>`](ListLink), says which ID it
/// is for.
pub unsafe trait HasListLink<const ID: u64 = 0, P: Platform = Std>: Sized {
    /// The embedded link for lists with ID `ID`.
    fn list_link(&self) -> &ListLink<ID, P>;

    /// A pointer to the embedded link of `*this`, keeping `this`'s provenance.
    ///
    /// # Safety
    /// `this` points into a live allocation holding a `Self`.
    unsafe fn list_link_ptr(this: NonNull<Self>) -> NonNull<ListLink<ID, P>>;

    /// `container_of(link, Self, field)`.
    ///
    /// # Safety
    /// `link` points to the `ID` link field of a live `Self`, with provenance over the `Self`.
    unsafe fn from_list_link(link: NonNull<ListLink<ID, P>>) -> NonNull<Self>;
}

/// Implements [`HasListLink`] for `$type` whose [`ListLink`] field `$field` is the link of the
/// lists with ID `$id` (default 0) on platform `$platform` (default `Std`).
///
/// ```
/// use lifecycle_list::{impl_list_link, ListLink};
/// const REGISTRY: u64 = 0;
/// const HASH: u64 = 1;
/// struct Socket {
///     registry: ListLink<REGISTRY>,
///     hash: ListLink<HASH>,
/// }
/// impl_list_link!(Socket, registry, REGISTRY);
/// impl_list_link!(Socket, hash, HASH);
/// ```
#[macro_export]
macro_rules! impl_list_link {
    ($type:ty, $field:ident) => {
        $crate::impl_list_link!($type, $field, 0, $crate::Std);
    };
    ($type:ty, $field:ident, $id:expr) => {
        $crate::impl_list_link!($type, $field, $id, $crate::Std);
    };
    ($type:ty, $field:ident, $id:expr, $platform:ty) => {
        // SAFETY: `list_link` and `list_link_ptr` name the same field (the latter by a raw
        // projection), and `from_list_link` inverts them by the field's offset.
        unsafe impl $crate::HasListLink<{ $id }, $platform> for $type {
            fn list_link(&self) -> &$crate::ListLink<{ $id }, $platform> {
                &self.$field
            }
            unsafe fn list_link_ptr(
                this: ::std::ptr::NonNull<Self>,
            ) -> ::std::ptr::NonNull<$crate::ListLink<{ $id }, $platform>> {
                // SAFETY: the caller guarantees `this` points into a live `$type`, so the
                // projection is in bounds and not null; no reference is made.
                unsafe { ::std::ptr::NonNull::new_unchecked(&raw mut (*this.as_ptr()).$field) }
            }
            unsafe fn from_list_link(
                link: ::std::ptr::NonNull<$crate::ListLink<{ $id }, $platform>>,
            ) -> ::std::ptr::NonNull<Self> {
                // SAFETY: the caller guarantees `link` points to `$field` of a live `$type`.
                unsafe { $crate::container_of!(link, $type, $field) }
            }
        }
    };
}
