//! The vocabulary every other room speaks: finding kinds and stops, the engines' identities,
//! trace events, failures as engines report them, findings and verdicts. It depends on nothing
//! else in this crate.

mod engine;
mod event;
mod failure;
mod finding;
mod kind;
mod verdict;

pub use engine::Engine;
pub use event::{is_head_name, Event, ListPicture, NodeLinks, What};
pub(crate) use event::{lock_holder, locks, waiting_for_lock};
pub use failure::{Cause, Explored, Failure};
pub use finding::{Finding, LinkedFree, Reach, Replay, RootCause};
pub use kind::{FindingKind, Stop};
pub use verdict::Verdict;
