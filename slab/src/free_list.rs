//! `FreeList`: a Treiber stack (R. K. Treiber, "Systems Programming: Coping with Parallelism",
//! IBM RJ 5118, 1986) of slot indices, whose head packs a 32-bit tag with the index in one atomic
//! word so that a pop whose `next` went stale fails its compare-and-swap (the ABA problem; SLUB's
//! answer is its `(freelist, tid)` double-width cmpxchg). The tag wraps, so a pop stalled across
//! 2^32 operations can still succeed on a stale `next`: the stack is then corrupt (a slot lost,
//! repeated, or handed out while allocated), which the slab's claim makes harmless (no slot is
//! ever owned twice) and reports.

use crate::slot_set::SlotSet;
use crossbeam_utils::Backoff;
use lifecycle_list::{AtomicOps, Platform};
use std::sync::atomic::Ordering;

/// The index meaning "no slot": the end of the list.
pub(crate) const NIL: u32 = u32::MAX;

/// Whether the head's tag is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tagging {
    /// Every successful push and pop bumps a 32-bit tag in the head word, so a compare-and-swap
    /// that read the head before a pop-and-push-back of the same slot fails. The default.
    ///
    /// Not ABA-proof: the tag wraps, so a pop that stalls between its load and its
    /// compare-and-swap while exactly a multiple of 2^32 other pushes and pops succeed can still
    /// install a stale `next`. Even then both caches stay sound, because a slot is claimed by a
    /// compare-and-swap of its own state before anything touches it: a slot is never owned
    /// twice. The free list may lose or repeat slots, which `alloc` reports as
    /// `SlabError::HandedOutTwice` and `check_quiescent` as `SlabError::FreeListCorrupt`.
    #[default]
    Tagged,
    /// **Broken on purpose**: the tag is left at zero, so the head word is just the index. A pop
    /// that read `head = A, A.next = B`, was preempted while another thread popped A and B and
    /// pushed A back, then succeeds and installs B, which is allocated: B would be handed out
    /// twice (the slab's claim refuses it as `HandedOutTwice`). Exists so the models can show a
    /// checker finding the ABA bug, only through the `unsafe` `Slab::with_tagging`; never use it
    /// otherwise.
    Untagged,
}

fn pack(tag: u64, index: u32) -> u64 {
    (tag << 32) | u64::from(index)
}

fn index_of(word: u64) -> u32 {
    // Truncation keeps the low half: the index.
    word as u32
}

fn tag_of(word: u64) -> u64 {
    word >> 32
}

/// A lock-free LIFO stack of slot indices `0..len`.
///
/// # Invariants
/// - `head` is `(tag << 32) | index`, `index == NIL` for an empty stack; with
///   [`Tagging::Tagged`] the tag changes on every successful push and pop (it wraps after 2^32,
///   so an ABA needs 2^32 operations between one thread's load and its compare-and-swap).
/// - `next[i]` is the index below `i` while `i` is on the stack; it is read racily by poppers
///   that may lose their compare-and-swap, which is why it is atomic.
/// - A push publishes with `Release` and a pop takes with `Acquire`, so everything a thread wrote
///   to a slot before pushing it happens-before the next pop of that slot.
pub(crate) struct FreeList<P: Platform> {
    head: P::AtomicU64,
    next: Box<[P::AtomicUsize]>,
    tagging: Tagging,
}

impl<P: Platform> FreeList<P> {
    /// A stack holding every index `0..len`, 0 on top, so the first allocations come in order.
    pub(crate) fn full(len: u32, tagging: Tagging) -> Self {
        let next = (0..len)
            .map(|i| {
                P::AtomicUsize::new(if i + 1 < len {
                    i as usize + 1
                } else {
                    NIL as usize
                })
            })
            .collect();
        let top = if len == 0 { NIL } else { 0 };
        FreeList {
            head: P::AtomicU64::new(pack(0, top)),
            next,
            tagging,
        }
    }

    /// The stack's words as stored: the head, then each index's `next`.
    pub(crate) fn words(&self) -> (u64, Vec<usize>) {
        (
            self.head.load(Ordering::Relaxed),
            self.next
                .iter()
                .map(|n| n.load(Ordering::Relaxed))
                .collect(),
        )
    }

    /// Writes back words [`FreeList::words`] read from a stack of the same length.
    pub(crate) fn set_words(&mut self, head: u64, next: &[usize]) {
        assert_eq!(
            next.len(),
            self.next.len(),
            "free-list words restore a stack of the length they were saved from"
        );
        self.head.store(head, Ordering::Relaxed);
        for (link, &value) in self.next.iter().zip(next) {
            link.store(value, Ordering::Relaxed);
        }
    }

    /// The tag a successful compare-and-swap installs after `word`.
    fn next_tag(&self, word: u64) -> u64 {
        match self.tagging {
            Tagging::Tagged => tag_of(word).wrapping_add(1) & u64::from(u32::MAX),
            Tagging::Untagged => 0,
        }
    }

    /// Pops the most recently pushed index, or `None` if the stack is empty.
    pub(crate) fn pop(&self) -> Option<u32> {
        let backoff = Backoff::new();
        let mut head = self.head.load(Ordering::Acquire);
        loop {
            let index = index_of(head);
            if index == NIL {
                return None;
            }
            // Racy by design: another thread may pop `index` and push it back with a new `next`
            // between this load and the compare-and-swap below. The tag makes that CAS fail.
            let below = self.next[index as usize].load(Ordering::Relaxed) as u32;
            let new = pack(self.next_tag(head), below);
            match self
                .head
                .compare_exchange(head, new, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return Some(index),
                Err(actual) => {
                    // Under contention, retrying at once makes both threads fail again.
                    backoff.spin();
                    head = actual;
                }
            }
        }
    }

    /// Pushes `index`, which the caller owns (it is not on the stack).
    pub(crate) fn push(&self, index: u32) {
        let backoff = Backoff::new();
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            self.next[index as usize].store(index_of(head) as usize, Ordering::Relaxed);
            let new = pack(self.next_tag(head), index);
            match self
                .head
                .compare_exchange(head, new, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(actual) => {
                    backoff.spin();
                    head = actual;
                }
            }
        }
    }

    /// Calls `each` with the indices on the stack, top first, and returns how many there are.
    /// Only meaningful at a quiescent point (no push or pop running). Stops with an error on a
    /// repeated index or an index past the last slot. It allocates nothing for a cache of up to
    /// 64 slots (the state graph walks the list at every state it restores and reaches).
    pub(crate) fn visit(&self, mut each: impl FnMut(u32)) -> Result<usize, String> {
        let len = self.next.len();
        let mut met = SlotSet::new(len);
        let mut count = 0;
        let mut index = index_of(self.head.load(Ordering::Acquire));
        while index != NIL {
            let slot = index as usize;
            if slot >= len {
                return Err(format!(
                    "the free list links to slot#{slot}, past the last slot ({})",
                    len - 1
                ));
            }
            if met.insert(slot) {
                return Err(format!(
                    "slot#{slot} appears twice on the free list (after {count} entries): the \
                     list has a cycle"
                ));
            }
            each(index);
            count += 1;
            index = self.next[slot].load(Ordering::Relaxed) as u32;
        }
        Ok(count)
    }

    /// Whether the tag is in use.
    pub(crate) fn tagging(&self) -> Tagging {
        self.tagging
    }
}
