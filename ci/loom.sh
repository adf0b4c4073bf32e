#!/usr/bin/env bash
# The exhaustive gate: `--cfg loom` selects the deep bounds (preemption bound 3 unless told
# otherwise). Release build with debug assertions on (see the workspace's release profile), in a
# target directory of its own so the plain build is not rebuilt after it.
set -euo pipefail
cd "$(dirname "$0")/.."

export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/loom}"
RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}" cargo test --workspace --release
