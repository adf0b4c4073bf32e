//! The `[expect]` table: the verdict each engine must reach (`pass`, `vacuous`, a finding kind,
//! `pass or KIND: reason`, `pass: reason`), with the reason an engine is blind kept in the file,
//! and `lint = "RULE"`: the protocol rule a buggy scenario breaks on purpose. (The file's
//! top-level `diagnosis = ["..."]`, the pieces every finding's diagnosis must contain, joins
//! them in [`Expectations::diagnosis`].)

use super::reader::Reader;
use super::{Expectations, Expected, Located, Rule, ScenarioError};
use crate::outcome::{Engine, FindingKind};
use std::collections::BTreeMap;
use toml::Spanned;

pub(super) fn expectations(
    reader: &Reader<'_>,
    shape: &Spanned<BTreeMap<Spanned<String>, Spanned<String>>>,
) -> Result<Expectations, ScenarioError> {
    let mut all = None;
    let mut per_engine = Vec::new();
    let mut lint = None;
    for (engine, verdict) in shape.get_ref() {
        if engine.get_ref() == "lint" {
            lint = Some(rule(reader, verdict)?);
            continue;
        }
        let expected = expected(reader, verdict)?;
        if engine.get_ref() == "all" {
            all = Some(expected);
        } else if Engine::from_name(engine.get_ref()).is_some() {
            per_engine.push((engine.get_ref().clone(), expected));
        } else {
            return Err(reader.error(
                engine,
                format!(
                    "unknown engine `{}` in [expect] (expected `all`, `lint` or one of: {})",
                    engine.get_ref(),
                    Engine::names().join(", ")
                ),
            ));
        }
    }
    let all = match all {
        Some(all) => all,
        None if per_engine.len() == Engine::ALL.len() => Expected::Pass,
        None => {
            return Err(reader.error(
                shape,
                "[expect] needs `all = \"...\"`: the verdict of every engine not named there",
            ))
        }
    };
    Ok(Expectations {
        all,
        per_engine,
        lint,
        diagnosis: Vec::new(),
    })
}

/// `lint = "RULE"`: a rule of the protocol, by name.
fn rule(reader: &Reader<'_>, name: &Spanned<String>) -> Result<Located<Rule>, ScenarioError> {
    let rule = Rule::from_name(name.get_ref().trim()).ok_or_else(|| {
        reader.error(
            name,
            format!(
                "unknown rule `{}` in `lint` (expected one of: {})",
                name.get_ref().trim(),
                Rule::ALL.map(Rule::name).join(", ")
            ),
        )
    })?;
    let (line, column) = reader.line_column(name);
    Ok(Located {
        value: rule,
        line,
        column,
    })
}

/// `pass`, `vacuous`, a finding kind, `pass or KIND[, KIND]: why the engine cannot see it`, or
/// `pass: why the engine cannot see it`.
fn expected(reader: &Reader<'_>, verdict: &Spanned<String>) -> Result<Expected, ScenarioError> {
    let text = verdict.get_ref().trim();
    let kind_named = |name: &str| {
        FindingKind::from_name(name.trim()).ok_or_else(|| {
            reader.error(
                verdict,
                format!(
                    "unknown finding kind `{}` (expected `pass`, `vacuous`, one of: {}; or `pass or KIND: \
                     reason`)",
                    name.trim(),
                    FindingKind::ALL
                        .iter()
                        .map(|k| k.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    };
    if text == "pass" {
        return Ok(Expected::Pass);
    }
    if text == "vacuous" {
        return Ok(Expected::Vacuous);
    }
    if let Some(reason) = text.strip_prefix("pass:") {
        // A pass the engine cannot do better than, with the reason it is blind to the bug.
        let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
        if reason.is_empty() {
            return Err(reader.error(verdict, "the reason after `pass:` is empty"));
        }
        return Ok(Expected::PassOr {
            kinds: Vec::new(),
            reason,
        });
    }
    if let Some(rest) = text.strip_prefix("pass or ") {
        let Some((kinds, reason)) = rest.split_once(':') else {
            return Err(reader.error(
                verdict,
                "`pass or ...` needs the reason the engine cannot see the bug, after a colon: \
                 `pass or looping-reader: uniformly random schedules rarely ...`",
            ));
        };
        let kinds = kinds
            .split(',')
            .map(kind_named)
            .collect::<Result<Vec<_>, _>>()?;
        let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
        if reason.is_empty() {
            return Err(reader.error(verdict, "the reason after `pass or KIND:` is empty"));
        }
        return Ok(Expected::PassOr { kinds, reason });
    }
    Ok(Expected::Finding(kind_named(text)?))
}
