//! `autovenv hook SHELL`: the hook script, with the binary's own path and
//! what the first prompt would be given.

use std::io::Write;

use anyhow::{Context, Result};

use crate::config::Config;
use crate::detect;
use crate::engine;
use crate::settle;
use crate::shell::Shell;
use crate::snapshot::Snapshot;
use crate::state::{Current, Local};

pub fn run(env: &Snapshot, shell: Shell) -> Result<()> {
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
    let settled = settle::settle(env, &current, &decision, &memo, false);
    if !decision.outcome.steps.is_empty() || !settled.messages.is_empty() {
        return None;
    }
    let (update, _) = settled.for_hook(shell, &decision, &memo, false);
    Some(shell.render_update(&update))
}
