//! uv's project environment under `UV_PROJECT_ENVIRONMENT`: an absolute
//! value as given, a relative one joined to the workspace root (not to the
//! current folder), an empty one ignored (astral-sh/uv
//! crates/uv-workspace/src/workspace.rs, `environment_selection`).
//!
//! Without the variable, uv's environment is the workspace root's `.venv`,
//! which the venv-folder rule already finds through the nearest-first walk
//! (a member has no `.venv` of its own, so the walk reaches the root's).
//!
//! Checked against uv 0.13.9 (`uv sync`, with and without the variable, in
//! a project and in a workspace member).

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::detect::{Marker, Prober, Project};
use crate::venv;

pub fn locate(
    dir: &Path,
    pyproject: &Result<toml::Table, String>,
    config: &Config,
    prober: &mut Prober,
) -> Option<Project> {
    let value = config.tools.uv_project_environment.as_ref()?;
    // uv only takes a pyproject.toml with a [project] table (or a
    // workspace root) as a project; a damaged one is no uv project.
    let table = pyproject.as_ref().ok()?;
    if !table.contains_key("project") && workspace_members(table).is_none() {
        return None;
    }
    let env = if value.is_absolute() {
        value.clone()
    } else {
        workspace_root(dir).join(value)
    };
    if !prober.is_venv(&env) {
        return None;
    }
    let central = super::in_central_folder(&env, config);
    Some(Project {
        root: dir.to_path_buf(),
        marker: Marker::Uv {
            pyproject: dir.join("pyproject.toml"),
        },
        venv: venv::load(&env, Some(dir)),
        central,
    })
}

/// `[tool.uv.workspace] members` and `exclude`, where the table has a
/// workspace.
pub fn workspace_members(table: &toml::Table) -> Option<(Vec<String>, Vec<String>)> {
    let ws = super::toml_get(table, &["tool", "uv", "workspace"])?.as_table()?;
    let list = |key: &str| -> Vec<String> {
        ws.get(key)
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    Some((list("members"), list("exclude")))
}

/// The workspace root of the project in `dir` (canonical, as uv has it): the nearest folder above
/// whose `pyproject.toml` has `[tool.uv.workspace]` with `dir` among its
/// members and not excluded, else `dir` itself (uv's `find_workspace`, same
/// file). Read at a `cd`, not watched: a workspace edited later is seen at
/// the next `cd`.
fn workspace_root(dir: &Path) -> PathBuf {
    let here = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if let Ok(t) = super::read_toml(&dir.join("pyproject.toml"))
        && workspace_members(&t).is_some()
    {
        return dir.to_path_buf();
    }
    for above in here.ancestors().skip(1) {
        let file = above.join("pyproject.toml");
        if !file.is_file() {
            continue;
        }
        let Ok(table) = super::read_toml(&file) else {
            continue;
        };
        let Some((members, exclude)) = workspace_members(&table) else {
            continue;
        };
        let Ok(rel) = here.strip_prefix(above) else {
            continue;
        };
        let matches = |globs: &[String]| globs.iter().any(|g| glob_matches(g, rel));
        if matches(&members) && !matches(&exclude) {
            return above.to_path_buf();
        }
        return dir.to_path_buf();
    }
    dir.to_path_buf()
}

/// A workspace glob (`packages/*`, `libs/**`) against a relative path, one
/// component at a time: `*` and `?` within a component, `**` across any.
fn glob_matches(glob: &str, path: &Path) -> bool {
    let globs: Vec<&str> = glob
        .trim_start_matches("./")
        .split('/')
        .filter(|c| !c.is_empty())
        .collect();
    let parts: Vec<Vec<u8>> = path
        .components()
        .map(|c| c.as_os_str().as_encoded_bytes().to_vec())
        .collect();
    components_match(&globs, &parts)
}

fn components_match(globs: &[&str], parts: &[Vec<u8>]) -> bool {
    match globs.split_first() {
        None => parts.is_empty(),
        Some((&"**", rest)) => (0..=parts.len()).any(|skip| components_match(rest, &parts[skip..])),
        Some((g, rest)) => match parts.split_first() {
            Some((p, more)) => name_matches(g.as_bytes(), p) && components_match(rest, more),
            None => false,
        },
    }
}

fn name_matches(glob: &[u8], name: &[u8]) -> bool {
    match glob.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|skip| name_matches(rest, &name[skip..])),
        Some((b'?', rest)) => !name.is_empty() && name_matches(rest, &name[1..]),
        Some((c, rest)) => name.first() == Some(c) && name_matches(rest, &name[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::detect;
    use std::fs;

    fn config(home: &Path, value: &str) -> Config {
        Config::from_snapshot(&crate::snapshot::Snapshot::from_pairs(
            [
                ("HOME", home.as_os_str()),
                ("UV_PROJECT_ENVIRONMENT", std::ffi::OsStr::new(value)),
            ],
            None,
        ))
    }

    fn fake_venv(dir: &Path) {
        fs::create_dir_all(dir.join("bin")).unwrap();
        fs::write(dir.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        std::os::unix::fs::symlink("/usr/bin/python3", dir.join("bin/python")).unwrap();
    }

    const PROJECT: &str = "[project]\nname = \"m\"\nversion = \"0\"\n";

    #[test]
    fn globs() {
        assert!(glob_matches("packages/*", Path::new("packages/a")));
        assert!(!glob_matches("packages/*", Path::new("packages/a/b")));
        assert!(glob_matches("libs/**", Path::new("libs/a/b")));
        assert!(glob_matches("./app", Path::new("app")));
        assert!(glob_matches("p?g", Path::new("pkg")));
        assert!(!glob_matches("app", Path::new("other")));
    }

    #[test]
    fn relative_value_is_joined_to_the_workspace_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        let member = root.join("packages/m");
        fs::create_dir_all(&member).unwrap();
        fs::write(
            root.join("pyproject.toml"),
            "[project]\nname = \"ws\"\nversion = \"0\"\n[tool.uv.workspace]\nmembers = [\"packages/*\"]\n",
        )
        .unwrap();
        fs::write(member.join("pyproject.toml"), PROJECT).unwrap();
        fake_venv(&root.join("envs/shared"));
        let d = detect(&member, &config(tmp.path(), "envs/shared"));
        let p = d.project.unwrap();
        assert_eq!(p.root, member);
        assert_eq!(p.marker.code(), "uv");
        assert!(!p.is_central(), "a path in the tree needs allow");
        assert_eq!(
            p.venv.unwrap().path,
            fs::canonicalize(&root).unwrap().join("envs/shared")
        );
    }

    #[test]
    fn absolute_value_is_taken_as_given_and_missing_is_watched() {
        let tmp = tempfile::tempdir().unwrap();
        let proj = tmp.path().join("p");
        fs::create_dir_all(&proj).unwrap();
        fs::write(proj.join("pyproject.toml"), PROJECT).unwrap();
        let env = tmp.path().join("elsewhere/env");
        let c = config(tmp.path(), env.to_str().unwrap());
        let d = detect(&proj, &c);
        assert!(d.project.is_none());
        assert!(super::super::probed_paths(&d.probes).contains(&env.join("pyvenv.cfg")));
        fake_venv(&env);
        assert_eq!(detect(&proj, &c).project.unwrap().venv.unwrap().path, env);
    }

    #[test]
    fn empty_value_is_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let c = config(tmp.path(), "");
        assert!(c.tools.uv_project_environment.is_none());
    }
}
