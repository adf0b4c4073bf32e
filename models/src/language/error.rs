//! `ScenarioError`: what is wrong with a scenario file, at `file:line:column`, saying what was
//! expected there.

use std::fmt;

/// A problem in a scenario file. Displayed as `path:line:column: message` (line and column are
/// 1-based; 0 means the whole file, such as an unreadable one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file, as given.
    pub path: String,
    /// 1-based line, or 0.
    pub line: usize,
    /// 1-based column, or 0.
    pub column: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for ScenarioError {}

/// 1-based `(line, column)` of byte `offset` in `text` (columns count characters).
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}
