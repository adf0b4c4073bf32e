#!/usr/bin/env bash
# The exhaustive gate: `--cfg loom` selects the deep bounds (preemption bound 3 unless told
# otherwise). Release build with debug assertions on (see the workspace's release profile), in a
# target directory of its own so the plain build is not rebuilt after it. Only the test targets
# whose bounds `--cfg loom` changes run here (the loom models of the spinlock, the list, the
# hlist_nulls lookup and the slab, the safe API's fixed lifecycle, the safe RCU layer's, and the
# exhaustive proofs of the fixed protocol); everything else already ran in ci/test.sh.
# `RUSTFLAGS="--cfg loom" cargo test --release` runs them all but the RCU layer's (below).
#
# The safe RCU layer's model (list/tests/loom_rcu_safe.rs) needs crossbeam-epoch on loom's
# atomics too, which `--cfg crossbeam_loom` selects for the whole build: it also turns
# crossbeam-utils' Backoff into loom's spin_loop (the std spinlock then panics outside a model)
# and removes crossbeam_utils::thread, which stateright (under lifecycle-models, and so under
# lifecycle-tests) needs to compile. So that model gets an invocation and a target directory of
# its own (`<target>-crossbeam`). Measured on the 2-core machine with another build beside it:
# 1 min 40 s to build from clean (CARGO_BUILD_JOBS=1), about 60 s to run at bound 3 (its three
# models, 258,811, 354,723 and 263,732 executions; the third, two writers, from the review).
#
# Each test runs in a process of its own (cargo-nextest), not as a thread beside others: loom
# maps and unmaps a stack for every thread of every execution, and two loom models in one
# process stall each other on the TLB flushes that follow. Measured on models/tests/proof.rs's
# two loom proofs: 228 s side by side in one process (206 s of it system time), 154 s one after
# the other, 94 s as two processes. Without cargo-nextest the tests run one at a time.
set -euo pipefail
cd "$(dirname "$0")/.."

# `run_tests ARGS...`: `cargo test ARGS...`, each test in a process of its own where
# cargo-nextest is installed.
run_tests() {
  if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run "$@"
  else
    cargo test "$@" -- --test-threads 1
  fi
}

export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/loom}"
export RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}"
# One invocation: cargo unifies features over the packages it builds at once, so separate
# invocations per package built lifecycle-list (and its dependents) once per feature set.
run_tests --release -p lifecycle-list -p lifecycle-slab -p lifecycle-tests -p lifecycle-models \
    --test loom_spinlock --test loom_list --test loom_rcu --test loom_rcu_list --test loom_hlist_nulls \
    --test loom_slab --test loom_safe_api --test proof
CARGO_TARGET_DIR="$CARGO_TARGET_DIR-crossbeam" RUSTFLAGS="$RUSTFLAGS --cfg crossbeam_loom" \
    run_tests --release -p lifecycle-list --test loom_rcu_safe
