// Finding 4: the list and the slab dereference the pointers a `CellOps` passes to its closures,
// so the platform traits are sealed: no other crate can implement them.
use lifecycle_list::CellOps;

struct Dangling;

impl CellOps<u32> for Dangling {
    fn new(_value: u32) -> Self {
        Dangling
    }
    fn with<R>(&self, f: impl FnOnce(*const u32) -> R) -> R {
        f(std::ptr::dangling())
    }
    fn with_mut<R>(&self, f: impl FnOnce(*mut u32) -> R) -> R {
        f(std::ptr::dangling_mut())
    }
}

fn main() {}
