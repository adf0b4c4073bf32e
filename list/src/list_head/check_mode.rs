//! `CheckMode`: whether a list node's operations validate their neighbours first (Linux's
//! `CONFIG_DEBUG_LIST`, lib/list_debug.c), chosen per node at run time.

#[cfg(doc)]
use crate::{error::ListError, list_head::ListHead};

/// Whether a node's operations validate their neighbours first, as Linux's lib/list_debug.c does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckMode {
    /// include/linux/list.h without `CONFIG_DEBUG_LIST`: operations trust their arguments, so
    /// they can express the bugs this suite studies (a double add makes `node.next == node`).
    /// Still, no operation and no traversal ever follows a null or poisoned link: where the
    /// kernel would fault, the operation returns [`ListError::AddNull`] or
    /// [`ListError::BadLink`] before writing anything, and traversals are bounded.
    Raw,
    /// `CONFIG_DEBUG_LIST` as the kernel has it: the operations validate the neighbours as
    /// lib/list_debug.c does (`__list_add_valid`, `__list_del_entry_valid`; and refuse an
    /// operation on a node with itself, [`ListError::SameNode`]), and return a [`ListError`]
    /// without touching the list when an invariant is broken: every operation is all or
    /// nothing, validating before its first write or undoing its writes when a later step is
    /// refused. Traversals are not validated (the kernel's `list_for_each` trusts the links, so
    /// a cycle that misses the head still loops).
    DebugList,
    /// [`CheckMode::DebugList`], and beyond the kernel: traversals also check `next.prev ==
    /// cur` at every step, so a corrupted list is reported where a walk meets it.
    Checked,
}

impl CheckMode {
    /// Whether operations validate their neighbours first (`DebugList` and `Checked`).
    pub const fn validates_operations(self) -> bool {
        matches!(self, CheckMode::DebugList | CheckMode::Checked)
    }

    /// Whether traversals check `next.prev == cur` at every step (`Checked` only: beyond what
    /// `CONFIG_DEBUG_LIST` does).
    pub const fn validates_walks(self) -> bool {
        matches!(self, CheckMode::Checked)
    }

    /// The mode a [`ListHead::new`] gets: `Checked` in builds with debug assertions (the
    /// kernel's `CONFIG_DEBUG_LIST` checks and walk validation), `Raw` otherwise.
    pub const fn build_default() -> CheckMode {
        if cfg!(debug_assertions) {
            CheckMode::Checked
        } else {
            CheckMode::Raw
        }
    }
}

impl Default for CheckMode {
    fn default() -> Self {
        CheckMode::build_default()
    }
}
