//! Test support: isolated homes, real virtual environments, and real shells
//! driven as child processes.

pub mod schema;

/// Defines a test module `$name` with one test per shell family, each
/// running `$body(sh)` for every shell `shells_of` lists for that family; a
/// missing shell is skipped with the reason printed (or fails, under
/// AUTOVENV_TEST_REQUIRE_SHELLS=1).
macro_rules! per_shell {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[test]
            fn bash() {
                for sh in $crate::util::shells_of($crate::util::Sh::Bash) {
                    ($body)(sh)
                }
            }
            #[test]
            fn zsh() {
                for sh in $crate::util::shells_of($crate::util::Sh::Zsh) {
                    ($body)(sh)
                }
            }
            #[test]
            fn fish() {
                for sh in $crate::util::shells_of($crate::util::Sh::Fish) {
                    ($body)(sh)
                }
            }
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
