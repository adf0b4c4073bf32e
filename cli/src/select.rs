//! Which scenarios and engines a run covers: the catalogue or the files given, filtered by name.

use crate::BadInput;
use lifecycle_models::{Engine, Scenario};
use std::path::{Path, PathBuf};

/// `*` matches any run of characters; everything else matches itself.
fn glob_matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((prefix, rest)) => {
            name.starts_with(prefix)
                && (0..=name.len() - prefix.len())
                    .any(|skip| glob_matches(rest, &name[prefix.len() + skip..]))
        }
    }
}

/// The `.toml` files under `dir`, at any depth, sorted.
fn files_under(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), BadInput> {
    let entries = std::fs::read_dir(dir).map_err(|error| {
        BadInput(format!(
            "cannot read directory `{}`: {error}",
            dir.display()
        ))
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            files_under(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
    Ok(())
}

/// The scenarios in `paths` (files, or directories searched for `.toml` files), each parsed and
/// validated; the first bad file is the error.
pub fn load(paths: &[PathBuf]) -> Result<Vec<Scenario>, BadInput> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let before = files.len();
            files_under(path, &mut files)?;
            if files.len() == before {
                return Err(BadInput(format!(
                    "no scenario files (*.toml) under `{}`",
                    path.display()
                )));
            }
        } else {
            files.push(path.clone());
        }
    }
    let mut scenarios: Vec<Scenario> = Vec::new();
    for file in files {
        let scenario = Scenario::load(&file).map_err(|error| BadInput(error.to_string()))?;
        if let Some(other) = scenarios.iter().find(|s| s.name == scenario.name) {
            return Err(BadInput(format!(
                "{}: scenario name `{}` is already used by {}",
                file.display(),
                scenario.name,
                other.source.path
            )));
        }
        scenarios.push(scenario);
    }
    Ok(scenarios)
}

/// The scenarios among `all` whose names match `patterns` (all of them if none).
pub fn by_name(all: Vec<Scenario>, patterns: &[String]) -> Result<Vec<Scenario>, BadInput> {
    if patterns.is_empty() {
        return Ok(all);
    }
    let mut chosen: Vec<Scenario> = Vec::new();
    for pattern in patterns {
        let matched: Vec<&Scenario> = all
            .iter()
            .filter(|s| glob_matches(pattern, &s.name))
            .collect();
        if matched.is_empty() {
            let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
            return Err(BadInput(format!(
                "unknown scenario `{pattern}` (valid: {}; globs like 'socket-lifecycle/*' work)",
                names.join(", ")
            )));
        }
        for scenario in matched {
            if !chosen.iter().any(|s| s.name == scenario.name) {
                chosen.push(scenario.clone());
            }
        }
    }
    Ok(chosen)
}

/// The engines named (all of them if none).
pub fn engines(names: &[String]) -> Result<Vec<Engine>, BadInput> {
    if names.is_empty() {
        return Ok(Engine::ALL.to_vec());
    }
    names
        .iter()
        .map(|name| {
            Engine::from_name(name).ok_or_else(|| {
                let valid: Vec<&str> = Engine::ALL.iter().map(|e| e.name()).collect();
                BadInput(format!(
                    "unknown engine `{name}` (valid: {})",
                    valid.join(", ")
                ))
            })
        })
        .collect()
}
