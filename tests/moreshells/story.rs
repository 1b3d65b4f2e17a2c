//! The seed story in each shell: two Flask-style projects, `cd` between
//! them, the right `python` each time, PATH back byte for byte, a
//! `deactivate` that holds, an untrusted cloned environment that stays off
//! and runs nothing; then every hostile folder name.

use super::*;
use crate::util::BASE_PATH;

fn path_of(venv: &Path) -> String {
    format!("{}/bin", venv.display())
}

more_shells!(seed_story, |sh: More| {
    let world = World::new();
    let client = world.path("client_flask_app");
    let personal = world.path("personal_app");
    let cloned = world.path("cloned_repo");
    world.venv(&client.join("venv"), "1.1.4");
    world.venv(&personal.join(".venv"), "2.0.3");
    world.venv(&cloned.join("venv"), "6.6.6");
    world.mkdir(&client.join("src/deep"));
    world.allow(&client);
    world.allow(&personal);
    // What a hostile clone would run, were its bin/ put on PATH.
    let pwned = world.root.join("PWNED_by_clone");
    for tool in ["python", "ls"] {
        let p = cloned.join("venv/bin").join(tool);
        let _ = std::fs::remove_file(&p);
        util::write_executable(
            &p,
            &format!("#!/bin/sh\ntouch '{}'\necho 0.0.EVIL\n", pwned.display()),
        );
    }
    let Some(t) = Terminal::start(sh, &world, &world.root, "") else {
        return;
    };
    let base = t.snap();
    assert_eq!(base.path, BASE_PATH);
    assert_eq!(base.ve, "");
    t.run(&sh.set_var("PYTHONHOME", "/opt/py"));

    t.run(&sh.cd(&client));
    let s = t.snap();
    assert_eq!(s.pythonhome, "", "put aside");
    assert_eq!(s.ve, client.join("venv").display().to_string());
    assert_eq!(s.prompt_name, "client_flask_app");
    assert_eq!(s.py, "1.1.4");
    assert_eq!(
        s.path,
        format!("{}:{BASE_PATH}", path_of(&client.join("venv")))
    );
    assert_eq!(s.prompt, format!("(client_flask_app) {}", base.prompt));
    t.wait_screen("autovenv: activated client_flask_app (Python ");

    // The user's own PATH edit while inside stays; switch in one go.
    t.run(&sh.prepend_path("/mine"));
    t.run(&sh.cd(&personal));
    let s = t.snap();
    assert_eq!(s.ve, personal.join(".venv").display().to_string());
    assert_eq!(s.py, "2.0.3");
    assert_eq!(
        s.path,
        format!("{}:/mine:{BASE_PATH}", path_of(&personal.join(".venv")))
    );
    assert_eq!(s.prompt, format!("(personal_app) {}", base.prompt));

    t.run(&sh.cd(&world.root));
    let s = t.snap();
    assert_eq!(s.ve, "");
    assert_eq!(s.prompt_name, "");
    assert_eq!(s.path, format!("/mine:{BASE_PATH}"), "byte for byte");
    assert_eq!(s.prompt, base.prompt);
    assert_eq!(s.py, "none");
    assert_eq!(s.pythonhome, "/opt/py", "restored");

    // deactivate holds inside the project, and ends when it is left.
    t.run(&sh.cd(&client));
    t.run("deactivate");
    let s = t.snap();
    assert_eq!(s.ve, "");
    assert_eq!(s.path, format!("/mine:{BASE_PATH}"));
    assert_eq!(s.prompt, base.prompt);
    t.run(&sh.cd(&client.join("src/deep")));
    assert_eq!(t.snap().ve, "", "still off inside the project");
    t.run(&sh.cd(&world.root));
    t.run(&sh.cd(&client));
    assert_eq!(t.snap().ve, client.join("venv").display().to_string());

    // The clone's environment is not trusted: off, said once, nothing run.
    t.run(&sh.cd(&cloned));
    let s = t.snap();
    assert_eq!(s.ve, "");
    assert_eq!(s.path, format!("/mine:{BASE_PATH}"));
    assert_eq!(s.py, "none");
    t.run("ls");
    t.snap();
    let screen = t.screen();
    assert_eq!(
        screen.matches("is not trusted, so it stays off").count(),
        1,
        "said once: {screen}"
    );
    assert!(!pwned.exists(), "the clone's bin/ ran: {screen}");
    assert!(!screen.contains("Error"), "{screen}");

    // A child shell adopts: same PATH, its own prefix back, no doubling.
    t.run(&sh.cd(&client));
    let parent = t.snap();
    t.run(&child_shell(sh, &world));
    let child = t.snap();
    assert_eq!(child.path, parent.path);
    assert_eq!(child.ve, parent.ve);
    assert_eq!(child.prompt, parent.prompt);
    t.run("exit");
    assert_eq!(t.snap().path, parent.path, "back in the parent");
    if util::test_setting("AUTOVENV_TEST_SHOW_SCREEN").is_some() {
        eprintln!("{}", t.screen());
    }
});

/// The line that starts a child shell with the same rc file.
fn child_shell(sh: More, world: &World) -> String {
    let exe = sh.find().unwrap();
    let rc = world.home.join(format!("rc.{}", sh.name()));
    match sh {
        More::Nu => format!(
            "^{} --config {} --env-config /dev/null",
            sh.quote(exe.as_os_str().as_bytes()),
            sh.quote(rc.as_os_str().as_bytes())
        ),
        More::Xonsh => format!("{} --rc {} -i", exe.display(), rc.display()),
        More::Elvish => format!(
            "(external {}) -rc {}",
            sh.quote(exe.as_os_str().as_bytes()),
            sh.quote(rc.as_os_str().as_bytes())
        ),
    }
}

more_shells!(hostile_folder_names, |sh: More| {
    let world = World::new();
    let mut projects = Vec::new();
    for (name, label) in util::hostile_names() {
        if !sh.can_hold(name) {
            eprintln!(
                "{}: skipping {:?}, which it cannot hold (docs/installation.md)",
                sh.name(),
                String::from_utf8_lossy(name)
            );
            continue;
        }
        let dir = world.root.join("hostile").join(OsStr::from_bytes(name));
        world.venv(&dir.join("venv"), "1.0");
        world.allow(&dir);
        projects.push((name, label, dir));
    }
    let Some(t) = Terminal::start(sh, &world, &world.root, "") else {
        return;
    };
    let base = t.snap();
    for (name, label, dir) in &projects {
        t.run(&sh.cd(&dir.join("venv/bin")));
        let s = t.snap();
        let venv = dir.join("venv");
        assert_eq!(
            s.ve,
            String::from_utf8_lossy(venv.as_os_str().as_bytes()),
            "{:?}",
            String::from_utf8_lossy(name)
        );
        assert_eq!(
            s.path,
            format!(
                "{}:{BASE_PATH}",
                String::from_utf8_lossy(path_of(&venv).as_bytes())
            )
        );
        assert_eq!(s.prompt, format!("({label}) {}", base.prompt));
        assert_eq!(s.py, "1.0");
        t.run(&sh.cd(&world.root));
        let s = t.snap();
        assert_eq!(s.ve, "");
        assert_eq!(s.path, BASE_PATH);
        assert_eq!(s.prompt, base.prompt);
    }
    assert_eq!(util::pwned_files(&world.root), Vec::<PathBuf>::new());
    let screen = t.screen();
    assert!(!screen.contains("Error"), "{screen}");
});

/// elvish runs `after-chdir` inside the command line: `cd proj; python` on
/// one line runs the project's `python` (nushell and xonsh switch at the
/// next prompt only).
#[test]
fn elvish_switches_in_the_middle_of_a_line() {
    let sh = More::Elvish;
    let world = World::new();
    let client = world.path("client_flask_app");
    world.venv(&client.join("venv"), "1.1.4");
    world.allow(&client);
    let Some(t) = Terminal::start(sh, &world, &world.root, "") else {
        return;
    };
    let seen = world.root.join("seen");
    t.run(&format!(
        "{}; e:python -c 'import flaskish; print(flaskish.VERSION)' > {}",
        sh.cd(&client),
        sh.quote(seen.as_os_str().as_bytes())
    ));
    assert_eq!(
        std::fs::read_to_string(&seen).unwrap_or_default().trim(),
        "1.1.4",
        "{}",
        t.screen()
    );
    // Typed outside any project, `deactivate` says so in one line and
    // leaves the shell as it was.
    t.run(&sh.cd(&world.root));
    t.run("deactivate");
    let s = t.snap();
    assert_eq!(s.path, BASE_PATH);
    let screen = t.screen();
    assert!(
        screen.contains("autovenv: no environment activated by autovenv is active here"),
        "{screen}"
    );
    assert!(!screen.contains("Exception"), "{screen}");
}

// A hook of another build (saved before an upgrade, or loaded before the
// binary was replaced) still works, and its shell is told once how to load
// this build's; this build's own hook is told nothing.
more_shells!(a_hook_of_another_build_is_told_once, |sh: More| {
    let world = World::new();
    let app = world.path("app");
    world.venv(&app.join(".venv"), "2.0.3");
    world.allow(&app);
    // The hook as another build printed it: the same text but for its id.
    let out = world.autovenv().args(["hook", sh.name()]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let before = match sh {
        More::Nu => "hook: \"",
        More::Xonsh => "', '",
        More::Elvish => "__autovenv_hook_id = '",
    };
    // (xonsh's is the second argument of the last call.)
    let at = text.rfind(before).expect("the hook holds its id") + before.len();
    let id = &text[at..at + 16];
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    let other = world.home.join("other-build-hook");
    std::fs::write(&other, text.replace(id, "0123456789abcdef")).unwrap();
    let file = sh.quote(other.as_os_str().as_bytes());
    let load_other = match sh {
        More::Nu => format!("source {file}"),
        More::Xonsh => format!("execx(open({file}).read())"),
        More::Elvish => format!("eval (slurp < {file})"),
    };
    let told = "another autovenv build";
    for (extra, times) in [(load_other.as_str(), 1), ("", 0)] {
        let Some(t) = Terminal::start(sh, &world, &world.root, extra) else {
            return;
        };
        for _ in 0..2 {
            t.run(&sh.cd(&app));
            let s = t.snap();
            assert_eq!(s.ve, app.join(".venv").display().to_string());
            assert_eq!(s.py, "2.0.3");
            t.run(&sh.cd(&world.root));
            assert_eq!(t.snap().ve, "");
        }
        let screen = t.screen();
        assert_eq!(screen.matches(told).count(), times, "{extra:?}:\n{screen}");
    }
});
