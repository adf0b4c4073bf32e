//! `digest`: the XXH3-128 hash of a value's `Hash` encoding, collected into one reused buffer
//! and hashed in one pass (XXH3 is fastest on one long input; its 128 bits make a collision of
//! two distinct encodings about 2^-128 likely, and it passes SMHasher's collision tests).

use std::cell::RefCell;
use std::hash::Hasher;

/// A `Hasher` that only collects what it is fed: a value's `Hash` encoding as bytes.
pub(crate) struct Encoding(Vec<u8>);

impl Encoding {
    /// The bytes written so far.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Takes back what was written after the first `len` bytes.
    pub(crate) fn truncate(&mut self, len: usize) {
        self.0.truncate(len);
    }
}

impl Hasher for Encoding {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    // The integer writes append what `write` would (their native-endian bytes), as fixed-size
    // copies rather than a call to copy a slice of any length: an encoding is a few hundred
    // small integers, written at every transition of the state graph.
    fn write_u8(&mut self, n: u8) {
        self.0.push(n);
    }

    fn write_u32(&mut self, n: u32) {
        self.0.extend_from_slice(&n.to_ne_bytes());
    }

    fn write_u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_ne_bytes());
    }

    fn write_u128(&mut self, n: u128) {
        self.0.extend_from_slice(&n.to_ne_bytes());
    }

    fn write_usize(&mut self, n: usize) {
        self.0.extend_from_slice(&n.to_ne_bytes());
    }

    fn write_isize(&mut self, n: isize) {
        self.0.extend_from_slice(&n.to_ne_bytes());
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
