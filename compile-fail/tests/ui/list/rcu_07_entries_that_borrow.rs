// A removed entry is destroyed at some later time, when the collector runs its garbage: an entry
// that borrows a local could be dropped after the local is gone. The list takes only `'static`
// entries.
use lifecycle_list::RcuList;

fn main() {
    let name = String::from("a");
    let names: RcuList<&String> = RcuList::new();
    names.lock().add(&name);
}
