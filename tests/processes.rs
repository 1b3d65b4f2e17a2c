//! How many processes the hook starts, counted, never timed: real bash, zsh
//! and fish run under `strace -f`, and every `execve` and every new process
//! (a fork, vfork or clone that is not a thread) is read off the trace.
//!
//! SPEC §5: a prompt at which nothing changed starts no process; a `cd`
//! starts exactly one (zsh's chpwd and precmd, fish's PWD handler and prompt
//! event share it); and a change made without a `cd` (a marker created,
//! removed or edited, the active environment deleted, `autovenv allow` or
//! `deny` typed) takes effect at the next prompt. The times are measured in
//! benches/hook-latency.sh, never here: a timed test on a busy machine fails
//! for the wrong reasons.

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

    pub(crate) fn run(&mut self, line: impl Into<String>) -> &mut Traced {
        self.lines.push(line.into());
        self.prompt_event();
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

const IDLE_PROMPTS: usize = 20;

per_shell!(idle_prompts_start_no_process, |sh: Sh| {
    let p = places();
    let ticks = p.world.root.join("ticks");
    let mut t = Traced::new(sh, &p.world, &p.world.root);
    // Inside an active project, deep down (many questions to replay), in a
    // project named by .venv-name (a file's first line to compare), and
    // outside any project (every folder up to / asked).
    let stays = [
        ("deep", &p.deep),
        ("named", &p.named.join("src")),
        ("outside", &p.outside),
    ];
    for (name, dir) in stays {
        t.cd(dir).idle();
        t.reset_ticks();
        t.mark(&format!("{name}_begin"));
        for _ in 0..IDLE_PROMPTS {
            t.idle();
        }
        t.mark(&format!("{name}_end"));
        t.save_ticks(&ticks.with_extension(name));
    }
    let Some(trace) = t.execute() else { return };
    for (name, _) in stays {
        let w = trace.between(&format!("{name}_begin"), &format!("{name}_end"));
        assert!(
            w.execs.is_empty() && w.spawns.is_empty(),
            "{} idle prompts ({name}) started processes: {w:#?}",
            IDLE_PROMPTS
        );
        let seen = read_ticks(&ticks.with_extension(name));
        assert!(
            seen as usize > IDLE_PROMPTS,
            "only {seen} prompts ran the hooks ({name})"
        );
    }
});

per_shell!(one_cd_starts_one_process, |sh: Sh| {
    let p = places();
    let moves: [(&str, String); 9] = [
        ("enter", sh.cd(&p.project)),
        ("deep", sh.cd(&p.deep)),
        ("back_up", sh.cd(&p.project.join("src"))),
        ("switch", sh.cd(&p.sibling)),
        ("named", sh.cd(&p.named)),
        ("leave", sh.cd(&p.outside)),
        ("cd_dash", "cd -".into()),
        (
            "pushd",
            format!(
                "pushd {} > /dev/null",
                sh.quote(p.project.as_os_str().as_encoded_bytes())
            ),
        ),
        ("popd", "popd > /dev/null".into()),
    ];
    // The same moves with and without the hook: what the shell starts by
    // itself is not the hook's doing.
    let traces: Vec<Option<Trace>> = [false, true]
        .into_iter()
        .map(|hook| {
            let mut t = Traced::with_hook(sh, &p.world, &p.world.root, hook);
            t.cd(&p.outside).idle();
            for (name, line) in &moves {
                t.mark(&format!("{name}_before"));
                t.run(line.clone());
                t.mark(&format!("{name}_after"));
            }
            t.execute()
        })
        .collect();
    let [Some(bare), Some(hooked)] = &traces[..] else {
        return;
    };
    for (name, _) in &moves {
        let (before, after) = (format!("{name}_before"), format!("{name}_after"));
        let bare = bare.between(&before, &after);
        let w = hooked.between(&before, &after);
        assert_eq!(bare.autovenv_execs(), 0);
        assert_eq!(
            (w.autovenv_execs(), w.execs.len(), w.spawns.len()),
            (1, bare.execs.len() + 1, bare.spawns.len() + 1),
            "`{name}` should start autovenv once and nothing else; without the hook: {bare:#?}\nwith: {w:#?}"
        );
    }
});

per_shell!(a_change_without_cd_costs_one_process_then_none, |sh: Sh| {
    let p = places();
    let mut t = Traced::new(sh, &p.world, &p.world.root);
    t.cd(&p.outside).idle();
    // A builtin writes the marker: the one process is the hook's.
    let name_file = p.outside.join(".venv-name");
    t.mark("create_before");
    t.run(format!(
        "printf 'shared\\n' > {}",
        sh.quote(name_file.as_os_str().as_encoded_bytes())
    ));
    t.mark("create_after");
    for _ in 0..5 {
        t.idle();
    }
    t.mark("settled");
    let Some(trace) = t.execute() else { return };
    let w = trace.between("create_before", "create_after");
    assert_eq!(
        (w.autovenv_execs(), w.execs.len(), w.spawns.len()),
        (1, 1, 1),
        "{w:#?}"
    );
    let w = trace.between("create_after", "settled");
    assert!(w.execs.is_empty() && w.spawns.is_empty(), "{w:#?}");
});

// ---------------------------------------------------------------------------
// Changes without a cd take effect at the next prompt (SPEC §5).

per_shell!(name_file_created_edited_removed, |sh: Sh| {
    let world = World::new();
    let one = world.venv(&world.central.join("one"), "1.0");
    let two = world.venv(&world.central.join("two"), "2.0");
    let plain = world.path("plain");
    let sub = plain.join("sub/deeper");
    world.mkdir(&sub);
    // In a parent of the current folder: where the search looked.
    let file = sh.quote(plain.join(".venv-name").as_os_str().as_encoded_bytes());
    let mut s = Script::new(sh, &world);
    s.cd(&sub);
    let before = s.snap();
    s.run(format!("printf 'one\\n' > {file}"));
    let created = s.snap();
    // Same length, new content: only the content says it changed.
    s.run(format!("printf 'two\\n' > {file}"));
    let edited = s.snap();
    s.run(format!("command rm {file}"));
    let removed = s.snap();
    let ran = s.execute();
    let prompt = base_prompt(sh);
    ran.snaps[before].assert_inactive(BASE_PATH, &prompt);
    ran.snaps[created].assert_active(&one, "one", "1.0", BASE_PATH);
    ran.snaps[edited].assert_active(&two, "two", "2.0", BASE_PATH);
    ran.snaps[removed].assert_inactive(BASE_PATH, &prompt);
});

per_shell!(name_file_in_a_parent_reached_through_a_symlink, |sh: Sh| {
    // The shell is in logical/sub, a symbolic link to elsewhere/sub: the
    // search goes up the path the user typed (logical/), not the physical
    // one (elsewhere/), and so must the questions the prompt asks.
    let world = World::new();
    let one = world.venv(&world.central.join("one"), "1.0");
    world.venv(&world.central.join("two"), "2.0");
    let real = world.path("elsewhere/sub");
    world.mkdir(&real);
    let logical = world.path("logical");
    world.mkdir(&logical);
    std::os::unix::fs::symlink(&real, logical.join("sub")).unwrap();
    let file = |dir: &Path| sh.quote(dir.join(".venv-name").as_os_str().as_encoded_bytes());
    let mut s = Script::new(sh, &world);
    s.cd(&logical.join("sub"));
    let before = s.snap();
    s.run(format!("printf 'one\\n' > {}", file(&logical)));
    let logical_parent = s.snap();
    s.run(format!(
        "printf 'two\\n' > {}",
        file(&world.path("elsewhere"))
    ));
    let physical_parent = s.snap();
    s.run(format!("command rm {}", file(&logical)));
    let removed = s.snap();
    let ran = s.execute();
    let prompt = base_prompt(sh);
    ran.snaps[before].assert_inactive(BASE_PATH, &prompt);
    ran.snaps[logical_parent].assert_active(&one, "one", "1.0", BASE_PATH);
    ran.snaps[physical_parent].assert_active(&one, "one", "1.0", BASE_PATH);
    ran.snaps[removed].assert_inactive(BASE_PATH, &prompt);
});

per_shell!(
    a_folder_above_swapped_for_a_symlink_then_a_marker,
    |sh: Sh| {
        // The shell sits in w/p/c/d/e. Folder d is moved elsewhere and a
        // symbolic link left in its place, so $PWD still leads to the shell's
        // folder, but its physical parents are now elsewhere. A .venv-name
        // then written in w/p/c (where the search, going up $PWD, looks) takes
        // effect at the next prompt. (A check naming its questions relative to
        // the physical folder, `../../.venv-name`, missed this.)
        let world = World::new();
        let one = world.venv(&world.central.join("one"), "1.0");
        let c = world.path("w/p/c");
        world.mkdir(&c.join("d/e"));
        world.mkdir(&world.path("moved"));
        let q = |p: &Path| sh.quote(p.as_os_str().as_encoded_bytes());
        let mut s = Script::new(sh, &world);
        s.cd(&c.join("d/e"));
        let before = s.snap();
        s.run(format!(
            "command mv {} {}; command ln -s {} {}",
            q(&c.join("d")),
            q(&world.path("moved/d")),
            q(&world.path("moved/d")),
            q(&c.join("d"))
        ));
        s.run(format!("printf 'one\\n' > {}", q(&c.join(".venv-name"))));
        let marked = s.snap();
        let ran = s.execute();
        ran.snaps[before].assert_inactive(BASE_PATH, &base_prompt(sh));
        ran.snaps[marked].assert_active(&one, "one", "1.0", BASE_PATH);
    }
);

per_shell!(nearer_venv_appearing_takes_over, |sh: Sh| {
    let p = places();
    // Made elsewhere, moved in whole (a rename), as `python -m venv` would
    // leave it.
    let staged = p.world.venv(&p.world.tmp.path().join("staged/venv"), "4.0");
    let src = p.project.join("src");
    let arrived = src.join("venv");
    let bin = util::bin();
    let mut s = Script::new(sh, &p.world);
    s.cd(&src);
    let before = s.snap();
    s.run(format!(
        "command mv {} {}",
        sh.quote(staged.as_os_str().as_encoded_bytes()),
        sh.quote(arrived.as_os_str().as_encoded_bytes())
    ));
    // The nearest marker wins, and it is not trusted yet: nothing active.
    let untrusted = s.snap();
    // Trusted by another process (not this shell's `autovenv` function):
    // the trust record appearing is what the next prompt notices.
    s.run(format!(
        "command {} allow . 2>/dev/null",
        sh.quote(bin.as_os_str().as_encoded_bytes())
    ));
    let trusted = s.snap();
    let ran = s.execute();
    ran.snaps[before].assert_active(
        &p.project.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    ran.snaps[untrusted].assert_inactive(BASE_PATH, &base_prompt(sh));
    ran.snaps[trusted].assert_active(&arrived, "src", "4.0", BASE_PATH);
});

per_shell!(active_venv_removed_deactivates, |sh: Sh| {
    let p = places();
    let mut s = Script::new(sh, &p.world);
    s.cd(&p.deep);
    let before = s.snap();
    s.run(format!(
        "command rm -rf {}",
        sh.quote(p.project.join("venv").as_os_str().as_encoded_bytes())
    ));
    let removed = s.snap();
    let ran = s.execute();
    ran.snaps[before].assert_active(
        &p.project.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    let gone = &ran.snaps[removed];
    assert_eq!(gone.var("VIRTUAL_ENV"), None, "{gone:#?}");
    assert_eq!(gone.path(), BASE_PATH);
    assert_eq!(gone.prompt, base_prompt(sh));
});

per_shell!(idle_again_after_a_typed_autovenv_command, |sh: Sh| {
    // A typed `autovenv ...` drops the shell's check so that the next
    // prompt asks the binary; after that one process, idle prompts start
    // none again, whether or not the command changed anything.
    let p = places();
    let mut t = Traced::new(sh, &p.world, &p.world.root);
    t.cd(&p.deep).idle();
    let commands = [
        ("status", "autovenv status >/dev/null 2>&1"),
        ("allow", "autovenv allow >/dev/null 2>&1"),
        ("list", "autovenv list >/dev/null 2>&1"),
    ];
    for (name, line) in commands {
        t.run(line);
        t.idle();
        t.mark(&format!("{name}_begin"));
        for _ in 0..IDLE_PROMPTS {
            t.idle();
        }
        t.mark(&format!("{name}_end"));
    }
    let Some(trace) = t.execute() else { return };
    for (name, _) in commands {
        let w = trace.between(&format!("{name}_begin"), &format!("{name}_end"));
        assert!(
            w.execs.is_empty() && w.spawns.is_empty(),
            "{IDLE_PROMPTS} idle prompts after `autovenv {name}` started processes: {w:#?}"
        );
    }
});

per_shell!(typed_allow_and_deny_take_effect, |sh: Sh| {
    let world = World::new();
    let project = world.path("cloned_repo");
    let venv = world.venv(&project.join(".venv"), "3.3");
    world.mkdir(&project.join("pkg"));
    let mut s = Script::new(sh, &world);
    s.cd(&project.join("pkg"));
    let untrusted = s.snap();
    s.run("autovenv allow 2>/dev/null");
    let allowed = s.snap();
    s.run("autovenv deny 2>/dev/null");
    let denied = s.snap();
    let ran = s.execute();
    let prompt = base_prompt(sh);
    ran.snaps[untrusted].assert_inactive(BASE_PATH, &prompt);
    ran.snaps[allowed].assert_active(&venv, "cloned_repo", "3.3", BASE_PATH);
    ran.snaps[denied].assert_inactive(BASE_PATH, &prompt);
});
