//! The safe list layer: the lifecycle protocol of docs/design.md section 8 in the types, after
//! Rust-for-Linux's `kernel::list` (`ListArc<T, ID>`, `ListLinks`, `List`). A value embeds one
//! [`ListLink`] per list it can be on, named by a `const ID: u64`; the right to put it on a list
//! with that ID is a [`LinkToken`], which [`SafeList::add`] consumes and [`SafeList::del`] gives
//! back. Every method that changes a list takes `&mut SafeList`, which a shared list only gives
//! through its lock's guard, so the lock rule is the borrow checker's. The raw [`ListHead`]
//! layer underneath stays as it is (the models must be able to write the bug).
//!
//! What implements [`LinkToken`] decides what a token is; `lifecycle-slab`'s `Token` is a counted
//! reference to a slab object, which ties the tokens to the slab's free.
//!
//! [`ListHead`]: crate::ListHead

mod has_list_link;
mod iter;
mod link_token;
mod list_link;
mod not_on_this_list;
mod safe_list;
mod token_ref;
mod walk_safe;

pub use has_list_link::HasListLink;
pub use iter::SafeIter;
pub use link_token::LinkToken;
pub use list_link::ListLink;
pub use not_on_this_list::NotOnThisList;
pub use safe_list::SafeList;
pub use token_ref::TokenRef;
pub use walk_safe::{SafeEntry, WalkSafe};
