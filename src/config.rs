//! Every setting autovenv takes from the environment, read from the
//! [`Snapshot`] and validated in one place. Values may not be UTF-8.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::bytes;
use crate::snapshot::Snapshot;

/// The environment variables that decide what applies in a directory. The
/// hook compares them on every prompt, so a change to any of them (in this
/// shell) takes effect at the next prompt without a `cd`.
pub const DECIDING_VARS: &[&str] = &[
    "AUTOVENV_DIRS",
    "AUTOVENV_HOME",
    "WORKON_HOME",
    "HOME",
    "AUTOVENV_TRUST",
    "AUTOVENV_DATA_DIR",
    "XDG_DATA_HOME",
    "VIRTUAL_ENV_DISABLE_PROMPT",
];

pub const DEFAULT_DIRS: &[&str] = &["venv", ".venv"];

/// What `autovenv new` runs to create an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Creator {
    /// `python3 -m venv` (the default).
    Venv,
    /// `uv venv`, when uv is on PATH.
    Uv,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Folder names that hold a project's environment, nearest first.
    pub venv_dirs: Vec<OsString>,
    /// Where `.venv-name` environments live, or why it is not known.
    pub central: Result<PathBuf, String>,
    /// Where the trust store lives, or why it is not known.
    pub data_dir: Result<PathBuf, String>,
    /// `AUTOVENV_TRUST=all`: every environment counts as trusted.
    pub trust_all: bool,
    /// `AUTOVENV_QUIET=1`: informational messages are not printed.
    pub quiet: bool,
    /// `VIRTUAL_ENV_DISABLE_PROMPT` set: the prompt is left alone.
    pub disable_prompt: bool,
    /// `AUTOVENV_CREATOR`: what `autovenv new` creates environments with.
    pub creator: Creator,
    /// Problems with the settings themselves, one line each.
    pub warnings: Vec<String>,
}

impl Config {
    pub fn from_snapshot(env: &Snapshot) -> Config {
        let non_empty = |name: &str| env.non_empty(name).map(OsStr::to_os_string);
        let platform_data = env.platform_data.clone();
        let mut warnings = Vec::new();
        let home = non_empty("HOME").map(PathBuf::from);

        let venv_dirs = match non_empty("AUTOVENV_DIRS") {
            None => DEFAULT_DIRS.iter().map(OsString::from).collect(),
            Some(value) => {
                let mut dirs = Vec::new();
                for entry in bytes::split_colons(&value) {
                    if entry.is_empty() {
                        continue;
                    }
                    if is_plain_name(&entry) {
                        dirs.push(entry);
                    } else {
                        warnings.push(format!(
                            "AUTOVENV_DIRS: ignoring {:?}: each entry must be a folder name, without '/'",
                            bytes::display(entry.as_bytes())
                        ));
                    }
                }
                dirs
            }
        };

        let central = if let Some(dir) = non_empty("AUTOVENV_HOME") {
            Ok(PathBuf::from(dir))
        } else if let Some(dir) = non_empty("WORKON_HOME") {
            Ok(PathBuf::from(dir))
        } else if let Some(home) = &home {
            Ok(home.join(".virtualenvs"))
        } else {
            Err("HOME is not set: set AUTOVENV_HOME to the folder that holds your named environments".to_string())
        };

        let data_dir = if let Some(dir) = non_empty("AUTOVENV_DATA_DIR") {
            Ok(PathBuf::from(dir))
        } else if let Some(dir) = platform_data {
            Ok(dir.join("autovenv"))
        } else {
            Err(
                "HOME is not set: set AUTOVENV_DATA_DIR to the folder for autovenv's trust store"
                    .to_string(),
            )
        };

        let trust_all = match non_empty("AUTOVENV_TRUST") {
            None => false,
            Some(v) if v == "all" => true,
            Some(v) => {
                warnings.push(format!(
                    "AUTOVENV_TRUST: {:?} is not understood; the only value is 'all'",
                    bytes::display(v.as_bytes())
                ));
                false
            }
        };

        let quiet = non_empty("AUTOVENV_QUIET").is_some_and(|v| v != "0");
        let disable_prompt = non_empty("VIRTUAL_ENV_DISABLE_PROMPT").is_some();

        let creator = match non_empty("AUTOVENV_CREATOR") {
            None => Creator::Venv,
            Some(v) if v == "venv" => Creator::Venv,
            Some(v) if v == "uv" => Creator::Uv,
            Some(v) => {
                warnings.push(format!(
                    "AUTOVENV_CREATOR: {:?} is not understood; the values are 'venv' and 'uv'",
                    bytes::display(v.as_bytes())
                ));
                Creator::Venv
            }
        };

        Config {
            venv_dirs,
            central,
            data_dir,
            trust_all,
            quiet,
            disable_prompt,
            creator,
            warnings,
        }
    }
}

/// A single path component: not empty, no `/`, not `.` or `..`.
pub fn is_plain_name(name: &OsStr) -> bool {
    let b = name.as_bytes();
    !b.is_empty() && !b.contains(&b'/') && b != b"." && b != b".." && !b.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Config {
        let data = vars
            .iter()
            .find(|(k, _)| *k == "HOME")
            .map(|(_, h)| PathBuf::from(h).join(".local/share"));
        Config::from_snapshot(&Snapshot::from_pairs(vars.iter().copied(), data))
    }

    #[test]
    fn defaults() {
        let c = config(&[("HOME", "/home/u")]);
        assert_eq!(c.venv_dirs, vec!["venv", ".venv"]);
        assert_eq!(c.central.unwrap(), PathBuf::from("/home/u/.virtualenvs"));
        assert_eq!(
            c.data_dir.unwrap(),
            PathBuf::from("/home/u/.local/share/autovenv")
        );
        assert!(!c.trust_all && !c.quiet && !c.disable_prompt);
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn central_folder_precedence() {
        let c = config(&[
            ("HOME", "/h"),
            ("WORKON_HOME", "/w"),
            ("AUTOVENV_HOME", "/a"),
        ]);
        assert_eq!(c.central.unwrap(), PathBuf::from("/a"));
        let c = config(&[("HOME", "/h"), ("WORKON_HOME", "/w")]);
        assert_eq!(c.central.unwrap(), PathBuf::from("/w"));
        let c = config(&[]);
        assert!(c.central.unwrap_err().contains("AUTOVENV_HOME"));
    }

    #[test]
    fn dirs_are_validated() {
        let c = config(&[("AUTOVENV_DIRS", "env:../up::a/b:.venv")]);
        assert_eq!(c.venv_dirs, vec!["env", ".venv"]);
        assert_eq!(c.warnings.len(), 2);
    }

    #[test]
    fn creator_values() {
        assert_eq!(config(&[]).creator, Creator::Venv);
        assert_eq!(config(&[("AUTOVENV_CREATOR", "uv")]).creator, Creator::Uv);
        let c = config(&[("AUTOVENV_CREATOR", "conda")]);
        assert_eq!(c.creator, Creator::Venv);
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn trust_values() {
        assert!(config(&[("AUTOVENV_TRUST", "all")]).trust_all);
        let c = config(&[("AUTOVENV_TRUST", "yes")]);
        assert!(!c.trust_all);
        assert_eq!(c.warnings.len(), 1);
    }
}
