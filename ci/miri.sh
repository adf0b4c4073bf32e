#!/usr/bin/env bash
# Miri gate for the unsafe code: the std tests of list and slab under Miri's three checks,
#   stacked borrows      Stacked Borrows (Miri's default aliasing model)
#   tree borrows         Tree Borrows (-Zmiri-tree-borrows)
#   strict provenance    Stacked Borrows with -Zmiri-strict-provenance (no integer-to-pointer cast)
# each with Miri's data-race detector and weak-memory emulation on. In every mode the tests on
# real threads (the spinlock, the slab's stress test, the safe API's two threads and the
# catalogue's racy shapes, list/tests/races_on_real_threads.rs) then run under MIRI_SEEDS more
# seeds (-Zmiri-seed, one run per seed): each seed is another schedule and other weak-memory
# outcomes. The output ends with each mode's test count and time.
#
# The safe RCU layer's std tests (list/tests/rcu_safe_std.rs, rcu_collector_drop_order.rs,
# rcu_probes.rs, rcu_reentrant_deadlock.rs) run in the tree borrows mode only, seeds included:
# crossbeam-epoch 0.9, which the layer is built on, breaks Stacked Borrows in its own code
# (`Local::element_of`; crossbeam's CI runs it under Tree Borrows) and keeps its pointers in an
# AtomicUsize, which strict provenance refuses. Under Tree
# Borrows those pointers carry wildcard provenance: Miri still checks the nodes' lifetimes and
# data races (a `Retired` that frees at once is reported), less precisely their aliasing.
#
# crossbeam-epoch 0.9.21 is not clean under Tree Borrows either: crossbeam-rs/crossbeam#545
# (open) frees a registration (`Local`) inside its own `finalize` when its last handle or guard is
# dropped after every other `Collector` of the collector, which Miri reports as undefined
# behaviour in both aliasing models. These tests pass because none reaches that order: the
# list's API keeps safe code from it (`RcuList::with_collector` is `unsafe`, with that order in
# its contract; `RcuList::register`'s handles keep a `Collector` of their own), every test that
# uses crossbeam's own handles says in a `// SAFETY:` comment why its order is sound, and
# rcu_collector_drop_order.rs takes the orders that were undefined behaviour through `register`.
# A test that drops a list's collector before its last handle fails here, in crossbeam's code.
#
# Iteration counts are sized for Miri, where an operation costs about a thousand times its
# native time, and each is overridable. cargo-miri runs a test with the environment it was built
# with, and isolation hides the host's, so the counts reach the tests through -Zmiri-env-set.
#
# Costs measured on the 2-core machine with another build running beside it (defaults below;
# two runs from a fresh target directory): Miri's standard library about 60 s (once per
# toolchain, then cached), the test binaries 46-50 s, stacked borrows 71-81 s + 19-21 s for the
# seeds, tree borrows 87-132 s + 22-30 s, strict provenance 20-27 s + 19-25 s (no property
# tests, see below): 4 min 44 s to 6 min 7 s in all, a minute more on a machine that has never
# built Miri's standard library. The property tests are most of it: one case of list_proptest
# costs about 40 s of Miri, one of slab_proptest about 15 s.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLCHAIN="${MIRI_TOOLCHAIN:-nightly}"
PROPTEST_CASES="${PROPTEST_CASES:-1}"
SLAB_STRESS_PAIRS="${SLAB_STRESS_PAIRS:-200}"
SPINLOCK_ITERATIONS="${SPINLOCK_ITERATIONS:-50}"
SAFE_API_ROUNDS="${SAFE_API_ROUNDS:-20}"
STD_RACE_ROUNDS="${STD_RACE_ROUNDS:-20}"
RCU_SAFE_ROUNDS="${RCU_SAFE_ROUNDS:-100}"
MIRI_SEEDS="${MIRI_SEEDS:-3}"

if ! cargo "+$TOOLCHAIN" miri --version >/dev/null 2>&1 ||
    ! rustup component list --toolchain "$TOOLCHAIN" --installed 2>/dev/null | grep -qx 'rust-src'; then
    echo "miri gate: Miri or rust-src is missing from the $TOOLCHAIN toolchain; installing them"
    if ! rustup component add --toolchain "$TOOLCHAIN" miri rust-src; then
        echo "miri gate: cannot run: 'rustup component add --toolchain $TOOLCHAIN miri rust-src'" \
            "failed (its error is above). Miri needs a nightly toolchain with the miri and" \
            "rust-src components: install the toolchain ('rustup toolchain install $TOOLCHAIN')" \
            "or pick one that has Miri with MIRI_TOOLCHAIN." >&2
        exit 1
    fi
fi
counts=(
    -Zmiri-env-set=PROPTEST_CASES="$PROPTEST_CASES"
    # Isolation forbids the file access proptest makes to keep failing cases.
    -Zmiri-env-set=PROPTEST_DISABLE_FAILURE_PERSISTENCE=true
    -Zmiri-env-set=SLAB_STRESS_PAIRS="$SLAB_STRESS_PAIRS"
    -Zmiri-env-set=SPINLOCK_ITERATIONS="$SPINLOCK_ITERATIONS"
    -Zmiri-env-set=SAFE_API_ROUNDS="$SAFE_API_ROUNDS"
    -Zmiri-env-set=STD_RACE_ROUNDS="$STD_RACE_ROUNDS"
    -Zmiri-env-set=RCU_SAFE_ROUNDS="$RCU_SAFE_ROUNDS"
)
# The std tests (the loom and shuttle ones need their platforms, and trybuild runs rustc).
list_tests=(--test list_ops --test hlist_nulls --test spinlock_std --test soundness
    --test races_on_real_threads --test restore)
slab_tests=(--lib --test slab_ops --test std_stress --test soundness --test safe_api)
# The safe RCU layer's, in the tree borrows mode only (see above); all of them, seeds included.
tree_borrows_list=(--test rcu_safe_std --test rcu_collector_drop_order --test rcu_probes
    --test rcu_reentrant_deadlock)
# The property tests, in the two aliasing models only: one case costs half a minute of Miri.
# Strict provenance refuses integer-to-pointer casts wherever they run, whatever the order of
# operations, and every operation the properties combine also runs in list_ops, soundness and
# slab_ops, which strict provenance does run.
list_properties=(--test list_proptest)
slab_properties=(--test slab_proptest)
# The tests on real threads, run again under more seeds: every test of these list targets, and
# the slab's two-thread tests (std_stress's and safe_api's, both named two_threads_*).
threaded_list=(--test spinlock_std --test races_on_real_threads)
threaded_slab=(--test std_stress --test safe_api -- two_threads)

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Runs `cargo miri test` with MIRIFLAGS="$1" and the rest as its arguments, printing its output
# and adding the tests it passed to `passed`.
passed=0
miri_test() {
    local flags=$1
    shift
    MIRIFLAGS="$flags ${counts[*]}" cargo "+$TOOLCHAIN" miri test --no-default-features "$@" \
        2>&1 | tee "$log"
    passed=$((passed + $(awk '/^test result: ok\./ { n += $4 } END { print n + 0 }' "$log")))
}

SECONDS=0
cargo "+$TOOLCHAIN" miri setup
summary=("Miri's standard library (built once per toolchain, then cached): ${SECONDS}s")
SECONDS=0
cargo "+$TOOLCHAIN" miri test --no-default-features --no-run -p lifecycle-list \
    "${list_tests[@]}" "${list_properties[@]}" "${tree_borrows_list[@]}"
cargo "+$TOOLCHAIN" miri test --no-default-features --no-run -p lifecycle-slab \
    "${slab_tests[@]}" "${slab_properties[@]}"
summary+=("the test binaries: ${SECONDS}s")

for mode in "stacked borrows" "tree borrows" "strict provenance"; do
    properties=yes
    extra_list=()
    case $mode in
        "stacked borrows") flags="" ;;
        "tree borrows") flags="-Zmiri-tree-borrows" extra_list=("${tree_borrows_list[@]}") ;;
        "strict provenance") flags="-Zmiri-strict-provenance" properties=no ;;
    esac
    echo "miri gate: $mode${flags:+ ($flags)}"
    SECONDS=0
    passed=0
    if [ "$properties" = yes ]; then
        miri_test "$flags" -p lifecycle-list "${list_tests[@]}" "${list_properties[@]}" \
            "${extra_list[@]}"
        miri_test "$flags" -p lifecycle-slab "${slab_tests[@]}" "${slab_properties[@]}"
    else
        miri_test "$flags" -p lifecycle-list "${list_tests[@]}"
        miri_test "$flags" -p lifecycle-slab "${slab_tests[@]}"
    fi
    once=$passed
    once_seconds=$SECONDS
    passed=0
    SECONDS=0
    for seed in $(seq 1 "$MIRI_SEEDS"); do
        echo "miri gate: $mode, seed $seed"
        miri_test "$flags -Zmiri-seed=$seed" -p lifecycle-list "${threaded_list[@]}" \
            "${extra_list[@]}"
        miri_test "$flags -Zmiri-seed=$seed" -p lifecycle-slab "${threaded_slab[@]}"
    done
    line="$mode: $once tests in ${once_seconds}s, then $passed runs of the threaded tests under $MIRI_SEEDS more seeds in ${SECONDS}s"
    echo "miri gate: $line"
    summary+=("$line")
done
echo "miri gate: no undefined behaviour found"
printf '  %s\n' "${summary[@]}"
