//! The safe RCU layer (issue 20, item 8): a list whose readers walk it with no lock under an
//! RCU guard and whose removal hands the entry to deferred destruction, with the semantics of
//! Linux's `include/linux/rculist.h` on crossbeam-epoch, Rust's RCU (docs/design.md section 10):
//! a pinned [`Guard`](crossbeam_epoch::Guard) is a read-side section, `Guard::defer_destroy` is
//! `call_rcu`/`kfree_rcu`.
//!
//! Two mistakes of the raw layer no longer compile (trybuild cases in `compile-fail/tests/ui/list/rcu_*`): freeing
//! an unlinked entry without a grace period (a removed entry is a [`Retired`], which only defers
//! its destruction), and using what a reader found after its read-side section (the reference
//! borrows the guard). The third, changing the list without its lock, does not compile either:
//! only the lock's [`RcuWriter`] changes it.
//!
//! A list on a collector of its own is `unsafe` to make ([`RcuList::with_collector`]):
//! crossbeam-epoch 0.9 frees a registration from inside its own drop when it held the
//! collector's last reference (crossbeam-rs/crossbeam#545). [`RcuList::register`] gives an
//! [`RcuHandle`], which keeps the collector alive until its registration is gone and whose
//! [`RcuGuard`]s borrow it, so no order of drops reaches that bug.

mod node;
mod rcu_handle;
mod rcu_iter;
mod rcu_list;
mod rcu_writer;
mod retired;

pub use rcu_handle::{RcuGuard, RcuHandle};
pub use rcu_iter::RcuIter;
pub use rcu_list::RcuList;
pub use rcu_writer::RcuWriter;
pub use retired::Retired;
