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
}

impl Step {
    /// Steps that call the hook's own functions: a shell without the hook
    /// (someone evaluating `autovenv export bash` by hand) skips them.
    pub fn needs_hook(&self) -> bool {
        matches!(self, Step::Prompt(_) | Step::DeactivateCommand(_))
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
}

/// `adopted` is the activation this shell has already made its own (its
/// prompt prefix and `deactivate` are in place).
pub fn plan_transition(
    current: &Current,
    target: &Target,
    adopted: Option<&Path>,
    disable_prompt: bool,
) -> Outcome {
    let mut out = Outcome::default();
    let mut env = Env {
        path: current.path.clone().unwrap_or_default(),
        pythonhome: current.pythonhome.clone(),
    };
    match current.owner() {
        Owner::Outside(_) => {}
        Owner::Nobody => {
            if let Target::Venv { venv, root } = target {
                activate(&mut out, &mut env, venv, root, disable_prompt);
            }
        }
        Owner::Autovenv(active) => match target {
            Target::Venv { venv, .. } if same_folder(&venv.path, &active.venv) => {
                if adopted != Some(active.venv.as_path()) {
                    adopt(&mut out, &env, &active, venv, disable_prompt);
                }
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
    };
    out.steps
        .push(Step::Set(STATE_VAR, activation.encode().into()));
    if activation.pythonhome.is_some() {
        out.steps.push(Step::Unset("PYTHONHOME"));
    }
    out.steps.push(Step::PathPrepend(activation.path_entry()));
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
                Step::Unset("VIRTUAL_ENV") => next.virtual_env = None,
                Step::Unset("PYTHONHOME") => next.pythonhome = None,
                Step::Unset(STATE_VAR) => next.state = None,
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

    #[test]
    fn activate_from_outside() {
        let start = outside();
        let out = plan_transition(&start, &want("/p/a/venv"), None, false);
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
            &plan_transition(&start, &want("/p/a/venv"), None, false).steps,
        );
        let out = plan_transition(&on, &want("/p/a/venv"), adopted(&on), false);
        assert_eq!(out.steps, vec![]);
        let nothing = plan_transition(&start, &Target::Nothing, None, false);
        assert_eq!(nothing.steps, vec![]);
    }

    #[test]
    fn deactivate_keeps_user_path_edits_and_restores_pythonhome() {
        let mut start = outside();
        start.pythonhome = Some("/opt/py".into());
        let on = apply(
            &start,
            &plan_transition(&start, &want("/p/a/venv"), None, false).steps,
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
        let out = plan_transition(&edited, &Target::Nothing, adopted(&edited), false);
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
            &plan_transition(&start, &want("/p/a/venv"), None, false).steps,
        );
        let off = apply(
            &on,
            &plan_transition(&on, &Target::Nothing, adopted(&on), false).steps,
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
            &plan_transition(&start, &want("/p/a/venv"), None, false).steps,
        );
        let out = plan_transition(&a, &want("/p/b/venv"), adopted(&a), false);
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
            &plan_transition(&start, &want("/p/b/venv"), None, false).steps,
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
        let mut hand = outside();
        hand.virtual_env = Some("/elsewhere/venv".into());
        assert_eq!(
            plan_transition(&hand, &want("/p/a/venv"), None, false).steps,
            vec![]
        );
        assert_eq!(
            plan_transition(&hand, &Target::Nothing, None, false).steps,
            vec![]
        );
        // Same folder, but a hand-sourced activate script is in charge.
        let start = outside();
        let mut on = apply(
            &start,
            &plan_transition(&start, &want("/p/a/venv"), None, false).steps,
        );
        on.foreign_script = true;
        assert!(matches!(on.owner(), Owner::Outside(_)));
        assert_eq!(
            plan_transition(&on, &Target::Nothing, adopted(&on), false).steps,
            vec![]
        );
    }

    #[test]
    fn displaced_activation_is_cleaned_and_resumed() {
        let start = outside();
        let on = apply(
            &start,
            &plan_transition(&start, &want("/p/a/venv"), None, false).steps,
        );
        // A hand-sourced venv came and went: it unset VIRTUAL_ENV, restored
        // its saved PATH (with autovenv's entry still in it).
        let mut displaced = on.clone();
        displaced.virtual_env = None;
        assert!(matches!(displaced.owner(), Owner::Displaced(_)));
        let back = apply(
            &displaced,
            &plan_transition(&displaced, &want("/p/a/venv"), None, false).steps,
        );
        assert_eq!(back.path, on.path, "entry not doubled");
        assert_eq!(back.virtual_env, on.virtual_env);
        let gone = apply(
            &displaced,
            &plan_transition(&displaced, &Target::Nothing, None, false).steps,
        );
        assert_eq!(gone.path, start.path);
        assert_eq!(gone.state, None);
    }

    #[test]
    fn child_shell_adopts_without_doubling_path() {
        let start = outside();
        let on = apply(
            &start,
            &plan_transition(&start, &want("/p/a/venv"), None, false).steps,
        );
        let out = plan_transition(&on, &want("/p/a/venv"), None, false);
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
            &plan_transition(&reset, &want("/p/a/venv"), None, false).steps,
        );
        assert_eq!(after.path, on.path);
    }

    #[test]
    fn disabled_prompt_is_left_alone() {
        let out = plan_transition(&outside(), &want("/p/a/venv"), None, true);
        assert!(!out.steps.iter().any(|s| matches!(s, Step::Prompt(Some(_)))));
    }

    #[test]
    fn forged_state_cannot_remove_system_paths() {
        let mut forged = outside();
        forged.state = Some(Ok(Activation {
            venv: "/usr".into(),
            root: "/".into(),
            pythonhome: None,
        }));
        let after = apply(
            &forged,
            &plan_transition(&forged, &Target::Nothing, None, false).steps,
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
            &plan_transition(&start, &want("/p/a/venv"), None, false).steps,
        );
        let direct = apply(
            &start,
            &plan_transition(&start, &want("/p/b/venv"), None, false).steps,
        );
        for (from, target, expect) in [
            (&start, want("/p/a/venv"), &a),
            (&a, want("/p/b/venv"), &direct),
            (&a, Target::Nothing, &start),
        ] {
            let steps = plan_transition(from, &target, adopted(from), false).steps;
            for cut in 0..=steps.len() {
                // Ctrl-C after `cut` statements, then the next prompt.
                let partial = apply(from, &steps[..cut]);
                let next = plan_transition(&partial, &target, None, false).steps;
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
}
