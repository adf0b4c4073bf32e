//! The loom platform: loom's atomics (C11 weak memory), loom's `UnsafeCell` (data-race
//! detection) and blocking spin-waits (the await reduction, DESIGN.md section 3).

use super::{blocking_waiter, forward_atomic_ops, CellOps, Platform, Sealed, WordOps, WordValue};
use std::fmt::Write as _;

/// Accumulates the decimal digits written into it as one number, ignoring everything else.
struct DigitSink(usize);

impl std::fmt::Write for DigitSink {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        for digit in text.bytes().filter(u8::is_ascii_digit) {
            self.0 = self.0 * 10 + usize::from(digit - b'0');
        }
        Ok(())
    }
}

/// Exhaustive exploration under `loom::model` (bounded by loom's preemption bound).
#[derive(Debug, Clone, Copy, Default)]
pub struct Loom;

forward_atomic_ops!(loom::sync::atomic::AtomicUsize, usize);
forward_atomic_ops!(loom::sync::atomic::AtomicU64, u64);

impl<T> Sealed for loom::cell::UnsafeCell<T> {}

impl<T> CellOps<T> for loom::cell::UnsafeCell<T> {
    #[inline]
    fn new(value: T) -> Self {
        loom::cell::UnsafeCell::new(value)
    }
    #[inline]
    fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        loom::cell::UnsafeCell::with(self, f)
    }
    #[inline]
    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        loom::cell::UnsafeCell::with_mut(self, f)
    }
}

/// Under loom a word is a loom cell, accessed as [`Platform::Cell`] is: loom's race detector sees
/// every read and write of a link as the plain access it stands for.
impl<T: WordValue> WordOps<T> for loom::cell::UnsafeCell<T> {
    #[inline]
    fn new(value: T) -> Self {
        loom::cell::UnsafeCell::new(value)
    }
    #[inline]
    fn read_once(&self) -> T {
        // SAFETY: the pointer is to the cell's own initialized value, and loom runs one thread
        // at a time and panics on a read that races with a write before making it; `T: Copy`.
        self.with(|word| unsafe { *word })
    }
    #[inline]
    fn write_once(&self, value: T) {
        // SAFETY: as above, for a write racing with any other access; `T: Copy` has no drop.
        self.with_mut(|word| unsafe { *word = value });
    }
}

blocking_waiter!(LoomWaiter, Loom, loom::sync::Mutex<()>, loom::sync::Condvar);

impl Sealed for Loom {}

impl Platform for Loom {
    const NAME: &'static str = "loom";
    const IS_CHECKER: bool = true;

    type AtomicUsize = loom::sync::atomic::AtomicUsize;
    type AtomicU64 = loom::sync::atomic::AtomicU64;
    type Cell<T> = loom::cell::UnsafeCell<T>;
    type Word<T: WordValue> = loom::cell::UnsafeCell<T>;
    type Waiter = LoomWaiter;

    fn thread_id() -> usize {
        // loom's `ThreadId` exposes its number only through `Debug` ("ThreadId(3)"); it is the
        // same number loom prints in its deadlock report, which is what makes it useful here.
        // Parsed as it is written, without allocating: this runs on every lock acquisition.
        let mut digits = DigitSink(0);
        write!(digits, "{:?}", loom::thread::current().id())
            .expect("writing into a DigitSink cannot fail");
        digits.0
    }

    fn thread_name() -> Option<String> {
        loom::thread::current().name().map(str::to_owned)
    }

    fn yield_now() {
        loom::thread::yield_now();
    }

    fn block_forever() -> ! {
        // Nobody unparks this thread, so loom sees it blocked for good and, once every other
        // thread is blocked or done, reports the deadlock with all of them.
        loop {
            loom::thread::park();
        }
    }
}
