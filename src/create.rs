//! Making a virtual environment: runs `python3 -m venv` (or `uv venv`),
//! checks that what it made works, and removes whatever it made again on a
//! failure or an interrupt. Nothing here decides where an environment goes;
//! `autovenv new` does.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

use crate::bytes;
use crate::config::{Config, Creator};
use crate::message;
use crate::venv::{self, Venv};
use crate::which;

/// The interpreter asked for with --python (a name or a path), and the PATH
/// it and the creator are looked for on.
#[derive(Clone, Copy)]
pub struct Interpreter<'a> {
    pub wanted: Option<&'a OsStr>,
    pub path: &'a OsStr,
}

/// What to run to create an environment.
struct Creation {
    program: PathBuf,
    args: Vec<OsString>,
    /// How the user would type it, for messages.
    shown: String,
}

fn creation(
    config: &Config,
    interpreter: Interpreter,
    target: &Path,
    prompt: Option<&OsStr>,
) -> Result<Creation> {
    let Interpreter {
        wanted: python,
        path,
    } = interpreter;
    let with_value = |flag: &str, value: &OsStr| {
        let mut arg = OsString::from(flag);
        arg.push("=");
        arg.push(value);
        arg
    };
    if config.creator == Creator::Uv {
        if let Some(uv) = which::on_path(OsStr::new("uv"), path) {
            // uv reads --python as a request ("3.12", "pypy", a path) and
            // finds the interpreter itself.
            let mut args: Vec<OsString> = vec!["venv".into(), "--quiet".into()];
            args.extend(python.map(|p| with_value("--python", p)));
            args.extend(prompt.map(|p| with_value("--prompt", p)));
            args.push(target.as_os_str().to_os_string());
            return Ok(Creation {
                program: uv,
                args,
                shown: "uv venv".into(),
            });
        }
        message::problem("AUTOVENV_CREATOR=uv, but uv is not on PATH; using python3 -m venv");
    }
    let interpreter = find_python(python, path)?;
    let mut args: Vec<OsString> = vec!["-m".into(), "venv".into()];
    args.extend(prompt.map(|p| with_value("--prompt", p)));
    args.push(target.as_os_str().to_os_string());
    Ok(Creation {
        shown: format!(
            "{} -m venv",
            bytes::display(python.unwrap_or(OsStr::new("python3")).as_bytes())
        ),
        program: interpreter,
        args,
    })
}

fn find_python(python: Option<&OsStr>, path: &OsStr) -> Result<PathBuf> {
    let Some(wanted) = python else {
        return which::on_path(OsStr::new("python3"), path).ok_or_else(|| {
            anyhow!("python3 is not on PATH: install Python 3 (with its venv module), or name an interpreter with --python")
        });
    };
    let shown = bytes::display(wanted.as_bytes());
    if wanted.as_bytes().contains(&b'/') {
        let file = PathBuf::from(wanted);
        if which::is_executable(&file) {
            return Ok(file);
        }
        bail!("--python {shown}: there is no program there");
    }
    which::on_path(wanted, path).ok_or_else(|| anyhow!("--python {shown}: not found on PATH"))
}

/// Runs the creator and checks that what it made is a working environment.
/// Whatever it made is removed again on any failure.
pub fn create(
    config: &Config,
    python: Interpreter,
    target: &Path,
    prompt: Option<&OsStr>,
    undo: &mut Undo,
) -> Result<Venv> {
    let how = creation(config, python, target, prompt)?;
    let interrupted = interrupt_flag();
    // From here on, `target` is ours: it did not exist a moment ago.
    undo.made(target, Made::Tree);
    let child = Command::new(&how.program)
        .args(&how.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {}", bytes::display_path(&how.program)))?;
    let (status, output) = wait(child, &interrupted)?;
    if interrupted.load(Ordering::SeqCst) {
        bail!(
            "interrupted; the unfinished {} was removed",
            bytes::display_path(target)
        );
    }
    if !status.success() {
        let said = summary(&output);
        bail!(
            "{} failed ({status}){}{said}; nothing was left behind",
            how.shown,
            if said.is_empty() { "" } else { ": " }
        );
    }
    let made = venv::load(target, target.parent())
        .map_err(|why| anyhow!("{} made no usable environment: {why}", how.shown))?;
    venv::health(&made).map_err(anyhow::Error::msg)?;
    Ok(made)
}

/// Set by Ctrl-C (and SIGTERM, SIGHUP) while `new` runs, so that it can
/// remove what it made instead of dying half-way.
fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&flag);
    // Fails only if a handler is already set, which `new` never does twice.
    let _ = ctrlc::set_handler(move || seen.store(true, Ordering::SeqCst));
    flag
}

/// Waits for the child, collecting what it printed; on an interrupt it is
/// stopped (a terminal's Ctrl-C reaches it anyway; a SIGTERM sent to us
/// alone does not).
fn wait(mut child: Child, interrupted: &AtomicBool) -> Result<(std::process::ExitStatus, Vec<u8>)> {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut out);
            }
            out
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if interrupted.load(Ordering::SeqCst) {
            let _ = child.kill();
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut output = stderr.join().unwrap_or_default();
    output.extend(stdout.join().unwrap_or_default());
    Ok((status, output))
}

/// What the creator said, on one line and not too long.
fn summary(output: &[u8]) -> String {
    let text = String::from_utf8_lossy(output);
    let joined = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    // Control characters could move the cursor or clear the screen.
    let mut short: String = joined
        .chars()
        .take(400)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if joined.chars().count() > 400 {
        short.push_str("...");
    }
    short
}

#[derive(Debug, Clone, Copy)]
pub enum Made {
    /// A folder and all it holds.
    Tree,
    /// A folder that was empty before anything was put in it.
    EmptyFolder,
    File,
}

/// Everything `new` made, removed again (last first) unless [`Undo::keep`]
/// is called: `?` anywhere in between leaves nothing half-made.
#[derive(Default)]
pub struct Undo {
    made: Vec<(PathBuf, Made)>,
}

impl Undo {
    pub fn made(&mut self, path: &Path, kind: Made) {
        self.made.push((path.to_path_buf(), kind));
    }

    pub fn keep(&mut self) {
        self.made.clear();
    }
}

impl Drop for Undo {
    fn drop(&mut self) {
        while let Some((path, kind)) = self.made.pop() {
            let result = match kind {
                Made::Tree => std::fs::remove_dir_all(&path),
                Made::EmptyFolder => std::fs::remove_dir(&path),
                Made::File => std::fs::remove_file(&path),
            };
            if let Err(e) = result
                && e.kind() != std::io::ErrorKind::NotFound
            {
                message::problem(&format!(
                    "could not remove {} ({e}); remove it by hand",
                    bytes::display_path(&path)
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_one_short_line() {
        assert_eq!(summary(b"\n  Error: no\n\nreally\n"), "Error: no really");
        assert!(summary(&[b'x'; 1000]).ends_with("..."));
        assert!(!summary(b"a\x1b[2Jb").contains('\x1b'));
    }

    #[test]
    fn undo_removes_what_was_made_unless_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let tree = tmp.path().join("tree");
        std::fs::create_dir_all(tree.join("a/b")).unwrap();
        let file = tmp.path().join("f");
        std::fs::write(&file, "x").unwrap();
        {
            let mut undo = Undo::default();
            undo.made(&tree, Made::Tree);
            undo.made(&file, Made::File);
        }
        assert!(!tree.exists() && !file.exists());
        std::fs::write(&file, "x").unwrap();
        {
            let mut undo = Undo::default();
            undo.made(&file, Made::File);
            undo.keep();
        }
        assert!(file.exists());
    }
}
