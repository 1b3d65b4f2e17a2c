//! A folder of small records, one per path: the record for a path is named
//! by the SHA-256 of that path and holds the path itself. The trust store
//! (`trust.rs`) and the projects made with `new --name` (`known.rs`) are two
//! such folders.
//!
//! - A lookup is one `open` of a file whose name is computed: its cost does
//!   not depend on how many records there are (docs/trust.md).
//! - Two shells writing records for different paths write different files,
//!   so neither can lose the other's; each file is written whole to a
//!   temporary name, synced and renamed into place, so none is ever
//!   half-written.
//! - A record whose content does not give back its own name is damaged: it
//!   is skipped by [`Records::list`] and reported by [`Records::read`].

use std::fs;
use std::io::{ErrorKind, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::bytes;

/// One folder of records.
#[derive(Debug, Clone)]
pub struct Records {
    dir: PathBuf,
    /// What the folder is, for messages: "the trust store".
    what: &'static str,
}

/// What the record for a path says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// There is no record for the path.
    Absent,
    /// The record is there and holds the path.
    Present,
    /// A file has the path's name but holds something else.
    Damaged,
}

impl Records {
    pub fn new(dir: PathBuf, what: &'static str) -> Records {
        Records { dir, what }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds the record for `key` (whether it exists or not).
    pub fn file_for(&self, key: &Path) -> PathBuf {
        self.dir.join(file_name_for(key))
    }

    pub fn read(&self, key: &Path) -> std::io::Result<Record> {
        match fs::read(self.file_for(key)) {
            Ok(content) if content == key.as_os_str().as_bytes() => Ok(Record::Present),
            Ok(_) => Ok(Record::Damaged),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(Record::Absent),
            Err(e) => Err(e),
        }
    }

    /// Records `key`, creating the folder if need be.
    pub fn write(&self, key: &Path) -> Result<()> {
        fs::create_dir_all(&self.dir).with_context(|| {
            format!(
                "cannot create {} at {}",
                self.what,
                bytes::display_path(&self.dir)
            )
        })?;
        write_atomically(&self.file_for(key), key.as_os_str().as_bytes())
    }

    /// Takes the record of `key` away; returns whether there was one.
    pub fn remove(&self, key: &Path) -> std::io::Result<bool> {
        match fs::remove_file(self.file_for(key)) {
            Ok(()) => {
                sync_dir(&self.dir);
                Ok(true)
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Every recorded path, sorted; damaged records and temporary files are
    /// skipped. No folder yet is no record.
    pub fn list(&self) -> std::io::Result<Vec<PathBuf>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| !e.file_name().as_bytes().starts_with(b"."))
            .filter_map(|e| {
                let key = bytes::path(&fs::read(e.path()).ok()?);
                (self.file_for(&key) == e.path()).then_some(key)
            })
            .collect();
        out.sort();
        Ok(out)
    }
}

/// The key records are kept under: the path with every link resolved, so
/// that a project reached through a symlink is the same project (docs/detection.md).
pub fn canonical(path: &Path) -> Result<PathBuf> {
    fs::canonicalize(path).with_context(|| format!("cannot resolve {}", bytes::display_path(path)))
}

/// The SHA-256 of a path, in hex: a file name of fixed length that only
/// that path gives.
fn file_name_for(key: &Path) -> String {
    Sha256::digest(key.as_os_str().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes `content` to a temporary file beside `target`, syncs it, renames
/// it into place and syncs the folder: readers see the old file or the new
/// one, never a part.
fn write_atomically(target: &Path, content: &[u8]) -> Result<()> {
    let dir = target.parent().context("a record has a folder")?;
    let shown = bytes::display_path(target);
    // Unique per process and per call, so concurrent writers never share
    // a temporary file. The leading dot keeps it out of `list`.
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

    fn store(tmp: &tempfile::TempDir) -> Records {
        Records::new(tmp.path().join("data/records"), "the test store")
    }

    #[test]
    fn write_read_remove() {
        let tmp = tempfile::tempdir().unwrap();
        let records = store(&tmp);
        let key = Path::new("/some/project/venv");
        assert_eq!(records.read(key).unwrap(), Record::Absent);
        records.write(key).unwrap();
        records.write(key).unwrap();
        assert_eq!(records.read(key).unwrap(), Record::Present);
        assert_eq!(
            fs::read(records.file_for(key)).unwrap(),
            key.as_os_str().as_bytes()
        );
        assert!(records.remove(key).unwrap());
        assert!(!records.remove(key).unwrap());
        assert_eq!(records.read(key).unwrap(), Record::Absent);
    }

    #[test]
    fn names_are_the_hash_of_the_path() {
        let tmp = tempfile::tempdir().unwrap();
        let records = store(&tmp);
        let name = records.file_for(Path::new("/p"));
        assert_eq!(name.parent(), Some(records.dir()));
        let name = name.file_name().unwrap().to_str().unwrap().to_string();
        assert_eq!(name.len(), 64);
        assert!(name.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(
            records.file_for(Path::new("/q")),
            records.file_for(Path::new("/p"))
        );
    }

    #[test]
    fn the_write_is_atomic_and_leaves_no_temporary_file() {
        let tmp = tempfile::tempdir().unwrap();
        let records = store(&tmp);
        let key = Path::new("/p");
        fs::create_dir_all(records.dir()).unwrap();
        fs::write(records.file_for(key), b"/old content").unwrap();
        records.write(key).unwrap();
        assert_eq!(records.read(key).unwrap(), Record::Present);
        let names: Vec<_> = fs::read_dir(records.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            vec![records.file_for(key).file_name().unwrap().to_os_string()]
        );
    }

    #[test]
    fn a_failed_write_says_what_and_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let records = store(&tmp);
        fs::create_dir_all(records.dir()).unwrap();
        // A folder where the record would go: the rename fails.
        let key = Path::new("/p");
        fs::create_dir_all(records.file_for(key).join("x")).unwrap();
        let err = records.write(key).unwrap_err().to_string();
        assert!(err.starts_with("cannot write "), "{err}");
        assert_eq!(fs::read_dir(records.dir()).unwrap().count(), 1);

        let blocked = Records::new(tmp.path().join("file/records"), "the test store");
        fs::write(tmp.path().join("file"), b"").unwrap();
        let err = blocked.write(key).unwrap_err().to_string();
        assert!(err.starts_with("cannot create the test store at "), "{err}");
    }

    #[test]
    fn listing_is_sorted_and_skips_damage() {
        let tmp = tempfile::tempdir().unwrap();
        let records = store(&tmp);
        assert!(records.list().unwrap().is_empty(), "no folder, no records");
        for key in ["/b", "/a", "/c d"] {
            records.write(Path::new(key)).unwrap();
        }
        // A damaged record, a stray file and a temporary one left by a crash.
        fs::write(records.file_for(Path::new("/c d")), b"/elsewhere").unwrap();
        fs::write(records.dir().join("0000"), b"/a").unwrap();
        fs::write(records.dir().join(".tmp-1-0"), b"/z").unwrap();
        assert_eq!(
            records.list().unwrap(),
            vec![PathBuf::from("/a"), PathBuf::from("/b")]
        );
        assert_eq!(records.read(Path::new("/c d")).unwrap(), Record::Damaged);
    }

    #[test]
    fn an_unreadable_folder_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let records = Records::new(tmp.path().join("a-file"), "the test store");
        fs::write(records.dir(), b"").unwrap();
        assert!(records.list().is_err());
        assert!(records.read(Path::new("/p")).is_err());
    }

    #[test]
    fn many_threads_writing_at_once_lose_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let records = store(&tmp);
        let keys: Vec<PathBuf> = (0..64).map(|i| PathBuf::from(format!("/p{i}"))).collect();
        std::thread::scope(|s| {
            for key in &keys {
                let records = &records;
                s.spawn(move || records.write(key).unwrap());
            }
        });
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(records.list().unwrap(), sorted);
    }
}
