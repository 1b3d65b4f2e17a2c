//! The trust store: one small file per trusted environment, named by the
//! SHA-256 of the environment's canonical path and holding that path.
//!
//! - A lookup is one `open` of a file whose name is computed: its cost does
//!   not depend on how many projects are trusted (SPEC §4).
//! - Two shells allowing different projects write different files, so
//!   neither can lose the other's; each file is written whole to a temporary
//!   name, synced and renamed into place, so none is ever half-written.
//! - The hook watches the one file that decides the current environment, so
//!   `allow` and `deny` take effect at the next prompt without a `cd`.

use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::bytes;

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

pub fn records_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(RECORDS)
}

pub fn record_path(data_dir: &Path, canonical: &Path) -> PathBuf {
    records_dir(data_dir).join(file_name_for(canonical))
}

/// The SHA-256 of a path, in hex: a file name of fixed length that only
/// that path gives.
pub fn file_name_for(canonical: &Path) -> String {
    Sha256::digest(canonical.as_os_str().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn canonical(venv: &Path) -> Result<PathBuf> {
    fs::canonicalize(venv).with_context(|| format!("cannot resolve {}", bytes::display_path(venv)))
}

pub fn lookup(data_dir: &Path, venv: &Path) -> Result<Verdict> {
    let canonical = canonical(venv)?;
    let record = record_path(data_dir, &canonical);
    let mut verdict = Verdict {
        trusted: false,
        canonical: canonical.clone(),
        record: record.clone(),
        problem: None,
    };
    match fs::read(&record) {
        Ok(content) if content == canonical.as_os_str().as_bytes() => verdict.trusted = true,
        Ok(_) => {
            verdict.problem = Some(format!(
                "the trust record {} is damaged and counts as not trusted; run autovenv allow again",
                bytes::display_path(&record)
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            verdict.problem = Some(format!(
                "cannot read the trust store at {} ({e}); nothing counts as trusted",
                bytes::display_path(&records_dir(data_dir))
            ))
        }
    }
    Ok(verdict)
}

pub fn allow(data_dir: &Path, venv: &Path) -> Result<PathBuf> {
    let canonical = canonical(venv)?;
    let dir = records_dir(data_dir);
    fs::create_dir_all(&dir).with_context(|| {
        format!(
            "cannot create the trust store at {}",
            bytes::display_path(&dir)
        )
    })?;
    let record = record_path(data_dir, &canonical);
    write_atomically(&record, canonical.as_os_str().as_bytes())?;
    Ok(canonical)
}

/// Returns whether there was anything to take back.
pub fn deny(data_dir: &Path, venv: &Path) -> Result<bool> {
    let canonical = canonical(venv)?;
    let record = record_path(data_dir, &canonical);
    match fs::remove_file(&record) {
        Ok(()) => {
            sync_dir(&records_dir(data_dir));
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| {
            format!(
                "cannot remove the trust record {}",
                bytes::display_path(&record)
            )
        }),
    }
}

/// Every trusted environment, sorted; records whose content does not match
/// their name are skipped (reported by `lookup` when they matter).
pub fn list(data_dir: &Path) -> Result<Vec<PathBuf>> {
    let dir = records_dir(data_dir);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read {}", bytes::display_path(&dir)));
        }
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        if entry.file_name().as_bytes().starts_with(b".") {
            continue;
        }
        if let Ok(content) = fs::read(entry.path()) {
            let path = bytes::path(&content);
            if record_path(data_dir, &path) == entry.path() {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes `content` to a temporary file beside `target`, syncs it, renames
/// it into place and syncs the folder: readers see the old file or the new
/// one, never a part.
pub fn write_atomically(target: &Path, content: &[u8]) -> Result<()> {
    let dir = target.parent().context("a record has a folder")?;
    let shown = bytes::display_path(target);
    // Unique per process and per call, so concurrent writers never share
    // a temporary file.
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".tmp-{}-{n}", std::process::id()));
    let result = (|| -> Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(content)?;
        file.sync_all()?;
        fs::rename(&tmp, target)?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        bail!("cannot write {shown}: {}", e.root_cause());
    }
    sync_dir(dir);
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
