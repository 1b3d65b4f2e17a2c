//! The whole decision for one directory: settings, detection, trust and the
//! shell's current state in, the plan and what is wrong out. Pure but for
//! reading the file system: the environment arrives as a [`Current`] built
//! from the snapshot, and nothing here prints or knows a shell. The hook's
//! bookkeeping is settled from a decision by `settle`; `status`, `watch`
//! and `export json` show it through `view`.

use std::path::{Path, PathBuf};

use crate::bytes;
use crate::config::Config;
use crate::detect::{self, Hint, Probe, Project};
use crate::plan::{self, Outcome, Target};
use crate::state::{Current, Local, Owner};
use crate::trust;
use crate::venv::{self, Venv};

/// Why the target is what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    NoProject,
    /// The current directory is gone or unreadable: nothing changes until
    /// the shell moves.
    CannotReadDir,
    /// The marker gives no usable environment (refused name, missing
    /// central environment, damaged pyvenv.cfg, broken interpreter, trust
    /// store out of reach).
    Unusable(String),
    /// The user typed `deactivate` in this project.
    SwitchedOff,
    /// Found but not trusted: `autovenv allow ROOT` would trust `canonical`.
    Untrusted {
        root: PathBuf,
        venv: PathBuf,
        canonical: PathBuf,
    },
    /// Trusted and usable: the hook activates it.
    Ready,
}

impl Reason {
    /// The stable code of `status --json` and `watch --json`.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::NoProject => "no-project",
            Reason::CannotReadDir => "unreadable-directory",
            Reason::Unusable(_) => "unusable",
            Reason::SwitchedOff => "switched-off",
            Reason::Untrusted { .. } => "untrusted",
            Reason::Ready => "ready",
        }
    }
}

/// How an environment came to be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustKind {
    Allowed,
    Central,
    TrustAll,
}

impl TrustKind {
    pub fn code(self) -> &'static str {
        match self {
            TrustKind::Allowed => "allowed",
            TrustKind::Central => "central",
            TrustKind::TrustAll => "trust-all",
        }
    }
}

/// What the hook does about the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    None,
    Activate,
    Deactivate,
    Switch,
    /// Take over an inherited activation (prefix, `deactivate`).
    Adopt,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::None => "none",
            Action::Activate => "activate",
            Action::Deactivate => "deactivate",
            Action::Switch => "switch",
            Action::Adopt => "adopt",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub dir: PathBuf,
    pub project: Option<Project>,
    /// How the environment is trusted; None when it is not (or there is
    /// none, or the store could not say).
    pub trust: Option<TrustKind>,
    pub reason: Reason,
    pub owner: Owner,
    pub outcome: Outcome,
    /// The project the user keeps switched off with `deactivate`, once this
    /// decision is applied.
    pub off: Option<PathBuf>,
    /// Problems to show, each saying what to do.
    pub problems: Vec<String>,
    /// Every file system question the decision rests on, with its answer:
    /// the hook replays them to know that nothing changed.
    pub probes: Vec<Probe>,
    /// What the search asks about in every folder it walks (see
    /// `crate::region`).
    pub names: Vec<std::ffi::OsString>,
    /// Why the search could not see every folder (one it could not look
    /// into), when so: a nearer marker may have been missed, so nothing
    /// should change.
    pub unreadable: Option<String>,
    /// No project, but a file that shows one without its environment.
    pub hint: Option<Hint>,
}

impl Decision {
    /// The environment the marker names, when it could be read.
    pub fn venv(&self) -> Option<&Venv> {
        self.project.as_ref().and_then(|p| p.venv.as_ref().ok())
    }

    pub fn trusted(&self) -> bool {
        self.trust.is_some()
    }

    pub fn action(&self) -> Action {
        let o = &self.outcome;
        match (&o.deactivated, &o.activated) {
            (Some(_), Some(_)) => Action::Switch,
            (None, Some(_)) => Action::Activate,
            (Some(_), None) => Action::Deactivate,
            (None, None) if o.steps.is_empty() => Action::None,
            (None, None) => Action::Adopt,
        }
    }
}

pub fn decide(
    current: &Current,
    config: &Config,
    dir: &Path,
    memo: &Local,
    user_deactivate: bool,
) -> Decision {
    decide_with(
        current,
        config,
        detect::detect(dir, config),
        memo,
        user_deactivate,
    )
}

/// [`decide`] for a search already made (or one that found nothing, for
/// the statements a hook keeps ready for leaving the project).
pub fn decide_with(
    current: &Current,
    config: &Config,
    detection: detect::Detection,
    memo: &Local,
    user_deactivate: bool,
) -> Decision {
    let dir = detection.dir.clone();
    let dir = dir.as_path();
    let mut problems: Vec<String> = config.warnings.clone();
    let mut probes = detection.probes;
    if let Some(Err(why)) = &current.state {
        problems.push(why.clone());
    }
    let owner = current.owner();
    let names = detection.names;
    let project = detection.project;
    let hint = detection.hint;

    let root = project.as_ref().map(|p| p.root.clone());
    let off = if user_deactivate && matches!(owner, Owner::Autovenv(_)) {
        root.clone()
    } else if memo.off != root {
        // Leaving the project ends the user's `deactivate`.
        None
    } else {
        memo.off.clone()
    };

    let mut trust = None;
    let reason = match &project {
        None => Reason::NoProject,
        Some(Project { venv: Err(why), .. }) => Reason::Unusable(why.clone()),
        Some(project @ Project { venv: Ok(venv), .. }) => {
            watch_interpreter(venv, &mut probes);
            let looked_up = trust_of(config, project, venv, &mut probes, &mut problems);
            if let Ok(Ok(kind)) = &looked_up {
                trust = Some(*kind);
            }
            if let Err(why) = venv::health(venv) {
                Reason::Unusable(why)
            } else if off.is_some() && off == root {
                Reason::SwitchedOff
            } else {
                match looked_up {
                    Ok(Ok(_)) => Reason::Ready,
                    Ok(Err(canonical)) => Reason::Untrusted {
                        root: project.root.clone(),
                        venv: venv.path.clone(),
                        canonical,
                    },
                    Err(why) => Reason::Unusable(why),
                }
            }
        }
    };
    if let Reason::Unusable(why) = &reason {
        problems.push(why.clone());
    }

    let target = target(&reason, project.as_ref());

    let held = plan::Held {
        adopted: memo.adopted.as_deref(),
        user_deactivate,
    };
    let mut outcome = plan::plan_transition(current, &target, held, config.disable_prompt);
    // A search that could not see everything must not switch anything; the
    // hook then waits for a cd (no probes), rather than asking every prompt.
    let unreadable = detection.unreadable.clone();
    if let Some(why) = detection.unreadable {
        problems.push(why);
        outcome = Outcome::unchanged(held);
        probes.clear();
    }
    // With no PATH, any change would leave the shell unable to find `ls`.
    if !outcome.steps.is_empty() && current.path.as_ref().is_none_or(|p| p.is_empty()) {
        problems.push(
            "PATH is empty or unset; autovenv leaves this shell alone until PATH is set".into(),
        );
        outcome = Outcome::unchanged(held);
        // PATH is not among the variables the hook compares: ask again at
        // each prompt (the message is not repeated) until it is back.
        probes.push(Probe::Volatile);
    }

    Decision {
        dir: dir.to_path_buf(),
        project,
        trust,
        reason,
        owner,
        outcome,
        off,
        problems,
        probes,
        names,
        hint,
        unreadable,
    }
}

/// `decision` again for a shell whose state is now `current` (and its memo
/// `memo`): the same search, trust and reason, a new plan. For the
/// statements that come back after leaving, where nothing but the shell
/// changed.
pub fn replan(decision: &Decision, current: &Current, config: &Config, memo: &Local) -> Decision {
    let target = target(&decision.reason, decision.project.as_ref());
    let held = plan::Held {
        adopted: memo.adopted.as_deref(),
        user_deactivate: false,
    };
    Decision {
        owner: current.owner(),
        outcome: plan::plan_transition(current, &target, held, config.disable_prompt),
        ..decision.clone()
    }
}

/// The environment a decision wants active: the project's, when it is
/// trusted and usable; else none.
pub fn target(reason: &Reason, project: Option<&Project>) -> Target {
    match (reason, project) {
        (Reason::Ready, Some(p)) => match &p.venv {
            Ok(venv) => Target::Venv {
                venv: venv.clone(),
                root: p.root.clone(),
            },
            Err(_) => Target::Nothing,
        },
        _ => Target::Nothing,
    }
}

/// The decision where the current directory cannot be read (deleted, or
/// permission denied): nothing changes, and the hook compares only
/// variables until the user moves. A deleted directory is not worth a
/// message; an unreadable one is.
pub fn cannot_read_dir(
    current: &Current,
    pwd: PathBuf,
    memo: &Local,
    e: &std::io::Error,
) -> Decision {
    let problems = if e.kind() == std::io::ErrorKind::NotFound {
        Vec::new()
    } else {
        vec![format!(
            "cannot read the current directory ({e}); nothing changes until you cd elsewhere"
        )]
    };
    Decision {
        dir: pwd,
        project: None,
        trust: None,
        reason: Reason::CannotReadDir,
        owner: current.owner(),
        outcome: Outcome::unchanged(plan::Held {
            adopted: memo.adopted.as_deref(),
            user_deactivate: false,
        }),
        off: memo.off.clone(),
        problems,
        probes: Vec::new(),
        names: Vec::new(),
        unreadable: None,
        hint: None,
    }
}

/// Whether bin/python runs is watched, so that reinstalling a base
/// interpreter is noticed without a cd.
fn watch_interpreter(venv: &Venv, probes: &mut Vec<Probe>) {
    let python = venv.path.join("bin/python");
    let runs = python.exists();
    if runs {
        // It runs, so the link is there too: one question covers both.
        probes.retain(|p| !matches!(p, Probe::Exists { path, link: true } if *path == python));
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
}

/// How the environment is trusted (`Ok(Ok(kind))`), or the canonical path
/// an `allow` would record (`Ok(Err(canonical))`), or why the store cannot
/// say (`Err`). The record file is watched: `allow` and `deny` typed in
/// another shell take effect at the next prompt.
fn trust_of(
    config: &Config,
    project: &Project,
    venv: &Venv,
    probes: &mut Vec<Probe>,
    problems: &mut Vec<String>,
) -> Result<Result<TrustKind, PathBuf>, String> {
    if config.trust_all {
        return Ok(Ok(TrustKind::TrustAll));
    }
    if project.is_central() {
        return Ok(Ok(TrustKind::Central));
    }
    let data_dir = config.data_dir.clone()?;
    let verdict = trust::lookup(&data_dir, &venv.path).map_err(|e| {
        format!(
            "cannot check whether {} is trusted: {e:#}",
            bytes::display_path(&project.root)
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
    if let Some(p) = verdict.problem {
        problems.push(p);
    }
    Ok(if verdict.trusted {
        Ok(TrustKind::Allowed)
    } else {
        Err(verdict.canonical)
    })
}
