//! `StdWord`: a word shared between real threads, read and written whole with `Relaxed`
//! atomics, as the kernel's `READ_ONCE` and `WRITE_ONCE` (include/asm-generic/rwonce.h) read and
//! write words other CPUs may touch (list links are [`StdLink`](super::StdLink)s, which add the
//! acquire and release RCU needs). On x86 a `Relaxed` load or store is the same `mov` a plain
//! access compiles to.

use super::{Sealed, WordOps, WordValue};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

/// A [`WordValue`] in the std atomic of its size: the [`Platform::Word`](super::Platform::Word)
/// of [`Std`](super::Std) and of the shuttle platform.
///
/// Every access is one `Relaxed` atomic load or store, so two threads that race on the word
/// race on the hardware's word: each read returns a value some write stored, never undefined
/// behaviour. `Relaxed` orders nothing else; what a value read means (a pointer that may be
/// followed, say) still rests on the happens-before its user's contract asks for.
#[repr(transparent)]
pub struct StdWord<T: WordValue>(T::Atomic);

impl<T: WordValue> Sealed for StdWord<T> {}

impl<T: WordValue> WordOps<T> for StdWord<T> {
    #[inline]
    fn new(value: T) -> Self {
        StdWord(value.new_atomic())
    }
    #[inline]
    fn read_once(&self) -> T {
        T::load_relaxed(&self.0)
    }
    #[inline]
    fn write_once(&self, value: T) {
        T::store_relaxed(&self.0, value);
    }
}

impl<T: WordValue + std::fmt::Debug> std::fmt::Debug for StdWord<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("StdWord").field(&self.read_once()).finish()
    }
}

/// Implements [`WordValue`] for an integer-like type held in the std atomic `$atomic`.
macro_rules! word_value {
    ($value:ty, $atomic:ty) => {
        impl Sealed for $value {}

        impl WordValue for $value {
            type Atomic = $atomic;
            #[inline]
            fn new_atomic(self) -> $atomic {
                <$atomic>::new(self)
            }
            #[inline]
            fn load_relaxed(atomic: &$atomic) -> Self {
                atomic.load(Ordering::Relaxed)
            }
            #[inline]
            fn store_relaxed(atomic: &$atomic, value: Self) {
                atomic.store(value, Ordering::Relaxed);
            }
        }
    };
}

word_value!(bool, AtomicBool);
word_value!(u32, AtomicU32);
word_value!(usize, AtomicUsize);
