//! The integration tests, as one test binary (one build and one link instead
//! of one per file, and support code that the compiler can see is used): the
//! built `autovenv` driven in isolated homes, with real bash, zsh and fish.
//! Cargo.toml turns off the discovery of `tests/*.rs` as binaries of their
//! own; `every_test_file_is_a_module_here` keeps a new file from being
//! silently left out.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

// First, so that its `per_shell!` macro is there for the modules below.
#[macro_use]
mod util;

mod commands;
mod exec;
mod failures;
mod faults;
mod hooks;
mod kinds;
mod moreshells;
mod outside;
mod processes;
mod same_line;
mod scenarios;
mod status;
mod terminal;
mod trust;

/// With test discovery off, a `tests/x.rs` not declared above would never
/// be built or run.
#[test]
fn every_test_file_is_a_module_here() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    let root = std::fs::read_to_string(format!("{dir}/tests.rs")).unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let is_module = path.is_dir() || path.extension().is_some_and(|e| e == "rs");
        if stem == "tests" || !is_module || stem.starts_with('.') {
            continue;
        }
        assert!(
            root.contains(&format!("\nmod {stem};\n")),
            "tests/{stem} is not declared in tests/tests.rs, so it is never run"
        );
    }
}
