//! Lifecycle scenarios on intrusive lists and slab caches, written as files anyone can write,
//! and the harness that runs each of them on loom, shuttle and real threads and turns what
//! happened into a finding a person can read.
//!
//! The rooms, top to bottom (arrows point down only): [`report`] and [`diagnosis`] read what
//! [`engine`]s found; engines run the [`interpreter`], which runs a scenario's steps over a
//! [`World`]; the [`language`] parses and validates scenario files.
//!
//! ```no_run
//! use lifecycle_models::{check, Engine, FindingKind, Scenario};
//! let scenario = Scenario::named("socket-lifecycle/buggy").expect("in the catalogue");
//! check(&scenario).engine(Engine::Loom).expect(FindingKind::LoopingReader);
//! let fixed = Scenario::load("models/scenarios/socket-lifecycle/fixed.toml").unwrap();
//! check(&fixed).engine(Engine::Loom).expect_pass();
//! ```

mod check;
pub mod diagnosis;
pub mod engine;
pub mod interpreter;
pub mod language;
pub mod lint;
pub mod report;

pub use check::{check, Check};
pub use diagnosis::finding::{Finding, FindingKind, Reach, Replay, RootCause, Verdict};
pub use diagnosis::{blocked_threads, diagnose, root_cause};
pub use engine::{replay, replays_as, run, run_with_progress, Bounds, Engine, SavedReplay};
pub use interpreter::threads::{panic_message, Threads};
pub use interpreter::trace::{Event, ListPicture, NodeLinks, Trace, What};
pub use interpreter::world::{Object, World};
pub use interpreter::RunConfig;
pub use language::{
    Actions, Expected, Rule, RustActor, Scenario, ScenarioBuilder, ScenarioError, Stop,
};
