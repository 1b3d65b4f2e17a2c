//! Projects where `autovenv new --name` wrote a `.venv-name`.
//!
//! A central environment needs no trust, so nothing else records which
//! projects use one; `autovenv list` reads this to say which projects name
//! an environment. It is a courtesy, never consulted by the hook: each entry
//! is checked against the project's `.venv-name` when it is read, so a stale
//! entry costs nothing. One file per project, named by the SHA-256 of its
//! canonical path, written like the trust records (atomically, so two
//! shells at once lose nothing).

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::bytes;
use crate::trust;

const FOLDER: &str = "named";

fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join(FOLDER)
}

fn entry_path(data_dir: &Path, canonical: &Path) -> PathBuf {
    folder(data_dir).join(trust::file_name_for(canonical))
}

pub fn remember(data_dir: &Path, project_root: &Path) -> Result<()> {
    let canonical = fs::canonicalize(project_root)
        .with_context(|| format!("cannot resolve {}", bytes::display_path(project_root)))?;
    let dir = folder(data_dir);
    fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create {}", bytes::display_path(&dir)))?;
    trust::write_atomically(
        &entry_path(data_dir, &canonical),
        canonical.as_os_str().as_bytes(),
    )
}

/// Every remembered project root, sorted; damaged entries are skipped.
pub fn list(data_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(folder(data_dir)) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| !e.file_name().as_bytes().starts_with(b"."))
        .filter_map(|e| {
            let content = fs::read(e.path()).ok()?;
            let root = bytes::path(&content);
            (entry_path(data_dir, &root) == e.path()).then_some(root)
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_once_and_skips_damage() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let project = tmp.path().join("p");
        fs::create_dir_all(&project).unwrap();
        assert!(list(&data).is_empty());
        remember(&data, &project).unwrap();
        remember(&data, &project).unwrap();
        let canonical = fs::canonicalize(&project).unwrap();
        assert_eq!(list(&data), vec![canonical]);
        fs::write(folder(&data).join("0000"), b"/elsewhere").unwrap();
        assert_eq!(list(&data).len(), 1);
    }
}
