//! Saving and restoring links, walks and RCU words, as the state-graph engine does between two
//! actions: a node, a chain and a walk put back where they were go on as if nothing had
//! happened since, and an `Rcu` put back hands its slots out again at the nesting they had.

use lifecycle_list::{CheckMode, HlistNullsHead, HlistNullsNode, ListHead, NullsEnd, Rcu, Std};
use std::ptr::NonNull;

const MAX_NODES: usize = 8;

#[test]
fn restored_list_links_are_the_list_they_were_saved_from() {
    let head = Box::new(ListHead::<Std>::with_checks(CheckMode::Checked));
    let nodes: Vec<Box<ListHead<Std>>> = (0..3)
        .map(|_| Box::new(ListHead::with_checks(CheckMode::Checked)))
        .collect();
    // SAFETY: every node is boxed (it does not move) and used by this thread only.
    unsafe {
        head.init();
        for node in &nodes {
            head.add_tail(NonNull::from(&**node)).unwrap();
        }
    }
    let all = || std::iter::once(&*head).chain(nodes.iter().map(|n| &**n));
    // SAFETY: one thread.
    let saved: Vec<_> = all()
        .map(|n| unsafe { (n.next_ptr(), n.prev_ptr()) })
        .collect();
    // SAFETY: one thread; the node is on the list.
    unsafe { nodes[1].del().unwrap() };
    // SAFETY: one thread.
    assert_eq!(unsafe { head.count_nodes(MAX_NODES) }, Ok(2));
    for (node, &(next, prev)) in all().zip(&saved) {
        // SAFETY: one thread; the values were read from these links.
        unsafe { node.restore_links(next, prev) };
    }
    // SAFETY: one thread; every node is back as saved.
    unsafe {
        assert_eq!(head.count_nodes(MAX_NODES), Ok(3));
        assert_eq!(head.next_ptr(), &*nodes[0] as *const _);
        assert_eq!(nodes[1].next_ptr(), &*nodes[2] as *const _);
        // The restored list works: the middle node leaves it again.
        nodes[1].del().unwrap();
        assert_eq!(head.count_nodes(MAX_NODES), Ok(2));
    }
}

#[test]
fn a_resumed_nulls_walk_goes_on_from_where_it_stood_over_a_restored_chain() {
    let head = Box::new(HlistNullsHead::<Std>::with_checks(7, CheckMode::Checked));
    let nodes: Vec<Box<HlistNullsNode<Std>>> = (0..3)
        .map(|_| Box::new(HlistNullsNode::with_checks(CheckMode::Checked)))
        .collect();
    for node in &nodes {
        // SAFETY: boxed nodes, one thread.
        unsafe { head.add_head_rcu(NonNull::from(&**node)) }.unwrap();
    }
    // The chain is nodes[2], nodes[1], nodes[0]: stand on the first.
    // SAFETY: one thread, nothing moves during the walk.
    let mut walk = unsafe { head.iter(MAX_NODES) };
    assert_eq!(
        walk.next().map(|n| n.as_ptr().cast_const()),
        Some(&*nodes[2] as *const _)
    );
    let position = walk.position();
    drop(walk);
    let first = head.first_ptr();
    let saved: Vec<_> = nodes.iter().map(|n| n.saved_links()).collect();
    // SAFETY: one thread; the node is hashed.
    unsafe { nodes[1].del_rcu().unwrap() };
    // SAFETY: one thread; every value was read from these links.
    unsafe {
        head.restore_first(first);
        for (node, &links) in nodes.iter().zip(&saved) {
            node.restore_links(links);
        }
    }
    // SAFETY: the chain is back as it was when the position was taken; one thread.
    let walk = unsafe { lifecycle_list::NullsIter::resume(&head, position) };
    let rest: Vec<*const HlistNullsNode<Std>> = walk.map(|n| n.as_ptr().cast_const()).collect();
    assert_eq!(rest, vec![&*nodes[1] as *const _, &*nodes[0] as *const _]);
}

#[test]
#[should_panic(expected = "a walk resumes on the head it was walking")]
fn a_walk_position_does_not_resume_on_another_head() {
    let head = Box::new(HlistNullsHead::<Std>::new(1));
    let other = Box::new(HlistNullsHead::<Std>::new(2));
    // SAFETY: empty chains, one thread.
    let position = unsafe { head.iter(MAX_NODES) }.position();
    // SAFETY: as above (it panics first).
    let _ = unsafe { lifecycle_list::NullsIter::resume(&other, position) };
}

#[test]
fn a_nulls_walk_resumed_after_its_end_stays_ended() {
    let head = Box::new(HlistNullsHead::<Std>::new(5));
    // SAFETY: an empty chain, one thread.
    let mut walk = unsafe { head.iter(MAX_NODES) };
    assert!(walk.next().is_none());
    let position = walk.position();
    // SAFETY: as above.
    let resumed = unsafe { lifecycle_list::NullsIter::resume(&head, position) };
    assert_eq!(resumed.end(), Some(&NullsEnd::EndedOn { nulls: 5 }));
}

#[test]
fn a_restored_rcu_resumes_a_reader_inside_its_section_and_grace_periods_wait_for_it() {
    let mut rcu: Rcu<()> = Rcu::new(2);
    let (words, later) = {
        let mut reader = rcu.register().unwrap();
        let _idle = rcu.register().unwrap();
        reader.read_lock();
        let words = rcu.save();
        // After the save, the reader leaves its section.
        reader.read_unlock().unwrap();
        (words, rcu.save())
    };
    assert_ne!(
        words, later,
        "the reader's word moved on when it left its section"
    );
    rcu.restore(&words);
    let mut reader = rcu.register_resumed(1).unwrap();
    let _idle = rcu.register_resumed(0).unwrap();
    assert_eq!(reader.depth(), 1);
    let grace_period = rcu.start_grace_period();
    assert_eq!(
        grace_period.waits_for().collect::<Vec<_>>(),
        [reader.slot()]
    );
    assert!(!rcu.grace_period_elapsed(&grace_period));
    reader.read_unlock().unwrap();
    assert!(rcu.grace_period_elapsed(&grace_period));
    assert_eq!(rcu.save(), later, "the same unlock leads to the same words");
}

#[test]
#[should_panic(expected = "RCU slot 0 was registered when the restored words were saved")]
fn a_plain_register_of_a_restored_slot_is_refused() {
    let mut rcu: Rcu<()> = Rcu::new(1);
    let words = {
        let mut reader = rcu.register().unwrap();
        reader.read_lock();
        rcu.save()
    };
    rcu.restore(&words);
    let _ = rcu.register();
}

#[test]
fn a_resume_at_the_wrong_nesting_is_refused_and_leaves_the_slot_free() {
    let mut rcu: Rcu<()> = Rcu::new(1);
    let words = {
        let mut reader = rcu.register().unwrap();
        reader.read_lock();
        rcu.save()
    };
    rcu.restore(&words);
    let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = rcu.register_resumed(0);
    }));
    let message = *refused.unwrap_err().downcast::<String>().unwrap();
    assert_eq!(
        message,
        "assertion `left == right` failed: RCU slot 0: a word odd exactly while its thread is \
         inside a section\n  left: true\n right: false"
    );
    assert_eq!(rcu.register_resumed(1).unwrap().depth(), 1);
}
