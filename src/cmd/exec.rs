//! `autovenv exec [--dir DIR] [--require] -- CMD [ARGS...]`: runs CMD with
//! the environment that applies to DIR, for everything that never shows a
//! prompt (cron, systemd, Makefiles, editors, coding agents).
//!
//! The command replaces this process (`execvp`): it keeps the PID, its
//! exit status and signals are its own, and no autovenv process is left
//! waiting for it. The child's environment is built explicitly, from the
//! snapshot and the planned steps (`program::plan`), never by changing
//! our own.

use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;

use anyhow::{Result, bail};

use crate::bytes;
use crate::cli::ExecArgs;
use crate::message;
use crate::program;
use crate::snapshot::Snapshot;

/// The command could not be started: the exit code a shell gives for that
/// (127 not found, 126 found but not runnable), with the reason.
#[derive(Debug)]
pub struct CannotRun {
    pub code: u8,
    message: String,
}

impl fmt::Display for CannotRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CannotRun {}

pub fn run(env: &Snapshot, args: ExecArgs) -> Result<()> {
    let dir = super::folder_arg(env, args.dir)?;
    let launch = program::plan(env, &dir);
    if let Some(why) = launch.refusal("the command was not run") {
        bail!(why);
    }
    for problem in launch.problems() {
        message::problem(problem);
    }
    if args.require && !launch.applies() {
        bail!(
            "no environment applies to {} (--require), so the command was not run",
            bytes::display_path(&dir)
        );
    }
    let Some((program, rest)) = args.command.split_first() else {
        bail!("no command given: autovenv exec -- CMD [ARGS...]");
    };
    // Only returns on failure. The PATH searched is the child's, so the
    // venv's own `python` is the one found.
    let e = std::process::Command::new(program)
        .args(rest)
        .env_clear()
        .envs(&launch.vars)
        .exec();
    let (code, why) = match e.kind() {
        std::io::ErrorKind::NotFound => (127, "command not found".to_string()),
        _ => (126, e.to_string()),
    };
    Err(CannotRun {
        code,
        message: format!("cannot run {}: {why}", bytes::display(program.as_bytes())),
    }
    .into())
}
