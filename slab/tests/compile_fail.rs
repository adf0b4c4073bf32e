//! Compile-time regression tests of issue #9 (no undefined behaviour reachable from safe code):
//! each case under `tests/ui/` is safe code that compiled before the fix and would have caused
//! undefined behaviour; it must now be rejected, with the error stored beside it (`.stderr`).
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
