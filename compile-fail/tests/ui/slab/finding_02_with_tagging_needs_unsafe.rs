// Finding 2: the untagged free list is broken on purpose (its ABA hands a slot out twice), so
// choosing the tagging is `unsafe`.
use lifecycle_slab::{Slab, Tagging};

fn main() {
    let _slab = Slab::<u64>::with_tagging(4, Tagging::Untagged, |_| 0);
}
