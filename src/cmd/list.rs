//! `autovenv list [--json]`: the central environments and the trusted
//! projects, as the [`inventory`](crate::inventory) finds them.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use anyhow::Result;
use serde_json::{Value, json};

use crate::bytes;
use crate::config::Config;
use crate::detect;
use crate::inventory::{self, EnvState, Inventory};
use crate::snapshot::Snapshot;

pub fn run(env: &Snapshot, as_json: bool) -> Result<()> {
    let config = Config::from_snapshot(env);
    let here = detect::current_dir(env.get("PWD").map(Into::into)).ok();
    let inv = inventory::inventory(&config, here.as_deref());
    let out = if as_json {
        let mut text = serde_json::to_string_pretty(&to_json(&inv))?;
        text.push('\n');
        text
    } else {
        to_text(&inv)
    };
    std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes())?;
    match inv.problems.first() {
        // The listing is printed; what could not be read makes it a failure.
        Some(first) => Err(anyhow::anyhow!("{first}")),
        None => Ok(()),
    }
}

fn text(p: &Path) -> String {
    String::from_utf8_lossy(p.as_os_str().as_bytes()).into_owned()
}

fn to_json(inv: &Inventory) -> Value {
    let environments: Vec<Value> = inv
        .central_envs
        .iter()
        .map(|e| {
            json!({
                "name": String::from_utf8_lossy(e.name.as_bytes()),
                "path": text(&e.state.path),
                "python_version": e.state.version,
                "healthy": e.state.healthy(),
                "problem": e.state.problem,
                "used_by": e.used_by.iter().map(|p| text(p)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let trusted: Vec<Value> = inv
        .trusted
        .iter()
        .map(|t| {
            json!({
                "project": text(&t.root),
                "environment": text(&t.venv),
                "exists": t.state.is_some(),
                "python_version": t.state.as_ref().and_then(|s| s.version.clone()),
                "healthy": t.state.as_ref().is_some_and(EnvState::healthy),
                "problem": match &t.state {
                    None => Some("the environment is no longer there".to_string()),
                    Some(s) => s.problem.clone(),
                },
            })
        })
        .collect();
    json!({
        "version": 1,
        "central": {
            "folder": inv.central.as_ref().ok().map(|c| text(c)),
            "exists": inv.central_exists,
            "problem": inv.central.as_ref().err(),
            "environments": environments,
        },
        "trusted": trusted,
        "tools": inv.tools.iter().map(|t| json!({
            "tool": t.tool,
            "folder": text(&t.folder),
            "exists": t.exists,
            "environments": t.environments,
        })).collect::<Vec<_>>(),
        "problems": inv.problems,
    })
}

fn to_text(inv: &Inventory) -> String {
    let mut out = String::new();
    match &inv.central {
        Err(why) => out.push_str(&format!("central environments: unknown ({why})\n")),
        Ok(folder) if !inv.central_exists => out.push_str(&format!(
            "central environments in {}: none (the folder does not exist yet; autovenv new --name creates it)\n",
            bytes::display_path(folder)
        )),
        Ok(folder) => {
            out.push_str(&format!(
                "central environments in {}:",
                bytes::display_path(folder)
            ));
            if inv.central_envs.is_empty() {
                out.push_str(" none\n");
            } else {
                out.push('\n');
            }
            let rows: Vec<[String; 3]> = inv
                .central_envs
                .iter()
                .map(|e| {
                    let users = if e.used_by.is_empty() {
                        "used by no project autovenv knows of".to_string()
                    } else {
                        format!(
                            "used by {}",
                            e.used_by
                                .iter()
                                .map(|p| bytes::display_path(p))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    [
                        bytes::display(e.name.as_bytes()),
                        version(&e.state.version),
                        match &e.state.problem {
                            None => format!("healthy, {users}"),
                            Some(why) => format!("broken: {why}"),
                        },
                    ]
                })
                .collect();
            out.push_str(&table(&rows));
            if !inv.central_envs.is_empty() {
                out.push_str("  (autovenv knows the projects made with autovenv new --name, trusted ones and the one here; others may name these too)\n");
            }
        }
    }
    out.push_str("trusted projects:");
    if inv.trusted.is_empty() {
        out.push_str(" none (autovenv allow trusts one)\n");
    } else {
        out.push('\n');
    }
    let rows: Vec<[String; 3]> = inv
        .trusted
        .iter()
        .map(|t| {
            let folder = t
                .venv
                .file_name()
                .map(|n| bytes::display(n.as_bytes()))
                .unwrap_or_default();
            match &t.state {
                None => [
                    bytes::display_path(&t.root),
                    folder,
                    "gone: the environment is no longer there".into(),
                ],
                Some(s) => [
                    bytes::display_path(&t.root),
                    folder,
                    match &s.problem {
                        None => format!("{}, healthy", version(&s.version)),
                        Some(why) => format!("{}, broken: {why}", version(&s.version)),
                    },
                ],
            }
        })
        .collect();
    out.push_str(&table(&rows));
    if !inv.tools.is_empty() {
        out.push_str("other tools' folders (trusted without allow):\n");
        let rows: Vec<[String; 3]> = inv
            .tools
            .iter()
            .map(|t| {
                [
                    t.tool.to_string(),
                    bytes::display_path(&t.folder),
                    match (t.exists, t.environments) {
                        (false, _) => "not on this machine".to_string(),
                        (true, 1) => "1 environment".to_string(),
                        (true, n) => format!("{n} environments"),
                    },
                ]
            })
            .collect();
        out.push_str(&table(&rows));
    }
    for p in &inv.problems {
        out.push_str(&format!("problem: {p}\n"));
    }
    out
}

fn version(v: &Option<String>) -> String {
    match v {
        Some(v) => format!("Python {v}"),
        None => "Python ?".into(),
    }
}

/// Rows indented and aligned in columns (by characters; names are short).
fn table(rows: &[[String; 3]]) -> String {
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (w0, w1) = (width(0), width(1));
    rows.iter()
        .map(|[a, b, c]| {
            format!(
                "  {a}{}  {b}{}  {c}\n",
                " ".repeat(w0 - a.chars().count()),
                " ".repeat(w1 - b.chars().count())
            )
        })
        .collect()
}
