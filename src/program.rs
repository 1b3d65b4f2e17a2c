//! The environment for a program started in a directory, where no prompt
//! ever fires: `autovenv exec`, `autovenv export dotenv` and the
//! non-interactive hook. It is decided exactly as the hook decides
//! ([`engine::decide`]) and made with the same steps, with two differences
//! that come from there being no interactive shell to share:
//!
//! - an environment activated outside autovenv (a hand-sourced `activate`,
//!   or one inherited from an editor) is replaced when a project's
//!   environment applies, not left alone: a program asked to run "in the
//!   project's environment" must not get another one stacked under it;
//! - an untrusted or unusable environment, or a search that could not see
//!   every folder, is a refusal with one line, not a state to wait in.

use std::ffi::{OsStr, OsString};
use std::path::Path;

use crate::bytes;
use crate::config::Config;
use crate::engine::{self, Decision, Reason};
use crate::plan::{self, Step, Target, Vars};
use crate::snapshot::Snapshot;
use crate::state::{Current, Local, Owner};

/// The search path a program gets when PATH is unset or empty (cron, `env
/// -i`): the one `execvp` searches without PATH (glibc's `_CS_PATH`), so
/// the venv's `bin` goes in front of what the command would have found
/// anyway, and `sh` and `env` are still found.
pub const DEFAULT_PATH: &str = "/bin:/usr/bin";

/// Variables that the `activate` scripts export and their `deactivate`
/// removes, beyond what [`plan::end_outside_activation`] takes away
/// (activate.fish exports what it saved; bash's and zsh's keep theirs
/// unexported).
const ACTIVATE_LEFTOVERS: &[&str] = &[
    "_OLD_VIRTUAL_PATH",
    "_OLD_VIRTUAL_PYTHONHOME",
    "_OLD_FISH_PROMPT_OVERRIDE",
];

/// What a program started in a directory gets.
#[derive(Debug, Clone)]
pub struct Launch {
    pub decision: Decision,
    /// The change to this process's environment, as `Set` and `Unset` only
    /// (PATH as its whole value), in order.
    pub steps: Vec<Step>,
    /// The program's whole environment once the change is made.
    pub vars: Vars,
}

impl Launch {
    /// Why the program must not start with what applies here, as one line
    /// ending in `consequence` ("the command was not run"), or None.
    pub fn refusal(&self, consequence: &str) -> Option<String> {
        let d = &self.decision;
        if let Some(why) = &d.unreadable {
            // The search's own line tells the hook to wait for a cd; here
            // only its first part applies.
            let why = why.split_once("; ").map_or(why.as_str(), |(w, _)| w);
            return Some(format!(
                "cannot tell which environment applies to {}: {why}; {consequence}",
                bytes::display_path(&d.dir)
            ));
        }
        match &d.reason {
            Reason::Untrusted { root, venv, .. } => Some(format!(
                "found {} but it is not trusted, so {consequence}; to trust it, run: {}",
                bytes::display_path(venv),
                crate::shell::allow_command(root)
            )),
            Reason::Unusable(why) => Some(format!("{why}; {consequence}")),
            _ => None,
        }
    }

    /// Whether a project's environment is what the program gets.
    pub fn applies(&self) -> bool {
        self.decision.reason == Reason::Ready && self.decision.unreadable.is_none()
    }

    /// Lines worth showing even though the program starts (settings not
    /// understood, a damaged state variable): the decision's problems but
    /// the one a refusal already says.
    pub fn problems(&self) -> Vec<&str> {
        let d = &self.decision;
        let refused: Option<&str> = match &d.reason {
            Reason::Unusable(why) => Some(why),
            _ => None,
        };
        d.problems
            .iter()
            .map(String::as_str)
            .filter(|p| Some(*p) != refused && Some(*p) != d.unreadable.as_deref())
            .collect()
    }
}

/// What a program started in `dir` with the environment `env` gets.
pub fn plan(env: &Snapshot, dir: &Path) -> Launch {
    let config = Config::from_snapshot(env);
    let base_path = env
        .non_empty("PATH")
        .map_or_else(|| OsString::from(DEFAULT_PATH), OsStr::to_os_string);
    let mut start = Current::from_snapshot(env, false);
    start.path = Some(base_path.clone());
    let decision = engine::decide(&start, &config, dir, &Local::default(), false);
    let target = engine::target(&decision.reason, decision.project.as_ref());

    let inherited: Vars = env
        .vars()
        .map(|(k, v)| (k.to_os_string(), v.to_os_string()))
        .collect();
    let mut steps = Vec::new();
    if decision.unreadable.is_none() {
        let mut work = inherited.clone();
        work.insert("PATH".into(), base_path.clone());
        if let (Owner::Outside(venv), Target::Venv { .. }) = (start.owner(), &target) {
            steps = release_outside(env, &start, &venv);
            plan::apply(&mut work, &steps);
        }
        // From here on it is the hook's plan, for a shell that holds what
        // is left: autovenv's own activation (for this project, or for
        // another, which is deactivated first), or nothing.
        let released = Current::from_snapshot(&Snapshot::from_pairs(work, None), false);
        // A new program holds no prompt prefix or `deactivate` of ours.
        let held = plan::Held::default();
        steps.extend(plan::plan_transition(&released, &target, held, true).steps);
    }
    steps.retain(plan::changes_environment);
    let steps = plan::with_path_values(&steps, &base_path);
    let mut vars = inherited;
    plan::apply(&mut vars, &steps);
    Launch {
        decision,
        steps,
        vars,
    }
}

/// Takes away an environment activated outside autovenv, as its own
/// `deactivate` would as far as the exported variables show it: what
/// [`plan::end_outside_activation`] removes (`VIRTUAL_ENV`,
/// `VIRTUAL_ENV_PROMPT`, the first PATH entry equal to `$VIRTUAL_ENV/bin`
/// when that folder is an environment or gone, so that `VIRTUAL_ENV=/usr`
/// cannot take `/usr/bin` away, and its PKG_CONFIG_PATH entry), then the
/// variables of [`ACTIVATE_LEFTOVERS`]; `PYTHONHOME` comes back from
/// `_OLD_VIRTUAL_PYTHONHOME` when that holds one. Every other PATH entry
/// stays.
fn release_outside(env: &Snapshot, current: &Current, venv: &Path) -> Vec<Step> {
    let mut steps = plan::end_outside_activation(current, venv);
    if let Some(home) = env.non_empty("_OLD_VIRTUAL_PYTHONHOME") {
        steps.push(Step::Set("PYTHONHOME", home.to_os_string()));
    }
    for name in ACTIVATE_LEFTOVERS {
        if env.get(name).is_some() {
            steps.push(Step::Unset(name));
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn snapshot(pairs: &[(&str, &str)]) -> Snapshot {
        Snapshot::from_pairs(pairs.iter().copied(), None)
    }

    #[test]
    fn an_outside_activation_is_released_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let venv = dir.path().join("other");
        std::fs::create_dir_all(venv.join("bin")).unwrap();
        std::fs::write(venv.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        let bin = venv.join("bin");
        let path = format!("/mine:{}:/usr/bin:/bin", bin.display());
        let env = snapshot(&[
            ("PATH", &path),
            ("VIRTUAL_ENV", venv.to_str().unwrap()),
            ("VIRTUAL_ENV_PROMPT", "other"),
            ("_OLD_VIRTUAL_PATH", "/usr/bin:/bin"),
            ("_OLD_VIRTUAL_PYTHONHOME", "/opt/py"),
            ("KEEP", "1"),
        ]);
        let steps = release_outside(&env, &Current::from_snapshot(&env, false), &venv);
        let mut vars: Vars = env
            .vars()
            .map(|(k, v)| (k.to_os_string(), v.to_os_string()))
            .collect();
        plan::apply(&mut vars, &steps);
        let expect: Vars = [
            ("KEEP", "1"),
            ("PATH", "/mine:/usr/bin:/bin"),
            ("PYTHONHOME", "/opt/py"),
        ]
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
        assert_eq!(vars, expect);
    }

    #[test]
    fn a_forged_virtual_env_keeps_system_paths() {
        let env = snapshot(&[("PATH", "/usr/bin:/bin"), ("VIRTUAL_ENV", "/usr")]);
        let steps = release_outside(
            &env,
            &Current::from_snapshot(&env, false),
            &PathBuf::from("/usr"),
        );
        assert!(steps.contains(&Step::Unset("VIRTUAL_ENV")));
        assert!(
            !steps.iter().any(|s| matches!(s, Step::PathRemove(_))),
            "{steps:?}"
        );
    }
}
