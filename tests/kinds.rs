//! Every environment a Python user already has, made by the real tools
//! with their own defaults: Poetry (central and in-project), Pipenv, Hatch,
//! uv with `UV_PROJECT_ENVIRONMENT` and a uv workspace, a `.venv` file
//! holding a path and one holding a name, and a pyenv-virtualenv
//! environment. In bash, zsh and fish, `cd` into each project activates
//! exactly the environment the tool itself reports (`poetry env info -p`,
//! `pipenv --venv`, `hatch env find`...), leaving restores the shell, and
//! idle prompts inside each start no process.
//!
//! The tools come from `AUTOVENV_TEST_TOOLS` (a folder holding `poetry`,
//! `pipenv`, `hatch` and `uv`, which `.ci/python-tools` installs), else
//! PATH. Missing, the tests are skipped with the reason printed; under
//! AUTOVENV_TEST_REQUIRE_SHELLS=1 (CI) that is a failure. The world is built
//! once per test run: the tools are slow.
//!
//! pyenv-virtualenv is used when `pyenv` and its plugin are installed;
//! otherwise its layout is made by hand exactly as the plugin makes it
//! (`versions/X.Y.Z/envs/NAME` by `python -m venv`, and the link
//! `versions/NAME` to it), and the test says so.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::processes::Traced;
use crate::util::{self, BASE_PATH, Script, Sh, World};

/// One project made by a tool, and what the tool says its environment is.
struct Case {
    label: &'static str,
    dir: PathBuf,
    env: PathBuf,
    /// A variable the shell needs for this project (uv's), set before the
    /// `cd` and unset after leaving.
    var: Option<(&'static str, OsString)>,
}

struct ToolWorld {
    world: World,
    pyenv_root: PathBuf,
    cases: Vec<Case>,
}

static TOOL_WORLD: OnceLock<Result<ToolWorld, String>> = OnceLock::new();

/// The world, or None (with the reason printed) when the tools are missing.
fn tool_world() -> Option<&'static ToolWorld> {
    match TOOL_WORLD.get_or_init(build) {
        Ok(w) => Some(w),
        Err(why) => crate::util::unavailable(&format!(
            "{why}; run .ci/python-tools DIR and set AUTOVENV_TEST_TOOLS=DIR/bin"
        )),
    }
}

/// The real interpreter (not a pyenv shim, which needs the user's HOME).
fn real_python() -> Result<PathBuf, String> {
    let python = util::find_program("python3").ok_or("python3 is not installed")?;
    let out = Command::new(python)
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .map_err(|e| format!("python3 does not run: {e}"))?;
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    ))
}

struct Runner {
    home: PathBuf,
    path: OsString,
    extra: Vec<(String, OsString)>,
}

impl Runner {
    /// Runs a tool in `cwd` with the world's HOME, and returns its stdout.
    fn run(&self, tool: &Path, args: &[&str], cwd: &Path, vars: &[(&str, &OsString)]) -> String {
        let mut c = Command::new(tool);
        c.args(args)
            .current_dir(cwd)
            .env_clear()
            .env("HOME", &self.home)
            .env("PATH", &self.path)
            .env("LANG", "C.UTF-8")
            .env("PWD", cwd);
        for (k, v) in &self.extra {
            c.env(k, v);
        }
        for (k, v) in vars {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{} {args:?} in {} failed:\n{}{}",
            tool.display(),
            cwd.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

fn find_tool(dir: Option<&Path>, name: &str) -> Result<PathBuf, String> {
    match dir {
        Some(d) => Some(d.join(name)).filter(|p| p.is_file()),
        None => util::find_program(name),
    }
    .ok_or_else(|| format!("{name} is not installed"))
}

fn build() -> Result<ToolWorld, String> {
    let dir = crate::util::test_setting("AUTOVENV_TEST_TOOLS").map(PathBuf::from);
    let poetry = find_tool(dir.as_deref(), "poetry")?;
    let pipenv = find_tool(dir.as_deref(), "pipenv")?;
    let hatch = find_tool(dir.as_deref(), "hatch")?;
    let uv = find_tool(dir.as_deref(), "uv")?;
    let python = real_python()?;
    let world = World::new();
    let base = world.root.parent().unwrap().to_path_buf();
    let mut path = OsString::from(poetry.parent().unwrap());
    path.push(":");
    path.push(python.parent().unwrap());
    path.push(":");
    path.push(BASE_PATH);
    let runner = Runner {
        home: world.home.clone(),
        path,
        extra: vec![
            ("PIPENV_YES".into(), "1".into()),
            ("PIPENV_NOSPIN".into(), "1".into()),
            ("UV_CACHE_DIR".into(), base.join("uv-cache").into()),
            ("UV_PYTHON".into(), python.clone().into()),
            ("UV_PYTHON_DOWNLOADS".into(), "never".into()),
        ],
    };
    let write = |file: PathBuf, text: &str| {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    };
    let mut cases = Vec::new();

    // Poetry with its defaults: the environment goes to its cache folder.
    let d = world.path("poetry-default");
    write(
        d.join("pyproject.toml"),
        "[project]\nname = \"Poetry_Default.App\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\ndependencies = []\n\n[tool.poetry]\npackage-mode = false\n",
    );
    runner.run(&poetry, &["install", "--no-interaction"], &d, &[]);
    let env = PathBuf::from(runner.run(&poetry, &["env", "info", "-p"], &d, &[]));
    cases.push(Case {
        label: "poetry",
        dir: d,
        env,
        var: None,
    });

    // Poetry in-project: `.venv`, a venv folder, to be allowed.
    let d = world.path("poetry-in-project");
    write(
        d.join("pyproject.toml"),
        "[project]\nname = \"in-project\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\ndependencies = []\n\n[tool.poetry]\npackage-mode = false\n",
    );
    write(d.join("poetry.toml"), "[virtualenvs]\nin-project = true\n");
    runner.run(&poetry, &["install", "--no-interaction"], &d, &[]);
    let env = PathBuf::from(runner.run(&poetry, &["env", "info", "-p"], &d, &[]));
    assert_eq!(env, d.join(".venv"));
    world.allow(&d);
    cases.push(Case {
        label: "poetry-in-project",
        dir: d,
        env,
        var: None,
    });

    // Pipenv with its defaults: ~/.local/share/virtualenvs/NAME-HASH.
    let d = world.path("pipenv-default");
    write(
        d.join("Pipfile"),
        "[[source]]\nurl = \"https://pypi.org/simple\"\nverify_ssl = true\nname = \"pypi\"\n\n[packages]\n\n[dev-packages]\n",
    );
    runner.run(&pipenv, &["install"], &d, &[]);
    let env = PathBuf::from(runner.run(&pipenv, &["--venv"], &d, &[]));
    cases.push(Case {
        label: "pipenv",
        dir: d,
        env,
        var: None,
    });

    // Hatch with its defaults (the project itself is not installed, which
    // would need a build backend from the network).
    let d = world.path("hatch-default");
    write(
        d.join("pyproject.toml"),
        "[project]\nname = \"Hatch_Default.Proj\"\nversion = \"0.1.0\"\n\n[tool.hatch.envs.default]\nskip-install = true\n",
    );
    runner.run(&hatch, &["env", "create"], &d, &[]);
    let env = PathBuf::from(runner.run(&hatch, &["env", "find"], &d, &[]));
    cases.push(Case {
        label: "hatch",
        dir: d,
        env,
        var: None,
    });

    // uv with UV_PROJECT_ENVIRONMENT outside the project: allowed once.
    let d = world.path("uv-outside");
    write(
        d.join("pyproject.toml"),
        "[project]\nname = \"uv-outside\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\ndependencies = []\n",
    );
    let env = base.join("uv-envs/outside");
    let value = OsString::from(&env);
    runner.run(&uv, &["sync"], &d, &[("UV_PROJECT_ENVIRONMENT", &value)]);
    let out = world
        .autovenv()
        .env("UV_PROJECT_ENVIRONMENT", &value)
        .arg("allow")
        .arg(&d)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    cases.push(Case {
        label: "uv",
        dir: d,
        env,
        var: Some(("UV_PROJECT_ENVIRONMENT", value)),
    });

    // A uv workspace: a member uses the root's `.venv`.
    let d = world.path("uv-workspace");
    write(
        d.join("pyproject.toml"),
        "[project]\nname = \"ws\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\ndependencies = []\n\n[tool.uv.workspace]\nmembers = [\"packages/*\"]\n",
    );
    write(
        d.join("packages/lib/pyproject.toml"),
        "[project]\nname = \"lib\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\ndependencies = []\n",
    );
    runner.run(&uv, &["sync"], &d.join("packages/lib"), &[]);
    assert!(
        d.join(".venv/pyvenv.cfg").is_file(),
        "uv sync made the root's .venv"
    );
    world.allow(&d);
    cases.push(Case {
        label: "uv-workspace-member",
        dir: d.join("packages/lib"),
        env: d.join(".venv"),
        var: None,
    });

    // A `.venv` file holding a relative path (to be allowed), and one
    // holding a name (a central environment, trusted).
    let d = world.path("venv-file-path");
    let env = base.join("elsewhere/shared-env");
    util::make_venv(&env, "0", &[]);
    write(d.join(".venv"), "../../elsewhere/shared-env\n");
    world.allow(&d);
    cases.push(Case {
        label: "venv-file-path",
        dir: d,
        env,
        var: None,
    });

    let d = world.path("venv-file-name");
    let env = world.central.join("named-by-venv-file");
    util::make_venv(&env, "0", &[]);
    write(d.join(".venv"), "named-by-venv-file\n");
    cases.push(Case {
        label: "venv-file-name",
        dir: d,
        env,
        var: None,
    });

    // pyenv-virtualenv, in a pyenv root of the world's own, whose "installed
    // version" links to the real interpreter.
    let pyenv_root = base.join("pyenv");
    let version = "3.99.0";
    let bin = pyenv_root.join("versions").join(version).join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for name in ["python", "python3"] {
        std::os::unix::fs::symlink(&python, bin.join(name)).unwrap();
    }
    let d = world.path("pyenv-project");
    write(d.join(".python-version"), "pyenv-demo\n");
    let plugin = util::find_program("pyenv").filter(|p| {
        p.parent()
            .and_then(Path::parent)
            .is_some_and(|root| root.join("plugins/pyenv-virtualenv").is_dir())
    });
    let root_value = OsString::from(&pyenv_root);
    match plugin {
        Some(pyenv) => {
            runner.run(
                &pyenv,
                &["virtualenv", version, "pyenv-demo"],
                &base,
                &[("PYENV_ROOT", &root_value)],
            );
        }
        None => {
            eprintln!(
                "NOTE: pyenv-virtualenv is not installed; its layout is made by hand as the plugin makes it"
            );
            let real = pyenv_root
                .join("versions")
                .join(version)
                .join("envs/pyenv-demo");
            util::make_venv(&real, "0", &[]);
            std::os::unix::fs::symlink(&real, pyenv_root.join("versions/pyenv-demo")).unwrap();
        }
    }
    let env = pyenv_root.join("versions/pyenv-demo");
    assert!(env.join("pyvenv.cfg").is_file());
    cases.push(Case {
        label: "pyenv-virtualenv",
        dir: d,
        env,
        var: None,
    });

    // Each environment gets its own stand-in module, so that the test sees
    // which one Python imports.
    for case in &cases {
        util::write_flaskish(&case.env, case.label);
    }
    world.mkdir(&world.path("outside"));
    Ok(ToolWorld {
        world,
        pyenv_root,
        cases,
    })
}

fn set_var(sh: Sh, name: &str, value: &OsString) -> String {
    let q = sh.quote(value.as_encoded_bytes());
    match sh {
        Sh::Fish => format!("set -gx {name} {q}"),
        _ => format!("export {name}={q}"),
    }
}

fn unset_var(sh: Sh, name: &str) -> String {
    match sh {
        Sh::Fish => format!("set -e {name}"),
        _ => format!("unset {name}"),
    }
}

per_shell!(each_kind_activates_what_its_tool_reports, |sh: Sh| {
    let Some(tw) = tool_world() else { return };
    let outside = tw.world.path("outside");
    let mut s = Script::new(sh, &tw.world).env("PYENV_ROOT", &tw.pyenv_root);
    s.cwd = outside.clone();
    let mut snaps = Vec::new();
    for case in &tw.cases {
        if let Some((name, value)) = &case.var {
            s.run(set_var(sh, name, value));
        }
        s.cd(&case.dir);
        let inside = s.snap();
        s.cd(&outside);
        let left = s.snap();
        if let Some((name, _)) = &case.var {
            s.run(unset_var(sh, name));
        }
        snaps.push((case, inside, left));
    }
    let ran = s.execute();
    for (case, inside, left) in snaps {
        let snap = &ran.snaps[inside];
        let label = case.label;
        assert_eq!(
            snap.virtual_env().as_deref(),
            Some(case.env.as_path()),
            "{label}: VIRTUAL_ENV is what the tool reports; autovenv said:\n{}",
            ran.messages().join("\n")
        );
        assert_eq!(
            snap.path(),
            format!("{}:{BASE_PATH}", case.env.join("bin").display()),
            "{label}: PATH"
        );
        let python = snap.python_str();
        assert!(
            python.starts_with(&format!("{}\0{label}\n", case.env.display())),
            "{label}: python runs from the environment: {python:?}"
        );
        assert!(
            snap.prompt_str().starts_with('('),
            "{label}: prompt {:?}",
            snap.prompt_str()
        );
        assert!(snap.has_deactivate, "{label}: deactivate");
        ran.snaps[left].assert_inactive(BASE_PATH, &util::base_prompt(sh));
    }
    let problems: Vec<&str> = ran
        .messages()
        .into_iter()
        .filter(|m| {
            !m.starts_with("autovenv: activated") && !m.starts_with("autovenv: deactivated")
        })
        .collect();
    assert!(
        problems.is_empty(),
        "only activations were reported: {problems:#?}"
    );
});

/// 20 idle prompts inside each kind's project start nothing.
const IDLE_PROMPTS: usize = 20;

per_shell!(idle_prompts_in_every_kind_start_no_process, |sh: Sh| {
    let Some(tw) = tool_world() else { return };
    let outside = tw.world.path("outside");
    let mut t = Traced::new(sh, &tw.world, &outside);
    t.env
        .push(("PYENV_ROOT".into(), tw.pyenv_root.clone().into()));
    // Marks are short: strace cuts long arguments.
    for (i, case) in tw.cases.iter().enumerate() {
        if let Some((name, value)) = &case.var {
            t.run(set_var(sh, name, value));
        }
        t.cd(&case.dir).idle();
        t.mark(&format!("k{i}b"));
        for _ in 0..IDLE_PROMPTS {
            t.idle();
        }
        t.mark(&format!("k{i}e"));
        t.cd(&outside);
        if let Some((name, _)) = &case.var {
            t.run(unset_var(sh, name));
        }
    }
    let Some(trace) = t.execute() else { return };
    for (i, case) in tw.cases.iter().enumerate() {
        let w = trace.between(&format!("k{i}b"), &format!("k{i}e"));
        assert!(
            w.execs.is_empty() && w.spawns.is_empty(),
            "{IDLE_PROMPTS} idle prompts in the {} project started processes: {w:#?}",
            case.label
        );
    }
});

// `poetry install` (or any tool) making the environment after the `cd` is
// seen at the next prompt, without another `cd`.
per_shell!(
    an_environment_made_after_the_cd_is_seen_at_the_next_prompt,
    |sh: Sh| {
        let Some(tw) = tool_world() else { return };
        let poetry = tw.cases.iter().find(|c| c.label == "poetry").unwrap();
        let world = World::new();
        // The same Poetry folder layout, in a world of this test's own: a
        // project whose environment appears while the shell is inside it.
        let venvs = world.home.join(".cache/pypoetry/virtualenvs");
        std::fs::create_dir_all(&venvs).unwrap();
        let project = world.path("late");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(
            project.join("pyproject.toml"),
            "[project]\nname = \"late\"\nversion = \"0\"\n[tool.poetry]\npackage-mode = false\n",
        )
        .unwrap();
        // Where Poetry would put it: the name it computes, py3.11 or whatever
        // minor the real environment has.
        let minor = poetry
            .env
            .file_name()
            .unwrap()
            .to_string_lossy()
            .rsplit_once("-py")
            .unwrap()
            .1
            .to_string();
        let real = std::fs::canonicalize(&project).unwrap();
        let name = format!("late-{}-py{minor}", poetry_hash(&real));
        let env = venvs.join(&name);
        let mut s = Script::new(sh, &world);
        s.cd(&project);
        let before = s.snap();
        let cmd = format!(
            "command cp -R {} {}",
            sh.quote(poetry.env.as_os_str().as_encoded_bytes()),
            sh.quote(env.as_os_str().as_encoded_bytes())
        );
        s.run(cmd);
        let after = s.snap();
        let ran = s.execute();
        assert_eq!(ran.snaps[before].var("VIRTUAL_ENV"), None);
        assert_eq!(
            ran.snaps[after].virtual_env().as_deref(),
            Some(env.as_path()),
            "{}",
            ran.stderr
        );
    }
);

/// Poetry's hash of a project folder, computed by Python's own hashlib:
/// independent of the locator's.
fn poetry_hash(real: &Path) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys,hashlib,base64; print(base64.urlsafe_b64encode(hashlib.sha256(sys.argv[1].encode()).digest()).decode()[:8])",
        ])
        .arg(real)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

// A project with a tool's file and no environment anywhere gets one line,
// once per shell, with the command that makes its environment.
per_shell!(
    a_project_without_its_environment_is_hinted_once,
    |sh: Sh| {
        let world = World::new();
        let project = world.path("fresh");
        std::fs::create_dir_all(project.join("src")).unwrap();
        std::fs::write(project.join("poetry.lock"), "").unwrap();
        let outside = world.path("outside");
        world.mkdir(&outside);
        let mut s = Script::new(sh, &world);
        s.cd(&project.join("src"));
        s.cd(&outside);
        s.cd(&project);
        s.snap();
        let ran = s.execute();
        let hints: Vec<&str> = ran
            .messages()
            .into_iter()
            .filter(|m| m.contains("no environment yet"))
            .collect();
        assert_eq!(
            hints,
            vec![format!(
                "autovenv: {} has poetry.lock but no environment yet; to make one, run: poetry install",
                project.display()
            )],
            "{}",
            ran.stderr
        );
        assert_eq!(ran.snaps[0].var("VIRTUAL_ENV"), None);
    }
);
