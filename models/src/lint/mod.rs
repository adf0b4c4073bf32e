//! The rule checker: reads a scenario's steps, without running them, and reports each rule of
//! the lifecycle protocol (docs/design.md; the table is [`crate::Rule`]) that a step, or the
//! `[world]`, breaks, at the step that breaks it.
//!
//! What it reads, and what it assumes:
//! - Each actor is read on its own, step by step (`actor`), with a few facts about all actors
//!   read first (`sharing`): which lists let other actors keep their entries, which lists hold
//!   their entries' references (someone unlinks entries it did not link), which lists an object
//!   can be on together, and the orders locks nest in.
//! - A local bound by a walk or a reap is treated as another object than the actor's own
//!   locals, even when at run time it is the same one.
//! - Values are not read: `read x == N` asserts a value, which no rule is about.
//! - Slab capacity and leaks are not rules: a world too small for its allocations, or an object
//!   never dropped, is for the engines (the `leak` check) to report.
//! - An actor written in Rust ([`crate::ScenarioBuilder::rust_actor`]) has no steps to read: the
//!   checker says so with a [`Note`] instead of passing it silently.

mod actor;
mod events;
mod local;
mod rcu;
mod sarif;
mod sharing;
mod violation;

pub use sarif::to_sarif;
pub use violation::Violation;

use crate::language::{Rule, Scenario};
use lifecycle_list::LockDefect;
use lifecycle_slab::Tagging;
use std::fmt;

/// What the rule checker found in one scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintReport {
    /// The rules broken, in the file's order.
    pub violations: Vec<Violation>,
    /// What it could not check (actors written in Rust).
    pub notes: Vec<Note>,
}

/// Something the rule checker could not check, at the place it could not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The scenario file, as given.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What was not checked, and why.
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: note: {}",
            self.path, self.line, self.column, self.message
        )
    }
}

/// Reads `scenario` against the protocol's rules: every rule broken, at the step (or `[world]`
/// value) that breaks it, in the file's order. A scenario that follows the protocol gets none.
pub fn lint(scenario: &Scenario) -> LintReport {
    let mut report = LintReport::default();
    world_rules(scenario, &mut report.violations);
    report
        .violations
        .extend(events::waits_never_signalled(scenario));
    let sharing = sharing::Sharing::of(scenario);
    for spec in &scenario.actors {
        if spec.rust.is_some() {
            report.notes.push(Note {
                path: scenario.source.path.clone(),
                line: spec.line,
                column: spec.column,
                message: format!(
                    "actor `{}` is written in Rust: its steps cannot be read without running \
                     it, so no rule is checked for it",
                    spec.name
                ),
            });
            continue;
        }
        let found = actor::ActorCheck::new(scenario, &sharing, spec).run();
        report.violations.extend(found);
    }
    report
        .violations
        .sort_by_key(|v| (v.line, v.column, v.rule));
    report
}

/// The rules of the world itself: the slab's free list and the locks.
fn world_rules(scenario: &Scenario, found: &mut Vec<Violation>) {
    let world = &scenario.world;
    let path = &scenario.source.path;
    if world.tagging == Tagging::Untagged {
        let (line, column) = world.tagging_at.unwrap_or((1, 1));
        let rule = Rule::UntaggedFreeList;
        found.push(Violation {
            rule,
            path: path.clone(),
            line,
            column,
            actor: None,
            message: format!(
                "`free-list = \"untagged\"`: a pop preempted between its read of the head and its \
                 compare-and-swap can install a slot another actor holds ({})",
                rule.reason()
            ),
        });
    }
    for lock in &world.locks {
        let what = match lock.defect {
            LockDefect::None => continue,
            LockDefect::RelaxedUnlock => "unlocks with a Relaxed store",
            LockDefect::LoadThenStoreAcquire => "acquires with a load, then a separate store",
        };
        let (line, column) = lock.defect_at.unwrap_or((1, 1));
        let rule = Rule::DefectiveLock;
        found.push(Violation {
            rule,
            path: path.clone(),
            line,
            column,
            actor: None,
            message: format!(
                "the {} lock {what}: the next holder may not see what the last one wrote ({})",
                lock.name,
                rule.reason()
            ),
        });
    }
}
