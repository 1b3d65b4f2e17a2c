//! What `autovenv doctor` finds: every check of the setup, each adding rows
//! (what it saw) and fixes (what to do) to a [`Report`]. Nothing here
//! prints; `cmd/doctor.rs` renders the report.
//!
//! Everything here reads files and the environment; nothing is run. What
//! doctor can see of the shell is what the shell exported: the hook's
//! `autovenv` function passes `__AUTOVENV_SHELL` to say it is loaded.
//!
//! - `rcfiles.rs`: the rc files each shell reads, and whether they load the
//!   hook.
//! - `tools.rs`: other tools that switch Python environments on their own.

mod rcfiles;
mod tools;

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::bytes;
use crate::cli::{shell_name, shell_named};
use crate::config::Config;
use crate::detect;
use crate::inventory::{self, EnvState};
use crate::shell::Shell;
use crate::state::Activation;
use crate::venv;
use crate::which;

/// What doctor found: rows of what it saw, in order, and the fixes to make.
#[derive(Debug, Default)]
pub struct Report {
    pub rows: Vec<(String, String)>,
    pub fixes: Vec<String>,
}

impl Report {
    fn row(&mut self, key: &str, value: impl Into<String>) {
        self.rows.push((key.to_string(), value.into()));
    }

    fn fix(&mut self, text: impl Into<String>) {
        let text = text.into();
        if !self.fixes.contains(&text) {
            self.fixes.push(text);
        }
    }
}

/// The variables doctor reads; nothing else of the environment is looked
/// at.
const VARS: &[&str] = &[
    "HOME",
    "XDG_CONFIG_HOME",
    "ZDOTDIR",
    "SHELL",
    "__AUTOVENV_SHELL",
    "AUTOVENV_HOME",
    "WORKON_HOME",
    "VIRTUAL_ENV",
    "__AUTOVENV_STATE",
    "_OLD_VIRTUAL_PATH",
    "PATH",
    "DIRENV_DIR",
    "PYENV_VIRTUALENV_INIT",
    "CONDA_AUTO_ACTIVATE_BASE",
    "CONDA_AUTO_ACTIVATE",
];

/// Where doctor looks: the environment the shell exported, and HOME.
pub struct Setup {
    home: Option<PathBuf>,
    /// The non-empty values of [`VARS`].
    vars: BTreeMap<&'static str, OsString>,
}

impl Setup {
    /// Reads the variables doctor needs through `get` (for the real
    /// environment, the snapshot's values).
    pub fn from_lookup(get: impl Fn(&str) -> Option<OsString>) -> Setup {
        let vars: BTreeMap<&'static str, OsString> = VARS
            .iter()
            .filter_map(|&name| Some((name, get(name).filter(|v| !v.is_empty())?)))
            .collect();
        Setup {
            home: vars.get("HOME").map(PathBuf::from),
            vars,
        }
    }

    /// A variable, with empty counted as unset.
    fn var(&self, name: &str) -> Option<OsString> {
        debug_assert!(VARS.contains(&name), "{name} is not in VARS");
        self.vars.get(name).cloned()
    }

    /// A user's config folder: `$XDG_CONFIG_HOME`, else `~/.config`.
    fn config_home(&self) -> Option<PathBuf> {
        self.var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| self.home.as_ref().map(|h| h.join(".config")))
    }

    /// A path as people write it: `~/...` inside HOME.
    fn shown(&self, p: &Path) -> String {
        if let Some(home) = &self.home
            && let Ok(rest) = p.strip_prefix(home)
        {
            return format!("~/{}", bytes::display_path(rest));
        }
        bytes::display_path(p)
    }
}

/// Runs every check, in the order the report shows them.
pub fn examine(config: &Config, setup: &Setup, here: Option<&Path>) -> Report {
    let mut r = Report::default();
    let (shell, hooked) = check_shell(setup, &mut r);
    rcfiles::check(setup, shell, hooked, &mut r);
    for w in &config.warnings {
        r.fix(format!("{w} (see docs/configuration.md)"));
    }
    check_central(config, setup, &mut r);
    check_environments(config, setup, here, &mut r);
    check_activation(config, setup, here, &mut r);
    check_path_order(setup, &mut r);
    tools::check(setup, here, &mut r);
    r
}

/// "bash, zsh and fish".
fn supported_shells() -> String {
    let names: Vec<String> = Shell::value_variants()
        .iter()
        .map(|&s| shell_name(s))
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// Which shell this is, and whether the hook is loaded in it.
fn check_shell(setup: &Setup, r: &mut Report) -> (Option<Shell>, bool) {
    let hooked = setup
        .var("__AUTOVENV_SHELL")
        .and_then(|s| shell_named(s.as_bytes()));
    if let Some(sh) = hooked {
        r.row("hook", format!("loaded in this shell ({})", shell_name(sh)));
        r.row("shell", shell_name(sh));
        return (Some(sh), true);
    }
    r.row("hook", "not loaded in the shell that ran this");
    let login = setup.var("SHELL");
    let login_shell = login.as_ref().and_then(|s| {
        Path::new(s)
            .file_name()
            .and_then(|n| shell_named(n.as_bytes()))
    });
    match login_shell {
        Some(sh) => r.row(
            "shell",
            format!(
                "{} (from $SHELL; this shell may be another)",
                shell_name(sh)
            ),
        ),
        None => r.row(
            "shell",
            format!(
                "unknown ($SHELL is {}); autovenv supports {}",
                login
                    .as_ref()
                    .map(|s| bytes::display(s.as_bytes()))
                    .unwrap_or_else(|| "not set".into()),
                supported_shells()
            ),
        ),
    }
    (login_shell, false)
}

fn check_central(config: &Config, setup: &Setup, r: &mut Report) {
    let central = match &config.central {
        Err(why) => {
            r.row("central folder", "unknown");
            r.fix(why.clone());
            return;
        }
        Ok(c) => c,
    };
    let chosen = ["AUTOVENV_HOME", "WORKON_HOME"]
        .into_iter()
        .find(|v| setup.var(v).is_some());
    let shown_path = setup.shown(central);
    if central.is_dir() {
        r.row("central folder", format!("{shown_path} (present)"));
    } else if central.symlink_metadata().is_ok() {
        r.row("central folder", format!("{shown_path} (not a folder)"));
        r.fix(format!(
            "the central folder {shown_path} is not a folder: move it away, or point AUTOVENV_HOME elsewhere"
        ));
    } else if let Some(var) = chosen {
        r.row("central folder", format!("{shown_path} (missing)"));
        r.fix(format!(
            "{var} names {shown_path}, which does not exist: create it (mkdir -p {shown_path}), or correct {var}"
        ));
    } else {
        r.row(
            "central folder",
            format!("{shown_path} (not created yet; autovenv new --name creates it)"),
        );
    }
}

fn check_environments(config: &Config, setup: &Setup, here: Option<&Path>, r: &mut Report) {
    let inv = inventory::inventory(config, here);
    for p in &inv.problems {
        r.fix(p.clone());
    }
    let mut checked: Vec<EnvState> = inv.central_envs.iter().map(|e| e.state.clone()).collect();
    checked.extend(inv.trusted.iter().filter_map(|t| t.state.clone()));
    // The environment that applies here, and the active one, even when
    // neither is central or trusted.
    let mut extra: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    if let Some(here) = here
        && let Some(project) = detect::detect(here, config).project
        && let Ok(v) = project.venv
    {
        extra.push((v.path, Some(project.root)));
    }
    if let Some(active) = setup.var("VIRTUAL_ENV") {
        let active = PathBuf::from(active);
        // One whose bin/python is gone is checked too, and found broken.
        if venv::shape(&active) != venv::Shape::NotVenv {
            extra.push((active, None));
        }
    }
    for (path, root) in extra {
        let known = |p: &Path| {
            let canonical = std::fs::canonicalize(p).ok();
            checked.iter().any(|c| {
                c.path == p
                    || (canonical.is_some() && std::fs::canonicalize(&c.path).ok() == canonical)
            })
        };
        if !known(&path) {
            checked.push(EnvState::read(&path, root.as_deref()));
        }
    }
    let broken: Vec<&EnvState> = checked.iter().filter(|s| !s.healthy()).collect();
    r.row(
        "environments",
        match (checked.len(), broken.len()) {
            (0, _) => "none to check (no central, trusted or active environment)".to_string(),
            (n, 0) => format!("{n} checked, all healthy"),
            (n, b) => format!("{n} checked, {b} broken"),
        },
    );
    for s in broken {
        if let Some(why) = &s.problem {
            r.fix(why.clone());
        }
    }
}

/// Who activated what is active, and how to end it; an environment
/// activated outside autovenv where the project here has its own is worth
/// fixing, since `python` is then not the project's.
fn check_activation(config: &Config, setup: &Setup, here: Option<&Path>, r: &mut Report) {
    let Some(active) = setup.var("VIRTUAL_ENV").map(PathBuf::from) else {
        r.row("active", "no environment");
        return;
    };
    let ours = setup
        .var("__AUTOVENV_STATE")
        .and_then(|s| Activation::decode(s.as_bytes()).ok())
        .filter(|a| a.venv == active && setup.var("_OLD_VIRTUAL_PATH").is_none());
    let shown = bytes::display_path(&active);
    match ours {
        Some(a) if a.taken_over => r.row(
            "active",
            format!("{shown}, activated outside autovenv and taken over by it"),
        ),
        Some(_) => r.row("active", format!("{shown}, activated by autovenv")),
        None => {
            r.row(
                "active",
                format!(
                    "{shown}, activated outside autovenv (by hand, an editor's terminal or a parent process); autovenv leaves it alone, and `deactivate` ends it"
                ),
            );
            let wanted = here
                .and_then(|h| detect::detect(h, config).project)
                .and_then(|p| p.venv.ok());
            let same = |a: &Path, b: &Path| {
                a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
            };
            if let Some(w) = wanted
                && !same(&w.path, &active)
            {
                r.fix(format!(
                    "this project's environment is {}, but {shown} is active, activated outside autovenv; type `deactivate` and autovenv activates the project's",
                    bytes::display_path(&w.path)
                ));
            }
        }
    }
}

/// With an environment active, its `python` must be the one a command finds.
fn check_path_order(setup: &Setup, r: &mut Report) {
    let Some(active) = setup.var("VIRTUAL_ENV").map(PathBuf::from) else {
        r.row(
            "PATH",
            "no environment active in this shell; nothing to check",
        );
        return;
    };
    let path = setup.var("PATH").unwrap_or_default();
    let bin = active.join("bin");
    let on_path = bytes::split_colons(&path)
        .iter()
        .any(|e| Path::new(e) == bin);
    if !on_path {
        r.row("PATH", "the active environment is not on PATH");
        r.fix(format!(
            "VIRTUAL_ENV is {}, but {} is not on PATH: something removed it; deactivate and cd into the project again",
            bytes::display_path(&active),
            bytes::display_path(&bin)
        ));
        return;
    }
    let mut shadowed = Vec::new();
    for name in ["python", "python3"] {
        let own = bin.join(name);
        if own.symlink_metadata().is_err() {
            continue;
        }
        if let Some(first) = which::on_path(OsStr::new(name), &path)
            && first != own
            && first.parent() != Some(bin.as_path())
        {
            shadowed.push((name, first));
        }
    }
    if shadowed.is_empty() {
        r.row(
            "PATH",
            format!(
                "python is the active environment's ({})",
                bytes::display_path(&bin)
            ),
        );
    }
    for (name, first) in shadowed {
        r.row("PATH", format!("{name} is {}", bytes::display_path(&first)));
        let hint = if first
            .as_os_str()
            .as_bytes()
            .windows(5)
            .any(|w| w == b"pyenv")
        {
            " (pyenv's shims: load pyenv in your rc file before autovenv's hook, and not again on each prompt)"
        } else {
            " (something added it to PATH after activation: an rc file or a prompt hook)"
        };
        r.fix(format!(
            "{} comes before {} on PATH, so `{name}` does not run the active environment's{hint}",
            bytes::display_path(first.parent().unwrap_or(&first)),
            bytes::display_path(&bin)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(vars: &[(&str, &str)]) -> Setup {
        Setup::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let s = setup(&[("HOME", ""), ("SHELL", "/bin/zsh"), ("PATH", "")]);
        assert_eq!(s.home, None);
        assert_eq!(s.var("PATH"), None);
        assert_eq!(s.var("SHELL"), Some("/bin/zsh".into()));
        assert_eq!(s.config_home(), None);
        let s = setup(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "relative")]);
        assert_eq!(s.config_home(), Some(PathBuf::from("/h/.config")));
        assert_eq!(s.shown(Path::new("/h/.bashrc")), "~/.bashrc");
        assert_eq!(s.shown(Path::new("/elsewhere")), "/elsewhere");
    }

    #[test]
    fn the_shell_comes_from_the_hook_else_from_shell() {
        let mut r = Report::default();
        let hooked = setup(&[("__AUTOVENV_SHELL", "fish"), ("SHELL", "/bin/bash")]);
        assert_eq!(check_shell(&hooked, &mut r), (Some(Shell::Fish), true));
        let mut r = Report::default();
        let login = setup(&[("SHELL", "/usr/local/bin/zsh")]);
        assert_eq!(check_shell(&login, &mut r), (Some(Shell::Zsh), false));
        let mut r = Report::default();
        assert_eq!(
            check_shell(&setup(&[("SHELL", "/bin/tcsh")]), &mut r),
            (None, false)
        );
        assert_eq!(
            r.rows[1].1,
            "unknown ($SHELL is /bin/tcsh); autovenv supports bash, zsh, fish, nu, xonsh and elvish"
        );
    }
}
