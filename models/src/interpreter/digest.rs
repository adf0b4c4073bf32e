//! `digest`: the XXH3-128 hash of a value's `Hash` encoding, collected into one reused buffer
//! and hashed in one pass (XXH3 is fastest on one long input; its 128 bits make a collision of
//! two distinct encodings about 2^-128 likely, and it passes SMHasher's collision tests).

use std::cell::RefCell;
use std::hash::Hasher;

/// A `Hasher` that only collects what it is fed: a value's `Hash` encoding as bytes.
pub(crate) struct Encoding(Vec<u8>);

impl Hasher for Encoding {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        unreachable!("an Encoding collects bytes for `digest`, which hashes them")
    }
}

/// The XXH3-128 of what `encode` writes. `encode` must not call `digest` itself (the buffer is
/// one per thread, borrowed while it runs).
pub(crate) fn digest(encode: impl FnOnce(&mut Encoding)) -> u128 {
    thread_local! {
        static ENCODING: RefCell<Encoding> = const { RefCell::new(Encoding(Vec::new())) };
    }
    ENCODING.with(|encoding| {
        let mut encoding = encoding
            .try_borrow_mut()
            .expect("digest's encoder does not call digest");
        encoding.0.clear();
        encode(&mut encoding);
        xxhash_rust::xxh3::xxh3_128(&encoding.0)
    })
}
