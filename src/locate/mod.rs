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
            pyenv: gate(t.pyenv_root.as_ref().map(|r| r.join("versions")))
                .filter(|v| pyenv::holds_environments(v, prober)),
            uv: t.uv_project_environment.is_some(),
        }
    }

    /// Every name the search asks about in each folder it walks, with the
    /// tools' files that give a hint where there is no project: a folder
    /// holding none of them can hold no marker (src/region.rs).
    pub fn folder_names(&self, config: &Config) -> Vec<std::ffi::OsString> {
        let mut names: Vec<std::ffi::OsString> = vec![crate::detect::NAME_FILE.into()];
        names.extend(config.venv_dirs.iter().cloned());
        names.push(".venv".into());
        if self.pyenv.is_some() {
            names.push(".python-version".into());
        }
        for (name, _) in HINT_FILES {
            names.push(name.into());
        }
        names.sort();
        names.dedup();
        names
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

/// One tool's central folder, for `autovenv list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolFolder {
    pub tool: &'static str,
    pub folder: PathBuf,
    pub exists: bool,
    /// The environments directly in it (Hatch's: at its fixed depth).
    pub environments: usize,
}

/// Poetry's, Pipenv's, Hatch's and pyenv's folders, where they can be known.
pub fn tool_folders(config: &Config) -> Vec<ToolFolder> {
    let t = &config.tools;
    let folders = [
        ("Poetry", poetry::user_virtualenvs_path(t), 0),
        ("Pipenv", t.pipenv_home.clone(), 0),
        (
            "Hatch",
            t.hatch_data.as_ref().map(|d| hatch::virtual_dir(d)),
            2,
        ),
        (
            "pyenv-virtualenv",
            t.pyenv_root.as_ref().map(|r| r.join("versions")),
            0,
        ),
    ];
    folders
        .into_iter()
        .filter_map(|(tool, folder, depth)| {
            let folder = folder?;
            Some(ToolFolder {
                tool,
                exists: folder.is_dir(),
                environments: count_venvs(&folder, depth),
                folder,
            })
        })
        .collect()
}

/// Environments `depth` folders below `dir` (links followed, as pyenv's
/// `versions/NAME` is one; a plain interpreter is no environment).
fn count_venvs(dir: &Path, depth: usize) -> usize {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            let p = e.path();
            if depth == 0 {
                usize::from(crate::venv::is_venv(&p))
            } else {
                count_venvs(&p, depth - 1)
            }
        })
        .sum()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::detect;
    use std::fs;

    /// A HOME in which every tool's folder exists.
    fn all_kinds(home: &Path) -> Config {
        for d in [
            ".cache/pypoetry/virtualenvs",
            ".local/share/virtualenvs",
            ".local/share/hatch/env/virtual",
            ".pyenv/versions",
        ] {
            fs::create_dir_all(home.join(d)).unwrap();
        }
        Config::from_snapshot(&crate::snapshot::Snapshot::from_pairs(
            [
                ("HOME", home.as_os_str()),
                ("AUTOVENV_HOME", home.join("central").as_os_str()),
                ("POETRY_CONFIG_DIR", home.join("none").as_os_str()),
            ],
            None,
        ))
    }

    fn fake_venv(dir: &Path) {
        fs::create_dir_all(dir.join("bin")).unwrap();
        fs::write(dir.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        std::os::unix::fs::symlink("/usr/bin/python3", dir.join("bin/python")).unwrap();
    }

    #[test]
    fn with_every_folder_each_level_asks_three_more_questions() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let c = all_kinds(&home);
        fake_venv(&home.join(".pyenv/versions/3.12.1/envs/seed"));
        let deep = tmp.path().join("a/b/c");
        fs::create_dir_all(&deep).unwrap();
        let d = detect(&deep, &c);
        assert!(d.project.is_none());
        let levels = deep.ancestors().count();
        // .venv-name, venv, .venv; pyproject.toml, Pipfile (within
        // Pipenv's depth), .python-version; and the four folders.
        let pipfile_levels = levels.min(c.tools.pipenv_max_depth);
        assert_eq!(d.probes.len(), 3 * levels + 2 * levels + pipfile_levels + 4);
    }

    #[test]
    fn pyenv_without_environments_costs_nothing_per_level() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let c = all_kinds(&home);
        let versions = home.join(".pyenv/versions");
        fs::create_dir_all(versions.join("3.12.1/bin")).unwrap();
        fs::create_dir_all(versions.join("3.11.7/bin")).unwrap();
        let deep = tmp.path().join("a/b/c");
        fs::create_dir_all(&deep).unwrap();
        let d = detect(&deep, &c);
        let asked = probed_paths(&d.probes);
        assert!(!asked.iter().any(|p| p.ends_with(".python-version")));
        // Where `pyenv virtualenv` would put the first environment.
        assert!(asked.contains(&versions.join("3.12.1/envs")));
        assert!(asked.contains(&versions.join("3.11.7/envs")));
        // Each answer is the one `test -e` gives, though the search opened
        // the folder rather than asked: a folder, empty or not, is there;
        // a file in its place is too; a link to nothing is not.
        fs::create_dir(versions.join("3.12.1/envs")).unwrap();
        fs::create_dir_all(versions.join("3.10.1")).unwrap();
        fs::write(versions.join("3.10.1/envs"), "").unwrap();
        fs::create_dir_all(versions.join("3.9.1")).unwrap();
        std::os::unix::fs::symlink("/nonexistent", versions.join("3.9.1/envs")).unwrap();
        let d = detect(&deep, &c);
        for (version, there) in [
            ("3.12.1", true),
            ("3.11.7", false),
            ("3.10.1", true),
            ("3.9.1", false),
        ] {
            let path = versions.join(version).join("envs");
            let probe = if there {
                Probe::Exists { path, link: false }
            } else {
                Probe::Missing { path, link: false }
            };
            assert!(d.probes.contains(&probe), "{probe:?}");
        }
        // Once there is one, `.python-version` is asked in every folder.
        fake_venv(&versions.join("3.11.7/envs/web"));
        let d = detect(&deep, &c);
        assert!(probed_paths(&d.probes).contains(&deep.join(".python-version")));
    }

    #[test]
    fn damaged_tool_files_give_one_line_and_activate_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let c = all_kinds(&home);
        let p = tmp.path().join("p");
        fs::create_dir_all(&p).unwrap();
        for (content, says) in [
            (b"[project\nname = 1".to_vec(), "not valid TOML"),
            (b"\xff\xfe\x00binary".to_vec(), "not UTF-8"),
            (vec![b'#'; 2 << 20], "larger than 1 MiB"),
        ] {
            fs::write(p.join("pyproject.toml"), &content).unwrap();
            let d = detect(&p, &c);
            let project = d.project.expect("Poetry would stop here too");
            let why = project.venv.unwrap_err();
            assert!(why.contains(says), "{why}");
            assert!(!why.contains('\n'), "one line: {why}");
        }
        fs::remove_file(p.join("pyproject.toml")).unwrap();
        fs::write(p.join("Pipfile"), "[[source]\n").unwrap();
        let why = detect(&p, &c).project.unwrap().venv.unwrap_err();
        assert!(why.contains("Pipfile is damaged"), "{why}");
    }

    #[test]
    fn poetry_pipenv_hatch_and_pyenv_in_their_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let c = all_kinds(&home);
        let fake = |dir: &Path| {
            fs::create_dir_all(dir.join("bin")).unwrap();
            fs::write(dir.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
            std::os::unix::fs::symlink("/usr/bin/python3", dir.join("bin/python")).unwrap();
        };
        // Poetry: one environment is that one; a second asks for a choice.
        let proj = tmp.path().join("poetry-proj");
        fs::create_dir_all(&proj).unwrap();
        fs::write(proj.join("pyproject.toml"), "[project]\nname = \"Demo\"\n").unwrap();
        let real = fs::canonicalize(&proj).unwrap();
        let base = poetry::env_name("Demo", &real).unwrap();
        let venvs = home.join(".cache/pypoetry/virtualenvs");
        fake(&venvs.join(format!("{base}-py3.11")));
        let p = detect(&proj, &c).project.unwrap();
        assert_eq!(p.marker.code(), "poetry");
        assert!(p.is_central());
        assert_eq!(p.venv.unwrap().path, venvs.join(format!("{base}-py3.11")));
        fake(&venvs.join(format!("{base}-py3.9")));
        let why = detect(&proj, &c).project.unwrap().venv.unwrap_err();
        assert!(why.contains("poetry env use"), "{why}");
        fs::write(
            venvs.join("envs.toml"),
            format!("[{base}]\nminor = \"3.9\"\npatch = \"3.9.18\"\n"),
        )
        .unwrap();
        let p = detect(&proj, &c).project.unwrap();
        assert_eq!(p.venv.unwrap().path, venvs.join(format!("{base}-py3.9")));

        // Pipenv, from a subfolder.
        let proj = tmp.path().join("pipenv proj");
        fs::create_dir_all(proj.join("src")).unwrap();
        fs::write(proj.join("Pipfile"), "[packages]\n").unwrap();
        let real = fs::canonicalize(&proj).unwrap();
        let env = home
            .join(".local/share/virtualenvs")
            .join(bytes::os(&pipenv::env_name(&real)));
        fake(&env);
        let p = detect(&proj.join("src"), &c).project.unwrap();
        assert_eq!((p.marker.code(), p.root.clone()), ("pipenv", proj.clone()));
        assert_eq!(p.venv.unwrap().path, env);

        // Hatch.
        let proj = tmp.path().join("hatch-proj");
        fs::create_dir_all(&proj).unwrap();
        fs::write(proj.join("pyproject.toml"), "[project]\nname = \"H_x\"\n").unwrap();
        let real = fs::canonicalize(&proj).unwrap();
        let env = home
            .join(".local/share/hatch/env/virtual/h-x")
            .join(hatch::project_id(&real))
            .join("h-x");
        fake(&env);
        assert_eq!(detect(&proj, &c).project.unwrap().venv.unwrap().path, env);

        // pyenv-virtualenv: a name is an environment, a version is not.
        let proj = tmp.path().join("pyenv-proj");
        fs::create_dir_all(&proj).unwrap();
        let versions = home.join(".pyenv/versions");
        fake(&versions.join("3.12.1/envs/web"));
        fs::create_dir_all(versions.join("3.12.1/bin")).unwrap();
        std::os::unix::fs::symlink(versions.join("3.12.1/envs/web"), versions.join("web")).unwrap();
        fs::write(proj.join(".python-version"), "3.12.1\n").unwrap();
        assert!(detect(&proj, &c).project.is_none());
        fs::write(proj.join(".python-version"), "web\n").unwrap();
        let p = detect(&proj, &c).project.unwrap();
        assert_eq!(p.marker.code(), "pyenv-virtualenv");
        assert_eq!(p.venv.unwrap().path, versions.join("web"));
    }

    #[test]
    fn an_environment_another_user_owns_is_not_central() {
        // Only root can give a folder away; elsewhere there is nothing to try.
        let root = fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
        if !root {
            eprintln!("SKIPPED: needs root to chown a folder to another user");
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let c = all_kinds(&home);
        let proj = tmp.path().join("proj");
        fs::create_dir_all(&proj).unwrap();
        fs::write(proj.join("Pipfile"), "[packages]\n").unwrap();
        let real = fs::canonicalize(&proj).unwrap();
        let env = home
            .join(".local/share/virtualenvs")
            .join(bytes::os(&pipenv::env_name(&real)));
        fake_venv(&env);
        assert!(detect(&proj, &c).project.unwrap().is_central());
        std::os::unix::fs::chown(&env, Some(65534), Some(65534)).unwrap();
        let p = detect(&proj, &c).project.unwrap();
        assert!(p.venv.is_ok());
        assert!(!p.is_central(), "planted by another user: needs allow");
    }

    #[test]
    fn hints_name_the_command() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        fs::create_dir_all(&home).unwrap();
        let c = Config::from_snapshot(&crate::snapshot::Snapshot::from_pairs(
            [("HOME", home.as_os_str())],
            None,
        ));
        let p = tmp.path().join("p");
        fs::create_dir_all(p.join("src")).unwrap();
        assert_eq!(hint(&p.join("src"), &c), None);
        fs::write(p.join("requirements.txt"), "flask\n").unwrap();
        assert_eq!(hint(&p.join("src"), &c).unwrap().command, "autovenv new");
        fs::write(p.join("pyproject.toml"), "[tool.poetry]\n").unwrap();
        assert_eq!(hint(&p, &c).unwrap().command, "poetry install");
        fs::write(p.join("uv.lock"), "").unwrap();
        let h = hint(&p, &c).unwrap();
        assert_eq!((h.command, h.root), ("uv sync", p.clone()));
        // Not for HOME itself.
        fs::write(home.join("requirements.txt"), "x\n").unwrap();
        assert_eq!(hint(&home, &c), None);
    }
}
