//! `autovenv new [--python EXE] [--name NAME]`: creates the project's
//! environment, trusts it, and leaves the rest to the hook, which activates
//! it at the next prompt.
//!
//! Every check that can fail before anything is made is done first; once
//! creation starts, everything made is recorded in an [`Undo`], so a failure
//! or a Ctrl-C half-way leaves the folders as they were (docs/behaviour.md). Running
//! the creator is [`crate::create`]'s job.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};

use crate::bytes;
use crate::config::Config;
use crate::create::{Interpreter, Made, Undo, create};
use crate::detect::{self, NAME_FILE};
use crate::known;
use crate::message;
use crate::snapshot::Snapshot;
use crate::trust;
use crate::venv;

pub fn run(env: &Snapshot, python: Option<OsString>, name: Option<OsString>) -> Result<()> {
    let config = Config::from_snapshot(env);
    let here = detect::current_dir(env.get("PWD").map(Into::into))
        .context("cannot read the current directory")?;
    // Where python3 and uv are looked for.
    let path = env.or_empty("PATH");
    let python = Interpreter {
        wanted: python.as_deref(),
        path: &path,
    };
    match name {
        Some(name) => new_central(&config, &here, python, &name),
        None => new_in_project(&config, &here, python),
    }
}

/// `venv` (the first of AUTOVENV_DIRS) in this folder, trusted.
fn new_in_project(config: &Config, here: &Path, python: Interpreter) -> Result<()> {
    let folder = config.venv_dirs.first().ok_or_else(|| {
        anyhow!("AUTOVENV_DIRS names no folder, so a project environment would never be found; set it to venv:.venv")
    })?;
    let data = config.data_dir.clone().map_err(anyhow::Error::msg)?;
    let target = here.join(folder);
    if target.symlink_metadata().is_ok() {
        if venv::is_venv(&target) {
            bail!(
                "{} already exists; autovenv new leaves it alone (to use it: autovenv allow)",
                bytes::display_path(&target)
            );
        }
        bail!(
            "{} already exists and is not an environment; move it away first",
            bytes::display_path(&target)
        );
    }
    let name_file = here.join(NAME_FILE);
    if name_file.symlink_metadata().is_ok() {
        bail!(
            "{} names a central environment, and it would win over a new {} here; remove it first, or use autovenv new --name",
            bytes::display_path(&name_file),
            bytes::display(folder.as_bytes())
        );
    }
    // `python3 -m venv --prompt PROJECT`: the name a hand-sourced
    // bin/activate shows too. A name that is not UTF-8 cannot be written to
    // pyvenv.cfg by Python; without --prompt, autovenv still shows the
    // project's name for a folder called venv (docs/behaviour.md).
    let prompt = here
        .file_name()
        .filter(|n| std::str::from_utf8(n.as_bytes()).is_ok());

    let mut undo = Undo::default();
    let made = create(config, python, &target, prompt, &mut undo)?;
    trust::allow(&data, &target)
        .context("the environment was made but could not be trusted, so it was removed again")?;
    undo.keep();
    message::info(
        config,
        &format!(
            "created {} ({}) and trusted it; it activates at the next prompt",
            bytes::display_path(&target),
            venv::version_text(&made)
        ),
    );
    Ok(())
}

/// An environment NAME in the central folder, and `.venv-name` here.
fn new_central(config: &Config, here: &Path, python: Interpreter, name: &OsStr) -> Result<()> {
    if name.is_empty() {
        bail!("an environment name cannot be empty");
    }
    detect::validate_name(name.as_bytes()).map_err(anyhow::Error::msg)?;
    let central = config.central.clone().map_err(anyhow::Error::msg)?;
    let shown_name = bytes::display(name.as_bytes());
    let name_file = here.join(NAME_FILE);
    if name_file.symlink_metadata().is_ok() {
        bail!(
            "{} already exists; remove it first to name another environment here",
            bytes::display_path(&name_file)
        );
    }
    let target = central.join(name);
    if target.symlink_metadata().is_ok() {
        bail!(
            "{} already exists; to use it here, run: echo {shown_name} > {NAME_FILE}",
            bytes::display_path(&target)
        );
    }

    let mut undo = Undo::default();
    if !central.exists() {
        std::fs::create_dir_all(&central).with_context(|| {
            format!(
                "cannot create the central folder {}",
                bytes::display_path(&central)
            )
        })?;
        undo.made(&central, Made::EmptyFolder);
    }
    let made = create(config, python, &target, None, &mut undo)?;
    write_new_file(&name_file, &[name.as_bytes(), b"\n"].concat())?;
    undo.made(&name_file, Made::File);
    undo.keep();

    // Only for `list`: losing it loses nothing that matters.
    if let Ok(data) = &config.data_dir {
        let _ = known::remember(data, here);
    }
    message::info(
        config,
        &format!(
            "created {} ({}) and named it in {}; it activates at the next prompt",
            bytes::display_path(&target),
            venv::version_text(&made),
            bytes::display_path(&name_file)
        ),
    );
    // Within one folder, .venv-name wins over a venv folder (docs/detection.md).
    if let Some(shadowed) = config
        .venv_dirs
        .iter()
        .map(|d| here.join(d))
        .find(|d| venv::is_venv(d))
    {
        message::info(
            config,
            &format!(
                "{} now wins over {} here; remove {NAME_FILE} to go back to it",
                NAME_FILE,
                bytes::display_path(&shadowed)
            ),
        );
    }
    Ok(())
}

/// Creates the file, failing if it exists (someone may have just made one).
fn write_new_file(path: &Path, content: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {}", bytes::display_path(path)))?;
    file.write_all(content)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", bytes::display_path(path)))
}
