//! Projects where `autovenv new --name` wrote a `.venv-name`.
//!
//! A central environment needs no trust, so nothing else records which
//! projects use one; `autovenv list` reads this to say which projects name
//! an environment. It is a courtesy, never consulted by the hook: each entry
//! is checked against the project's `.venv-name` when it is read, so a stale
//! entry costs nothing. One file per project, named by the SHA-256 of its
//! canonical path, in a [`Records`] folder like the trust store's.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::records::{Records, canonical};

const FOLDER: &str = "named";

fn store(data_dir: &Path) -> Records {
    Records::new(data_dir.join(FOLDER), "the record of named projects")
}

pub fn remember(data_dir: &Path, project_root: &Path) -> Result<()> {
    store(data_dir).write(&canonical(project_root)?)
}

/// Every remembered project root, sorted; damaged entries are skipped, and
/// an unreadable folder counts as empty (this is only a courtesy).
pub fn list(data_dir: &Path) -> Vec<PathBuf> {
    store(data_dir).list().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

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
        fs::write(store(&data).dir().join("0000"), b"/elsewhere").unwrap();
        assert_eq!(list(&data).len(), 1);
    }
}
