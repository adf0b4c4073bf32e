//! `ListError`: what the checked list operations and the bounded traversals report, worded like
//! Linux's lib/list_debug.c so a kernel engineer recognises each message.

use std::fmt;

/// Linux's `LIST_POISON1`: what [`ListHead::del`](crate::ListHead::del) leaves in `next`.
pub const LIST_POISON1: usize = 0x100;
/// Linux's `LIST_POISON2`: what [`ListHead::del`](crate::ListHead::del) leaves in `prev`.
pub const LIST_POISON2: usize = 0x122;

/// Which link of a node a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Link {
    /// The `next` pointer.
    Next,
    /// The `prev` pointer.
    Prev,
}

impl Link {
    fn name(self) -> &'static str {
        match self {
            Link::Next => "next",
            Link::Prev => "prev",
        }
    }
}

/// A broken list invariant, found before it could corrupt anything. Every node is named by its
/// address; [`ListError::nodes`] lists them so a caller can translate addresses into names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListError {
    /// `list_add` of a node that is already the neighbour it would be added next to
    /// (`new == prev || new == next`): the add would make the node point to itself.
    DoubleAdd {
        /// The node being added.
        new: usize,
        /// The node it would follow.
        prev: usize,
        /// The node it would precede.
        next: usize,
    },
    /// `list_add` between two nodes that do not point at each other.
    AddCorruption {
        /// Which link was wrong: `Prev` means `next->prev != prev`, `Next` means
        /// `prev->next != next`.
        link: Link,
        /// The value the link should hold.
        expected: usize,
        /// The value it held.
        actual: usize,
        /// The node whose link was read.
        node: usize,
    },
    /// `list_add` next to a null neighbour (an uninitialized head).
    AddNull {
        /// Which neighbour was null.
        link: Link,
        /// The node being added.
        new: usize,
    },
    /// `list_del` of an entry with a null link: it was never added or initialized.
    DelNull {
        /// The entry.
        entry: usize,
        /// Which of its links is null.
        link: Link,
    },
    /// `list_del` of an entry whose link is poisoned: it was already deleted.
    DelPoisoned {
        /// The entry.
        entry: usize,
        /// Which of its links holds the poison.
        link: Link,
    },
    /// `list_del` of an entry whose neighbour does not point back at it.
    DelCorruption {
        /// The entry.
        entry: usize,
        /// `Next` means `prev->next != entry`, `Prev` means `next->prev != entry`.
        link: Link,
        /// What the neighbour's link held instead of the entry.
        actual: usize,
        /// The neighbour whose link was read.
        neighbour: usize,
    },
    /// A traversal stepped onto a link that is null or poisoned.
    BadLink {
        /// The node whose link was followed.
        node: usize,
        /// The link followed.
        link: Link,
        /// The value it held.
        value: usize,
    },
    /// A traversal found `cur->next->prev != cur` (checked mode only).
    Corruption {
        /// The node stepped from.
        node: usize,
        /// The node stepped to.
        next: usize,
        /// What `next->prev` held instead of `node`.
        actual: usize,
    },
    /// A traversal made more steps than there can be nodes without returning to the head: it is
    /// in a cycle that does not contain the head and would never end.
    Cycle {
        /// The head the traversal started from.
        head: usize,
        /// The bound on the number of nodes that was exceeded.
        max_nodes: usize,
        /// The nodes of the cycle, in traversal order, starting where the walk entered it.
        cycle: Vec<usize>,
    },
    /// A traversal exceeded its bound without repeating a node: the bound given was smaller than
    /// the number of nodes really on the list.
    BoundTooSmall {
        /// The head the traversal started from.
        head: usize,
        /// The bound that was given.
        max_nodes: usize,
    },
    /// An operation on two nodes was given the same node twice (`list_swap(a, a)`,
    /// `list_replace_init(a, a)`, a list spliced or cut into itself): the kernel would leave a
    /// node pointing at itself or a list pointing at a node that no longer points back.
    SameNode {
        /// The node given twice.
        node: usize,
        /// The operation, as list.h names it.
        operation: &'static str,
    },
    /// `hlist_nulls_add_head[_rcu]` of a node that is still hashed: its `pprev` points at a
    /// link (checked mode; the kernel has no such check). Adding it again would unlink it from
    /// its chain without telling its neighbours; if it is the chain's first node, it would point
    /// to itself.
    NullsDoubleAdd {
        /// The operation, as list_nulls.h / rculist_nulls.h names it.
        operation: &'static str,
        /// The node being added.
        new: usize,
        /// Its `pprev`: the address of the link that points at it.
        pprev: usize,
    },
    /// A node's `pprev` does not point at the link that points at it: on an add (the chain's
    /// first node against `&head->first`), a delete (the successor against `&entry->next`) or a
    /// checked plain walk. A `pprev` is the address of a `first` or `next` link, which is the
    /// address of its head or node (the link is their first field).
    NullsBackLink {
        /// The operation, as list_nulls.h / rculist_nulls.h names it.
        operation: &'static str,
        /// The node whose `pprev` was read.
        node: usize,
        /// The link it should point at.
        expected: usize,
        /// What it held.
        actual: usize,
    },
    /// `hlist_nulls_del*` of an entry that the link its `pprev` points at does not point at.
    NullsDelCorruption {
        /// The operation, as list_nulls.h / rculist_nulls.h names it.
        operation: &'static str,
        /// The entry.
        entry: usize,
        /// Its `pprev`.
        pprev: usize,
        /// What `*pprev` held instead of the entry.
        actual: usize,
    },
    /// `hlist_nulls_del*` of an entry that is not hashed: its `pprev` is NULL (never added, or
    /// removed by `hlist_nulls_del_init_rcu`) or `LIST_POISON2` (already deleted). The kernel
    /// would write through it and fault, so both modes refuse it.
    NullsDelUnhashed {
        /// The operation, as list_nulls.h / rculist_nulls.h names it.
        operation: &'static str,
        /// The entry.
        entry: usize,
        /// Its `pprev`: 0 or [`LIST_POISON2`].
        pprev: usize,
    },
    /// An `hlist_nulls` walk made more steps than there can be nodes without reaching a nulls
    /// marker: it is in a cycle and would never end.
    NullsCycle {
        /// The head the walk started from.
        head: usize,
        /// The bound on the number of nodes that was exceeded.
        max_nodes: usize,
        /// The nodes of the cycle, in walk order, starting where the walk entered it.
        cycle: Vec<usize>,
    },
}

impl ListError {
    /// Every node address the error names, in the order its message names them.
    pub fn nodes(&self) -> Vec<usize> {
        match self {
            ListError::DoubleAdd { new, prev, next } => vec![*new, *prev, *next],
            ListError::AddCorruption {
                expected,
                actual,
                node,
                ..
            } => vec![*expected, *actual, *node],
            ListError::AddNull { new, .. } => vec![*new],
            ListError::DelNull { entry, .. } | ListError::DelPoisoned { entry, .. } => {
                vec![*entry]
            }
            ListError::DelCorruption {
                entry,
                actual,
                neighbour,
                ..
            } => vec![*entry, *actual, *neighbour],
            ListError::BadLink { node, .. } => vec![*node],
            ListError::Corruption { node, next, actual } => vec![*node, *next, *actual],
            ListError::Cycle { head, cycle, .. } | ListError::NullsCycle { head, cycle, .. } => {
                let mut nodes = vec![*head];
                nodes.extend(cycle);
                nodes
            }
            ListError::BoundTooSmall { head, .. } => vec![*head],
            ListError::SameNode { node, .. } => vec![*node],
            ListError::NullsDoubleAdd { new, pprev, .. } => vec![*new, *pprev],
            ListError::NullsBackLink {
                node,
                expected,
                actual,
                ..
            } => vec![*node, *expected, *actual],
            ListError::NullsDelCorruption {
                entry,
                pprev,
                actual,
                ..
            } => vec![*entry, *actual, *pprev],
            ListError::NullsDelUnhashed { entry, .. } => vec![*entry],
        }
    }

    /// Formats the message with every node address replaced by `name(address)`, so a model can
    /// say `slot#0` where the plain message says `0x55d0c0a01230`.
    pub fn describe(&self, name: &dyn Fn(usize) -> String) -> String {
        let mut out = String::new();
        self.write(&mut out, name)
            .expect("writing to a String cannot fail");
        out
    }

    fn write(&self, f: &mut dyn fmt::Write, name: &dyn Fn(usize) -> String) -> fmt::Result {
        match self {
            ListError::DoubleAdd { new, prev, next } => write!(
                f,
                "list_add double add: new={}, prev={}, next={}.",
                name(*new),
                name(*prev),
                name(*next)
            ),
            ListError::AddCorruption {
                link: Link::Prev,
                expected,
                actual,
                node,
            } => write!(
                f,
                "list_add corruption. next->prev should be prev ({}), but was {}. (next={}).",
                name(*expected),
                name(*actual),
                name(*node)
            ),
            ListError::AddCorruption {
                link: Link::Next,
                expected,
                actual,
                node,
            } => write!(
                f,
                "list_add corruption. prev->next should be next ({}), but was {}. (prev={}).",
                name(*expected),
                name(*actual),
                name(*node)
            ),
            ListError::AddNull { link, new } => write!(
                f,
                "list_add corruption. {} is NULL (adding {}; is the head initialized?).",
                link.name(),
                name(*new)
            ),
            ListError::DelNull { entry, link } => write!(
                f,
                "list_del corruption, {}->{} is NULL (was it ever added?)",
                name(*entry),
                link.name()
            ),
            ListError::DelPoisoned { entry, link } => {
                let (poison, label) = match link {
                    Link::Next => (LIST_POISON1, "LIST_POISON1"),
                    Link::Prev => (LIST_POISON2, "LIST_POISON2"),
                };
                write!(
                    f,
                    "list_del corruption, {}->{} is {label} ({poison:#x}) (already deleted)",
                    name(*entry),
                    link.name()
                )
            }
            ListError::DelCorruption {
                entry,
                link,
                actual,
                neighbour,
            } => {
                let (path, neighbour_name) = match link {
                    Link::Next => ("prev->next", "prev"),
                    Link::Prev => ("next->prev", "next"),
                };
                write!(
                    f,
                    "list_del corruption. {path} should be {}, but was {}. ({neighbour_name}={})",
                    name(*entry),
                    name(*actual),
                    name(*neighbour)
                )
            }
            ListError::BadLink { node, link, value } => write!(
                f,
                "list traversal corruption. {}->{} is {} ({value:#x}): the node is not on a list",
                name(*node),
                link.name(),
                match *value {
                    0 => "NULL",
                    LIST_POISON1 => "LIST_POISON1",
                    LIST_POISON2 => "LIST_POISON2",
                    _ => "a bad pointer",
                }
            ),
            ListError::Corruption { node, next, actual } => write!(
                f,
                "list traversal corruption. next->prev should be {}, but was {}. (next={})",
                name(*node),
                name(*actual),
                name(*next)
            ),
            ListError::Cycle {
                head,
                max_nodes,
                cycle,
            } => {
                write!(
                    f,
                    "list traversal from {} made {} steps without returning to the head, but no \
                     more than {max_nodes} {} can exist: it is caught in the cycle ",
                    name(*head),
                    max_nodes + 1,
                    if *max_nodes == 1 { "node" } else { "nodes" }
                )?;
                for node in cycle {
                    write!(f, "{} -> ", name(*node))?;
                }
                write!(
                    f,
                    "{}, which does not contain the head, so the walk can never end",
                    name(cycle[0])
                )
            }
            ListError::BoundTooSmall { head, max_nodes } => write!(
                f,
                "list traversal from head {} passed {max_nodes} distinct nodes, more than the \
                 bound says can exist: the bound is wrong",
                name(*head)
            ),
            ListError::SameNode { node, operation } => write!(
                f,
                "{operation}: both arguments are the same node {}; refused without touching the \
                 list",
                name(*node)
            ),
            ListError::NullsDoubleAdd {
                operation,
                new,
                pprev,
            } => write!(
                f,
                "{operation} double add: new={} is still hashed (new->pprev={}).",
                name(*new),
                name(*pprev)
            ),
            ListError::NullsBackLink {
                operation,
                node,
                expected,
                actual,
            } => write!(
                f,
                "{operation} corruption. {}->pprev should be {}, but was {}.",
                name(*node),
                name(*expected),
                name(*actual)
            ),
            ListError::NullsDelCorruption {
                operation,
                entry,
                pprev,
                actual,
            } => write!(
                f,
                "{operation} corruption. *pprev should be {}, but was {}. (pprev={})",
                name(*entry),
                name(*actual),
                name(*pprev)
            ),
            ListError::NullsDelUnhashed {
                operation,
                entry,
                pprev,
            } => {
                write!(f, "{operation} corruption, {}->pprev is ", name(*entry))?;
                if *pprev == LIST_POISON2 {
                    write!(f, "LIST_POISON2 ({LIST_POISON2:#x}) (already deleted)")
                } else {
                    write!(
                        f,
                        "NULL (not hashed: never added, or removed by hlist_nulls_del_init_rcu)"
                    )
                }
            }
            ListError::NullsCycle {
                head,
                max_nodes,
                cycle,
            } => {
                write!(
                    f,
                    "hlist_nulls traversal from {} made {} steps without reaching a nulls marker, \
                     but no more than {max_nodes} {} can exist: it is caught in the cycle ",
                    name(*head),
                    max_nodes + 1,
                    if *max_nodes == 1 { "node" } else { "nodes" }
                )?;
                for node in cycle {
                    write!(f, "{} -> ", name(*node))?;
                }
                write!(f, "{}, so the walk can never end", name(cycle[0]))
            }
        }
    }
}

/// Formats an address the way the kernel's `%px` does.
pub fn hex_address(address: usize) -> String {
    format!("{address:#x}")
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, &hex_address)
    }
}

impl std::error::Error for ListError {}
