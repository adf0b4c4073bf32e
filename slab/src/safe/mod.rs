//! The safe slab layer: the lifecycle protocol of docs/design.md section 8 in the types, after
//! Rust-for-Linux's `kernel::list` (`ListArc<T, ID>` is the one right to be on the list with
//! that ID) and its `Arc`/`UniqueArc`, tied to the slab's free.
//!
//! - [`SafeSlab::alloc`] gives a [`Unique`]: the only reference to a fresh object, which holds
//!   every link token (none is out). It gives `&mut T`, and it is what [`SafeSlab::free`] takes.
//! - [`Unique::into_token`] (or [`Unique::into_tokens`] for two lists) turns it into the
//!   [`Token`]s, one per list ID, each a counted reference with the one right to link the
//!   object on a list with that ID; `SafeList::add` consumes it, `SafeList::del` gives it back.
//! - [`Ref`] is a counted reference ([`Token::to_ref`], [`Token::into_ref`], `Clone`), which may
//!   outlive the lock it was taken under. The last reference (token or `Ref`) to go frees the
//!   object; a linked object's token is held by its list, so that is never a linked object.
//! - [`Ref::try_unique`] gets the [`Unique`] back, and with it the right to free, only when no
//!   other reference exists: every token back, none on a list.

mod counted;
mod safe_slab;
mod slot;
mod token;
mod unique;

pub use counted::Ref;
pub use safe_slab::SafeSlab;
pub use token::{SlabList, Token};
pub use unique::Unique;
