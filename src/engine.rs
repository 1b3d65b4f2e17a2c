//! The whole decision for one directory: settings, detection, trust and the
//! shell's current state in, the plan and what to say about it out. `export`
//! renders it for a shell; `status` explains it.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::bytes;
use crate::config::{Config, DECIDING_VARS};
use crate::detect::{self, Detection, Probe};
use crate::plan::{self, Check, Current, Outcome, Owner, Step, Target};
use crate::state::{Activation, Local, STATE_VAR};
use crate::trust::{self, Verdict};
use crate::venv::{self, Venv};

/// Why the target is what it is, for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    NoProject,
    /// The marker gives no usable environment (refused name, missing
    /// central environment, damaged pyvenv.cfg, broken interpreter).
    Unusable(String),
    /// The user typed `deactivate` in this project.
    SwitchedOff,
    Untrusted {
        allow_command: String,
    },
    /// Trusted: how.
    Ready(TrustKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustKind {
    Allowed,
    Central,
    TrustAll,
}

impl TrustKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TrustKind::Allowed => "allowed",
            TrustKind::Central => "central",
            TrustKind::TrustAll => "trust-all",
        }
    }
}

pub struct Decision {
    pub dir: PathBuf,
    pub detection: Detection,
    /// The environment the marker names, when it could be read.
    pub venv: Option<Venv>,
    pub verdict: Option<Verdict>,
    pub reason: Reason,
    pub owner: Owner,
    pub outcome: Outcome,
    /// Problems to show (each also explains what to do).
    pub problems: Vec<String>,
    /// An untrusted environment met, with its canonical path.
    pub untrusted: Option<(PathBuf, String)>,
    pub local: Local,
    pub check: Check,
}

pub fn current_from_env() -> Current {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    Current {
        virtual_env: non_empty("VIRTUAL_ENV").map(PathBuf::from),
        path: std::env::var_os("PATH"),
        pythonhome: std::env::var_os("PYTHONHOME"),
        state: non_empty(STATE_VAR).map(|v| Activation::decode(v.as_bytes())),
        // bash and zsh keep _OLD_VIRTUAL_PATH unexported (the hook passes
        // it on); fish's activate.fish exports it.
        foreign_script: non_empty("__AUTOVENV_FOREIGN").is_some()
            || std::env::var_os("_OLD_VIRTUAL_PATH").is_some(),
    }
}

pub fn decide(
    dir: &Path,
    config: &Config,
    current: &Current,
    local_in: &Local,
    user_deactivate: bool,
) -> Decision {
    let detection = detect::detect(dir, config);
    let mut problems: Vec<String> = config.warnings.clone();
    let mut local = local_in.clone();
    let mut probes = detection.probes.clone();
    let mut verdict = None;
    let mut untrusted = None;
    let mut venv_found = None;

    if let Some(Err(why)) = &current.state {
        problems.push(why.clone());
    }
    let owner = plan::owner(current);

    let root = detection.project.as_ref().map(|p| p.root.clone());
    if user_deactivate && matches!(owner, Owner::Autovenv(_)) {
        local.off = root.clone();
    } else if local.off.is_some() && local.off != root {
        // Leaving the project ends the user's `deactivate`.
        local.off = None;
    }

    let reason = match &detection.project {
        None => Reason::NoProject,
        Some(project) => match &project.venv {
            Err(why) => Reason::Unusable(why.clone()),
            Ok(venv) => {
                venv_found = Some(venv.clone());
                // Whether bin/python runs: watched so that reinstalling a
                // base interpreter is noticed without a cd.
                let python = venv.path.join("bin/python");
                let healthy = venv::health(venv);
                let runs = python.exists();
                if runs {
                    // It runs, so the link is there too: one question covers
                    // both.
                    probes.retain(
                        |p| !matches!(p, Probe::Exists { path, link: true } if *path == python),
                    );
                }
                probes.push(if runs {
                    Probe::Exists {
                        path: python,
                        link: false,
                    }
                } else {
                    Probe::Missing {
                        path: python,
                        link: false,
                    }
                });
                if let Err(why) = healthy {
                    Reason::Unusable(why)
                } else if local.off.is_some() && local.off == root {
                    Reason::SwitchedOff
                } else if config.trust_all {
                    Reason::Ready(TrustKind::TrustAll)
                } else if project.is_central() {
                    Reason::Ready(TrustKind::Central)
                } else {
                    match trust_of(config, venv, &project.root, &mut probes) {
                        Ok(v) => {
                            let reason = if v.trusted {
                                Reason::Ready(TrustKind::Allowed)
                            } else {
                                let allow_command = format!(
                                    "autovenv allow {}",
                                    crate::shell::posix::shown(&project.root)
                                );
                                untrusted = Some((
                                    v.canonical.clone(),
                                    format!(
                                        "found {} but it is not trusted, so it stays off; to activate it, run: {allow_command}",
                                        bytes::display_path(&venv.path)
                                    ),
                                ));
                                Reason::Untrusted { allow_command }
                            };
                            if let Some(p) = &v.problem {
                                problems.push(p.clone());
                            }
                            verdict = Some(v);
                            reason
                        }
                        Err(why) => Reason::Unusable(why),
                    }
                }
            }
        },
    };
    if let Reason::Unusable(why) = &reason {
        problems.push(why.clone());
    }

    let target = match (&reason, &venv_found, &root) {
        (Reason::Ready(_), Some(venv), Some(root)) => Target::Venv {
            venv: venv.clone(),
            root: root.clone(),
        },
        _ => Target::Nothing,
    };

    let mut outcome = plan::plan_transition(current, &target, local_in, config.disable_prompt);
    // A search that could not see everything must not switch anything; the
    // hook then waits for a cd (no probes), rather than asking every prompt.
    if let Some(why) = &detection.unreadable {
        problems.push(why.clone());
        outcome = Outcome::default();
        probes.clear();
    }
    // With no PATH, any change would leave the shell unable to find `ls`.
    if !outcome.steps.is_empty() && current.path.as_ref().is_none_or(|p| p.is_empty()) {
        problems.push(
            "PATH is empty or unset; autovenv leaves this shell alone until PATH is set".into(),
        );
        outcome = Outcome::default();
        // PATH is not among the variables the hook compares: ask again at
        // each prompt (the message is not repeated) until it is back.
        probes.push(Probe::Volatile);
    }
    // Which activation this shell now holds as its own.
    local.adopted = match (&outcome.activated, &owner) {
        (Some(venv), _) => Some(venv.path.clone()),
        (None, Owner::Autovenv(a))
            if outcome.deactivated.is_none() && !outcome.steps.is_empty() =>
        {
            Some(a.venv.clone())
        }
        (None, Owner::Autovenv(_)) if outcome.steps.is_empty() => local_in.adopted.clone(),
        _ => None,
    };

    let check = Check {
        vars: check_vars(current, &outcome),
        set_flags: vec![("_OLD_VIRTUAL_PATH", current.foreign_script)],
        probes,
    };

    Decision {
        dir: dir.to_path_buf(),
        detection,
        venv: venv_found,
        verdict,
        reason,
        owner,
        outcome,
        problems,
        untrusted,
        local,
        check,
    }
}

fn trust_of(
    config: &Config,
    venv: &Venv,
    root: &Path,
    probes: &mut Vec<Probe>,
) -> Result<Verdict, String> {
    let data_dir = config.data_dir.clone()?;
    let verdict = trust::lookup(&data_dir, &venv.path).map_err(|e| {
        format!(
            "cannot check whether {} is trusted: {e:#}",
            bytes::display_path(root)
        )
    })?;
    probes.push(if verdict.record.exists() {
        Probe::Exists {
            path: verdict.record.clone(),
            link: false,
        }
    } else {
        Probe::Missing {
            path: verdict.record.clone(),
            link: false,
        }
    });
    Ok(verdict)
}

/// The values the shell will have once the outcome is applied: the hook
/// compares against these.
fn check_vars(current: &Current, outcome: &Outcome) -> Vec<(&'static str, OsString)> {
    let after = |name: &'static str, now: Option<OsString>| -> OsString {
        let mut value = now;
        for step in &outcome.steps {
            match step {
                Step::Set(n, v) if *n == name => value = Some(v.clone()),
                Step::Unset(n) if *n == name => value = None,
                _ => {}
            }
        }
        value.unwrap_or_default()
    };
    let mut vars = vec![
        ("PWD", std::env::var_os("PWD").unwrap_or_default()),
        (
            "VIRTUAL_ENV",
            after(
                "VIRTUAL_ENV",
                current.virtual_env.clone().map(PathBuf::into_os_string),
            ),
        ),
        (STATE_VAR, after(STATE_VAR, std::env::var_os(STATE_VAR))),
    ];
    for name in DECIDING_VARS {
        vars.push((name, std::env::var_os(name).unwrap_or_default()));
    }
    vars
}

/// The name people know an activation by.
pub fn activation_name(active: &Activation) -> String {
    let prompt = std::env::var_os("VIRTUAL_ENV_PROMPT")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| venv::default_prompt(&active.venv, Some(&active.root)));
    bytes::display(prompt.as_bytes())
}
