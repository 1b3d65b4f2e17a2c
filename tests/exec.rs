//! Outside the interactive prompt: `autovenv exec`, `export dotenv` and the
//! non-interactive hook, with real environments, real shells and a real
//! python-dotenv.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util::{self, BASE_PATH, Sh, World, bin};

type Env = BTreeMap<Vec<u8>, Vec<u8>>;

/// Prints `sys.prefix`, then whether the module only project `a` holds can
/// be imported.
const WHICH_PYTHON: &str = "import sys, importlib.util as u; print(sys.prefix); print(u.find_spec('onlyhere') is not None)";

/// A two-project world: `a` and `b`, each with a real environment, both
/// trusted; only `a`'s holds the module `onlyhere`.
struct TwoProjects {
    world: World,
    a: PathBuf,
    b: PathBuf,
}

fn two_projects() -> TwoProjects {
    let world = World::new();
    let a = world.path("a");
    let b = world.path("b");
    util::make_venv(&a.join("venv"), "1", &[]);
    util::make_venv(&b.join("venv"), "2", &[]);
    std::fs::write(site_packages(&a.join("venv")).join("onlyhere.py"), "").unwrap();
    world.allow(&a);
    world.allow(&b);
    TwoProjects { world, a, b }
}

fn site_packages(venv: &Path) -> PathBuf {
    let lib = std::fs::read_dir(venv.join("lib"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    lib.join("site-packages")
}

/// `autovenv exec ARGS` in `dir`, with the world's environment.
fn exec_in(world: &World, dir: &Path, args: &[&str]) -> Command {
    let mut c = world.autovenv();
    c.arg("exec").args(args).current_dir(dir).env("PWD", dir);
    c
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What `python -c WHICH_PYTHON` printed: the prefix and whether `onlyhere`
/// imported.
fn python_said(out: &Output) -> (String, bool) {
    assert!(
        out.status.success(),
        "{:?}: {}{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    let said = text(&out.stdout);
    let mut lines = said.lines();
    let prefix = lines.next().unwrap_or_default().to_string();
    let found = lines.next() == Some("True");
    (prefix, found)
}

fn parse_env0(raw: &[u8]) -> Env {
    raw.split(|&b| b == 0)
        .filter(|kv| !kv.is_empty())
        .filter_map(|kv| {
            let eq = kv.iter().position(|&b| b == b'=')?;
            Some((kv[..eq].to_vec(), kv[eq + 1..].to_vec()))
        })
        .collect()
}

fn get<'a>(env: &'a Env, name: &str) -> Option<&'a [u8]> {
    env.get(name.as_bytes()).map(Vec::as_slice)
}

/// The environment `autovenv exec` gives a command, from `env -0`.
fn exec_env(mut c: Command) -> Env {
    c.args(["--", "env", "-0"]);
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    parse_env0(&out.stdout)
}

fn venv_bin_first(venv: &Path, rest: &str) -> Vec<u8> {
    [
        venv.join("bin").as_os_str().as_bytes(),
        b":",
        rest.as_bytes(),
    ]
    .concat()
}

#[test]
fn from_env_i_each_project_runs_its_own_python() {
    let t = two_projects();
    for (dir, holds_module) in [(&t.a, true), (&t.b, false)] {
        // Nothing in the environment at all, but where the trust store is
        // (a real user's is found through the password database's home
        // folder, which a test cannot make its own).
        let out = Command::new(bin())
            .env_clear()
            .env("AUTOVENV_DATA_DIR", &t.world.data)
            .current_dir(dir)
            .args(["exec", "--", "python", "-c", WHICH_PYTHON])
            .output()
            .unwrap();
        let (prefix, found) = python_said(&out);
        assert_eq!(Path::new(&prefix), dir.join("venv"));
        assert_eq!(found, holds_module, "onlyhere importable in {dir:?}");
        assert_eq!(text(&out.stderr), "", "nothing to say when all is well");
    }
    // PATH was unset: the venv's bin goes before what execvp searches.
    let env = exec_env({
        let mut c = Command::new(bin());
        c.env_clear()
            .env("AUTOVENV_DATA_DIR", &t.world.data)
            .current_dir(&t.a)
            .arg("exec");
        c
    });
    assert_eq!(
        get(&env, "PATH"),
        Some(venv_bin_first(&t.a.join("venv"), "/bin:/usr/bin").as_slice())
    );
    assert_eq!(
        get(&env, "VIRTUAL_ENV"),
        Some(t.a.join("venv").as_os_str().as_bytes())
    );
}

#[test]
fn with_nothing_at_all_in_the_environment() {
    // `env -i` for real: no HOME, no PATH, nothing. Outside any project
    // the command gets exactly that empty environment...
    let world = World::new();
    let plain = world.path("plain");
    world.mkdir(&plain);
    let out = Command::new(bin())
        .env_clear()
        .current_dir(&plain)
        .args(["exec", "--", "env"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "", "runs unchanged");
    assert_eq!(text(&out.stderr), "");
    // ...and an environment no one allowed is refused (the trust store is
    // then the one under the password database's home, which knows
    // nothing of this test's folders).
    let repo = world.path("repo");
    util::make_venv_by_hand(&repo.join("venv"));
    let marker = world.path("RAN");
    let out = Command::new(bin())
        .env_clear()
        .current_dir(&repo)
        .args(["exec", "--", "/usr/bin/touch"])
        .arg(&marker)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(!marker.exists());
    assert_eq!(
        text(&out.stderr).lines().count(),
        1,
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn cron_like_environment() {
    // cron gives HOME, a minimal PATH and little else; the trust store is
    // then the platform's, under HOME.
    let world = World::new();
    let a = world.path("a");
    util::make_venv(&a.join("venv"), "1", &[]);
    let allowed = Command::new(bin())
        .env_clear()
        .env("HOME", &world.home)
        .env("PATH", "/usr/bin:/bin")
        .args(["allow"])
        .arg(&a)
        .output()
        .unwrap();
    assert!(allowed.status.success(), "{}", text(&allowed.stderr));
    let out = Command::new(bin())
        .env_clear()
        .env("HOME", &world.home)
        .env("PATH", "/usr/bin:/bin")
        .env("SHELL", "/bin/sh")
        .current_dir(&world.home)
        .arg("exec")
        .arg("--dir")
        .arg(&a)
        .args(["--", "python", "-c", WHICH_PYTHON])
        .output()
        .unwrap();
    let (prefix, _) = python_said(&out);
    assert_eq!(Path::new(&prefix), a.join("venv"));
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn dir_from_elsewhere_keeps_the_working_directory() {
    let t = two_projects();
    let elsewhere = t.world.path("elsewhere");
    t.world.mkdir(&elsewhere);
    let script = format!("{WHICH_PYTHON}; import os; print(os.getcwd())");
    for dir in [t.a.as_os_str(), OsStr::new("../a"), OsStr::new("./../a/.")] {
        let out = exec_in(&t.world, &elsewhere, &[])
            .arg("--dir")
            .arg(dir)
            .args(["--", "python", "-c", &script])
            .output()
            .unwrap();
        let (prefix, found) = python_said(&out);
        assert_eq!(Path::new(&prefix), t.a.join("venv"), "--dir {dir:?}");
        assert!(found);
        // Named as `cd` would show it, not as `a/../a/./venv`.
        let env = exec_env({
            let mut c = exec_in(&t.world, &elsewhere, &[]);
            c.arg("--dir").arg(dir);
            c
        });
        assert_eq!(
            get(&env, "VIRTUAL_ENV"),
            Some(t.a.join("venv").as_os_str().as_bytes())
        );
        assert_eq!(
            text(&out.stdout).lines().nth(2),
            elsewhere.to_str(),
            "the command runs where exec was started"
        );
    }
}

#[test]
fn exit_status_pid_and_signals_are_the_commands() {
    let t = two_projects();
    let status = exec_in(&t.world, &t.a, &["--", "sh", "-c", "exit 7"])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(7));

    // Same process: the PID exec was started with is the command's.
    let child = exec_in(&t.world, &t.a, &["--", "sh", "-c", "echo $$"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert_eq!(text(&out.stdout).trim(), pid.to_string());

    // A SIGTERM to the command ends exec with that very signal. Sent once
    // the process has become `sleep`, so that it is the command's answer
    // and not autovenv's.
    let mut child = exec_in(&t.world, &t.a, &["--", "sleep", "30"])
        .spawn()
        .unwrap();
    let comm = format!("/proc/{}/comm", child.id());
    let start = std::time::Instant::now();
    while std::fs::read_to_string(&comm).unwrap_or_default().trim() != "sleep" {
        assert!(start.elapsed().as_secs() < 10, "exec never became sleep");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(15), "{status:?}");

    // No signal left ignored or blocked by autovenv: the command starts as
    // if run directly.
    let grep = ["grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"];
    let direct = Command::new(grep[0]).args(&grep[1..]).output().unwrap();
    let via = exec_in(&t.world, &t.a, &["--"])
        .args(grep)
        .output()
        .unwrap();
    assert_eq!(text(&via.stdout), text(&direct.stdout));
}

#[test]
fn commands_that_cannot_run_exit_as_in_a_shell() {
    let t = two_projects();
    let missing = exec_in(&t.world, &t.a, &["--", "no-such-command-here"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(127));
    assert_eq!(
        text(&missing.stderr),
        "autovenv: cannot run no-such-command-here: command not found\n"
    );
    let data = t.a.join("data.txt");
    std::fs::write(&data, "").unwrap();
    let not_runnable = exec_in(&t.world, &t.a, &["--"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(not_runnable.status.code(), Some(126));
    assert_eq!(text(&not_runnable.stderr).lines().count(), 1);
    // No command is a usage error, and so is a mistyped option of exec's
    // own: it is never taken for the command.
    let none = exec_in(&t.world, &t.a, &["--"]).output().unwrap();
    assert_eq!(none.status.code(), Some(2));
    let marker = t.a.join("RAN");
    let typo = exec_in(&t.world, &t.a, &["--requir", "touch"])
        .arg(&marker)
        .output()
        .unwrap();
    assert_eq!(typo.status.code(), Some(2));
    assert!(!marker.exists());
    // After the command, options are the command's.
    let out = exec_in(&t.world, &t.a, &["sh", "-c", "echo $0 $1", "--dir", "-x"])
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), "--dir -x\n");
}

#[test]
fn an_untrusted_project_is_refused_and_the_command_not_run() {
    let world = World::new();
    let repo = world.path("cloned repo");
    util::make_venv(&repo.join(".venv"), "1", &[]);
    let marker = world.path("RAN");
    let out = exec_in(&world, &repo, &["--", "touch"])
        .arg(&marker)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!marker.exists(), "the command ran");
    assert_eq!(text(&out.stdout), "");
    let said = text(&out.stderr);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.contains("the command was not run")
            && said.contains("autovenv allow '")
            && said.contains("cloned repo"),
        "{said}"
    );
}

#[test]
fn no_project_runs_unchanged_unless_required() {
    let world = World::new();
    let plain = world.path("plain");
    world.mkdir(&plain);
    let env = exec_env(exec_in(&world, &plain, &[]));
    let mut expected: Env = world
        .env()
        .into_iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect();
    expected.insert(b"PWD".to_vec(), plain.as_os_str().as_bytes().to_vec());
    assert_eq!(env, expected);

    let marker = world.path("RAN");
    let out = exec_in(&world, &plain, &["--require", "--", "touch"])
        .arg(&marker)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!marker.exists());
    assert!(text(&out.stderr).contains("--require"));
}

#[test]
fn a_hand_activated_environment_is_replaced_not_stacked() {
    let t = two_projects();
    let b_venv = t.b.join("venv");
    let hand_path = [b_venv.join("bin").to_str().unwrap(), "/mine", BASE_PATH].join(":");
    let mut c = exec_in(&t.world, &t.a, &[]);
    c.env("VIRTUAL_ENV", &b_venv)
        .env("VIRTUAL_ENV_PROMPT", "b")
        .env("PATH", &hand_path);
    let env = exec_env(c);
    let a_venv = t.a.join("venv");
    assert_eq!(
        get(&env, "PATH"),
        Some(venv_bin_first(&a_venv, &format!("/mine:{BASE_PATH}")).as_slice()),
        "b's bin is gone, the user's own entry stays"
    );
    assert_eq!(
        get(&env, "VIRTUAL_ENV"),
        Some(a_venv.as_os_str().as_bytes())
    );
    assert_eq!(get(&env, "VIRTUAL_ENV_PROMPT"), Some(&b"a"[..]));

    // fish's activate.fish exports what it saved: that goes too, and the
    // PYTHONHOME it put aside comes back before autovenv puts it aside
    // again (restored by autovenv's own deactivation).
    let mut c = exec_in(&t.world, &t.a, &[]);
    c.env("VIRTUAL_ENV", &b_venv)
        .env("PATH", &hand_path)
        .env("_OLD_VIRTUAL_PATH", BASE_PATH)
        .env("_OLD_VIRTUAL_PYTHONHOME", "/opt/py");
    let env = exec_env(c);
    assert_eq!(get(&env, "_OLD_VIRTUAL_PATH"), None);
    assert_eq!(get(&env, "_OLD_VIRTUAL_PYTHONHOME"), None);
    assert_eq!(get(&env, "PYTHONHOME"), None);
    let state = text(get(&env, "__AUTOVENV_STATE").unwrap());
    assert!(state.contains("\"pythonhome\":\"/opt/py\""), "{state}");

    // autovenv's own activation of b, inherited from a shell in b, is
    // switched: b's entry out, a's in, once.
    let from_b = exec_env(exec_in(&t.world, &t.b, &[]));
    let mut c = exec_in(&t.world, &t.a, &[]);
    c.env_clear().envs(from_b.iter().map(|(k, v)| {
        (
            OsStr::from_bytes(k).to_os_string(),
            OsStr::from_bytes(v).to_os_string(),
        )
    }));
    c.env("PWD", &t.a);
    let env = exec_env(c);
    assert_eq!(
        get(&env, "PATH"),
        Some(venv_bin_first(&a_venv, BASE_PATH).as_slice())
    );
    // And the python that runs is a's.
    let out = exec_in(&t.world, &t.a, &["--", "python", "-c", WHICH_PYTHON])
        .env("VIRTUAL_ENV", &b_venv)
        .env("PATH", &hand_path)
        .output()
        .unwrap();
    let (prefix, found) = python_said(&out);
    assert_eq!(Path::new(&prefix), a_venv);
    assert!(found);
}

// --- export dotenv -------------------------------------------------------

/// A Python that can import python-dotenv: `$AUTOVENV_TEST_TOOLS/python`
/// (.ci/exec-tools makes one). None, with the reason printed, when there is
/// none; under AUTOVENV_TEST_REQUIRE_SHELLS=1 that is a failure.
fn dotenv_python() -> Option<PathBuf> {
    let found = util::test_setting("AUTOVENV_TEST_TOOLS")
        .map(|dir| PathBuf::from(dir).join("python"))
        .filter(|py| {
            Command::new(py)
                .args(["-c", "import dotenv"])
                .output()
                .is_ok_and(|o| o.status.success())
        });
    found.or_else(|| {
        util::unavailable(
            "no python-dotenv: set AUTOVENV_TEST_TOOLS to a venv's bin holding it (bash .ci/exec-tools prints one)",
        )
    })
}

/// The file as python-dotenv reads it.
fn read_by_python_dotenv(python: &Path, file: &Path) -> BTreeMap<String, String> {
    let out = Command::new(python)
        .args([
            "-c",
            "import dotenv, json, sys; print(json.dumps(dotenv.dotenv_values(sys.argv[1])))",
        ])
        .arg(file)
        .env_clear()
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The variables bash has after `set -a; . FILE`.
fn read_by_bash(file: &Path) -> Env {
    let out = Command::new(util::find_program("bash").unwrap())
        .args([
            "--norc",
            "--noprofile",
            "-c",
            "set -a; . \"$1\"; set +a; env -0",
            "_",
        ])
        .arg(file)
        .env_clear()
        .env("PATH", BASE_PATH)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    parse_env0(&out.stdout)
}

/// systemd's `EnvironmentFile=` reader, ported line for line from
/// `parse_env_file_internal` and `load_env_file_push` (src/basic/env-file.c,
/// v255+): systemd is no program a test can run on its own.
fn read_like_systemd(file: &[u8]) -> Result<Vec<(String, String)>, String> {
    #[derive(PartialEq, Clone, Copy)]
    enum St {
        PreKey,
        Key,
        PreValue,
        Value,
        ValueEscape,
        Single,
        Double,
        DoubleEscape,
        Comment,
        CommentEscape,
    }
    const WHITESPACE: &[u8] = b" \t\n\r";
    const NEWLINE: &[u8] = b"\n\r";
    const NEED_ESCAPE: &[u8] = b"\"\\`$";
    let mut out = Vec::new();
    let (mut key, mut value) = (Vec::new(), None::<Vec<u8>>);
    let (mut key_ws, mut value_ws) = (None::<usize>, None::<usize>);
    let mut push = |key: &mut Vec<u8>, value: &mut Option<Vec<u8>>, key_ws: Option<usize>| {
        if let Some(at) = key_ws {
            key.truncate(at);
        }
        let k = String::from_utf8(std::mem::take(key)).map_err(|_| "invalid UTF-8 key")?;
        let v = String::from_utf8(value.take().unwrap_or_default())
            .map_err(|_| "invalid UTF-8 value")?;
        out.push((k, v));
        Ok::<(), String>(())
    };
    let mut st = St::PreKey;
    for &c in file {
        match st {
            St::PreKey => {
                if b"#;".contains(&c) {
                    st = St::Comment;
                } else if !WHITESPACE.contains(&c) {
                    st = St::Key;
                    key_ws = None;
                    key.push(c);
                }
            }
            St::Key => {
                if NEWLINE.contains(&c) {
                    st = St::PreKey;
                    key.clear();
                } else if c == b'=' {
                    st = St::PreValue;
                    value_ws = None;
                } else {
                    if !WHITESPACE.contains(&c) {
                        key_ws = None;
                    } else if key_ws.is_none() {
                        key_ws = Some(key.len());
                    }
                    key.push(c);
                }
            }
            St::PreValue => {
                if NEWLINE.contains(&c) {
                    st = St::PreKey;
                    push(&mut key, &mut value, key_ws)?;
                } else if c == b'\'' {
                    st = St::Single;
                } else if c == b'"' {
                    st = St::Double;
                } else if c == b'\\' {
                    st = St::ValueEscape;
                } else if !WHITESPACE.contains(&c) {
                    st = St::Value;
                    value.get_or_insert_with(Vec::new).push(c);
                }
            }
            St::Value => {
                if NEWLINE.contains(&c) {
                    st = St::PreKey;
                    if let (Some(at), Some(v)) = (value_ws, value.as_mut()) {
                        v.truncate(at);
                    }
                    push(&mut key, &mut value, key_ws)?;
                } else if c == b'\\' {
                    st = St::ValueEscape;
                    value_ws = None;
                } else {
                    let v = value.get_or_insert_with(Vec::new);
                    if !WHITESPACE.contains(&c) {
                        value_ws = None;
                    } else if value_ws.is_none() {
                        value_ws = Some(v.len());
                    }
                    v.push(c);
                }
            }
            St::ValueEscape => {
                st = St::Value;
                if !NEWLINE.contains(&c) {
                    value.get_or_insert_with(Vec::new).push(c);
                }
            }
            St::Single => {
                if c == b'\'' {
                    st = St::PreValue;
                } else {
                    value.get_or_insert_with(Vec::new).push(c);
                }
            }
            St::Double => {
                if c == b'"' {
                    st = St::PreValue;
                } else if c == b'\\' {
                    st = St::DoubleEscape;
                } else {
                    value.get_or_insert_with(Vec::new).push(c);
                }
            }
            St::DoubleEscape => {
                st = St::Double;
                let v = value.get_or_insert_with(Vec::new);
                if NEED_ESCAPE.contains(&c) {
                    v.push(c);
                } else if c != b'\n' {
                    v.extend([b'\\', c]);
                }
            }
            St::Comment => {
                if c == b'\\' {
                    st = St::CommentEscape;
                } else if NEWLINE.contains(&c) {
                    st = St::PreKey;
                }
            }
            St::CommentEscape => {
                st = if NEWLINE.contains(&c) {
                    St::PreKey
                } else {
                    St::Comment
                };
            }
        }
    }
    if matches!(
        st,
        St::PreValue | St::Value | St::ValueEscape | St::Single | St::Double | St::DoubleEscape
    ) {
        if st == St::Value
            && let (Some(at), Some(v)) = (value_ws, value.as_mut())
        {
            v.truncate(at);
        }
        push(&mut key, &mut value, key_ws)?;
    }
    Ok(out)
}

/// docker's `--env-file` reader (`parseKeyValueFile` in docker/cli's
/// opts/parse.go): one line per variable, leading white space trimmed,
/// `#` lines skipped, the value taken as it is after the first `=`.
fn read_like_docker(file: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    // bufio.ScanLines: split at \n, drop one \r before it.
    let mut lines: Vec<&[u8]> = file.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    for raw in lines {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = std::str::from_utf8(raw).map_err(|_| "invalid utf8 bytes".to_string())?;
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').ok_or("no value")?;
        let key = key.trim_start_matches([' ', '\t']);
        if key.is_empty() || key.contains([' ', '\t']) {
            return Err(format!("bad key {key:?}"));
        }
        out.push((key.to_string(), value.to_string()));
    }
    Ok(out)
}

fn export_dotenv(world: &World, dir: &Path, extra: &[&str]) -> Output {
    let mut c = world.autovenv();
    c.args(["export", "dotenv"])
        .args(extra)
        .current_dir(dir)
        .env("PWD", dir);
    c.output().unwrap()
}

#[test]
fn dotenv_is_read_back_exactly_for_every_hostile_name() {
    let python = dotenv_python();
    let world = World::new();
    let inherited: Env = world
        .env()
        .into_iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect();
    for (name, _) in util::hostile_names() {
        let dir = world.root.join(OsStr::from_bytes(name));
        util::make_venv_by_hand(&dir.join("venv"));
        world.allow(&dir);
        let out = export_dotenv(&world, &dir, &[]);
        // What exec gives a command: the reference for every reader.
        let mut from_exec = exec_env(exec_in(&world, &dir, &[]));
        from_exec.remove(&b"PWD"[..]);
        let changed: Env = from_exec
            .into_iter()
            .filter(|(k, v)| inherited.get(k) != Some(v))
            .collect();
        assert_eq!(
            get(&changed, "VIRTUAL_ENV"),
            Some(dir.join("venv").as_os_str().as_bytes()),
            "exec carries every byte"
        );
        if std::str::from_utf8(name).is_err() {
            assert_eq!(out.status.code(), Some(1), "{name:?}");
            assert_eq!(text(&out.stdout), "", "nothing half-written");
            let said = text(&out.stderr);
            assert_eq!(said.lines().count(), 1, "{said}");
            assert!(said.contains("not UTF-8"), "{said}");
            continue;
        }
        assert!(out.status.success(), "{name:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stderr), "");
        let file = world.root.join("env-file");
        std::fs::write(&file, &out.stdout).unwrap();

        let bash = read_by_bash(&file);
        for (k, v) in &changed {
            assert_eq!(
                bash.get(k).map(|v| text(v)),
                Some(text(v)),
                "bash reads {} for {name:?}; file:\n{}",
                text(k),
                text(&out.stdout)
            );
        }
        let expected: BTreeMap<String, String> =
            changed.iter().map(|(k, v)| (text(k), text(v))).collect();
        let by_systemd: BTreeMap<String, String> = read_like_systemd(&out.stdout)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(by_systemd, expected, "systemd for {name:?}");
        // docker's form: every value as it is, or refused in one line.
        let literal = export_dotenv(&world, &dir, &["--literal"]);
        if name.contains(&b'\n') {
            assert_eq!(literal.status.code(), Some(1));
            assert_eq!(text(&literal.stdout), "");
            assert_eq!(text(&literal.stderr).lines().count(), 1);
        } else {
            assert!(literal.status.success(), "{}", text(&literal.stderr));
            let by_docker: BTreeMap<String, String> = read_like_docker(&literal.stdout)
                .unwrap()
                .into_iter()
                .collect();
            assert_eq!(by_docker, expected, "docker for {name:?}");
        }
        if let Some(python) = &python {
            let read = read_by_python_dotenv(python, &file);
            assert_eq!(
                read,
                expected,
                "python-dotenv for {name:?}; file:\n{}",
                text(&out.stdout)
            );
        }
    }
}

#[test]
fn dotenv_refuses_what_no_quoting_carries_and_literal_is_for_docker() {
    let world = World::new();
    // A quote and a `$` in one value: single quotes cannot hold the quote,
    // and in double quotes bash and python-dotenv read `\$` differently.
    let mixed = world.path("it's $x");
    util::make_venv_by_hand(&mixed.join("venv"));
    world.allow(&mixed);
    let out = export_dotenv(&world, &mixed, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    assert!(text(&out.stderr).starts_with("autovenv: PATH holds both"));
    // docker takes values as they are: this one is fine there...
    let literal = export_dotenv(&world, &mixed, &["--literal"]);
    assert!(literal.status.success(), "{}", text(&literal.stderr));
    let lines = text(&literal.stdout);
    assert!(
        lines.contains(&format!("\nVIRTUAL_ENV={}/venv\n", mixed.display())),
        "{lines}"
    );
    // ...but a newline is not.
    let newline = world.path("new\nline");
    util::make_venv_by_hand(&newline.join("venv"));
    world.allow(&newline);
    let out = export_dotenv(&world, &newline, &["--literal"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).contains("docker"),
        "{}",
        text(&out.stderr)
    );
    // --dir from elsewhere gives the same lines; an untrusted project none.
    let here = export_dotenv(&world, &world.root, &["--literal", "--dir"]);
    assert_eq!(here.status.code(), Some(2), "--dir needs a value");
    let from_elsewhere = {
        let mut c = world.autovenv();
        c.args(["export", "dotenv", "--literal", "--dir"])
            .arg(&mixed)
            .current_dir(&world.root)
            .env("PWD", &world.root);
        c.output().unwrap()
    };
    assert_eq!(text(&from_elsewhere.stdout), lines);
    let untrusted = world.path("untrusted");
    util::make_venv_by_hand(&untrusted.join("venv"));
    let out = export_dotenv(&world, &untrusted, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    assert!(text(&out.stderr).contains("nothing was printed"));
}

#[test]
fn export_json_takes_dir() {
    let t = two_projects();
    let mut c = t.world.autovenv();
    c.args(["export", "json", "--dir"])
        .arg(&t.b)
        .current_dir(&t.a)
        .env("PWD", &t.a);
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["set"]["VIRTUAL_ENV"], t.b.join("venv").to_str().unwrap());
}

// --- the non-interactive hook ------------------------------------------

/// Puts the documented line into the file that `sh` reads when it starts
/// without a prompt, and returns the environment that makes it read it.
fn non_interactive_setup(sh: Sh, world: &World) -> Vec<(OsString, OsString)> {
    let b = bin();
    let q = sh.quote(b.as_os_str().as_bytes());
    let mut env = world.env();
    match sh {
        Sh::Bash => {
            let file = world.home.join(".bash_env");
            std::fs::write(
                &file,
                format!("eval \"$({q} hook bash --non-interactive)\"\n"),
            )
            .unwrap();
            env.push(("BASH_ENV".into(), file.into()));
        }
        Sh::Zsh => {
            std::fs::write(
                world.home.join(".zshenv"),
                format!("[[ -o interactive ]] || eval \"$({q} hook zsh --non-interactive)\"\n"),
            )
            .unwrap();
        }
        Sh::Fish => {
            let dir = world.home.join(".config/fish");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join("config.fish"),
                format!("status is-interactive; or {q} hook fish --non-interactive | source\n"),
            )
            .unwrap();
        }
    }
    env
}

fn shell_c(sh: Sh, env: &[(OsString, OsString)], dir: &Path, script: &str) -> Output {
    Command::new(sh.find().unwrap())
        .args(["-c", script])
        .env_clear()
        .envs(env.iter().cloned())
        .env("PWD", dir)
        .current_dir(dir)
        .output()
        .unwrap()
}

per_shell!(non_interactive_start_runs_the_projects_python, |sh: Sh| {
    let t = two_projects();
    let env = non_interactive_setup(sh, &t.world);
    let script = format!("python -c \"{WHICH_PYTHON}\"");
    for (dir, holds) in [(&t.a, true), (&t.b, false)] {
        let out = shell_c(sh, &env, dir, &script);
        let (prefix, found) = python_said(&out);
        assert_eq!(Path::new(&prefix), dir.join("venv"), "{}", sh.name());
        assert_eq!(found, holds);
        assert_eq!(text(&out.stderr), "", "quiet when all is well");
    }
    // Outside any project: nothing changes, nothing is said.
    let out = shell_c(sh, &env, &t.world.root, "printenv PATH");
    assert_eq!(text(&out.stdout).trim(), BASE_PATH);
    assert_eq!(text(&out.stderr), "");
    // An untrusted project: one line, and the shell goes on without it.
    let repo = t.world.path("repo");
    util::make_venv_by_hand(&repo.join("venv"));
    let out = shell_c(sh, &env, &repo, "printenv PATH");
    assert_eq!(text(&out.stdout).trim(), BASE_PATH);
    let said = text(&out.stderr);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.starts_with("autovenv: found") && said.contains("this shell runs without it"),
        "{said}"
    );
});

per_shell!(
    non_interactive_statements_do_nothing_interactively,
    |sh: Sh| {
        let t = two_projects();
        let b = bin();
        let q = sh.quote(b.as_os_str().as_bytes());
        let (load, show) = match sh {
            Sh::Fish => (
                format!("{q} hook fish --non-interactive | source"),
                "echo \"$VIRTUAL_ENV.\"",
            ),
            _ => (
                format!("eval \"$({q} hook {} --non-interactive)\"", sh.name()),
                "echo ${VIRTUAL_ENV-}.",
            ),
        };
        let mut c = Command::new(sh.find().unwrap());
        match sh {
            Sh::Bash => c.args(["--norc", "--noprofile", "-i", "-c"]),
            Sh::Zsh => c.args(["--no-rcs", "-i", "-c"]),
            Sh::Fish => c.args(["--no-config", "-i", "-c"]),
        };
        let out = c
            .arg(format!("{load}; {show}"))
            .env_clear()
            .envs(t.world.env())
            .env("PWD", &t.a)
            .current_dir(&t.a)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(text(&out.stdout).trim(), ".", "{}", text(&out.stderr));
    }
);

#[test]
fn a_non_interactive_bash_start_costs_one_process() {
    let Some(strace) = util::required_tool("strace") else {
        return;
    };
    let t = two_projects();
    let env = non_interactive_setup(Sh::Bash, &t.world);
    let log = t.world.root.join("strace.log");
    let out = Command::new(strace)
        .args(["-f", "-qq", "-e", "trace=execve", "-o"])
        .arg(&log)
        .arg(Sh::Bash.find().unwrap())
        .args(["-c", "true"])
        .env_clear()
        .envs(env)
        .env("PWD", &t.a)
        .current_dir(&t.a)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let trace = std::fs::read_to_string(&log).unwrap();
    let runs = trace
        .lines()
        .filter(|l| l.contains("execve(") && l.contains(bin().to_str().unwrap()))
        .count();
    assert_eq!(runs, 1, "{trace}");
}
