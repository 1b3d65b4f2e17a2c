//! `autovenv watch [DIR] [--json]`: prints what applies to DIR now, then a
//! line each time that changes, for editors and status bars.
//!
//! "What applies" is computed exactly as the hook computes it
//! ([`engine::decide`], for a shell with nothing active), and the folders
//! watched are the ones holding the files that decision looked at: every
//! probe detection made (markers, `pyvenv.cfg`, `bin/python`), and the trust
//! record. After each burst of events the watch set is brought up to date,
//! so a venv folder that appears is watched inside too.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify::{RecursiveMode, Watcher};

use crate::bytes;
use crate::config::Config;
use crate::detect::Probe;
use crate::engine::{self, Reason};
use crate::message;
use crate::snapshot::Snapshot;
use crate::state::{Current, Local};
use crate::view::{self, Summary};

/// Events come in bursts (creating a venv writes hundreds of files): wait
/// for this much quiet before deciding again...
const QUIET: Duration = Duration::from_millis(50);
/// ...but never longer than this after the first event of a burst.
const BURST_LIMIT: Duration = Duration::from_millis(250);
/// Decide again this often even without events: a base interpreter removed
/// elsewhere on the system, or a watch the kernel refused, is still seen.
const RECHECK: Duration = Duration::from_secs(3);

enum Wake {
    Changed,
    Stop,
}

pub fn run(env: &Snapshot, dir: Option<PathBuf>, as_json: bool) -> Result<()> {
    let config = Config::from_snapshot(env);
    let dir = super::folder_arg(env, dir)?;
    for w in &config.warnings {
        message::problem(w);
    }

    let (tx, rx) = mpsc::channel::<Wake>();
    let events = tx.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // An error from the watcher (queue overflow) means events were
        // lost: decide again, as for a change.
        let _ = event;
        let _ = events.send(Wake::Changed);
    })
    .context("cannot watch the file system")?;
    // Ctrl-C, SIGTERM and SIGHUP end the watch cleanly: the last line
    // printed is whole, and the exit code is 0.
    ctrlc::set_handler(move || {
        let _ = tx.send(Wake::Stop);
    })
    .context("cannot set up Ctrl-C handling")?;

    let mut watched: BTreeMap<PathBuf, u64> = BTreeMap::new();
    let mut last: Option<Summary> = None;
    let mut out = std::io::stdout();
    loop {
        if !dir.is_dir() {
            message::info(
                &config,
                &format!("{} is gone; the watch ends", bytes::display_path(&dir)),
            );
            return Ok(());
        }
        let (applies, wanted) = decide(env, &dir, &config);
        sync_watches(&mut watcher, &mut watched, wanted);
        if last.as_ref() != Some(&applies) {
            let line = if as_json {
                view::watch_json(&dir, &applies).to_string()
            } else {
                to_text(&applies)
            };
            writeln!(out, "{line}")?;
            out.flush()?;
            last = Some(applies);
        }
        match rx.recv_timeout(RECHECK) {
            Ok(Wake::Stop) => return Ok(()),
            Ok(Wake::Changed) => {
                if wait_for_quiet(&rx) {
                    return Ok(());
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
    }
}

/// Swallows the rest of a burst of events; true when asked to stop.
fn wait_for_quiet(rx: &mpsc::Receiver<Wake>) -> bool {
    let start = Instant::now();
    loop {
        let left = BURST_LIMIT.saturating_sub(start.elapsed());
        if left.is_zero() {
            return false;
        }
        match rx.recv_timeout(QUIET.min(left)) {
            Ok(Wake::Stop) => return true,
            Ok(Wake::Changed) => {}
            Err(RecvTimeoutError::Timeout) => return false,
            Err(RecvTimeoutError::Disconnected) => return true,
        }
    }
}

/// Adds watches for folders newly of interest and drops the others. A
/// folder is known by its inode too: one removed and made again under the
/// same name (`rm -r venv; python3 -m venv venv`) needs a new watch. A
/// folder that cannot be watched is left to the periodic recheck.
fn sync_watches(
    watcher: &mut impl Watcher,
    watched: &mut BTreeMap<PathBuf, u64>,
    wanted: BTreeSet<PathBuf>,
) {
    use std::os::unix::fs::MetadataExt;
    let mut now = BTreeMap::new();
    for folder in wanted {
        let Ok(inode) = folder.metadata().map(|m| m.ino()) else {
            continue;
        };
        match watched.remove(&folder) {
            Some(old) if old == inode => {
                now.insert(folder, inode);
                continue;
            }
            Some(_) => {
                let _ = watcher.unwatch(&folder);
            }
            None => {}
        }
        if watcher.watch(&folder, RecursiveMode::NonRecursive).is_ok() {
            now.insert(folder, inode);
        }
    }
    for gone in watched.keys() {
        let _ = watcher.unwatch(gone);
    }
    *watched = now;
}

/// What applies, and the folders whose changes could change it.
fn decide(env: &Snapshot, dir: &Path, config: &Config) -> (Summary, BTreeSet<PathBuf>) {
    // A shell with nothing active: what applies to the directory itself,
    // whatever any one shell holds.
    let current = Current {
        path: env
            .non_empty("PATH")
            .map(Into::into)
            .or(Some("/usr/bin:/bin".into())),
        ..Current::default()
    };
    let decision = engine::decide(&current, config, dir, &Local::default(), false);

    let mut wanted = BTreeSet::new();
    wanted.insert(dir.to_path_buf());
    if let Some(parent) = dir.parent() {
        // Removing or renaming DIR shows up in its parent.
        wanted.insert(parent.to_path_buf());
    }
    for probe in &decision.probes {
        let path = match probe {
            Probe::Exists { path, .. }
            | Probe::Missing { path, .. }
            | Probe::FirstLine { path, .. } => path,
            Probe::Volatile => continue,
        };
        if let Some(folder) = path.parent().and_then(nearest_folder) {
            wanted.insert(folder);
        }
    }
    (Summary::of(&decision), wanted)
}

/// `path` if it is a folder, else its nearest ancestor that is one: the
/// place where the missing piece would appear.
fn nearest_folder(path: &Path) -> Option<PathBuf> {
    path.ancestors().find(|p| p.is_dir()).map(Path::to_path_buf)
}

fn to_text(s: &Summary) -> String {
    let env = || {
        s.environment
            .as_ref()
            .map(|e| bytes::display_path(&e.path))
            .unwrap_or_default()
    };
    match &s.reason {
        Reason::Ready => {
            let e = s.environment.as_ref();
            format!(
                "ready: {} ({}, {})",
                env(),
                e.map(|e| e.prompt_text()).unwrap_or_default(),
                e.map(view::EnvironmentView::version_text)
                    .unwrap_or_default()
            )
        }
        Reason::Untrusted { .. } => format!(
            "untrusted: {}; to activate it, run: {}",
            env(),
            s.allow_command().unwrap_or_default()
        ),
        Reason::Unusable(why) => format!("unusable: {why}").replace('\n', " "),
        _ => "no-project: no environment applies here".to_string(),
    }
}
