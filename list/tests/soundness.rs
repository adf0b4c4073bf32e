//! Regression tests of issue #9 (no undefined behaviour reachable from safe code), one or more per
//! finding of the review that the list crate answers at run time: raw-mode operations never
//! follow a null or poisoned link (finding 9), a refused operation leaves every link as it was
//! (finding 10), and entries linked through `Linked::link_ptr` map back to the very pointers they
//! were linked with (finding 11). Findings 1, 2 and 4 are compile-time: see `compile-fail/tests/compile_fail.rs`.
//! The last section pins what raw mode does where only checked mode refuses (a later review).

use lifecycle_list::{
    impl_linked, CheckMode, Link, Linked, ListError, ListHead, LIST_POISON1, LIST_POISON2,
};
use std::ptr::NonNull;

struct Item {
    value: u32,
    link: ListHead,
}
impl_linked!(Item, link);

const MAX_NODES: usize = 16;

fn head(checks: CheckMode) -> Box<ListHead> {
    let head = Box::new(ListHead::with_checks(checks));
    // SAFETY: boxed (it will not move) and not shared.
    unsafe { head.init() };
    head
}

fn item(value: u32, checks: CheckMode) -> Box<Item> {
    Box::new(Item {
        value,
        link: ListHead::with_checks(checks),
    })
}

/// The pointer to link `item` with (the list discipline, point 3).
fn link(item: &Item) -> NonNull<ListHead> {
    // SAFETY: `item` is a live `Item`.
    unsafe { Item::link_ptr(NonNull::from(item)) }
}

/// Every node's `(address, next, prev)`, to compare before and after a refused operation.
fn links(nodes: &[&ListHead]) -> Vec<(usize, usize, usize)> {
    nodes
        .iter()
        // SAFETY: single-threaded test; reading the links of live nodes.
        .map(|node| unsafe {
            (
                node.address(),
                node.next_ptr() as usize,
                node.prev_ptr() as usize,
            )
        })
        .collect()
}

/// A list `head: a b c`, a second checked list `other: d`, an entry `x` never added,
/// and a head `uninit` never initialized.
#[allow(clippy::vec_box)] // boxed like every other test node, so addresses never move
struct Fixture {
    head: Box<ListHead>,
    other: Box<ListHead>,
    uninit: Box<ListHead>,
    items: Vec<Box<Item>>,
}

impl Fixture {
    fn new(checks: CheckMode) -> Self {
        let fixture = Fixture {
            head: head(checks),
            other: head(checks),
            uninit: Box::new(ListHead::with_checks(checks)),
            items: (0..5).map(|value| item(value, checks)).collect(),
        };
        // SAFETY: single-threaded; boxed nodes do not move.
        unsafe {
            for i in 0..3 {
                fixture.head.add_tail(link(&fixture.items[i])).unwrap();
            }
            fixture.other.add_tail(link(&fixture.items[3])).unwrap();
        }
        fixture
    }

    fn a(&self) -> NonNull<ListHead> {
        link(&self.items[0])
    }

    fn b(&self) -> NonNull<ListHead> {
        link(&self.items[1])
    }

    fn x(&self) -> NonNull<ListHead> {
        link(&self.items[4])
    }

    fn nodes(&self) -> Vec<&ListHead> {
        let mut nodes = vec![&*self.head, &*self.other, &*self.uninit];
        nodes.extend(self.items.iter().map(|item| &item.link));
        nodes
    }

    fn snapshot(&self) -> Vec<(usize, usize, usize)> {
        links(&self.nodes())
    }

    /// Runs `operation`, which must be refused, and checks it left every link as it was.
    fn refused(&self, what: &str, operation: impl FnOnce(&Self) -> Result<(), ListError>) {
        let before = self.snapshot();
        let result = operation(self);
        assert!(result.is_err(), "{what} must be refused, got {result:?}");
        assert_eq!(
            self.snapshot(),
            before,
            "{what} was refused ({}) but changed links",
            result.unwrap_err()
        );
    }
}

// --- finding 9: raw mode follows no link it has not checked ---------------------------------

#[test]
fn finding_09_raw_add_on_uninit_head_is_refused() {
    let uninit = Box::new(ListHead::with_checks(CheckMode::Raw));
    let a = item(1, CheckMode::Raw);
    // SAFETY: single-threaded test; the add must refuse to follow the null `next`.
    let error = unsafe { uninit.add(link(&a)) }.unwrap_err();
    assert_eq!(
        error,
        ListError::AddNull {
            link: Link::Next,
            new: a.link.address()
        }
    );
    // SAFETY: as above, for `prev`.
    let error = unsafe { uninit.add_tail(link(&a)) }.unwrap_err();
    assert_eq!(
        error,
        ListError::AddNull {
            link: Link::Prev,
            new: a.link.address()
        }
    );
    // SAFETY: single-threaded test; reading the links of a live node.
    unsafe {
        assert!(a.link.next_ptr().is_null() && a.link.prev_ptr().is_null());
        assert!(uninit.next_ptr().is_null() && uninit.prev_ptr().is_null());
    }
}

#[test]
fn finding_09_raw_add_on_a_deleted_head_is_refused() {
    let head = head(CheckMode::Raw);
    let (a, b) = (item(1, CheckMode::Raw), item(2, CheckMode::Raw));
    // SAFETY: single-threaded test; `a` is deleted, then used as a position: its poisoned
    // `next` must not be followed.
    let error = unsafe {
        head.add(link(&a)).unwrap();
        a.link.del().unwrap();
        a.link.add(link(&b))
    }
    .unwrap_err();
    assert_eq!(
        error,
        ListError::BadLink {
            node: a.link.address(),
            link: Link::Next,
            value: LIST_POISON1
        }
    );
}

#[test]
fn finding_09_raw_multi_step_operations_on_uninit_heads_are_refused() {
    let f = Fixture::new(CheckMode::Raw);
    let bad_next = ListError::BadLink {
        node: f.uninit.address(),
        link: Link::Next,
        value: 0,
    };
    let bad_prev = ListError::BadLink {
        node: f.uninit.address(),
        link: Link::Prev,
        value: 0,
    };
    // SAFETY: single-threaded test; boxed nodes that outlive the calls. Each operation would
    // follow the uninitialized head's null link, and must refuse instead.
    unsafe {
        assert_eq!(f.uninit.rotate_left(), Err(bad_next.clone()));
        assert_eq!(f.head.splice(&f.uninit), Err(bad_next.clone()));
        assert_eq!(f.head.splice_tail(&f.uninit), Err(bad_next.clone()));
        assert_eq!(f.head.splice_init(&f.uninit), Err(bad_next.clone()));
        assert_eq!(f.head.splice_tail_init(&f.uninit), Err(bad_next.clone()));
        assert_eq!(f.uninit.splice(&f.head), Err(bad_next.clone()));
        assert_eq!(f.uninit.splice_tail(&f.head), Err(bad_prev.clone()));
        assert_eq!(
            f.uninit.cut_position(&f.other, f.a()),
            Err(bad_next.clone())
        );
        assert_eq!(f.uninit.cut_before(&f.other, f.a()), Err(bad_next));
        assert_eq!(f.uninit.bulk_move_tail(f.a(), f.b()), Err(bad_prev));
        assert_eq!(
            ListHead::move_to(f.a(), &f.uninit),
            Err(ListError::AddNull {
                link: Link::Next,
                new: f.items[0].link.address()
            })
        );
    }
}

// --- finding 10: a refused operation touches nothing ----------------------------------------

#[test]
fn finding_10_failing_swap_leaves_every_link_as_before() {
    let f = Fixture::new(CheckMode::Checked);
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("swap of an entry with itself", |f| unsafe {
        ListHead::swap(f.a(), f.a())
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("swap with an entry never added", |f| unsafe {
        ListHead::swap(f.x(), f.b())
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("swap of a linked entry with one never added", |f| unsafe {
        ListHead::swap(f.b(), f.x())
    });
    // Two entries that are each other's only neighbours: the kernel's final list_add would be a
    // double add after the del and the replace have been written. Every write is undone.
    let (p, q) = (item(7, CheckMode::Checked), item(8, CheckMode::Checked));
    // SAFETY: single-threaded test; `p` made a one-entry list of its own, `q` added to it.
    unsafe {
        p.link.init();
        p.link.add(link(&q)).unwrap();
    }
    let before = links(&[&p.link, &q.link]);
    // SAFETY: as above.
    let result = unsafe { ListHead::swap(link(&p), link(&q)) };
    assert!(
        matches!(result, Err(ListError::DoubleAdd { .. })),
        "{result:?}"
    );
    assert_eq!(links(&[&p.link, &q.link]), before, "the swap was undone");
    // And the refusal named the operation.
    // SAFETY: as above.
    let same = unsafe { ListHead::swap(link(&p), link(&p)) }.unwrap_err();
    assert_eq!(
        same.to_string(),
        format!(
            "list_swap: both arguments are the same node {:#x}; refused without touching the list",
            p.link.address()
        )
    );
}

#[test]
fn finding_10_failing_move_to_leaves_every_link_as_before() {
    let f = Fixture::new(CheckMode::Checked);
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("move_to an uninitialized head", |f| unsafe {
        ListHead::move_to(f.a(), &f.uninit)
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("move_to_tail an uninitialized head", |f| unsafe {
        ListHead::move_to_tail(f.b(), &f.uninit)
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("move_to after the entry itself", |f| unsafe {
        ListHead::move_to(f.b(), &f.items[1].link)
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("move_to_tail before the entry itself", |f| unsafe {
        ListHead::move_to_tail(f.b(), &f.items[1].link)
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("move_to of an entry never added", |f| unsafe {
        ListHead::move_to(f.x(), &f.other)
    });
    // The entry is back between its old neighbours and the lists still walk.
    // SAFETY: single-threaded test.
    let values: Vec<u32> = unsafe { f.head.entries::<Item>(MAX_NODES) }
        // SAFETY: as above; the entries are live `Item`s.
        .map(|entry| unsafe { entry.unwrap().as_ref().value })
        .collect();
    assert_eq!(values, [0, 1, 2]);
}

#[test]
fn finding_10_every_failing_multi_step_operation_leaves_every_link_as_before() {
    let f = Fixture::new(CheckMode::Checked);
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("replace_init of an entry with itself", |f| unsafe {
        f.items[0].link.replace_init(f.a())
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("replace of an entry with itself", |f| unsafe {
        f.items[0].link.replace(f.a())
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("replace of an entry with its neighbour", |f| unsafe {
        f.items[0].link.replace(f.b())
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("replace_init of an entry never added", |f| unsafe {
        f.items[4].link.replace_init(f.a())
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("del_init of an entry never added", |f| unsafe {
        f.items[4].link.del_init()
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("rotate_to_front of the head itself", |f| unsafe {
        f.head.rotate_to_front(NonNull::from(&*f.head))
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("rotate_to_front of an uninitialized head", |f| unsafe {
        f.uninit.rotate_to_front(f.a())
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("cut_position into the list itself", |f| unsafe {
        f.head.cut_position(&f.head, f.b())
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("cut_before into the list itself", |f| unsafe {
        f.head.cut_before(&f.head, f.b())
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("splice of a list into itself", |f| unsafe {
        f.head.splice(&f.head)
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("splice_tail_init of a list into itself", |f| unsafe {
        f.head.splice_tail_init(&f.head)
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("bulk_move_tail of a run ending at the head", |f| unsafe {
        f.head.bulk_move_tail(f.a(), NonNull::from(&*f.head))
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("splice of an uninitialized list", |f| unsafe {
        f.other.splice_init(&f.uninit)
    });
    // A first entry whose neighbour forgot it: rotate_left's del is refused before any write.
    // SAFETY: single-threaded test; deliberately breaking the back link of `a`'s successor.
    unsafe { f.items[1].link.init() };
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("rotate_left with a broken first entry", |f| unsafe {
        f.head.rotate_left()
    });
}

#[test]
fn finding_10_a_deleted_entry_swapped_or_moved_is_refused_untouched() {
    let f = Fixture::new(CheckMode::Checked);
    // SAFETY: single-threaded test.
    unsafe { f.items[0].link.del().unwrap() };
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("swap of a deleted entry", |f| unsafe {
        ListHead::swap(f.a(), f.b())
    });
    // SAFETY: single-threaded test; boxed nodes that outlive the call.
    f.refused("move_to of a deleted entry", |f| unsafe {
        ListHead::move_to(f.a(), &f.other)
    });
    // SAFETY: single-threaded test.
    unsafe {
        assert_eq!(f.items[0].link.next_ptr() as usize, LIST_POISON1);
        assert_eq!(f.items[0].link.prev_ptr() as usize, LIST_POISON2);
    }
}

// --- finding 11: entries map back to the pointers they were linked with ---------------------

#[test]
fn finding_11_entries_map_back_to_the_object_pointers_they_were_linked_with() {
    let head = head(CheckMode::Checked);
    let items: Vec<Box<Item>> = (10..14).map(|v| item(v, CheckMode::Checked)).collect();
    let objects: Vec<NonNull<Item>> = items.iter().map(|item| NonNull::from(&**item)).collect();
    for &object in &objects {
        // SAFETY: single-threaded test; the link pointer is projected from the object pointer.
        unsafe { head.add_tail(Item::link_ptr(object)).unwrap() };
    }
    // SAFETY: single-threaded test; every entry is an `Item` linked through `link_ptr`.
    let walked: Vec<NonNull<Item>> = unsafe { head.entries::<Item>(MAX_NODES) }
        .map(|entry| entry.unwrap())
        .collect();
    assert_eq!(walked, objects, "from_link returns the object pointers");
    // SAFETY: as above; the objects are live.
    let values: Vec<u32> = walked.iter().map(|e| unsafe { e.as_ref().value }).collect();
    assert_eq!(values, [10, 11, 12, 13]);
    // SAFETY: as above.
    unsafe {
        assert_eq!(head.first_entry::<Item>(), Some(objects[0]));
        assert_eq!(head.last_entry::<Item>(), Some(objects[3]));
    }
}

// --- review: the cases only checked mode refuses, pinned in raw mode ------------------------

/// The error that ended a walk, if one did.
fn walk_error(walk: impl Iterator<Item = Result<NonNull<ListHead>, ListError>>) -> ListError {
    walk.filter_map(Result::err)
        .next()
        .expect("the walk must end with an error, not return to the head")
}

#[test]
fn raw_move_to_onto_the_entry_itself_returns_ok_and_a_walk_reports_the_cycle() {
    let f = Fixture::new(CheckMode::Raw);
    let b = f.items[1].link.address();
    // SAFETY: single-threaded test; boxed nodes that outlive the call. Moving `b` after itself
    // is the kernel's behaviour in raw mode: no refusal, inconsistent links, no UB.
    let moved = unsafe { ListHead::move_to(f.b(), &f.items[1].link) };
    assert_eq!(moved, Ok(()));
    // SAFETY: single-threaded test; reading the links of live nodes.
    unsafe {
        assert_eq!(f.items[1].link.next_ptr() as usize, b, "b points to itself");
        assert_eq!(f.items[1].link.prev_ptr() as usize, b, "b points to itself");
        assert_eq!(
            f.items[2].link.prev_ptr() as usize,
            b,
            "c's prev still points to b"
        );
        assert_eq!(
            f.head.count_nodes(MAX_NODES),
            Ok(2),
            "forward: a, c, as if b were deleted"
        );
    }
    // SAFETY: as above; the walk is bounded by MAX_NODES.
    let error = walk_error(unsafe { f.head.iter_rev(MAX_NODES) });
    assert!(
        matches!(&error, ListError::Cycle { cycle, .. } if cycle == &[b]),
        "backwards the walk enters b's loop and reports it: {error:?}"
    );

    let f = Fixture::new(CheckMode::Raw);
    let b = f.items[1].link.address();
    // SAFETY: as above, for move_to_tail.
    let moved = unsafe { ListHead::move_to_tail(f.b(), &f.items[1].link) };
    assert_eq!(moved, Ok(()));
    // SAFETY: as above; the walk is bounded by MAX_NODES.
    let error = walk_error(unsafe { f.head.iter(MAX_NODES) });
    assert!(
        matches!(&error, ListError::Cycle { cycle, .. } if cycle == &[b]),
        "forwards the walk enters b's loop and reports it: {error:?}"
    );
}

#[test]
fn raw_swap_of_each_others_only_neighbours_returns_ok_and_a_walk_reports_the_cycle() {
    let (p, q) = (item(7, CheckMode::Raw), item(8, CheckMode::Raw));
    // SAFETY: single-threaded test; `p` made a one-entry list of its own, `q` added to it.
    unsafe {
        p.link.init();
        p.link.add(link(&q)).unwrap();
    }
    // SAFETY: as above. Checked mode refuses this (finding_10_failing_swap_...); raw mode does
    // what the kernel does.
    assert_eq!(unsafe { ListHead::swap(link(&p), link(&q)) }, Ok(()));
    let (pa, qa) = (p.link.address(), q.link.address());
    // SAFETY: single-threaded test; reading the links of live nodes.
    unsafe {
        assert_eq!(p.link.next_ptr() as usize, pa, "p points to itself");
        assert_eq!(p.link.prev_ptr() as usize, qa);
        assert_eq!(q.link.next_ptr() as usize, pa);
        assert_eq!(q.link.prev_ptr() as usize, pa);
    }
    // SAFETY: as above; the walk is bounded by MAX_NODES.
    let error = walk_error(unsafe { q.link.iter(MAX_NODES) });
    assert!(
        matches!(&error, ListError::Cycle { cycle, .. } if cycle == &[pa]),
        "from q the walk enters p's loop and reports it: {error:?}"
    );
}
