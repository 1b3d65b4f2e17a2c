//! The inventory of environments and projects autovenv knows: the central
//! environments (with the projects known to name each one) and the trusted
//! projects, each with its state read without running it. `list` shows it;
//! `doctor` checks the health of what is in it.
//!
//! Which projects name a central environment cannot be known in general: a
//! `.venv-name` anywhere on disk may name it, and nothing records that.
//! autovenv reports the projects it has met (made with `new --name`,
//! trusted, or the one here) and says so.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::bytes;
use crate::config::Config;
use crate::detect::{self, NAME_FILE};
use crate::known;
use crate::trust;
use crate::venv;

/// One environment's state, read without running it.
#[derive(Debug, Clone)]
pub struct EnvState {
    pub path: PathBuf,
    pub version: Option<String>,
    /// Why it cannot be used as it is, or None when it is healthy.
    pub problem: Option<String>,
}

impl EnvState {
    pub fn read(path: &Path, project_root: Option<&Path>) -> EnvState {
        let mut state = EnvState {
            path: path.to_path_buf(),
            version: None,
            problem: None,
        };
        match venv::load(path, project_root) {
            Err(why) => state.problem = Some(why),
            Ok(v) => {
                state.version = v.version.clone();
                if let Err(why) = venv::health(&v) {
                    state.problem = Some(why);
                } else if let Some(old) = venv::moved_from(path) {
                    state.problem = Some(format!(
                        "{} was created at {} and moved: its scripts (pip, activate) still point there; recreate it where it is now",
                        bytes::display_path(path),
                        bytes::display_path(&old)
                    ));
                }
            }
        }
        state
    }

    pub fn healthy(&self) -> bool {
        self.problem.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct CentralEnv {
    pub name: OsString,
    pub state: EnvState,
    /// Projects autovenv knows whose `.venv-name` names it.
    pub used_by: Vec<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct TrustedProject {
    /// The trusted environment (canonical path, as trust is keyed).
    pub venv: PathBuf,
    pub root: PathBuf,
    /// None when the environment is no longer there.
    pub state: Option<EnvState>,
}

#[derive(Debug, Clone)]
pub struct Inventory {
    /// The central folder, or why it is not known.
    pub central: Result<PathBuf, String>,
    pub central_exists: bool,
    pub central_envs: Vec<CentralEnv>,
    pub trusted: Vec<TrustedProject>,
    /// What could not be read (the central folder, the trust store).
    /// The other tools' central folders and how many environments each has.
    pub tools: Vec<crate::locate::ToolFolder>,
    pub problems: Vec<String>,
}

pub fn inventory(config: &Config, here: Option<&Path>) -> Inventory {
    let mut problems = Vec::new();
    let mut central_envs = Vec::new();
    let central_exists = config.central.as_ref().is_ok_and(|c| c.is_dir());
    if let Ok(central) = &config.central
        && central_exists
    {
        match std::fs::read_dir(central) {
            Err(e) => problems.push(format!(
                "cannot read the central folder {}: {e}",
                bytes::display_path(central)
            )),
            Ok(entries) => {
                for entry in entries.flatten() {
                    let path = entry.path();
                    // An environment whose bin/python is gone is listed
                    // too, as broken.
                    if venv::shape(&path) != venv::Shape::NotVenv {
                        central_envs.push(CentralEnv {
                            name: entry.file_name(),
                            state: EnvState::read(&path, None),
                            used_by: Vec::new(),
                        });
                    }
                }
            }
        }
    }
    central_envs.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));

    let mut trusted = Vec::new();
    match &config.data_dir {
        Err(why) => problems.push(why.clone()),
        Ok(data) => match trust::list(data) {
            Err(e) => problems.push(format!("{e:#}")),
            Ok(venvs) => {
                for venv_path in venvs {
                    let root = venv_path
                        .parent()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| venv_path.clone());
                    let state =
                        venv::is_venv(&venv_path).then(|| EnvState::read(&venv_path, Some(&root)));
                    trusted.push(TrustedProject {
                        venv: venv_path,
                        root,
                        state,
                    });
                }
            }
        },
    }

    // The projects autovenv has met, and the central name each one gives.
    let mut met: Vec<PathBuf> = config
        .data_dir
        .as_ref()
        .map(|d| known::list(d))
        .unwrap_or_default();
    met.extend(trusted.iter().map(|t| t.root.clone()));
    if let Some(here) = here
        && let Some(project) = detect::detect(here, config).project
        && project.is_central()
    {
        met.push(project.root);
    }
    let mut users: BTreeMap<Vec<u8>, Vec<PathBuf>> = BTreeMap::new();
    for root in met {
        if let Some(name) = named_in(&root) {
            let list = users.entry(name).or_default();
            if !list.contains(&root) {
                list.push(root);
            }
        }
    }
    for env in &mut central_envs {
        if let Some(list) = users.remove(env.name.as_bytes()) {
            env.used_by = list;
            env.used_by.sort();
        }
    }

    Inventory {
        central: config.central.clone(),
        central_exists,
        central_envs,
        trusted,
        tools: crate::locate::tool_folders(config),
        problems,
    }
}

/// The valid name a project's `.venv-name` gives, if any, read as
/// detection reads it (a file detection refuses names nothing).
fn named_in(root: &Path) -> Option<Vec<u8>> {
    let file = root.join(NAME_FILE);
    let raw = detect::read_name_file(&file).ok()?;
    detect::parse_name(&raw, &file).ok().map(OsString::into_vec)
}
