//! Isolated worlds (HOME, data folder, central folder, projects) and real
//! virtual environments in them.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{BASE_PATH, bin, find_program};

/// An isolated world: HOME, data folder, central folder and projects.
pub struct World {
    pub tmp: tempfile::TempDir,
    pub home: PathBuf,
    pub data: PathBuf,
    pub central: PathBuf,
    pub root: PathBuf,
}

impl World {
    pub fn new() -> World {
        let tmp = tempfile::Builder::new()
            .prefix("autovenv-test")
            .tempdir()
            .unwrap();
        // Canonical, so that paths the shell shows equal paths we build.
        let base = std::fs::canonicalize(tmp.path()).unwrap();
        let home = base.join("home");
        let data = base.join("data");
        let central = base.join("central");
        let root = base.join("w");
        for d in [&home, &data, &central, &root] {
            std::fs::create_dir_all(d).unwrap();
        }
        World {
            tmp,
            home,
            data,
            central,
            root,
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn mkdir(&self, dir: &Path) {
        std::fs::create_dir_all(dir).unwrap();
    }

    /// A real environment made by `python3 -m venv`, with a stand-in module
    /// `flaskish` at `version` so tests can see which one Python imports.
    pub fn venv(&self, dir: &Path, version: &str) -> PathBuf {
        make_venv(dir, version, &[]);
        dir.to_path_buf()
    }

    pub fn allow(&self, dir: &Path) {
        let out = self.autovenv().arg("allow").arg(dir).output().unwrap();
        assert!(
            out.status.success(),
            "allow failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The binary, with this world's environment and nothing else.
    pub fn autovenv(&self) -> Command {
        let mut c = Command::new(bin());
        c.env_clear().envs(self.env());
        c
    }

    pub fn env(&self) -> Vec<(OsString, OsString)> {
        vec![
            ("HOME".into(), self.home.clone().into()),
            ("PATH".into(), BASE_PATH.into()),
            ("TERM".into(), "dumb".into()),
            ("LANG".into(), "C.UTF-8".into()),
            ("AUTOVENV_DATA_DIR".into(), self.data.clone().into()),
            ("AUTOVENV_HOME".into(), self.central.clone().into()),
        ]
    }
}

pub fn write_executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The real interpreter, as an absolute path that does not go through
/// pyenv's shims (which need their own environment).
pub fn real_python() -> PathBuf {
    let out = Command::new(find_program("python3").unwrap())
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// A `python3` that creates environments without pip: real ones, in a
/// fraction of the time (pip's installation is not what is tested here).
pub fn quick_python(world: &World) -> PathBuf {
    let exe = world.tmp.path().join("quick/python3");
    write_executable(
        &exe,
        &format!(
            "#!/bin/sh\nexec {} \"$@\" --without-pip\n",
            real_python().display()
        ),
    );
    exe
}

pub fn make_venv(dir: &Path, version: &str, extra: &[&str]) {
    let python = find_program("python3").expect("python3 is needed to make test environments");
    let out = Command::new(python)
        .args(["-m", "venv", "--without-pip"])
        .args(extra)
        .arg(dir)
        .output()
        .unwrap();
    if !out.status.success() {
        // python3 -m venv cannot write paths that are not UTF-8 (it
        // renders them into activate scripts); such a folder gets the parts
        // Python itself looks at.
        assert!(
            extra.is_empty(),
            "python3 -m venv failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let _ = std::fs::remove_dir_all(dir);
        make_venv_by_hand(dir);
    }
    write_flaskish(dir, version);
}

pub fn write_flaskish(dir: &Path, version: &str) {
    let site = std::fs::read_dir(dir.join("lib"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
        .join("site-packages");
    std::fs::write(site.join("flaskish.py"), format!("VERSION = '{version}'\n")).unwrap();
}

/// A minimal environment: pyvenv.cfg, bin/python and site-packages, which is
/// all the interpreter needs to run as one.
pub fn make_venv_by_hand(dir: &Path) {
    make_venv_by_hand_with(dir, &find_program("python3").unwrap());
}

/// As `make_venv_by_hand`, on a given interpreter (the system's, for tests
/// that run as another user than the one whose interpreter is in PATH).
pub fn make_venv_by_hand_with(dir: &Path, python: &Path) {
    let out = Command::new(python)
        .args(["-c", "import sys; print(sys.executable); print(sys.version_info[0], sys.version_info[1], sys.version_info[2])"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let exe = PathBuf::from(lines.next().unwrap());
    let v: Vec<&str> = lines.next().unwrap().split(' ').collect();
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::create_dir_all(dir.join(format!("lib/python{}.{}/site-packages", v[0], v[1])))
        .unwrap();
    std::fs::write(
        dir.join("pyvenv.cfg"),
        format!(
            "home = {}\ninclude-system-site-packages = false\nversion = {}.{}.{}\n",
            exe.parent().unwrap().display(),
            v[0],
            v[1],
            v[2]
        ),
    )
    .unwrap();
    std::os::unix::fs::symlink(&exe, dir.join("bin/python")).unwrap();
}

/// Makes everything under `dir` readable and writable by anyone.
pub fn open_up(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let _ = std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777));
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(e.path());
            }
        }
    }
}

/// Folder names that have broken other tools' quoting (every byte but NUL
/// and `/` can be in a name), each with the label the prompt must show for
/// it, written out by hand: control characters (which could move the cursor
/// or clear the screen) and each invalid UTF-8 byte show as `?`.
pub fn hostile_names() -> Vec<(&'static [u8], &'static str)> {
    vec![
        (b"space dir", "space dir"),
        (b"$test", "$test"),
        ("ütf-8".as_bytes(), "ütf-8"),
        (b"quote'and\"double", "quote'and\"double"),
        (b"back\\slash\\", "back\\slash\\"),
        (b"new\nline", "new?line"),
        (b"tab\there", "tab?here"),
        (b"esc\x1b[2Jclear", "esc?[2Jclear"),
        (b"-dash", "-dash"),
        (b"$(touch PWNED_subst)", "$(touch PWNED_subst)"),
        (b"`touch PWNED_backtick`", "`touch PWNED_backtick`"),
        (b"semi;touch PWNED_semi", "semi;touch PWNED_semi"),
        (b"percent%d%%", "percent%d%%"),
        (b"bang!x", "bang!x"),
        (b"bad\xff\xfeutf8", "bad??utf8"),
        (b"star*?[x]", "star*?[x]"),
        (b"{brace,expansion}", "{brace,expansion}"),
        (b"~tilde", "~tilde"),
    ]
}

/// Every file under `dir` whose name starts with PWNED: proof that part of a
/// name was run.
pub fn pwned_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if e.file_name().as_bytes().starts_with(b"PWNED") {
                found.push(p.clone());
            }
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(p);
            }
        }
    }
    found
}
