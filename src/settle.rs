//! The hook's side of a decision: its memo (the shell-local bookkeeping of
//! `state::Local`), the check it runs before each prompt, and the lines for
//! people. This is the one module that changes the memo; `export` only
//! captures, decides, settles and renders.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::bytes;
use crate::config::DECIDING_VARS;
use crate::detect::Probe;
use crate::engine::{Decision, Reason};
use crate::message::Message;
use crate::plan::Step;
use crate::shell::{self, Shell};
use crate::snapshot::Snapshot;
use crate::state::{Activation, Current, Local, Owner, STATE_VAR};
use crate::venv;

/// What the hook compares before each prompt: while every variable has the
/// value seen and every probe gives the answer seen, nothing can have changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Check {
    /// Variables and the value seen (empty counts as unset).
    pub vars: Vec<(&'static str, OsString)>,
    /// Variables whose being set at all matters, and whether they were.
    pub set_flags: Vec<(&'static str, bool)>,
    pub probes: Vec<Probe>,
    /// Where the decision holds beyond `PWD` (bash, zsh and fish use it;
    /// the other shells compare `PWD` and ask every probe).
    pub region: Option<crate::region::Region>,
}

impl Check {
    /// A check that never passes, so that every prompt asks the binary.
    pub fn volatile() -> Check {
        Check {
            probes: vec![Probe::Volatile],
            ..Check::default()
        }
    }

    /// A check that only the shell's own answers could pass is no use when
    /// one question cannot be asked by the shell.
    pub fn is_volatile(&self) -> bool {
        self.probes.contains(&Probe::Volatile)
    }

    /// The variables a shell that knows the region compares: all but `PWD`,
    /// which the region's own test stands for.
    pub fn compared_vars(&self) -> impl Iterator<Item = &(&'static str, OsString)> {
        let region = self.region.is_some();
        self.vars
            .iter()
            .filter(move |(name, _)| !(region && *name == "PWD"))
    }

    /// The probes a shell that knows the region asks itself.
    pub fn asked_probes(&self) -> impl Iterator<Item = &Probe> {
        self.probes
            .iter()
            .filter(|p| self.region.as_ref().is_none_or(|r| !r.absorbs(p)))
    }
}

impl Settled {
    /// For a shell that walks regions (`Shell::knows_regions`): looks at
    /// the walk's folders for the region (see `crate::region`), after
    /// making the stamp if one is needed, and puts the region in the check
    /// and its stamp in the memo.
    pub fn find_region(
        &mut self,
        shell: crate::shell::Shell,
        decision: &Decision,
        config: &crate::config::Config,
        stamps: Stamps,
    ) {
        use crate::region::{self, Region};
        if !shell.knows_regions() {
            return;
        }
        let Some(candidates) = Region::candidates(decision) else {
            return;
        };
        let stamp = match (stamps, config.data_dir.as_deref()) {
            (Stamps::Make, Ok(dir)) => {
                // The folders above a project's root go with it: leaving
                // the project walks them (`region::clean_above`).
                let above = decision.project.iter().flat_map(|p| region::above(&p.root));
                let folders: Vec<PathBuf> = candidates
                    .iter()
                    .cloned()
                    .chain(above.map(Path::to_path_buf))
                    .collect();
                let made = region::stamp(
                    &region::stamp_dir(dir),
                    self.memo.stamp.as_deref(),
                    &folders,
                );
                self.memo.stamp = made.clone();
                made
            }
            (Stamps::Make, Err(_)) => None,
            (Stamps::Keep, _) => self.memo.stamp.clone(),
        };
        let max_depth = config.tools.pipenv_max_depth;
        self.check.region = Some(Region::new(decision, candidates, stamp, max_depth));
    }
}

/// Where a region's stamp comes from.
#[derive(Debug, Clone, Copy)]
pub enum Stamps {
    /// Made (or kept) in the stamps folder of the data folder, when there
    /// is one.
    Make,
    /// The memo's, as it is: for statements kept ready beside an update
    /// that made it.
    Keep,
}

/// A decision settled: what to tell people, and the memo and check the
/// shell should hold once the change is applied.
#[derive(Debug, Clone)]
pub struct Settled {
    pub messages: Vec<Message>,
    pub memo: Local,
    pub check: Check,
}

/// What a shell with the hook is given. Rendered in this order: when there
/// are changes, first a check that always fails (if the statements are cut
/// short, the next prompt asks again and finishes the job), then the
/// changes, the memo and the check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookUpdate {
    pub steps: Vec<Step>,
    /// The memo, encoded, when it differs from what the shell holds.
    pub memo: Option<String>,
    /// The check, when the shell's differs (or it dropped its own).
    pub check: Option<Check>,
    /// Lines for people, held back until the command line is over (a
    /// change in the middle of one is announced at the prompt).
    pub said: Vec<String>,
    /// For a change in the middle of a command line: the update that brings
    /// the shell back to where the line started, for the hook to apply with
    /// no process if the line goes back there (`pushd x; make; popd`, a
    /// jump function that returns).
    pub back: Option<Back>,
    /// For a shell in a project: what leaving it for a folder with no
    /// project does, for the hook to apply with no process when its own
    /// walk finds no marker there (src/region.rs).
    pub leave: Option<Box<Leave>>,
}

/// See [`HookUpdate::leave`]. `back` undoes it, for a command line that
/// leaves and comes back (`cd ..; cd -`): seen from the prompt, nothing
/// changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leave {
    pub update: HookUpdate,
    pub back: HookUpdate,
    /// The folders above the project root, from its parent up, that hold
    /// none of the names, looked at after the stamp was made: a walk out
    /// of the project tests them with one `-ot` each (src/region.rs).
    pub above: Vec<PathBuf>,
}

impl HookUpdate {
    /// Nothing for the shell to do.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.memo.is_none() && self.check.is_none()
    }
}

/// See [`HookUpdate::back`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Back {
    pub dir: std::path::PathBuf,
    pub update: Box<HookUpdate>,
}

pub fn settle(
    env: &Snapshot,
    current: &Current,
    decision: &Decision,
    memo_in: &Local,
    user_deactivate: bool,
) -> Settled {
    let mut memo = memo_in.clone();
    memo.off = decision.off.clone();
    memo.adopted = decision.outcome.adopted.clone();
    let messages = messages(env, decision, &mut memo, user_deactivate);
    Settled {
        messages,
        memo,
        check: check(env, current, decision),
    }
}

impl Settled {
    /// The update for a shell whose memo is `memo_in`. `check_dropped`: the
    /// shell threw its check away (an `autovenv` command was typed there)
    /// and needs it again even if its fingerprint is the same.
    /// Also the memo the shell holds once the update is applied.
    pub fn for_hook(
        &self,
        shell: Shell,
        decision: &Decision,
        memo_in: &Local,
        check_dropped: bool,
    ) -> (HookUpdate, Local) {
        let steps = decision.outcome.steps.clone();
        let fingerprint = shell.check_fingerprint(&self.check);
        let check_changed = check_dropped || memo_in.check.as_deref() != Some(fingerprint.as_str());
        let mut memo = self.memo.clone();
        memo.check = Some(fingerprint);
        let update = HookUpdate {
            memo: (memo != *memo_in).then(|| memo.encode()),
            check: (check_changed || !steps.is_empty()).then(|| self.check.clone()),
            steps,
            ..HookUpdate::default()
        };
        (update, memo)
    }
}

/// The one-line messages: what changed, and problems not shown before.
fn messages(
    env: &Snapshot,
    decision: &Decision,
    memo: &mut Local,
    user_deactivate: bool,
) -> Vec<Message> {
    let mut out = Vec::new();
    let outcome = &decision.outcome;
    if let Some(old) = &outcome.deactivated {
        let name = activation_name(env, old);
        out.push(Message::Info(if user_deactivate {
            format!(
                "deactivated {name}; it stays off until you leave {}",
                bytes::display_path(&old.root)
            )
        } else {
            format!("deactivated {name}")
        }));
    }
    if let Some(venv) = &outcome.activated {
        out.push(Message::Info(format!(
            "activated {} ({})",
            venv::prompt_text(venv),
            venv::version_text(venv)
        )));
    }
    if let Some(ended) = &outcome.ended_outside {
        out.push(Message::Info(format!(
            "deactivated {} (activated outside autovenv)",
            bytes::display_path(ended)
        )));
    }
    if user_deactivate && outcome.deactivated.is_none() && outcome.ended_outside.is_none() {
        out.push(Message::Problem(
            "no environment activated by autovenv is active here".into(),
        ));
    }
    let shown = (!decision.problems.is_empty()).then(|| decision.problems.join("\n"));
    if shown.is_some() && shown != memo.shown {
        out.extend(decision.problems.iter().cloned().map(Message::Problem));
    }
    memo.shown = shown;
    if let Reason::Untrusted {
        root,
        venv,
        canonical,
    } = &decision.reason
        && !memo.has_warned(canonical)
    {
        let venv = bytes::display_path(venv);
        let allow = shell::allow_command(root);
        // Never "stays off" for something that is on: an editor or a parent
        // process may have activated it.
        let active_outside = matches!(&decision.owner, Owner::Outside(active)
            if std::fs::canonicalize(active).is_ok_and(|a| a == *canonical));
        out.push(Message::Problem(if active_outside {
            format!(
                "{venv} is active (activated outside autovenv) but not trusted, so autovenv leaves it alone; `deactivate` ends it; to let autovenv manage it, run: {allow}"
            )
        } else {
            format!("found {venv} but it is not trusted, so it stays off; to activate it, run: {allow}")
        }));
        memo.remember_warning(canonical);
    }
    // Once per shell per project: the root joins the warned list, whose
    // paths are environments and so never a project root.
    if let Some(hint) = &decision.hint
        && !memo.has_warned(&hint.root)
    {
        out.push(Message::Info(hint_text(hint)));
        memo.remember_warning(&hint.root);
    }
    out
}

/// The line for a project whose environment is missing.
pub fn hint_text(hint: &crate::detect::Hint) -> String {
    format!(
        "{} has {} but no environment yet; to make one, run: {}",
        bytes::display_path(&hint.root),
        hint.file
            .file_name()
            .map(|n| bytes::display(n.as_encoded_bytes()))
            .unwrap_or_default(),
        hint.command
    )
}

/// The name people know an activation by.
pub fn activation_name(env: &Snapshot, active: &Activation) -> String {
    let prompt = env
        .non_empty("VIRTUAL_ENV_PROMPT")
        .map(OsStr::to_os_string)
        .unwrap_or_else(|| venv::default_prompt(&active.venv, Some(&active.root)));
    bytes::display(prompt.as_bytes())
}

/// The check for the shell once the change is applied: the variables as
/// they will be, and the decision's questions with their answers.
fn check(env: &Snapshot, current: &Current, decision: &Decision) -> Check {
    let steps = &decision.outcome.steps;
    let after = |name: &'static str, now: Option<OsString>| -> OsString {
        let mut value = now;
        for step in steps {
            match step {
                Step::Set(n, v) if *n == name => value = Some(v.clone()),
                Step::Unset(n) if *n == name => value = None,
                _ => {}
            }
        }
        value.unwrap_or_default()
    };
    let mut vars = vec![
        ("PWD", env.or_empty("PWD")),
        (
            "VIRTUAL_ENV",
            after("VIRTUAL_ENV", current.virtual_env.clone().map(Into::into)),
        ),
        (
            STATE_VAR,
            after(STATE_VAR, env.get(STATE_VAR).map(Into::into)),
        ),
    ];
    for name in DECIDING_VARS {
        vars.push((name, env.or_empty(name)));
    }
    Check {
        vars,
        set_flags: vec![("_OLD_VIRTUAL_PATH", current.foreign_script)],
        probes: decision.probes.clone(),
        region: None,
    }
}
