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

#[test]
fn finding_02_the_untagged_free_list_needs_unsafe() {
    trybuild::TestCases::new().compile_fail("tests/ui/finding_02_*.rs");
}

#[test]
fn finding_03_poison_slab_objects_only_through_unsafe_and_slab_never_poisons() {
    trybuild::TestCases::new().compile_fail("tests/ui/finding_03_*.rs");
}

#[test]
fn finding_07_no_other_crate_can_implement_plain_bytes() {
    trybuild::TestCases::new().compile_fail("tests/ui/finding_07_*.rs");
}

#[test]
fn safe_api_rules_out_the_catalogue_bugs_at_compile_time() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/safe_[0-9]*.rs");
    cases.pass("tests/ui/safe_pass_*.rs");
}
