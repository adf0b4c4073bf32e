//! `bound`: the preemption bound of the list crate's loom models (`loom_spinlock.rs`,
//! `loom_hlist_nulls.rs`, `loom_rcu_safe.rs`): a quick one under plain `cargo test`, the deep one
//! of the CI gate under `--cfg loom` (ci/loom.sh).

/// The deep bound under `--cfg loom` (`LOOM_MAX_PREEMPTIONS`, default `deep`), `quick` otherwise.
pub fn bound(quick: usize, deep: usize) -> usize {
    if cfg!(loom) {
        std::env::var("LOOM_MAX_PREEMPTIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(deep)
    } else {
        quick
    }
}
