//! Linux `list_head` semantics in Rust: an intrusive circular doubly-linked list, a spinlock to
//! protect it, and the platform layer that lets the same code run on real threads, under loom
//! and under shuttle.
//!
//! The crate exists to model the lifecycle bug told in `shared/linked-lists-are-still-hard.txt`:
//! an object freed while still linked, reallocated at the same address and added again, leaves
//! `node.next == node`, and a reader walking the list under the lock loops forever. The raw
//! operations can express that bug; the checked mode (Linux's `CONFIG_DEBUG_LIST`) reports it;
//! every traversal is bounded and names the cycle instead of hanging.
//!
//! Beside the raw layer, a safe one (issue #13, after Rust-for-Linux's `kernel::list`):
//! [`SafeList`] holds its entries by their [`LinkToken`]s, one per value and list ID
//! ([`ListLink<ID>`](ListLink)); `add` consumes a token, `del` gives it back, and every change
//! takes `&mut SafeList`, which a shared list gives only through its lock's guard.
//!
//! Beside it, the safe RCU layer (issue #20, item 8, on crossbeam-epoch, re-exported as
//! [`epoch`]): [`RcuList`] readers walk with no lock under a pinned [`epoch::Guard`] and get
//! references that borrow it; changes go through the lock's [`RcuWriter`], and a removed entry
//! is a [`Retired`], which only defers its destruction past a grace period. An [`RcuHandle`]
//! ([`RcuList::register`]) pins a list's collector with no drop order to watch
//! (crossbeam-rs/crossbeam#545: see [`RcuList::with_collector`]).
//!
//! Beside `ListHead`, the kernel's `hlist_nulls` hash chains (issue #21, item 3;
//! include/linux/list_nulls.h, include/linux/rculist_nulls.h): an [`HlistNullsTable`] of N
//! chains, each an [`HlistNullsHead`] whose [`HlistNullsNode`]s end in a nulls marker carrying
//! the chain's number ([`nulls_marker`], [`is_a_nulls`], [`get_nulls_value`]);
//! [`HlistNullsHead::add_head_rcu`], [`HlistNullsNode::del_rcu`] and
//! [`HlistNullsNode::del_init_rcu`] for writers under the table's lock, and the lockless walk
//! [`HlistNullsHead::iter_rcu`] ([`NullsIter`]), whose [`NullsEnd`] says which chain's marker it
//! ended on, so that a lookup (Documentation/RCU/rculist_nulls.rst) restarts when an entry it
//! stood on was moved to another chain. [`chain_of`] hashes a key to its chain.

pub mod platform;

#[cfg(feature = "loom")]
pub use platform::Loom;
#[cfg(feature = "shuttle")]
pub use platform::Shuttle;
pub use platform::{AtomicOps, CellOps, Platform, Std, Waiter, WordOps, WordValue};

mod error;
mod hlist_nulls;
mod iter;
mod list_head;

pub use error::{hex_address, Link, ListError, LIST_POISON1, LIST_POISON2};
// The hlist_nulls hash chains (issue #21, item 3): described in the crate's docs above.
pub use hlist_nulls::{
    chain_of, get_nulls_value, is_a_nulls, nulls_marker, HlistNullsHead, HlistNullsNode,
    HlistNullsTable, NodeLinks, NullsEnd, NullsIter, NullsPosition, MAX_NULLS,
};
pub use iter::Iter;
pub use list_head::{CheckMode, ListHead};
mod linked;
pub use linked::Linked;
mod rcu;
mod rcu_words;
pub use rcu::{GaveUp, GracePeriod, Rcu, RcuError, RcuThread};
pub use rcu_words::RcuWords;
mod raw_spinlock;
mod spinlock;
pub use raw_spinlock::{LockDefect, RawSpinLock};
pub use spinlock::{SpinGuard, SpinLock};
mod safe_rcu;
/// crossbeam-epoch, whose guards [`RcuList`]'s readers and writers pin (the same version the
/// list is built with).
pub use crossbeam_epoch as epoch;
pub use safe_rcu::{RcuGuard, RcuHandle, RcuIter, RcuList, RcuWriter, Retired};
mod safe;
pub use safe::{
    HasListLink, LinkToken, ListLink, NotOnThisList, SafeEntry, SafeIter, SafeList, TokenRef,
    WalkSafe,
};
