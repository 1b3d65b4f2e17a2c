//! Other tools that switch Python environments on their own, found in the
//! rc files and the environment: direnv (only when an `.envrc` here sets up
//! Python), pyenv-virtualenv, conda, zsh-autoswitch-virtualenv and
//! virtualfish.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::rcfiles::{self, code_lines};
use super::{Report, Setup};

/// A row naming the tools found, and a fix for each one that fights autovenv.
pub(super) fn check(setup: &Setup, here: Option<&Path>, r: &mut Report) {
    let rc_text = rcfiles::bodies(setup);
    let in_rc = |needle: &str| {
        rc_text
            .iter()
            .find(|(_, body)| body.contains(needle))
            .map(|(f, _)| setup.shown(f))
    };
    let mut found = Vec::new();

    // direnv: harmless unless an .envrc here activates Python itself.
    let direnv = setup.var("DIRENV_DIR").is_some() || in_rc("direnv hook").is_some();
    if direnv {
        found.push("direnv");
        if let Some(envrc) = here.and_then(python_envrc) {
            r.fix(format!(
                "{} activates a Python environment through direnv, and autovenv activates one too: keep one in charge (remove the Python lines from .envrc, or the venv folder from autovenv's reach)",
                setup.shown(&envrc)
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
        .map(|(f, _)| setup.shown(f));
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
        .map(|(f, _)| setup.shown(f));
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
