//! `autovenv export SHELL`: the hook's one call. Reads the shell's state from
//! its environment, decides, prints statements for `eval` on stdout and at
//! most a line or two for people on stderr.

use std::io::Write;
use std::os::unix::ffi::OsStrExt;

use anyhow::Result;
use serde_json::{Value, json};

use crate::ExportCall;
use crate::bytes;
use crate::cli::ExportTarget;
use crate::config::Config;
use crate::detect;
use crate::engine::{self, Decision};
use crate::message;
use crate::plan::{self, Check, Step};
use crate::shell::Shell;
use crate::state::{LOCAL_VAR, Local};

pub fn run(call: ExportCall) -> Result<()> {
    let ExportCall {
        target,
        user_deactivate,
        local,
        foreign,
        stale,
    } = call;
    let config = Config::from_env();
    let mut current = engine::current_from_env();
    // The hook passes whether a venv's own activate script is in charge (its
    // _OLD_VIRTUAL_PATH is not exported in bash and zsh).
    if foreign.as_ref().is_some_and(|f| !f.is_empty()) {
        current.foreign_script = true;
    }
    // The hook always passes its bookkeeping (maybe empty); a person or a
    // tool calling `export` passes none and gets only the environment change.
    let local_raw = local.or_else(|| std::env::var_os(LOCAL_VAR));
    let in_hook = local_raw.is_some() && target.shell().is_some();
    let local_in = local_raw
        .map(|v| Local::decode(v.as_bytes()))
        .unwrap_or_default();

    // The shell dropped its check (an `autovenv` command was typed there):
    // it needs the check again even if its fingerprint has not changed.
    let dropped = stale.is_some_and(|s| !s.is_empty());
    let dir = match detect::current_dir(std::env::var_os("PWD")) {
        Ok(dir) => dir,
        Err(e) => return cannot_read_dir(target, in_hook, &local_in, dropped, e),
    };
    let decision = engine::decide(&dir, &config, &current, &local_in, user_deactivate);
    let current_path = current.path.clone().unwrap_or_default();
    let mut local = decision.local.clone();
    report(&decision, &config, &mut local, user_deactivate);

    let Some(shell) = target.shell() else {
        let steps = plan::with_path_values(&decision.outcome.steps, &current_path);
        return print(&json_changes(&steps).to_string());
    };
    if !in_hook {
        let steps: Vec<Step> = plan::with_path_values(&decision.outcome.steps, &current_path)
            .into_iter()
            .filter(|s| !s.needs_hook())
            .collect();
        return print(&shell.render(&steps));
    }
    print(&shell.render_for_hook(&hook_steps(shell, &decision, &local_in, local, dropped)))
}

/// What a shell with the hook is given: the change, then its bookkeeping and
/// the check, each only when it differs from what the shell holds.
fn hook_steps(
    shell: Shell,
    decision: &Decision,
    local_in: &Local,
    mut local: Local,
    check_dropped: bool,
) -> Vec<Step> {
    let mut steps = Vec::new();
    if !decision.outcome.steps.is_empty() {
        // First drop the cached test: if the statements are cut short, the
        // next prompt asks again and finishes the job.
        steps.push(Step::Check(volatile()));
        steps.extend(decision.outcome.steps.iter().cloned());
    }
    let fingerprint = shell.check_fingerprint(&decision.check);
    let check_changed = check_dropped || local_in.check.as_deref() != Some(fingerprint.as_str());
    local.check = Some(fingerprint);
    if local != *local_in {
        steps.push(Step::Local(local.encode()));
    }
    if check_changed || !decision.outcome.steps.is_empty() {
        steps.push(Step::Check(decision.check.clone()));
    }
    steps
}

/// For `autovenv hook`: the bookkeeping and the check the first prompt would
/// get, when that prompt has nothing to change and nothing to say (a new
/// shell outside any project, the usual case). Loading the hook then costs
/// its one process and the first prompt none. Otherwise None: the first
/// prompt runs `export`, once the rc file has set the prompt.
pub fn initial_statements(shell: Shell) -> Option<String> {
    let config = Config::from_env();
    if !config.warnings.is_empty() {
        return None;
    }
    let current = engine::current_from_env();
    let dir = detect::current_dir(std::env::var_os("PWD")).ok()?;
    let decision = engine::decide(&dir, &config, &current, &Local::default(), false);
    if !decision.outcome.steps.is_empty()
        || !decision.problems.is_empty()
        || decision.untrusted.is_some()
    {
        return None;
    }
    let steps = hook_steps(
        shell,
        &decision,
        &Local::default(),
        decision.local.clone(),
        false,
    );
    Some(shell.render(&steps))
}

fn volatile() -> Check {
    Check {
        probes: vec![detect::Probe::Volatile],
        ..Check::default()
    }
}

/// The one-line messages: what changed, and problems not shown before.
fn report(decision: &Decision, config: &Config, local: &mut Local, user_deactivate: bool) {
    let outcome = &decision.outcome;
    if let Some(old) = &outcome.deactivated {
        let name = engine::activation_name(old);
        if user_deactivate {
            message::info(
                config,
                &format!(
                    "deactivated {name}; it stays off until you leave {}",
                    bytes::display_path(&old.root)
                ),
            );
        } else {
            message::info(config, &format!("deactivated {name}"));
        }
    }
    if let Some(venv) = &outcome.activated {
        message::info(
            config,
            &format!(
                "activated {} ({})",
                crate::venv::prompt_text(venv),
                crate::venv::version_text(venv)
            ),
        );
    }
    if user_deactivate && outcome.deactivated.is_none() {
        message::problem("no environment activated by autovenv is active here");
    }
    let shown = (!decision.problems.is_empty()).then(|| decision.problems.join("\n"));
    if shown.is_some() && shown != local.shown {
        for p in &decision.problems {
            message::problem(p);
        }
    }
    local.shown = shown;
    if let Some((canonical, text)) = &decision.untrusted
        && !local.has_warned(canonical)
    {
        message::problem(text);
        local.remember_warning(canonical);
    }
}

/// A current directory that is gone or unreadable: nothing changes. The
/// hook's test then only compares variables, so the message is not repeated
/// and no process runs until the user moves.
fn cannot_read_dir(
    target: ExportTarget,
    in_hook: bool,
    local_in: &Local,
    check_dropped: bool,
    e: std::io::Error,
) -> Result<()> {
    let gone = e.kind() == std::io::ErrorKind::NotFound;
    let mut local = local_in.clone();
    let text =
        format!("cannot read the current directory ({e}); nothing changes until you cd elsewhere");
    if !gone && local.shown.as_deref() != Some(text.as_str()) {
        message::problem(&text);
    }
    local.shown = (!gone).then_some(text);
    let Some(shell) = target.shell().filter(|_| in_hook) else {
        return Ok(());
    };
    let check = Check {
        vars: vec![
            ("PWD", std::env::var_os("PWD").unwrap_or_default()),
            (
                "VIRTUAL_ENV",
                std::env::var_os("VIRTUAL_ENV").unwrap_or_default(),
            ),
        ],
        ..Check::default()
    };
    local.check = Some(shell.check_fingerprint(&check));
    let mut steps = Vec::new();
    if local != *local_in || check_dropped {
        steps.push(Step::Local(local.encode()));
        steps.push(Step::Check(check));
    }
    print(&shell.render_for_hook(&steps))
}

/// `export json`: the same change, for other tools (docs/json.md).
pub fn json_changes(steps: &[Step]) -> Value {
    let mut set = serde_json::Map::new();
    let mut unset = Vec::new();
    let mut rehash = false;
    for step in steps {
        match step {
            Step::Set(name, value) => {
                unset.retain(|n: &Value| n != name);
                set.insert(
                    name.to_string(),
                    json!(String::from_utf8_lossy(value.as_bytes())),
                );
            }
            Step::Unset(name) => {
                set.remove(*name);
                if !unset.iter().any(|n| n == name) {
                    unset.push(json!(name));
                }
            }
            Step::Rehash => rehash = true,
            _ => {}
        }
    }
    if set.is_empty() && unset.is_empty() {
        return json!({"version": 1, "changed": false, "set": {}, "unset": [], "rehash": false});
    }
    json!({"version": 1, "changed": true, "set": set, "unset": unset, "rehash": rehash})
}

fn print(text: &str) -> Result<()> {
    if !text.is_empty() {
        std::io::stdout().write_all(text.as_bytes())?;
    }
    Ok(())
}
