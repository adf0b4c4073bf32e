//! `Linked`: the `container_of` contract between a struct and the `ListHead` embedded in it
//! (include/linux/container_of.h; shaped after tokio's `linked_list::Link`).

use crate::list_head::ListHead;
use crate::platform::{Platform, Std};
use std::ptr::NonNull;

/// A type that embeds a [`ListHead`] and can be recovered from a pointer to it.
///
/// Implement it with [`impl_linked!`](crate::impl_linked), which derives both methods from the
/// field's offset; for a type with several links, use [`container_of!`](crate::container_of)
/// directly on each field.
///
/// # Safety
/// - [`Linked::link`] returns a reference to a field of `self`, always the same field.
/// - [`Linked::from_link`] is its exact inverse: given a pointer to that field of some `Self`, it
///   returns a pointer to that `Self`.
/// - A value never moves while its link is on a list (it lives in pinned storage such as a slab
///   slot), because the list's neighbours point into it.
pub unsafe trait Linked<P: Platform = Std>: Sized {
    /// The embedded link.
    fn link(&self) -> &ListHead<P>;

    /// `container_of(link, Self, field)`.
    ///
    /// # Safety
    /// `link` points to the link field of a live `Self`.
    unsafe fn from_link(link: NonNull<ListHead<P>>) -> NonNull<Self>;
}

/// `container_of(ptr, Type, field)`: from a `NonNull<ListHead<_>>` pointing at `field` of a
/// `Type`, the `NonNull<Type>`. Must be used inside `unsafe`: the pointer must really point into a
/// live `Type` at that field.
#[macro_export]
macro_rules! container_of {
    ($link:expr, $type:ty, $field:ident) => {{
        let link: ::std::ptr::NonNull<_> = $link;
        let offset = ::std::mem::offset_of!($type, $field);
        // The subtraction stays inside the containing object, which the caller vouches for.
        ::std::ptr::NonNull::new_unchecked(link.as_ptr().cast::<u8>().sub(offset).cast::<$type>())
    }};
}

/// Implements [`Linked`] for `$type` whose `ListHead` (on platform `$platform`, default `Std`)
/// is the field `$field`.
#[macro_export]
macro_rules! impl_linked {
    ($type:ty, $field:ident) => {
        $crate::impl_linked!($type, $field, $crate::Std);
    };
    ($type:ty, $field:ident, $platform:ty) => {
        // SAFETY: `link` returns the same field every time, `from_link` inverts it by the
        // field's offset, and the caller of this macro documents that `$type` stays put while
        // linked.
        unsafe impl $crate::Linked<$platform> for $type {
            fn link(&self) -> &$crate::ListHead<$platform> {
                &self.$field
            }
            unsafe fn from_link(
                link: ::std::ptr::NonNull<$crate::ListHead<$platform>>,
            ) -> ::std::ptr::NonNull<Self> {
                // SAFETY: the caller guarantees `link` points to `$field` of a live `$type`.
                unsafe { $crate::container_of!(link, $type, $field) }
            }
        }
    };
}
