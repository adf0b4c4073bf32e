//! `Actions`: what a Rust actor can do (the same steps a file's actor takes, by their text, plus
//! what a program needs to decide: how many objects a local holds, an object's data). The
//! interpreter implements it on every platform.

use crate::outcome::Stop;

/// One actor's view of the world, for a Rust closure acting as an actor
/// ([`ScenarioBuilder::rust_actor`](super::ScenarioBuilder::rust_actor)).
pub trait Actions {
    /// The actor's name.
    fn name(&self) -> &str;

    /// Runs one step written as in a file (`"lock"`, `"list_add s registry"`,
    /// `"walk registry keep k"`). A malformed step, or one on an unbound local, is an
    /// `assertion` stop naming the problem.
    ///
    /// # Errors
    /// The stop the step found (a finding), which the closure should return as it is.
    fn step(&mut self, step: &str) -> Result<(), Stop>;

    /// How many objects local `local` holds (0 for a lookup that found nothing or an unbound
    /// local).
    fn count(&self, local: &str) -> usize;

    /// The data of the first object local `local` holds (checked like a `read` step), or
    /// `None` if it holds none.
    ///
    /// # Errors
    /// As the `read` step.
    fn data(&mut self, local: &str) -> Result<Option<u32>, Stop>;
}
