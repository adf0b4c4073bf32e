// Finding 3: a poisoning cache writes 0x6b over an object when it is freed, so a reference to it
// must not outlive the allocation: `PoisonSlab::get` is `unsafe`.
use lifecycle_slab::PoisonSlab;

fn main() {
    let slab = PoisonSlab::<u64>::new(1);
    let handle = slab.alloc().unwrap();
    let object: &u64 = slab.get(handle).unwrap();
    slab.free(handle).unwrap();
    println!("{object}");
}
