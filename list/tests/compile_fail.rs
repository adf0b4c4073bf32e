//! Compile-time regression tests of issue #9 (no undefined behaviour reachable from safe code):
//! each case under `tests/ui/` is safe code that compiled before the fix and would have caused
//! undefined behaviour; it must now be rejected, with the error stored beside it (`.stderr`).
//! Regenerate the stored errors with `TRYBUILD=overwrite cargo test --test compile_fail` after a
//! compiler upgrade, and read them before committing.

#[test]
fn finding_01_a_spin_guard_of_a_cell_cannot_be_shared_between_threads() {
    trybuild::TestCases::new().compile_fail("tests/ui/finding_01_*.rs");
}

#[test]
fn finding_02_a_defective_lock_needs_unsafe() {
    trybuild::TestCases::new().compile_fail("tests/ui/finding_02_*.rs");
}

#[test]
fn finding_04_no_other_crate_can_implement_the_platform_traits() {
    trybuild::TestCases::new().compile_fail("tests/ui/finding_04_*.rs");
}
