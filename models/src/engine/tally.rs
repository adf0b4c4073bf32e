//! `Tally`: how many executions of a run reached each `[[sometimes]]` state, summed from the
//! mask each execution returns (shared by the engines that run executions: loom, shuttle, std).

use crate::language::Scenario;
use crate::outcome::Reach;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Per-property execution counts.
///
/// # Invariants
/// `counts[p]` counts executions whose mask had bit `p` set; one count per property of the
/// scenario the tally was made for.
#[derive(Debug)]
pub(crate) struct Tally {
    counts: Vec<AtomicUsize>,
}

impl Tally {
    /// A tally for `scenario`'s properties, every count 0.
    pub(crate) fn new(scenario: &Scenario) -> Self {
        Tally {
            counts: scenario
                .sometimes
                .iter()
                .map(|_| AtomicUsize::new(0))
                .collect(),
        }
    }

    /// Counts one execution that reached the properties in `mask`.
    pub(crate) fn add(&self, mask: u64) {
        for (bit, count) in self.counts.iter().enumerate() {
            if mask & (1 << bit) != 0 {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The counts, named after `scenario`'s properties.
    pub(crate) fn reaches(&self, scenario: &Scenario) -> Vec<Reach> {
        reaches(scenario, |bit| self.counts[bit].load(Ordering::Relaxed))
    }
}

/// `scenario`'s properties, each with `count(bit)`.
pub(crate) fn reaches(scenario: &Scenario, count: impl Fn(usize) -> usize) -> Vec<Reach> {
    scenario
        .sometimes
        .iter()
        .enumerate()
        .map(|(bit, property)| Reach {
            name: property.name.clone(),
            reached: count(bit),
        })
        .collect()
}
