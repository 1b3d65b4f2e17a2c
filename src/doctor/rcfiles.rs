//! The rc files each shell reads at start, and whether they load the hook.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::{Report, Setup};
use crate::cli::{hook_line, shell_name};
use crate::shell::Shell;

/// rc files are small; this much is read of each at the most.
const RC_LIMIT: u64 = 1 << 20;

/// The files each shell reads at start, the main one first.
pub(super) fn rc_files(setup: &Setup, shell: Shell) -> Vec<PathBuf> {
    let Some(home) = &setup.home else {
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
            let dir = setup
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
            let Some(config) = setup.config_home() else {
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
        Shell::Nu => setup
            .config_home()
            .map(|c| vec![c.join("nushell/config.nu")])
            .unwrap_or_default(),
        Shell::Xonsh => {
            let mut files = vec![home.join(".xonshrc")];
            files.extend(setup.config_home().map(|c| c.join("xonsh/rc.xsh")));
            files
        }
        Shell::Elvish => {
            let mut files: Vec<PathBuf> = setup
                .config_home()
                .map(|c| vec![c.join("elvish/rc.elv")])
                .unwrap_or_default();
            // elvish before 0.17 read ~/.elvish/rc.elv, and still does when
            // that is all there is.
            files.push(home.join(".elvish/rc.elv"));
            files
        }
    }
}

/// The lines of a file that are not comments, numbered from 1.
pub(super) fn code_lines(file: &Path) -> Option<Vec<(usize, String)>> {
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

/// Each rc file of every shell that can be read, as its code lines joined
/// (comments left out), for other checks to search.
pub(super) fn bodies(setup: &Setup) -> Vec<(PathBuf, String)> {
    let mut bodies = Vec::new();
    for &sh in Shell::value_variants() {
        for f in rc_files(setup, sh) {
            if let Some(lines) = code_lines(&f) {
                let body = lines
                    .into_iter()
                    .map(|(_, l)| l)
                    .collect::<Vec<_>>()
                    .join("\n");
                bodies.push((f, body));
            }
        }
    }
    bodies
}

/// The line number of the hook line in `file`, if it loads the hook.
fn hook_line_in(file: &Path, shell: Shell) -> Option<usize> {
    let name = shell_name(shell);
    let wanted = match shell {
        // config.nu sources the hook saved from `autovenv hook nu`.
        Shell::Nu => vec![".autovenv.nu".to_string()],
        // xonsh's line passes the words as a Python list; `$(autovenv hook
        // xonsh)`, the older line, still loads it (most of the time).
        Shell::Xonsh => vec![format!("'hook', '{name}'"), format!("hook {name}")],
        _ => vec![format!("hook {name}")],
    };
    code_lines(file)?
        .into_iter()
        .find(|(_, l)| l.contains("autovenv") && wanted.iter().any(|w| l.contains(w.as_str())))
        .map(|(n, _)| n)
}

/// Which rc files load the hook, and what to change where they do not.
pub(super) fn check(setup: &Setup, shell: Option<Shell>, hooked: bool, r: &mut Report) {
    let mut seen = Vec::new();
    for &sh in Shell::value_variants() {
        let files = rc_files(setup, sh);
        let found = files
            .iter()
            .find_map(|f| hook_line_in(f, sh).map(|n| (f.clone(), n)));
        let main = files
            .first()
            .map(|f| setup.shown(f))
            .unwrap_or_else(|| "your shell's rc file (HOME is not set)".into());
        match (&found, Some(sh) == shell, hooked) {
            (Some((file, n)), ..) => {
                seen.push(format!("{}:{n} ({})", setup.shown(file), shell_name(sh)))
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
                setup.shown(file)
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
                setup.shown(file),
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
    fn every_printed_line_is_found_and_the_older_xonsh_line_too() {
        let tmp = tempfile::tempdir().unwrap();
        let rc = tmp.path().join("rc");
        for &sh in Shell::value_variants() {
            std::fs::write(&rc, format!("x = 1\n{}\n", hook_line(sh))).unwrap();
            assert_eq!(hook_line_in(&rc, sh), Some(2), "{}", hook_line(sh));
        }
        std::fs::write(&rc, "execx($(autovenv hook xonsh))\n").unwrap();
        assert_eq!(hook_line_in(&rc, Shell::Xonsh), Some(1));
        std::fs::write(&rc, "execx($(autovenv hook elvish))\n").unwrap();
        assert_eq!(hook_line_in(&rc, Shell::Xonsh), None);
    }
}
