//! Rendering plans for one shell: syntax and quoting live here, and nothing
//! here knows how a directory was searched.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::plan::{Check, Step};

pub mod fish;
pub mod posix;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    /// Shell code for the steps, one statement per line, in order.
    pub fn render(self, steps: &[Step]) -> String {
        match self {
            Shell::Bash | Shell::Zsh => posix::render(self, steps),
            Shell::Fish => fish::render(steps),
        }
    }

    /// The hook script with the binary's path quoted for this shell.
    pub fn hook(self, binary: &Path) -> String {
        let (script, quoted) = match self {
            Shell::Bash => (
                include_str!("../../shell/autovenv.bash"),
                posix::quote(binary.as_os_str().as_encoded_bytes()),
            ),
            Shell::Zsh => (
                include_str!("../../shell/autovenv.zsh"),
                posix::quote(binary.as_os_str().as_encoded_bytes()),
            ),
            Shell::Fish => (
                include_str!("../../shell/autovenv.fish"),
                fish::quote(binary.as_os_str().as_encoded_bytes()),
            ),
        };
        script.replace("@AUTOVENV_BIN@", &quoted)
    }

    /// A short fingerprint of the check as rendered, so that an unchanged
    /// check is not sent to the shell again.
    pub fn check_fingerprint(self, check: &Check) -> String {
        let text = self.render(&[Step::Check(check.clone())]);
        Sha256::digest(text.as_bytes())
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// The prompt prefix as people read it: control characters (which could move
/// the cursor or clear the screen) and invalid UTF-8 shown as `?`.
pub fn prompt_label(name: &[u8]) -> String {
    String::from_utf8_lossy(name)
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{fffd}' {
                '?'
            } else {
                c
            }
        })
        .collect()
}
