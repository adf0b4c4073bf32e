//! The loom platform: loom's atomics (C11 weak memory), loom's `UnsafeCell` (data-race
//! detection) and blocking spin-waits (the await reduction, docs/design.md section 3).

use super::{
    blocking_waiter, forward_atomic_ops, CellOps, LinkOps, Mirrored, Platform, Sealed, WordOps,
    WordValue,
};
use std::fmt::Write as _;
use std::sync::atomic::Ordering;

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

loom::thread_local! {
    /// The calling loom thread's number ([`Platform::thread_id`]), once it has been asked for.
    static THREAD_NUMBER: std::cell::Cell<Option<usize>> = std::cell::Cell::new(None);
}

/// Exhaustive exploration under `loom::model` (bounded by loom's preemption bound).
#[derive(Debug, Clone, Copy, Default)]
pub struct Loom;

forward_atomic_ops!(loom::sync::atomic::AtomicUsize, usize, peek: |_| -> usize {
    unreachable!("loom's own atomic is peeked through `Mirrored`, never directly")
});
forward_atomic_ops!(loom::sync::atomic::AtomicU64, u64, peek: |_| -> u64 {
    unreachable!("loom's own atomic is peeked through `Mirrored`, never directly")
});

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

/// A list link under loom.
///
/// # Invariants
/// A plain link keeps its value in `cell` and never touches `word`; an RCU link keeps it in
/// `word` and uses `cell` only as the shadow that every plain access reads or writes, so loom's
/// race detector sees plain accesses as it sees any cell's. `rcu` never changes. `last` holds
/// the value of the latest write, made after each (the harness's [`LinkOps::peek`], which loom
/// does not see).
pub struct LoomLink<T> {
    rcu: bool,
    cell: loom::cell::UnsafeCell<*const T>,
    word: loom::sync::atomic::AtomicPtr<T>,
    last: std::sync::atomic::AtomicPtr<T>,
}

impl<T> std::fmt::Debug for LoomLink<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoomLink")
            .field("rcu", &self.rcu)
            .finish_non_exhaustive()
    }
}

impl<T> Sealed for LoomLink<T> {}

impl<T> LinkOps<T> for LoomLink<T> {
    fn new(value: *const T, rcu: bool) -> Self {
        LoomLink {
            rcu,
            cell: loom::cell::UnsafeCell::new(value),
            word: loom::sync::atomic::AtomicPtr::new(value.cast_mut()),
            last: std::sync::atomic::AtomicPtr::new(value.cast_mut()),
        }
    }

    fn load(&self) -> *const T {
        if self.rcu {
            self.cell.with(|_| ());
            self.word.load(Ordering::Relaxed)
        } else {
            // SAFETY: the cell holds a plain pointer value; loom checks this read against every
            // write for a race, which is the point.
            self.cell.with(|link| unsafe { *link })
        }
    }

    fn store(&self, value: *const T) {
        if self.rcu {
            self.cell.with_mut(|_| ());
            self.word.store(value.cast_mut(), Ordering::Relaxed)
        } else {
            // SAFETY: as in `load`, for a write.
            self.cell.with_mut(|link| unsafe { *link = value })
        }
        self.last.store(value.cast_mut(), Ordering::Relaxed);
    }

    fn load_acquire(&self) -> *const T {
        if self.rcu {
            self.word.load(Ordering::Acquire)
        } else {
            self.load()
        }
    }

    fn store_release(&self, value: *const T) {
        if self.rcu {
            self.cell.with_mut(|_| ());
            self.word.store(value.cast_mut(), Ordering::Release);
            self.last.store(value.cast_mut(), Ordering::Relaxed);
        } else {
            self.store(value)
        }
    }

    fn load_lockless(&self) -> *const T {
        if self.rcu {
            self.word.load(Ordering::Relaxed)
        } else {
            self.load()
        }
    }

    fn peek(&self) -> *const T {
        self.last.load(Ordering::Relaxed)
    }
}

/// Under loom a word is a loom cell, accessed as [`Platform::Cell`] is: loom's race detector sees
/// every read and write of the word as the plain access it stands for.
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

    // loom's atomics, each with a std one beside it that a harness peeks at: a harness's load
    // of loom's own would be a scheduling point (and an acquire one would order the harness's
    // thread after the write it reads, which could hide a race).
    type AtomicUsize = Mirrored<loom::sync::atomic::AtomicUsize, std::sync::atomic::AtomicUsize>;
    type AtomicU64 = Mirrored<loom::sync::atomic::AtomicU64, std::sync::atomic::AtomicU64>;
    type Cell<T> = loom::cell::UnsafeCell<T>;
    type Link<T> = LoomLink<T>;
    type Word<T: WordValue> = loom::cell::UnsafeCell<T>;
    type Waiter = LoomWaiter;

    fn thread_id() -> usize {
        // loom's `ThreadId` exposes its number only through `Debug` ("ThreadId(3)"); it is the
        // same number loom prints in its deadlock report, which is what makes it useful here.
        // Parsed once per thread, without allocating, and kept in a loom thread-local (no
        // scheduling point): this runs on every lock acquisition and every recorded event.
        THREAD_NUMBER.with(|number| match number.get() {
            Some(id) => id,
            None => {
                let mut digits = DigitSink(0);
                write!(digits, "{:?}", loom::thread::current().id())
                    .expect("writing into a DigitSink cannot fail");
                number.set(Some(digits.0));
                digits.0
            }
        })
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
