//! Compile-time regression tests of issue #9 (no undefined behaviour reachable from safe code):
//! each case under `tests/ui/` is safe code that compiled before the fix and would have caused
//! undefined behaviour; it must now be rejected, with the error stored beside it (`.stderr`).
//! The `rcu_NN_*` cases are the RCU mistakes the safe RCU layer (`RcuList`, issue #20 item 8)
//! rules out: freeing a removed entry without a grace period (two roads), using what a reader
//! found after its section (or after the list), changing the list without its lock, the
//! `Send`/`Sync`/`'static` holes deferred destruction would open, and crossbeam-epoch's
//! crossbeam-rs/crossbeam#545 reached through the list (a list on a collector of its own made
//! without `unsafe`, a guard outliving its `RcuHandle`); `rcu_pass_*` is the whole fixed
//! lifecycle, which must compile and run.
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

#[test]
fn rcu_list_rules_out_freeing_without_a_grace_period_and_use_after_the_section() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/rcu_[0-9]*.rs");
    cases.pass("tests/ui/rcu_pass_*.rs");
}
