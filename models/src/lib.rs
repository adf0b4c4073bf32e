//! Lifecycle scenarios on intrusive lists and slab caches, written as files anyone can write,
//! and the harness that runs each of them on loom, shuttle, real threads and a state graph and
//! turns what happened into a finding a person can read.
//!
//! The rooms, bottom to top; a room uses only rooms below it (`ci/lint.sh` checks the `use`
//! lines):
//! 1. `outcome`: the vocabulary (finding kinds, stops, engine identities, trace events,
//!    failures, findings, verdicts); it uses nothing else in this crate.
//! 2. `language`: scenario files parsed and validated into a [`Scenario`].
//! 3. `plan`: a scenario resolved with its run configuration into a [`Plan`].
//! 4. `interpreter`: a plan's actors run over a world on one platform.
//! 5. `engine`: one file per engine, each returning a structured failure, never a diagnosis.
//! 6. `diagnosis` (a failure and its trace become a [`Finding`]; it never uses `engine`) and
//!    `lint` (the protocol's rules read off a scenario without running it).
//! 7. `check` (engine, then diagnosis: [`run`], [`check`]), `report` (text, HTML, SVG, JSON)
//!    and `explorer` (stateright's Explorer over the state graph).
//!
//! ```no_run
//! use lifecycle_models::{check, Engine, FindingKind, Scenario};
//! let scenario = Scenario::named("socket-lifecycle/buggy").expect("in the catalogue");
//! check(&scenario).engine(Engine::Loom).expect(FindingKind::LoopingReader);
//! let fixed = Scenario::load("models/scenarios/socket-lifecycle/fixed.toml").unwrap();
//! check(&fixed).engine(Engine::Loom).expect_pass();
//! ```

mod check;
mod diagnosis;
mod engine;
mod explorer;
mod interpreter;
mod language;
mod lint;
mod outcome;
mod plan;
mod report;
#[cfg(test)]
mod test_util;

pub use check::{check, refusal, replay, replays_as, run, run_with_progress, Check};
pub use engine::eprintln_unsilenced;
pub use explorer::serve_explorer;
pub use interpreter::{panic_message, Threads};
pub use language::{
    Actions, ActorSpec, Atom, Checks, Condition, Expectations, Expected, ListSpec, Located,
    LockSpec, Rule, RustActor, Scenario, ScenarioBuilder, ScenarioError, Sometimes, Source, Step,
    WorldSpec, COPIES, MAX_LISTS, OBJECTS,
};
pub use lint::{lint, to_sarif, LintReport, Note, Violation};
pub use outcome::{
    Engine, Event, Finding, FindingKind, LinkedFree, ListPicture, NodeLinks, Reach, Replay,
    RootCause, Stop, Verdict, What,
};
pub use plan::{Bounds, Plan, PlanError, Settings};
pub use report::{
    describe_event, finding_html, findings, notes, picture_svg, picture_text, pictures, table,
    write_report, RunRecord, SavedReplay,
};
