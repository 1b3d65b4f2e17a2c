//! `autovenv status [DIR] [--json]`: what applies, why, and what the hook
//! would do. The report is the command's output, so it goes to stdout (and
//! can be piped); the JSON form is documented in docs/json.md.

use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::{Value, json};

use crate::bytes;
use crate::config::Config;
use crate::detect::Marker;
use crate::engine::{self, Decision, Reason};
use crate::plan::Owner;
use crate::state::Local;

pub fn run(dir: Option<PathBuf>, as_json: bool) -> Result<()> {
    let config = Config::from_env();
    let dir = super::folder_arg(dir)?;
    let current = engine::current_from_env();
    // status runs outside the hook and cannot see the shell's bookkeeping;
    // it assumes the shell holds what it inherited.
    let local = Local {
        adopted: match plan_owner(&current) {
            Owner::Autovenv(a) => Some(a.venv),
            _ => None,
        },
        ..Local::default()
    };
    let decision = engine::decide(&dir, &config, &current, &local, false);
    let out = if as_json {
        let mut text = serde_json::to_string_pretty(&to_json(&decision))?;
        text.push('\n');
        text
    } else {
        to_text(&decision)
    };
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}

fn plan_owner(current: &crate::plan::Current) -> Owner {
    crate::plan::owner(current)
}

fn text(p: &Path) -> String {
    String::from_utf8_lossy(p.as_os_str().as_bytes()).into_owned()
}

pub fn action(decision: &Decision) -> &'static str {
    let o = &decision.outcome;
    match (&o.deactivated, &o.activated) {
        (Some(_), Some(_)) => "switch",
        (None, Some(_)) => "activate",
        (Some(_), None) => "deactivate",
        (None, None) if o.steps.is_empty() => "none",
        (None, None) => "adopt",
    }
}

fn reason_code(reason: &Reason) -> &'static str {
    match reason {
        Reason::NoProject => "no-project",
        Reason::Unusable(_) => "unusable",
        Reason::SwitchedOff => "switched-off",
        Reason::Untrusted { .. } => "untrusted",
        Reason::Ready(_) => "ready",
    }
}

pub fn to_json(d: &Decision) -> Value {
    let project = d.detection.project.as_ref().map(|p| {
        let (marker, marker_path, name) = match &p.marker {
            Marker::NameFile { file, name } => (
                "name-file",
                text(file),
                name.as_ref()
                    .map(|n| String::from_utf8_lossy(n.as_bytes()).into_owned()),
            ),
            Marker::VenvDir { name } => ("venv-dir", text(&p.root.join(name)), None),
        };
        json!({"root": text(&p.root), "marker": marker, "marker_path": marker_path, "name": name})
    });
    let environment = d.venv.as_ref().map(|v| {
        json!({
            "path": text(&v.path),
            "prompt": String::from_utf8_lossy(v.prompt.as_bytes()),
            "python_version": v.version,
            "healthy": crate::venv::health(v).is_ok(),
        })
    });
    let trust = d.venv.as_ref().map(|_| match &d.reason {
        Reason::Ready(kind) => {
            json!({"trusted": true, "how": kind.as_str(), "allow_command": null})
        }
        Reason::Untrusted { allow_command } => {
            json!({"trusted": false, "how": null, "allow_command": allow_command})
        }
        _ => {
            let trusted = d.verdict.as_ref().is_some_and(|v| v.trusted)
                || d.detection.project.as_ref().is_some_and(|p| p.is_central());
            json!({"trusted": trusted, "how": null, "allow_command": null})
        }
    });
    let (active, by) = match &d.owner {
        Owner::Nobody => (None, None),
        Owner::Autovenv(a) => (Some(text(&a.venv)), Some("autovenv")),
        Owner::Displaced(_) => (None, None),
        Owner::Outside(p) => (Some(text(p)), Some("outside")),
    };
    json!({
        "version": 1,
        "directory": text(&d.dir),
        "project": project,
        "environment": environment,
        "trust": trust,
        "reason": reason_code(&d.reason),
        "shell": {"active": active, "activated_by": by},
        "action": action(d),
        "problems": d.problems,
    })
}

fn to_text(d: &Decision) -> String {
    let mut lines: Vec<(String, String)> = Vec::new();
    let mut row = |k: &str, v: String| lines.push((k.to_string(), v));
    row("directory", bytes::display_path(&d.dir));
    match &d.detection.project {
        None => row(
            "project",
            "none: no .venv-name or environment folder here or above".into(),
        ),
        Some(p) => {
            let how = match &p.marker {
                Marker::NameFile { file, .. } => {
                    format!("decided by {}", bytes::display_path(file))
                }
                Marker::VenvDir { name } => {
                    format!("decided by the folder {}", bytes::display(name.as_bytes()))
                }
            };
            row(
                "project",
                format!("{} ({how})", bytes::display_path(&p.root)),
            );
        }
    }
    if let Some(v) = &d.venv {
        row(
            "environment",
            format!(
                "{} ({}, {}, prompt {})",
                bytes::display_path(&v.path),
                crate::venv::version_text(v),
                if crate::venv::health(v).is_ok() {
                    "healthy"
                } else {
                    "broken"
                },
                crate::venv::prompt_text(v)
            ),
        );
    }
    let trust = match &d.reason {
        Reason::Ready(engine::TrustKind::Allowed) => {
            Some("yes, allowed with autovenv allow".to_string())
        }
        Reason::Ready(engine::TrustKind::Central) => {
            Some("yes, a central environment named by .venv-name".into())
        }
        Reason::Ready(engine::TrustKind::TrustAll) => {
            Some("not checked: AUTOVENV_TRUST=all".into())
        }
        Reason::Untrusted { allow_command } => Some(format!(
            "no, untrusted; to activate it, run: {allow_command}"
        )),
        _ => None,
    };
    if let Some(t) = trust {
        row("trusted", t);
    }
    row(
        "this shell",
        match &d.owner {
            Owner::Nobody | Owner::Displaced(_) => "no environment active".into(),
            Owner::Autovenv(a) => {
                format!("{} (activated by autovenv)", bytes::display_path(&a.venv))
            }
            Owner::Outside(p) => format!(
                "{} (activated outside autovenv; autovenv leaves it alone until it is deactivated)",
                bytes::display_path(p)
            ),
        },
    );
    let o = &d.outcome;
    let name = |p: &Path| bytes::display_path(p);
    let hook = match action(d) {
        "switch" => format!(
            "would switch from {} to {}",
            name(
                &o.deactivated
                    .as_ref()
                    .map(|a| a.venv.clone())
                    .unwrap_or_default()
            ),
            name(
                &o.activated
                    .as_ref()
                    .map(|v| v.path.clone())
                    .unwrap_or_default()
            )
        ),
        "activate" => format!(
            "would activate {}",
            name(
                &o.activated
                    .as_ref()
                    .map(|v| v.path.clone())
                    .unwrap_or_default()
            )
        ),
        "deactivate" => format!(
            "would deactivate {}",
            name(
                &o.deactivated
                    .as_ref()
                    .map(|a| a.venv.clone())
                    .unwrap_or_default()
            )
        ),
        "adopt" => "would take over the inherited activation".into(),
        _ => match (&d.reason, &d.owner) {
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
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
    lines
        .into_iter()
        .map(|(k, v)| format!("{:width$} {v}\n", format!("{k}:")))
        .collect()
}
