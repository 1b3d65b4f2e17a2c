//! nushell, xonsh and elvish: real interactive shells in tmux, typed at as a
//! person would. Each typed line is followed by a line that writes what the
//! shell has (variables, PATH, prompt, which `flaskish` Python imports) to a
//! file as JSON, so the tests compare values, not screens.
//!
//! nushell is found through AUTOVENV_TEST_NU, else on PATH (`.ci/more-shells`
//! installs it from npm and prints the line to export).

mod idle;
mod recipe;
mod story;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::{self, World};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum More {
    Nu,
    Xonsh,
    Elvish,
}

impl More {
    pub fn name(self) -> &'static str {
        match self {
            More::Nu => "nu",
            More::Xonsh => "xonsh",
            More::Elvish => "elvish",
        }
    }

    pub fn find(self) -> Option<PathBuf> {
        if self == More::Nu
            && let Some(nu) = util::test_setting("AUTOVENV_TEST_NU").filter(|v| !v.is_empty())
        {
            return Some(nu.into());
        }
        util::required_tool(self.name())
    }

    /// Whether this shell can hold a path with these bytes at all (nushell
    /// strings are UTF-8: docs/installation.md).
    pub fn can_hold(self, bytes: &[u8]) -> bool {
        match self {
            // nushell's `cd` also strips ANSI escape sequences from the
            // path it is given, so a folder named with one cannot be entered.
            More::Nu => std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0x1b),
            // elvish strings are bytes.
            More::Xonsh | More::Elvish => true,
        }
    }

    /// A string literal for this shell, every byte but plain ones escaped.
    pub fn quote(self, value: &[u8]) -> String {
        let plain = |b: u8| b.is_ascii_alphanumeric() || b"/._-".contains(&b);
        match self {
            More::Nu => {
                let mut out = String::from("\"");
                for c in String::from_utf8_lossy(value).chars() {
                    if c.is_ascii() && plain(c as u8) {
                        out.push(c);
                    } else {
                        out.push_str(&format!("\\u{{{:x}}}", c as u32));
                    }
                }
                out.push('"');
                out
            }
            // A Python expression: the bytes, as Python keeps them.
            More::Xonsh => {
                let mut out = String::from("__import__('os').fsdecode(b'");
                for &b in value {
                    if plain(b) {
                        out.push(b as char);
                    } else {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                out.push_str("')");
                out
            }
            // Plain bytes in single quotes (one run each: two quoted
            // strings side by side would read as an escaped quote), every
            // other byte as "\xNN".
            More::Elvish => {
                let mut out = String::new();
                let mut open = false;
                for &b in value {
                    if plain(b) {
                        if !open {
                            out.push('\'');
                            open = true;
                        }
                        out.push(b as char);
                    } else {
                        if open {
                            out.push('\'');
                            open = false;
                        }
                        out.push_str(&format!("\"\\x{b:02x}\""));
                    }
                }
                if open {
                    out.push('\'');
                }
                if out.is_empty() {
                    out.push_str("''");
                }
                out
            }
        }
    }

    pub fn cd(self, dir: &Path) -> String {
        match self {
            More::Xonsh => format!("cd @({})", self.quote(dir.as_os_str().as_bytes())),
            _ => format!("cd {}", self.quote(dir.as_os_str().as_bytes())),
        }
    }

    /// Prepends an entry to PATH, as a user would while inside a project.
    pub fn prepend_path(self, entry: &str) -> String {
        match self {
            More::Nu => format!(
                "$env.PATH = ($env.PATH | prepend {})",
                self.quote(entry.as_bytes())
            ),
            More::Xonsh => format!("$PATH.insert(0, {})", self.quote(entry.as_bytes())),
            More::Elvish => format!("set paths = [{} $@paths]", self.quote(entry.as_bytes())),
        }
    }

    pub fn set_var(self, name: &str, value: &str) -> String {
        match self {
            More::Nu => format!("$env.{name} = {}", self.quote(value.as_bytes())),
            More::Xonsh => format!("${name} = {}", self.quote(value.as_bytes())),
            More::Elvish => format!("set E:{name} = {}", self.quote(value.as_bytes())),
        }
    }

    /// Writes what the shell has to `file`, as JSON.
    fn snap_line(self, file: &Path) -> String {
        let f = self.quote(file.as_os_str().as_bytes());
        match self {
            // Bytes that are not UTF-8 are shown as U+FFFD: JSON cannot
            // carry them (the tests compare with the same).
            More::Xonsh => format!(
                "__import__('json').dump({{k: __import__('os').fsencode(v).decode('utf-8', 'replace') for k, v in {{'ve': ${{...}}.get('VIRTUAL_ENV', ''), 'prompt_name': ${{...}}.get('VIRTUAL_ENV_PROMPT', ''), 'pythonhome': ${{...}}.get('PYTHONHOME', ''), 'path': ':'.join($PATH), 'prompt': __import__('xonsh.prompt.base', fromlist=['x']).PromptFormatter()($PROMPT), 'py': __import__('subprocess').run(['sh', '-c', 'python -c \"import flaskish; print(flaskish.VERSION)\" 2>/dev/null || echo none'], capture_output=True, env=${{...}}.detype()).stdout.decode().strip()}}.items()}}, open({f}, 'w'))"
            ),
            More::Nu => format!(
                "{{ve: ($env.VIRTUAL_ENV? | default ''), prompt_name: ($env.VIRTUAL_ENV_PROMPT? | default ''), pythonhome: ($env.PYTHONHOME? | default ''), path: ($env.PATH | str join (char esep)), prompt: (do $env.PROMPT_COMMAND), py: (try {{ ^python -c 'import flaskish; print(flaskish.VERSION)' e> /dev/null | str trim }} catch {{ 'none' }})}} | to json | save -f {f}"
            ),
            // to-json shows bytes that are not UTF-8 as U+FFFD, as the
            // tests compare.
            More::Elvish => format!(
                "var py = (try {{ str:trim-space (e:python -c 'import flaskish; print(flaskish.VERSION)' 2>/dev/null | slurp) }} catch {{ put none }}); put [&ve=$E:VIRTUAL_ENV &prompt_name=$E:VIRTUAL_ENV_PROMPT &pythonhome=$E:PYTHONHOME &path=$E:PATH &prompt=(str:join '' [(each $to-string~ [($edit:prompt)])]) &py=$py] | to-json > {f}"
            ),
        }
    }

    /// Creates `file`: a point in the session every earlier line has passed.
    fn sync_line(self, file: &Path) -> String {
        let f = self.quote(file.as_os_str().as_bytes());
        match self {
            More::Nu => format!("'' | save -f {f}"),
            More::Xonsh => format!("open({f}, 'w').close()"),
            More::Elvish => format!("echo '' > {f}"),
        }
    }

    /// The rc file's text: a plain prompt, the hook, and `extra`.
    fn rc(self, world: &World, extra: &str) -> String {
        let bin = util::bin();
        match self {
            More::Nu => {
                // Saved once and sourced, as docs/installation.md says.
                let saved = world.home.join(".autovenv.nu");
                let out = world.autovenv().args(["hook", "nu"]).output().unwrap();
                assert!(out.status.success());
                std::fs::write(&saved, out.stdout).unwrap();
                let _ = bin;
                format!(
                    "$env.config.show_banner = false\n\
                     $env.PROMPT_COMMAND = {{|| 'P' }}\n\
                     $env.PROMPT_INDICATOR = '> '\n\
                     $env.PROMPT_COMMAND_RIGHT = ''\n\
                     source {}\n{extra}\n",
                    self.quote(saved.as_os_str().as_bytes())
                )
            }
            More::Xonsh => format!(
                "$PROMPT = 'P> '\n$RIGHT_PROMPT = ''\n$BOTTOM_TOOLBAR = ''\n$AUTO_SUGGEST = False\n$TITLE = 'xonsh'\n\
                 execx(__import__('subprocess').check_output([{}, 'hook', 'xonsh'], text=True))\n{extra}\n",
                self.quote(bin.as_os_str().as_bytes())
            ),
            More::Elvish => format!(
                "use str\nset edit:prompt = {{ put 'P> ' }}\nset edit:rprompt = {{ }}\n\
                 eval ((external {}) hook elvish | slurp)\n{extra}\n",
                self.quote(bin.as_os_str().as_bytes())
            ),
        }
    }

    /// The command line that starts the interactive shell with `rc`.
    fn command(self, exe: &Path, rc: &Path) -> Vec<String> {
        match self {
            More::Nu => vec![
                exe.display().to_string(),
                "--config".into(),
                rc.display().to_string(),
                "--env-config".into(),
                "/dev/null".into(),
            ],
            More::Xonsh => vec![
                exe.display().to_string(),
                "--rc".into(),
                rc.display().to_string(),
                "-i".into(),
            ],
            More::Elvish => vec![
                exe.display().to_string(),
                "-rc".into(),
                rc.display().to_string(),
            ],
        }
    }
}

/// What the shell had at one point.
#[derive(Debug, serde::Deserialize)]
pub struct Snap {
    pub ve: String,
    pub prompt_name: String,
    pub pythonhome: String,
    pub path: String,
    pub prompt: String,
    pub py: String,
}

/// One interactive shell in its own tmux server.
pub struct Terminal {
    pub sh: More,
    socket: String,
    tmux: PathBuf,
    files: tempfile::TempDir,
    n: std::cell::Cell<usize>,
}

impl Terminal {
    /// None (with the reason printed) when tmux or the shell is missing.
    pub fn start(sh: More, world: &World, dir: &Path, extra: &str) -> Option<Terminal> {
        Terminal::start_wrapped(sh, world, dir, extra, &[])
    }

    /// `wrapper`: a program (strace, say) the shell runs under.
    pub fn start_wrapped(
        sh: More,
        world: &World,
        dir: &Path,
        extra: &str,
        wrapper: &[&OsStr],
    ) -> Option<Terminal> {
        let exe = sh.find()?;
        let tmux = util::required_tool("tmux")?;
        let rc = world.home.join(format!("rc.{}", sh.name()));
        std::fs::write(&rc, sh.rc(world, extra)).unwrap();
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let socket = format!("autovenv-more-{}-{}-{n}", std::process::id(), sh.name());
        let mut c = Command::new(&tmux);
        c.env_clear()
            .envs(world.env())
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "200",
                "-y",
                "50",
            ])
            .arg("-c")
            .arg(dir);
        for w in wrapper {
            c.arg(w);
        }
        c.args(sh.command(&exe, &rc));
        assert!(c.status().unwrap().success(), "tmux did not start");
        let t = Terminal {
            sh,
            socket,
            tmux,
            files: tempfile::tempdir().unwrap(),
            n: std::cell::Cell::new(0),
        };
        t.sync();
        Some(t)
    }

    fn tmux(&self) -> Command {
        let mut c = Command::new(&self.tmux);
        c.args(["-L", &self.socket]);
        c
    }

    /// Waits until the shell shows a prompt with the cursor after it, ready
    /// to read: keys typed ahead while it is busy can be lost (nushell's
    /// line editor asks the terminal where the cursor is, and drops what it
    /// reads meanwhile).
    fn wait_ready(&self) {
        let start = Instant::now();
        loop {
            let out = self
                .tmux()
                .args([
                    "display-message",
                    "-p",
                    "-t",
                    "0",
                    "#{cursor_x} #{cursor_y}",
                ])
                .output()
                .unwrap();
            let pos = String::from_utf8_lossy(&out.stdout).trim().to_string();
            let mut it = pos.split(' ').map(|n| n.parse::<usize>().unwrap_or(0));
            let (x, y) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
            let out = self
                .tmux()
                .args(["capture-pane", "-p", "-t", "0"])
                .output()
                .unwrap();
            let screen = String::from_utf8_lossy(&out.stdout).into_owned();
            // capture-pane drops trailing spaces: pad the line back out.
            let mut line: Vec<char> = screen.lines().nth(y).unwrap_or_default().chars().collect();
            while line.len() < x {
                line.push(' ');
            }
            let before: String = line.iter().take(x).collect();
            let after: String = line.iter().skip(x).collect();
            if before.ends_with("> ") && after.trim().is_empty() {
                std::thread::sleep(Duration::from_millis(20));
                return;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!("timed out waiting for a prompt; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types `line` and Enter, once the shell is ready for it.
    pub fn type_line(&self, line: &str) {
        self.wait_ready();
        for keys in [&["-l", line][..], &["Enter"]] {
            let ok = self
                .tmux()
                .args(["send-keys", "-t", "0"])
                .args(keys)
                .status()
                .unwrap();
            assert!(ok.success());
        }
    }

    /// Waits until the screen (with its history) holds `text`.
    pub fn wait_screen(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("timed out waiting for {text:?}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn screen(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-J", "-S", "-", "-t", "0"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn next_file(&self) -> PathBuf {
        let n = self.n.get() + 1;
        self.n.set(n);
        self.files.path().join(format!("f{n}"))
    }

    fn wait_file(&self, file: &Path, what: &str) {
        let start = Instant::now();
        while !file.exists() {
            if start.elapsed() > Duration::from_secs(30) {
                panic!("timed out waiting for {what}; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        // save writes, then closes: let it finish.
        std::thread::sleep(Duration::from_millis(30));
    }

    /// Waits until the shell has read every line typed so far.
    pub fn sync(&self) {
        let f = self.next_file();
        self.type_line(&self.sh.sync_line(&f));
        self.wait_file(&f, "the shell to catch up");
    }

    /// Types `line`, and waits until the shell has run it and drawn the
    /// next prompt.
    pub fn run(&self, line: &str) {
        self.type_line(line);
        self.sync();
    }

    pub fn snap(&self) -> Snap {
        let f = self.next_file();
        self.type_line(&self.sh.snap_line(&f));
        self.wait_file(&f, "a snapshot");
        let text = std::fs::read_to_string(&f).unwrap();
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("snapshot {text:?}: {e}; screen:\n{}", self.screen()))
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}

/// One test per shell for `$body(sh)`.
macro_rules! more_shells {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[test]
            fn nu() {
                ($body)(More::Nu)
            }
            #[test]
            fn xonsh() {
                ($body)(More::Xonsh)
            }
            #[test]
            fn elvish() {
                ($body)(More::Elvish)
            }
        }
    };
}
pub(crate) use more_shells;
