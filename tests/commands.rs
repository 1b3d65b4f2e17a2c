//! The commands end to end: `new`, `list`, `doctor`, `watch`,
//! `completions` and `man`, on real environments made by `python3 -m venv`,
//! in isolated homes, with their failure paths; `--json` output checked
//! against the schemas in docs/json.md.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

#[macro_use]
mod common;
#[path = "common/schema.rs"]
mod schema;

use std::ffi::OsStr;
use std::io::BufRead;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{BASE_PATH, Script, Sh, World, base_prompt, bin, make_venv};
use serde_json::Value;

// ---------------------------------------------------------------- helpers

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs the binary in `dir` with the world's environment plus `extra`.
fn run_in(world: &World, dir: &Path, args: &[&str], extra: &[(&str, &OsStr)]) -> Output {
    let mut c = world.autovenv();
    c.current_dir(dir).env("PWD", dir).args(args);
    for (k, v) in extra {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// Every line on stderr is one `autovenv: ` message.
fn assert_messages_are_lines(out: &Output) {
    for line in stderr(out).lines() {
        assert!(line.starts_with("autovenv: "), "stray stderr: {line:?}");
    }
}

fn write_executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The real interpreter, as an absolute path that does not go through
/// pyenv's shims (which need their own environment).
fn real_python() -> PathBuf {
    let out = Command::new(common::find_program("python3").unwrap())
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    PathBuf::from(stdout(&out).trim())
}

/// A `python3` that creates environments without pip: real ones, in a
/// fraction of the time (pip's installation is not what is tested here).
fn quick_python(world: &World) -> PathBuf {
    let exe = world.tmp.path().join("quick/python3");
    write_executable(
        &exe,
        &format!(
            "#!/bin/sh\nexec {} \"$@\" --without-pip\n",
            real_python().display()
        ),
    );
    exe
}

/// An environment whose base interpreter is gone: made through a link to
/// Python that is then removed (as when a pyenv version is uninstalled).
fn broken_venv(world: &World, dir: &Path) {
    let base = world.tmp.path().join(format!(
        "base-{}",
        dir.file_name().unwrap().to_string_lossy()
    ));
    std::fs::create_dir_all(&base).unwrap();
    std::os::unix::fs::symlink(real_python(), base.join("python3")).unwrap();
    let out = Command::new(base.join("python3"))
        .args(["-m", "venv", "--without-pip"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::remove_dir_all(&base).unwrap();
    assert!(!dir.join("bin/python").exists());
}

fn is_trusted(world: &World, dir: &Path) -> bool {
    let out = run_in(world, dir, &["status", "--json"], &[]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["trust"]["trusted"] == Value::Bool(true)
}

// --------------------------------------------------------------------- new

/// Whether `python` in the snapshot ran from `venv` (its sys.prefix line;
/// the snapshot's import of a test module fails in a fresh venv, and that
/// traceback may come first).
fn python_runs_from(snap: &common::Snap, venv: &Path) -> bool {
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

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success());
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

// ------------------------------------------------- broken environments

#[test]
fn status_reports_a_broken_environment_instead_of_activating_it() {
    let world = World::new();
    let project = world.path("old_app");
    broken_venv(&world, &project.join("venv"));
    world.allow(&project);
    let out = run_in(&world, &project, &["status"], &[]);
    let text = stdout(&out);
    assert!(text.contains("broken"), "{text}");
    assert!(
        text.contains("the hook:    nothing: the environment cannot be used"),
        "{text}"
    );
    // The interpreter that was removed is named, not the link to it.
    assert!(text.contains("/base-venv/python3, which is gone"), "{text}");
    let v: Value =
        serde_json::from_slice(&run_in(&world, &project, &["status", "--json"], &[]).stdout)
            .unwrap();
    assert_eq!(v["reason"], "unusable");
    assert_eq!(v["environment"]["healthy"], false);
    assert_eq!(v["action"], "none");
}

per_shell!(a_broken_environment_is_reported_not_activated, |sh: Sh| {
    let world = World::new();
    let project = world.path("old_app");
    broken_venv(&world, &project.join("venv"));
    world.allow(&project);
    let mut s = Script::new(sh, &world);
    s.cd(&project);
    let inside = s.snap();
    s.cd(&project.join("venv"));
    let ran = s.execute();
    ran.snaps[inside].assert_inactive(BASE_PATH, &base_prompt(sh));
    let broken: Vec<&str> = ran
        .messages()
        .into_iter()
        .filter(|m| m.contains("is broken"))
        .collect();
    assert_eq!(
        broken.len(),
        1,
        "said once, not on every prompt: {:#?}",
        ran.messages()
    );
    assert!(broken[0].contains("recreate it"), "{}", broken[0]);
});

// ------------------------------------------------ the documented schemas

/// Holds `value` to the schema docs/json.md gives for `name`.
fn validate(value: &Value, name: &str) {
    let bad = schema::violations(&schema::documented(name), value);
    assert!(
        bad.is_empty(),
        "{name} output breaks docs/json.md: {bad:#?}\n{value:#}"
    );
}

// -------------------------------------------------------------------- list

#[test]
fn list_shows_central_environments_and_trusted_projects() {
    let world = World::new();
    make_venv(&world.central.join("flask2"), "2.0", &[]);
    broken_venv(&world, &world.central.join("old"));
    world.mkdir(&world.central.join("not-an-env"));
    let app = world.path("client_app");
    make_venv(&app.join("venv"), "1.1", &[]);
    world.allow(&app);
    let gone = world.path("gone_app");
    make_venv(&gone.join(".venv"), "1.0", &[]);
    world.allow(&gone);
    std::fs::remove_dir_all(&gone).unwrap();
    // A project naming flask2: known because it is the one `list` runs in.
    let user = world.path("personal_app");
    world.mkdir(&user);
    std::fs::write(user.join(".venv-name"), "flask2\n").unwrap();

    let out = run_in(&world, &user, &["list"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle}:\n{text}"))
    };
    assert!(line("flask2").contains("healthy"));
    assert!(line("flask2").contains(user.to_str().unwrap()));
    assert!(line("  old").contains("broken"));
    assert!(!text.contains("not-an-env"));
    assert!(line("client_app").contains("healthy"));
    assert!(line("gone_app").contains("gone"));
    assert!(text.contains("others may name these too"), "{text}");

    let out = run_in(&world, &user, &["list", "--json"], &[]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&v, "list");
    let envs = v["central"]["environments"].as_array().unwrap();
    let names: Vec<&str> = envs.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["flask2", "old"]);
    assert_eq!(envs[0]["healthy"], true);
    assert_eq!(envs[0]["used_by"][0], user.to_str().unwrap());
    assert_eq!(envs[1]["healthy"], false);
    assert!(
        envs[1]["problem"]
            .as_str()
            .unwrap()
            .contains("which is gone")
    );
    let trusted = v["trusted"].as_array().unwrap();
    assert_eq!(trusted.len(), 2);
    let by_project = |p: &Path| {
        trusted
            .iter()
            .find(|t| t["project"] == p.to_str().unwrap())
            .unwrap()
    };
    assert_eq!(by_project(&app)["exists"], true);
    assert_eq!(by_project(&app)["healthy"], true);
    assert_eq!(by_project(&gone)["exists"], false);

    // Run elsewhere, the project naming flask2 is not known.
    let v: Value =
        serde_json::from_slice(&run_in(&world, &world.root, &["list", "--json"], &[]).stdout)
            .unwrap();
    assert_eq!(
        v["central"]["environments"][0]["used_by"],
        serde_json::json!([])
    );
}

#[test]
fn list_knows_the_projects_made_with_new_name() {
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
    // Known from anywhere, not only from inside the project.
    let out = run_in(&world, &world.root, &["list", "--json"], &[]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&v, "list");
    assert_eq!(
        v["central"]["environments"][0]["used_by"],
        serde_json::json!([project.to_str().unwrap()])
    );
    // Once its .venv-name names something else, it no longer counts.
    std::fs::write(project.join(".venv-name"), "other\n").unwrap();
    let v: Value =
        serde_json::from_slice(&run_in(&world, &world.root, &["list", "--json"], &[]).stdout)
            .unwrap();
    assert_eq!(
        v["central"]["environments"][0]["used_by"],
        serde_json::json!([])
    );
}

#[test]
fn list_with_nothing_and_with_an_unknown_central_folder() {
    let world = World::new();
    let out = run_in(&world, &world.root, &["list", "--json"], &[]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&v, "list");
    assert_eq!(v["central"]["environments"], serde_json::json!([]));
    assert_eq!(v["trusted"], serde_json::json!([]));

    // No HOME and no AUTOVENV_HOME: the central folder is unknown, said so.
    let mut c = Command::new(bin());
    c.env_clear()
        .env("PATH", BASE_PATH)
        .env("AUTOVENV_DATA_DIR", &world.data)
        .current_dir(&world.root)
        .args(["list", "--json"]);
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&v, "list");
    assert_eq!(v["central"]["folder"], Value::Null);
    assert!(
        v["central"]["problem"]
            .as_str()
            .unwrap()
            .contains("AUTOVENV_HOME")
    );
}

#[test]
fn list_fails_when_the_trust_store_cannot_be_read() {
    let world = World::new();
    let not_a_folder = world.tmp.path().join("file");
    std::fs::write(&not_a_folder, "x").unwrap();
    let out = run_in(
        &world,
        &world.root,
        &["list", "--json"],
        &[("AUTOVENV_DATA_DIR", not_a_folder.as_os_str())],
    );
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&v, "list");
    assert_eq!(v["problems"].as_array().unwrap().len(), 1);
    assert_messages_are_lines(&out);
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));
}

// ------------------------------------------------------------------ doctor

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

// ------------------------------------------------------------------- watch

struct Watch {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
}

impl Watch {
    fn start(world: &World, dir: &Path, json: bool) -> Watch {
        let mut c = world.autovenv();
        c.current_dir(&world.root).arg("watch").arg(dir);
        if json {
            c.arg("--json");
        }
        let mut child = c
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watch { child, lines }
    }

    /// The next line, within `limit`.
    fn next(&self, limit: Duration) -> String {
        self.lines
            .recv_timeout(limit)
            .unwrap_or_else(|e| panic!("no line from watch within {limit:?}: {e}"))
    }

    fn next_json(&self, limit: Duration) -> Value {
        let v: Value = serde_json::from_str(&self.next(limit)).unwrap();
        validate(&v, "watch");
        v
    }

    fn finish(self, limit: Duration) -> Output {
        let start = Instant::now();
        let mut child = self.child;
        loop {
            if child.try_wait().unwrap().is_some() {
                return child.wait_with_output().unwrap();
            }
            if start.elapsed() > limit {
                let _ = child.kill();
                panic!("watch did not end within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn watch_sees_a_venv_made_and_removed_within_a_second() {
    let world = World::new();
    let project = world.path("app");
    let deep = project.join("src/pkg");
    world.mkdir(&deep);
    let w = Watch::start(&world, &deep, true);
    let first = w.next_json(Duration::from_secs(5));
    assert_eq!(first["reason"], "no-project");
    assert_eq!(first["directory"], deep.to_str().unwrap());

    make_venv(&project.join("venv"), "1.0", &[]);
    let made = Instant::now();
    // Lines may come while Python is still writing; within a second of it
    // finishing, the last says the environment is there.
    let mut last = w.next_json(Duration::from_secs(5));
    while let Ok(line) = w.lines.recv_timeout(Duration::from_millis(400)) {
        last = serde_json::from_str(&line).unwrap();
        validate(&last, "watch");
    }
    assert!(made.elapsed() < SECOND + Duration::from_millis(400));
    assert_eq!(last["reason"], "untrusted", "{last}");
    assert_eq!(last["environment"], project.join("venv").to_str().unwrap());
    assert_eq!(last["project"], project.to_str().unwrap());
    assert_eq!(last["marker"], "venv-dir");
    assert_eq!(last["healthy"], true);
    assert_eq!(last["trusted"], false);
    assert!(
        last["allow_command"]
            .as_str()
            .unwrap()
            .starts_with("autovenv allow ")
    );

    world.allow(&project);
    let v = w.next_json(SECOND);
    assert_eq!(v["reason"], "ready", "{v}");
    assert_eq!(v["trusted"], true);
    assert_eq!(v["prompt"], "app");

    std::fs::remove_dir_all(project.join("venv")).unwrap();
    let v = w.next_json(SECOND);
    assert_eq!(v["reason"], "no-project", "{v}");
    assert_eq!(v["environment"], Value::Null);

    // And back again: the new folder is watched too.
    make_venv(&project.join("venv"), "1.0", &[]);
    let v = w.next_json(Duration::from_secs(5));
    assert_eq!(
        v["environment"],
        project.join("venv").to_str().unwrap(),
        "{v}"
    );

    // Removing the directory ends the watch, cleanly.
    std::fs::remove_dir_all(&project).unwrap();
    let out = w.finish(SECOND);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is gone; the watch ends"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn watch_follows_a_venv_name_file_in_text() {
    let world = World::new();
    make_venv(&world.central.join("flask2"), "2.0", &[]);
    let project = world.path("personal_app");
    world.mkdir(&project);
    let w = Watch::start(&world, &project, false);
    assert_eq!(
        w.next(Duration::from_secs(5)),
        "no-project: no environment applies here"
    );

    std::fs::write(project.join(".venv-name"), "flask2\n").unwrap();
    let line = w.next(SECOND);
    assert!(
        line.starts_with("ready: ") && line.contains("central/flask2 (flask2, Python "),
        "{line}"
    );

    std::fs::write(project.join(".venv-name"), "missing\n").unwrap();
    let line = w.next(SECOND);
    assert!(
        line.starts_with("unusable: ") && line.contains("autovenv new --name missing"),
        "{line}"
    );

    std::fs::write(project.join(".venv-name"), "../etc\n").unwrap();
    let line = w.next(SECOND);
    assert!(line.contains("refused"), "{line}");
}

#[test]
fn watch_ends_cleanly_on_ctrl_c() {
    let world = World::new();
    let w = Watch::start(&world, &world.root, true);
    w.next_json(Duration::from_secs(5));
    signal(w.child.id(), "INT");
    let out = w.finish(SECOND);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
}

#[test]
fn watch_refuses_a_missing_folder() {
    let world = World::new();
    let out = run_in(&world, &world.root, &["watch", "nowhere"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("nowhere is not a folder"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn the_documented_schemas_refuse_what_they_should() {
    let good: Value = serde_json::from_str(
        r#"{"version":1,"directory":"/d","reason":"no-project","project":null,"marker":null,
            "environment":null,"prompt":null,"python_version":null,"healthy":null,
            "trusted":false,"allow_command":null,"problem":null}"#,
    )
    .unwrap();
    validate(&good, "watch");
    for (field, bad) in [
        ("reason", Value::from("maybe")),
        ("trusted", Value::Null),
        ("version", Value::from(2)),
        ("extra", Value::from(1)),
    ] {
        let mut v = good.clone();
        v[field] = bad;
        let found = schema::violations(&schema::documented("watch"), &v);
        assert!(!found.is_empty(), "{field} should be refused");
    }
    let list: Value = serde_json::from_str(
        r#"{"version":1,"central":{"folder":null,"exists":false,"problem":"x","environments":[
            {"name":"a","path":"/a","python_version":null,"healthy":"yes","problem":null,"used_by":[]}]},
            "trusted":[],"problems":[]}"#,
    )
    .unwrap();
    let found = schema::violations(&schema::documented("list"), &list);
    assert_eq!(found.len(), 1, "{found:#?}");
}

// --------------------------------------------- completions, man and help

per_shell!(completions_load_and_complete, |sh: Sh| {
    let world = World::new();
    let file = world.tmp.path().join("completions");
    let out = run_in(&world, &world.root, &["completions", sh.name()], &[]);
    assert!(out.status.success());
    std::fs::write(&file, &out.stdout).unwrap();
    let q = sh.quote(file.as_os_str().as_bytes());
    // Each shell loads the file and completes `autovenv st` and `autovenv
    // new --`; an error while loading fails the command.
    let (args, script): (&[&str], String) = match sh {
        Sh::Bash => (
            &["--norc", "--noprofile", "-e", "-c"],
            format!(
                "source {q}
complete -p autovenv >/dev/null
COMP_WORDS=(autovenv st); COMP_CWORD=1; COMP_LINE='autovenv st'; COMP_POINT=${{#COMP_LINE}}
_autovenv autovenv st autovenv; printf '%s\\n' \"${{COMPREPLY[@]}}\"
COMP_WORDS=(autovenv new --); COMP_CWORD=2; COMP_LINE='autovenv new --'; COMP_POINT=${{#COMP_LINE}}
_autovenv autovenv -- new; printf '%s\\n' \"${{COMPREPLY[@]}}\""
            ),
        ),
        Sh::Zsh => (
            &["--no-rcs", "-e", "-c"],
            format!(
                "autoload -U compinit; compinit -u -d {d}
source {q}
print -r -- ${{_comps[autovenv]}}
(( ${{+functions[_autovenv]}} )) && print defined",
                d = sh.quote(world.tmp.path().join("zcompdump").as_os_str().as_bytes())
            ),
        ),
        Sh::Fish => (
            &["--no-config", "-c"],
            format!(
                "source {q}; or exit 1\ncomplete -C 'autovenv st'\ncomplete -C 'autovenv new --'"
            ),
        ),
    };
    let out = Command::new(sh.find().unwrap())
        .args(args)
        .arg(&script)
        .env_clear()
        .envs(world.env())
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{}\n{}", text, stderr(&out));
    assert_eq!(stderr(&out), "", "loading printed errors");
    match sh {
        Sh::Zsh => {
            assert!(text.contains("_autovenv"), "{text}");
            assert!(text.contains("defined"), "{text}");
        }
        _ => {
            assert!(text.lines().any(|l| l.starts_with("status")), "{text}");
            assert!(text.lines().any(|l| l.starts_with("--python")), "{text}");
            assert!(text.lines().any(|l| l.starts_with("--name")), "{text}");
        }
    }
    // The internal command is not offered.
    assert!(!text.lines().any(|l| l.starts_with("export")), "{text}");
});

#[test]
fn completions_for_an_unknown_shell_is_a_usage_error() {
    let world = World::new();
    let out = run_in(&world, &world.root, &["completions", "tcsh"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
}

#[test]
fn the_man_page_comes_from_the_same_definitions() {
    let world = World::new();
    let out = run_in(&world, &world.root, &["man"], &[]);
    assert!(out.status.success());
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq \\(aq") || page.contains(".TH autovenv 1"),
        "{page}"
    );
    for command in [
        "new",
        "list",
        "doctor",
        "watch",
        "completions",
        "status",
        "allow",
    ] {
        assert!(
            page.contains(&format!("autovenv\\-{command}(1)")),
            "{command} missing"
        );
    }
    let dir = world.tmp.path().join("man1");
    let out = run_in(
        &world,
        &world.root,
        &["man", "--dir", dir.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for page in [
        "autovenv.1",
        "autovenv-new.1",
        "autovenv-watch.1",
        "autovenv-doctor.1",
    ] {
        assert!(dir.join(page).is_file(), "{page}");
    }
    assert!(
        !dir.join("autovenv-export.1").exists(),
        "the internal command has no page"
    );
    // Rendered by the real man when it is there.
    if common::find_program("man").is_some() {
        let out = Command::new("man")
            .arg("-l")
            .arg(dir.join("autovenv-new.1"))
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100")
            .output()
            .unwrap();
        let text = stdout(&out);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(text.contains("--python"), "{text}");
        assert!(text.contains("Examples: autovenv new"), "{text}");
    }
}

#[test]
fn every_command_has_an_example_in_its_help() {
    let world = World::new();
    for command in [
        "hook",
        "status",
        "allow",
        "deny",
        "new",
        "list",
        "doctor",
        "watch",
        "completions",
        "man",
    ] {
        let out = run_in(&world, &world.root, &[command, "--help"], &[]);
        assert!(out.status.success(), "{command}");
        let text = stdout(&out);
        assert!(
            text.contains("Example: ") || text.contains("Examples:"),
            "{command} --help has no example:\n{text}"
        );
    }
}
