//! Real faults under the data folder (docs/trust.md: writes are atomic; docs/behaviour.md:
//! a read-only or full data folder): a command that cannot write fails with
//! one line and changes nothing, and one killed at any moment loses no
//! record.
//!
//! - A full disk: the data folder on a 64 KiB tmpfs, filled up to ENOSPC
//!   once the earlier records are on it.
//! - A read-only data folder: a read-only bind mount of it onto itself.
//!
//! Both are made in a private mount namespace that each test makes for
//! itself (`util::mount_namespace`): nothing outside sees the mounts, and
//! they go with it. (Stand-ins such as a file where the folder should be,
//! or chmod, which root ignores, fail differently from the real thing.)
//!
//! - SIGKILL in the middle of `allow`: strace kills it just before each of
//!   its file system calls in turn, and a sweep kills it after growing
//!   delays.

mod disk;
mod kill;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde_json::Value;

use crate::util::{self, World};

/// Every entry under a folder, by path relative to it: a file with its
/// bytes, a folder as None (so that a stray empty folder shows too).
type Contents = BTreeMap<PathBuf, Option<Vec<u8>>>;

fn contents(dir: &Path) -> Contents {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
                out.insert(rel, None);
            } else {
                out.insert(rel, Some(std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for (rel, bytes) in contents(from) {
        match bytes {
            None => std::fs::create_dir_all(to.join(rel)).unwrap(),
            Some(b) => std::fs::write(to.join(rel), b).unwrap(),
        }
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A data folder holding records made by the real binary before any fault:
/// three projects allowed, and one that `new --name` named.
struct Store {
    world: World,
    earlier: Vec<PathBuf>,
    /// A project with an environment, not allowed yet.
    fresh: PathBuf,
    /// A project folder with nothing in it, for `new`.
    empty: PathBuf,
    /// python3 without pip, so that `new` is quick.
    python: PathBuf,
    /// The data folder before the fault.
    before: Contents,
}

fn store() -> Store {
    let s = unseeded_store();
    let earlier: Vec<PathBuf> = (0..3)
        .map(|i| {
            let p = s.world.path(&format!("earlier-{i}"));
            util::make_venv_by_hand(&p.join("venv"));
            s.world.allow(&p);
            p
        })
        .collect();
    let named = s.world.path("named-earlier");
    s.world.mkdir(&named);
    let out = s
        .autovenv(
            &s.world.data,
            &named,
            &["new".as_ref(), "--name".as_ref(), "earlier".as_ref()],
        )
        .arg("--python")
        .arg(&s.python)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let before = contents(&s.world.data);
    let files = before.values().filter(|b| b.is_some()).count();
    assert!(files >= 4, "the earlier records are not there: {before:#?}");
    Store {
        earlier,
        before,
        ..s
    }
}

/// As `store`, with nothing in the data folder yet (a first `allow`).
fn unseeded_store() -> Store {
    let world = World::new();
    let python = util::quick_python(&world);
    let fresh = world.path("fresh");
    util::make_venv_by_hand(&fresh.join("venv"));
    let empty = world.path("empty");
    world.mkdir(&empty);
    let before = contents(&world.data);
    Store {
        world,
        earlier: Vec::new(),
        fresh,
        empty,
        python,
        before,
    }
}

impl Store {
    /// A copy of the data folder as it was before, in a new folder.
    fn copy_of_data(&self) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = self
            .world
            .tmp
            .path()
            .join(format!("data-{}", N.fetch_add(1, Ordering::Relaxed)));
        copy_tree(&self.world.data, &dir);
        dir
    }

    /// `autovenv ARGS` in `dir`, with the data folder at `data`.
    fn autovenv(&self, data: &Path, dir: &Path, args: &[&OsStr]) -> Command {
        let mut c = self.world.autovenv();
        c.env("AUTOVENV_DATA_DIR", data)
            .current_dir(dir)
            .env("PWD", dir)
            .args(args);
        c
    }

    /// Whether `status --json` says `project` is trusted, by the store at
    /// `data`; never with a problem (a damaged record is one).
    fn trusted(&self, data: &Path, project: &Path) -> bool {
        let out = self
            .autovenv(
                data,
                &self.world.root,
                &["status".as_ref(), "--json".as_ref()],
            )
            .arg(project)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            v["problems"],
            Value::Array(vec![]),
            "{}: {v:#}",
            project.display()
        );
        v["trust"]["trusted"].as_bool().unwrap()
    }

    /// The projects `list --json` reads back from the store at `data`, which
    /// must report no problem.
    fn listed(&self, data: &Path) -> Vec<PathBuf> {
        let out = self
            .autovenv(
                data,
                &self.world.root,
                &["list".as_ref(), "--json".as_ref()],
            )
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["problems"], Value::Array(vec![]), "{v:#}");
        v["trusted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| PathBuf::from(t["project"].as_str().unwrap()))
            .collect()
    }
}
