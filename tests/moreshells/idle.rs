//! Processes started by idle prompts and by a `cd`, counted off an strace
//! of the real interactive shell in tmux (never timed: benches/ does that).

use super::*;

const IDLE: usize = 20;

/// The programs executed between two marks (a mark is `/bin/true NAME`).
fn execs_between(trace: &str, from: &str, to: &str) -> Vec<String> {
    let execs: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("execve(") && !l.contains("resumed>"))
        .collect();
    let at = |m: &str| {
        execs
            .iter()
            .position(|l| l.contains(&format!("\"{m}\"")))
            .unwrap_or_else(|| panic!("mark {m} is not in the trace:\n{trace}"))
    };
    let (a, b) = (at(from), at(to));
    execs[a + 1..b]
        .iter()
        // xonsh's readline backend runs `sh -c "/usr/bin/stty sane"` after
        // every external command (the marks are one), hook or no hook.
        .filter(|l| {
            !l.contains("\"/usr/bin/stty sane\"") && !l.contains("execve(\"/usr/bin/stty\"")
        })
        .map(|l| l.split('"').nth(1).unwrap_or_default().to_string())
        .collect()
}

/// The trace's lines from one mark to the next, unfiltered.
fn trace_between(trace: &str, from: &str, to: &str) -> String {
    let lines: Vec<&str> = trace.lines().collect();
    let at = |m: &str| {
        lines
            .iter()
            .position(|l| l.contains(&format!("\"{m}\"")))
            .unwrap_or(0)
    };
    lines[at(from)..=at(to).max(at(from))].join("\n")
}

fn mark(sh: More, name: &str) -> String {
    match sh {
        More::Nu => format!("^/bin/true __t_mark_{name}"),
        More::Xonsh | More::Elvish => format!("/bin/true __t_mark_{name}"),
    }
}

more_shells!(idle_prompts_start_no_process, |sh: More| {
    let Some(strace) = util::required_tool("strace") else {
        return;
    };
    let world = World::new();
    let project = world.path("client_flask_app");
    let deep = project.join("src/a/b/c/d/e/f");
    let named = world.path("named_app");
    world.venv(&project.join("venv"), "1.1.4");
    world.venv(&world.central.join("shared"), "5.0.0");
    world.mkdir(&deep);
    world.mkdir(&named.join("src"));
    std::fs::write(named.join(".venv-name"), "shared\n").unwrap();
    world.allow(&project);
    let trace = world.home.join("trace");
    let wrapper: Vec<&OsStr> = [
        strace.as_os_str(),
        OsStr::new("-f"),
        OsStr::new("-qq"),
        OsStr::new("-e"),
        OsStr::new("signal=none"),
        OsStr::new("-e"),
        OsStr::new("trace=execve"),
        OsStr::new("-o"),
        trace.as_os_str(),
    ]
    .to_vec();
    let Some(t) = Terminal::start_wrapped(sh, &world, &world.root, "", &wrapper) else {
        return;
    };
    let stays = [
        ("deep", deep.clone()),
        ("named", named.join("src")),
        ("outside", world.root.clone()),
    ];
    for (name, dir) in &stays {
        t.run(&sh.cd(dir));
        t.run(&mark(sh, &format!("{name}_begin")));
        // An empty line, then the sync line (a builtin): two prompts each.
        // Keys typed ahead while nushell runs its hooks can be lost, so
        // each waits for the one before.
        for _ in 0..IDLE {
            t.run("");
        }
        t.run(&mark(sh, &format!("{name}_end")));
        // A cd: one process, the binary.
        t.run(&mark(sh, &format!("{name}_cd_before")));
        t.run(&sh.cd(&project));
        t.run(&mark(sh, &format!("{name}_cd_after")));
    }
    // What was typed and shown, for a failure below.
    let screen = t.screen();
    t.type_line("exit");
    // strace writes the last lines as the shell ends.
    std::thread::sleep(Duration::from_millis(1000));
    let text = std::fs::read_to_string(&trace).unwrap();
    for (name, _) in &stays {
        let idle = execs_between(
            &text,
            &format!("__t_mark_{name}_begin"),
            &format!("__t_mark_{name}_end"),
        );
        assert_eq!(
            idle,
            Vec::<String>::new(),
            "{IDLE} idle prompts ({name}) started processes"
        );
        let cd = execs_between(
            &text,
            &format!("__t_mark_{name}_cd_before"),
            &format!("__t_mark_{name}_cd_after"),
        );
        let autovenv: Vec<&String> = cd.iter().filter(|p| p.ends_with("/autovenv")).collect();
        // The sync lines in between are builtins; the one exec is the binary's.
        assert_eq!(
            autovenv.len(),
            1,
            "a cd ({name}) runs the binary once: {cd:?}\ntrace:\n{}\nscreen:\n{screen}",
            trace_between(
                &text,
                &format!("__t_mark_{name}_cd_before"),
                &format!("__t_mark_{name}_cd_after")
            )
        );
        assert_eq!(cd.len(), 1, "and nothing else: {cd:?}");
    }
});
