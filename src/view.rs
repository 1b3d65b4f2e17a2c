//! One typed view of a decision, for everything that shows one: `status`
//! (text and JSON), `watch` (a line per change) and `export json`. The
//! JSON forms are documented in docs/json.md and checked against it.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::bytes::lossy_path as text;
use crate::detect::Marker;
use crate::engine::{Decision, Reason, TrustKind};
use crate::plan::Step;
use crate::shell;
use crate::state::Owner;
use crate::venv;

/// What applies to a directory, whoever asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub reason: Reason,
    pub project: Option<ProjectView>,
    pub environment: Option<EnvironmentView>,
    pub trusted: bool,
    /// How it is trusted, where that is what lets it activate.
    pub trusted_as: Option<TrustKind>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectView {
    pub root: PathBuf,
    pub marker: Marker,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentView {
    pub path: PathBuf,
    pub prompt: OsString,
    pub version: Option<String>,
    pub healthy: bool,
}

impl EnvironmentView {
    /// `Python 3.11.7`, or that the version is unknown.
    pub fn version_text(&self) -> String {
        venv::version_label(self.version.as_deref())
    }

    /// The prompt name as people read it.
    pub fn prompt_text(&self) -> String {
        crate::bytes::display(self.prompt.as_bytes())
    }
}

impl Summary {
    pub fn of(d: &Decision) -> Summary {
        Summary {
            reason: d.reason.clone(),
            project: d.project.as_ref().map(|p| ProjectView {
                root: p.root.clone(),
                marker: p.marker.clone(),
            }),
            environment: d.venv().map(|v| EnvironmentView {
                path: v.path.clone(),
                prompt: v.prompt.clone(),
                version: v.version.clone(),
                healthy: venv::health(v).is_ok(),
            }),
            trusted: d.trusted(),
            trusted_as: d.trust.filter(|_| d.reason == Reason::Ready),
        }
    }

    /// What `autovenv allow` would be typed as, for an untrusted one.
    pub fn allow_command(&self) -> Option<String> {
        match &self.reason {
            Reason::Untrusted { root, .. } => Some(shell::allow_command(root)),
            _ => None,
        }
    }

    /// Why the environment cannot be used, if that is the reason.
    pub fn problem(&self) -> Option<&str> {
        match &self.reason {
            Reason::Unusable(why) => Some(why),
            _ => None,
        }
    }
}

/// `status --json`.
pub fn status_json(d: &Decision) -> Value {
    let s = Summary::of(d);
    let project = s.project.as_ref().map(|p| {
        let name = p.marker.name().map(lossy);
        json!({
            "root": text(&p.root),
            "marker": p.marker.code(),
            "marker_path": text(&p.marker.path(&p.root)),
            "name": name,
        })
    });
    let environment = s.environment.as_ref().map(|e| {
        json!({
            "path": text(&e.path),
            "prompt": lossy(&e.prompt),
            "python_version": e.version,
            "healthy": e.healthy,
        })
    });
    let trust = s.environment.as_ref().map(|_| {
        json!({
            "trusted": s.trusted,
            "how": s.trusted_as.map(TrustKind::code),
            "allow_command": s.allow_command(),
        })
    });
    let (active, by, taken_over) = match &d.owner {
        Owner::Nobody | Owner::Displaced(_) => (None, None, false),
        Owner::Autovenv(a) => (Some(text(&a.venv)), Some("autovenv"), a.taken_over),
        Owner::Outside(p) => (Some(text(p)), Some("outside"), false),
    };
    json!({
        "version": 1,
        "directory": text(&d.dir),
        "project": project,
        "environment": environment,
        "trust": trust,
        "reason": s.reason.code(),
        "shell": {"active": active, "activated_by": by, "taken_over": taken_over},
        "action": d.action().code(),
        "problems": d.problems,
        "hint": d.hint.as_ref().map(|h| json!({
            "root": text(&h.root),
            "file": text(&h.file),
            "command": h.command,
        })),
    })
}

/// One line of `watch --json`.
pub fn watch_json(dir: &std::path::Path, s: &Summary) -> Value {
    let e = s.environment.as_ref();
    json!({
        "version": 1,
        "directory": text(dir),
        "reason": s.reason.code(),
        "project": s.project.as_ref().map(|p| text(&p.root)),
        "marker": s.project.as_ref().map(|p| p.marker.code()),
        "environment": e.map(|e| text(&e.path)),
        "prompt": e.map(EnvironmentView::prompt_text),
        "python_version": e.and_then(|e| e.version.clone()),
        "healthy": e.map(|e| e.healthy),
        "trusted": s.trusted,
        "allow_command": s.allow_command(),
        "problem": s.problem(),
    })
}

/// `export json`: the change, for other tools.
pub fn changes_json(steps: &[Step]) -> Value {
    let mut set = serde_json::Map::new();
    let mut unset = Vec::new();
    let mut rehash = false;
    for step in steps {
        match step {
            Step::Set(name, value) => {
                unset.retain(|n: &Value| n != name);
                set.insert(name.to_string(), json!(lossy(value)));
            }
            Step::Unset(name) => {
                set.remove(*name);
                if !unset.iter().any(|n| n == name) {
                    unset.push(json!(name));
                }
            }
            Step::Rehash => rehash = true,
            _ => {}
        }
    }
    if set.is_empty() && unset.is_empty() {
        return json!({"version": 1, "changed": false, "set": {}, "unset": [], "rehash": false});
    }
    json!({"version": 1, "changed": true, "set": set, "unset": unset, "rehash": rehash})
}

fn lossy(value: &OsString) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}
