//! `autovenv list [--json]`: the central environments and the trusted
//! projects. The same inventory feeds `doctor`'s health checks.
//!
//! Which projects name a central environment cannot be known in general: a
//! `.venv-name` anywhere on disk may name it, and nothing records that.
//! autovenv reports the projects it has met (made with `new --name`,
//! trusted, or the one here) and says so.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::{Value, json};

use crate::bytes;
use crate::config::Config;
use crate::detect::{self, NAME_FILE};
use crate::known;
use crate::snapshot::Snapshot;
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
    /// The other tools' central folders and how many environments each has.
    pub tools: Vec<crate::locate::ToolFolder>,
    /// What could not be read (the central folder, the trust store).
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
                    // A folder with pyvenv.cfg is an environment, even one
                    // whose bin/python is gone (it is listed as broken).
                    if path.is_dir() && path.join("pyvenv.cfg").exists() {
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

/// The valid name a project's `.venv-name` gives, if any.
fn named_in(root: &Path) -> Option<Vec<u8>> {
    let file = root.join(NAME_FILE);
    let mut raw = Vec::new();
    std::fs::File::open(&file)
        .ok()?
        .take(4096)
        .read_to_end(&mut raw)
        .ok()?;
    detect::parse_name(&raw, &file)
        .ok()
        .map(|n| n.as_bytes().to_vec())
}

pub fn run(env: &Snapshot, as_json: bool) -> Result<()> {
    let config = Config::from_snapshot(env);
    let here = detect::current_dir(std::env::var_os("PWD")).ok();
    let inv = inventory(&config, here.as_deref());
    let out = if as_json {
        let mut text = serde_json::to_string_pretty(&to_json(&inv))?;
        text.push('\n');
        text
    } else {
        to_text(&inv)
    };
    std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes())?;
    match inv.problems.first() {
        // The listing is printed; what could not be read makes it a failure.
        Some(first) => Err(anyhow::anyhow!("{first}")),
        None => Ok(()),
    }
}

fn text(p: &Path) -> String {
    String::from_utf8_lossy(p.as_os_str().as_bytes()).into_owned()
}

pub fn to_json(inv: &Inventory) -> Value {
    let environments: Vec<Value> = inv
        .central_envs
        .iter()
        .map(|e| {
            json!({
                "name": String::from_utf8_lossy(e.name.as_bytes()),
                "path": text(&e.state.path),
                "python_version": e.state.version,
                "healthy": e.state.healthy(),
                "problem": e.state.problem,
                "used_by": e.used_by.iter().map(|p| text(p)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let trusted: Vec<Value> = inv
        .trusted
        .iter()
        .map(|t| {
            json!({
                "project": text(&t.root),
                "environment": text(&t.venv),
                "exists": t.state.is_some(),
                "python_version": t.state.as_ref().and_then(|s| s.version.clone()),
                "healthy": t.state.as_ref().is_some_and(EnvState::healthy),
                "problem": match &t.state {
                    None => Some("the environment is no longer there".to_string()),
                    Some(s) => s.problem.clone(),
                },
            })
        })
        .collect();
    json!({
        "version": 1,
        "central": {
            "folder": inv.central.as_ref().ok().map(|c| text(c)),
            "exists": inv.central_exists,
            "problem": inv.central.as_ref().err(),
            "environments": environments,
        },
        "trusted": trusted,
        "tools": inv.tools.iter().map(|t| json!({
            "tool": t.tool,
            "folder": text(&t.folder),
            "exists": t.exists,
            "environments": t.environments,
        })).collect::<Vec<_>>(),
        "problems": inv.problems,
    })
}

fn to_text(inv: &Inventory) -> String {
    let mut out = String::new();
    match &inv.central {
        Err(why) => out.push_str(&format!("central environments: unknown ({why})\n")),
        Ok(folder) if !inv.central_exists => out.push_str(&format!(
            "central environments in {}: none (the folder does not exist yet; autovenv new --name creates it)\n",
            bytes::display_path(folder)
        )),
        Ok(folder) => {
            out.push_str(&format!(
                "central environments in {}:",
                bytes::display_path(folder)
            ));
            if inv.central_envs.is_empty() {
                out.push_str(" none\n");
            } else {
                out.push('\n');
            }
            let rows: Vec<[String; 3]> = inv
                .central_envs
                .iter()
                .map(|e| {
                    let users = if e.used_by.is_empty() {
                        "used by no project autovenv knows of".to_string()
                    } else {
                        format!(
                            "used by {}",
                            e.used_by
                                .iter()
                                .map(|p| bytes::display_path(p))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    [
                        bytes::display(e.name.as_bytes()),
                        version(&e.state.version),
                        match &e.state.problem {
                            None => format!("healthy, {users}"),
                            Some(why) => format!("broken: {why}"),
                        },
                    ]
                })
                .collect();
            out.push_str(&table(&rows));
            if !inv.central_envs.is_empty() {
                out.push_str("  (autovenv knows the projects made with autovenv new --name, trusted ones and the one here; others may name these too)\n");
            }
        }
    }
    out.push_str("trusted projects:");
    if inv.trusted.is_empty() {
        out.push_str(" none (autovenv allow trusts one)\n");
    } else {
        out.push('\n');
    }
    let rows: Vec<[String; 3]> = inv
        .trusted
        .iter()
        .map(|t| {
            let folder = t
                .venv
                .file_name()
                .map(|n| bytes::display(n.as_bytes()))
                .unwrap_or_default();
            match &t.state {
                None => [
                    bytes::display_path(&t.root),
                    folder,
                    "gone: the environment is no longer there".into(),
                ],
                Some(s) => [
                    bytes::display_path(&t.root),
                    folder,
                    match &s.problem {
                        None => format!("{}, healthy", version(&s.version)),
                        Some(why) => format!("{}, broken: {why}", version(&s.version)),
                    },
                ],
            }
        })
        .collect();
    out.push_str(&table(&rows));
    if !inv.tools.is_empty() {
        out.push_str("other tools' folders (trusted without allow):\n");
        let rows: Vec<[String; 3]> = inv
            .tools
            .iter()
            .map(|t| {
                [
                    t.tool.to_string(),
                    bytes::display_path(&t.folder),
                    match (t.exists, t.environments) {
                        (false, _) => "not on this machine".to_string(),
                        (true, 1) => "1 environment".to_string(),
                        (true, n) => format!("{n} environments"),
                    },
                ]
            })
            .collect();
        out.push_str(&table(&rows));
    }
    for p in &inv.problems {
        out.push_str(&format!("problem: {p}\n"));
    }
    out
}

fn version(v: &Option<String>) -> String {
    match v {
        Some(v) => format!("Python {v}"),
        None => "Python ?".into(),
    }
}

/// Rows indented and aligned in columns (by characters; names are short).
fn table(rows: &[[String; 3]]) -> String {
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (w0, w1) = (width(0), width(1));
    rows.iter()
        .map(|[a, b, c]| {
            format!(
                "  {a}{}  {b}{}  {c}\n",
                " ".repeat(w0 - a.chars().count()),
                " ".repeat(w1 - b.chars().count())
            )
        })
        .collect()
}
