//! `autovenv export SHELL`: the hook's one call. Capture, decide, settle,
//! render: statements for `eval` on stdout, at most a line or two for people
//! on stderr.

use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use anyhow::Result;

use crate::cli::ExportArgs;
use crate::config::Config;
use crate::detect;
use crate::engine::{self, Reason};
use crate::message;
use crate::plan::{self, Step};
use crate::settle;
use crate::snapshot::Snapshot;
use crate::state::{Current, LOCAL_VAR, Local};
use crate::view;

pub fn run(env: &Snapshot, args: &ExportArgs) -> Result<()> {
    let config = Config::from_snapshot(env);
    // The hook passes whether a venv's own activate script is in charge (its
    // _OLD_VIRTUAL_PATH is not exported in bash and zsh).
    let foreign = args.foreign.as_ref().is_some_and(|f| !f.is_empty());
    let current = Current::from_snapshot(env, foreign);
    // The hook always passes its bookkeeping (maybe empty); a person or a
    // tool calling `export` passes none and gets only the environment change.
    let memo_raw = args
        .local
        .clone()
        .or_else(|| env.get(LOCAL_VAR).map(Into::into));
    let shell = args.target.shell();
    let in_hook = memo_raw.is_some() && shell.is_some();
    let memo = memo_raw
        .map(|v| Local::decode(v.as_bytes()))
        .unwrap_or_default();

    let decision = match detect::current_dir(env.get("PWD").map(Into::into)) {
        Ok(dir) => engine::decide(&current, &config, &dir, &memo, args.user_deactivate),
        Err(e) => {
            let pwd = env.get("PWD").map(PathBuf::from).unwrap_or_default();
            engine::cannot_read_dir(&current, pwd, &memo, &e)
        }
    };
    let settled = settle::settle(env, &current, &decision, &memo, args.user_deactivate);
    message::show(&config, &settled.messages);

    let path = current.path.clone().unwrap_or_default();
    match shell {
        Some(shell) if in_hook => {
            // The shell dropped its check (an `autovenv` command was typed
            // there): it needs the check again even if its fingerprint has
            // not changed.
            let dropped = args.stale.as_ref().is_some_and(|s| !s.is_empty());
            let update = settled.for_hook(shell, &decision, &memo, dropped);
            print(&shell.render_for_hook(&update))
        }
        // Nothing to print where nothing could be read: the caller is not
        // a hook that would wait for a cd.
        _ if decision.reason == Reason::CannotReadDir => Ok(()),
        Some(shell) => {
            let steps: Vec<Step> = plan::with_path_values(&decision.outcome.steps, &path)
                .into_iter()
                .filter(|s| !s.needs_hook())
                .collect();
            print(&shell.render(&steps))
        }
        None => {
            let steps = plan::with_path_values(&decision.outcome.steps, &path);
            print(&view::changes_json(&steps).to_string())
        }
    }
}

fn print(text: &str) -> Result<()> {
    if !text.is_empty() {
        std::io::stdout().write_all(text.as_bytes())?;
    }
    Ok(())
}
