//! Where a decision holds beyond the folder it was made for, so that the
//! hook can tell with builtins alone that a `cd` changes nothing (another
//! folder of the same project, or one more folder with no project), and so
//! that an idle prompt deep in a tree costs one file test per folder.
//!
//! The search walks from the current folder up to the project root (or to
//! `/`), asking in each folder for the same few names. A folder that holds
//! none of them can hold no marker, and its own modification time changes
//! whenever an entry is created, removed or renamed in it. So:
//!
//! - a folder of the walk that holds none of the names, looked at after a
//!   *stamp* file was made, and still older than the stamp, still holds
//!   none (any change since would have made it at least as new as the
//!   stamp): one `-ot` test replaces its questions;
//! - a folder the binary never looked at (a `cd` deeper) is asked the
//!   names by the hook itself;
//! - the first folder that holds one of the names and is not the project
//!   root (a `pyproject.toml` of no project, a `venv` folder that is not an
//!   environment) ends the region: its questions stay in the check as they
//!   are, and the hook leaves moving around to the binary.
//!
//! Stamps are empty files in `stamps/` of the data folder, one per shell,
//! never modified once made: a new one replaces the shell's old one when a
//! folder of the walk is newer than it. docs/performance.md has the
//! reasoning and the figures.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::detect::{Marker, Probe};
use crate::engine::Decision;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Region {
    /// The folder the walk stops below: the project root, or the first
    /// folder that holds one of the names (then `moves` is false); None:
    /// the walk goes on to `/` (no project).
    pub top: Option<PathBuf>,
    /// The folder the decision was made for.
    pub here: PathBuf,
    /// The folders from `here` up, below `top`, that hold none of `names`.
    pub folders: Vec<PathBuf>,
    /// What the search asks about in every folder.
    pub names: Vec<OsString>,
    /// The stamp the folders were looked at after; None when none could be
    /// made (then every question stays in the check).
    pub stamp: Option<PathBuf>,
    /// Whether another folder under `top` (or anywhere, with no top) may
    /// be decided by the hook: false when a folder with one of the names
    /// ended the region before the project root.
    pub moves: bool,
    /// For a Pipfile project: how many folders below the root Pipenv looks
    /// from (`PIPENV_MAX_DEPTH`).
    pub max_depth: Option<usize>,
    /// The hook's names test (`__autovenv_clean`) asks these names
    /// already: for statements kept ready beside a check that defined it
    /// with the same names, which then need not define it again.
    pub keeps_clean: bool,
    /// Kept ready beside a check with a region, which defined the hook's
    /// fixed functions for it (fish's `__autovenv_here`): not again.
    pub beside: bool,
}

impl Region {
    /// The walk's folders for `decision`, before any of them is looked at
    /// for the region; None where the decision has no walk to stand on (a
    /// volatile check, an unreadable folder).
    pub fn candidates(decision: &Decision) -> Option<Vec<PathBuf>> {
        if decision.names.is_empty()
            || decision.unreadable.is_some()
            || decision.probes.contains(&Probe::Volatile)
            || !decision.dir.is_absolute()
        {
            return None;
        }
        let root = decision.project.as_ref().map(|p| p.root.as_path());
        Some(
            decision
                .dir
                .ancestors()
                .take_while(|d| Some(*d) != root)
                .map(Path::to_path_buf)
                .collect(),
        )
    }

    /// The region, with `candidates` looked at now (after `stamp` was made).
    pub fn new(
        decision: &Decision,
        candidates: Vec<PathBuf>,
        stamp: Option<PathBuf>,
        pipenv_max_depth: usize,
    ) -> Region {
        let project = decision.project.as_ref();
        let mut top = project.map(|p| p.root.clone());
        let mut folders = Vec::new();
        let mut moves = true;
        for folder in candidates {
            if holds_any(&folder, &decision.names) {
                moves = false;
                top = Some(folder);
                break;
            }
            folders.push(folder);
        }
        Region {
            top,
            here: decision.dir.clone(),
            folders,
            names: decision.names.clone(),
            stamp,
            moves,
            max_depth: project
                .filter(|p| matches!(p.marker, Marker::Pipenv { .. }))
                .map(|_| pipenv_max_depth),
            keeps_clean: false,
            beside: false,
        }
    }

    /// The region of statements kept ready for leaving a project: any
    /// folder with no marker up to `/`, none looked at yet.
    /// `inside` is the region the statements are kept beside.
    pub fn outside(names: &[OsString], inside: &Region) -> Region {
        Region {
            top: None,
            here: PathBuf::new(),
            folders: Vec::new(),
            names: names.to_vec(),
            stamp: inside.stamp.clone(),
            moves: true,
            max_depth: None,
            keeps_clean: inside.names == names,
            beside: true,
        }
    }

    /// Whether the region's stamp test stands for `probe`, which the check
    /// then leaves out: a question about one of the names in one of the
    /// region's folders.
    pub fn absorbs(&self, probe: &Probe) -> bool {
        let Some(_) = &self.stamp else {
            return false;
        };
        let path = match probe {
            Probe::Missing { path, .. } => path,
            _ => return false,
        };
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return false;
        };
        self.names.iter().any(|n| n == name) && self.folders.iter().any(|f| f == parent)
    }
}

/// The folders above `root`, from its parent up to `/`, up to the first
/// that holds one of `names`: looked at now, so after the stamp of the
/// region they go with was made (that stamp is made, or kept, before the
/// region's folders are looked at). Leaving the project for a folder with
/// no project walks through most of them (`cd ..`, `cd ~`, a sibling
/// project-less folder), and the hook then tests each with one `-ot`
/// instead of asking it the names.
pub fn clean_above(root: &Path, names: &[OsString]) -> Vec<PathBuf> {
    if names.is_empty() || !root.is_absolute() {
        return Vec::new();
    }
    above(root)
        .take_while(|d| !holds_any(d, names))
        .map(Path::to_path_buf)
        .collect()
}

/// The folders above `root`, from its parent up to `/`.
pub fn above(root: &Path) -> impl Iterator<Item = &Path> {
    root.ancestors().skip(1)
}

/// Whether `folder` holds an entry (even a dangling link) by any of `names`.
fn holds_any(folder: &Path, names: &[OsString]) -> bool {
    names
        .iter()
        .any(|name| match std::fs::symlink_metadata(folder.join(name)) {
            Ok(_) => true,
            Err(e) => !matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ),
        })
}

/// The folder of the stamps, in the data folder.
pub fn stamp_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("stamps")
}

/// The stamp for `folders`: the shell's `previous` one while every folder
/// is older than it, else a new one (and the previous one removed). None
/// when no stamp can be made (a read-only data folder): the check then
/// keeps every question.
pub fn stamp(dir: &Path, previous: Option<&Path>, folders: &[PathBuf]) -> Option<PathBuf> {
    let ours = |p: &Path| p.parent() == Some(dir) && p.file_name().is_some_and(is_stamp_name);
    if let Some(prev) = previous.filter(|p| ours(p))
        && let Ok(made) = std::fs::metadata(prev).and_then(|m| m.modified())
        && folders.iter().all(|f| {
            std::fs::metadata(f)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < made)
        })
    {
        return Some(prev.to_path_buf());
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    if std::fs::create_dir_all(dir).is_err() {
        return None;
    }
    let path = dir.join(format!(
        "{}-{}-{}",
        std::process::id(),
        now.as_secs(),
        now.subsec_nanos()
    ));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .ok()?;
    // Dated two seconds back: on a file system that keeps coarser times
    // (FAT's two seconds, whole seconds elsewhere) a change made after this
    // moment still dates its folder no earlier than the stamp.
    let back = std::time::SystemTime::now() - std::time::Duration::from_secs(2);
    if file.set_modified(back).is_err() {
        let _ = std::fs::remove_file(&path);
        return None;
    }
    if let Some(prev) = previous.filter(|p| ours(p)) {
        let _ = std::fs::remove_file(prev);
        for own in hooks_stamps(prev) {
            let _ = std::fs::remove_file(own);
        }
    }
    // Stamps of shells that ended are never removed by them: once in a
    // while, those older than a week go (a shell that kept one that long
    // asks its folders again, once).
    if now.subsec_nanos().is_multiple_of(32) {
        sweep(dir, now);
    }
    Some(path)
}

/// What the hook adds to a stamp's name for a stamp of its own, in turns
/// (its __autovenv_renew).
const HOOK_TURNS: [&str; 2] = ["-r1", "-r2"];

/// The hook's own stamps beside `stamp`.
fn hooks_stamps(stamp: &Path) -> [PathBuf; 2] {
    HOOK_TURNS.map(|turn| {
        let mut name = stamp.as_os_str().to_os_string();
        name.push(turn);
        PathBuf::from(name)
    })
}

/// `PID-SECS-NANOS`, or a hook's own stamp made beside one.
fn is_stamp_name(name: &std::ffi::OsStr) -> bool {
    let b = name.as_encoded_bytes();
    let b = HOOK_TURNS
        .iter()
        .find_map(|turn| b.strip_suffix(turn.as_bytes()))
        .unwrap_or(b);
    !b.is_empty() && b.iter().all(|c| c.is_ascii_digit() || *c == b'-')
}

/// The second a stamp was made, from its name (`PID-SECS-NANOS`).
fn made_at(name: &std::ffi::OsStr) -> Option<u64> {
    let name = name.to_str()?;
    let mut parts = name.split('-');
    let (_, secs, _) = (parts.next()?, parts.next()?, parts.next()?);
    secs.parse().ok()
}

/// Removes the stamps of a week ago and more, read from their names (no
/// `stat` per file: a folder of tens of thousands of them, left by a
/// program that runs `export` again and again with no bookkeeping, took
/// 90 ms to sweep that way). Should more than `KEEP` remain, those of a day
/// ago and more go too: a shell whose stamp is gone asks its folders'
/// names again until the binary next runs, which is slower, never wrong.
fn sweep(dir: &Path, now: std::time::Duration) {
    const DAY: u64 = 24 * 3600;
    const KEEP: usize = 1024;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut kept = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !is_stamp_name(&name) {
            continue;
        }
        let Some(made) = made_at(&name) else { continue };
        if made + 7 * DAY < now.as_secs() {
            let _ = std::fs::remove_file(entry.path());
        } else {
            kept.push((made, entry.path()));
        }
    }
    if kept.len() > KEEP {
        for (made, path) in kept {
            if made + DAY < now.as_secs() {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn the_sweep_reads_ages_from_names_and_keeps_the_folder_small() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let now = std::time::Duration::from_secs(1_000_000_000);
        let day = 24 * 3600;
        let make = |name: String| fs::write(dir.join(name), "").unwrap();
        make(format!("1-{}-0", 1_000_000_000 - 8 * day));
        make(format!("2-{}-5", 1_000_000_000 - 60));
        make(format!("3-{}-0", 1_000_000_000 - 2 * day));
        make("notes.txt".into());
        make("4".into());
        // The hook's own stamps are dated by the name of the binary's.
        make(format!("1-{}-0-r1", 1_000_000_000 - 8 * day));
        make(format!("2-{}-5-r2", 1_000_000_000 - 60));
        make("2-3-r3".into());
        let left = || {
            let mut names: Vec<String> = fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        sweep(dir, now);
        // A week old goes; a day old stays while the folder is small; what
        // is not a stamp, or has no time in its name, is left alone.
        let two_days = format!("3-{}-0", 1_000_000_000 - 2 * day);
        let minute = format!("2-{}-5", 1_000_000_000 - 60);
        let minute_r2 = format!("{minute}-r2");
        assert_eq!(
            left(),
            [
                "2-3-r3",
                minute.as_str(),
                minute_r2.as_str(),
                two_days.as_str(),
                "4",
                "notes.txt"
            ]
        );
        for i in 0..1100 {
            make(format!("{}-{}-0", 100 + i, 1_000_000_000 - 2 * day));
        }
        sweep(dir, now);
        assert_eq!(
            left(),
            [
                "2-3-r3",
                minute.as_str(),
                minute_r2.as_str(),
                "4",
                "notes.txt"
            ]
        );
    }

    #[test]
    fn a_stamp_is_kept_while_the_folders_are_older_and_replaced_after() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("stamps");
        let folder = tmp.path().join("f");
        fs::create_dir(&folder).unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        fs::File::open(&folder).unwrap().set_modified(old).unwrap();
        let first = stamp(&dir, None, std::slice::from_ref(&folder)).unwrap();
        assert!(first.exists());
        let again = stamp(&dir, Some(&first), std::slice::from_ref(&folder)).unwrap();
        assert_eq!(again, first);
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(folder.join("new"), "").unwrap();
        let next = stamp(&dir, Some(&first), std::slice::from_ref(&folder)).unwrap();
        assert_ne!(next, first);
        assert!(!first.exists(), "the old stamp is removed");
        assert!(next.exists());
        // With the hook's own stamps made beside it (__autovenv_renew).
        let turns = hooks_stamps(&next);
        for own in &turns {
            fs::write(own, "").unwrap();
        }
        fs::write(folder.join("newer"), "").unwrap();
        let last = stamp(&dir, Some(&next), std::slice::from_ref(&folder)).unwrap();
        assert!(last.exists());
        for gone in turns.iter().chain([&next]) {
            assert!(!gone.exists(), "{} is removed", gone.display());
        }
    }

    #[test]
    fn only_its_own_stamps_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("stamps");
        let other = tmp.path().join("precious");
        fs::write(&other, "keep").unwrap();
        let folder = tmp.path().to_path_buf();
        stamp(&dir, Some(&other), &[folder]).unwrap();
        assert!(other.exists());
    }

    #[test]
    fn no_stamp_where_the_data_folder_cannot_be_made() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("file");
        fs::write(&file, "").unwrap();
        assert_eq!(stamp(&file.join("stamps"), None, &[]), None);
    }

    #[test]
    fn a_folder_holding_a_name_ends_the_region() {
        let tmp = tempfile::tempdir().unwrap();
        let names: Vec<OsString> = vec!["pyproject.toml".into(), "venv".into()];
        let a = tmp.path().join("a");
        fs::create_dir_all(a.join("b/c")).unwrap();
        assert!(!holds_any(&a, &names));
        std::os::unix::fs::symlink("/nonexistent", a.join("venv")).unwrap();
        assert!(holds_any(&a, &names), "a dangling link counts");
    }

    #[test]
    fn the_folders_above_a_root_stop_at_the_first_holding_a_name() {
        let tmp = tempfile::tempdir().unwrap();
        let names: Vec<OsString> = vec!["pyproject.toml".into(), ".venv".into()];
        let root = tmp.path().join("a/b/proj");
        fs::create_dir_all(&root).unwrap();
        let above = clean_above(&root, &names);
        assert_eq!(above[0], tmp.path().join("a/b"));
        assert_eq!(above[1], tmp.path().join("a"));
        fs::write(tmp.path().join("a/pyproject.toml"), "").unwrap();
        assert_eq!(clean_above(&root, &names), vec![tmp.path().join("a/b")]);
        fs::write(tmp.path().join("a/b/pyproject.toml"), "").unwrap();
        assert!(clean_above(&root, &names).is_empty());
        assert!(
            clean_above(&root, &[]).is_empty(),
            "no names, nothing known"
        );
        assert!(clean_above(Path::new("rel/proj"), &names).is_empty());
    }
}
