//! (what the shell has, what the directory wants) -> ordered changes.
//!
//! Nothing here touches the shell or knows its syntax: the result is a list
//! of [`Step`]s that a module under `shell/` renders.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::bytes;
use crate::state::{Activation, Current, Owner, STATE_VAR};
use crate::venv::Venv;

/// One change to the shell, in the order it must happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Export a variable.
    Set(&'static str, OsString),
    Unset(&'static str),
    /// Put an entry first on PATH, whatever PATH holds by then.
    PathPrepend(PathBuf),
    /// Remove the first PATH entry equal to this one (only the entry
    /// autovenv added: every other change the user made stays).
    PathRemove(PathBuf),
    /// Forget the shell's table of command locations.
    Rehash,
    /// Put `(NAME) ` before the prompt, replacing autovenv's own prefix; or,
    /// with `None`, remove autovenv's prefix if it is still there.
    Prompt(Option<OsString>),
    /// Define (or remove) the `deactivate` command.
    DeactivateCommand(bool),
    /// Drop what a venv's own activate script left in this shell (its saved
    /// `_OLD_VIRTUAL_*` values, its prompt prefix, its `deactivate`), for an
    /// environment autovenv takes over.
    ForgetScript,
}

impl Step {
    /// Steps that call the hook's own functions: a shell without the hook
    /// (someone evaluating `autovenv export bash` by hand) skips them.
    pub fn needs_hook(&self) -> bool {
        matches!(
            self,
            Step::Prompt(_) | Step::DeactivateCommand(_) | Step::ForgetScript
        )
    }
}

/// The environment the directory wants active, with its project root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Nothing,
    Venv { venv: Venv, root: PathBuf },
}

/// What a transition did, for the one-line messages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    pub steps: Vec<Step>,
    pub deactivated: Option<Activation>,
    pub activated: Option<Venv>,
    /// An environment activated outside autovenv that the user ended with
    /// the `deactivate` autovenv provided.
    pub ended_outside: Option<PathBuf>,
    /// The environment whose prompt prefix and `deactivate` the shell holds
    /// once the steps are applied (the hook's memo keeps it).
    pub adopted: Option<PathBuf>,
}

impl Outcome {
    /// No change at all: the shell keeps what it holds.
    pub fn unchanged(held: Held) -> Outcome {
        Outcome {
            adopted: held.adopted.map(Path::to_path_buf),
            ..Outcome::default()
        }
    }
}

/// Whether two paths name the same folder (a symlinked route to a project
/// is the same project).
fn same_folder(a: &Path, b: &Path) -> bool {
    a == b
        || matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
}

/// The variables the shell has, as planning sees them: `pythonhome` is
/// tracked so that an activation after a deactivation saves the restored
/// value; `path` is only read (PATH changes are edits the shell applies).
struct Env {
    path: OsString,
    pythonhome: Option<OsString>,
    pkg_config_path: Option<OsString>,
}

/// What the shell already holds of autovenv's: `adopted` is the environment
/// whose prompt prefix and `deactivate` are in place (autovenv's own, or
/// one activated outside for which autovenv provided `deactivate`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Held<'a> {
    pub adopted: Option<&'a Path>,
    /// The user typed the `deactivate` autovenv defined.
    pub user_deactivate: bool,
}

pub fn plan_transition(
    current: &Current,
    target: &Target,
    held: Held,
    disable_prompt: bool,
) -> Outcome {
    let mut out = Outcome::default();
    let mut env = Env {
        path: current.path.clone().unwrap_or_default(),
        pythonhome: current.pythonhome.clone(),
        pkg_config_path: current.pkg_config_path.clone(),
    };
    match current.owner() {
        Owner::Outside(active) => match target {
            // The environment autovenv would activate here, activated by
            // someone else: autovenv takes it over (docs/decisions.md).
            Target::Venv { venv, root } if same_folder(&venv.path, &active) => {
                take_over(&mut out, &env, current, &active, venv, root, disable_prompt);
                out.adopted = Some(venv.path.clone());
            }
            // Someone else's: left alone. Inherited from a parent process
            // it has no `deactivate`; autovenv provides one, which ends
            // exactly that environment.
            _ if !current.foreign_script => {
                if held.user_deactivate {
                    end_outside(&mut out, &mut env, &active);
                } else {
                    if held.adopted != Some(active.as_path()) {
                        out.steps.push(Step::DeactivateCommand(true));
                    }
                    out.adopted = Some(active);
                }
            }
            _ => {}
        },
        Owner::Nobody => {
            if let Target::Venv { venv, root } = target {
                activate(&mut out, &mut env, venv, root, disable_prompt);
            }
        }
        Owner::Autovenv(active) => match target {
            Target::Venv { venv, .. } if same_folder(&venv.path, &active.venv) => {
                if held.adopted != Some(active.venv.as_path()) {
                    adopt(&mut out, &env, &active, venv, disable_prompt);
                }
                out.adopted = Some(active.venv);
            }
            _ => {
                let next = match target {
                    Target::Venv { venv, root } => Some((venv, root)),
                    Target::Nothing => None,
                };
                // A switch: the activation replaces the prompt prefix and
                // redefines `deactivate` itself, so the deactivation need
                // not take them away first (fish pays for every function it
                // unwraps and wraps again).
                let keep = Kept {
                    prompt: next.is_some() && !disable_prompt,
                    command: next.is_some(),
                };
                deactivate(&mut out, &mut env, &active, true, keep);
                out.deactivated = Some(active);
                if let Some((venv, root)) = next {
                    activate(&mut out, &mut env, venv, root, disable_prompt);
                }
            }
        },
        Owner::Displaced(left) => {
            deactivate(&mut out, &mut env, &left, false, Kept::default());
            if let Target::Venv { venv, root } = target {
                activate(&mut out, &mut env, venv, root, disable_prompt);
            }
        }
    }
    out
}

/// The steps with PATH edits replaced by the values they give when applied
/// to `path`: for callers without the hook's helper functions (a person or
/// tool evaluating `autovenv export SHELL`, and `export json`).
pub fn with_path_values(steps: &[Step], path: &OsStr) -> Vec<Step> {
    let mut path = path.to_os_string();
    steps
        .iter()
        .map(|step| match step {
            Step::PathPrepend(e) => {
                path = prepend(e, &path);
                Step::Set("PATH", path.clone())
            }
            Step::PathRemove(e) => {
                path = remove_path_entry(&path, e).unwrap_or_else(|| path.clone());
                Step::Set("PATH", path.clone())
            }
            other => other.clone(),
        })
        .collect()
}

/// Removes the first entry of `path` equal to `entry`; None when absent.
pub fn remove_path_entry(path: &OsStr, entry: &Path) -> Option<OsString> {
    let mut parts = bytes::split_colons(path);
    let at = parts
        .iter()
        .position(|p| p.as_bytes() == entry.as_os_str().as_bytes())?;
    parts.remove(at);
    Some(bytes::join_colons(&parts))
}

pub fn has_path_entry(path: &OsStr, entry: &Path) -> bool {
    bytes::split_colons(path)
        .iter()
        .any(|p| p.as_bytes() == entry.as_os_str().as_bytes())
}

/// A state variable could be forged to name `/usr`; its `bin` is removed from
/// PATH only when the folder is an environment, or is gone altogether (an
/// environment deleted while active).
fn may_remove_entry(venv: &Path) -> bool {
    venv.join("pyvenv.cfg").exists() || venv.symlink_metadata().is_err()
}

/// What a deactivation leaves for the activation that follows it to replace.
#[derive(Default, Clone, Copy)]
struct Kept {
    prompt: bool,
    command: bool,
}

/// Ordered so that stopping after any statement (a Ctrl-C) leaves a state
/// the next run completes: `VIRTUAL_ENV` goes first, after which the
/// activation counts as displaced and is cleaned up from the state variable,
/// which goes last.
fn deactivate(out: &mut Outcome, env: &mut Env, active: &Activation, still_set: bool, keep: Kept) {
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
fn activate(out: &mut Outcome, env: &mut Env, venv: &Venv, root: &Path, disable_prompt: bool) {
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
fn adopt(out: &mut Outcome, env: &Env, active: &Activation, venv: &Venv, disable_prompt: bool) {
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
fn take_over(
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
fn end_outside(out: &mut Outcome, env: &mut Env, active: &Path) {
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
fn pkg_config_entry(venv: &Path) -> PathBuf {
    venv.join("lib/pkgconfig")
}

fn set_pkg_config(out: &mut Outcome, env: &mut Env, venv: &Venv) {
    let value = prepend(
        &pkg_config_entry(&venv.path),
        env.pkg_config_path.as_deref().unwrap_or_default(),
    );
    env.pkg_config_path = Some(value.clone());
    out.steps.push(Step::Set("PKG_CONFIG_PATH", value));
}

/// Takes the environment's entry off PKG_CONFIG_PATH, if it is there; an
/// emptied PKG_CONFIG_PATH is unset, as virtualenv's deactivate leaves it.
fn drop_pkg_config(out: &mut Outcome, env: &mut Env, venv: &Path) {
    if drop_entry(&mut env.pkg_config_path, &pkg_config_entry(venv)) {
        out.steps.push(match &env.pkg_config_path {
            Some(v) => Step::Set("PKG_CONFIG_PATH", v.clone()),
            None => Step::Unset("PKG_CONFIG_PATH"),
        });
    }
}

/// Removes the first `entry` from a colon list; an emptied list becomes
/// unset. False when the entry was not there.
fn drop_entry(list: &mut Option<OsString>, entry: &Path) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn venv(path: &str) -> Venv {
        Venv {
            path: path.into(),
            prompt: Path::new(path)
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_os_string(),
            version: Some("3.11.7".into()),
            base_home: None,
            virtualenv: false,
        }
    }

    fn want(path: &str) -> Target {
        Target::Venv {
            venv: venv(path),
            root: Path::new(path).parent().unwrap().to_path_buf(),
        }
    }

    /// Applies steps to a map of variables, as a shell would.
    fn apply(current: &Current, steps: &[Step]) -> Current {
        let mut next = current.clone();
        for step in steps {
            match step {
                Step::Set("PATH", v) => next.path = Some(v.clone()),
                Step::PathPrepend(e) => {
                    next.path = Some(prepend(e, next.path.as_deref().unwrap_or_default()))
                }
                Step::PathRemove(e) => {
                    if let Some(p) = remove_path_entry(next.path.as_deref().unwrap_or_default(), e)
                    {
                        next.path = Some(p);
                    }
                }
                Step::Set("VIRTUAL_ENV", v) => next.virtual_env = Some(v.into()),
                Step::Set("PYTHONHOME", v) => next.pythonhome = Some(v.clone()),
                Step::Set(STATE_VAR, v) => {
                    next.state = Some(Activation::decode(v.as_bytes()));
                }
                Step::Set("PKG_CONFIG_PATH", v) => next.pkg_config_path = Some(v.clone()),
                Step::Unset("VIRTUAL_ENV") => next.virtual_env = None,
                Step::Unset("PYTHONHOME") => next.pythonhome = None,
                Step::Unset("PKG_CONFIG_PATH") => next.pkg_config_path = None,
                Step::Unset(STATE_VAR) => next.state = None,
                Step::ForgetScript => next.foreign_script = false,
                _ => {}
            }
        }
        next
    }

    fn outside() -> Current {
        Current {
            path: Some("/usr/local/bin:/usr/bin:/bin".into()),
            ..Current::default()
        }
    }

    fn adopted(c: &Current) -> Option<&Path> {
        c.virtual_env.as_deref()
    }

    fn held(adopted: Option<&Path>) -> Held<'_> {
        Held {
            adopted,
            user_deactivate: false,
        }
    }

    #[test]
    fn activate_from_outside() {
        let start = outside();
        let out = plan_transition(&start, &want("/p/a/venv"), Held::default(), false);
        let after = apply(&start, &out.steps);
        assert_eq!(after.virtual_env.as_deref(), Some(Path::new("/p/a/venv")));
        assert_eq!(
            after.path.unwrap(),
            "/p/a/venv/bin:/usr/local/bin:/usr/bin:/bin"
        );
        assert!(
            out.steps
                .contains(&Step::Set("VIRTUAL_ENV_PROMPT", "a".into()))
        );
        assert!(out.steps.contains(&Step::Prompt(Some("a".into()))));
        assert!(out.steps.contains(&Step::DeactivateCommand(true)));
        assert!(out.steps.contains(&Step::Rehash));
        assert_eq!(out.activated.unwrap().path, Path::new("/p/a/venv"));
    }

    #[test]
    fn no_change_when_already_active_and_adopted() {
        let start = outside();
        let on = apply(
            &start,
            &plan_transition(&start, &want("/p/a/venv"), Held::default(), false).steps,
        );
        let out = plan_transition(&on, &want("/p/a/venv"), held(adopted(&on)), false);
        assert_eq!(out.steps, vec![]);
        let nothing = plan_transition(&start, &Target::Nothing, Held::default(), false);
        assert_eq!(nothing.steps, vec![]);
    }

    #[test]
    fn deactivate_keeps_user_path_edits_and_restores_pythonhome() {
        let mut start = outside();
        start.pythonhome = Some("/opt/py".into());
        let on = apply(
            &start,
            &plan_transition(&start, &want("/p/a/venv"), Held::default(), false).steps,
        );
        assert_eq!(on.pythonhome, None);
        // The user edits PATH while inside.
        let mut edited = on.clone();
        edited.path = Some(
            format!(
                "/mine/first:{}:/mine/last",
                on.path.unwrap().to_str().unwrap()
            )
            .into(),
        );
        let out = plan_transition(&edited, &Target::Nothing, held(adopted(&edited)), false);
        let off = apply(&edited, &out.steps);
        assert_eq!(
            off.path.unwrap(),
            "/mine/first:/usr/local/bin:/usr/bin:/bin:/mine/last"
        );
        assert_eq!(off.pythonhome.unwrap(), "/opt/py");
        assert_eq!(off.virtual_env, None);
        assert_eq!(off.state, None);
        assert!(out.steps.contains(&Step::Prompt(None)));
        assert!(out.steps.contains(&Step::DeactivateCommand(false)));
        assert_eq!(out.deactivated.unwrap().venv, Path::new("/p/a/venv"));
    }

    #[test]
    fn pythonhome_unset_before_stays_unset() {
        let start = outside();
        let on = apply(
            &start,
            &plan_transition(&start, &want("/p/a/venv"), Held::default(), false).steps,
        );
        let off = apply(
            &on,
            &plan_transition(&on, &Target::Nothing, held(adopted(&on)), false).steps,
        );
        assert_eq!(off.pythonhome, None);
        assert_eq!(off.path, start.path);
    }

    #[test]
    fn switch_equals_entering_from_outside() {
        let mut start = outside();
        start.pythonhome = Some("/opt/py".into());
        let a = apply(
            &start,
            &plan_transition(&start, &want("/p/a/venv"), Held::default(), false).steps,
        );
        let out = plan_transition(&a, &want("/p/b/venv"), held(adopted(&a)), false);
        // deactivate first, then activate, in one list
        let unset_at = out
            .steps
            .iter()
            .position(|s| *s == Step::Unset("VIRTUAL_ENV"))
            .unwrap();
        let set_at = out
            .steps
            .iter()
            .position(|s| matches!(s, Step::Set("VIRTUAL_ENV", _)))
            .unwrap();
        assert!(unset_at < set_at);
        let switched = apply(&a, &out.steps);
        let direct = apply(
            &start,
            &plan_transition(&start, &want("/p/b/venv"), Held::default(), false).steps,
        );
        assert_eq!(switched.path, direct.path);
        assert_eq!(switched.virtual_env, direct.virtual_env);
        assert_eq!(switched.pythonhome, direct.pythonhome);
        assert_eq!(switched.state, direct.state);
        assert_eq!(
            switched.state.unwrap().unwrap().pythonhome.unwrap(),
            "/opt/py"
        );
    }

    #[test]
    fn outside_activation_is_left_alone() {
        // Sourced by hand: its own script's `deactivate` is there.
        let mut hand = outside();
        hand.virtual_env = Some("/elsewhere/venv".into());
        hand.foreign_script = true;
        assert_eq!(
            plan_transition(&hand, &want("/p/a/venv"), Held::default(), false).steps,
            vec![]
        );
        assert_eq!(
            plan_transition(&hand, &Target::Nothing, Held::default(), false).steps,
            vec![]
        );
        // Same folder, but a hand-sourced activate script is in charge.
        let start = outside();
        let mut on = apply(
            &start,
            &plan_transition(&start, &want("/p/a/venv"), Held::default(), false).steps,
        );
        on.foreign_script = true;
        assert!(matches!(on.owner(), Owner::Outside(_)));
        assert_eq!(
            plan_transition(&on, &Target::Nothing, held(adopted(&on)), false).steps,
            vec![]
        );
    }

    #[test]
    fn displaced_activation_is_cleaned_and_resumed() {
        let start = outside();
        let on = apply(
            &start,
            &plan_transition(&start, &want("/p/a/venv"), Held::default(), false).steps,
        );
        // A hand-sourced venv came and went: it unset VIRTUAL_ENV, restored
        // its saved PATH (with autovenv's entry still in it).
        let mut displaced = on.clone();
        displaced.virtual_env = None;
        assert!(matches!(displaced.owner(), Owner::Displaced(_)));
        let back = apply(
            &displaced,
            &plan_transition(&displaced, &want("/p/a/venv"), Held::default(), false).steps,
        );
        assert_eq!(back.path, on.path, "entry not doubled");
        assert_eq!(back.virtual_env, on.virtual_env);
        let gone = apply(
            &displaced,
            &plan_transition(&displaced, &Target::Nothing, Held::default(), false).steps,
        );
        assert_eq!(gone.path, start.path);
        assert_eq!(gone.state, None);
    }

    #[test]
    fn child_shell_adopts_without_doubling_path() {
        let start = outside();
        let on = apply(
            &start,
            &plan_transition(&start, &want("/p/a/venv"), Held::default(), false).steps,
        );
        let out = plan_transition(&on, &want("/p/a/venv"), Held::default(), false);
        assert_eq!(
            out.steps,
            vec![
                Step::Prompt(Some("a".into())),
                Step::DeactivateCommand(true)
            ]
        );
        assert_eq!(out.activated, None);
        // A login profile reset PATH: the entry comes back, once.
        let mut reset = on.clone();
        reset.path = start.path.clone();
        let after = apply(
            &reset,
            &plan_transition(&reset, &want("/p/a/venv"), Held::default(), false).steps,
        );
        assert_eq!(after.path, on.path);
    }

    #[test]
    fn disabled_prompt_is_left_alone() {
        let out = plan_transition(&outside(), &want("/p/a/venv"), Held::default(), true);
        assert!(!out.steps.iter().any(|s| matches!(s, Step::Prompt(Some(_)))));
    }

    #[test]
    fn forged_state_cannot_remove_system_paths() {
        let mut forged = outside();
        forged.state = Some(Ok(Activation {
            venv: "/usr".into(),
            root: "/".into(),
            pythonhome: None,
            taken_over: false,
        }));
        let after = apply(
            &forged,
            &plan_transition(&forged, &Target::Nothing, Held::default(), false).steps,
        );
        assert_eq!(after.path, forged.path);
        assert_eq!(after.state, None);
    }

    #[test]
    fn any_prefix_of_the_statements_is_completed_by_the_next_run() {
        let mut start = outside();
        start.pythonhome = Some("/opt/py".into());
        let a = apply(
            &start,
            &plan_transition(&start, &want("/p/a/venv"), Held::default(), false).steps,
        );
        let direct = apply(
            &start,
            &plan_transition(&start, &want("/p/b/venv"), Held::default(), false).steps,
        );
        for (from, target, expect) in [
            (&start, want("/p/a/venv"), &a),
            (&a, want("/p/b/venv"), &direct),
            (&a, Target::Nothing, &start),
        ] {
            let steps = plan_transition(from, &target, held(adopted(from)), false).steps;
            for cut in 0..=steps.len() {
                // Ctrl-C after `cut` statements, then the next prompt.
                let partial = apply(from, &steps[..cut]);
                let next = plan_transition(&partial, &target, Held::default(), false).steps;
                let done = apply(&partial, &next);
                assert_eq!(done.path, expect.path, "cut at {cut}");
                assert_eq!(done.virtual_env, expect.virtual_env, "cut at {cut}");
                assert_eq!(done.pythonhome, expect.pythonhome, "cut at {cut}");
                assert_eq!(done.state, expect.state, "cut at {cut}");
            }
        }
    }

    #[test]
    fn path_entries() {
        let p = OsStr::new("/a/bin:/v/bin:/b:/v/bin");
        assert_eq!(
            remove_path_entry(p, Path::new("/v/bin")).unwrap(),
            "/a/bin:/b:/v/bin"
        );
        assert_eq!(remove_path_entry(p, Path::new("/x")), None);
        assert!(has_path_entry(p, Path::new("/b")));
        assert_eq!(prepend(Path::new("/v/bin"), OsStr::new("")), "/v/bin");
    }

    #[test]
    fn activate_script_sourced_over_our_own_is_taken_over() {
        let start = outside();
        let on = apply(
            &start,
            &plan_transition(&start, &want("/p/a/venv"), Held::default(), false).steps,
        );
        // What `source venv/bin/activate` leaves on top.
        let sourced = Current {
            path: Some(prepend(
                Path::new("/p/a/venv/bin"),
                on.path.as_deref().unwrap(),
            )),
            foreign_script: true,
            ..on.clone()
        };
        assert!(matches!(sourced.owner(), Owner::Outside(_)));
        let out = plan_transition(&sourced, &want("/p/a/venv"), held(adopted(&on)), false);
        assert!(out.steps.contains(&Step::ForgetScript));
        let after = apply(&sourced, &out.steps);
        assert_eq!(after.path, on.path, "one PATH entry");
        let Owner::Autovenv(a) = after.owner() else {
            panic!("autovenv's now: {after:?}");
        };
        assert!(a.taken_over);
        assert_eq!(out.adopted.as_deref(), Some(Path::new("/p/a/venv")));
        // And then nothing more to do.
        let again = plan_transition(
            &after,
            &want("/p/a/venv"),
            held(out.adopted.as_deref()),
            false,
        );
        assert!(again.steps.is_empty(), "{:?}", again.steps);
    }

    #[test]
    fn inherited_env_of_the_project_is_taken_over_without_doubling_path() {
        let inherited = Current {
            virtual_env: Some("/p/a/venv".into()),
            path: Some("/p/a/venv/bin:/usr/bin".into()),
            ..Current::default()
        };
        let out = plan_transition(&inherited, &want("/p/a/venv"), Held::default(), false);
        assert!(!out.steps.contains(&Step::ForgetScript));
        assert!(
            !out.steps
                .iter()
                .any(|s| matches!(s, Step::PathPrepend(_) | Step::PathRemove(_)))
        );
        assert!(out.steps.contains(&Step::DeactivateCommand(true)));
        let after = apply(&inherited, &out.steps);
        let left = plan_transition(
            &after,
            &Target::Nothing,
            held(out.adopted.as_deref()),
            false,
        );
        assert_eq!(apply(&after, &left.steps).path.unwrap(), "/usr/bin");
    }

    #[test]
    fn someone_elses_inherited_env_gets_a_deactivate_that_ends_it() {
        let inherited = Current {
            virtual_env: Some("/nonexistent/q/venv".into()),
            path: Some("/mine:/nonexistent/q/venv/bin:/usr/bin".into()),
            ..Current::default()
        };
        let out = plan_transition(&inherited, &want("/p/a/venv"), Held::default(), false);
        assert_eq!(out.steps, vec![Step::DeactivateCommand(true)]);
        let once = plan_transition(
            &inherited,
            &want("/p/a/venv"),
            held(out.adopted.as_deref()),
            false,
        );
        assert!(once.steps.is_empty(), "provided once: {:?}", once.steps);
        let ended = plan_transition(
            &inherited,
            &want("/p/a/venv"),
            Held {
                adopted: out.adopted.as_deref(),
                user_deactivate: true,
            },
            false,
        );
        let after = apply(&inherited, &ended.steps);
        assert_eq!(after.virtual_env, None);
        assert_eq!(after.path.unwrap(), "/mine:/usr/bin");
        assert!(ended.ended_outside.is_some());
        // A venv's own script is in charge: it has its own deactivate.
        let sourced = Current {
            foreign_script: true,
            ..inherited
        };
        assert!(
            plan_transition(&sourced, &want("/p/a/venv"), Held::default(), false)
                .steps
                .is_empty()
        );
    }

    #[test]
    fn virtualenv_environments_get_pkg_config_path_as_their_scripts_set_it() {
        let target = Target::Venv {
            venv: Venv {
                virtualenv: true,
                ..venv("/p/a/venv")
            },
            root: "/p/a".into(),
        };
        let start = Current {
            pkg_config_path: Some("/usr/lib/pkgconfig".into()),
            ..outside()
        };
        let on = apply(
            &start,
            &plan_transition(&start, &target, Held::default(), false).steps,
        );
        assert_eq!(
            on.pkg_config_path.as_deref().unwrap(),
            "/p/a/venv/lib/pkgconfig:/usr/lib/pkgconfig"
        );
        let off = apply(
            &on,
            &plan_transition(&on, &Target::Nothing, held(adopted(&on)), false).steps,
        );
        assert_eq!(off.pkg_config_path, start.pkg_config_path);
        // Unset before: unset after, as virtualenv's deactivate leaves it.
        let bare = outside();
        let on = apply(
            &bare,
            &plan_transition(&bare, &target, Held::default(), false).steps,
        );
        let off = apply(
            &on,
            &plan_transition(&on, &Target::Nothing, held(adopted(&on)), false).steps,
        );
        assert_eq!(off.pkg_config_path, None);
    }
}
