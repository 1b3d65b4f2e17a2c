//! Real interactive shells in a real terminal (tmux), typed at as a person
//! would, with the prompt read off the screen.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::{self, Sh, World};

struct Terminal {
    socket: String,
    tmux: PathBuf,
}

impl Terminal {
    /// None (with the reason printed) when tmux or the shell is missing.
    fn start(sh: Sh, world: &World, dir: &Path) -> Option<Terminal> {
        Terminal::start_with(sh, world, dir, "")
    }

    /// `extra` is shell code run after the hook loads.
    fn start_with(sh: Sh, world: &World, dir: &Path, extra: &str) -> Option<Terminal> {
        let exe = sh.find()?;
        let tmux = util::required_tool("tmux")?;
        let rc = world.home.join(format!("rc.{}", sh.name()));
        let (rc_text, command) = match sh {
            Sh::Bash => (
                format!("PS1='$ '\n{}\n{extra}\n", sh.hook_line()),
                format!("{} --noprofile --rcfile {} -i", exe.display(), rc.display()),
            ),
            Sh::Zsh => (
                format!("PS1='$ '\n{}\n{extra}\n", sh.hook_line()),
                format!("{} --no-globalrcs -i", exe.display()),
            ),
            Sh::Fish => (
                format!(
                    "function fish_prompt; printf '> '; end\nfunction fish_greeting; end\n{}\n{extra}\n",
                    sh.hook_line()
                ),
                format!(
                    "{} --no-config -C 'source {}' -i",
                    exe.display(),
                    rc.display()
                ),
            ),
        };
        std::fs::write(&rc, rc_text).unwrap();
        if sh == Sh::Zsh {
            std::fs::write(world.home.join(".zshrc"), std::fs::read(&rc).unwrap()).unwrap();
        }
        // One tmux server per terminal: tests run in parallel.
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let socket = format!("autovenv-test-{}-{}-{n}", std::process::id(), sh.name());
        let mut c = Command::new(&tmux);
        c.env_clear()
            .envs(world.env())
            .env("ZDOTDIR", &world.home)
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "160",
                "-y",
                "40",
            ])
            .arg("-c")
            .arg(dir)
            .arg(&command);
        let status = c.status().unwrap();
        assert!(status.success(), "tmux did not start");
        Some(Terminal { socket, tmux })
    }

    fn tmux(&self) -> Command {
        let mut c = Command::new(&self.tmux);
        c.args(["-L", &self.socket]);
        c
    }

    fn type_line(&self, line: &str) {
        let ok = self
            .tmux()
            .args(["send-keys", "-t", "0", "-l", line])
            .status()
            .unwrap();
        assert!(ok.success());
        let ok = self
            .tmux()
            .args(["send-keys", "-t", "0", "Enter"])
            .status()
            .unwrap();
        assert!(ok.success());
    }

    fn screen(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-t", "0"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until `pred` holds for the screen; panics with the screen after
    /// a generous time (the machine is shared and can be slow).
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the last line drawn is `prompt` and the screen has not
    /// changed for half a second.
    fn wait_still(&self, prompt: &str) {
        let mut last = self.wait_for(prompt, |s| last_line(s) == prompt);
        let mut since = Instant::now();
        let start = Instant::now();
        while since.elapsed() < Duration::from_millis(500) {
            std::thread::sleep(Duration::from_millis(50));
            let now = self.screen();
            if now != last || last_line(&now) != prompt {
                assert!(
                    start.elapsed() < Duration::from_secs(20),
                    "the screen never settled on {prompt:?}:\n{now}"
                );
                last = now;
                since = Instant::now();
            }
        }
    }

    /// Types a command followed by a marker echo, and waits for the marker's
    /// output and the prompt drawn after it; returns that prompt line.
    fn run(&self, line: &str, n: usize) -> String {
        self.type_line(&format!("{line}; echo DONE{n}"));
        let marker = format!("DONE{n}");
        let screen = self.wait_for(&format!("{marker} and a prompt after it"), |s| {
            let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
            lines
                .iter()
                .position(|l| l.trim() == marker)
                .is_some_and(|at| {
                    lines[at + 1..]
                        .last()
                        .is_some_and(|l| l.trim_end().ends_with('$') || l.trim_end().ends_with('>'))
                })
        });
        last_line(&screen).to_string()
    }
}

/// The last line of a screen that is not blank, without trailing spaces.
fn last_line(screen: &str) -> &str {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim_end()
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}

fn prompt_is_read_off_the_screen(sh: Sh) {
    let world = World::new();
    let proj = world.path("client_flask_app");
    world.venv(&proj.join("venv"), "1.1.4");
    world.allow(&proj);
    let Some(term) = Terminal::start(sh, &world, &world.root) else {
        return;
    };
    let plain = if sh == Sh::Fish { "> " } else { "$ " };
    term.wait_for("the first prompt", |s| {
        s.lines().any(|l| l.starts_with(plain.trim_end()))
    });

    let line = term.run(&format!("cd {}", proj.display()), 1);
    assert_eq!(
        line.trim_end(),
        "(client_flask_app) ".to_string() + plain.trim_end(),
        "screen:\n{}",
        term.screen()
    );

    let screen = term.screen();
    assert!(
        screen.contains("autovenv: activated client_flask_app (Python "),
        "screen:\n{screen}"
    );

    // Which python runs, straight from the terminal.
    term.run(
        "python -c 'import flaskish; print(\"FLASK\", flaskish.VERSION)'",
        2,
    );
    assert!(
        term.screen().contains("FLASK 1.1.4"),
        "screen:\n{}",
        term.screen()
    );

    // The last status reaches the prompt unchanged.
    let status = if sh == Sh::Fish { "$status" } else { "$?" };
    term.type_line("false");
    term.type_line(&format!("echo STATUS={status}"));
    term.wait_for("the status", |s| s.lines().any(|l| l.trim() == "STATUS=1"));

    let line = term.run("cd ..", 3);
    assert_eq!(
        line.trim_end(),
        plain.trim_end(),
        "screen:\n{}",
        term.screen()
    );
    let screen = term.screen();
    assert!(
        screen.contains("autovenv: deactivated client_flask_app"),
        "screen:\n{screen}"
    );
    if crate::util::test_setting("AUTOVENV_TEST_SHOW_SCREEN").is_some() {
        eprintln!("{screen}");
    }
}

per_shell!(terminal, prompt_is_read_off_the_screen);

/// Ctrl-C while the hook's statements run: the statements are slowed down at
/// one point (defining `deactivate`, in the middle of an activation) and
/// Ctrl-C is pressed there. The prompt that follows must show the complete
/// new state: bash runs PROMPT_COMMAND again and finishes the job, zsh
/// ignores SIGINT while the statements run, fish fires the prompt event
/// again.
fn ctrl_c_in_the_middle(sh: Sh) {
    let world = World::new();
    let proj = world.path("proj");
    world.venv(&proj.join("venv"), "1.0");
    world.allow(&proj);
    let slow = match sh {
        Sh::Fish => {
            "function __autovenv_define_deactivate; if not set -q __t_slowed; set -g __t_slowed 1; sleep 3; end; function deactivate; __autovenv_apply --user-deactivate; end; end"
        }
        _ => {
            "__autovenv_define_deactivate() { if [[ -z ${__t_slowed-} ]]; then __t_slowed=1; sleep 3; fi; deactivate() { __autovenv_apply --user-deactivate; }; }"
        }
    };
    let Some(term) = Terminal::start_with(sh, &world, &world.root, slow) else {
        return;
    };
    let plain = if sh == Sh::Fish { ">" } else { "$" };
    term.wait_for("the first prompt", |s| {
        s.lines().any(|l| l.trim_end() == plain)
    });
    term.type_line(&format!("cd {}", proj.display()));
    term.wait_for("the activation to start", |s| {
        s.contains("autovenv: activated proj")
    });
    std::thread::sleep(Duration::from_millis(500));
    let ok = term
        .tmux()
        .args(["send-keys", "-t", "0", "C-c"])
        .status()
        .unwrap();
    assert!(ok.success());
    // Type only once the prompt after the interrupt is drawn and has stayed
    // put: a shell that is still redrawing (bash 3.2 runs PROMPT_COMMAND
    // again) may drop keys typed meanwhile, which is not what is tested here.
    term.wait_still(&format!("(proj) {plain}"));
    let line = term.run("echo VE=$VIRTUAL_ENV", 1);
    let screen = term.screen();
    assert_eq!(
        line.trim_end(),
        format!("(proj) {plain}"),
        "screen:\n{screen}"
    );
    assert!(
        screen.contains(&format!("VE={}", proj.join("venv").display())),
        "screen:\n{screen}"
    );
    // The statements did run to the end: deactivate works.
    let line = term.run("deactivate", 2);
    assert_eq!(line.trim_end(), plain, "screen:\n{}", term.screen());
    if crate::util::test_setting("AUTOVENV_TEST_SHOW_SCREEN").is_some() {
        eprintln!("{}", term.screen());
    }
}

per_shell!(ctrl_c, ctrl_c_in_the_middle);
