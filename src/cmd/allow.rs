//! `autovenv allow` and `autovenv deny`: trust, keyed on the environment's
//! canonical path.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::bytes;
use crate::config::Config;
use crate::detect::{self, Marker};
use crate::message;
use crate::snapshot::Snapshot;
use crate::trust;
use crate::venv;

/// Folders `allow --recursive` does not descend into: they hold no projects
/// of the user's, and can be huge.
const SKIP: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    "site-packages",
];

fn data_dir(config: &Config) -> Result<PathBuf> {
    config.data_dir.clone().map_err(anyhow::Error::msg)
}

/// The venv folder that applies to `path`, as the hook would find it.
fn project_venv(config: &Config, path: &Path) -> Result<(PathBuf, PathBuf)> {
    if !path.is_dir() {
        bail!("{} is not a folder", bytes::display_path(path));
    }
    let detection = detect::detect(path, config);
    let Some(project) = detection.project else {
        bail!(
            "no environment found in {} or its parents (looked for .venv-name, {}, a .venv file, and uv's, Poetry's, Pipenv's, Hatch's and pyenv-virtualenv's environments)",
            bytes::display_path(path),
            config
                .venv_dirs
                .iter()
                .map(|d| bytes::display(d.as_encoded_bytes()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    match (&project.marker, project.venv) {
        (Marker::NameFile { .. }, Ok(v)) => bail!(
            "{} uses the central environment {}, which is trusted without asking",
            bytes::display_path(&project.root),
            bytes::display_path(&v.path)
        ),
        (Marker::NameFile { .. }, Err(why)) => bail!("{why}"),
        (Marker::VenvDir { name }, _) => Ok((project.root.join(name), project.root)),
        (marker, Ok(v)) if project.central => bail!(
            "{} uses {}, which is trusted without asking: it is in {}'s own folder",
            bytes::display_path(&project.root),
            bytes::display_path(&v.path),
            marker.tool()
        ),
        // A `.venv` file's or UV_PROJECT_ENVIRONMENT's path outside the
        // central folders: allowed like a venv folder.
        (_, Ok(v)) => Ok((v.path, project.root)),
        (_, Err(why)) => bail!("{why}"),
    }
}

pub fn allow(env: &Snapshot, path: Option<PathBuf>, recursive: bool) -> Result<()> {
    let config = Config::from_snapshot(env);
    let data = data_dir(&config)?;
    let path = super::folder_arg(env, path)?;
    if recursive {
        return allow_recursive(&config, &data, &path);
    }
    let (venv, root) = project_venv(&config, &path)?;
    trust::allow(&data, &venv)?;
    let when = if is_here(env, &root) {
        "it activates at the next prompt".to_string()
    } else {
        format!(
            "it activates when you cd into {}",
            bytes::display_path(&root)
        )
    };
    message::info(
        &config,
        &format!("allowed {}; {when}", bytes::display_path(&venv)),
    );
    Ok(())
}

/// Whether the shell this runs in is inside the project at `root`: only
/// then does its next prompt see the change.
fn is_here(env: &Snapshot, root: &Path) -> bool {
    let Ok(here) = super::folder_arg(env, None) else {
        return false;
    };
    here.starts_with(root)
        || matches!((here.canonicalize(), root.canonicalize()), (Ok(h), Ok(r)) if h.starts_with(&r))
}

fn allow_recursive(config: &Config, data: &Path, top: &Path) -> Result<()> {
    if !top.is_dir() {
        bail!("{} is not a folder", bytes::display_path(top));
    }
    let mut found = Vec::new();
    let mut stack = vec![top.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            message::problem(&format!(
                "skipping {}: cannot read it",
                bytes::display_path(&dir)
            ));
            continue;
        };
        let mut subdirs = Vec::new();
        for entry in entries.flatten() {
            // Links are not followed: a loop, or a link out of the tree,
            // must not make allow trust something elsewhere.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                subdirs.push(entry.path());
            } else if kind.is_file() && entry.file_name() == ".venv" {
                // A `.venv` file whose path leads outside the central
                // folders needs allow like a venv folder.
                if let Some(p) = detect::detect(&dir, config).project
                    && p.root == dir
                    && matches!(p.marker, Marker::VenvFile { .. })
                    && !p.central
                    && let Ok(v) = p.venv
                {
                    found.push(v.path);
                }
            }
        }
        subdirs.sort();
        for sub in subdirs {
            let name = sub.file_name().unwrap_or_default();
            if config.venv_dirs.iter().any(|d| d == name) && venv::is_venv(&sub) {
                found.push(sub);
            } else if !SKIP.iter().any(|s| name == *s) && !venv::is_venv(&sub) {
                stack.push(sub);
            }
        }
    }
    found.sort();
    if found.is_empty() {
        bail!(
            "no project environments found under {}",
            bytes::display_path(top)
        );
    }
    for venv in &found {
        trust::allow(data, venv)?;
        message::info(config, &format!("allowed {}", bytes::display_path(venv)));
    }
    message::info(
        config,
        &format!(
            "allowed {} environment(s) under {}",
            found.len(),
            bytes::display_path(top)
        ),
    );
    Ok(())
}

pub fn deny(env: &Snapshot, path: Option<PathBuf>) -> Result<()> {
    let config = Config::from_snapshot(env);
    let data = data_dir(&config)?;
    let path = super::folder_arg(env, path)?;
    let (venv, root) = project_venv(&config, &path)?;
    if trust::deny(&data, &venv)? {
        let when = if is_here(env, &root) {
            "it deactivates at the next prompt"
        } else {
            "shells inside the project deactivate it at their next prompt"
        };
        message::info(
            &config,
            &format!("denied {}; {when}", bytes::display_path(&venv)),
        );
    } else {
        message::info(
            &config,
            &format!(
                "{} was not allowed; nothing to take back",
                bytes::display_path(&venv)
            ),
        );
    }
    Ok(())
}
