#!/usr/bin/env bash
# The README's first command as a gate: every scenario on every engine at quick bounds; the
# program exits non-zero if any verdict differs from the expected one.
#
# It reuses ci/loom.sh's release build (same target directory, same `--cfg loom`) instead of
# compiling the workspace a third time: no library or binary code reads `cfg(loom)` (only test
# targets choose deeper bounds with it), so this is the program `cargo run --release` builds.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/loom}"
export RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}"
cargo run --release -- --report target/lifecycle-report

# A state graph too big for any budget ends `incomplete` (exit code 1), never killed for memory
# (issue 23): fifty distinct readers at the default budget.
out=$(cargo run --release -- tests/scenarios/budget/fifty-readers.toml -e states --no-report) && {
    echo "ci/catalogue.sh: fifty-readers on states exited 0; an incomplete run must exit 1" >&2
    exit 1
}
echo "$out" | grep -q "budget/fifty-readers *states *incomplete" || {
    echo "ci/catalogue.sh: fifty-readers on states did not end incomplete:" >&2
    echo "$out" >&2
    exit 1
}
echo "$out" | grep "incomplete:"
