//! Builds the catalogue into the binary: every `scenarios/**/*.toml` file, embedded with
//! `include_str!`, so adding a scenario is adding one file.

use std::fmt::Write as _;

fn main() {
    // Read at run time: a build script compiled once may run for a checkout at another path.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = std::path::Path::new(&manifest).join("scenarios");
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The built-in scenario files: (file name, text), in file name order.\n\
         const CATALOGUE: &[(&str, &str)] = &[\n",
    );
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .strip_prefix(&dir)
            .expect("found under the directory")
            .to_string_lossy();
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    code.push_str("];\n");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("catalogue.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

/// Every `.toml` file under `dir`, at any depth (a family's variants share a folder).
fn collect(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
    println!("cargo:rerun-if-changed={}", dir.display());
    for entry in std::fs::read_dir(dir).expect("models/scenarios is readable") {
        let path = entry.expect("a readable directory entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
}
