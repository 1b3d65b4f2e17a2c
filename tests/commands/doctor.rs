//! `autovenv doctor`: what it finds wrong with a setup, and how it says
//! to fix it.

use super::*;

/// A world whose shell setup is right: bash with the hook in ~/.bashrc.
fn healthy_home(world: &World) {
    std::fs::write(
        world.home.join(".bashrc"),
        "alias ll='ls -l'\neval \"$(autovenv hook bash)\"\n",
    )
    .unwrap();
}

fn doctor(world: &World, dir: &Path, extra: &[(&str, &OsStr)]) -> Output {
    let mut env: Vec<(&str, &OsStr)> = vec![
        ("SHELL", OsStr::new("/bin/bash")),
        ("__AUTOVENV_SHELL", OsStr::new("bash")),
    ];
    env.extend_from_slice(extra);
    run_in(world, dir, &["doctor"], &env)
}

fn fixes(out: &Output) -> Vec<String> {
    let text = stdout(out);
    match text.split_once("\nto fix:\n") {
        None => Vec::new(),
        Some((_, list)) => list.lines().map(str::to_string).collect(),
    }
}

#[test]
fn doctor_passes_a_healthy_setup() {
    let world = World::new();
    healthy_home(&world);
    make_venv(&world.central.join("flask2"), "2.0", &[]);
    let app = world.path("app");
    make_venv(&app.join("venv"), "1.0", &[]);
    world.allow(&app);
    let out = doctor(&world, &app, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("hook:") && text.contains("loaded in this shell (bash)"),
        "{text}"
    );
    assert!(text.contains("~/.bashrc:2 (bash)"), "{text}");
    assert!(text.contains("2 checked, all healthy"), "{text}");
    assert!(text.ends_with("\nall is well\n"), "{text}");
    assert_eq!(stderr(&out), "");
}

#[test]
fn doctor_says_how_to_load_the_hook() {
    let world = World::new();
    // Not loaded, and not in the rc file: one fix, the line to add.
    let out = run_in(
        &world,
        &world.root,
        &["doctor"],
        &[("SHELL", OsStr::new("/usr/bin/zsh"))],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        fixes(&out),
        [
            "1. the hook is not loaded: add `eval \"$(autovenv hook zsh)\"` at the end of ~/.zshrc, then open a new shell"
        ]
    );
    assert_eq!(stderr(&out), "autovenv: 1 thing to fix (listed above)\n");

    // In the rc file, but not in the shell that ran doctor.
    std::fs::create_dir_all(world.home.join(".config/fish")).unwrap();
    std::fs::write(
        world.home.join(".config/fish/config.fish"),
        "autovenv hook fish | source\n",
    )
    .unwrap();
    let out = run_in(
        &world,
        &world.root,
        &["doctor"],
        &[("SHELL", OsStr::new("/usr/bin/fish"))],
    );
    assert_eq!(out.status.code(), Some(1));
    let f = fixes(&out);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].contains(
            "~/.config/fish/config.fish loads the hook, but the shell that ran doctor has not"
        ),
        "{f:#?}"
    );

    // Loaded by hand, but new shells will not have it.
    let out = run_in(
        &world,
        &world.root,
        &["doctor"],
        &[
            ("SHELL", OsStr::new("/bin/bash")),
            ("__AUTOVENV_SHELL", OsStr::new("bash")),
        ],
    );
    let f = fixes(&out);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].contains("does not load it, so new bash shells will not have it"),
        "{f:#?}"
    );

    // A later PROMPT_COMMAND= throws the hook away.
    std::fs::write(
        world.home.join(".bashrc"),
        "eval \"$(autovenv hook bash)\"\nPROMPT_COMMAND='history -a'\n",
    )
    .unwrap();
    let out = doctor(&world, &world.root, &[]);
    let f = fixes(&out);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].contains("sets PROMPT_COMMAND on line 2, after the hook (line 1)"),
        "{f:#?}"
    );
}

#[test]
fn doctor_finds_broken_and_moved_environments() {
    let world = World::new();
    healthy_home(&world);
    broken_venv(&world, &world.central.join("old"));
    // Made in one project, then moved to another: its scripts still point
    // at the first place.
    let first = world.path("first");
    let second = world.path("second");
    make_venv(&first.join("venv"), "1.0", &[]);
    world.mkdir(&second);
    std::fs::rename(first.join("venv"), second.join("venv")).unwrap();
    world.allow(&second);

    let out = doctor(&world, &world.root, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let f = fixes(&out);
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!(
        f.iter()
            .any(|l| l.contains("/central/old is broken") && l.contains("which is gone")),
        "{f:#?}"
    );
    assert!(
        f.iter().any(|l| l.contains("second/venv was created at") && l.contains("first/venv and moved")),
        "{f:#?}"
    );
    assert!(
        stdout(&out).contains("2 checked, 2 broken"),
        "{}",
        stdout(&out)
    );
    // `list` says the same about them.
    let v: Value =
        serde_json::from_slice(&run_in(&world, &world.root, &["list", "--json"], &[]).stdout)
            .unwrap();
    assert_eq!(v["trusted"][0]["healthy"], false);
    assert!(
        v["trusted"][0]["problem"]
            .as_str()
            .unwrap()
            .contains("moved")
    );
}

#[test]
fn doctor_finds_python_shadowing_the_active_environment() {
    let world = World::new();
    healthy_home(&world);
    let app = world.path("app");
    make_venv(&app.join("venv"), "1.0", &[]);
    world.allow(&app);
    let venv_bin = app.join("venv/bin");
    let shims = world.tmp.path().join(".pyenv/shims");
    write_executable(&shims.join("python"), "#!/bin/sh\n");
    let shadowed = format!("{}:{}:{BASE_PATH}", shims.display(), venv_bin.display());
    let active = [
        ("VIRTUAL_ENV", app.join("venv").into_os_string()),
        ("PATH", shadowed.into()),
    ];
    let env: Vec<(&str, &OsStr)> = active.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    let out = doctor(&world, &app, &env);
    assert_eq!(out.status.code(), Some(1));
    let f = fixes(&out);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].contains(&format!(
            "{} comes before {}",
            shims.display(),
            venv_bin.display()
        )),
        "{f:#?}"
    );
    assert!(f[0].contains("pyenv"), "{f:#?}");

    // In the right order, all is well.
    let good = format!("{}:{}:{BASE_PATH}", venv_bin.display(), shims.display());
    let out = doctor(
        &world,
        &app,
        &[
            ("VIRTUAL_ENV", app.join("venv").as_os_str()),
            ("PATH", OsStr::new(&good)),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// What `conda init zsh` writes.
const CONDA_INIT: &str = "# >>> conda initialize >>>
# !! Contents within this block are managed by 'conda init' !!
__conda_setup=\"$('/opt/miniconda3/bin/conda' 'shell.zsh' 'hook' 2> /dev/null)\"
if [ $? -eq 0 ]; then
    eval \"$__conda_setup\"
fi
unset __conda_setup
# <<< conda initialize <<<
";

#[test]
fn doctor_finds_other_tools_that_switch_environments() {
    let world = World::new();
    std::fs::write(
        world.home.join(".bashrc"),
        "eval \"$(direnv hook bash)\"\neval \"$(autovenv hook bash)\"\n",
    )
    .unwrap();
    std::fs::write(
        world.home.join(".zshrc"),
        format!(
            "plugins=(git autoswitch_virtualenv)\neval \"$(pyenv virtualenv-init -)\"\n{CONDA_INIT}"
        ),
    )
    .unwrap();
    std::fs::create_dir_all(world.home.join(".config/fish/conf.d")).unwrap();
    std::fs::write(
        world.home.join(".config/fish/conf.d/virtualfish-loader.fish"),
        "set -g VIRTUALFISH_VERSION 2.5\nemit virtualfish_did_setup_plugins\nvf install auto_activation\n",
    )
    .unwrap();
    let app = world.path("app");
    make_venv(&app.join("venv"), "1.0", &[]);
    world.allow(&app);
    std::fs::write(app.join(".envrc"), "layout python3\n").unwrap();

    let out = doctor(&world, &app, &[]);
    assert_eq!(out.status.code(), Some(1));
    let f = fixes(&out).join("\n");
    for needle in [
        "/app/.envrc activates a Python environment through direnv",
        "pyenv-virtualenv's auto-activation is on (~/.zshrc)",
        "conda activates its base environment",
        "zsh-autoswitch-virtualenv is loaded (~/.zshrc)",
        "virtualfish's auto_activation plugin is loaded",
    ] {
        assert!(f.contains(needle), "{needle:?} missing from:\n{f}");
    }
    assert_eq!(fixes(&out).len(), 5, "{f}");

    // conda told not to auto-activate, the .envrc without Python, and the
    // plugins gone: nothing left to fix.
    std::fs::write(world.home.join(".condarc"), "auto_activate_base: false\n").unwrap();
    std::fs::write(app.join(".envrc"), "export DATABASE_URL=sqlite://\n").unwrap();
    std::fs::write(world.home.join(".zshrc"), CONDA_INIT).unwrap();
    std::fs::remove_file(
        world
            .home
            .join(".config/fish/conf.d/virtualfish-loader.fish"),
    )
    .unwrap();
    let out = doctor(&world, &app, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("direnv, conda (auto-activation off)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn doctor_reports_a_missing_named_central_folder() {
    let world = World::new();
    healthy_home(&world);
    let missing = world.tmp.path().join("nowhere");
    let out = doctor(
        &world,
        &world.root,
        &[("AUTOVENV_HOME", missing.as_os_str())],
    );
    assert_eq!(out.status.code(), Some(1));
    let f = fixes(&out);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].contains("AUTOVENV_HOME names") && f[0].contains("does not exist"),
        "{f:#?}"
    );

    // The default folder not made yet is fine: `new --name` makes it.
    let mut c = world.autovenv();
    c.env_remove("AUTOVENV_HOME")
        .env("SHELL", "/bin/bash")
        .env("__AUTOVENV_SHELL", "bash")
        .current_dir(&world.root)
        .arg("doctor");
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("not created yet"), "{}", stdout(&out));
}

// `autovenv doctor` typed in a hooked shell sees the hook.
per_shell!(doctor_sees_the_hook_in_a_real_shell, |sh: Sh| {
    let world = World::new();
    let (rc, line) = match sh {
        Sh::Bash => (world.home.join(".bashrc"), "eval \"$(autovenv hook bash)\""),
        Sh::Zsh => (world.home.join(".zshrc"), "eval \"$(autovenv hook zsh)\""),
        Sh::Fish => (
            world.home.join(".config/fish/config.fish"),
            "autovenv hook fish | source",
        ),
    };
    std::fs::create_dir_all(rc.parent().unwrap()).unwrap();
    std::fs::write(&rc, format!("{line}\n")).unwrap();
    let status = match sh {
        Sh::Fish => "echo doctor-exit=$status",
        _ => "echo doctor-exit=$?",
    };
    let mut s = Script::new(sh, &world).env("SHELL", format!("/bin/{}", sh.name()));
    s.run(format!("autovenv doctor; {status}"));
    let ran = s.execute();
    assert!(
        ran.stdout
            .contains(&format!("loaded in this shell ({})", sh.name())),
        "{}\n{}",
        ran.stdout,
        ran.stderr
    );
    assert!(ran.stdout.contains("doctor-exit=0"), "{}", ran.stdout);
});
