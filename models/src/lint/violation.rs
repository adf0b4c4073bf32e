//! `Violation`: one protocol rule a scenario breaks, at the step (or `[world]` key) that breaks
//! it, printed as `file:line:column: rule-name: reason` like a compiler's diagnostic.

use crate::language::Rule;
use std::fmt;

/// A broken rule, where it is broken, and why in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule broken.
    pub rule: Rule,
    /// The scenario file, as given.
    pub path: String,
    /// 1-based line of the step or `[world]` value that breaks it.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The actor whose step breaks it (`None` for a world-level rule).
    pub actor: Option<String>,
    /// One line: what the step does and the rule it breaks.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.path, self.line, self.column, self.rule, self.message
        )
    }
}
