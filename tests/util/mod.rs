//! Test support: isolated homes, real virtual environments, and real shells
//! driven as child processes.

pub mod schema;

/// Defines a test module `$name` with one test per shell under test, each
/// running `$body(sh)`: `bash`, `zsh` and `fish` are the ones on PATH
/// (Debian 12's bash 5.2, zsh 5.9 and fish 3.6), the others the versions
/// named in AUTOVENV_TEST_SHELLS (see `run_under`). A missing shell is
/// skipped with the reason printed, or fails under
/// AUTOVENV_TEST_REQUIRE_SHELLS=1.
macro_rules! per_shell {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            per_shell!(@bash $body);
            #[test]
            fn zsh() {
                $crate::util::run_under("zsh", $body)
            }
            per_shell!(@fish $body);
        }
    };
    (@bash $body:expr) => {
        #[test]
        fn bash() {
            $crate::util::run_under("bash", $body)
        }
        #[test]
        fn bash_3_2() {
            $crate::util::run_under("bash-3.2", $body)
        }
        #[test]
        fn bash_4_4() {
            $crate::util::run_under("bash-4.4", $body)
        }
        #[test]
        fn bash_5_3() {
            $crate::util::run_under("bash-5.3", $body)
        }
    };
    (@fish $body:expr) => {
        #[test]
        fn fish() {
            $crate::util::run_under("fish", $body)
        }
        #[test]
        fn fish_4_7() {
            $crate::util::run_under("fish-4.7", $body)
        }
    };
}

/// As `per_shell!`, for a test of bash alone: one test per bash version.
macro_rules! per_bash {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            per_shell!(@bash $body);
        }
    };
}

/// As `per_shell!`, for a test of fish alone: one test per fish version.
macro_rules! per_fish {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            per_shell!(@fish $body);
        }
    };
}

mod prereq;
mod script;
mod shell;
mod world;

pub use prereq::*;
pub use script::*;
pub use shell::*;
pub use world::*;

use std::path::PathBuf;

pub const BASE_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_autovenv"))
}
