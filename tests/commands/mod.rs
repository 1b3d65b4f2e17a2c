//! The commands end to end: `new`, `list`, `doctor`, `watch`,
//! `completions` and `man`, on real environments made by `python3 -m venv`,
//! in isolated homes, with their failure paths; `--json` output checked
//! against the schemas in docs/json.md. One module per command; the
//! helpers they share are here.

mod broken;
mod completions;
mod doctor;
mod list;
mod new;
mod watch;

use std::ffi::OsStr;
use std::io::BufRead;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::util::schema::validate;
use crate::util::{
    self, BASE_PATH, Script, Sh, World, base_prompt, bin, make_venv, quick_python, real_python,
    write_executable,
};
use serde_json::Value;

// ---------------------------------------------------------------- helpers

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs the binary in `dir` with the world's environment plus `extra`.
fn run_in(world: &World, dir: &Path, args: &[&str], extra: &[(&str, &OsStr)]) -> Output {
    let mut c = world.autovenv();
    c.current_dir(dir).env("PWD", dir).args(args);
    for (k, v) in extra {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// Every line on stderr is one `autovenv: ` message.
fn assert_messages_are_lines(out: &Output) {
    for line in stderr(out).lines() {
        assert!(line.starts_with("autovenv: "), "stray stderr: {line:?}");
    }
}

/// An environment whose base interpreter is gone: made through a link to
/// Python that is then removed (as when a pyenv version is uninstalled).
fn broken_venv(world: &World, dir: &Path) {
    let base = world.tmp.path().join(format!(
        "base-{}",
        dir.file_name().unwrap().to_string_lossy()
    ));
    std::fs::create_dir_all(&base).unwrap();
    std::os::unix::fs::symlink(real_python(), base.join("python3")).unwrap();
    let out = Command::new(base.join("python3"))
        .args(["-m", "venv", "--without-pip"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::remove_dir_all(&base).unwrap();
    assert!(!dir.join("bin/python").exists());
}

fn is_trusted(world: &World, dir: &Path) -> bool {
    let out = run_in(world, dir, &["status", "--json"], &[]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["trust"]["trusted"] == Value::Bool(true)
}

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success());
}
