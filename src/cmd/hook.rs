//! `autovenv hook SHELL`: the hook script, with the binary's own path and
//! what the first prompt would be given; with `--non-interactive`, the
//! statements a shell that never prompts runs once, at its start.

use std::io::Write;

use anyhow::{Context, Result};

use crate::config::Config;
use crate::detect;
use crate::engine;
use crate::message;
use crate::plan::Step;
use crate::program;
use crate::settle;
use crate::shell::Shell;
use crate::snapshot::Snapshot;
use crate::state::{Current, Local};

pub fn run(env: &Snapshot, shell: Shell, non_interactive: bool) -> Result<()> {
    if non_interactive {
        return run_non_interactive(env, shell);
    }
    // The path of this very binary goes into the hook, so the hook keeps
    // working whatever PATH later becomes.
    let binary = std::env::current_exe().context("cannot find the autovenv binary's own path")?;
    let initial = initial_statements(env, shell).unwrap_or_default();
    std::io::stdout().write_all(shell.hook(&binary, &initial).as_bytes())?;
    Ok(())
}

/// The memo and the check the first prompt would get, when that prompt has
/// nothing to change and nothing to say (a new shell outside any project,
/// the usual case). Loading the hook then costs its one process and the
/// first prompt none. Otherwise None: the first prompt runs `export`, once
/// the rc file has set the prompt.
fn initial_statements(env: &Snapshot, shell: Shell) -> Option<String> {
    let config = Config::from_snapshot(env);
    if !config.warnings.is_empty() {
        return None;
    }
    let current = Current::from_snapshot(env, false);
    let dir = detect::current_dir(env.get("PWD").map(Into::into)).ok()?;
    let memo = Local::default();
    let decision = engine::decide(&current, &config, &dir, &memo, false);
    let mut settled = settle::settle(env, &current, &decision, &memo, false);
    if !decision.outcome.steps.is_empty() || !settled.messages.is_empty() {
        return None;
    }
    settled.find_region(shell, &decision, &config, settle::Stamps::Make);
    let (update, _) = settled.for_hook(shell, &decision, &memo, false);
    Some(shell.render_update(&update))
}

/// For BASH_ENV, ~/.zshenv and config.fish: the environment that applies
/// to the starting directory, exactly as `autovenv exec` would give it to
/// a program, as plain statements (no prompt prefix, no `deactivate`, no
/// hook functions) inside a guard that makes them nothing in an
/// interactive shell, which the interactive hook looks after. This is the
/// one process such a shell start costs; it prints nothing when nothing is
/// to change, and on stderr only what is wrong.
fn run_non_interactive(env: &Snapshot, shell: Shell) -> Result<()> {
    if matches!(shell, Shell::Nu | Shell::Xonsh | Shell::Elvish) {
        anyhow::bail!(
            "--non-interactive is for bash, zsh and fish; in {} use `autovenv exec`",
            crate::cli::shell_name(shell)
        );
    }
    // A shell started in a deleted folder: nothing applies, and no one to
    // tell.
    let Ok(dir) = detect::current_dir(env.get("PWD").map(Into::into)) else {
        return Ok(());
    };
    let launch = program::plan(env, &dir);
    if let Some(why) = launch.refusal("this shell runs without it") {
        message::problem(&why);
    }
    for problem in launch.problems() {
        message::problem(problem);
    }
    if launch.steps.is_empty() {
        return Ok(());
    }
    std::io::stdout().write_all(non_interactive_statements(shell, &launch.steps).as_bytes())?;
    Ok(())
}

/// The steps as plain statements, inside the guard that keeps them out of
/// an interactive shell.
fn non_interactive_statements(shell: Shell, steps: &[Step]) -> String {
    let statements = shell.render(steps);
    match shell {
        // `$-` holds `i` in an interactive bash or zsh.
        Shell::Bash | Shell::Zsh => format!("case $- in *i*) ;; *)\n{statements};; esac\n"),
        Shell::Fish => format!("if not status is-interactive\n{statements}end\n"),
        // Refused above: these shells have no such start-up file.
        Shell::Nu | Shell::Xonsh | Shell::Elvish => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_interactive_statements_per_shell() {
        let steps = [
            Step::Set("__AUTOVENV_STATE", "{\"v\":1}".into()),
            Step::Unset("PYTHONHOME"),
            Step::Set("PATH", "/p/it's here/venv/bin:/usr/bin:/bin".into()),
            Step::Set("VIRTUAL_ENV", "/p/it's here/venv".into()),
        ];
        let all: String = [Shell::Bash, Shell::Zsh, Shell::Fish]
            .into_iter()
            .map(|sh| format!("# {sh:?}\n{}", non_interactive_statements(sh, &steps)))
            .collect();
        insta::assert_snapshot!(all);
    }
}
