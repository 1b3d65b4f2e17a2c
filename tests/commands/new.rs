//! `autovenv new`: in the project, central with `--name`, with uv, and
//! its failures (no python3, a failed or interrupted creation).

use super::*;

/// Whether `python` in the snapshot ran from `venv` (its sys.prefix line;
/// the snapshot's import of a test module fails in a fresh venv, and that
/// traceback may come first).
fn python_runs_from(snap: &util::Snap, venv: &Path) -> bool {
    snap.python_str()
        .split(['\n', '\0'])
        .any(|l| Path::new(l.trim()) == venv)
}

// `autovenv new` typed at a prompt, with the real python3 (pip and all):
// the environment is made, trusted, and active at the next prompt.
per_shell!(new_is_active_at_the_next_prompt, |sh: Sh| {
    let world = World::new();
    let project = world.path("client_flask_app");
    world.mkdir(&project);
    let mut s = Script::new(sh, &world);
    s.cd(&project);
    s.run("autovenv new");
    let after = s.snap();
    s.cd(&world.root);
    let left = s.snap();
    let ran = s.execute();
    let venv = project.join("venv");
    let snap = &ran.snaps[after];
    assert_eq!(
        snap.virtual_env().as_deref(),
        Some(venv.as_path()),
        "{}",
        ran.stderr
    );
    assert_eq!(
        snap.path(),
        format!("{}:{BASE_PATH}", venv.join("bin").display())
    );
    assert_eq!(
        snap.var_str("VIRTUAL_ENV_PROMPT").as_deref(),
        Some("client_flask_app")
    );
    assert!(
        snap.prompt_str().starts_with("(client_flask_app) "),
        "{:?}",
        snap.prompt_str()
    );
    assert!(python_runs_from(snap, &venv), "{}", snap.python_str());
    ran.snaps[left].assert_inactive(BASE_PATH, &base_prompt(sh));
    // What `python3 -m venv --prompt PROJECT venv` makes: pip included.
    let cfg = std::fs::read_to_string(venv.join("pyvenv.cfg")).unwrap();
    assert!(cfg.contains("prompt = 'client_flask_app'"), "{cfg}");
    assert!(venv.join("bin/pip").exists());
    let messages = ran.messages();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("autovenv: created ") && m.contains("trusted it")),
        "{messages:#?}"
    );
    assert!(is_trusted(&world, &project));
});

#[test]
fn new_name_makes_a_central_environment_and_names_it_here() {
    let world = World::new();
    let project = world.path("personal_app");
    world.mkdir(&project);
    let py = quick_python(&world);
    let out = run_in(
        &world,
        &project,
        &["new", "--python", py.to_str().unwrap(), "--name", "flask2"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_messages_are_lines(&out);
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(world.central.join("flask2/pyvenv.cfg").exists());
    assert_eq!(
        std::fs::read(project.join(".venv-name")).unwrap(),
        b"flask2\n"
    );

    let status: Value =
        serde_json::from_slice(&run_in(&world, &project, &["status", "--json"], &[]).stdout)
            .unwrap();
    assert_eq!(status["reason"], "ready");
    assert_eq!(status["trust"]["how"], "central");
    assert_eq!(
        status["environment"]["path"],
        world.central.join("flask2").to_str().unwrap()
    );

    // The hook activates it.
    if let Some(sh) = [Sh::Bash, Sh::Zsh, Sh::Fish]
        .into_iter()
        .find(|s| s.find().is_some())
    {
        let mut s = Script::new(sh, &world);
        s.cd(&project);
        let inside = s.snap();
        let ran = s.execute();
        assert_eq!(
            ran.snaps[inside].virtual_env().as_deref(),
            Some(world.central.join("flask2").as_path())
        );
        assert_eq!(
            ran.snaps[inside].var_str("VIRTUAL_ENV_PROMPT").as_deref(),
            Some("flask2")
        );
    }
}

#[test]
fn new_without_python3_says_so_and_makes_nothing() {
    let world = World::new();
    let project = world.path("p");
    world.mkdir(&project);
    let empty = world.tmp.path().join("empty-bin");
    world.mkdir(&empty);
    let out = run_in(&world, &project, &["new"], &[("PATH", empty.as_os_str())]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "autovenv: python3 is not on PATH: install Python 3 (with its venv module), or name an interpreter with --python\n"
    );
    assert!(!project.join("venv").exists());

    let out = run_in(&world, &project, &["new", "--python", "python9.9"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--python python9.9: not found on PATH"),
        "{}",
        stderr(&out)
    );
    let out = run_in(
        &world,
        &project,
        &["new", "--python", "/no/such/python"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("there is no program there"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_dir(&project).unwrap().count(), 0);
}

#[test]
fn new_leaves_an_existing_venv_alone() {
    let world = World::new();
    let project = world.path("p");
    let py = quick_python(&world);
    let py = py.to_str().unwrap();

    // A real environment: refused, untouched, and not trusted behind the
    // user's back.
    make_venv(&project.join("venv"), "1.0", &[]);
    let out = run_in(&world, &project, &["new", "--python", py], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert!(stderr(&out).contains("autovenv allow"), "{}", stderr(&out));
    assert!(!is_trusted(&world, &project));

    // A folder called venv that is something else.
    let other = world.path("q");
    world.mkdir(&other.join("venv"));
    std::fs::write(other.join("venv/notes.txt"), "mine").unwrap();
    let out = run_in(&world, &other, &["new", "--python", py], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not an environment"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(other.join("venv/notes.txt")).unwrap(),
        b"mine"
    );

    // A .venv-name here would win over a new venv: refused before making it.
    let named = world.path("r");
    world.mkdir(&named);
    std::fs::write(named.join(".venv-name"), "flask2\n").unwrap();
    let out = run_in(&world, &named, &["new", "--python", py], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("would win over"), "{}", stderr(&out));
    assert!(!named.join("venv").exists());

    // --name: an existing central environment, or an existing .venv-name.
    let out = run_in(
        &world,
        &named,
        &["new", "--python", py, "--name", "other"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(".venv-name already exists"),
        "{}",
        stderr(&out)
    );
    assert!(!world.central.join("other").exists());
    make_venv(&world.central.join("taken"), "1.0", &[]);
    let fresh = world.path("s");
    world.mkdir(&fresh);
    let out = run_in(
        &world,
        &fresh,
        &["new", "--python", py, "--name", "taken"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("echo taken > .venv-name"),
        "{}",
        stderr(&out)
    );
    assert!(!fresh.join(".venv-name").exists());
}

#[test]
fn new_refuses_invalid_names() {
    let world = World::new();
    let project = world.path("p");
    world.mkdir(&project);
    let central = world.tmp.path().join("fresh-central");
    for bad in ["../x", "/etc", "a b", ".", "..", "x$(id)", ""] {
        let out = run_in(
            &world,
            &project,
            &["new", "--name", bad],
            &[("AUTOVENV_HOME", central.as_os_str())],
        );
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        assert_messages_are_lines(&out);
        assert_eq!(stderr(&out).lines().count(), 1, "{bad:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("not an environment name") || stderr(&out).contains("empty"),
            "{bad:?}: {}",
            stderr(&out)
        );
        assert!(!central.exists(), "{bad:?} made the central folder");
        assert!(!project.join(".venv-name").exists());
    }
}

#[test]
fn a_failed_creation_removes_what_it_made() {
    let world = World::new();
    let project = world.path("p");
    world.mkdir(&project);
    // Makes part of an environment, then fails, as a broken Python would.
    let failing = world.tmp.path().join("failing/python3");
    write_executable(
        &failing,
        "#!/bin/sh\nfor last; do :; done\nmkdir -p \"$last/bin\" && touch \"$last/pyvenv.cfg\"\necho 'Error: ensurepip is not available' >&2\nexit 3\n",
    );
    let out = run_in(
        &world,
        &project,
        &["new", "--python", failing.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("ensurepip is not available"), "{err}");
    assert!(err.contains("nothing was left behind"), "{err}");
    assert!(!project.join("venv").exists());

    // The central folder made for it goes too, and no .venv-name is left.
    let central = world.tmp.path().join("new-central");
    let out = run_in(
        &world,
        &project,
        &["new", "--python", failing.to_str().unwrap(), "--name", "x"],
        &[("AUTOVENV_HOME", central.as_os_str())],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!central.exists());
    assert!(!project.join(".venv-name").exists());

    // A program that succeeds but makes no environment is caught too.
    let out = run_in(&world, &project, &["new", "--python", "/bin/true"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("made no usable environment"),
        "{}",
        stderr(&out)
    );
    assert!(!project.join("venv").exists());
}

#[test]
fn a_folder_python_cannot_write_fails_cleanly() {
    // python3 -m venv cannot write a path that is not UTF-8 into its
    // scripts; autovenv reports it and leaves nothing half-made.
    let world = World::new();
    let project = world.root.join(OsStr::from_bytes(b"caf\xe9"));
    world.mkdir(&project);
    let out = run_in(
        &world,
        &project,
        &["new", "--python", quick_python(&world).to_str().unwrap()],
        &[],
    );
    if out.status.success() {
        assert!(project.join("venv/pyvenv.cfg").exists());
        assert!(is_trusted(&world, &project));
    } else {
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("-m venv failed"), "{}", stderr(&out));
        assert!(!project.join("venv").exists());
    }
}

#[test]
fn an_interrupted_creation_removes_what_it_made() {
    let world = World::new();
    let project = world.path("p");
    world.mkdir(&project);
    let slow = world.tmp.path().join("slow/python3");
    write_executable(
        &slow,
        "#!/bin/sh\nfor last; do :; done\nmkdir -p \"$last/bin\"\nexec sleep 30\n",
    );
    let child = world
        .autovenv()
        .current_dir(&project)
        .env("PWD", &project)
        .args(["new", "--python", slow.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !project.join("venv/bin").exists() {
        assert!(Instant::now() < deadline, "creation never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let started = Instant::now();
    signal(child.id(), "TERM");
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "did not stop the creator"
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("interrupted"), "{}", stderr(&out));
    assert!(!project.join("venv").exists());
}

#[test]
fn new_uses_uv_when_asked_and_available() {
    let world = World::new();
    let project = world.path("uv_app");
    world.mkdir(&project);
    // A stand-in for uv that records its arguments and makes a real
    // environment the way uv would.
    let fake = world.tmp.path().join("fakebin/uv");
    let log = world.tmp.path().join("uv-args");
    write_executable(
        &fake,
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{log}'\nfor last; do :; done\nprompt=\nfor a; do case $a in --prompt=*) prompt=${{a#--prompt=}};; esac; done\nexec {py} -m venv --without-pip --prompt \"$prompt\" \"$last\"\n",
            log = log.display(),
            py = real_python().display()
        ),
    );
    let path = format!("{}:{BASE_PATH}", fake.parent().unwrap().display());
    let out = run_in(
        &world,
        &project,
        &["new"],
        &[
            ("PATH", OsStr::new(&path)),
            ("AUTOVENV_CREATOR", OsStr::new("uv")),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let args = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        vec![
            "venv",
            "--quiet",
            "--prompt=uv_app",
            project.join("venv").to_str().unwrap()
        ]
    );
    assert!(is_trusted(&world, &project));

    // --python is passed on as uv's request.
    let other = world.path("uv_other");
    world.mkdir(&other);
    let out = run_in(
        &world,
        &other,
        &["new", "--python", "3.11", "--name", "uvenv"],
        &[
            ("PATH", OsStr::new(&path)),
            ("AUTOVENV_CREATOR", OsStr::new("uv")),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let args = std::fs::read_to_string(&log).unwrap();
    assert!(args.lines().any(|l| l == "--python=3.11"), "{args}");

    // Asked for uv without uv on PATH: said once, then python3 -m venv.
    let third = world.path("no_uv");
    world.mkdir(&third);
    let out = run_in(
        &world,
        &third,
        &["new", "--python", quick_python(&world).to_str().unwrap()],
        &[("AUTOVENV_CREATOR", OsStr::new("uv"))],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("uv is not on PATH; using python3 -m venv"),
        "{}",
        stderr(&out)
    );
    assert!(third.join("venv/pyvenv.cfg").exists());
}

#[test]
fn new_is_quiet_with_autovenv_quiet() {
    let world = World::new();
    let project = world.path("p");
    world.mkdir(&project);
    let out = run_in(
        &world,
        &project,
        &["new", "--python", quick_python(&world).to_str().unwrap()],
        &[("AUTOVENV_QUIET", OsStr::new("1"))],
    );
    assert!(out.status.success());
    assert_eq!(stderr(&out), "");
    assert_eq!(stdout(&out), "");
}
