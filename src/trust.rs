//! The trust store: one record per trusted environment, keyed on the
//! environment's canonical path, in a [`Records`] folder (which says why a
//! lookup costs one `open` and why two shells allowing at once lose
//! nothing).
//!
//! The hook watches the one record that decides the current environment, so
//! `allow` and `deny` take effect at the next prompt without a `cd`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::bytes;
use crate::records::{Record, Records, canonical};

const RECORDS: &str = "trust";

/// What the store says about one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub trusted: bool,
    /// The canonical path trust is keyed on.
    pub canonical: PathBuf,
    /// The record file that decides it (present when trusted).
    pub record: PathBuf,
    /// A problem met on the way (damaged record, unreadable store).
    pub problem: Option<String>,
}

fn store(data_dir: &Path) -> Records {
    Records::new(data_dir.join(RECORDS), "the trust store")
}

pub fn lookup(data_dir: &Path, venv: &Path) -> Result<Verdict> {
    let canonical = canonical(venv)?;
    let store = store(data_dir);
    let record = store.file_for(&canonical);
    let mut verdict = Verdict {
        trusted: false,
        canonical: canonical.clone(),
        record: record.clone(),
        problem: None,
    };
    match store.read(&canonical) {
        Ok(Record::Present) => verdict.trusted = true,
        Ok(Record::Damaged) => {
            verdict.problem = Some(format!(
                "the trust record {} is damaged and counts as not trusted; run autovenv allow again",
                bytes::display_path(&record)
            ))
        }
        Ok(Record::Absent) => {}
        Err(e) => {
            verdict.problem = Some(format!(
                "cannot read the trust store at {} ({e}); nothing counts as trusted",
                bytes::display_path(store.dir())
            ))
        }
    }
    Ok(verdict)
}

pub fn allow(data_dir: &Path, venv: &Path) -> Result<PathBuf> {
    let canonical = canonical(venv)?;
    store(data_dir).write(&canonical)?;
    Ok(canonical)
}

/// Returns whether there was anything to take back.
pub fn deny(data_dir: &Path, venv: &Path) -> Result<bool> {
    let canonical = canonical(venv)?;
    let store = store(data_dir);
    store.remove(&canonical).with_context(|| {
        format!(
            "cannot remove the trust record {}",
            bytes::display_path(&store.file_for(&canonical))
        )
    })
}

/// Every trusted environment, sorted; damaged records are skipped (reported
/// by `lookup` when they matter).
pub fn list(data_dir: &Path) -> Result<Vec<PathBuf>> {
    let store = store(data_dir);
    store
        .list()
        .with_context(|| format!("cannot read {}", bytes::display_path(store.dir())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn allow_lookup_deny() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let venv = tmp.path().join("p/venv");
        fs::create_dir_all(&venv).unwrap();
        assert!(!lookup(&data, &venv).unwrap().trusted);
        allow(&data, &venv).unwrap();
        let v = lookup(&data, &venv).unwrap();
        assert!(v.trusted);
        assert!(v.record.exists());
        assert_eq!(list(&data).unwrap(), vec![fs::canonicalize(&venv).unwrap()]);
        assert!(deny(&data, &venv).unwrap());
        assert!(!deny(&data, &venv).unwrap());
        assert!(!lookup(&data, &venv).unwrap().trusted);
    }

    #[test]
    fn symlinked_route_is_the_same_project() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let venv = tmp.path().join("real/venv");
        fs::create_dir_all(&venv).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("real"), tmp.path().join("link")).unwrap();
        allow(&data, &tmp.path().join("link/venv")).unwrap();
        assert!(lookup(&data, &venv).unwrap().trusted);
    }

    #[test]
    fn damaged_record_is_not_trusted() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let venv = tmp.path().join("venv");
        fs::create_dir_all(&venv).unwrap();
        allow(&data, &venv).unwrap();
        let record = lookup(&data, &venv).unwrap().record;
        fs::write(&record, b"/somewhere/else").unwrap();
        let v = lookup(&data, &venv).unwrap();
        assert!(!v.trusted);
        assert!(v.problem.unwrap().contains("damaged"));
    }

    #[test]
    fn many_threads_allowing_at_once_lose_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let venvs: Vec<PathBuf> = (0..64)
            .map(|i| tmp.path().join(format!("p{i}/venv")))
            .collect();
        for v in &venvs {
            fs::create_dir_all(v).unwrap();
        }
        std::thread::scope(|s| {
            for v in &venvs {
                let data = &data;
                s.spawn(move || allow(data, v).unwrap());
            }
        });
        for v in &venvs {
            assert!(lookup(&data, v).unwrap().trusted);
        }
        assert_eq!(list(&data).unwrap().len(), 64);
    }
}
