//! `RcuWords`: an [`Rcu`](crate::Rcu) model's words as [`Rcu::save`](crate::Rcu::save) read
//! them, for [`Rcu::restore`](crate::Rcu::restore): how a state-graph checker puts the model
//! back where a state it saved had it (every thread's section word, the callback counters)
//! instead of replaying the sections and grace periods that led there.

/// The words of one [`Rcu`](crate::Rcu), as saved.
///
/// # Invariants
/// Read from the model whose id is `rcu`, with no callback queued (a callback is the caller's
/// value, which the words cannot carry) and no grace period being waited for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RcuWords {
    pub(crate) rcu: usize,
    pub(crate) sections: Vec<usize>,
    /// The slots registered then (resumed by `Rcu::register_resumed`).
    pub(crate) registered: usize,
    pub(crate) queued: usize,
    pub(crate) completed: usize,
    pub(crate) work: usize,
    pub(crate) stopping: usize,
}
