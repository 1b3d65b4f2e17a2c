//! The shells the tests drive, and how to say things in each.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::{bin, required_tool};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sh {
    Bash,
    Zsh,
    Fish,
}

/// The shells a `per_shell!` test of `family` runs under: the one on PATH,
/// or none when it is missing (skipped with the reason printed; see
/// `required_tool`). The one place that picks them, so that running each test
/// under several versions of a shell is a change here alone.
pub fn shells_of(family: Sh) -> Vec<Sh> {
    family.find().map(|_| family).into_iter().collect()
}

impl Sh {
    pub fn name(self) -> &'static str {
        match self {
            Sh::Bash => "bash",
            Sh::Zsh => "zsh",
            Sh::Fish => "fish",
        }
    }

    /// The shell's executable, or None (with the reason printed) when it is
    /// not installed; see `required_tool`.
    pub fn find(self) -> Option<PathBuf> {
        required_tool(self.name())
    }

    pub fn quote(self, value: &[u8]) -> String {
        match self {
            Sh::Fish => {
                let mut out = String::new();
                for &b in value {
                    if b.is_ascii_alphanumeric() || b"/._-".contains(&b) {
                        out.push(b as char);
                    } else {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                if out.is_empty() { "''".into() } else { out }
            }
            _ => {
                let mut out = String::from("$'");
                for &b in value {
                    if b.is_ascii_alphanumeric() || b"/._-".contains(&b) {
                        out.push(b as char);
                    } else {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                out.push('\'');
                out
            }
        }
    }

    pub fn cd(self, dir: &Path) -> String {
        format!("cd {}", self.quote(dir.as_os_str().as_bytes()))
    }

    /// Prepends an entry to PATH, as a user would while inside a project.
    pub fn prepend_path(self, entry: &str) -> String {
        match self {
            Sh::Fish => format!("set -gx PATH {entry} $PATH"),
            _ => format!("PATH={entry}:$PATH"),
        }
    }

    /// Sources a venv's own activate script, as a user would by hand.
    pub fn source_activate(self, venv: &Path) -> String {
        let script = match self {
            Sh::Fish => venv.join("bin/activate.fish"),
            _ => venv.join("bin/activate"),
        };
        format!("source {}", self.quote(script.as_os_str().as_bytes()))
    }

    pub fn hook_line(self) -> String {
        let b = bin();
        let q = self.quote(b.as_os_str().as_bytes());
        match self {
            Sh::Fish => format!("{q} hook fish | source"),
            _ => format!("eval \"$({q} hook {})\"", self.name()),
        }
    }
}

/// The prompt a shell shows with no environment, as the snapshot reads it.
pub fn base_prompt(sh: Sh) -> Vec<u8> {
    match sh {
        Sh::Fish => b"> ".to_vec(),
        _ => b"$ ".to_vec(),
    }
}
