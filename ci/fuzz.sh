#!/usr/bin/env bash
# The protocol's rules over generated lifecycles, more cases than `cargo test`'s quick profile
# and loom at each case's own bound (1 or 2, where the quick profile stays at 1): sufficiency and
# necessity (tests/tests/fuzz.rs) in release, each printing its per-rule
# statistics. The seed is fixed so the gate is repeatable; a failing case is shrunk and kept under
# tests/scenarios/found/ (commit it: tests/found.rs replays it from then on). Each property
# shares its cases among one process per core (`FUZZ_JOBS`), the two properties one after the
# other, so each one's rate is measured on the whole machine.
set -euo pipefail
cd "$(dirname "$0")/.."

export PROPTEST_CASES="${PROPTEST_CASES:-300}"
export FUZZ_SEED="${FUZZ_SEED:-20261125}"
export FUZZ_MAX_PREEMPTION_BOUND="${FUZZ_MAX_PREEMPTION_BOUND:-2}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/loom}"
export RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}"
cargo test --release -p lifecycle-tests --test fuzz --test found -- --nocapture --test-threads 1
