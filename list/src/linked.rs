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
/// - [`Linked::link_ptr`] returns a pointer to that same field of `*this`, computed from `this`
///   by a raw field projection (`&raw mut (*this.as_ptr()).field`), never through a reference,
///   so it keeps `this`'s provenance over the whole `Self` (tokio's `Link::pointers` shape).
/// - [`Linked::from_link`] is their exact inverse: given a pointer to that field of some `Self`,
///   it returns a pointer to that `Self`, with the provenance of the pointer it was given.
///
/// That a value does not move while its link is on a list (the neighbours point into it) is
/// not one of these obligations: an implementation cannot promise it for values it never sees.
/// It is point 1 of the list discipline (see [`ListHead`]), which the caller of every list
/// operation promises in that operation's `# Safety`, so no implementation of this trait, the
/// one [`impl_linked!`](crate::impl_linked) generates included, depends on it.
///
/// # Linking for `from_link`
/// `from_link` reaches the whole `Self` from a pointer to its link, which is only allowed if
/// that pointer's provenance covers the whole `Self`. The list stores the pointers it is given,
/// so link an entry with `ListHead::add(Linked::link_ptr(object_ptr))` where `object_ptr` points
/// to the object (a `NonNull::from(&object)`, a slab's `slot_ptr`), not with a pointer made from
/// `&object.link`, which covers the field alone.
pub unsafe trait Linked<P: Platform = Std>: Sized {
    /// The embedded link, for reading (its address covers the field only: to link the entry,
    /// use [`Linked::link_ptr`]).
    fn link(&self) -> &ListHead<P>;

    /// A pointer to the embedded link of `*this`, keeping `this`'s provenance: the pointer to
    /// pass to the list operations that link an entry.
    ///
    /// # Safety
    /// `this` points into a live allocation holding a `Self` (the projection is an in-bounds
    /// offset; nothing is read or referenced).
    unsafe fn link_ptr(this: NonNull<Self>) -> NonNull<ListHead<P>>;

    /// `container_of(link, Self, field)`.
    ///
    /// # Safety
    /// `link` points to the link field of a live `Self`.
    unsafe fn from_link(link: NonNull<ListHead<P>>) -> NonNull<Self>;
}

/// `container_of(ptr, Type, field)`: from a `NonNull<ListHead<_>>` pointing at `field` of a
/// `Type`, the `NonNull<Type>`. Must be used inside `unsafe`: the pointer must really point into a
/// live `Type` at that field, with provenance over the whole `Type` (a pointer the list stored
/// after it was made by a raw projection from a pointer to the object, as
/// [`Linked::link_ptr`] does; not one made from `&object.field`).
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
        // SAFETY: the trait's obligations are met here: `link` and `link_ptr` return the same
        // field every time (`link_ptr` by a raw projection), and `from_link` inverts them by the
        // field's offset. That a linked `$type` stays put is not one of them: it is the list
        // discipline's point 1, promised by each list operation's caller.
        unsafe impl $crate::Linked<$platform> for $type {
            fn link(&self) -> &$crate::ListHead<$platform> {
                &self.$field
            }
            unsafe fn link_ptr(
                this: ::std::ptr::NonNull<Self>,
            ) -> ::std::ptr::NonNull<$crate::ListHead<$platform>> {
                // SAFETY: the caller guarantees `this` points into a live `$type`, so the field
                // projection stays in bounds and is not null; no reference is made, so the
                // result keeps `this`'s provenance over the whole object.
                unsafe { ::std::ptr::NonNull::new_unchecked(&raw mut (*this.as_ptr()).$field) }
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
