//! Compile-time regression tests of issue #9 and of the safe API of issue #13 (no undefined behaviour reachable from safe code):
//! each case under `tests/ui/` is safe code that compiled before the fix and would have caused
//! undefined behaviour; it must now be rejected, with the error stored beside it (`.stderr`).
//! The `safe_NN_*` cases are one per catalogue bug that the safe API's types rule out (double
//! add, free while linked, add or del without the lock, use after unlock without a reference,
//! double free, delete during a plain walk) and the misuses that would reopen one (a second
//! token for one list ID, a write through a shared reference); `safe_pass_*` is the whole fixed
//! lifecycle, which must compile and run.
//! Regenerate the stored errors with `TRYBUILD=overwrite cargo test --test compile_fail` after a
//! compiler upgrade, and read them before committing.

/// One trybuild run for the crate: each `TestCases` is a cargo build of its own, so the cases
/// are globbed into one (a failure still names the case and shows its expected and actual
/// errors). The globs: the untagged free list needs `unsafe` (finding 02), poisoning slab
/// objects only through `unsafe` and the slab never poisons (03), no other crate can implement
/// `PlainBytes` (07), and the safe API's rules (`safe_NN_*` fail, `safe_pass_*` compiles and
/// runs).
#[test]
fn safe_code_that_would_cause_undefined_behaviour_does_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/finding_02_*.rs");
    cases.compile_fail("tests/ui/finding_03_*.rs");
    cases.compile_fail("tests/ui/finding_07_*.rs");
    cases.compile_fail("tests/ui/safe_[0-9]*.rs");
    cases.pass("tests/ui/safe_pass_*.rs");
}
