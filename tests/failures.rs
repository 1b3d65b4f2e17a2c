//! When things go wrong (docs/behaviour.md): the shell is left as it was, one line
//! says what is wrong and what to do, it is not repeated on every prompt,
//! and the next prompt works.

use std::path::PathBuf;

use crate::util::{self, BASE_PATH, Script, Sh, World, base_prompt};

struct Setup {
    world: World,
    good: PathBuf,
}

fn setup() -> Setup {
    let world = World::new();
    let good = world.path("good");
    world.venv(&good.join("venv"), "1.0");
    world.allow(&good);
    Setup { world, good }
}

/// autovenv's lines that mention `what`.
fn lines_about<'a>(ran: &'a util::Ran, what: &str) -> Vec<&'a str> {
    ran.messages()
        .into_iter()
        .filter(|m| m.contains(what))
        .collect()
}

per_shell!(
    deleted_current_directory_changes_nothing_quietly,
    |sh: Sh| {
        let s0 = setup();
        let doomed = s0.world.path("doomed");
        s0.world.mkdir(&doomed);
        let inner = s0.good.join("inner");
        s0.world.mkdir(&inner);
        let mut s = Script::new(sh, &s0.world);
        s.cd(&doomed);
        s.run(format!(
            "rmdir {}",
            sh.quote(doomed.as_os_str().as_encoded_bytes())
        ));
        s.run("true");
        let gone = s.snap();
        // Deleted while inside an active project: it stays as it was.
        s.cd(&inner);
        s.run(format!(
            "rmdir {}",
            sh.quote(inner.as_os_str().as_encoded_bytes())
        ));
        s.run("true");
        let gone_inside = s.snap();
        s.cd(&s0.good);
        let works = s.snap();
        let ran = s.execute();
        ran.snaps[gone].assert_inactive(BASE_PATH, &base_prompt(sh));
        ran.snaps[gone_inside].assert_active(&s0.good.join("venv"), "good", "1.0", BASE_PATH);
        ran.snaps[works].assert_active(&s0.good.join("venv"), "good", "1.0", BASE_PATH);
        let noise: Vec<&str> = ran
            .messages()
            .into_iter()
            .filter(|m| !m.contains("activated") && !m.contains("deactivated"))
            .collect();
        assert!(noise.is_empty(), "{}: {noise:#?}", sh.name());
    }
);

per_bash!(export_in_a_deleted_directory_exits_quietly, |sh: Sh| {
    let s0 = setup();
    let doomed = s0.world.path("doomed");
    for hook in ["__AUTOVENV_LOCAL=", ""] {
        let out = std::process::Command::new(sh.find().unwrap())
            .arg("-c")
            .arg(format!(
                "mkdir -p {d} && cd {d} && rmdir {d} && {hook} {b} export bash; echo \"rc=$?\"",
                d = doomed.display(),
                b = util::bin().display()
            ))
            .env_clear()
            .envs(s0.world.env())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.ends_with("rc=0\n"), "{stdout}");
        // Only the hook's own bookkeeping, never a change to the environment.
        for line in stdout.lines() {
            assert!(
                line.starts_with("__autovenv_local=")
                    || line.starts_with("__autovenv_unchanged()")
                    || line == "__autovenv_leave_ready="
                    || line == "rc=0",
                "{line}"
            );
        }
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
});

per_bash!(unreadable_and_unsearchable_parents, |sh: Sh| {
    // Runs as `nobody`, whose interpreter must be reachable: the system's.
    let Some(system_python) = util::system_python_for_nobody() else {
        return;
    };
    let world = World::new();
    let make = |dir: &std::path::Path, version: &str| {
        util::make_venv_by_hand_with(&dir.join("venv"), &system_python);
        util::write_flaskish(&dir.join("venv"), version);
        world.allow(dir);
    };
    let good = world.path("good");
    make(&good, "1.0");
    // A parent that can be searched but not listed: autovenv never lists a
    // folder, so the project inside is found as usual.
    let locked = world.path("locked");
    let proj = locked.join("proj");
    make(&proj, "2.0");
    let stuck = world.path("stuck");
    world.mkdir(&stuck.join("inside"));
    let mut s = Script::new(sh, &world);
    s.as_nobody(&world);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o711)).unwrap();
    if util::is_root() {
        // nobody must own it to take its own permissions away.
        std::os::unix::fs::chown(&stuck, Some(65534), Some(65534)).unwrap();
    }
    s.cd(&proj);
    let found = s.snap();
    // A parent that stops being searchable while the shell is inside.
    s.cd(&stuck.join("inside"));
    s.run(format!("chmod 000 {}", stuck.display()));
    // Nothing the hook watches changed (a marker it could not see before it
    // still cannot see); an autovenv command makes it look again.
    s.run("autovenv status > /dev/null");
    s.run("true");
    s.run("true");
    let blocked = s.snap();
    s.run(format!("chmod 755 {}", stuck.display()));
    s.cd(&good);
    let works = s.snap();
    let ran = s.execute();
    ran.snaps[found].assert_active(&proj.join("venv"), "proj", "2.0", BASE_PATH);
    assert_eq!(ran.snaps[blocked].var("VIRTUAL_ENV"), None);
    assert_eq!(ran.snaps[blocked].path(), BASE_PATH);
    ran.snaps[works].assert_active(&good.join("venv"), "good", "1.0", BASE_PATH);
    let complaints = lines_about(&ran, "cannot look into");
    assert_eq!(complaints.len(), 1, "{:#?}", ran.messages());
    assert!(
        complaints[0].contains("cd elsewhere"),
        "says what to do: {}",
        complaints[0]
    );
});

per_shell!(symlink_loops_are_no_markers, |sh: Sh| {
    let s0 = setup();
    let loopy = s0.good.join("loopy");
    s0.world.mkdir(&loopy);
    for name in ["venv", ".venv", ".venv-name"] {
        std::os::unix::fs::symlink(name, loopy.join(name)).unwrap();
    }
    std::os::unix::fs::symlink("a", loopy.join("b")).unwrap();
    std::os::unix::fs::symlink("b", loopy.join("a")).unwrap();
    let mut s = Script::new(sh, &s0.world);
    s.cd(&loopy);
    let inside = s.snap();
    let ran = s.execute();
    // The loops mark nothing: the project above applies.
    ran.snaps[inside].assert_active(&s0.good.join("venv"), "good", "1.0", BASE_PATH);
    let noise = lines_about(&ran, "autovenv: ")
        .into_iter()
        .filter(|m| !m.contains("activated"))
        .count();
    assert_eq!(noise, 0, "{}: {:#?}", sh.name(), ran.messages());
});

per_shell!(
    venv_deleted_while_active_deactivates_at_the_next_prompt,
    |sh: Sh| {
        let s0 = setup();
        let mut s = Script::new(sh, &s0.world);
        s.cd(&s0.good);
        let on = s.snap();
        s.run(format!("rm -rf {}", s0.good.join("venv").display()));
        let off = s.snap();
        let ran = s.execute();
        ran.snaps[on].assert_active(&s0.good.join("venv"), "good", "1.0", BASE_PATH);
        assert_eq!(ran.snaps[off].var("VIRTUAL_ENV"), None, "{}", sh.name());
        assert_eq!(ran.snaps[off].path(), BASE_PATH, "{}", sh.name());
        assert_eq!(ran.snaps[off].prompt, base_prompt(sh), "{}", sh.name());
    }
);

per_bash!(damaged_pyvenv_cfg_is_reported_once, |sh: Sh| {
    let s0 = setup();
    let mut s = Script::new(sh, &s0.world);
    s.cd(&s0.good);
    let on = s.snap();
    s.run(format!(
        "printf '\\0\\1junk' > {}",
        s0.good.join("venv/pyvenv.cfg").display()
    ));
    // The hook watches for environments appearing and vanishing, not for
    // their contents: the damage is met on the way in.
    s.cd(&s0.world.root);
    s.cd(&s0.good);
    s.run("true");
    s.run("true");
    let damaged = s.snap();
    let ran = s.execute();
    ran.snaps[on].assert_active(&s0.good.join("venv"), "good", "1.0", BASE_PATH);
    ran.snaps[damaged].assert_inactive(BASE_PATH, &base_prompt(sh));
    let lines = lines_about(&ran, "pyvenv.cfg");
    assert_eq!(lines.len(), 1, "{:#?}", ran.messages());
    assert!(
        lines[0].contains("damaged") && lines[0].contains("recreate"),
        "{}",
        lines[0]
    );
});

per_bash!(forged_or_damaged_state_variable, |sh: Sh| {
    let s0 = setup();
    let other = s0.world.venv(&s0.world.path("other/venv"), "7.0");
    let cases: Vec<(&str, String, Option<String>)> = vec![
        ("garbage", "garbage".into(), None),
        ("truncated", "{\"v\":1,\"venv\":\"/x".into(), None),
        (
            "older",
            "{\"v\":0,\"venv\":\"/x\",\"root\":\"/\"}".into(),
            None,
        ),
        (
            "system folder",
            "{\"v\":1,\"venv\":\"/usr\",\"root\":\"/\"}".into(),
            None,
        ),
        (
            "another venv, set",
            format!(
                "{{\"v\":1,\"venv\":\"{}\",\"root\":\"/\"}}",
                s0.good.join("venv").display()
            ),
            Some(other.display().to_string()),
        ),
    ];
    for (what, state, virtual_env) in cases {
        let mut s = Script::new(sh, &s0.world).env("__AUTOVENV_STATE", &state);
        if let Some(ve) = &virtual_env {
            s = s.env("VIRTUAL_ENV", ve);
        }
        s.cd(&s0.world.root);
        s.run("true");
        let outside = s.snap();
        s.cd(&s0.good);
        let inside = s.snap();
        let ran = s.execute();
        // PATH is never touched by a forged value (/usr/bin stays).
        assert_eq!(ran.snaps[outside].path(), BASE_PATH, "{what}");
        match virtual_env {
            None => {
                ran.snaps[inside].assert_active(&s0.good.join("venv"), "good", "1.0", BASE_PATH);
                if what != "system folder" {
                    let lines = lines_about(&ran, "__AUTOVENV_STATE");
                    assert_eq!(lines.len(), 1, "{what}: {:#?}", ran.messages());
                }
            }
            // Someone else's activation, as far as autovenv can tell: left alone.
            Some(ve) => {
                assert_eq!(
                    ran.snaps[inside].var_str("VIRTUAL_ENV").as_deref(),
                    Some(ve.as_str()),
                    "{what}"
                );
                assert_eq!(ran.snaps[inside].path(), BASE_PATH, "{what}");
            }
        }
    }
});

per_bash!(home_unset_is_explained_once, |sh: Sh| {
    let s0 = setup();
    let named = s0.world.path("named");
    s0.world.mkdir(&named);
    std::fs::write(named.join(".venv-name"), "x\n").unwrap();
    let mut s = Script::new(sh, &s0.world);
    s.env.retain(|(k, _)| k != "HOME" && k != "AUTOVENV_HOME");
    s.cd(&named);
    s.run("true");
    let there = s.snap();
    s.cd(&s0.good);
    let works = s.snap();
    let ran = s.execute();
    ran.snaps[there].assert_inactive(BASE_PATH, &base_prompt(sh));
    ran.snaps[works].assert_active(&s0.good.join("venv"), "good", "1.0", BASE_PATH);
    let lines = lines_about(&ran, "HOME is not set");
    assert_eq!(lines.len(), 1, "{:#?}", ran.messages());
    assert!(
        lines[0].contains("AUTOVENV_HOME"),
        "says what to do: {}",
        lines[0]
    );
});

per_bash!(path_unset_or_empty_leaves_the_shell_alone, |sh: Sh| {
    for setup_line in ["unset PATH", "PATH="] {
        let s0 = setup();
        let mut s = Script::new(sh, &s0.world);
        s.run(setup_line);
        s.cd(&s0.good);
        s.run("true");
        s.run(format!("export PATH={BASE_PATH}"));
        let snap_after_fix = s.snap();
        let ran = s.execute();
        let lines = lines_about(&ran, "PATH is empty or unset");
        assert_eq!(lines.len(), 1, "{setup_line}: {:#?}", ran.messages());
        // Once PATH is back, the next prompt activates.
        ran.snaps[snap_after_fix].assert_active(&s0.good.join("venv"), "good", "1.0", BASE_PATH);
    }
});

per_bash!(huge_path_is_handled, |sh: Sh| {
    let s0 = setup();
    let mut huge: Vec<String> = (0..5000).map(|i| format!("/nonexistent/dir{i}")).collect();
    huge.push(BASE_PATH.to_string());
    let huge = huge.join(":");
    // LC_ALL names a locale this machine lacks (as ssh forwards it from
    // another machine): bash warns once as it starts, and the hook must not
    // make it warn again.
    let mut s = Script::new(sh, &s0.world)
        .env("PATH", &huge)
        .env("LC_ALL", "xx_XX.UTF-8");
    s.cd(&s0.good);
    let on = s.snap();
    s.cd(&s0.world.root);
    let off = s.snap();
    // The entry no longer first: the user prepended one.
    s.cd(&s0.good);
    s.run(sh.prepend_path("/mine/bin"));
    s.cd(&s0.world.root);
    let off_again = s.snap();
    let ran = s.execute();
    ran.snaps[on].assert_active(&s0.good.join("venv"), "good", "1.0", &huge);
    assert_eq!(ran.snaps[off].path(), huge);
    assert_eq!(ran.snaps[off_again].path(), format!("/mine/bin:{huge}"));
    let warnings = ran.stderr.matches("cannot change locale").count();
    assert!(warnings <= 1, "{warnings} locale warnings: {}", ran.stderr);
});

/// The statements the hook evaluates, one by one. bash and zsh get one per
/// line; fish gets one line, statements joined by `; `, where a function
/// definition runs from `function` to its `end`. (The paths in these tests
/// hold no `;`.)
fn statements_of(sh: Sh, text: &str) -> Vec<String> {
    if sh != Sh::Fish {
        return text.lines().map(str::to_string).collect();
    }
    assert_eq!(text.lines().count(), 1, "fish gets one line: {text}");
    let mut out: Vec<String> = Vec::new();
    let mut in_function = false;
    for piece in text.trim_end().split("; ") {
        if in_function {
            let last = out.last_mut().unwrap();
            last.push_str("; ");
            last.push_str(piece);
            in_function = piece != "end";
        } else {
            out.push(piece.to_string());
            in_function = piece.starts_with("function ");
        }
    }
    assert!(!in_function, "a function without its end: {text}");
    out
}

// Ctrl-C can stop the evaluated statements after any one of them; the next
// prompt must finish the job. Each cut point is tried in a real shell: the
// statements of a switch are evaluated up to line k, then prompts follow.
per_shell!(
    statements_cut_short_are_completed_by_the_next_prompt,
    |sh: Sh| {
        let s0 = setup();
        let other = s0.world.path("other");
        s0.world.venv(&other.join("venv"), "2.0");
        s0.world.allow(&other);
        let out_file = s0.world.root.join("switch.txt");
        // The statements of a switch, as the hook in this shell would get
        // them, asked from inside the shell while `good` is active.
        let mut probe = Script::new(sh, &s0.world);
        probe.cd(&s0.good);
        let local = if sh == Sh::Fish {
            "$__autovenv_local"
        } else {
            "\"$__autovenv_local\""
        };
        probe.run(format!(
            "env -C {o} PWD={o} __AUTOVENV_LOCAL={local} {b} export {n} > {f}",
            o = other.display(),
            b = util::bin().display(),
            n = sh.name(),
            f = out_file.display()
        ));
        probe.execute();
        let text = std::fs::read_to_string(&out_file).unwrap();
        let statements = statements_of(sh, &text);
        let n = statements.len();
        assert!(n > 5, "{}: {text}", sh.name());
        for k in 0..n {
            let partial: String = statements[..k].iter().map(|l| format!("{l}\n")).collect();
            let file = s0.world.root.join(format!("partial-{k}"));
            std::fs::write(&file, &partial).unwrap();
            let mut s = Script::new(sh, &s0.world);
            s.cd(&s0.good);
            // Move without the hook, apply k statements, then let prompts
            // (or, in fish, the PWD event held back until then) follow.
            s.run(match sh {
                // bash: inside a function, which the DEBUG trap that runs
                // the hook after a `cd` does not enter; the prompt's own
                // run of the hook comes after it.
                Sh::Bash => format!(
                    "__t_cut() {{ builtin cd {}; source {}; }}; __t_cut",
                    other.display(),
                    file.display()
                ),
                Sh::Zsh => format!("cd -q {}; source {}", other.display(), file.display()),
                Sh::Fish => format!(
                    "block -g; builtin cd {}; source {}; block -e",
                    other.display(),
                    file.display()
                ),
            });
            s.run("true");
            let done = s.snap();
            let ran = s.execute();
            ran.snaps[done].assert_active(&other.join("venv"), "other", "2.0", BASE_PATH);
        }
    }
);
