//! Cross-crate integration tests (in `tests/tests/`) and the regression proofs they replay.
