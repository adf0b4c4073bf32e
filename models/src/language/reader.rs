//! `Reader`: a scenario file's path and text, turning the byte spans of its TOML values into
//! `path:line:column` errors (inside strings too, through escapes and multi-line quotes).

use super::error::{line_column, ScenarioError};
use toml::Spanned;

/// Turns byte spans into `path:line:column` errors.
pub(super) struct Reader<'a> {
    pub(super) path: &'a str,
    pub(super) text: &'a str,
}

impl Reader<'_> {
    pub(super) fn error_at(&self, offset: usize, message: impl Into<String>) -> ScenarioError {
        let (line, column) = line_column(self.text, offset);
        ScenarioError {
            path: self.path.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    /// The 1-based `(line, column)` where `spanned` starts.
    pub(super) fn line_column<T>(&self, spanned: &Spanned<T>) -> (usize, usize) {
        line_column(self.text, spanned.span().start)
    }

    pub(super) fn error<T>(
        &self,
        spanned: &Spanned<T>,
        message: impl Into<String>,
    ) -> ScenarioError {
        self.error_at(spanned.span().start, message)
    }

    /// An error inside a string value: `offset` counts characters after the opening quote.
    pub(super) fn error_in_string(
        &self,
        spanned: &Spanned<String>,
        offset: usize,
        message: String,
    ) -> ScenarioError {
        let start = spanned.span().start;
        let rest = &self.text[start..];
        let (delimiter, basic) = if rest.starts_with("\"\"\"") {
            (3, true)
        } else if rest.starts_with("'''") {
            (3, false)
        } else {
            (1, rest.starts_with('"'))
        };
        let mut at = start + delimiter;
        // A newline right after a multi-line string's opening delimiter is not in the value.
        if delimiter == 3 {
            at += ["\r\n", "\n"]
                .iter()
                .find(|newline| self.text[at..].starts_with(**newline))
                .map_or(0, |newline| newline.len());
        }
        // Walk the source over `offset` characters of the value: an escape in a basic string
        // (`\t`, `\u00e9`) is several source characters for one of the value.
        let mut source = self.text[at..].chars();
        for _ in 0..offset {
            let Some(c) = source.next() else { break };
            at += c.len_utf8();
            if basic && c == '\\' {
                let escape = source.next();
                at += escape.map_or(0, char::len_utf8);
                let digits = match escape {
                    Some('u') => 4,
                    Some('U') => 8,
                    _ => 0,
                };
                at += source
                    .by_ref()
                    .take(digits)
                    .map(char::len_utf8)
                    .sum::<usize>();
            }
        }
        self.error_at(at, message)
    }

    /// One of `choices`, by name.
    pub(super) fn choice<T: Copy>(
        &self,
        value: &Spanned<String>,
        what: &str,
        choices: &[(&str, T)],
    ) -> Result<T, ScenarioError> {
        choices
            .iter()
            .find(|(name, _)| name == value.get_ref())
            .map(|&(_, choice)| choice)
            .ok_or_else(|| {
                let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
                self.error(
                    value,
                    format!(
                        "unknown {what} `{}` (expected one of: {})",
                        value.get_ref(),
                        names.join(", ")
                    ),
                )
            })
    }
}
