//! Activations autovenv did not make: an editor's terminal that starts with
//! the project's environment active, `source venv/bin/activate` typed over
//! autovenv's own activation, and someone else's environment inherited from
//! a parent process. Real bash, zsh and fish; the environment, PATH, the
//! prompt, `deactivate` and `status --json` checked.

use std::path::{Path, PathBuf};

use crate::util::{BASE_PATH, Script, Sh, World, base_prompt};

struct Projects {
    world: World,
    client: PathBuf,
    personal: PathBuf,
    cloned: PathBuf,
    outside: PathBuf,
}

fn projects() -> Projects {
    let world = World::new();
    let client = world.path("client_flask_app");
    let personal = world.path("personal_app");
    let cloned = world.path("cloned_repo");
    let outside = world.path("outside");
    world.venv(&client.join("venv"), "1.1.4");
    world.venv(&personal.join(".venv"), "2.0.3");
    world.venv(&cloned.join("venv"), "6.6.6");
    world.mkdir(&client.join("src"));
    world.mkdir(&outside);
    world.allow(&client);
    world.allow(&personal);
    Projects {
        world,
        client,
        personal,
        cloned,
        outside,
    }
}

/// `PATH` as an editor's terminal (or a parent process that activated)
/// hands it on: the environment's `bin` first.
fn inherited_path(venv: &Path) -> String {
    format!("{}:{BASE_PATH}", venv.join("bin").display())
}

/// A line that writes `autovenv status --json` to `file`.
fn status_to(sh: Sh, file: &Path) -> String {
    format!(
        "autovenv status --json > {}",
        sh.quote(file.as_os_str().as_bytes())
    )
}

fn read_json(file: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(file).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

use std::os::unix::ffi::OsStrExt;

per_shell!(
    editor_terminal_with_the_project_env_is_taken_over,
    |sh: Sh| {
        let p = projects();
        let venv = p.client.join("venv");
        let status = p.world.path("status.json");
        // What VS Code's start-up activation (and a parent shell that
        // activated) leaves: VIRTUAL_ENV and PATH, no autovenv state.
        let mut s = Script::new(sh, &p.world)
            .env("VIRTUAL_ENV", &venv)
            .env("PATH", inherited_path(&venv));
        s.cwd = p.client.clone();
        let started = s.snap();
        s.run(status_to(sh, &status));
        s.cd(&p.client.join("src"));
        let deeper = s.snap();
        s.cd(&p.personal);
        let switched = s.snap();
        s.cd(&p.outside);
        let left = s.snap();
        let ran = s.execute();

        ran.snaps[started].assert_active(&venv, "client_flask_app", "1.1.4", BASE_PATH);
        ran.snaps[deeper].assert_active(&venv, "client_flask_app", "1.1.4", BASE_PATH);
        ran.snaps[switched].assert_active(
            &p.personal.join(".venv"),
            "personal_app",
            "2.0.3",
            BASE_PATH,
        );
        ran.snaps[left].assert_inactive(BASE_PATH, &base_prompt(sh));
        let v = read_json(&status);
        assert_eq!(v["shell"]["activated_by"], "autovenv", "{v:#}");
        assert_eq!(v["shell"]["taken_over"], true, "{v:#}");
        assert_eq!(v["action"], "none", "{v:#}");
        // Taking over is silent, as a child shell's adoption is.
        assert!(
            !ran.messages()
                .iter()
                .any(|m| m.starts_with("autovenv: activated client")),
            "{:#?}",
            ran.messages()
        );
    }
);

per_shell!(editor_terminal_in_an_untrusted_project, |sh: Sh| {
    let p = projects();
    let venv = p.cloned.join("venv");
    let status = p.world.path("status.json");
    let mut s = Script::new(sh, &p.world)
        .env("VIRTUAL_ENV", &venv)
        .env("PATH", inherited_path(&venv));
    s.cwd = p.cloned.clone();
    let started = s.snap();
    s.run(status_to(sh, &status));
    s.run("deactivate");
    let ended = s.snap();
    s.cd(&p.client);
    let elsewhere = s.snap();
    let ran = s.execute();

    // Left alone: it is not the user's trusted environment...
    let first = &ran.snaps[started];
    assert_eq!(first.virtual_env().as_deref(), Some(venv.as_path()));
    assert_eq!(first.path(), inherited_path(&venv));
    assert!(
        first.python_str().contains("6.6.6"),
        "{}",
        first.python_str()
    );
    // ...but never stranded: autovenv provides the missing `deactivate`.
    assert!(first.has_deactivate, "deactivate provided");
    let v = read_json(&status);
    assert_eq!(v["shell"]["activated_by"], "outside", "{v:#}");
    assert_eq!(v["reason"], "untrusted", "{v:#}");
    assert_eq!(v["action"], "none", "{v:#}");
    // The message says what is really the case.
    let messages = ran.messages();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("is active (activated outside autovenv) but not trusted")),
        "{messages:#?}"
    );
    assert!(
        !messages.iter().any(|m| m.contains("stays off")),
        "{messages:#?}"
    );
    // `deactivate` ends exactly that environment.
    ran.snaps[ended].assert_inactive(BASE_PATH, &base_prompt(sh));
    // And autovenv resumes.
    ran.snaps[elsewhere].assert_active(
        &p.client.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
});

per_shell!(source_activate_over_autovenvs_own_activation, |sh: Sh| {
    let p = projects();
    let venv = p.client.join("venv");
    let status = p.world.path("status.json");
    let mut s = Script::new(sh, &p.world);
    s.cd(&p.client);
    // What venv tutorials teach, and what VS Code types in command mode.
    s.run(sh.source_activate(&venv));
    let sourced = s.snap();
    s.run(status_to(sh, &status));
    s.run("deactivate");
    let off = s.snap();
    s.cd(&p.client.join("src"));
    let still_off = s.snap();
    s.cd(&p.outside);
    s.cd(&p.client);
    let back = s.snap();
    let ran = s.execute();

    let on = &ran.snaps[sourced];
    on.assert_active(&venv, "client_flask_app", "1.1.4", BASE_PATH);
    let prefix = format!(
        "(client_flask_app) {}",
        String::from_utf8_lossy(&base_prompt(sh))
    );
    assert_eq!(on.prompt_str(), prefix, "one prefix, autovenv's");
    for leftover in [
        "_OLD_VIRTUAL_PATH",
        "_OLD_VIRTUAL_PS1",
        "_OLD_FISH_PROMPT_OVERRIDE",
    ] {
        assert_eq!(on.var(leftover), None, "{leftover} left behind");
    }
    let v = read_json(&status);
    assert_eq!(v["shell"]["activated_by"], "autovenv", "{v:#}");
    assert_eq!(v["shell"]["taken_over"], true, "{v:#}");
    // The `deactivate` the user then types is autovenv's: the project stays
    // off until the shell leaves it.
    ran.snaps[off].assert_inactive(BASE_PATH, &base_prompt(sh));
    ran.snaps[still_off].assert_inactive(BASE_PATH, &base_prompt(sh));
    ran.snaps[back].assert_active(&venv, "client_flask_app", "1.1.4", BASE_PATH);
    let messages = ran.messages();
    let after_deactivate: Vec<&&str> = messages
        .iter()
        .skip_while(|m| !m.contains("stays off until you leave"))
        .collect();
    assert!(!after_deactivate.is_empty(), "{messages:#?}");
    assert_eq!(
        after_deactivate
            .iter()
            .filter(|m| m.starts_with("autovenv: activated client_flask_app"))
            .count(),
        1,
        "re-activated only on coming back: {messages:#?}"
    );
});

per_shell!(someone_elses_inherited_env_gets_a_deactivate, |sh: Sh| {
    let p = projects();
    let other = p.world.venv(&p.world.path("elsewhere/env"), "9.9.9");
    let mut s = Script::new(sh, &p.world)
        .env("VIRTUAL_ENV", &other)
        .env("PATH", inherited_path(&other));
    s.cwd = p.client.clone();
    let started = s.snap();
    s.cd(&p.outside);
    let moved = s.snap();
    s.run("deactivate");
    let ended = s.snap();
    s.cd(&p.client);
    let resumed = s.snap();
    let ran = s.execute();
    for n in [started, moved] {
        let snap = &ran.snaps[n];
        assert_eq!(snap.virtual_env().as_deref(), Some(other.as_path()));
        assert_eq!(snap.path(), inherited_path(&other));
        assert!(snap.has_deactivate, "deactivate provided");
    }
    ran.snaps[ended].assert_inactive(BASE_PATH, &base_prompt(sh));
    ran.snaps[resumed].assert_active(
        &p.client.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    assert!(
        ran.messages()
            .iter()
            .any(|m| m.contains("(activated outside autovenv)") && m.contains("deactivated")),
        "{:#?}",
        ran.messages()
    );
});

/// `allow` typed elsewhere says when the environment activates: only a shell
/// inside the project sees it at its next prompt.
#[test]
fn allow_says_when_it_takes_effect() {
    let p = projects();
    let said = |dir: &Path, verb: &str| {
        let out = p
            .world
            .autovenv()
            .current_dir(dir)
            .env("PWD", dir)
            .arg(verb)
            .arg(&p.cloned)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let from_outside = said(&p.outside, "allow");
    assert!(
        from_outside.contains(&format!(
            "it activates when you cd into {}",
            p.cloned.display()
        )),
        "{from_outside}"
    );
    assert!(!from_outside.contains("next prompt"), "{from_outside}");
    let from_inside = said(&p.cloned, "allow");
    assert!(
        from_inside.contains("it activates at the next prompt"),
        "{from_inside}"
    );
    let denied_elsewhere = said(&p.outside, "deny");
    assert!(
        denied_elsewhere.contains("shells inside the project deactivate it"),
        "{denied_elsewhere}"
    );
}

/// `--help` shows the three set-up lines one per line, as they are typed.
#[test]
fn help_shows_the_setup_lines_one_per_line() {
    let out = std::process::Command::new(crate::util::bin())
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for line in [
        r#"bash: eval "$(autovenv hook bash)""#,
        r#"zsh:  eval "$(autovenv hook zsh)""#,
        "fish: autovenv hook fish | source",
    ] {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(line)),
            "{line:?} is not a line of its own:\n{help}"
        );
    }
}

/// A Python tool from PyPI (virtualenv, uv): from AUTOVENV_TEST_TOOLS (the
/// folder `.ci/python-tools` installs into), else PATH; missing, the test
/// is skipped with the reason printed, or fails where CI requires it.
fn python_tool(name: &str) -> Option<PathBuf> {
    let in_tools = crate::util::test_setting("AUTOVENV_TEST_TOOLS")
        .map(|dir| PathBuf::from(dir).join(name))
        .filter(|p| p.is_file());
    in_tools.or_else(|| crate::util::required_tool(name))
}

/// The variables the environment's own activate script leaves, against
/// those autovenv leaves, for environments made by `python3 -m venv`,
/// virtualenv and `uv venv`. The differences allowed are the documented
/// ones (docs/configuration.md): each side's own bookkeeping, PS1 (which
/// some scripts export), and the prompt name, which autovenv takes from the
/// project for a generic folder name and writes without Python 3.11's
/// parentheses.
fn same_variables_as_the_activate_script(sh: Sh, creator: &str) {
    let p = projects();
    let project = p.world.path("made_by");
    let venv = project.join(".venv");
    let made = match creator {
        "venv" => std::process::Command::new("python3")
            .args(["-m", "venv", "--without-pip"])
            .arg(&venv)
            .status()
            .unwrap(),
        "virtualenv" => {
            let Some(tool) = python_tool("virtualenv") else {
                return;
            };
            std::process::Command::new(tool)
                .args(["-q", "--no-pip", "--no-setuptools", "--no-wheel"])
                .arg(&venv)
                .status()
                .unwrap()
        }
        _ => {
            let Some(tool) = python_tool("uv") else {
                return;
            };
            std::process::Command::new(tool)
                .args(["venv", "-q", "--python", "python3"])
                .arg(&venv)
                .env("UV_NO_CONFIG", "1")
                .env("UV_OFFLINE", "1")
                .env("UV_PYTHON_DOWNLOADS", "never")
                .status()
                .unwrap()
        }
    };
    assert!(made.success(), "{creator} made no environment");
    crate::util::write_flaskish(&venv, "4.2.0");
    p.world.allow(&project);

    let start = |s: Script| {
        s.env("PKG_CONFIG_PATH", "/usr/lib/pkgconfig")
            .env("PYTHONHOME", "/nonexistent/python-home")
    };
    let mut ours = start(Script::new(sh, &p.world));
    ours.cd(&project);
    let ours_at = ours.snap();
    let ours = ours.execute().snaps.swap_remove(ours_at);

    let mut theirs = start(Script::new(sh, &p.world));
    theirs.cd(&project);
    theirs.run(sh.source_activate(&venv));
    let theirs_at = theirs.snap();
    let theirs = theirs.execute_with(false).snaps.swap_remove(theirs_at);

    // python -m venv's and uv's scripts also export PS1, which autovenv
    // never does (a child program has no use for it, and another shell
    // would show bash's escapes).
    let bookkeeping = |k: &[u8]| {
        k.starts_with(b"_OLD_")
            || k.starts_with(b"__AUTOVENV")
            || k == b"VIRTUAL_ENV_PROMPT"
            || k == b"PS1"
    };
    let strip = |snap: &crate::util::Snap| -> Vec<(String, String)> {
        snap.env
            .iter()
            .filter(|(k, _)| !bookkeeping(k))
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(k).into_owned(),
                    String::from_utf8_lossy(v).into_owned(),
                )
            })
            .collect()
    };
    assert_eq!(strip(&ours), strip(&theirs), "{creator} in {}", sh.name());
    assert!(ours.python_str().contains("4.2.0"), "{}", ours.python_str());
    // The prompt name: the script names the folder (`.venv`), autovenv
    // the project (`made_by`); Python 3.11's venv writes it as `(.venv) `.
    let theirs_name = theirs.var_str("VIRTUAL_ENV_PROMPT").unwrap_or_default();
    assert!(
        [".venv", "(.venv) ", "made_by"].contains(&theirs_name.as_str()),
        "{theirs_name:?}"
    );
    assert_eq!(
        ours.var_str("VIRTUAL_ENV_PROMPT").as_deref(),
        Some("made_by")
    );
}

per_shell!(same_variables_as_venvs_activate, |sh: Sh| {
    same_variables_as_the_activate_script(sh, "venv")
});

per_shell!(same_variables_as_virtualenvs_activate, |sh: Sh| {
    same_variables_as_the_activate_script(sh, "virtualenv")
});

per_shell!(same_variables_as_uvs_activate, |sh: Sh| {
    same_variables_as_the_activate_script(sh, "uv")
});

/// `doctor` says who activated what is active, and how to end it; someone
/// else's environment active in a project that has its own is a fix.
#[test]
fn doctor_names_an_outside_activation() {
    let p = projects();
    let other = p.world.venv(&p.world.path("elsewhere/env"), "9.9.9");
    let out = p
        .world
        .autovenv()
        .current_dir(&p.client)
        .env("PWD", &p.client)
        .env("VIRTUAL_ENV", &other)
        .env("PATH", inherited_path(&other))
        .arg("doctor")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains(
            "activated outside autovenv (by hand, an editor's terminal or a parent process)"
        ),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "this project's environment is {}",
            p.client.join("venv").display()
        )),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
}
