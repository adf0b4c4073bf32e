//! `NotOnThisList`: what [`SafeList::del`](crate::SafeList::del) returns for a value that this
//! list does not hold.

use std::fmt;

/// A `del` of a value that is not on this list: on no list, or on another list with the same
/// ID. Nothing was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotOnThisList {
    /// This list's id.
    pub list: usize,
    /// The id of the list the value is on (0: none), as read under this list's lock.
    pub owner: usize,
}

impl fmt::Display for NotOnThisList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.owner == 0 {
            write!(f, "del from list #{}: the value is on no list", self.list)
        } else {
            write!(
                f,
                "del from list #{}: the value is on list #{} (only the list that holds a \
                 value's token may unlink it)",
                self.list, self.owner
            )
        }
    }
}

impl std::error::Error for NotOnThisList {}
