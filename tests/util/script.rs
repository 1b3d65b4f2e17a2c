//! Scripts typed into real interactive shells, with snapshots of what the
//! shell showed between their lines.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{Sh, World, is_root, open_up};

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
        // Piped into fish, commands do not trigger the preexec and prompt
        // events: the script emits them, exactly as the prompt would (the
        // terminal tests show real prompts).
        let lines = self.sh.typed(line.into());
        self.lines.extend(lines);
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
