// Finding 7: the poison check reads every byte of an object, and a padded struct's padding is
// uninitialized: `PlainBytes` is sealed, so no other crate can implement it.
use lifecycle_slab::PlainBytes;

#[derive(Clone, Copy)]
#[repr(C)]
struct Padded {
    byte: u8,
    word: u32,
}

unsafe impl PlainBytes for Padded {}

fn main() {}
