//! What a user sees: real bash, zsh and fish, real `python3 -m venv`
//! environments, `cd` around, and the resulting environment checked.

use crate::util::{self, BASE_PATH, Script, Sh, World, base_prompt};

struct Projects {
    world: World,
    client: std::path::PathBuf,
    personal: std::path::PathBuf,
    nested: std::path::PathBuf,
    outside: std::path::PathBuf,
}

/// Two Flask-like projects, one nested project, and a plain folder.
fn projects() -> Projects {
    let world = World::new();
    let client = world.path("client_flask_app");
    let personal = world.path("personal_app");
    let nested = personal.join("plugins/nested");
    let outside = world.path("outside");
    world.venv(&client.join("venv"), "1.1.4");
    world.venv(&personal.join(".venv"), "2.0.3");
    world.venv(&nested.join("venv"), "3.0.0");
    world.mkdir(&client.join("src/deep/er"));
    world.mkdir(&outside);
    for p in [&client, &personal, &nested] {
        world.allow(p);
    }
    Projects {
        world,
        client,
        personal,
        nested,
        outside,
    }
}

per_shell!(enter_subfolder_switch_nested_leave, |sh: Sh| {
    let p = projects();
    let mut s = Script::new(sh, &p.world);
    s.cd(&p.outside);
    let outside = s.snap();
    s.cd(&p.client);
    let client = s.snap();
    s.cd(&p.client.join("src/deep/er"));
    let deep = s.snap();
    s.cd(&p.personal);
    let sibling = s.snap();
    s.cd(&p.nested);
    let nested = s.snap();
    s.cd(&p.personal.join("plugins"));
    let back_up = s.snap();
    s.cd(&p.outside);
    let left = s.snap();
    s.cd(&p.client);
    let again = s.snap();
    let ran = s.execute();
    let snaps = &ran.snaps;
    let prompt = base_prompt(sh);

    snaps[outside].assert_inactive(BASE_PATH, &prompt);
    snaps[client].assert_active(
        &p.client.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    snaps[deep].assert_active(
        &p.client.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    snaps[sibling].assert_active(
        &p.personal.join(".venv"),
        "personal_app",
        "2.0.3",
        BASE_PATH,
    );
    snaps[nested].assert_active(&p.nested.join("venv"), "nested", "3.0.0", BASE_PATH);
    snaps[back_up].assert_active(
        &p.personal.join(".venv"),
        "personal_app",
        "2.0.3",
        BASE_PATH,
    );
    snaps[left].assert_inactive(BASE_PATH, &prompt);
    snaps[again].assert_active(
        &p.client.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );

    let messages = ran.messages();
    assert!(
        messages.contains(&"autovenv: activated client_flask_app (Python 3.11.7)")
            || messages
                .iter()
                .any(|m| m.starts_with("autovenv: activated client_flask_app (Python ")),
        "{messages:#?}"
    );
    assert!(
        messages.contains(&"autovenv: deactivated client_flask_app"),
        "{messages:#?}"
    );
    // Entering a subfolder of the active project says nothing.
    let activations = messages
        .iter()
        .filter(|m| m.starts_with("autovenv: activated client_flask_app"))
        .count();
    assert_eq!(activations, 2, "{messages:#?}");
});

per_shell!(user_path_edits_and_pythonhome_survive, |sh: Sh| {
    let p = projects();
    let mut s = Script::new(sh, &p.world).env("PYTHONHOME", "/opt/python-home");
    s.cd(&p.client);
    let inside = s.snap();
    s.run(sh.prepend_path("/mine/bin"));
    s.cd(&p.outside);
    let left = s.snap();
    let ran = s.execute();
    let inside = &ran.snaps[inside];
    assert_eq!(
        inside.var("PYTHONHOME"),
        None,
        "PYTHONHOME is unset while active"
    );
    assert_eq!(
        String::from_utf8_lossy(ran.snaps[left].var("PYTHONHOME").unwrap_or_default()),
        "/opt/python-home"
    );
    assert_eq!(ran.snaps[left].path(), format!("/mine/bin:{BASE_PATH}"));
    assert_eq!(ran.snaps[left].var("VIRTUAL_ENV"), None);
});

per_shell!(
    typed_deactivate_keeps_the_project_off_until_leaving,
    |sh: Sh| {
        let p = projects();
        let mut s = Script::new(sh, &p.world);
        s.cd(&p.client);
        s.run("deactivate");
        let off = s.snap();
        s.cd(&p.client.join("src"));
        let still_off = s.snap();
        s.cd(&p.outside);
        s.cd(&p.client);
        let on_again = s.snap();
        let ran = s.execute();
        let prompt = base_prompt(sh);
        ran.snaps[off].assert_inactive(BASE_PATH, &prompt);
        ran.snaps[still_off].assert_inactive(BASE_PATH, &prompt);
        ran.snaps[on_again].assert_active(
            &p.client.join("venv"),
            "client_flask_app",
            "1.1.4",
            BASE_PATH,
        );
        assert!(
            ran.messages()
                .iter()
                .any(|m| m.contains("stays off until you leave")),
            "{:#?}",
            ran.messages()
        );
    }
);

per_shell!(hand_activated_venv_is_left_alone, |sh: Sh| {
    let p = projects();
    let hand = p.world.venv(&p.world.path("by_hand/env"), "9.9.9");
    let mut s = Script::new(sh, &p.world);
    s.cd(&p.outside);
    s.run(sh.source_activate(&hand));
    s.cd(&p.client);
    let hand_in_project = s.snap();
    s.cd(&p.outside);
    let hand_outside = s.snap();
    s.cd(&p.client);
    // The venv's own deactivate replaces autovenv's, and deletes itself.
    s.run("deactivate");
    let resumed = s.snap();
    s.run("deactivate");
    let ours_still_works = s.snap();
    let ran = s.execute();
    for n in [hand_in_project, hand_outside] {
        assert_eq!(
            ran.snaps[n].virtual_env().as_deref(),
            Some(hand.as_path()),
            "{:#?}",
            ran.snaps[n]
        );
        assert!(ran.snaps[n].python_str().contains("9.9.9"));
    }
    ran.snaps[resumed].assert_active(
        &p.client.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    ran.snaps[ours_still_works].assert_inactive(BASE_PATH, &base_prompt(sh));
});

per_shell!(
    autovenv_activation_survives_hand_activation_on_top,
    |sh: Sh| {
        let p = projects();
        let hand = p.world.venv(&p.world.path("by_hand/env"), "9.9.9");
        let mut s = Script::new(sh, &p.world);
        s.cd(&p.client);
        s.run(sh.source_activate(&hand));
        let on_top = s.snap();
        s.run("deactivate");
        let back = s.snap();
        s.cd(&p.outside);
        let left = s.snap();
        let ran = s.execute();
        assert_eq!(
            ran.snaps[on_top].virtual_env().as_deref(),
            Some(hand.as_path())
        );
        ran.snaps[back].assert_active(
            &p.client.join("venv"),
            "client_flask_app",
            "1.1.4",
            BASE_PATH,
        );
        ran.snaps[left].assert_inactive(BASE_PATH, &base_prompt(sh));
    }
);

// A hand activation and a `cd` out of the project on one line: the
// statements kept ready for leaving were for the variables of before,
// so the hand's environment must not be switched off with no process.
// (Leaving reads from the check whether the variables held; a check that
// noted so when they did not would fail this.)
per_shell!(hand_activation_then_leaving_on_one_line, |sh: Sh| {
    let p = projects();
    let hand = p.world.venv(&p.world.path("by_hand/env"), "9.9.9");
    let mut s = Script::new(sh, &p.world);
    s.cd(&p.client);
    let ours = s.snap();
    s.run(format!(
        "{} && {}",
        sh.source_activate(&hand),
        sh.cd(&p.outside)
    ));
    let left = s.snap();
    let ran = s.execute();
    ran.snaps[ours].assert_active(
        &p.client.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    assert_eq!(
        ran.snaps[left].virtual_env().as_deref(),
        Some(hand.as_path()),
        "{:#?}",
        ran.snaps[left]
    );
    assert!(ran.snaps[left].python_str().contains("9.9.9"));
});

per_shell!(child_shell_adopts_the_activation, |sh: Sh| {
    let p = projects();
    let mut s = Script::new(sh, &p.world);
    s.cd(&p.client);
    let parent = s.snap();
    // A child shell started inside the project, with the hook in its rc.
    let exe = sh.find().unwrap();
    let child_flags = match sh {
        Sh::Bash => "--norc --noprofile -i",
        Sh::Zsh => "--no-rcs --no-globalrcs -i",
        Sh::Fish => "--no-config -i",
    };
    let hook = sh.hook_line().replace('\'', "'\\''");
    let emit = if sh == Sh::Fish {
        "emit fish_prompt\n"
    } else {
        ""
    };
    let child_script = p.world.root.join("child-script");
    let snapdir = p.world.root.join("child-snap");
    p.world.mkdir(&snapdir);
    let snap_fn = match sh {
        Sh::Fish => format!(
            "function fish_prompt; printf '> '; end\nfunction snap; env -0 > {d}/env_$argv[1]; fish_prompt > {d}/ps1_$argv[1]; functions -q deactivate; and echo yes > {d}/deact_$argv[1]; end\n",
            d = snapdir.display()
        ),
        _ => format!(
            "PS1='$ '\nsnap() {{ env -0 > {d}/env_$1; printf '%s' \"$PS1\" > {d}/ps1_$1; typeset -f deactivate >/dev/null && echo yes > {d}/deact_$1; }}\n",
            d = snapdir.display()
        ),
    };
    std::fs::write(
        &child_script,
        format!(
            "{snap_fn}{}\n{emit}snap 0\ncd {}\n{emit}snap 1\nexit\n",
            sh.hook_line(),
            p.outside.display()
        ),
    )
    .unwrap();
    let _ = hook;
    s.run(format!(
        "{} {child_flags} < {}",
        exe.display(),
        child_script.display()
    ));
    let after_child = s.snap();
    let ran = s.execute();
    ran.snaps[parent].assert_active(
        &p.client.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    ran.snaps[after_child].assert_active(
        &p.client.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );

    let read = |f: &str| std::fs::read(snapdir.join(f)).unwrap_or_default();
    let env0 = String::from_utf8_lossy(&read("env_0")).into_owned();
    let venv_bin = p.client.join("venv/bin");
    let path0 = env0
        .split('\0')
        .find_map(|kv| kv.strip_prefix("PATH="))
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        path0,
        format!("{}:{BASE_PATH}", venv_bin.display()),
        "child PATH not doubled"
    );
    assert!(
        String::from_utf8_lossy(&read("ps1_0")).starts_with("(client_flask_app) "),
        "child prompt prefix"
    );
    assert_eq!(read("deact_0"), b"yes\n", "child has deactivate");
    let env1 = String::from_utf8_lossy(&read("env_1")).into_owned();
    assert!(
        !env1.split('\0').any(|kv| kv.starts_with("VIRTUAL_ENV=")),
        "child deactivated on leaving"
    );
    let path1 = env1
        .split('\0')
        .find_map(|kv| kv.strip_prefix("PATH="))
        .unwrap_or_default()
        .to_string();
    assert_eq!(path1, BASE_PATH);
    assert_eq!(read("ps1_1"), base_prompt(sh));
});

per_shell!(hostile_folder_names, |sh: Sh| {
    use std::os::unix::ffi::OsStrExt;
    let world = World::new();
    let mut projects = Vec::new();
    for (name, label) in util::hostile_names() {
        let dir = world
            .root
            .join("hostile")
            .join(std::ffi::OsStr::from_bytes(name));
        world.venv(&dir.join("venv"), "1.0");
        world.allow(&dir);
        projects.push((name, label, dir));
    }
    let mut s = Script::new(sh, &world);
    let mut snaps = Vec::new();
    for (_, _, dir) in &projects {
        s.cd(&dir.join("venv/bin"));
        let inside = s.snap();
        s.cd(&world.root);
        let outside = s.snap();
        snaps.push((inside, outside));
    }
    let ran = s.execute();
    for ((name, label, dir), (inside, outside)) in projects.iter().zip(snaps) {
        ran.snaps[inside].assert_active_as(&dir.join("venv"), name, label, "1.0", BASE_PATH);
        ran.snaps[outside].assert_inactive(BASE_PATH, &base_prompt(sh));
    }
    assert_eq!(
        util::pwned_files(&world.root),
        Vec::<std::path::PathBuf>::new()
    );
    assert!(!ran.stderr.contains("command not found"), "{}", ran.stderr);
});

per_shell!(symlinked_project_is_the_same_project, |sh: Sh| {
    let p = projects();
    let link = p.world.path("link to client");
    std::os::unix::fs::symlink(&p.client, &link).unwrap();
    let mut s = Script::new(sh, &p.world);
    s.cd(&link.join("src"));
    let via_link = s.snap();
    s.cd(&p.client);
    let via_real = s.snap();
    let ran = s.execute();
    // The path is shown as the shell sees it (symlink kept), and trust,
    // given to the real folder, applies.
    ran.snaps[via_link].assert_active(&link.join("venv"), "link to client", "1.1.4", BASE_PATH);
    // Moving to the real path of the same environment is no switch.
    assert_eq!(
        ran.snaps[via_real].virtual_env(),
        ran.snaps[via_link].virtual_env()
    );
    let activations = ran
        .messages()
        .iter()
        .filter(|m| m.contains("activated"))
        .count();
    assert_eq!(activations, 1, "{:?}", ran.messages());
});

per_shell!(quiet_silences_information_not_problems, |sh: Sh| {
    let p = projects();
    let untrusted = p.world.path("untrusted");
    p.world.venv(&untrusted.join("venv"), "0.1");
    let mut s = Script::new(sh, &p.world).env("AUTOVENV_QUIET", "1");
    s.cd(&p.client);
    let on = s.snap();
    s.cd(&p.personal);
    s.cd(&untrusted);
    let ran = s.execute();
    ran.snaps[on].assert_active(
        &p.client.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    let messages = ran.messages();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(messages[0].contains("not trusted"), "{messages:#?}");
});

// A `cd` inside a command line: tests/same_line.rs.

per_shell!(a_prompt_redefined_while_active_is_kept, |sh: Sh| {
    // The user sets a new prompt while a project is active (a theme, a
    // `fish_config prompt choose`, a PS1 in a sourced file): autovenv never
    // puts the old one back, and the next switch shows its prefix on the
    // new prompt. Then the whole rc file is loaded again (prompt, then the
    // hook line), as people do after editing it: the prefix is still there.
    let p = projects();
    let mut s = Script::new(sh, &p.world);
    s.cd(&p.client);
    let before = s.snap();
    let (mine, rc_prompt) = match sh {
        Sh::Fish => (
            "function fish_prompt; printf 'mine> '; end",
            "function fish_prompt; printf 'rc> '; end",
        ),
        _ => ("PS1='mine> '", "PS1='rc> '"),
    };
    s.run(mine);
    s.cd(&p.personal);
    let switched = s.snap();
    s.cd(&p.outside);
    let left = s.snap();
    s.cd(&p.client);
    let again = s.snap();
    s.run(rc_prompt);
    s.run(sh.hook_line());
    let reloaded = s.snap();
    s.cd(&p.personal);
    let switched_after_reload = s.snap();
    s.cd(&p.outside);
    let left_after_reload = s.snap();
    let ran = s.execute();
    let base = String::from_utf8_lossy(&base_prompt(sh)).into_owned();
    assert_eq!(
        ran.snaps[before].prompt_str(),
        format!("(client_flask_app) {base}")
    );
    assert_eq!(ran.snaps[switched].prompt_str(), "(personal_app) mine> ");
    assert_eq!(
        ran.snaps[switched].var_str("VIRTUAL_ENV_PROMPT").as_deref(),
        Some("personal_app")
    );
    ran.snaps[left].assert_inactive(BASE_PATH, b"mine> ");
    assert_eq!(ran.snaps[again].prompt_str(), "(client_flask_app) mine> ");
    assert_eq!(ran.snaps[reloaded].prompt_str(), "(client_flask_app) rc> ");
    assert_eq!(
        ran.snaps[switched_after_reload].prompt_str(),
        "(personal_app) rc> "
    );
    ran.snaps[left_after_reload].assert_inactive(BASE_PATH, b"rc> ");
});

per_fish!(
    a_fish_prompt_saved_while_active_does_not_break_new_shells,
    |sh: Sh| {
        // `funcsave fish_prompt` while a project is active writes autovenv's
        // wrapper to the functions folder; every new shell then loads it, with
        // no prompt of the user's behind it. It must neither fail at each prompt
        // ("Unknown command") nor call itself once a project is entered.
        let p = projects();
        let mut s = Script::new(sh, &p.world);
        s.cd(&p.client);
        s.run("funcsave fish_prompt 2>/dev/null");
        s.execute();
        let saved = p.world.home.join(".config/fish/functions/fish_prompt.fish");
        let text = std::fs::read_to_string(&saved).unwrap();
        assert!(text.contains("__autovenv_fish_prompt_orig"), "{text}");

        // A new shell, rc-less like the others but with the functions folder on
        // its path: the saved file is its fish_prompt when the hook loads.
        let out = p.world.root.join("new-shell");
        std::fs::create_dir_all(&out).unwrap();
        let q = |path: &std::path::Path| sh.quote(path.as_os_str().as_encoded_bytes());
        let input = format!(
            "set -p fish_function_path $__fish_config_dir/functions
{hook}
emit fish_prompt
cd {outside}; emit fish_prompt; fish_prompt > {o}/outside
cd {client}; emit fish_prompt; fish_prompt > {o}/inside; printf '%s' \"$VIRTUAL_ENV\" > {o}/venv
cd {outside}; emit fish_prompt; fish_prompt > {o}/left
exit
",
            hook = sh.hook_line(),
            outside = q(&p.outside),
            client = q(&p.client),
            o = q(&out),
        );
        let mut child = Script::new(sh, &p.world)
            .command()
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
        let done = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&done.stderr);
        for bad in ["Unknown command", "call stack", "infinite loop"] {
            assert!(!stderr.contains(bad), "{bad}: {stderr}");
        }
        let told = stderr
            .lines()
            .filter(|l| l.contains("copy of autovenv's prompt wrapper"))
            .count();
        assert_eq!(told, 1, "{stderr}");
        let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap_or_default();
        assert_eq!(read("venv"), p.client.join("venv").display().to_string());
        assert!(
            read("inside").starts_with("(client_flask_app) "),
            "{:?}",
            read("inside")
        );
        for name in ["outside", "left"] {
            let prompt = read(name);
            assert!(
                !prompt.is_empty() && !prompt.starts_with('('),
                "{name}: {prompt:?}"
            );
        }
    }
);

// macOS Terminal starts bash (every Mac's /bin/bash is 3.2) with
// PROMPT_COMMAND=update_terminal_cwd already set when the rc file runs
// (/etc/bashrc_Apple_Terminal); bash 3.2 has no ${var@a}, and the hook
// used to stop loading there. The seed story, from that start: two
// projects, `cd` between them, the right Python each time, then out.
per_bash!(macos_terminal_seed_story, |sh: Sh| {
    let p = projects();
    let world = &p.world;
    let cwd_log = world.root.join("terminal-cwd.log");
    let rc = world.home.join(".bashrc");
    // What Apple's update_terminal_cwd does, written to a file instead of
    // the terminal, and the hook line at the end of the rc file.
    std::fs::write(
        &rc,
        format!(
            "update_terminal_cwd() {{ local url_path=\"$PWD\"; printf '\\e]7;%s\\a\\n' \"file://$HOSTNAME$url_path\" >> {log}; }}\n{hook}\n",
            log = sh.quote(cwd_log.as_os_str().as_encoded_bytes()),
            hook = sh.hook_line()
        ),
    )
    .unwrap();
    let mut s = Script::new(sh, world).env("PROMPT_COMMAND", "update_terminal_cwd");
    s.rcfile = Some(rc);
    s.cd(&p.client);
    let client = s.snap();
    s.cd(&p.personal);
    let personal = s.snap();
    s.cd(&p.client.join("src/deep"));
    let back = s.snap();
    s.cd(&p.outside);
    let out = s.snap();
    let ran = s.execute_with(false);
    assert!(
        !ran.stderr.contains("bad substitution"),
        "{}: {}",
        sh.label(),
        ran.stderr
    );
    ran.snaps[client].assert_active(
        &p.client.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    ran.snaps[personal].assert_active(
        &p.personal.join(".venv"),
        "personal_app",
        "2.0.3",
        BASE_PATH,
    );
    ran.snaps[back].assert_active(
        &p.client.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    ran.snaps[out].assert_inactive(BASE_PATH, &base_prompt(sh));
    // Terminal's own prompt command still runs, at every prompt.
    let reported = std::fs::read_to_string(&cwd_log).unwrap_or_default();
    assert!(
        reported.contains(&format!("{}\x07", p.personal.display())),
        "{}: update_terminal_cwd: {reported:?}",
        sh.label()
    );
});

// fish 4's transient prompt (`fish_transient_prompt`) draws the prompt once
// more, with --final-rendering, after a command is entered: the prompt
// behind autovenv's prefix gets that argument too.
per_fish!(the_prompt_gets_its_arguments, |sh: Sh| {
    let p = projects();
    let out_file = p.world.root.join("final");
    let mut s = Script::new(sh, &p.world);
    s.run("set -g fish_transient_prompt 1");
    s.run("function fish_prompt; if contains -- --final-rendering $argv; printf 'final> '; else; printf '> '; end; end");
    s.cd(&p.client);
    s.run(format!(
        "fish_prompt --final-rendering > {}",
        sh.quote(out_file.as_os_str().as_encoded_bytes())
    ));
    let inside = s.snap();
    let ran = s.execute();
    ran.snaps[inside].assert_active(
        &p.client.join("venv"),
        "client_flask_app",
        "1.1.4",
        BASE_PATH,
    );
    assert_eq!(
        std::fs::read_to_string(&out_file).unwrap_or_default(),
        "(client_flask_app) final> ",
        "{}",
        ran.stderr
    );
});
