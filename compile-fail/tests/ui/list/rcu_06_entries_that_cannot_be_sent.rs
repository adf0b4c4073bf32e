// A removed entry is destroyed by whichever thread collects the garbage, later: an `Rc` (not
// `Send`) would have its count changed from two threads. The list takes only `Send` entries.
use lifecycle_list::RcuList;
use std::rc::Rc;

fn main() {
    let counted: RcuList<Rc<u64>> = RcuList::new();
    let _ = counted;
}
