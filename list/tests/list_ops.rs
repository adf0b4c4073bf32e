//! Unit tests of every list operation, following the kernel's KUnit list tests
//! (lib/tests/list-test.c) case by case, then the checked-mode (lib/list_debug.c) messages and
//! the bounded traversal's reports, each pinned word for word.

use lifecycle_list::{
    impl_linked, CheckMode, Link, Linked, ListError, ListHead, LIST_POISON1, LIST_POISON2,
};
use std::ptr::{self, NonNull};

/// A test entry: a value and its link, like the kernel test's `struct list_test_struct`.
struct Item {
    value: u32,
    link: ListHead,
}
impl_linked!(Item, link);

const MAX_NODES: usize = 64;

/// The pointer to link `item` with: its link field, projected from a pointer to the whole item,
/// so the list can map it back to the item (the list discipline, point 3).
fn link(item: &Item) -> NonNull<ListHead> {
    // SAFETY: `item` is a live `Item`.
    unsafe { Item::link_ptr(NonNull::from(item)) }
}

fn head_with(checks: CheckMode) -> Box<ListHead> {
    let head = Box::new(ListHead::with_checks(checks));
    // SAFETY: the head is boxed (it will not move) and not shared.
    unsafe { head.init() };
    head
}

fn head() -> Box<ListHead> {
    head_with(CheckMode::Checked)
}

fn item_with(value: u32, checks: CheckMode) -> Box<Item> {
    Box::new(Item {
        value,
        link: ListHead::with_checks(checks),
    })
}

fn item(value: u32) -> Box<Item> {
    item_with(value, CheckMode::Checked)
}

/// The values of `head`'s entries, first to last, after checking the list is well formed.
fn values(head: &ListHead) -> Vec<u32> {
    assert_well_formed(head);
    // SAFETY: single-threaded test; every entry is an `Item`'s link.
    unsafe { head.entries::<Item>(MAX_NODES) }
        // SAFETY: single-threaded test; the nodes are boxed and outlive the call.
        .map(|entry| unsafe { entry.expect("a well-formed list").as_ref().value })
        .collect()
}

/// The values last to first.
fn values_rev(head: &ListHead) -> Vec<u32> {
    // SAFETY: single-threaded test; every entry is an `Item`'s link.
    unsafe { head.entries_rev::<Item>(MAX_NODES) }
        // SAFETY: single-threaded test; the nodes are boxed and outlive the call.
        .map(|entry| unsafe { entry.expect("a well-formed list").as_ref().value })
        .collect()
}

/// Checks `n.next.prev == n` and `n.prev.next == n` all the way round.
fn assert_well_formed(head: &ListHead) {
    let mut node: *const ListHead = head;
    for _ in 0..=MAX_NODES {
        // SAFETY: single-threaded test; links of a list built by the operations under test.
        unsafe {
            let next = (*node).next_ptr();
            assert!(ptr::eq((*next).prev_ptr(), node), "next->prev == node");
            assert!(ptr::eq(
                (*node).prev_ptr().as_ref().unwrap().next_ptr(),
                node
            ));
            node = next;
        }
        if ptr::eq(node, head) {
            return;
        }
    }
    panic!("list does not return to its head within {MAX_NODES} nodes");
}

/// Adds each item at the tail of `head`.
fn fill(head: &ListHead, items: &[&Item]) {
    for item in items {
        // SAFETY: single-threaded test; boxed items do not move.
        unsafe { head.add_tail(link(item)) }.expect("add_tail to a well-formed list");
    }
}

mod namer;
use namer::namer;

// --- list-test.c, case by case ------------------------------------------------------------

#[test]
fn list_init() {
    let head = Box::new(ListHead::<lifecycle_list::Std>::new());
    // SAFETY: single-threaded; reading links of an unlinked node.
    unsafe {
        assert!(head.next_ptr().is_null(), "a new node has null links");
        head.init();
        assert!(head.is_empty());
        assert!(head.is_empty_careful());
        assert!(ptr::eq(head.next_ptr(), &*head));
        assert!(ptr::eq(head.prev_ptr(), &*head));
    }
}

#[test]
fn list_add() {
    let head = head();
    let (a, b) = (item(1), item(2));
    // SAFETY: single-threaded test.
    unsafe {
        head.add(link(&a)).unwrap();
        head.add(link(&b)).unwrap();
    }
    assert_eq!(values(&head), [2, 1], "list_add inserts at the front");
}

#[test]
fn list_add_tail() {
    let head = head();
    let (a, b) = (item(1), item(2));
    fill(&head, &[&a, &b]);
    assert_eq!(values(&head), [1, 2], "list_add_tail appends");
}

#[test]
fn list_del() {
    let head = head();
    let (a, b) = (item(1), item(2));
    fill(&head, &[&a, &b]);
    // SAFETY: single-threaded test.
    unsafe {
        a.link.del().unwrap();
        assert_eq!(a.link.next_ptr() as usize, LIST_POISON1);
        assert_eq!(a.link.prev_ptr() as usize, LIST_POISON2);
    }
    assert_eq!(values(&head), [2]);
}

#[test]
fn list_replace() {
    let head = head();
    let (a, b, c) = (item(1), item(2), item(3));
    fill(&head, &[&a, &b]);
    // SAFETY: single-threaded test.
    unsafe { a.link.replace(link(&c)).unwrap() };
    assert_eq!(values(&head), [3, 2]);
}

#[test]
fn list_replace_init() {
    let head = head();
    let (a, b, c) = (item(1), item(2), item(3));
    fill(&head, &[&a, &b]);
    // SAFETY: single-threaded test.
    unsafe {
        a.link.replace_init(link(&c)).unwrap();
        assert!(a.link.is_empty(), "the replaced entry is an empty list");
    }
    assert_eq!(values(&head), [3, 2]);
}

#[test]
fn list_swap() {
    let head = head();
    let (a, b, c) = (item(1), item(2), item(3));
    fill(&head, &[&a, &b, &c]);
    // SAFETY: single-threaded test.
    unsafe { ListHead::swap(link(&a), link(&c)).unwrap() };
    assert_eq!(values(&head), [3, 2, 1], "swap of distant entries");
    // SAFETY: single-threaded test.
    unsafe { ListHead::swap(link(&b), link(&a)).unwrap() };
    assert_eq!(values(&head), [3, 1, 2], "swap of adjacent entries");
}

#[test]
fn list_del_init() {
    let head = head();
    let (a, b) = (item(1), item(2));
    fill(&head, &[&a, &b]);
    // SAFETY: single-threaded test.
    unsafe {
        a.link.del_init().unwrap();
        assert!(a.link.is_empty());
        // A re-initialized entry can be deleted again harmlessly.
        a.link.del_init().unwrap();
    }
    assert_eq!(values(&head), [2]);
}

#[test]
fn list_move() {
    let (list1, list2) = (head(), head());
    let (a, b) = (item(1), item(2));
    fill(&list1, &[&a]);
    fill(&list2, &[&b]);
    // SAFETY: single-threaded test.
    unsafe { ListHead::move_to(link(&a), &list2).unwrap() };
    assert_eq!(values(&list1), [] as [u32; 0]);
    assert_eq!(values(&list2), [1, 2]);
}

#[test]
fn list_move_tail() {
    let (list1, list2) = (head(), head());
    let (a, b) = (item(1), item(2));
    fill(&list1, &[&a]);
    fill(&list2, &[&b]);
    // SAFETY: single-threaded test.
    unsafe { ListHead::move_to_tail(link(&a), &list2).unwrap() };
    assert_eq!(values(&list1), [] as [u32; 0]);
    assert_eq!(values(&list2), [2, 1]);
}

#[test]
fn list_bulk_move_tail() {
    let (list1, list2) = (head(), head());
    let items: Vec<_> = (1..=4).map(item).collect();
    let x = item(9);
    fill(&list1, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    fill(&list2, &[&x]);
    // SAFETY: single-threaded test; items[1]..=items[2] is a run of list1.
    unsafe {
        list2
            .bulk_move_tail(link(&items[1]), link(&items[2]))
            .unwrap()
    };
    assert_eq!(values(&list1), [1, 4]);
    assert_eq!(values(&list2), [9, 2, 3]);
}

#[test]
fn list_is_head() {
    let (head, other) = (head(), head());
    assert!(head.is_head(&head));
    assert!(!head.is_head(&other));
}

#[test]
fn list_is_first() {
    let head = head();
    let (a, b) = (item(1), item(2));
    fill(&head, &[&a, &b]);
    // SAFETY: single-threaded test.
    unsafe {
        assert!(head.is_first(&a.link));
        assert!(!head.is_first(&b.link));
    }
}

#[test]
fn list_is_last() {
    let head = head();
    let (a, b) = (item(1), item(2));
    fill(&head, &[&a, &b]);
    // SAFETY: single-threaded test.
    unsafe {
        assert!(!head.is_last(&a.link));
        assert!(head.is_last(&b.link));
    }
}

#[test]
fn list_empty() {
    let (head, other) = (head(), head());
    let a = item(1);
    fill(&head, &[&a]);
    // SAFETY: single-threaded test.
    unsafe {
        assert!(!head.is_empty());
        assert!(other.is_empty());
    }
}

#[test]
fn list_empty_careful() {
    let head = head();
    let a = item(1);
    // SAFETY: single-threaded test.
    unsafe {
        assert!(head.is_empty_careful());
        head.add(link(&a)).unwrap();
        assert!(!head.is_empty_careful());
        // A head whose next was reset but whose prev was not is not "carefully" empty.
        a.link.del().unwrap();
        assert!(head.is_empty_careful());
    }
}

#[test]
fn list_rotate_left() {
    let head = head();
    let items: Vec<_> = (1..=3).map(item).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    // SAFETY: single-threaded test.
    unsafe { head.rotate_left().unwrap() };
    assert_eq!(values(&head), [2, 3, 1]);
    let empty = self::head();
    // SAFETY: single-threaded test.
    unsafe { empty.rotate_left().unwrap() };
    assert_eq!(
        values(&empty),
        [] as [u32; 0],
        "rotating an empty list is a no-op"
    );
}

#[test]
fn list_rotate_to_front() {
    let head = head();
    let items: Vec<_> = (1..=4).map(item).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    // SAFETY: single-threaded test.
    unsafe { head.rotate_to_front(link(&items[2])).unwrap() };
    assert_eq!(values(&head), [3, 4, 1, 2]);
}

#[test]
fn list_is_singular() {
    let head = head();
    let (a, b) = (item(1), item(2));
    // SAFETY: single-threaded test.
    unsafe {
        assert!(!head.is_singular(), "empty is not singular");
        head.add(link(&a)).unwrap();
        assert!(head.is_singular());
        head.add(link(&b)).unwrap();
        assert!(!head.is_singular());
    }
}

#[test]
fn list_cut_position() {
    let (head, into) = (head(), head());
    let items: Vec<_> = (1..=4).map(item).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    // SAFETY: single-threaded test.
    unsafe { head.cut_position(&into, link(&items[1])).unwrap() };
    assert_eq!(values(&into), [1, 2]);
    assert_eq!(values(&head), [3, 4]);
    // Cutting at the head itself leaves `into` empty and the list whole.
    // SAFETY: single-threaded test.
    unsafe { head.cut_position(&into, NonNull::from(&*head)).unwrap() };
    assert_eq!(values(&into), [] as [u32; 0]);
    assert_eq!(values(&head), [3, 4]);
}

#[test]
fn list_cut_before() {
    let (head, into) = (head(), head());
    let items: Vec<_> = (1..=4).map(item).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    // SAFETY: single-threaded test.
    unsafe { head.cut_before(&into, link(&items[2])).unwrap() };
    assert_eq!(values(&into), [1, 2]);
    assert_eq!(values(&head), [3, 4]);
    // Cutting before the first entry moves nothing.
    // SAFETY: single-threaded test.
    unsafe { head.cut_before(&into, link(&items[2])).unwrap() };
    assert_eq!(values(&into), [] as [u32; 0]);
    assert_eq!(values(&head), [3, 4]);
}

/// Two lists `[1, 2]` and `[3, 4]` for the splice tests.
#[allow(clippy::vec_box)] // boxed like every other test item, so addresses never move
fn two_lists() -> (Box<ListHead>, Box<ListHead>, Vec<Box<Item>>) {
    let (list1, list2) = (head(), head());
    let items: Vec<_> = (1..=4).map(item).collect();
    fill(&list1, &[&items[0], &items[1]]);
    fill(&list2, &[&items[2], &items[3]]);
    (list1, list2, items)
}

#[test]
fn list_splice() {
    let (list1, list2, _items) = two_lists();
    // SAFETY: single-threaded test; distinct lists.
    unsafe { list2.splice(&list1) }.unwrap();
    assert_eq!(values(&list2), [1, 2, 3, 4]);
}

#[test]
fn list_splice_tail() {
    let (list1, list2, _items) = two_lists();
    // SAFETY: single-threaded test; distinct lists.
    unsafe { list2.splice_tail(&list1) }.unwrap();
    assert_eq!(values(&list2), [3, 4, 1, 2]);
}

#[test]
fn list_splice_init() {
    let (list1, list2, _items) = two_lists();
    // SAFETY: single-threaded test; distinct lists.
    unsafe { list2.splice_init(&list1) }.unwrap();
    assert_eq!(values(&list2), [1, 2, 3, 4]);
    assert_eq!(
        values(&list1),
        [] as [u32; 0],
        "the spliced list is re-initialized"
    );
}

#[test]
fn list_splice_tail_init() {
    let (list1, list2, _items) = two_lists();
    // SAFETY: single-threaded test; distinct lists.
    unsafe { list2.splice_tail_init(&list1) }.unwrap();
    assert_eq!(values(&list2), [3, 4, 1, 2]);
    assert_eq!(values(&list1), [] as [u32; 0]);
}

#[test]
fn list_entry() {
    let a = item(7);
    // SAFETY: the pointer is to `link` of a live `Item`, projected from a pointer to the item.
    let back = unsafe { lifecycle_list::container_of!(link(&a), Item, link) };
    assert!(
        ptr::eq(back.as_ptr(), &*a),
        "container_of inverts the field offset"
    );
}

#[test]
fn list_entry_is_head() {
    let head = head();
    let a = item(1);
    fill(&head, &[&a]);
    // SAFETY: single-threaded test.
    let first = unsafe { head.first() }.unwrap();
    // SAFETY: single-threaded test.
    let after_first = unsafe { first.as_ref().next_ptr() };
    // SAFETY: single-threaded test; the nodes are boxed and outlive the call.
    assert!(!head.is_head(unsafe { first.as_ref() }));
    assert!(
        ptr::eq(after_first, &*head),
        "the entry after the only entry is the head"
    );
}

#[test]
fn list_first_entry() {
    let head = head();
    let (a, b) = (item(1), item(2));
    fill(&head, &[&a, &b]);
    // SAFETY: single-threaded test; entries are `Item`s.
    let first = unsafe { head.first_entry::<Item>().unwrap().as_ref().value };
    assert_eq!(first, 1);
}

#[test]
fn list_last_entry() {
    let head = head();
    let (a, b) = (item(1), item(2));
    fill(&head, &[&a, &b]);
    // SAFETY: single-threaded test; entries are `Item`s.
    let last = unsafe { head.last_entry::<Item>().unwrap().as_ref().value };
    assert_eq!(last, 2);
}

#[test]
fn list_first_entry_or_null() {
    let head = head();
    // SAFETY: single-threaded test.
    unsafe {
        assert!(head.first_entry::<Item>().is_none());
        assert!(head.last_entry::<Item>().is_none());
    }
}

#[test]
fn list_next_entry_and_prev_entry() {
    let head = head();
    let (a, b) = (item(1), item(2));
    fill(&head, &[&a, &b]);
    // SAFETY: single-threaded test.
    unsafe {
        assert!(ptr::eq(a.link.next_ptr(), &b.link));
        assert!(ptr::eq(b.link.prev_ptr(), &a.link));
    }
}

#[test]
fn list_for_each() {
    let head = head();
    let items: Vec<_> = (1..=3).map(item).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    // SAFETY: single-threaded test.
    let visited: Vec<*const ListHead> = unsafe { head.iter(MAX_NODES) }
        .map(|node| node.unwrap().as_ptr().cast_const())
        .collect();
    let expected: Vec<*const ListHead> = items.iter().map(|i| &i.link as *const _).collect();
    assert_eq!(visited, expected);
}

#[test]
fn list_for_each_prev() {
    let head = head();
    let items: Vec<_> = (1..=3).map(item).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    assert_eq!(values_rev(&head), [3, 2, 1]);
}

#[test]
fn list_for_each_safe() {
    let head = head();
    let items: Vec<_> = (1..=3).map(item).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    let mut deleted = 0;
    // SAFETY: single-threaded test; only the yielded entry is deleted.
    for node in unsafe { head.iter_safe(MAX_NODES) } {
        // SAFETY: single-threaded test; the nodes are boxed and outlive the call.
        unsafe { node.unwrap().as_ref().del().unwrap() };
        deleted += 1;
    }
    assert_eq!(deleted, 3);
    assert_eq!(values(&head), [] as [u32; 0]);
}

#[test]
fn list_for_each_prev_safe() {
    let head = head();
    let items: Vec<_> = (1..=3).map(item).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    let mut order = Vec::new();
    // SAFETY: single-threaded test; only the yielded entry is deleted.
    for node in unsafe { head.iter_rev_safe(MAX_NODES) } {
        let node = node.unwrap();
        // SAFETY: the entry is an `Item`'s link.
        order.push(unsafe {
            lifecycle_list::container_of!(node, Item, link)
                .as_ref()
                .value
        });
        // SAFETY: single-threaded test; the nodes are boxed and outlive the call.
        unsafe { node.as_ref().del().unwrap() };
    }
    assert_eq!(order, [3, 2, 1]);
    assert_eq!(values(&head), [] as [u32; 0]);
}

#[test]
fn list_for_each_entry() {
    let head = head();
    let items: Vec<_> = (1..=5).map(item).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    assert_eq!(values(&head), [1, 2, 3, 4, 5]);
}

#[test]
fn list_for_each_entry_reverse() {
    let head = head();
    let items: Vec<_> = (1..=5).map(item).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    assert_eq!(values_rev(&head), [5, 4, 3, 2, 1]);
}

#[test]
fn list_for_each_entry_safe() {
    let head = head();
    let items: Vec<_> = (1..=4).map(item).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    // SAFETY: single-threaded test; only the yielded entry is deleted.
    for entry in unsafe { head.entries_safe::<Item>(MAX_NODES) } {
        // SAFETY: single-threaded test; the nodes are boxed and outlive the call.
        let entry = unsafe { entry.unwrap().as_ref() };
        if entry.value % 2 == 0 {
            // SAFETY: single-threaded test; the nodes are boxed and outlive the call.
            unsafe { entry.link.del().unwrap() };
        }
    }
    assert_eq!(values(&head), [1, 3]);
}

#[test]
fn list_count_nodes() {
    let head = head();
    let items: Vec<_> = (1..=6).map(item).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    // SAFETY: single-threaded test.
    assert_eq!(unsafe { head.count_nodes(MAX_NODES) }, Ok(6));
}

#[test]
fn every_operation_works_the_same_in_raw_mode() {
    let head = head_with(CheckMode::Raw);
    let items: Vec<_> = (1..=4).map(|v| item_with(v, CheckMode::Raw)).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    // SAFETY: single-threaded test.
    unsafe {
        items[0].link.del().unwrap();
        head.add(link(&items[0])).unwrap();
        ListHead::move_to(link(&items[3]), &head).unwrap();
        head.rotate_left().unwrap();
    }
    assert_eq!(values(&head), [1, 2, 3, 4]);
}

// --- checked mode: the messages of lib/list_debug.c ---------------------------------------

#[test]
fn checked_add_of_the_first_entry_again_is_a_double_add() {
    let head = head();
    let a = item(1);
    fill(&head, &[&a]);
    // SAFETY: single-threaded test.
    let error = unsafe { head.add(link(&a)) }.unwrap_err();
    assert_eq!(
        error,
        ListError::DoubleAdd {
            new: a.link.address(),
            prev: head.address(),
            next: a.link.address()
        }
    );
    let names = namer(&[("head", head.address()), ("A", a.link.address())]);
    assert_eq!(
        error.describe(&names),
        "list_add double add: new=A, prev=head, next=A."
    );
    assert_eq!(
        error.to_string(),
        format!(
            "list_add double add: new={:#x}, prev={:#x}, next={:#x}.",
            a.link.address(),
            head.address(),
            a.link.address()
        ),
        "the plain message names nodes by address, like the kernel's %px"
    );
    assert_eq!(
        values(&head),
        [1],
        "a refused add leaves the list untouched"
    );
}

#[test]
fn checked_add_tail_of_the_last_entry_again_is_a_double_add() {
    let head = head();
    let (a, b) = (item(1), item(2));
    fill(&head, &[&a, &b]);
    // SAFETY: single-threaded test.
    let error = unsafe { head.add_tail(link(&b)) }.unwrap_err();
    let names = namer(&[
        ("head", head.address()),
        ("A", a.link.address()),
        ("B", b.link.address()),
    ]);
    assert_eq!(
        error.describe(&names),
        "list_add double add: new=B, prev=B, next=head."
    );
    assert_eq!(values(&head), [1, 2]);
}

#[test]
fn checked_add_next_to_a_broken_back_link_is_corruption() {
    let head = head();
    let (a, b, c) = (item(1), item(2), item(3));
    fill(&head, &[&a, &b]);
    // Corrupt: `a` forgets it is linked (re-initialized while on the list).
    // SAFETY: single-threaded test; deliberately breaking the list.
    unsafe { a.link.init() };
    let names = namer(&[
        ("head", head.address()),
        ("A", a.link.address()),
        ("B", b.link.address()),
        ("C", c.link.address()),
    ]);
    // SAFETY: single-threaded test; the check reads the links and refuses.
    let error = unsafe { head.add(link(&c)) }.unwrap_err();
    assert_eq!(
        error.describe(&names),
        "list_add corruption. next->prev should be prev (head), but was A. (next=A)."
    );
    // And from the other side: `b` re-initialized, then an add at the tail.
    // SAFETY: as above.
    let error = unsafe {
        b.link.init();
        head.add_tail(link(&c))
    }
    .unwrap_err();
    assert_eq!(
        error.describe(&names),
        "list_add corruption. prev->next should be next (head), but was B. (prev=B)."
    );
}

#[test]
fn checked_add_to_an_uninitialized_head_is_refused() {
    let head = Box::new(ListHead::with_checks(CheckMode::Checked));
    let a = item(1);
    // SAFETY: single-threaded test.
    let error = unsafe { head.add(link(&a)) }.unwrap_err();
    let names = namer(&[("head", head.address()), ("A", a.link.address())]);
    assert_eq!(
        error.describe(&names),
        "list_add corruption. next is NULL (adding A; is the head initialized?)."
    );
}

#[test]
fn checked_del_of_a_never_added_entry_is_refused() {
    let a = item(1);
    // SAFETY: single-threaded test.
    let error = unsafe { a.link.del() }.unwrap_err();
    assert_eq!(
        error,
        ListError::DelNull {
            entry: a.link.address(),
            link: Link::Next
        }
    );
    assert_eq!(
        error.describe(&namer(&[("A", a.link.address())])),
        "list_del corruption, A->next is NULL (was it ever added?)"
    );
}

#[test]
fn checked_del_twice_finds_the_poison() {
    let head = head();
    let a = item(1);
    fill(&head, &[&a]);
    // SAFETY: single-threaded test.
    let error = unsafe {
        a.link.del().unwrap();
        a.link.del()
    }
    .unwrap_err();
    assert_eq!(
        error.describe(&namer(&[("A", a.link.address())])),
        "list_del corruption, A->next is LIST_POISON1 (0x100) (already deleted)"
    );
    assert_eq!(values(&head), [] as [u32; 0]);
}

#[test]
fn raw_del_twice_is_refused_rather_than_following_the_poison() {
    let head = head_with(CheckMode::Raw);
    let a = item_with(1, CheckMode::Raw);
    fill(&head, &[&a]);
    // SAFETY: single-threaded test.
    let error = unsafe {
        a.link.del().unwrap();
        a.link.del()
    }
    .unwrap_err();
    assert_eq!(
        error.describe(&namer(&[("A", a.link.address())])),
        "list traversal corruption. A->next is LIST_POISON1 (0x100): the node is not on a list"
    );
}

#[test]
fn checked_del_with_broken_neighbours_is_corruption() {
    let head = head();
    let (a, b) = (item(1), item(2));
    fill(&head, &[&a, &b]);
    let names = namer(&[
        ("head", head.address()),
        ("A", a.link.address()),
        ("B", b.link.address()),
    ]);
    // SAFETY: single-threaded test; deliberately breaking the list.
    let error = unsafe {
        a.link.init();
        b.link.del()
    }
    .unwrap_err();
    assert_eq!(
        error.describe(&names),
        "list_del corruption. prev->next should be B, but was A. (prev=A)"
    );

    let head = self::head();
    let (a, b) = (item(1), item(2));
    fill(&head, &[&a, &b]);
    let names = namer(&[
        ("head", head.address()),
        ("A", a.link.address()),
        ("B", b.link.address()),
    ]);
    // SAFETY: as above.
    let error = unsafe {
        b.link.init();
        a.link.del()
    }
    .unwrap_err();
    assert_eq!(
        error.describe(&names),
        "list_del corruption. next->prev should be A, but was B. (next=B)"
    );
}

// --- bounded traversal ---------------------------------------------------------------------

/// The story's bug, by hand: `A` is added, then added again without being deleted (it was freed
/// and reallocated at the same address). In raw mode that makes `A.next == A`.
#[test]
fn raw_double_add_makes_a_self_loop_and_traversal_names_the_cycle() {
    let head = head_with(CheckMode::Raw);
    let a = item_with(1, CheckMode::Raw);
    // SAFETY: single-threaded test; the second add is the bug under study.
    unsafe {
        head.add(link(&a)).unwrap();
        head.add(link(&a)).unwrap();
        assert!(ptr::eq(a.link.next_ptr(), &a.link), "A.next == A");
    }
    // SAFETY: single-threaded test.
    let walk: Vec<_> = unsafe { head.iter(1) }.collect();
    assert_eq!(walk.len(), 2, "one entry, then the report");
    let error = walk[1].clone().unwrap_err();
    assert_eq!(
        error,
        ListError::Cycle {
            head: head.address(),
            max_nodes: 1,
            cycle: vec![a.link.address()]
        }
    );
    assert_eq!(
        error.describe(&namer(&[("head", head.address()), ("A", a.link.address())])),
        "list traversal from head made 2 steps without returning to the head, but no more than 1 node \
         can exist: it is caught in the cycle A -> A, which does not contain the head, so \
         the walk can never end"
    );
}

#[test]
fn traversal_names_a_longer_cycle_after_its_lead_in() {
    let head = head_with(CheckMode::Raw);
    let items: Vec<_> = (1..=3).map(|v| item_with(v, CheckMode::Raw)).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    // `n3`, still linked after `n2`, is added again after `n1`: n1 -> n3 -> n2 -> n3 -> ...
    // lib/list_debug.c's add checks cannot see this one (n1 and n2 still point at each other
    // and n3 is neither of them), which is why every traversal is bounded as well.
    // SAFETY: single-threaded test; deliberately breaking the list.
    unsafe { items[0].link.add(link(&items[2])).unwrap() };
    // SAFETY: single-threaded test.
    let error = unsafe { head.count_nodes(3) }.unwrap_err();
    let names = namer(&[
        ("head", head.address()),
        ("n1", items[0].link.address()),
        ("n2", items[1].link.address()),
        ("n3", items[2].link.address()),
    ]);
    assert!(
        error
            .describe(&names)
            .contains("caught in the cycle n3 -> n2 -> n3, which does not contain the head"),
        "{}",
        error.describe(&names)
    );
}

#[test]
fn checked_traversal_reports_the_broken_back_link_of_a_self_loop() {
    let head = head_with(CheckMode::Checked);
    let a = item_with(1, CheckMode::Raw);
    // SAFETY: single-threaded test; `A` added after itself (through its own raw-mode link) is
    // the self loop under study: A.next == A and A.prev == A, while head.next == A.
    // SAFETY: single-threaded test; the nodes are boxed and outlive the call.
    unsafe {
        head.add(link(&a)).unwrap();
        a.link.add(link(&a)).unwrap();
        assert!(ptr::eq(a.link.next_ptr(), &a.link));
    }
    // SAFETY: single-threaded test.
    let error = unsafe { head.count_nodes(4) }.unwrap_err();
    assert_eq!(
        error.describe(&namer(&[("head", head.address()), ("A", a.link.address())])),
        "list traversal corruption. next->prev should be head, but was A. (next=A)",
        "a checked head verifies every back link, so it stops at the first step"
    );
}

#[test]
fn plain_iteration_that_deletes_the_current_entry_meets_the_poison() {
    let head = head();
    let (a, b) = (item(1), item(2));
    fill(&head, &[&a, &b]);
    // SAFETY: single-threaded test; deleting under the plain iterator is the misuse shown.
    let mut walk = unsafe { head.iter(MAX_NODES) };
    let first = walk.next().unwrap().unwrap();
    // SAFETY: as above.
    unsafe { first.as_ref().del().unwrap() };
    let error = walk.next().unwrap().unwrap_err();
    assert_eq!(
        error,
        ListError::BadLink {
            node: a.link.address(),
            link: Link::Next,
            value: LIST_POISON1
        }
    );
    assert!(
        walk.next().is_none(),
        "the iterator is fused after an error"
    );
}

#[test]
fn a_bound_smaller_than_the_list_is_reported_as_such() {
    let head = head();
    let items: Vec<_> = (1..=3).map(item).collect();
    fill(&head, &items.iter().map(|i| &**i).collect::<Vec<_>>());
    // SAFETY: single-threaded test.
    let error = unsafe { head.count_nodes(2) }.unwrap_err();
    assert_eq!(
        error,
        ListError::BoundTooSmall {
            head: head.address(),
            max_nodes: 2
        }
    );
}

#[test]
fn error_nodes_list_every_named_address() {
    let error = ListError::DoubleAdd {
        new: 1,
        prev: 2,
        next: 3,
    };
    assert_eq!(error.nodes(), [1, 2, 3]);
    let cycle = ListError::Cycle {
        head: 9,
        max_nodes: 2,
        cycle: vec![4, 5],
    };
    assert_eq!(cycle.nodes(), [9, 4, 5]);
}

/// `list_del_rcu` and `list_replace_rcu` on a list of RCU links (rculist.h): the removed entry
/// keeps its `next` for readers still on it and gets `LIST_POISON2` in `prev`. Run by ci/miri.sh
/// under strict provenance too, which refuses a poison value made by an integer-to-pointer cast.
#[test]
fn list_del_rcu_and_list_replace_rcu_keep_next_and_poison_prev() {
    let head = Box::new(ListHead::with_checks_rcu(CheckMode::Checked));
    // SAFETY: the head is boxed (it will not move) and not shared.
    unsafe { head.init() };
    let rcu_item = |value| {
        Box::new(Item {
            value,
            link: ListHead::with_checks_rcu(CheckMode::Checked),
        })
    };
    let (a, b, c) = (rcu_item(1), rcu_item(2), rcu_item(3));
    // SAFETY: single-threaded test; every node is boxed, initialized where needed, and outlives
    // the list.
    unsafe {
        head.add_tail_rcu(link(&a)).expect("add a");
        head.add_tail_rcu(link(&b)).expect("add b");
        assert_eq!(values(&head), [1, 2]);
        a.link.del_rcu().expect("del_rcu a");
        assert_eq!(a.link.next_ptr(), &b.link as *const ListHead);
        assert_eq!(a.link.prev_ptr() as usize, LIST_POISON2);
        assert_eq!(values(&head), [2]);
        b.link.replace_rcu(link(&c)).expect("replace b with c");
        assert_eq!(b.link.next_ptr(), &*head as *const ListHead);
        assert_eq!(b.link.prev_ptr() as usize, LIST_POISON2);
        assert_eq!(values(&head), [3]);
    }
}

/// The walk of a list whose first entry was re-initialized while linked (its links point to
/// itself): the kernel's `CONFIG_DEBUG_LIST` does not validate walks, so `DebugList` follows
/// the links into the entry's self loop, which the bounded walk reports as a cycle; `Checked`
/// (beyond the kernel) reports the corruption at the first step.
#[test]
fn debug_list_walks_like_the_kernel_and_checked_validates_the_walk() {
    for (checks, expected) in [
        (
            CheckMode::DebugList,
            "list traversal from head made 65 steps without returning to the head, but no more \
             than 64 nodes can exist: it is caught in the cycle A -> A, which does not contain \
             the head, so the walk can never end",
        ),
        (
            CheckMode::Checked,
            "list traversal corruption. next->prev should be head, but was A. (next=A)",
        ),
    ] {
        let head = head_with(checks);
        let (a, b) = (item_with(1, checks), item_with(2, checks));
        // SAFETY: single-threaded test; the items are boxed and outlive the list; `a` is
        // re-initialized while linked on purpose.
        unsafe {
            head.add_tail(link(&a)).unwrap();
            head.add_tail(link(&b)).unwrap();
            a.link.init();
        }
        let names = namer(&[
            ("head", head.address()),
            ("A", a.link.address()),
            ("B", b.link.address()),
        ]);
        // SAFETY: single-threaded test; every entry is an `Item`'s link.
        let error = unsafe { head.entries::<Item>(MAX_NODES) }
            .find_map(Result::err)
            .map(|error| error.describe(&names));
        assert_eq!(error.as_deref(), Some(expected), "{checks:?}");
    }
}
