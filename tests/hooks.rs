//! The hook itself: loads quietly under strict settings, registers once,
//! keeps `$?`, and is not thrown by aliases, IFS or zsh options.

use std::process::Command;

use crate::util::{self, BASE_PATH, Script, Sh, World, bin};

fn hook_text(sh: &str) -> String {
    let out = Command::new(bin()).args(["hook", sh]).output().unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "hook printed to stderr");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = Command::new(bin()).args(["hook", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("tcsh"));
}

#[test]
fn bash_hook_passes_shellcheck() {
    let Some(shellcheck) = util::required_tool("shellcheck") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hook.bash");
    std::fs::write(&file, hook_text("bash")).unwrap();
    let out = Command::new(shellcheck)
        .arg("--shell=bash")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn hooks_embed_the_binary_path_quoted() {
    assert!(hook_text("bash").contains(&format!("__autovenv_bin='{}'", bin().display())));
    assert!(hook_text("fish").contains(&format!("set -g __autovenv_bin '{}'", bin().display())));
}

// Non-interactive shells under strict flags: loading prints nothing, fails
// nothing, and defines nothing.
per_shell!(hooks_load_quietly_under_strict_flags, |sh: Sh| {
    let world = World::new();
    let Some(exe) = sh.find() else { return };
    let (flags, probe): (&[&str], &str) = match sh {
        Sh::Bash => (
            &["--norc", "--noprofile", "-euo", "pipefail", "-c"],
            "declare -F __autovenv_hook || echo none",
        ),
        Sh::Zsh => (
            &["--no-rcs", "-eu", "-c"],
            "(( $+functions[__autovenv_hook] )) || echo none",
        ),
        Sh::Fish => (
            &["--no-config", "-c"],
            "functions -q __autovenv_hook; or echo none",
        ),
    };
    let script = format!("{}\n{probe}", sh.hook_line());
    let out = Command::new(exe)
        .args(flags)
        .arg(&script)
        .env_clear()
        .envs(world.env())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        sh.name(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "none",
        "{}",
        sh.name()
    );
    assert!(
        out.stderr.is_empty(),
        "{}: {}",
        sh.name(),
        String::from_utf8_lossy(&out.stderr)
    );
});

fn project(world: &World) -> std::path::PathBuf {
    let p = world.path("proj");
    world.venv(&p.join("venv"), "1.0");
    world.allow(&p);
    p
}

per_shell!(loading_twice_registers_once, |sh: Sh| {
    let world = World::new();
    let p = project(&world);
    let mut s = Script::new(sh, &world);
    s.run(sh.hook_line());
    s.run(sh.hook_line());
    let count = match sh {
        Sh::Bash => {
            "__t=${PROMPT_COMMAND//\"$__autovenv_trap_entry\"/CHECK}; printf 'PC=%s\\n' \"${__t//$'\\n'/|}\""
        }
        Sh::Zsh => "echo \"PC=${(j:,:)precmd_functions} CH=${(j:,:)chpwd_functions}\"",
        Sh::Fish => {
            "echo PC=(functions --handlers | string match -r '__autovenv_(?:hook|on_pwd)\\b' | count)"
        }
    };
    s.run(count);
    s.cd(&p);
    let inside = s.snap();
    let ran = s.execute();
    ran.snaps[inside].assert_active(&p.join("venv"), "proj", "1.0", BASE_PATH);
    let line = ran
        .stdout
        .lines()
        .find(|l| l.contains("PC="))
        .unwrap_or_default()
        .to_string();
    match sh {
        // The hook, and the check that keeps the DEBUG trap in place.
        Sh::Bash => assert_eq!(line.trim(), "PC=__autovenv_hook|CHECK"),
        Sh::Zsh => assert_eq!(line.trim(), "PC=__autovenv_hook CH=__autovenv_chpwd"),
        // one PWD handler, one fish_prompt handler
        Sh::Fish => assert_eq!(line.trim(), "PC=2"),
    }
    let activations = ran
        .messages()
        .iter()
        .filter(|m| m.contains("activated proj"))
        .count();
    assert_eq!(activations, 1, "{:?}", ran.messages());
});

// fish keeps $status across event handlers by itself; piped fish shows no
// prompt, so the terminal tests check it there.
per_shell!(exit_status_reaches_the_prompt, |sh: Sh| {
    if sh == Sh::Fish {
        return;
    }
    let world = World::new();
    let p = project(&world);
    let mut s = Script::new(sh, &world);
    // The prompt hook runs between these lines; $? must survive it.
    match sh {
        Sh::Fish => {
            s.run(format!("cd {}; false", p.display()));
            s.run("echo STATUS=$status");
        }
        _ => {
            s.run(format!("cd {}; (exit 3)", p.display()));
            s.run("echo STATUS=$?");
        }
    }
    let ran = s.execute();
    let want = if sh == Sh::Fish {
        "STATUS=1"
    } else {
        "STATUS=3"
    };
    assert!(
        ran.stdout.lines().any(|l| l.trim() == want),
        "{}",
        ran.stdout
    );
});

per_shell!(hostile_shell_settings_do_not_matter, |sh: Sh| {
    let world = World::new();
    let p = project(&world);
    let mut s = Script::new(sh, &world);
    match sh {
        Sh::Bash => {
            s.run("set -u; IFS=/:-; alias unset='echo BROKEN'; alias export='echo BROKEN'; alias hash='echo BROKEN'; alias eval='echo BROKEN'; alias read='echo BROKEN'; alias local='echo BROKEN'");
        }
        Sh::Zsh => {
            s.run("setopt KSH_ARRAYS SH_WORD_SPLIT NO_UNSET; IFS=/:-; alias unset='echo BROKEN'; alias export='echo BROKEN'; alias hash='echo BROKEN'; alias eval='echo BROKEN'; alias read='echo BROKEN'");
        }
        Sh::Fish => {
            s.run("function cd --wraps cd; builtin cd $argv; end; alias read='echo BROKEN'; alias string='echo BROKEN'");
        }
    }
    s.cd(&p.join("venv/bin"));
    let inside = s.snap();
    s.cd(&world.root);
    let outside = s.snap();
    let ran = s.execute();
    ran.snaps[inside].assert_active(&p.join("venv"), "proj", "1.0", BASE_PATH);
    ran.snaps[outside].assert_inactive(BASE_PATH, &util::base_prompt(sh));
    assert!(!ran.stdout.contains("BROKEN"), "{}", ran.stdout);
    assert!(
        !ran.stderr.contains("unbound") && !ran.stderr.contains("parameter not set"),
        "{}",
        ran.stderr
    );
});

// PROMPT_COMMAND keeps every entry, with the hook first and the DEBUG
// trap's check last. An array runs in full from bash 5.1 only; before, bash
// runs its first element, which is where the hook goes.
per_bash!(bash_prompt_command_array_and_string_are_kept, |sh: Sh| {
    let world = World::new();
    let p = project(&world);
    // Each element in <>, newlines as |; then the check's own text, which
    // the comparison below writes as CHECK.
    let show = "printf '<%s>' \"${PROMPT_COMMAND[@]}\" | tr '\\n' '|'; echo \" ${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}\"; echo \"check=$__autovenv_trap_entry\"";
    for setup in [
        "PROMPT_COMMAND=(\"echo one\" \"echo two\")",
        "PROMPT_COMMAND='echo one; echo two'",
    ] {
        let mut s = Script::new(sh, &world);
        // Set before the hook loads: the preamble loads it, so load again.
        s.run(setup);
        s.run(sh.hook_line());
        s.run(show);
        s.cd(&p);
        let inside = s.snap();
        let ran = s.execute();
        ran.snaps[inside].assert_active(&p.join("venv"), "proj", "1.0", BASE_PATH);
        let line = ran
            .stdout
            .lines()
            .find(|l| l.starts_with('<'))
            .unwrap_or_default();
        let check = ran
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("check="))
            .unwrap();
        let line = line.replace(check, "CHECK");
        let (shown, version) = line.rsplit_once(' ').unwrap();
        let arrays = ["5.1", "5.2", "5.3"].contains(&version) || version.starts_with('6');
        let want = match (setup.contains('('), arrays) {
            (true, true) => "<__autovenv_hook><echo one><echo two><CHECK>",
            (true, false) => "<__autovenv_hook;echo one|CHECK><echo two>",
            (false, _) => "<__autovenv_hook;echo one; echo two|CHECK>",
        };
        assert_eq!(shown, want, "{}: {}", sh.label(), ran.stdout);
    }
});

per_shell!(non_interactive_shells_are_left_alone, |sh: Sh| {
    if sh == Sh::Fish {
        return;
    }
    let world = World::new();
    let p = project(&world);
    let Some(exe) = sh.find() else { return };
    let script = format!(
        "{}\ncd {}\necho \"VE=${{VIRTUAL_ENV-}}\"",
        sh.hook_line(),
        p.display()
    );
    let out = Command::new(exe)
        .arg("-c")
        .arg(script)
        .env_clear()
        .envs(world.env())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "VE=",
        "{}",
        sh.name()
    );
    assert!(out.stderr.is_empty());
});

/// How many times the autovenv binary is started, in a shell that loads the
/// hook and shows three prompts (strace counts every execve).
fn binary_runs_at_start(sh: Sh, world: &World, start: &std::path::Path) -> Option<usize> {
    let strace = util::required_tool("strace")?;
    let mut s = Script::new(sh, world);
    s.cwd = start.to_path_buf();
    s.run(":");
    s.run(":");
    let log = world.root.join(format!("strace-{}.log", sh.name()));
    let cmd = s.command();
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
    let mut traced = Command::new(strace);
    traced
        .args(["-f", "-qq", "-e", "trace=execve", "-o"])
        .arg(&log)
        .arg(program)
        .args(args)
        .env_clear()
        .envs(
            cmd.get_envs()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
        )
        .current_dir(start)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = traced.spawn().unwrap();
    {
        use std::io::Write;
        let input = s.input(&world.root, true);
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait().unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    let bin = bin();
    Some(
        text.lines()
            .filter(|l| l.contains("execve(") && l.contains(&format!("\"{}\"", bin.display())))
            .count(),
    )
}

per_shell!(
    loading_the_hook_costs_one_process_and_the_first_prompt_none,
    |sh: Sh| {
        let world = World::new();
        let p = project(&world);
        // Outside any project: `autovenv hook` alone.
        let Some(outside) = binary_runs_at_start(sh, &world, &world.root) else {
            return;
        };
        assert_eq!(outside, 1, "{}: outside a project", sh.name());
        // Started inside a project, the first prompt activates it: one more.
        let inside = binary_runs_at_start(sh, &world, &p).unwrap();
        assert_eq!(inside, 2, "{}: inside a project", sh.name());
    }
);

// The hook's PATH edit removes exactly the first entry equal to the one
// autovenv added, keeping empty entries, later duplicates and everything
// else; entries with pattern characters are taken literally.
per_shell!(path_removal_takes_out_one_entry_exactly, |sh: Sh| {
    let world = World::new();
    let mut s = Script::new(sh, &world);
    let (set, show) = match sh {
        Sh::Fish => (
            "set -gx PATH /a '' '/v*[x]/bin' /b '/v*[x]/bin' /usr/bin /bin",
            "echo \"P=$PATH\"",
        ),
        _ => (
            "PATH='/a::/v*[x]/bin:/b:/v*[x]/bin:/usr/bin:/bin'",
            "echo \"P=$PATH\"",
        ),
    };
    s.run(set);
    s.run("__autovenv_path_remove '/v*[x]/bin'");
    s.run(show);
    s.run("__autovenv_path_remove /nowhere");
    s.run(show);
    let ran = s.execute();
    let lines: Vec<&str> = ran.stdout.lines().filter(|l| l.starts_with("P=")).collect();
    let want = match sh {
        // fish joins PATH with ':' in "$PATH", an empty entry as '.'.
        Sh::Fish => "P=/a:.:/b:/v*[x]/bin:/usr/bin:/bin",
        _ => "P=/a::/b:/v*[x]/bin:/usr/bin:/bin",
    };
    assert_eq!(lines, [want, want], "{}: {}", sh.name(), ran.stderr);
});

// The binary at the hook's path replaced while the shell runs (an upgrade):
// the shell still has the functions of the hook it loaded, and the new
// binary's statements call functions of its own hook. Stood in for here by
// this build's hook with no `--hook` in its call (as every hook before
// that option) and without `__autovenv_walk`, which the check the binary
// sends calls (a hook of two days before the walk came had none, and every
// prompt after the first switch said "command not found"). The binary
// loads its own hook first: every step works, nothing is said but the
// switches, and the hook loaded passes this build's id from then on.
per_shell!(
    a_hook_of_another_build_is_replaced_by_this_builds,
    |sh: Sh| {
        let world = World::new();
        let p = project(&world);
        let sub = p.join("src");
        std::fs::create_dir(&sub).unwrap();
        let outside = world.path("outside");
        std::fs::create_dir(&outside).unwrap();
        // Printed in the project, where the first prompt has something to
        // change: the text holds no statements of this build for it.
        let out = Command::new(bin())
            .args(["hook", sh.name()])
            .env_clear()
            .envs(world.env())
            .env("PWD", &p)
            .current_dir(&p)
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let (set, call) = match sh {
            Sh::Fish => (
                "set -g __autovenv_hook_id ",
                "--hook \"$__autovenv_hook_id\" ",
            ),
            Sh::Zsh => (
                "typeset -g __autovenv_hook_id=",
                "--hook \"${__autovenv_hook_id-}\" ",
            ),
            Sh::Bash => ("__autovenv_hook_id=", "--hook \"${__autovenv_hook_id-}\" "),
        };
        let id = text
            .split(&format!("\n{set}"))
            .nth(1)
            .and_then(|rest| rest.lines().next())
            .expect("the hook sets its id")
            .to_string();
        assert_eq!(id.len(), 16, "{id}");
        assert!(text.contains(call));
        let old = text
            .replace(&format!("\n{set}{id}\n"), "\n")
            .replace(call, "")
            .replace("__autovenv_walk()", "__autovenv_walk_gone()")
            .replace(
                "function __autovenv_walk\n",
                "function __autovenv_walk_gone\n",
            );
        assert!(!old.contains(&id) && !old.contains(call) && old != text);
        let file = world.path("old-hook");
        std::fs::write(&file, old).unwrap();
        let mut s = Script::new(sh, &world);
        s.run(format!(
            "source {}",
            sh.quote(file.as_os_str().as_encoded_bytes())
        ));
        s.cd(&p);
        let inside = s.snap();
        s.cd(&sub);
        let below = s.snap();
        s.cd(&outside);
        let left = s.snap();
        s.cd(&sub);
        let back = s.snap();
        s.run(match sh {
        Sh::Fish => format!(
            "test \"$__autovenv_hook_id\" = {id}; and functions __autovenv_apply | string match -q -- '*--hook *'; and functions -q __autovenv_walk; and echo RELOADED"
        ),
        _ => format!(
            "[[ $__autovenv_hook_id == {id} && $(typeset -f __autovenv_apply) == *'--hook '* ]] && typeset -f __autovenv_walk >/dev/null && echo RELOADED"
        ),
    });
        let ran = s.execute_with(false);
        let venv = p.join("venv");
        ran.snaps[inside].assert_active(&venv, "proj", "1.0", BASE_PATH);
        ran.snaps[below].assert_active(&venv, "proj", "1.0", BASE_PATH);
        ran.snaps[left].assert_inactive(BASE_PATH, &util::base_prompt(sh));
        ran.snaps[back].assert_active(&venv, "proj", "1.0", BASE_PATH);
        assert!(
            ran.stdout.lines().any(|l| l.trim() == "RELOADED"),
            "stdout: {}\nstderr: {}",
            ran.stdout,
            ran.stderr
        );
        for bad in ["not found", "Unknown command", "rror"] {
            assert!(!ran.stderr.contains(bad), "{}", ran.stderr);
        }
        let said: Vec<&str> = ran
            .messages()
            .into_iter()
            .map(|m| m.split(" (").next().unwrap_or(m))
            .collect();
        assert_eq!(
            said,
            [
                "autovenv: activated proj",
                "autovenv: deactivated proj",
                "autovenv: activated proj"
            ],
            "{}",
            ran.stderr
        );
    }
);
