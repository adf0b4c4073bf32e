// Finding 2: a defective lock gives no mutual exclusion, so building one is `unsafe`.
use lifecycle_list::{LockDefect, RawSpinLock, SpinLock, Std};

fn main() {
    let _lock = SpinLock::<u32>::with_defect(0, LockDefect::LoadThenStoreAcquire);
    let _raw = RawSpinLock::<Std>::with_defect(LockDefect::RelaxedUnlock);
}
