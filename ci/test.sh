#!/usr/bin/env bash
# The README's test command: std, loom (quick bounds) and shuttle tests in one build.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace
