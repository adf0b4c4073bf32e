#!/usr/bin/env bash
# Memory-safety gate for the unsafe code (Miri needs nightly; valgrind's memcheck runs on stable
# binaries): the std tests of list and slab under memcheck, any error fails the gate.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
fi

# Under valgrind threads run one at a time and ~50x slower: scale the stress test down.
export SLAB_STRESS_PAIRS="${SLAB_STRESS_PAIRS:-200000}"
export PROPTEST_CASES="${PROPTEST_CASES:-64}"

tests=(
    "lifecycle-list list_ops"
    "lifecycle-list hlist_nulls"
    "lifecycle-list restore"
    "lifecycle-list list_proptest"
    "lifecycle-list spinlock_std"
    "lifecycle-list soundness"
    "lifecycle-list rcu_safe_std"
    "lifecycle-list rcu_collector_drop_order"
    "lifecycle-slab slab_ops"
    "lifecycle-slab slab_proptest"
    "lifecycle-slab std_stress"
    "lifecycle-slab soundness"
    "lifecycle-slab safe_api"
)
for entry in "${tests[@]}"; do
    read -r package test <<<"$entry"
    binary=$(cargo test -p "$package" --test "$test" --no-run 2>&1 \
        | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -n 1)
    if [ -z "$binary" ]; then
        echo "valgrind gate: could not find the test binary of $package/$test" >&2
        exit 1
    fi
    echo "valgrind: $package/$test"
    valgrind --quiet --error-exitcode=1 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
        "$binary" --test-threads=1 -q
done
echo "valgrind gate: 0 errors"
