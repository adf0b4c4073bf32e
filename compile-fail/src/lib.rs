//! Compile-fail tests of `lifecycle-list` and `lifecycle-slab`: safe code that compiled before a
//! fix and would have caused undefined behaviour, or that the safe APIs' types rule out, and
//! must now be rejected with the error stored beside it. The cases are under `tests/ui/list/`
//! and `tests/ui/slab/`, the test in `tests/compile_fail.rs`; this library is empty.
//!
//! They live in a crate of their own so that one trybuild run compiles them all: trybuild
//! builds a project with the package's dependencies and dev-dependencies, and a run from
//! `list/` or `slab/` built loom, shuttle, proptest and criterion for it, once per crate.
