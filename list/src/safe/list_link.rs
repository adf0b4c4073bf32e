//! `ListLink`: the link a value embeds to be on a [`SafeList`](crate::SafeList), Rust-for-Linux's
//! `ListLinks`: a [`ListHead`] and the id of the list that holds it, so that `del` can check
//! membership at run time instead of trusting its caller.

use crate::list_head::{CheckMode, ListHead};
use crate::platform::{AtomicOps, Platform, Std};
use std::sync::atomic::Ordering;

/// A [`ListHead`] with the id of the [`SafeList`](crate::SafeList) it is on (0: on none), for
/// the lists with ID `ID`. The ID is in the type (Rust-for-Linux's `ListLinks<ID>`), so one
/// field cannot serve two IDs: two tokens for one link, the double add `into_tokens` rules out,
/// cannot be made by naming one field twice.
///
/// # Invariants
/// - `head` is the first field (`repr(C)`), so a pointer to the `ListHead` is a pointer to the
///   `ListLink`, with the same provenance.
/// - `owner` is the id of the list the link is on, or 0. It is written only by that list's
///   `add` (to the list's id) and `del` (back to 0), both under `&mut` of the list, so a list
///   that reads its own id here (under `&mut` of itself) reads a value it wrote itself: the
///   link is on it. Another list's writes can only store that list's id or 0. The fields are
///   private, and `ListLink` is neither `Clone` nor `Copy`: no safe code forges an owner.
#[repr(C)]
pub struct ListLink<const ID: u64 = 0, P: Platform = Std> {
    head: ListHead<P>,
    owner: P::AtomicUsize,
}

impl<const ID: u64, P: Platform> ListLink<ID, P> {
    /// A link on no list, with the build's default [`CheckMode`].
    pub fn new() -> Self {
        Self::with_checks(CheckMode::build_default())
    }

    /// A link on no list, with the given check mode for its list operations.
    pub fn with_checks(checks: CheckMode) -> Self {
        ListLink {
            head: ListHead::with_checks(checks),
            owner: P::AtomicUsize::new(0),
        }
    }

    /// Whether the link is on a list now (a racy snapshot, for diagnostics and assertions).
    pub fn is_linked(&self) -> bool {
        self.owner.load(Ordering::Relaxed) != 0
    }

    /// The list operations' node.
    pub(crate) fn head(&self) -> &ListHead<P> {
        &self.head
    }

    /// The id of the list the link is on, or 0.
    pub(crate) fn owner(&self) -> usize {
        self.owner.load(Ordering::Relaxed)
    }

    /// Records the list the link is on (0: none). Relaxed is enough: see the type's invariants.
    pub(crate) fn set_owner(&self, list: usize) {
        self.owner.store(list, Ordering::Relaxed);
    }
}

impl<const ID: u64, P: Platform> Default for ListLink<ID, P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const ID: u64, P: Platform> std::fmt::Debug for ListLink<ID, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListLink")
            .field("id", &ID)
            .field("head", &self.head)
            .field("owner", &self.owner())
            .finish()
    }
}
