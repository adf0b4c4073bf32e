#!/usr/bin/env bash
# Formatting, lints (every target, every feature) and documentation, all warnings as errors.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --all-features -- -D warnings
# The libraries without the checker platforms (what a production user builds).
cargo clippy -p lifecycle-list -p lifecycle-slab --no-default-features -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
