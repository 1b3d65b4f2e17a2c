//! Environments other tools keep for a project, found by each tool's own
//! rule with no process (SPEC §1, item 3): a `.venv` file, uv's
//! `UV_PROJECT_ENVIRONMENT`, Poetry's, Pipenv's and Hatch's central
//! environments, and pyenv-virtualenv's `.python-version`.
//!
//! Each kind is one locator, asked by detect's nearest-first walk in each
//! folder after `.venv-name` and the venv folders, in that order. Every
//! file system question goes through the [`Prober`], so the hook replays it
//! at the next prompt; a kind whose tool keeps no folder on this machine
//! asks one question (is that folder there yet?) and nothing per folder.

use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::bytes;
use crate::config::Config;
#[cfg(test)]
use crate::detect::Probe;
use crate::detect::{Hint, Prober, Project};

mod hatch;
mod pipenv;
mod poetry;
mod pyenv;
mod uv;
mod venv_file;

/// `pyproject.toml`, `Pipfile`, `poetry.toml`, `envs.toml` are small; one
/// far larger is damaged or hostile, and is not parsed.
const TOML_LIMIT: u64 = 1 << 20;

/// Which tools keep their folder on this machine, asked once per search.
pub struct Tools {
    /// Poetry's `virtualenvs.path` (without the project's own poetry.toml).
    poetry: Option<PathBuf>,
    pipenv: Option<PathBuf>,
    hatch: Option<PathBuf>,
    pyenv: Option<PathBuf>,
    uv: bool,
}

impl Tools {
    /// Looks for each tool's folder; each answer is a probe, so that the
    /// first `poetry install` (which makes Poetry's folder) is seen at the
    /// next prompt.
    pub fn open(config: &Config, prober: &mut Prober) -> Tools {
        let t = &config.tools;
        let mut gate = |dir: Option<PathBuf>| dir.filter(|d| prober.exists(d.clone()));
        Tools {
            poetry: gate(poetry::user_virtualenvs_path(t)),
            pipenv: gate(t.pipenv_home.clone()),
            hatch: gate(t.hatch_data.as_ref().map(|d| hatch::virtual_dir(d))),
            pyenv: gate(t.pyenv_root.as_ref().map(|r| r.join("versions"))),
            uv: t.uv_project_environment.is_some(),
        }
    }

    /// The environment another tool keeps for `dir`, `depth` folders above
    /// where the search started, in the order of SPEC §1.
    pub fn in_dir(
        &self,
        dir: &Path,
        depth: usize,
        config: &Config,
        prober: &mut Prober,
    ) -> Option<Project> {
        if let Some(found) = venv_file::locate(dir, config, prober) {
            return Some(found);
        }
        if self.uv || self.poetry.is_some() || self.hatch.is_some() {
            let file = dir.join("pyproject.toml");
            if prober.exists(file.clone()) {
                let pyproject = read_toml(&file);
                if self.uv
                    && let Some(found) = uv::locate(dir, &pyproject, config, prober)
                {
                    return Some(found);
                }
                if self.poetry.is_some()
                    && let Some(found) = poetry::locate(dir, &pyproject, config, prober)
                {
                    return Some(found);
                }
                if let Some(data) = &self.hatch
                    && let Some(found) = hatch::locate(dir, &pyproject, data, config, prober)
                {
                    return Some(found);
                }
            }
        }
        if let Some(home) = &self.pipenv
            && depth < config.tools.pipenv_max_depth
            && let Some(found) = pipenv::locate(dir, home, config, prober)
        {
            return Some(found);
        }
        if let Some(versions) = &self.pyenv
            && let Some(found) = pyenv::locate(dir, versions, config, prober)
        {
            return Some(found);
        }
        None
    }
}

/// Files that show a project of one of the tools, and the command that
/// makes its environment, in the order they are looked for.
const HINT_FILES: &[(&str, &str)] = &[
    ("uv.lock", "uv sync"),
    ("poetry.lock", "poetry install"),
    ("Pipfile", "pipenv install"),
    ("pyproject.toml", ""),
    ("requirements.txt", "autovenv new"),
];

/// Where the search found no project: the nearest folder (not `/`, not
/// HOME) holding one of the tools' files, with the command that would make
/// its environment. Asked at a `cd` only, so not probed: a `pyproject.toml`
/// written later is hinted at at the next `cd` (docs/decisions.md).
pub fn hint(dir: &Path, config: &Config) -> Option<Hint> {
    let home = config.tools.home.as_deref();
    for candidate in dir.ancestors() {
        if candidate.parent().is_none() || Some(candidate) == home {
            return None;
        }
        for (name, command) in HINT_FILES {
            let file = candidate.join(name);
            if !file.is_file() {
                continue;
            }
            let command = if command.is_empty() {
                pyproject_command(&read_toml(&file))
            } else {
                command
            };
            return Some(Hint {
                root: candidate.to_path_buf(),
                file,
                command,
            });
        }
    }
    None
}

/// A `pyproject.toml` alone: Poetry's, uv's, or anyone's.
fn pyproject_command(pyproject: &Result<toml::Table, String>) -> &'static str {
    let tool = pyproject
        .as_ref()
        .ok()
        .and_then(|t| t.get("tool"))
        .and_then(toml::Value::as_table);
    match tool {
        Some(t) if t.contains_key("poetry") => "poetry install",
        Some(t) if t.contains_key("uv") => "uv sync",
        Some(t) if t.contains_key("hatch") => "hatch env create",
        _ => "autovenv new",
    }
}

/// A TOML file as a table, or one line saying why it cannot be one: too
/// large, unreadable, not UTF-8, not TOML.
pub(crate) fn read_toml(file: &Path) -> Result<toml::Table, String> {
    let shown = bytes::display_path(file);
    let raw = read_bounded(file, TOML_LIMIT)
        .map_err(|e| format!("cannot read {shown}: {e}"))?
        .ok_or_else(|| format!("{shown} is refused: it is larger than 1 MiB"))?;
    parse_toml(&raw).map_err(|why| format!("{shown} is damaged: {why}"))
}

/// The parser every tool file goes through (and the property tests).
pub(crate) fn parse_toml(raw: &[u8]) -> Result<toml::Table, String> {
    let text = std::str::from_utf8(raw).map_err(|_| "it is not UTF-8 text".to_string())?;
    text.parse::<toml::Table>().map_err(|e| {
        // toml's messages span several lines (with the offending source);
        // people get one.
        let first = e.message().lines().next().unwrap_or("not valid TOML");
        format!("it is not valid TOML ({first})")
    })
}

/// Up to `limit` bytes of a file; `None` when it holds more.
pub(crate) fn read_bounded(file: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut raw = Vec::new();
    std::fs::File::open(file)?
        .take(limit + 1)
        .read_to_end(&mut raw)?;
    Ok((raw.len() as u64 <= limit).then_some(raw))
}

/// `table.a.b...` as a string, where it is one.
pub(crate) fn toml_str<'t>(table: &'t toml::Table, keys: &[&str]) -> Option<&'t str> {
    toml_get(table, keys)?.as_str()
}

pub(crate) fn toml_get<'t>(table: &'t toml::Table, keys: &[&str]) -> Option<&'t toml::Value> {
    let (last, parents) = keys.split_last()?;
    let mut t = table;
    for k in parents {
        t = t.get(*k)?.as_table()?;
    }
    t.get(*last)
}

/// The first 8 characters of the URL-safe base64 of `bytes` (at least 6
/// of them): the hash Poetry, Pipenv and Hatch put in folder names.
pub(crate) fn urlsafe_base64_8(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes[..6].chunks(3) {
        let n = (u32::from(chunk[0]) << 16) | (u32::from(chunk[1]) << 8) | u32::from(chunk[2]);
        for shift in [18, 12, 6, 0] {
            out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
        }
    }
    out
}

/// Whether the environment is the user's own: a folder in a tool's central
/// place counts as central only when this user owns it, so that another
/// account cannot plant one there (docs/trust.md).
pub(crate) fn owned_by_user(dir: &Path, config: &Config) -> bool {
    let Ok(meta) = std::fs::metadata(dir) else {
        return false;
    };
    // The process's own uid, as Linux shows it; elsewhere, HOME's owner.
    let me = std::fs::metadata("/proc/self")
        .ok()
        .or_else(|| {
            config
                .tools
                .home
                .as_ref()
                .and_then(|h| std::fs::metadata(h).ok())
        })
        .map(|m| m.uid());
    me == Some(meta.uid())
}

/// Whether `env` (a path a file or a variable gave) is in one of the
/// central folders, owned by the user: then it is trusted as they are.
pub(crate) fn in_central_folder(env: &Path, config: &Config) -> bool {
    let Ok(real) = std::fs::canonicalize(env) else {
        return false;
    };
    let t = &config.tools;
    let folders = [
        config.central.as_ref().ok().cloned(),
        poetry::user_virtualenvs_path(t),
        t.pipenv_home.clone(),
        t.hatch_data.as_ref().map(|d| hatch::virtual_dir(d)),
        t.pyenv_root.as_ref().map(|r| r.join("versions")),
    ];
    folders
        .into_iter()
        .flatten()
        .filter_map(|f| std::fs::canonicalize(f).ok())
        .any(|f| real.starts_with(&f) && real != f)
        && owned_by_user(&real, config)
}

/// The probes a located environment adds, for tests: every path asked.
#[cfg(test)]
pub(crate) fn probed_paths(probes: &[Probe]) -> Vec<PathBuf> {
    probes
        .iter()
        .filter_map(|p| match p {
            Probe::Exists { path, .. }
            | Probe::Missing { path, .. }
            | Probe::FirstLine { path, .. } => Some(path.clone()),
            Probe::Volatile => None,
        })
        .collect()
}

#[cfg(test)]
mod fuzz {
    //! The tools' files hold whatever a repository put there: every parser
    //! answers, never panics, and reads a bounded amount.
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn toml_reader_never_panics(raw in prop::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(table) = super::parse_toml(&raw) {
                let _ = super::poetry::project_name(&table);
                let _ = super::hatch::project_name(&table);
                let _ = super::pipenv::in_project_setting(&table);
                let _ = super::uv::workspace_members(&table);
            }
        }

        #[test]
        fn toml_like_text_never_panics(text in "(\\[[a-z.\"]{0,12}\\]\n|[a-z\"-]{0,8} = [\"\\[{0-9a-z, ]{0,16}\n){0,8}") {
            if let Ok(table) = super::parse_toml(text.as_bytes()) {
                let _ = super::poetry::project_name(&table);
                let _ = super::poetry::envs_minor(&table, "x-AbCdEfGh");
                let _ = super::hatch::project_name(&table);
                let _ = super::pipenv::in_project_setting(&table);
                let _ = super::uv::workspace_members(&table);
            }
        }

        #[test]
        fn version_file_reader_never_panics(raw in prop::collection::vec(any::<u8>(), 0..300)) {
            if let Some(name) = super::pyenv::first_entry(&raw) {
                // What it accepts stays inside pyenv's versions folder.
                let joined = std::path::Path::new("/r/versions").join(&name);
                prop_assert!(joined.starts_with("/r/versions/"));
                prop_assert!(!joined.components().any(|c| matches!(c, std::path::Component::ParentDir)));
            }
        }

        #[test]
        fn venv_file_reader_never_panics(raw in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = super::venv_file::parse(&raw, std::path::Path::new("/p/.venv"));
        }

        #[test]
        fn name_sanitisers_never_panic(raw in prop::collection::vec(any::<u8>(), 0..120)) {
            let name = super::pipenv::sanitize(&raw);
            prop_assert!(name.len() <= raw.len());
            let name = super::poetry::sanitize(&String::from_utf8_lossy(&raw));
            prop_assert!(name.chars().count() <= 42);
        }
    }
}
