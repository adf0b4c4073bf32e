#!/usr/bin/env bash
# The patched dependencies under third_party/ (not workspace members): their own unit tests,
# the patch's among them (third_party/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_TARGET_DIR=target/third_party cargo test --manifest-path third_party/generator/Cargo.toml --lib
