//! The rooms of `models/src` and the one direction of their arrows (`src/lib.rs` lists them):
//! every `crate::ROOM` path in a room's code names itself or a room it may use, and never the
//! crate root's re-exports (which would hide the arrow). In particular the vocabulary
//! (`outcome`) uses nothing, and `diagnosis` never uses `engine`: engines hand it a structured
//! failure. Read from the source text, so a later change cannot quietly bring a circle back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each room and the rooms it may use (besides itself).
/// (`test_util`, the unit tests' shared helpers, may be used by any room and uses only `outcome`.)
const ROOMS: &[(&str, &[&str])] = &[
    ("outcome", &[]),
    ("test_util", &["outcome"]),
    ("language", &["outcome"]),
    ("plan", &["language", "outcome"]),
    ("interpreter", &["plan", "language", "outcome"]),
    ("engine", &["interpreter", "plan", "language", "outcome"]),
    ("diagnosis", &["outcome"]),
    ("lint", &["language", "outcome"]),
    ("report", &["language", "outcome"]),
    (
        "check",
        &["diagnosis", "engine", "plan", "language", "outcome"],
    ),
    ("explorer", &["report", "engine", "plan", "outcome"]),
];

fn sources(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The room a file belongs to: its first component under `src/`, without `.rs`.
fn room_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src");
    let first = relative.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// Every `crate::NAME` in `text` outside comments, with its line number.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let before = &rest[..at];
            rest = &rest[at + "crate::".len()..];
            // `$crate::` and `lifecycle_models::`-style paths are not this crate's rooms.
            if before.ends_with('$') || before.ends_with(|c: char| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push((number + 1, name));
        }
    }
    found
}

#[test]
fn every_room_uses_only_the_rooms_below_it_and_diagnosis_never_uses_engine() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let allowed: BTreeMap<&str, &[&str]> = ROOMS.iter().copied().collect();
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in &files {
        let room = room_of(&src, file);
        if room == "lib" {
            continue;
        }
        let Some(may_use) = allowed.get(room.as_str()) else {
            broken.push(format!(
                "{}: room `{room}` is not in the table of rooms (add it to ROOMS and to \
                 src/lib.rs's list)",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("readable");
        // In a room's own top file, `super::` is the crate root: a way around the table.
        let relative = file.strip_prefix(&src).expect("under src");
        let top = relative.components().count() == 1
            || relative.ends_with("mod.rs") && relative.components().count() == 2;
        if top {
            for (line, code) in text.lines().enumerate() {
                // Unindented: the file's own scope, not an inline `mod tests`.
                let code = code.split("//").next().unwrap_or("");
                if !code.starts_with(' ') && code.contains("super::") {
                    broken.push(format!(
                        "{}:{}: `super::` in a room's top file reaches the crate root; name \
                         the room instead",
                        file.display(),
                        line + 1
                    ));
                }
            }
        }
        for (line, name) in crate_paths(&text) {
            checked += 1;
            let helper = name == "test_util" && room != "outcome";
            if name != room && !helper && !may_use.contains(&name.as_str()) {
                broken.push(format!(
                    "{}:{line}: room `{room}` uses `crate::{name}`, which is {}",
                    file.display(),
                    if allowed.contains_key(name.as_str()) {
                        "not below it"
                    } else {
                        "not a room (name the room that defines it)"
                    }
                ));
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} paths read: is the scan broken?"
    );
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_scan_sees_an_upward_arrow_and_ignores_comments_and_macros() {
    let text = "use crate::engine::Failure;\n// crate::engine in a comment\n$crate::x();\nuse \
                lifecycle_models::crate_like;\nlet x = crate::outcome::Engine::Loom;";
    assert_eq!(
        crate_paths(text),
        [(1, "engine".to_string()), (5, "outcome".to_string())]
    );
}
