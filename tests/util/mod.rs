//! Test support: isolated homes, real virtual environments, and real shells
//! driven as child processes.

pub mod schema;

/// Defines a test module `$name` with one test per shell under test, each
/// running `$body(sh)`: `bash`, `zsh` and `fish` are the ones on PATH
/// (Debian 12's bash 5.2, zsh 5.9 and fish 3.6), the others the versions
/// named in AUTOVENV_TEST_SHELLS (see `run_under`). A missing shell is
/// skipped with the reason printed, or fails under
/// AUTOVENV_TEST_REQUIRE_SHELLS=1.
macro_rules! per_shell {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            per_shell!(@bash $body);
            #[test]
            fn zsh() {
                $crate::util::run_under("zsh", $body)
            }
            per_shell!(@fish $body);
        }
    };
    (@bash $body:expr) => {
        #[test]
        fn bash() {
            $crate::util::run_under("bash", $body)
        }
        #[test]
        fn bash_3_2() {
            $crate::util::run_under("bash-3.2", $body)
        }
        #[test]
        fn bash_4_4() {
            $crate::util::run_under("bash-4.4", $body)
        }
        #[test]
        fn bash_5_3() {
            $crate::util::run_under("bash-5.3", $body)
        }
    };
    (@fish $body:expr) => {
        #[test]
        fn fish() {
            $crate::util::run_under("fish", $body)
        }
        #[test]
        fn fish_4_7() {
            $crate::util::run_under("fish-4.7", $body)
        }
    };
}

/// As `per_shell!`, for a test of bash alone: one test per bash version.
macro_rules! per_bash {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            per_shell!(@bash $body);
        }
    };
}

/// As `per_shell!`, for a test of fish alone: one test per fish version.
macro_rules! per_fish {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            per_shell!(@fish $body);
        }
    };
}

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const BASE_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_autovenv"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sh {
    Bash,
    Zsh,
    Fish,
}

/// The shell versions that `per_shell!` runs besides the ones on PATH, as
/// `../shared/test-shells/build` names them. Their paths come from
/// AUTOVENV_TEST_SHELLS, `NAME=PATH` pairs separated by spaces (the build
/// script's output, which `.ci/run` passes on), e.g.
/// `AUTOVENV_TEST_SHELLS='bash-3.2=/x/bin/bash fish-4.7=/y/bin/fish'`.
pub const EXTRA_SHELLS: [&str; 4] = ["bash-3.2", "bash-4.4", "bash-5.3", "fish-4.7"];

thread_local! {
    /// The executable `Sh::find` returns for its family while a test runs
    /// under a version other than PATH's (each test runs in its own thread).
    static UNDER_TEST: std::cell::RefCell<Option<(Sh, &'static str, PathBuf)>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `body` under the shell `label`: `bash`, `zsh` or `fish` is the one
/// on PATH; `bash-3.2` and the others in EXTRA_SHELLS come from
/// AUTOVENV_TEST_SHELLS. A shell that is not there is skipped with the
/// reason printed (a failure with AUTOVENV_TEST_REQUIRE_SHELLS=1).
pub fn run_under(label: &'static str, body: impl FnOnce(Sh)) {
    let family = match label.split('-').next() {
        Some("bash") => Sh::Bash,
        Some("zsh") => Sh::Zsh,
        Some("fish") => Sh::Fish,
        _ => panic!("unknown shell {label}"),
    };
    let exe = if label.contains('-') {
        match listed_shell(label) {
            Ok(exe) => exe,
            Err(why) => {
                skip_or_fail(&why);
                return;
            }
        }
    } else {
        match required_tool(label) {
            Some(exe) => exe,
            None => return,
        }
    };
    struct Restore;
    impl Drop for Restore {
        fn drop(&mut self) {
            UNDER_TEST.with(|u| u.borrow_mut().take());
        }
    }
    UNDER_TEST.with(|u| *u.borrow_mut() = Some((family, label, exe)));
    let _restore = Restore;
    body(family)
}

/// AUTOVENV_TEST_SHELLS as (name, path) pairs. Read as bytes: a path need
/// not be UTF-8.
fn listed_shells() -> Vec<(String, PathBuf)> {
    let listed = std::env::var_os("AUTOVENV_TEST_SHELLS").unwrap_or_default();
    listed
        .as_bytes()
        .split(|b| b.is_ascii_whitespace())
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let eq = pair.iter().position(|&b| b == b'=').unwrap_or(pair.len());
            let path = pair.get(eq + 1..).unwrap_or_default();
            (
                String::from_utf8_lossy(&pair[..eq]).into_owned(),
                PathBuf::from(OsStr::from_bytes(path)),
            )
        })
        .collect()
}

/// The path AUTOVENV_TEST_SHELLS gives for `label`, or why there is none.
fn listed_shell(label: &str) -> Result<PathBuf, String> {
    let path = listed_shells()
        .into_iter()
        .find(|(name, _)| name == label)
        .map(|(_, path)| path)
        .ok_or_else(|| {
            format!(
                "{label} is not in AUTOVENV_TEST_SHELLS; \
                 ../shared/test-shells/build prints the line to put there"
            )
        })?;
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{label}: {} (from AUTOVENV_TEST_SHELLS) does not exist",
            path.display()
        ))
    }
}

/// AUTOVENV_TEST_SHELLS names only shells that tests run under: a typo
/// there would otherwise skip a version silently.
#[test]
fn listed_test_shells_are_known() {
    for (name, _) in listed_shells() {
        assert!(
            EXTRA_SHELLS.contains(&name.as_str()),
            "AUTOVENV_TEST_SHELLS names {name}; the tests know {EXTRA_SHELLS:?}"
        );
    }
}

fn skip_or_fail(why: &str) {
    if std::env::var_os("AUTOVENV_TEST_REQUIRE_SHELLS").is_some_and(|v| v == "1") {
        panic!("{why}, and AUTOVENV_TEST_REQUIRE_SHELLS=1 requires it");
    }
    eprintln!("SKIPPED: {why}");
}

impl Sh {
    pub fn name(self) -> &'static str {
        match self {
            Sh::Bash => "bash",
            Sh::Zsh => "zsh",
            Sh::Fish => "fish",
        }
    }

    /// The shell's executable: the version the running test is for (see
    /// `run_under`), else the one on PATH, or None (with the reason printed)
    /// when it is not installed; see `required_tool`.
    pub fn find(self) -> Option<PathBuf> {
        let chosen = UNDER_TEST.with(|u| {
            u.borrow()
                .as_ref()
                .filter(|(family, _, _)| *family == self)
                .map(|(_, _, exe)| exe.clone())
        });
        chosen.or_else(|| required_tool(self.name()))
    }

    /// The shell and version a message should name: `bash-3.2`, or `bash`
    /// for the one on PATH.
    pub fn label(self) -> &'static str {
        UNDER_TEST
            .with(|u| {
                u.borrow()
                    .as_ref()
                    .filter(|(family, _, _)| *family == self)
                    .map(|(_, label, _)| *label)
            })
            .unwrap_or(self.name())
    }

    pub fn quote(self, value: &[u8]) -> String {
        match self {
            Sh::Fish => {
                let mut out = String::new();
                for &b in value {
                    if b.is_ascii_alphanumeric() || b"/._-".contains(&b) {
                        out.push(b as char);
                    } else {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                if out.is_empty() { "''".into() } else { out }
            }
            _ => {
                let mut out = String::from("$'");
                for &b in value {
                    if b.is_ascii_alphanumeric() || b"/._-".contains(&b) {
                        out.push(b as char);
                    } else {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                out.push('\'');
                out
            }
        }
    }

    pub fn cd(self, dir: &Path) -> String {
        format!("cd {}", self.quote(dir.as_os_str().as_bytes()))
    }

    /// Prepends an entry to PATH, as a user would while inside a project.
    pub fn prepend_path(self, entry: &str) -> String {
        match self {
            Sh::Fish => format!("set -gx PATH {entry} $PATH"),
            _ => format!("PATH={entry}:$PATH"),
        }
    }

    /// Sources a venv's own activate script, as a user would by hand.
    pub fn source_activate(self, venv: &Path) -> String {
        let script = match self {
            Sh::Fish => venv.join("bin/activate.fish"),
            _ => venv.join("bin/activate"),
        };
        format!("source {}", self.quote(script.as_os_str().as_bytes()))
    }

    pub fn hook_line(self) -> String {
        let b = bin();
        let q = self.quote(b.as_os_str().as_bytes());
        match self {
            Sh::Fish => format!("{q} hook fish | source"),
            _ => format!("eval \"$({q} hook {})\"", self.name()),
        }
    }
}

/// A program a test needs (a shell, strace, tmux, shellcheck), or None with
/// the reason printed when it is missing. With AUTOVENV_TEST_REQUIRE_SHELLS=1
/// (CI, whose .ci/run installs them all) a missing one fails the test.
pub fn required_tool(name: &str) -> Option<PathBuf> {
    find_program(name).or_else(|| {
        let why = format!("{name} is not installed");
        if std::env::var_os("AUTOVENV_TEST_REQUIRE_SHELLS").is_some_and(|v| v == "1") {
            panic!("{why}, and AUTOVENV_TEST_REQUIRE_SHELLS=1 requires it");
        }
        eprintln!("SKIPPED: {why}; install it to run this test");
        None
    })
}

pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

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

pub fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
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

/// What a shell showed at one point of a script.
#[derive(Debug, Clone)]
pub struct Snap {
    pub env: BTreeMap<Vec<u8>, Vec<u8>>,
    /// PS1 for bash and zsh; the output of fish_prompt for fish.
    pub prompt: Vec<u8>,
    pub has_deactivate: bool,
    /// `sys.prefix` (as bytes) and `flaskish.VERSION`, as `python` prints them.
    pub python: Vec<u8>,
}

impl Snap {
    pub fn var(&self, name: &str) -> Option<&[u8]> {
        self.env.get(name.as_bytes()).map(Vec::as_slice)
    }

    pub fn var_str(&self, name: &str) -> Option<String> {
        self.var(name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    pub fn virtual_env(&self) -> Option<PathBuf> {
        self.var("VIRTUAL_ENV")
            .map(|v| PathBuf::from(OsString::from_vec(v.to_vec())))
    }

    pub fn path(&self) -> String {
        self.var_str("PATH").unwrap_or_default()
    }

    pub fn python_str(&self) -> String {
        String::from_utf8_lossy(&self.python).into_owned()
    }

    pub fn prompt_str(&self) -> String {
        String::from_utf8_lossy(&self.prompt).into_owned()
    }

    /// Asserts that `venv` is active, by autovenv, completely.
    pub fn assert_active(&self, venv: &Path, name: &str, version: &str, base_path: &str) {
        self.assert_active_as(venv, name.as_bytes(), name, version, base_path);
    }

    /// As `assert_active`, for a name whose prompt label differs from it
    /// (control characters and invalid UTF-8 show as `?`).
    pub fn assert_active_as(
        &self,
        venv: &Path,
        name: &[u8],
        label: &str,
        version: &str,
        base_path: &str,
    ) {
        assert_eq!(
            self.virtual_env().as_deref(),
            Some(venv),
            "VIRTUAL_ENV\n{self:#?}"
        );
        assert_eq!(
            self.var("PATH").unwrap_or_default(),
            [
                venv.join("bin").as_os_str().as_bytes(),
                b":",
                base_path.as_bytes()
            ]
            .concat(),
            "PATH"
        );
        assert_eq!(
            self.var("VIRTUAL_ENV_PROMPT"),
            Some(name),
            "VIRTUAL_ENV_PROMPT"
        );
        assert!(
            self.prompt_str().starts_with(&format!("({label}) ")),
            "prompt: {:?}",
            self.prompt_str()
        );
        assert!(
            !self.prompt_str().contains(&format!("({label}) ({label})")),
            "prompt doubled: {:?}",
            self.prompt_str()
        );
        assert!(self.has_deactivate, "deactivate is defined");
        let mut lines = self.python.splitn(2, |&b| b == 0);
        let prefix = lines.next().unwrap_or_default();
        let mut lines = lines.next().unwrap_or_default().split(|&b| b == b'\n');
        assert_eq!(
            prefix,
            venv.as_os_str().as_bytes(),
            "python's sys.prefix: {}",
            self.python_str()
        );
        assert_eq!(
            lines.next(),
            Some(version.as_bytes()),
            "flaskish version: {}",
            self.python_str()
        );
    }

    pub fn assert_inactive(&self, base_path: &str, base_prompt: &[u8]) {
        assert_eq!(self.var("VIRTUAL_ENV"), None, "VIRTUAL_ENV\n{self:#?}");
        assert_eq!(self.var("VIRTUAL_ENV_PROMPT"), None, "VIRTUAL_ENV_PROMPT");
        assert_eq!(self.var("__AUTOVENV_STATE"), None, "state variable");
        assert_eq!(self.path(), base_path, "PATH");
        assert_eq!(self.prompt, base_prompt, "prompt: {:?}", self.prompt_str());
        assert!(!self.has_deactivate, "deactivate is gone");
    }
}

/// A script for an interactive shell: commands, with snapshots between.
pub struct Script {
    pub sh: Sh,
    nobody: bool,
    lines: Vec<String>,
    snaps: usize,
    pub env: Vec<(OsString, OsString)>,
    pub cwd: PathBuf,
    /// bash's rc file (`--rcfile`), read before the script; none by default.
    pub rcfile: Option<PathBuf>,
}

pub struct Ran {
    pub snaps: Vec<Snap>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Lines autovenv printed, without the shell's own noise.
    pub fn messages(&self) -> Vec<&str> {
        // zsh writes its prompts to stderr too: keep what follows them.
        self.stderr
            .lines()
            .filter_map(|l| l.find("autovenv: ").map(|at| &l[at..]))
            .collect()
    }
}

impl Script {
    pub fn new(sh: Sh, world: &World) -> Script {
        Script {
            sh,
            nobody: false,
            lines: Vec::new(),
            snaps: 0,
            env: world.env(),
            cwd: world.root.clone(),
            rcfile: None,
        }
    }

    pub fn env(mut self, name: &str, value: impl AsRef<OsStr>) -> Script {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.into(), value.as_ref().to_os_string()));
        self
    }

    pub fn run(&mut self, line: impl Into<String>) -> &mut Script {
        self.lines.push(line.into());
        // Piped into fish, commands do not trigger the prompt event: the
        // script emits it, exactly as the prompt would (the terminal tests
        // show real prompts).
        if self.sh == Sh::Fish {
            self.lines.push("emit fish_prompt".into());
        }
        self
    }

    pub fn cd(&mut self, dir: &Path) -> &mut Script {
        let line = self.sh.cd(dir);
        self.run(line)
    }

    /// Records the shell's state at this point; returns its index.
    pub fn snap(&mut self) -> usize {
        let n = self.snaps;
        self.snaps += 1;
        self.lines.push(format!("__t_snap {n}"));
        n
    }

    fn preamble(&self, snapdir: &Path, load_hook: bool) -> String {
        let q = self.sh.quote(snapdir.as_os_str().as_bytes());
        let hook = if load_hook {
            self.sh.hook_line()
        } else {
            String::new()
        };
        let py = "python -c 'import os, sys; sys.stdout.buffer.write(os.fsencode(sys.prefix) + b\"\\0\"); import flaskish; print(flaskish.VERSION)'";
        match self.sh {
            Sh::Fish => format!(
                "function fish_prompt; printf '> '; end
function __t_snap
    env -0 > {q}/env_$argv[1]
    fish_prompt > {q}/ps1_$argv[1]
    if functions -q deactivate; echo yes; else; echo no; end > {q}/deact_$argv[1]
    if command -q python; {py} > {q}/py_$argv[1] 2>&1; else; echo 'no python' > {q}/py_$argv[1]; end
end
{hook}
emit fish_prompt
"
            ),
            _ => {
                // The prompt as the user sees it, after the shell expands it.
                // bash before 4.4 has no ${PS1@P}: the prompt is saved as
                // it is and expanded here (`bash_prompt`).
                let expand = match self.sh {
                    Sh::Zsh => format!("print -rn -- \"${{(%)PS1}}\" > {q}/ps1_$1"),
                    _ => format!(
                        "if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 404)); then \\builtin eval 'printf %s \"${{PS1@P}}\"' > {q}/ps1_$1; else printf %s \"$PS1\" > {q}/ps1raw_$1; fi"
                    ),
                };
                format!(
                    "__t_snap() {{
    env -0 > {q}/env_$1
    {expand}
    if typeset -f deactivate >/dev/null 2>&1; then echo yes; else echo no; fi > {q}/deact_$1
    {py} > {q}/py_$1 2>&1
}}
PS1='$ '
{hook}
"
                )
            }
        }
    }

    /// Runs the shell as the unprivileged user `nobody` (when the tests run
    /// as root, which ignores permission bits), so that unreadable folders
    /// are unreadable. The world is opened up for that user.
    pub fn as_nobody(&mut self, world: &World) -> &mut Script {
        if is_root() {
            open_up(world.tmp.path());
            self.nobody = true;
        }
        self
    }

    pub fn command(&self) -> Command {
        let exe = self.sh.find().expect("shell checked by the caller");
        let mut c = if self.nobody {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                .arg(exe);
            c
        } else {
            Command::new(exe)
        };
        match (self.sh, &self.rcfile) {
            (Sh::Bash, None) => c.args(["--norc", "--noprofile", "-i"]),
            (Sh::Bash, Some(rc)) => c.args(["--noprofile", "--rcfile"]).arg(rc).arg("-i"),
            (Sh::Zsh, _) => c.args(["--no-rcs", "--no-globalrcs", "-i"]),
            (Sh::Fish, _) => c.args(["--no-config", "-i"]),
        };
        c.env_clear()
            .envs(self.env.iter().cloned())
            .current_dir(&self.cwd);
        c
    }

    /// Runs the script in an interactive shell with the hook loaded.
    pub fn execute(&self) -> Ran {
        self.execute_with(true)
    }

    /// The whole text fed to the shell: preamble (hook loaded or not), the
    /// script's lines, `exit`.
    pub fn input(&self, snapdir: &Path, load_hook: bool) -> String {
        let mut input = self.preamble(snapdir, load_hook);
        for line in &self.lines {
            input.push_str(line);
            input.push('\n');
        }
        input.push_str("exit\n");
        input
    }

    pub fn execute_with(&self, load_hook: bool) -> Ran {
        let snapdir = tempfile::tempdir().unwrap();
        if self.nobody {
            open_up(snapdir.path());
        }
        let input = self.input(snapdir.path(), load_hook);
        let mut child = self
            .command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(input.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let read = |name: String| {
            std::fs::read(snapdir.path().join(&name)).unwrap_or_else(|_| {
                panic!(
                    "snapshot {name} missing; stderr:\n{}\nscript:\n{input}",
                    String::from_utf8_lossy(&out.stderr)
                )
            })
        };
        let snaps = (0..self.snaps)
            .map(|n| {
                let env = read(format!("env_{n}"))
                    .split(|&b| b == 0)
                    .filter(|kv| !kv.is_empty())
                    .filter_map(|kv| {
                        let eq = kv.iter().position(|&b| b == b'=')?;
                        Some((kv[..eq].to_vec(), kv[eq + 1..].to_vec()))
                    })
                    .collect();
                let prompt = match std::fs::read(snapdir.path().join(format!("ps1raw_{n}"))) {
                    Ok(raw) => bash_prompt(&raw),
                    Err(_) => read(format!("ps1_{n}")),
                };
                Snap {
                    env,
                    prompt,
                    has_deactivate: read(format!("deact_{n}")).starts_with(b"yes"),
                    python: read(format!("py_{n}")),
                }
            })
            .collect();
        Ran {
            snaps,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The prompt a shell shows with no environment, as the snapshot reads it.
pub fn base_prompt(sh: Sh) -> Vec<u8> {
    match sh {
        Sh::Fish => b"> ".to_vec(),
        _ => b"$ ".to_vec(),
    }
}

/// What bash shows for a PS1 holding only plain text, backslashes and the
/// escapes autovenv writes: the `${PS1@P}` of bash 4.4, for bash 3.2. The
/// prompt is decoded (`\\` is one backslash), then, as `promptvars` does,
/// expanded as in double quotes (`\$`, `\``, `\\` lose the backslash).
pub fn bash_prompt(raw: &[u8]) -> Vec<u8> {
    fn unescape(text: &[u8], escaped: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut bytes = text.iter().copied().peekable();
        while let Some(b) = bytes.next() {
            match bytes.peek() {
                Some(&next) if b == b'\\' && escaped.contains(&next) => {
                    out.push(next);
                    bytes.next();
                }
                _ => out.push(b),
            }
        }
        out
    }
    unescape(&unescape(raw, b"\\"), b"$`\\")
}
