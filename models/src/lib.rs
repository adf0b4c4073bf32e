//! Scenarios of object lifecycles on intrusive lists and slab caches, and the harness that runs
//! each of them on loom, shuttle and real threads.

/// One scenario of the catalogue: its name and a line of its story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogueEntry {
    /// The scenario's name, `family/variant`.
    pub name: &'static str,
    /// What it shows, in one line.
    pub story: &'static str,
}

/// The scenarios the suite runs, in the order the main program prints them.
pub const CATALOGUE: &[CatalogueEntry] = &[
    CatalogueEntry {
        name: "socket-lifecycle/buggy",
        story: "a socket freed while still linked is reallocated at the same address and added \
                again: node.next == node, the reader loops forever under the lock",
    },
    CatalogueEntry {
        name: "socket-lifecycle/fixed",
        story: "unlink under the lock before free, refcounted lookups: no loop, no race, no use \
                after free",
    },
    CatalogueEntry {
        name: "socket-lifecycle/debug-list",
        story: "the buggy lifecycle with CONFIG_DEBUG_LIST-style checks: the double add is \
                refused at the add",
    },
    CatalogueEntry {
        name: "freelist/aba",
        story: "the slab's free list without its generation tag: a slot handed out twice",
    },
    CatalogueEntry {
        name: "freelist/tagged",
        story: "the tagged free list: no slot handed out twice",
    },
];
