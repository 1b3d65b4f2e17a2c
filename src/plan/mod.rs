//! (what the shell has, what the directory wants) -> ordered changes.
//!
//! Nothing here touches the shell or knows its syntax: the result is a list
//! of [`Step`]s that a module under `shell/` renders.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

mod steps;

use crate::bytes;
use crate::state::{Activation, Current, Owner};
use crate::venv::Venv;
pub use steps::prepend;
use steps::{Env, Kept, activate, adopt, deactivate, end_outside, take_over};

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

/// The change that ends an environment activated outside autovenv, as the
/// `deactivate` autovenv provides for an inherited one: its PATH entry
/// (when the folder is an environment, or gone), its PKG_CONFIG_PATH entry,
/// `VIRTUAL_ENV` and `VIRTUAL_ENV_PROMPT`. For a program that is to get
/// another environment instead (`autovenv exec`), which replaces it rather
/// than stacking on it.
pub fn end_outside_activation(current: &Current, active: &Path) -> Vec<Step> {
    let mut out = Outcome::default();
    let mut env = Env {
        path: current.path.clone().unwrap_or_default(),
        pythonhome: current.pythonhome.clone(),
        pkg_config_path: current.pkg_config_path.clone(),
    };
    end_outside(&mut out, &mut env, active);
    out.steps
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

/// A program's environment, by name: what `autovenv exec` hands the
/// command it runs.
pub type Vars = BTreeMap<OsString, OsString>;

/// Applies steps to a program's environment exactly as the hook's
/// statements apply them to a shell: the same PATH edits (prepend; remove
/// the first equal entry, if any), sets and unsets. The steps that only a
/// shell has a use for (rehash, prompt, `deactivate`) change nothing here.
pub fn apply(vars: &mut Vars, steps: &[Step]) {
    let path_key = OsString::from("PATH");
    for step in steps {
        match step {
            Step::Set(name, value) => {
                vars.insert(name.into(), value.clone());
            }
            Step::Unset(name) => {
                vars.remove(OsStr::new(name));
            }
            Step::PathPrepend(entry) => {
                let path = prepend(entry, vars.get(&path_key).map_or(OsStr::new(""), |p| p));
                vars.insert(path_key.clone(), path);
            }
            Step::PathRemove(entry) => {
                if let Some(path) = vars
                    .get(&path_key)
                    .and_then(|p| remove_path_entry(p, entry))
                {
                    vars.insert(path_key.clone(), path);
                }
            }
            Step::Rehash | Step::Prompt(_) | Step::DeactivateCommand(_) | Step::ForgetScript => {}
        }
    }
}

/// Whether a step changes a program's environment (as opposed to a shell's
/// own state: its command hash, prompt or functions).
pub fn changes_environment(step: &Step) -> bool {
    matches!(
        step,
        Step::Set(..) | Step::Unset(_) | Step::PathPrepend(_) | Step::PathRemove(_)
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::STATE_VAR;

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

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs
            .iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v)))
            .collect()
    }

    #[test]
    fn apply_edits_a_program_environment_as_the_shell_would() {
        let mut start = vars(&[("PATH", "/usr/bin:/bin"), ("PYTHONHOME", "/opt/py")]);
        let current = Current {
            path: Some("/usr/bin:/bin".into()),
            pythonhome: Some("/opt/py".into()),
            ..Current::default()
        };
        let on = plan_transition(&current, &want("/p/a/venv"), Held::default(), false).steps;
        super::apply(&mut start, &on);
        assert_eq!(start[OsStr::new("PATH")], "/p/a/venv/bin:/usr/bin:/bin");
        assert_eq!(start[OsStr::new("VIRTUAL_ENV")], "/p/a/venv");
        assert_eq!(start[OsStr::new("VIRTUAL_ENV_PROMPT")], "a");
        assert!(!start.contains_key(OsStr::new("PYTHONHOME")));
        assert!(start.contains_key(OsStr::new(STATE_VAR)));
        // The same as the values `with_path_values` gives a shell without
        // the hook.
        let mut by_values = vars(&[("PATH", "/usr/bin:/bin"), ("PYTHONHOME", "/opt/py")]);
        super::apply(
            &mut by_values,
            &with_path_values(&on, OsStr::new("/usr/bin:/bin")),
        );
        assert_eq!(by_values, start);

        // Deactivating restores what was there, keeping the user's edits.
        let mut edited = start.clone();
        edited.insert("PATH".into(), "/mine:/p/a/venv/bin:/usr/bin:/bin".into());
        let now = Current {
            virtual_env: Some("/p/a/venv".into()),
            path: Some(edited[OsStr::new("PATH")].clone()),
            pythonhome: None,
            pkg_config_path: None,
            state: Some(Activation::decode(edited[OsStr::new(STATE_VAR)].as_bytes())),
            foreign_script: false,
        };
        let off = plan_transition(&now, &Target::Nothing, Held::default(), false).steps;
        super::apply(&mut edited, &off);
        assert_eq!(
            edited,
            vars(&[("PATH", "/mine:/usr/bin:/bin"), ("PYTHONHOME", "/opt/py")])
        );
    }

    #[test]
    fn apply_without_path_and_with_an_absent_entry() {
        let mut empty = Vars::new();
        super::apply(&mut empty, &[Step::PathRemove("/v/bin".into())]);
        assert_eq!(empty, Vars::new());
        super::apply(
            &mut empty,
            &[Step::PathPrepend("/v/bin".into()), Step::Rehash],
        );
        assert_eq!(empty, vars(&[("PATH", "/v/bin")]));
        assert!(!changes_environment(&Step::Rehash));
        assert!(!changes_environment(&Step::Prompt(None)));
        assert!(changes_environment(&Step::Unset("X")));
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
