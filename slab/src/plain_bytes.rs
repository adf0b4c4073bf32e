//! `PlainBytes`: the types whose every byte pattern is a valid value, so a slab may fill freed
//! objects with poison (bytemuck's `AnyBitPattern` contract, kept local to avoid a dependency).

/// A type for which any bytes are a valid value: integers and arrays of them.
///
/// # Safety
/// Every bit pattern of `size_of::<Self>()` bytes must be a valid `Self` (no padding that
/// matters, no references, no `bool`, no enums with invalid discriminants), and `Self` must have
/// no drop glue that relies on its contents.
pub unsafe trait PlainBytes: Copy {}

macro_rules! plain_bytes {
    ($($type:ty),*) => {
        $(
            // SAFETY: every bit pattern of a primitive integer is a valid integer.
            unsafe impl PlainBytes for $type {}
        )*
    };
}

plain_bytes!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

// SAFETY: an array of plain-bytes elements has no padding between elements, and each element
// accepts any bits.
unsafe impl<T: PlainBytes, const N: usize> PlainBytes for [T; N] {}
