//! `autovenv status [DIR] [--json]`: what applies, why, and what the hook
//! would do. The report is the command's output, so it goes to stdout (and
//! can be piped); the JSON form is documented in docs/json.md.

use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::bytes;
use crate::config::Config;
use crate::detect::Marker;
use crate::engine::{self, Action, Decision, Reason, TrustKind};
use crate::snapshot::Snapshot;
use crate::state::{Current, Local, Owner};
use crate::view::{self, Summary};

pub fn run(env: &Snapshot, dir: Option<PathBuf>, as_json: bool) -> Result<()> {
    let config = Config::from_snapshot(env);
    let dir = super::folder_arg(env, dir)?;
    let current = Current::from_snapshot(env, false);
    // status runs outside the hook and cannot see the shell's bookkeeping;
    // it assumes the shell holds what it inherited (and, for an environment
    // activated outside, the `deactivate` the hook provides).
    let memo = Local {
        adopted: match current.owner() {
            Owner::Autovenv(a) => Some(a.venv),
            Owner::Outside(p) if !current.foreign_script => Some(p),
            _ => None,
        },
        ..Local::default()
    };
    let decision = engine::decide(&current, &config, &dir, &memo, false);
    let out = if as_json {
        let mut text = serde_json::to_string_pretty(&view::status_json(&decision))?;
        text.push('\n');
        text
    } else {
        to_text(&decision)
    };
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}

fn to_text(d: &Decision) -> String {
    let summary = Summary::of(d);
    let mut lines: Vec<(String, String)> = Vec::new();
    let mut row = |k: &str, v: String| lines.push((k.to_string(), v));
    row("directory", bytes::display_path(&d.dir));
    match &d.project {
        None => row(
            "project",
            "none: no .venv-name, environment folder or other tool's environment here or above"
                .into(),
        ),
        Some(p) => {
            let how = match &p.marker {
                Marker::NameFile { file, .. } => {
                    format!("decided by {}", bytes::display_path(file))
                }
                Marker::VenvDir { name } => {
                    format!("decided by the folder {}", bytes::display(name.as_bytes()))
                }
                Marker::VenvFile { file, .. } => {
                    format!("decided by the .venv file {}", bytes::display_path(file))
                }
                Marker::Uv { pyproject } => format!(
                    "decided by uv's rule: UV_PROJECT_ENVIRONMENT, for {}",
                    bytes::display_path(pyproject)
                ),
                other => format!(
                    "decided by {}'s rule, from {}",
                    other.tool(),
                    bytes::display_path(&other.path(&p.root))
                ),
            };
            row(
                "project",
                format!("{} ({how})", bytes::display_path(&p.root)),
            );
        }
    }
    if let Some(e) = &summary.environment {
        row(
            "environment",
            format!(
                "{} ({}, {}, prompt {})",
                bytes::display_path(&e.path),
                e.version_text(),
                if e.healthy { "healthy" } else { "broken" },
                e.prompt_text()
            ),
        );
    }
    let trust = match (&summary.trusted_as, summary.allow_command()) {
        (Some(TrustKind::Allowed), _) => Some("yes, allowed with autovenv allow".to_string()),
        (Some(TrustKind::Central), _) => Some(match summary.project.as_ref().map(|p| &p.marker) {
            Some(Marker::NameFile { .. }) | None => {
                "yes, a central environment named by .venv-name".into()
            }
            Some(Marker::VenvFile { name: Some(_), .. }) => {
                "yes, a central environment named by a .venv file".into()
            }
            Some(Marker::VenvFile { .. } | Marker::Uv { .. }) => {
                "yes, it is in a central folder, and yours".into()
            }
            Some(m) => format!("yes, it is in {}'s own folder, and yours", m.tool()),
        }),
        (Some(TrustKind::TrustAll), _) => Some("not checked: AUTOVENV_TRUST=all".into()),
        (None, Some(allow_command)) => Some(format!(
            "no, untrusted; to activate it, run: {allow_command}"
        )),
        (None, None) => None,
    };
    if let Some(t) = trust {
        row("trusted", t);
    }
    row(
        "this shell",
        match &d.owner {
            Owner::Nobody | Owner::Displaced(_) => "no environment active".into(),
            Owner::Autovenv(a) if a.taken_over => format!(
                "{} (activated outside autovenv, taken over by autovenv as this project's environment)",
                bytes::display_path(&a.venv)
            ),
            Owner::Autovenv(a) => {
                format!("{} (activated by autovenv)", bytes::display_path(&a.venv))
            }
            Owner::Outside(p) if d.action() == Action::Adopt => format!(
                "{} (activated outside autovenv; the hook takes it over as this project's environment)",
                bytes::display_path(p)
            ),
            Owner::Outside(p) => format!(
                "{} (activated outside autovenv; autovenv leaves it alone until it is deactivated: `deactivate` ends it)",
                bytes::display_path(p)
            ),
        },
    );
    let o = &d.outcome;
    let name = |p: Option<&Path>| p.map(bytes::display_path).unwrap_or_default();
    let old = o.deactivated.as_ref().map(|a| a.venv.as_path());
    let new = o.activated.as_ref().map(|v| v.path.as_path());
    let hook = match d.action() {
        Action::Switch => format!("would switch from {} to {}", name(old), name(new)),
        Action::Activate => format!("would activate {}", name(new)),
        Action::Deactivate => format!("would deactivate {}", name(old)),
        Action::Adopt => "would take over the inherited activation".into(),
        Action::None => match (&d.reason, &d.owner) {
            (_, Owner::Outside(_)) => {
                "nothing: the active environment was activated outside autovenv".into()
            }
            (Reason::SwitchedOff, _) => {
                "nothing: switched off with deactivate until the shell leaves the project".into()
            }
            (Reason::Untrusted { .. }, _) => "nothing until the environment is allowed".into(),
            (Reason::Unusable(_), _) => {
                "nothing: the environment cannot be used (see problems)".into()
            }
            _ => "nothing to change".into(),
        },
    };
    row("the hook", hook);
    for p in &d.problems {
        row("problem", p.clone());
    }
    if let Some(h) = &d.hint {
        row("hint", crate::settle::hint_text(h));
    }
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
    lines
        .into_iter()
        .map(|(k, v)| format!("{:width$} {v}\n", format!("{k}:")))
        .collect()
}
