//! Cross-crate integration tests (in `tests/tests/`) and the regression proofs they replay, and
//! the fuzzing of the protocol's rules: generated lifecycles ([`generate`], [`mutate`]) run
//! through the rule checker and the engines ([`oracle`]).

pub mod generate;
pub mod mutate;
pub mod oracle;
