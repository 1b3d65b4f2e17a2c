//! `autovenv export SHELL`: the hook's one call. Capture, decide, settle,
//! render: statements for `eval` on stdout, at most a line or two for people
//! on stderr.

use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::cli::{ExportArgs, ExportTarget};
use crate::config::Config;
use crate::detect;
use crate::dotenv;
use crate::engine::{self, Reason};
use crate::message;
use crate::plan::{self, Step};
use crate::program;
use crate::settle;
use crate::snapshot::Snapshot;
use crate::state::{Current, LOCAL_VAR, Local};
use crate::view;

pub fn run(env: &Snapshot, args: &ExportArgs) -> Result<()> {
    if args.target == ExportTarget::Dotenv {
        return dotenv(env, args);
    }
    if args.literal {
        bail!("--literal is for `autovenv export dotenv` only");
    }
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

    let here = match &args.dir {
        Some(dir) => Ok(super::folder_arg(env, Some(dir.clone()))?),
        None => detect::current_dir(env.get("PWD").map(Into::into)),
    };
    // The tools' folders, looked up once for each search below.
    let seen = detect::Seen::open(&config);
    let decision = match here {
        Ok(dir) => engine::decide_with(
            &current,
            &config,
            detect::detect_in(&dir, &config, &seen),
            &memo,
            args.user_deactivate,
        ),
        Err(e) => {
            let pwd = env.get("PWD").map(PathBuf::from).unwrap_or_default();
            engine::cannot_read_dir(&current, pwd, &memo, &e)
        }
    };
    let mut settled = settle::settle(env, &current, &decision, &memo, args.user_deactivate);
    if let Some(shell) = shell.filter(|_| in_hook) {
        settled.find_region(shell, &decision, &config, settle::Stamps::Make);
    }
    let mid_line = in_hook && args.back_to.is_some();
    // A nushell, xonsh or elvish hook of another build (saved before an
    // upgrade, or loaded before the binary was replaced) is told once per
    // shell how to load this build's: its data still applies, but nothing
    // here can load the hook for it. (A hook from before `--hook` passes
    // none.)
    if let Some(shell) = shell.filter(|_| in_hook)
        && let Some(advice) = shell.stale_hook_advice()
    {
        let passed = args
            .hook
            .as_ref()
            .map_or_else(|| "none".into(), |h| h.to_string_lossy().into_owned());
        if passed != shell.hook_id() && settled.memo.hook.as_deref() != Some(passed.as_str()) {
            settled
                .messages
                .push(message::Message::Problem(advice.into()));
            settled.memo.hook = Some(passed);
        }
    }
    if !mid_line {
        message::show(&config, &settled.messages);
    }

    let path = current.path.clone().unwrap_or_default();
    match shell {
        Some(shell) if in_hook => {
            // The shell dropped its check (an `autovenv` command was typed
            // there): it needs the check again even if its fingerprint has
            // not changed.
            let dropped = args.stale.as_ref().is_some_and(|s| !s.is_empty());
            // A hook of another build (the binary at its path was replaced
            // while the shell ran): this build's hook is loaded first, and
            // the update is sent whole, as to a hook that has nothing yet
            // (loading empties the memo and the check).
            // (Only for a hook that calls as they all have since `--local`.)
            let reload = (shell.reloads_hook()
                && args.local.is_some()
                && args.hook.as_deref() != Some(std::ffi::OsStr::new(&shell.hook_id())))
            .then(std::env::current_exe)
            .and_then(Result::ok);
            let (mut update, memo_after) = match reload {
                Some(_) => settled.for_hook(shell, &decision, &Local::default(), true),
                None => settled.for_hook(shell, &decision, &memo, dropped),
            };
            let run = Run {
                env,
                config: &config,
                seen: &seen,
                shell,
                current: &current,
            };
            // What leaving the project does, ready for the hook, whenever
            // the shell is given anything (else it keeps what it has).
            if !update.is_empty()
                && let Some(region) = settled.check.region.as_ref()
                && region.moves
                && decision.project.is_some()
            {
                update.leave = leave_update(&run, &decision, &memo_after, region).map(Box::new);
            }
            if let Some(line_dir) = args.back_to.as_ref().filter(|_| mid_line) {
                update.said = message::texts(&config, &settled.messages);
                let line_dir = PathBuf::from(line_dir);
                if line_dir.is_absolute() && line_dir != decision.dir {
                    let back = back_update(&run, &decision, &memo_after, &line_dir);
                    update.back = Some(settle::Back {
                        dir: line_dir,
                        update: Box::new(back),
                    });
                }
            }
            match reload {
                Some(binary) => print(&shell.render_reload_for_hook(&binary, &update)),
                None => print(&shell.render_for_hook(&update)),
            }
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

/// `export dotenv`: what `autovenv exec` would change, as lines for
/// environment files; nothing at all on stdout when a value cannot be
/// written so that its readers get it exactly.
fn dotenv(env: &Snapshot, args: &ExportArgs) -> Result<()> {
    let dir = super::folder_arg(env, args.dir.clone())?;
    let launch = program::plan(env, &dir);
    if let Some(why) = launch.refusal("nothing was printed") {
        bail!(why);
    }
    for problem in launch.problems() {
        message::problem(problem);
    }
    let readers = if args.literal {
        dotenv::Readers::Literal
    } else {
        dotenv::Readers::Quoting
    };
    let text = dotenv::render(&launch.steps, readers).map_err(anyhow::Error::msg)?;
    print(&text)
}

/// What every search of one hook call shares.
struct Run<'a> {
    env: &'a Snapshot,
    config: &'a Config,
    seen: &'a detect::Seen,
    shell: crate::shell::Shell,
    current: &'a Current,
}

impl Run<'_> {
    /// A decision for a state the hook's update leaves (never the user's
    /// `deactivate`).
    fn decide(
        &self,
        current: &Current,
        detection: detect::Detection,
        memo: &Local,
    ) -> engine::Decision {
        engine::decide_with(current, self.config, detection, memo, false)
    }
}

/// What brings the shell back to `line_dir`'s state from the state this
/// update leaves: decided for `line_dir` from the environment as it will be,
/// with the memo as it will be. The hook applies it, with no process, if
/// the command line goes back there; its messages are never shown (nothing
/// changed, seen from the prompt).
fn back_update(
    run: &Run,
    decision: &engine::Decision,
    memo_after: &Local,
    line_dir: &std::path::Path,
) -> settle::HookUpdate {
    let (after, current_after) = state_after(run.env, run.current, decision, Some(line_dir));
    let detection = detect::detect_in(line_dir, run.config, run.seen);
    let back = run.decide(&current_after, detection, memo_after);
    let mut settled = settle::settle(&after, &current_after, &back, memo_after, false);
    // The stamp of the update it undoes.
    settled.find_region(run.shell, &back, run.config, settle::Stamps::Keep);
    settled.for_hook(run.shell, &back, memo_after, false).0
}

/// The update that leaves the project for a folder with no project, from
/// the state `decision` leaves, and the one that comes back from there.
fn leave_update(
    run: &Run,
    decision: &engine::Decision,
    memo_after: &Local,
    region: &crate::region::Region,
) -> Option<settle::Leave> {
    let Run {
        env,
        config,
        shell,
        current,
        ..
    } = *run;
    let (after, current_after) = state_after(env, current, decision, None);
    let leave = run.decide(
        &current_after,
        detect::nothing(config, run.seen),
        memo_after,
    );
    if leave.unreadable.is_some() || leave.probes.contains(&detect::Probe::Volatile) {
        return None;
    }
    let mut settled = settle::settle(&after, &current_after, &leave, memo_after, false);
    settled.check.region = Some(crate::region::Region::outside(&leave.names, region));
    let (mut update, memo_leave) = settled.for_hook(shell, &leave, memo_after, false);
    update.said = message::texts(config, &settled.messages);
    // Coming back: the same decision, planned from the state leaving leaves
    // (no second search).
    let (left, current_left) = state_after(&after, &current_after, &leave, Some(&decision.dir));
    let back = engine::replan(decision, &current_left, config, &memo_leave);
    let mut settled = settle::settle(&left, &current_left, &back, &memo_leave, false);
    settled.check.region = Some(region.clone());
    let back = settled.for_hook(shell, &back, &memo_leave, false).0;
    let above = match (&decision.project, &region.stamp) {
        (Some(project), Some(_)) => crate::region::clean_above(&project.root, &leave.names),
        _ => Vec::new(),
    };
    Some(settle::Leave {
        update,
        back,
        above,
    })
}

/// The environment and the shell's state once `decision` is applied, with
/// `PWD` set to `pwd`.
fn state_after(
    env: &Snapshot,
    current: &Current,
    decision: &engine::Decision,
    pwd: Option<&std::path::Path>,
) -> (Snapshot, Current) {
    let steps = &decision.outcome.steps;
    let after = after_steps(env, steps, pwd);
    let foreign = current.foreign_script && !steps.contains(&Step::ForgetScript);
    let current_after = Current::from_snapshot(&after, foreign);
    (after, current_after)
}

/// The environment once `steps` are applied, with `PWD` set to `pwd`.
fn after_steps(env: &Snapshot, steps: &[Step], pwd: Option<&std::path::Path>) -> Snapshot {
    let mut vars: plan::Vars = env
        .vars()
        .map(|(k, v)| (k.to_os_string(), v.to_os_string()))
        .collect();
    plan::apply(&mut vars, steps);
    if let Some(pwd) = pwd {
        vars.insert("PWD".into(), pwd.as_os_str().to_os_string());
    }
    Snapshot::from_pairs(vars, env.platform_data.clone())
}

fn print(text: &str) -> Result<()> {
    if !text.is_empty() {
        std::io::stdout().write_all(text.as_bytes())?;
    }
    Ok(())
}
