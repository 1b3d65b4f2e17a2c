//! How many processes the hook starts, counted, never timed: real bash, zsh
//! and fish run under `strace -f`, and every `execve` and every new process
//! (a fork, vfork or clone that is not a thread) is read off the trace.
//!
//! docs/behaviour.md: a prompt at which nothing changed starts no process; a `cd`
//! starts exactly one (zsh's chpwd and precmd, fish's PWD handler and prompt
//! event share it); and a change made without a `cd` (a marker created,
//! removed or edited, the active environment deleted, `autovenv allow` or
//! `deny` typed) takes effect at the next prompt. The times are measured in
//! benches/hook-latency.sh, never here: a timed test on a busy machine fails
//! for the wrong reasons.

mod counts;
mod next_prompt;
mod round_trip;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{self, BASE_PATH, Script, Sh, World, base_prompt};

/// One thing a traced process did.
#[derive(Debug)]
enum Event {
    /// An `execve` call (successful or not), with the program's path and
    /// the whole trace line.
    Exec { path: String, line: String },
    /// A new process: fork, vfork, or a clone that is not a thread.
    Spawn { line: String },
}

/// What a traced interactive shell did, in order.
pub(crate) struct Trace {
    events: Vec<Event>,
    text: String,
}

/// The processes started between two marks.
#[derive(Debug)]
pub(crate) struct Window {
    /// Paths of the programs executed.
    pub(crate) execs: Vec<String>,
    /// New processes, not counting the one that runs the closing mark.
    pub(crate) spawns: Vec<String>,
}

impl Window {
    fn autovenv_execs(&self) -> usize {
        self.execs
            .iter()
            .filter(|p| p.ends_with("/autovenv"))
            .count()
    }
}

impl Trace {
    fn parse(text: String) -> Trace {
        let mut events = Vec::new();
        for line in text.lines() {
            // "PID syscall(args...) = result", or "<unfinished ...>" when
            // another process's line came in between.
            let Some((_pid, call)) = line.split_once(' ') else {
                continue;
            };
            let call = call.trim_start();
            if let Some(args) = call.strip_prefix("execve(") {
                let path = args
                    .strip_prefix('"')
                    .and_then(|rest| rest.split_once('"'))
                    .map(|(path, _)| path.to_string())
                    .unwrap_or_default();
                events.push(Event::Exec {
                    path,
                    line: line.to_string(),
                });
            } else if ["clone(", "clone3(", "fork(", "vfork("]
                .iter()
                .any(|p| call.starts_with(p))
                && !call.contains("CLONE_THREAD")
            {
                events.push(Event::Spawn {
                    line: line.to_string(),
                });
            }
        }
        Trace { events, text }
    }

    fn mark_at(&self, name: &str) -> usize {
        let needle = format!("\"{}\"", mark_arg(name));
        self.events
            .iter()
            .position(|e| matches!(e, Event::Exec { line, .. } if line.contains(&needle)))
            .unwrap_or_else(|| panic!("mark {name} is not in the trace:\n{}", self.text))
    }

    /// What happened after mark `from` ran and before mark `to` ran.
    pub(crate) fn between(&self, from: &str, to: &str) -> Window {
        let (a, b) = (self.mark_at(from), self.mark_at(to));
        assert!(a < b, "mark {from} comes before {to}");
        let mut execs = Vec::new();
        let mut spawns = Vec::new();
        for e in &self.events[a + 1..b] {
            match e {
                Event::Exec { path, .. } => execs.push(path.clone()),
                Event::Spawn { line } => spawns.push(line.clone()),
            }
        }
        // The process that runs mark `to` is created before it executes.
        assert!(
            !spawns.is_empty(),
            "the process running mark {to} is in the window"
        );
        spawns.pop();
        Window { execs, spawns }
    }
}

fn mark_arg(name: &str) -> String {
    format!("__t_mark_{name}")
}

/// An interactive shell, hook loaded, fed lines through a pipe and traced.
pub(crate) struct Traced {
    sh: Sh,
    lines: Vec<String>,
    pub(crate) env: Vec<(OsString, OsString)>,
    cwd: PathBuf,
}

impl Traced {
    pub(crate) fn new(sh: Sh, world: &World, cwd: &Path) -> Traced {
        Traced::with_hook(sh, world, cwd, true)
    }

    /// Without the hook: what the shell itself starts (fish's `cd -` runs
    /// `seq`, for one).
    fn with_hook(sh: Sh, world: &World, cwd: &Path, hook: bool) -> Traced {
        let mut lines = Vec::new();
        match sh {
            Sh::Fish => lines.push("function fish_prompt; printf '> '; end".into()),
            _ => lines.push("PS1='$ '".into()),
        }
        if hook {
            lines.push(sh.hook_line());
        }
        // Counts prompts, registered after the hook: proof that the prompts
        // of a window did happen. It only assigns a variable.
        lines.push(
            match sh {
                Sh::Bash => "__t_ticks=0; PROMPT_COMMAND=\"${PROMPT_COMMAND};__t_ticks=\\$((__t_ticks+1))\"",
                Sh::Zsh => "__t_ticks=0; __t_tick() { __t_ticks=$((__t_ticks+1)) }; precmd_functions+=(__t_tick)",
                Sh::Fish => "set -g __t_ticks 0; function __t_tick --on-event fish_prompt; set -g __t_ticks (math $__t_ticks + 1); end",
            }
            .into(),
        );
        let mut t = Traced {
            sh,
            lines,
            env: world.env(),
            cwd: cwd.to_path_buf(),
        };
        t.prompt_event();
        t
    }

    /// Piped into fish, commands fire no prompt event: emit it, as the
    /// prompt would.
    fn prompt_event(&mut self) {
        if self.sh == Sh::Fish {
            self.lines.push("emit fish_prompt".into());
        }
    }

    /// (fish: with the preexec and prompt events the prompt would fire.)
    pub(crate) fn run(&mut self, line: impl Into<String>) -> &mut Traced {
        let lines = self.sh.typed(line.into());
        self.lines.extend(lines);
        self
    }

    pub(crate) fn cd(&mut self, dir: &Path) -> &mut Traced {
        let line = self.sh.cd(dir);
        self.run(line)
    }

    /// A prompt at which the user typed nothing that changes anything: a
    /// builtin that does nothing.
    pub(crate) fn idle(&mut self) -> &mut Traced {
        let line = if self.sh == Sh::Fish { "true" } else { ":" };
        self.run(line)
    }

    /// A point in the trace: /bin/true, run with a recognisable argument.
    pub(crate) fn mark(&mut self, name: &str) -> &mut Traced {
        let line = format!("command /bin/true {}", mark_arg(name));
        self.run(line)
    }

    /// Sets the prompt counter to zero.
    fn reset_ticks(&mut self) -> &mut Traced {
        let line = match self.sh {
            Sh::Fish => "set -g __t_ticks 0",
            _ => "__t_ticks=0",
        };
        self.run(line)
    }

    /// Writes the prompt counter to `file` (a builtin redirection).
    fn save_ticks(&mut self, file: &Path) -> &mut Traced {
        let line = format!(
            "echo $__t_ticks > {}",
            self.sh.quote(file.as_os_str().as_encoded_bytes())
        );
        self.run(line)
    }

    pub(crate) fn execute(&self) -> Option<Trace> {
        let strace = util::required_tool("strace")?;
        let exe = self.sh.find()?;
        let out_dir = tempfile::tempdir().unwrap();
        let trace_file = out_dir.path().join("trace");
        let mut c = Command::new(strace);
        c.args(["-f", "-qq", "-e", "signal=none", "-e"])
            .arg("trace=execve,clone,clone3,fork,vfork")
            .arg("-o")
            .arg(&trace_file)
            .arg(exe);
        match self.sh {
            Sh::Bash => c.args(["--norc", "--noprofile", "-i"]),
            Sh::Zsh => c.args(["--no-rcs", "--no-globalrcs", "-i"]),
            Sh::Fish => c.args(["--no-config", "-i"]),
        };
        let mut input = self.lines.join("\n");
        input.push_str("\nexit\n");
        let mut child = c
            .env_clear()
            .envs(self.env.iter().cloned())
            .current_dir(&self.cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let text = std::fs::read_to_string(&trace_file).unwrap_or_else(|e| {
            panic!(
                "no trace ({e}); strace said:\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        Some(Trace::parse(text))
    }
}

fn read_ticks(file: &Path) -> u32 {
    std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("tick file {}: {e}", file.display()))
        .trim()
        .parse()
        .unwrap()
}

/// A trusted project with a deep subfolder, a project named by `.venv-name`
/// (one central environment), and a plain folder.
struct Places {
    world: World,
    project: PathBuf,
    deep: PathBuf,
    sibling: PathBuf,
    named: PathBuf,
    outside: PathBuf,
}

fn places() -> Places {
    let world = World::new();
    let project = world.path("client_flask_app");
    let deep = project.join("src/a/b/c/d/e/f/g/h/i");
    let sibling = world.path("personal_app");
    let named = world.path("named_app");
    let outside = world.path("outside/plain");
    world.venv(&project.join("venv"), "1.1.4");
    world.venv(&sibling.join(".venv"), "2.0.3");
    world.venv(&world.central.join("shared"), "5.0.0");
    world.mkdir(&deep);
    world.mkdir(&named.join("src"));
    world.mkdir(&outside);
    std::fs::write(named.join(".venv-name"), "shared\n").unwrap();
    world.allow(&project);
    world.allow(&sibling);
    Places {
        world,
        project,
        deep,
        sibling,
        named,
        outside,
    }
}
