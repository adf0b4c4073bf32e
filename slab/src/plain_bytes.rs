//! `PlainBytes`: the types whose every byte pattern is a valid value and whose every byte is
//! initialized, so a [`PoisonSlab`](crate::PoisonSlab) may fill freed objects with poison and
//! read every byte back (bytemuck's `AnyBitPattern` + `NoUninit` contracts, kept local and
//! sealed to avoid a dependency).

/// The seal of [`PlainBytes`]: a public trait in a private module, so no other crate can
/// implement `PlainBytes`.
mod sealed {
    /// Implemented only in this crate, for the types listed in [`super::PlainBytes`].
    pub trait Sealed {}
}
use sealed::Sealed;

/// A type for which any bytes are a valid value and all of whose bytes are always initialized:
/// the primitive integers and arrays of them, and nothing else.
///
/// The trait is sealed: a `PoisonSlab` writes [`POISON_FREE`](crate::POISON_FREE) over every
/// byte of a freed object and reads every byte back on the next `alloc`, so a type with padding
/// (whose padding bytes are uninitialized, and reading them is undefined behaviour), a
/// reference, a `bool`, an enum or interior mutability must never implement it, and an `unsafe
/// impl` in another crate could not be checked.
///
/// # Safety
/// For every implementing type:
/// - every bit pattern of `size_of::<Self>()` bytes is a valid `Self` (no references, no `bool`,
///   no enums with invalid discriminants);
/// - it has no padding and no other uninitialized bytes, so all of its bytes may be read;
/// - it has no interior mutability and no drop glue.
pub unsafe trait PlainBytes: Copy + Sealed + 'static {}

macro_rules! plain_bytes {
    ($($type:ty),*) => {
        $(
            impl Sealed for $type {}
            // SAFETY: a primitive integer has no padding, and every bit pattern of it is a
            // valid integer.
            unsafe impl PlainBytes for $type {}
        )*
    };
}

plain_bytes!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

impl<T: PlainBytes, const N: usize> Sealed for [T; N] {}
// SAFETY: an array has no padding between its elements (an element's size is a multiple of its
// alignment), so an array of plain-bytes elements has no padding either, and each element
// accepts any bits.
unsafe impl<T: PlainBytes, const N: usize> PlainBytes for [T; N] {}
