#!/usr/bin/env bash
# The README's first command as a gate: every scenario on every engine at quick bounds; the
# program exits non-zero if any verdict differs from the expected one.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo run --release -- --report target/lifecycle-report
