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
