//! The statements of each transition, in the order that makes them safe
//! to cut short: activate, deactivate, adopt, take over, end an outside
//! activation; and the PATH and PKG_CONFIG_PATH edits they make.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::{Outcome, Step, has_path_entry, remove_path_entry, same_folder};
use crate::bytes;
use crate::state::{Activation, Current, STATE_VAR};
use crate::venv::Venv;

/// The variables the shell has, as planning sees them: `pythonhome` is
/// tracked so that an activation after a deactivation saves the restored
/// value; `path` is only read (PATH changes are edits the shell applies).
pub(super) struct Env {
    pub path: OsString,
    pub pythonhome: Option<OsString>,
    pub pkg_config_path: Option<OsString>,
}

/// A state variable could be forged to name `/usr`; its `bin` is removed from
/// PATH only when the folder is an environment, or is gone altogether (an
/// environment deleted while active).
pub(super) fn may_remove_entry(venv: &Path) -> bool {
    venv.join("pyvenv.cfg").exists() || venv.symlink_metadata().is_err()
}

/// What a deactivation leaves for the activation that follows it to replace.
#[derive(Default, Clone, Copy)]
pub(super) struct Kept {
    pub prompt: bool,
    pub command: bool,
}

/// Ordered so that stopping after any statement (a Ctrl-C) leaves a state
/// the next run completes: `VIRTUAL_ENV` goes first, after which the
/// activation counts as displaced and is cleaned up from the state variable,
/// which goes last.
pub(super) fn deactivate(
    out: &mut Outcome,
    env: &mut Env,
    active: &Activation,
    still_set: bool,
    keep: Kept,
) {
    if !keep.prompt {
        out.steps.push(Step::Prompt(None));
    }
    if still_set {
        out.steps.push(Step::Unset("VIRTUAL_ENV"));
    }
    out.steps.push(Step::Unset("VIRTUAL_ENV_PROMPT"));
    if may_remove_entry(&active.venv) && has_path_entry(&env.path, &active.path_entry()) {
        out.steps.push(Step::PathRemove(active.path_entry()));
    }
    drop_pkg_config(out, env, &active.venv);
    if let Some(home) = &active.pythonhome {
        env.pythonhome = Some(home.clone());
        out.steps.push(Step::Set("PYTHONHOME", home.clone()));
    }
    out.steps.push(Step::Unset(STATE_VAR));
    out.steps.push(Step::Rehash);
    if !keep.command {
        out.steps.push(Step::DeactivateCommand(false));
    }
}

/// Ordered so that stopping after any statement leaves a state the next run
/// completes: the state variable goes first (from then on the activation is
/// autovenv's, displaced until `VIRTUAL_ENV`, which goes last of the
/// variables).
pub(super) fn activate(
    out: &mut Outcome,
    env: &mut Env,
    venv: &Venv,
    root: &Path,
    disable_prompt: bool,
) {
    let activation = Activation {
        venv: venv.path.clone(),
        root: root.to_path_buf(),
        pythonhome: env.pythonhome.take(),
        taken_over: false,
    };
    out.steps
        .push(Step::Set(STATE_VAR, activation.encode().into()));
    if activation.pythonhome.is_some() {
        out.steps.push(Step::Unset("PYTHONHOME"));
    }
    out.steps.push(Step::PathPrepend(activation.path_entry()));
    if venv.virtualenv {
        set_pkg_config(out, env, venv);
    }
    out.steps
        .push(Step::Set("VIRTUAL_ENV_PROMPT", venv.prompt.clone()));
    out.steps
        .push(Step::Set("VIRTUAL_ENV", venv.path.clone().into_os_string()));
    out.steps.push(Step::Rehash);
    if !disable_prompt {
        out.steps.push(Step::Prompt(Some(venv.prompt.clone())));
    }
    out.steps.push(Step::DeactivateCommand(true));
    out.activated = Some(venv.clone());
    out.adopted = Some(venv.path.clone());
}

/// A shell that inherited autovenv's activation (a child shell) makes it
/// its own: prompt prefix and `deactivate` back, and the PATH entry added only
/// if something (a login profile) took it out.
pub(super) fn adopt(
    out: &mut Outcome,
    env: &Env,
    active: &Activation,
    venv: &Venv,
    disable_prompt: bool,
) {
    if !has_path_entry(&env.path, &active.path_entry()) {
        out.steps.push(Step::PathPrepend(active.path_entry()));
        out.steps.push(Step::Rehash);
    }
    if !disable_prompt {
        out.steps.push(Step::Prompt(Some(venv.prompt.clone())));
    }
    out.steps.push(Step::DeactivateCommand(true));
}

/// An environment activated by someone else that autovenv would activate
/// here anyway becomes autovenv's, as if it had activated it: one PATH
/// entry (a second one, from an activate script sourced over autovenv's own
/// activation, goes), its prompt name and prefix, its `deactivate`.
pub(super) fn take_over(
    out: &mut Outcome,
    env: &Env,
    current: &Current,
    active: &Path,
    venv: &Venv,
    root: &Path,
    disable_prompt: bool,
) {
    // Sourced over autovenv's own activation: the PYTHONHOME autovenv put
    // aside still waits to be restored.
    let own = current.state.as_ref().and_then(|s| s.as_ref().ok());
    let pythonhome = own
        .filter(|a| same_folder(&a.venv, active))
        .and_then(|a| a.pythonhome.clone());
    let activation = Activation {
        venv: venv.path.clone(),
        root: root.to_path_buf(),
        pythonhome,
        taken_over: true,
    };
    out.steps
        .push(Step::Set(STATE_VAR, activation.encode().into()));
    let entry = activation.path_entry();
    let spelled = active.join("bin");
    let mut count = 0;
    for part in bytes::split_colons(&env.path) {
        if part.as_bytes() == entry.as_os_str().as_bytes() {
            count += 1;
            if count > 1 {
                out.steps.push(Step::PathRemove(entry.clone()));
            }
        } else if spelled != entry && part.as_bytes() == spelled.as_os_str().as_bytes() {
            out.steps.push(Step::PathRemove(spelled.clone()));
        }
    }
    if count == 0 {
        out.steps.push(Step::PathPrepend(entry));
    }
    if venv.virtualenv {
        // The activate script may have put the same entry there already.
        let mut env = Env {
            path: OsString::new(),
            pythonhome: None,
            pkg_config_path: env.pkg_config_path.clone(),
        };
        while drop_entry(&mut env.pkg_config_path, &pkg_config_entry(&venv.path)) {}
        set_pkg_config(out, &mut env, venv);
    }
    out.steps
        .push(Step::Set("VIRTUAL_ENV_PROMPT", venv.prompt.clone()));
    out.steps
        .push(Step::Set("VIRTUAL_ENV", venv.path.clone().into_os_string()));
    // Last of the changes to variables: until the script's own bookkeeping
    // is gone, the activation still counts as someone else's, and a run cut
    // short here is taken up again from the start.
    if current.foreign_script {
        out.steps.push(Step::ForgetScript);
    }
    out.steps.push(Step::Rehash);
    if !disable_prompt {
        out.steps.push(Step::Prompt(Some(venv.prompt.clone())));
    }
    out.steps.push(Step::DeactivateCommand(true));
}

/// The `deactivate` autovenv provided for an inherited environment: its
/// PATH entry and its variables go, and nothing else. The PATH entry goes
/// first, so that a Ctrl-C after it leaves the rest for another
/// `deactivate`.
pub(super) fn end_outside(out: &mut Outcome, env: &mut Env, active: &Path) {
    let entry = active.join("bin");
    if may_remove_entry(active) && has_path_entry(&env.path, &entry) {
        out.steps.push(Step::PathRemove(entry));
    }
    drop_pkg_config(out, env, active);
    out.steps.push(Step::Unset("VIRTUAL_ENV_PROMPT"));
    out.steps.push(Step::Unset("VIRTUAL_ENV"));
    out.steps.push(Step::Rehash);
    out.steps.push(Step::DeactivateCommand(false));
    out.ended_outside = Some(active.to_path_buf());
}

/// virtualenv's activate scripts put `$VIRTUAL_ENV/lib/pkgconfig` first on
/// PKG_CONFIG_PATH (and take it away on deactivate); python -m venv's and
/// uv's do not.
pub(super) fn pkg_config_entry(venv: &Path) -> PathBuf {
    venv.join("lib/pkgconfig")
}

pub(super) fn set_pkg_config(out: &mut Outcome, env: &mut Env, venv: &Venv) {
    let value = prepend(
        &pkg_config_entry(&venv.path),
        env.pkg_config_path.as_deref().unwrap_or_default(),
    );
    env.pkg_config_path = Some(value.clone());
    out.steps.push(Step::Set("PKG_CONFIG_PATH", value));
}

/// Takes the environment's entry off PKG_CONFIG_PATH, if it is there; an
/// emptied PKG_CONFIG_PATH is unset, as virtualenv's deactivate leaves it.
pub(super) fn drop_pkg_config(out: &mut Outcome, env: &mut Env, venv: &Path) {
    if drop_entry(&mut env.pkg_config_path, &pkg_config_entry(venv)) {
        out.steps.push(match &env.pkg_config_path {
            Some(v) => Step::Set("PKG_CONFIG_PATH", v.clone()),
            None => Step::Unset("PKG_CONFIG_PATH"),
        });
    }
}

/// Removes the first `entry` from a colon list; an emptied list becomes
/// unset. False when the entry was not there.
pub(super) fn drop_entry(list: &mut Option<OsString>, entry: &Path) -> bool {
    let Some(value) = list.as_deref() else {
        return false;
    };
    let Some(rest) = remove_path_entry(value, entry) else {
        return false;
    };
    *list = (!rest.is_empty()).then_some(rest);
    true
}

pub fn prepend(entry: &Path, path: &OsStr) -> OsString {
    let mut parts = vec![entry.as_os_str().to_os_string()];
    if !path.is_empty() {
        parts.extend(bytes::split_colons(path));
    }
    bytes::join_colons(&parts)
}
