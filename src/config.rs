//! Every setting autovenv takes from the environment, read from the
//! [`Snapshot`] and validated in one place. Values may not be UTF-8.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

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
    // The other tools' own settings (src/locate): where their environments
    // live and which one a project uses.
    "UV_PROJECT_ENVIRONMENT",
    "POETRY_VIRTUALENVS_PATH",
    "POETRY_VIRTUALENVS_IN_PROJECT",
    "POETRY_VIRTUALENVS_CREATE",
    "POETRY_CACHE_DIR",
    "POETRY_CONFIG_DIR",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
    "PIPENV_VENV_IN_PROJECT",
    "PIPENV_NO_VENV_IN_PROJECT",
    "PIPENV_CUSTOM_VENV_NAME",
    "PIPENV_PYTHON",
    "PIPENV_MAX_DEPTH",
    "HATCH_DATA_DIR",
    "PYENV_ROOT",
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
    /// Where the other tools keep environments, by their own rules.
    pub tools: Tools,
    /// Problems with the settings themselves, one line each.
    pub warnings: Vec<String>,
}

/// The other tools' settings that decide where a project's environment is
/// (src/locate): each read here, as the tool itself reads it. A folder that
/// cannot be known (no HOME) is None, and that kind is off.
#[derive(Debug, Clone, Default)]
pub struct Tools {
    pub home: Option<PathBuf>,
    /// `UV_PROJECT_ENVIRONMENT`, non-empty (uv ignores an empty one).
    pub uv_project_environment: Option<PathBuf>,
    /// `POETRY_CACHE_DIR`, else the platform cache folder + `pypoetry`.
    pub poetry_cache_dir: Option<PathBuf>,
    /// Whether `POETRY_CACHE_DIR` set it (it then beats the config files).
    pub poetry_cache_dir_from_env: bool,
    /// Where Poetry's `config.toml` is: `POETRY_CONFIG_DIR`, else the
    /// platform config folder + `pypoetry`.
    pub poetry_config_dir: Option<PathBuf>,
    pub poetry_virtualenvs_path: Option<PathBuf>,
    pub poetry_in_project: Option<bool>,
    pub poetry_create: Option<bool>,
    /// `WORKON_HOME`, else `${XDG_DATA_HOME:-~/.local/share}/virtualenvs`.
    pub pipenv_home: Option<PathBuf>,
    pub pipenv_in_project: Option<bool>,
    pub pipenv_custom_name: Option<OsString>,
    pub pipenv_python: Option<OsString>,
    /// How many folders, the current one included, Pipenv looks in for a
    /// Pipfile.
    pub pipenv_max_depth: usize,
    /// `HATCH_DATA_DIR`, else the platform data folder + `hatch`.
    pub hatch_data: Option<PathBuf>,
    /// `PYENV_ROOT`, else `~/.pyenv`.
    pub pyenv_root: Option<PathBuf>,
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

        let tools = tools(env, home.as_deref());

        Config {
            venv_dirs,
            central,
            data_dir,
            trust_all,
            quiet,
            disable_prompt,
            creator,
            tools,
            warnings,
        }
    }
}

/// The other tools' settings, each as that tool reads its variables.
fn tools(env: &Snapshot, home: Option<&std::path::Path>) -> Tools {
    let path = |name: &str| env.non_empty(name).map(|v| expand_home(Path::new(v), home));
    // platformdirs (which Poetry and Hatch use) takes an XDG variable that
    // is blank as unset.
    let xdg = |name: &str, default: &str| {
        env.get(name)
            .filter(|v| !v.as_bytes().trim_ascii().is_empty())
            .map(PathBuf::from)
            .or_else(|| home.map(|h| h.join(default)))
    };
    let macos = cfg!(target_os = "macos");
    let (cache, config, data) = if macos {
        let lib = |sub: &str| home.map(|h| h.join(sub));
        (
            lib("Library/Caches"),
            lib("Library/Application Support"),
            lib("Library/Application Support"),
        )
    } else {
        (
            xdg("XDG_CACHE_HOME", ".cache"),
            xdg("XDG_CONFIG_HOME", ".config"),
            xdg("XDG_DATA_HOME", ".local/share"),
        )
    };
    // Poetry's boolean settings: "true" or "1" is true, any other value
    // false (python-poetry/poetry src/poetry/config/config.py,
    // boolean_normalizer).
    let poetry_bool = |name: &str| {
        env.get(name)
            .map(|v| v.eq_ignore_ascii_case("true") || v == "1")
    };
    // Pipenv's: 1/true/yes/on, 0/false/no/off, and PIPENV_NO_X the other
    // way round; anything else is no setting (pypa/pipenv
    // pipenv/environments.py get_from_env, pipenv/utils/shell.py env_to_bool).
    let pipenv_bool = |value: &OsStr| -> Option<bool> {
        let v = value.to_string_lossy().to_ascii_lowercase();
        match v.as_str() {
            "1" | "true" | "yes" | "on" => Some(true),
            "0" | "false" | "no" | "off" => Some(false),
            _ => None,
        }
    };
    let pipenv_in_project = match env.get("PIPENV_VENV_IN_PROJECT") {
        Some(v) => pipenv_bool(v),
        None => env
            .get("PIPENV_NO_VENV_IN_PROJECT")
            .and_then(pipenv_bool)
            .map(|b| !b),
    };
    // PIPENV_MAX_DEPTH (default 10) counts the folders looked in, the
    // current one included (pipenv/utils/pipfile.py find_pipfile).
    let pipenv_max_depth = env
        .non_empty("PIPENV_MAX_DEPTH")
        .and_then(|v| v.to_str()?.trim().parse::<usize>().ok())
        .unwrap_or(10);
    // Pipenv reads XDG_DATA_HOME itself, blank or not (pipenv/utils/shell.py
    // get_workon_home); a blank one is taken as unset here, since Pipenv
    // would then use a folder relative to wherever it runs.
    let pipenv_home = path("WORKON_HOME").or_else(|| {
        env.non_empty("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| home.map(|h| h.join(".local/share")))
            .map(|d| d.join("virtualenvs"))
    });
    let poetry_cache_env = path("POETRY_CACHE_DIR");
    Tools {
        home: home.map(Path::to_path_buf),
        uv_project_environment: env.non_empty("UV_PROJECT_ENVIRONMENT").map(PathBuf::from),
        poetry_cache_dir_from_env: poetry_cache_env.is_some(),
        poetry_cache_dir: poetry_cache_env.or_else(|| cache.map(|c| c.join("pypoetry"))),
        poetry_config_dir: path("POETRY_CONFIG_DIR").or_else(|| config.map(|c| c.join("pypoetry"))),
        poetry_virtualenvs_path: path("POETRY_VIRTUALENVS_PATH"),
        poetry_in_project: poetry_bool("POETRY_VIRTUALENVS_IN_PROJECT"),
        poetry_create: poetry_bool("POETRY_VIRTUALENVS_CREATE"),
        pipenv_home,
        pipenv_in_project,
        pipenv_custom_name: env
            .non_empty("PIPENV_CUSTOM_VENV_NAME")
            .map(OsStr::to_os_string),
        pipenv_python: env.non_empty("PIPENV_PYTHON").map(OsStr::to_os_string),
        pipenv_max_depth,
        hatch_data: path("HATCH_DATA_DIR").or_else(|| data.map(|d| d.join("hatch"))),
        pyenv_root: path("PYENV_ROOT").or_else(|| home.map(|h| h.join(".pyenv"))),
    }
}

/// `~` and `~/...` as the tools expand them (Python's `expanduser`).
pub fn expand_home(path: &Path, home: Option<&Path>) -> PathBuf {
    let b = path.as_os_str().as_bytes();
    match (b, home) {
        (b"~", Some(h)) => h.to_path_buf(),
        (_, Some(h)) if b.starts_with(b"~/") => h.join(bytes::os(&b[2..])),
        _ => path.to_path_buf(),
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
