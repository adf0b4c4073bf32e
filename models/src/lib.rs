//! Scenarios of object lifecycles on intrusive lists and slab caches, and the harness that runs
//! each of them on loom, shuttle and real threads and turns what happened into a finding a
//! person can read.
//!
//! ```no_run
//! use lifecycle_models::{run, Bounds, Engine, Scenario, ScenarioConfig};
//! let verdict = run(Scenario::SocketBuggy, Engine::Loom, &ScenarioConfig::default(), &Bounds::quick());
//! if let Some(finding) = verdict.finding() {
//!     println!("{}", finding.diagnosis);
//! }
//! ```

mod diagnosis;
mod engine;
mod finding;
pub mod report;
mod scenario;
mod signal;
mod threads;
mod trace;
mod watchdog;
mod world;

pub use diagnosis::{blocked_threads, diagnose, root_cause};
pub use engine::{replay, replays_as, run, run_with_progress, Bounds, Engine};
pub use finding::{Finding, FindingKind, Replay, RootCause, Verdict};
pub use scenario::{Expected, Scenario, ScenarioConfig};
pub use signal::Signal;
pub use threads::{panic_message, Threads};
pub use trace::{Event, ListPicture, NodeLinks, Trace, What};
pub use world::{Chain, Checks, Socket, Stop, World};
