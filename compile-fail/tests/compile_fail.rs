//! Compile-time regression tests (issues #9, #13 and #20): each case under `tests/ui/` is safe
//! code that compiled before a fix and would have caused undefined behaviour, or that the safe
//! APIs' types rule out; it must be rejected, with the error stored beside it (`.stderr`).
//!
//! - `list/finding_01_*`: a spin guard of a cell cannot be shared between threads;
//!   `list/finding_02_*`: a defective lock needs `unsafe`; `list/finding_04_*`: no other crate
//!   can implement the platform traits.
//! - `list/rcu_NN_*`: the RCU mistakes the safe RCU layer (`RcuList`, issue #20 item 8) rules
//!   out: freeing a removed entry without a grace period (two roads), using what a reader found
//!   after its section (or after the list), changing the list without its lock, the
//!   `Send`/`Sync`/`'static` holes deferred destruction would open, and crossbeam-epoch's
//!   crossbeam-rs/crossbeam#545 reached through the list (a list on a collector of its own made
//!   without `unsafe`, a guard outliving its `RcuHandle`); `list/rcu_pass_*` is the whole fixed
//!   lifecycle, which must compile and run.
//! - `slab/finding_02_*`: the untagged free list needs `unsafe`; `slab/finding_03_*`: poisoning
//!   slab objects only through `unsafe`, and the slab never poisons; `slab/finding_07_*`: no
//!   other crate can implement `PlainBytes`.
//! - `slab/safe_NN_*`: one per catalogue bug the safe API's types rule out (double add, free
//!   while linked, add or del without the lock, use after unlock without a reference, double
//!   free, delete during a plain walk) and the misuses that would reopen one (a second token for
//!   one list ID, a write through a shared reference); `slab/safe_pass_*` is the whole fixed
//!   lifecycle, which must compile and run.
//!
//! Regenerate the stored errors with `TRYBUILD=overwrite cargo test -p lifecycle-compile-fail`
//! after a compiler upgrade, and read them before committing.

/// One trybuild run: each `TestCases` is a cargo build of its own, so every glob goes into one
/// (a failure still names its case and shows the expected and the actual errors).
#[test]
fn safe_code_that_would_cause_undefined_behaviour_does_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/list/finding_*.rs");
    cases.compile_fail("tests/ui/list/rcu_[0-9]*.rs");
    cases.pass("tests/ui/list/rcu_pass_*.rs");
    cases.compile_fail("tests/ui/slab/finding_*.rs");
    cases.compile_fail("tests/ui/slab/safe_[0-9]*.rs");
    cases.pass("tests/ui/slab/safe_pass_*.rs");
}
