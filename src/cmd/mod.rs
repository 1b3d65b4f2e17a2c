pub mod allow;
pub mod completions;
pub mod doctor;
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
    Ok(dir)
}
