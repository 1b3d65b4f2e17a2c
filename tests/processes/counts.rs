//! How many processes a prompt, a `cd` and a typed command start, counted
//! off the trace.

use super::*;

const IDLE_PROMPTS: usize = 20;

per_shell!(idle_prompts_start_no_process, |sh: Sh| {
    let p = places();
    let ticks = p.world.root.join("ticks");
    let mut t = Traced::new(sh, &p.world, &p.world.root);
    // Inside an active project, deep down (many questions to replay), in a
    // project named by .venv-name (a file's first line to compare), and
    // outside any project (every folder up to / asked).
    let stays = [
        ("deep", &p.deep),
        ("named", &p.named.join("src")),
        ("outside", &p.outside),
    ];
    for (name, dir) in stays {
        t.cd(dir).idle();
        t.reset_ticks();
        t.mark(&format!("{name}_begin"));
        for _ in 0..IDLE_PROMPTS {
            t.idle();
        }
        t.mark(&format!("{name}_end"));
        t.save_ticks(&ticks.with_extension(name));
    }
    let Some(trace) = t.execute() else { return };
    for (name, _) in stays {
        let w = trace.between(&format!("{name}_begin"), &format!("{name}_end"));
        assert!(
            w.execs.is_empty() && w.spawns.is_empty(),
            "{} idle prompts ({name}) started processes: {w:#?}",
            IDLE_PROMPTS
        );
        let seen = read_ticks(&ticks.with_extension(name));
        assert!(
            seen as usize > IDLE_PROMPTS,
            "only {seen} prompts ran the hooks ({name})"
        );
    }
});

// Command lines of several commands that change no folder (`cd .` among
// them) start nothing either: in bash, the DEBUG trap that runs the hook
// after a `cd` inside a line only compares $PWD for each of them.
per_shell!(lines_that_change_no_folder_start_no_process, |sh: Sh| {
    let p = places();
    let mut t = Traced::new(sh, &p.world, &p.world.root);
    t.cd(&p.deep).idle();
    let line = match sh {
        Sh::Fish => "set x 1; true; echo hi > /dev/null; cd .; test -n $x; and true",
        _ => "x=1; :; echo hi > /dev/null; cd .; [[ -n $x ]] && :",
    };
    t.mark("lines_begin");
    for _ in 0..IDLE_PROMPTS {
        t.run(line);
    }
    t.mark("lines_end");
    let Some(trace) = t.execute() else { return };
    let w = trace.between("lines_begin", "lines_end");
    assert!(
        w.execs.is_empty() && w.spawns.is_empty(),
        "{}: {IDLE_PROMPTS} lines of builtins started processes: {w:#?}",
        sh.label()
    );
});

// Entering a project and switching start the binary once; moving within
// a project and leaving every project start nothing (src/region.rs): the
// hook's walk finds no marker on the way, and leaving applies what the
// binary left ready.
per_shell!(a_cd_starts_one_process_or_none, |sh: Sh| {
    let p = places();
    let moves: [(&str, String, usize); 10] = [
        ("enter", sh.cd(&p.project), 1),
        ("deep", sh.cd(&p.deep), 0),
        ("back_up", sh.cd(&p.project.join("src")), 0),
        ("switch", sh.cd(&p.sibling), 1),
        ("named", sh.cd(&p.named), 1),
        ("leave", sh.cd(&p.outside), 0),
        ("outside_up", sh.cd(p.outside.parent().unwrap()), 0),
        ("cd_dash", "cd -".into(), 0),
        (
            "pushd",
            format!(
                "pushd {} > /dev/null",
                sh.quote(p.project.as_os_str().as_encoded_bytes())
            ),
            1,
        ),
        ("popd", "popd > /dev/null".into(), 0),
    ];
    // The same moves with and without the hook: what the shell starts by
    // itself is not the hook's doing.
    let traces: Vec<Option<Trace>> = [false, true]
        .into_iter()
        .map(|hook| {
            let mut t = Traced::with_hook(sh, &p.world, &p.world.root, hook);
            t.cd(&p.outside).idle();
            for (name, line, _) in &moves {
                t.mark(&format!("{name}_before"));
                t.run(line.clone());
                t.mark(&format!("{name}_after"));
            }
            t.execute()
        })
        .collect();
    let [Some(bare), Some(hooked)] = &traces[..] else {
        return;
    };
    for (name, _, want) in &moves {
        let (before, after) = (format!("{name}_before"), format!("{name}_after"));
        let bare = bare.between(&before, &after);
        let w = hooked.between(&before, &after);
        assert_eq!(bare.autovenv_execs(), 0);
        assert_eq!(
            (w.autovenv_execs(), w.execs.len(), w.spawns.len()),
            (*want, bare.execs.len() + want, bare.spawns.len() + want),
            "`{name}` should start autovenv {want} time(s) and nothing else; without the hook: {bare:#?}\nwith: {w:#?}"
        );
    }
});

per_shell!(a_change_without_cd_costs_one_process_then_none, |sh: Sh| {
    let p = places();
    let mut t = Traced::new(sh, &p.world, &p.world.root);
    t.cd(&p.outside).idle();
    // A builtin writes the marker: the one process is the hook's.
    let name_file = p.outside.join(".venv-name");
    t.mark("create_before");
    t.run(format!(
        "printf 'shared\\n' > {}",
        sh.quote(name_file.as_os_str().as_encoded_bytes())
    ));
    t.mark("create_after");
    for _ in 0..5 {
        t.idle();
    }
    t.mark("settled");
    let Some(trace) = t.execute() else { return };
    let w = trace.between("create_before", "create_after");
    assert_eq!(
        (w.autovenv_execs(), w.execs.len(), w.spawns.len()),
        (1, 1, 1),
        "{w:#?}"
    );
    let w = trace.between("create_after", "settled");
    assert!(w.execs.is_empty() && w.spawns.is_empty(), "{w:#?}");
});

per_shell!(idle_again_after_a_typed_autovenv_command, |sh: Sh| {
    // A typed `autovenv ...` drops the shell's check so that the next
    // prompt asks the binary; after that one process, idle prompts start
    // none again, whether or not the command changed anything.
    let p = places();
    let mut t = Traced::new(sh, &p.world, &p.world.root);
    t.cd(&p.deep).idle();
    let commands = [
        ("status", "autovenv status >/dev/null 2>&1"),
        ("allow", "autovenv allow >/dev/null 2>&1"),
        ("list", "autovenv list >/dev/null 2>&1"),
    ];
    for (name, line) in commands {
        t.run(line);
        t.idle();
        t.mark(&format!("{name}_begin"));
        for _ in 0..IDLE_PROMPTS {
            t.idle();
        }
        t.mark(&format!("{name}_end"));
    }
    let Some(trace) = t.execute() else { return };
    for (name, _) in commands {
        let w = trace.between(&format!("{name}_begin"), &format!("{name}_end"));
        assert!(
            w.execs.is_empty() && w.spawns.is_empty(),
            "{IDLE_PROMPTS} idle prompts after `autovenv {name}` started processes: {w:#?}"
        );
    }
});
