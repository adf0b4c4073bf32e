//! The safe API's fixed lifecycle (issue #13) under shuttle's PCT and random schedulers, with
//! two readers; the model is in `safe_lifecycle/mod.rs`. shuttle tests rather than proves, so
//! the counts of the states the model is about are printed, not required.

mod safe_lifecycle;

use lifecycle_list::Shuttle;
use safe_lifecycle::{checked, lifecycle, Coverage};
use std::sync::Arc;
use std::time::Instant;

#[test]
fn the_safe_fixed_lifecycle_passes_shuttle_pct_and_random() {
    type Run = Arc<dyn Fn(&'static Coverage)>;
    let runs: [(&str, Run); 2] = [
        (
            "shuttle-pct",
            Arc::new(|c| shuttle::check_pct(move || lifecycle::<Shuttle>(c, 2), 2_000, 3)),
        ),
        (
            "shuttle-random",
            Arc::new(|c| shuttle::check_random(move || lifecycle::<Shuttle>(c, 2), 2_000)),
        ),
    ];
    for (name, run) in runs {
        let coverage: &'static Coverage = Box::leak(Box::default());
        let start = Instant::now();
        checked(name, || run(coverage));
        let name = format!("safe lifecycle, 2 readers, on {name}");
        assert_eq!(coverage.report(&name, start.elapsed(), false), 2_000);
    }
}
