//! `autovenv doctor`: checks the setup and says what to fix. The report is
//! the command's output (stdout); the exit code says whether anything needs
//! fixing (0: no, 1: yes).
//!
//! Everything here reads files and the environment; nothing is run. What
//! doctor can see of the shell is what the shell exported: the hook's
//! `autovenv` function passes `__AUTOVENV_SHELL` to say it is loaded.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::bytes;
use crate::cli::{hook_line, shell_name, shell_named};
use crate::config::Config;
use crate::detect;
use crate::inventory::{self, EnvState};
use crate::shell::Shell;
use crate::venv;
use crate::which;

/// rc files are small; this much is read of each at the most.
const RC_LIMIT: u64 = 1 << 20;

#[derive(Default)]
struct Report {
    rows: Vec<(String, String)>,
    fixes: Vec<String>,
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

/// Where doctor looks: the environment the shell exported, and HOME.
struct Setup {
    home: Option<PathBuf>,
}

impl Setup {
    fn from_env() -> Setup {
        Setup {
            home: std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from),
        }
    }

    /// A variable, with empty counted as unset.
    fn var(&self, name: &str) -> Option<OsString> {
        std::env::var_os(name).filter(|v| !v.is_empty())
    }

    /// A user's config folder: `$XDG_CONFIG_HOME`, else `~/.config`.
    fn config_home(&self) -> Option<PathBuf> {
        self.var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| self.home.as_ref().map(|h| h.join(".config")))
    }

    /// The files each shell reads at start, the main one first.
    fn rc_files(&self, shell: Shell) -> Vec<PathBuf> {
        let Some(home) = &self.home else {
            return Vec::new();
        };
        match shell {
            Shell::Bash => vec![
                home.join(".bashrc"),
                home.join(".bash_profile"),
                home.join(".bash_login"),
                home.join(".profile"),
            ],
            Shell::Zsh => {
                let dir = self
                    .var("ZDOTDIR")
                    .map(PathBuf::from)
                    .unwrap_or(home.clone());
                vec![
                    dir.join(".zshrc"),
                    dir.join(".zprofile"),
                    dir.join(".zshenv"),
                ]
            }
            Shell::Fish => {
                let Some(config) = self.config_home() else {
                    return Vec::new();
                };
                let fish = config.join("fish");
                let mut files = vec![fish.join("config.fish")];
                // conf.d snippets are where plugin managers put things.
                if let Ok(entries) = std::fs::read_dir(fish.join("conf.d")) {
                    let mut snippets: Vec<PathBuf> = entries
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|x| x == "fish"))
                        .collect();
                    snippets.sort();
                    files.extend(snippets);
                }
                files
            }
        }
    }
}

/// The lines of a file that are not comments, numbered from 1.
fn code_lines(file: &Path) -> Option<Vec<(usize, String)>> {
    let handle = std::fs::File::open(file).ok()?;
    let mut raw = Vec::new();
    handle.take(RC_LIMIT).read_to_end(&mut raw).ok()?;
    Some(
        String::from_utf8_lossy(&raw)
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim().to_string()))
            .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
            .collect(),
    )
}

/// The line number of the hook line in `file`, if it loads the hook.
fn hook_line_in(file: &Path, shell: Shell) -> Option<usize> {
    let wanted = format!("hook {}", shell_name(shell));
    code_lines(file)?
        .into_iter()
        .find(|(_, l)| l.contains("autovenv") && l.contains(&wanted))
        .map(|(n, _)| n)
}

fn shown(p: &Path, setup: &Setup) -> String {
    if let Some(home) = &setup.home
        && let Ok(rest) = p.strip_prefix(home)
    {
        return format!("~/{}", bytes::display_path(rest));
    }
    bytes::display_path(p)
}

pub fn run() -> Result<()> {
    let config = Config::from_env();
    let setup = Setup::from_env();
    let here = detect::current_dir(std::env::var_os("PWD")).ok();
    let report = examine(&config, &setup, here.as_deref());
    let mut out = String::new();
    let width = report.rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
    for (k, v) in &report.rows {
        out.push_str(&format!("{:width$} {v}\n", format!("{k}:")));
    }
    if report.fixes.is_empty() {
        out.push_str("\nall is well\n");
    } else {
        out.push_str("\nto fix:\n");
        for (i, f) in report.fixes.iter().enumerate() {
            out.push_str(&format!("{}. {f}\n", i + 1));
        }
    }
    std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes())?;
    match report.fixes.len() {
        0 => Ok(()),
        1 => bail!("1 thing to fix (listed above)"),
        n => bail!("{n} things to fix (listed above)"),
    }
}

fn examine(config: &Config, setup: &Setup, here: Option<&Path>) -> Report {
    let mut r = Report::default();
    let (shell, hooked) = check_shell(setup, &mut r);
    check_rc_files(setup, shell, hooked, &mut r);
    for w in &config.warnings {
        r.fix(format!("{w} (see docs/configuration.md)"));
    }
    check_central(config, setup, &mut r);
    check_environments(config, setup, here, &mut r);
    check_path_order(setup, &mut r);
    check_other_tools(setup, here, &mut r);
    r
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
                "unknown ($SHELL is {}); autovenv supports bash, zsh and fish",
                login
                    .as_ref()
                    .map(|s| bytes::display(s.as_bytes()))
                    .unwrap_or_else(|| "not set".into())
            ),
        ),
    }
    (login_shell, false)
}

fn check_rc_files(setup: &Setup, shell: Option<Shell>, hooked: bool, r: &mut Report) {
    let mut seen = Vec::new();
    for sh in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let files = setup.rc_files(sh);
        let found = files
            .iter()
            .find_map(|f| hook_line_in(f, sh).map(|n| (f.clone(), n)));
        let main = files
            .first()
            .map(|f| shown(f, setup))
            .unwrap_or_else(|| "your shell's rc file (HOME is not set)".into());
        match (&found, Some(sh) == shell, hooked) {
            (Some((file, n)), ..) => {
                seen.push(format!("{}:{n} ({})", shown(file, setup), shell_name(sh)))
            }
            (None, true, true) => r.fix(format!(
                "the hook is loaded in this shell, but {main} does not load it, so new {} shells will not have it: add `{}` at its end",
                shell_name(sh),
                hook_line(sh)
            )),
            (None, true, false) => r.fix(format!(
                "the hook is not loaded: add `{}` at the end of {main}, then open a new shell",
                hook_line(sh)
            )),
            (None, false, _) => {}
        }
        if Some(sh) == shell
            && !hooked
            && let Some((file, _)) = &found
        {
            r.fix(format!(
                "{} loads the hook, but the shell that ran doctor has not: open a new shell (doctor cannot see the hook when run from a script or as `command autovenv doctor`)",
                shown(file, setup)
            ));
        }
        // bash: a later plain `PROMPT_COMMAND=...` throws the hook away.
        if sh == Shell::Bash
            && let Some((file, at)) = &found
            && let Some(lines) = code_lines(file)
            && let Some((n, _)) = lines.iter().find(|(n, l)| {
                *n > *at
                    && (l.starts_with("PROMPT_COMMAND=") || l.starts_with("export PROMPT_COMMAND="))
                    && !l.contains("$PROMPT_COMMAND")
                    && !l.contains("${PROMPT_COMMAND")
            })
        {
            r.fix(format!(
                "{} sets PROMPT_COMMAND on line {n}, after the hook (line {at}), which removes the hook: move `{}` below it",
                shown(file, setup),
                hook_line(Shell::Bash)
            ));
        }
    }
    if shell.is_none() && !hooked {
        r.fix(format!(
            "the hook is not loaded, and $SHELL names no shell autovenv supports: add `{}` to ~/.bashrc (zsh and fish: see docs/installation.md)",
            hook_line(Shell::Bash)
        ));
    }
    r.row(
        "rc files",
        if seen.is_empty() {
            "no rc file loads the hook".to_string()
        } else {
            format!("hook loaded by {}", seen.join(", "))
        },
    );
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
    let shown_path = shown(central, setup);
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

/// Other tools that switch Python environments on their own.
fn check_other_tools(setup: &Setup, here: Option<&Path>, r: &mut Report) {
    let mut rc_text: Vec<(PathBuf, String)> = Vec::new();
    for sh in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        for f in setup.rc_files(sh) {
            if let Some(lines) = code_lines(&f) {
                let body = lines
                    .into_iter()
                    .map(|(_, l)| l)
                    .collect::<Vec<_>>()
                    .join("\n");
                rc_text.push((f, body));
            }
        }
    }
    let in_rc = |needle: &str| {
        rc_text
            .iter()
            .find(|(_, body)| body.contains(needle))
            .map(|(f, _)| shown(f, setup))
    };
    let mut found = Vec::new();

    // direnv: harmless unless an .envrc here activates Python itself.
    let direnv = setup.var("DIRENV_DIR").is_some() || in_rc("direnv hook").is_some();
    if direnv {
        found.push("direnv");
        if let Some(envrc) = here.and_then(python_envrc) {
            r.fix(format!(
                "{} activates a Python environment through direnv, and autovenv activates one too: keep one in charge (remove the Python lines from .envrc, or the venv folder from autovenv's reach)",
                shown(&envrc, setup)
            ));
        }
    }

    // pyenv-virtualenv's auto-activation switches on every prompt.
    let pyenv_venv = setup.var("PYENV_VIRTUALENV_INIT").is_some()
        || setup
            .var("PATH")
            .is_some_and(|p| contains(p.as_bytes(), b"pyenv-virtualenv/shims"));
    if let Some(where_) =
        in_rc("virtualenv-init").or_else(|| pyenv_venv.then(|| "this shell".into()))
    {
        found.push("pyenv-virtualenv");
        r.fix(format!(
            "pyenv-virtualenv's auto-activation is on ({where_}): it activates the environment a .python-version names at every prompt and fights autovenv there; remove `eval \"$(pyenv virtualenv-init -)\"` from your rc file, or keep virtualenv names out of .python-version in autovenv's projects"
        ));
    }

    // conda activates `base` in every new shell unless told not to.
    // `conda init` writes `'/path/conda' 'shell.zsh' 'hook'` (fish: `eval
    // /path/conda "shell.fish" "hook"`) inside a commented block.
    let conda_init = rc_text
        .iter()
        .find(|(_, body)| {
            body.lines()
                .any(|l| l.contains("conda") && l.contains("shell.") && l.contains("hook"))
        })
        .map(|(f, _)| shown(f, setup));
    if let Some(where_) = &conda_init
        && conda_auto_activates(setup)
    {
        found.push("conda");
        r.fix(format!(
            "conda activates its base environment in every new shell ({where_}), so its python competes with the project's: run `conda config --set auto_activate_base false`"
        ));
    } else if conda_init.is_some() {
        found.push("conda (auto-activation off)");
    }

    if let Some(where_) = in_rc("autoswitch_virtualenv").or_else(|| in_rc("autoswitch-virtualenv"))
    {
        found.push("zsh-autoswitch-virtualenv");
        r.fix(format!(
            "zsh-autoswitch-virtualenv is loaded ({where_}) and switches environments on cd too: remove it from your plugins, or stop autovenv's hook in zsh"
        ));
    }

    let virtualfish = rc_text
        .iter()
        .find(|(f, body)| {
            body.contains("auto_activation")
                && (body.contains("virtualfish")
                    || f.as_os_str()
                        .as_bytes()
                        .ends_with(b"virtualfish-loader.fish"))
        })
        .map(|(f, _)| shown(f, setup));
    if let Some(where_) = virtualfish {
        found.push("virtualfish auto_activation");
        r.fix(format!(
            "virtualfish's auto_activation plugin is loaded ({where_}) and switches environments on cd too: `vf uninstall auto_activation`, or stop autovenv's hook in fish"
        ));
    }

    r.row(
        "other tools",
        if found.is_empty() {
            "none found that switch environments".to_string()
        } else {
            found.join(", ")
        },
    );
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The nearest `.envrc` from `here` up, if it sets up Python itself.
fn python_envrc(here: &Path) -> Option<PathBuf> {
    let envrc = here
        .ancestors()
        .map(|d| d.join(".envrc"))
        .find(|f| f.is_file())?;
    let lines = code_lines(&envrc)?;
    let python = lines.iter().any(|(_, l)| {
        l.contains("layout python")
            || l.contains("layout pyenv")
            || l.contains("layout_python")
            || l.contains("bin/activate")
            || l.contains("VIRTUAL_ENV")
    });
    python.then_some(envrc)
}

/// Whether conda's settings leave `auto_activate_base` (newer conda:
/// `auto_activate`) at its default, true.
fn conda_auto_activates(setup: &Setup) -> bool {
    if let Some(v) = setup
        .var("CONDA_AUTO_ACTIVATE_BASE")
        .or_else(|| setup.var("CONDA_AUTO_ACTIVATE"))
    {
        return !matches!(v.as_bytes(), b"false" | b"False" | b"0" | b"no");
    }
    let mut files = Vec::new();
    if let Some(home) = &setup.home {
        files.push(home.join(".condarc"));
        files.push(home.join(".conda/condarc"));
    }
    if let Some(config) = setup.config_home() {
        files.push(config.join("conda/condarc"));
    }
    for f in files {
        for (_, line) in code_lines(&f).unwrap_or_default() {
            let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            if compact.starts_with("auto_activate_base:") || compact.starts_with("auto_activate:") {
                return !compact.ends_with(":false");
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_lines_are_found_and_comments_skipped() {
        let tmp = tempfile::tempdir().unwrap();
        let rc = tmp.path().join("rc");
        std::fs::write(&rc, "# eval \"$(autovenv hook bash)\"\nalias x=y\n").unwrap();
        assert_eq!(hook_line_in(&rc, Shell::Bash), None);
        std::fs::write(
            &rc,
            "alias x=y\n  eval \"$(/opt/bin/autovenv hook bash)\"  \n",
        )
        .unwrap();
        assert_eq!(hook_line_in(&rc, Shell::Bash), Some(2));
        assert_eq!(hook_line_in(&rc, Shell::Zsh), None);
    }

    #[test]
    fn envrc_with_python_layout() {
        let tmp = tempfile::tempdir().unwrap();
        let sub = tmp.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(tmp.path().join("a/.envrc"), "export X=1\n").unwrap();
        assert_eq!(python_envrc(&sub), None);
        std::fs::write(tmp.path().join("a/.envrc"), "layout python3\n").unwrap();
        assert_eq!(python_envrc(&sub), Some(tmp.path().join("a/.envrc")));
    }
}
