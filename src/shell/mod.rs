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

#[cfg(test)]
mod tests {
    //! Snapshots of the statements each shell is given for each transition:
    //! any change to generated shell code shows up in review.

    use super::*;
    use crate::plan::{Current, Target, plan_transition};
    use crate::state::{Activation, Local};
    use crate::venv::Venv;
    use std::path::{Path, PathBuf};

    fn venv(path: &str, prompt: &str) -> Venv {
        Venv {
            path: path.into(),
            prompt: prompt.into(),
            version: Some("3.11.7".into()),
            base_home: None,
        }
    }

    fn target(path: &str, prompt: &str) -> Target {
        Target::Venv {
            venv: venv(path, prompt),
            root: Path::new(path)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        }
    }

    fn active(path: &str, pythonhome: Option<&str>) -> Current {
        let a = Activation {
            venv: path.into(),
            root: Path::new(path)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
            pythonhome: pythonhome.map(Into::into),
        };
        Current {
            virtual_env: Some(PathBuf::from(path)),
            path: Some(format!("{path}/bin:/usr/bin:/bin").into()),
            pythonhome: None,
            state: Some(Ok(a)),
            foreign_script: false,
        }
    }

    fn adopted(path: &str) -> Local {
        Local {
            adopted: Some(path.into()),
            ..Local::default()
        }
    }

    /// (name, statements) for every transition, for one shell.
    fn transitions(shell: Shell) -> String {
        let outside = Current {
            path: Some("/usr/bin:/bin".into()),
            pythonhome: Some("/opt/py".into()),
            ..Current::default()
        };
        let a = "/nonexistent/src/client app/venv";
        let b = "/nonexistent/src/it's $(b)/.venv";
        let cases = [
            (
                "activate",
                plan_transition(&outside, &target(a, "client app"), &Local::default(), false),
            ),
            (
                "deactivate",
                plan_transition(
                    &active(a, Some("/opt/py")),
                    &Target::Nothing,
                    &adopted(a),
                    false,
                ),
            ),
            (
                "switch",
                plan_transition(
                    &active(a, None),
                    &target(b, "it's $(b)"),
                    &adopted(a),
                    false,
                ),
            ),
            (
                "adopt",
                plan_transition(
                    &active(a, None),
                    &target(a, "client app"),
                    &Local::default(),
                    false,
                ),
            ),
            (
                "no prompt",
                plan_transition(&outside, &target(a, "client app"), &Local::default(), true),
            ),
        ];
        let mut out = String::new();
        for (name, outcome) in cases {
            out.push_str(&format!("## {name}\n{}\n", shell.render(&outcome.steps)));
        }
        out
    }

    #[test]
    fn bash_transitions() {
        insta::assert_snapshot!(transitions(Shell::Bash));
    }

    #[test]
    fn zsh_transitions() {
        insta::assert_snapshot!(transitions(Shell::Zsh));
    }

    #[test]
    fn fish_transitions() {
        insta::assert_snapshot!(transitions(Shell::Fish));
    }

    #[test]
    fn checks_per_shell() {
        use crate::detect::Probe;
        let check = Check {
            vars: vec![("PWD", "/p/it's".into()), ("VIRTUAL_ENV", "".into())],
            set_flags: vec![("_OLD_VIRTUAL_PATH", false)],
            probes: vec![
                Probe::Missing {
                    path: "/p/.venv-name".into(),
                    link: false,
                },
                Probe::Exists {
                    path: "/p/venv/pyvenv.cfg".into(),
                    link: false,
                },
                Probe::Exists {
                    path: "/p/venv/bin/python".into(),
                    link: true,
                },
                Probe::Missing {
                    path: "/q/venv/bin/python".into(),
                    link: true,
                },
                Probe::FirstLine {
                    path: "/r/.venv-name".into(),
                    line: b"flask2\r".to_vec(),
                },
            ],
        };
        let steps = [Step::Check(check)];
        insta::assert_snapshot!(format!(
            "## bash\n{}\n## fish\n{}",
            Shell::Bash.render(&steps),
            Shell::Fish.render(&steps)
        ));
    }

    #[test]
    fn prompt_labels_hide_control_characters() {
        assert_eq!(prompt_label(b"a\x1b[2Jb\n\xff"), "a?[2Jb??");
    }
}
