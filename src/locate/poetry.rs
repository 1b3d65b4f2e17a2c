//! Poetry's central environments, found as Poetry finds them
//! (python-poetry/poetry src/poetry/utils/env/env_manager.py,
//! `EnvManager.get` and `generate_env_name`; settings from
//! src/poetry/config/config.py and src/poetry/factory.py):
//!
//! - the project is the folder of the nearest `pyproject.toml`; its name is
//!   `project.name`, else `tool.poetry.name` (else `non-package-mode`, in a
//!   project without a package), normalised as packaging's
//!   `canonicalize_name` does;
//! - the environment is `{name}-{hash}-py{X.Y}` in `virtualenvs.path`,
//!   where `name` is lowercased, `[ $`!*@"\\\r\n\t]` become `_`, cut to 42
//!   characters, and `hash` is the first 8 characters of the URL-safe
//!   base64 of the SHA-256 of the folder's real path;
//! - `virtualenvs.path` (default `{cache-dir}/virtualenvs`), `cache-dir`,
//!   `virtualenvs.in-project` and `virtualenvs.create` come from
//!   `POETRY_*` variables, else the project's `poetry.toml`, else the
//!   user's `config.toml`, else Poetry's defaults;
//! - `X.Y` is what `envs.toml` (in `virtualenvs.path`) records for the
//!   project (`poetry env use`); without a record Poetry asks the Python on
//!   PATH, which autovenv does not run: one environment is that one, several
//!   are reported and none is picked.
//!
//! Checked against Poetry 2.5.1 (`poetry env info -p`).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::bytes;
use crate::config::{Tools, expand_home};
use crate::detect::{Marker, Prober, Project};
use crate::venv;

/// The Python minors whose environment the hook watches for, so that the
/// first `poetry install` is seen at the next prompt without a `cd` (which
/// minor Poetry will use is the Python on PATH's, unknown here).
const WATCHED_MINORS: std::ops::RangeInclusive<u32> = 8..=15;

/// Poetry's `virtualenvs.path` for this user, before any project's own
/// `poetry.toml`: the folder whose existence turns the kind on.
pub fn user_virtualenvs_path(t: &Tools) -> Option<PathBuf> {
    Settings::read(t, None).path
}

/// What decides where a project's environment is.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Settings {
    path: Option<PathBuf>,
    in_project: Option<bool>,
    create: bool,
}

impl Settings {
    /// Poetry's order: variables, the project's `poetry.toml`, the user's
    /// `config.toml`, the defaults. A damaged file counts as empty.
    fn read(t: &Tools, local: Option<&toml::Table>) -> Settings {
        let user = t
            .poetry_config_dir
            .as_ref()
            .and_then(|d| super::read_toml(&d.join("config.toml")).ok());
        let files = [local, user.as_ref()];
        let setting = |keys: &[&str]| {
            files
                .iter()
                .flatten()
                .find_map(|f| super::toml_get(f, keys))
        };
        let flag = |keys: &[&str]| {
            setting(keys).and_then(|v| match v {
                toml::Value::Boolean(b) => Some(*b),
                toml::Value::String(s) => Some(s.eq_ignore_ascii_case("true") || s == "1"),
                _ => None,
            })
        };
        let home = t.home.as_deref();
        let text_path = |keys: &[&str]| {
            setting(keys)
                .and_then(toml::Value::as_str)
                .map(|s| PathBuf::from(s.to_string()))
        };
        let cache_dir = if t.poetry_cache_dir_from_env {
            t.poetry_cache_dir.clone()
        } else {
            text_path(&["cache-dir"])
                .map(|p| expand_home(&p, home))
                .or_else(|| t.poetry_cache_dir.clone())
        };
        // `{cache-dir}` inside the path is replaced by the setting (Poetry's
        // `Config.process`), then `~` expanded.
        let path = t
            .poetry_virtualenvs_path
            .clone()
            .or_else(|| text_path(&["virtualenvs", "path"]))
            .map(|p| {
                let text = p.as_os_str().as_encoded_bytes();
                let marker = b"{cache-dir}";
                match (
                    text.windows(marker.len()).position(|w| w == marker),
                    &cache_dir,
                ) {
                    (Some(at), Some(cache)) => {
                        let mut joined = text[..at].to_vec();
                        joined.extend_from_slice(cache.as_os_str().as_encoded_bytes());
                        joined.extend_from_slice(&text[at + marker.len()..]);
                        bytes::path(&joined)
                    }
                    _ => p,
                }
            })
            .map(|p| expand_home(&p, home))
            .or_else(|| cache_dir.map(|c| c.join("virtualenvs")));
        Settings {
            path,
            in_project: t
                .poetry_in_project
                .or_else(|| flag(&["virtualenvs", "in-project"])),
            create: t
                .poetry_create
                .or_else(|| flag(&["virtualenvs", "create"]))
                .unwrap_or(true),
        }
    }
}

pub fn locate(
    dir: &Path,
    pyproject: &Result<toml::Table, String>,
    config: &crate::config::Config,
    prober: &mut Prober,
) -> Option<Project> {
    let pyproject_file = dir.join("pyproject.toml");
    let project = |venv: Result<venv::Venv, String>, central: bool| Project {
        root: dir.to_path_buf(),
        marker: Marker::Poetry {
            pyproject: pyproject_file.clone(),
        },
        venv,
        central,
    };
    let table = match pyproject {
        Ok(t) => t,
        // Poetry itself would stop here: say why, activate nothing.
        Err(why) => return Some(project(Err(why.clone()), false)),
    };
    let name = project_name(table)?;
    let local_file = dir.join("poetry.toml");
    let local = if prober.exists(local_file.clone()) {
        super::read_toml(&local_file).ok()
    } else {
        None
    };
    let settings = Settings::read(&config.tools, local.as_ref());
    // In the project (`.venv`, which the venv-folder rule has looked at
    // already), or none at all: nothing central to find.
    if settings.in_project == Some(true) || !settings.create {
        return None;
    }
    let folder = settings.path?;
    let real = std::fs::canonicalize(dir).ok()?;
    let base = match env_name(&name, &real) {
        Ok(base) => base,
        Err(why) => return Some(project(Err(why), false)),
    };

    let mut minors: Vec<String> = WATCHED_MINORS.map(|m| format!("3.{m}")).collect();
    let prefix = format!("{base}-py");
    for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
        if let Some(minor) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.strip_prefix(prefix.as_str()))
            && !minor.is_empty()
            && minor.len() < 8
            && minor.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && !minors.iter().any(|m| m == minor)
        {
            minors.push(minor.to_string());
        }
    }
    let mut found = Vec::new();
    for minor in &minors {
        let env = folder.join(format!("{prefix}{minor}"));
        if prober.exists(env.join("pyvenv.cfg")) && prober.link_exists(env.join("bin/python")) {
            found.push((minor.clone(), env));
        }
    }
    let envs_file = folder.join("envs.toml");
    let recorded = if prober.exists(envs_file.clone()) {
        super::read_toml(&envs_file)
            .ok()
            .and_then(|t| envs_minor(&t, &base))
    } else {
        None
    };
    let chosen = match (recorded, found.len()) {
        (Some(minor), _) => found.into_iter().find(|(m, _)| *m == minor.trim())?,
        (None, 0) => return None,
        (None, 1) => found.pop()?,
        (None, _) => {
            let list: Vec<String> = found.iter().map(|(m, _)| m.clone()).collect();
            return Some(project(
                Err(format!(
                    "{} has Poetry environments for Python {} (no choice recorded in envs.toml): Poetry would ask the Python on PATH which to use, and autovenv runs none; pick one with: poetry env use {}",
                    bytes::display_path(dir),
                    list.join(" and "),
                    list.last().cloned().unwrap_or_default()
                )),
                false,
            ));
        }
    };
    let central = super::owned_by_user(&chosen.1, config);
    Some(project(venv::load(&chosen.1, Some(dir)), central))
}

/// `project.name`, else `tool.poetry.name`, else `non-package-mode` for a
/// Poetry project without a package (poetry-core's `Factory`).
pub fn project_name(table: &toml::Table) -> Option<String> {
    super::toml_str(table, &["project", "name"])
        .or_else(|| super::toml_str(table, &["tool", "poetry", "name"]))
        .map(str::to_string)
        .or_else(|| {
            super::toml_get(table, &["tool", "poetry"])
                .is_some()
                .then(|| "non-package-mode".to_string())
        })
}

/// packaging's `canonicalize_name`, then Poetry's lowercasing and
/// replacement of characters that shells treat specially, cut to 42.
pub fn sanitize(name: &str) -> String {
    let mut canonical = String::new();
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                canonical.push('-');
            }
            in_run = true;
        } else {
            canonical.push(c);
            in_run = false;
        }
    }
    canonical
        .to_lowercase()
        .chars()
        .map(|c| {
            if " $`!*@\"\\\r\n\t".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(42)
        .collect()
}

/// `{name}-{hash}` for the project at `real` (its canonical path).
pub fn env_name(name: &str, real: &Path) -> Result<String, String> {
    let clean = sanitize(name);
    if clean.is_empty() || clean.contains('/') || clean.contains('\0') || clean == "." {
        return Err(format!(
            "the project name '{}' in {} cannot name a Poetry environment",
            bytes::display(name.as_bytes()),
            bytes::display_path(&real.join("pyproject.toml"))
        ));
    }
    let digest = Sha256::digest(real.as_os_str().as_encoded_bytes());
    Ok(format!("{clean}-{}", super::urlsafe_base64_8(&digest)))
}

/// The minor version `envs.toml` records for the environment `base`.
pub fn envs_minor(table: &toml::Table, base: &str) -> Option<String> {
    super::toml_str(table, &[base, "minor"]).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_hashes_as_poetry_makes_them() {
        // Made by Poetry 2.5.1: `poetry env info -p` in "/tmp/kw/poetry app"
        // with `name = "My_Cool.App"` printed
        // .../virtualenvs/my-cool-app-iB8kXK7T-py3.11.
        assert_eq!(
            env_name("My_Cool.App", Path::new("/tmp/kw/poetry app")).unwrap(),
            "my-cool-app-iB8kXK7T"
        );
        assert_eq!(sanitize("a b$c`d!e*f@g\"h\\i"), "a_b_c_d_e_f_g_h_i");
        assert_eq!(sanitize("A__B..C"), "a-b-c");
        assert_eq!(sanitize(&"x".repeat(60)).len(), 42);
        assert!(env_name("a/b", Path::new("/p")).is_err());
    }

    #[test]
    fn name_sources() {
        let t: toml::Table = "[project]\nname = \"a\"\n[tool.poetry]\nname = \"b\"\n"
            .parse()
            .unwrap();
        assert_eq!(project_name(&t).as_deref(), Some("a"));
        let t: toml::Table = "[tool.poetry]\nname = \"b\"\n".parse().unwrap();
        assert_eq!(project_name(&t).as_deref(), Some("b"));
        let t: toml::Table = "[tool.poetry]\npackage-mode = false\n".parse().unwrap();
        assert_eq!(project_name(&t).as_deref(), Some("non-package-mode"));
        let t: toml::Table = "[tool.black]\n".parse().unwrap();
        assert_eq!(project_name(&t), None);
    }

    fn tools(vars: &[(&str, &str)]) -> Tools {
        crate::config::Config::from_snapshot(&crate::snapshot::Snapshot::from_pairs(
            vars.iter().copied(),
            None,
        ))
        .tools
    }

    #[test]
    fn settings_in_poetrys_order() {
        let tmp = tempfile::tempdir().unwrap();
        let cfg_dir = tmp.path().join("cfg");
        std::fs::create_dir_all(&cfg_dir).unwrap();
        std::fs::write(
            cfg_dir.join("config.toml"),
            "cache-dir = \"/c\"\n[virtualenvs]\nin-project = false\n",
        )
        .unwrap();
        let c = cfg_dir.to_str().unwrap();
        let t = tools(&[("HOME", "/h"), ("POETRY_CONFIG_DIR", c)]);
        let s = Settings::read(&t, None);
        assert_eq!(s.path, Some(PathBuf::from("/c/virtualenvs")));
        assert_eq!(s.in_project, Some(false));
        let local: toml::Table = "[virtualenvs]\nin-project = true\npath = \"{cache-dir}/v2\"\n"
            .parse()
            .unwrap();
        let s = Settings::read(&t, Some(&local));
        assert_eq!(s.in_project, Some(true));
        assert_eq!(s.path, Some(PathBuf::from("/c/v2")));
        let t = tools(&[
            ("HOME", "/h"),
            ("POETRY_CONFIG_DIR", c),
            ("POETRY_VIRTUALENVS_PATH", "~/envs"),
            ("POETRY_VIRTUALENVS_IN_PROJECT", "0"),
        ]);
        let s = Settings::read(&t, Some(&local));
        assert_eq!(s.path, Some(PathBuf::from("/h/envs")));
        assert_eq!(s.in_project, Some(false));
        // The default: the platform cache folder.
        let t = tools(&[("HOME", "/h"), ("POETRY_CONFIG_DIR", "/none")]);
        let expected = if cfg!(target_os = "macos") {
            "/h/Library/Caches/pypoetry/virtualenvs"
        } else {
            "/h/.cache/pypoetry/virtualenvs"
        };
        assert_eq!(Settings::read(&t, None).path, Some(PathBuf::from(expected)));
    }

    #[test]
    fn envs_file_record() {
        let t: toml::Table = "[my-app-AbCdEfGh]\nminor = \"3.12\"\npatch = \"3.12.1\"\n"
            .parse()
            .unwrap();
        assert_eq!(envs_minor(&t, "my-app-AbCdEfGh").as_deref(), Some("3.12"));
        assert_eq!(envs_minor(&t, "other-AbCdEfGh"), None);
    }
}
