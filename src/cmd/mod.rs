pub mod allow;
pub mod completions;
pub mod doctor;
pub mod exec;
pub mod export;
pub mod hook;
pub mod list;
pub mod new;
pub mod status;
pub mod watch;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::snapshot::Snapshot;
use crate::{bytes, detect};

/// A folder named on the command line (default: here), made absolute the way
/// the shell shows it: relative to the logical current directory, links
/// kept.
pub fn folder_arg(env: &Snapshot, dir: Option<PathBuf>) -> Result<PathBuf> {
    let here = detect::current_dir(env.get("PWD").map(Into::into))
        .context("cannot read the current directory")?;
    let dir = match dir {
        None => here,
        Some(d) if d.is_absolute() => d,
        Some(d) => here.join(d),
    };
    if !dir.is_dir() {
        bail!("{} is not a folder", bytes::display_path(&dir));
    }
    Ok(logical(dir))
}

/// `a/./b/../c` as `cd` shows it, `a/c` (`..` takes away the component
/// before it, links kept), when that names the same folder; else, where a
/// link made `..` mean something else, the canonical path, as `cd` falls
/// back to.
fn logical(dir: PathBuf) -> PathBuf {
    use std::os::unix::fs::MetadataExt;
    use std::path::Component;
    // `components` already drops a `.` inside a path and a trailing `/`.
    let mut clean = PathBuf::new();
    for c in dir.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    let same = |a: &std::path::Path, b: &std::path::Path| {
        matches!((std::fs::metadata(a), std::fs::metadata(b)),
            (Ok(x), Ok(y)) if x.dev() == y.dev() && x.ino() == y.ino())
    };
    if clean.as_os_str() == dir.as_os_str() {
        return dir;
    }
    if same(&clean, &dir) {
        clean
    } else {
        std::fs::canonicalize(&dir).unwrap_or(dir)
    }
}
