// Finding 3: `Slab`'s safe `get` hands out `&T`, so a `Slab` never writes a freed object: the
// poisoning mode is gone from it (it is `PoisonSlab` now).
use lifecycle_slab::{Slab, Tagging};

fn main() {
    let _slab = Slab::<u64>::with_poison(4, Tagging::Tagged);
}
