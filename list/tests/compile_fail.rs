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

/// One trybuild run for the crate: each `TestCases` is a cargo build of its own, so the cases
/// are globbed into one (a failure still names the case and shows its expected and actual
/// errors). The globs: a spin guard of a cell cannot be shared between threads (finding 01), a
/// defective lock needs `unsafe` (02), no other crate can implement the platform traits (04),
/// and the RCU list's rules (`rcu_NN_*` fail, `rcu_pass_*` compiles and runs).
#[test]
fn safe_code_that_would_cause_undefined_behaviour_does_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/finding_01_*.rs");
    cases.compile_fail("tests/ui/finding_02_*.rs");
    cases.compile_fail("tests/ui/finding_04_*.rs");
    cases.compile_fail("tests/ui/rcu_[0-9]*.rs");
    cases.pass("tests/ui/rcu_pass_*.rs");
}
