//! The safe API's fixed lifecycle (issue #13) under loom: every execution within the bound,
//! C11 weak memory and loom's data-race detection on the slots' cells, so the unsafe code inside
//! `SafeList`, `SafeSlab`, `Token`, `Ref` and `Unique` is what loom verifies. The model and the
//! states its proof must reach are in `safe_lifecycle/mod.rs`.
//!
//! Bounds: quick under plain `cargo test`; `RUSTFLAGS="--cfg loom"` (ci/loom.sh) runs both
//! models at preemption bound 3 (`LOOM_MAX_PREEMPTIONS`).

mod safe_lifecycle;

use lifecycle_list::Loom;
use safe_lifecycle::{checked, lifecycle, Coverage};
use std::time::Instant;

/// The deep bound under `--cfg loom` (`LOOM_MAX_PREEMPTIONS`, default 3), `quick` otherwise.
fn bound(quick: usize) -> usize {
    if cfg!(loom) {
        std::env::var("LOOM_MAX_PREEMPTIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3)
    } else {
        quick
    }
}

/// Runs the lifecycle with `readers` readers under loom at `preemption_bound`; returns the
/// executions explored.
fn loom_lifecycle(readers: usize, preemption_bound: usize) -> usize {
    let coverage: &'static Coverage = Box::leak(Box::default());
    let start = Instant::now();
    checked("loom", || {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(preemption_bound);
        builder.check(move || lifecycle::<Loom>(coverage, readers));
    });
    let name = format!("safe lifecycle, {readers} reader(s), on loom at bound {preemption_bound}");
    coverage.report(&name, start.elapsed(), true)
}

#[test]
fn the_safe_fixed_lifecycle_with_one_reader_passes_loom() {
    assert!(loom_lifecycle(1, bound(2)) > 1);
}

#[test]
fn the_safe_fixed_lifecycle_with_two_readers_passes_loom() {
    assert!(loom_lifecycle(2, bound(1)) > 1);
}
