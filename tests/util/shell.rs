//! The shells the tests drive, and how to say things in each.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::{bin, required_tool, test_setting, unavailable};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sh {
    Bash,
    Zsh,
    Fish,
}

/// The shell versions that `per_shell!` runs besides the ones on PATH, as
/// `../shared/test-shells/build` names them. Their paths come from
/// AUTOVENV_TEST_SHELLS, `NAME=PATH` pairs separated by spaces (the build
/// script's output, which `.ci/run` passes on), e.g.
/// `AUTOVENV_TEST_SHELLS='bash-3.2=/x/bin/bash fish-4.7=/y/bin/fish'`.
pub const EXTRA_SHELLS: [&str; 4] = ["bash-3.2", "bash-4.4", "bash-5.3", "fish-4.7"];

thread_local! {
    /// The executable `Sh::find` returns for its family while a test runs
    /// under a version other than PATH's (each test runs in its own thread).
    static UNDER_TEST: std::cell::RefCell<Option<(Sh, &'static str, PathBuf)>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `body` under the shell `label`: `bash`, `zsh` or `fish` is the one
/// on PATH; `bash-3.2` and the others in EXTRA_SHELLS come from
/// AUTOVENV_TEST_SHELLS. A shell that is not there is skipped with the
/// reason printed (a failure with AUTOVENV_TEST_REQUIRE_SHELLS=1).
pub fn run_under(label: &'static str, body: impl FnOnce(Sh)) {
    let family = match label.split('-').next() {
        Some("bash") => Sh::Bash,
        Some("zsh") => Sh::Zsh,
        Some("fish") => Sh::Fish,
        _ => panic!("unknown shell {label}"),
    };
    let exe = if label.contains('-') {
        match listed_shell(label) {
            Ok(exe) => exe,
            Err(why) => {
                let _: Option<()> = unavailable(&why);
                return;
            }
        }
    } else {
        match required_tool(label) {
            Some(exe) => exe,
            None => return,
        }
    };
    struct Restore;
    impl Drop for Restore {
        fn drop(&mut self) {
            UNDER_TEST.with(|u| u.borrow_mut().take());
        }
    }
    UNDER_TEST.with(|u| *u.borrow_mut() = Some((family, label, exe)));
    let _restore = Restore;
    body(family)
}

/// AUTOVENV_TEST_SHELLS as (name, path) pairs. Read as bytes: a path need
/// not be UTF-8.
fn listed_shells() -> Vec<(String, PathBuf)> {
    let listed = test_setting("AUTOVENV_TEST_SHELLS").unwrap_or_default();
    listed
        .as_bytes()
        .split(|b| b.is_ascii_whitespace())
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let eq = pair.iter().position(|&b| b == b'=').unwrap_or(pair.len());
            let path = pair.get(eq + 1..).unwrap_or_default();
            (
                String::from_utf8_lossy(&pair[..eq]).into_owned(),
                PathBuf::from(std::ffi::OsStr::from_bytes(path)),
            )
        })
        .collect()
}

/// The path AUTOVENV_TEST_SHELLS gives for `label`, or why there is none.
fn listed_shell(label: &str) -> Result<PathBuf, String> {
    let path = listed_shells()
        .into_iter()
        .find(|(name, _)| name == label)
        .map(|(_, path)| path)
        .ok_or_else(|| {
            format!(
                "{label} is not in AUTOVENV_TEST_SHELLS; \
                 ../shared/test-shells/build prints the line to put there"
            )
        })?;
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{label}: {} (from AUTOVENV_TEST_SHELLS) does not exist",
            path.display()
        ))
    }
}

/// AUTOVENV_TEST_SHELLS names only shells that tests run under: a typo
/// there would otherwise skip a version silently.
#[test]
fn listed_test_shells_are_known() {
    for (name, _) in listed_shells() {
        assert!(
            EXTRA_SHELLS.contains(&name.as_str()),
            "AUTOVENV_TEST_SHELLS names {name}; the tests know {EXTRA_SHELLS:?}"
        );
    }
}

impl Sh {
    pub fn name(self) -> &'static str {
        match self {
            Sh::Bash => "bash",
            Sh::Zsh => "zsh",
            Sh::Fish => "fish",
        }
    }

    /// The shell's executable: the version the running test is for (see
    /// `run_under`), else the one on PATH, or None (with the reason printed)
    /// when it is not installed; see `required_tool`.
    pub fn find(self) -> Option<PathBuf> {
        let chosen = UNDER_TEST.with(|u| {
            u.borrow()
                .as_ref()
                .filter(|(family, _, _)| *family == self)
                .map(|(_, _, exe)| exe.clone())
        });
        chosen.or_else(|| required_tool(self.name()))
    }

    /// The shell and version a message should name: `bash-3.2`, or `bash`
    /// for the one on PATH.
    pub fn label(self) -> &'static str {
        UNDER_TEST
            .with(|u| {
                u.borrow()
                    .as_ref()
                    .filter(|(family, _, _)| *family == self)
                    .map(|(_, label, _)| *label)
            })
            .unwrap_or(self.name())
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

    /// The lines that feed LINE to a shell reading its commands from a pipe
    /// as its prompt would have it run: fish's reader fires no events for
    /// piped input, so its preexec event (which tells the hook what the line
    /// is) and its prompt event are emitted around the line, as the prompt
    /// would. bash and zsh run their hooks themselves.
    pub fn typed(self, line: String) -> Vec<String> {
        match self {
            Sh::Fish => vec![
                format!("emit fish_preexec {}", self.quote(line.as_bytes())),
                line,
                "emit fish_prompt".into(),
            ],
            _ => vec![line],
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
