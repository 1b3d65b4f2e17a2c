//! Hatch's default environment, found as Hatch places it (pypa/hatch
//! src/hatch/env/virtual.py `VirtualEnvironment.__init__`;
//! src/hatch/utils/fs.py `Path.id`; src/hatch/project/core.py
//! `find_project_root`; src/hatch/cli/application.py `get_env_directory`):
//!
//! - the project is the folder of the nearest `pyproject.toml`, with a
//!   `[project]` name, normalised as hatchling's `normalize_project_name`
//!   (runs of `-_.` become `-`, lowercase);
//! - the default environment is
//!   `{data}/env/virtual/{name}/{id}/{name}`, where `data` is
//!   `HATCH_DATA_DIR`, else the platform data folder + `hatch`, and `id`
//!   the first 8 characters of the URL-safe base64 of the SHA-256 of the
//!   project's path.
//!
//! Not followed (they need Hatch's own configuration, read at the next
//! release): `dirs.env` and `dirs.data` in Hatch's `config.toml`, and an
//! explicit `path` for the default environment.
//!
//! Checked against Hatch 1.18.2 (`hatch env find`).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::detect::{Marker, Prober, Project};
use crate::venv;

/// Where Hatch keeps virtual environments under its data folder.
pub fn virtual_dir(data: &Path) -> PathBuf {
    data.join("env/virtual")
}

pub fn locate(
    dir: &Path,
    pyproject: &Result<toml::Table, String>,
    virtual_dir: &Path,
    config: &crate::config::Config,
    prober: &mut Prober,
) -> Option<Project> {
    let name = project_name(pyproject.as_ref().ok()?)?;
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return None;
    }
    let real = std::fs::canonicalize(dir).ok()?;
    let env = virtual_dir.join(&name).join(project_id(&real)).join(&name);
    if !prober.is_venv(&env) {
        return None;
    }
    Some(Project {
        root: dir.to_path_buf(),
        marker: Marker::Hatch {
            pyproject: dir.join("pyproject.toml"),
        },
        venv: venv::load(&env, Some(dir)),
        central: super::owned_by_user(&env, config),
    })
}

/// `[project] name`, normalised.
pub fn project_name(table: &toml::Table) -> Option<String> {
    let raw = super::toml_str(table, &["project", "name"])?;
    let mut out = String::new();
    let mut in_run = false;
    for c in raw.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    Some(out.to_lowercase())
}

/// Hatch's project id: 8 characters of the path's hash.
pub fn project_id(real: &Path) -> String {
    super::urlsafe_base64_8(&Sha256::digest(real.as_os_str().as_encoded_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_as_hatch_makes_them() {
        // Made by Hatch 1.18.2: `hatch env find` in /tmp/kw/hatchproj with
        // `name = "Hatch_Demo.Proj"` printed
        // ~/.local/share/hatch/env/virtual/hatch-demo-proj/BUD7hLTl/hatch-demo-proj.
        assert_eq!(project_id(Path::new("/tmp/kw/hatchproj")), "BUD7hLTl");
        let t: toml::Table = "[project]\nname = \"Hatch_Demo.Proj\"\n".parse().unwrap();
        assert_eq!(project_name(&t).as_deref(), Some("hatch-demo-proj"));
    }
}
